"""The action pipelines: each action written once, as its steps in DRF's order.

Each pipeline is pure. The host passes its steps as keyword arguments (see
`restflow_core.steps` for what a step may be): `fetch` finds the object, `validate` turns a
payload into a draft (a validated serializer), `persist` and `destroy` are the host's
`aperform_*` hooks (`persist` may return what it saved, which `render` then receives in
place of the draft), `render` represents, and `respond` builds the host's response. The
host's `offload` runs each stretch of blocking steps in one go; `unit` makes the writes
all-or-nothing. `before` is a step the host runs ahead of everything else, in the same
stretch as the blocking steps after it: a check the host deferred (authentication that
reads a database, say) costs no hop of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeAlias, TypeVar

from restflow_core.pagination import Page
from restflow_core.protocols import Respond
from restflow_core.steps import (
    Joinable,
    Offload,
    Step,
    _Link,
    given,
    inline,
    or_input,
    run_steps,
    then,
)
from restflow_core.units import UnitOfWork, atomically

ModelT = TypeVar("ModelT")
DraftT = TypeVar("DraftT")
QueryT = TypeVar("QueryT")
PayloadT = TypeVar("PayloadT")
ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT")

Fetch: TypeAlias = Step[[], ModelT]
# The payload is what the adapter parsed, typed as the adapter types it: a pipeline takes
# `data` and its `validate` step with the same payload type.
Validate: TypeAlias = Step[[Any], DraftT]
Revalidate: TypeAlias = Step[[ModelT, Any, bool], DraftT]
Persist: TypeAlias = Step[[DraftT], DraftT | None]
Destroy: TypeAlias = Step[[ModelT], None]
Render: TypeAlias = Step[[DraftT], Any]
Refine: TypeAlias = Step[[QueryT], QueryT]
Paginate: TypeAlias = Step[[QueryT], Page[ItemT] | None]
Headers: TypeAlias = Callable[[Any], Mapping[str, str]]
Before: TypeAlias = Step[[], object]


def _first(before: Before | None) -> tuple[tuple[_Link, ...], ...]:
    """The parts `before` puts ahead of a pipeline's own steps."""
    return () if before is None else (given(before),)


def location_headers(body: Any, *, url_field: str = "url") -> Mapping[str, str]:
    """Return a `Location` header pointing at `body[url_field]` when the body has one."""
    try:
        return {"Location": str(body[url_field])}
    except (TypeError, KeyError, IndexError):
        return {}


def forget_prefetched(instance: object) -> None:
    """Drop `instance`'s prefetched relations so the response shows what was just saved."""
    if getattr(instance, "_prefetched_objects_cache", None):
        # Prefetched rows were read before the update and may now be stale.
        instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # checked above


async def run_create(
    data: PayloadT,
    *,
    validate: Step[[PayloadT], DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    headers: Headers = location_headers,
    unit: UnitOfWork | None = None,
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Validate `data`, persist the draft, and answer 201 with its representation.

    With a `unit`, validation, persistence and rendering are one all-or-nothing batch.
    """
    async with atomically(unit):
        body = await run_steps(
            offload,
            *_first(before),
            given(validate, data),
            then(or_input(persist)),
            then(render),
        )
    return respond(HTTPStatus.CREATED, body, headers(body))


async def run_list(
    queryset: QueryT,
    *,
    refine: Refine[QueryT],
    paginate: Paginate[QueryT, ItemT] | None,
    collect: Step[[QueryT], Sequence[ItemT]],
    render_many: Render[Sequence[ItemT]],
    respond: Respond[ResponseT],
    respond_page: Callable[[Page[ItemT], Any], ResponseT],
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Filter `queryset`, cut the requested page, and answer with its representation.

    When `paginate` returns `None`, `collect` gathers the whole filtered collection and the
    answer is its representation; otherwise `respond_page` answers with the page and the
    representation of its items. `render_many` always receives a sequence. With
    `paginate=None` (a host that does not paginate), filtering, collecting and rendering
    are one list of steps: one hop for a blocking store.
    """
    if paginate is None:
        body = await run_steps(
            offload, *_first(before), given(refine, queryset), then(collect), then(render_many)
        )
        return respond(HTTPStatus.OK, body)
    held: dict[str, QueryT] = {}

    def remember_filtered(filtered: QueryT) -> QueryT:
        held["filtered"] = filtered
        return filtered

    page: Page[ItemT] | None = await run_steps(
        offload,
        *_first(before),
        given(refine, queryset),
        then(Joinable(remember_filtered)),
        then(paginate),
    )
    if page is None:
        body = await run_steps(offload, given(collect, held["filtered"]), then(render_many))
        return respond(HTTPStatus.OK, body)
    return respond_page(page, await run_steps(offload, given(render_many, page.items)))


async def run_retrieve(
    *,
    fetch: Fetch[ModelT],
    render: Render[ModelT],
    respond: Respond[ResponseT],
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Fetch the object and answer 200 with its representation."""
    body = await run_steps(offload, *_first(before), given(fetch), then(render))
    return respond(HTTPStatus.OK, body)


async def run_update(
    data: PayloadT,
    *,
    partial: bool,
    fetch: Fetch[ModelT],
    validate: Step[[ModelT, PayloadT, bool], DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Fetch the object, validate `data` against it, persist, and answer 200.

    With `partial`, fields missing from `data` keep their stored values (PATCH). With a
    `unit`, everything from the fetch to the rendering is one all-or-nothing batch.
    """
    held: dict[str, Any] = {}

    def remember_instance(instance: ModelT) -> ModelT:
        held["instance"] = instance
        return instance

    def forget_its_prefetched_rows(draft: DraftT) -> DraftT:
        forget_prefetched(held["instance"])
        return draft

    async with atomically(unit):
        body = await run_steps(
            offload,
            *_first(before),
            given(fetch),
            then(Joinable(remember_instance)),
            then(validate, data, partial),
            then(or_input(persist)),
            then(Joinable(forget_its_prefetched_rows)),
            then(render),
        )
    return respond(HTTPStatus.OK, body)


async def run_partial_update(
    data: PayloadT,
    *,
    fetch: Fetch[ModelT],
    validate: Step[[ModelT, PayloadT, bool], DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Run `run_update` with PATCH semantics."""
    return await run_update(
        data,
        partial=True,
        fetch=fetch,
        validate=validate,
        persist=persist,
        render=render,
        respond=respond,
        unit=unit,
        offload=offload,
        before=before,
    )


async def run_destroy(
    *,
    fetch: Fetch[ModelT],
    destroy: Destroy[ModelT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
    offload: Offload = inline,
    before: Before | None = None,
) -> ResponseT:
    """Fetch the object, hand it to `destroy`, and answer 204 with no body.

    With a `unit`, the fetch and the destroy hook are one all-or-nothing batch.
    """
    async with atomically(unit):
        await run_steps(offload, *_first(before), given(fetch), then(destroy))
    return respond(HTTPStatus.NO_CONTENT, None)
