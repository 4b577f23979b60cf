"""`AsyncGenericAPIView`: DRF's `GenericAPIView`, async."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from asgiref.sync import async_to_sync
from django.db.models import Model, QuerySet
from rest_framework.generics import GenericAPIView
from typing_extensions import override

from restflow_core.steps import given, run_steps
from restflow_django._hooks import aask, acall, async_twin, hook_form, sync_twin
from restflow_django._sync import aon_loop_else_thread, offload
from restflow_django.serializers import arender
from restflow_django.transactions import DjangoUnitOfWork, holds_transaction, request_thread
from restflow_django.views._base import AsyncAPIView
from restflow_django.views._lookup import clean_lookup_value
from restflow_django.views._plan import Bind, planned
from restflow_django.views._steps import (
    aevaluate,
    default_object_steps,
    object_steps,
    paginator_step,
)

ModelT = TypeVar("ModelT", bound=Model)


# `dispatch` is awaited here where DRF's is sync, and `view_is_async` a class property.
class AsyncGenericAPIView(  # pyright: ignore[reportIncompatibleMethodOverride, reportIncompatibleVariableOverride]
    AsyncAPIView, GenericAPIView[ModelT]
):
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
        """Return `get_queryset()`, awaited when it is a coroutine.

        A sync `get_queryset` that queries (a settings row, the user's lazy relation) runs in
        a thread, as DRF would run it.
        """
        queryset: Any = await aon_loop_else_thread(self.get_queryset)
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
            queryset = await aask(backend_class(), "filter_queryset", self.request, queryset, self)
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
        found: ModelT = await run_steps(offload, given(planned(self, "object", _plan_object)))
        return found

    @override
    @sync_twin
    def get_object(self) -> ModelT:
        """Sync twin of `aget_object`, for code that runs in a thread (DRF's `OPTIONS`).

        The view's async steps (an async `get_queryset`, async filters and permissions)
        are awaited on the event loop; an `aget_object` override is awaited.
        """
        found: ModelT = async_to_sync(run_steps)(
            offload, given(planned(self, "own object", _plan_own_object))
        )
        return found

    @classmethod
    def explain(cls, action: str, *, authorization: str | None = None) -> str:
        """Each step of `action` (`"partial_update"`, ...), where it runs and why, one a
        line: the function it calls (`[yours]` for your hooks), its thread hop or the loop,
        and the number of hops. `authorization` is the request's `Authorization` header
        (a token joins the action's hop; none may not)."""
        from restflow_django.views._explain import explain

        return explain(cls, action, authorization=authorization)

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
        rows = await aevaluate(items)
        serializer = await aon_loop_else_thread(
            functools.partial(self.get_response_serializer, rows, many=True)
        )
        return await arender(serializer)


def _plan_object(view: Any) -> Bind:
    """`aget_object`'s steps: the view's `get_object`, else restflow's."""
    return object_steps(view, joined=False)


def _plan_own_object(view: Any) -> Bind:
    """The sync `get_object`'s steps: restflow's own, whatever the view overrides."""
    return default_object_steps(view, joined=False)
