"""Every shape of a restflow serializer keeps the async contract: `many=True` lists, nested
serializers, `ato_representation` overrides, validator order.

DRF's own serializers, with the same hooks written sync, are the oracle for statuses,
bodies and stored rows. The module runs on SQLite and, in `dev.py test`, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from restflow_django.serializers import ModelSerializer, Serializer, arender, async_validator
from restflow_django.test import AsyncAPIClient
from restflow_django.views import AsyncAPIView, AsyncListAPIView
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


class InFlight:
    """Counts the awaited tagline calls running at once."""

    now = 0
    most = 0


async def refuse_bad(value: str) -> None:
    """An async field validator."""
    await asyncio.sleep(0)
    if value == "bad":
        raise serializers.ValidationError("Async says no.")


def refuse_short(value: str) -> None:
    """A sync field validator."""
    if len(value) < 4:
        raise serializers.ValidationError("Sync says no.")


class Row(ModelSerializer[Product]):
    """A product with an async `validate_name` and an async method field."""

    tagline = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "price", "tagline")

    async def validate_name(self, value: str) -> str:
        if await Product.objects.filter(name=value).aexists():
            raise serializers.ValidationError("Taken.")
        if value == "bad":
            raise serializers.ValidationError("Bad name.")
        return value.strip()

    async def get_tagline(self, product: Product) -> str:
        InFlight.now += 1
        InFlight.most = max(InFlight.most, InFlight.now)
        try:
            await asyncio.sleep(0.01)
            return f"{product.name}!"
        finally:
            InFlight.now -= 1


class DrfRow(serializers.ModelSerializer[Product]):
    """`Row` as DRF writes it, every hook sync: the oracle."""

    tagline = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "price", "tagline")

    def validate_name(self, value: str) -> str:
        if Product.objects.filter(name=value).exists():
            raise serializers.ValidationError("Taken.")
        if value == "bad":
            raise serializers.ValidationError("Bad name.")
        return value.strip()

    def get_tagline(self, product: Product) -> str:
        return f"{product.name}!"


class OwnRepresentation(ModelSerializer[Product]):
    """A product represented by an `ato_representation` of its own."""

    class Meta:
        model = Product
        fields = ("id", "name")

    @override
    async def ato_representation(self, instance: Any) -> dict[str, Any]:
        represented = await super().ato_representation(instance)
        await asyncio.sleep(0)
        return {**represented, "shown_by": "ato_representation"}


class CategoryWithRows(ModelSerializer[Category]):
    """A category with its products nested, each represented its own way."""

    products = OwnRepresentation(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ("id", "name", "products")


class Ordered(Serializer):
    """One field with an async validator before a sync one."""

    name = serializers.CharField(validators=[async_validator(refuse_bad), refuse_short])


def refuse_bad_sync(value: str) -> None:
    """`refuse_bad`, sync."""
    if value == "bad":
        raise serializers.ValidationError("Async says no.")


class DrfOrdered(serializers.Serializer[Any]):
    """`Ordered` with both validators sync: DRF's order is the oracle."""

    name = serializers.CharField(validators=[refuse_bad_sync, refuse_short])


class BulkCreate(AsyncAPIView):
    """POST a list of products: validated, saved and represented with `many=True`."""

    async def post(self, request: Request) -> Response:
        rows = Row(data=request.data, many=True)
        await rows.ais_valid(raise_exception=True)
        await rows.asave()
        return Response(await rows.adata, status=201)


class DrfBulkCreate(AsyncAPIView):
    """The same with DRF's serializer, sync, in a thread: the oracle."""

    async def post(self, request: Request) -> Response:
        from asgiref.sync import sync_to_async

        def run() -> tuple[int, Any]:
            rows = DrfRow(data=request.data, many=True)
            if not rows.is_valid():
                return 400, rows.errors
            rows.save()
            return 201, rows.data

        status, body = await sync_to_async(run)()
        return Response(body, status=status)


class Checked(AsyncAPIView):
    """POST a name through `Ordered`."""

    async def post(self, request: Request) -> Response:
        checked = Ordered(data=request.data)
        await checked.ais_valid(raise_exception=True)
        return Response(checked.validated_data)


class Categories(AsyncListAPIView[Category]):
    """Categories with their products nested."""

    queryset = Category.objects.prefetch_related("products")
    serializer_class = CategoryWithRows
    pagination_class = None


urlpatterns = [
    path("bulk/", BulkCreate.as_view()),
    path("drf-bulk/", DrfBulkCreate.as_view()),
    path("checked/", Checked.as_view()),
    path("categories/", Categories.as_view()),
]


async def stored() -> list[tuple[str, Decimal]]:
    """Every product as `(name, price)`."""
    return [(p.name, p.price) async for p in Product.objects.order_by("id")]


class TestManyValidation:
    def test_sync_is_valid_refuses_an_async_field_hook(self) -> None:
        """`is_valid()` on a `many=True` list names `ais_valid` instead of letting a
        coroutine through as the value."""
        rows = Row(data=[{"name": "bad", "price": "1"}], many=True)

        with pytest.raises(TypeError, match=r"Row\.validate_name.*ais_valid"):
            rows.is_valid()

    async def test_a_refused_item_is_a_400_in_drf_shape_and_nothing_is_stored(
        self, client: AsyncAPIClient
    ) -> None:
        """One bad item of three refuses the whole list, with DRF's body by item."""
        await Product.objects.acreate(name="Taken", price=1)
        items = [
            {"name": "Saw", "price": "1"},
            {"name": "bad", "price": "2"},
            {"name": "Taken", "price": "x"},
        ]

        ours = await client.post("/bulk/", items)
        drf = await client.post("/drf-bulk/", items)

        assert drf.status_code == 400
        assert (ours.status_code, ours.json()) == (400, drf.json())
        assert await stored() == [("Taken", Decimal("1.00"))]

    async def test_a_valid_list_is_stored_and_every_row_awaited(
        self, client: AsyncAPIClient
    ) -> None:
        """Every item is saved, and the response awaits every row's method field."""
        items = [{"name": " Saw ", "price": "1"}, {"name": "Drill", "price": "2"}]

        response = await client.post("/bulk/", items)

        assert response.status_code == 201, response.json()
        assert [(row["name"], row["tagline"]) for row in response.json()] == [
            ("Saw", "Saw!"),
            ("Drill", "Drill!"),
        ]
        assert await stored() == [("Saw", Decimal("1.00")), ("Drill", Decimal("2.00"))]

    async def test_a_list_that_is_not_a_list_is_drfs_400(self, client: AsyncAPIClient) -> None:
        """A dict where the list belongs gets DRF's own message."""
        ours = await client.post("/bulk/", {"name": "Saw", "price": "1"})
        drf = await client.post("/drf-bulk/", {"name": "Saw", "price": "1"})

        assert (ours.status_code, ours.json()) == (400, drf.json())
        assert await stored() == []


class TestManyRepresentation:
    async def test_sync_data_refuses_async_method_fields(self) -> None:
        """`.data` on a `many=True` list names `adata` instead of returning coroutines."""
        saw = await Product.objects.acreate(name="Saw", price=1)

        with pytest.raises(TypeError, match=r"Row\.get_tagline.*adata"):
            _ = Row([saw], many=True).data

    @override_settings(RESTFLOW={"RENDER_CONCURRENCY": 2})
    async def test_adata_awaits_every_row_within_the_bound(self) -> None:
        """`await adata` gives every row's value, at most `RENDER_CONCURRENCY` at once."""
        for number in range(6):
            await Product.objects.acreate(name=f"p{number}", price=number)
        rows = [product async for product in Product.objects.order_by("id")]
        InFlight.most = 0

        data: Any = await Row(rows, many=True).adata

        assert [row["tagline"] for row in data] == [f"p{number}!" for number in range(6)]
        assert InFlight.most == 2


class TestOwnRepresentation:
    async def test_a_nested_child_is_shown_by_its_ato_representation(
        self, client: AsyncAPIClient
    ) -> None:
        """A nested `many=True` child's `ato_representation` represents each row."""
        tools = await Category.objects.acreate(name="tools")
        await Product.objects.acreate(name="Saw", price=1, category=tools)

        response = await client.get("/categories/")

        assert response.status_code == 200
        assert response.json() == [
            {
                "id": tools.pk,
                "name": "tools",
                "products": [
                    {
                        "id": (await Product.objects.aget()).pk,
                        "name": "Saw",
                        "shown_by": "ato_representation",
                    }
                ],
            }
        ]

    async def test_sync_data_refuses_a_nested_ato_representation(self) -> None:
        """The sync `.data` names the nested child's `ato_representation`."""
        tools = await Category.objects.acreate(name="tools")

        with pytest.raises(TypeError, match=r"OwnRepresentation\.ato_representation.*adata"):
            _ = CategoryWithRows(tools).data

    async def test_arender_of_a_queryset_reads_it_off_the_loop(self) -> None:
        """`arender(S(queryset, many=True))` with an own `ato_representation` evaluates the
        queryset without touching the sync ORM on the loop."""
        await Product.objects.acreate(name="Saw", price=1)

        data = await arender(OwnRepresentation(Product.objects.order_by("id"), many=True))

        assert [row["shown_by"] for row in data] == ["ato_representation"]


class TestValidatorOrder:
    async def test_messages_keep_the_order_of_the_validators(self, client: AsyncAPIClient) -> None:
        """`validators=[async_check, sync_check]`: the async message comes first, as DRF
        orders the same validators."""
        oracle = DrfOrdered(data={"name": "bad"})
        oracle.is_valid()

        response = await client.post("/checked/", {"name": "bad"})

        assert response.status_code == 400
        assert response.json() == oracle.errors
        assert response.json() == {"name": ["Async says no.", "Sync says no."]}
