"""Transaction boundaries in the pipelines, proven with the memory unit of work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest

from restflow_core import atomically, reply, run_create, run_destroy, run_update
from restflow_memory import MemoryStore, MemoryUnitOfWork


@dataclass
class Order:
    """An order with its lines counted."""

    item: str
    lines: int = 0
    id: int | None = None


class Boom(Exception):
    """A hook failing after it wrote."""


@pytest.fixture
def orders() -> MemoryStore[Order]:
    """An empty order store."""
    return MemoryStore[Order]()


async def render(order: Order) -> Any:
    """Represent an order."""
    return {"id": order.id, "item": order.item}


async def write_then_fail(
    orders: MemoryStore[Order], unit: MemoryUnitOfWork | None, delete: Order | None = None
) -> None:
    """Inside `unit`, add an order (and delete `delete`), then fail."""
    async with atomically(unit):
        await orders.asave(Order("new"))
        if delete is not None:
            await orders.adelete(delete)
        raise Boom


class TestAtomically:
    async def test_a_raising_block_undoes_its_writes(self, orders: MemoryStore[Order]) -> None:
        """Writes inside the failed block are gone; the error propagates."""
        kept = await orders.asave(Order("kept"))

        with pytest.raises(Boom):
            await write_then_fail(orders, MemoryUnitOfWork(), delete=kept)

        assert [order.item for order in orders.all()] == ["kept"]

    async def test_a_finished_block_keeps_its_writes(self, orders: MemoryStore[Order]) -> None:
        """Writes of a committed block stay."""
        async with atomically(MemoryUnitOfWork()):
            await orders.asave(Order("new"))

        assert await orders.acount() == 1

    async def test_cancellation_rolls_back(self, orders: MemoryStore[Order]) -> None:
        """A task cancelled mid-block leaves nothing half-written."""
        started = asyncio.Event()

        async def slow_write() -> None:
            async with atomically(MemoryUnitOfWork()):
                await orders.asave(Order("half"))
                started.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(slow_write())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert await orders.acount() == 0

    async def test_concurrent_units_undo_only_their_own_writes(
        self, orders: MemoryStore[Order]
    ) -> None:
        """One task's rollback leaves another task's committed writes in place."""
        wrote = asyncio.Event()

        async def failing() -> None:
            async with atomically(MemoryUnitOfWork()):
                await orders.asave(Order("doomed"))
                wrote.set()
                await asyncio.sleep(0.01)
                raise Boom

        async def succeeding() -> None:
            await wrote.wait()
            async with atomically(MemoryUnitOfWork()):
                await orders.asave(Order("kept"))

        results = await asyncio.gather(failing(), succeeding(), return_exceptions=True)

        assert isinstance(results[0], Boom)
        assert [order.item for order in orders.all()] == ["kept"]

    async def test_no_unit_means_no_transaction(self, orders: MemoryStore[Order]) -> None:
        """With `None`, writes before the error stay."""
        with pytest.raises(Boom):
            await write_then_fail(orders, None)

        assert [order.item for order in orders.all()] == ["new"]


class TestPipelinesDriveTheUnit:
    async def test_create_whose_hook_fails_after_writing_leaves_nothing(
        self, orders: MemoryStore[Order]
    ) -> None:
        """The draft saved by `persist` is undone when a later step raises."""

        async def validate(data: Any) -> Order:
            return Order(data["item"])

        async def persist(order: Order) -> None:
            saved = await orders.asave(order)
            await orders.asave(Order("audit line", id=None))
            raise Boom(saved.id)

        with pytest.raises(Boom):
            await run_create(
                {"item": "pen"},
                validate=validate,
                persist=persist,
                render=render,
                respond=reply,
                unit=MemoryUnitOfWork(),
            )

        assert await orders.acount() == 0

    async def test_update_rolls_back_every_write(self, orders: MemoryStore[Order]) -> None:
        """An update whose render fails keeps the stored order as it was."""
        await orders.asave(Order("pen", lines=1))

        async def fetch() -> Order:
            return await orders.aget("1")

        async def validate(order: Order, data: Any, partial: bool) -> Order:
            return Order(order.item, lines=data["lines"], id=order.id)

        async def persist(order: Order) -> None:
            await orders.asave(order)

        async def broken_render(order: Order) -> Any:
            raise Boom

        with pytest.raises(Boom):
            await run_update(
                {"lines": 5},
                partial=True,
                fetch=fetch,
                validate=validate,
                persist=persist,
                render=broken_render,
                respond=reply,
                unit=MemoryUnitOfWork(),
            )

        assert (await orders.aget("1")).lines == 1

    async def test_destroy_commits_when_the_hook_succeeds(self, orders: MemoryStore[Order]) -> None:
        """A successful destroy inside a unit is kept."""
        await orders.asave(Order("pen"))

        async def fetch() -> Order:
            return await orders.aget("1")

        result = await run_destroy(
            fetch=fetch, destroy=orders.adelete, respond=reply, unit=MemoryUnitOfWork()
        )

        assert result.status == HTTPStatus.NO_CONTENT
        assert await orders.acount() == 0
