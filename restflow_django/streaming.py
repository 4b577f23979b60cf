"""Stream a large queryset as a JSON array or as NDJSON, in constant memory, without blocking.

Rows come through a server-side cursor where the database has them. Behind a connection
pooler in transaction mode (PgBouncer's `pool_mode = transaction`) such a cursor can vanish
between two fetches; the stream then goes on with client-side chunks from the row it had
reached, and logs a warning naming the setting that avoids the detour
(`DISABLE_SERVER_SIDE_CURSORS`). A stream that fails after its status was sent is logged
(logger `restflow`) with the cause before the connection is cut, never truncated silently.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal, TypeVar

from django.db import DatabaseError
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse
from rest_framework.renderers import JSONRenderer

from restflow_django._sync import aon_loop_or_thread
from restflow_django.asgi import own_thread

__all__ = ["astream_rows", "stream_response"]

ModelT = TypeVar("ModelT", bound=Model)
StreamFormat = Literal["json", "ndjson"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "ndjson": "application/x-ndjson"}
logger: logging.Logger = logging.getLogger("restflow")


async def astream_rows(
    queryset: QuerySet[ModelT],
    represent: Callable[[ModelT], Any],
    *,
    format: StreamFormat = "json",
    chunk_size: int = 500,
) -> AsyncIterator[bytes]:
    """Yield `queryset` encoded row by row: one JSON array, or one JSON document per line.

    Rows are fetched `chunk_size` at a time with the async ORM and represented on the
    event loop (in a thread only when a representation follows a lazy relation); a
    `represent` that returns an awaitable (a serializer's `adata`) is awaited. An unordered
    queryset is streamed in primary-key order.
    """
    renderer = JSONRenderer()
    first = True
    if format == "json":
        yield b"["
    try:
        async for row in _arows(queryset, chunk_size):
            data = await aon_loop_or_thread(functools.partial(represent, row))
            if inspect.isawaitable(data):
                data = await data
            encoded = renderer.render(data)
            if format == "ndjson":
                yield encoded + b"\n"
            else:
                yield encoded if first else b"," + encoded
            first = False
    except Exception:
        logger.exception(
            "A streamed %s of %s failed after its status was sent; the body is cut short",
            format,
            queryset.model.__name__,
        )
        raise
    if format == "json":
        yield b"]"


async def _arows(queryset: QuerySet[ModelT], chunk_size: int) -> AsyncIterator[ModelT]:
    """The rows of `queryset`: through a server-side cursor, and in client-side chunks from
    where it stopped if the cursor is lost."""
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    sent = 0
    try:
        # The cursor lives on its connection from one chunk to the next.
        async with own_thread():
            async for row in queryset.aiterator(chunk_size=chunk_size):
                yield row
                sent += 1
        return
    except DatabaseError as error:
        if not _cursor_lost(error):
            raise
    logger.warning(
        "The server-side cursor streaming %s was lost after %d rows (a pooler in transaction "
        "mode, such as PgBouncer?); going on in chunks of %d. Set "
        'DATABASES[...]["DISABLE_SERVER_SIDE_CURSORS"] = True for such a database.',
        queryset.model.__name__,
        sent,
        chunk_size,
    )
    while True:
        chunk = [row async for row in queryset[sent : sent + chunk_size]]
        for row in chunk:
            yield row
        sent += len(chunk)
        if len(chunk) < chunk_size:
            return


def _cursor_lost(error: DatabaseError) -> bool:
    """Whether `error` says the server-side cursor no longer exists (SQLSTATE 34000)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "34000" or (
        "cursor" in str(error) and "does not exist" in str(error)
    )


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
