"""A whole ASGI request served by restflow's application crosses to a thread once.

Each request goes through the application in process, as a server hands it over (scope,
receive, send), with `Diagnostics` counting every `sync_to_async` crossing from the body's
arrival to the response's close. Django's own application makes two more for the same
request: one for the `request_started` receivers, one for the response's `close()`.
"""

from __future__ import annotations

import ast
import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.asgi import get_asgi_application
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.authtoken.models import Token

from restflow_django.asgi import ReusedThreadsASGIHandler
from restflow_django.diagnostics import Diagnostics
from restflow_django.middleware import async_middleware
from tests.django.asgi_calls import call, connections_opened, exchange, http_scope
from tests.testapp.models import Product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(django.VERSION < (5, 0), reason="Django 5.0's handler is the one folded"),
]


@pytest.fixture(autouse=True)
def no_middleware(settings: Any) -> None:
    """The bare stack: Django's middleware hands work to threads of its own."""
    settings.MIDDLEWARE = []


@contextmanager
def application() -> Iterator[ReusedThreadsASGIHandler]:
    """restflow's application; its threads (and their connections) stopped afterwards."""
    served = ReusedThreadsASGIHandler(idle_threads=2)
    try:
        yield served
    finally:
        # Waits for the last request's close, which runs after its answer.
        served.shutdown()


async def settled(served: ReusedThreadsASGIHandler) -> None:
    """Wait until the threads have run what the requests left them (their close)."""
    for thread in list(served._idle):
        await asyncio.wrap_future(thread.submit(lambda: None))


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "stored"),
    [
        ("GET", "/products/{pk}/", None, 200, {"Saw": 0}),
        ("GET", "/products/", None, 200, {"Saw": 0}),
        ("POST", "/soft-products/", {"name": "Vise", "price": "4.00"}, 201, {"Saw": 0, "Vise": 0}),
        ("PATCH", "/plain-products/{pk}/", {"stock": 3}, 200, {"Saw": 3}),
        ("DELETE", "/soft-products/{pk}/", None, 204, {}),
    ],
)
async def test_a_default_action_crosses_once_end_to_end(
    saw: Product, method: str, path: str, body: Any, status: int, stored: dict[str, int]
) -> None:
    """Retrieve, list, create, partial update and destroy: one crossing each (and none back
    to the loop), against three under Django's application, and the database holds what
    the action wrote."""
    target = path.format(pk=saw.pk)
    with application() as served:
        await call(served, "GET", "/products/")  # the thread's first request opens its connection
        async with Diagnostics() as ours:
            answered, data = await call(served, method, target, body)
        await settled(served)
    async with Diagnostics() as djangos:
        listed, _ = await call(get_asgi_application(), "GET", "/products/")

    assert answered == status, data
    assert len(ours.crossed) == 1, ours.crossed
    assert ours.crossed_back == []
    assert {row.name: row.stock async for row in Product.objects.all()} == stored
    assert listed == 200
    assert len(djangos.crossed) == 3, djangos.crossed


async def test_request_signals_run_once_each_on_the_request_thread_in_order(
    saw: Product,
) -> None:
    """`request_started`'s receivers run before the request's first query and
    `request_finished`'s after its last, once each, on the request's thread."""
    events: list[tuple[str, int, int]] = []

    async with Diagnostics() as seen:

        def started(**kwargs: Any) -> None:
            events.append(("started", threading.get_ident(), len(seen.queries)))

        def finished(**kwargs: Any) -> None:
            events.append(("finished", threading.get_ident(), len(seen.queries)))

        request_started.connect(started)
        request_finished.connect(finished)
        try:
            with application() as served:
                answered, data = await call(served, "GET", f"/products/{saw.pk}/")
                await settled(served)
        finally:
            request_started.disconnect(started)
            request_finished.disconnect(finished)

    assert (answered, data["name"]) == (200, "Saw")
    assert [name for name, _, _ in events] == ["started", "finished"]
    (_, start_thread, queries_before), (_, finish_thread, queries_after) = events
    assert start_thread == finish_thread != threading.get_ident()
    assert queries_before == 0
    assert queries_after == len(seen.queries) >= 1


async def test_a_request_with_no_sync_work_still_sends_both_signals() -> None:
    """A 404 from URL resolution runs no sync call; its receivers still run once each."""
    events: list[str] = []

    def started(**kwargs: Any) -> None:
        events.append("started")

    def finished(**kwargs: Any) -> None:
        events.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        with application() as served:
            answered, _ = await call(served, "GET", "/no-such-page/")
            await settled(served)
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert answered == 404
    assert events == ["started", "finished"]


async def test_connections_still_close_at_the_end_of_each_request(
    saw: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `CONN_MAX_AGE = 0`, each request's connection is closed when it ends, so the
    next request on the same thread opens a new one, as under Django's handler."""
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 0)
    with application() as served, connections_opened() as opened:
        for _ in range(3):
            answered, _ = await call(served, "GET", f"/products/{saw.pk}/")
            assert answered == 200
            await settled(served)
            # The close ran on the thread: nothing of it is open any more.
            assert served.idle == 1

    assert len(opened) == 3
    assert len(set(opened)) == 1


def startproject_middleware() -> list[str]:
    """The `MIDDLEWARE` of a project `django-admin startproject` makes, from its template."""
    template = Path(django.__file__).parent / "conf" / "project_template" / "project_name"
    found = re.search(
        r"^MIDDLEWARE = (\[.*?\])$", (template / "settings.py-tpl").read_text(), re.M | re.S
    )
    assert found is not None
    middleware: list[str] = ast.literal_eval(found[1])
    return middleware


STARTPROJECT_MIDDLEWARE = startproject_middleware()


async def crossings_of_whoami(settings: Any, middleware: list[str], headers: Any) -> list[str]:
    """The crossings of one authenticated GET of `/whoami/` with `middleware` installed."""
    settings.MIDDLEWARE = middleware
    with application() as served:
        await call(served, "GET", "/whoami/", headers=headers)  # opens the connection
        async with Diagnostics() as seen:
            answered, data = await call(served, "GET", "/whoami/", headers=headers)
        await settled(served)
    assert (answered, data) == (200, {"user": "ada"})
    return seen.crossed


async def test_the_startproject_middleware_costs_no_crossing(ada: Any, settings: Any) -> None:
    """Token and session authentication through Django's default middleware, swapped for
    restflow's: as many crossings as with no middleware (the authentication's one)."""
    token = await sync_to_async(Token.objects.create)(user=ada)
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = (
        str(ada.pk),
        settings.AUTHENTICATION_BACKENDS[0],
    )
    session[HASH_SESSION_KEY] = ada.get_session_auth_hash()
    await sync_to_async(session.save)()
    by_token = [(b"authorization", f"Token {token.key}".encode())]
    by_session = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())]

    # Without middleware no session is read: the bare request authenticates by token.
    bare = await crossings_of_whoami(settings, [], by_token)
    for headers in (by_token, by_session):
        ours = await crossings_of_whoami(
            settings, async_middleware(STARTPROJECT_MIDDLEWARE), headers
        )
        djangos = await crossings_of_whoami(settings, STARTPROJECT_MIDDLEWARE, headers)

        assert len(ours) == len(bare) == 1, (ours, bare)
        # Django's classes: each process_request and process_response in a thread, and
        # CSRF's process_view.
        assert len(djangos) == len(bare) + 6 + 6 + 1, djangos


async def test_a_login_saves_its_session_in_one_hop_of_its_own(ada: Any, settings: Any) -> None:
    """DRF's login form through the swapped startproject middleware: the CSRF check of a
    form post and the session save run in a thread, one hop each, the session is stored
    and its cookie sent."""
    settings.MIDDLEWARE = async_middleware(STARTPROJECT_MIDDLEWARE)
    await sync_to_async(ada.set_password)("secret")
    await ada.asave()
    login = "/api-auth/login/"
    with application() as served:
        shown, headers, page = await exchange(served, http_scope("GET", login, b""), b"")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        cookie = re.search(rb"csrftoken=(\w+)", b" ".join(headers[b"set-cookie"]))
        assert (shown, token is not None, cookie is not None) == (200, True, True)
        form = b"username=ada&password=secret&csrfmiddlewaretoken=" + token[1]  # type: ignore[index]
        posted = http_scope(
            "POST",
            login,
            form,
            [(b"cookie", b"csrftoken=" + cookie[1])],  # type: ignore[index]
            content_type=b"application/x-www-form-urlencoded",
        )
        async with Diagnostics() as seen:
            signed_in, headers, _ = await exchange(served, posted, form)
        await settled(served)

    assert signed_in == 302
    assert seen.crossed.count("SessionMiddleware.process_response") == 1, seen.crossed
    assert seen.crossed.count("CsrfViewMiddleware.process_view") == 1, seen.crossed
    session_key = re.search(rb"sessionid=(\w+)", b" ".join(headers[b"set-cookie"]))
    assert session_key is not None
    stored = await sync_to_async(SessionStore(session_key[1].decode()).load)()
    assert stored[SESSION_KEY] == str(ada.pk)
