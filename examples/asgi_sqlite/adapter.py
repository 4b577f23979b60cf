"""A bare ASGI adapter over sqlite3, written against `restflow_core`'s public kit alone.

The store's half of the binding is `examples/sqlite_resources.py` (resources over sqlite3
tables, their hooks run in one worker thread per action, so a slow query never holds up
the event loop); this is the framework's, with no framework: `App` routes `/<prefix>/` and
`/<prefix>/<id>/`, hands each request to the kit as a `PlainRequest` (the kit parses JSON
bodies, 415 for any other type), holds a database connection for each request, and
answers each `Reply` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from examples.sqlite_resources import SqliteResource
from restflow_core import ACTIONS, NotFound, PlainRequest, Reply, error_reply

Message = MutableMapping[str, Any]


class App:
    """The ASGI application serving `routes`: a resource class under each path prefix."""

    def __init__(self, routes: Mapping[str, type[SqliteResource]]) -> None:
        self.routes = routes

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        """Answer one HTTP request."""
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reply = await self.answer(scope, body)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        headers = [(b"content-type", b"application/json")] if payload else []
        headers += [
            (name.lower().encode(), value.encode()) for name, value in reply.headers.items()
        ]
        await send({"type": "http.response.start", "status": int(reply.status), "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def answer(self, scope: Message, body: bytes) -> Reply:
        """The reply to the request `scope` describes, with `body`."""
        parts = [part for part in scope["path"].split("/") if part]
        resource = self.routes.get(parts[0]) if 0 < len(parts) <= 2 else None
        if resource is None:
            return error_reply(NotFound())
        headers = {
            name.decode().lower(): value.decode() for name, value in scope.get("headers", ())
        }
        method, key = scope["method"], parts[1] if len(parts) == 2 else None
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        request = PlainRequest(method, scope["path"], None, query, None, headers, body=body)
        action = ACTIONS.get((method, key is not None), method.lower())
        with resource.table.database.connected():
            return await resource(request, action=action, key=key).adispatch()
