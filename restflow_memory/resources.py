"""Resources: the five action mixins bound to the memory adapter, driving the core pipelines."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from restflow_core.errors import (
    MethodNotAllowed,
    NotAuthenticated,
    PermissionDenied,
    RestflowError,
)
from restflow_core.permissions import afirst_object_refusal, afirst_refusal
from restflow_core.pipelines import (
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_retrieve,
    run_update,
)
from restflow_core.protocols import Permission
from restflow_core.replies import Reply, error_reply, reply
from restflow_memory.pagination import LimitOffsetPagination, PageNumberPagination
from restflow_memory.permissions import AllowAny
from restflow_memory.requests import MemoryRequest, is_authenticated
from restflow_memory.serializers import MemorySerializer
from restflow_memory.store import MemoryQuery, MemoryStore, MemoryUnitOfWork

ModelT = TypeVar("ModelT")
Pagination = PageNumberPagination | LimitOffsetPagination

ACTIONS: Mapping[tuple[str, bool], str] = {
    ("GET", False): "list",
    ("POST", False): "create",
    ("GET", True): "retrieve",
    ("PUT", True): "update",
    ("PATCH", True): "partial_update",
    ("DELETE", True): "destroy",
}

# What a request may reach: the five actions, and a handler named after an HTTP method.
_DISPATCHED = frozenset(
    {*ACTIONS.values(), "get", "post", "put", "patch", "delete", "head", "options", "trace"}
)


class Resource(Generic[ModelT]):
    """The memory twin of DRF's `GenericAPIView`: one instance serves one request.

    Subclasses set `store` and `serializer_class`, and may set `permission_classes`,
    `filter_backends`, `pagination_class` and `lookup_field`, as on a DRF view. With
    `atomic = True`, each write action's store writes are undone if the action fails.
    """

    store: MemoryStore[ModelT]
    serializer_class: type[MemorySerializer[ModelT]]
    permission_classes: ClassVar[Sequence[type[Any]]] = (AllowAny,)
    filter_backends: ClassVar[Sequence[type[Any]]] = ()
    pagination_class: ClassVar[type[Pagination] | None] = None
    lookup_field: ClassVar[str] = "pk"
    atomic: ClassVar[bool] = False

    def __init__(self, request: MemoryRequest, *, action: str, key: str | None = None) -> None:
        self.request = request
        self.action = action
        self.key = key
        self._paginator: Pagination | None = None

    def get_unit_of_work(self) -> MemoryUnitOfWork | None:
        """Return the unit write actions run in when `atomic` is set, else `None`."""
        return MemoryUnitOfWork() if self.atomic else None

    def get_queryset(self) -> MemoryQuery[ModelT]:
        """Return every object this resource may show; override to narrow it."""
        return self.store.all()

    def get_serializer_context(self) -> dict[str, Any]:
        """Return what serializers receive as `context`."""
        return {"request": self.request, "view": self, "store": self.store}

    def get_serializer(self, *args: Any, **kwargs: Any) -> MemorySerializer[ModelT]:
        """Return an instance of `serializer_class` with this resource's context."""
        kwargs.setdefault("context", self.get_serializer_context())
        return self.serializer_class(*args, **kwargs)

    def get_permissions(self) -> list[Permission]:
        """Return instances of `permission_classes`."""
        return [permission() for permission in self.permission_classes]

    async def acheck_permissions(self) -> None:
        """Raise `NotAuthenticated` or `PermissionDenied` if a permission refuses the request."""
        refusal = await afirst_refusal(self.get_permissions(), self.request, self)
        if refusal is not None:
            self.permission_denied(refusal)

    async def acheck_object_permissions(self, obj: ModelT) -> None:
        """Raise `NotAuthenticated` or `PermissionDenied` if a permission refuses `obj`."""
        refusal = await afirst_object_refusal(self.get_permissions(), self.request, self, obj)
        if refusal is not None:
            self.permission_denied(refusal)

    def permission_denied(self, permission: Permission) -> None:
        """Raise the error for `permission`'s refusal: 401 for anonymous users, else 403."""
        if not is_authenticated(self.request.user):
            raise NotAuthenticated()
        message = getattr(permission, "message", None)
        raise PermissionDenied(message, code=getattr(permission, "code", None))

    async def afilter_queryset(self, queryset: MemoryQuery[ModelT]) -> MemoryQuery[ModelT]:
        """Run every filter backend over `queryset`; async backends are awaited."""
        for backend_class in self.filter_backends:
            backend = backend_class()
            if hasattr(backend, "afilter_queryset"):
                queryset = await backend.afilter_queryset(self.request, queryset, self)
            else:
                queryset = backend.filter_queryset(self.request, queryset, self)
        return queryset

    @property
    def paginator(self) -> Pagination | None:
        """The paginator for this request, or `None` when the resource does not paginate."""
        if self._paginator is None and self.pagination_class is not None:
            self._paginator = self.pagination_class()
        return self._paginator

    async def apaginate_queryset(self, queryset: MemoryQuery[ModelT]) -> list[ModelT] | None:
        """Return the requested page, or `None` when the resource does not paginate."""
        if self.paginator is None:
            return None
        return await self.paginator.apaginate_queryset(queryset, self.request, self)

    def get_paginated_response(self, data: Any) -> Reply:
        """Wrap a serialized page in the paginator's response."""
        if self.paginator is None:
            raise AssertionError("get_paginated_response needs a pagination_class")
        return self.paginator.get_paginated_response(data)

    async def aget_object(self) -> ModelT:
        """Return the object the request names, filtered and permission-checked.

        Raises `NotFound` when no object in the filtered queryset matches.
        """
        queryset = await self.afilter_queryset(self.get_queryset())
        obj = await queryset.aget(**{self.lookup_field: self.key})
        await self.acheck_object_permissions(obj)
        return obj

    def get_success_headers(self, data: Any) -> Mapping[str, str]:
        """Return the headers of a 201: `Location` when the body has a `url`."""
        return location_headers(data)

    async def avalidated(self, data: Any) -> MemorySerializer[ModelT]:
        """Return a serializer for a new object, validated against `data`."""
        serializer = self.get_serializer(data=data)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    async def arevalidated(
        self, instance: ModelT, data: Any, partial: bool
    ) -> MemorySerializer[ModelT]:
        """Return a serializer for `instance`, validated against `data`."""
        serializer = self.get_serializer(instance, data=data, partial=partial)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    async def arender(self, serializer: MemorySerializer[ModelT]) -> Any:
        """Return the representation held by `serializer`."""
        return await serializer.adata()

    async def arender_instance(self, instance: ModelT) -> Any:
        """Return the representation of `instance`."""
        return await self.get_serializer(instance).adata()

    async def arender_many(self, items: Any) -> Any:
        """Return the representations of `items`, a page or a whole query."""
        return self.serializer_class.represent_many(items, context=self.get_serializer_context())

    async def adispatch(self) -> Reply:
        """Check permissions, run the action, and describe any error as DRF would."""
        try:
            handler = getattr(self, self.action, None) if self.action in _DISPATCHED else None
            if handler is None or not inspect.iscoroutinefunction(handler):
                raise MethodNotAllowed(self.request.method)
            await self.acheck_permissions()
            result: Reply = await handler(self.request)
            return result
        except RestflowError as error:
            return error_reply(error)


class CreateMixin(Resource[ModelT]):
    """Adds `create`: validate, `aperform_create`, answer 201."""

    async def create(self, request: MemoryRequest) -> Reply:
        """Create an object from `request.data`."""
        return await run_create(
            request.data,
            validate=self.avalidated,
            persist=self.aperform_create,
            render=self.arender,
            respond=reply,
            headers=self.get_success_headers,
            unit=self.get_unit_of_work(),
        )

    async def aperform_create(self, serializer: MemorySerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects."""
        await serializer.asave()


class ListMixin(Resource[ModelT]):
    """Adds `list`: filter, paginate, serialize."""

    async def list(self, request: MemoryRequest) -> Reply:
        """List the objects, a page at a time when the resource paginates."""
        return await run_list(
            self.get_queryset(),
            refine=self.afilter_queryset,
            paginate=self.apaginate_queryset,
            render_many=self.arender_many,
            respond=reply,
            respond_page=self.get_paginated_response,
        )


class RetrieveMixin(Resource[ModelT]):
    """Adds `retrieve`: fetch one object and serialize it."""

    async def retrieve(self, request: MemoryRequest) -> Reply:
        """Answer with the object the request names."""
        return await run_retrieve(
            fetch=self.aget_object, render=self.arender_instance, respond=reply
        )


class UpdateMixin(Resource[ModelT]):
    """Adds `update` (PUT) and `partial_update` (PATCH)."""

    async def update(self, request: MemoryRequest, *, partial: bool = False) -> Reply:
        """Replace the object's fields from `request.data`; with `partial`, only those sent."""
        return await run_update(
            request.data,
            partial=partial,
            fetch=self.aget_object,
            validate=self.arevalidated,
            persist=self.aperform_update,
            render=self.arender,
            respond=reply,
            unit=self.get_unit_of_work(),
        )

    async def partial_update(self, request: MemoryRequest) -> Reply:
        """Change only the fields `request.data` names."""
        return await self.update(request, partial=True)

    async def aperform_update(self, serializer: MemorySerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects."""
        await serializer.asave()


class DestroyMixin(Resource[ModelT]):
    """Adds `destroy`: fetch, `aperform_destroy`, answer 204."""

    async def destroy(self, request: MemoryRequest) -> Reply:
        """Delete the object the request names."""
        return await run_destroy(
            fetch=self.aget_object,
            destroy=self.aperform_destroy,
            respond=reply,
            unit=self.get_unit_of_work(),
        )

    async def aperform_destroy(self, instance: ModelT) -> None:
        """Delete `instance`. Override for soft deletes or cascades."""
        await self.store.adelete(instance)


class ReadOnlyModelResource(ListMixin[ModelT], RetrieveMixin[ModelT], Resource[ModelT]):
    """`list` and `retrieve`."""


class ModelResource(
    CreateMixin[ModelT],
    ListMixin[ModelT],
    RetrieveMixin[ModelT],
    UpdateMixin[ModelT],
    DestroyMixin[ModelT],
    Resource[ModelT],
):
    """All five actions: `create`, `list`, `retrieve`, `update`/`partial_update`, `destroy`."""
