"""Fixtures for the Django adapter's tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework import throttling

from restflow_django.test import AsyncAPIClient, aclose_thread_connections
from tests.processes import RedisServer
from tests.testapp import views
from tests.testapp.models import Category, Product


@pytest.fixture
def client() -> AsyncAPIClient:
    """An anonymous async API client."""
    return AsyncAPIClient()


@pytest.fixture
async def ada() -> User:
    """A user who owns products."""
    return await User.objects.acreate(username="ada")


@pytest.fixture
async def bob() -> User:
    """Another user."""
    return await User.objects.acreate(username="bob")


@pytest.fixture
async def tools() -> Category:
    """A category."""
    return await Category.objects.acreate(name="tools")


@pytest.fixture
async def saw(ada: User, tools: Category) -> Product:
    """A product owned by ada."""
    return await Product.objects.acreate(
        name="Saw", price=Decimal("12.50"), category=tools, created_by=ada, description=None
    )


# Thirty seconds into a day, an hour and a minute: a rate throttle's window.
_THROTTLE_CLOCK = 20_000 * 86_400 + 30.0


@pytest.fixture(autouse=True)
def throttle_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate throttles read a clock that stands still inside a window, so that a test's
    requests never straddle the end of one (a minute turning over between two of them)."""
    monkeypatch.setattr(
        throttling.SimpleRateThrottle, "timer", staticmethod(lambda: _THROTTLE_CLOCK)
    )


@pytest.fixture(autouse=True)
async def isolated() -> AsyncIterator[None]:
    """Each test starts with no announced products and leaves no connection open."""
    views.NOTIFIED.clear()
    yield
    views.NOTIFIED.clear()
    await aclose_thread_connections()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A `redis-server` on 127.0.0.1 for one test, always stopped.

    Skipped when redis-server is not installed, unless `RESTFLOW_REQUIRE_REDIS` (CI) is set.
    """
    if shutil.which("redis-server") is None:
        if os.environ.get("RESTFLOW_REQUIRE_REDIS"):
            pytest.fail("redis-server is required (RESTFLOW_REQUIRE_REDIS) and missing")
        pytest.skip("redis-server is not installed (apt install redis-server)")
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()
