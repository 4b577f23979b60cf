"""Drive a small book resource through every action with the in-memory adapter."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from typing_extensions import override

from restflow_core import Reply
from restflow_memory import (
    Field,
    MemoryClient,
    MemoryRouter,
    MemorySerializer,
    MemoryStore,
    ModelResource,
    OrderingFilter,
    PageNumberPagination,
    SearchFilter,
)


@dataclass
class Book:
    """A book on the shelf."""

    title: str
    pages: int = 0
    id: int | None = None
    created_by: str | None = None


class BookSerializer(MemorySerializer[Book]):
    """Books as clients see them."""

    model = Book
    id = Field(int, read_only=True)
    title = Field(str, max_length=80)
    pages = Field(int, required=False, default=0, min_value=0)
    created_by = Field(str, read_only=True)


class TwoPerPage(PageNumberPagination):
    """Pages of two books."""

    page_size = 2


class BookResource(ModelResource[Book]):
    """Every action on books; new books remember who added them."""

    store = MemoryStore[Book]()
    serializer_class = BookSerializer
    pagination_class = TwoPerPage
    filter_backends = (SearchFilter, OrderingFilter)
    search_fields = ("title",)
    ordering_fields = ("title", "pages")

    @override
    async def aperform_create(self, serializer: MemorySerializer[Book]) -> None:
        await serializer.asave(created_by=str(self.request.user))


def show(label: str, response: Reply) -> None:
    """Print one exchange."""
    print(f"{label:<44} -> {response.status.value} {json.dumps(response.body)}")


async def main() -> None:
    """Run the tour."""
    router = MemoryRouter()
    router.register("books", BookResource)
    client = MemoryClient(router)
    client.force_authenticate("ada")
    titles: list[dict[str, Any]] = [
        {"title": "Dune", "pages": 412},
        {"title": "Emma", "pages": 474},
        {"title": "Ulysses", "pages": 730},
    ]
    for payload in titles:
        show(f"POST /books/ {payload}", await client.post("/books/", payload))
    show("POST /books/ {'pages': -1}", await client.post("/books/", {"pages": -1}))
    show("GET /books/?ordering=-pages", await client.get("/books/?ordering=-pages"))
    show("GET /books/?page=2", await client.get("/books/?page=2"))
    show("GET /books/?search=emm", await client.get("/books/?search=emm"))
    show("GET /books/1/", await client.get("/books/1/"))
    show("PATCH /books/1/ {'pages': 500}", await client.patch("/books/1/", {"pages": 500}))
    show(
        "PUT /books/2/ {'title': 'Persuasion'}",
        await client.put("/books/2/", {"title": "Persuasion"}),
    )
    show("DELETE /books/3/", await client.delete("/books/3/"))
    show("GET /books/3/", await client.get("/books/3/"))
    show("GET /books/?page=9", await client.get("/books/?page=9"))


if __name__ == "__main__":
    asyncio.run(main())
