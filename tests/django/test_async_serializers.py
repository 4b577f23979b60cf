"""Async serializer hooks, awaited in every action: the contract of restflow's serializers.

Each test goes through HTTP and then reads the database. The module runs on SQLite and,
in `dev.py test`, on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework import serializers
from typing_extensions import override

from restflow_django.serializers import ModelSerializer, arender, async_validator
from restflow_django.test import AsyncAPIClient
from tests.testapp import awaited
from tests.testapp.awaited import AwaitedProductSerializer, tagline_calls
from tests.testapp.models import AuditEntry, Product

pytestmark = pytest.mark.django_db(transaction=True)

SAW = {"name": "Saw", "price": "12.50", "stock": 2, "description": "sharp"}


async def stored() -> list[tuple[str, Decimal, int, str | None]]:
    """Every product as `(name, price, stock, description)`."""
    return [
        (product.name, product.price, product.stock, product.description)
        async for product in Product.objects.order_by("id")
    ]


async def audits() -> list[str]:
    """Every audit entry's event."""
    return [entry.event async for entry in AuditEntry.objects.order_by("id")]


async def products(count: int) -> list[Product]:
    """`count` stored products named `p0`, `p1`, ..."""
    return [
        await Product.objects.acreate(name=f"p{number}", price=Decimal(number))
        for number in range(count)
    ]


class TestFieldHooks:
    async def test_the_value_an_async_validate_field_returns_is_saved(
        self, client: AsyncAPIClient
    ) -> None:
        response = await client.post("/awaited-products/", {**SAW, "name": "  Big   Saw "})

        assert response.status_code == 201, response.json()
        assert response.json()["name"] == "Big Saw"
        assert await stored() == [("Big Saw", Decimal("12.50"), 2, "sharp")]

    async def test_a_refusal_is_drf_shaped_and_writes_nothing(self, client: AsyncAPIClient) -> None:
        """`validate_name` asks the async ORM; its refusal is `{"name": [...]}`."""
        await Product.objects.acreate(name="saw", price=1)

        response = await client.post("/awaited-products/", SAW)

        assert response.status_code == 400
        assert response.json() == {"name": ["A product with this name exists."]}
        assert await stored() == [("saw", Decimal("1.00"), 0, None)]
        assert await audits() == []

    async def test_patch_validates_against_the_other_rows(self, client: AsyncAPIClient) -> None:
        saw = await Product.objects.acreate(name="Saw", price=1)
        await Product.objects.acreate(name="Drill", price=2)

        same = await client.patch(f"/awaited-products/{saw.pk}/", {"name": " Saw "})
        taken = await client.patch(f"/awaited-products/{saw.pk}/", {"name": "drill"})

        assert same.status_code == 200, same.json()
        assert taken.status_code == 400
        assert taken.json() == {"name": ["A product with this name exists."]}
        assert [name for name, *_ in await stored()] == ["Saw", "Drill"]


class TestObjectHook:
    async def test_an_async_validate_refuses_with_non_field_errors(
        self, client: AsyncAPIClient
    ) -> None:
        response = await client.post("/awaited-products/", {**SAW, "price": "0.00"})

        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Free products are not stocked."]}
        assert await stored() == []

    @override_settings(REST_FRAMEWORK={"NON_FIELD_ERRORS_KEY": "errors"})
    async def test_the_configured_key_is_used(self, client: AsyncAPIClient) -> None:
        response = await client.post("/awaited-products/", {**SAW, "price": "0.00"})

        assert response.status_code == 400
        assert response.json() == {"errors": ["Free products are not stocked."]}

    async def test_validate_does_not_run_when_a_field_failed(self, client: AsyncAPIClient) -> None:
        await Product.objects.acreate(name="Saw", price=1)

        response = await client.post("/awaited-products/", {**SAW, "price": "0.00"})

        assert response.json() == {"name": ["A product with this name exists."]}


class TestValidators:
    async def test_an_async_field_validator_is_awaited(self, client: AsyncAPIClient) -> None:
        response = await client.post("/awaited-products/", {**SAW, "stock": 3})

        assert response.status_code == 400
        assert response.json() == {"stock": ["Stock comes in pairs."]}
        assert await stored() == []

    async def test_an_async_meta_validator_is_awaited(self, client: AsyncAPIClient) -> None:
        response = await client.post("/awaited-products/", {**SAW, "description": "Saw"})

        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["The description repeats the name."]}
        assert await stored() == []

    async def test_sync_validators_keep_running(self, client: AsyncAPIClient) -> None:
        response = await client.post("/awaited-products/", {**SAW, "price": "-1234567.000"})

        assert response.status_code == 400
        assert response.json() == {
            "price": [
                "Ensure that there are no more than 8 digits in total.",
            ]
        }


class TestErrorsComeTogether:
    async def test_sync_and_async_refusals_of_several_fields_are_one_400(
        self, client: AsyncAPIClient
    ) -> None:
        await Product.objects.acreate(name="Saw", price=1)

        response = await client.post(
            "/awaited-products/", {"name": "saw", "price": "cheap", "stock": 3}
        )

        assert response.status_code == 400
        assert response.json() == {
            "name": ["A product with this name exists."],
            "price": ["A valid number is required."],
            "stock": ["Stock comes in pairs."],
        }
        assert len(await stored()) == 1

    async def test_sync_and_async_validators_of_one_field_add_up(self) -> None:
        """A field's sync validator and async validator both speak, in DRF's order (the
        field's `validators=[...]` first, then `max_value`'s)."""

        class Counted(ModelSerializer[Product]):
            stock = serializers.IntegerField(
                max_value=10, validators=[async_validator(awaited.stock_in_pairs)]
            )

            class Meta:
                model = Product
                fields = ("name", "price", "stock")

        serializer = Counted(data={"name": "Saw", "price": "1", "stock": 11})

        assert await serializer.ais_valid() is False
        assert serializer.errors == {
            "stock": ["Stock comes in pairs.", "Ensure this value is less than or equal to 10."]
        }


class TestMethodFields:
    async def test_retrieve_list_create_and_update_await_them(self, client: AsyncAPIClient) -> None:
        created = await client.post("/awaited-products/", SAW)
        pk = created.json()["id"]
        updated = await client.patch(f"/awaited-products/{pk}/", {"stock": 4})
        retrieved = await client.get(f"/awaited-products/{pk}/")
        listed = await client.get("/awaited-products/")

        assert created.status_code == 201
        assert created.json()["tagline"] == "Saw (1 audits)"
        assert updated.json()["tagline"] == "Saw (2 audits)"
        assert retrieved.json()["tagline"] == "Saw (2 audits)"
        assert [row["tagline"] for row in listed.json()] == ["Saw (2 audits)"]
        assert await audits() == ["created", "updated"]

    async def test_pages_and_the_view_helpers_await_them(self, client: AsyncAPIClient) -> None:
        await products(7)

        paged = await client.get("/awaited-pages/?page=2")
        helper = await client.get("/awaited-summary/")
        helper_paged = await client.get("/awaited-summary/?paged")

        assert [row["tagline"] for row in paged.json()["results"]] == [
            "p5 (0 audits)",
            "p6 (0 audits)",
        ]
        assert paged.json()["count"] == 7
        assert [row["tagline"] for row in helper.json()] == [f"p{n} (0 audits)" for n in range(7)]
        assert [row["tagline"] for row in helper_paged.json()["results"]] == [
            f"p{n} (0 audits)" for n in range(5)
        ]

    async def test_direct_adata_awaits_them(self) -> None:
        [product] = await products(1)

        data = await AwaitedProductSerializer(product).adata

        assert data["tagline"] == "p0 (0 audits)"
        with pytest.raises(TypeError, match=r"get_tagline is `async`.*await serializer\.adata"):
            _ = AwaitedProductSerializer(product).data


class TestRenderConcurrency:
    async def test_rows_are_awaited_ten_at_a_time_by_default(self, client: AsyncAPIClient) -> None:
        await products(40)
        tagline_calls.reset()

        response = await client.get("/awaited-products/")

        assert len(response.json()) == 40
        assert tagline_calls.calls == 40
        assert tagline_calls.most == 10

    @override_settings(RESTFLOW={"RENDER_CONCURRENCY": 3})
    async def test_the_setting_bounds_the_calls_in_flight(self, client: AsyncAPIClient) -> None:
        await products(40)
        tagline_calls.reset()

        response = await client.get("/awaited-products/")

        assert [row["tagline"] for row in response.json()] == [
            f"p{n} (0 audits)" for n in range(40)
        ]
        assert tagline_calls.most == 3

    @pytest.mark.parametrize("bound", [0, -1, "4", 2.5, True])
    async def test_a_bad_setting_is_named(self, bound: Any) -> None:
        [product] = await products(1)

        with (
            override_settings(RESTFLOW={"RENDER_CONCURRENCY": bound}),
            pytest.raises(ImproperlyConfigured, match="RENDER_CONCURRENCY"),
        ):
            await AwaitedProductSerializer(product).adata


class Annotated(ModelSerializer[Product]):
    """Represents each product its own way, awaiting something per row."""

    class Meta:
        model = Product
        fields = ("id", "name")

    @override
    async def ato_representation(self, instance: Any) -> dict[str, Any]:
        represented = await super().ato_representation(instance)
        tagline_calls.now += 1
        tagline_calls.most = max(tagline_calls.most, tagline_calls.now)
        try:
            represented["audits"] = await AuditEntry.objects.filter(object_id=instance.pk).acount()
        finally:
            tagline_calls.now -= 1
        return represented


class TestToRepresentation:
    async def test_an_override_is_used_for_one_row_and_for_many(self) -> None:
        rows = await products(12)
        tagline_calls.reset()

        one = await Annotated(rows[0]).adata
        listed = await arender(Annotated(rows, many=True))

        assert one == {"id": rows[0].pk, "name": "p0", "audits": 0}
        assert listed == [{"id": row.pk, "name": row.name, "audits": 0} for row in rows]
        assert 1 < tagline_calls.most <= 10

    async def test_the_sync_data_names_adata(self) -> None:
        [product] = await products(1)

        with pytest.raises(TypeError, match=r"ato_representation is `async`.*adata"):
            _ = Annotated(product).data


class TestAsyncSaving:
    async def test_acreate_and_aupdate_are_awaited(self, client: AsyncAPIClient) -> None:
        created = await client.post("/awaited-products/", SAW)
        updated = await client.put(
            f"/awaited-products/{created.json()['id']}/", {**SAW, "stock": 6}
        )

        assert updated.status_code == 200
        assert await stored() == [("Saw", Decimal("12.50"), 6, "sharp")]
        assert await audits() == ["created", "updated"]

    async def test_async_def_create_and_update_are_awaited(self, client: AsyncAPIClient) -> None:
        created = await client.post("/async-create/", {"name": "Saw", "price": "1"})
        assert created.status_code == 201, created.json()
        assert await stored() == [("Saw", Decimal("1.00"), 0, "async create")]

        updated = await client.patch(f"/async-create/{created.json()['id']}/", {"name": "Drill"})

        assert updated.status_code == 200
        assert updated.json() == {"id": created.json()["id"], "name": "Drill", "price": "1.00"}
        assert await stored() == [("Drill", Decimal("1.00"), 0, "async update")]


class TestTransactions:
    async def test_acreate_that_refuses_after_writing_leaves_nothing(
        self, client: AsyncAPIClient
    ) -> None:
        response = await client.post("/refusing-products/", SAW)

        assert response.status_code == 400
        assert response.json() == {"name": ["Refused after writing."]}
        assert await stored() == []
        assert await audits() == []

    async def test_aupdate_that_refuses_after_writing_changes_nothing(
        self, client: AsyncAPIClient
    ) -> None:
        saw = await Product.objects.acreate(name="Saw", price=1)

        response = await client.patch(f"/refusing-products/{saw.pk}/", {"name": "Drill"})

        assert response.status_code == 400
        assert await stored() == [("Saw", Decimal("1.00"), 0, None)]
        assert await audits() == []

    async def test_validate_that_refuses_after_writing_leaves_nothing(
        self, client: AsyncAPIClient
    ) -> None:
        response = await client.post("/writing-validate/", SAW)

        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Refused after writing."]}
        assert await audits() == []
        assert await stored() == []


class DrfTagline(serializers.ModelSerializer[Product]):
    """DRF's own serializer with an async method field."""

    tagline = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "tagline")

    async def get_tagline(self, product: Product) -> str:
        return f"{product.name}!"


class TestDrfSerializers:
    async def test_their_async_method_fields_are_awaited_in_responses(self) -> None:
        """The views represent DRF's serializers the same way."""
        from restflow_django.test import AsyncAPIRequestFactory
        from restflow_django.views import AsyncModelViewSet

        rows = await products(3)

        class DrfTaglines(AsyncModelViewSet[Product]):
            queryset = Product.objects.order_by("id")
            serializer_class = DrfTagline

        factory = AsyncAPIRequestFactory()
        # DRF's stubs type `as_view` for sync views.
        listing: Any = DrfTaglines.as_view({"get": "list"})
        retrieving: Any = DrfTaglines.as_view({"get": "retrieve"})

        listed = await listing(factory.get("/"))
        one = await retrieving(factory.get("/"), pk=str(rows[1].pk))

        assert [row["tagline"] for row in listed.data] == ["p0!", "p1!", "p2!"]
        assert one.data == {"id": rows[1].pk, "name": "p1", "tagline": "p1!"}
