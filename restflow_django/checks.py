"""System checks: the serving path a project's restflow views pay for on every request.

Registered when `"restflow_django"` is in `INSTALLED_APPS`. Under Django's own ASGI handler
each request starts a thread for its sync work and opens a database connection with it;
and Django's standard middleware, a `MiddlewareMixin` each, runs its hooks in a thread per
request. Measured in `benchmarks/RESULTS.md`, the two cost a project a third of its
throughput or more. The checks name the fix: `restflow_django.asgi.get_asgi_application()`
in the project's `asgi.py`, and `restflow_django.middleware.async_middleware(...)` around
`MIDDLEWARE`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.handlers.asgi import ASGIHandler
from django.urls import URLPattern, URLResolver, get_resolver

from restflow_django.asgi import ReusedThreadsASGIHandler
from restflow_django.middleware import async_middleware

__all__ = ["check_serving"]


def check_serving(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when a project serves restflow's views through Django's ASGI handler, or with
    Django's standard middleware where restflow's stands in for it."""
    application = _asgi_application()
    if application is None or not _serves_restflow_views():
        return []
    found: list[checks.CheckMessage] = []
    if isinstance(application, ASGIHandler) and not isinstance(
        application, ReusedThreadsASGIHandler
    ):
        found.append(
            checks.Warning(
                "The project's ASGI application is Django's handler: every request starts a "
                "thread and opens a database connection.",
                hint=(
                    "Serve restflow_django.asgi.get_asgi_application() from the project's "
                    "asgi.py: it keeps request threads, and their connections, between "
                    "requests."
                ),
                obj=type(application).__name__,
                id="restflow.W001",
            )
        )
    swapped = [
        path
        for path, kept in zip(
            settings.MIDDLEWARE, async_middleware(settings.MIDDLEWARE), strict=True
        )
        if path != kept
    ]
    if swapped:
        found.append(
            checks.Warning(
                "MIDDLEWARE lists Django's standard middleware, whose hooks each run in a "
                f"thread under ASGI: {', '.join(swapped)}.",
                hint=(
                    "Wrap the list: MIDDLEWARE = async_middleware([...]) from "
                    "restflow_django.middleware runs the same middleware with its hooks on "
                    "the event loop."
                ),
                id="restflow.W002",
            )
        )
    return found


def _asgi_application() -> Any:
    """The project's ASGI application: `ASGI_APPLICATION`, else `application` in the
    `asgi` module beside the settings module (where `startproject` puts it); `None` when
    there is none."""
    dotted = getattr(settings, "ASGI_APPLICATION", None)
    if dotted is None:
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
        package = settings_module.rpartition(".")[0]
        if not package:
            return None
        dotted = f"{package}.asgi.application"
    module_name, _, attribute = str(dotted).rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, attribute, None)


def _serves_restflow_views() -> bool:
    """Whether the URLconf routes to a view of restflow's."""
    from restflow_django.views import AsyncAPIView

    return any(
        isinstance(view_class, type) and issubclass(view_class, AsyncAPIView)
        for view_class in _view_classes(get_resolver().url_patterns)
    )


def _view_classes(patterns: Any) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield getattr(pattern.callback, "cls", None) or getattr(
                pattern.callback, "view_class", None
            )
