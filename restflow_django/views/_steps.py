"""The steps restflow's generic views hand to the core pipelines: one builder per hook.

Each builder looks at the hook's form (`restflow_django._hooks`): an async override
becomes an awaited step, a DRF-style sync override a blocking step, and restflow's
default the cheapest step that does the default's work. The core runs each stretch of
blocking steps in one thread hop (`offload`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from asgiref.sync import async_to_sync
from django.core.exceptions import SynchronousOnlyOperation
from django.db.models import Model, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.serializers import BaseSerializer

from restflow_core.pagination import Page
from restflow_core.steps import Blocking, Joinable, Step, Steps, keeping
from restflow_django._async_hooks import (
    aawaiting_calls,
    class_awaits_when_representing,
    class_awaits_when_validating,
    saves_asynchronously,
)
from restflow_django._hooks import class_hook_form, has_async_twin, hook_form
from restflow_django._sync import aon_loop_else_thread, is_async_callable, runs_inline
from restflow_django.serializers import (
    AsyncSerializerMixin,
    Started,
    afinished_validation,
    arender,
    asave,
    avalidate_or_is_valid_serializer,
    checked_data,
    checked_is_valid,
    checked_save,
    start_validation,
)
from restflow_django.views._lookup import fetch_row

if TYPE_CHECKING:
    from restflow_django.views._generic import AsyncGenericAPIView
    from restflow_django.views._helpers import APIViewHelpersMixin

ModelT = TypeVar("ModelT", bound=Model)
T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
Serializer = BaseSerializer[Any]


def overridden(hook: Callable[P, Any]) -> Step[P, Any]:
    """A DRF-style override as a step: blocking, or awaited when written `async def`."""
    if is_async_callable(hook):
        return hook
    return Blocking(hook)


def fetch_step(view: AsyncGenericAPIView[ModelT], *, writes: bool) -> Step[[], ModelT]:
    """Find the URL's object: the view's `aget_object`, its sync `get_object`, or restflow's.

    With `writes`, the blocking work of the write follows, so sync object permission checks
    stay in the fetch's thread hop; otherwise they run on the loop where they can.
    """
    if hook_form(view, "get_object") == "async":
        return view.aget_object
    return object_steps(view, writes=writes)


def object_steps(view: AsyncGenericAPIView[ModelT], *, writes: bool) -> Step[[], ModelT]:
    """The view's DRF-style `get_object` as a blocking step, else restflow's own steps."""
    if hook_form(view, "get_object") == "sync":
        return overridden(view.get_object)
    return default_object_steps(view, writes=writes)


def default_object_steps(view: AsyncGenericAPIView[ModelT], *, writes: bool) -> Step[[], ModelT]:
    """Build and filter the queryset, fetch the row (or 404), check its permissions."""
    filtering = filter_step(view)
    fetch: Blocking[[tuple[Any, dict[str, Any]]], ModelT] = Blocking(fetch_row)
    if isinstance(filtering, Blocking | Joinable) and not is_async_callable(view.get_queryset):
        # The filters may query, or the request is admitted in this hop: they join it.
        return Steps(
            queryset_step(view),
            filtering,
            Joinable(view._object_lookup),
            fetch,
            keeping(object_permission_step(view, writes=writes)),
        )
    return Steps(
        view._afiltered_lookup,
        fetch,
        keeping(object_permission_step(view, writes=writes)),
    )


def queryset_step(view: AsyncGenericAPIView[ModelT]) -> Step[[], Any]:
    """`aget_queryset` when overridden, an `async def get_queryset`, or the plain one."""
    if hook_form(view, "get_queryset") == "async":
        return view.aget_queryset
    get_queryset: Callable[[], Any] = view.get_queryset
    if is_async_callable(get_queryset):
        return get_queryset
    return Joinable(get_queryset, view.aget_queryset)


def filter_step(view: AsyncGenericAPIView[ModelT]) -> Step[[Any], Any]:
    """Run the filter backends: a blocking step when they all are sync and one may block.

    The view's DRF-style `filter_queryset` is a blocking step too; otherwise
    `afilter_queryset` awaits async backends and runs the pure ones on the loop.
    """
    if hook_form(view, "filter_queryset") == "sync":
        return overridden(view.filter_queryset)
    backends = [backend_class() for backend_class in view.filter_backends]
    if hook_form(view, "filter_queryset") == "default" and _all_sync_and_one_blocks(backends):
        return Blocking(view.filter_queryset)
    if (
        view._admission_deferred
        and hook_form(view, "filter_queryset") == "default"
        and not any(has_async_twin(backend, "filter_queryset") for backend in backends)
    ):
        # The request is admitted in the action's first thread hop: the filters join it.
        return Joinable(view.filter_queryset)
    return view.afilter_queryset


def _all_sync_and_one_blocks(backends: list[Any]) -> bool:
    return not any(has_async_twin(backend, "filter_queryset") for backend in backends) and any(
        not runs_inline(backend, "filter_queryset") for backend in backends
    )


def object_permission_step(
    view: AsyncGenericAPIView[ModelT], *, writes: bool
) -> Step[[ModelT], None]:
    """Check the object's permissions: in the fetch's thread hop, or on the loop when nothing
    blocking follows (no write) and every permission answers there without blocking."""

    def check(obj: ModelT) -> None:
        view.check_object_permissions(view.request, obj)

    async def acheck(obj: ModelT) -> None:
        await view.acheck_object_permissions(view.request, obj)

    form = hook_form(view, "check_object_permissions")
    if form == "default":
        if writes or not _answer_on_the_loop(view.get_permissions()):
            return Joinable(check, acheck)
        return acheck
    if form == "sync" and not is_async_callable(view.check_object_permissions):
        return Blocking(check)
    return acheck


def _answer_on_the_loop(permissions: Sequence[Any]) -> bool:
    return all(
        is_async_callable(permission.has_object_permission)
        or runs_inline(permission, "has_object_permission")
        for permission in permissions
    )


def validate_step(
    view: APIViewHelpersMixin, build: Callable[..., Serializer]
) -> Step[..., Serializer]:
    """Build the request serializer with `build` and validate it (400 when invalid).

    DRF's validation may query, so it is a blocking step. A serializer with async hooks
    starts its validation in that step too, then awaits the hooks on the loop; one with an
    `ais_valid` of its own is awaited instead.
    """
    serializer_class = _request_serializer_class(view)
    if serializer_class is not None and class_hook_form(serializer_class, "is_valid") == "async":

        async def avalidate(*arguments: Any) -> Serializer:
            serializer = build(*arguments)
            await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
            return serializer

        return avalidate

    def validate(serializer: Serializer) -> Serializer:
        if hook_form(serializer, "is_valid") == "async":
            # `get_serializer` gave another class than `get_serializer_class` named.
            async_to_sync(avalidate_or_is_valid_serializer)(serializer, raise_exception=True)
        else:
            checked_is_valid(serializer, raise_exception=True)
        return serializer

    # Building the serializer seldom blocks: in the hop of a fetch before, else on the
    # loop, or in a thread when the view's hooks query (`get_serializer_context`, say).
    building = Joinable(build, functools.partial(_abuild, build))
    if not _awaits_when_validating(serializer_class):
        return Steps(building, Blocking(validate))

    def start(serializer: Serializer) -> tuple[Serializer, Started | None]:
        if isinstance(serializer, AsyncSerializerMixin):
            return serializer, start_validation(serializer)
        return validate(serializer), None

    async def afinish(started: tuple[Serializer, Started | None]) -> Serializer:
        serializer, begun = started
        if begun is not None and isinstance(serializer, AsyncSerializerMixin):
            await afinished_validation(serializer, begun, raise_exception=True)
        return serializer

    return Steps(building, Blocking(start), afinish)


def persist_step(view: AsyncGenericAPIView[ModelT], hook: str) -> Step[[Serializer], None]:
    """The view's `a<hook>` or DRF-style `<hook>` (`perform_create`, ...), else a save."""
    if _saves_on_loop(_request_serializer_class(view)):
        return hook_step(view, hook, _asave)
    return hook_step(view, hook, Blocking(save))


def hook_step(view: object, hook: str, default: Step[P, R]) -> Step[P, R]:
    """The view's override of `a<hook>` (awaited) or of `<hook>` (blocking), else `default`."""
    form = hook_form(view, hook)
    if form == "async":
        awaited: Callable[P, Awaitable[R]] = getattr(view, f"a{hook}")
        return functools.partial(aawaiting_calls, awaited)
    if form == "sync":
        return overridden(getattr(view, hook))
    return default


async def _asave(serializer: Serializer) -> None:
    await asave(serializer)


def save(serializer: Serializer) -> None:
    """Save `serializer` from sync code: DRF's `save`, or its own `asave` when it has one."""
    if hook_form(serializer, "save") == "async":
        # The serializer's own `async def asave`.
        own: Any = serializer
        async_to_sync(own.asave)()
    else:
        checked_save(serializer)


def destroy_step(view: AsyncGenericAPIView[ModelT]) -> Step[[ModelT], None]:
    """The view's `aperform_destroy` or DRF-style `perform_destroy`, else a delete."""
    return hook_step(view, "perform_destroy", Blocking(delete))


def delete(instance: Model) -> None:
    """Delete `instance`, as DRF's `perform_destroy` does."""
    instance.delete()


def render_saved_step(view: AsyncGenericAPIView[ModelT]) -> Step[[Serializer], Any]:
    """Represent what a serializer saved, in the save's thread hop when it had one."""

    def shown(serializer: Serializer) -> Serializer:
        if view._explicit_response_serializer_class() is None:
            return serializer
        return view.get_response_serializer(serializer.instance)

    def render(serializer: Serializer) -> Any:
        return checked_data(shown(serializer))

    async def arender_saved(serializer: Serializer) -> Any:
        return await arender(await aon_loop_else_thread(functools.partial(shown, serializer)))

    shown_class = view._explicit_response_serializer_class() or _request_serializer_class(view)
    if shown_class is not None and class_awaits_when_representing(shown_class):
        return arender_saved
    return Joinable(render, arender_saved)


def paginate_step(view: AsyncGenericAPIView[ModelT]) -> Step[[Any], Page[Any] | None] | None:
    """The view's `apaginate_queryset` or DRF-style `paginate_queryset`, else its paginator's;
    `None` when the view does not paginate.

    The page's counts and links stay with DRF's paginator, which `get_paginated_response`
    reads, as in DRF.
    """
    if view.paginator is None and hook_form(view, "paginate_queryset") == "default":
        return None
    cut = hook_step(view, "paginate_queryset", paginator_step(view.paginator, view))
    return Steps(cut, Joinable(as_page))


def collect_step(view: AsyncGenericAPIView[ModelT]) -> Step[[Any], Any]:
    """Read the rows of a list that is not paginated: in the thread hop that admits the
    request when there is one, else fetched asynchronously."""
    return Blocking(evaluate) if view._admission_deferred else aevaluate


async def aevaluate(items: Any) -> Any:
    """Return `items` with a queryset replaced by the list of its rows, fetched asynchronously."""
    if isinstance(items, QuerySet):
        return [item async for item in items]
    return items


def evaluate(items: Any) -> Any:
    """`aevaluate` from sync code: a queryset's rows, as a list."""
    return list(items) if isinstance(items, QuerySet) else items


def as_page(rows: list[Any] | None) -> Page[Any] | None:
    """The rows a DRF paginator cut, as the core's `Page`."""
    return None if rows is None else Page(rows)


def paginator_step(paginator: BasePagination | None, view: Any) -> Step[[Any], list[Any] | None]:
    """Cut the page with `paginator`: its `apaginate_queryset`, else its sync one (blocking)."""
    if paginator is None:
        return Joinable(_no_page)
    if has_async_twin(paginator, "paginate_queryset"):
        own: Any = paginator

        async def apaginate(queryset: Any) -> list[Any] | None:
            page: list[Any] | None = await own.apaginate_queryset(queryset, view.request, view=view)
            return page

        return apaginate

    def paginate(queryset: Any) -> list[Any] | None:
        return paginator.paginate_queryset(queryset, view.request, view=view)

    return Blocking(paginate)


def _no_page(queryset: Any) -> None:
    return None


def _request_serializer_class(view: APIViewHelpersMixin) -> Any:
    """The class the view's request serializers will have, as far as it says beforehand.

    A view may build its serializers in a `get_serializer` of its own with no
    `serializer_class`; the steps then check the serializer they get.
    """
    explicit = view._explicit_request_serializer_class()
    if explicit is not None:
        return explicit
    try:
        return view.get_serializer_class()
    except (AssertionError, SynchronousOnlyOperation):
        # No class to plan with (or one a query decides): the steps check the serializer.
        return None


async def _abuild(build: Callable[..., Serializer], *arguments: Any) -> Serializer:
    """`build(*arguments)` on the loop, or in a thread when the view's hooks query."""
    return await aon_loop_else_thread(functools.partial(build, *arguments))


def _awaits_when_validating(serializer_class: Any) -> bool:
    """Whether serializers of the class are restflow's, with async hooks to await."""
    return (
        serializer_class is not None
        and issubclass(serializer_class, AsyncSerializerMixin)
        and class_awaits_when_validating(serializer_class)
    )


def _saves_on_loop(serializer_class: Any) -> bool:
    """Whether serializers of the class save with an `asave` of their own, or restflow's
    `asave` awaiting `acreate`/`aupdate`."""
    if serializer_class is None:
        return False
    return class_hook_form(serializer_class, "save") == "async" or (
        issubclass(serializer_class, AsyncSerializerMixin)
        and saves_asynchronously(serializer_class)
    )
