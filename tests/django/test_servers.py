"""The same API served for real: under uvicorn (ASGI) over HTTP, and under WSGI."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from django.core.asgi import get_asgi_application
from django.test import Client

from tests.testapp.models import AuditEntry, Product

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def serve() -> Iterator[str]:
    """Serve the test project with uvicorn on 127.0.0.1 until the block ends; always stopped."""
    config = uvicorn.Config(
        get_asgi_application(),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
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
