"""What drf-restflow's users bring along: view helpers on every async view, per-action
configuration, the count-free paginator, PostFetch's full form and the `ahas_permission`
protocol. Through HTTP, with the database read after each write; SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.models.functions import Upper
from rest_framework.permissions import AllowAny as DrfAllowAny
from typing_extensions import override

from restflow_django.diagnostics import Diagnostics
from restflow_django.test import AsyncAPIClient
from restflow_django.views import ActionConfig, AsyncModelViewSet, PostFetch
from tests.testapp import dropin
from tests.testapp.models import AuditEntry, Category, Note, Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def admin() -> User:
    """A staff user."""
    return await User.objects.acreate(username="root", is_staff=True)


async def signed_in(user: User) -> AsyncAPIClient:
    """A client acting as `user`."""
    client = AsyncAPIClient()
    client.force_authenticate(user)
    return client


async def products(*names: str, stock: int = 0) -> list[Product]:
    """Stored products with `names`, priced 1, 2, ..."""
    return [
        await Product.objects.acreate(name=name, price=Decimal(number), stock=stock)
        for number, name in enumerate(names, start=1)
    ]


async def names() -> list[str]:
    """Every stored product's name, in id order."""
    return [product.name async for product in Product.objects.order_by("id")]


class TestHelpersOnAsyncAPIView:
    async def test_apaginated_response_pages_a_plain_view(self, client: AsyncAPIClient) -> None:
        await products("a", "b", "c")

        first = await client.get("/helpers/")
        last = await client.get("/helpers/?page=2")

        assert first.status_code == 200
        assert first.json()["count"] == 3
        assert [row["name"] for row in first.json()["results"]] == ["a", "b"]
        assert first.json()["next"] == "http://testserver/helpers/?page=2"
        assert [row["name"] for row in last.json()["results"]] == ["c"]

    async def test_avalidated_serializer_and_aserialized_response(
        self, client: AsyncAPIClient
    ) -> None:
        made = await client.post("/helpers/", {"name": "Saw", "price": "3.50", "stock": 2})
        refused = await client.post("/helpers/", {"name": "Saw", "price": "cheap"})

        assert made.status_code == 201
        assert made.headers["X-Made"] == "1"
        assert made.json() == {
            "id": made.json()["id"],
            "name": "Saw",
            "price": "3.50",
            "stock": 2,
            "description": None,
        }
        assert refused.status_code == 400
        assert refused.json() == {"price": ["A valid number is required."]}
        assert await names() == ["Saw"]

    async def test_post_fetches_attach_after_pagination(self, client: AsyncAPIClient) -> None:
        saw, drill, _ = await products("Saw", "Drill", "Rasp")
        for event, product in (("made", saw), ("sold", saw), ("made", drill)):
            await AuditEntry.objects.acreate(event=event, object_id=product.pk)

        response = await client.get("/helpers/?audited")

        assert [(row["name"], row["last_event"]) for row in response.json()["results"]] == [
            ("Saw", "sold"),
            ("Drill", "made"),
        ]


class TestActionConfig:
    async def test_list_uses_its_serializer_paginator_and_queryset(self, ada: User) -> None:
        await products("a", "b", "c")
        await Product.objects.filter(name="b").aupdate(is_deleted=True)
        client = await signed_in(ada)

        listed = await client.get("/configured/")
        detail = await client.get(f"/configured/{(await Product.objects.aget(name='a')).pk}/")

        assert listed.json() == {
            "next": None,
            "previous": None,
            "results": [
                {"id": row["id"], "name": name}
                for row, name in zip(listed.json()["results"], ["a", "c"], strict=True)
            ],
        }
        assert set(detail.json()) == {"id", "name", "price", "stock", "description"}

    async def test_destroy_takes_its_own_permissions(self, ada: User, admin: User) -> None:
        [saw] = await products("Saw")

        refused = await (await signed_in(ada)).delete(f"/configured/{saw.pk}/")
        allowed = await (await signed_in(admin)).delete(f"/configured/{saw.pk}/")

        assert (refused.status_code, allowed.status_code) == (403, 204)
        assert await names() == []

    async def test_create_takes_its_own_parsers(self, ada: User) -> None:
        client = await signed_in(ada)

        form = await client.post(
            "/configured/", "name=Saw&price=1", content_type="application/x-www-form-urlencoded"
        )
        json_body = await client.post("/configured/", {"name": "Saw", "price": "1"})

        assert form.status_code == 415
        assert json_body.status_code == 201
        assert await names() == ["Saw"]

    async def test_a_custom_action_takes_its_serializer_permissions_and_throttles(
        self, ada: User, admin: User
    ) -> None:
        await products("saw", "drill")
        dropin.NoThrottle.calls = 0

        refused = await (await signed_in(ada)).post("/configured/rename_all/", {"prefix": "x-"})
        invalid = await (await signed_in(admin)).post("/configured/rename_all/", {"name": "x"})
        renamed = await (await signed_in(admin)).post("/configured/rename_all/", {"prefix": "x-"})

        assert refused.status_code == 403
        assert invalid.status_code == 400
        assert invalid.json() == {"prefix": ["This field is required."]}
        assert renamed.json() == {"renamed": 2}
        assert await names() == ["x-saw", "x-drill"]
        assert dropin.NoThrottle.calls == 2

    async def test_a_static_queryset_is_fresh_on_every_call(self, ada: User) -> None:
        client = await signed_in(ada)
        await products("a", "b")
        await Product.objects.filter(name="a").aupdate(is_deleted=True)

        first = await client.get("/configured/deleted/")
        await Product.objects.filter(name="b").aupdate(is_deleted=True)
        second = await client.get("/configured/deleted/")

        assert [row["name"] for row in first.json()["results"]] == ["a"]
        assert [row["name"] for row in second.json()["results"]] == ["a", "b"]

    def test_a_config_holding_no_class_is_refused_when_built(self) -> None:
        with pytest.raises(TypeError, match=r"serializer_class takes classes.*a string"):
            ActionConfig(serializer_class="ProductDetail")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"permission_classes takes classes.*an instance"):
            ActionConfig(permission_classes=[DrfAllowAny()])
        with pytest.raises(TypeError, match="throttle_classes: ProductDetail is not a"):
            ActionConfig(throttle_classes=[dropin.ProductDetail])  # type: ignore[list-item]
        with pytest.raises(TypeError, match="takes a list of classes"):
            ActionConfig(parser_classes="rest_framework.parsers.JSONParser")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="queryset takes a queryset"):
            ActionConfig(queryset=[1, 2])  # type: ignore[arg-type]

    def test_a_config_for_no_action_is_refused_when_routed(self) -> None:
        class Misspelt(AsyncModelViewSet[Product]):
            queryset = Product.objects.all()
            serializer_class = dropin.ProductDetail
            action_configs = {"lst": ActionConfig(pagination_class=dropin.FastPages)}  # noqa: RUF012

        with pytest.raises(ImproperlyConfigured, match="names 'lst', which is no action"):
            Misspelt.as_view({"get": "list"})


class TestFastPageNumberPagination:
    async def test_pages_without_counting(self, ada: User) -> None:
        await products("a", "b", "c", "d", "e")
        client = await signed_in(ada)

        async with Diagnostics() as seen:
            first = await client.get("/configured/")
        second = await client.get("/configured/?page=2")
        last = await client.get("/configured/?page=3")

        assert [row["name"] for row in first.json()["results"]] == ["a", "b"]
        assert first.json()["next"] == "http://testserver/configured/?page=2"
        assert first.json()["previous"] is None
        assert second.json()["previous"] == "http://testserver/configured/"
        assert second.json()["next"] == "http://testserver/configured/?page=3"
        assert (last.json()["next"], last.json()["previous"]) == (
            None,
            "http://testserver/configured/?page=2",
        )
        assert [row["name"] for row in last.json()["results"]] == ["e"]
        assert "count" not in first.json()
        queries = [query for query in seen.queries if "testapp_product" in query]
        assert len(queries) == 1
        assert "COUNT" not in queries[0].upper()

    async def test_one_crossing_per_page(self, ada: User) -> None:
        from restflow_django.test import AsyncAPIRequestFactory, force_authenticate

        await products("a", "b", "c")
        request = AsyncAPIRequestFactory().get("/?page=2")
        force_authenticate(request, ada)
        view: Any = dropin.ProductViewSet.as_view({"get": "list"})

        async with Diagnostics() as seen:
            response = await view(request)

        assert [row["name"] for row in response.data["results"]] == ["c"]
        seen.assert_crossings(1)
        assert len(seen.queries) == 1

    async def test_page_size_from_the_query_within_the_maximum(self, ada: User) -> None:
        await products("a", "b", "c", "d", "e")
        client = await signed_in(ada)

        three = await client.get("/configured/?size=3")
        capped = await client.get("/configured/?size=50")

        assert len(three.json()["results"]) == 3
        assert three.json()["next"] == "http://testserver/configured/?page=2&size=3"
        assert len(capped.json()["results"]) == 3

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "2.5", "9" * 40, "3"])
    async def test_a_bad_or_empty_page_is_404(self, ada: User, page: str) -> None:
        await products("a", "b")
        client = await signed_in(ada)

        response = await client.get(f"/configured/?page={page}")

        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}

    async def test_an_empty_first_page_is_an_empty_list(self, ada: User) -> None:
        response = await (await signed_in(ada)).get("/configured/")

        assert response.json() == {"next": None, "previous": None, "results": []}


class TestBasePagination:
    async def test_a_sync_paginator_on_restflow_base_pages_an_async_list(
        self, client: AsyncAPIClient
    ) -> None:
        await products("a", "b", "c")

        response = await client.get("/first-two/")

        assert [row["name"] for row in response.json()] == ["a", "b"]
        assert response.headers["X-Total"] == "3"


class TestPermissionProtocol:
    async def test_ahas_permission_is_awaited(self, ada: User) -> None:
        client = await signed_in(ada)

        empty = await client.get("/configured/stocked/")
        await products("Saw", stock=2)
        stocked = await client.get("/configured/stocked/")

        assert empty.status_code == 403
        assert empty.json() == {"detail": "Nothing is in stock."}
        assert [row["name"] for row in stocked.json()] == ["Saw"]

    async def test_combined_with_restflow_permissions_by_and_and_or(self, ada: User) -> None:
        """`IsAuthenticated & (InStock | NamedSaw)`: an `|` operand grants an object only when
        it grants the request too, as in DRF."""
        client = await signed_in(ada)
        saw, drill = await products("Saw", "Drill")

        saw_answer = await client.get(f"/configured/{saw.pk}/stocked_saw/")
        drill_answer = await client.get(f"/configured/{drill.pk}/stocked_saw/")
        await Product.objects.filter(pk=drill.pk).aupdate(stock=1)
        stocked_drill = await client.get(f"/configured/{drill.pk}/stocked_saw/")
        anonymous = await AsyncAPIClient().get(f"/configured/{saw.pk}/stocked_saw/")

        assert (saw_answer.status_code, drill_answer.status_code) == (200, 403)
        assert stocked_drill.status_code == 200
        assert anonymous.status_code == 403

    async def test_not_inverts_both_answers(self) -> None:
        from restflow_django.permissions import ahas_object_permission, ahas_permission

        [saw] = await products("Saw", stock=1)
        inverted = (~dropin.InStock)()

        assert await ahas_permission(inverted, None, None) is False
        assert await ahas_object_permission(inverted, None, None, saw) is False
        await Product.objects.aupdate(stock=0)
        assert await ahas_permission(inverted, None, None) is True

    async def test_an_answer_that_is_still_a_coroutine_fails_closed(self) -> None:
        from restflow_django.permissions import BasePermission, ahas_permission

        class Confused(BasePermission):
            @override
            async def ahas_permission(self, request: Any, view: Any) -> Any:
                return self._allowed()

            async def _allowed(self) -> bool:
                return True

        assert await ahas_permission(Confused(), None, None) is False

    async def test_sync_checks_of_a_protocol_permission_await_the_async_ones(self) -> None:
        from asgiref.sync import sync_to_async

        from restflow_django.permissions import has_permission_in_thread

        allowed_before = await sync_to_async(has_permission_in_thread)(dropin.InStock(), None, None)
        await products("Saw", stock=1)
        allowed_after = await sync_to_async(has_permission_in_thread)(dropin.InStock(), None, None)

        assert (allowed_before, allowed_after) == (False, True)


class TestPostFetchForms:
    async def test_limit_order_and_values(self) -> None:
        saw, drill = await products("Saw", "Drill")
        for event in ("made", "priced", "sold"):
            await AuditEntry.objects.acreate(event=event, object_id=saw.pk)

        latest = PostFetch(
            AuditEntry.objects.all(), "latest", ["event"], order_by=["-id"], object_id="id"
        )
        two = PostFetch(AuditEntry.objects.all(), "two", ["event"], limit=2, object_id="id")
        every = PostFetch(AuditEntry.objects.all(), "every", limit=None, object_id="id")
        loud = PostFetch(
            AuditEntry.objects.all(),
            "loud",
            [],
            values_dict={"shout": Upper("event")},
            object_id="id",
        )
        rows = [saw, drill]
        for post_fetch in (latest, two, every, loud):
            rows = await post_fetch.afetch(rows)

        assert saw.latest == {"event": "sold", "object_id": saw.pk}  # type: ignore[attr-defined]
        assert [row["event"] for row in saw.two] == ["made", "priced"]  # type: ignore[attr-defined]
        assert [entry.event for entry in saw.every] == ["made", "priced", "sold"]  # type: ignore[attr-defined]
        assert saw.loud["shout"] == "MADE"  # type: ignore[attr-defined]
        assert (drill.latest, drill.two, drill.every, drill.loud) == (None, [], [], None)  # type: ignore[attr-defined]

    async def test_multi_key_match_on_dicts(self) -> None:
        await Note.objects.acreate(title="first", pages=2, owner="ada")
        await Note.objects.acreate(title="second", pages=3, owner="ada")
        await Note.objects.acreate(title="third", pages=2, owner="bob")
        rows: list[Any] = [{"who": "ada", "size": 2}, {"who": "bob", "size": 3}]

        joined = await PostFetch(
            Note.objects.all(), "note", ["title"], owner="who", pages="size"
        ).afetch(rows)

        assert joined[0]["note"] == {"title": "first", "owner": "ada", "pages": 2}
        assert joined[1]["note"] is None

    async def test_restflow_form_still_attaches_every_row(self, tools: Category) -> None:
        await products("Saw", "Drill")
        await Product.objects.aupdate(category=tools)

        [category] = await PostFetch(
            Product.objects.order_by("id"), attr="items", to_field="category_id"
        ).afetch([tools])
        [single] = await PostFetch(
            Product.objects.order_by("id"), attr="first", to_field="category", many=False
        ).afetch([tools])

        assert [product.name for product in category.items] == ["Saw", "Drill"]
        assert single.first.name == "Saw"

    async def test_sync_fetch_does_the_same_join(self) -> None:
        from asgiref.sync import sync_to_async

        [saw] = await products("Saw")
        await AuditEntry.objects.acreate(event="made", object_id=saw.pk)
        latest = PostFetch(AuditEntry.objects.all(), "latest", ["event"], object_id="id")

        # drf-restflow hands `fetch` a queryset; its rows are read once.
        queryset: Any = Product.objects.all()
        [fetched] = await sync_to_async(latest.fetch)(queryset)

        assert fetched.latest == {"event": "made", "object_id": saw.pk}

    async def test_a_missing_field_is_named(self) -> None:
        [saw] = await products("Saw")

        with pytest.raises(ImproperlyConfigured, match="matches on 'sku', which Product"):
            await PostFetch(AuditEntry.objects.all(), "x", object_id="sku").afetch([saw])
        with pytest.raises(ImproperlyConfigured, match=r"matches on \['serial'\] of AuditEntry"):
            await PostFetch(AuditEntry.objects.all(), "x", serial="id").afetch([saw])
        with pytest.raises(TypeError, match="not both"):
            PostFetch(AuditEntry.objects.all(), "x", attr="y", to_field="object_id")
        with pytest.raises(ValueError, match="positive integer"):
            PostFetch(AuditEntry.objects.all(), "x", limit=0, object_id="id")

    async def test_an_empty_page_asks_nothing(self) -> None:
        latest = PostFetch(AuditEntry.objects.all(), "latest", object_id="id")

        async with Diagnostics() as seen:
            assert await latest.afetch([]) == []
            rows = await latest.afetch([{"id": None}])

        assert rows == [{"id": None, "latest": None}]
        assert seen.queries == []
