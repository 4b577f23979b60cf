"""A plain request: what resources read, for adapters with no request type of their own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from typing_extensions import override

from restflow_core.errors import ParseError, UnsupportedMediaType

# Methods that only read, as in DRF.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_UNPARSED: Any = object()


class PlainRequest:
    """A request as a resource reads it: method, path, payload, query, user and headers.

    Give the payload as `data`, or the raw `body` with its `content-type` among `headers`:
    the body is then parsed (`parse_body`) when `data` is first read, which an action
    does after authentication and permissions, so a 405, 401 or 403 comes before a 415 or
    a parse error, as in DRF. Header names are in lower case, as ASGI and HTTP/2 send them.
    `user` is set by the resource's authenticators.
    """

    __slots__ = ("_body", "_data", "headers", "method", "path", "query_params", "user")

    method: str
    path: str
    query_params: Mapping[str, str]
    user: Any
    headers: Mapping[str, str]

    def __init__(
        self,
        method: str = "GET",
        path: str = "/",
        data: Any = None,
        query_params: Mapping[str, str] | None = None,
        user: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        body: bytes | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query_params = MappingProxyType(dict(query_params or {}))
        self.user = user
        self.headers = MappingProxyType(dict(headers or {}))
        self._body = body
        self._data = data if body is None else _UNPARSED

    @property
    def data(self) -> Any:
        """The payload: as given, or the body parsed at first read."""
        if self._data is _UNPARSED:
            self._data = parse_body(self._body or b"", self.headers.get("content-type"))
        return self._data

    @override
    def __repr__(self) -> str:
        return f"PlainRequest({self.method!r}, {self.path!r})"

    def url_with(self, **params: str | int | None) -> str:
        """Return this request's path with query `params` replaced (`None` removes one)."""
        query = {**self.query_params, **{k: str(v) for k, v in params.items() if v is not None}}
        for name, value in params.items():
            if value is None:
                query.pop(name, None)
        return f"{self.path}?{urlencode(query)}" if query else self.path


def is_authenticated(user: Any) -> bool:
    """Return whether `user` stands for somebody: not `None`, not flagged anonymous."""
    return user is not None and bool(getattr(user, "is_authenticated", True))


def parse_json(body: bytes) -> Any:
    """The JSON document in `body`, or `None` for an empty body.

    Raises `ParseError` with DRF's message ("JSON parse error - ...") for a body that is not
    JSON, or that is nested too deeply to parse.
    """
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as error:
        raise ParseError(f"JSON parse error - {error}") from None
    except RecursionError:
        raise ParseError("JSON parse error - the body is nested too deeply.") from None


def parse_body(body: bytes, content_type: str | None) -> Any:
    """The payload of a request body, parsed as DRF's default parser does.

    An empty body is an empty payload (`{}`), whatever its type. A JSON body
    (`application/json`, parameters such as `charset` allowed) is parsed by `parse_json`.
    Any other body raises `UnsupportedMediaType` (415) naming its type.
    """
    if not body:
        return {}
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType(content_type or "")
    return parse_json(body)
