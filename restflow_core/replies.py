"""A neutral description of a response, for adapters with no response type of their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from restflow_core.errors import RestflowError, ValidationFailed


@dataclass(frozen=True, slots=True)
class Reply:
    """Status, body and headers of an answer."""

    status: HTTPStatus
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def reply(status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /) -> Reply:
    """Build a `Reply`; satisfies `Respond[Reply]`."""
    return Reply(status, body, MappingProxyType(dict(headers or {})))


def error_reply(error: RestflowError) -> Reply:
    """Describe `error` the way DRF does: field errors as the body, else a `detail`; with
    the headers the error names (`Allow` on a 405, `WWW-Authenticate` on a 401,
    `Retry-After` on a 503)."""
    if isinstance(error, ValidationFailed):
        return reply(error.status, error.errors, error.headers())
    return reply(error.status, {"detail": error.detail}, error.headers())
