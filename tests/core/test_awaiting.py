"""`abounded` and `run_without_suspending`: the core's helpers for awaiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from restflow_core import abounded, run_without_suspending


class TestAbounded:
    async def test_results_keep_the_calls_order_and_the_bound_holds(self) -> None:
        running = [0, 0]

        def call(number: int) -> Callable[[], Awaitable[int]]:
            async def work() -> int:
                running[0] += 1
                running[1] = max(running)
                await asyncio.sleep(0.001 * (number % 3))
                running[0] -= 1
                return number

            return work

        results = await abounded([call(number) for number in range(20)], limit=4)

        assert results == list(range(20))
        assert running[1] == 4

    async def test_the_first_failure_cancels_the_others_and_is_raised(self) -> None:
        finished: list[int] = []

        async def slow() -> int:
            await asyncio.sleep(1)
            finished.append(1)
            return 1

        async def failing() -> int:
            raise LookupError("missing row")

        with pytest.raises(LookupError, match="missing row"):
            await abounded([slow, failing, slow], limit=3)
        await asyncio.sleep(0)

        assert finished == []

    async def test_one_call_and_no_call(self) -> None:
        async def one() -> str:
            return "one"

        assert await abounded([one], limit=5) == ["one"]
        assert await abounded([], limit=5) == []

    @pytest.mark.parametrize("limit", [0, -3])
    async def test_a_bound_below_one_is_refused(self, limit: int) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            await abounded([], limit=limit)


class TestRunWithoutSuspending:
    def test_returns_what_a_coroutine_that_never_waits_returns(self) -> None:
        async def add(left: int, right: int) -> int:
            return left + right

        assert run_without_suspending(add(2, 3)) == 5

    def test_raises_what_it_raises(self) -> None:
        async def refuse() -> None:
            raise PermissionError("no")

        with pytest.raises(PermissionError, match="no"):
            run_without_suspending(refuse())

    def test_a_coroutine_that_waits_is_refused_and_closed(self) -> None:
        async def wait() -> None:
            await asyncio.sleep(0)

        with pytest.raises(RuntimeError, match="waited for something"):
            run_without_suspending(wait())
