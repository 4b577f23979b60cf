"""The same API served for real: under uvicorn (ASGI) over HTTP, and under WSGI."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import httpx
import pytest
import uvicorn
from django.core.asgi import get_asgi_application
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client

from restflow_django.asgi import ReusedThreadsASGIHandler
from restflow_django.asgi import get_asgi_application as get_reused_threads_application
from tests.django.asgi_calls import connections_opened
from tests.testapp import views
from tests.testapp.models import AuditEntry, Product

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def serve(
    application: Any = None, *, lifespan: Literal["auto", "on", "off"] = "off"
) -> Iterator[str]:
    """Serve the test project with uvicorn on 127.0.0.1 until the block ends; always stopped.

    `application` defaults to Django's own ASGI application.
    """
    config = uvicorn.Config(
        application or get_asgi_application(),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan=lifespan,
        # Long enough that a client never reuses a connection the server is closing.
        timeout_keep_alive=120,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start within 10 seconds"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        assert not thread.is_alive(), "uvicorn did not stop within 20 seconds"


@pytest.fixture
def server_url() -> Iterator[str]:
    """The test project served by uvicorn for one test."""
    with serve() as url:
        yield url


class TestUvicorn:
    async def test_fifty_concurrent_creates_all_land(self, server_url: str) -> None:
        """Fifty creates at once over HTTP all answer 201 and all fifty rows exist."""
        async with httpx.AsyncClient(base_url=server_url, timeout=30) as http:
            responses = await asyncio.gather(
                *(
                    http.post("/soft-products/", json={"name": f"p{n}", "price": "1.00"})
                    for n in range(50)
                )
            )

        assert [response.status_code for response in responses] == [201] * 50
        names = {name async for name in Product.objects.values_list("name", flat=True)}
        assert names == {f"p{n}" for n in range(50)}

    async def test_reads_errors_and_lazy_relations(self, server_url: str, saw: Product) -> None:
        """List, retrieve through a lazy relation, and 404/405/400 all answer over HTTP."""
        async with httpx.AsyncClient(base_url=server_url, timeout=30) as http:
            listed = await http.get("/products/")
            lazy = await http.get(f"/lazy-products/{saw.pk}/")
            missing = await http.get("/products/abc/")
            not_allowed = await http.put("/composed/")
            malformed = await http.post(
                "/soft-products/", content=b"{", headers={"Content-Type": "application/json"}
            )

        assert listed.json()["count"] == 1
        assert lazy.json()["category_name"] == "tools"
        assert missing.status_code == 404
        assert not_allowed.status_code == 405
        assert malformed.status_code == 400


class TestSyncCodeInTheRequestThread:
    """DRF's `OPTIONS` fetches the object with the sync `get_object`, which runs restflow's
    async steps (here an `async def get_queryset`) from the request's thread."""

    async def test_under_djangos_application(self, saw: Product) -> None:
        with serve() as url:
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                answer = await http.options(f"/private-products/{saw.pk}/")

        assert answer.status_code == 200
        assert answer.json()["name"] == "Private Product Instance"

    async def test_with_reused_threads(self, saw: Product) -> None:
        with reused_threads() as (url, _):
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                answers = [await http.options(f"/private-products/{saw.pk}/") for _ in range(3)]

        assert [answer.status_code for answer in answers] == [200] * 3

    def test_under_wsgi(self, saw: Product) -> None:
        answer = Client().options(f"/private-products/{saw.pk}/")

        assert answer.status_code == 200


class TestWsgi:
    def test_async_views_serve_under_wsgi(self) -> None:
        """Django's sync handler runs the async views: create, list, retrieve, delete."""
        client = Client()

        created = client.post(
            "/soft-products/", {"name": "Lamp", "price": "2.00"}, content_type="application/json"
        )
        listed = client.get("/products/")
        fetched = client.get(f"/products/{created.json()['id']}/")
        deleted = client.delete(f"/soft-products/{created.json()['id']}/")

        assert created.status_code == 201
        assert listed.json()["count"] == 1
        assert fetched.json()["name"] == "Lamp"
        assert deleted.status_code == 204
        assert not Product.objects.exists()

    def test_atomic_actions_roll_back_under_wsgi(self) -> None:
        """A hook failing after its writes leaves nothing, served by the sync handler too."""
        client = Client(raise_request_exception=False)

        response = client.post(
            "/atomic-products/", {"name": "explode", "price": "1"}, content_type="application/json"
        )

        assert response.status_code == 500
        assert not Product.objects.exists()
        assert not AuditEntry.objects.exists()


@contextmanager
def reused_threads(**options: Any) -> Iterator[tuple[str, ReusedThreadsASGIHandler]]:
    """The test project served with restflow's reused-threads application."""
    application = ReusedThreadsASGIHandler(**options)
    try:
        with serve(application) as url:
            yield url, application
    finally:
        application.shutdown()


class TestReusedThreads:
    async def test_requests_one_after_another_reuse_threads(self) -> None:
        """Each thread serves many requests; Django's own application starts one for each.

        (A request may still be closing when the next arrives, so two threads can take
        turns.)
        """
        with reused_threads() as (url, _):
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                ours = [await http.get("/request-thread/") for _ in range(6)]
        with serve() as url:
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                djangos = [await http.get("/request-thread/") for _ in range(6)]

        assert [answer.status_code for answer in ours + djangos] == [200] * 12
        assert max(answer.json()["served"] for answer in ours) >= 3
        assert {answer.json()["served"] for answer in djangos} == {1}

    async def test_concurrent_requests_each_get_their_own_thread(self) -> None:
        """Three requests that only answer once all three run at the same time."""
        views.MEETING["barrier"] = threading.Barrier(3, timeout=20)
        application = ReusedThreadsASGIHandler(idle_threads=2)
        try:
            with serve(application) as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    answers = await asyncio.gather(
                        *(http.get("/request-thread/?meet") for _ in range(3))
                    )
            # The server has stopped, so every request has given its thread back: two
            # wait for the next requests and the third was stopped.
            assert application.idle == 2
        finally:
            application.shutdown()

        assert [answer.status_code for answer in answers] == [200] * 3
        assert len({answer.json()["thread"] for answer in answers}) == 3

    async def test_connections_follow_conn_max_age(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With `CONN_MAX_AGE` keeping connections, a reused thread keeps its connection:
        no thread opens a second one. (Under Django's own application every request's new
        thread opens one, and leaves it open after the thread is gone.)"""
        monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", None)
        with reused_threads() as (url, _), connections_opened() as opened:
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                answers = [await http.get("/request-thread/") for _ in range(6)]

        assert [answer.status_code for answer in answers] == [200] * 6
        assert 1 <= len(opened) <= 2
        assert len(set(opened)) == len(opened)

    async def test_the_api_answers_through_it(self, saw: Product) -> None:
        with reused_threads() as (url, _):
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                created = await http.post("/soft-products/", json={"name": "Vise", "price": "4"})
                fetched = await http.get(f"/products/{saw.pk}/")
                patched = await http.patch(f"/plain-products/{saw.pk}/", json={"stock": 2})

        assert created.status_code == 201
        assert fetched.json()["name"] == "Saw"
        assert patched.json()["stock"] == 2
        assert await Product.objects.filter(name="Vise").aexists()

    async def test_freezing_what_startup_loaded(self, saw: Product) -> None:
        """`freeze_startup` loads the URLconf and freezes it with everything loaded before;
        the application serves as usual."""
        gc.unfreeze()
        application = get_reused_threads_application(freeze_startup=True)
        try:
            frozen = gc.get_freeze_count()
            with serve(application) as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    fetched = await http.get(f"/products/{saw.pk}/")
        finally:
            gc.unfreeze()
            application.shutdown()

        assert frozen > 10_000
        assert fetched.json()["name"] == "Saw"

    def test_a_negative_idle_count_is_refused(self) -> None:
        with pytest.raises(ValueError, match="idle_threads"):
            ReusedThreadsASGIHandler(idle_threads=-1)


class TestLifespanAndConnectionAge:
    async def test_a_server_stopping_the_application_runs_its_shutdown(self) -> None:
        """uvicorn speaks the lifespan protocol with it: the waiting threads are stopped."""
        application = ReusedThreadsASGIHandler(idle_threads=4)
        try:
            with serve(application, lifespan="on") as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    answers = await asyncio.gather(
                        *(http.get("/request-thread/") for _ in range(3))
                    )
                for _ in range(100):
                    # A request may still be giving its thread back.
                    if application.idle:
                        break
                    await asyncio.sleep(0.02)
                idle_while_serving = application.idle
            idle_once_stopped = application.idle
        finally:
            application.shutdown()

        assert [answer.status_code for answer in answers] == [200] * 3
        assert idle_while_serving >= 1
        assert idle_once_stopped == 0

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="counts pg_stat_activity")
    async def test_idle_threads_close_connections_past_conn_max_age(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 1)
        before = await open_connections()
        with reused_threads(idle_threads=8) as (url, application):
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                answers = await asyncio.gather(*(http.get("/helpers/") for _ in range(5)))
            during = await open_connections()
            await asyncio.sleep(3)
            after = await open_connections()
            kept = application.idle

        assert [answer.status_code for answer in answers] == [200] * 5
        assert during > before
        assert after == before
        assert kept >= 1, "the threads stay; only their connections go"


async def open_connections() -> int:
    """Connections to the test database, counted from `pg_stat_activity` on another one."""
    import psycopg

    params = connection.get_connection_params()
    target = {key: params[key] for key in ("user", "password", "host", "port")}
    async with await psycopg.AsyncConnection.connect(dbname="postgres", **target) as admin:
        cursor = await admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (params["dbname"],)
        )
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


class TestSlowUploads:
    async def test_a_slow_body_holds_no_thread_until_it_has_arrived(self) -> None:
        """Three warm threads wait; three clients trickle their bodies in. The threads (and
        their connections) stay free for other requests until the bodies have arrived."""
        arrived = asyncio.Event()

        def body(name: str) -> bytes:
            return b'{"name": "' + name.encode() + b'", "price": "1"}'

        async def trickle(name: str) -> AsyncIterator[bytes]:
            whole = body(name)
            yield whole[:5]
            await arrived.wait()
            yield whole[5:]

        views.MEETING["barrier"] = threading.Barrier(3, timeout=20)
        application = ReusedThreadsASGIHandler(idle_threads=3)
        try:
            with serve(application) as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    await asyncio.gather(*(http.get("/request-thread/?meet") for _ in range(3)))
                    for _ in range(100):
                        # A request may still be giving its thread back.
                        if application.idle == 3:
                            break
                        await asyncio.sleep(0.02)
                    warm = application.idle
                    uploads = [
                        asyncio.ensure_future(
                            http.post(
                                "/helpers/",
                                content=trickle(f"slow{number}"),
                                headers={
                                    "Content-Type": "application/json",
                                    "Content-Length": str(len(body(f"slow{number}"))),
                                },
                            )
                        )
                        for number in range(3)
                    ]
                    await asyncio.sleep(0.5)
                    free_while_uploading = application.idle
                    arrived.set()
                    answers = await asyncio.gather(*uploads)
        finally:
            application.shutdown()

        assert warm == 3
        assert free_while_uploading == 3
        assert [answer.status_code for answer in answers] == [201] * 3
        assert await Product.objects.filter(name__startswith="slow").acount() == 3
