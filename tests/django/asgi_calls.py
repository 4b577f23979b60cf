"""Helpers for tests that call an ASGI application in process, as a server would."""

from __future__ import annotations

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
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
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
