"""Async permissions: a typed base class, and evaluation of sync, async and combined ones."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import async_to_sync
from rest_framework.permissions import AND, NOT, OR, BasePermission, BasePermissionMetaclass
from rest_framework.request import Request

from restflow_core.awaiting import run_without_suspending
from restflow_core.permissions import aresolve
from restflow_django._sync import acall

__all__ = ["AsyncBasePermission"]

# DRF's permission combinations (`&`, `|`, `~`), walked operand by operand.
_COMBINED = (AND, OR, NOT)


async def ahas_permission(permission: Any, request: Any, view: Any) -> bool:
    """Return `permission`'s answer for `request`, awaiting whatever needs awaiting.

    DRF's `AND`/`OR`/`NOT` would take an un-awaited coroutine for a truthy answer; their
    operands are evaluated here one by one instead, so the result always fails closed.
    """
    if not isinstance(permission, _COMBINED):
        return await aresolve(await acall(permission, "has_permission", request, view))
    return await _adecide(permission, "has_permission", _aasker(request, view))


async def ahas_object_permission(permission: Any, request: Any, view: Any, obj: Any) -> bool:
    """Return `permission`'s answer for `obj`, with DRF's semantics for `&`, `|` and `~`."""
    if not isinstance(permission, _COMBINED):
        answer = await acall(permission, "has_object_permission", request, view, obj)
        return await aresolve(answer)
    return await _adecide(permission, "has_object_permission", _aasker(request, view, obj))


def _aasker(request: Any, view: Any, *obj: Any) -> Callable[[Any, str], Awaitable[bool]]:
    """Ask a leaf permission on the loop: awaited, inline, or in a thread (`acall`)."""

    async def ask(leaf: Any, method: str) -> bool:
        arguments = (request, view, *obj) if method == "has_object_permission" else (request, view)
        return await aresolve(await acall(leaf, method, *arguments))

    return ask


def has_permission_in_thread(permission: Any, request: Any, view: Any) -> bool:
    """`ahas_permission`'s answer, from sync code running in a thread.

    Sync checks run right here; an async one is awaited on the event loop.
    """
    return _decide_in_thread(permission, "has_permission", request, view)


def has_object_permission_in_thread(permission: Any, request: Any, view: Any, obj: Any) -> bool:
    """`ahas_object_permission`'s answer, from sync code running in a thread."""
    return _decide_in_thread(permission, "has_object_permission", request, view, obj)


def _decide_in_thread(permission: Any, method: str, request: Any, view: Any, *obj: Any) -> bool:
    if not isinstance(permission, _COMBINED):
        return resolve_in_thread(getattr(permission, method)(request, view, *obj))

    async def ask(leaf: Any, asked: str) -> bool:
        arguments = (request, view, *obj) if asked == "has_object_permission" else (request, view)
        return resolve_in_thread(getattr(leaf, asked)(*arguments))

    # Every answer is resolved synchronously, so the walk never suspends: run it to its end.
    return run_without_suspending(_adecide(permission, method, ask))


async def _adecide(
    permission: Any, method: str, ask: Callable[[Any, str], Awaitable[bool]]
) -> bool:
    """Walk DRF's `AND`/`OR`/`NOT` tree of `permission`, asking each leaf with `ask`.

    `method` is `has_permission` or `has_object_permission`; as in DRF, an `OR` grants an
    object when one operand grants both the request and the object.
    """
    # The stubs do not declare the operands DRF keeps on `AND`, `OR` and `NOT`.
    operands = cast(Any, permission)
    if isinstance(permission, AND):
        return await _adecide(operands.op1, method, ask) and await _adecide(
            operands.op2, method, ask
        )
    if isinstance(permission, OR):
        for operand in (operands.op1, operands.op2):
            if method == "has_object_permission" and not await _adecide(
                operand, "has_permission", ask
            ):
                continue
            if await _adecide(operand, method, ask):
                return True
        return False
    if isinstance(permission, NOT):
        return not await _adecide(operands.op1, method, ask)
    return await ask(permission, method)


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
