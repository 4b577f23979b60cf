"""Transaction boundaries in the pipelines, proven with the memory unit of work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from typing_extensions import override

from restflow_core import aon_commit, atomically, reply, run_create, run_destroy, run_update
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


class RecordingUnit:
    """A unit that records what `atomically` asks of it, and can be made to wait or fail."""

    def __init__(self, *, begin_waits: bool = False, commit_waits: bool = False) -> None:
        self.calls: list[str] = []
        self.begin_gate = asyncio.Event() if begin_waits else None
        self.commit_gate = asyncio.Event() if commit_waits else None
        self.fail_begin = False
        self.fail_commit = False

    async def abegin(self) -> None:
        self.calls.append("begin")
        if self.begin_gate is not None:
            await self.begin_gate.wait()
        if self.fail_begin:
            raise Boom("begin")

    async def acommit(self) -> None:
        if self.commit_gate is not None:
            await self.commit_gate.wait()
        if self.fail_commit:
            raise Boom("commit")
        self.calls.append("commit")

    async def arollback(self) -> None:
        self.calls.append("rollback")


async def cancel_when_waiting(task: asyncio.Task[None], gate: asyncio.Event) -> None:
    """Cancel `task` while it waits on something, then open `gate` and let it finish."""
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.sleep(0.01)
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task


class TestTheUnitContract:
    async def test_a_failed_begin_is_rolled_back(self) -> None:
        """A unit whose `abegin` raises gets `arollback`, and the block never runs."""
        unit, ran = RecordingUnit(), []
        unit.fail_begin = True

        with pytest.raises(Boom, match="begin"):
            async with atomically(unit):
                ran.append("block")

        assert (unit.calls, ran) == (["begin", "rollback"], [])

    async def test_a_cancelled_begin_is_rolled_back(self) -> None:
        """A client hanging up while the unit opens still gets the unit rolled back."""
        unit = RecordingUnit(begin_waits=True)

        async def request() -> None:
            async with atomically(unit):
                unit.calls.append("block")

        task = asyncio.ensure_future(request())
        assert unit.begin_gate is not None
        await cancel_when_waiting(task, unit.begin_gate)

        assert unit.calls == ["begin", "rollback"]

    async def test_a_cancelled_commit_still_finishes(self) -> None:
        """Cancelled while committing, the commit runs to its end and nothing is undone."""
        unit = RecordingUnit(commit_waits=True)

        async def request() -> None:
            async with atomically(unit):
                unit.calls.append("block")

        task = asyncio.ensure_future(request())
        assert unit.commit_gate is not None
        await cancel_when_waiting(task, unit.commit_gate)

        assert unit.calls == ["begin", "block", "commit"]

    async def test_a_failed_commit_is_rolled_back(self) -> None:
        """A commit that raises is followed by `arollback`; the error reaches the caller."""
        unit = RecordingUnit()
        unit.fail_commit = True

        with pytest.raises(Boom, match="commit"):
            async with atomically(unit):
                unit.calls.append("block")

        assert unit.calls == ["begin", "block", "rollback"]

    async def test_a_cancelled_rollback_still_finishes(self) -> None:
        """A second cancellation during the rollback cannot cut it short."""
        gate, calls = asyncio.Event(), list[str]()

        class SlowRollback(RecordingUnit):
            @override
            async def arollback(self) -> None:
                await gate.wait()
                calls.append("rolled back")

        async def request() -> None:
            async with atomically(SlowRollback()):
                raise Boom

        task = asyncio.ensure_future(request())
        await asyncio.sleep(0.01)
        task.cancel()
        gate.set()
        with pytest.raises((Boom, asyncio.CancelledError)):
            await task

        assert calls == ["rolled back"]

    async def test_the_block_finds_its_unit_without_context_variables_of_its_own(self) -> None:
        """`current_unit()` is the innermost unit while its block runs, and none after."""
        from restflow_core.units import current_unit, held_units

        outer, inner = RecordingUnit(), RecordingUnit()
        seen = []

        async with atomically(outer):
            seen.append(current_unit())
            async with atomically(inner):
                seen.append(current_unit())
                assert held_units() == (outer, inner)
            seen.append(current_unit())

        assert seen == [outer, inner, outer]
        assert current_unit() is None


class TestNestedMemoryUnits:
    async def test_an_inner_rollback_undoes_only_its_own_writes(
        self, orders: MemoryStore[Order]
    ) -> None:
        """A failing inner block is a savepoint: the outer block's writes stay."""

        async def inner_fails() -> None:
            async with atomically(MemoryUnitOfWork()):
                await orders.asave(Order("undone"))
                raise Boom

        async with atomically(MemoryUnitOfWork()):
            await orders.asave(Order("kept"))
            with pytest.raises(Boom):
                await inner_fails()
            await orders.asave(Order("after"))

        assert [order.item for order in orders.all()] == ["kept", "after"]

    async def test_an_outer_rollback_undoes_what_an_inner_unit_committed(
        self, orders: MemoryStore[Order]
    ) -> None:
        """An inner commit hands its writes to the outer unit, whose rollback undoes them."""

        async def outer_fails() -> None:
            async with atomically(MemoryUnitOfWork()):
                async with atomically(MemoryUnitOfWork()):
                    await orders.asave(Order("inner"))
                await orders.asave(Order("outer"))
                raise Boom

        with pytest.raises(Boom):
            await outer_fails()

        assert await orders.acount() == 0


class TestAfterCommit:
    """`aon_commit`: callbacks run once the outermost unit commits, never after a rollback."""

    async def test_a_commit_runs_the_callbacks_after_the_writes_are_kept(
        self, orders: MemoryStore[Order]
    ) -> None:
        seen: list[list[str]] = []

        async def notify() -> None:
            seen.append([order.item async for order in orders.all()])

        async with atomically(MemoryUnitOfWork()):
            await orders.asave(Order("saw"))
            await aon_commit(notify)
            assert seen == []

        assert seen == [["saw"]]

    async def test_a_rollback_drops_them(self, orders: MemoryStore[Order]) -> None:
        ran: list[str] = []

        async def notify() -> None:
            ran.append("notified")

        async def refused() -> None:
            async with atomically(MemoryUnitOfWork()):
                await aon_commit(notify)
                raise Boom

        with pytest.raises(Boom):
            await refused()

        assert ran == []

    async def test_an_inner_commit_waits_for_the_outer_one(
        self, orders: MemoryStore[Order]
    ) -> None:
        ran: list[str] = []

        async def notify() -> None:
            ran.append("notified")

        async def outer_refused() -> None:
            async with atomically(MemoryUnitOfWork()):
                async with atomically(MemoryUnitOfWork()):
                    await aon_commit(notify)
                assert ran == []
                raise Boom

        with pytest.raises(Boom):
            await outer_refused()
        async with atomically(MemoryUnitOfWork()), atomically(MemoryUnitOfWork()):
            await aon_commit(notify)

        assert ran == ["notified"]

    async def test_an_inner_rollback_drops_only_its_own(self, orders: MemoryStore[Order]) -> None:
        ran: list[str] = []

        async def note(what: str) -> None:
            ran.append(what)

        async def inner_refused() -> None:
            async with atomically(MemoryUnitOfWork()):
                await aon_commit(lambda: note("inner"))
                raise Boom

        async with atomically(MemoryUnitOfWork()):
            await aon_commit(lambda: note("outer"))
            with pytest.raises(Boom):
                await inner_refused()

        assert ran == ["outer"]

    async def test_a_failing_callback_is_logged_and_the_others_run(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        ran: list[str] = []

        async def failing() -> None:
            raise LookupError("the mail server is gone")

        async with atomically(MemoryUnitOfWork()):
            await aon_commit(failing)
            await aon_commit(lambda: ran.append("sync callback"))

        assert ran == ["sync callback"]
        assert "An after-commit callback failed" in caplog.text
        assert "the mail server is gone" in caplog.text

    async def test_outside_a_unit_it_runs_now(self) -> None:
        ran: list[str] = []

        await aon_commit(lambda: ran.append("now"))

        assert ran == ["now"]

    async def test_a_cancellation_during_the_commit_still_runs_them(
        self, orders: MemoryStore[Order]
    ) -> None:
        ran: list[str] = []
        committing = asyncio.Event()

        class SlowCommit(MemoryUnitOfWork):
            @override
            async def acommit(self) -> None:
                committing.set()
                await asyncio.sleep(0.01)
                await super().acommit()

        async def action() -> None:
            async with atomically(SlowCommit()):
                await orders.asave(Order("saw"))
                await aon_commit(lambda: ran.append("notified"))

        task = asyncio.ensure_future(action())
        await committing.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert ran == ["notified"]
        assert [order.item async for order in orders.all()] == ["saw"]
