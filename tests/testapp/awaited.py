"""Serializers whose hooks are `async def`, and the views serving them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from restflow_django.pagination import PageNumberPagination
from restflow_django.serializers import ModelSerializer, async_validator
from restflow_django.views import AsyncGenericAPIView, AsyncModelViewSet
from tests.testapp.models import AuditEntry, Product


@dataclass
class InFlight:
    """Counts the method-field calls running at once."""

    now: int = 0
    most: int = 0
    calls: int = 0

    def reset(self) -> None:
        self.now = self.most = self.calls = 0


tagline_calls = InFlight()


async def stock_in_pairs(value: int) -> None:
    """An async field validator."""
    await asyncio.sleep(0)
    if value % 2:
        raise serializers.ValidationError("Stock comes in pairs.")


class NotNamedInDescription:
    """An async serializer validator: the description may not repeat the name."""

    async def __call__(self, attrs: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        if attrs.get("name") and attrs.get("description") == attrs["name"]:
            raise serializers.ValidationError("The description repeats the name.")


class AwaitedProductSerializer(ModelSerializer[Product]):
    """Every kind of async hook: field validator, `validate_<field>`, `Meta.validators`,
    `validate`, `acreate`, `aupdate` and an async method field."""

    stock = serializers.IntegerField(required=False, validators=[async_validator(stock_in_pairs)])
    tagline = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "description", "tagline")
        validators: ClassVar[list[Any]] = [NotNamedInDescription()]

    async def validate_name(self, value: str) -> str:
        name = " ".join(value.split())
        others = Product.objects.filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if await others.aexists():
            raise serializers.ValidationError("A product with this name exists.")
        return name

    @override
    async def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("price") == Decimal("0.00") and attrs.get("stock"):
            raise serializers.ValidationError("Free products are not stocked.")
        return attrs

    @override
    async def acreate(self, validated_data: Any) -> Product:
        product = await Product.objects.acreate(**validated_data)
        await AuditEntry.objects.acreate(event="created", object_id=product.pk)
        return product

    @override
    async def aupdate(self, instance: Product, validated_data: Any) -> Product:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        await instance.asave()
        await AuditEntry.objects.acreate(event="updated", object_id=instance.pk)
        return instance

    async def get_tagline(self, product: Product) -> str:
        tagline_calls.calls += 1
        tagline_calls.now += 1
        tagline_calls.most = max(tagline_calls.most, tagline_calls.now)
        try:
            await asyncio.sleep(0.01)
            audits = await AuditEntry.objects.filter(object_id=product.pk).acount()
        finally:
            tagline_calls.now -= 1
        return f"{product.name} ({audits} audits)"


class RefusingProductSerializer(AwaitedProductSerializer):
    """`acreate`/`aupdate` that write, then refuse."""

    @override
    async def acreate(self, validated_data: Any) -> Product:
        await super().acreate(validated_data)
        raise serializers.ValidationError({"name": ["Refused after writing."]})

    @override
    async def aupdate(self, instance: Product, validated_data: Any) -> Product:
        await super().aupdate(instance, validated_data)
        raise serializers.ValidationError({"name": ["Refused after writing."]})


class WritingValidateSerializer(AwaitedProductSerializer):
    """A `validate` that writes with the async ORM, then refuses."""

    @override
    async def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        await AuditEntry.objects.acreate(event="validated", object_id=0)
        raise serializers.ValidationError("Refused after writing.")


class AsyncCreateSerializer(ModelSerializer[Product]):
    """`create` and `update` written `async def`, as drf-restflow's users write them."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")

    @override
    async def create(self, validated_data: Any) -> Product:  # type: ignore[override]
        return await Product.objects.acreate(**validated_data, description="async create")

    @override
    async def update(self, instance: Product, validated_data: Any) -> Product:  # type: ignore[override]
        instance.name = validated_data.get("name", instance.name)
        instance.description = "async update"
        await instance.asave()
        return instance


class AwaitedProductViewSet(AsyncModelViewSet[Product]):
    """Products through `AwaitedProductSerializer`, each write one transaction."""

    queryset = Product.objects.order_by("id")
    serializer_class: type[ModelSerializer[Product]] = AwaitedProductSerializer
    atomic = True


class Fives(PageNumberPagination):
    page_size = 5


class AwaitedProductPages(AwaitedProductViewSet):
    """The same, five a page."""

    pagination_class = Fives


class RefusingProductViewSet(AwaitedProductViewSet):
    serializer_class = RefusingProductSerializer


class WritingValidateViewSet(AwaitedProductViewSet):
    serializer_class = WritingValidateSerializer


class AsyncCreateViewSet(AwaitedProductViewSet):
    serializer_class = AsyncCreateSerializer


class AwaitedSummary(AsyncGenericAPIView[Product]):
    """Answers with `aserialized_response`, or `apaginated_response` with `?paged`."""

    queryset = Product.objects.order_by("id")
    serializer_class = AwaitedProductSerializer
    pagination_class = Fives

    async def get(self, request: Request) -> Response:
        queryset = self.get_queryset()
        if "paged" in request.query_params:
            return await self.apaginated_response(queryset)
        return await self.aserialized_response(queryset, many=True)
