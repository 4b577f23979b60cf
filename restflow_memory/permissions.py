"""Permission classes for memory resources; sync or async answers are both accepted."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from typing_extensions import override

from restflow_memory.requests import SAFE_METHODS, is_authenticated


class BasePermission:
    """Allows everything; override `has_permission` or `has_object_permission`.

    Either may be a plain method or `async def`. Set `message` and `code` to change what a
    refused client is told.
    """

    message: str | None = None
    code: str | None = None

    def has_permission(self, request: Any, view: Any, /) -> bool | Awaitable[bool]:
        """Answer for the request as a whole."""
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool | Awaitable[bool]:
        """Answer for one object the request touches."""
        return True


class AllowAny(BasePermission):
    """Lets every request through."""


class IsAuthenticated(BasePermission):
    """Lets through requests that carry a user."""

    @override
    def has_permission(self, request: Any, view: Any, /) -> bool:
        """Allow only an authenticated `request.user`."""
        return is_authenticated(request.user)


class IsAuthenticatedOrReadOnly(BasePermission):
    """Lets anybody read and only authenticated users write."""

    @override
    def has_permission(self, request: Any, view: Any, /) -> bool:
        """Allow safe methods, or an authenticated `request.user`."""
        return request.method in SAFE_METHODS or is_authenticated(request.user)
