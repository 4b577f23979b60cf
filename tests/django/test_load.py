"""Load on PostgreSQL under uvicorn: every write lands once, nothing fails, nothing leaks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import django
import httpx
import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from tests.django.test_servers import serve
from tests.testapp.models import Product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(django.VERSION < (5, 1), reason="Django's connection pool needs 5.1"),
]

POOL_SIZE = 20


def postgres() -> Any:
    """The default connection, known to be PostgreSQL here (older stubs lack its pool API)."""
    return connections["default"]


def backends() -> int:
    """Count the server processes connected to the test database, from outside Django."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("pool", None)
    with psycopg.connect(**params, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def settled_backends(expected: int) -> int:
    """Count backends again until at most `expected` remain, for up to ten seconds.

    A server process leaves `pg_stat_activity` a moment after its client disconnects.
    """
    count = await sync_to_async(backends)()
    for _ in range(50):
        if count <= expected:
            break
        await asyncio.sleep(0.2)
        count = await sync_to_async(backends)()
    return count


@pytest.fixture
def pooled() -> Iterator[None]:
    """Serve the test with Django's psycopg pool of `POOL_SIZE` connections."""
    options = connections["default"].settings_dict["OPTIONS"]
    connections.close_all()
    options["pool"] = {"min_size": 1, "max_size": POOL_SIZE, "timeout": 60}
    try:
        yield
    finally:
        connections.close_all()
        postgres().close_pool()
        del options["pool"]


async def many(http: httpx.AsyncClient, requests: list[tuple[str, str, Any]]) -> list[int]:
    """Send every request at once; return the status codes in order."""
    responses = await asyncio.gather(
        *(http.request(method, url, json=body) for method, url, body in requests)
    )
    return [response.status_code for response in responses]


async def test_concurrent_creates_and_patches_land_exactly_once(pooled: None) -> None:
    """500 creates and 200 patches at once: all succeed, none is lost, no connection leaks."""
    before = await sync_to_async(backends)()

    with serve() as url:
        # A fresh connection per request: no request can race a keep-alive close.
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            created = await many(
                http,
                [("POST", "/soft-products/", {"name": f"p{n}", "price": "1"}) for n in range(500)],
            )
            ids = [pk async for pk in Product.objects.order_by("id").values_list("id", flat=True)]
            target = ids[0]
            patches: list[tuple[str, str, Any]] = [
                ("PATCH", f"/atomic-products/{pk}/", {"stock": index + 1})
                for index, pk in enumerate(ids[1:101])
            ]
            patches += [
                ("PATCH", f"/atomic-products/{target}/", body)
                for _ in range(50)
                for body in ({"description": "alpha"}, {"stock": 42})
            ]
            patched = await many(http, patches)
        during = await sync_to_async(backends)()

    await sync_to_async(connections.close_all)()
    await sync_to_async(postgres().close_pool)()
    after = await settled_backends(before)

    assert created == [201] * 500
    assert patched == [200] * 200
    names = [name async for name in Product.objects.values_list("name", flat=True)]
    assert sorted(names) == sorted(f"p{n}" for n in range(500))
    stocks = {pk: stock async for pk, stock in Product.objects.values_list("id", "stock")}
    assert [stocks[pk] for pk in ids[1:101]] == list(range(1, 101))
    # PATCHes of one row write the whole row, as DRF's do: the last write wins, and every
    # field holds its stored value or one a PATCH sent.
    row = await Product.objects.aget(pk=target)
    assert row.description in (None, "alpha")
    assert row.stock in (0, 42)
    assert during <= before + POOL_SIZE
    assert after <= before
