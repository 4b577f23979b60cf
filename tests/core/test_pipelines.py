"""Each pipeline step, driven by memory-adapter collaborators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest

from restflow_core import (
    NotFound,
    Reply,
    ValidationFailed,
    forget_prefetched,
    location_headers,
    reply,
    run_create,
    run_destroy,
    run_list,
    run_partial_update,
    run_retrieve,
    run_update,
)
from restflow_core.pagination import Page
from restflow_memory import Field, MemoryQuery, MemorySerializer, MemoryStore, PageNumberPagination
from restflow_memory.requests import MemoryRequest


@dataclass
class Note:
    """A note with an optional link to itself."""

    text: str
    url: str | None = None
    id: int | None = None
    _prefetched_objects_cache: dict[str, Any] = field(default_factory=dict)


class NoteSerializer(MemorySerializer[Note]):
    """Notes with their text and link."""

    model = Note
    id = Field(int, read_only=True)
    text = Field(str, max_length=10)
    url = Field(str, required=False, allow_null=True)


class Steps:
    """Pipeline collaborators over one store, recording what each was given."""

    def __init__(self) -> None:
        self.store = MemoryStore[Note]()
        self.persisted: list[NoteSerializer] = []
        self.destroyed: list[Note] = []
        self.revalidated: list[tuple[Note, Any, bool]] = []

    def serializer(self, *args: Any, **kwargs: Any) -> NoteSerializer:
        return NoteSerializer(*args, context={"store": self.store}, **kwargs)

    async def validate(self, data: Any) -> NoteSerializer:
        serializer = self.serializer(data=data)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    async def revalidate(self, instance: Note, data: Any, partial: bool) -> NoteSerializer:
        self.revalidated.append((instance, data, partial))
        serializer = self.serializer(instance, data=data, partial=partial)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    async def persist(self, serializer: NoteSerializer) -> None:
        self.persisted.append(serializer)
        await serializer.asave()

    async def destroy(self, instance: Note) -> None:
        self.destroyed.append(instance)
        await self.store.adelete(instance)

    async def render(self, serializer: NoteSerializer) -> Any:
        return await serializer.adata

    async def render_note(self, note: Note) -> Any:
        return await self.serializer(note).adata

    async def render_many(self, notes: Any) -> Any:
        return NoteSerializer.represent_many(notes)

    def fetcher(self, key: str) -> Any:
        async def fetch() -> Note:
            return await self.store.aget(key)

        return fetch

    async def add(self, text: str) -> Note:
        return await self.store.asave(Note(text))


@pytest.fixture
def steps() -> Steps:
    """Fresh collaborators over an empty store."""
    return Steps()


async def unchanged(query: MemoryQuery[Note]) -> MemoryQuery[Note]:
    """A refine step that filters nothing."""
    return query


async def no_pages(query: MemoryQuery[Note]) -> Page[Note] | None:
    """A paginate step for unpaginated lists."""
    return None


class TestRunCreate:
    async def test_valid_payload_is_persisted_and_answered_201(self, steps: Steps) -> None:
        """The draft reaches `persist`, and the reply carries its representation."""
        result = await run_create(
            {"text": "hi", "url": "/notes/1"},
            validate=steps.validate,
            persist=steps.persist,
            render=steps.render,
            respond=reply,
        )

        assert result == Reply(
            HTTPStatus.CREATED, {"id": 1, "text": "hi", "url": "/notes/1"}, {"Location": "/notes/1"}
        )
        assert [s.validated_data for s in steps.persisted] == [{"text": "hi", "url": "/notes/1"}]
        assert await steps.store.acount() == 1

    async def test_invalid_payload_persists_nothing(self, steps: Steps) -> None:
        """A validator that raises stops the pipeline before persist."""
        with pytest.raises(ValidationFailed, match="text"):
            await run_create(
                {"text": "far too long"},
                validate=steps.validate,
                persist=steps.persist,
                render=steps.render,
                respond=reply,
            )

        assert steps.persisted == []
        assert await steps.store.acount() == 0

    async def test_headers_step_sees_the_rendered_body(self, steps: Steps) -> None:
        """A custom `headers` step decides the reply's headers from the body."""
        result = await run_create(
            {"text": "hi"},
            validate=steps.validate,
            persist=steps.persist,
            render=steps.render,
            respond=reply,
            headers=lambda body: {"X-Note": str(body["id"])},
        )

        assert dict(result.headers) == {"X-Note": "1"}


async def everything(query: MemoryQuery[Note]) -> list[Note]:
    """Every note of `query`."""
    return [note async for note in query]


async def keep_all(query: MemoryQuery[Note]) -> MemoryQuery[Note]:
    """A refine step that keeps everything."""
    return query


def partial_content(page: Page[Note], results: Any) -> Reply:
    """A reply no unpaginated list may give."""
    return reply(HTTPStatus.PARTIAL_CONTENT, results)


class TestRunList:
    async def test_unpaginated_list_renders_the_whole_filtered_query(self, steps: Steps) -> None:
        """With no page, every object that passed `refine` is rendered."""
        for text in ("a", "b", "c"):
            await steps.add(text)

        async def only_b_or_c(query: MemoryQuery[Note]) -> MemoryQuery[Note]:
            return query.filter(text__in=("b", "c"))

        result = await run_list(
            steps.store.all(),
            refine=only_b_or_c,
            paginate=no_pages,
            collect=everything,
            render_many=steps.render_many,
            respond=reply,
            respond_page=partial_content,
        )

        assert result.status == HTTPStatus.OK
        assert [item["text"] for item in result.body] == ["b", "c"]

    async def test_paginated_list_answers_through_respond_page(self, steps: Steps) -> None:
        """A page goes to `respond_page`, counted after filtering."""
        for text in ("a", "b", "c"):
            await steps.add(text)
        paginator = PageNumberPagination()
        paginator.page_size = 1
        request = MemoryRequest(path="/notes/", query_params={"page": "2"})

        async def paginate(query: MemoryQuery[Note]) -> Page[Note] | None:
            return await paginator.apage(query, request)

        def respond_page(page: Page[Note], results: Any) -> Reply:
            return reply(HTTPStatus.OK, page.body(results))

        async def drop_a(query: MemoryQuery[Note]) -> MemoryQuery[Note]:
            return query.exclude(text="a")

        result = await run_list(
            steps.store.all(),
            refine=drop_a,
            paginate=paginate,
            collect=everything,
            render_many=steps.render_many,
            respond=reply,
            respond_page=respond_page,
        )

        assert result.body["count"] == 2
        assert [item["text"] for item in result.body["results"]] == ["c"]

    async def test_render_many_receives_a_sequence_either_way(self, steps: Steps) -> None:
        """Rendered items are a list whether or not the list is paginated."""
        await steps.add("a")
        received: list[type] = []

        async def render_many(items: Sequence[Note]) -> Any:
            received.append(type(items))
            return [note.text for note in items]

        async def one_page(query: MemoryQuery[Note]) -> Page[Note] | None:
            return Page([note async for note in query], count=1)

        for paginate in (no_pages, one_page):
            await run_list(
                steps.store.all(),
                refine=keep_all,
                paginate=paginate,
                collect=everything,
                render_many=render_many,
                respond=reply,
                respond_page=partial_content,
            )

        assert received == [list, list]


class TestRunRetrieve:
    async def test_fetched_object_is_rendered_with_200(self, steps: Steps) -> None:
        """The object `fetch` returns is the one rendered."""
        await steps.add("hi")

        result = await run_retrieve(
            fetch=steps.fetcher("1"), render=steps.render_note, respond=reply
        )

        assert result == reply(HTTPStatus.OK, {"id": 1, "text": "hi", "url": None})

    async def test_missing_object_raises_not_found(self, steps: Steps) -> None:
        """`NotFound` from `fetch` leaves the pipeline."""
        with pytest.raises(NotFound):
            await run_retrieve(fetch=steps.fetcher("9"), render=steps.render_note, respond=reply)


class TestRunUpdate:
    async def test_update_validates_against_the_fetched_object(self, steps: Steps) -> None:
        """`validate` gets the instance, the data and the partial flag; `persist` saves."""
        await steps.add("hi")

        result = await run_update(
            {"text": "bye"},
            partial=False,
            fetch=steps.fetcher("1"),
            validate=steps.revalidate,
            persist=steps.persist,
            render=steps.render,
            respond=reply,
        )

        assert result.body == {"id": 1, "text": "bye", "url": None}
        assert [(note.text, data, partial) for note, data, partial in steps.revalidated] == [
            ("hi", {"text": "bye"}, False)
        ]
        assert (await steps.store.aget("1")).text == "bye"

    async def test_invalid_update_changes_nothing(self, steps: Steps) -> None:
        """A rejected payload never reaches `persist`."""
        await steps.add("hi")

        with pytest.raises(ValidationFailed):
            await run_update(
                {"text": None},
                partial=False,
                fetch=steps.fetcher("1"),
                validate=steps.revalidate,
                persist=steps.persist,
                render=steps.render,
                respond=reply,
            )

        assert steps.persisted == []
        assert (await steps.store.aget("1")).text == "hi"

    async def test_prefetched_relations_are_forgotten_after_persist(self, steps: Steps) -> None:
        """The fetched instance's `_prefetched_objects_cache` is emptied."""
        note = Note("hi", id=1, _prefetched_objects_cache={"tags": ["old"]})

        async def fetch() -> Note:
            return note

        await steps.store.asave(note)
        await run_update(
            {"text": "bye"},
            partial=False,
            fetch=fetch,
            validate=steps.revalidate,
            persist=steps.persist,
            render=steps.render,
            respond=reply,
        )

        assert note._prefetched_objects_cache == {}


class TestRunPartialUpdate:
    async def test_partial_update_keeps_fields_not_sent(self, steps: Steps) -> None:
        """PATCH semantics: `validate` is told `partial=True`, `url` survives."""
        await steps.store.asave(Note("hi", url="/notes/1"))

        result = await run_partial_update(
            {"text": "bye"},
            fetch=steps.fetcher("1"),
            validate=steps.revalidate,
            persist=steps.persist,
            render=steps.render,
            respond=reply,
        )

        assert result.body == {"id": 1, "text": "bye", "url": "/notes/1"}
        assert steps.revalidated[0][2] is True


class TestRunDestroy:
    async def test_destroy_hands_the_fetched_object_over_and_answers_204(
        self, steps: Steps
    ) -> None:
        """`destroy` receives the fetched instance; the reply has no body."""
        await steps.add("hi")

        result = await run_destroy(fetch=steps.fetcher("1"), destroy=steps.destroy, respond=reply)

        assert result == reply(HTTPStatus.NO_CONTENT, None)
        assert [note.text for note in steps.destroyed] == ["hi"]
        assert await steps.store.acount() == 0

    async def test_missing_object_destroys_nothing(self, steps: Steps) -> None:
        """`NotFound` from `fetch` stops before `destroy`."""
        with pytest.raises(NotFound):
            await run_destroy(fetch=steps.fetcher("1"), destroy=steps.destroy, respond=reply)

        assert steps.destroyed == []


class TestLocationHeaders:
    def test_url_field_becomes_location(self) -> None:
        """A body with `url` gives a `Location` header."""
        assert location_headers({"url": "/x/1"}) == {"Location": "/x/1"}

    def test_bodies_without_url_give_no_headers(self) -> None:
        """Missing `url`, lists and `None` bodies give no header."""
        bodies: list[object] = [{}, [], None, "text"]

        assert [location_headers(body) for body in bodies] == [{}, {}, {}, {}]

    def test_url_field_name_is_configurable(self) -> None:
        """`url_field` names the field to read."""
        assert location_headers({"href": 5}, url_field="href") == {"Location": "5"}


class TestForgetPrefetched:
    def test_objects_without_a_cache_are_left_alone(self) -> None:
        """Objects with no prefetch cache gain no attribute."""
        value = object()

        forget_prefetched(value)

        assert not hasattr(value, "_prefetched_objects_cache")
