"""The threads a request's sync work runs on under `restflow_django.asgi`: one lent to
each request (`RequestThread`), or one that requests take turns on (`SharedThread`,
through each request's `SharedLane`), and `own_thread()` for a block that needs a thread
to itself."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections
from typing_extensions import override

T = TypeVar("T")

logger: logging.Logger = logging.getLogger("restflow")

# The thread lent to the current request.
_LENT: ContextVar[RequestThread | SharedLane | None] = ContextVar(
    "restflow_lent_thread", default=None
)


class _RequestWork(Executor):
    """Where a request's sync calls go: with work to run ahead of its first call, and after
    the request, without the event loop waiting for either."""

    _first: list[Callable[[], object]]
    _finished: Future[object] | None = None

    def run_first(self, work: Callable[[], object]) -> None:
        """Run `work` (in the caller's context) just before the next call submitted."""
        self._first.append(functools.partial(contextvars.copy_context().run, work))

    def finish(self, work: Callable[[], object]) -> None:
        """Run `work` (in the caller's context) after the request's other calls, without
        waiting for it; a failure is logged."""
        done = self.submit(functools.partial(contextvars.copy_context().run, work))
        done.add_done_callback(_log_failure)
        self._finished = done

    def last_finish(self) -> Future[object] | None:
        """What the last `finish` queued, if anything: once it is done, so is the request's
        work on its thread."""
        done, self._finished = self._finished, None
        return done

    def _with_first(self, call: Callable[[], T]) -> Callable[[], T]:
        """`call`, preceded by the work waiting to run first, if any.

        The work is taken when it runs, not now: if `call` is cancelled before it starts,
        the next call (at the latest the request's `finish`) runs it instead, so that
        `request_started`'s receivers always run before `request_finished`'s.
        """
        if not self._first:
            return call
        return functools.partial(self._after_first, call)

    def _after_first(self, call: Callable[[], T]) -> T:
        first, self._first = self._first, []
        for work in first:
            work()
        return call()


class RequestThread(_RequestWork, ThreadPoolExecutor):
    """The one thread a request's sync calls run on, one after another, as on Django's
    per-request thread."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="restflow-request")
        self._first = []

    @override
    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(self._with_first(functools.partial(fn, *args, **kwargs)))


class SharedThread:
    """The thread requests take turns on, and the threads requests in a transaction keep.

    A request's call that ends with a transaction open on the thread's connections (an
    atomic block, or autocommit off) makes the thread that request's own: calls of other
    requests, queued or new, go to a fresh shared thread instead. When a call of the
    request ends with no transaction open, the thread is given back to the spares.
    """

    def __init__(
        self, spare: Callable[[], RequestThread], give_back: Callable[[RequestThread], None]
    ) -> None:
        self._spare = spare
        self._give_back = give_back
        self._lock = threading.Lock()
        self.current: RequestThread = spare()
        self._owners: dict[RequestThread, SharedLane] = {}
        self._stopped = False

    def owner(self, thread: RequestThread) -> SharedLane | None:
        """The request that has `thread` to itself, if any."""
        return self._owners.get(thread)

    def take(self, thread: RequestThread, lane: SharedLane) -> None:
        """Give `thread` to `lane`'s request; other requests move to another thread."""
        with self._lock:
            self._owners[thread] = lane
            if thread is self.current:
                self.current = self._spare()

    def lend(self, lane: SharedLane) -> RequestThread:
        """A spare thread, given to `lane`'s request."""
        with self._lock:
            thread = self._spare()
            self._owners[thread] = lane
        return thread

    def release(self, thread: RequestThread) -> None:
        """`thread`'s request no longer needs it to itself."""
        with self._lock:
            del self._owners[thread]
        self._give_back(thread)

    def stop(self) -> None:
        """Close the shared thread's database connections and stop it; again, nothing."""
        with self._lock:
            stopped, self._stopped = self._stopped, True
        if not stopped:
            self.current.submit(connections.close_all).result()
            self.current.shutdown(wait=True)


class SharedLane(_RequestWork):
    """One request's way to a `SharedThread`: its calls run one at a time on the shared
    thread, or on the thread the request has to itself while it holds a transaction (or
    an `own_thread()` block)."""

    def __init__(self, shared: SharedThread) -> None:
        self._shared = shared
        self._own: RequestThread | None = None
        self._held = False
        self._first: list[Callable[[], object]] = []

    def hold(self) -> None:
        """Have a thread to this request itself until `arelease`."""
        if self._own is None:
            self._own = self._shared.lend(self)
        self._held = True

    async def arelease(self) -> None:
        """End `hold`; the thread is given back once no transaction is open on it."""
        self._held = False
        await asyncio.wrap_future(self.submit(lambda: None))

    @override
    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        answer: Future[T] = Future()
        self._send(self._with_first(functools.partial(fn, *args, **kwargs)), answer)
        return answer

    def _send(self, call: Callable[[], T], answer: Future[T]) -> None:
        thread = self._own or self._shared.current
        ThreadPoolExecutor.submit(thread, self._run, thread, call, answer)

    def _run(self, thread: RequestThread, call: Callable[[], T], answer: Future[T]) -> None:
        owner = self._shared.owner(thread)
        if owner is not None and owner is not self:
            # Another request took this thread for its transaction after the call was queued.
            self._send(call, answer)
            return
        if not answer.set_running_or_notify_cancel():
            return
        try:
            result = call()
        except BaseException as error:
            self._settle(thread)
            answer.set_exception(error)
        else:
            self._settle(thread)
            answer.set_result(result)

    def _settle(self, thread: RequestThread) -> None:
        """After a call, before its caller hears of it: keep or give back the thread."""
        holding = _holds_transaction()
        if holding and self._own is None:
            self._own = thread
            self._shared.take(thread, self)
        elif not holding and self._own is not None and not self._held:
            self._own = None
            self._shared.release(thread)


@contextlib.asynccontextmanager
async def own_thread() -> AsyncIterator[None]:
    """Run the block's sync calls on a thread this request has to itself.

    For sync work that keeps state on its thread or connection between two calls (a
    cursor read in chunks, say) under `share_thread`; otherwise the request has its own
    thread already and this does nothing.
    """
    lane = _LENT.get()
    if not isinstance(lane, SharedLane) or lane._held:
        yield
        return
    lane.hold()
    try:
        yield
    finally:
        await lane.arelease()


def _holds_transaction() -> bool:
    """Whether this thread's open connections are inside a transaction."""
    return any(
        connection.connection is not None
        and (connection.in_atomic_block or not connection.get_autocommit())
        for connection in connections.all(initialized_only=True)
    )


def _nothing() -> None:
    """A call whose end says that everything queued before it on a thread is done."""


def _log_failure(done: Future[Any]) -> None:
    if not done.cancelled() and (error := done.exception()) is not None:
        logger.error("Closing a request failed", exc_info=error)
