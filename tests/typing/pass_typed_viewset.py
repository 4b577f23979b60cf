# pyright: strict, reportImplicitOverride=true
"""A fully typed viewset: the model reaches every hook and helper."""

from typing import Any, assert_type

from django.db.models import QuerySet
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.decorators import action
from restflow_django.permissions import AsyncBasePermission, BasePermission
from restflow_django.serializers import ModelSerializer, asave
from restflow_django.views import (
    AsyncAPIView,
    AsyncCreateModelMixin,
    AsyncGenericViewSet,
    AsyncListAPIView,
    AsyncModelViewSet,
)
from tests.testapp.models import Product


class ProductSerializer(ModelSerializer[Product]):
    """Products."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")


class ProductViewSet(AsyncModelViewSet[Product]):
    """Every hook, typed with the model."""

    serializer_class = ProductSerializer

    @override
    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.filter(is_deleted=False)

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        product = await asave(serializer, created_by=self.request.user)
        assert_type(product, Product)

    @override
    async def aperform_update(self, serializer: BaseSerializer[Product]) -> None:
        await super().aperform_update(serializer)

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        instance.is_deleted = True
        await instance.asave(update_fields=["is_deleted"])

    @override
    async def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = await self.aget_object()
        assert_type(product, Product)
        return await self.aserialized_response(product)

    @override
    async def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = await self.afilter_queryset(await self.aget_queryset())
        assert_type(queryset, QuerySet[Product])
        page = await self.apaginate_queryset(queryset)
        assert_type(page, list[Product] | None)
        return await self.apaginated_response(queryset)


class CreateOnly(AsyncCreateModelMixin[Product], AsyncGenericViewSet[Product]):
    """A composed viewset keeps the model too."""

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        await asave(serializer)


class Cheapest(AsyncListAPIView[Product]):
    """A concrete view with an async `get_queryset`-free override."""

    queryset = Product.objects.order_by("price")
    serializer_class = ProductSerializer


class Health(AsyncAPIView):
    """A plain async view."""

    async def get(self, request: Request) -> Response:
        """Say all is well."""
        return Response({"ok": True})


async def save_one(serializer: ProductSerializer) -> Product:
    """Serializers are typed by model too."""
    if await serializer.ais_valid():
        return await serializer.asave()
    raise ValueError(serializer.errors)


class IsOwner(AsyncBasePermission):
    """`async def has_object_permission`, and no type-ignore: its base is `Any` to checkers.

    DRF's classes combine with it (`IsAuthenticated & IsOwner`). pyright cannot apply `~`
    to it; `BasePermission` with `ahas_*` (below) is typed for every operator and checker.
    """

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class InStock(BasePermission):
    """The typed async permission: DRF's base class with `ahas_permission` beside."""

    @override
    async def ahas_permission(self, request: Request, view: Any) -> bool:
        return await Product.objects.filter(stock__gt=0).aexists()


class GuardedViewSet(AsyncModelViewSet[Product]):
    """Async permissions in `permission_classes`, and an async extra action."""

    serializer_class = ProductSerializer
    queryset = Product.objects.all()
    permission_classes = (permissions.IsAuthenticated & IsOwner, ~InStock | IsOwner)

    @action(detail=True, methods=["get", "post"])
    async def restock(self, request: Request, pk: str | None = None) -> Response:
        """An async extra action."""
        product = await self.aget_object()
        return Response({"stock": product.stock})

    @action(detail=False)
    def names(self, request: Request) -> Response:
        """A sync extra action."""
        return Response([product.name for product in self.get_queryset()])
