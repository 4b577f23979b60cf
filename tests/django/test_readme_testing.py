"""The README's "Testing async views" example, verbatim: `tests/test_readme.py` checks it."""

from django.contrib.auth.models import User

from restflow_django.test import AsyncAPITestCase


class ProductTests(AsyncAPITestCase):  # rows vanish after each test
    def setUp(self):  # stays sync: Django's TestCase never calls asyncSetUp
        self.user = User.objects.create(username="ada")

    async def test_create(self):
        self.async_client.force_authenticate(self.user)  # or credentials(HTTP_AUTHORIZATION=...)
        response = await self.async_client.post("/products/", {"name": "Lamp", "price": "9"})
        assert response.status_code == 201
        assert response.json()["name"] == "Lamp"
