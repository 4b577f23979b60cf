"""Concrete generic views, pagination styles, response helpers and post-fetches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIClient, AsyncAPIRequestFactory
from tests.testapp.models import Category, Product, Tag
from tests.testapp.views import DrfStyleActionsWithAsyncHook

pytestmark = pytest.mark.django_db(transaction=True)


async def stock(count: int, category: Category | None = None) -> list[Product]:
    """Create `count` products priced 1, 2, ... in `category`."""
    return [
        await Product.objects.acreate(name=f"p{n}", price=Decimal(n), category=category)
        for n in range(1, count + 1)
    ]


class TestConcreteViews:
    async def test_retrieve_update_destroy_view(self, client: AsyncAPIClient, saw: Product) -> None:
        """GET, PUT, PATCH and DELETE on one concrete view."""
        fetched = await client.get(f"/detail/{saw.pk}/")
        put = await client.put(f"/detail/{saw.pk}/", {"name": "Jigsaw", "price": "5.00"})
        patched = await client.patch(f"/detail/{saw.pk}/", {"stock": 2})
        deleted = await client.delete(f"/detail/{saw.pk}/")
        gone = await client.get(f"/detail/{saw.pk}/")

        assert fetched.json()["name"] == "Saw"
        assert put.json()["name"] == "Jigsaw"
        assert patched.json()["stock"] == 2
        assert patched.json()["name"] == "Jigsaw"
        assert deleted.status_code == 204
        assert gone.status_code == 404

    async def test_list_create_view_with_limit_offset(self, client: AsyncAPIClient) -> None:
        """POST creates; GET windows by `limit` and `offset` with DRF's links."""
        await stock(5)

        created = await client.post("/window/", {"name": "extra", "price": "9.00"})
        window = (await client.get("/window/?limit=2&offset=2")).json()
        past_end = (await client.get("/window/?limit=2&offset=50")).json()
        malformed = (await client.get("/window/?limit=x&offset=-3")).json()

        assert created.status_code == 201
        assert window["count"] == 6
        assert [item["name"] for item in window["results"]] == ["p3", "p4"]
        assert window["next"] == "http://testserver/window/?limit=2&offset=4"
        assert window["previous"] == "http://testserver/window/?limit=2"
        assert past_end["results"] == []
        assert len(malformed["results"]) == 6


class TestCursorPagination:
    async def test_cursor_links_walk_every_row_once(self, client: AsyncAPIClient) -> None:
        """Following `next` visits each product once, in price order."""
        await stock(5)
        seen: list[str] = []
        url: str | None = "/cursor/"

        while url is not None:
            page = (await client.get(url)).json()
            seen += [item["name"] for item in page["results"]]
            url = page["next"]

        assert seen == ["p1", "p2", "p3", "p4", "p5"]

    async def test_tampered_cursor_answers_404(self, client: AsyncAPIClient) -> None:
        """A cursor that does not decode is DRF's "Invalid cursor"."""
        await stock(3)

        response = await client.get("/cursor/?cursor=not-a-cursor")

        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid cursor"}


class TestSyncPaginator:
    async def test_drf_paginator_works_on_an_async_view(self, client: AsyncAPIClient) -> None:
        """DRF's own `PageNumberPagination` pages an async list (in a thread)."""
        await stock(12)

        response = await client.get("/sync-pages/?page=2")

        assert response.json()["count"] == 12
        assert [item["name"] for item in response.json()["results"]] == ["p11", "p12"]


class TestHelpers:
    async def test_paginated_response_runs_post_fetches_on_the_page(
        self, client: AsyncAPIClient, tools: Category
    ) -> None:
        """Post-fetches see only the page's rows; the response serializer reads them."""
        products = await stock(3, tools)
        red = await Tag.objects.acreate(name="red")
        blue = await Tag.objects.acreate(name="blue")
        await products[0].tags.aset([red, blue])
        await products[2].tags.aset([red])

        response = await client.get("/summary/?page=2")

        assert response.status_code == 200
        assert response["X-Shape"] == "summary"
        assert response.json()["count"] == 3
        assert response.json()["results"] == [
            {
                "id": products[2].pk,
                "name": "p3",
                "tag_count": 1,
                "tag_names": ["red"],
                "category_products": ["p1", "p2", "p3"],
            }
        ]

    async def test_serialized_response_with_status_and_post_fetch(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """`aserialized_response` uses the response serializer, status and post-fetches."""
        response = await client.get(f"/summary/{saw.pk}/")

        assert response.status_code == 203
        assert response.json()["tag_count"] == 0


class TestAsyncAPITestCaseIsolation:
    async def test_users_created_here_do_not_leak(self, ada: User) -> None:
        """Each test starts empty: only this test's user exists."""
        assert [user.username async for user in User.objects.all()] == ["ada"]


class TestDrfStyleSyncActions:
    async def test_sync_list_override_answers(self, client: AsyncAPIClient, saw: Product) -> None:
        """A plain `def list` on a concrete async view runs in a thread and answers 200."""
        response = await client.get("/drf-style-actions/")

        assert (response.status_code, response.json()) == (200, {"names": ["Saw"]})

    async def test_sync_create_override_saves_through_perform_create(
        self, client: AsyncAPIClient
    ) -> None:
        """A plain `def create` calling DRF's `perform_create` stores the row and answers 201."""
        response = await client.post("/drf-style-actions/", {"name": "Drill", "price": "4.00"})

        assert (response.status_code, response.json()) == (201, {"created": "Drill"})
        assert [name async for name in Product.objects.values_list("name", flat=True)] == ["Drill"]

    async def test_sync_create_awaits_an_async_hook(self) -> None:
        """DRF's sync `perform_create`, called by a sync `create`, awaits `aperform_create`."""
        view: Any = DrfStyleActionsWithAsyncHook.as_view()

        response = await view(AsyncAPIRequestFactory().post("/", {"name": "Drill", "price": "4"}))

        assert response.status_code == 201
        assert (await Product.objects.aget(name="Drill")).description == "from aperform_create"
