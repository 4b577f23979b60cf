"""A plain request: what resources read, for adapters with no request type of their own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from restflow_core.errors import ParseError

# Methods that only read, as in DRF.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class PlainRequest:
    """A request as a resource reads it: method, path, parsed body, query and user."""

    method: str = "GET"
    path: str = "/"
    data: Any = None
    query_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    user: Any = None

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
