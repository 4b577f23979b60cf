"""Async viewsets, routed by DRF's own routers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle
from rest_framework.viewsets import ViewSetMixin
from typing_extensions import override

from restflow_django.views._base import AsyncAPIView, as_async_view
from restflow_django.views._configs import ActionConfig, resolve_queryset
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
    """DRF's `ViewSetMixin` whose `as_view` returns an async view function, with
    `action_configs`: an `ActionConfig` per action name.

    For the action being served, each getter (`get_serializer_class`, the request and
    response serializer classes, `get_permissions`, `get_throttles`, `get_parsers`,
    `get_renderers`, `get_pagination_class`, `get_queryset`) answers with the action's
    config when it sets that field, else as the viewset would without it (an `@action`'s
    own arguments included).
    """

    action_configs: ClassVar[Mapping[str, ActionConfig]] = {}
    action: str

    @override
    @classmethod
    def as_view(
        cls, actions: dict[str, str | ViewSetAction[Any]] | None = None, **initkwargs: Any
    ) -> AsView[GenericView]:
        """Return an async view binding HTTP methods to `actions`, as DRF's routers expect.

        Raises `ImproperlyConfigured` when `action_configs` names an action the viewset does
        not have, or holds something other than an `ActionConfig`.
        """
        _check_action_configs(cls)
        # The stubs describe view functions as sync; the function returned is `async def`.
        return cast("AsView[GenericView]", as_async_view(super().as_view(actions, **initkwargs)))

    @override
    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        """DRF's, with the action known before the parsers are chosen (they may be per action)."""
        method = (request.method or "").lower()
        # DRF's stubs type `action` as always set; it is `None` for a method with no action.
        self.action = cast(str, "metadata" if method == "options" else self.action_map.get(method))
        return super().initialize_request(request, *args, **kwargs)

    def action_config(self) -> ActionConfig | None:
        """The `ActionConfig` of the action being served, if `action_configs` has one."""
        action = getattr(self, "action", None)
        return None if action is None else self.action_configs.get(action)

    def _configured(self, name: str) -> Any:
        """The action config's field `name`, or `None` when there is none."""
        config = self.action_config()
        return None if config is None else getattr(config, name)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The action's `serializer_class`, else the viewset's."""
        chosen: type[BaseSerializer[Any]] = (
            self._configured("serializer_class") or super().get_serializer_class()  # type: ignore[misc]
        )
        return chosen

    def _explicit_request_serializer_class(self) -> type[BaseSerializer[Any]] | None:
        explicit: type[BaseSerializer[Any]] | None = (
            self._configured("request_serializer_class")
            or super()._explicit_request_serializer_class()  # type: ignore[misc]
        )
        return explicit

    def _explicit_response_serializer_class(self) -> type[BaseSerializer[Any]] | None:
        explicit: type[BaseSerializer[Any]] | None = (
            self._configured("response_serializer_class")
            or super()._explicit_response_serializer_class()  # type: ignore[misc]
        )
        return explicit

    def get_permissions(self) -> Sequence[Any]:
        """The action's `permission_classes`, instantiated, else the viewset's."""
        made: Sequence[Any] = self._made("permission_classes", super().get_permissions)  # type: ignore[misc]
        return made

    def get_throttles(self) -> list[BaseThrottle]:
        """The action's `throttle_classes`, instantiated, else the viewset's."""
        made: list[BaseThrottle] = self._made("throttle_classes", super().get_throttles)  # type: ignore[misc]
        return made

    def get_parsers(self) -> list[BaseParser]:
        """The action's `parser_classes`, instantiated, else the viewset's."""
        made: list[BaseParser] = self._made("parser_classes", super().get_parsers)  # type: ignore[misc]
        return made

    def get_renderers(self) -> list[BaseRenderer]:
        """The action's `renderer_classes`, instantiated, else the viewset's."""
        made: list[BaseRenderer] = self._made("renderer_classes", super().get_renderers)  # type: ignore[misc]
        return made

    def _made(self, name: str, otherwise: Callable[[], Any]) -> Any:
        """The action config's classes `name`, instantiated, else `otherwise()`.

        Only `None` falls through: an empty list is the action's own choice (no permission,
        no throttle), as DRF's `@action(permission_classes=[])` is.
        """
        classes = self._configured(name)
        return otherwise() if classes is None else [made() for made in classes]

    def get_pagination_class(self) -> type[BasePagination] | None:
        """The action's `pagination_class`, else the viewset's."""
        chosen: type[BasePagination] | None = (
            self._configured("pagination_class") or super().get_pagination_class()  # type: ignore[misc]
        )
        return chosen

    def _configured_queryset(self) -> Any:
        """The action's `queryset` (a fresh `.all()`, or the callable's answer), or `None`."""
        source = self._configured("queryset")
        return None if source is None else resolve_queryset(source, self)


def _check_action_configs(cls: Any) -> None:
    for action, config in cls.action_configs.items():
        if not isinstance(config, ActionConfig):
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs[{action!r}] is {config!r}, not an ActionConfig"
            )
        if action != "metadata" and not callable(getattr(cls, action, None)):
            known = sorted(_actions_of(cls))
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs names {action!r}, which is no action of "
                f"{cls.__name__}; its actions are {', '.join(known)}"
            )


def _actions_of(cls: Any) -> set[str]:
    standard = {"list", "create", "retrieve", "update", "partial_update", "destroy"}
    extra = {action.__name__ for action in cls.get_extra_actions()}
    return {name for name in standard if callable(getattr(cls, name, None))} | extra | {"metadata"}


class AsyncViewSet(AsyncViewSetMixin, AsyncAPIView):
    """DRF's `ViewSet`, async: write your own actions, sync or async."""

    def get_queryset(self) -> QuerySet[Any]:
        """The action's `ActionConfig(queryset=...)`: a plain viewset has no other."""
        configured = self._configured_queryset()
        if configured is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no queryset for the action {self.action!r}: give "
                "its ActionConfig a `queryset`, or use a generic viewset."
            )
        found: QuerySet[Any] = configured
        return found


class AsyncGenericViewSet(AsyncViewSetMixin, AsyncGenericAPIView[ModelT]):
    """DRF's `GenericViewSet`, async: add the action mixins you need."""

    @override
    def get_queryset(self) -> QuerySet[ModelT]:
        """The action's `ActionConfig(queryset=...)`, else DRF's `get_queryset()`."""
        configured = self._configured_queryset()
        if configured is None:
            return super().get_queryset()
        found: QuerySet[ModelT] = configured
        return found


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
