"""A generic resource: what makes an adapter's views behave like DRF's generic views.

`Resource` dispatches a request to its action (405 for a method without one), authenticates
it with `authentication_classes`, checks the view-level permissions before the action and
the object permissions on the fetched object (401 for an anonymous user, else 403 with the
permission's `message` and `code`), finds the object by `lookup_field` in the filtered
queryset (404 when it is not there), wires filtering and pagination, and runs each action's
pipeline. An adapter subclasses it and supplies what is its own: the queryset, validation
and representation of drafts, saving and deleting, and the unit of work. `CreateMixin`,
`ListMixin`, `RetrieveMixin`, `UpdateMixin` and `DestroyMixin` add the five actions.

Each hook comes in two forms, and a resource class gives whichever suits its store: the
`async def` form (`avalidated`, `asave`, ...) is awaited on the loop; the plain form
(`validated`, `save`, ...) is a step of the action's pipeline that may block, and the
resource's `offload` runs each stretch of such steps in one go: one thread hop per action
for a store whose calls block. Which form each hook takes is decided once per class, when
the class is made; `Resource.explain()` lists it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from typing_extensions import override

from restflow_core.authentication import Authenticator
from restflow_core.errors import (
    MethodNotAllowed,
    NotAuthenticated,
    PermissionDenied,
    RestflowError,
)
from restflow_core.pagination import Page
from restflow_core.permissions import (
    afirst_object_refusal,
    afirst_refusal,
    first_object_refusal,
    has_async_object_check,
)
from restflow_core.pipelines import (
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_retrieve,
    run_update,
)
from restflow_core.protocols import BlockingSource, Permission, Source
from restflow_core.replies import Reply, error_reply, reply
from restflow_core.requests import is_authenticated
from restflow_core.steps import Blocking, Joinable, Offload, Step, Steps, inline, keeping
from restflow_core.units import UnitOfWork

ModelT = TypeVar("ModelT")
DraftT = TypeVar("DraftT")
T = TypeVar("T")

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
    """A paginator a resource uses: cuts the requested page, with its count and links.

    A resource with an `offload` calls `page` instead, with a `BlockingSource`, in a
    blocking step; the core's paginators have both.
    """

    async def apage(self, source: Any, request: Any, /) -> Page[Any] | None:
        """Return the requested page, or `None` when the request is not paginated."""
        ...


@dataclass(frozen=True, slots=True)
class Hook:
    """One hook of a resource: its plain and async names, and how its plain form runs
    (`blocking`: through `offload`; else it joins the blocking work before it)."""

    sync: str
    asyn: str
    blocking: bool = True


# Every hook an action runs, by role.
HOOKS: Mapping[str, Hook] = {
    "fetch": Hook("get_object", "aget_object"),
    "refine": Hook("filter_queryset", "afilter_queryset", blocking=False),
    "paginate": Hook("page", "apage"),
    "collect": Hook("collect", "acollect"),
    "validate": Hook("validated", "avalidated"),
    "revalidate": Hook("revalidated", "arevalidated"),
    "save": Hook("save", "asave"),
    "delete": Hook("delete_instance", "adelete"),
    "perform_create": Hook("perform_create", "aperform_create"),
    "perform_update": Hook("perform_update", "aperform_update"),
    "perform_destroy": Hook("perform_destroy", "aperform_destroy"),
    "render": Hook("render", "arender", blocking=False),
    "render_instance": Hook("render_instance", "arender_instance", blocking=False),
    "render_many": Hook("render_many", "arender_many", blocking=False),
}
# Hooks whose default form is the one another hook takes (a default `perform_create` saves).
_FOLLOWS = {"perform_create": "save", "perform_update": "save", "perform_destroy": "delete"}
# Hooks whose default reads the queryset: plain when the store blocks, else async.
_READS = frozenset({"fetch", "refine", "paginate", "collect"})

Form = Literal["plain", "async"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a resource class decided when it was made: each hook's form, the offload, and
    whether object permissions are checked on the loop."""

    forms: Mapping[str, Form]
    offload: Offload | None
    async_object_check: bool

    def explain(self) -> str:
        """Each hook, the form it takes, and where that runs."""
        lines = [f"offload: {_name(self.offload) if self.offload else 'none (inline)'}"]
        for role, hook in HOOKS.items():
            if self.forms[role] == "async":
                lines.append(f"{role}: {hook.asyn} (async, on the loop)")
            elif hook.blocking:
                lines.append(f"{role}: {hook.sync} (blocking, through offload)")
            else:
                lines.append(f"{role}: {hook.sync} (plain, joins the blocking work before it)")
        if self.async_object_check:
            lines.append("object permissions: async, checked on the loop after the fetch")
        return "\n".join(lines)


def _name(function: object) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', function)}"


class Resource(Generic[ModelT, DraftT]):
    """The framework-independent half of a DRF generic view: one instance serves one request.

    Subclasses supply `get_queryset`, validation (`avalidated`/`arevalidated`, or the plain
    `validated`/`revalidated`), representation (`arender`, `arender_instance`,
    `arender_many`, or their plain forms), saving and deleting (`asave`/`adelete`, or
    `save`/`delete_instance`), and `get_unit_of_work` for `atomic`; and set `permission_classes`,
    `authentication_classes`, `filter_backends`, `pagination_class` and `lookup_field` as
    on a DRF view. `request` needs `method`, `data` and a settable `user` (and `headers`,
    to be authenticated): a `PlainRequest` has them.

    `offload` is for a store whose calls block: set it (`asyncio.to_thread`, say) and the
    resource reads the queryset through its blocking API (a `BlockingSource`), runs the
    plain hooks as blocking steps, and pays one `offload` per stretch of them: one per
    action when no async hook sits in the middle.
    """

    permission_classes: ClassVar[Sequence[type[Any]]] = ()
    authentication_classes: ClassVar[Sequence[type[Authenticator]]] = ()
    filter_backends: ClassVar[Sequence[type[Any]]] = ()
    pagination_class: ClassVar[type[Pages] | None] = None
    lookup_field: ClassVar[str] = "pk"
    atomic: ClassVar[bool] = False
    offload: ClassVar[Offload | None] = None
    plan: ClassVar[Plan]

    @override
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.plan = _plan(cls)

    def __init__(self, request: Any, *, action: str, key: str | None = None) -> None:
        self.request = request
        self.action = action
        self.key = key
        self._paginator: Pages | None = None

    @classmethod
    def explain(cls) -> str:
        """What the class decided: each hook's form and where it runs, one per line."""
        return f"{cls.__qualname__}\n{cls.plan.explain()}"

    def step(self, role: str) -> Step[..., Any]:
        """The step running the hook `role` (a key of `HOOKS`) in the form the class chose."""
        hook = HOOKS[role]
        if self.plan.forms[role] == "async":
            return getattr(self, hook.asyn)  # type: ignore[no-any-return]  # a hook, by name
        work = getattr(self, hook.sync)
        return Blocking(work) if hook.blocking else Joinable(work)

    def run_offload(self, work: Callable[[], T], /) -> Any:
        """Run a stretch of blocking steps through the class's `offload` (inline without one)."""
        return (self.plan.offload or inline)(work)

    def get_queryset(self) -> Any:
        """Return every object this resource may show: a `Source`, or with an `offload`, a
        `BlockingSource`."""
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

        Return what was saved, or `None` when `draft` now holds it. A class with a plain
        `save` gets this for free: it runs `save` through `offload`.
        """
        if self.plan.forms["save"] == "plain":
            saved: DraftT | None = await self.run_offload(partial(self.save, draft))
            return saved
        raise NotImplementedError

    def save(self, draft: DraftT) -> DraftT | None:
        """`asave` as blocking work."""
        raise NotImplementedError

    async def adelete(self, instance: ModelT) -> None:
        """Remove `instance` (the default of the destroy hook). A class with a plain
        `delete_instance` gets this for free: it runs it through `offload`."""
        if self.plan.forms["delete"] == "plain":
            await self.run_offload(partial(self.delete_instance, instance))
            return
        raise NotImplementedError

    def delete_instance(self, instance: ModelT) -> None:
        """`adelete` as blocking work."""
        raise NotImplementedError

    def get_permissions(self) -> list[Permission]:
        """Return instances of `permission_classes`."""
        return [permission() for permission in self.permission_classes]

    def get_authenticators(self) -> list[Authenticator]:
        """Return instances of `authentication_classes`."""
        return [authenticator() for authenticator in self.authentication_classes]

    async def aauthenticate(self) -> None:
        """Ask each authenticator in turn; the first that knows the request sets its user.

        An authenticator's `AuthenticationFailed` ends the request with a 401.
        """
        for authenticator in self.get_authenticators():
            user = await authenticator.aauthenticate(self.request)
            if user is not None:
                self.request.user = user
                return

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

    def check_object_permissions(self, obj: ModelT) -> None:
        """`acheck_object_permissions` in a blocking step (sync permissions only)."""
        refusal = first_object_refusal(self.get_permissions(), self.request, self, obj)
        if refusal is not None:
            self.permission_denied(refusal)

    def permission_denied(self, permission: Permission) -> None:
        """Raise the error for `permission`'s refusal: 401 for anonymous users, else 403.

        The 401 names the first authenticator's scheme in `WWW-Authenticate`.
        """
        if not is_authenticated(self.request.user):
            authenticators = self.get_authenticators()
            header = authenticators[0].authenticate_header(self.request) if authenticators else None
            raise NotAuthenticated(authenticate_header=header)
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

    def filter_queryset(self, queryset: Any) -> Any:
        """Run every filter backend's `filter_queryset` over `queryset`, in a step."""
        for backend_class in self.filter_backends:
            queryset = backend_class().filter_queryset(self.request, queryset, self)
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

    def page(self, queryset: BlockingSource[ModelT]) -> Page[ModelT] | None:
        """`apage` in a blocking step: the paginator's `page` over the blocking source."""
        if self.paginator is None:
            return None
        page: Page[ModelT] | None = getattr(self.paginator, "page")(queryset, self.request)  # noqa: B009  # `Pages` asks only for `apage`
        return page

    async def acollect(self, source: Source[ModelT]) -> list[ModelT]:
        """Every object of `source` (a list that is not paginated)."""
        return [item async for item in source]

    def collect(self, source: BlockingSource[ModelT]) -> list[ModelT]:
        """`acollect` in a blocking step."""
        return list(source)

    async def aget_object(self) -> ModelT:
        """Return the object the request names, filtered and permission-checked.

        Raises `NotFound` when no object in the filtered queryset matches.
        """
        queryset: Source[ModelT] = await self.afilter_queryset(self.get_queryset())
        obj = await queryset.aget(**{self.lookup_field: self.key})
        await self.acheck_object_permissions(obj)
        return obj

    def get_object(self) -> ModelT:
        """`aget_object` in a blocking step, through the queryset's blocking `get`."""
        obj = self.find_object()
        self.check_object_permissions(obj)
        return obj

    def find_object(self) -> ModelT:
        """The object the request names in the filtered queryset, unchecked."""
        queryset: BlockingSource[ModelT] = self.filter_queryset(self.get_queryset())
        return queryset.get(**{self.lookup_field: self.key})

    def fetch_step(self) -> Step[[], ModelT]:
        """The fetch as the class decided it; with async object permissions and a blocking
        store, the read blocks and the check is awaited on the loop after it."""
        if self.plan.forms["fetch"] == "plain" and self.plan.async_object_check:
            return Steps(Blocking(self.find_object), keeping(self.acheck_object_permissions))
        return self.step("fetch")

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
        """Authenticate, check permissions, run the action, and describe any error as DRF
        would."""
        try:
            handler = getattr(self, self.action, None) if self.action in _DISPATCHED else None
            if handler is None or not inspect.iscoroutinefunction(handler):
                raise MethodNotAllowed(self.request.method, self.allowed_methods())
            await self.aauthenticate()
            await self.acheck_permissions()
            result: Reply = await handler(self.request)
            return result
        except RestflowError as error:
            return error_reply(error)


def _plan(cls: type[Resource[Any, Any]]) -> Plan:
    """Decide each hook's form for `cls`: the form its nearest definition takes, below the
    kit's own classes; else the kit's default."""
    offload = inspect.getattr_static(cls, "offload")
    offload = offload.__func__ if isinstance(offload, staticmethod) else offload
    forms: dict[str, Form] = {}
    for role, hook in HOOKS.items():
        forms[role] = _defined_form(cls, hook) or _default_form(role, forms, offload)
    return Plan(forms, offload, has_async_object_check(cls.permission_classes))


def _defined_form(cls: type[Any], hook: Hook) -> Form | None:
    for klass in cls.__mro__:
        if klass.__module__ == __name__:
            return None
        if hook.asyn in vars(klass):
            return "async"
        if hook.sync in vars(klass):
            return "plain"
    return None


def _default_form(role: str, decided: Mapping[str, Form], offload: object) -> Form:
    if role in _FOLLOWS:
        return decided[_FOLLOWS[role]]
    if role in _READS:
        return "plain" if offload is not None else "async"
    return "async"


class CreateMixin(Resource[ModelT, DraftT]):
    """Adds `create`: validate, `aperform_create`, answer 201."""

    async def create(self, request: Any) -> Reply:
        """Create an object from `request.data`."""
        return await run_create(
            request.data,
            validate=self.step("validate"),
            persist=self.step("perform_create"),
            render=self.step("render"),
            respond=reply,
            headers=self.get_success_headers,
            unit=self.get_unit_of_work(),
            offload=self.run_offload,
        )

    async def aperform_create(self, draft: DraftT, /) -> DraftT | None:
        """Save a validated `draft`. Override to add side effects.

        Return what was saved, or `None` when `draft` now holds it.
        """
        return await self.asave(draft)

    def perform_create(self, draft: DraftT, /) -> DraftT | None:
        """`aperform_create` as blocking work: override it for a blocking side effect."""
        return self.save(draft)


class ListMixin(Resource[ModelT, DraftT]):
    """Adds `list`: filter, paginate, serialize."""

    async def list(self, request: Any) -> Reply:
        """List the objects, a page at a time when the resource paginates."""
        return await run_list(
            self.get_queryset(),
            refine=self.step("refine"),
            # Without a paginator there is no page to cut: a blocking store reads once, in
            # the hop that filters, collects and renders.
            paginate=self.step("paginate") if self.pagination_class else None,
            collect=self.step("collect"),
            render_many=self.step("render_many"),
            respond=reply,
            respond_page=_respond_page,
            offload=self.run_offload,
        )


def _respond_page(page: Page[Any], results: Any) -> Reply:
    return reply(HTTPStatus.OK, page.body(results))


class RetrieveMixin(Resource[ModelT, DraftT]):
    """Adds `retrieve`: fetch one object and serialize it."""

    async def retrieve(self, request: Any) -> Reply:
        """Answer with the object the request names."""
        return await run_retrieve(
            fetch=self.fetch_step(),
            render=self.step("render_instance"),
            respond=reply,
            offload=self.run_offload,
        )


class UpdateMixin(Resource[ModelT, DraftT]):
    """Adds `update` (PUT) and `partial_update` (PATCH)."""

    async def update(self, request: Any, *, partial: bool = False) -> Reply:
        """Replace the object's fields from `request.data`; with `partial`, only those sent."""
        return await run_update(
            request.data,
            partial=partial,
            fetch=self.fetch_step(),
            validate=self.step("revalidate"),
            persist=self.step("perform_update"),
            render=self.step("render"),
            respond=reply,
            unit=self.get_unit_of_work(),
            offload=self.run_offload,
        )

    async def partial_update(self, request: Any) -> Reply:
        """Change only the fields `request.data` names."""
        return await self.update(request, partial=True)

    async def aperform_update(self, draft: DraftT, /) -> DraftT | None:
        """Save a validated `draft`. Override to add side effects.

        Return what was saved, or `None` when `draft` now holds it.
        """
        return await self.asave(draft)

    def perform_update(self, draft: DraftT, /) -> DraftT | None:
        """`aperform_update` as blocking work."""
        return self.save(draft)


class DestroyMixin(Resource[ModelT, DraftT]):
    """Adds `destroy`: fetch, `aperform_destroy`, answer 204."""

    async def destroy(self, request: Any) -> Reply:
        """Delete the object the request names."""
        return await run_destroy(
            fetch=self.fetch_step(),
            destroy=self.step("perform_destroy"),
            respond=reply,
            unit=self.get_unit_of_work(),
            offload=self.run_offload,
        )

    async def aperform_destroy(self, instance: ModelT, /) -> None:
        """Delete `instance`. Override for soft deletes or cascades."""
        await self.adelete(instance)

    def perform_destroy(self, instance: ModelT, /) -> None:
        """`aperform_destroy` as blocking work."""
        self.delete_instance(instance)


Resource.plan = _plan(Resource)
