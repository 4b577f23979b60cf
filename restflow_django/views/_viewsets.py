"""Async viewsets, routed by DRF's own routers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db.models import Model
from rest_framework.viewsets import ViewSetMixin
from typing_extensions import override

from restflow_django.views._base import AsyncAPIView, as_async_view
from restflow_django.views._generic import AsyncGenericAPIView
from restflow_django.views._mixins import (
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncListModelMixin,
    AsyncRetrieveModelMixin,
    AsyncUpdateModelMixin,
)

if TYPE_CHECKING:
    from rest_framework.decorators import ViewSetAction
    from rest_framework.views import AsView, GenericView

ModelT = TypeVar("ModelT", bound=Model)


class AsyncViewSetMixin(ViewSetMixin):
    """DRF's `ViewSetMixin` whose `as_view` returns an async view function."""

    @override
    @classmethod
    def as_view(
        cls, actions: dict[str, str | ViewSetAction[Any]] | None = None, **initkwargs: Any
    ) -> AsView[GenericView]:
        """Return an async view binding HTTP methods to `actions`, as DRF's routers expect."""
        # The stubs describe view functions as sync; the function returned is `async def`.
        return cast("AsView[GenericView]", as_async_view(super().as_view(actions, **initkwargs)))


class AsyncViewSet(AsyncViewSetMixin, AsyncAPIView):
    """DRF's `ViewSet`, async: write your own actions, sync or async."""


class AsyncGenericViewSet(AsyncViewSetMixin, AsyncGenericAPIView[ModelT]):
    """DRF's `GenericViewSet`, async: add the action mixins you need."""


class AsyncReadOnlyModelViewSet(
    AsyncRetrieveModelMixin[ModelT], AsyncListModelMixin[ModelT], AsyncGenericViewSet[ModelT]
):
    """`list` and `retrieve`."""


class AsyncModelViewSet(
    AsyncCreateModelMixin[ModelT],
    AsyncRetrieveModelMixin[ModelT],
    AsyncUpdateModelMixin[ModelT],
    AsyncDestroyModelMixin[ModelT],
    AsyncListModelMixin[ModelT],
    AsyncGenericViewSet[ModelT],
):
    """`create`, `list`, `retrieve`, `update`, `partial_update` and `destroy`."""
