"""Calling sync DRF code from async views: inline where it is known not to block, else a thread."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeGuard, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from rest_framework import authentication, filters, permissions

from restflow_django.diagnostics import LazyRelationError, strict_relations_enabled

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# DRF classes whose sync methods touch neither the database nor the network.
_INLINE_SAFE: frozenset[type] = frozenset(
    {
        permissions.BasePermission,
        permissions.AllowAny,
        permissions.IsAuthenticated,
        permissions.IsAdminUser,
        permissions.IsAuthenticatedOrReadOnly,
        filters.SearchFilter,
        filters.OrderingFilter,
        authentication.SessionAuthentication,
    }
)


def runs_inline(obj: object, method: str) -> bool:
    """Return whether `obj.method` may run on the event loop without blocking it.

    True for the DRF classes known to be pure and for classes that set
    `restflow_async_safe = True`, as long as `method` was not overridden below them.
    """
    if method in getattr(obj, "__dict__", ()):
        # Set on the object itself: only the class's own method is known to be pure.
        return False
    cls: Any = type(obj)
    return _class_runs_inline(cls, method, getattr(cls, method, None))


@functools.lru_cache(maxsize=1024)
def _class_runs_inline(cls: Any, method: str, implementation: object) -> bool:
    # `implementation` is part of the key: a method replaced on the class is judged again.
    if getattr(cls, "restflow_async_safe", False):
        return True
    return any(
        issubclass(cls, safe) and implementation is getattr(safe, method, None)
        for safe in _INLINE_SAFE
    )


def is_async_callable(func: Callable[..., Any]) -> TypeGuard[Callable[..., Awaitable[Any]]]:
    """`inspect.iscoroutinefunction`, remembered for each function."""
    target = getattr(func, "__func__", func)
    try:
        return _is_coroutine_function(target)
    except TypeError:  # unhashable
        return inspect.iscoroutinefunction(func)


@functools.lru_cache(maxsize=1024)
def _is_coroutine_function(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func)


async def acall(obj: object, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `obj.method(*args, **kwargs)`: awaited when async, inline when safe, else in a
    thread."""
    bound = getattr(obj, method)
    if is_async_callable(bound):
        return await bound(*args, **kwargs)
    if runs_inline(obj, method):
        result = bound(*args, **kwargs)
    else:
        result = await sync_to_async(bound)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def aon_loop_or_thread(
    func: Callable[[], R], *, describe: Callable[[], str] | None = None
) -> R:
    """Run `func` on the event loop; if it reaches for the sync ORM, run it again in a thread.

    For read-only work such as representing loaded rows: rows that are already fetched cost
    no thread hop, and a lazy relation still loads instead of failing. In strict relations
    mode the lazy load raises `LazyRelationError` with `describe()`'s explanation instead.
    """
    try:
        return func()
    except SynchronousOnlyOperation:
        # Leave the except block first: asgiref re-raises the exception being handled in
        # the thread, and its traceback would then tie `func` and all it read into a cycle.
        pass
    if strict_relations_enabled():
        raise LazyRelationError(
            describe() if describe is not None else "a lazy relation was loaded"
        )
    return await sync_to_async(func)()


async def aon_loop_else_thread(work: Callable[[], R], /) -> R:
    """Run a user's sync hook (`get_queryset`, `get_serializer_class`, ...) on the loop; if it
    reaches for the sync ORM, run it again in a thread, where DRF-style code may query.

    Django refuses the sync ORM on the loop before any query runs, so a hook that only builds
    (a queryset, a serializer) costs no thread hop, and one that queries still works.
    """
    try:
        return work()
    except SynchronousOnlyOperation:
        # Leave the except block first (see `aon_loop_or_thread`).
        pass
    return await sync_to_async(work)()


def offload(work: Callable[[], T], /) -> Awaitable[T]:
    """Run `work` on the request's thread: the Django adapter's `restflow_core.Offload`."""
    return sync_to_async(work)()
