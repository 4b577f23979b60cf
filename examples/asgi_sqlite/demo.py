"""Serve a sqlite3 table through the example ASGI adapter, and call it as a server would."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from examples.asgi_sqlite.adapter import App
from examples.sqlite_resources import Field, SqliteResource
from examples.sqlite_store import Database, Table
from restflow_core.permissions import AllowAny


class Books(SqliteResource):
    table = Table(Database(), "book", ("title", "pages"))
    fields = {"title": Field(str, max_length=100), "pages": Field(int, min_value=1)}  # noqa: RUF012
    permission_classes = (AllowAny,)
    search_fields = ("title",)
    atomic = True


app = App({"books": Books})


async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Send one request through the ASGI app, as a server would."""
    sent: list[Any] = []
    payload = b"" if body is None else json.dumps(body).encode()

    async def receive() -> Any:
        return {"type": "http.request", "body": payload}

    async def send(message: Any) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
    }
    await app(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"] or b"null")


async def main() -> None:
    assert await call("POST", "/books/", {"title": "Dune", "pages": 412}) == (
        201,
        {"id": 1, "title": "Dune", "pages": 412},
    )
    status, errors = await call("POST", "/books/", {"title": "", "pages": 0})
    assert (status, sorted(errors)) == (400, ["pages", "title"])
    await call("POST", "/books/", {"title": "Emma", "pages": 474})
    assert (await call("GET", "/books/?search=dun"))[1] == [
        {"id": 1, "title": "Dune", "pages": 412}
    ]
    assert (await call("GET", "/books/1/"))[1]["title"] == "Dune"
    assert (await call("DELETE", "/books/1/"))[0] == 204
    assert (await call("GET", "/books/1/"))[0] == 404


asyncio.run(main())
