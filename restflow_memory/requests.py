"""The request type memory resources receive."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from restflow_core.resources import is_authenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = ["SAFE_METHODS", "MemoryRequest", "is_authenticated"]


@dataclass(frozen=True, slots=True)
class MemoryRequest:
    """A request as a memory resource sees it: the request a memory resource reads."""

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
