"""`restflow_django.serializers`: async validation, saving and representation."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from typing_extensions import override

from restflow_django.serializers import (
    ModelSerializer,
    Serializer,
    avalidate_or_is_valid_serializer,
)
from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Article, Category, Product
from tests.testapp.serializers import PlainProductSerializer, ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


class NestedProductSerializer(ModelSerializer[Product]):
    """Creates the product's category from a nested object, as DRF users write it."""

    category = serializers.DictField(child=serializers.CharField(), write_only=True)

    class Meta:
        model = Product
        fields = ("id", "name", "price", "category")

    @override
    def create(self, validated_data: dict[str, Any]) -> Product:
        category, _ = Category.objects.get_or_create(**validated_data.pop("category"))
        return Product.objects.create(category=category, **validated_data)


class Greeting(Serializer):
    """A plain (non-model) serializer."""

    name = serializers.CharField(max_length=5)


class TestValidation:
    async def test_plain_drf_serializer_validates_in_a_thread(self, tools: Category) -> None:
        """A serializer without `ais_valid` (its related field queries) still validates."""
        serializer = PlainProductSerializer(data={"name": "a", "price": "1", "category": tools.pk})

        assert await avalidate_or_is_valid_serializer(serializer) is True
        assert serializer.validated_data["category"] == tools

    async def test_raise_exception_raises_drf_validation_error(self) -> None:
        """Invalid data with `raise_exception` raises DRF's 400 error."""
        serializer = ProductSerializer(data={"name": "a"})

        with pytest.raises(ValidationError) as caught:
            await avalidate_or_is_valid_serializer(serializer, raise_exception=True)

        assert caught.value.detail == {"price": ["This field is required."]}

    async def test_ais_valid_returns_a_bool(self) -> None:
        """`ais_valid` answers like `is_valid`."""
        assert await Greeting(data={"name": "Ada"}).ais_valid() is True
        assert await Greeting(data={"name": "Adalovelace"}).ais_valid() is False


class TestSaving:
    async def test_asave_kwargs_reach_validated_data(self, ada: Any) -> None:
        """`asave(created_by=...)` stores the extra value, as `save` does."""
        serializer = ProductSerializer(data={"name": "Saw", "price": "2.00"})
        await serializer.ais_valid(raise_exception=True)

        product = await serializer.asave(created_by=ada)

        assert product.created_by_id == ada.pk
        assert await Product.objects.filter(created_by=ada).acount() == 1

    async def test_nested_writes_run_the_serializers_create(self) -> None:
        """A custom nested `create` runs as in DRF, sync ORM included."""
        serializer = NestedProductSerializer(
            data={"name": "Rake", "price": "4.00", "category": {"name": "garden"}}
        )
        await serializer.ais_valid(raise_exception=True)

        product = await serializer.asave()

        assert [c.name async for c in Category.objects.filter(products=product)] == ["garden"]

    async def test_update_through_asave(self, saw: Product) -> None:
        """An instance serializer updates the row."""
        serializer = ProductSerializer(saw, data={"stock": 5}, partial=True)
        await serializer.ais_valid(raise_exception=True)

        await serializer.asave()

        await saw.arefresh_from_db()
        assert saw.stock == 5


class TestRepresentation:
    async def test_adata_is_awaitable_and_follows_lazy_relations(self, saw: Product) -> None:
        """`await serializer.adata` works even when the category was not selected."""
        fresh = await Product.objects.aget(pk=saw.pk)

        data = await ProductSerializer(fresh).adata

        assert data["category_name"] == "tools"
        assert data["price"] == "12.50"
        assert Decimal(data["price"]) == saw.price


class TestWritesStoreWhatDrfStores:
    @pytest.mark.parametrize("method", ["PATCH", "PUT"])
    async def test_every_column_a_write_sets_is_stored(
        self, client: AsyncAPIClient, method: str
    ) -> None:
        """Columns set by `save()`, `update()`, a `pre_save` receiver and `auto_now` all land."""
        article = await Article.objects.acreate(title="Old title", body="one")
        before = article.updated_at

        response = await client.generic(
            method,
            f"/articles/{article.pk}/",
            json.dumps({"title": "Fresh news", "body": "three short words"}),
            content_type="application/json",
        )

        assert response.status_code == 200
        stored = await Article.objects.aget(pk=article.pk)
        assert (stored.slug, stored.revision, stored.words) == ("fresh-news", 1, 3)
        assert stored.updated_at > before
        assert response.json() == (await client.get(f"/articles/{article.pk}/")).json()

    async def test_a_patch_of_one_field_stores_the_derived_ones(
        self, client: AsyncAPIClient
    ) -> None:
        """A PATCH naming only the body still stores the receiver's count and the revision."""
        article = await Article.objects.acreate(title="Kept", body="")

        response = await client.patch(f"/articles/{article.pk}/", {"body": "a b c d"})

        stored = await Article.objects.aget(pk=article.pk)
        assert (stored.title, stored.body, stored.words, stored.revision) == (
            "Kept",
            "a b c d",
            4,
            1,
        )
        assert response.json() == (await client.get(f"/articles/{article.pk}/")).json()
