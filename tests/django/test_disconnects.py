"""Clients that hang up at every point of a write leave neither half-written rows nor a
broken server: restflow's ASGI application, driven as a server drives it (the client's
`http.disconnect` makes Django cancel the view), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import django
import pytest

from restflow_django.asgi import ReusedThreadsASGIHandler
from tests.django.asgi_calls import http_scope
from tests.testapp.models import AuditEntry, Product

pytestmark = pytest.mark.django_db(transaction=True)

# When the client hangs up, in seconds after sending: from before the body is read to past
# the end of the action, which takes a few milliseconds here.
STEPS = [step / 2000 for step in range(80)] + [0.1, 0.2, 0.4, 0.8, 1.6]


async def request(
    application: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    hang_up_after: float | None = None,
) -> int | None:
    """Send one request to `application` as an ASGI server would; the status, or `None` when
    the client hung up before the answer began."""
    payload = b"" if body is None else json.dumps(body).encode()
    scope = http_scope(method, path, payload)
    gone = asyncio.Event()
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    served = asyncio.ensure_future(application(scope, receive, send))
    if hang_up_after is not None:
        await asyncio.sleep(hang_up_after)
        gone.set()
    await asyncio.wait_for(served, timeout=30)
    started = [message for message in messages if message["type"] == "http.response.start"]
    return started[0]["status"] if started else None


async def consistent() -> tuple[int, int]:
    """Products and their creation audits, which an atomic create writes together."""
    products = await Product.objects.acount()
    audits = await AuditEntry.objects.filter(event="product_created").acount()
    audited = {pk async for pk in AuditEntry.objects.values_list("object_id", flat=True)}
    stored = {pk async for pk in Product.objects.values_list("pk", flat=True)}
    assert audited <= stored | {0}, "an audit entry outlived its product"
    return products, audits


async def test_hanging_up_at_every_point_of_a_create_then_serving_normally() -> None:
    application = ReusedThreadsASGIHandler(idle_threads=2)
    try:
        answered = []
        for step in STEPS:
            status = await request(
                application,
                "POST",
                "/atomic-products/",
                {"name": f"c{step}", "price": "1"},
                hang_up_after=step,
            )
            answered.append(status)
            products, audits = await consistent()
            assert products == audits, f"half-written after hanging up at {step} s"
        after = [
            await request(application, "POST", "/atomic-products/", {"name": f"n{n}", "price": "1"})
            for n in range(10)
        ]
        listed = await request(application, "GET", "/atomic-products/")
    finally:
        await asyncio.get_running_loop().run_in_executor(None, application.shutdown)

    if django.VERSION >= (5, 0):
        # Django 4.2's handler lets a view run on after its client has gone.
        assert answered.count(None) >= 5, "too few requests were cut short: the sweep missed"
    assert answered.count(201) >= 3, "too few requests finished: the sweep stopped early"
    assert after == [201] * 10
    assert listed == 200
    products, audits = await consistent()
    assert products == audits


async def test_hanging_up_at_every_point_of_a_delete_then_serving_normally() -> None:
    application = ReusedThreadsASGIHandler(idle_threads=2)
    doomed = [await Product.objects.acreate(name=f"d{step}", price=1) for step in STEPS]
    try:
        for step, product in zip(STEPS, doomed, strict=True):
            await request(
                application, "DELETE", f"/atomic-products/{product.pk}/", hang_up_after=step
            )
            deleted = not await Product.objects.filter(pk=product.pk).aexists()
            recorded = await AuditEntry.objects.filter(event="product_deleted").acount()
            gone = len(doomed) - await Product.objects.filter(name__startswith="d").acount()
            assert recorded == gone, f"half-written after hanging up at {step} s"
            assert deleted or recorded < len(doomed)
        fresh = await Product.objects.acreate(name="fresh", price=1)
        after = await request(application, "DELETE", f"/atomic-products/{fresh.pk}/")
    finally:
        await asyncio.get_running_loop().run_in_executor(None, application.shutdown)

    assert after == 204


async def test_a_transaction_a_request_left_open_is_closed_before_the_thread_is_lent_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    application = ReusedThreadsASGIHandler(idle_threads=1)
    try:
        leaked = await request(application, "POST", "/leaks-a-transaction/")
        following = [
            await request(application, "POST", "/atomic-products/", {"name": f"n{n}", "price": "1"})
            for n in range(3)
        ]
    finally:
        await asyncio.get_running_loop().run_in_executor(None, application.shutdown)

    assert leaked == 201
    assert following == [201] * 3
    names = sorted([name async for name in Product.objects.values_list("name", flat=True)])
    assert names == ["n0", "n1", "n2"]
    assert "A request left a transaction open on database 'default'" in caplog.text
