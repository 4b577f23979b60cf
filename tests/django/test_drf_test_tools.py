"""DRF's own sync test tools keep working against restflow's async views, unchanged."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APITestCase
from typing_extensions import override

from tests.testapp.models import Product


class TestApiTestCase(APITestCase):
    @override
    def setUp(self) -> None:
        self.user = User.objects.create(username="ada")

    def test_force_authenticate_and_json_bodies(self) -> None:
        self.client.force_authenticate(self.user)

        created = self.client.post("/products/", {"name": "Lamp", "price": "9"}, format="json")
        listed = self.client.get("/products/")

        assert created.status_code == 201, created.data
        assert created.data["name"] == "Lamp"
        assert [row["name"] for row in listed.data["results"]] == ["Lamp"]
        assert Product.objects.get(name="Lamp").created_by == self.user

    def test_credentials(self) -> None:
        token = Token.objects.create(user=self.user)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

        answer = self.client.get("/whoami/")

        assert answer.status_code == 200
        assert answer.data["user"] == "ada"

    def test_refusals(self) -> None:
        anonymous = self.client.post("/products/", {"name": "Lamp", "price": "9"}, format="json")

        assert anonymous.status_code in (401, 403)
        assert not Product.objects.exists()
