"""The notes API of `restflow_core.testing` over sqlite3, served by either example adapter
(bare ASGI, Starlette), and its driver.

Like the adapters, it imports nothing of restflow but `restflow_core`'s public names.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx
from typing_extensions import override

from examples.sqlite_resources import AsyncHooks, Field, SqliteResource, Tokens
from examples.sqlite_store import Database, Record, Table
from restflow_core import (
    BasePermission,
    IsAuthenticatedOrReadOnly,
    PageNumberPagination,
    ValidationFailed,
)
from restflow_core.testing import TAKEN, Journal


class TwoPerPage(PageNumberPagination):
    """Two notes a page."""

    page_size = 2


class OwnerWrites(BasePermission):
    """Only a note's owner changes it."""

    message = "Only the owner may change this note."

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return bool(request.method == "GET" or obj["owner"] == str(request.user))


class Notes(SqliteResource):
    """The notes API on Starlette and sqlite3, with journaling hooks."""

    fields: ClassVar[Mapping[str, Field]] = {
        "title": Field(str, max_length=40),
        "pages": Field(int, min_value=0, default=0),
    }
    read_only = ("owner",)
    permission_classes = (IsAuthenticatedOrReadOnly, OwnerWrites)
    pagination_class = TwoPerPage
    search_fields = ("title", "owner")
    atomic = True
    journal: ClassVar[Journal] = []

    @override
    def perform_create(self, draft: Record, /) -> Record | None:
        self.journal.append(("create", draft["title"]))
        return self.save(draft | {"owner": str(self.request.user)})

    @override
    def perform_update(self, draft: Record, /) -> Record | None:
        self.journal.append(("update", draft["id"]))
        return self.save(draft)

    @override
    def perform_destroy(self, instance: Record, /) -> None:
        self.journal.append(("destroy", instance["id"]))
        self.delete_instance(instance)


class FailingNotes(Notes):
    """Write hooks that write and then refuse."""

    @override
    def perform_create(self, draft: Record, /) -> Record | None:
        super().perform_create(draft)
        raise ValidationFailed({"title": ["Refused after saving."]})

    @override
    def perform_update(self, draft: Record, /) -> Record | None:
        super().perform_update(draft)
        raise ValidationFailed({"title": ["Refused after saving."]})

    @override
    def perform_destroy(self, instance: Record, /) -> None:
        super().perform_destroy(instance)
        raise ValidationFailed({"title": ["Refused after deleting."]})


class CheckedNotes(AsyncHooks, Notes):
    """The notes API through async hooks: see `restflow_core.testing`'s `/checked-notes/`."""

    method_fields = ("words",)

    async def validate_title(self, value: str) -> str:
        title = " ".join(value.split())
        same = self.table.all().filter(title=title)
        ids = await self.run_offload(lambda: [note["id"] for note in same])
        if any(str(note_id) != str(self.key) for note_id in ids):
            raise ValidationFailed([TAKEN])
        return title

    async def validate(self, record: Record) -> None:
        await asyncio.sleep(0)
        if record.get("pages") == 13:
            raise ValidationFailed(["Thirteen pages are refused."])

    async def get_words(self, record: Record) -> int:
        await asyncio.sleep(0)
        return len(str(record["title"]).split())


class SqliteDriver:
    """The notes API served by `serve` (an example adapter's ASGI application made from
    routes), over HTTP in process (httpx's ASGI transport): each user sends a token of
    their own."""

    def __init__(self, serve: Callable[[Mapping[str, type[SqliteResource]]], Any]) -> None:
        self.database = Database()
        self.table = Table(self.database, "notes", ("title", "pages", "owner"))
        self.journal: Journal = []
        attributes = {"table": self.table, "journal": self.journal}
        routes = {
            "notes": type("Notes", (Notes,), attributes),
            "failing-notes": type("FailingNotes", (FailingNotes,), attributes),
            "checked-notes": type("CheckedNotes", (CheckedNotes,), attributes),
        }
        transport = httpx.ASGITransport(app=serve(routes))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")

    async def aclose(self) -> None:
        """Close the client and the database."""
        await self.client.aclose()
        self.database.close()

    async def send(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[int, Any]:
        """Send `method` on `path` as `user`, with a JSON body."""
        payload = b"" if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        status, content, _ = await self.exchange(method, path, payload, headers=headers, user=user)
        return status, content

    async def exchange(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send a raw body with headers, as `user` (by a token of theirs)."""
        sent = dict(headers or {})
        if user is not None:
            Tokens.users[f"key-{user}"] = user
            sent["authorization"] = f"Token key-{user}"
        response = await self.client.request(method, path, content=body, headers=sent)
        content = response.json() if response.content else None
        return response.status_code, content, dict(response.headers)

    async def seed(self, title: str, owner: str, pages: int = 0) -> int:
        """Store a note directly."""
        return self.table.insert({"title": title, "pages": pages, "owner": owner})

    async def stored(self) -> list[tuple[str, int, str]]:
        """Every stored note."""
        return [(row["title"], row["pages"], row["owner"]) for row in self.table.all()]
