"""`restflow_django.serializers`: async validation, saving and representation."""

from __future__ import annotations

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
from tests.testapp.models import Category, Product
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


class TestPartialUpdatesWriteOnlyTheirColumns:
    async def test_stale_patches_of_different_fields_both_land(self, saw: Product) -> None:
        """Two PATCHes prepared from the same stale row keep each other's change."""
        first = ProductSerializer(
            await Product.objects.aget(pk=saw.pk), data={"stock": 9}, partial=True
        )
        second = ProductSerializer(
            await Product.objects.aget(pk=saw.pk), data={"description": "sharp"}, partial=True
        )
        await first.ais_valid(raise_exception=True)
        await second.ais_valid(raise_exception=True)

        await first.asave()
        await second.asave()

        await saw.arefresh_from_db()
        assert (saw.stock, saw.description) == (9, "sharp")

    async def test_full_updates_still_write_every_field(self, saw: Product) -> None:
        """PUT keeps DRF's behaviour: the whole row is written."""
        serializer = ProductSerializer(saw, data={"name": "Jigsaw", "price": "3.00"})
        await serializer.ais_valid(raise_exception=True)

        await serializer.asave()

        await saw.arefresh_from_db()
        assert (saw.name, saw.price) == ("Jigsaw", Decimal("3.00"))
