"""Django settings for restflow's own test suite.

`RESTFLOW_TEST_POSTGRES` (a libpq connection string) switches the database to PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import django

from restflow_django.middleware import async_middleware

# Long enough for HMAC-SHA256 signatures (simplejwt's tokens): 32 bytes or more.
SECRET_KEY = "restflow-tests-only-not-a-secret-0123456789"
DEBUG = False
USE_TZ = True
ROOT_URLCONF = "tests.testapp.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "tests.testapp",
    "examples.shop.catalog",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "/static/"

# Django's middleware as restflow swaps it in: the security tests (CSRF, sessions,
# `request.user`) prove the swapped classes keep Django's behaviour.
MIDDLEWARE = async_middleware(
    [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
)


def _database() -> dict[str, Any]:
    dsn = os.environ.get("RESTFLOW_TEST_POSTGRES")
    if not dsn:
        # A file, not `:memory:`: servers started by tests use one connection per request
        # thread, and SQLite's shared-cache memory databases refuse concurrent writers
        # outright, where a file database waits for the lock.
        test_file = Path(tempfile.gettempdir()) / f"restflow-tests-{os.getpid()}.sqlite3"
        options: dict[str, Any] = {"timeout": 30}
        if django.VERSION >= (5, 1):
            # Take the write lock when a transaction starts, so concurrent writers queue
            # instead of failing to upgrade a read lock.
            options["transaction_mode"] = "IMMEDIATE"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "OPTIONS": options,
            "TEST": {"NAME": str(test_file)},
        }
    params = dict(part.split("=", 1) for part in dsn.split())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params.get("dbname", "restflow"),
        "USER": params.get("user", "postgres"),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", "127.0.0.1"),
        "PORT": params.get("port", "5432"),
    }


DATABASES = {"default": _database()}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every worker of a served test project (`RESTFLOW_TEST_REDIS`, a redis URL).
    "throttles": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
        if (redis_url := os.environ.get("RESTFLOW_TEST_REDIS"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttles"}
    ),
    # A cache outside the process, for the throttles' thread path.
    "files": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(tempfile.gettempdir()) / f"restflow-tests-cache-{os.getpid()}"),
    },
}

# Views choose their paginator; PAGE_SIZE only sets DRF's default size.
SILENCED_SYSTEM_CHECKS = ["rest_framework.W001"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "PAGE_SIZE": 10,
    "DEFAULT_THROTTLE_RATES": {"uploads": "2/min"},
}
