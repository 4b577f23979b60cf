"""`AsyncModelViewSet` through DRF's router, as a client sees it."""

from __future__ import annotations

import inspect
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern

from restflow_django.test import AsyncAPIClient
from tests.testapp import urls, views
from tests.testapp.models import AuditEntry, Category, Product

pytestmark = pytest.mark.django_db(transaction=True)


class TestCreate:
    async def test_create_answers_201_and_runs_the_guide_hook(
        self, client: AsyncAPIClient, ada: User, tools: Category
    ) -> None:
        """`aperform_create` stamps the creator and announces the product."""
        client.force_authenticate(ada)

        response = await client.post(
            "/products/", {"name": "Drill", "price": "99.90", "category": tools.pk}
        )

        assert response.status_code == 201
        body = response.json()
        assert body == {
            "id": body["id"],
            "name": "Drill",
            "price": "99.90",
            "description": None,
            "stock": 0,
            "category": tools.pk,
            "category_name": "tools",
            "tags": [],
            "created_by": "ada",
        }
        product = await Product.objects.aget(pk=body["id"])
        assert product.created_by_id == ada.pk
        assert [product.pk] == views.NOTIFIED

    async def test_invalid_payload_answers_drf_errors_and_writes_nothing(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """Missing and malformed fields give DRF's error dict; no row is created."""
        client.force_authenticate(ada)

        response = await client.post("/products/", {"price": "abc", "category": 999})

        assert response.status_code == 400
        assert response.json() == {
            "name": ["This field is required."],
            "price": ["A valid number is required."],
            "category": ['Invalid pk "999" - object does not exist.'],
        }
        assert await Product.objects.acount() == 0
        assert views.NOTIFIED == []

    async def test_anonymous_create_is_refused(self, client: AsyncAPIClient) -> None:
        """Session authentication has no challenge, so DRF answers 403."""
        response = await client.post("/products/", {"name": "Drill", "price": "1"})

        assert response.status_code == 403
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    async def test_read_only_fields_are_not_mass_assigned(
        self, client: AsyncAPIClient, ada: User, bob: User
    ) -> None:
        """`created_by` and `id` in the body are ignored."""
        client.force_authenticate(ada)

        response = await client.post(
            "/products/", {"name": "Drill", "price": "1", "created_by": bob.pk, "id": 777}
        )

        assert response.json()["created_by"] == "ada"
        assert response.json()["id"] != 777

    async def test_malformed_json_answers_400(self, client: AsyncAPIClient, ada: User) -> None:
        """A body that is not JSON is DRF's parse error."""
        client.force_authenticate(ada)

        response = await client.post("/products/", '{"name": ', content_type="application/json")

        assert response.status_code == 400
        assert response.json()["detail"].startswith("JSON parse error")

    async def test_unsupported_media_type_answers_415(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """A body DRF has no parser for is 415."""
        client.force_authenticate(ada)

        response = await client.post("/products/", "name=x", content_type="text/csv")

        assert response.status_code == 415
        assert await Product.objects.acount() == 0

    async def test_nullable_and_optional_fields_are_saved_as_sent(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """`null` stays null, a sent empty string stays empty, omitted ones take defaults."""
        client.force_authenticate(ada)

        with_null = await client.post(
            "/products/", {"name": "A", "price": "1", "description": None, "category": None}
        )
        with_blank = await client.post("/products/", {"name": "B", "price": "1", "description": ""})

        first = await Product.objects.aget(pk=with_null.json()["id"])
        second = await Product.objects.aget(pk=with_blank.json()["id"])
        assert (first.description, first.category_id, first.stock) == (None, None, 0)
        assert second.description == ""

    async def test_many_to_many_values_are_written(self, client: AsyncAPIClient, ada: User) -> None:
        """Tags sent as ids are attached, as DRF's `save` does."""
        from tests.testapp.models import Tag

        red = await Tag.objects.acreate(name="red")
        client.force_authenticate(ada)

        response = await client.post("/products/", {"name": "A", "price": "1", "tags": [red.pk]})

        assert response.json()["tags"] == [red.pk]
        product = await Product.objects.aget(pk=response.json()["id"])
        assert [tag.pk async for tag in product.tags.all()] == [red.pk]

    async def test_location_header_comes_from_the_url_field(
        self, client: AsyncAPIClient, tools: Category
    ) -> None:
        """A hyperlinked serializer's `url` becomes `Location`."""
        response = await client.post(
            "/linked-products/",
            {"name": "A", "price": "1", "category": f"http://testserver/categories/{tools.pk}/"},
        )

        assert response.status_code == 201
        assert response["Location"] == response.json()["url"]
        assert response["Location"].startswith("http://testserver/linked-products/")


class TestList:
    async def test_empty_table_lists_count_zero(self, client: AsyncAPIClient) -> None:
        """No rows: 200, count 0, no results."""
        response = await client.get("/products/")

        assert response.status_code == 200
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}

    async def test_pages_and_links(self, client: AsyncAPIClient, ada: User) -> None:
        """Five products in pages of two, linked with absolute URLs."""
        for n in range(5):
            await Product.objects.acreate(name=f"p{n}", price=n, created_by=ada)

        first = (await client.get("/products/")).json()
        last = (await client.get("/products/?page=3")).json()
        wide = (await client.get("/products/?page_size=50")).json()

        assert first["count"] == 5
        assert [item["name"] for item in first["results"]] == ["p0", "p1"]
        assert first["next"] == "http://testserver/products/?page=2"
        assert [item["name"] for item in last["results"]] == ["p4"]
        assert last["previous"] == "http://testserver/products/?page=2"
        assert len(wide["results"]) == 5

    @pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "99999999999999999999"])
    async def test_bad_pages_answer_404(self, client: AsyncAPIClient, page: str) -> None:
        """Pages past the end or not positive integers are DRF's "Invalid page."."""
        await Product.objects.acreate(name="p", price=1)

        response = await client.get(f"/products/?page={page}")

        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}

    async def test_search_and_ordering(self, client: AsyncAPIClient) -> None:
        """`search` narrows before counting; `ordering` sorts; unknown orderings are ignored."""
        for name, price in (("Hammer", 5), ("Jackhammer", 50), ("Saw", 7)):
            await Product.objects.acreate(name=name, price=price)

        searched = (await client.get("/products/?search=hammer&ordering=-price")).json()
        unknown = (await client.get("/products/?ordering=is_deleted&page_size=3")).json()

        assert searched["count"] == 2
        assert [item["name"] for item in searched["results"]] == ["Jackhammer", "Hammer"]
        assert [item["name"] for item in unknown["results"]] == ["Hammer", "Jackhammer", "Saw"]

    async def test_lazy_relation_is_read_without_select_related(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """`source="category.name"` loads the category even though nothing selected it."""
        listed = await client.get("/lazy-products/")
        fetched = await client.get(f"/lazy-products/{saw.pk}/")

        assert [item["category_name"] for item in listed.json()] == ["tools"]
        assert fetched.json()["category_name"] == "tools"

    async def test_plain_drf_serializer_lists_the_whole_queryset(
        self, client: AsyncAPIClient, saw: Product
    ) -> None:
        """Without a paginator every row is listed, serialized by a plain DRF serializer."""
        response = await client.get("/plain-products/")

        assert response.status_code == 200
        assert [item["name"] for item in response.json()] == ["Saw"]


class TestRetrieve:
    async def test_existing_product(self, client: AsyncAPIClient, saw: Product) -> None:
        """Anybody reads a product."""
        response = await client.get(f"/products/{saw.pk}/")

        assert response.status_code == 200
        assert response.json()["name"] == "Saw"

    @pytest.mark.parametrize("key", ["999", "abc", "-1", "99999999999999999999999", "ünï"])
    async def test_missing_and_malformed_ids_answer_404(
        self, client: AsyncAPIClient, saw: Product, key: str
    ) -> None:
        """Unknown, textual, negative, huge and non-ASCII ids are all 404."""
        response = await client.get(f"/products/{key}/")

        assert response.status_code == 404
        assert response.json()["detail"] in {"No Product matches the given query.", "Not found."}

    async def test_soft_deleted_products_are_invisible(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """Rows outside `get_queryset()` are 404 to every detail action."""
        saw.is_deleted = True
        await saw.asave()
        client.force_authenticate(ada)

        statuses = [
            (await client.get(f"/products/{saw.pk}/")).status_code,
            (await client.patch(f"/products/{saw.pk}/", {"stock": 1})).status_code,
            (await client.put(f"/products/{saw.pk}/", {"name": "x", "price": "1"})).status_code,
            (await client.delete(f"/products/{saw.pk}/")).status_code,
            (await client.post(f"/products/{saw.pk}/restock/")).status_code,
        ]

        assert statuses == [404] * 5


class TestUpdate:
    async def test_put_updates_and_audits(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """`aperform_update` saves and writes an audit entry."""
        client.force_authenticate(ada)

        response = await client.put(
            f"/products/{saw.pk}/", {"name": "Big saw", "price": "20.00", "stock": 3}
        )

        assert response.status_code == 200
        assert response.json()["name"] == "Big saw"
        assert [(e.event, e.object_id) async for e in AuditEntry.objects.all()] == [
            ("product_updated", saw.pk)
        ]

    async def test_patch_keeps_untouched_fields(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """PATCH changes only the sent fields; null description stays null."""
        client.force_authenticate(ada)

        response = await client.patch(f"/products/{saw.pk}/", {"stock": 9})

        assert response.status_code == 200
        await saw.arefresh_from_db()
        assert (saw.name, saw.price, saw.stock, saw.description) == (
            "Saw",
            Decimal("12.50"),
            9,
            None,
        )

    async def test_invalid_patch_changes_nothing(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """A wrong type is a 400 and the row is unchanged."""
        client.force_authenticate(ada)

        response = await client.patch(f"/products/{saw.pk}/", {"stock": -4})

        assert response.status_code == 400
        assert response.json() == {"stock": ["Ensure this value is greater than or equal to 0."]}
        await saw.arefresh_from_db()
        assert saw.stock == 0
        assert await AuditEntry.objects.acount() == 0

    async def test_object_permission_denial_answers_403_with_its_message(
        self, client: AsyncAPIClient, bob: User, saw: Product
    ) -> None:
        """Another user's write is refused with the permission's message; nothing changes."""
        client.force_authenticate(bob)

        patched = await client.patch(f"/products/{saw.pk}/", {"stock": 1})
        deleted = await client.delete(f"/products/{saw.pk}/")

        assert patched.status_code == 403
        assert patched.json() == {"detail": "Only the owner may change this product."}
        assert deleted.status_code == 403
        await saw.arefresh_from_db()
        assert (saw.stock, saw.is_deleted) == (0, False)


class TestDestroy:
    async def test_destroy_soft_deletes(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """204, the row stays flagged, and the product is gone from the API."""
        client.force_authenticate(ada)

        response = await client.delete(f"/products/{saw.pk}/")

        assert response.status_code == 204
        assert response.content == b""
        await saw.arefresh_from_db()
        assert saw.is_deleted
        assert (await client.get(f"/products/{saw.pk}/")).status_code == 404


class TestExtraActions:
    async def test_detail_action_answers_get_and_post(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """`@action(detail=True, methods=["get", "post"])` serves both methods."""
        client.force_authenticate(ada)

        shown = await client.get(f"/products/{saw.pk}/restock/")
        added = await client.post(f"/products/{saw.pk}/restock/")

        assert (shown.status_code, shown.json()) == (200, {"id": saw.pk, "stock": 0})
        assert (added.status_code, added.json()) == (200, {"id": saw.pk, "stock": 1})

    async def test_sync_action_runs_in_a_thread(self, client: AsyncAPIClient, saw: Product) -> None:
        """A plain `def` action may use the sync ORM."""
        response = await client.get("/products/names/")

        assert response.json() == ["Saw"]

    def test_every_router_handler_is_a_coroutine_function(self) -> None:
        """Django serves each view the router built asynchronously."""
        callbacks = [
            pattern.callback
            for pattern in urls.router.urls
            if isinstance(pattern, URLPattern)
            and hasattr(pattern.callback, "actions")
            and getattr(getattr(pattern.callback, "cls", None), "restflow_async_view", False)
        ]

        assert len(callbacks) >= 12
        assert all(inspect.iscoroutinefunction(callback) for callback in callbacks)

    async def test_unknown_method_answers_405(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """POST on a detail route is not an action."""
        client.force_authenticate(ada)

        response = await client.post(f"/products/{saw.pk}/", {})

        assert response.status_code == 405
        assert json.loads(response.content) == {"detail": 'Method "POST" not allowed.'}


class TestBrowsableApi:
    async def test_html_pages_render_for_list_and_detail(
        self, client: AsyncAPIClient, ada: User, saw: Product
    ) -> None:
        """DRF's browsable API renders for async views, forms included."""
        client.force_authenticate(ada)

        listed = await client.get("/products/", headers={"Accept": "text/html"})
        detail = await client.get(f"/products/{saw.pk}/", headers={"Accept": "text/html"})

        assert listed.status_code == 200
        assert listed["Content-Type"].startswith("text/html")
        assert b"Saw" in listed.content
        assert detail.status_code == 200
        assert b"<form" in detail.content

    async def test_edit_forms_respect_async_object_permissions(
        self, client: AsyncAPIClient, ada: User, bob: User, saw: Product
    ) -> None:
        """The owner sees the PUT form; another user, refused by an async permission, does not."""
        client.force_authenticate(ada)
        owner_page = await client.get(f"/products/{saw.pk}/", headers={"Accept": "text/html"})
        client.force_authenticate(bob)
        other_page = await client.get(f"/products/{saw.pk}/", headers={"Accept": "text/html"})

        assert b'data-method="PUT"' in owner_page.content
        assert b'data-method="PUT"' not in other_page.content
