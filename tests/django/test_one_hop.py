"""Updates and deletes with the default hooks: the fetch and the work in one thread hop.

Each test checks what a user sees (status, body, the row afterwards) and, where the hop is
in play, that the action crossed to a thread once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework import permissions, serializers
from rest_framework.request import Request
from typing_extensions import override

from restflow_django.diagnostics import Diagnostics
from restflow_django.permissions import AsyncBasePermission
from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Category, Product, Tag
from tests.testapp.serializers import ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()


class IsOwner(permissions.BasePermission):
    """Only the creator may change a product; decided synchronously."""

    message = "Owners only."

    @override
    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class IsStaff(AsyncBasePermission):
    """Staff may do anything; decided asynchronously."""

    message = "Staff only."
    code = "not_staff"

    @override
    async def has_permission(self, request: Request, view: Any) -> bool:
        return request.user.is_staff

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.user.is_staff


class Products(AsyncModelViewSet[Product]):
    """Products owners may change, with their relations loaded."""

    queryset = Product.objects.select_related("category", "created_by").prefetch_related("tags")
    serializer_class = ProductSerializer
    permission_classes: tuple[Any, ...] = (permissions.IsAuthenticated, IsOwner)


async def send(
    view_class: type[Any], action: str, product: Product, user: User | None, body: Any = None
) -> tuple[Any, Diagnostics]:
    """Run `action` on `product` through `view_class` as `user`; the response and costs."""
    method = {"partial_update": "PATCH", "destroy": "DELETE"}[action]
    request = factory.request_with_body(method, "/", body)
    force_authenticate(request, user)
    view = view_class.as_view({method.lower(): action})
    async with Diagnostics() as seen:
        response = await view(request, pk=str(product.pk))
        response.render()
    return response, seen


async def patch(
    view_class: type[Any], product: Product, body: Any, user: User | None
) -> tuple[Any, Diagnostics]:
    """PATCH `body` onto `product` through `view_class` as `user`."""
    return await send(view_class, "partial_update", product, user, body)


async def delete(
    view_class: type[Any], product: Product, user: User | None
) -> tuple[Any, Diagnostics]:
    """DELETE `product` through `view_class` as `user`."""
    return await send(view_class, "destroy", product, user)


@pytest.fixture
async def bob() -> User:
    """A user who owns nothing."""
    return await User.objects.acreate(username="bob")


class TestOneHop:
    async def test_the_owner_updates_in_one_hop(self, saw: Product, ada: User) -> None:
        response, seen = await patch(Products, saw, {"stock": 9}, ada)

        assert response.status_code == 200, response.data
        assert response.data["stock"] == 9
        assert response.data["category_name"] == "tools"
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 9

    async def test_a_sync_object_permission_refuses_in_the_hop(
        self, saw: Product, bob: User
    ) -> None:
        response, seen = await patch(Products, saw, {"stock": 9}, bob)

        assert response.status_code == 403
        assert response.data == {"detail": "Owners only."}
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 0

    async def test_an_async_object_permission_is_awaited_from_the_hop(
        self, saw: Product, ada: User, bob: User
    ) -> None:
        class StaffOnly(Products):
            permission_classes = (permissions.IsAuthenticated, IsStaff | IsOwner)

        bob.is_staff = True
        await bob.asave()
        stranger = await User.objects.acreate(username="eve")

        by_staff, _ = await patch(StaffOnly, saw, {"stock": 3}, bob)
        by_owner, _ = await patch(StaffOnly, saw, {"stock": 4}, ada)
        by_stranger, _ = await patch(StaffOnly, saw, {"stock": 5}, stranger)

        assert (by_staff.status_code, by_owner.status_code) == (200, 200)
        assert by_stranger.status_code == 403
        assert (await Product.objects.aget(pk=saw.pk)).stock == 4

    async def test_a_refusing_async_permission_keeps_its_message_and_code(
        self, saw: Product, ada: User
    ) -> None:
        class StaffOnly(Products):
            permission_classes = (permissions.IsAuthenticated, IsStaff)

        response, _ = await patch(StaffOnly, saw, {"stock": 3}, ada)

        assert response.status_code == 403
        assert response.data["detail"] == "Staff only."
        assert response.data["detail"].code == "not_staff"

    async def test_missing_and_malformed_ids_are_404(self, saw: Product, ada: User) -> None:
        view: Any = Products.as_view({"patch": "partial_update"})
        answers = []
        for pk in ("999999", "abc", str(2**70)):
            request = factory.request_with_body("PATCH", "/", {"stock": 1})
            force_authenticate(request, ada)
            answers.append(await view(request, pk=pk))

        assert [answer.status_code for answer in answers] == [404, 404, 404]
        assert answers[0].data == {"detail": "No Product matches the given query."}

    async def test_invalid_data_is_400_and_saves_nothing(self, saw: Product, ada: User) -> None:
        response, seen = await patch(Products, saw, {"stock": -1, "name": "Rip saw"}, ada)

        assert response.status_code == 400
        assert set(response.data) == {"stock"}
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=saw.pk)).name == "Saw"

    async def test_the_answer_shows_relations_as_saved(self, saw: Product, ada: User) -> None:
        """Prefetched rows are forgotten before representing, as DRF's update does."""
        sharp = await Tag.objects.acreate(name="sharp")

        class TagsBehindTheManager(ProductSerializer):
            @override
            def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
                saved = super().update(instance, validated_data)
                # Written past the related manager, which would have refreshed the cache.
                Product.tags.through.objects.create(product=saved, tag=sharp)
                return saved

        class Tagging(Products):
            serializer_class = TagsBehindTheManager

        response, _ = await patch(Tagging, saw, {"stock": 2}, ada)

        assert response.status_code == 200, response.data
        assert response.data["tags"] == [sharp.pk]

    async def test_a_serializer_with_its_own_async_validation_is_awaited(
        self, saw: Product, ada: User
    ) -> None:
        class Checked(ProductSerializer):
            @override
            async def ais_valid(self, *, raise_exception: bool = False) -> bool:
                if self.initial_data.get("name") == "forbidden":
                    raise serializers.ValidationError({"name": ["Not that name."]})
                return await super().ais_valid(raise_exception=raise_exception)

        class CheckedProducts(Products):
            serializer_class = Checked

        refused, _ = await patch(CheckedProducts, saw, {"name": "forbidden"}, ada)
        accepted, _ = await patch(CheckedProducts, saw, {"name": "Rip saw"}, ada)

        assert refused.status_code == 400
        assert refused.data == {"name": ["Not that name."]}
        assert accepted.status_code == 200
        assert (await Product.objects.aget(pk=saw.pk)).name == "Rip saw"

    async def test_put_replaces_in_one_hop(self, saw: Product, ada: User, tools: Category) -> None:
        request = factory.request_with_body(
            "PUT", "/", {"name": "Jigsaw", "price": "8.00", "category": tools.pk}
        )
        force_authenticate(request, ada)
        view: Any = Products.as_view({"put": "update"})
        async with Diagnostics() as seen:
            response = await view(request, pk=str(saw.pk))

        assert response.status_code == 200, response.data
        seen.assert_crossings(1)
        row = await Product.objects.aget(pk=saw.pk)
        assert (row.name, row.price) == ("Jigsaw", Decimal("8.00"))

    async def test_an_overridden_fetch_keeps_its_own_hops(self, saw: Product, ada: User) -> None:
        fetched: list[int] = []

        class Counted(Products):
            @override
            async def aget_object(self) -> Product:
                product = await super().aget_object()
                fetched.append(product.pk)
                return product

        response, seen = await patch(Counted, saw, {"stock": 6}, ada)

        assert response.status_code == 200
        assert fetched == [saw.pk]
        # The override's own fetch (row and sync permission) is one hop; validation, the
        # save and the representation are the next.
        seen.assert_crossings(2)


class TestOneHopDelete:
    async def test_the_owner_deletes_in_one_hop(self, saw: Product, ada: User) -> None:
        response, seen = await delete(Products, saw, ada)

        assert response.status_code == 204
        assert response.content == b""
        seen.assert_crossings(1)
        assert not await Product.objects.filter(pk=saw.pk).aexists()

    async def test_a_refused_delete_leaves_the_row(self, saw: Product, bob: User) -> None:
        response, seen = await delete(Products, saw, bob)

        assert response.status_code == 403
        seen.assert_crossings(1)
        assert await Product.objects.filter(pk=saw.pk).aexists()

    async def test_a_missing_row_is_404(self, saw: Product, ada: User) -> None:
        await Product.objects.filter(pk=saw.pk).adelete()

        response, _ = await delete(Products, saw, ada)

        assert response.status_code == 404

    async def test_an_async_hook_still_decides_what_deleting_means(
        self, saw: Product, ada: User
    ) -> None:
        class SoftDelete(Products):
            @override
            async def aperform_destroy(self, instance: Product) -> None:
                instance.is_deleted = True
                await instance.asave(update_fields=["is_deleted"])

        response, _ = await delete(SoftDelete, saw, ada)

        assert response.status_code == 204
        assert (await Product.objects.aget(pk=saw.pk)).is_deleted
