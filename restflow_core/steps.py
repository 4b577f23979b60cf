"""Steps: the pieces an action is made of, and how runs of blocking ones reach a thread.

An action is an ordered list of steps; the value one step returns is what the next one
receives. A step is one of:

- a coroutine function: awaited on the event loop;
- `Blocking(work)`: sync work that may block (a query, a file): the adapter's `offload`
  runs it, away from the loop;
- `Joinable(work, awork)`: quick sync work that joins the blocking work running just before
  it, so it costs no thread hop of its own; with nothing to join, `awork` (or `work`, when
  there is no `awork`) runs on the loop;
- `Steps(first, *rest)`: several steps that fill one parameter of a pipeline.

`run_steps` runs a list. Each stretch of consecutive blocking steps, with the joinable ones
that follow them, is ONE call of `offload`: one thread hop in a Django adapter, none in
the memory adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, ParamSpec, Protocol, TypeAlias, TypeVar, overload

from restflow_core.units import to_the_end

P = ParamSpec("P")
Q = ParamSpec("Q")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")


class Offload(Protocol):
    """Runs sync work away from the event loop (a thread) and awaits its result."""

    def __call__(self, work: Callable[[], T], /) -> Awaitable[T]:
        """Return an awaitable of `work()`."""
        ...


async def inline(work: Callable[[], T], /) -> T:
    """An `Offload` that runs the work right here, for adapters whose work never blocks."""
    return work()


async def to_thread(work: Callable[[], T], /) -> T:
    """An `Offload` for a store whose calls block: `work` in a worker thread, awaited to its
    end even if the caller is cancelled meanwhile (a client hanging up), so that whatever
    the work holds (a connection) is free again when the caller goes on."""
    return await to_the_end(asyncio.to_thread(work))


@dataclass(frozen=True, slots=True)
class Blocking(Generic[P, R_co]):
    """Sync work that may block; runs through `offload`, batched with its neighbours."""

    work: Callable[P, R_co]


@dataclass(frozen=True, slots=True)
class Joinable(Generic[P, R_co]):
    """Quick sync work that joins the blocking work before it, else runs on the loop.

    On the loop, `awork` runs when given (it may fall back to a thread for work that turns
    out to block), else `work` itself.
    """

    work: Callable[P, R_co]
    awork: Callable[P, Awaitable[R_co]] | None = None


class Steps(Generic[P, R_co]):
    """Several steps run in order, the first taking the parameters, the last giving `R_co`.

    The checkers follow the value from step to step: each step must take what the one
    before it gives, and the last must give what the `Steps` declares (up to six steps; a
    longer chain is two `Steps`, one inside the other).
    """

    __slots__ = ("links",)

    @overload
    def __init__(self: Steps[Q, R], first: Step[Q, R], /) -> None: ...
    @overload
    def __init__(self: Steps[Q, R], first: Step[Q, A], second: Step[[A], R], /) -> None: ...
    @overload
    def __init__(
        self: Steps[Q, R], first: Step[Q, A], second: Step[[A], B], third: Step[[B], R], /
    ) -> None: ...
    @overload
    def __init__(
        self: Steps[Q, R],
        first: Step[Q, A],
        second: Step[[A], B],
        third: Step[[B], C],
        fourth: Step[[C], R],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self: Steps[Q, R],
        first: Step[Q, A],
        second: Step[[A], B],
        third: Step[[B], C],
        fourth: Step[[C], D],
        fifth: Step[[D], R],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self: Steps[Q, R],
        first: Step[Q, A],
        second: Step[[A], B],
        third: Step[[B], C],
        fourth: Step[[C], D],
        fifth: Step[[D], E],
        sixth: Step[[E], R],
        /,
    ) -> None: ...
    def __init__(self, first: Any, /, *rest: Any) -> None:
        links = _links(first)
        for step in rest:
            links += _links(step)
        self.links: tuple[_Link, ...] = links

    @classmethod
    def chain(cls, steps: Sequence[Step[..., Any]], /) -> Steps[..., Any]:
        """Steps built from a list made at run time: the checkers cannot follow its values."""
        chained: Steps[..., Any] = cls.__new__(cls)
        chained.links = tuple(link for step in steps for link in _links(step))
        return chained


Step: TypeAlias = Blocking[P, R] | Joinable[P, R] | Steps[P, R] | Callable[P, Awaitable[R]]


class _Link(NamedTuple):
    """One step as `run_steps` runs it: its forms, and what it is called with."""

    sync: Callable[..., Any] | None
    asyn: Callable[..., Awaitable[Any]] | None
    blocking: bool
    # Called with `fixed` when set, else with the previous value followed by `extra`.
    fixed: tuple[Any, ...] | None = None
    extra: tuple[Any, ...] = ()
    # `holds` keeps the value the link receives; `gives_held` answers with the value kept,
    # always (`_ALWAYS`) or in place of a `None` result (`_IF_NONE`).
    holds: bool = False
    gives_held: int = 0


def _links(step: Step[..., Any]) -> tuple[_Link, ...]:
    if isinstance(step, Steps):
        return step.links
    if isinstance(step, Blocking):
        return (_Link(step.work, None, True),)
    if isinstance(step, Joinable):
        return (_Link(step.work, step.awork, False),)  # pragma: no mutate  (`None` is as false)
    return (_Link(None, step, False),)  # pragma: no mutate  (`None` is as false)


def given(step: Step[..., Any], *arguments: Any) -> tuple[_Link, ...]:
    """`step` called with `arguments`, whatever the step before it gave."""
    links = _links(step)
    return (_derive(links[0], fixed=arguments), *links[1:])


def then(step: Step[..., Any], *extra: Any) -> tuple[_Link, ...]:
    """`step` called with the value the step before it gave, and then `extra`."""
    links = _links(step)
    if not extra:
        return links
    return (_derive(links[0], extra=extra), *links[1:])


def keeping(step: Step[[T], Any]) -> Steps[[T], T]:
    """`step`, giving back the value it was called with: for hooks that return `None`."""
    return _kept(step, _ALWAYS)


def or_input(step: Step[[T], T | None]) -> Steps[[T], T]:
    """`step`, whose `None` stands for the value it was called with.

    A `persist` hook may return what it saved (a new object with its id, say) or `None`,
    when what it was given now holds what was saved (a DRF serializer's `instance`).
    """
    return _kept(step, _IF_NONE)


_ALWAYS, _IF_NONE = 1, 2


def _kept(step: Step[[T], Any], gives: int) -> Steps[[T], T]:
    links = _links(step)
    if len(links) == 1:
        kept_links: tuple[_Link, ...] = (_derive(links[0], holds=True, gives_held=gives),)
    else:
        first, last = _derive(links[0], holds=True), _derive(links[-1], gives_held=gives)
        kept_links = (first, *links[1:-1], last)
    kept: Steps[[T], T] = Steps.__new__(Steps)
    kept.links = kept_links
    return kept


def _derive(
    link: _Link,
    *,
    fixed: tuple[Any, ...] | None = None,
    extra: tuple[Any, ...] | None = None,
    holds: bool | None = None,
    gives_held: int | None = None,
) -> _Link:
    """`link` with the given fields changed (`dataclasses.replace`, at a fraction of the cost)."""
    return _Link(
        link.sync,
        link.asyn,
        link.blocking,
        # Only fresh links are derived: what they held before is the default, unread.
        link.fixed if fixed is None else fixed,  # pragma: no mutate
        link.extra if extra is None else extra,
        link.holds if holds is None else holds,  # pragma: no mutate
        link.gives_held if gives_held is None else gives_held,  # pragma: no mutate
    )


async def run_steps(offload: Offload, *parts: Sequence[_Link]) -> Any:
    """Run the links of `parts` in order and return the last one's value.

    Each stretch that starts with a blocking link, and goes on through the blocking and
    joinable links after it, is one call of `offload`.
    """
    # A fast path for one part: the same links either way.
    links = (
        parts[0] if len(parts) == 1 else [link for part in parts for link in part]
    )  # pragma: no mutate
    value: Any = None  # pragma: no mutate  (a pipeline's first step is given its arguments)
    held: list[Any] = []
    start = 0
    while start < len(links):
        link = links[start]
        if link.blocking:
            end = _stretch_end(links, start)
            value = await offload(_batch(links[start:end], value, held))
            start = end
            continue
        if link.asyn is None:
            value = _run(link, value, held)
        else:
            if link.holds:
                held.append(value)
            value = _settle(link, await link.asyn(*_arguments(link, value)), held)
        start += 1
    return value


@dataclass(frozen=True, slots=True)
class Placement:
    """Where `run_steps` runs one step: in thread hop `hop` (1, 2, ...), or on the loop (0).

    `kind` says why: `"async"` (awaited on the loop), `"blocking"` (may block: through
    `offload`), `"joins"` (quick sync work inside the blocking work before it), `"quick"`
    (quick sync work with nothing to join: on the loop).
    """

    work: Callable[..., Any]
    hop: int
    kind: str


def placements(*steps: Step[..., Any]) -> list[Placement]:
    """Where `run_steps` would run each of `steps`, by its rule (`_stretch_end`): each
    stretch that starts with a blocking step, with the blocking and joinable steps after
    it, is one hop."""
    links = [link for step in steps for link in _links(step)]
    placed: list[Placement] = []
    hop = start = 0
    while start < len(links):
        link = links[start]
        if link.blocking:
            hop += 1
            end = _stretch_end(links, start)
            placed += [
                Placement(joined.sync, hop, "blocking" if joined.blocking else "joins")
                for joined in links[start:end]
                if joined.sync is not None
            ]
            start = end
            continue
        # On the loop: an async step's coroutine, or a joinable one's `awork` (else `work`).
        form: Any = link.asyn or link.sync
        placed.append(Placement(form, 0, "async" if link.sync is None else "quick"))
        start += 1
    return placed


def _stretch_end(links: Sequence[_Link], start: int) -> int:
    """Where the stretch of one `offload` call that starts at the blocking link `start`
    ends: after the blocking and joinable links that follow it."""
    end = start + 1
    while end < len(links) and links[end].sync is not None:
        end += 1
    return end


def _batch(links: Sequence[_Link], value: Any, held: list[Any]) -> Callable[[], Any]:
    def work() -> Any:
        result = value
        for link in links:
            result = _run(link, result, held)
        return result

    return work


def _run(link: _Link, value: Any, held: list[Any]) -> Any:
    """Run `link`'s sync form on `value`."""
    if link.sync is None:  # pragma: no cover - only links with a sync form get here
        raise AssertionError("an async step has no sync form")  # pragma: no mutate
    if link.holds:
        held.append(value)
    return _settle(link, link.sync(*_arguments(link, value)), held)


def _settle(link: _Link, result: Any, held: list[Any]) -> Any:
    """The value `link` gives on: its result, or the value it kept."""
    if not link.gives_held:
        return result
    kept = held.pop()
    return kept if link.gives_held == _ALWAYS or result is None else result


def _arguments(link: _Link, value: Any) -> tuple[Any, ...]:
    if link.fixed is not None:
        return link.fixed
    return (value, *link.extra)
