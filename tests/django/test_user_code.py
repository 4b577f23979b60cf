"""Sync and async user code in every slot: querysets, filters, permissions, versioning."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def shelves(ada: User, tools: Category) -> tuple[Product, Product]:
    """A stocked tool owned by ada and an unstocked garden product owned by nobody."""
    garden = await Category.objects.acreate(name="garden")
    stocked = await Product.objects.acreate(
        name="Saw", price=Decimal(1), stock=2, category=tools, created_by=ada
    )
    empty = await Product.objects.acreate(name="Hoe", price=Decimal(1), category=garden)
    return stocked, empty


class TestAsyncQuerysetAndSyncFilter:
    async def test_list_uses_both(
        self, client: AsyncAPIClient, ada: User, shelves: tuple[Product, Product]
    ) -> None:
        """An `async def get_queryset` is awaited and a DB-reading sync filter runs in a thread."""
        client.force_authenticate(ada)

        response = await client.get("/private-products/")

        assert [item["name"] for item in response.json()] == ["Saw"]

    async def test_filtered_out_objects_are_404(
        self, client: AsyncAPIClient, ada: User, shelves: tuple[Product, Product]
    ) -> None:
        """A row the filter backend drops is invisible to detail actions."""
        client.force_authenticate(ada)

        response = await client.get(f"/private-products/{shelves[1].pk}/")

        assert response.status_code == 404


class TestObjectPermissionOnEveryDetailAction:
    @pytest.mark.parametrize(
        ("method", "body"),
        [
            ("get", None),
            ("put", {"name": "x", "price": "1"}),
            ("patch", {"stock": 0}),
            ("delete", None),
        ],
    )
    async def test_refused_for_another_user(
        self,
        client: AsyncAPIClient,
        bob: User,
        shelves: tuple[Product, Product],
        method: str,
        body: object,
    ) -> None:
        """Retrieve, update, partial update and destroy all answer 403 and change nothing."""
        stocked = shelves[0]
        client.force_authenticate(bob)
        url = f"/private-products/{stocked.pk}/"

        if body is None:
            response = await getattr(client, method)(url)
        else:
            response = await getattr(client, method)(url, body)

        assert response.status_code == 403
        assert response.json() == {"detail": "This product is private."}
        await stocked.arefresh_from_db()
        assert (stocked.name, stocked.stock, stocked.is_deleted) == ("Saw", 2, False)


class TestVersioning:
    async def test_accept_header_version_reaches_the_handler(self, client: AsyncAPIClient) -> None:
        """DRF's versioning runs on the async path."""
        response = await client.get("/version/", headers={"Accept": "application/json; version=2"})

        assert response.json() == {"version": "2"}


class TestDjangoFilter:
    async def test_filterset_narrows_the_list(
        self, client: AsyncAPIClient, shelves: tuple[Product, Product]
    ) -> None:
        """`DjangoFilterBackend` with a `FilterSet` (its choice field queries) works."""
        response = await client.get("/filtered-products/?category=tools&min_price=1")

        assert [item["name"] for item in response.json()] == ["Saw"]

    async def test_invalid_filter_values_answer_400(
        self, client: AsyncAPIClient, shelves: tuple[Product, Product]
    ) -> None:
        """An unknown choice is django-filter's 400, not a server error."""
        response = await client.get("/filtered-products/?category=toys&min_price=abc")

        assert response.status_code == 400
        assert set(response.json()) == {"category", "min_price"}
