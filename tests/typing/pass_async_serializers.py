# pyright: strict, reportImplicitOverride=true
"""Async serializer hooks, typed as users write them: both checkers accept them."""

from __future__ import annotations

from typing import Any, assert_type

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnDict
from typing_extensions import override

from restflow_django.serializers import ModelSerializer, async_validator
from tests.testapp.models import Product


async def positive(value: int) -> None:
    """An async field validator."""
    if value < 0:
        raise serializers.ValidationError("Must not be negative.")


class ProductSerializer(ModelSerializer[Product]):
    """Every async hook a serializer may have."""

    stock = serializers.IntegerField(validators=[async_validator(positive)])
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "summary")

    async def validate_name(self, value: str) -> str:
        if await Product.objects.filter(name=value).aexists():
            raise serializers.ValidationError("Taken.")
        return value

    @override
    async def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs

    @override
    async def acreate(self, validated_data: Any) -> Product:
        return await Product.objects.acreate(**validated_data)

    @override
    async def aupdate(self, instance: Product, validated_data: Any) -> Product:
        instance.name = validated_data.get("name", instance.name)
        await instance.asave()
        return instance

    @override
    async def ato_representation(self, instance: Any) -> dict[str, Any]:
        return await super().ato_representation(instance)

    async def get_summary(self, product: Product) -> str:
        return product.name


async def use(product: Product) -> None:
    """The awaited calls and what they give."""
    serializer = ProductSerializer(product, data={"name": "Saw"}, partial=True)
    assert_type(await serializer.ais_valid(raise_exception=True), bool)
    assert_type(await serializer.asave(), Product)
    assert_type(await serializer.adata, ReturnDict[str, Any])
    assert_type(await serializer.ato_representation(product), dict[str, Any])
