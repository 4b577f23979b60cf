"""Settings for the benchmark server. `BENCH_DB` is `sqlite` (default) or a libpq string.

`BENCH_STACK=startproject` serves every stack through Django's `startproject` middleware,
with session and token authentication configured, as a real project is; with
`BENCH_ASYNC_MIDDLEWARE` also set, that middleware is restflow's swap
(`restflow_django.middleware.async_middleware`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SECRET_KEY = "restflow-benchmarks"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "benchmarks.catalog",
]
# The same middleware for every stack: none, so the numbers are the frameworks'.
MIDDLEWARE: list[str] = []
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

if os.environ.get("BENCH_STACK") == "startproject":
    INSTALLED_APPS += [
        "django.contrib.sessions",
        "django.contrib.messages",
        "rest_framework.authtoken",
    ]
    # Django's `startproject` middleware, in its order.
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]
    if os.environ.get("BENCH_ASYNC_MIDDLEWARE"):
        from restflow_django.middleware import async_middleware

        MIDDLEWARE = async_middleware(MIDDLEWARE)
    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ]
    del REST_FRAMEWORK["UNAUTHENTICATED_USER"]


def _database() -> dict[str, Any]:
    target = os.environ.get("BENCH_DB", "sqlite")
    if target == "sqlite":
        path = os.environ.get("BENCH_SQLITE", str(Path("/tmp") / "restflow-bench.sqlite3"))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {"timeout": 30},
            # `BENCH_PERSISTENT`: keep connections between requests (Django's default closes
            # them at the end of every request).
            "CONN_MAX_AGE": None if os.environ.get("BENCH_PERSISTENT") else 0,
        }
    params = dict(part.split("=", 1) for part in target.split())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params.get("dbname", "restflow"),
        "USER": params.get("user", "restflow"),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", "127.0.0.1"),
        "PORT": params.get("port", "5432"),
        # One pool per server process, as recommended for async deployments.
        "OPTIONS": {"pool": {"min_size": 4, "max_size": 16}},
    }


DATABASES = {"default": _database()}
