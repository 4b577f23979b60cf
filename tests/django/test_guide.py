"""The mixins guide's examples, run as written with `restflow_django.views`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


class TestProductReadAndCreateView:
    async def test_get_without_pk_lists_a_page(self, client: AsyncAPIClient) -> None:
        """`get` delegates to `list`, paginated by DRF's `PAGE_SIZE` of 10."""
        for n in range(12):
            await Product.objects.acreate(name=f"p{n}", price=1)

        response = await client.get("/composed/")

        assert response.status_code == 200
        assert response.json()["count"] == 12
        assert len(response.json()["results"]) == 10
        assert response.json()["next"] == "http://testserver/composed/?page=2"

    async def test_get_with_pk_retrieves(self, client: AsyncAPIClient, saw: Product) -> None:
        """`get` delegates to `retrieve` when the URL names a product."""
        response = await client.get(f"/composed/{saw.pk}/")

        assert response.status_code == 200
        assert response.json()["category_name"] == "tools"

    async def test_post_creates(self, client: AsyncAPIClient, tools: Category) -> None:
        """`post` delegates to `create`."""
        response = await client.post(
            "/composed/", {"name": "Drill", "price": "3.00", "category": tools.pk}
        )

        assert response.status_code == 201
        assert await Product.objects.filter(name="Drill").aexists()

    async def test_methods_without_a_handler_answer_405(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """The view defines no `put` or `delete`."""
        assert (await client.delete(f"/composed/{saw.pk}/")).status_code == 405
        assert (await client.put(f"/composed/{saw.pk}/", {})).status_code == 405


class TestProductSoftViewSet:
    async def test_list_create_and_destroy_are_served(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """The three mixed-in actions work, unpaginated; the default `aperform_destroy` deletes."""
        created = await client.post("/soft-products/", {"name": "Lamp", "price": "9.99"})
        listed = await client.get("/soft-products/")
        destroyed = await client.delete(f"/soft-products/{created.json()['id']}/")

        assert created.status_code == 201
        assert [item["name"] for item in listed.json()] == ["Lamp"]
        assert destroyed.status_code == 204
        assert await Product.objects.acount() == 0

    async def test_retrieve_and_update_answer_405(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """Without the retrieve and update mixins, GET, PUT and PATCH on a detail are 405."""
        statuses = [
            (await client.get(f"/soft-products/{saw.pk}/")).status_code,
            (await client.put(f"/soft-products/{saw.pk}/", {"name": "x"})).status_code,
            (await client.patch(f"/soft-products/{saw.pk}/", {"name": "x"})).status_code,
        ]

        assert statuses == [405, 405, 405]
        await saw.arefresh_from_db()
        assert saw.name == "Saw"
