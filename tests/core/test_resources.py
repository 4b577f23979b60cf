"""The core's generic resource and pipelines: what mutation testing showed untested."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar

import pytest
from typing_extensions import override

from restflow_core import (
    Blocking,
    Conflict,
    NotAuthenticated,
    PayloadTooLarge,
    PermissionDenied,
    Reply,
    RestflowError,
    ServiceUnavailable,
    UnsupportedMediaType,
    error_reply,
    reply,
    run_create,
    run_destroy,
    run_list,
    run_partial_update,
    run_retrieve,
    run_update,
)
from restflow_core.pagination import Page
from restflow_memory import (
    Field,
    MemoryClient,
    MemoryRouter,
    MemorySerializer,
    MemoryStore,
    MemoryUnitOfWork,
    ModelResource,
)
from restflow_memory.requests import MemoryRequest

T = TypeVar("T")


@dataclass
class Item:
    """Something stored."""

    name: str
    id: int | None = None


class ItemSerializer(MemorySerializer[Item]):
    """Items as clients see them."""

    model = Item
    id = Field(int, read_only=True)
    name = Field(str)


class ThreadOffload:
    """An `Offload` running work in a real thread, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, work: Callable[[], T], /) -> T:
        self.calls += 1
        with ThreadPoolExecutor(max_workers=1) as pool:
            return await asyncio.get_running_loop().run_in_executor(pool, work)


class Boom(Exception):
    """A hook failing after it wrote."""


class TestPipelinesOffloadTheirBlockingSteps:
    async def test_each_pipeline_hands_its_blocking_steps_to_offload(self) -> None:
        """Create, retrieve, update, partial update, destroy and list each offload once."""
        offload = ThreadOffload()

        def fetch() -> Item:
            return Item("saw", 1)

        def keep(item: Any, *rest: Any) -> Item:
            return item if isinstance(item, Item) else Item(str(item))

        def save(item: Item) -> None:
            return None

        def represent(item: Item) -> str:
            return item.name

        def no_page(items: list[Item]) -> Page[Item] | None:
            return None

        def everything(items: list[Item]) -> list[Item]:
            return items

        def represent_all(items: Sequence[Item]) -> list[str]:
            return [item.name for item in items]

        await run_create(
            "saw",
            validate=Blocking(keep),
            persist=Blocking(save),
            render=Blocking(represent),
            respond=reply,
            offload=offload,
        )
        await run_retrieve(
            fetch=Blocking(fetch), render=Blocking(represent), respond=reply, offload=offload
        )
        await run_update(
            {},
            partial=False,
            fetch=Blocking(fetch),
            validate=Blocking(keep),
            persist=Blocking(save),
            render=Blocking(represent),
            respond=reply,
            offload=offload,
        )
        await run_partial_update(
            {},
            fetch=Blocking(fetch),
            validate=Blocking(keep),
            persist=Blocking(save),
            render=Blocking(represent),
            respond=reply,
            offload=offload,
        )
        await run_destroy(
            fetch=Blocking(fetch), destroy=Blocking(save), respond=reply, offload=offload
        )
        await run_list(
            [Item("a")],
            refine=Blocking(everything),
            paginate=Blocking(no_page),
            collect=Blocking(everything),
            render_many=Blocking(represent_all),
            respond=reply,
            respond_page=lambda page, body: reply(HTTPStatus.OK, body),
            offload=offload,
        )

        def one_page(items: list[Item]) -> Page[Item] | None:
            return Page(items, count=len(items))

        await run_list(
            [Item("a")],
            refine=Blocking(everything),
            paginate=Blocking(one_page),
            collect=Blocking(everything),
            render_many=Blocking(represent_all),
            respond=reply,
            respond_page=lambda page, body: reply(HTTPStatus.OK, body),
            offload=offload,
        )

        # One hop per pipeline, and a paginated list's rendering its own.
        assert offload.calls == 9


class TestPartialUpdateUnit:
    async def test_a_failing_partial_update_is_rolled_back(self) -> None:
        """`run_partial_update` runs in its unit: a hook that writes and fails leaves nothing."""
        store = MemoryStore[Item]()
        await store.asave(Item("saw"))

        async def fetch() -> Item:
            return await store.aget("1")

        async def validate(item: Item, data: object, partial: bool) -> Item:
            return Item("rasp", item.id)

        async def persist(item: Item) -> None:
            await store.asave(item)
            raise Boom

        async def render(item: Item) -> str:
            return item.name

        with pytest.raises(Boom):
            await run_partial_update(
                {},
                fetch=fetch,
                validate=validate,
                persist=persist,
                render=render,
                respond=reply,
                unit=MemoryUnitOfWork(),
            )

        assert (await store.aget("1")).name == "saw"


class Judge:
    """A permission without a `message`, recording the view it was asked about."""

    seen: ClassVar[list[Any]] = []

    def has_permission(self, request: Any, view: Any, /) -> bool:
        self.seen.append(view)
        return bool(request.method != "DELETE")

    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        self.seen.append(view)
        return bool(request.method != "PATCH")


class Named:
    """A refusing permission with its own message and code."""

    message = "Closed today."
    code = "closed"

    def has_permission(self, request: Any, view: Any, /) -> bool:
        return False

    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return False


class SeeOnlyA:
    """A sync filter backend."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any, /) -> Any:
        return queryset.filter(name__in=("a", "b"))


class NotB:
    """An async filter backend."""

    async def afilter_queryset(self, request: Any, queryset: Any, view: Any, /) -> Any:
        return queryset.exclude(name="b")


class Plain(ModelResource[Item]):
    """Items with the core resource's own hooks."""

    store = MemoryStore[Item]()
    serializer_class = ItemSerializer


class Closed(Plain):
    """Items nobody may see."""

    permission_classes = (Named,)


class Items(Plain):
    """Items behind `Judge`, filtered by both backends."""

    permission_classes = (Judge,)
    filter_backends = (SeeOnlyA, NotB)


async def client_for(resource: type[ModelResource[Item]], *names: str) -> MemoryClient:
    """A client for `resource` over a fresh store holding `names`."""
    store = MemoryStore[Item]()
    for name in names:
        await store.asave(Item(name))
    fresh = type("Fresh", (resource,), {"store": store})
    router = MemoryRouter()
    router.register("items", fresh)
    client = MemoryClient(router)
    client.force_authenticate("ada")
    return client


class TestResourcePermissions:
    async def test_permissions_are_asked_about_the_resource_itself(self) -> None:
        """Both checks get the resource as `view`, never `None`."""
        Judge.seen = []
        client = await client_for(Items, "a")

        await client.get("/items/1/")

        assert len(Judge.seen) == 2
        assert all(isinstance(view, Items) for view in Judge.seen)

    async def test_refusals_without_a_message_use_the_default_wording(self) -> None:
        """A refusal by a permission with no `message` is DRF's default 403."""
        client = await client_for(Items, "a")

        refused = await client.delete("/items/1/")
        refused_object = await client.patch("/items/1/", {"name": "z"})

        assert refused.status == refused_object.status == HTTPStatus.FORBIDDEN
        assert refused.body == {"detail": PermissionDenied.default_detail}

    async def test_a_refusal_keeps_the_permissions_message_and_code(self) -> None:
        """The refusing permission's `message` and `code` reach the error."""

        resource = Closed(MemoryRequest("GET", user="ada"), action="list")

        with pytest.raises(PermissionDenied) as refused:
            resource.permission_denied(Named())

        assert (refused.value.detail, refused.value.code) == ("Closed today.", "closed")
        anonymous = Closed(MemoryRequest("GET"), action="list")
        with pytest.raises(NotAuthenticated):
            anonymous.permission_denied(Named())


class TestResourceFilters:
    async def test_sync_and_async_backends_both_narrow_the_list(self) -> None:
        """A sync backend keeps a and b; the async one then drops b."""
        client = await client_for(Items, "a", "b", "c")

        listed = await client.get("/items/")

        assert [item["name"] for item in listed.body] == ["a"]


class TestSuccessHeaders:
    def test_location_comes_from_the_body_url(self) -> None:
        """A 201's `Location` is the body's `url`, when it has one."""
        resource = Items(MemoryRequest(), action="create")

        assert resource.get_success_headers({"url": "/items/1/"}) == {"Location": "/items/1/"}
        assert resource.get_success_headers({"id": 1}) == {}


class TestDefaultHooks:
    async def test_the_default_hooks_save_update_and_delete(self) -> None:
        """Without overrides, create stores, PATCH changes and DELETE removes the item."""
        client = await client_for(Plain)

        created = await client.post("/items/", {"name": "saw"})
        patched = await client.patch("/items/1/", {"name": "rasp"})
        fetched = await client.get("/items/1/")
        deleted = await client.delete("/items/1/")
        gone = await client.get("/items/1/")

        assert (created.status, created.body) == (HTTPStatus.CREATED, {"id": 1, "name": "saw"})
        assert patched.body == fetched.body == {"id": 1, "name": "rasp"}
        assert (deleted.status, gone.status) == (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_FOUND)


@dataclass
class Visitor:
    """A user object that says it is not signed in."""

    is_authenticated: bool = False


class TestAnonymousUsers:
    async def test_a_user_flagged_anonymous_cannot_write(self) -> None:
        """A user object whose `is_authenticated` is false is anonymous: a write is 401."""
        from restflow_memory import IsAuthenticatedOrReadOnly

        class Guarded(Plain):
            permission_classes = (IsAuthenticatedOrReadOnly,)

        client = await client_for(Guarded)
        client.force_authenticate(Visitor())

        refused = await client.post("/items/", {"name": "saw"})
        listed = await client.get("/items/")

        assert (refused.status, listed.status) == (HTTPStatus.UNAUTHORIZED, HTTPStatus.OK)
        assert listed.body == []


class Recording:
    """An async filter backend that records what it is given."""

    seen: ClassVar[list[tuple[Any, Any]]] = []

    async def afilter_queryset(self, request: Any, queryset: Any, view: Any, /) -> Any:
        self.seen.append((request, view))
        return queryset


class SyncHandler(Plain):
    """A resource whose `get` is a plain method: not a handler restflow dispatches to."""

    def get(self, request: Any) -> None:
        """Not awaitable."""


class Located(Plain):
    """Creates answer with a `Location` of their own making."""

    @override
    def get_success_headers(self, data: Any) -> dict[str, str]:
        return {"Location": f"/items/{data['id']}/"}


class TestResourceDetails:
    async def test_a_refusal_through_dispatch_keeps_the_message(self) -> None:
        """The refusing permission's `message` is the 403's detail."""

        client = await client_for(Closed)

        refused = await client.get("/items/")

        assert (refused.status, refused.body) == (HTTPStatus.FORBIDDEN, {"detail": "Closed today."})

    async def test_async_filter_backends_get_the_request_and_the_resource(self) -> None:
        """An async backend is handed the request and the resource, as DRF hands them."""

        class Filtered(Plain):
            filter_backends = (Recording,)

        Recording.seen = []
        client = await client_for(Filtered, "a")

        await client.get("/items/")

        ((request, view),) = Recording.seen
        assert request.method == "GET"
        assert isinstance(view, Filtered)

    async def test_a_plain_method_named_like_a_verb_is_not_dispatched(self) -> None:
        """Only `async def` handlers answer: a sync `get` on a detail path is a 405."""
        on_handler = await SyncHandler(MemoryRequest("GET"), action="get").adispatch()

        assert on_handler.status == HTTPStatus.METHOD_NOT_ALLOWED

    async def test_create_answers_with_the_resources_own_success_headers(self) -> None:
        """`get_success_headers` overridden on the resource gives the 201 its headers."""
        client = await client_for(Located)

        created = await client.post("/items/", {"name": "saw"})

        assert dict(created.headers) == {"Location": "/items/1/"}


class ReadOnly(Plain):
    """Items that are only read, with a `post` handler of their own (it answers at every URL)."""

    create = None  # type: ignore[assignment]  # no create action here
    update = None  # type: ignore[assignment]
    partial_update = None  # type: ignore[assignment]
    destroy = None  # type: ignore[assignment]

    async def post(self, request: Any) -> Reply:
        """A handler named after its method."""
        return reply(HTTPStatus.ACCEPTED, None)


class TestErrorReplies:
    async def test_a_405_names_the_methods_the_url_allows(self) -> None:
        """The `Allow` header lists what the collection or the object answers."""
        on_object = await ReadOnly(MemoryRequest("DELETE"), action="destroy", key="1").adispatch()
        on_list = await ReadOnly(MemoryRequest("PUT"), action="update").adispatch()
        everything = await Plain(MemoryRequest("TRACE"), action="trace", key="1").adispatch()

        assert on_object.status == HTTPStatus.METHOD_NOT_ALLOWED
        assert dict(on_object.headers) == {"Allow": "GET, POST"}
        assert on_object.body == {"detail": 'Method "DELETE" not allowed.'}
        assert dict(on_list.headers) == {"Allow": "GET, POST"}
        assert dict(everything.headers) == {"Allow": "GET, PUT, PATCH, DELETE"}

    @pytest.mark.parametrize(
        ("error", "status", "detail", "headers"),
        [
            (NotAuthenticated(), 401, "Authentication credentials were not provided.", {}),
            (
                NotAuthenticated("Invalid token.", authenticate_header="Token"),
                401,
                "Invalid token.",
                {"WWW-Authenticate": "Token"},
            ),
            (
                UnsupportedMediaType("text/plain"),
                415,
                'Unsupported media type "text/plain" in request.',
                {},
            ),
            (PayloadTooLarge(), 413, "Request body too large.", {}),
            (Conflict(), 409, "Conflict.", {}),
            (
                ServiceUnavailable(retry_after=5),
                503,
                "Service temporarily unavailable, try again later.",
                {"Retry-After": "5"},
            ),
            (
                ServiceUnavailable(),
                503,
                "Service temporarily unavailable, try again later.",
                {"Retry-After": "1"},
            ),
        ],
    )
    def test_each_error_is_drfs_answer_with_its_headers(
        self, error: RestflowError, status: int, detail: str, headers: dict[str, str]
    ) -> None:
        """Status, `detail` and the headers an HTTP client needs from each error."""
        answer = error_reply(error)

        assert (answer.status, answer.body, dict(answer.headers)) == (
            status,
            {"detail": detail},
            headers,
        )


class TestErrorsAndPlumbing:
    def test_errors_keep_their_codes_and_method(self) -> None:
        """Default and given codes, and the refused method, are kept."""
        from restflow_core import MethodNotAllowed, NotFound, ValidationFailed

        assert NotFound().code == "not_found"
        assert ValidationFailed({}, code="too_many").code == "too_many"
        assert MethodNotAllowed("PATCH").method == "PATCH"

    def test_positive_int_reads_query_values_as_drf(self) -> None:
        """Zero is allowed unless `strict`; negatives are refused naming the value."""
        from restflow_core.pagination import positive_int

        assert positive_int("0") == 0
        assert positive_int("9", cutoff=5) == 5
        with pytest.raises(ValueError, match="-3"):
            positive_int("-3")
        with pytest.raises(ValueError, match="0"):
            positive_int("0", strict=True)

    def test_url_with_drops_a_parameter_that_is_not_there(self) -> None:
        """Removing a parameter the query lacks leaves the URL as it is."""
        assert MemoryRequest(path="/items/").url_with(page=None) == "/items/"

    def test_a_paginators_own_reply_is_a_200(self) -> None:
        """`get_paginated_response` answers 200 with DRF's body."""
        from restflow_core.pagination import PageNumberPagination

        answer = PageNumberPagination().get_paginated_response(["x"])

        assert answer.status == HTTPStatus.OK
        assert answer.body["results"] == ["x"]
