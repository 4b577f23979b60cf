"""The mistakes of a DRF project moving to async views get errors that say what to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.test import AsyncAPIRequestFactory
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)


class DrfProducts(serializers.ModelSerializer[Product]):
    """DRF's own serializer."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")


async def create(viewset: type[AsyncModelViewSet[Product]]) -> Any:
    view: Any = viewset.as_view({"post": "create"})
    return await view(AsyncAPIRequestFactory().post("/", {"name": "Saw", "price": "1"}))


class TestPortingMistakes:
    async def test_a_sync_def_where_restflow_awaits_names_both_fixes(self) -> None:
        class SyncHook(AsyncModelViewSet[Product]):
            queryset = Product.objects.all()
            serializer_class = DrfProducts

            @override
            def aperform_create(self, serializer: BaseSerializer[Product]) -> None:  # type: ignore[override]
                serializer.save()

        with pytest.raises(
            TypeError,
            match=r"SyncHook\.aperform_create is a plain `def`, and restflow awaits it\. "
            r"Write `async def aperform_create\(\.\.\.\)`.*override the DRF-style "
            r"`perform_create`",
        ):
            await create(SyncHook)
        assert await Product.objects.acount() == 0

    async def test_the_sync_orm_in_an_async_hook_names_the_hook_and_the_way_out(self) -> None:
        class SyncOrmInHook(AsyncModelViewSet[Product]):
            queryset = Product.objects.all()
            serializer_class = DrfProducts

            @override
            async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
                serializer.save()

        with pytest.raises(
            SynchronousOnlyOperation,
            match=r"It was called from `aperform_create` \(.*test_porting_errors\.py, line "
            r"\d+\)\. In an `async def` hook, use the async ORM .*`await asave\(serializer\)`",
        ):
            await create(SyncOrmInHook)
        assert await Product.objects.acount() == 0

    async def test_asave_on_a_drf_serializer_points_to_restflow(self) -> None:
        class AsaveOnDrf(AsyncModelViewSet[Product]):
            queryset = Product.objects.all()
            serializer_class = DrfProducts

            @override
            async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
                await serializer.asave()  # type: ignore[attr-defined]

        with pytest.raises(
            TypeError,
            match=r"DrfProducts is a DRF serializer, which has no `asave`\. Call restflow's "
            r"`await asave\(serializer\)`.*or derive it from restflow_django\.serializers",
        ):
            await create(AsaveOnDrf)
        assert await Product.objects.acount() == 0

    async def test_async_hooks_on_a_drf_serializer_point_to_restflow(self) -> None:
        class AsyncHookOnDrf(DrfProducts):
            async def validate_name(self, value: str) -> str:
                return value

        class UsesIt(AsyncModelViewSet[Product]):
            queryset = Product.objects.all()
            serializer_class = AsyncHookOnDrf

        with pytest.raises(
            TypeError,
            match=r"AsyncHookOnDrf\.validate_name is `async`.*Derive the serializer from "
            r"restflow_django\.serializers\.Serializer or ModelSerializer",
        ):
            await create(UsesIt)
