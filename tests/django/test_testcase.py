"""`AsyncAPITestCase`: async tests whose rows vanish with the test."""

from __future__ import annotations

from restflow_django.test import AsyncAPIClient, AsyncAPITestCase
from tests.testapp.models import Product


class TestAsyncAPITestCase(AsyncAPITestCase):
    """Both tests create a product; each sees only its own."""

    async def test_first_write_is_alone(self) -> None:
        """The client posts JSON and the row is visible inside the test."""
        assert isinstance(self.async_client, AsyncAPIClient)

        response = await self.async_client.post("/soft-products/", {"name": "a", "price": "1"})

        assert response.status_code == 201
        assert [name async for name in Product.objects.values_list("name", flat=True)] == ["a"]

    async def test_second_write_is_alone(self) -> None:
        """Rows from the other test were rolled back."""
        await self.async_client.post("/soft-products/", {"name": "b", "price": "1"})

        assert [name async for name in Product.objects.values_list("name", flat=True)] == ["b"]
