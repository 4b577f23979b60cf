"""Django's standard middleware with its non-blocking hooks on the event loop.

`async_middleware` is safe to call in a settings module: it imports nothing from Django.
The classes are in `restflow_django.middleware.standard`.

    from restflow_django.middleware import async_middleware

    MIDDLEWARE = async_middleware([
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        ...
    ])
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["async_middleware"]

# Django's middleware each class of `restflow_django.middleware.standard` stands in for.
_REPLACES = {
    "django.middleware.security.SecurityMiddleware": "SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware": "SessionMiddleware",
    "django.middleware.common.CommonMiddleware": "CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware": "CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware": "MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "XFrameOptionsMiddleware",
}


def async_middleware(middleware: Sequence[str]) -> list[str]:
    """`middleware` (a `MIDDLEWARE` list) with Django's standard classes replaced by
    restflow's, in the same order; every other entry is kept as it is."""
    return [
        f"{__name__}.standard.{_REPLACES[path]}" if path in _REPLACES else path
        for path in middleware
    ]
