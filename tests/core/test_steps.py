"""`run_steps`: values flow from step to step, and each blocking stretch is one offload."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from restflow_core import (
    Blocking,
    Joinable,
    Step,
    Steps,
    given,
    inline,
    keeping,
    or_input,
    placements,
    run_steps,
    then,
)

T = TypeVar("T")


class CountingOffload:
    """An `Offload` that runs work in a real thread and remembers each call."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, work: Callable[[], T], /) -> T:
        self.calls += 1
        with ThreadPoolExecutor(max_workers=1) as pool:
            return await asyncio.get_running_loop().run_in_executor(pool, work)


def one() -> int:
    """A blocking source of the number one."""
    return 1


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def times_ten(value: int) -> int:
    """Multiply by ten."""
    return value * 10


def row() -> str:
    """A fetched row."""
    return "row"


def where() -> str:
    """`loop` on the test's own thread, `thread` elsewhere."""
    return "loop" if threading.current_thread() is threading.main_thread() else "thread"


class TestRunSteps:
    async def test_each_value_feeds_the_next_step(self) -> None:
        """Given arguments reach the first step; each result is the next step's input."""

        async def double(value: int) -> int:
            return value * 2

        result = await run_steps(CountingOffload(), given(Blocking(add), 2, 3), then(double))

        assert result == 10

    async def test_consecutive_blocking_steps_are_one_offload(self) -> None:
        """Three blocking steps in a row make one call of `offload`, in order."""
        offload, seen = CountingOffload(), list[tuple[str, str]]()

        def record(name: str) -> Callable[..., str]:
            def step(*_: Any) -> str:
                seen.append((name, where()))
                return name

            return step

        await run_steps(
            offload,
            given(Blocking(record("fetch"))),
            then(Blocking(record("validate"))),
            then(Blocking(record("save"))),
        )

        assert offload.calls == 1
        assert seen == [("fetch", "thread"), ("validate", "thread"), ("save", "thread")]

    async def test_an_async_step_splits_the_batches(self) -> None:
        """Blocking, async, blocking: two offloads, the async step on the loop."""
        offload, places = CountingOffload(), list[str]()

        async def hook(value: int) -> int:
            places.append(where())
            return value + 1

        result = await run_steps(
            offload, given(Blocking(one)), then(hook), then(Blocking(times_ten))
        )

        assert (result, offload.calls, places) == (20, 2, ["loop"])

    async def test_a_joinable_step_joins_the_batch_before_it(self) -> None:
        """After blocking work it runs in the same offload; it never opens one itself."""
        offload, places = CountingOffload(), list[str]()

        def render(value: int) -> int:
            places.append(where())
            return value

        async def arender(value: int) -> int:
            places.append("async " + where())
            return value

        async def hook(value: int) -> int:
            return value

        await run_steps(
            offload,
            given(Blocking(one)),
            then(Joinable(render, arender)),
            then(hook),
            then(Joinable(render, arender)),
            then(Joinable(render)),
        )

        assert offload.calls == 1
        assert places == ["thread", "async loop", "loop"]

    async def test_steps_fill_one_parameter_and_keeping_passes_values_on(self) -> None:
        """`Steps` chains its parts; `keeping` gives back what a `None` hook received."""
        offload, hooked = CountingOffload(), list[str]()

        async def hook(value: str) -> None:
            hooked.append(value)

        fetch: Steps[[], str] = Steps(Blocking(row), Joinable(str.upper))

        result = await run_steps(offload, given(fetch), then(keeping(hook)), then(keeping(hook)))

        assert (result, hooked, offload.calls) == ("ROW", ["ROW", "ROW"], 1)

    async def test_an_error_stops_the_run(self) -> None:
        """A step that raises ends the run: later steps never run."""
        ran: list[Any] = []

        def fail(value: Any) -> None:
            raise LookupError("no such row")

        with pytest.raises(LookupError, match="no such row"):
            await run_steps(
                CountingOffload(),
                given(Blocking(one)),
                then(Blocking(fail)),
                then(Joinable(ran.append)),
            )

        assert ran == []


class TestOrInput:
    async def test_a_result_replaces_the_value_and_none_keeps_it(self) -> None:
        """`or_input` gives on what the step returned, or its input when it returned `None`."""

        async def saved_copy(value: str) -> str | None:
            return value + " (saved)"

        async def saved_in_place(value: str) -> str | None:
            return None

        replaced = await run_steps(inline, given(Joinable(row)), then(or_input(saved_copy)))
        kept = await run_steps(inline, given(Joinable(row)), then(or_input(saved_in_place)))

        assert (replaced, kept) == ("row (saved)", "row")


class TestKeepingSeveralSteps:
    async def test_a_chain_of_steps_gives_back_what_it_was_called_with(self) -> None:
        """`keeping` and `or_input` over several steps pass the chain's input on."""

        async def shout(value: str) -> str:
            return value.upper()

        async def nothing(value: str) -> None:
            return None

        chain: Steps[[str], str] = Steps(shout, Joinable(str.title))
        quiet: Steps[[str], None] = Steps(shout, nothing)

        kept = await run_steps(inline, given(Joinable(row)), then(keeping(chain)))
        replaced = await run_steps(inline, given(Joinable(row)), then(or_input(chain)))
        passed_on = await run_steps(inline, given(Joinable(row)), then(or_input(quiet)))

        assert (kept, replaced, passed_on) == ("row", "Row", "row")


class TestLongerChains:
    async def test_longer_chains_keep_and_take_extra_arguments(self) -> None:
        """`keeping`, `or_input` and `then(step, *extra)` work on longer chains."""

        async def add(value: str, suffix: str) -> str:
            return value + suffix

        async def twice(value: str) -> str:
            return value * 2

        def backwards(value: str) -> str:
            return value[::-1]

        def exclaim(value: str) -> str:
            return value + "!"

        four: Steps[[str], str] = Steps(
            twice, Joinable(str.upper), Joinable(backwards), Joinable(exclaim)
        )
        with_extra: Steps[[str, str], str] = Steps(add, twice, Joinable(str.upper))

        kept = await run_steps(inline, given(Joinable(row)), then(keeping(four)))
        replaced = await run_steps(inline, given(Joinable(row)), then(or_input(four)))
        extended = await run_steps(inline, given(Joinable(row)), then(with_extra, "!"))

        assert (kept, replaced, extended) == ("row", "WORWOR!", "ROW!ROW!")


class TestPlacements:
    """`placements` tells where `run_steps` runs each step, by the same rule."""

    @pytest.mark.parametrize(
        ("steps", "hops"),
        [
            ("B", [1]),
            ("BJB", [1, 1, 1]),
            ("JBJ", [0, 1, 1]),
            ("BAJ", [1, 0, 0]),
            ("BABJ", [1, 0, 2, 2]),
            ("AAJ", [0, 0, 0]),
        ],
        ids=["blocking", "stretch", "quick-first", "async-breaks", "two-hops", "no-hop"],
    )
    async def test_the_hops_are_run_steps_hops(self, steps: str, hops: list[int]) -> None:
        made: list[int] = []

        async def counted(work: Callable[[], Any], /) -> Any:
            made.append(1)
            return work()

        async def asynchronous(value: int) -> int:
            return value

        def same(value: int) -> int:
            return value

        kinds: dict[str, Step[[int], int]] = {
            "B": Blocking(same),
            "J": Joinable(same),
            "A": asynchronous,
        }
        built = [kinds[letter] for letter in steps]

        placed = placements(*built)
        await run_steps(counted, given(built[0], 0), *[then(step) for step in built[1:]])

        assert [place.hop for place in placed] == hops
        assert max(hops) == len(made)
