"""Helpers for tests that call an ASGI application in process, as a server would."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.signals import connection_created


def http_scope(
    method: str,
    path: str,
    payload: bytes,
    headers: Any = (),
    content_type: bytes = b"application/json",
) -> dict[str, Any]:
    """The ASGI scope of an HTTP request from 127.0.0.1 with the body `payload`."""
    path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", content_type),
            (b"content-length", str(len(payload)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


@contextmanager
def connections_opened() -> Iterator[list[int]]:
    """The threads that open a database connection while the block runs, one entry each."""
    opened: list[int] = []

    def record(**kwargs: Any) -> None:
        opened.append(threading.get_ident())

    connection_created.connect(record)
    try:
        yield opened
    finally:
        connection_created.disconnect(record)


async def call(
    application: Any, method: str, path: str, body: Any = None, headers: Any = ()
) -> tuple[int, Any]:
    """Send one request to `application` as an ASGI server would; its status and JSON (or
    its bytes, when the answer is not JSON)."""
    payload = b"" if body is None else json.dumps(body).encode()
    status, answer_headers, content = await exchange(
        application, http_scope(method, path, payload, headers), payload
    )
    is_json = answer_headers.get(b"content-type") == [b"application/json"]
    return status, json.loads(content) if is_json else content


async def exchange(
    application: Any,
    scope: dict[str, Any],
    payload: bytes,
    hang_up: asyncio.Event | None = None,
) -> tuple[int, dict[bytes, list[bytes]], bytes]:
    """Send `scope` with `payload` to `application`; its status, headers and body.

    The client hangs up once `hang_up` is set (else once answered); an application that
    sent nothing by then gives status 0.
    """
    arrived = [{"type": "http.request", "body": payload, "more_body": False}]
    gone = asyncio.Event() if hang_up is None else hang_up
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if arrived:
            return arrived.pop()
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await application(scope, receive, send)
    gone.set()
    if not sent:
        return 0, {}, b""
    headers: dict[bytes, list[bytes]] = {}
    for name, value in sent[0]["headers"]:
        headers.setdefault(name.lower(), []).append(value)
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])
