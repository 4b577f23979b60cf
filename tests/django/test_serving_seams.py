"""restflow's ASGI application keeps Django's guarantees where a client leaves mid-request:
a busy thread is never lent, the body stays readable, and the request signals pair up.

The application is driven in process as a server drives it (`asgi_calls.exchange`), with
views of this module's own.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django
import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from typing_extensions import override

from restflow_django.asgi import ReusedThreadsASGIHandler
from restflow_django.views import AsyncAPIView
from tests.django.asgi_calls import exchange, http_scope

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
    pytest.mark.skipif(django.VERSION < (5, 0), reason="Django 5.0's handler hears a client leave"),
]

STARTED = threading.Event()
RELEASE = threading.Event()
SEEN: dict[str, Any] = {}


def slow(request: HttpRequest) -> HttpResponse:
    """Sync: tells the test it started, waits to be released, then reads the body."""
    SEEN["slow thread"] = threading.get_ident()
    STARTED.set()
    RELEASE.wait(10)
    try:
        SEEN["body"] = request.body
    except Exception as error:  # what the test reports
        SEEN["body"] = error
    return HttpResponse("slow")


def quick(request: HttpRequest) -> HttpResponse:
    """Sync: notes its thread."""
    SEEN["quick thread"] = threading.get_ident()
    return HttpResponse("quick")


async def touches_thread(request: HttpRequest) -> HttpResponse:
    """Async: its only sync work is one call."""
    await sync_to_async(threading.get_ident)()
    return HttpResponse("touched")


def unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 a retry gets past."""
    return HttpResponse("later", status=503, headers={"Retry-After": "1"})


class SlowCheck(BasePermission):
    """A sync permission check that takes a while, noting when and where it ran."""

    @override
    def has_permission(self, request: Any, view: Any) -> bool:
        began = time.monotonic()
        time.sleep(0.05)
        SEEN.setdefault("checks", []).append((threading.get_ident(), began, time.monotonic()))
        return True


class Checked(AsyncAPIView):
    permission_classes = (SlowCheck,)

    async def get(self, request: Any) -> Response:
        return Response({})


urlpatterns = [
    path("checked/", Checked.as_view()),
    path("slow/", csrf_exempt(slow)),
    path("quick/", quick),
    path("touches/", touches_thread),
    path("unavailable/", unavailable),
]


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """Each test starts with its events clear, and always lets a blocked view go."""
    STARTED.clear()
    RELEASE.clear()
    SEEN.clear()
    yield
    RELEASE.set()


@contextmanager
def served(**options: Any) -> Iterator[ReusedThreadsASGIHandler]:
    """restflow's application, its threads stopped afterwards."""
    application = ReusedThreadsASGIHandler(**options)
    try:
        yield application
    finally:
        RELEASE.set()
        application.shutdown()


async def hang_up_during_slow(
    application: Any, payload: bytes = b""
) -> asyncio.Future[tuple[int, Any, bytes]]:
    """Start a request to the slow view and hang up once it runs; its exchange."""
    gone = asyncio.Event()
    request = asyncio.ensure_future(
        exchange(application, http_scope("POST", "/slow/", payload), payload, gone)
    )
    started = await asyncio.get_running_loop().run_in_executor(None, STARTED.wait, 10)
    assert started, "the slow view never started"
    gone.set()
    return request


async def test_a_thread_busy_with_a_left_request_is_not_lent() -> None:
    """The next request gets another thread and is answered while the left request's view
    still runs on its own (Django 5.2's handler: the same)."""
    with served(idle_threads=4) as application:
        left = await hang_up_during_slow(application)
        # Time for the application to hear the client leave and end the request.
        await asyncio.sleep(0.2)

        status, _, body = await asyncio.wait_for(
            exchange(application, http_scope("GET", "/quick/", b""), b""), timeout=5
        )
        RELEASE.set()
        await asyncio.wait_for(left, timeout=10)

    assert (status, body) == (200, b"quick")
    assert SEEN["quick thread"] != SEEN["slow thread"]


async def test_the_body_stays_readable_for_a_view_whose_client_left() -> None:
    """A sync view still running after its client left reads the body (Django's
    `test_cancel_post_request_with_sync_processing`, through restflow's application)."""
    with served() as application:
        left = await hang_up_during_slow(application, b"Body data!")
        RELEASE.set()
        await asyncio.wait_for(left, timeout=10)

    assert SEEN["body"] == b"Body data!"


async def test_request_signals_pair_up_when_the_first_sync_call_is_cancelled() -> None:
    """A request whose first sync call was cancelled in the queue still sends
    `request_started` before `request_finished`, once each."""
    sent: list[str] = []

    def started(**kwargs: Any) -> None:
        sent.append("started")

    def finished(**kwargs: Any) -> None:
        sent.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        with served(share_thread=True) as application:
            # The slow view holds the shared thread; the second request's call waits behind.
            blocking = await hang_up_during_slow(application)
            gone = asyncio.Event()
            queued = asyncio.ensure_future(
                exchange(application, http_scope("GET", "/touches/", b""), b"", gone)
            )
            await asyncio.sleep(0.1)
            gone.set()
            await asyncio.sleep(0.1)
            RELEASE.set()
            await asyncio.wait_for(asyncio.gather(blocking, queued), timeout=10)
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert sent.count("started") == sent.count("finished") == 2
    assert sent.index("started") < sent.index("finished")


@override_settings(
    SESSION_SAVE_EVERY_REQUEST=True,
    MIDDLEWARE=["restflow_django.middleware.standard.SessionMiddleware"],
)
async def test_a_5xx_with_a_session_saved_every_request_stays_a_503() -> None:
    """With `SESSION_SAVE_EVERY_REQUEST`, the swapped `SessionMiddleware` reads the session's
    expiry where it may query, so a 503 with `Retry-After` is not turned into a 500."""
    session = SessionStore()
    await sync_to_async(session.create)()
    cookie = (b"cookie", f"sessionid={session.session_key}".encode())

    with served() as application:
        status, headers, body = await exchange(
            application, http_scope("GET", "/unavailable/", b"", headers=[cookie]), b""
        )

    assert (status, body) == (503, b"later")
    assert headers[b"retry-after"] == [b"1"]


async def test_slow_sync_calls_queue_behind_each_other_on_one_shared_thread() -> None:
    """Under `share_thread`, five requests' slow sync permission checks run one after the
    other on one thread (what docs/performance.md warns of)."""
    with served(share_thread=True) as application:
        answers = await asyncio.gather(
            *(exchange(application, http_scope("GET", "/checked/", b""), b"") for _ in range(5))
        )

    checks = sorted(SEEN["checks"], key=lambda check: check[1])
    assert [status for status, _, _ in answers] == [200] * 5
    assert len({thread for thread, _, _ in checks}) == 1
    assert all(earlier[2] <= later[1] for earlier, later in itertools.pairwise(checks))
