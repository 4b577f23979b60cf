"""`AsyncGenericAPIView` and `APIViewHelpersMixin`."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.utils import load_backend
from django.http import Http404
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django._sync import acall, overrides_sync_twin
from restflow_django.serializers import (
    arender,
    asave,
    avalidate_or_is_valid_serializer,
    avalidate_save_represent,
    saves_synchronously,
)
from restflow_django.transactions import DjangoUnitOfWork, holds_transaction, request_thread
from restflow_django.views._base import AsyncAPIView, drf_style_overrides
from restflow_django.views._postfetch import PostFetch, aapply_post_fetches

ModelT = TypeVar("ModelT", bound=Model)
ResultT = TypeVar("ResultT")

_INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def clean_lookup_value(queryset: QuerySet[Any], lookup_field: str, raw: Any) -> Any:
    """Return `raw` converted for `lookup_field`; raise `Http404` if no row could match it.

    Catching "abc" and 10**30 for an integer key, or a NUL character where PostgreSQL keeps
    text, here keeps the query from failing in the database (which would abort the
    surrounding transaction on PostgreSQL).
    """
    if isinstance(raw, str) and "\x00" in raw and not stores_nul_characters(queryset.db):
        raise Http404
    opts = queryset.model._meta
    try:
        field = opts.pk if lookup_field == "pk" else opts.get_field(lookup_field)
    except FieldDoesNotExist:
        # A lookup path such as `owner__slug`: the database judges the value.
        return raw
    if not isinstance(field, Field):
        return raw
    try:
        value = field.to_python(raw)
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise Http404 from None
    internal = field.get_internal_type()
    if internal in _INTEGER_TYPES and value is not None:
        low, high = integer_bounds(queryset.db, internal)
        if value < low or value > high:
            raise Http404
    return value


def integer_bounds(alias: str, internal_type: str) -> tuple[int, int]:
    """The range database `alias` stores for integer columns of `internal_type`.

    Remembered per database engine: on the event loop each request has a connection handle
    of its own, and asking it would build a new one (and its garbage) for every request.
    """
    key = (connections.settings[alias]["ENGINE"], internal_type)
    bounds = _INTEGER_BOUNDS.get(key)
    if bounds is None:
        # Some backends report no bound (None) for a type.
        reported: tuple[int | None, int | None] = connections[alias].ops.integer_field_range(
            internal_type
        )
        # No database stores integers wider than 64 bits, whatever the backend reports.
        bounds = (
            -(2**63) if reported[0] is None else reported[0],
            2**63 - 1 if reported[1] is None else reported[1],
        )
        _INTEGER_BOUNDS[key] = bounds
    return bounds


_INTEGER_BOUNDS: dict[tuple[str, str], tuple[int, int]] = {}


def stores_nul_characters(alias: str) -> bool:
    """Whether database `alias` can keep text containing NUL characters (PostgreSQL cannot).

    Read from the backend's class, so no connection handle is built on the event loop.
    """
    backend = load_backend(connections.settings[alias]["ENGINE"])
    vendor: str = backend.DatabaseWrapper.vendor
    return vendor != "postgresql"


def get_or_404(queryset: QuerySet[ModelT], lookup: dict[str, Any]) -> ModelT:
    """The one row of `queryset` matching `lookup`, or `Http404` (sync: call it in a thread)."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        # Django's own wording, as DRF's `get_object_or_404` answers it.
        name = queryset.model._meta.object_name
        raise Http404(f"No {name} matches the given query.") from None
    except (ValidationError, TypeError, ValueError):
        raise Http404 from None


async def aevaluate(items: Any) -> Any:
    """Return `items` with a queryset replaced by the list of its rows, fetched asynchronously."""
    if isinstance(items, QuerySet):
        return [item async for item in items]
    return items


class APIViewHelpersMixin(GenericAPIView[ModelT]):
    """Response helpers, and separate request and response serializers.

    With neither `request_serializer_class` nor `response_serializer_class` set, every
    serializer comes from DRF's `get_serializer()`, overrides included.
    """

    request_serializer_class: type[BaseSerializer[Any]] | None = None
    response_serializer_class: type[BaseSerializer[Any]] | None = None

    def get_request_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        """Return the serializer that validates request bodies, with this view's context."""
        if self.request_serializer_class is None:
            return self.get_serializer(*args, **kwargs)
        kwargs.setdefault("context", self.get_serializer_context())
        return self.request_serializer_class(*args, **kwargs)

    def get_response_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        """Return the serializer that represents responses, with this view's context."""
        if self.response_serializer_class is None:
            return self.get_serializer(*args, **kwargs)
        kwargs.setdefault("context", self.get_serializer_context())
        return self.response_serializer_class(*args, **kwargs)

    def _response_serializer(
        self, serializer_class: type[BaseSerializer[Any]] | None, *args: Any, **kwargs: Any
    ) -> BaseSerializer[Any]:
        if serializer_class is None:
            return self.get_response_serializer(*args, **kwargs)
        return serializer_class(*args, context=self.get_serializer_context(), **kwargs)

    async def asave_fused(self, serializer: BaseSerializer[Any]) -> None:
        """Validate and save `serializer` as the default hooks would, in one thread hop.

        A serializer with its own `ais_valid` or `asave` gets them awaited instead.
        """
        if saves_synchronously(serializer):
            represent = self.response_serializer_class is None
            await avalidate_save_represent(serializer, represent=represent)
            return
        await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
        await asave(serializer)

    async def arender_saved(self, serializer: BaseSerializer[Any]) -> Any:
        """Represent what `serializer` saved: with the response serializer when one is set."""
        if self.response_serializer_class is None:
            return await arender(serializer)
        return await arender(self.get_response_serializer(serializer.instance))

    async def aserialized_response(
        self,
        instance: Any,
        *,
        many: bool = False,
        status: int = 200,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        post_fetches: Sequence[PostFetch] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Serialize `instance` (or, with `many`, each row of it) into a response."""
        if many:
            instance = await aapply_post_fetches(await aevaluate(instance), post_fetches)
        elif post_fetches:
            instance = (await aapply_post_fetches([instance], post_fetches))[0]
        serializer = self._response_serializer(serializer_class, instance, many=many)
        return Response(await arender(serializer), status=status, headers=headers)

    async def apaginated_response(
        self,
        queryset: Any,
        *,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        pagination_class: type[BasePagination] | None = None,
        post_fetches: Sequence[PostFetch] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Paginate `queryset`, post-fetch the page's rows, and answer with the page.

        Without a paginator (none configured and none given) every row is serialized.
        """
        paginator = pagination_class() if pagination_class is not None else self.paginator
        page = None if paginator is None else await apaginate(paginator, queryset, self)
        if page is None:
            return await self.aserialized_response(
                queryset,
                many=True,
                serializer_class=serializer_class,
                post_fetches=post_fetches,
                headers=headers,
            )
        rows = await aapply_post_fetches(page, post_fetches)
        serializer = self._response_serializer(serializer_class, rows, many=True)
        response = cast(BasePagination, paginator).get_paginated_response(await arender(serializer))
        for name, value in (headers or {}).items():
            response[name] = value
        return response


async def apaginate(paginator: BasePagination, queryset: Any, view: Any) -> list[Any] | None:
    """Return the page `paginator` cuts from `queryset`; a sync paginator runs in a thread.

    So does a `paginate_queryset` override on a subclass of restflow's paginators.
    """
    own = getattr(paginator, "apaginate_queryset", None)
    if own is not None and not overrides_sync_twin(paginator, "paginate_queryset"):
        page: list[Any] | None = await own(queryset, view.request, view=view)
        return page
    return await sync_to_async(paginator.paginate_queryset)(queryset, view.request, view=view)


class AsyncGenericAPIView(APIViewHelpersMixin[ModelT], AsyncAPIView, GenericAPIView[ModelT]):
    """DRF's `GenericAPIView`, async: `aget_object`, `afilter_queryset`, `apaginate_queryset`.

    `get_queryset` may be overridden as a plain method or as `async def`.

    For restflow's own actions, `atomic` decides whether the write actions (create, update,
    partial update, destroy) run in one database transaction, from the object fetch and
    validation queries through the `aperform_*` hook to the response's rendering; list and
    retrieve write nothing and run without one. Handlers you write run whole in a
    transaction, as on `AsyncAPIView`.
    """

    def get_unit_of_work(self) -> DjangoUnitOfWork | None:
        """Return the transaction write actions run in, or `None` when `atomic` is off.

        Also `None` when the request already runs in a transaction on that database.
        """
        using = self.get_write_database()
        if not self.is_atomic(using) or holds_transaction(using):
            return None
        return DjangoUnitOfWork(using)

    @asynccontextmanager
    async def aunit_of_work(self) -> AsyncIterator[DjangoUnitOfWork | None]:
        """Yield `get_unit_of_work()`, on a thread of this request's own when there is one."""
        unit = self.get_unit_of_work()
        if unit is None:
            yield None
            return
        async with request_thread():
            yield unit

    async def aget_queryset(self) -> QuerySet[ModelT]:
        """Return `get_queryset()`, awaited when it is a coroutine."""
        queryset: Any = self.get_queryset()
        if inspect.isawaitable(queryset):
            queryset = await queryset
        return cast(QuerySet[ModelT], queryset)

    async def afilter_queryset(self, queryset: Any) -> QuerySet[ModelT]:
        """Run every filter backend over `queryset`; async backends are awaited.

        Sync backends run inline when known not to query (DRF's search and ordering), else
        in a thread. A `filter_queryset` the view defines runs instead (a sync one in a
        thread).
        """
        if inspect.isawaitable(queryset):
            queryset = await queryset
        if "filter_queryset" in drf_style_overrides(self):
            return cast(QuerySet[ModelT], await acall(self, "filter_queryset", queryset))
        for backend_class in self.filter_backends:
            backend = backend_class()
            if hasattr(backend, "afilter_queryset") and not overrides_sync_twin(
                backend, "filter_queryset"
            ):
                queryset = await backend.afilter_queryset(self.request, queryset, self)
            else:
                queryset = await acall(backend, "filter_queryset", self.request, queryset, self)
        return cast(QuerySet[ModelT], queryset)

    async def apaginate_queryset(self, queryset: Any) -> list[ModelT] | None:
        """Return the requested page, or `None` when the view does not paginate.

        A `paginate_queryset` the view defines runs instead (a sync one in a thread).
        """
        if "paginate_queryset" in drf_style_overrides(self):
            page: list[ModelT] | None = await acall(self, "paginate_queryset", queryset)
            return page
        paginator = self.paginator
        if paginator is None:
            return None
        return await apaginate(paginator, queryset, self)

    async def aget_object(self) -> ModelT:
        """Return the object the URL names, filtered and checked against object permissions.

        Raises `Http404` for a missing object, one outside `get_queryset()`, and a malformed
        lookup value. A `get_object` the view defines runs instead (a sync one in a thread).
        """
        if "get_object" in drf_style_overrides(self):
            found: ModelT = await acall(self, "get_object")
            return found
        return await self._afetch_object()

    async def _afetch_object(self) -> ModelT:
        queryset = await self.afilter_queryset(await self.aget_queryset())
        lookup = self.object_lookup(queryset)
        obj: ModelT = await sync_to_async(get_or_404)(queryset, lookup)
        await self.acheck_object_permissions(self.request, obj)
        return obj

    @override
    def get_object(self) -> ModelT:
        """Sync twin of `aget_object`, for code that runs in a thread (DRF's `OPTIONS`).

        The view's async steps (an async `get_queryset`, async filters and permissions)
        are awaited on the event loop; an `aget_object` override is awaited.
        """
        if type(self).aget_object is not AsyncGenericAPIView.aget_object:
            return async_to_sync(self.aget_object)()
        return async_to_sync(self._afetch_object)()

    def fetches_in_one_hop(self) -> bool:
        """Whether the object may be fetched in the thread hop of the work done with it.

        True while the view keeps restflow's own `aget_object` and permission checks.
        """
        cls = type(self)
        return all(
            getattr(cls, name) is getattr(AsyncGenericAPIView, name)
            for name in (
                "aget_object",
                "get_object",
                "acheck_object_permissions",
                "check_object_permissions",
            )
        )

    async def awith_object(self, work: Callable[[ModelT], ResultT]) -> ResultT:
        """Fetch the URL's object, check its permissions, and return `work(obj)`: one hop.

        The queryset is built and filtered on the event loop; the fetch, the permission
        checks (async ones are awaited on the loop) and the sync `work` share one thread.
        """
        queryset = await self.afilter_queryset(await self.aget_queryset())
        lookup = self.object_lookup(queryset)

        def hop() -> ResultT:
            obj = get_or_404(queryset, lookup)
            self.check_object_permissions(self.request, obj)
            return work(obj)

        return await sync_to_async(hop)()

    def object_lookup(self, queryset: QuerySet[ModelT]) -> dict[str, Any]:
        """The filter that finds the URL's object in `queryset`, its value checked.

        Raises `Http404` for a value no row could match.
        """
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        if lookup_url_kwarg not in self.kwargs:
            raise AssertionError(
                f"Expected view {type(self).__name__} to be called with a URL keyword argument "
                f'named "{lookup_url_kwarg}". Fix your URL conf, or set the `.lookup_field` '
                "attribute on the view correctly."
            )
        value = clean_lookup_value(queryset, self.lookup_field, self.kwargs[lookup_url_kwarg])
        return {self.lookup_field: value}

    async def arender_many(self, items: Any) -> Any:
        """Return the serialized form of `items`, a page or a whole queryset."""
        return await arender(self.get_response_serializer(await aevaluate(items), many=True))
