"""The action pipelines: validate -> persist -> respond, written once for every adapter.

Each pipeline is pure. The host passes its collaborators as keyword arguments: `validate`
turns a payload into a draft (a validated serializer), `persist` is the host's
`aperform_*` hook, `render` represents the draft, and `respond` builds the host's response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeAlias, TypeVar

from restflow_core.protocols import Respond
from restflow_core.units import UnitOfWork, atomically

ModelT = TypeVar("ModelT")
DraftT = TypeVar("DraftT")
QueryT = TypeVar("QueryT")
ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT")

Validate: TypeAlias = Callable[[Any], Awaitable[DraftT]]
Revalidate: TypeAlias = Callable[[ModelT, Any, bool], Awaitable[DraftT]]
Persist: TypeAlias = Callable[[DraftT], Awaitable[None]]
Render: TypeAlias = Callable[[DraftT], Awaitable[Any]]
Fetch: TypeAlias = Callable[[], Awaitable[ModelT]]
Refine: TypeAlias = Callable[[QueryT], Awaitable[QueryT]]
Paginate: TypeAlias = Callable[[QueryT], Awaitable[Sequence[ItemT] | None]]
Headers: TypeAlias = Callable[[Any], Mapping[str, str]]


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
    data: Any,
    *,
    validate: Validate[DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    headers: Headers = location_headers,
    unit: UnitOfWork | None = None,
) -> ResponseT:
    """Validate `data`, persist the draft, and answer 201 with its representation.

    With a `unit`, validation, persistence and rendering are one all-or-nothing batch.
    """
    async with atomically(unit):
        draft = await validate(data)
        await persist(draft)
        body = await render(draft)
    return respond(HTTPStatus.CREATED, body, headers(body))


async def run_list(
    queryset: QueryT,
    *,
    refine: Refine[QueryT],
    paginate: Paginate[QueryT, ItemT],
    render_many: Callable[[QueryT | Sequence[ItemT]], Awaitable[Any]],
    respond: Respond[ResponseT],
    respond_page: Callable[[Any], ResponseT],
) -> ResponseT:
    """Filter `queryset`, cut the requested page, and answer with its representation.

    When `paginate` returns `None` the whole filtered collection is represented.
    """
    filtered = await refine(queryset)
    page = await paginate(filtered)
    if page is None:
        return respond(HTTPStatus.OK, await render_many(filtered))
    return respond_page(await render_many(page))


async def run_retrieve(
    *, fetch: Fetch[ModelT], render: Render[ModelT], respond: Respond[ResponseT]
) -> ResponseT:
    """Fetch the object and answer 200 with its representation."""
    instance = await fetch()
    return respond(HTTPStatus.OK, await render(instance))


async def run_update(
    data: Any,
    *,
    partial: bool,
    fetch: Fetch[ModelT],
    validate: Revalidate[ModelT, DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
) -> ResponseT:
    """Fetch the object, validate `data` against it, persist, and answer 200.

    With `partial`, fields missing from `data` keep their stored values (PATCH). With a
    `unit`, everything from the fetch to the rendering is one all-or-nothing batch.
    """
    async with atomically(unit):
        instance = await fetch()
        draft = await validate(instance, data, partial)
        await persist(draft)
        forget_prefetched(instance)
        body = await render(draft)
    return respond(HTTPStatus.OK, body)


async def run_partial_update(
    data: Any,
    *,
    fetch: Fetch[ModelT],
    validate: Revalidate[ModelT, DraftT],
    persist: Persist[DraftT],
    render: Render[DraftT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
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
    )


async def run_destroy(
    *,
    fetch: Fetch[ModelT],
    destroy: Persist[ModelT],
    respond: Respond[ResponseT],
    unit: UnitOfWork | None = None,
) -> ResponseT:
    """Fetch the object, hand it to `destroy`, and answer 204 with no body.

    With a `unit`, the fetch and the destroy hook are one all-or-nothing batch.
    """
    async with atomically(unit):
        instance = await fetch()
        await destroy(instance)
    return respond(HTTPStatus.NO_CONTENT, None)
