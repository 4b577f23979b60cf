"""Hostile and malformed input: every case is a clear 4xx, never a 500, never a write."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author(client: AsyncAPIClient, ada: User) -> AsyncAPIClient:
    """The client, authenticated as ada, receiving server errors as responses."""
    hardened = AsyncAPIClient(raise_request_exception=False)
    hardened.force_authenticate(ada)
    return hardened


class TestBodies:
    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ([{"name": "x"}], "Invalid data. Expected a dictionary, but got list."),
            ("just text", "Invalid data. Expected a dictionary, but got str."),
            (17, "Invalid data. Expected a dictionary, but got int."),
        ],
    )
    async def test_json_that_is_not_an_object_is_400(
        self, author: AsyncAPIClient, body: Any, message: str
    ) -> None:
        """Lists, strings and numbers where an object belongs are DRF's 400."""
        response = await author.post("/products/", body)

        assert response.status_code == 400
        assert response.json() == {"non_field_errors": [message]}
        assert await Product.objects.acount() == 0

    async def test_json_null_is_400(self, author: AsyncAPIClient) -> None:
        """A `null` body says no data was provided."""
        response = await author.post("/products/", b"null", content_type="application/json")

        assert response.status_code == 400
        assert await Product.objects.acount() == 0

    @pytest.mark.parametrize(
        "raw", [b'{"name": ', b"{'name': 'x'}", b"\xff\xfe", b'{"name": "x", }', b"NaN"]
    )
    async def test_malformed_json_is_400(self, author: AsyncAPIClient, raw: bytes) -> None:
        """Truncated, single-quoted, non-UTF-8 and trailing-comma JSON are parse errors."""
        response = await author.post("/products/", raw, content_type="application/json")

        assert response.status_code == 400
        assert await Product.objects.acount() == 0

    async def test_truncated_deep_json_is_a_parse_error(
        self, author: AsyncAPIClient, saw: Product
    ) -> None:
        """A body 5,000 objects deep and cut short is a 400 parse error, nothing written.

        Which fault the parser meets first depends on the Python: 3.11's runs out of depth,
        3.13's (deeper) reaches the cut. Either is what the user sees, named.
        """
        raw = b'{"a":' * 5_000
        created = await author.post("/products/", raw, content_type="application/json")
        edited = await author.patch(f"/products/{saw.pk}/", raw, content_type="application/json")

        for response in (created, edited):
            assert response.status_code == 400
            assert response.json()["detail"] in (
                "Parse error - the body is nested too deeply.",
                "JSON parse error - Expecting value: line 1 column 25001 (char 25000)",
            )
        assert await Product.objects.acount() == 1
        assert (await Product.objects.aget(pk=saw.pk)).name == saw.name

    @pytest.mark.parametrize("raw", [b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, b"[" * 100_000])
    async def test_json_nested_too_deeply_is_400(
        self, author: AsyncAPIClient, saw: Product, raw: bytes
    ) -> None:
        """JSON nested deeper than Python can parse is a parse error, for writes and edits."""
        created = await author.post("/products/", raw, content_type="application/json")
        edited = await author.patch(f"/products/{saw.pk}/", raw, content_type="application/json")

        for response in (created, edited):
            assert response.status_code == 400
            assert response.json() == {"detail": "Parse error - the body is nested too deeply."}
        assert await Product.objects.acount() == 1
        assert (await Product.objects.aget(pk=saw.pk)).name == saw.name

    @pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
    async def test_wrong_or_missing_content_type_is_415(
        self, author: AsyncAPIClient, content_type: str
    ) -> None:
        """A body DRF has no parser for, or no content type at all, is 415."""
        response = await author.generic(
            "POST", "/products/", b'{"name": "x", "price": "1"}', content_type
        )

        assert response.status_code == 415
        assert await Product.objects.acount() == 0

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    async def test_body_over_the_upload_limit_is_rejected(self, author: AsyncAPIClient) -> None:
        """A body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused before parsing."""
        response = await author.post(
            "/products/", {"name": "x", "price": "1", "description": "a" * 5000}
        )

        assert response.status_code == 413
        assert response.json() == {
            "detail": "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
        }
        assert await Product.objects.acount() == 0

    async def test_unknown_fields_are_ignored(self, author: AsyncAPIClient) -> None:
        """Fields the serializer does not declare are dropped, as in DRF."""
        response = await author.post(
            "/products/", {"name": "x", "price": "1", "is_deleted": True, "hack": 1}
        )

        assert response.status_code == 201
        assert not (await Product.objects.aget(pk=response.json()["id"])).is_deleted

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": 5, "price": "1", "stock": "lots"}, "stock"),
            ({"name": "x", "price": [1]}, "price"),
            ({"name": {"a": 1}, "price": "1"}, "name"),
            ({"name": "x", "price": "1", "tags": "red"}, "tags"),
            ({"name": "x", "price": "1", "category": "tools"}, "category"),
            ({"name": "x", "price": "1e400"}, "price"),
            ({"name": "x" * 101, "price": "1"}, "name"),
            ({"name": "x", "price": "123456789.00"}, "price"),
        ],
    )
    async def test_wrong_types_are_field_errors(
        self, author: AsyncAPIClient, payload: dict[str, Any], field: str
    ) -> None:
        """Each wrong type is reported on its field."""
        response = await author.post("/products/", payload)

        assert response.status_code == 400
        assert field in response.json()
        assert await Product.objects.acount() == 0

    async def test_non_ascii_text_is_stored_as_sent(self, author: AsyncAPIClient) -> None:
        """Unicode names round-trip."""
        response = await author.post("/products/", {"name": "Säge 🪚 鋸", "price": "1"})

        assert response.json()["name"] == "Säge 🪚 鋸"


async def detail_statuses(client: AsyncAPIClient, url: str, body: dict[str, Any]) -> set[int]:
    """The statuses of GET, PUT, PATCH and DELETE on `url` (writes send `body`)."""
    return {
        (await client.get(url)).status_code,
        (await client.put(url, body)).status_code,
        (await client.patch(url, body)).status_code,
        (await client.delete(url)).status_code,
    }


class TestIds:
    @pytest.mark.parametrize(
        "key", ["abc", "-1", "0", "1.5", "99999999999999999999999999", "%C3%BC", "1e3", "%20"]
    )
    async def test_malformed_ids_are_404_for_every_detail_action(
        self, author: AsyncAPIClient, saw: Product, key: str
    ) -> None:
        """GET, PUT, PATCH and DELETE on a malformed id are all 404 and change nothing."""
        statuses = await detail_statuses(author, f"/products/{key}/", {"name": "x", "price": "1"})

        assert statuses == {404}
        await saw.arefresh_from_db()
        assert (saw.name, saw.stock, saw.is_deleted) == ("Saw", 0, False)

    @pytest.mark.parametrize("key", ["to%00ols", "%00"])
    async def test_nul_characters_in_a_text_key_are_404(
        self, author: AsyncAPIClient, tools: Category, key: str
    ) -> None:
        """A text key with a NUL character matches no row (PostgreSQL cannot even hold one)."""
        statuses = await detail_statuses(author, f"/named-categories/{key}/", {"name": "x"})

        assert statuses == {404}
        assert [category.name async for category in Category.objects.all()] == ["tools"]
        assert (await author.get("/named-categories/tools/")).json()["name"] == "tools"


class TestQueryParameters:
    async def test_null_characters_in_search_are_400(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """DRF's search refuses NUL characters with a 400."""
        response = await client.get("/products/?search=%00")

        assert response.status_code == 400

    @pytest.mark.parametrize(
        "query",
        [
            "page_size=-5",
            "page_size=0",
            "page_size=abc",
            "page_size=99999999999999999999",
            "ordering=password",
            "ordering=created_by__password",
            "ordering=-,,--name",
            "search=%27%3B%20DROP%20TABLE%20testapp_product%3B%20--",
            "search=%25%25%25",
            "search=" + "x" * 5000,
        ],
    )
    async def test_tampered_parameters_never_fail(
        self, client: AsyncAPIClient, saw: Product, query: str
    ) -> None:
        """Bad sizes fall back, disallowed orderings are ignored, SQL is just text."""
        response = await client.get(f"/products/?{query}")

        assert response.status_code == 200
        assert await Product.objects.acount() == 1

    @pytest.mark.parametrize("query", ["limit=-1&offset=-1", "limit=abc", "offset=1e9", "limit=0"])
    async def test_tampered_limit_and_offset_fall_back(
        self, client: AsyncAPIClient, saw: Product, query: str
    ) -> None:
        """Limit/offset values that are not non-negative integers use DRF's defaults."""
        response = await client.get(f"/window/?{query}")

        assert response.status_code == 200

    @pytest.mark.parametrize("cursor", ["", "%%%", "cD0x", "bz0xMDAw", "cj0xJnA9MQ"])
    async def test_tampered_cursors_are_404(self, client: AsyncAPIClient, cursor: str) -> None:
        """Cursors that do not decode, or decode to nonsense, are "Invalid cursor"."""
        await Product.objects.acreate(name="p", price=1)

        response = await client.get(f"/cursor/?cursor={cursor}")

        assert response.status_code in {200, 404}
        if response.status_code == 404:
            assert response.json() == {"detail": "Invalid cursor"}

    async def test_cursor_position_of_the_wrong_type_is_404(self, client: AsyncAPIClient) -> None:
        """A cursor whose position is text for the decimal ordering field is a bad cursor."""
        await Product.objects.acreate(name="p", price=1)

        response = await client.get("/cursor/?cursor=cD0lMjc7")

        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid cursor"}


class TestServerErrors:
    async def test_unexpected_errors_leak_nothing(self, ada: User) -> None:
        """With `DEBUG=False`, a crash answers a bare 500: no traceback, settings or SQL."""
        client = AsyncAPIClient(raise_request_exception=False)
        client.force_authenticate(ada)

        response = await client.post("/loose-products/", {"name": "explode", "price": "1"})

        assert response.status_code == 500
        body = response.content.decode()
        for secret in ("Traceback", "RuntimeError", "SECRET_KEY", "restflow-tests-only", "SELECT"):
            assert secret not in body
