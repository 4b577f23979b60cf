"""Transaction boundaries: the unit-of-work Protocol and the context manager pipelines use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


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


@asynccontextmanager
async def atomically(unit: UnitOfWork | None) -> AsyncIterator[None]:
    """Run the block inside `unit`: committed if it finishes, rolled back if it raises.

    Cancellation (a client that disconnects, a timeout) rolls back too; the rollback is
    shielded so a second cancellation cannot interrupt it. With `unit=None` the block runs
    as it is.
    """
    if unit is None:
        yield
        return
    await unit.abegin()
    try:
        yield
    except BaseException:
        await asyncio.shield(unit.arollback())
        raise
    await unit.acommit()
