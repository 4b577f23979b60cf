"""Permission checks that accept sync and async answers and fail closed."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from restflow_core.protocols import Permission


async def aresolve(decision: object) -> bool:
    """Await `decision` if needed and return it as a bool.

    An answer that is still awaitable after one await is a bug in the permission; it counts
    as a refusal rather than as the truthy object it is.
    """
    if decision is True or decision is False:
        return decision
    if inspect.isawaitable(decision):
        decision = await decision
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
