"""`aon_commit` in an atomic action: the notice goes out after the commit, or never."""

from __future__ import annotations

import pytest

from restflow_django.test import AsyncAPIClient
from tests.testapp import dropin
from tests.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_announcements() -> None:
    dropin.ANNOUNCED.clear()


async def test_the_callback_runs_after_the_commit(client: AsyncAPIClient) -> None:
    response = await client.post("/announcing/", {"name": "Saw", "price": "1"})

    assert response.status_code == 201
    product = await Product.objects.aget(name="Saw")
    announced = dropin.ANNOUNCED
    # Announced once, with the transaction no longer open.
    assert announced == [(product.pk, False)]


async def test_a_rollback_drops_it(client: AsyncAPIClient) -> None:
    response = await client.post("/announcing/?refuse", {"name": "Saw", "price": "1"})

    assert response.status_code == 400
    assert await Product.objects.acount() == 0
    announced = dropin.ANNOUNCED
    assert announced == []
