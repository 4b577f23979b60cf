"""A `ModelViewSet` switched to restflow answers every route byte for byte as DRF does."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Category, Product, Tag

pytestmark = pytest.mark.django_db(transaction=True)

# (who, method, path, body, content type or None for JSON)
EXCHANGES: list[tuple[str | None, str, str, Any, str | None]] = [
    (None, "GET", "products/", None, None),
    (None, "GET", "products/?page=2", None, None),
    (None, "GET", "products/?page=last&page_size=2", None, None),
    (None, "GET", "products/?page=9", None, None),
    (None, "GET", "products/?page=abc", None, None),
    (None, "GET", "products/?search=saw&ordering=-price", None, None),
    (None, "GET", "products/?ordering=stock", None, None),
    (None, "GET", "products/?format=json", None, None),
    (None, "GET", "products/1/", None, None),
    (None, "GET", "products/999/", None, None),
    (None, "GET", "products/abc/", None, None),
    (None, "HEAD", "products/1/", None, None),
    (None, "OPTIONS", "products/", None, None),
    ("ada", "OPTIONS", "products/1/", None, None),
    (None, "POST", "products/", {"name": "x", "price": "1"}, None),
    ("ada", "POST", "products/", {"name": "Rasp", "price": "3.50", "tags": [1]}, None),
    ("ada", "POST", "products/", {"name": "", "price": "-", "category": 77}, None),
    ("ada", "POST", "products/", [{"name": "Rasp"}], None),
    ("ada", "POST", "products/", b'{"name": ', "application/json"),
    ("ada", "POST", "products/", b"name=x", "text/csv"),
    ("ada", "POST", "products/1/", {}, None),
    ("ada", "PUT", "products/1/", {"name": "Jigsaw", "price": "8.00"}, None),
    ("ada", "PUT", "products/1/", {"price": "8.00"}, None),
    ("ada", "PATCH", "products/2/", {"description": None, "stock": 4}, None),
    ("ada", "PATCH", "products/2/", {"stock": "many"}, None),
    ("ada", "PATCH", "products/999/", {"stock": 1}, None),
    ("ada", "PATCH", "products/abc/", {"stock": 1}, None),
    ("ada", "PATCH", "products/2/", b'{"stock": ', "application/json"),
    (None, "PATCH", "products/2/", {"stock": 1}, None),
    ("ada", "DELETE", "products/3/", None, None),
    ("ada", "DELETE", "products/3/", None, None),
    (None, "DELETE", "products/1/", None, None),
    (None, "GET", "products/", None, None),
]


def flush_with_fresh_ids() -> None:
    """Empty every table and restart the id sequences, as a fresh database would be."""
    tables = [model._meta.db_table for model in apps.get_models(include_auto_created=True)]
    existing = set(connection.introspection.table_names())
    statements = connection.ops.sql_flush(
        no_style(), [table for table in tables if table in existing], reset_sequences=True
    )
    connection.ops.execute_sql_flush(statements)


async def seed() -> None:
    """A user, two categories, a tag and three products."""
    ada = await User.objects.acreate(username="ada")
    tools = await Category.objects.acreate(name="tools")
    garden = await Category.objects.acreate(name="garden")
    await Tag.objects.acreate(name="sharp")
    for name, price, category in (
        ("Saw", "12.50", tools),
        ("Hoe", "7", garden),
        ("Jigsaw", "30", tools),
    ):
        await Product.objects.acreate(
            name=name, price=Decimal(price), category=category, created_by=ada
        )


async def replay(prefix: str) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """Run every exchange against the viewset under `prefix` on freshly seeded data."""
    await sync_to_async(flush_with_fresh_ids)()
    await seed()
    client = AsyncAPIClient()
    answers = []
    for who, method, path, body, content_type in EXCHANGES:
        user = None if who is None else await User.objects.aget(username=who)
        client.force_authenticate(user)
        url = f"/{prefix}/{path}"
        if method in {"GET", "HEAD", "OPTIONS"}:
            response = await client.generic(method, url)
        else:
            call = getattr(client, method.lower())
            response = await call(url, body, content_type=content_type)
        # Content-Length differs only by the prefixes' lengths; the bodies are compared.
        headers = sorted(
            (k, v.replace(f"/{prefix}/", "/X/"))
            for k, v in response.items()
            if k != "Content-Length"
        )
        answers.append(
            (
                response.status_code,
                headers,
                response.content.replace(f"/{prefix}/".encode(), b"/X/"),
            )
        )
    return answers


async def test_every_route_answers_as_drf_does() -> None:
    """Status, headers and body of each exchange are identical, error cases included."""
    drf = await replay("drf")
    restflow = await replay("rf")

    for exchange, expected, actual in zip(EXCHANGES, drf, restflow, strict=True):
        assert actual == expected, exchange


ACCEPTS = [
    None,
    "*/*",
    "",
    "application/json",
    "application/json; indent=2",
    "*/*; q=0.8, application/json",
    "text/html; q=0.1, */*",
    "application/xml",
]


async def test_content_negotiation_answers_as_drf_does() -> None:
    """Every `Accept` header, absent or empty included, picks DRF's renderer and media type."""
    await sync_to_async(flush_with_fresh_ids)()
    await seed()
    client = AsyncAPIClient()
    for accept in ACCEPTS:
        headers = {} if accept is None else {"Accept": accept}
        drf = await client.get("/drf/products/1/", headers=headers)
        restflow = await client.get("/rf/products/1/", headers=headers)

        # The browsable API's HTML carries a fresh CSRF token; JSON bodies must match.
        json_body = drf["Content-Type"] == "application/json"
        assert (
            restflow.status_code,
            restflow["Content-Type"],
            restflow.content if json_body else b"",
        ) == (drf.status_code, drf["Content-Type"], drf.content if json_body else b""), accept
