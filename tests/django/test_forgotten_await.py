"""A hook that forgets to await restflow's async API fails loudly: a 500 whose log names
the hook and the call, never a success for work that did not happen."""

from __future__ import annotations

import logging

import pytest
from django.urls import include, path
from rest_framework.routers import SimpleRouter
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.serializers import asave
from restflow_django.test import AsyncAPIClient
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


class Products(AsyncModelViewSet[Product]):
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer


class ForgetsTheFunction(Products):
    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        asave(serializer)  # type: ignore[unused-coroutine]  # the mistake under test


class ForgetsTheMethod(Products):
    @override
    async def aperform_update(self, serializer: BaseSerializer[Product]) -> None:
        assert isinstance(serializer, ProductSerializer)
        serializer.asave()  # type: ignore[unused-coroutine]  # the mistake under test


class ForgetsTheData(Products):
    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        assert isinstance(serializer, ProductSerializer)
        await serializer.asave()
        serializer.adata  # type: ignore[unused-awaitable]  # noqa: B018  # the mistake under test


class AwaitsEverything(Products):
    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        assert isinstance(serializer, ProductSerializer)
        await serializer.asave()
        await serializer.adata


router = SimpleRouter()
router.register("function", ForgetsTheFunction, basename="function")
router.register("method", ForgetsTheMethod, basename="method")
router.register("data", ForgetsTheData, basename="data")
router.register("awaited", AwaitsEverything, basename="awaited")
urlpatterns = [path("", include(router.urls))]


@pytest.fixture
def client() -> AsyncAPIClient:
    """A client that sees a 500 as a response."""
    return AsyncAPIClient(raise_request_exception=False)


async def test_a_forgotten_asave_is_a_500_naming_the_hook(
    client: AsyncAPIClient, caplog: pytest.LogCaptureFixture
) -> None:
    """`asave(serializer)` without `await` in `aperform_create`: 500, nothing stored."""
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = await client.post("/function/", {"name": "Saw", "price": "1"})

    assert response.status_code == 500
    assert "ForgetsTheFunction.aperform_create returned without awaiting" in caplog.text
    assert "`await asave(serializer)`" in caplog.text
    assert await Product.objects.acount() == 0


async def test_a_forgotten_method_call_on_update_is_a_500_and_changes_nothing(
    client: AsyncAPIClient, caplog: pytest.LogCaptureFixture
) -> None:
    """`serializer.asave()` without `await` in `aperform_update`: 500, the row unchanged."""
    saw = await Product.objects.acreate(name="Saw", price=1)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = await client.patch(f"/method/{saw.pk}/", {"name": "Drill"})

    assert response.status_code == 500
    assert "ForgetsTheMethod.aperform_update" in caplog.text
    assert "`await serializer.asave()`" in caplog.text
    assert [p.name async for p in Product.objects.all()] == ["Saw"]


async def test_a_forgotten_adata_is_a_500_too(
    client: AsyncAPIClient, caplog: pytest.LogCaptureFixture
) -> None:
    """An un-awaited `serializer.adata` is named as well."""
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = await client.post("/data/", {"name": "Saw", "price": "1"})

    assert response.status_code == 500
    assert "`await serializer.adata`" in caplog.text


async def test_a_hook_that_awaits_everything_answers_201(client: AsyncAPIClient) -> None:
    """The same calls, awaited, answer as usual."""
    response = await client.post("/awaited/", {"name": "Saw", "price": "1"})

    assert response.status_code == 201
    assert [p.name async for p in Product.objects.all()] == ["Saw"]
