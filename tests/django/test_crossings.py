"""How many times each action crosses to a thread, with restflow's hooks and with overrides.

The core runs each stretch of blocking steps in one thread hop, so a view keeps its one
crossing per action when it overrides hooks the DRF way (sync `perform_*`, `get_object`,
`check_object_permissions`), and an async `aperform_*` costs one more hop of its own.
Every test also checks what was stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404
from rest_framework import authentication, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.diagnostics import Diagnostics
from restflow_django.permissions import IsAuthenticated as RestflowIsAuthenticated
from restflow_django.serializers import ModelSerializer, asave
from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from restflow_django.views import AsyncAPIView, AsyncModelViewSet
from tests.testapp.models import Category, Product
from tests.testapp.serializers import PlainProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()
ACTIONS = {
    "GET": "retrieve",
    "POST": "create",
    "PATCH": "partial_update",
    "PUT": "update",
    "DELETE": "destroy",
}


class IsCreator(permissions.BasePermission):
    """Only the creator may change a product; decided synchronously, so it may query."""

    @override
    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class Plain(AsyncModelViewSet[Product]):
    """Products with restflow's hooks and a plain DRF serializer."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    permission_classes: tuple[Any, ...] = (permissions.IsAuthenticated, IsCreator)


class DrfStyle(Plain):
    """Every write hook overridden as a DRF view would: sync methods."""

    @override
    def get_object(self) -> Product:
        product = get_object_or_404(self.filter_queryset(self.get_queryset()), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, product)
        return product

    @override
    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)

    @override
    def perform_create(self, serializer: BaseSerializer[Product]) -> None:
        serializer.save(created_by=self.request.user, description="drf-style")

    @override
    def perform_update(self, serializer: BaseSerializer[Product]) -> None:
        serializer.save(description="drf-style")

    @override
    def perform_destroy(self, instance: Product) -> None:
        instance.is_deleted = True
        instance.save(update_fields=["is_deleted"])


class AsyncHooks(Plain):
    """Every write hook made async, saving with `asave`."""

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        await asave(serializer, created_by=self.request.user, description="async")

    @override
    async def aperform_update(self, serializer: BaseSerializer[Product]) -> None:
        await asave(serializer, description="async")

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        instance.is_deleted = True
        await instance.asave(update_fields=["is_deleted"])


async def send(
    view_class: type[Any], method: str, user: User, body: Any = None, pk: int | None = None
) -> tuple[Any, Diagnostics]:
    """Run `method` through `view_class` as `user`; the response and what it cost."""
    request = factory.request_with_body(method, "/", body)
    force_authenticate(request, user)
    view = view_class.as_view({method.lower(): ACTIONS[method]})
    kwargs = {} if pk is None else {"pk": str(pk)}
    async with Diagnostics() as seen:
        response = await view(request, **kwargs)
        response.render()
    return response, seen


@pytest.fixture
async def owned(ada: User, tools: Category) -> Product:
    """A product `ada` created."""
    return await Product.objects.acreate(name="Saw", price=5, category=tools, created_by=ada)


class TestDefaultHooks:
    async def test_each_write_crosses_once(self, ada: User, owned: Product) -> None:
        """Create, PATCH, PUT and DELETE with restflow's hooks each make one thread hop."""
        body = {"name": "Drill", "price": "9.00", "category": owned.category_id}

        created, on_create = await send(Plain, "POST", ada, body)
        patched, on_patch = await send(Plain, "PATCH", ada, {"stock": 4}, owned.pk)
        put, on_put = await send(Plain, "PUT", ada, {**body, "name": "Rasp"}, owned.pk)
        deleted, on_delete = await send(Plain, "DELETE", ada, pk=owned.pk)

        statuses = [created.status_code, patched.status_code, put.status_code]
        assert [*statuses, deleted.status_code] == [201, 200, 200, 204]
        for seen in (on_create, on_patch, on_put, on_delete):
            seen.assert_crossings(1)
        assert await Product.objects.filter(name="Drill").aexists()
        assert not await Product.objects.filter(pk=owned.pk).aexists()

    async def test_a_refusal_in_the_hop_writes_nothing(self, bob: User, owned: Product) -> None:
        """A sync object permission refusing inside the hop answers 403 after one hop."""
        response, seen = await send(Plain, "PATCH", bob, {"stock": 4}, owned.pk)

        assert response.status_code == 403
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=owned.pk)).stock == 0


class TestDrfStyleOverrides:
    async def test_create_crosses_once(self, ada: User, tools: Category) -> None:
        """A sync `perform_create` joins validation and rendering in one hop."""
        body = {"name": "Drill", "price": "9.00", "category": tools.pk}

        response, seen = await send(DrfStyle, "POST", ada, body)

        assert response.status_code == 201, response.data
        assert response.data["description"] == "drf-style"
        seen.assert_crossings(1)
        row = await Product.objects.aget(name="Drill")
        assert (row.created_by_id, row.description) == (ada.pk, "drf-style")

    async def test_patch_crosses_once(self, ada: User, owned: Product) -> None:
        """Sync `get_object`, `check_object_permissions` and `perform_update`: one hop."""
        response, seen = await send(DrfStyle, "PATCH", ada, {"stock": 7}, owned.pk)

        assert response.status_code == 200, response.data
        assert (response.data["stock"], response.data["description"]) == (7, "drf-style")
        seen.assert_crossings(1)
        row = await Product.objects.aget(pk=owned.pk)
        assert (row.stock, row.description) == (7, "drf-style")

    async def test_delete_crosses_once(self, ada: User, owned: Product) -> None:
        """Sync `get_object` and `perform_destroy` (a soft delete): one hop."""
        response, seen = await send(DrfStyle, "DELETE", ada, pk=owned.pk)

        assert response.status_code == 204
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=owned.pk)).is_deleted

    async def test_the_overridden_permission_check_still_refuses(
        self, bob: User, owned: Product
    ) -> None:
        """The sync `check_object_permissions` override refuses in the hop: 403, no write."""
        response, seen = await send(DrfStyle, "PATCH", bob, {"stock": 7}, owned.pk)

        assert response.status_code == 403
        seen.assert_crossings(1)
        assert (await Product.objects.aget(pk=owned.pk)).stock == 0


class TestAsyncOverrides:
    async def test_create_crosses_twice(self, ada: User, tools: Category) -> None:
        """Validation is one hop and the hook's `asave` the other; rendering needs none."""
        body = {"name": "Drill", "price": "9.00", "category": tools.pk}

        response, seen = await send(AsyncHooks, "POST", ada, body)

        assert response.status_code == 201, response.data
        seen.assert_crossings(2)
        row = await Product.objects.aget(name="Drill")
        assert (row.created_by_id, row.description) == (ada.pk, "async")

    async def test_patch_crosses_twice(self, ada: User, owned: Product) -> None:
        """The fetch, permission and validation are one hop; the hook's `asave` the other."""
        response, seen = await send(AsyncHooks, "PATCH", ada, {"stock": 3}, owned.pk)

        assert response.status_code == 200, response.data
        seen.assert_crossings(2)
        row = await Product.objects.aget(pk=owned.pk)
        assert (row.stock, row.description) == (3, "async")

    async def test_delete_crosses_twice(self, ada: User, owned: Product) -> None:
        """The fetch is one hop and the hook's own `asave` the other."""
        response, seen = await send(AsyncHooks, "DELETE", ada, pk=owned.pk)

        assert response.status_code == 204
        seen.assert_crossings(2)
        assert (await Product.objects.aget(pk=owned.pk)).is_deleted


class ThreadFreeCheck(permissions.BasePermission):
    """A sync permission that reads only the request."""

    @override
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.user.is_authenticated


class DeclaredThreadFree(ThreadFreeCheck):
    """The same permission, declared free of I/O."""

    restflow_async_safe = True


class TestAsyncSafeDeclaration:
    async def test_a_declared_permission_runs_on_the_loop(self, ada: User, owned: Product) -> None:
        """An undeclared sync permission of a default action joins the action's one thread hop
        (the request is admitted there); declared `restflow_async_safe`, it runs on the loop.
        One hop either way."""

        class Unknown(Plain):
            permission_classes = (ThreadFreeCheck,)

        class Declared(Plain):
            permission_classes = (DeclaredThreadFree,)

        request_unknown, request_declared = (
            factory.get("/"),
            factory.get("/"),
        )
        force_authenticate(request_unknown, ada)
        force_authenticate(request_declared, ada)
        unknown_view: Any = Unknown.as_view({"get": "retrieve"})
        declared_view: Any = Declared.as_view({"get": "retrieve"})
        async with Diagnostics() as unknown:
            first = await unknown_view(request_unknown, pk=str(owned.pk))
        async with Diagnostics() as declared:
            second = await declared_view(request_declared, pk=str(owned.pk))

        assert (first.status_code, second.status_code) == (200, 200)
        unknown.assert_crossings(1)
        declared.assert_crossings(1)


class HeaderNames(authentication.BaseAuthentication):
    """Names the user from a header, with no query: `X-User: ada`."""

    @override
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        name = request.META.get("HTTP_X_USER")
        return None if name is None else (User(username=name), None)


class DeclaredHeaderNames(HeaderNames):
    """The same authenticator, declared free of I/O."""

    restflow_async_safe = True


class Whoami(AsyncAPIView):
    """Answers with the user's name, from the request alone."""

    permission_classes = (permissions.AllowAny,)

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.username})


class TestAsyncSafeAuthentication:
    async def test_a_declared_authenticator_runs_on_the_loop(self) -> None:
        """An undeclared sync authenticator may block: it crosses to a thread. Declared
        `restflow_async_safe`, it is called on the loop, by the rule that asks every class."""

        class Unknown(Whoami):
            authentication_classes = (HeaderNames,)

        class Declared(Whoami):
            authentication_classes = (DeclaredHeaderNames,)

        answers = []
        for view_class in (Unknown, Declared):
            view: Any = view_class.as_view()
            async with Diagnostics() as seen:
                response = await view(factory.get("/", HTTP_X_USER="ada"))
                response.render()
            answers.append((response.data, seen.crossings))

        assert answers == [({"user": "ada"}, 1), ({"user": "ada"}, 0)]


class OwnSerializerBuilder(Plain):
    """No `serializer_class`: the view builds its serializers itself, as DRF allows."""

    serializer_class = None  # type: ignore[assignment]  # the point of the test

    @override
    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("context", self.get_serializer_context())
        return PlainProductSerializer(*args, **kwargs)


class TestSerializersBuiltByTheView:
    async def test_create_and_patch_work_without_a_serializer_class(
        self, ada: User, tools: Category
    ) -> None:
        """The steps cannot ask for the class beforehand; they check what they are given."""
        body = {"name": "Drill", "price": "9.00", "category": tools.pk}

        created, on_create = await send(OwnSerializerBuilder, "POST", ada, body)
        await Product.objects.filter(pk=created.data["id"]).aupdate(created_by=ada)
        patched, on_patch = await send(
            OwnSerializerBuilder, "PATCH", ada, {"stock": 2}, created.data["id"]
        )

        assert (created.status_code, patched.status_code) == (201, 200)
        on_create.assert_crossings(1)
        on_patch.assert_crossings(1)
        assert (await Product.objects.aget(name="Drill")).stock == 2


class TestBlockingFilterBackends:
    async def test_a_sync_backend_that_may_query_joins_the_fetch(self, owned: Product) -> None:
        """django-filter's backend (its category filter queries) shares the fetch's hop."""
        from tests.testapp.views import FilteredProductViewSet

        view: Any = FilteredProductViewSet.as_view({"get": "retrieve"})
        async with Diagnostics() as seen:
            response = await view(factory.get("/?category=tools"), pk=str(owned.pk))
            missed = await view(factory.get("/?min_price=100"), pk=str(owned.pk))

        assert (response.status_code, missed.status_code) == (200, 404)
        assert response.data["name"] == "Saw"
        seen.assert_crossings(2)


class RestflowProducts(ModelSerializer[Product]):
    """restflow's serializer with no async hooks."""

    class Meta:
        model = Product
        fields: tuple[str, ...] = ("id", "name", "price", "description", "stock", "category")


class AsyncValidate(RestflowProducts):
    """An async `validate` that awaits nothing that crosses."""

    @override
    async def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0)
        return attrs


class AsyncFieldHookAndMethodField(RestflowProducts):
    """An async `validate_name` and an async method field, neither crossing."""

    shout = serializers.SerializerMethodField()

    class Meta(RestflowProducts.Meta):
        fields = (*RestflowProducts.Meta.fields, "shout")

    async def validate_name(self, value: str) -> str:
        await asyncio.sleep(0)
        return value.strip()

    async def get_shout(self, product: Product) -> str:
        await asyncio.sleep(0)
        return product.name.upper()


def viewset(serializer: type[BaseSerializer[Product]]) -> type[Plain]:
    """`Plain` with `serializer`."""
    return type(f"With{serializer.__name__}", (Plain,), {"serializer_class": serializer})


class TestAsyncSerializerHooks:
    @pytest.mark.parametrize(
        ("serializer", "crossings"),
        [
            # restflow's serializer keeps the single hop of DRF's.
            (RestflowProducts, 1),
            # Parsing and saving stay in threads; `validate` runs between them, on the loop.
            (AsyncValidate, 2),
        ],
    )
    async def test_writes_cross_once_and_once_more_for_an_async_validate(
        self, ada: User, owned: Product, serializer: type[RestflowProducts], crossings: int
    ) -> None:
        view = viewset(serializer)
        body = {"name": "Drill", "price": "9.00", "category": owned.category_id}

        created, on_create = await send(view, "POST", ada, body)
        patched, on_patch = await send(view, "PATCH", ada, {"stock": 4}, owned.pk)

        assert (created.status_code, patched.status_code) == (201, 200)
        on_create.assert_crossings(crossings)
        on_patch.assert_crossings(crossings)
        assert (await Product.objects.aget(pk=owned.pk)).stock == 4

    async def test_field_hooks_and_method_fields_pay_for_what_they_await(
        self, ada: User, owned: Product
    ) -> None:
        """Fields parsed in one hop, the hook on the loop, validators and the save in the
        next; the method field is awaited on the loop, so a retrieve still crosses once."""
        view = viewset(AsyncFieldHookAndMethodField)
        body = {"name": " Drill ", "price": "9.00", "category": owned.category_id}

        created, on_create = await send(view, "POST", ada, body)
        retrieved, on_retrieve = await send(view, "GET", ada, pk=owned.pk)

        assert created.data["shout"] == "DRILL"
        assert retrieved.data["shout"] == "SAW"
        on_create.assert_crossings(3)
        on_retrieve.assert_crossings(1)
        assert await Product.objects.filter(name="Drill").aexists()


class WithRestflowsPermission(AsyncModelViewSet[Product]):
    """restflow's own `IsAuthenticated` (an async twin beside DRF's sync check)."""

    queryset = Product.objects.select_related("category", "created_by").prefetch_related("tags")
    serializer_class = PlainProductSerializer
    permission_classes = (RestflowIsAuthenticated,)


class TestNoHopBack:
    @pytest.mark.parametrize(
        ("method", "body"), [("PATCH", {"stock": 5}), ("PUT", None), ("DELETE", None)]
    )
    async def test_object_permissions_answer_in_the_writes_thread(
        self, saw: Product, ada: User, method: str, body: Any
    ) -> None:
        """PATCH, PUT and DELETE with restflow's `IsAuthenticated`: one crossing to the
        thread and none back to the loop (the sync check answers where it is)."""
        if body is None and method == "PUT":
            body = {"name": "Saw", "price": "12.50", "stock": 6}
        request = factory.generic(method, "/", b"") if body is None else None
        if request is None:
            request = getattr(factory, method.lower())("/", body)
        force_authenticate(request, ada)
        view: Any = WithRestflowsPermission.as_view({method.lower(): ACTIONS[method]})

        async with Diagnostics() as seen:
            response = await view(request, pk=str(saw.pk))

        assert response.status_code in (200, 204), response.data
        seen.assert_crossings(1, back=0)
        remaining = [p.stock async for p in Product.objects.filter(pk=saw.pk)]
        assert remaining == ({"PATCH": [5], "PUT": [6], "DELETE": []}[method])
