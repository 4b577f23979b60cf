"""Transaction boundaries: the unit-of-work Protocol, its contract, and `atomically`.

The contract `atomically` keeps with a unit, and asks of it:

- `abegin` runs in the caller's task and context. If it raises, or the caller is cancelled
  while it runs, `arollback` is called: a unit must accept `arollback` after a `abegin`
  that did not finish (and then undo whatever it did open).
- The block finishing calls `acommit`; the block raising, or being cancelled, calls
  `arollback`. If `acommit` raises, `arollback` is called too: a unit must accept it after
  a failed commit (and undo what the commit left, if anything).
- `acommit` and `arollback` run to their end even when the caller is cancelled meanwhile
  (a client hanging up): each runs in a task of its own, in a copy of the caller's
  context. A unit therefore keeps its state on itself, not in context variables it sets or
  resets there. The cancellation reaches the caller once they are done.
- Nesting: while a block runs, `held_units()` ends with its unit, and `current_unit()` is
  that unit; an inner `atomically` holds its own unit inside the outer one. What nesting
  means to the data is the unit's to say: Django's units are savepoints, and the memory
  adapter's inner unit hands its writes to the outer one when it commits.
- An error that left a block whose unit rolled back says so: `rolled_back(error)`.
- After the commit: `await aon_commit(callback)` inside a block keeps `callback` until the
  outermost block commits, then awaits it on the loop (to its end, as a commit runs); a
  rollback of its block, or of any block around it, drops it. A callback that fails is
  logged (logger `restflow`) and changes nothing else. Outside any block the callback runs
  at once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

T = TypeVar("T")

AfterCommit = Callable[[], Awaitable[object] | object]
"""A callback `aon_commit` keeps: a coroutine function (or a plain one, run on the loop)."""

logger: logging.Logger = logging.getLogger("restflow")


class UnitOfWork(Protocol):
    """One all-or-nothing batch of writes: everything between `abegin` and `acommit`."""

    async def abegin(self) -> None:
        """Start the batch; later writes belong to it."""
        ...

    async def acommit(self) -> None:
        """Make the batch's writes permanent."""
        ...

    async def arollback(self) -> None:
        """Undo every write made since `abegin`."""
        ...


_HELD: ContextVar[tuple[UnitOfWork, ...]] = ContextVar("restflow_held_units", default=())
# The callbacks each held block keeps for after the commit, outermost first.
_AFTER: ContextVar[tuple[list[AfterCommit], ...]] = ContextVar("restflow_after_commit", default=())


def held_units() -> tuple[UnitOfWork, ...]:
    """The units this task's `atomically` blocks hold, outermost first."""
    return _HELD.get()


def current_unit() -> UnitOfWork | None:
    """The unit of the innermost `atomically` block this task runs in, if any."""
    held = _HELD.get()
    return held[-1] if held else None


@asynccontextmanager
async def atomically(unit: UnitOfWork | None) -> AsyncIterator[None]:
    """Run the block inside `unit`: committed if it finishes, rolled back if it raises.

    Cancellation (a client that disconnects, a timeout) rolls back too, and cannot cut a
    commit or a rollback short. With `unit=None` the block runs as it is.
    """
    if unit is None:
        yield
        return
    after: list[AfterCommit] = []
    enclosing = _AFTER.get()
    token = _HELD.set((*_HELD.get(), unit))
    after_token = _AFTER.set((*enclosing, after))
    try:
        try:
            await unit.abegin()
            yield
        except BaseException as error:
            await to_the_end(unit.arollback())
            _mark_rolled_back(error)
            raise
        try:
            await to_the_end(unit.acommit())
        except asyncio.CancelledError:
            # The commit finished; only the caller was cancelled meanwhile.
            await _ahand_on(enclosing, after)
            raise
        except BaseException as error:
            await to_the_end(unit.arollback())
            _mark_rolled_back(error)
            raise
    finally:
        _AFTER.reset(after_token)
        _HELD.reset(token)
    await _ahand_on(enclosing, after)


_ROLLED_BACK = "__restflow_rolled_back__"


def _mark_rolled_back(error: BaseException) -> None:
    setattr(error, _ROLLED_BACK, True)


def rolled_back(error: BaseException) -> bool:
    """Whether `error` left an `atomically` block whose unit then rolled back: whatever the
    block wrote is undone, so retrying the work cannot write it twice."""
    return bool(getattr(error, _ROLLED_BACK, False))


async def _ahand_on(enclosing: tuple[list[AfterCommit], ...], after: list[AfterCommit]) -> None:
    """After a commit: the callbacks wait for the block around, or run when there is none."""
    if enclosing:
        enclosing[-1].extend(after)
    else:
        await to_the_end(_arun_after_commit(after))


async def aon_commit(callback: AfterCommit) -> None:
    """Run `callback` once the outermost unit of work around this code commits.

    Dropped if that unit, or any unit inside it around this call, rolls back. Outside any
    unit it runs now. A failure of the callback is logged and goes no further.
    """
    held = _AFTER.get()
    if held:
        held[-1].append(callback)
    else:
        await _arun_after_commit([callback])


async def _arun_after_commit(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        try:
            result = callback()
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("An after-commit callback failed: %r", callback)


async def to_the_end(work: Awaitable[T]) -> T:
    """Await `work` to its end, even if this task is cancelled meanwhile.

    The work runs in a task of its own; a cancellation of the caller is delivered once the
    work is done (its result is then lost, its error kept).
    """
    task = asyncio.ensure_future(work)
    cancelled = False  # pragma: no mutate  (`None` is as false)
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():
                raise
            cancelled = True
            continue
        if cancelled:
            raise asyncio.CancelledError
        return result
