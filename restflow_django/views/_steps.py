"""The steps restflow's generic views hand to the core pipelines, decided once per plan.

Each builder here looks at a hook's form (`restflow_django._hooks`) once, when an action's
plan is made (`restflow_django.views._plan`), and returns a binder: a function that makes
the step for one request's view. An async override becomes an awaited step, a DRF-style
sync override a blocking step, and restflow's default the cheapest step that does the
default's work. The core runs each stretch of blocking steps in one thread hop (`offload`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar

from asgiref.sync import async_to_sync
from django.core.exceptions import SynchronousOnlyOperation
from django.db.models import Model, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.serializers import BaseSerializer

from restflow_core.pagination import Page
from restflow_core.steps import Blocking, Joinable, Step, Steps, keeping
from restflow_django._hooks import (
    asks_on_the_loop,
    asks_sync,
    class_hook_form,
    has_async_twin,
    hook_form,
    is_async_callable,
    overrides,
    runs_inline,
)
from restflow_django._serializing.async_hooks import (
    aawaiting_calls,
    class_awaits_when_representing,
    class_awaits_when_validating,
    saves_asynchronously,
)
from restflow_django._sync import aon_loop_else_thread
from restflow_django.diagnostics import strict_relations_enabled
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

ModelT = TypeVar("ModelT", bound=Model)
Serializer = BaseSerializer[Any]
# A restflow generic view (`AsyncGenericAPIView`): the views import this module, which
# therefore does not import them, not even for their types.
View: TypeAlias = Any
# Makes one request's step from its view: what a plan keeps for each decided step.
Binder: TypeAlias = Callable[[View], Any]


def constant(step: Any) -> Binder:
    """A binder for a step that is the same for every request's view."""
    return lambda view: step


def overridden(view: Any, name: str) -> Binder:
    """The view's DRF-style override `name` as a step: blocking, or awaited when written
    `async def`."""
    if is_async_callable(getattr(view, name)):
        return operator.attrgetter(name)
    return lambda bound: Blocking(getattr(bound, name))


def fetch_step(view: View, *, joined: bool) -> Binder:
    """Find the URL's object: the view's `aget_object`, its sync `get_object`, or restflow's.

    With `joined`, work that joins the fetch's thread hop follows (a write, or a
    representation made there), so sync object permission checks stay in that hop;
    otherwise they run on the loop where they can.
    """
    if hook_form(view, "get_object") == "async":
        return operator.attrgetter("aget_object")
    return object_steps(view, joined=joined)


def object_steps(view: View, *, joined: bool) -> Binder:
    """The view's DRF-style `get_object` as a blocking step, else restflow's own steps."""
    if hook_form(view, "get_object") == "sync":
        return overridden(view, "get_object")
    return default_object_steps(view, joined=joined)


_FETCH: Blocking[[tuple[Any, dict[str, Any]]], Any] = Blocking(fetch_row)


def default_object_steps(view: View, *, joined: bool) -> Binder:
    """Build and filter the queryset, fetch the row (or 404), check its permissions."""
    kind = _filter_kind(view)
    filtering = filter_step(view)
    checking = object_permission_step(view, joined=joined)
    filters_in_a_thread = kind in ("blocking", "joins") or (
        kind == "override" and not is_async_callable(view.filter_queryset)
    )
    if filters_in_a_thread and not is_async_callable(view.get_queryset):
        # The filters may query, or the request is admitted in this hop: they join it.
        making = queryset_step(view)

        def bind_joined(bound: Any) -> Steps[[], Any]:
            return Steps(
                making(bound),
                filtering(bound),
                Joinable(bound._object_lookup),
                _FETCH,
                keeping(checking(bound)),
            )

        return bind_joined

    def bind(bound: Any) -> Steps[[], Any]:
        return Steps(bound._afiltered_lookup, _FETCH, keeping(checking(bound)))

    return bind


def queryset_step(view: View) -> Binder:
    """`aget_queryset` when overridden, an `async def get_queryset`, or the plain one."""
    if hook_form(view, "get_queryset") == "async":
        return operator.attrgetter("aget_queryset")
    if is_async_callable(view.get_queryset):
        return operator.attrgetter("get_queryset")
    return lambda bound: Joinable(bound.get_queryset, bound.aget_queryset)


def _filter_kind(view: View) -> str:
    """How the filters run: `"override"` (the view's own `filter_queryset`), `"blocking"`
    (all sync, one may block), `"joins"` (sync, joining the admission's hop) or `"async"`."""
    if hook_form(view, "filter_queryset") == "sync":
        return "override"
    backends = [backend_class() for backend_class in view.filter_backends]
    if hook_form(view, "filter_queryset") == "default" and _all_sync_and_one_blocks(backends):
        return "blocking"
    if (
        view._admission_deferred
        and hook_form(view, "filter_queryset") == "default"
        and not any(has_async_twin(backend, "filter_queryset") for backend in backends)
    ):
        # The request is admitted in the action's first thread hop: the filters join it.
        return "joins"
    return "async"


def filter_step(view: View) -> Binder:
    """Run the filter backends: a blocking step when they all are sync and one may block.

    The view's DRF-style `filter_queryset` is a blocking step too; otherwise
    `afilter_queryset` awaits async backends and runs the pure ones on the loop.
    """
    kind = _filter_kind(view)
    if kind == "override":
        return overridden(view, "filter_queryset")
    if kind == "blocking":
        return lambda bound: Blocking(bound.filter_queryset)
    if kind == "joins":
        return lambda bound: Joinable(bound.filter_queryset)
    return operator.attrgetter("afilter_queryset")


def _all_sync_and_one_blocks(backends: list[Any]) -> bool:
    return not any(has_async_twin(backend, "filter_queryset") for backend in backends) and any(
        not runs_inline(backend, "filter_queryset") for backend in backends
    )


def _check_object(view: Any, obj: Any) -> None:
    view.check_object_permissions(view.request, obj)


async def _acheck_object(view: Any, obj: Any) -> None:
    await view.acheck_object_permissions(view.request, obj)


def object_permission_step(view: View, *, joined: bool) -> Binder:
    """Check the object's permissions: in the fetch's thread hop, or on the loop when nothing
    follows in that hop and every permission answers on the loop without blocking."""
    form = hook_form(view, "check_object_permissions")
    if form == "default":
        if joined or not _answer_on_the_loop(view.get_permissions()):
            return lambda bound: Joinable(
                functools.partial(_check_object, bound), functools.partial(_acheck_object, bound)
            )
        return functools.partial(functools.partial, _acheck_object)
    if form == "sync" and not is_async_callable(view.check_object_permissions):
        return lambda bound: Blocking(functools.partial(_check_object, bound))
    return functools.partial(functools.partial, _acheck_object)


def _answer_on_the_loop(permissions: Sequence[Any]) -> bool:
    return all(asks_on_the_loop(each, "has_object_permission") for each in permissions)


def _validate(serializer: Serializer) -> Serializer:
    if hook_form(serializer, "is_valid") == "async":
        # `get_serializer` gave another class than `get_serializer_class` named.
        async_to_sync(avalidate_or_is_valid_serializer)(serializer, raise_exception=True)
    else:
        checked_is_valid(serializer, raise_exception=True)
    return serializer


async def _avalidate(build: Callable[..., Serializer], *arguments: Any) -> Serializer:
    serializer = build(*arguments)
    await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
    return serializer


def _start(serializer: Serializer) -> tuple[Serializer, Started | None]:
    if isinstance(serializer, AsyncSerializerMixin):
        return serializer, start_validation(serializer)
    return _validate(serializer), None


async def _afinish(started: tuple[Serializer, Started | None]) -> Serializer:
    serializer, begun = started
    if begun is not None and isinstance(serializer, AsyncSerializerMixin):
        await afinished_validation(serializer, begun, raise_exception=True)
    return serializer


def _validate_known(serializer: Serializer) -> Serializer:
    """`_validate` for a serializer whose class the plan knows has a sync `is_valid`."""
    checked_is_valid(serializer, raise_exception=True)
    return serializer


_VALIDATE: Blocking[[Serializer], Serializer] = Blocking(_validate)
_VALIDATE_KNOWN: Blocking[[Serializer], Serializer] = Blocking(_validate_known)
_START: Blocking[[Serializer], tuple[Serializer, Started | None]] = Blocking(_start)


def validate_step(view: View) -> Callable[[Callable[..., Serializer]], Any]:
    """Build the request serializer with the `build` given and validate it (400 when
    invalid): returns the step's maker, given `build`.

    DRF's validation may query, so it is a blocking step. A serializer with async hooks
    starts its validation in that step too, then awaits the hooks on the loop; one with an
    `ais_valid` of its own is awaited instead.
    """
    serializer_class = _request_serializer_class(view)
    if serializer_class is not None and class_hook_form(serializer_class, "is_valid") == "async":
        return functools.partial(functools.partial, _avalidate)

    # Building the serializer seldom blocks: in the hop of a fetch before, else on the
    # loop, or in a thread when the view's hooks query (`get_serializer_context`, say).
    if not _awaits_when_validating(serializer_class):
        # A class the plan knows is the class of every serializer the view builds.
        validating_step = _VALIDATE_KNOWN if _builds_known_class(view) else _VALIDATE

        def validating(build: Callable[..., Serializer]) -> Steps[..., Serializer]:
            return Steps(Joinable(build, functools.partial(_abuild, build)), validating_step)

        return validating

    def starting(build: Callable[..., Serializer]) -> Steps[..., Serializer]:
        return Steps(Joinable(build, functools.partial(_abuild, build)), _START, _afinish)

    return starting


def persist_step(view: View, hook: str) -> Binder:
    """The view's `a<hook>` or DRF-style `<hook>` (`perform_create`, ...), else a save."""
    if _saves_on_loop(_request_serializer_class(view)):
        return hook_step(view, hook, _asave)
    # A class the plan knows saves with DRF's `save` (else it would save on the loop).
    return hook_step(view, hook, _CHECKED_SAVE if _builds_known_class(view) else _SAVE)


def hook_step(view: object, hook: str, default: Any) -> Binder:
    """The view's override of `a<hook>` (awaited) or of `<hook>` (blocking), else `default`."""
    form = hook_form(view, hook)
    if form == "async":
        awaited = operator.attrgetter(f"a{hook}")
        return lambda bound: functools.partial(aawaiting_calls, awaited(bound))
    if form == "sync":
        return overridden(view, hook)
    return constant(default)


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


_SAVE: Blocking[[Serializer], None] = Blocking(save)


def _save_known(serializer: Serializer) -> None:
    """`save` for a serializer whose class the plan knows saves with DRF's `save`."""
    checked_save(serializer)


_CHECKED_SAVE: Blocking[[Serializer], None] = Blocking(_save_known)


def destroy_step(view: View) -> Binder:
    """The view's `aperform_destroy` or DRF-style `perform_destroy`, else a delete."""
    return hook_step(view, "perform_destroy", Blocking(delete))


def delete(instance: Model) -> None:
    """Delete `instance`, as DRF's `perform_destroy` does."""
    instance.delete()


def _shown(view: View, serializer: Serializer) -> Serializer:
    shown: Serializer = view.get_response_serializer(serializer.instance)
    return shown


def _render_shown(view: Any, serializer: Serializer) -> Any:
    return checked_data(_shown(view, serializer))


async def _arender_shown(view: Any, serializer: Serializer) -> Any:
    return await arender(await aon_loop_else_thread(functools.partial(_shown, view, serializer)))


async def _arender_saved(serializer: Serializer) -> Any:
    return await arender(serializer)


def render_saved_step(view: View) -> Binder:
    """Represent what a serializer saved, in the save's thread hop when it had one: the
    saved serializer itself, or the view's response serializer when it has its own."""
    explicit = view._explicit_response_serializer_class()
    shown_class = explicit or _request_serializer_class(view)
    on_the_loop = shown_class is not None and class_awaits_when_representing(shown_class)
    if explicit is None:
        return constant(_arender_saved if on_the_loop else _RENDER_SAVED)
    if on_the_loop:
        return functools.partial(functools.partial, _arender_shown)
    return lambda bound: Joinable(
        functools.partial(_render_shown, bound), functools.partial(_arender_shown, bound)
    )


_RENDER_SAVED: Joinable[[Serializer], Any] = Joinable(checked_data, _arender_saved)


def _render_one(view: View, instance: Any) -> Any:
    return checked_data(view.get_response_serializer(instance))


def renders_one_in_the_fetch(view: View) -> bool:
    """Whether a retrieve represents its object in the fetch's thread hop: serializers of
    the response class represent without awaiting, and the object permission checks
    between the fetch and the representation answer from sync code."""
    shown_class = _response_serializer_class(view)
    return (
        shown_class is not None
        and not class_awaits_when_representing(shown_class)
        and hook_form(view, "check_object_permissions") == "default"
        and all(asks_sync(each, "has_object_permission") for each in view.get_permissions())
    )


def render_one_step(view: View) -> Binder:
    """Represent the object a retrieve fetched: in the fetch's thread hop when it can
    (`renders_one_in_the_fetch`), else on the loop."""
    if not renders_one_in_the_fetch(view):
        return operator.attrgetter("_arender_one")

    def bind(bound: View) -> Any:
        if strict_relations_enabled():
            # On the loop, where a lazy relation load is caught and named.
            return bound._arender_one
        return Joinable(functools.partial(_render_one, bound), bound._arender_one)

    return bind


def paginate_step(view: View) -> Binder:
    """The view's `apaginate_queryset` or DRF-style `paginate_queryset`, else its paginator's;
    `None` when the view does not paginate.

    The page's counts and links stay with DRF's paginator, which `get_paginated_response`
    reads, as in DRF.
    """
    paginator = view.paginator
    if paginator is None and hook_form(view, "paginate_queryset") == "default":
        return constant(None)
    if hook_form(view, "paginate_queryset") != "default":
        cut = hook_step(view, "paginate_queryset", None)
    elif paginator is not None and has_async_twin(paginator, "paginate_queryset"):
        cut = _apaginating
    else:
        cut = _paginating
    return lambda bound: Steps(cut(bound), _AS_PAGE)


def _apaginating(view: Any) -> Step[[Any], list[Any] | None]:
    return functools.partial(_apaginate, view.paginator, view)


def _paginating(view: Any) -> Step[[Any], list[Any] | None]:
    return Blocking(functools.partial(_paginate, view.paginator, view))


def collect_step(view: View) -> Binder:
    """Read the rows of a list that is not paginated: in the thread hop that admits the
    request when there is one, else fetched asynchronously."""
    return constant(_EVALUATE if view._admission_deferred else aevaluate)


async def aevaluate(items: Any) -> Any:
    """Return `items` with a queryset replaced by the list of its rows, fetched asynchronously."""
    if isinstance(items, QuerySet):
        return [item async for item in items]
    return items


def evaluate(items: Any) -> Any:
    """`aevaluate` from sync code: a queryset's rows, as a list."""
    return list(items) if isinstance(items, QuerySet) else items


_EVALUATE: Blocking[[Any], Any] = Blocking(evaluate)


def as_page(rows: list[Any] | None) -> Page[Any] | None:
    """The rows a DRF paginator cut, as the core's `Page`."""
    return None if rows is None else Page(rows)


_AS_PAGE: Joinable[[list[Any] | None], Page[Any] | None] = Joinable(as_page)


def paginator_step(paginator: BasePagination | None, view: Any) -> Step[[Any], list[Any] | None]:
    """Cut the page with `paginator`: its `apaginate_queryset`, else its sync one (blocking)."""
    if paginator is None:
        return Joinable(_no_page)
    if has_async_twin(paginator, "paginate_queryset"):
        return functools.partial(_apaginate, paginator, view)
    return Blocking(functools.partial(_paginate, paginator, view))


async def _apaginate(paginator: Any, view: Any, queryset: Any) -> list[Any] | None:
    page: list[Any] | None = await paginator.apaginate_queryset(queryset, view.request, view=view)
    return page


def _paginate(paginator: BasePagination, view: Any, queryset: Any) -> list[Any] | None:
    return paginator.paginate_queryset(queryset, view.request, view=view)


def _no_page(queryset: Any) -> None:
    return None


def _request_serializer_class(view: View) -> Any:
    """The class the view's request serializers will have, as far as it says beforehand.

    A view may build its serializers in a `get_serializer` of its own with no
    `serializer_class`; the steps then check the serializer they get.
    """
    return _planned_class(view, view._explicit_request_serializer_class())


def _response_serializer_class(view: View) -> Any:
    """The class the view's response serializers will have, as far as it says beforehand."""
    return _planned_class(view, view._explicit_response_serializer_class())


def _planned_class(view: View, explicit: Any) -> Any:
    if explicit is not None:
        return explicit
    try:
        return view.get_serializer_class()
    except (AssertionError, SynchronousOnlyOperation):
        # No class to plan with (or one a query decides): the steps check the serializer.
        return None


def _builds_known_class(view: View) -> bool:
    """Whether every request serializer the view builds has the class
    `_request_serializer_class` names: there is one, and the view builds its serializers
    with restflow's `get_serializer` and `get_request_serializer`."""
    view_class: Any = type(view)
    return _request_serializer_class(view) is not None and not any(
        overrides(view_class, name) for name in ("get_serializer", "get_request_serializer")
    )


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
