"""Async permissions: typed base classes, DRF's permissions with an async surface, and the
evaluation of sync, async and combined ones.

A permission may answer in three ways, all awaited where they need to be: DRF's sync
`has_permission`/`has_object_permission`; the same written `async def`
(`AsyncBasePermission`); or `async def ahas_permission`/`ahas_object_permission` beside
sync ones (`BasePermission` here, as drf-restflow writes them). Every answer fails
closed: an un-awaited coroutine is never taken for "yes".
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import async_to_sync
from rest_framework import permissions as drf
from rest_framework.request import Request
from typing_extensions import override

from restflow_core.awaiting import run_without_suspending
from restflow_core.permissions import aresolve, settled
from restflow_django._hooks import aask, acall, hook_form, passes_through

__all__ = [  # noqa: RUF022  (plain sorted order, as every module's)
    "AND",
    "AllowAny",
    "AsyncBasePermission",
    "BasePermission",
    "DjangoModelPermissions",
    "DjangoModelPermissionsOrAnonReadOnly",
    "DjangoObjectPermissions",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "NOT",
    "OR",
    "OperandHolder",
    "PermissionMetaclass",
    "SingleOperandHolder",
]

# DRF's permission combinations (`&`, `|`, `~`), walked operand by operand; restflow's
# own (below) are among them.
_COMBINED = (drf.AND, drf.OR, drf.NOT)


async def ahas_permission(permission: Any, request: Any, view: Any) -> bool:
    """Return `permission`'s answer for `request`, awaiting whatever needs awaiting.

    DRF's `AND`/`OR`/`NOT` would take an un-awaited coroutine for a truthy answer; their
    operands are evaluated here one by one instead, so the result always fails closed.
    """
    if not isinstance(permission, _COMBINED):
        return await _aask(permission, "has_permission", request, view)
    return await _adecide(permission, "has_permission", _aasker(request, view))


async def ahas_object_permission(permission: Any, request: Any, view: Any, obj: Any) -> bool:
    """Return `permission`'s answer for `obj`, with DRF's semantics for `&`, `|` and `~`."""
    if not isinstance(permission, _COMBINED):
        return await _aask(permission, "has_object_permission", request, view, obj)
    return await _adecide(permission, "has_object_permission", _aasker(request, view, obj))


async def _aask(leaf: Any, method: str, *arguments: Any) -> bool:
    """One permission's answer: its `a<method>` when it has one of its own, else `<method>`
    (awaited, inline, or in a thread)."""
    answer = await aask(leaf, method, *arguments)
    return answer if answer is True or answer is False else settled(answer)


def _aasker(request: Any, view: Any, *obj: Any) -> Callable[[Any, str], Awaitable[bool]]:
    """Ask a leaf permission on the loop: awaited, inline, or in a thread (`acall`)."""

    async def ask(leaf: Any, method: str) -> bool:
        arguments = (request, view, *obj) if method == "has_object_permission" else (request, view)
        return await _aask(leaf, method, *arguments)

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
        return _ask_in_thread(permission, method, request, view, *obj)

    async def ask(leaf: Any, asked: str) -> bool:
        arguments = (request, view, *obj) if asked == "has_object_permission" else (request, view)
        return _ask_in_thread(leaf, asked, *arguments)

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


def _ask_in_thread(leaf: Any, method: str, *arguments: Any) -> bool:
    """`_aask` from sync code: an `a<method>` the permission's class writes is awaited on the
    event loop; otherwise the sync check answers here, with no hop back to the loop (the
    default `a<method>` would only run it)."""
    if hook_form(leaf, method) == "async":
        return resolve_in_thread(getattr(leaf, f"a{method}")(*arguments))
    return resolve_in_thread(getattr(leaf, method)(*arguments))


def resolve_in_thread(decision: object) -> bool:
    """`aresolve` for sync code in a thread: an awaitable answer is awaited on the event loop."""
    if decision is True or decision is False:
        return decision
    if inspect.isawaitable(decision):
        return async_to_sync(aresolve)(decision)
    return bool(decision)


class _Awaitable:
    """`ahas_permission` and `ahas_object_permission` for a combination of permissions:
    each operand awaited as it needs, DRF's semantics, failing closed."""

    async def ahas_permission(self, request: Request, view: Any) -> bool:
        """The combination's answer for the request as a whole."""
        return await ahas_permission(self, request, view)

    async def ahas_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        """The combination's answer for one object."""
        return await ahas_object_permission(self, request, view, obj)


class AND(_Awaitable, drf.AND):
    """DRF's `AND` (`A & B`), awaitable: `await (A & B)().ahas_permission(request, view)`."""


class OR(_Awaitable, drf.OR):
    """DRF's `OR` (`A | B`), awaitable, with DRF's rule for objects (one operand grants
    both the request and the object)."""


class NOT(_Awaitable, drf.NOT):
    """DRF's `NOT` (`~A`), awaitable."""


class _Combining(drf.OperationHolderMixin):
    """`&`, `|` and `~` that build restflow's awaitable `AND`, `OR` and `NOT`."""

    @override
    def __and__(self, other: Any) -> OperandHolder:
        return _pair(AND, self, other)

    @override
    def __or__(self, other: Any) -> OperandHolder:
        return _pair(OR, self, other)

    @override
    def __rand__(self, other: Any) -> OperandHolder:
        return _pair(AND, other, self)

    @override
    def __ror__(self, other: Any) -> OperandHolder:
        return _pair(OR, other, self)

    @override
    def __invert__(self) -> SingleOperandHolder:
        holder: Any = SingleOperandHolder  # DRF's stubs take an operator instance
        made: SingleOperandHolder = holder(NOT, self)
        return made


def _pair(operator: type[AND | OR], first: Any, second: Any) -> OperandHolder:
    holder: Any = OperandHolder  # DRF's stubs take an operator instance
    made: OperandHolder = holder(operator, first, second)
    return made


class OperandHolder(_Combining, drf.OperandHolder):
    """`A & B` or `A | B` before the view instantiates it: DRF's, building restflow's."""

    @override
    def __call__(self, *args: Any, **kwargs: Any) -> AND | OR:
        made: AND | OR = super().__call__(*args, **kwargs)  # type: ignore[assignment]  # stubs: a Protocol
        return made


class SingleOperandHolder(_Combining, drf.SingleOperandHolder):
    """`~A` before the view instantiates it: DRF's, building restflow's `NOT`."""

    @override
    def __call__(self, *args: Any, **kwargs: Any) -> NOT:
        made: NOT = super().__call__(*args, **kwargs)  # type: ignore[assignment]  # stubs: a Protocol
        return made


class PermissionMetaclass(_Combining, drf.BasePermissionMetaclass):  # type: ignore[misc]  # replaces `type.__or__` (unions), as DRF's does
    """The metaclass of restflow's permissions: `&`, `|` and `~` combine them awaitably."""


if TYPE_CHECKING:
    # DRF's stubs type permission checks as sync; seen as `Any`, the base lets subclasses
    # declare coroutines and still be accepted wherever DRF takes a permission class.
    _DRFPermission: Any = drf.BasePermission
else:
    _DRFPermission = drf.BasePermission


class AsyncBasePermission(
    _DRFPermission,  # type: ignore[misc]  # subclassing `Any`: see `_DRFPermission`
    metaclass=PermissionMetaclass,
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


class BasePermission(drf.BasePermission, metaclass=PermissionMetaclass):
    """DRF's `BasePermission` with an async surface: `ahas_permission` and
    `ahas_object_permission`.

    Override the sync checks, the async ones, or both (the sync ones then serve DRF's sync
    callers and sync views). restflow's views await `ahas_permission` when a permission has
    one; its default answers with `has_permission`, run where it cannot block the loop.
    """

    @passes_through
    async def ahas_permission(self, request: Request, view: Any) -> bool:
        """Answer for the request as a whole: `has_permission`, by default."""
        return await aresolve(await acall(self, "has_permission", request, view))

    @passes_through
    async def ahas_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        """Answer for one object: `has_object_permission`, by default."""
        return await aresolve(await acall(self, "has_object_permission", request, view, obj))


class AllowAny(BasePermission, drf.AllowAny):
    """DRF's `AllowAny`, with the async surface."""


class IsAuthenticated(BasePermission, drf.IsAuthenticated):
    """DRF's `IsAuthenticated`, with the async surface."""


class IsAdminUser(BasePermission, drf.IsAdminUser):
    """DRF's `IsAdminUser`, with the async surface."""


class IsAuthenticatedOrReadOnly(BasePermission, drf.IsAuthenticatedOrReadOnly):
    """DRF's `IsAuthenticatedOrReadOnly`, with the async surface."""


class DjangoModelPermissions(BasePermission, drf.DjangoModelPermissions):
    """DRF's `DjangoModelPermissions` (the user's model permissions may be queried, in a
    thread), with the async surface."""


class DjangoModelPermissionsOrAnonReadOnly(
    BasePermission, drf.DjangoModelPermissionsOrAnonReadOnly
):
    """DRF's `DjangoModelPermissionsOrAnonReadOnly`, with the async surface."""


class DjangoObjectPermissions(BasePermission, drf.DjangoObjectPermissions):
    """DRF's `DjangoObjectPermissions`, with the async surface."""
