"""Streaming responses over async iterables: a JSON array, NDJSON, and server-sent events.

Each response takes an async iterable (an async generator of model rows turned into dicts,
live updates, a model's tokens) and writes every item to the client as soon as it is
produced, never holding the whole body. The server's send waits while a slow client's
buffers are full, so the iterable is not run ahead of the reader; a client that hangs up
stops it (Django cancels the stream, and the generator's `finally` runs).

They are Django's `StreamingHttpResponse`s: DRF's renderers and content negotiation do not
run on them, while the view's authentication, permissions and throttles still do, before
the iterable is first asked for an item.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

T = TypeVar("T")
logger: logging.Logger = logging.getLogger("restflow")

__all__ = [
    "NDJSONResponse",
    "SSEResponse",
    "ServerSentEvent",
    "StreamingJSONListResponse",
]


class StreamingJSONListResponse(StreamingHttpResponse):
    """One JSON array, written element by element: `[` at once, `]` when the items end.

    Items are encoded with `encoder` (Django's by default: dates, decimals, UUIDs). When
    the iterable raises, the error is logged and the connection cut before the `]`: a
    client never takes part of the array for all of it.
    """

    def __init__(
        self,
        items: AsyncIterable[Any],
        *,
        encoder: type[json.JSONEncoder] = DjangoJSONEncoder,
        content_type: str = "application/json",
        **kwargs: Any,
    ) -> None:
        chunks = _alogged(_ajson_array(items, encoder()), "JSON array")
        super().__init__(chunks, content_type=content_type, **kwargs)


class NDJSONResponse(StreamingHttpResponse):
    """One JSON document per line (newline-delimited JSON), each written as it comes."""

    def __init__(
        self,
        items: AsyncIterable[Any],
        *,
        encoder: type[json.JSONEncoder] = DjangoJSONEncoder,
        content_type: str = "application/x-ndjson",
        **kwargs: Any,
    ) -> None:
        chunks = _alogged(_ajson_lines(items, encoder()), "NDJSON stream")
        super().__init__(chunks, content_type=content_type, **kwargs)


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One server-sent event: its `data`, and the optional `event` type, `id` and `retry`.

    `data` that is not a string is encoded as JSON; a string with line breaks becomes one
    `data:` line per line. `event`, `id` and `retry` may hold no line break or NUL, and
    `retry` is a whole number of milliseconds: anything else is a `ValueError`, since it
    would split or corrupt the stream.
    """

    data: Any = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    def encode(self, encoder: json.JSONEncoder) -> bytes:
        """The event as it goes on the wire, ending with its blank line."""
        lines: list[str] = []
        if self.id is not None:
            lines.append(f"id: {_field('id', self.id)}")
        if self.event is not None:
            lines.append(f"event: {_field('event', self.event)}")
        retry: Any = self.retry  # typed int, and given anything at run time
        if retry is not None:
            if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
                raise ValueError(f"An event's retry is whole milliseconds, not {retry!r}")
            lines.append(f"retry: {retry}")
        data = self.data if isinstance(self.data, str) else encoder.encode(self.data)
        if "\0" in data:
            raise ValueError("An event's data may not hold NUL")
        lines += [f"data: {line}" for line in data.replace("\r\n", "\n").split("\n")]
        return ("\n".join(lines) + "\n\n").encode()


_EVENT_FIELDS = frozenset({"data", "event", "id", "retry"})


class SSEResponse(StreamingHttpResponse):
    """Server-sent events (`text/event-stream`), each sent as it is produced.

    Items are `ServerSentEvent`s, strings (an event of that `data`) or mappings with the
    keys `data`, `event`, `id` and `retry` (any other key is a `ValueError`). Caches and
    nginx are told not to hold the stream back (`Cache-Control: no-cache`,
    `X-Accel-Buffering: no`). A browser's `EventSource` reconnects with the last `id` it
    saw in the `Last-Event-ID` header; resuming from there is the view's to do.
    """

    def __init__(
        self,
        events: AsyncIterable[ServerSentEvent | str | Mapping[str, Any]],
        *,
        encoder: type[json.JSONEncoder] = DjangoJSONEncoder,
        content_type: str = "text/event-stream",
        **kwargs: Any,
    ) -> None:
        chunks = _alogged(_aevents(events, encoder()), "event stream")
        super().__init__(chunks, content_type=content_type, **kwargs)
        self.headers.setdefault("Cache-Control", "no-cache")
        self.headers.setdefault("X-Accel-Buffering", "no")


def as_event(item: ServerSentEvent | str | Mapping[str, Any]) -> ServerSentEvent:
    """`item` as a `ServerSentEvent`; a mapping with another key than its fields is refused."""
    if isinstance(item, ServerSentEvent):
        return item
    if isinstance(item, str):
        return ServerSentEvent(data=item)
    unknown = set(item) - _EVENT_FIELDS
    if unknown:
        raise ValueError(
            f"An event has the fields data, event, id and retry, not {sorted(unknown)}"
        )
    return ServerSentEvent(**item)


def _field(name: str, value: str) -> str:
    if any(character in value for character in "\r\n\0"):
        raise ValueError(f"An event's {name} may not hold a line break or NUL: {value!r}")
    return value


async def _ajson_array(
    items: AsyncIterable[Any], encoder: json.JSONEncoder
) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for item in items:
        yield (b"" if first else b",") + encoder.encode(item).encode()
        first = False
    yield b"]"


async def _ajson_lines(
    items: AsyncIterable[Any], encoder: json.JSONEncoder
) -> AsyncIterator[bytes]:
    async for item in items:
        yield encoder.encode(item).encode() + b"\n"


async def _aevents(
    events: AsyncIterable[ServerSentEvent | str | Mapping[str, Any]], encoder: json.JSONEncoder
) -> AsyncIterator[bytes]:
    async for item in events:
        yield as_event(item).encode(encoder)


async def _alogged(items: AsyncIterable[T], kind: str) -> AsyncIterator[T]:
    """`items`; an error among them is logged before it cuts the response short.

    Each item gives the event loop a turn: a generator that never awaits, sending to a
    client that left (a send that returns at once), can still be cancelled.
    """
    try:
        async for item in items:
            yield item
            await asyncio.sleep(0)
    except Exception:
        logger.exception("A streamed %s failed after its status was sent; it is cut short", kind)
        raise
