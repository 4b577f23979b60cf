"""`get_asgi_application(share_thread=True)`: requests take turns on one thread, and a
request holding a transaction has a thread to itself until the transaction ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django
import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from restflow_django.asgi import ReusedThreadsASGIHandler
from tests.django.asgi_calls import call, connections_opened, exchange, http_scope
from tests.testapp import views
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def shared() -> Iterator[ReusedThreadsASGIHandler]:
    """restflow's application with one shared thread; its threads stopped afterwards."""
    served = ReusedThreadsASGIHandler(idle_threads=2, share_thread=True)
    try:
        yield served
    finally:
        served.shutdown()


@pytest.fixture
def midway() -> Iterator[asyncio.Event]:
    """The event `HoldsTransaction` waits for with its transaction open."""
    views.MIDWAY["go"] = asyncio.Event()
    yield views.MIDWAY["go"]
    views.MIDWAY.clear()


def owners(served: ReusedThreadsASGIHandler) -> int:
    """How many requests have a thread to themselves for their transaction."""
    assert served._shared is not None
    return len(served._shared._owners)


async def in_transaction(served: ReusedThreadsASGIHandler, request: asyncio.Future[Any]) -> None:
    """Wait until `request` has opened its transaction (and so has its own thread)."""
    for _ in range(500):
        if owners(served) == 1:
            return
        if request.done():
            raise AssertionError(f"the request ended first: {request.result()}")
        await asyncio.sleep(0.01)
    raise AssertionError("the request opened no transaction")


async def test_concurrent_requests_take_turns_on_one_thread(saw: Product) -> None:
    with shared() as served:
        answers = await asyncio.gather(
            *(call(served, "GET", "/request-thread/") for _ in range(6)),
            *(call(served, "GET", f"/products/{saw.pk}/") for _ in range(6)),
        )

    assert [status for status, _ in answers] == [200] * 12
    assert len({body["thread"] for _, body in answers[:6]}) == 1
    assert {body["name"] for _, body in answers[6:]} == {"Saw"}


async def test_a_transaction_has_its_own_thread_and_the_others_go_on(
    midway: asyncio.Event,
) -> None:
    """While one request holds its transaction open, the others run on the shared thread,
    outside that transaction: its rollback leaves their writes alone. (On SQLite the other
    write waits for the transaction's lock; on PostgreSQL it goes through at once.)"""
    with shared() as served:
        holding = asyncio.ensure_future(
            call(served, "POST", "/holds-transaction/?fail", {"name": "rolled back"})
        )
        await in_transaction(served, holding)
        others = asyncio.ensure_future(
            asyncio.gather(
                call(served, "POST", "/categories/", {"name": "kept"}),
                call(served, "GET", "/request-thread/"),
                call(served, "GET", "/request-thread/"),
            )
        )
        await asyncio.sleep(0.2)
        midway.set()
        status, body = await holding
        answers = await others
        after = await call(served, "GET", "/request-thread/")

    assert [answer[0] for answer in answers] == [201, 200, 200]
    assert (status, body) == (400, {"name": ["Refused after all."]})
    shared_thread = answers[1][1]["thread"]
    assert answers[2][1]["thread"] == shared_thread
    assert after[1]["thread"] == shared_thread
    names = [name async for name in Category.objects.values_list("name", flat=True)]
    assert names == ["kept"]


async def test_the_transaction_commits_on_its_own_thread(midway: asyncio.Event) -> None:
    with shared() as served:
        holding = asyncio.ensure_future(
            call(served, "POST", "/holds-transaction/", {"name": "committed"})
        )
        await in_transaction(served, holding)
        other = await call(served, "GET", "/request-thread/")
        midway.set()
        status, body = await holding

    assert (status, other[0]) == (201, 200)
    assert body["thread"] != other[1]["thread"]
    assert await Category.objects.filter(name="committed").aexists()


@pytest.mark.skipif(django.VERSION < (5, 0), reason="Django 5.0's handler hears the hang-up")
async def test_a_client_gone_mid_transaction_leaves_nothing_and_the_next_request_works(
    midway: asyncio.Event,
) -> None:
    """The client hangs up while the request holds its transaction: it is rolled back on
    the request's thread, which is then given back, and the next write goes through."""
    payload = json.dumps({"name": "abandoned"}).encode()
    gone = asyncio.Event()
    with shared() as served:
        holding = asyncio.ensure_future(
            exchange(served, http_scope("POST", "/holds-transaction/", payload), payload, gone)
        )
        await in_transaction(served, holding)
        gone.set()
        left = await holding
        answered = await call(served, "POST", "/categories/", {"name": "next"})
        owners_left = owners(served)

    assert left == (0, {}, b"")
    assert answered[0] == 201
    assert owners_left == 0
    names = [name async for name in Category.objects.values_list("name", flat=True)]
    assert names == ["next"]


async def test_connections_still_close_at_the_end_of_each_request(
    saw: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `CONN_MAX_AGE = 0`, Django's rule holds on the shared thread too: every request
    closes the connection when it ends, and the next one opens its own."""
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 0)
    with shared() as served, connections_opened() as opened:
        for _ in range(3):
            answered, _ = await call(served, "GET", f"/products/{saw.pk}/")
            assert answered == 200
        assert served._shared is not None
        await asyncio.wrap_future(served._shared.current.submit(lambda: None))

    assert len(opened) == 3
    assert len(set(opened)) == 1


async def test_a_stream_keeps_its_cursor_while_others_close_theirs(
    tools: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed export reads its rows in chunks through one cursor: it has a thread to
    itself meanwhile, so the other requests ending (which close their connection, with
    `CONN_MAX_AGE = 0`) cannot close the stream's."""
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 0)
    await Product.objects.abulk_create(
        Product(name=f"p{number}", price="1.00", category=tools) for number in range(40)
    )
    with shared() as served:
        streamed, *others = await asyncio.gather(
            call(served, "GET", "/streamed-products/export/"),
            *(call(served, "GET", "/request-thread/") for _ in range(20)),
        )
        owners_left = owners(served)

    status, body = streamed
    names = [json.loads(line)["name"] for line in body.decode().splitlines()]
    assert status == 200
    assert names == [f"p{number}" for number in range(40)]
    assert [answer[0] for answer in others] == [200] * 20
    assert owners_left == 0


async def test_shutdown_may_run_twice() -> None:
    """A server stopping the application (lifespan) and the code that made it may both."""
    served = ReusedThreadsASGIHandler(share_thread=True)
    served.shutdown()
    served.shutdown()


def test_get_asgi_application_passes_it_on() -> None:
    from restflow_django.asgi import get_asgi_application

    served: Any = get_asgi_application(share_thread=True)
    try:
        assert served._shared is not None
    finally:
        served.shutdown()
