"""The README's demo command, served for real: the shop API, its schema and Swagger UI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from examples.shop.catalog.seed import demo_token
from tests.processes import stop

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving_demo(database: Path) -> Iterator[str]:
    """Run `python -m examples.shop.serve` on `database` at 127.0.0.1; its URL. Always
    stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.shop.serve", "--port", str(port), "--db", str(database)],
        cwd=ROOT,
        # The demo runs with its own settings, not the test suite's.
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/api/", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0]
                time.sleep(0.2)
        else:
            pytest.fail("the demo did not answer within 60 seconds")
        yield url
    finally:
        stop(server)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo on a fresh database, for this module."""
    with serving_demo(tmp_path_factory.mktemp("shop") / "shop.sqlite3") as url:
        yield url


def signed_in(user: str) -> dict[str, str]:
    """Headers for `user`'s demo token."""
    return {"Authorization": f"Token {demo_token(user)}"}


class TestDemoShop:
    def test_catalogue_is_browsable_searchable_and_paginated(self, shop: str) -> None:
        """The sample data lists, filters, searches, orders and pages."""
        listed = httpx.get(f"{shop}/api/products/").json()
        tools = httpx.get(f"{shop}/api/products/?category=1&ordering=-price&page_size=3").json()
        searched = httpx.get(f"{shop}/api/products/?search=saw").json()
        html = httpx.get(f"{shop}/api/products/", headers={"Accept": "text/html"})

        assert listed["count"] == 28
        assert len(listed["results"]) == 10
        prices = [float(item["price"]) for item in tools["results"]]
        assert prices == sorted(prices, reverse=True)
        assert [item["name"] for item in searched["results"]] == ["Saw"]
        assert html.status_code == 200
        assert "text/html" in html.headers["content-type"]

    def test_owners_write_and_others_are_refused(self, shop: str) -> None:
        """ada creates and archives her product; bob may not touch it; anonymous may not post."""
        anonymous = httpx.post(f"{shop}/api/products/", json={"name": "x", "price": "1"})
        created = httpx.post(
            f"{shop}/api/products/",
            json={"name": "Mallet", "price": "9.50", "category": 1},
            headers=signed_in("ada"),
        )
        product = created.json()
        refused = httpx.patch(product["url"], json={"price": "1.00"}, headers=signed_in("bob"))
        archived = httpx.delete(product["url"], headers=signed_in("ada"))
        gone = httpx.get(product["url"])

        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Token"
        assert created.status_code == 201
        assert created.headers["location"] == product["url"]
        assert product["created_by"] == "ada"
        assert refused.status_code == 403
        assert archived.status_code == 204
        assert gone.status_code == 404

    def test_reviews_action(self, shop: str) -> None:
        """A custom action: list a product's reviews, add one, refuse a second."""
        first = httpx.post(
            f"{shop}/api/products/1/reviews/",
            json={"rating": 4, "body": "Solid."},
            headers=signed_in("ada"),
        )
        second = httpx.post(
            f"{shop}/api/products/1/reviews/", json={"rating": 1}, headers=signed_in("ada")
        )
        listed = httpx.get(f"{shop}/api/products/1/reviews/").json()

        assert first.status_code == 201
        assert first.json()["author"] == "ada"
        assert second.status_code == 400
        assert listed["count"] == 2

    def test_export_streams_ndjson(self, shop: str) -> None:
        """The export action streams one JSON document per product."""
        with httpx.stream("GET", f"{shop}/api/products/export/?category=4") as response:
            lines = [json.loads(line) for line in response.iter_lines() if line]

        assert response.headers["content-type"] == "application/x-ndjson"
        assert [line["category_name"] for line in lines] == ["Books"] * 6

    def test_schema_is_valid_openapi_and_describes_the_api(self, shop: str) -> None:
        """The served schema validates, and covers pagination, filters and the actions."""
        schema = httpx.get(f"{shop}/api/schema/", headers={"Accept": "application/json"})
        swagger = httpx.get(f"{shop}/api/docs/")

        document = schema.json()
        validate(document)
        paths = document["paths"]
        listing = paths["/api/products/"]["get"]
        parameters = {parameter["name"] for parameter in listing["parameters"]}
        assert {"page", "page_size", "search", "ordering", "category", "min_price"} <= parameters
        page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert page.endswith("/PaginatedProductList")
        review = paths["/api/products/{id}/reviews/"]["post"]
        body = review["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/ReviewWriteRequest")
        created = review["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
        assert created.endswith("/Review")
        assert swagger.status_code == 200
        assert "swagger-ui" in swagger.text
