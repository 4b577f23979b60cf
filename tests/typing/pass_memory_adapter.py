# pyright: strict, reportImplicitOverride=true
"""Adapters users write against restflow_core's Protocols, and typed memory resources."""

from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any, assert_type

from typing_extensions import override

from restflow_core import NotFound, Reply, Respond, reply, run_create, run_retrieve
from restflow_memory import Field, MemorySerializer, MemoryStore, ModelResource, Store


@dataclass(frozen=True)
class Book:
    """A book."""

    title: str
    pk: int | None = None


class ShelfStore:
    """A user's own store: satisfies `Store[Book]` without subclassing it."""

    def __init__(self) -> None:
        self.books: dict[str, Book] = {}

    async def aget(self, key: str, /) -> Book:
        """Return the book under `key`."""
        try:
            return self.books[key]
        except KeyError:
            raise NotFound() from None

    async def asave(self, obj: Book, /) -> Book:
        """Store `obj`, numbering it when new."""
        saved = obj if obj.pk is not None else replace(obj, pk=len(self.books) + 1)
        self.books[str(saved.pk)] = saved
        return saved

    async def adelete(self, obj: Book, /) -> None:
        """Forget `obj`."""
        self.books.pop(str(obj.pk), None)


shelf: Store[Book] = ShelfStore()
memory: Store[Book] = MemoryStore[Book](key_field="pk")
respond: Respond[Reply] = reply


class BookSerializer(MemorySerializer[Book]):
    """Books."""

    model = Book
    pk = Field(int, read_only=True)
    title = Field(str)


class BookResource(ModelResource[Book]):
    """Typed hooks on a memory resource."""

    store = MemoryStore[Book](key_field="pk")
    serializer_class = BookSerializer

    @override
    async def aperform_create(self, serializer: MemorySerializer[Book]) -> None:
        book = await serializer.asave()
        assert_type(book, Book)

    @override
    async def aperform_destroy(self, instance: Book) -> None:
        await self.store.adelete(instance)


async def pipeline() -> None:
    """Pipelines infer their types from the collaborators."""

    async def validate(data: Any) -> Book:
        return Book(str(data["title"]))

    async def persist(book: Book) -> None:
        await shelf.asave(book)

    async def render(book: Book) -> dict[str, str]:
        return {"title": book.title}

    async def fetch() -> Book:
        return await shelf.aget("1")

    created = await run_create(
        {"title": "Dune"}, validate=validate, persist=persist, render=render, respond=reply
    )
    assert_type(created, Reply)
    assert created.status == HTTPStatus.CREATED
    assert_type(await run_retrieve(fetch=fetch, render=render, respond=reply), Reply)
