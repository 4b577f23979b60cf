"""Where sync work runs for async views: on the loop while it does not query, else a thread."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation

from restflow_django.diagnostics import LazyRelationError, strict_relations_enabled

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


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
