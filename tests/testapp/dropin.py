"""Views written as drf-restflow's guide writes them, with restflow's imports."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle
from typing_extensions import override

from restflow_django.decorators import action
from restflow_django.pagination import (
    BasePagination,
    FastPageNumberPagination,
    PageNumberPagination,
)
from restflow_django.permissions import (
    AsyncBasePermission,
    BasePermission,
    IsAdminUser,
    IsAuthenticated,
)
from restflow_django.serializers import ModelSerializer, asave
from restflow_django.throttling import AsyncUserRateThrottle
from restflow_django.transactions import aon_commit
from restflow_django.views import (
    ActionConfig,
    AsyncAPIView,
    AsyncListAPIView,
    AsyncModelViewSet,
    PostFetch,
)
from tests.testapp.models import AuditEntry, Product


class ProductDetail(ModelSerializer[Product]):
    """Every detail of a product."""

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "description")


class ProductLine(ModelSerializer[Product]):
    """A product in a list: its name."""

    class Meta:
        model = Product
        fields = ("id", "name")


class Rename(serializers.Serializer[Any]):
    """The request body of the `rename_all` action."""

    prefix = serializers.CharField(max_length=10)


class Audited(ModelSerializer[Product]):
    """A product with the audit entry a `PostFetch` attached."""

    last_event = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "last_event")

    def get_last_event(self, product: Any) -> str | None:
        entry = getattr(product, "last_audit", None)
        return None if entry is None else str(entry["event"])


class FastPages(FastPageNumberPagination):
    page_size = 2
    page_size_query_param = "size"
    max_page_size = 3


class Pages(PageNumberPagination):
    page_size = 2


class FirstTwo(BasePagination):
    """A paginator written only as DRF's sync hooks, on restflow's base."""

    total = 0

    @override
    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.total = queryset.count()
        return list(queryset[:2])

    @override
    def get_paginated_response(self, data: Any) -> Response:
        return Response(data, headers={"X-Total": str(self.total)})


class FirstTwoProducts(AsyncListAPIView[Product]):
    """A list paged by `FirstTwo`."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductLine
    pagination_class = FirstTwo


class NoThrottle(BaseThrottle):
    """Lets everything through: the per-action throttle of `rename_all` counts calls."""

    calls = 0

    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        NoThrottle.calls += 1
        return True


class InStock(BasePermission):
    """drf-restflow's protocol: only the async checks are written, with the async ORM."""

    message = "Nothing is in stock."

    @override
    async def ahas_permission(self, request: Request, view: Any) -> bool:
        return await Product.objects.filter(stock__gt=0).aexists()

    @override
    async def ahas_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.stock > 0)


class NamedSaw(AsyncBasePermission):
    """restflow's own async permission."""

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.name == "Saw")


class ProductViewSet(AsyncModelViewSet[Product]):
    """Per-action configuration, as drf-restflow's guide writes it."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductDetail
    pagination_class = Pages
    permission_classes = (IsAuthenticated,)
    action_configs = {  # noqa: RUF012  (drf-restflow's spelling)
        "list": ActionConfig(
            response_serializer_class=ProductLine,
            pagination_class=FastPages,
            queryset=lambda view: Product.objects.filter(is_deleted=False).order_by("id"),
        ),
        "destroy": ActionConfig(permission_classes=[IsAdminUser]),
        "create": ActionConfig(parser_classes=[JSONParser], renderer_classes=[JSONRenderer]),
        "rename_all": ActionConfig(
            request_serializer_class=Rename,
            permission_classes=[IsAdminUser],
            throttle_classes=[NoThrottle],
        ),
        "deleted": ActionConfig(queryset=Product.objects.filter(is_deleted=True)),
        "stocked": ActionConfig(permission_classes=[IsAuthenticated, InStock]),
        "stocked_saw": ActionConfig(permission_classes=[IsAuthenticated & (InStock | NamedSaw)]),
    }

    @action(detail=False, methods=["post"])
    async def rename_all(self, request: Request) -> Response:
        serializer = await self.avalidated_serializer()
        prefix = serializer.validated_data["prefix"]
        renamed = 0
        async for product in self.get_queryset():
            product.name = f"{prefix}{product.name}"
            await product.asave(update_fields=["name"])
            renamed += 1
        return Response({"renamed": renamed})

    @action(detail=False, methods=["get"])
    async def deleted(self, request: Request) -> Response:
        return await self.apaginated_response(self.get_queryset())

    @action(detail=False, methods=["get"])
    async def stocked(self, request: Request) -> Response:
        return await self.aserialized_response(self.get_queryset(), many=True)

    @action(detail=True, methods=["get"])
    async def stocked_saw(self, request: Request, pk: str) -> Response:
        return await self.aserialized_response(await self.aget_object())


class ProductListView(AsyncAPIView):
    """drf-restflow's `AsyncAPIView` example: the helpers without a generic view."""

    serializer_class = ProductDetail
    pagination_class = Pages

    async def get(self, request: Request) -> Response:
        queryset: QuerySet[Product] = Product.objects.order_by("id")
        if "audited" in request.query_params:
            last_audit = PostFetch(
                AuditEntry.objects.all(),
                "last_audit",
                ["event"],
                order_by=["-id"],
                object_id="id",
            )
            return await self.apaginated_response(
                queryset, serializer_class=Audited, post_fetches=[last_audit]
            )
        return await self.apaginated_response(queryset)

    async def post(self, request: Request) -> Response:
        serializer = await self.avalidated_serializer()
        product = await serializer.asave()  # type: ignore[attr-defined]
        return await self.aserialized_response(product, status=201, headers={"X-Made": "1"})


ANNOUNCED: list[tuple[int, bool]] = []


async def announce(product: Product) -> None:
    """Remembers the product and whether its transaction was still open."""
    from asgiref.sync import sync_to_async
    from django.db import connection

    still_open = await sync_to_async(lambda: connection.in_atomic_block)()
    ANNOUNCED.append((product.pk, still_open))


class AnnouncingViewSet(AsyncModelViewSet[Product]):
    """Announces a created product once its transaction commits; `?refuse` fails after."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductDetail
    atomic = True

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        product = await asave(serializer)
        await aon_commit(lambda: announce(product))
        if "refuse" in self.request.query_params:
            raise serializers.ValidationError({"name": ["Refused after saving."]})


class PerUserTenAMinute(AsyncUserRateThrottle):
    """Ten requests a minute per user, counted in the `throttles` cache (Redis when the
    test project is served by several workers)."""

    rate = "10/min"

    def __init__(self) -> None:
        super().__init__()
        self.cache = caches["throttles"]


class CountedPing(AsyncAPIView):
    """Answers signed-in users, ten times a minute each."""

    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)
    throttle_classes = (PerUserTenAMinute,)

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class LeaksATransaction(AsyncAPIView):
    """A sync handler that opens a transaction, writes, and never closes it (a bug)."""

    atomic = False
    permission_classes = ()

    def post(self, request: Request) -> Response:
        from django.db import transaction

        transaction.atomic().__enter__()
        Product.objects.create(name="leaked", price=1)
        return Response({"leaked": True}, status=201)


class UnbrokenForms(AsyncModelViewSet[Product]):
    """Products for anybody: the browsable API's forms work."""

    queryset = Product.objects.all()
    serializer_class = ProductDetail
    authentication_classes = ()
    permission_classes = ()


class BrokenForms(UnbrokenForms):
    """The same, with a bug: the sync `get_object` called on the event loop."""

    @override
    async def aget_object(self) -> Product:
        return self.get_object()
