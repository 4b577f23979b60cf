"""An ASGI application whose requests run their sync work on threads kept between requests.

Django's ASGI handler starts a new thread for every request's sync work (the ORM behind
`sync_to_async`, signal handlers) and stops it when the request ends. Starting and joining
that thread costs every request, and because Django keeps database connections per
thread, every request also opens a new connection, whatever `CONN_MAX_AGE` says.

`get_asgi_application()` serves the same Django project, but lends each request a thread
that earlier requests used, once its body has arrived: a slow upload holds no thread. A
request still has its thread to itself while it runs, so requests run their sync work
concurrently exactly as before; only the threads, and with them the database
connections, are kept. Connections then follow `CONN_MAX_AGE` as they
do under a threaded WSGI server: Django closes them at the end of a request unless
`CONN_MAX_AGE` keeps them, and drops any a request left unusable (an open transaction).

Kept threads keep their connections within `CONN_MAX_AGE`: a thread that waits for a
request has its connections checked every few seconds and closed once their age is
reached, as Django closes them at the end of a request. The application speaks ASGI's
lifespan protocol, so a server that stops it runs `shutdown()`: the waiting threads close
their connections and stop.

On Django 5.0 and later, a request also crosses to its thread only for its own sync work.
Django's handler makes two more crossings per request, for the `request_started`
receivers and for `request_finished` (the response's `close()`); here the sync
`request_started` receivers run on the request's thread at the start of its first sync
call (its first query, say), and the response is closed on that thread once it is sent,
without the event loop waiting for it. A default action's request makes one crossing.
The receivers still run once per request, on the request's thread, in Django's order:
`request_started`'s before the request's first sync work, `request_finished`'s before the
thread serves another request.

One rule comes with it: a task that a request starts and that outlives the request must
not call `sync_to_async` in thread-sensitive mode (the default) after the request ends;
asgiref refuses such a call with a `RuntimeError`. Give the task its own
`asgiref.sync.ThreadSensitiveContext()`, or pass `thread_sensitive=False`.

Usage, in the project's `asgi.py`::

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

    from restflow_django.asgi import get_asgi_application

    application = get_asgi_application()
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import threading
from contextvars import ContextVar
from typing import Any, TypeVar

import django
from asgiref.sync import ThreadSensitiveContext
from django.core import signals
from django.core.exceptions import ImproperlyConfigured, RequestAborted
from django.core.handlers import asgi
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import close_old_connections, connections
from django.http import FileResponse, HttpResponseBase
from django.urls import get_resolver, set_script_prefix
from typing_extensions import override

from restflow_django._threads import (
    _LENT,
    RequestThread,
    SharedLane,
    SharedThread,
    _nothing,
    own_thread,
)

__all__ = [
    "ReusedThreadsASGIHandler",
    "freeze_loaded_objects",
    "get_asgi_application",
    "own_thread",
]

# The request body `ReusedThreadsASGIHandler` read before lending the request a thread.
_READ_BODY: ContextVar[Any] = ContextVar("restflow_read_body", default=None)
# Django 5.0's handler is the one whose steps `handle` below takes over (with its
# module-level `get_script_prefix`).
_FOLDS_SIGNALS = django.VERSION >= (5, 0)

T = TypeVar("T")


def get_asgi_application(
    *, idle_threads: int | None = None, freeze_startup: bool = False, share_thread: bool = False
) -> ReusedThreadsASGIHandler:
    """Set Django up and return its ASGI application with reused request threads.

    At most `idle_threads` threads wait for the next request between bursts (by default
    `RESTFLOW["IDLE_THREADS"]`, else 64): each may hold a database connection, so size it
    per worker against the database's `max_connections`. A burst of more concurrent
    requests still gets a thread each, and the extra ones are stopped.

    With `freeze_startup`, the URLconf (and with it every view, serializer and model it
    names) is loaded now, and everything loaded so far is moved out of the garbage
    collector's reach (`gc.freeze()`): its full collections then walk only what requests
    create, not the whole framework. Under concurrent load those full collections are a
    large share of a server's time. Objects loaded at startup are then never collected,
    which suits what startup loads: modules, classes, settings.

    With `share_thread`, requests take turns on one thread for their sync work instead of
    each having its own, except while a request holds a transaction open between sync
    calls: it then has a thread to itself until the transaction ends. Under concurrent
    CPU-bound load one busy thread serves more than many threads handing the interpreter
    to each other. Code that keeps per-request state on the thread between two sync calls
    (a `threading.local` set in one sync middleware hook and read in another) must not
    run under it; database connections are handled as above.
    """
    django.setup(set_prefix=False)
    if idle_threads is None:
        from django.conf import settings

        idle_threads = int(getattr(settings, "RESTFLOW", {}).get("IDLE_THREADS", 64))
    application = ReusedThreadsASGIHandler(idle_threads=idle_threads, share_thread=share_thread)
    if freeze_startup:
        freeze_loaded_objects()
    return application


def freeze_loaded_objects() -> None:
    """Load the URLconf, collect the garbage, and freeze everything that is left."""
    get_resolver().url_patterns  # noqa: B018  # imports the URLconf and all it names
    gc.collect()
    gc.freeze()


class ReusedThreadsASGIHandler(ASGIHandler):
    """Django's `ASGIHandler`, lending each HTTP request a thread kept from earlier ones."""

    def __init__(self, *, idle_threads: int = 64, share_thread: bool = False) -> None:
        if "executor" not in inspect.signature(ThreadSensitiveContext).parameters:
            raise ImproperlyConfigured(
                "restflow_django.asgi needs asgiref's ThreadSensitiveContext(executor=...); "
                "asgiref 3.13 has it."
            )
        if idle_threads < 0:
            raise ValueError("idle_threads must be 0 or more.")
        super().__init__()
        request_finished.connect(
            _close_abandoned_transactions,
            sender=type(self),
            dispatch_uid=f"restflow-abandoned-transactions-{type(self).__qualname__}",
        )
        self.idle_threads = idle_threads
        self._idle: list[RequestThread] = []
        # Taken when threads go in or out of `_idle`: under `share_thread`, request threads
        # do that too.
        self._lending = threading.Lock()
        self._reaper: asyncio.Future[None] | None = None
        self._shared = SharedThread(self._spare, self._give_back) if share_thread else None

    @override
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._alifespan(receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self._reaper is None and _shortest_max_age() is not None:
            self._reaper = asyncio.ensure_future(self._aclose_aged_connections())
        # The body arrives first, so a slow client holds no thread (nor its connection).
        try:
            body = await super().read_body(receive)
        except RequestAborted:
            return
        token = _READ_BODY.set(body)
        thread: RequestThread | SharedLane = (
            self._spare() if self._shared is None else SharedLane(self._shared)
        )
        lent = _LENT.set(thread)
        try:
            # Django's own handler keeps an enclosing context instead of making one.
            async with ThreadSensitiveContext(executor=thread):
                await super().__call__(scope, receive, send)
        finally:
            _LENT.reset(lent)
            _READ_BODY.reset(token)
            await self._arelease(thread)

    @override
    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        """Django's request handling, with the request signals' sync work on the request's
        thread, joined to its own sync work instead of crossing to it twice more."""
        thread = _LENT.get()
        if thread is None or not _FOLDS_SIGNALS:
            await super().handle(scope, receive, send)
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(asgi.get_script_prefix(scope))
        await _astart(thread, sender=type(self), scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None  # Django gives one or the other
            body_file.close()
            await self.send_response(error_response, send)
            thread.finish(error_response.close)
            return
        answered = asyncio.ensure_future(self._aanswer(request, send))
        listening = asyncio.ensure_future(self.listen_for_disconnect(receive))
        await asyncio.wait((listening, answered), return_when=asyncio.FIRST_COMPLETED)
        try:
            # As in Django: the listener is settled first, then the answer, cancelled when
            # the client left first, so that the view may handle its cancellation.
            for task in (listening, answered):
                if not task.done():
                    task.cancel()
                with contextlib.suppress(RequestAborted, asyncio.CancelledError):
                    await task
        finally:
            # Also when sending failed (a stream that raised mid-body): the request still
            # ends, and its body is closed.
            answer = answered.done() and not answered.cancelled() and not answered.exception()
            if answer:
                thread.finish(answered.result().close)
            else:
                thread.finish(lambda: signals.request_finished.send(sender=type(self)))
            # After the request's sync work: a view still running for a client that left
            # may read the body yet.
            thread.finish(body_file.close)

    async def _aanswer(self, request: Any, send: Any) -> HttpResponseBase:
        """Get the view's response and send it; a client gone meanwhile is no error."""
        response = await self.get_response_async(request)
        response._handler_class = type(self)  # type: ignore[attr-defined]  # Django's own
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        with contextlib.suppress(asyncio.CancelledError):
            await self.send_response(response, send)
        return response

    @override
    async def read_body(self, receive: Any) -> Any:
        """The body `__call__` read before lending a thread, else Django's reading."""
        body = _READ_BODY.get()
        if body is None:
            return await super().read_body(receive)
        _READ_BODY.set(None)
        return body

    @property
    def idle(self) -> int:
        """How many threads are waiting for a request."""
        return len(self._idle)

    async def _alifespan(self, receive: Any, send: Any) -> None:
        """ASGI's lifespan protocol: start up at once; on shutdown, `shutdown()`."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _aclose_aged_connections(self) -> None:
        """Every few seconds, close the waiting threads' connections past `CONN_MAX_AGE`."""
        while (age := _shortest_max_age()) is not None:
            await asyncio.sleep(min(max(age / 2, 0.5), 10))
            for thread in list(self._idle):
                with self._lending:
                    if thread not in self._idle:
                        continue
                    # Taken out while it is checked, so that no request is lent it meanwhile.
                    self._idle.remove(thread)
                try:
                    await asyncio.wrap_future(thread.submit(close_old_connections))
                finally:
                    self._give_back(thread)
            if self._shared is not None:
                # Queued behind the requests' work; the shared thread holds no transaction.
                await asyncio.wrap_future(SharedLane(self._shared).submit(close_old_connections))
        self._reaper = None

    def shutdown(self) -> None:
        """Close the waiting threads' database connections and stop the threads.

        Runs when the server stops the application (ASGI lifespan), and for tests.
        """
        if self._reaper is not None:
            reaper, self._reaper = self._reaper, None
            with contextlib.suppress(RuntimeError):
                # Cancelled from its loop's thread, or the loop is already gone.
                reaper.get_loop().call_soon_threadsafe(reaper.cancel)
        if self._shared is not None:
            self._shared.stop()
        while self._idle:
            thread = self._idle.pop()
            thread.submit(connections.close_all).result()
            thread.shutdown(wait=True)

    async def _arelease(self, thread: RequestThread | SharedLane) -> None:
        """Wait until the request's work on its thread is done (as Django's handler waits for
        `request_finished`), then give the thread back: only then, so that a view still
        running for a client that left keeps its thread from the next request."""
        done = thread.last_finish() or thread.submit(_nothing)
        if isinstance(thread, RequestThread):
            done.add_done_callback(lambda _: self._give_back(thread))
        # Its failure is logged where it happened (`finish`).
        with contextlib.suppress(Exception):
            await asyncio.shield(asyncio.wrap_future(done))

    def _give_back(self, thread: RequestThread) -> None:
        with self._lending:
            if len(self._idle) < self.idle_threads:
                self._idle.append(thread)
                return
        # Its database connections are closed on the thread that opened them.
        thread.submit(connections.close_all)
        thread.shutdown(wait=False)

    def _spare(self) -> RequestThread:
        with self._lending:
            if self._idle:
                return self._idle.pop()
        return self._new_thread()

    @staticmethod
    def _new_thread() -> RequestThread:
        return RequestThread()


async def _astart(thread: RequestThread | SharedLane, *, sender: type, scope: Any) -> None:
    """`request_started`: its async receivers awaited now, its sync ones run on the request's
    thread just before the request's first sync work."""
    sync_receivers, async_receivers = signals.request_started._live_receivers(sender)
    await asyncio.gather(
        *(
            receiver(signal=signals.request_started, sender=sender, scope=scope)
            for receiver in async_receivers
        )
    )
    if sync_receivers:

        def start() -> None:
            for receiver in sync_receivers:
                receiver(signal=signals.request_started, sender=sender, scope=scope)

        thread.run_first(start)


def _shortest_max_age() -> float | None:
    """The shortest positive `CONN_MAX_AGE` of the configured databases, or `None` when none
    has one (connections closed after each request, or kept for ever)."""
    ages = [config.get("CONN_MAX_AGE", 0) for config in connections.settings.values()]
    positive = [float(age) for age in ages if age]
    return min(positive) if positive else None


logger: logging.Logger = logging.getLogger("restflow")


def _close_abandoned_transactions(**kwargs: Any) -> None:
    """At the end of a request, on its thread: a connection a request left inside an atomic
    block (code that opened one and never closed it) is rolled back and closed cleanly, so
    the kept thread never lends the next request a connection stuck in a transaction."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            continue
        logger.warning(
            "A request left a transaction open on database %r: it is rolled back and the "
            "connection closed",
            connection.alias,
        )
        connection.in_atomic_block = False
        connection.savepoint_ids = []
        connection.atomic_blocks = []
        connection.needs_rollback = False
        connection.closed_in_transaction = False
        # Closing a connection inside a transaction rolls the transaction back.
        connection.close()
