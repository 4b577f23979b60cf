"""Database transactions for async views: Django's `atomic` on the request's connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import AsyncToSync, SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.db import connections, transaction

from restflow_core.units import aon_commit, atomically

__all__ = ["DjangoUnitOfWork", "aon_commit", "atomic_on"]

# The databases whose transaction the current task opened with `atomic_on`.
_HELD: ContextVar[frozenset[str]] = ContextVar("restflow_held_transactions", default=frozenset())


def holds_transaction(using: str) -> bool:
    """Whether this task runs inside an `atomic_on` block for database `using`."""
    return using in _HELD.get()


@asynccontextmanager
async def atomic_on(aliases: Iterable[str]) -> AsyncIterator[None]:
    """Run the block in one transaction on each database in `aliases`, on the request's thread.

    Databases this task already holds a transaction on are left as they are, so nested
    blocks cost nothing. Committed if the block finishes, rolled back if it raises or is
    cancelled.
    """
    wanted = [alias for alias in dict.fromkeys(aliases) if not holds_transaction(alias)]
    if not wanted:
        yield
        return
    async with request_thread(), AsyncExitStack() as units:
        for alias in wanted:
            await units.enter_async_context(atomically(DjangoUnitOfWork(alias)))
        token = _HELD.set(_HELD.get() | frozenset(wanted))
        try:
            yield
        finally:
            _HELD.reset(token)


class _RolledBack(Exception):
    """Handed to `Atomic.__exit__` to make it roll back."""


class DjangoUnitOfWork:
    """`transaction.atomic(using)` opened and closed on the thread the ORM uses for this task.

    Every thread-sensitive `sync_to_async` call of the request, the async ORM's included,
    runs on that thread and so inside the transaction. Use it within `request_thread()`.
    Inside another transaction on the same database it is a savepoint. A rollback after an
    `abegin` that never opened the transaction, or after a commit (which Django rolls back
    itself when it fails), has nothing left to do.
    """

    def __init__(self, using: str) -> None:
        self.using = using
        self._atomic: Any = None
        self._open = False

    async def abegin(self) -> None:
        """Open the transaction (a savepoint if one is already open)."""
        self._atomic = transaction.atomic(using=self.using)
        await sync_to_async(self._enter)()

    async def acommit(self) -> None:
        """Commit (or release the savepoint)."""
        await sync_to_async(self._exit)(None, None)

    async def arollback(self) -> None:
        """Roll back everything since `abegin`."""
        await sync_to_async(self._exit)(_RolledBack, _RolledBack())

    def _enter(self) -> None:
        self._atomic.__enter__()
        self._open = True

    def _exit(self, kind: type[BaseException] | None, error: BaseException | None) -> None:
        if not self._open:
            return
        self._open = False
        self._atomic.__exit__(kind, error, None)


@asynccontextmanager
async def request_thread() -> AsyncIterator[None]:
    """Give this task a thread of its own for thread-sensitive work, if it has none.

    Django's ASGI handler already does this for each request, and under WSGI the request's
    own thread serves; elsewhere (an in-process test client) concurrent requests would
    otherwise share one thread and one connection, and so interleave their transactions.
    A thread created here has its connections closed on the way out.
    """
    if SyncToAsync.thread_sensitive_context.get(None) is not None or getattr(
        AsyncToSync.executors, "current", None
    ):
        yield
        return
    async with ThreadSensitiveContext():
        try:
            yield
        finally:
            # The thread ends with the context: close what it opened, or it would leak.
            await sync_to_async(connections.close_all)()
