"""Async hooks are refused with a `TypeError` naming them wherever nothing can await them.

restflow's serializers await them in `ais_valid`, `asave` and `adata` (see
`test_async_serializers.py`); DRF's own serializers, and the sync `is_valid`, `save` and
`data` of restflow's, cannot, and say which call to make instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer
from rest_framework.validators import UniqueTogetherValidator

from restflow_django import serializers as restflow_serializers
from restflow_django.test import AsyncAPIRequestFactory
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)

BASES: list[type[Any]] = [serializers.ModelSerializer]
FIELDS = ("id", "name", "price")


# The stubs reject async validators: that is the mistake these tests make on purpose.
async def _refuse_everything(value: Any) -> None:
    """An async validator that would refuse every value, if it were ever awaited."""
    raise serializers.ValidationError("refused")


refuse_everything: Any = _refuse_everything


class AsyncRefusal:
    """A validator object whose `__call__` is async."""

    async def __call__(self, value: Any) -> None:
        raise serializers.ValidationError("refused")


def serializer_with(base: type[Any], **members: Any) -> type[BaseSerializer[Product]]:
    """A product serializer on `base` with `members` added to its class body."""
    meta = type("Meta", (), {"model": Product, "fields": FIELDS, **members.pop("meta", {})})
    # Named as a class statement here would be: the metaclass would name DRF's module.
    return type("ProductHooks", (base,), {"Meta": meta, "__module__": __name__, **members})


async def validate_name(self: Any, value: str) -> str:
    return value.upper()


async def validate(self: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    raise serializers.ValidationError("refused")


async def create(self: Any, validated_data: dict[str, Any]) -> Product:
    return await Product.objects.acreate(**validated_data)


async def update(self: Any, instance: Product, validated_data: dict[str, Any]) -> Product:
    return instance


async def get_label(self: Any, obj: Product) -> str:
    return obj.name


WRITE_HOOKS: dict[str, dict[str, Any]] = {
    "validate_name": {"validate_name": validate_name},
    "validate": {"validate": validate},
    "field validator": {
        "name": serializers.CharField(max_length=100, validators=[refuse_everything])
    },
    "validator object": {
        "name": serializers.CharField(max_length=100, validators=[cast(Any, AsyncRefusal())])
    },
    "Meta.validators": {"meta": {"validators": [refuse_everything]}},
    "create": {"create": create},
}
MESSAGES = {
    "validate_name": "ProductHooks.validate_name is `async`",
    "validate": r"ProductHooks\.validate is `async`",
    "field validator": "validator .*_refuse_everything.* on field 'name' of ProductHooks",
    "validator object": "validator .*AsyncRefusal.* on field 'name' of ProductHooks",
    "Meta.validators": "validator .*_refuse_everything.* on ProductHooks is `async`",
    "create": r"ProductHooks\.create is `async`",
}
DERIVE = "Derive the serializer from restflow_django.serializers.Serializer or ModelSerializer"


def viewset_for(
    serializer_class: type[BaseSerializer[Product]],
) -> type[AsyncModelViewSet[Product]]:
    """A model viewset over every product, with `serializer_class`."""
    return type(
        "HookViewSet",
        (AsyncModelViewSet,),
        {"queryset": Product.objects.all(), "serializer_class": serializer_class},
    )


class TestWritesRefuseAsyncHooks:
    @pytest.mark.parametrize("base", BASES)
    @pytest.mark.parametrize("hook", WRITE_HOOKS)
    async def test_create_refuses_and_stores_nothing(self, base: type[Any], hook: str) -> None:
        """A POST meeting an async validation or create hook raises `TypeError` naming it."""
        view: Any = viewset_for(serializer_with(base, **WRITE_HOOKS[hook])).as_view(
            {"post": "create"}
        )
        request = AsyncAPIRequestFactory().post("/", {"name": "Saw", "price": "3.00"})

        with pytest.raises(TypeError, match=MESSAGES[hook]):
            await view(request)

        assert await Product.objects.acount() == 0

    @pytest.mark.parametrize("base", BASES)
    @pytest.mark.parametrize("hook", ["validate_name", "validate", "Meta.validators"])
    async def test_update_refuses_and_changes_nothing(self, base: type[Any], hook: str) -> None:
        """A PATCH meeting an async validation hook raises `TypeError` and leaves the row."""
        product = await Product.objects.acreate(name="Saw", price=Decimal("3.00"))
        serializer = serializer_with(base, **WRITE_HOOKS[hook])
        view: Any = viewset_for(serializer).as_view({"patch": "partial_update"})
        request = AsyncAPIRequestFactory().patch("/", {"name": "Drill"})

        with pytest.raises(TypeError, match=MESSAGES[hook]):
            await view(request, pk=product.pk)

        assert (await Product.objects.aget(pk=product.pk)).name == "Saw"

    @pytest.mark.parametrize("base", BASES)
    @pytest.mark.parametrize("method", ["PUT", "PATCH"])
    async def test_async_update_is_refused(self, base: type[Any], method: str) -> None:
        """An `async def update` is refused before validation writes anything."""
        product = await Product.objects.acreate(name="Saw", price=Decimal("3.00"))
        view: Any = viewset_for(serializer_with(base, update=update)).as_view(
            {"put": "update", "patch": "partial_update"}
        )
        request = AsyncAPIRequestFactory().generic(
            method, "/", b'{"name": "Drill", "price": "4.00"}', "application/json"
        )

        with pytest.raises(TypeError, match=r"\.update is `async`.*" + DERIVE):
            await view(request, pk=product.pk)

        assert (await Product.objects.aget(pk=product.pk)).name == "Saw"


class TestSyncCallsRefuse:
    async def test_is_valid_save_and_data_refuse_on_restflow_serializers(self) -> None:
        """Called directly, restflow's `is_valid`, `save` and `data` refuse async hooks too."""
        validating = serializer_with(restflow_serializers.ModelSerializer, validate=validate)
        saving = serializer_with(restflow_serializers.ModelSerializer, create=create)
        rendering = serializer_with(
            restflow_serializers.ModelSerializer,
            label=serializers.SerializerMethodField(),
            get_label=get_label,
            meta={"fields": (*FIELDS, "label")},
        )

        with pytest.raises(
            TypeError,
            match=r"ProductHooks\.validate is `async`, and `is_valid\(\)` cannot await it: "
            r"its coroutine would never run\. Call `await serializer\.ais_valid\(\)` instead",
        ):
            validating(data={"name": "Saw", "price": "1"}).is_valid()
        with pytest.raises(
            TypeError, match=r"ProductHooks\.create is `async`.*`await serializer\.asave\(\)`"
        ):
            saving(data={"name": "Saw", "price": "1"}).save()
        with pytest.raises(
            TypeError, match=r"ProductHooks\.acreate is `async`.*`await serializer\.asave\(\)`"
        ):
            serializer_with(restflow_serializers.ModelSerializer, acreate=create)(
                data={"name": "Saw", "price": "1"}
            ).save()
        with pytest.raises(
            TypeError, match=r"ProductHooks\.get_label is `async`.*`await serializer\.adata`"
        ):
            _ = rendering(Product(name="Saw", price=Decimal(1))).data

        assert await Product.objects.acount() == 0

    def test_sync_hooks_and_drf_validators_are_not_refused(self) -> None:
        """Plain `def` hooks and DRF's own validator objects pass the check."""
        serializer = serializer_with(
            restflow_serializers.ModelSerializer,
            meta={
                "validators": [
                    UniqueTogetherValidator(queryset=Product.objects.all(), fields=FIELDS[1:])
                ]
            },
        )

        assert serializer(data={"name": "Saw", "price": "1"}).is_valid() is True
