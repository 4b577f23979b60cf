"""`AsyncAPIView`: DRF's `APIView` with an async dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine, Generator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from asgiref.sync import async_to_sync, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.asgi import ASGIRequest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import classproperty
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import ForcedAuthentication, Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from typing_extensions import override

from restflow_core import errors as core_errors
from restflow_core.units import atomically
from restflow_django._sync import (
    acall,
    class_overrides_sync_twin,
    is_async_callable,
    overrides_sync_twin,
    runs_inline,
)
from restflow_django.permissions import (
    ahas_object_permission,
    ahas_permission,
    has_object_permission_in_thread,
    has_permission_in_thread,
)
from restflow_django.transactions import DjangoUnitOfWork, atomic_on, request_thread

if TYPE_CHECKING:
    from rest_framework.views import AsView, GenericView

AsyncView = Callable[..., Coroutine[Any, Any, HttpResponseBase]]


def as_async_view(view: Callable[..., Any]) -> AsyncView:
    """Wrap a view function whose call returns a coroutine in a real coroutine function.

    Django serves a view asynchronously only when the function itself is a coroutine
    function; `csrf_exempt` on Django 4.2 hides that, so the wrapper restores it.
    """

    async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: Any = view(request, *args, **kwargs)
        if inspect.isawaitable(response):
            response = await response
        # A sync `dispatch` override may answer before restflow's dispatch runs.
        answered: HttpResponseBase = response
        return answered

    functools.update_wrapper(async_view, view)
    # `update_wrapper` points at the sync view; unwrapping must not lead back to it.
    del async_view.__wrapped__  # type: ignore[attr-defined]
    # Django refuses `ATOMIC_REQUESTS` around coroutine views; restflow's write actions
    # open their own transaction instead (see `AsyncAPIView.atomic`).
    async_view._non_atomic_requests = EVERY_DATABASE  # type: ignore[attr-defined]
    return async_view


class RenderedResponse(Response):
    """A DRF response rendered already: `render()` returns it, called or awaited.

    Django's async handler renders a response in a thread unless `render` is a coroutine
    function; this one is marked as one and the response is awaitable, so no thread is
    needed, while sync callers (tests calling `response.render()`) still get the response.
    """

    @markcoroutinefunction
    @override
    def render(self) -> RenderedResponse:
        return self

    def __await__(self) -> Generator[Any, None, RenderedResponse]:
        """Awaiting the rendered response gives it back at once."""
        done: asyncio.Future[RenderedResponse] = asyncio.get_running_loop().create_future()
        done.set_result(self)
        return done.__await__()


def render_on_loop(request: HttpRequest, response: HttpResponseBase) -> None:
    """Render a plain DRF response now, when its renderer is pure CPU and the server is ASGI.

    JSON rendering needs no thread; template-based renderers (the browsable API) and
    `Response` subclasses keep Django's own path.
    """
    renderer = getattr(response, "accepted_renderer", None)
    if (
        type(response) is not Response
        or not isinstance(request, ASGIRequest)
        or not isinstance(renderer, JSONRenderer)
        or isinstance(renderer, BrowsableAPIRenderer)
    ):
        return
    response.render()
    response.__class__ = RenderedResponse


def release_request_cycles(view: APIView, request: Request, response: RenderedResponse) -> None:
    """Let a finished request's objects go as soon as the response does.

    DRF's per-request objects point at each other (the view at its request and response,
    the request at itself and the view through its parser context, a viewset at its own
    bound handlers, a serializer at its fields and its data), so without help every request
    leaves a cycle for Python's garbage collector and each collection walks them all. Once
    the response is rendered, the back references become weak, and DRF's caches of rendered
    data and bound fields are dropped (they are built again if read): every object stays
    reachable from the response as before. A weak reference dies with its target: code that
    keeps only the DRF request, not the response, finds its parser context's view gone.
    """
    context = request.parser_context
    if context is not None:
        if context.get("request") is request:
            context["request"] = weakref.proxy(request)
        if context.get("view") is view:
            context["view"] = weakref.proxy(view)
    state = view.__dict__
    for method in getattr(view, "action_map", None) or ():
        state.pop(method, None)
    view.response = weakref.proxy(response)
    renderer_context = getattr(response, "renderer_context", None)
    if renderer_context is not None:
        renderer_context.pop("response", None)
    data = response.data
    release_serializer(getattr(data, "serializer", None))
    if type(data) is dict or type(data) is OrderedDict:
        for value in data.values():
            release_serializer(getattr(value, "serializer", None))


def release_serializer(serializer: Any) -> None:
    """Drop a used serializer's cached representation and bound fields, and the cycles in them."""
    if not isinstance(serializer, BaseSerializer):
        return
    state = serializer.__dict__
    fields = state.pop("fields", None)
    for cached in ("_data", "_restflow_readable_fields"):
        state.pop(cached, None)
    if fields is not None:
        for field in fields.values():
            _weaken_parents(field, serializer)
    child = state.get("child")
    if child is not None:
        _weaken_parents(child, serializer)
        release_serializer(child)


def _weaken_parents(field: Any, parent: Any) -> None:
    """Make `field`'s link to `parent`, and its inner fields' links to it, weak."""
    if field.__dict__.get("parent") is parent:
        field.parent = weakref.proxy(parent)
    for inner in ("child", "child_relation"):
        nested = field.__dict__.get(inner)
        if nested is not None:
            _weaken_parents(nested, field)


class _EveryDatabase(frozenset[str]):
    """Contains every database alias."""

    @override
    def __contains__(self, alias: object) -> bool:
        return True


EVERY_DATABASE = _EveryDatabase()


class DatabaseBusy(exceptions.APIException):
    """The database refused the work for now (locked, deadlocked, out of connections): 503."""

    status_code = 503
    default_detail = "The database is busy; retry the request."
    default_code = "database_busy"
    # DRF's exception handler turns `wait` into a `Retry-After` header.
    wait = 1


class PayloadTooLarge(exceptions.APIException):
    """The body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`: 413."""

    status_code = 413
    default_detail = "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
    default_code = "payload_too_large"


# DRF's sync view hooks that restflow runs as async twins named `a<hook>`.
DRF_HOOKS = (
    "perform_create",
    "perform_update",
    "perform_destroy",
    "initial",
    "perform_authentication",
    "check_permissions",
    "check_object_permissions",
    "check_throttles",
    "get_object",
    "filter_queryset",
    "paginate_queryset",
)


def drf_style_overrides(view: object) -> frozenset[str]:
    """The DRF hooks `view`'s class overrides itself while keeping restflow's async twin.

    restflow's `a<hook>` runs such an override instead of its own steps (a sync one in a
    thread), so a view moved over from DRF keeps its `check_permissions`, `get_object` or
    `filter_queryset` until it is made async. An override of the async twin as well is
    left alone: the view has made that hook async.
    """
    cls: Any = type(view)
    return _drf_style_overrides(cls)


@functools.lru_cache(maxsize=1024)
def _drf_style_overrides(cls: Any) -> frozenset[str]:
    return frozenset(name for name in DRF_HOOKS if class_overrides_sync_twin(cls, name))


class BodyCheckedRequest(Request):
    """DRF's `Request`, whose body nested too deeply to parse is a 400 rather than a 500.

    A parser that recurses (the standard library's JSON decoder) fails on a body nested
    deeper than Python's recursion limit; DRF catches only `ValueError`s.
    """

    def _parse(self) -> tuple[Any, Any]:
        try:
            parsed: tuple[Any, Any] = super()._parse()  # type: ignore[misc]
        except RecursionError:
            # DRF has already left the request with empty data, as for any failed parse.
            raise exceptions.ParseError("Parse error - the body is nested too deeply.") from None
        return parsed


def check_body_size(request: Request) -> None:
    """Raise `PayloadTooLarge` for a declared body over `DATA_UPLOAD_MAX_MEMORY_SIZE`.

    Some DRF versions parse the body stream directly and never meet Django's own check.
    """
    # `None` disables the check; the stubs say int.
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if limit is not None and declared > limit:
        raise PayloadTooLarge()


# SQLSTATEs of failures that succeed when retried: serialization failure, deadlock,
# lock not available, too many connections.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "53300"})


def is_transient_database_error(error: BaseException) -> bool:
    """Return whether `error` is a database refusal that a retry may get past."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(error) or "database table is locked" in str(error)


def to_api_exception(error: core_errors.RestflowError) -> exceptions.APIException:
    """Translate a framework-neutral error from `restflow_core` into DRF's exception."""
    if isinstance(error, core_errors.ValidationFailed):
        return exceptions.ValidationError(error.errors)
    translated: dict[type[core_errors.RestflowError], type[exceptions.APIException]] = {
        core_errors.NotAuthenticated: exceptions.NotAuthenticated,
        core_errors.PermissionDenied: exceptions.PermissionDenied,
        core_errors.NotFound: exceptions.NotFound,
        core_errors.ParseError: exceptions.ParseError,
    }
    if isinstance(error, core_errors.MethodNotAllowed):
        return exceptions.MethodNotAllowed(error.method)
    drf_class = translated.get(type(error), exceptions.APIException)
    return drf_class(error.detail, code=error.code)


def declines_at_once(authenticator: Any, request: Request) -> bool:
    """Whether DRF's own `authenticate` of `authenticator` returns `None` without a query.

    DRF's basic and token authentication answer `None` straight away when the request's
    `Authorization` header is missing or names another scheme; only then may they run on
    the event loop.
    """
    if isinstance(authenticator, BasicAuthentication):
        drf_class: type[BaseAuthentication] = BasicAuthentication
        scheme = "basic"
    elif isinstance(authenticator, TokenAuthentication):
        drf_class, scheme = TokenAuthentication, str(authenticator.keyword)
    else:
        return False
    if type(authenticator).authenticate is not drf_class.authenticate:
        return False
    words = get_authorization_header(request).split()
    return not words or words[0].lower() != scheme.lower().encode()


async def arespond_with(
    handler: Callable[..., Any], request: Request, *args: Any, **kwargs: Any
) -> Any:
    """Answer `request` with `handler`: awaited when `async def`, else in a thread."""
    if is_async_callable(handler):
        return await handler(request, *args, **kwargs)
    return await sync_to_async(handler)(request, *args, **kwargs)


HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


def own_transaction(handler: HandlerT) -> HandlerT:
    """Mark one of restflow's actions or handlers as deciding its own transaction.

    `AsyncAPIView.arun_handler` runs every other handler whole in the view's transaction.
    """
    vars(handler)["restflow_own_transaction"] = True
    return handler


class AsyncAPIView(APIView):
    """DRF's `APIView`, dispatched asynchronously.

    Handlers may be `async def` or plain methods (those run in a thread). Authentication,
    permission and throttle classes may be sync or async: an authenticator's
    `aauthenticate`, a permission's `async def has_permission` and a throttle's
    `aallow_request` are awaited; sync ones that may block run in a thread.

    `atomic` decides whether a handler runs in one database transaction, rolled back when it
    raises (a DRF error included) or is cancelled: `True`, `False`, or `None` (the default)
    to follow each database's `ATOMIC_REQUESTS`, as Django does for sync views.
    """

    restflow_async_view: ClassVar[bool] = True
    atomic: ClassVar[bool | None] = None

    @override
    @classproperty
    def view_is_async(cls) -> bool:
        """False to Django: restflow, not Django, makes the view function a coroutine function.

        Django's view function stays plain and returns what `dispatch` returns: restflow's
        coroutine, or the response of a sync `dispatch` override that answers early (as in
        DRF's viewsets). `as_view` wraps it in a coroutine function that awaits the former.
        Django would also refuse a class whose handlers mix `def` and `async def`; restflow
        serves both, the sync ones in a thread.
        """
        return False

    @override
    @classmethod
    def as_view(cls, **initkwargs: Any) -> AsView[GenericView]:
        """Return an async view function for this class."""
        # The stubs describe view functions as sync; the function returned is `async def`.
        return cast("AsView[GenericView]", as_async_view(super().as_view(**initkwargs)))

    @override
    async def dispatch(  # type: ignore[override]  # DRF's dispatch is sync; this one is awaited
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """Run DRF's request lifecycle, awaiting every step that may wait."""
        self.args = args
        self.kwargs = kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            await self.ainitial(drf_request, *args, **kwargs)
            response = await self.acall_handler(drf_request, *args, **kwargs)
        except Exception as exc:
            response = await self.ahandle_exception(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        render_on_loop(request, self.response)
        response = self.response
        if isinstance(response, RenderedResponse):
            release_request_cycles(self, drf_request, response)
        return response

    @override
    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        """Wrap `request` in DRF's `Request` (a `BodyCheckedRequest`)."""
        return BodyCheckedRequest(
            request,
            parsers=self.get_parsers(),
            authenticators=self.get_authenticators(),
            negotiator=self.get_content_negotiator(),
            parser_context=self.get_parser_context(request),
        )

    async def acall_handler(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """Call the handler for `request.method` through `arun_handler`."""
        method = (request.method or "").lower()
        if method in self.http_method_names:
            handler = getattr(self, method, self.http_method_not_allowed)
        else:
            handler = self.http_method_not_allowed
        return await self.arun_handler(handler, request, *args, **kwargs)

    async def arun_handler(
        self, handler: Callable[..., Any], request: Request, *args: Any, **kwargs: Any
    ) -> Any:
        """Answer `request` with `handler` (a sync one in a thread), in the view's transaction.

        The transaction covers the databases `get_atomic_databases()` names; restflow's own
        actions decide theirs themselves.
        """
        if getattr(handler, "restflow_own_transaction", False):
            return await arespond_with(handler, request, *args, **kwargs)
        async with atomic_on(self.get_atomic_databases()):
            return await arespond_with(handler, request, *args, **kwargs)

    def get_write_database(self) -> str:
        """Return the alias writes use: the router's choice for the view's model, if any."""
        model = getattr(getattr(self, "queryset", None), "model", None)
        serializer_class = getattr(self, "serializer_class", None)
        if model is None and serializer_class is not None:
            model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        return router.db_for_write(model) if model is not None else DEFAULT_DB_ALIAS

    def is_atomic(self, using: str) -> bool:
        """Whether work on database `using` runs in a transaction: `atomic`, else the setting."""
        if self.atomic is None:
            return bool(connections.settings[using].get("ATOMIC_REQUESTS", False))
        return self.atomic

    def get_atomic_databases(self) -> list[str]:
        """The databases whose transaction wraps each handler you write."""
        if self.atomic is None:
            return [
                alias
                for alias, config in connections.settings.items()
                if config.get("ATOMIC_REQUESTS", False)
            ]
        return [self.get_write_database()] if self.atomic else []

    @asynccontextmanager
    async def aatomic(self) -> AsyncIterator[None]:
        """Run the block in one transaction on the write database, whatever `atomic` says.

        Inside a transaction already, the block is a savepoint: `async with self.aatomic():`.
        """
        async with request_thread(), atomically(DjangoUnitOfWork(self.get_write_database())):
            yield

    @override
    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        """Pick the renderer and media type, as DRF does.

        A request that accepts anything (no `Accept` header, or `*/*`) and names no format
        gets the first renderer, which is what DRF's negotiation answers; only other requests
        go through the negotiator.
        """
        if self.format_kwarg is None and request._request.META.get("HTTP_ACCEPT", "*/*") == "*/*":
            negotiator = self.get_content_negotiator()
            format_param = self.settings.URL_FORMAT_OVERRIDE
            django_request = request._request
            has_query = django_request.META.get("QUERY_STRING") or "GET" in vars(django_request)
            if type(negotiator) is DefaultContentNegotiation and not (
                format_param and has_query and format_param in django_request.GET
            ):
                renderers = self.get_renderers()
                if renderers and "*" not in renderers[0].media_type:
                    return renderers[0], renderers[0].media_type
        return super().perform_content_negotiation(request, force)

    async def ainitial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Negotiate content and version, then authenticate, check permissions and throttles.

        An `initial` the view defines runs instead (a sync one in a thread).
        """
        if "initial" in drf_style_overrides(self):
            await acall(self, "initial", request, *args, **kwargs)
            check_body_size(request)
            return
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        await self.aperform_authentication(request)
        await self.acheck_permissions(request)
        await self.acheck_throttles(request)
        check_body_size(request)

    async def aperform_authentication(self, request: Request) -> None:
        """Authenticate `request` with each authenticator in turn, never blocking the loop.

        Mirrors DRF's `Request._authenticate`: the first authenticator returning a user wins;
        one that raises leaves the request anonymous and the error propagates. A
        `perform_authentication` the view defines runs instead (a sync one in a thread).
        """
        if "perform_authentication" in drf_style_overrides(self):
            await acall(self, "perform_authentication", request)
            return
        await self._aauthenticate(request)

    async def _aauthenticate(self, request: Request) -> None:
        # The stubs omit the private hooks DRF's own `_authenticate` uses.
        internals = cast(Any, request)
        for authenticator in request.authenticators or ():
            try:
                user_auth = await self._aauthenticate_with(authenticator, request)
            except exceptions.APIException:
                internals._not_authenticated()
                raise
            if user_auth is not None:
                internals._authenticator = authenticator
                request.user, request.auth = user_auth
                return
        internals._not_authenticated()

    async def _aauthenticate_with(self, authenticator: Any, request: Request) -> Any:
        if hasattr(authenticator, "aauthenticate") and not overrides_sync_twin(
            authenticator, "authenticate"
        ):
            return await authenticator.aauthenticate(request)
        if isinstance(authenticator, ForcedAuthentication) or declines_at_once(
            authenticator, request
        ):
            return authenticator.authenticate(request)
        if isinstance(authenticator, SessionAuthentication) and runs_inline(
            authenticator, "authenticate"
        ):
            django_request = request._request
            auser = getattr(django_request, "auser", None)
            if auser is not None:
                # Load the session user with Django's async API; DRF then finds it resolved.
                django_request.user = await auser()
                return authenticator.authenticate(request)
            if not hasattr(django_request, "user"):
                # No authentication middleware: DRF's session check has nothing to load.
                return authenticator.authenticate(request)
        return await sync_to_async(authenticator.authenticate)(request)

    async def acheck_permissions(self, request: Request) -> None:
        """Raise DRF's 401/403 if any permission refuses `request`.

        A `check_permissions` the view defines runs instead (a sync one in a thread).
        """
        if "check_permissions" in drf_style_overrides(self):
            await acall(self, "check_permissions", request)
            return
        for permission in self.get_permissions():
            if not await ahas_permission(permission, request, self):
                self.refuse(request, permission)

    async def acheck_object_permissions(self, request: Request, obj: Any) -> None:
        """Raise DRF's 401/403 if any permission refuses `request` on `obj`.

        A `check_object_permissions` the view defines runs instead (a sync one in a thread).
        """
        if "check_object_permissions" in drf_style_overrides(self):
            await acall(self, "check_object_permissions", request, obj)
            return
        for permission in self.get_permissions():
            if not await ahas_object_permission(permission, request, self, obj):
                self.refuse(request, permission)

    def refuse(self, request: Request, permission: Any) -> None:
        """Raise DRF's 401/403 for `permission`'s refusal, with its message and code."""
        self.permission_denied(
            request,
            message=getattr(permission, "message", None),
            code=getattr(permission, "code", None),
        )

    @override
    def check_permissions(self, request: Request) -> None:
        """Sync twin of `acheck_permissions`, for DRF code that runs in a thread.

        DRF's browsable API and `OPTIONS` metadata check permissions synchronously. Sync
        checks run in the calling thread; async ones are awaited on the event loop, so they
        are never taken for a truthy coroutine. An `acheck_permissions` override is awaited.
        """
        if type(self).acheck_permissions is not AsyncAPIView.acheck_permissions:
            async_to_sync(self.acheck_permissions)(request)
            return
        for permission in self.get_permissions():
            if not has_permission_in_thread(permission, request, self):
                self.refuse(request, permission)

    @override
    def check_object_permissions(self, request: Request, obj: Any) -> None:
        """Sync twin of `acheck_object_permissions`, for code that runs in a thread."""
        if type(self).acheck_object_permissions is not AsyncAPIView.acheck_object_permissions:
            async_to_sync(self.acheck_object_permissions)(request, obj)
            return
        for permission in self.get_permissions():
            if not has_object_permission_in_thread(permission, request, self, obj):
                self.refuse(request, permission)

    @override
    def perform_authentication(self, request: Request) -> None:
        """Sync twin of `aperform_authentication`, for code that runs in a thread.

        A request authenticated already stays as it is, as DRF's lazy `request.user` leaves
        it. Otherwise an `aperform_authentication` override is awaited, or restflow's own
        steps run on the event loop, so an authenticator's `aauthenticate` works here too.
        """
        if hasattr(request, "_user"):
            return
        if type(self).aperform_authentication is not AsyncAPIView.aperform_authentication:
            async_to_sync(self.aperform_authentication)(request)
            return
        async_to_sync(self._aauthenticate)(request)

    @override
    def check_throttles(self, request: Request) -> None:
        """Sync twin of `acheck_throttles`, for code that runs in a thread.

        An `acheck_throttles` override is awaited; otherwise restflow's own steps run on the
        event loop, so a throttle's `aallow_request` works here too.
        """
        if type(self).acheck_throttles is not AsyncAPIView.acheck_throttles:
            async_to_sync(self.acheck_throttles)(request)
            return
        async_to_sync(self._acheck_throttles)(request)

    async def acheck_throttles(self, request: Request) -> None:
        """Raise DRF's 429 if any throttle refuses `request`.

        A `check_throttles` the view defines runs instead (a sync one in a thread).
        """
        if "check_throttles" in drf_style_overrides(self):
            await acall(self, "check_throttles", request)
            return
        await self._acheck_throttles(request)

    async def _acheck_throttles(self, request: Request) -> None:
        durations = []
        for throttle in self.get_throttles():
            if hasattr(throttle, "aallow_request") and not overrides_sync_twin(
                throttle, "allow_request"
            ):
                allowed = await throttle.aallow_request(request, self)
            else:
                allowed = await acall(throttle, "allow_request", request, self)
            if not allowed:
                durations.append(throttle.wait())
        if durations:
            known = [duration for duration in durations if duration is not None]
            # DRF accepts `None` (unknown wait); its stubs say float.
            self.throttled(request, cast(float, max(known, default=None)))

    async def ahandle_exception(self, exc: Exception) -> Any:
        """Turn `exc` into DRF's response for it; an unknown error is re-raised (500)."""
        if isinstance(exc, core_errors.RestflowError):
            exc = to_api_exception(exc)
        elif is_transient_database_error(exc):
            exc = DatabaseBusy()
        elif isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge()
        request: Any = getattr(self, "request", None)
        if isinstance(request, Request) and not hasattr(request, "_user"):
            # The exception handler may read `request.user`; resolve it without blocking.
            with contextlib.suppress(exceptions.APIException):
                await self.aperform_authentication(request)
        return self.handle_exception(exc)
