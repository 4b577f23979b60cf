"""Async permissions: a typed base class, and evaluation of sync, async and combined ones."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import async_to_sync
from rest_framework.permissions import AND, NOT, OR, BasePermission, BasePermissionMetaclass
from rest_framework.request import Request

from restflow_core.permissions import aresolve
from restflow_django._sync import acall

__all__ = [
    "AsyncBasePermission",
    "ahas_object_permission",
    "ahas_permission",
    "has_object_permission_in_thread",
    "has_permission_in_thread",
]


async def ahas_permission(permission: Any, request: Any, view: Any) -> bool:
    """Return `permission`'s answer for `request`, awaiting whatever needs awaiting.

    DRF's `AND`/`OR`/`NOT` would take an un-awaited coroutine for a truthy answer; their
    operands are evaluated here one by one instead, so the result always fails closed.
    """
    # The stubs do not declare the operands DRF keeps on `AND`, `OR` and `NOT`.
    operands = cast(Any, permission)
    if isinstance(permission, AND):
        return await ahas_permission(operands.op1, request, view) and await ahas_permission(
            operands.op2, request, view
        )
    if isinstance(permission, OR):
        return await ahas_permission(operands.op1, request, view) or await ahas_permission(
            operands.op2, request, view
        )
    if isinstance(permission, NOT):
        return not await ahas_permission(operands.op1, request, view)
    return await aresolve(await acall(permission, "has_permission", request, view))


async def ahas_object_permission(permission: Any, request: Any, view: Any, obj: Any) -> bool:
    """Return `permission`'s answer for `obj`, with DRF's semantics for `&`, `|` and `~`."""
    operands = cast(Any, permission)
    if isinstance(permission, AND):
        return await ahas_object_permission(
            operands.op1, request, view, obj
        ) and await ahas_object_permission(operands.op2, request, view, obj)
    if isinstance(permission, OR):
        for operand in (operands.op1, operands.op2):
            if await ahas_permission(operand, request, view) and await ahas_object_permission(
                operand, request, view, obj
            ):
                return True
        return False
    if isinstance(permission, NOT):
        return not await ahas_object_permission(operands.op1, request, view, obj)
    return await aresolve(await acall(permission, "has_object_permission", request, view, obj))


def has_permission_in_thread(permission: Any, request: Any, view: Any) -> bool:
    """`ahas_permission`'s answer, from sync code running in a thread.

    Sync checks run right here; an async one is awaited on the event loop.
    """
    operands = cast(Any, permission)
    if isinstance(permission, AND):
        return has_permission_in_thread(operands.op1, request, view) and has_permission_in_thread(
            operands.op2, request, view
        )
    if isinstance(permission, OR):
        return has_permission_in_thread(operands.op1, request, view) or has_permission_in_thread(
            operands.op2, request, view
        )
    if isinstance(permission, NOT):
        return not has_permission_in_thread(operands.op1, request, view)
    return resolve_in_thread(permission.has_permission(request, view))


def has_object_permission_in_thread(permission: Any, request: Any, view: Any, obj: Any) -> bool:
    """`ahas_object_permission`'s answer, from sync code running in a thread."""
    operands = cast(Any, permission)
    if isinstance(permission, AND):
        return has_object_permission_in_thread(
            operands.op1, request, view, obj
        ) and has_object_permission_in_thread(operands.op2, request, view, obj)
    if isinstance(permission, OR):
        return any(
            has_permission_in_thread(operand, request, view)
            and has_object_permission_in_thread(operand, request, view, obj)
            for operand in (operands.op1, operands.op2)
        )
    if isinstance(permission, NOT):
        return not has_object_permission_in_thread(operands.op1, request, view, obj)
    return resolve_in_thread(permission.has_object_permission(request, view, obj))


def resolve_in_thread(decision: object) -> bool:
    """`aresolve` for sync code in a thread: an awaitable answer is awaited on the event loop."""
    if decision is True or decision is False:
        return decision
    if inspect.isawaitable(decision):
        return async_to_sync(aresolve)(decision)
    return bool(decision)


if TYPE_CHECKING:
    # DRF's stubs type permission checks as sync; seen as `Any`, the base lets subclasses
    # declare coroutines and still be accepted wherever DRF takes a permission class.
    _DRFPermission: Any = BasePermission
else:
    _DRFPermission = BasePermission


class AsyncBasePermission(
    _DRFPermission,  # type: ignore[misc]  # subclassing `Any`: see `_DRFPermission`
    metaclass=BasePermissionMetaclass,
):
    """A DRF permission whose checks are `async def`; combine it with `&`, `|` and `~`.

    Override `has_permission` and `has_object_permission` as coroutines (both allow by
    default). restflow's views await them, and so do DRF's sync callers (the browsable
    API, `OPTIONS`) when they run against a restflow view.
    """

    async def has_permission(self, request: Request, view: Any) -> bool:
        """Answer for the request as a whole."""
        return True

    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        """Answer for one object the request touches."""
        return True
