"""A generic resource: what makes an adapter's views behave like DRF's generic views.

`Resource` dispatches a request to its action (405 for a method without one), checks the
view-level permissions before the action and the object permissions on the fetched object
(401 for an anonymous user, else 403 with the permission's `message` and `code`), finds
the object by `lookup_field` in the filtered queryset (404 when it is not there), wires
filtering and pagination, and runs each action's pipeline. An adapter subclasses it and
supplies what is its own: the queryset, validation and representation of drafts, saving
and deleting, and the unit of work. `CreateMixin`, `ListMixin`, `RetrieveMixin`,
`UpdateMixin` and `DestroyMixin` add the five actions.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from restflow_core.errors import (
    MethodNotAllowed,
    NotAuthenticated,
    PermissionDenied,
    RestflowError,
)
from restflow_core.pagination import Page
from restflow_core.permissions import afirst_object_refusal, afirst_refusal
from restflow_core.pipelines import (
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_retrieve,
    run_update,
)
from restflow_core.protocols import Permission, Source
from restflow_core.replies import Reply, error_reply, reply
from restflow_core.requests import is_authenticated
from restflow_core.units import UnitOfWork

ModelT = TypeVar("ModelT")
DraftT = TypeVar("DraftT")

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


class Pages(Protocol):
    """A paginator a resource uses: cuts the requested page, with its count and links."""

    async def apage(self, source: Any, request: Any, /) -> Page[Any] | None:
        """Return the requested page, or `None` when the request is not paginated."""
        ...


class Resource(Generic[ModelT, DraftT]):
    """The framework-independent half of a DRF generic view: one instance serves one request.

    Subclasses supply `get_queryset`, `avalidated`, `arevalidated`, `arender`,
    `arender_instance`, `arender_many`, `asave` and `adelete` (and `get_unit_of_work` for
    `atomic`), and set `permission_classes`, `filter_backends`, `pagination_class` and
    `lookup_field` as on a DRF view. `request` needs `method`, `data` and `user`.
    """

    permission_classes: ClassVar[Sequence[type[Any]]] = ()
    filter_backends: ClassVar[Sequence[type[Any]]] = ()
    pagination_class: ClassVar[type[Pages] | None] = None
    lookup_field: ClassVar[str] = "pk"
    atomic: ClassVar[bool] = False

    def __init__(self, request: Any, *, action: str, key: str | None = None) -> None:
        self.request = request
        self.action = action
        self.key = key
        self._paginator: Pages | None = None

    def get_queryset(self) -> Source[ModelT]:
        """Return every object this resource may show."""
        raise NotImplementedError

    def get_unit_of_work(self) -> UnitOfWork | None:
        """Return the unit write actions run in, or `None` (no unit unless overridden)."""
        return None

    async def avalidated(self, data: Any) -> DraftT:
        """Return a draft of a new object, validated against `data`."""
        raise NotImplementedError

    async def arevalidated(self, instance: ModelT, data: Any, partial: bool) -> DraftT:
        """Return a draft of `instance` changed by `data`, validated."""
        raise NotImplementedError

    async def arender(self, draft: DraftT) -> Any:
        """Return the representation of what `draft` saved."""
        raise NotImplementedError

    async def arender_instance(self, instance: ModelT) -> Any:
        """Return the representation of `instance`."""
        raise NotImplementedError

    async def arender_many(self, items: Any) -> Any:
        """Return the representations of `items`, a page or a whole query."""
        raise NotImplementedError

    async def asave(self, draft: DraftT) -> DraftT | None:
        """Store what `draft` holds (the default of the create and update hooks).

        Return what was saved, or `None` when `draft` now holds it.
        """
        raise NotImplementedError

    async def adelete(self, instance: ModelT) -> None:
        """Remove `instance` (the default of the destroy hook)."""
        raise NotImplementedError

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

    async def afilter_queryset(self, queryset: Any) -> Any:
        """Run every filter backend over `queryset`; async backends are awaited."""
        for backend_class in self.filter_backends:
            backend = backend_class()
            if hasattr(backend, "afilter_queryset"):
                queryset = await backend.afilter_queryset(self.request, queryset, self)
            else:
                queryset = backend.filter_queryset(self.request, queryset, self)
        return queryset

    @property
    def paginator(self) -> Pages | None:
        """The paginator for this request, or `None` when the resource does not paginate."""
        if self._paginator is None and self.pagination_class is not None:
            self._paginator = self.pagination_class()
        return self._paginator

    async def apage(self, queryset: Any) -> Page[ModelT] | None:
        """Return the requested page, or `None` when the resource does not paginate."""
        if self.paginator is None:
            return None
        return await self.paginator.apage(queryset, self.request)

    async def aget_object(self) -> ModelT:
        """Return the object the request names, filtered and permission-checked.

        Raises `NotFound` when no object in the filtered queryset matches.
        """
        queryset: Source[ModelT] = await self.afilter_queryset(self.get_queryset())
        obj = await queryset.aget(**{self.lookup_field: self.key})
        await self.acheck_object_permissions(obj)
        return obj

    def get_success_headers(self, data: Any) -> Mapping[str, str]:
        """Return the headers of a 201: `Location` when the body has a `url`."""
        return location_headers(data)

    def allowed_methods(self) -> list[str]:
        """The methods this resource answers at the request's URL (a collection's, or one
        object's), for a 405's `Allow` header."""
        detail = self.key is not None
        offered = [
            method
            for (method, for_detail), action in ACTIONS.items()
            if for_detail == detail and inspect.iscoroutinefunction(getattr(self, action, None))
        ]
        offered += [
            method.upper()
            for method in ("get", "post", "put", "patch", "delete", "head", "options")
            if inspect.iscoroutinefunction(getattr(self, method, None))
            and method.upper() not in offered
        ]
        return offered

    async def adispatch(self) -> Reply:
        """Check permissions, run the action, and describe any error as DRF would."""
        try:
            handler = getattr(self, self.action, None) if self.action in _DISPATCHED else None
            if handler is None or not inspect.iscoroutinefunction(handler):
                raise MethodNotAllowed(self.request.method, self.allowed_methods())
            await self.acheck_permissions()
            result: Reply = await handler(self.request)
            return result
        except RestflowError as error:
            return error_reply(error)


class CreateMixin(Resource[ModelT, DraftT]):
    """Adds `create`: validate, `aperform_create`, answer 201."""

    async def create(self, request: Any) -> Reply:
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

    async def aperform_create(self, draft: DraftT, /) -> DraftT | None:
        """Save a validated `draft`. Override to add side effects.

        Return what was saved, or `None` when `draft` now holds it.
        """
        return await self.asave(draft)


class ListMixin(Resource[ModelT, DraftT]):
    """Adds `list`: filter, paginate, serialize."""

    async def list(self, request: Any) -> Reply:
        """List the objects, a page at a time when the resource paginates."""
        return await run_list(
            self.get_queryset(),
            refine=self.afilter_queryset,
            paginate=self.apage,
            collect=_collect,
            render_many=self.arender_many,
            respond=reply,
            respond_page=_respond_page,
        )


async def _collect(source: Any) -> list[Any]:
    """Every object of `source`."""
    return [item async for item in source]


def _respond_page(page: Page[Any], results: Any) -> Reply:
    return reply(HTTPStatus.OK, page.body(results))


class RetrieveMixin(Resource[ModelT, DraftT]):
    """Adds `retrieve`: fetch one object and serialize it."""

    async def retrieve(self, request: Any) -> Reply:
        """Answer with the object the request names."""
        return await run_retrieve(
            fetch=self.aget_object, render=self.arender_instance, respond=reply
        )


class UpdateMixin(Resource[ModelT, DraftT]):
    """Adds `update` (PUT) and `partial_update` (PATCH)."""

    async def update(self, request: Any, *, partial: bool = False) -> Reply:
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

    async def partial_update(self, request: Any) -> Reply:
        """Change only the fields `request.data` names."""
        return await self.update(request, partial=True)

    async def aperform_update(self, draft: DraftT, /) -> DraftT | None:
        """Save a validated `draft`. Override to add side effects.

        Return what was saved, or `None` when `draft` now holds it.
        """
        return await self.asave(draft)


class DestroyMixin(Resource[ModelT, DraftT]):
    """Adds `destroy`: fetch, `aperform_destroy`, answer 204."""

    async def destroy(self, request: Any) -> Reply:
        """Delete the object the request names."""
        return await run_destroy(
            fetch=self.aget_object,
            destroy=self.aperform_destroy,
            respond=reply,
            unit=self.get_unit_of_work(),
        )

    async def aperform_destroy(self, instance: ModelT, /) -> None:
        """Delete `instance`. Override for soft deletes or cascades."""
        await self.adelete(instance)
