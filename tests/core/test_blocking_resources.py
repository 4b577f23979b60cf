"""`Resource` over a store whose calls block: plain hooks, one `offload` per action, and the
class's decisions made once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Self, TypeVar

import pytest
from typing_extensions import override

from restflow_core import (
    AllowAny,
    BasePermission,
    CreateMixin,
    DestroyMixin,
    LimitOffsetPagination,
    ListMixin,
    NotFound,
    PageNumberPagination,
    PlainRequest,
    Resource,
    RetrieveMixin,
    SearchFilter,
    UpdateMixin,
    ValidationFailed,
)

T = TypeVar("T")
Row = dict[str, Any]


class Rows:
    """A blocking source over a list: each read notes the thread it ran in."""

    def __init__(self, rows: list[Row], reads: list[str], window: slice = slice(None)) -> None:
        self.rows, self.reads, self.window = rows, reads, window

    def filter(self, *args: Any, **lookups: Any) -> Self:
        kept = [r for r in self.rows if all(str(r[k]) == str(v) for k, v in lookups.items())]
        return type(self)(kept, self.reads)

    def filter_any(self, **lookups: Any) -> Self:
        def matches(row: Row) -> bool:
            return any(
                str(value).lower() in str(row[lookup.split("__")[0]]).lower()
                for lookup, value in lookups.items()
            )

        return type(self)([row for row in self.rows if matches(row)], self.reads)

    def __getitem__(self, window: slice, /) -> Self:
        return type(self)(self.rows, self.reads, window)

    def _read(self) -> list[Row]:
        self.reads.append(threading.current_thread().name)
        return [dict(row) for row in self.rows[self.window]]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._read())

    def get(self, *args: Any, **lookups: Any) -> Row:
        found = self.filter(**lookups)._read()
        if len(found) != 1:
            raise NotFound()
        return found[0]

    def count(self) -> int:
        return len(self._read())


async def counted_offload(work: Callable[[], T], /) -> T:
    """Run `work` in a worker thread, and count the hop."""
    Books.hops.append("hop")
    return await asyncio.to_thread(work)


class Two(PageNumberPagination):
    page_size = 2


class Books(
    CreateMixin[Row, Row],
    ListMixin[Row, Row],
    RetrieveMixin[Row, Row],
    UpdateMixin[Row, Row],
    DestroyMixin[Row, Row],
):
    """Books in a list, read and written by plain hooks through a counting offload."""

    rows: ClassVar[list[Row]]
    reads: ClassVar[list[str]]
    hops: ClassVar[list[str]]
    permission_classes = (AllowAny,)
    filter_backends = (SearchFilter,)
    search_fields = ("title",)
    pagination_class = Two
    lookup_field = "id"

    offload = staticmethod(counted_offload)

    @override
    def get_queryset(self) -> Rows:
        return Rows(self.rows, self.reads)

    def validated(self, data: Any) -> Row:
        if not str(data.get("title", "")).strip():
            raise ValidationFailed({"title": ["This field is required."]})
        return {"title": data["title"]}

    def revalidated(self, instance: Row, data: Any, partial: bool) -> Row:
        return instance | self.validated(data)

    def render(self, draft: Row) -> Any:
        return {"id": draft["id"], "title": draft["title"]}

    def render_instance(self, instance: Row) -> Any:
        return self.render(instance)

    def render_many(self, items: Any) -> Any:
        return [self.render(item) for item in items]

    @override
    def save(self, draft: Row) -> Row:
        self.reads.append(threading.current_thread().name)
        if "id" not in draft:
            draft = draft | {"id": len(self.rows) + 1}
            self.rows.append(draft)
        else:
            self.rows[:] = [draft if row["id"] == draft["id"] else row for row in self.rows]
        return draft

    @override
    def delete_instance(self, instance: Row) -> None:
        self.rows[:] = [row for row in self.rows if row["id"] != instance["id"]]


@pytest.fixture
def books() -> type[Books]:
    """A fresh `Books` class over two rows."""
    Books.rows = [{"id": 1, "title": "Dune"}, {"id": 2, "title": "Emma"}]
    Books.reads, Books.hops = [], []
    return Books


async def call(resource: type[Resource[Any, Any]], method: str, data: Any = None, **kw: Any) -> Any:
    """Dispatch one request; the reply."""
    actions = {"GET": "retrieve" if "key" in kw else "list", "POST": "create"}
    actions |= {"PATCH": "partial_update", "PUT": "update", "DELETE": "destroy"}
    query = kw.pop("query", {})
    request = PlainRequest(method, "/books/", data, query, "ada")
    return await resource(request, action=actions[method], **kw).adispatch()


class TestOneHopPerAction:
    async def test_each_action_offloads_once_and_reads_off_the_loop(
        self, books: type[Books]
    ) -> None:
        loop_thread = threading.current_thread().name
        created = await call(books, "POST", {"title": "Ulysses"})
        listed = await call(books, "GET", query={"page": "2"})
        fetched = await call(books, "GET", key="3")
        patched = await call(books, "PATCH", {"title": "Odyssey"}, key="3")
        deleted = await call(books, "DELETE", key="1")

        assert (created.status, created.body) == (201, {"id": 3, "title": "Ulysses"})
        assert listed.body == {
            "count": 3,
            "next": None,
            "previous": "/books/",
            "results": [{"id": 3, "title": "Ulysses"}],
        }
        assert fetched.body == {"id": 3, "title": "Ulysses"}
        assert patched.body == {"id": 3, "title": "Odyssey"}
        assert deleted.status == 204
        assert books.rows == [{"id": 2, "title": "Emma"}, {"id": 3, "title": "Odyssey"}]
        assert books.hops == ["hop"] * 5
        assert books.reads
        assert loop_thread not in books.reads

    async def test_a_list_that_is_not_paginated_collects_in_the_same_hop(
        self, books: type[Books]
    ) -> None:
        class Unpaged(books):  # type: ignore[valid-type,misc]
            pagination_class = None

        listed = await call(Unpaged, "GET", query={"search": "EM"})

        assert listed.body == [{"id": 2, "title": "Emma"}]
        assert books.hops == ["hop"]

    async def test_errors_of_blocking_steps_answer_as_drf(self, books: type[Books]) -> None:
        missing = await call(books, "GET", key="9")
        invalid = await call(books, "POST", {"title": " "})
        past_the_end = await call(books, "GET", query={"page": "5"})

        assert (missing.status, missing.body) == (404, {"detail": "Not found."})
        assert (invalid.status, invalid.body) == (400, {"title": ["This field is required."]})
        assert (past_the_end.status, past_the_end.body) == (404, {"detail": "Invalid page."})


class TestMixedForms:
    async def test_an_async_hook_between_plain_ones_costs_one_more_hop(
        self, books: type[Books]
    ) -> None:
        audit: list[str] = []

        class Audited(books):  # type: ignore[valid-type,misc]
            @override
            async def aperform_create(self, draft: Row, /) -> Row | None:
                audit.append(draft["title"])
                saved: Row | None = await self.asave(draft)
                return saved

        created = await call(Audited, "POST", {"title": "Ulysses"})

        assert created.body == {"id": 3, "title": "Ulysses"}
        assert audit == ["Ulysses"]
        # Validation, then the async hook's own `asave` (the plain `save`, offloaded); the
        # rendering after it is quick and runs on the loop.
        assert books.hops == ["hop", "hop"]

    async def test_async_object_permissions_are_awaited_on_the_loop_after_the_read(
        self, books: type[Books]
    ) -> None:
        class OnlyEmma(BasePermission):
            @override
            async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                await asyncio.sleep(0)
                return bool(obj["title"] == "Emma")

        class Guarded(books):  # type: ignore[valid-type,misc]
            permission_classes = (OnlyEmma,)

        allowed = await call(Guarded, "GET", key="2")
        refused = await call(Guarded, "GET", key="1")

        assert Guarded.plan.async_object_check is True
        assert allowed.body == {"id": 2, "title": "Emma"}
        assert refused.status == 403
        assert books.hops == ["hop", "hop"]

    async def test_an_async_permission_a_blocking_step_meets_is_refused_loudly(
        self, books: type[Books]
    ) -> None:
        class Sneaky(BasePermission):
            @override
            async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                return False

        class Dynamic(books):  # type: ignore[valid-type,misc]
            @override
            def get_permissions(self) -> list[Any]:
                return [Sneaky()]

        with pytest.raises(TypeError, match=r"Sneaky\.has_object_permission is async"):
            await call(Dynamic, "GET", key="1")


class TestDecidedOncePerClass:
    def test_the_plan_is_made_when_the_class_is_made(self, books: type[Books]) -> None:
        forms = books.plan.forms

        assert forms["validate"] == forms["save"] == forms["fetch"] == "plain"
        assert forms["perform_create"] == forms["perform_destroy"] == "plain"
        assert books.plan.offload is not None
        assert "validate: validated (blocking, through offload)" in books.explain()
        assert "render: render (plain, joins the blocking work before it)" in books.explain()

    async def test_requests_read_the_plan_and_never_remake_it(
        self, books: type[Books], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from restflow_core import resources

        made: list[str] = []
        original = resources._plan

        def spy(cls: type[Any]) -> Any:
            made.append(cls.__name__)
            return original(cls)

        monkeypatch.setattr(resources, "_plan", spy)

        class Counted(books):  # type: ignore[valid-type,misc]
            pass

        for _ in range(3):
            await call(Counted, "GET", key="1")
            await call(Counted, "POST", {"title": "Ulysses"})

        assert made == ["Counted"]

    def test_without_an_offload_the_kit_reads_the_async_api(self) -> None:
        class Plain(ListMixin[Row, Row], RetrieveMixin[Row, Row]):
            @override
            async def arender_instance(self, instance: Row) -> Any:
                return instance

        assert Plain.plan.forms["fetch"] == Plain.plan.forms["collect"] == "async"
        assert Plain.plan.forms["render_instance"] == "async"
        assert "offload: none (inline)" in Plain.explain()


class TestPagesOfABlockingSource:
    async def test_limit_offset_windows_and_their_links(self, books: type[Books]) -> None:
        class Windows(LimitOffsetPagination):
            default_limit = 1

        class Windowed(books):  # type: ignore[valid-type,misc]
            pagination_class = Windows

        first = await call(Windowed, "GET")
        second = await call(Windowed, "GET", query={"limit": "1", "offset": "1"})
        beyond = await call(Windowed, "GET", query={"limit": "1", "offset": "9"})

        assert first.body == {
            "count": 2,
            "next": "/books/?limit=1&offset=1",
            "previous": None,
            "results": [{"id": 1, "title": "Dune"}],
        }
        assert second.body["results"] == [{"id": 2, "title": "Emma"}]
        assert (second.body["next"], second.body["previous"]) == (None, "/books/?limit=1")
        assert (beyond.body["count"], beyond.body["results"]) == (2, [])

    async def test_the_last_page_by_name(self, books: type[Books]) -> None:
        books.rows.append({"id": 3, "title": "Ulysses"})

        last = await call(books, "GET", query={"page": "last"})

        assert last.body["results"] == [{"id": 3, "title": "Ulysses"}]
        assert last.body["previous"] == "/books/"

    async def test_a_paginator_without_a_size_answers_the_whole_list(
        self, books: type[Books]
    ) -> None:
        class Sizeless(PageNumberPagination):
            page_size = None

        class Whole(books):  # type: ignore[valid-type,misc]
            pagination_class = Sizeless

        listed = await call(Whole, "GET")

        assert listed.body == [{"id": 1, "title": "Dune"}, {"id": 2, "title": "Emma"}]
