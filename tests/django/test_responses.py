"""Streaming responses over async iterables, served by uvicorn and read over real sockets:
a JSON array, NDJSON and server-sent events, clients that hang up, and slow readers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import django
import httpx
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from restflow_django.asgi import ReusedThreadsASGIHandler
from restflow_django.responses import (
    NDJSONResponse,
    ServerSentEvent,
    SSEResponse,
    StreamingJSONListResponse,
    as_event,
)
from restflow_django.views import AsyncAPIView
from tests.django.test_servers import serve
from tests.testapp.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

STATE: dict[str, Any] = {}
# On Django 4.2 restflow's application keeps Django's request handling, which neither hears
# a client leave nor closes the body of a request whose stream failed.
OWN_HANDLING = pytest.mark.skipif(
    django.VERSION < (5, 0), reason="restflow's own request handling needs Django 5.0"
)


async def products() -> AsyncIterator[dict[str, Any]]:
    async for product in Product.objects.order_by("id"):
        yield {"id": product.pk, "name": product.name, "price": product.price}


async def live_events() -> AsyncIterator[Any]:
    """Three events, then one every 50 ms until the client leaves."""
    STATE["stopped"] = asyncio.Event()
    try:
        yield "hello"
        yield {"event": "progress", "id": "1", "data": {"pct": 50}}
        yield ServerSentEvent(data="two\nlines", retry=1000)
        while True:
            await asyncio.sleep(0.05)
            yield {"event": "tick"}
    finally:
        STATE["stopped"].set()


async def flood() -> AsyncIterator[str]:
    """Megabyte lines, as fast as the client takes them; counts what it produced."""
    STATE["produced"] = 0
    line = "x" * 1_000_000
    while True:
        STATE["produced"] += 1
        yield line


async def failing() -> AsyncIterator[dict[str, int]]:
    yield {"n": 1}
    raise RuntimeError("the source went away")


async def bad_event() -> AsyncIterator[dict[str, str]]:
    yield {"data": "fine"}
    yield {"event": "split\nin two", "data": "x"}


class Array(AsyncAPIView):
    async def get(self, request: Request) -> StreamingJSONListResponse:
        return StreamingJSONListResponse(products())


class Lines(AsyncAPIView):
    async def get(self, request: Request) -> NDJSONResponse:
        return NDJSONResponse(products(), headers={"X-Source": "products"})


class Events(AsyncAPIView):
    async def get(self, request: Request) -> SSEResponse:
        return SSEResponse(live_events())


class SignedInEvents(Events):
    permission_classes = (IsAuthenticated,)


class Flood(AsyncAPIView):
    async def get(self, request: Request) -> NDJSONResponse:
        return NDJSONResponse(flood())


class Failing(AsyncAPIView):
    async def get(self, request: Request) -> StreamingJSONListResponse:
        return StreamingJSONListResponse(failing())


class BadEvent(AsyncAPIView):
    async def get(self, request: Request) -> SSEResponse:
        return SSEResponse(bad_event())


urlpatterns = [
    path("array/", Array.as_view()),
    path("lines/", Lines.as_view()),
    path("events/", Events.as_view()),
    path("signed-in-events/", SignedInEvents.as_view()),
    path("flood/", Flood.as_view()),
    path("failing/", Failing.as_view()),
    path("bad-event/", BadEvent.as_view()),
]


@pytest.fixture
def url() -> Iterator[str]:
    """restflow's application under uvicorn on 127.0.0.1, for one test."""
    application = ReusedThreadsASGIHandler()
    try:
        with serve(application) as served:
            yield served
    finally:
        application.shutdown()
        STATE.clear()


async def saw_and_drill() -> None:
    await Product.objects.acreate(name="Saw", price=Decimal("12.50"))
    await Product.objects.acreate(name="Drill", price=Decimal("99.00"))


class TestJson:
    async def test_a_json_array_of_rows(self, url: str) -> None:
        """The rows arrive as one JSON array, decimals encoded as Django encodes them."""
        await saw_and_drill()
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{url}/array/")

        ids = [product.pk async for product in Product.objects.order_by("id")]
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert json.loads(response.content) == [
            {"id": ids[0], "name": "Saw", "price": "12.50"},
            {"id": ids[1], "name": "Drill", "price": "99.00"},
        ]

    async def test_ndjson_one_document_a_line(self, url: str) -> None:
        """NDJSON: one document per line, headers given to the response kept."""
        await saw_and_drill()
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{url}/lines/")

        lines = response.content.decode().splitlines()
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["x-source"] == "products"
        assert [json.loads(line)["name"] for line in lines] == ["Saw", "Drill"]
        assert response.content.endswith(b"\n")

    async def test_an_empty_iterable_is_an_empty_array(self) -> None:
        """No items: `[]`."""

        async def nothing() -> AsyncIterator[Any]:
            return
            yield

        response = StreamingJSONListResponse(nothing())

        assert b"".join([chunk async for chunk in response]) == b"[]"

    @OWN_HANDLING
    async def test_a_failure_mid_stream_cuts_it_and_is_logged(
        self, url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The client cannot take a partial array for a whole one: the connection is cut
        before `]`, and the cause is logged."""
        with caplog.at_level(logging.ERROR, logger="restflow"):
            async with httpx.AsyncClient() as client:
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get(f"{url}/failing/")

        assert "A streamed JSON array failed after its status was sent" in caplog.text
        assert "the source went away" in caplog.text


class TestServerSentEvents:
    @OWN_HANDLING
    async def test_events_arrive_as_they_are_sent_and_a_hang_up_stops_the_generator(
        self, url: str
    ) -> None:
        """Each event is read as it is produced (the stream never ends by itself), with the
        SSE framing; closing the connection stops the generator (its `finally` runs)."""
        received: list[str] = []
        async with (
            httpx.AsyncClient() as client,
            client.stream("GET", f"{url}/events/") as response,
        ):
            headers = response.headers
            async for line in response.aiter_lines():
                received.append(line)
                if line == "event: tick":
                    break

        await asyncio.wait_for(STATE["stopped"].wait(), timeout=10)
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-cache"
        assert headers["x-accel-buffering"] == "no"
        assert received == [
            "data: hello",
            "",
            "id: 1",
            "event: progress",
            'data: {"pct": 50}',
            "",
            "retry: 1000",
            "data: two",
            "data: lines",
            "",
            "event: tick",
        ]

    async def test_the_views_permissions_run_before_the_stream(self, url: str) -> None:
        """An anonymous client is refused before the generator is asked for anything."""
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{url}/signed-in-events/")

        assert response.status_code == 403
        assert "stopped" not in STATE

    @OWN_HANDLING
    async def test_a_malformed_event_cuts_the_stream(
        self, url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An event type with a line break would forge a field: the stream is cut after the
        events before it, and the refusal logged."""
        with caplog.at_level(logging.ERROR, logger="restflow"):
            async with httpx.AsyncClient() as client:
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get(f"{url}/bad-event/")

        assert "may not hold a line break or NUL" in caplog.text


@OWN_HANDLING
class TestSlowReaders:
    async def test_a_reader_that_stops_reading_holds_the_generator_back(self, url: str) -> None:
        """While the client reads nothing, the generator is not run ahead without bound:
        the server's send waits for the socket to drain."""
        async with httpx.AsyncClient() as client, client.stream("GET", f"{url}/flood/") as response:
            await response.aiter_bytes().__anext__()
            await asyncio.sleep(1)
            held_at = STATE["produced"]
            await asyncio.sleep(1)
            still = STATE["produced"]

        assert held_at == still, (held_at, still)
        assert held_at < 100, held_at


class TestEventEncoding:
    def test_the_fields_and_data_lines(self) -> None:
        """Every field in SSE's framing; a `\\r\\n` in data is a line break too."""
        event = ServerSentEvent(data="a\r\nb", event="note", id="7", retry=0)

        assert (
            event.encode(DjangoJSONEncoder())
            == b"id: 7\nevent: note\nretry: 0\ndata: a\ndata: b\n\n"
        )

    @pytest.mark.parametrize(
        "fields",
        [
            {"id": "1\n2"},
            {"event": "a\rb"},
            {"id": "nul\0"},
            {"data": "nul\0"},
            {"retry": -1},
            {"retry": "10"},
            {"retry": True},
        ],
    )
    def test_values_that_would_corrupt_the_stream_are_refused(self, fields: dict[str, Any]) -> None:
        """Line breaks and NUL in the fields, NUL in data, a retry that is no whole number."""
        with pytest.raises(ValueError, match="event's"):
            as_event(fields).encode(DjangoJSONEncoder())

    def test_a_field_name_it_does_not_know_is_refused(self) -> None:
        """A mapping's keys are SSE's fields, nothing else."""
        with pytest.raises(ValueError, match=r"not \['comment'\]"):
            as_event({"data": "x", "comment": "y"})
