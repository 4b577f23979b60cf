"""Awaiting many calls at once within a bound, and running coroutines that never wait."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

__all__ = ["abounded", "run_without_suspending"]

T = TypeVar("T")


async def abounded(calls: Sequence[Callable[[], Awaitable[T]]], *, limit: int) -> list[T]:
    """Await each of `calls`, at most `limit` at a time; their results, in the calls' order.

    The first failure cancels the calls still running and is raised as it is; so is a
    cancellation of the caller.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit!r}")
    results: list[Any] = [None] * len(calls)
    if len(calls) == 1:
        results[0] = await calls[0]()
        return results
    indexes = iter(range(len(calls)))

    async def work() -> None:
        for index in indexes:
            results[index] = await calls[index]()

    workers = [asyncio.ensure_future(work()) for _ in range(min(limit, len(calls)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return results


def run_without_suspending(work: Coroutine[Any, Any, T]) -> T:
    """The result of `work`, run here to its end: for async code written once and called
    from sync code, when nothing it awaits can suspend (sync hooks only).

    Raises `RuntimeError` if `work` does suspend: it awaited something truly async.
    """
    try:
        work.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    work.close()
    raise RuntimeError(f"{work.__qualname__} waited for something while run from sync code")
