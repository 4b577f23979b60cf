"""The `api` fixtures: each contract test runs once per adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from examples.asgi_sqlite.adapter import App
from examples.starlette_sqlite.adapter import app
from restflow_core.testing import Driver
from tests.contract.drivers import DjangoDriver, MemoryDriver
from tests.contract.sqlite_driver import SqliteDriver

# Async ORM calls run outside a test's transaction, so each test gets clean tables.
DJANGO = pytest.param("django", marks=pytest.mark.django_db(transaction=True))


@pytest.fixture(params=["memory", "sqlite-asgi", "starlette", DJANGO])
async def api(request: pytest.FixtureRequest) -> AsyncIterator[Driver]:
    """A driver for a fresh notes API on each adapter: memory, sqlite3 over ASGI, Starlette
    over sqlite3, Django."""
    async with _driver(request.param) as driver:
        yield driver


@pytest.fixture(params=["memory", "sqlite-asgi", "starlette", DJANGO])
async def checked_api(request: pytest.FixtureRequest) -> AsyncIterator[Driver]:
    """A driver for the adapters whose serializers await async hooks: memory, both sqlite3
    adapters (their `AsyncHooks`), Django."""
    async with _driver(request.param) as driver:
        yield driver


@asynccontextmanager
async def _driver(adapter: str) -> AsyncIterator[Driver]:
    if adapter == "memory":
        yield MemoryDriver()
    elif adapter in ("starlette", "sqlite-asgi"):
        driver = SqliteDriver(app if adapter == "starlette" else App)
        try:
            yield driver
        finally:
            await driver.aclose()
    else:
        from restflow_django.test import aclose_thread_connections

        yield DjangoDriver()
        # The views' threads keep connections; the test database is dropped at the end.
        await aclose_thread_connections()
