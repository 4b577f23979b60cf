"""restflow on Starlette over sqlite3, written with `restflow_core`'s public kit alone.

The store's half of the binding is `examples/sqlite_resources.py` (resources over sqlite3
tables); this is the framework's: `app` serves resource classes under URL prefixes with
Starlette's routing, hands each request to the kit as a `PlainRequest`, and answers the
kit's `Reply` as Starlette's response.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from examples.sqlite_resources import SqliteResource
from restflow_core import ACTIONS, NotFound, PlainRequest, Reply, error_reply

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def app(resources: Mapping[str, type[SqliteResource]]) -> Starlette:
    """The Starlette application serving each resource class under `/<prefix>/`."""

    def endpoint(resource: type[SqliteResource]) -> Callable[[Request], Any]:
        async def answer(request: Request) -> Response:
            key = request.path_params.get("key")
            plain = PlainRequest(
                request.method,
                request.url.path,
                query_params=dict(request.query_params),
                headers=dict(request.headers),
                body=await request.body(),
            )
            action = ACTIONS.get((request.method, key is not None), request.method.lower())
            with resource.table.database.connected():
                return respond(await resource(plain, action=action, key=key).adispatch())

        return answer

    async def not_found(request: Request, error: Exception) -> Response:
        return respond(error_reply(NotFound()))

    routes = [
        Route(path, endpoint(resource), methods=METHODS)
        for prefix, resource in resources.items()
        for path in (f"/{prefix}/", f"/{prefix}/{{key}}/")
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})


def respond(reply: Reply) -> Response:
    """A `Reply` as Starlette's response: JSON, or no body at all."""
    if reply.body is None:
        return Response(status_code=reply.status, headers=dict(reply.headers))
    return JSONResponse(reply.body, reply.status, dict(reply.headers))
