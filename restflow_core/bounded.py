"""Awaiting many calls at once, never more than a bound: for rows whose representation waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

__all__ = ["abounded"]

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
