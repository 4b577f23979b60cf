"""restflow beside the tools DRF users already have: routers, streaming, tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import AuditEntry, Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


async def read_stream(response: Any) -> bytes:
    """Read a streaming response's body through its async iterator."""
    return b"".join([chunk async for chunk in response.streaming_content])


class TestSideBySide:
    async def test_drf_and_restflow_viewsets_share_one_router(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """A sync DRF viewset and async restflow ones answer from the same DefaultRouter."""
        root = (await client.get("/")).json()
        sync = await client.get("/drf-side-by-side/")
        asynchronous = await client.get("/products/")

        assert {"drf-side-by-side", "products"} <= set(root)
        assert sync.json()["count"] == asynchronous.json()["count"] == 1


class TestStreaming:
    async def test_ndjson_streams_one_document_per_row(
        self, client: AsyncAPIClient, tools: Category
    ) -> None:
        """Rows arrive in chunks from the async ORM, one JSON document per line."""
        for n in range(5):
            await Product.objects.acreate(name=f"p{n}", price=n, category=tools)

        response = await client.get("/streamed-products/export/")
        body = await read_stream(response)

        assert response["Content-Type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in body.splitlines()]
        assert [line["name"] for line in lines] == [f"p{n}" for n in range(5)]
        assert {line["category_name"] for line in lines} == {"tools"}

    async def test_json_array_streams_as_one_document(
        self, client: AsyncAPIClient, tools: Category
    ) -> None:
        """The array form is valid JSON, empty tables included."""
        empty = await client.get("/streamed-products/export/?as=array")
        empty_body = await read_stream(empty)
        await Product.objects.acreate(name="a", price=1, category=tools)
        await Product.objects.acreate(name="b", price=2, category=tools)
        full = await client.get("/streamed-products/export/?as=array")
        full_body = await read_stream(full)

        assert json.loads(empty_body) == []
        assert [row["name"] for row in json.loads(full_body)] == ["a", "b"]


class TestTokenAuthentication:
    async def test_token_authenticates_on_async_views(self, ada: User) -> None:
        """DRF's TokenAuthentication (sync, run in a thread) identifies the user."""
        token = await Token.objects.acreate(user=ada)
        client = AsyncAPIClient()

        response = await client.get("/whoami/", headers={"Authorization": f"Token {token.key}"})
        refused = await client.get("/whoami/", headers={"Authorization": "Token nope"})

        assert response.json() == {"user": "ada"}
        assert refused.status_code in {401, 403}


class TestDrfPerformHooks:
    async def test_sync_perform_hooks_moved_from_drf_still_run(
        self, client: AsyncAPIClient
    ) -> None:
        """`perform_create`, `perform_update` and `perform_destroy` run, in a thread."""
        created = await client.post("/drf-hooks/", {"name": "Saw", "price": "1.00"})
        product_id = created.json()["id"]
        patched = await client.patch(f"/drf-hooks/{product_id}/", {"stock": 2})
        deleted = await client.delete(f"/drf-hooks/{product_id}/")

        assert created.json()["description"] == "from perform_create"
        assert patched.json()["description"] == "from perform_update"
        assert deleted.status_code == 204
        product = await Product.objects.aget(pk=product_id)
        assert (product.stock, product.is_deleted) == (2, True)
        assert await AuditEntry.objects.filter(event="drf_create").acount() == 1


class TestRequestFactory:
    async def test_factory_requests_carry_json_by_default(self, ada: User) -> None:
        """`AsyncAPIRequestFactory().post(path, data)` sends JSON, as DRF's factory does."""
        from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
        from tests.testapp.views import PlainProductViewSet

        request = AsyncAPIRequestFactory().post("/", {"name": "Saw", "price": "1.00"})
        force_authenticate(request, ada)
        view: Any = PlainProductViewSet.as_view({"post": "create"})

        response = await view(request)

        assert request.content_type == "application/json"
        assert response.status_code == 201
