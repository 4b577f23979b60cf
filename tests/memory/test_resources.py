"""The five actions through a memory resource, as a client sees them."""

from __future__ import annotations

import asyncio
from http import HTTPStatus

import pytest
from typing_extensions import override

from restflow_memory import MemoryClient, MemoryRouter, MemorySerializer, MemoryStore
from tests.memory.shop import Product, ProductResource, User

Shop = tuple[MemoryClient, type[ProductResource]]


async def add(client: MemoryClient, name: str, price: int = 10, **extra: object) -> int:
    """Create a product and return its id."""
    response = await client.post("/products/", {"name": name, "price": price, **extra})
    assert response.status == HTTPStatus.CREATED, response.body
    product_id: int = response.body["id"]
    return product_id


class TestCreate:
    async def test_valid_payload_answers_201_with_the_stored_object(self, shop: Shop) -> None:
        """A valid product is stored and echoed with its new id and creator."""
        client, resource = shop

        response = await client.post("/products/", {"name": " Saw ", "price": 12})

        assert response.status == HTTPStatus.CREATED
        assert response.body == {
            "id": 1,
            "name": "Saw",
            "price": 12,
            "category": "misc",
            "note": None,
            "created_by": "ada",
        }
        assert (await resource.store.aget("1")).created_by == "ada"

    async def test_hook_receives_the_validated_serializer(self, shop: Shop) -> None:
        """`aperform_create` sees the requesting user and the cleaned data."""
        client, resource = shop

        await client.post("/products/", {"name": "Saw", "price": "12", "unknown": 1})

        assert resource.journal.created == [
            ("ada", {"name": "Saw", "price": 12, "category": "misc"})
        ]

    async def test_invalid_payload_answers_400_and_stores_nothing(self, shop: Shop) -> None:
        """Every field error is reported and nothing is written."""
        client, resource = shop

        response = await client.post(
            "/products/", {"name": "x" * 41, "price": -1, "category": "toys", "note": None}
        )

        assert response.status == HTTPStatus.BAD_REQUEST
        assert response.body == {
            "name": ["Ensure this field has no more than 40 characters."],
            "price": ["Ensure this value is greater than or equal to 0."],
            "category": ['"toys" is not a valid choice.'],
        }
        assert await resource.store.acount() == 0
        assert resource.journal.created == []

    async def test_read_only_fields_in_the_body_are_not_written(self, shop: Shop) -> None:
        """A client cannot set `id` or `created_by`."""
        client, _ = shop

        response = await client.post(
            "/products/", {"name": "Saw", "price": 1, "id": 99, "created_by": "mallory"}
        )

        assert response.body["id"] == 1
        assert response.body["created_by"] == "ada"

    async def test_a_body_that_is_not_an_object_answers_400(self, shop: Shop) -> None:
        """A list body is a validation error, not a crash."""
        client, _ = shop

        response = await client.post("/products/", [{"name": "Saw", "price": 1}])

        assert response.status == HTTPStatus.BAD_REQUEST
        assert response.body == {
            "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
        }

    async def test_anonymous_writes_answer_401(self, shop: Shop) -> None:
        """Creating needs a user."""
        client, resource = shop
        client.force_authenticate(None)

        response = await client.post("/products/", {"name": "Saw", "price": 1})

        assert response.status == HTTPStatus.UNAUTHORIZED
        assert response.body == {"detail": "Authentication credentials were not provided."}
        assert await resource.store.acount() == 0

    async def test_concurrent_creates_all_land_with_distinct_ids(self, shop: Shop) -> None:
        """Fifty creates at once give fifty products with fifty ids."""
        client, resource = shop

        responses = await asyncio.gather(
            *(client.post("/products/", {"name": f"p{n}", "price": n}) for n in range(50))
        )

        assert {response.status for response in responses} == {HTTPStatus.CREATED}
        assert len({response.body["id"] for response in responses}) == 50
        assert await resource.store.acount() == 50


class TestList:
    async def test_empty_catalogue_lists_an_empty_first_page(self, shop: Shop) -> None:
        """No products: 200 with count 0 and no results."""
        client, _ = shop

        response = await client.get("/products/")

        assert response.status == HTTPStatus.OK
        assert response.body == {"count": 0, "next": None, "previous": None, "results": []}

    async def test_pages_split_the_catalogue(self, shop: Shop) -> None:
        """Five products make three pages of two, linked together."""
        client, _ = shop
        for n in range(5):
            await add(client, f"p{n}")

        first = await client.get("/products/")
        last = await client.get("/products/?page=3")

        assert first.body["count"] == 5
        assert [item["name"] for item in first.body["results"]] == ["p0", "p1"]
        assert first.body["next"] == "/products/?page=2"
        assert [item["name"] for item in last.body["results"]] == ["p4"]
        assert last.body["next"] is None
        assert last.body["previous"] == "/products/?page=2"

    async def test_page_size_is_bounded_by_max_page_size(self, shop: Shop) -> None:
        """Asking for 100 a page gives five."""
        client, _ = shop
        for n in range(7):
            await add(client, f"p{n}")

        response = await client.get("/products/?page_size=100")

        assert len(response.body["results"]) == 5

    async def test_pages_that_do_not_exist_answer_404(self, shop: Shop) -> None:
        """Past the end, zero, negative and non-numeric pages are all 404."""
        client, _ = shop
        await add(client, "p")

        statuses = [
            (await client.get(f"/products/?page={page}")).status
            for page in ("2", "0", "-1", "abc", "")
        ]

        assert statuses == [HTTPStatus.NOT_FOUND] * 5

    async def test_filters_search_and_ordering_apply_before_paging(self, shop: Shop) -> None:
        """Only matching products are counted, in the requested order."""
        client, _ = shop
        await add(client, "Apple", 3, category="food")
        await add(client, "Hammer", 20, category="tools")
        await add(client, "Pear", 5, category="food", note="ripe apple-like")
        await add(client, "Bread", 4, category="food")

        response = await client.get("/products/?category=food&search=apple&ordering=-price")

        assert response.body["count"] == 2
        assert [item["name"] for item in response.body["results"]] == ["Pear", "Apple"]

    async def test_ordering_on_a_field_that_is_not_allowed_is_ignored(self, shop: Shop) -> None:
        """`?ordering=created_by` falls back to the default order."""
        client, _ = shop
        await add(client, "B")
        await add(client, "A")

        response = await client.get("/products/?ordering=-created_by")

        assert [item["name"] for item in response.body["results"]] == ["B", "A"]


class TestRetrieve:
    async def test_existing_product_answers_200(self, shop: Shop) -> None:
        """A stored product is shown to anybody."""
        client, _ = shop
        product_id = await add(client, "Saw")
        client.force_authenticate(None)

        response = await client.get(f"/products/{product_id}/")

        assert response.status == HTTPStatus.OK
        assert response.body["name"] == "Saw"

    async def test_missing_and_malformed_ids_answer_404(self, shop: Shop) -> None:
        """Unknown, textual and negative ids are all 404."""
        client, _ = shop
        await add(client, "Saw")

        statuses = [(await client.get(f"/products/{key}/")).status for key in ("2", "abc", "-1")]

        assert statuses == [HTTPStatus.NOT_FOUND] * 3

    async def test_objects_outside_the_queryset_are_invisible(self, shop: Shop) -> None:
        """A soft-deleted product is 404 to every detail action."""
        client, _ = shop
        product_id = await add(client, "Saw")
        await client.delete(f"/products/{product_id}/")

        statuses = [
            (await client.get(f"/products/{product_id}/")).status,
            (await client.patch(f"/products/{product_id}/", {"price": 1})).status,
            (await client.delete(f"/products/{product_id}/")).status,
        ]

        assert statuses == [HTTPStatus.NOT_FOUND] * 3


class TestUpdate:
    async def test_put_replaces_every_writable_field(self, shop: Shop) -> None:
        """PUT with all fields answers 200 with the new values."""
        client, resource = shop
        product_id = await add(client, "Saw", 10, note="sharp")

        response = await client.put(
            f"/products/{product_id}/", {"name": "Big saw", "price": 30, "note": None}
        )

        assert response.status == HTTPStatus.OK
        assert response.body["name"] == "Big saw"
        assert response.body["note"] is None
        assert resource.journal.updated == [
            (product_id, {"name": "Big saw", "price": 30, "category": "misc", "note": None})
        ]

    async def test_put_without_required_fields_answers_400(self, shop: Shop) -> None:
        """PUT is a full update: a missing required field is an error and nothing changes."""
        client, resource = shop
        product_id = await add(client, "Saw", 10)

        response = await client.put(f"/products/{product_id}/", {"price": 30})

        assert response.status == HTTPStatus.BAD_REQUEST
        assert response.body == {"name": ["This field is required."]}
        assert (await resource.store.aget(str(product_id))).price == 10

    async def test_patch_keeps_untouched_fields(self, shop: Shop) -> None:
        """PATCH changes only the fields sent."""
        client, resource = shop
        product_id = await add(client, "Saw", 10, note="sharp", category="tools")

        response = await client.patch(f"/products/{product_id}/", {"price": 11})

        assert response.body["price"] == 11
        assert response.body["note"] == "sharp"
        assert response.body["category"] == "tools"
        assert resource.journal.updated == [(product_id, {"price": 11})]

    async def test_patch_with_a_wrong_type_answers_400(self, shop: Shop) -> None:
        """A boolean is not a price."""
        client, resource = shop
        product_id = await add(client, "Saw", 10)

        response = await client.patch(f"/products/{product_id}/", {"price": True})

        assert response.status == HTTPStatus.BAD_REQUEST
        assert response.body == {"price": ["A valid integer is required."]}
        assert resource.journal.updated == []

    async def test_object_permission_refusal_answers_403_and_changes_nothing(
        self, shop: Shop
    ) -> None:
        """Only the creator may change a product; others get the permission's message."""
        client, resource = shop
        product_id = await add(client, "Saw", 10)
        client.force_authenticate(User("bob"))

        response = await client.patch(f"/products/{product_id}/", {"price": 0})

        assert response.status == HTTPStatus.FORBIDDEN
        assert response.body == {"detail": "Only the owner may change this product."}
        assert (await resource.store.aget(str(product_id))).price == 10


class TestDestroy:
    async def test_destroy_answers_204_and_runs_the_hook(self, shop: Shop) -> None:
        """The soft-delete hook keeps the row but hides it."""
        client, resource = shop
        product_id = await add(client, "Saw")

        response = await client.delete(f"/products/{product_id}/")

        assert response.status == HTTPStatus.NO_CONTENT
        assert response.body is None
        assert resource.journal.destroyed == [product_id]
        assert (await resource.store.aget(str(product_id))).deleted is True
        assert (await client.get("/products/")).body["count"] == 0

    async def test_refused_destroy_keeps_the_product(self, shop: Shop) -> None:
        """Another user's DELETE answers 403 and the hook never runs."""
        client, resource = shop
        product_id = await add(client, "Saw")
        client.force_authenticate(User("bob"))

        response = await client.delete(f"/products/{product_id}/")

        assert response.status == HTTPStatus.FORBIDDEN
        assert resource.journal.destroyed == []


class TestRouting:
    async def test_unknown_paths_answer_404(self, shop: Shop) -> None:
        """Paths no resource serves are 404."""
        client, _ = shop

        statuses = [(await client.get(path)).status for path in ("/", "/nope/", "/products/1/x/")]

        assert statuses == [HTTPStatus.NOT_FOUND] * 3

    async def test_methods_without_an_action_answer_405(self, shop: Shop) -> None:
        """POST on a detail path and PUT on the collection have no action."""
        client, _ = shop
        await add(client, "Saw")

        on_detail = await client.post("/products/1/", {})
        on_collection = await client.put("/products/", {})

        assert on_detail.status == HTTPStatus.METHOD_NOT_ALLOWED
        assert on_detail.body == {"detail": 'Method "POST" not allowed.'}
        assert on_collection.status == HTTPStatus.METHOD_NOT_ALLOWED

    async def test_a_method_named_like_an_internal_hook_answers_405(self, shop: Shop) -> None:
        """A verb such as `AGET_OBJECT` reaches no method of the resource: 405, not an error."""
        client, _ = shop
        await add(client, "Saw")

        answers = [
            await client.request(verb, path)
            for verb, path in (("AGET_OBJECT", "/products/1/"), ("ADISPATCH", "/products/"))
        ]

        assert [answer.status for answer in answers] == [HTTPStatus.METHOD_NOT_ALLOWED] * 2
        assert answers[0].body == {"detail": 'Method "AGET_OBJECT" not allowed.'}

    async def test_a_resource_without_pagination_lists_everything(self) -> None:
        """With no `pagination_class`, a list is every object, not a page."""

        class Unpaged(ProductResource):
            store = MemoryStore[Product]()
            pagination_class = None  # type: ignore[assignment]  # the point of the test

        router = MemoryRouter()
        router.register("products", Unpaged)
        client = MemoryClient(router)
        client.force_authenticate(User("ada"))
        for name in ("a", "b", "c"):
            await add(client, name)

        listed = await client.get("/products/")

        assert listed.status == HTTPStatus.OK
        assert [product["name"] for product in listed.body] == ["a", "b", "c"]


class TestAtomicResource:
    async def test_failing_hook_leaves_nothing_when_atomic(self) -> None:
        """With `atomic = True`, a hook that saves then fails leaves the store as it was."""

        class Failing(ProductResource):
            store = MemoryStore[Product]()
            atomic = True

            @override
            async def aperform_create(self, serializer: MemorySerializer[Product]) -> None:
                await serializer.asave(created_by="ada")
                raise RuntimeError("after the save")

        router = MemoryRouter()
        router.register("products", Failing)
        client = MemoryClient(router)
        client.force_authenticate(User("ada"))

        with pytest.raises(RuntimeError, match="after the save"):
            await client.post("/products/", {"name": "Saw", "price": 1})

        assert await Failing.store.acount() == 0
