"""Hook overrides with the wrong shape: each is a mypy error in user code."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django.decorators import action
from restflow_django.permissions import AsyncBasePermission, BasePermission, IsAuthenticated
from restflow_django.serializers import ModelSerializer
from restflow_django.views import AsyncGenericViewSet, AsyncModelViewSet, AsyncRetrieveModelMixin
from tests.testapp.models import Category, Product


class SyncHook(AsyncModelViewSet[Product]):
    """A sync `def` where the hook is `async def`."""

    @override
    def aperform_create(self, serializer: BaseSerializer[Product]) -> None:  # type: ignore[override]
        serializer.save()


class WrongModel(AsyncModelViewSet[Product]):
    """A destroy hook for another model."""

    @override
    async def aperform_destroy(self, instance: Category) -> None:  # type: ignore[override]
        await instance.adelete()


class ReturnsValue(AsyncModelViewSet[Product]):
    """A hook that returns a value where `None` is promised."""

    @override
    async def aperform_update(  # type: ignore[override]
        self, serializer: BaseSerializer[Product]
    ) -> Product:
        return serializer.save()


class Misspelt(AsyncModelViewSet[Product]):
    """A misspelt hook marked `@override` overrides nothing."""

    @override
    async def aperform_creat(  # type: ignore[misc]
        self, serializer: BaseSerializer[Product]
    ) -> None:
        pass


class MissingOverride(AsyncModelViewSet[Product]):
    """Overriding a hook without saying so."""

    async def aperform_create(  # type: ignore[explicit-override]
        self, serializer: BaseSerializer[Product]
    ) -> None:
        pass


class Unawaited(AsyncModelViewSet[Product]):
    """Forgetting to await the delete."""

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        instance.adelete()  # type: ignore[unused-coroutine]


class WrongObject(AsyncModelViewSet[Product]):
    """`aget_object()` is a `Product`, not a `Category`."""

    async def category(self) -> Category:
        """Return the object as the wrong model."""
        return await self.aget_object()  # type: ignore[return-value]


class SyncList(AsyncModelViewSet[Product]):
    """A sync `list` where the action is `async def`."""

    @override
    def list(  # type: ignore[override]
        self, request: Request, *args: object, **kwargs: object
    ) -> Response:
        return Response([])


class SyncRetrieve(AsyncRetrieveModelMixin[Product], AsyncGenericViewSet[Product]):
    """A sync `retrieve` on a composed viewset."""

    @override
    def retrieve(  # type: ignore[override]
        self, request: Request, *args: object, **kwargs: object
    ) -> Response:
        return Response({})


class WrongQueryset(AsyncModelViewSet[Product]):
    """`get_queryset` typed for the wrong model."""

    @override
    def get_queryset(self) -> QuerySet[Category]:  # type: ignore[override]
        return Category.objects.all()


class SyncPermission(AsyncBasePermission):
    """A sync check on an async permission."""

    @override
    def has_permission(self, request: Request, view: object) -> bool:  # type: ignore[override]
        return True


class WrongAction(AsyncModelViewSet[Product]):
    """An extra action that returns something other than a response."""

    @action(detail=True)  # type: ignore[type-var]
    async def price(self, request: Request, pk: str | None = None) -> str:
        return "1"


class SyncSerializerHooks(ModelSerializer[Product]):
    """Sync `def`s where restflow's serializer hooks are `async def`."""

    class Meta:
        model = Product
        fields = ("id", "name")

    @override
    def acreate(self, validated_data: Any) -> Product:  # type: ignore[override]
        return Product(**validated_data)

    @override
    def aupdate(self, instance: Product, validated_data: Any) -> Product:  # type: ignore[override]
        return instance

    @override
    def ato_representation(self, instance: Any) -> dict[str, Any]:  # type: ignore[override]
        return {}


class WrongSavedModel(ModelSerializer[Product]):
    """An `acreate` that creates another model."""

    class Meta:
        model = Product
        fields = ("id", "name")

    @override
    async def acreate(self, validated_data: Any) -> Category:  # type: ignore[override]
        return Category(**validated_data)


async def adata_is_awaited(serializer: ModelSerializer[Product]) -> None:
    """`adata` is awaitable, not a method."""
    await serializer.adata()  # type: ignore[operator]


class SyncAsyncCheck(BasePermission):
    """A sync `def` where the async check is `async def`."""

    @override
    def ahas_permission(self, request: Request, view: object) -> bool:  # type: ignore[override]
        return True


class MisspeltCall(BasePermission):
    """A misspelt call on `self`."""

    @override
    async def ahas_permission(self, request: Request, view: object) -> bool:
        self.has_permision(request, view)  # type: ignore[attr-defined]
        return True


class InstanceInPermissionClasses(AsyncModelViewSet[Product]):
    """A permission instance where DRF takes classes."""

    permission_classes = (IsAuthenticated(),)  # type: ignore[assignment]
