"""The README's quick start, run as printed, with a plain DRF serializer behind it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from tests.test_readme import section_code
from tests.testapp.models import Product
from tests.testapp.serializers import PlainProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_start() -> dict[str, Any]:
    """The names the quick start's code defines, with the names it leaves to the reader."""
    announced: list[Product] = []

    async def notify_created(instance: Product) -> None:
        announced.append(instance)

    namespace: dict[str, Any] = {
        "Product": Product,
        "ProductSerializer": PlainProductSerializer,
        "notify_created": notify_created,
        "announced": announced,
    }
    code = section_code("Quick start: an existing DRF API, async")
    exec(compile(code, "README.md quick start", "exec"), namespace)
    return namespace


async def test_create_stores_the_hooks_user_with_a_plain_drf_serializer(
    quick_start: dict[str, Any], ada: User
) -> None:
    """`await asave(serializer, created_by=...)` saves through a plain DRF serializer."""
    view = quick_start["ProductViewSet"].as_view({"post": "create"})
    request = AsyncAPIRequestFactory().post("/", {"name": "Lamp", "price": "9.00"})
    force_authenticate(request, ada)

    response = await view(request)

    assert response.status_code == 201
    stored = await Product.objects.select_related("created_by").aget(pk=response.data["id"])
    assert stored.created_by == ada
    assert [product.pk for product in quick_start["announced"]] == [stored.pk]


async def test_destroy_is_the_soft_delete(quick_start: dict[str, Any], ada: User) -> None:
    """The quick start's `aperform_destroy` keeps the row and marks it deleted."""
    product = await Product.objects.acreate(name="Lamp", price=9)
    view = quick_start["ProductViewSet"].as_view({"delete": "destroy"})
    request = AsyncAPIRequestFactory().delete("/")
    force_authenticate(request, ada)

    response = await view(request, pk=product.pk)

    assert response.status_code == 204
    assert (await Product.objects.aget(pk=product.pk)).is_deleted
