"""WSGI entry point of the benchmark server, for gunicorn.

With `BENCH_FREEZE` set, what startup loaded is frozen out of the garbage collector's way,
as the ASGI server does with the same setting.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
application = get_wsgi_application()

if os.environ.get("BENCH_FREEZE"):
    from restflow_django.asgi import freeze_loaded_objects

    freeze_loaded_objects()
