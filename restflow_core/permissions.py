"""Permission checks that accept sync and async answers and fail closed, and DRF's basic
permission classes for adapters with none of their own."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Iterable
from typing import Any

from typing_extensions import override

from restflow_core.protocols import Permission
from restflow_core.requests import SAFE_METHODS, is_authenticated


async def aresolve(decision: object) -> bool:
    """Await `decision` if needed and return it as a bool.

    An answer that is still awaitable after one await is a bug in the permission; it counts
    as a refusal rather than as the truthy object it is.
    """
    # A fast path for plain booleans: `bool()` below answers the same.
    if decision is True or decision is False:  # pragma: no mutate
        return decision
    if inspect.isawaitable(decision):
        decision = await decision
    return settled(decision)


def settled(decision: object) -> bool:
    """An answer awaited once already, as a bool: one still awaitable is a refusal."""
    if inspect.isawaitable(decision):
        if inspect.iscoroutine(decision):
            decision.close()
        return False
    return bool(decision)


async def afirst_refusal(
    permissions: Iterable[Permission], request: Any, view: Any
) -> Permission | None:
    """Return the first permission that refuses `request`, or `None` when all allow it."""
    for permission in permissions:
        if not await aresolve(permission.has_permission(request, view)):
            return permission
    return None


async def afirst_object_refusal(
    permissions: Iterable[Permission], request: Any, view: Any, obj: Any
) -> Permission | None:
    """Return the first permission that refuses `request` on `obj`, or `None`."""
    for permission in permissions:
        if not await aresolve(permission.has_object_permission(request, view, obj)):
            return permission
    return None


def first_object_refusal(
    permissions: Iterable[Permission], request: Any, view: Any, obj: Any
) -> Permission | None:
    """`afirst_object_refusal` for blocking steps, which cannot await.

    A permission whose answer is awaitable is refused loudly (`TypeError`), not counted as
    an answer: a resource with such a permission checks objects on the loop instead.
    """
    for permission in permissions:
        decision = permission.has_object_permission(request, view, obj)
        if inspect.isawaitable(decision):
            if inspect.iscoroutine(decision):
                decision.close()
            raise TypeError(
                f"{type(permission).__name__}.has_object_permission is async, and a blocking "
                "step cannot await it: list it in `permission_classes` so the resource checks "
                "objects on the loop"
            )
        if not decision:
            return permission
    return None


def has_async_object_check(permission_classes: Iterable[type[Any]]) -> bool:
    """Whether any of `permission_classes` answers for objects with `async def`."""
    return any(
        inspect.iscoroutinefunction(getattr(permission, "has_object_permission", None))
        for permission in permission_classes
    )


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
