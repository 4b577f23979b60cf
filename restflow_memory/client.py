"""A router and an async test client that call memory resources the way HTTP would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from restflow_core.errors import NotFound
from restflow_core.replies import Reply, error_reply
from restflow_memory.requests import MemoryRequest
from restflow_memory.resources import ACTIONS, Resource


@dataclass(frozen=True, slots=True)
class Route:
    """Which resource and action a path and method reach."""

    resource: type[Resource[Any]]
    action: str
    key: str | None


class MemoryRouter:
    """Maps `/<prefix>/` to list and create, and `/<prefix>/<key>/` to the detail actions."""

    def __init__(self) -> None:
        self._resources: dict[str, type[Resource[Any]]] = {}

    def register(self, prefix: str, resource: type[Resource[Any]]) -> None:
        """Serve `resource` under `/<prefix>/`."""
        self._resources[prefix.strip("/")] = resource

    def resolve(self, method: str, path: str) -> Route:
        """Return the route for `method` on `path`; raise `NotFound` for an unknown path."""
        parts = [part for part in path.split("/") if part]
        if not parts or len(parts) > 2 or parts[0] not in self._resources:
            raise NotFound()
        key = parts[1] if len(parts) == 2 else None
        action = ACTIONS.get((method, key is not None), method.lower())
        return Route(self._resources[parts[0]], action, key)


class MemoryClient:
    """Sends requests to a `MemoryRouter`'s resources and returns their `Reply`."""

    def __init__(self, router: MemoryRouter) -> None:
        self.router = router
        self.user: Any = None

    def force_authenticate(self, user: Any = None) -> None:
        """Send every later request as `user`; `None` sends them anonymously."""
        self.user = user

    async def request(
        self, method: str, path: str, data: Any = None, *, headers: Mapping[str, str] | None = None
    ) -> Reply:
        """Send `data` as the body of `method` on `path` (with its query string), with
        `headers`."""
        return await self._send(method, path, headers, data=data)

    async def _send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        *,
        data: Any = None,
        body: bytes | None = None,
    ) -> Reply:
        url = urlsplit(path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        shown = {name.lower(): value for name, value in (headers or {}).items()}
        request = MemoryRequest(method.upper(), url.path, data, query, self.user, shown, body=body)
        try:
            route = self.router.resolve(request.method, url.path)
        except NotFound as error:
            return error_reply(error)
        resource = route.resource(request, action=route.action, key=route.key)
        return await resource.adispatch()

    async def send(
        self, method: str, path: str, body: bytes = b"", *, headers: Mapping[str, str] | None = None
    ) -> Reply:
        """Send a raw `body`, parsed by its `content-type` header as an HTTP adapter parses
        it (JSON, or an empty body; else a 415, and a 400 for JSON that does not parse)
        when the resource first reads it."""
        return await self._send(method, path, headers, body=body)

    async def get(self, path: str) -> Reply:
        """Send a GET."""
        return await self.request("GET", path)

    async def post(self, path: str, data: Any = None) -> Reply:
        """Send a POST with `data` as its body."""
        return await self.request("POST", path, data)

    async def put(self, path: str, data: Any = None) -> Reply:
        """Send a PUT with `data` as its body."""
        return await self.request("PUT", path, data)

    async def patch(self, path: str, data: Any = None) -> Reply:
        """Send a PATCH with `data` as its body."""
        return await self.request("PATCH", path, data)

    async def delete(self, path: str) -> Reply:
        """Send a DELETE."""
        return await self.request("DELETE", path)
