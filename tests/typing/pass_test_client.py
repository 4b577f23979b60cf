# pyright: strict, reportImplicitOverride=true
"""Tests written as the README shows them type-check: the async client is fully typed."""

from __future__ import annotations

from typing import Any, assert_type

from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIClient, AsyncAPITestCase


class ProductTests(AsyncAPITestCase):
    user: User

    async def test_create(self) -> None:
        assert_type(self.async_client, AsyncAPIClient)
        self.async_client.force_authenticate(self.user)
        self.async_client.credentials(HTTP_AUTHORIZATION="Token abc")
        listed = await self.async_client.get("/products/")
        created = await self.async_client.post("/products/", {"name": "Lamp", "price": "9"})
        changed = await self.async_client.patch("/products/1/", {"price": "8"})
        replaced = await self.async_client.put("/products/1/", {"name": "Lamp", "price": "8"})
        deleted = await self.async_client.delete("/products/1/")
        for response in (listed, created, changed, replaced, deleted):
            status: int = response.status_code
            body: Any = response.json()
            assert status
            assert body is not None
        assert created.status_code == 201
        self.async_client.logout()
        await self.async_client.alogout()

    async def test_self_client_is_awaited_too(self) -> None:
        assert_type(self.client, AsyncAPIClient)
        self.client.force_authenticate(self.user)
        answer = await self.client.get("/products/")
        assert answer.status_code == 200
