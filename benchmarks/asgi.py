"""ASGI entry point of the benchmark server.

With `BENCH_REUSED_THREADS` set, every stack is served by restflow's application with
request threads kept between requests (`restflow_django.asgi`); otherwise by Django's.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

if os.environ.get("BENCH_REUSED_THREADS"):
    from restflow_django.asgi import get_asgi_application
else:
    from django.core.asgi import get_asgi_application

application = get_asgi_application()
