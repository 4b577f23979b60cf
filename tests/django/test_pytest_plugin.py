"""The `async_api_client` fixture restflow's pytest plugin gives every project."""

from __future__ import annotations

import pytest

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Product


@pytest.mark.django_db(transaction=True)
async def test_the_fixture_is_an_awaited_client(async_api_client: AsyncAPIClient) -> None:
    created = await async_api_client.post("/soft-products/", {"name": "Saw", "price": "1"})

    assert created.status_code == 201
    assert created.json()["name"] == "Saw"
    assert await Product.objects.filter(name="Saw").aexists()
