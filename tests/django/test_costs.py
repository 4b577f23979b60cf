"""What each action costs in queries and thread crossings, measured at the view."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from restflow_django.diagnostics import Diagnostics, LazyRelationError, strict_relations
from restflow_django.serializers import ModelSerializer, arender
from restflow_django.test import AsyncAPIRequestFactory
from tests.testapp.models import Category, Product
from tests.testapp.serializers import ProductSerializer
from tests.testapp.views import LazyProductViewSet, PlainProductViewSet, ProductViewSet

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()


async def catalogue(tools: Category, count: int = 5) -> None:
    """Create `count` products in `tools`."""
    for n in range(count):
        await Product.objects.acreate(name=f"p{n}", price=n, category=tools)


async def measure(view: Any, path: str, **kwargs: Any) -> tuple[Any, Diagnostics]:
    """Call `view` with a GET on `path`; return the rendered response and what it cost."""
    async with Diagnostics() as seen:
        response = await view(factory.get(path), **kwargs)
        response.render()
    return response, seen


class TestListCosts:
    async def test_paginated_list_is_count_page_and_declared_prefetch(
        self, tools: Category
    ) -> None:
        """A page costs its count, its rows and its prefetch, all in one thread hop."""
        await catalogue(tools)

        response, seen = await measure(ProductViewSet.as_view({"get": "list"}), "/?page=2")

        assert response.status_code == 200
        seen.assert_queries(3)
        assert seen.queries[0].startswith("SELECT COUNT(*)")
        seen.assert_crossings(1)

    async def test_lazy_relations_still_load(self, tools: Category) -> None:
        """Without `select_related` each row's category is one more query, run in a thread."""
        await catalogue(tools, 3)

        response, seen = await measure(LazyProductViewSet.as_view({"get": "list"}), "/")

        assert [item["category_name"] for item in response.data] == ["tools"] * 3
        assert len(seen.queries) > 2


class TestDetailCosts:
    async def test_retrieve_is_the_row_and_its_prefetch(self, saw: Product) -> None:
        """Fetching one product costs its row (relations joined) and its tags, in one hop."""
        response, seen = await measure(
            ProductViewSet.as_view({"get": "retrieve"}), "/", pk=str(saw.pk)
        )

        assert response.status_code == 200
        seen.assert_queries(2)
        seen.assert_crossings(1)


async def measure_write(
    view: Any, method: str, body: Any, **kwargs: Any
) -> tuple[Any, Diagnostics]:
    """Call `view` with `body`; return the rendered response and what it cost."""
    async with Diagnostics() as seen:
        request = factory.request_with_body(method, "/", body)
        response = await view(request, **kwargs)
        response.render()
    return response, seen


class TestWriteCosts:
    async def test_create_validates_saves_and_represents_in_one_hop(self, tools: Category) -> None:
        """With the default hook, a create crosses to a thread once for all its queries."""
        response, seen = await measure_write(
            PlainProductViewSet.as_view({"post": "create"}),
            "POST",
            {"name": "Drill", "price": "9.00", "category": tools.pk},
        )

        assert response.status_code == 201
        seen.assert_crossings(1)
        assert await Product.objects.filter(name="Drill").aexists()

    async def test_partial_update_is_one_hop(self, saw: Product) -> None:
        """With the default hooks, a PATCH fetches, checks, validates, saves and represents
        in one thread hop."""
        response, seen = await measure_write(
            PlainProductViewSet.as_view({"patch": "partial_update"}),
            "PATCH",
            {"stock": 4},
            pk=str(saw.pk),
        )

        assert response.data["stock"] == 4
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 4

    async def test_overridden_hooks_still_run(self, ada: Any) -> None:
        """An `aperform_create` override is awaited; the fused path is only for the default."""
        from restflow_django.test import force_authenticate

        request = factory.request_with_body("POST", "/", {"name": "Drill", "price": "9.00"})
        force_authenticate(request, ada)
        view: Any = ProductViewSet.as_view({"post": "create"})
        response = await view(request)

        assert response.status_code == 201
        assert (await Product.objects.aget(name="Drill")).created_by_id == ada.pk


class TestStrictRelations:
    async def test_lazy_foreign_key_names_the_select_related_to_add(self, saw: Product) -> None:
        """In strict mode, reading `category.name` without `select_related` is an error."""
        fresh = await Product.objects.aget(pk=saw.pk)

        with strict_relations(), pytest.raises(LazyRelationError) as caught:
            await arender(ProductSerializer(fresh))

        assert str(caught.value) == (
            "ProductSerializer.category_name reads `category`, which the queryset did not "
            'load: add select_related("category")'
        )

    async def test_lazy_many_to_many_names_the_prefetch_to_add(self, saw: Product) -> None:
        """With the category selected, the unprefetched tags are the next missing relation."""
        fresh = await Product.objects.select_related("category", "created_by").aget(pk=saw.pk)

        with (
            strict_relations(),
            pytest.raises(LazyRelationError, match=r'prefetch_related\("tags"\)'),
        ):
            await arender(ProductSerializer(fresh))

    async def test_fully_loaded_rows_pass_and_lists_are_checked_too(self, saw: Product) -> None:
        """Loaded rows represent fine in strict mode; a lazy list names its field."""
        loaded = [
            row
            async for row in Product.objects.select_related(
                "category", "created_by"
            ).prefetch_related("tags")
        ]
        lazy = [row async for row in Product.objects.all()]

        with strict_relations():
            data = await arender(ProductSerializer(loaded, many=True))
            with pytest.raises(LazyRelationError, match="category_name"):
                await arender(ProductSerializer(lazy, many=True))

        assert data[0]["category_name"] == "tools"

    async def test_outside_strict_mode_lazy_relations_load(self, saw: Product) -> None:
        """Without strict mode the same representation loads the category in a thread."""
        fresh = await Product.objects.aget(pk=saw.pk)

        data = await arender(ProductSerializer(fresh))

        assert data["category_name"] == "tools"

    async def test_a_retrieve_honours_strict_mode(self, saw: Product) -> None:
        """A retrieve represents its object in the fetch's thread hop, except in strict mode:
        there the lazy relation is named, as on the loop."""
        view: Any = LazyProductViewSet.as_view({"get": "retrieve"})

        loose = await view(factory.get("/"), pk=str(saw.pk))
        with strict_relations(), pytest.raises(LazyRelationError, match="category_name"):
            await view(factory.get("/"), pk=str(saw.pk))

        assert loose.data["category_name"] == "tools"

    async def test_streaming_honours_strict_mode(self, saw: Product) -> None:
        """A streamed representation that loads a lazy relation raises in strict mode too."""
        from restflow_django.streaming import astream_rows

        rows = astream_rows(
            Product.objects.all(), lambda row: ProductSerializer(row).data, format="ndjson"
        )

        with strict_relations(), pytest.raises(LazyRelationError):
            _ = [chunk async for chunk in rows]


class TestRenderingOnTheLoop:
    async def test_json_responses_need_no_thread_to_render(self, saw: Product) -> None:
        """Under ASGI a JSON response arrives rendered, with a `render` Django awaits."""
        from asgiref.sync import iscoroutinefunction

        view: Any = ProductViewSet.as_view({"get": "retrieve"})

        response = await view(factory.get("/"), pk=str(saw.pk))

        assert response.is_rendered
        assert iscoroutinefunction(response.render)
        assert await response.render() is response
        assert response.render() is response

    async def test_the_browsable_api_keeps_djangos_rendering(self, saw: Product) -> None:
        """HTML goes through Django's own path: not rendered yet, a plain `render`."""
        view: Any = ProductViewSet.as_view({"get": "retrieve"})

        response = await view(factory.get("/", headers={"Accept": "text/html"}), pk=str(saw.pk))

        assert not response.is_rendered


class TestStrictRelationsSetting:
    async def test_the_setting_turns_lazy_loads_into_errors(self, saw: Product) -> None:
        """`RESTFLOW = {"STRICT_RELATIONS": True}` is strict mode everywhere."""
        from django.test import override_settings

        fresh = await Product.objects.aget(pk=saw.pk)

        with (
            override_settings(RESTFLOW={"STRICT_RELATIONS": True}),
            pytest.raises(LazyRelationError, match="category_name"),
        ):
            await arender(ProductSerializer(fresh))


class CountsTags(ModelSerializer[Product]):
    """A product with an async method field that asks the database for each row."""

    tag_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "tag_count")

    async def get_tag_count(self, product: Product) -> int:
        return await product.tags.acount()


class CountsPrefetchedTags(ModelSerializer[Product]):
    """The same field, sync, over tags the queryset prefetched."""

    tag_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "tag_count")

    def get_tag_count(self, product: Product) -> int:
        return len(product.tags.all())


class TestAsyncMethodFieldCosts:
    async def test_an_async_orm_call_per_row_is_a_crossing_per_row(self, tools: Category) -> None:
        """Representing 20 rows whose async method field queries crosses to a thread for
        each row; with the rows prefetched (in the page's own crossing) a sync field crosses
        none (the figures docs/serializers.md gives)."""
        await catalogue(tools, 20)
        rows = [product async for product in Product.objects.order_by("id")]
        prefetched = Product.objects.order_by("id").prefetch_related("tags")
        loaded = [product async for product in prefetched]

        async with Diagnostics() as per_row:
            await arender(CountsTags(rows, many=True))
        async with Diagnostics() as once:
            await arender(CountsPrefetchedTags(loaded, many=True))

        per_row.assert_crossings(20)
        per_row.assert_queries(20)
        once.assert_crossings(0)
