"""The `api` fixture: each contract test runs once per adapter."""

from __future__ import annotations

import pytest

from restflow_core.testing import Driver
from tests.contract.drivers import DjangoDriver, MemoryDriver
from tests.contract.sqlite_driver import SqliteAsgiDriver


@pytest.fixture(
    params=[
        "memory",
        "sqlite-asgi",
        # Async ORM calls run outside a test's transaction, so each test gets clean tables.
        pytest.param("django", marks=pytest.mark.django_db(transaction=True)),
    ]
)
def api(request: pytest.FixtureRequest) -> Driver:
    """A driver for a fresh notes API on each adapter: memory, sqlite3 over ASGI, Django."""
    if request.param == "memory":
        return MemoryDriver()
    if request.param == "sqlite-asgi":
        return SqliteAsgiDriver()
    return DjangoDriver()


@pytest.fixture(
    params=["memory", pytest.param("django", marks=pytest.mark.django_db(transaction=True))]
)
def checked_api(request: pytest.FixtureRequest) -> Driver:
    """A driver for the adapters whose serializers await async hooks: memory, Django."""
    if request.param == "memory":
        return MemoryDriver()
    return DjangoDriver()
