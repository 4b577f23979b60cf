"""Every DRF-style sync hook may query, as it may in DRF: restflow runs the ones it cannot
prove harmless where the sync ORM is allowed.

Each hook below runs a query (or follows a lazy relation) the way DRF projects write them.
Every action answers as DRF answers, and the database is read after each write. The module
runs on SQLite and, in `dev.py test`, on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import include, path
from rest_framework import filters, pagination, permissions, throttling
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.test import AsyncAPIClient
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Category, Product
from tests.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def tools() -> Category | None:
    """The `tools` category, read with the sync ORM."""
    return Category.objects.filter(name="tools").first()


class Base(AsyncModelViewSet[Product]):
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    pagination_class: type[pagination.BasePagination] | None = None


class QueryingQueryset(Base):
    @override
    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.filter(category=tools()).order_by("id")


class LazyRelationQueryset(Base):
    """Follows the signed-in user's lazy relation, a common DRF shape."""

    @override
    def get_queryset(self) -> QuerySet[Product]:
        user: Any = self.request.user
        return Product.objects.filter(created_by__username=user.auth_token.user.username)


class QueryingSerializerClass(Base):
    @override
    def get_serializer_class(self) -> type[BaseSerializer[Product]]:
        assert tools() is not None
        return ProductSerializer


class QueryingSerializerContext(Base):
    @override
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "tools": tools()}


class QueryingFilter(filters.BaseFilterBackend):
    @override
    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        return queryset.filter(category=tools())


class QueryingFilterView(Base):
    filter_backends = (QueryingFilter,)


class QueryingPages(pagination.PageNumberPagination):
    page_size = 10

    @override
    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        assert tools() is not None
        return super().paginate_queryset(queryset, request, view)


class QueryingPaginatorView(Base):
    pagination_class = QueryingPages


class QueryingPermission(permissions.BasePermission):
    @override
    def has_permission(self, request: Request, view: Any) -> bool:
        return tools() is not None

    @override
    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.category == tools())


class QueryingPermissionView(Base):
    permission_classes = (QueryingPermission,)


class QueryingThrottle(throttling.BaseThrottle):
    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        return tools() is not None


class QueryingThrottleView(Base):
    throttle_classes = (QueryingThrottle,)


VIEWS = {
    "queryset": QueryingQueryset,
    "serializer-class": QueryingSerializerClass,
    "serializer-context": QueryingSerializerContext,
    "filter": QueryingFilterView,
    "paginator": QueryingPaginatorView,
    "permission": QueryingPermissionView,
    "throttle": QueryingThrottleView,
}

router = SimpleRouter()
for prefix, viewset in VIEWS.items():
    router.register(prefix, viewset, basename=prefix)
router.register("lazy", LazyRelationQueryset, basename="lazy")
urlpatterns = [path("", include(router.urls))]


@pytest.fixture
async def saw() -> Product:
    """A product in the `tools` category."""
    category = await Category.objects.acreate(name="tools")
    return await Product.objects.acreate(name="Saw", price=1, category=category)


@pytest.mark.parametrize("prefix", VIEWS)
class TestEveryAction:
    async def test_list(self, client: AsyncAPIClient, saw: Product, prefix: str) -> None:
        response = await client.get(f"/{prefix}/")

        assert response.status_code == 200, response.content
        rows = response.json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        assert [row["name"] for row in rows] == ["Saw"]

    async def test_retrieve(self, client: AsyncAPIClient, saw: Product, prefix: str) -> None:
        response = await client.get(f"/{prefix}/{saw.pk}/")

        assert response.status_code == 200, response.content
        assert response.json()["name"] == "Saw"

    async def test_create(self, client: AsyncAPIClient, saw: Product, prefix: str) -> None:
        response = await client.post(f"/{prefix}/", {"name": "Drill", "price": "2"})

        assert response.status_code == 201, response.content
        assert await Product.objects.filter(name="Drill").aexists()

    async def test_update(self, client: AsyncAPIClient, saw: Product, prefix: str) -> None:
        response = await client.patch(f"/{prefix}/{saw.pk}/", {"price": "3"})

        assert response.status_code == 200, response.content
        assert (await Product.objects.aget(pk=saw.pk)).price == Decimal("3.00")

    async def test_destroy(self, client: AsyncAPIClient, saw: Product, prefix: str) -> None:
        response = await client.delete(f"/{prefix}/{saw.pk}/")

        assert response.status_code == 204, response.content
        assert not await Product.objects.filter(pk=saw.pk).aexists()


class TestLazyRelation:
    async def test_a_queryset_from_the_users_lazy_relation(self, client: AsyncAPIClient) -> None:
        """`self.request.user.<relation>` in a sync `get_queryset` reads, as in DRF."""
        from rest_framework.authtoken.models import Token

        ada = await User.objects.acreate(username="ada")
        await Token.objects.acreate(user=ada)
        await Product.objects.acreate(name="Saw", price=1, created_by=ada)
        client.force_authenticate(await User.objects.aget(pk=ada.pk))

        listed = await client.get("/lazy/")
        one = await client.get(f"/lazy/{(await Product.objects.aget()).pk}/")

        assert listed.status_code == 200, listed.content
        assert [row["name"] for row in listed.json()] == ["Saw"]
        assert one.status_code == 200, one.content
