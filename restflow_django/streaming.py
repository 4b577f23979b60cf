"""Stream a large queryset as a JSON array or as NDJSON, in constant memory, without blocking."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal, TypeVar

from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse
from rest_framework.renderers import JSONRenderer

from restflow_django._sync import aon_loop_or_thread

__all__ = ["astream_rows", "stream_response"]

ModelT = TypeVar("ModelT", bound=Model)
StreamFormat = Literal["json", "ndjson"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "ndjson": "application/x-ndjson"}


async def astream_rows(
    queryset: QuerySet[ModelT],
    represent: Callable[[ModelT], Any],
    *,
    format: StreamFormat = "json",
    chunk_size: int = 500,
) -> AsyncIterator[bytes]:
    """Yield `queryset` encoded row by row: one JSON array, or one JSON document per line.

    Rows are fetched `chunk_size` at a time with the async ORM and represented on the
    event loop (in a thread only when a representation follows a lazy relation).
    """
    renderer = JSONRenderer()
    first = True
    if format == "json":
        yield b"["
    async for row in queryset.aiterator(chunk_size=chunk_size):
        data = await aon_loop_or_thread(functools.partial(represent, row))
        encoded = renderer.render(data)
        if format == "ndjson":
            yield encoded + b"\n"
        else:
            yield encoded if first else b"," + encoded
        first = False
    if format == "json":
        yield b"]"


def stream_response(
    queryset: QuerySet[ModelT],
    represent: Callable[[ModelT], Any],
    *,
    format: StreamFormat = "json",
    chunk_size: int = 500,
    status: int = 200,
) -> StreamingHttpResponse:
    """Return a streaming response of `queryset`, each row given by `represent(row)`.

    For example, in a viewset action:
    `return stream_response(self.get_queryset(), lambda row: self.get_serializer(row).data)`.
    """
    return StreamingHttpResponse(
        astream_rows(queryset, represent, format=format, chunk_size=chunk_size),
        content_type=MEDIA_TYPES[format],
        status=status,
    )
