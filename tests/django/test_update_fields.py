"""`Meta.update_fields = "validated"`: an update writes only the columns it was given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from restflow_django.serializers import ModelSerializer
from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Article, Category, Product, Tag
from tests.testapp.serializers import ColumnsProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

Receiver = Callable[..., None]


@pytest.fixture
def before_product_saves() -> Iterator[Callable[[Receiver], None]]:
    """Connect a `pre_save` receiver to `Product` for one test."""
    connected: list[Receiver] = []

    def connect(receiver: Receiver) -> None:
        pre_save.connect(receiver, sender=Product, weak=False)
        connected.append(receiver)

    yield connect
    for receiver in connected:
        pre_save.disconnect(receiver, sender=Product)


def written_meanwhile(sender: type[Product], instance: Product, **kwargs: Any) -> None:
    """Another writer changes the description between the request's read and its write."""
    Product.objects.filter(pk=instance.pk).update(description="written meanwhile")


def deleted_meanwhile(sender: type[Product], instance: Product, **kwargs: Any) -> None:
    """Another writer deletes the row between the request's read and its write."""
    Product.objects.filter(pk=instance.pk).delete()


class TestColumns:
    async def test_a_patch_stores_the_column_it_sends(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        response = await client.patch(f"/columns-products/{saw.pk}/", {"stock": 7})

        assert response.status_code == 200
        assert response.json()["stock"] == 7
        stored = await Product.objects.aget(pk=saw.pk)
        assert (stored.stock, stored.name, str(stored.price)) == (7, "Saw", "12.50")

    def test_the_update_statement_sets_only_that_column(self, tools: Category) -> None:
        saw = Product.objects.create(name="Saw", price="12.50", category=tools)
        serializer = ColumnsProductSerializer(saw, data={"stock": 4}, partial=True)
        assert serializer.is_valid()

        with CaptureQueriesContext(connection) as queries:
            serializer.save()

        updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
        assert len(updates) == 1
        assert '"stock"' in updates[0]
        assert not any(f'"{column}"' in updates[0] for column in ("name", "price", "category_id"))

    @pytest.mark.parametrize(
        ("path", "description"),
        [
            # Two writers of different columns of one row both keep their change.
            ("/columns-products/", "written meanwhile"),
            # Without the option the whole row is written, as DRF does.
            ("/plain-products/", None),
        ],
    )
    async def test_another_writers_column(
        self,
        client: AsyncAPIClient,
        saw: Product,
        before_product_saves: Callable[[Receiver], None],
        path: str,
        description: str | None,
    ) -> None:
        before_product_saves(written_meanwhile)

        response = await client.patch(f"{path}{saw.pk}/", {"stock": 2})

        assert response.status_code == 200
        stored = await Product.objects.aget(pk=saw.pk)
        assert (stored.stock, stored.description) == (2, description)

    async def test_many_to_many_values_are_set(self, client: AsyncAPIClient, saw: Product) -> None:
        red = await Tag.objects.acreate(name="red")

        response = await client.patch(f"/columns-products/{saw.pk}/", {"tags": [red.pk]})

        assert response.status_code == 200
        assert response.json()["tags"] == [red.pk]
        assert [tag.pk async for tag in (await Product.objects.aget(pk=saw.pk)).tags.all()] == [
            red.pk
        ]

    async def test_a_put_stores_every_field_it_sends(
        self, client: AsyncAPIClient, saw: Product, tools: Category
    ) -> None:
        response = await client.put(
            f"/columns-products/{saw.pk}/",
            {"name": "Plane", "price": "30.00", "stock": 1, "category": tools.pk, "tags": []},
        )

        assert response.status_code == 200
        stored = await Product.objects.aget(pk=saw.pk)
        assert (stored.name, str(stored.price), stored.stock) == ("Plane", "30.00", 1)

    async def test_auto_now_and_columns_save_adds_are_stored(self, client: AsyncAPIClient) -> None:
        """`updated_at` (`auto_now`) is written; `Article.save()` adds the slug it derives."""
        article = await Article.objects.acreate(title="Old title", body="one two")
        before = article.updated_at

        response = await client.patch(f"/columns-articles/{article.pk}/", {"title": "New title"})

        assert response.status_code == 200
        stored = await Article.objects.aget(pk=article.pk)
        assert (stored.title, stored.slug, stored.body) == ("New title", "new-title", "one two")
        assert stored.updated_at > before
        assert response.json() == (await client.get(f"/columns-articles/{article.pk}/")).json()

    def test_a_value_that_is_no_column_saves_the_whole_row(self, tools: Category) -> None:
        """A value `save(update_fields=...)` could not store (here an attribute that is no
        model field) makes the update DRF's whole-row save."""

        class WithNickname(ModelSerializer[Product]):
            nickname = serializers.CharField(write_only=True)

            class Meta:
                model = Product
                fields = ("id", "stock", "nickname")
                update_fields = "validated"

        saw = Product.objects.create(name="Saw", price="12.50", category=tools)
        serializer = WithNickname(saw, data={"stock": 4, "nickname": "toothy"}, partial=True)
        assert serializer.is_valid()

        with CaptureQueriesContext(connection) as queries:
            serializer.save()

        updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
        assert len(updates) == 1
        assert all(f'"{column}"' in updates[0] for column in ("stock", "name", "price"))
        saw.refresh_from_db()
        assert saw.stock == 4


class TestRefusals:
    async def test_a_row_deleted_since_it_was_read_answers_404_and_stays_deleted(
        self,
        client: AsyncAPIClient,
        saw: Product,
        before_product_saves: Callable[[Receiver], None],
    ) -> None:
        before_product_saves(deleted_meanwhile)

        response = await client.patch(f"/columns-products/{saw.pk}/", {"stock": 2})

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert not await Product.objects.filter(pk=saw.pk).aexists()

    def test_an_unknown_option_value_is_refused_with_its_choices(self, tools: Category) -> None:
        class Misconfigured(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "stock")
                update_fields = "changed"

        saw = Product.objects.create(name="Saw", price="12.50", category=tools)
        serializer = Misconfigured(saw, data={"stock": 4}, partial=True)
        assert serializer.is_valid()

        with pytest.raises(ImproperlyConfigured, match='update_fields must be "validated"'):
            serializer.save()
        saw.refresh_from_db()
        assert saw.stock == 0
