"""The notes API of `restflow_core.testing` on the sqlite3 ASGI adapter, and its driver.

Like the adapter in `examples/asgi_sqlite`, it imports nothing but `restflow_core`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from typing_extensions import override

from examples.asgi_sqlite.adapter import App, Integer, KnownTokens, SqliteResource, Text
from examples.sqlite_store import Database, Record, Table
from restflow_core import (
    BasePermission,
    IsAuthenticatedOrReadOnly,
    PageNumberPagination,
    ValidationFailed,
)
from restflow_core.testing import Journal


class TwoPerPage(PageNumberPagination):
    """Two notes a page."""

    page_size = 2


class RecordOwnerWrites(BasePermission):
    """Only a note's owner changes it (notes are records here)."""

    message = "Only the owner may change this note."

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return bool(request.method == "GET" or obj["owner"] == str(request.user))


class SqliteNotes(SqliteResource):
    """The notes API on sqlite3, with journaling hooks (blocking work, like the store's)."""

    fields: ClassVar[Mapping[str, Text | Integer]] = {
        "title": Text(max_length=40),
        "pages": Integer(min_value=0, default=0),
    }
    read_only = ("owner",)
    permission_classes = (IsAuthenticatedOrReadOnly, RecordOwnerWrites)
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
        self.delete(instance)


class SqliteFailingNotes(SqliteNotes):
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


class SqliteAsgiDriver:
    """The notes API on the sqlite3 ASGI adapter, called in process as a server would."""

    def __init__(self) -> None:
        self.database = Database()
        self.table = Table(self.database, "notes", ("title", "pages", "owner"))
        self.journal: Journal = []
        attributes = {"table": self.table, "journal": self.journal}
        self.app = App(
            {
                "notes": type("Notes", (SqliteNotes,), attributes),
                "failing-notes": type("FailingNotes", (SqliteFailingNotes,), attributes),
            }
        )

    async def send(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[int, Any]:
        """Send `method` on `path` through the ASGI app, as `user`, with a JSON body."""
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
        """Send a raw body through the ASGI app, as `user` (by a token of theirs)."""
        url = urlsplit(path)
        sent_headers = dict(headers or {})
        if user is not None:
            KnownTokens.users[f"key-{user}"] = user
            sent_headers["authorization"] = f"Token key-{user}"
        scope = {
            "type": "http",
            "method": method,
            "path": url.path,
            "query_string": url.query.encode(),
            "headers": [(name.encode(), value.encode()) for name, value in sent_headers.items()],
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def collect(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        await self.app(scope, receive, collect)
        status, content = sent[0]["status"], sent[1]["body"]
        answered = {name.decode(): value.decode() for name, value in sent[0]["headers"]}
        return status, json.loads(content) if content else None, answered

    async def seed(self, title: str, owner: str, pages: int = 0) -> int:
        """Store a note directly."""
        return self.table.insert({"title": title, "pages": pages, "owner": owner})

    async def stored(self) -> list[tuple[str, int, str]]:
        """Every stored note."""
        return [(row["title"], row["pages"], row["owner"]) for row in self.table.all()]
