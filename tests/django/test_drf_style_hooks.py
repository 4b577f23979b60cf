"""A view moved over from DRF keeps its sync hooks: restflow runs them, none is skipped."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.test import AsyncRequestFactory
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.test import force_authenticate
from rest_framework.throttling import BaseThrottle
from typing_extensions import override

from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Category, Product
from tests.testapp.serializers import PlainProductSerializer
from tests.testapp.views import Pages

pytestmark = pytest.mark.django_db(transaction=True)

RowT = TypeVar("RowT")

ACTIONS = {"get": "list", "post": "create"}
DETAIL_ACTIONS = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}


class Products(AsyncModelViewSet[Product]):
    """Every product, authenticated writes, pages of two."""

    queryset = Product.objects.order_by("id")
    serializer_class = PlainProductSerializer
    permission_classes: Sequence[type[permissions.BasePermission]] = (
        permissions.IsAuthenticatedOrReadOnly,
    )
    pagination_class = Pages


async def call(
    view_class: type[Products],
    method: str,
    *,
    pk: int | None = None,
    body: Mapping[str, Any] | None = None,
    user: User | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Send one request to `view_class` and return the response."""
    factory = AsyncRequestFactory()
    data = "" if body is None else json.dumps(body)
    request = factory.generic(
        method.upper(), "/", data, "application/json", headers=dict(headers or {})
    )
    if user is not None:
        force_authenticate(request, user)
    actions: Any = DETAIL_ACTIONS if pk is not None else ACTIONS
    view: Any = view_class.as_view(actions)
    return await (view(request, pk=pk) if pk is not None else view(request))


@pytest.fixture
async def hammer(tools: Category) -> Product:
    """A product that is out of stock."""
    return await Product.objects.acreate(name="Hammer", price=Decimal("3.00"), stock=0)


@pytest.fixture
async def drill(tools: Category) -> Product:
    """A product in stock."""
    return await Product.objects.acreate(name="Drill", price=Decimal("40.00"), stock=5)


every_detail_action = pytest.mark.parametrize(
    ("method", "body"), [("get", None), ("patch", {"name": "x"}), ("delete", None)]
)


async def refused_on(
    view_class: type[Products], row: Product, user: User, method: str, body: Any
) -> Any:
    """The response to `method` on `row`, after checking it wrote nothing."""
    before = await names()
    response = await call(view_class, method, pk=row.pk, body=body, user=user)
    assert await names() == before
    return response


async def names() -> list[str]:
    return [name async for name in Product.objects.order_by("id").values_list("name", flat=True)]


class InStockOnly(Products):
    """DRF style: rows are scoped in `filter_queryset`."""

    @override
    def filter_queryset(self, queryset: QuerySet[Product, RowT]) -> QuerySet[Product, RowT]:
        return super().filter_queryset(queryset).filter(stock__gt=0)


class TestFilterQueryset:
    async def test_a_list_shows_only_what_it_lets_through(
        self, hammer: Product, drill: Product
    ) -> None:
        """The sync override scopes the list."""
        response = await call(InStockOnly, "get")

        assert response.status_code == 200
        assert [row["name"] for row in response.data["results"]] == ["Drill"]
        assert response.data["count"] == 1

    @every_detail_action
    async def test_an_object_it_hides_is_404_for_every_detail_action(
        self, hammer: Product, ada: User, method: str, body: dict[str, str] | None
    ) -> None:
        """Reads, edits and deletes cannot reach a row the filter hides."""
        response = await refused_on(InStockOnly, hammer, ada, method, body)

        assert response.status_code == 404

    async def test_an_async_override_is_awaited(self, hammer: Product, drill: Product) -> None:
        """`async def filter_queryset` works the same."""

        class AsyncInStockOnly(Products):
            @override
            async def filter_queryset(  # type: ignore[override]  # async where DRF's is sync
                self, queryset: QuerySet[Product, RowT]
            ) -> QuerySet[Product, RowT]:
                return queryset.filter(stock__gt=0)

        response = await call(AsyncInStockOnly, "get")

        assert [row["name"] for row in response.data["results"]] == ["Drill"]


class ArchivedAreGone(Products):
    """DRF style: `get_object` refuses some rows itself."""

    @override
    def get_object(self) -> Product:
        product = super().get_object()
        if product.stock == 0:
            raise exceptions.NotFound("Sold out for good.")
        return product


class TestGetObject:
    @every_detail_action
    async def test_it_decides_for_every_detail_action(
        self, hammer: Product, ada: User, method: str, body: dict[str, str] | None
    ) -> None:
        """Its refusal answers, and nothing is written."""
        response = await refused_on(ArchivedAreGone, hammer, ada, method, body)

        assert response.status_code == 404
        assert response.data == {"detail": "Sold out for good."}

    async def test_what_it_lets_through_is_edited(self, drill: Product, ada: User) -> None:
        """Its `super().get_object()` finds the row as restflow does."""
        response = await call(ArchivedAreGone, "patch", pk=drill.pk, body={"name": "D2"}, user=ada)

        assert response.status_code == 200
        assert await names() == ["D2"]

    async def test_a_malformed_id_is_still_404(self, drill: Product) -> None:
        """`super().get_object()` keeps restflow's lookup checks."""
        factory = AsyncRequestFactory()
        view: Any = ArchivedAreGone.as_view({"get": "retrieve"})

        response = await view(factory.get("/"), pk="abc")

        assert response.status_code == 404


class OnlyOwnersOfStock(Products):
    """DRF style: permission checks are overridden."""

    @override
    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.headers.get("X-Locked"):
            self.permission_denied(request, message="The shop is locked.")

    @override
    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)
        if request.method != "GET" and obj.stock == 0:
            self.permission_denied(request, message="Nothing left to change.")


class TestPermissions:
    async def test_the_request_check_refuses(self, drill: Product, ada: User) -> None:
        """A refusal of the sync `check_permissions` is DRF's 403."""
        response = await call(OnlyOwnersOfStock, "get", user=ada, headers={"X-Locked": "1"})

        assert response.status_code == 403
        assert response.data == {"detail": "The shop is locked."}

    async def test_its_super_call_keeps_the_permission_classes(self) -> None:
        """`super().check_permissions()` still runs `permission_classes`: anonymous writes fail."""
        response = await call(OnlyOwnersOfStock, "post", body={"name": "x", "price": "1"})

        assert response.status_code in (401, 403)
        assert await names() == []

    @pytest.mark.parametrize(("method", "body"), [("patch", {"name": "x"}), ("delete", None)])
    async def test_the_object_check_refuses_writes(
        self, hammer: Product, ada: User, method: str, body: dict[str, str] | None
    ) -> None:
        """A refusal of the sync `check_object_permissions` leaves the row alone."""
        response = await call(OnlyOwnersOfStock, method, pk=hammer.pk, body=body, user=ada)

        assert response.status_code == 403
        assert response.data == {"detail": "Nothing left to change."}
        assert await names() == ["Hammer"]

    async def test_an_async_def_check_permissions_is_awaited(
        self, drill: Product, ada: User
    ) -> None:
        """`async def check_permissions` (no `a` prefix) is awaited, not run in a thread."""

        class Locked(Products):
            @override
            async def check_permissions(self, request: Request) -> None:  # type: ignore[override]
                self.permission_denied(request, message="Locked, asynchronously.")

        response = await call(Locked, "get", user=ada)

        assert response.status_code == 403
        assert response.data == {"detail": "Locked, asynchronously."}

    async def test_the_object_check_lets_reads_through(self, hammer: Product) -> None:
        """The override's own rule decides: GET passes."""
        response = await call(OnlyOwnersOfStock, "get", pk=hammer.pk)

        assert response.status_code == 200


class FirstOfEachPage(Products):
    """DRF style: `paginate_queryset` is overridden."""

    @override
    def paginate_queryset(self, queryset: QuerySet[Product, RowT]) -> list[RowT] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else page[:1]


class TestPaginateQueryset:
    async def test_the_page_is_what_it_returns(self, hammer: Product, drill: Product) -> None:
        """The override trims the page; the count is the paginator's."""
        response = await call(FirstOfEachPage, "get")

        assert response.status_code == 200
        assert response.data["count"] == 2
        assert [row["name"] for row in response.data["results"]] == ["Hammer"]


class NeedsAShop(Products):
    """DRF style: `initial`, `perform_authentication` and `check_throttles` are overridden."""

    @override
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "X-Shop" not in request.headers:
            raise exceptions.ValidationError({"shop": "Name the shop in X-Shop."})

    @override
    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if request.user.username == "bob":
            raise exceptions.AuthenticationFailed("Bob is on holiday.")

    @override
    def check_throttles(self, request: Request) -> None:
        super().check_throttles(request)
        if request.headers.get("X-Flood"):
            self.throttled(request, 7)


class TestRequestChecks:
    async def test_initial_refuses(self, drill: Product) -> None:
        """The sync `initial` runs before the handler."""
        response = await call(NeedsAShop, "get")

        assert response.status_code == 400
        assert response.data == {"shop": "Name the shop in X-Shop."}

    async def test_initial_keeps_the_checks_its_super_call_makes(self) -> None:
        """`super().initial()` authenticates and checks permissions: anonymous writes fail."""
        response = await call(
            NeedsAShop, "post", body={"name": "x", "price": "1"}, headers={"X-Shop": "s"}
        )

        assert response.status_code in (401, 403)
        assert await names() == []

    async def test_perform_authentication_refuses(self, bob: User) -> None:
        """The sync `perform_authentication` decides who gets in."""
        response = await call(
            NeedsAShop, "post", body={"name": "x", "price": "1"}, user=bob, headers={"X-Shop": "s"}
        )

        assert response.status_code in (401, 403)
        assert response.data["detail"] == "Bob is on holiday."
        assert await names() == []

    async def test_check_throttles_refuses(self, drill: Product) -> None:
        """The sync `check_throttles` answers DRF's 429 with its wait."""
        response = await call(NeedsAShop, "get", headers={"X-Shop": "s", "X-Flood": "1"})

        assert response.status_code == 429
        assert response["Retry-After"] == "7"

    async def test_a_request_they_pass_is_served(self, drill: Product, ada: User) -> None:
        """With every check passed, the action runs as before."""
        response = await call(
            NeedsAShop,
            "post",
            body={"name": "Saw", "price": "2"},
            user=ada,
            headers={"X-Shop": "s"},
        )

        assert response.status_code == 201
        assert await names() == ["Drill", "Saw"]


class HeaderAuthentication(BaseAuthentication):
    """Async only: `X-User` names the user."""

    async def aauthenticate(self, request: Request) -> tuple[User, None] | None:
        name = request.headers.get("X-User")
        if name is None:
            return None
        return await User.objects.aget(username=name), None


class OnlyOnce(BaseThrottle):
    """Async only: refuses requests marked `X-Again`."""

    async def aallow_request(self, request: Request, view: Any) -> bool:
        return "X-Again" not in request.headers

    @override
    def wait(self) -> float:
        return 3


class StampedInitial(Products):
    """A DRF-style `initial` on a view whose authenticator and throttle are async only."""

    authentication_classes = (HeaderAuthentication,)
    throttle_classes = (OnlyOnce,)
    permission_classes = (permissions.IsAuthenticated,)

    @override
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.headers["X-Seen-By"] = request.user.username


class TestAsyncPartsUnderSyncHooks:
    async def test_an_async_authenticator_under_a_sync_initial(
        self, drill: Product, ada: User
    ) -> None:
        """`super().initial()` in a thread still awaits `aauthenticate`."""
        response = await call(StampedInitial, "get", headers={"X-User": "ada"})

        assert response.status_code == 200
        assert response["X-Seen-By"] == "ada"

    async def test_an_async_throttle_under_a_sync_initial(self, drill: Product, ada: User) -> None:
        """`super().initial()` in a thread still awaits `aallow_request`."""
        response = await call(StampedInitial, "get", headers={"X-User": "ada", "X-Again": "1"})

        assert response.status_code == 429
        assert response["Retry-After"] == "3"

    async def test_no_credentials_under_a_sync_initial(self, drill: Product) -> None:
        """Without credentials the permission refuses, as without the override."""
        response = await call(StampedInitial, "get")

        assert response.status_code in (401, 403)


class TestAsyncTwinsWin:
    async def test_an_async_override_as_well_is_the_one_that_runs(self, drill: Product) -> None:
        """A view that also overrides `acheck_permissions` has made the hook async."""

        class Both(Products):
            @override
            def check_permissions(self, request: Request) -> None:
                self.permission_denied(request, message="The sync one ran.")

            @override
            async def acheck_permissions(self, request: Request) -> None:
                await super().acheck_permissions(request)

        response = await call(Both, "get")

        assert response.status_code == 200

    async def test_sync_and_async_overrides_calling_super_do_not_loop(
        self, hammer: Product, drill: Product
    ) -> None:
        """`get_object` and `aget_object` both overridden, each calling `super()`."""

        class Both(Products):
            @override
            def get_object(self) -> Product:
                return super().get_object()

            @override
            async def aget_object(self) -> Product:
                return await super().aget_object()

        response = await call(Both, "get", pk=drill.pk)

        assert response.status_code == 200
        assert response.data["name"] == "Drill"


async def options(view_class: type[Products], row: Product, user: User) -> Any:
    """DRF's `OPTIONS` metadata for `row`'s URL, as `user` sees it."""
    request = AsyncRequestFactory().options("/")
    force_authenticate(request, user)
    view: Any = view_class.as_view({**DETAIL_ACTIONS, "put": "update"})
    return await view(request, pk=row.pk)


class TestOptions:
    async def test_metadata_of_a_view_with_an_async_get_queryset(
        self, drill: Product, ada: User
    ) -> None:
        """DRF's `OPTIONS` fetches the object synchronously; restflow's steps still run."""

        class AsyncQueryset(Products):
            @override
            async def get_queryset(self) -> QuerySet[Product]:  # type: ignore[override]
                return Product.objects.filter(stock__gt=0)

        response = await options(AsyncQueryset, drill, ada)

        assert response.status_code == 200
        assert "PUT" in response.data["actions"]

    async def test_metadata_offers_no_edit_of_an_object_the_view_hides(
        self, hammer: Product, ada: User
    ) -> None:
        """An object outside `aget_queryset()` gets no `PUT` form, as DRF answers a 404."""

        class Scoped(Products):
            @override
            async def aget_queryset(self) -> QuerySet[Product]:
                return Product.objects.filter(stock__gt=0)

        response = await options(Scoped, hammer, ada)

        assert response.status_code == 200
        assert "PUT" not in response.data.get("actions", {})
