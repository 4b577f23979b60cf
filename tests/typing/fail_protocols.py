"""Adapters and collaborators that do not satisfy restflow_core's Protocols."""

from dataclasses import dataclass
from typing import Any

from restflow_core import reply, run_create, run_destroy, run_update
from restflow_memory import Store


@dataclass
class Book:
    """A book."""

    title: str


class NoDelete:
    """A store that cannot delete."""

    async def aget(self, key: str, /) -> Book:
        """Return a book."""
        return Book(key)

    async def asave(self, obj: Book, /) -> Book:
        """Return the book."""
        return obj


class SyncGet:
    """A store whose `aget` forgot to be async."""

    def aget(self, key: str, /) -> Book:
        """Return a book."""
        return Book(key)

    async def asave(self, obj: Book, /) -> Book:
        """Return the book."""
        return obj

    async def adelete(self, obj: Book, /) -> None:
        """Forget the book."""


missing: Store[Book] = NoDelete()  # type: ignore[assignment]
not_async: Store[Book] = SyncGet()  # type: ignore[assignment]


async def validate(data: object) -> Book:
    """Build a book."""
    return Book(str(data))


def persist_sync(book: Book) -> None:
    """A sync persist step where the pipeline awaits one."""


async def store_title(title: str) -> None:
    """A persist step for the wrong draft type."""


async def render(book: Book) -> object:
    """Represent a book."""
    return {"title": book.title}


async def fetch() -> Book:
    """Fetch a book."""
    return Book("x")


async def main() -> None:
    """Call pipelines with collaborators of the wrong shape."""
    await run_create(
        {"title": "x"},
        validate=validate,
        persist=persist_sync,  # type: ignore[arg-type]
        render=render,
        respond=reply,
    )
    await run_create({}, validate=validate, persist=store_title, render=render, respond=reply)  # type: ignore[misc]
    await run_destroy(fetch=fetch, destroy=store_title, respond=reply)  # type: ignore[misc]
    await run_destroy(fetch=fetch, destroy=persist_sync, respond=reply)  # type: ignore[arg-type]
    await run_destroy(fetch=fetch, destroy=render, respond=print)  # type: ignore[arg-type]


async def revalidate_swapped(data: Any, book: Book, partial: bool) -> Book:
    """A validate step whose first two parameters are the wrong way round."""
    return book


async def persist_book(book: Book) -> None:
    """Persist a book."""


async def update_with_swapped_arguments() -> None:
    """An update whose `validate` takes the payload where the fetched book belongs."""
    await run_update(
        {"title": "x"},
        partial=True,
        fetch=fetch,
        validate=revalidate_swapped,  # type: ignore[arg-type]
        persist=persist_book,
        render=render,
        respond=reply,
    )
