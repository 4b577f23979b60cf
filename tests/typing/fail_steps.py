"""Steps and payloads of the wrong type: each marked line is an error under both checkers."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from restflow_core import Blocking, Joinable, Steps, reply, run_create


@dataclass
class Book:
    """A book."""

    title: str


def read_title(key: int) -> str:
    """A blocking step: the title stored under `key`."""
    return str(key)


def count_letters(title: str) -> int:
    """A quick step after it."""
    return len(title)


def to_book(title: str) -> Book:
    """A step building the book."""
    return Book(title)


declared_wrong: Steps[[int], str] = Steps(Blocking(read_title), Joinable(count_letters))  # type: ignore[arg-type]
chained_wrong = Steps(Blocking(read_title), Joinable(count_letters), Joinable(to_book))  # type: ignore[arg-type]
declared_right: Steps[[int], int] = Steps(Blocking(read_title), Joinable(count_letters))


async def validate(data: Mapping[str, Any]) -> Book:
    """A validate step that types its payload."""
    return Book(str(data["title"]))


async def persist(book: Book) -> None:
    """Persist a book."""


async def render(book: Book) -> dict[str, str]:
    """Represent a book."""
    return {"title": book.title}


async def main() -> None:
    """The payload handed to the pipeline must be what its validate step takes."""
    await run_create(
        {"title": "Dune"}, validate=validate, persist=persist, render=render, respond=reply
    )
    await run_create(b"{}", validate=validate, persist=persist, render=render, respond=reply)  # type: ignore[arg-type]
