"""`AsyncAPIView`: DRF's `APIView` with an async dispatch."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import classproperty
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from typing_extensions import override

from restflow_core import errors as core_errors
from restflow_core.requests import SAFE_METHODS
from restflow_core.steps import Blocking
from restflow_core.units import atomically, rolled_back
from restflow_django._hooks import aask, acall, async_twin, hook_form, is_async_callable, sync_twin
from restflow_django.permissions import (
    ahas_object_permission,
    ahas_permission,
    has_object_permission_in_thread,
    has_permission_in_thread,
)
from restflow_django.throttling import is_cache_failure
from restflow_django.transactions import DjangoUnitOfWork, atomic_on, request_thread
from restflow_django.views._authentication import aauthenticate, aprepare, joins_the_first_hop
from restflow_django.views._errors import (
    BodyCheckedRequest,
    DatabaseBusy,
    PayloadTooLarge,
    ThrottleUnavailable,
    check_body_size,
    database_refusal,
    explained,
    to_api_exception,
)
from restflow_django.views._helpers import APIViewHelpersMixin
from restflow_django.views._responses import (
    RenderedResponse,
    awaiting_renderer,
    release_request_cycles,
    render_on_loop,
)

if TYPE_CHECKING:
    from rest_framework.views import AsView, GenericView

AsyncView = Callable[..., Coroutine[Any, Any, HttpResponseBase]]

logger = logging.getLogger("restflow")


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


class _EveryDatabase(frozenset[str]):
    """Contains every database alias."""

    @override
    def __contains__(self, alias: object) -> bool:
        return True


EVERY_DATABASE = _EveryDatabase()


HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


def admits_in_its_hop(handler: HandlerT) -> HandlerT:
    """Mark one of restflow's actions as taking its request's authentication and permission
    checks into its first thread hop, when they can run there (`joins_the_first_hop`)."""
    vars(handler)["restflow_admits_in_its_hop"] = True
    return handler


def own_transaction(handler: HandlerT) -> HandlerT:
    """Mark one of restflow's actions or handlers as deciding its own transaction.

    `AsyncAPIView._arun_handler` runs every other handler whole in the view's transaction.
    """
    vars(handler)["restflow_own_transaction"] = True
    return handler


class AsyncAPIView(APIViewHelpersMixin, APIView):
    """DRF's `APIView`, dispatched asynchronously.

    Handlers may be `async def` or plain methods (those run in a thread). Authentication,
    permission and throttle classes may be sync or async: an authenticator's
    `aauthenticate`, a permission's `async def has_permission` and a throttle's
    `aallow_request` are awaited; sync ones that may block run in a thread.

    `atomic` decides whether a handler runs in one database transaction, rolled back when it
    raises (a DRF error included) or is cancelled: `True`, `False`, or `None` (the default)
    to follow each database's `ATOMIC_REQUESTS`, as Django does for sync views.

    Handlers build serializers and answers with the helpers of `APIViewHelpersMixin`:
    `get_serializer`, `avalidated_serializer`, `aserialized_response` and
    `apaginated_response`.
    """

    restflow_async_view: ClassVar[bool] = True
    atomic: ClassVar[bool | None] = None
    # Set by `ainitial` when the checks wait for the action's first thread hop.
    _admission_deferred: bool = False
    # Set per request by `dispatch`, as DRF's `APIView` sets them.
    headers: dict[str, str]
    response: Response
    format_kwarg: Any

    # Django's stubs type `view_is_async` as a `classproperty` pyright cannot match.
    @override  # pyright: ignore[reportArgumentType]
    @classproperty
    def view_is_async(cls) -> bool:  # pyright: ignore[reportIncompatibleVariableOverride]
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
            response = await self._acall_handler(drf_request, *args, **kwargs)
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
        # DRF's stubs: pyright reads `Request(...)` as taking no positional argument.
        return BodyCheckedRequest(
            request,  # pyright: ignore[reportCallIssue]
            parsers=self.get_parsers(),
            authenticators=self.get_authenticators(),
            negotiator=self.get_content_negotiator(),
            parser_context=self.get_parser_context(request),
        )

    async def _acall_handler(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """Call the handler for `request.method` through `_arun_handler`."""
        method = (request.method or "").lower()
        if method in self.http_method_names:
            handler = getattr(self, method, self.http_method_not_allowed)
        else:
            handler = self.http_method_not_allowed
        return await self._arun_handler(handler, request, *args, **kwargs)

    async def _arun_handler(
        self, handler: Callable[..., Any], request: Request, *args: Any, **kwargs: Any
    ) -> Any:
        """Answer `request` with `handler` (a sync one in a thread), in the view's transaction.

        The transaction covers the databases `get_atomic_databases()` names; restflow's own
        actions decide theirs themselves.
        """
        own_transaction = getattr(handler, "restflow_own_transaction", False)
        if not is_async_callable(handler):
            handler = sync_to_async(handler)
        if own_transaction:
            return await handler(request, *args, **kwargs)
        async with atomic_on(self.get_atomic_databases()):
            return await handler(request, *args, **kwargs)

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
        go through the negotiator. DRF's browsable API, chosen, waits for the async hooks of
        restflow's serializers when it builds its forms.
        """
        renderer, media_type = self._negotiate(request, force)
        if isinstance(renderer, BrowsableAPIRenderer):
            renderer = awaiting_renderer(renderer)
        return renderer, media_type

    def _negotiate(self, request: Request, force: bool) -> tuple[BaseRenderer, str]:
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
        if hook_form(self, "initial") == "sync":
            await acall(self, "initial", request, *args, **kwargs)
            check_body_size(request)
            return
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        if joins_the_first_hop(self, request):
            # Authenticating may read the database: it runs first in the action's own thread
            # hop, with the permission and throttle checks (`_admission_step`), at no
            # crossing of its own.
            # What an authenticator can check without I/O (a token's signature) it checks
            # here first, on the loop (`aprepare`).
            self._admission_deferred = True
            await aprepare(request)
        else:
            await self.aperform_authentication(request)
            await self.acheck_permissions(request)
            await self.acheck_throttles(request)
        check_body_size(request)

    def _admission_step(self) -> Blocking[[], None] | None:
        """The authentication, permission and throttle checks `ainitial` left to the action's
        first thread hop, as a blocking step to run before everything else; `None` when
        they ran on the loop."""
        return Blocking(self._admit_in_thread) if self._admission_deferred else None

    def _admit_in_thread(self) -> None:
        request = self.request
        # DRF's lazy `request.user`: each authenticator's sync `authenticate`, in order.
        request.user  # noqa: B018
        self.check_permissions(request)
        self._check_throttles_in_thread(request)

    @async_twin
    async def aperform_authentication(self, request: Request) -> None:
        """Authenticate `request` with each authenticator in turn, never blocking the loop.

        Mirrors DRF's `Request._authenticate`: the first authenticator returning a user wins;
        one that raises leaves the request anonymous and the error propagates. A
        `perform_authentication` the view defines runs instead (a sync one in a thread).
        """
        await aauthenticate(request)

    @async_twin
    async def acheck_permissions(self, request: Request) -> None:
        """Raise DRF's 401/403 if any permission refuses `request`.

        A `check_permissions` the view defines runs instead (a sync one in a thread).
        """
        for permission in self.get_permissions():
            if not await ahas_permission(permission, request, self):
                self._refuse(request, permission)

    @async_twin
    async def acheck_object_permissions(self, request: Request, obj: Any) -> None:
        """Raise DRF's 401/403 if any permission refuses `request` on `obj`.

        A `check_object_permissions` the view defines runs instead (a sync one in a thread).
        """
        for permission in self.get_permissions():
            if not await ahas_object_permission(permission, request, self, obj):
                self._refuse(request, permission)

    def _refuse(self, request: Request, permission: Any) -> None:
        """Raise DRF's 401/403 for `permission`'s refusal, with its message and code."""
        self.permission_denied(
            request,
            message=getattr(permission, "message", None),
            code=getattr(permission, "code", None),
        )

    @override
    @sync_twin
    def check_permissions(self, request: Request) -> None:
        """Sync twin of `acheck_permissions`, for DRF code that runs in a thread.

        DRF's browsable API and `OPTIONS` metadata check permissions synchronously. Sync
        checks run in the calling thread; async ones are awaited on the event loop, so they
        are never taken for a truthy coroutine. An `acheck_permissions` override is awaited.
        """
        for permission in self.get_permissions():
            if not has_permission_in_thread(permission, request, self):
                self._refuse(request, permission)

    @override
    @sync_twin
    def check_object_permissions(self, request: Request, obj: Any) -> None:
        """Sync twin of `acheck_object_permissions`, for code that runs in a thread."""
        for permission in self.get_permissions():
            if not has_object_permission_in_thread(permission, request, self, obj):
                self._refuse(request, permission)

    @override
    def perform_authentication(self, request: Request) -> None:
        """Sync twin of `aperform_authentication`, for code that runs in a thread.

        A request authenticated already stays as it is, as DRF's lazy `request.user` leaves
        it. Otherwise an `aperform_authentication` override is awaited, or restflow's own
        steps run on the event loop, so an authenticator's `aauthenticate` works here too.
        """
        if hasattr(request, "_user"):
            return
        if hook_form(self, "perform_authentication") == "async":
            async_to_sync(self.aperform_authentication)(request)
            return
        async_to_sync(aauthenticate)(request)

    @override
    @sync_twin
    def check_throttles(self, request: Request) -> None:
        """Sync twin of `acheck_throttles`, for code that runs in a thread.

        An `acheck_throttles` override is awaited; otherwise restflow's own steps run on the
        event loop, so a throttle's `aallow_request` works here too.
        """
        async_to_sync(self._acheck_throttles)(request)

    @async_twin
    async def acheck_throttles(self, request: Request) -> None:
        """Raise DRF's 429 if any throttle refuses `request`.

        A `check_throttles` the view defines runs instead (a sync one in a thread).
        """
        await self._acheck_throttles(request)

    async def _acheck_throttles(self, request: Request) -> None:
        refused = []
        for throttle in self.get_throttles():
            try:
                allowed = await aask(throttle, "allow_request", request, self)
            except Exception as error:
                allowed = _when_a_throttle_fails(throttle, error)
            if not allowed:
                refused.append(throttle)
        if refused:
            self._throttle(request, refused)

    def _check_throttles_in_thread(self, request: Request) -> None:
        """`_acheck_throttles` in the action's thread hop, for throttles that answer from
        sync code (`joins_the_first_hop`): the same counting, the same failure policy."""
        refused = []
        for throttle in self.get_throttles():
            try:
                allowed = throttle.allow_request(request, self)
            except Exception as error:
                allowed = _when_a_throttle_fails(throttle, error)
            if not allowed:
                refused.append(throttle)
        if refused:
            self._throttle(request, refused)

    def _throttle(self, request: Request, refused: list[Any]) -> None:
        """DRF's 429 for the `refused` throttles, waiting the longest of their waits."""
        known = [wait for wait in (throttle.wait() for throttle in refused) if wait is not None]
        # DRF accepts `None` (unknown wait); its stubs say float.
        self.throttled(request, cast(float, max(known, default=None)))

    def _retry_is_safe(self, error: Exception) -> bool:
        """Whether `error` is a database refusal that a retry gets past without writing twice.

        A refused connection wrote nothing. A lock, deadlock or serialization failure is
        retryable when the request's writes were rolled back (an atomic action or handler)
        or it wrote nothing (a safe method); otherwise it stays a 500, since a retry could
        repeat writes that were kept.
        """
        refusal = database_refusal(error)
        if refusal == "connection":
            return True
        if refusal is None:
            return False
        request: Any = getattr(self, "request", None)
        return rolled_back(error) or getattr(request, "method", None) in SAFE_METHODS

    async def ahandle_exception(self, exc: Exception) -> Any:
        """Turn `exc` into DRF's response for it; an unknown error is re-raised (500).

        A database refusal that a retry gets past without writing twice is a 503 with
        `Retry-After` (see `_retry_is_safe`).
        """
        clearer = explained(exc)
        if clearer is not None:
            raise clearer from exc
        if isinstance(exc, core_errors.RestflowError):
            exc = to_api_exception(exc)
        elif self._retry_is_safe(exc):
            exc = DatabaseBusy()
        elif isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge()
        request: Any = getattr(self, "request", None)
        if isinstance(request, Request) and not hasattr(request, "_user"):
            # The exception handler may read `request.user`; resolve it without blocking.
            with contextlib.suppress(exceptions.APIException):
                await self.aperform_authentication(request)
        return self.handle_exception(exc)


_FAILURE_POLICIES = ("allow", "refuse")


def _when_a_throttle_fails(throttle: Any, error: Exception) -> bool:
    """Whether the request goes on when `throttle` raised `error`: a cache failure takes the
    failure policy; anything else (a refusal, a missing or malformed rate, a bug) is raised,
    as DRF raises it: a misconfigured throttle must not let requests through."""
    if not is_cache_failure(error):
        raise error
    return _throttle_failure_allows(throttle)


def _throttle_failure_allows(throttle: Any) -> bool:
    """What a throttle that could not count (its cache is down, say) decides, and a log line.

    `throttle.on_failure`, else `RESTFLOW["THROTTLE_ON_FAILURE"]`, else `"allow"`: the
    request goes through (the API stays up while the cache is away). `"refuse"` answers
    503 with `Retry-After` instead, for throttles that guard against abuse (logins).
    """
    configured: Mapping[str, Any] = getattr(settings, "RESTFLOW", {})
    policy = getattr(throttle, "on_failure", None) or configured.get("THROTTLE_ON_FAILURE", "allow")
    if policy not in _FAILURE_POLICIES:
        raise ImproperlyConfigured(
            f"A throttle's failure policy is 'allow' or 'refuse', not {policy!r} "
            f'({type(throttle).__name__}.on_failure or RESTFLOW["THROTTLE_ON_FAILURE"])'
        )
    logger.exception(
        "%s could not count the request; the request is %s",
        type(throttle).__name__,
        "let through" if policy == "allow" else "refused with 503",
    )
    if policy == "refuse":
        raise ThrottleUnavailable()
    return True
