"""`AsyncGenericAPIView` and `APIViewHelpersMixin`."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any, TypeVar, cast

from asgiref.sync import async_to_sync
from django.db.models import Model, QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_core.pagination import Page
from restflow_core.pipelines import run_list
from restflow_core.steps import Joinable, Steps, given, run_steps
from restflow_django._hooks import async_twin, has_async_twin, hook_form, sync_twin
from restflow_django._sync import acall, offload
from restflow_django.serializers import arender
from restflow_django.transactions import DjangoUnitOfWork, holds_transaction, request_thread
from restflow_django.views._base import AsyncAPIView
from restflow_django.views._lookup import clean_lookup_value
from restflow_django.views._postfetch import PostFetch, aapply_post_fetches
from restflow_django.views._steps import (
    as_page,
    default_object_steps,
    object_steps,
    paginator_step,
)

ModelT = TypeVar("ModelT", bound=Model)


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
            body = await self._arender_rows(instance, serializer_class, post_fetches)
        else:
            if post_fetches:
                instance = (await aapply_post_fetches([instance], post_fetches))[0]
            body = await arender(self._response_serializer(serializer_class, instance))
        return Response(body, status=status, headers=headers)

    async def _arender_rows(
        self,
        rows: Any,
        serializer_class: type[BaseSerializer[Any]] | None,
        post_fetches: Sequence[PostFetch] | None,
    ) -> Any:
        rows = await aapply_post_fetches(await aevaluate(rows), post_fetches)
        return await arender(self._response_serializer(serializer_class, rows, many=True))

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

        async def arender_rows(rows: Any) -> Any:
            return await self._arender_rows(rows, serializer_class, post_fetches)

        def respond_page(page: Page[Any], body: Any) -> Response:
            return cast(BasePagination, paginator).get_paginated_response(body)

        response = await run_list(
            queryset,
            refine=Joinable(_unfiltered),
            paginate=Steps(paginator_step(paginator, self), Joinable(as_page)),
            collect=aevaluate,
            render_many=arender_rows,
            respond=respond,
            respond_page=respond_page,
            offload=offload,
        )
        for name, value in (headers or {}).items():
            response[name] = value
        return response


def _unfiltered(queryset: Any) -> Any:
    return queryset


def respond(status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /) -> Response:
    """Build DRF's `Response`; satisfies `restflow_core.Respond[Response]`."""
    return Response(body, status=status, headers=headers)


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
    async def _aunit_of_work(self) -> AsyncIterator[DjangoUnitOfWork | None]:
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
        if hook_form(self, "filter_queryset") == "sync":
            return cast(QuerySet[ModelT], await acall(self, "filter_queryset", queryset))
        for backend_class in self.filter_backends:
            backend = backend_class()
            if has_async_twin(backend, "filter_queryset"):
                queryset = await cast(Any, backend).afilter_queryset(self.request, queryset, self)
            else:
                queryset = await acall(backend, "filter_queryset", self.request, queryset, self)
        return cast(QuerySet[ModelT], queryset)

    @async_twin
    async def apaginate_queryset(self, queryset: Any) -> list[ModelT] | None:
        """Return the requested page, or `None` when the view does not paginate.

        A `paginate_queryset` the view defines runs instead (a sync one in a thread).
        """
        found: list[ModelT] | None = await run_steps(
            offload, given(paginator_step(self.paginator, self), queryset)
        )
        return found

    async def aget_object(self) -> ModelT:
        """Return the object the URL names, filtered and checked against object permissions.

        Raises `Http404` for a missing object, one outside `get_queryset()`, and a malformed
        lookup value. A `get_object` the view defines runs instead (a sync one in a thread).
        """
        found: ModelT = await run_steps(offload, given(object_steps(self, writes=False)))
        return found

    @override
    @sync_twin
    def get_object(self) -> ModelT:
        """Sync twin of `aget_object`, for code that runs in a thread (DRF's `OPTIONS`).

        The view's async steps (an async `get_queryset`, async filters and permissions)
        are awaited on the event loop; an `aget_object` override is awaited.
        """
        found: ModelT = async_to_sync(run_steps)(
            offload, given(default_object_steps(self, writes=False))
        )
        return found

    async def _afiltered_lookup(self) -> tuple[QuerySet[ModelT], dict[str, Any]]:
        """The filtered queryset and the filter that finds the URL's object in it."""
        return self._object_lookup(await self.afilter_queryset(await self.aget_queryset()))

    def _object_lookup(self, queryset: QuerySet[ModelT]) -> tuple[QuerySet[ModelT], dict[str, Any]]:
        """`queryset` and the filter that finds the URL's object in it, its value checked.

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
        return queryset, {self.lookup_field: value}

    async def _arender_many(self, items: Any) -> Any:
        """Return the serialized form of `items`, a page or a whole queryset."""
        return await arender(self.get_response_serializer(await aevaluate(items), many=True))
