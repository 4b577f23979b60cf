"""ASGI entry point of the benchmark server.

With `BENCH_REUSED_THREADS` set, every stack is served by restflow's application with
request threads kept between requests (`restflow_django.asgi`), and with `BENCH_FREEZE`
also set, what startup loaded is frozen out of the garbage collector's way; with
`BENCH_SHARE_THREAD`, requests take turns on one shared thread. Otherwise
Django's own application serves.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

if os.environ.get("BENCH_REUSED_THREADS"):
    from restflow_django.asgi import get_asgi_application

    application = get_asgi_application(
        freeze_startup=bool(os.environ.get("BENCH_FREEZE")),
        share_thread=bool(os.environ.get("BENCH_SHARE_THREAD")),
    )
else:
    from django.core.asgi import get_asgi_application as get_djangos_asgi_application

    application = get_djangos_asgi_application()
