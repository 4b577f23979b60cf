"""The notes API of `restflow_core.testing` on each adapter, and a driver for each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from typing_extensions import override

from restflow_core import TokenAuthentication, ValidationFailed
from restflow_core.testing import TAKEN, Journal
from restflow_memory import (
    BasePermission,
    Field,
    Invalid,
    IsAuthenticatedOrReadOnly,
    MemoryClient,
    MemoryRouter,
    MemorySerializer,
    MemoryStore,
    MethodField,
    ModelResource,
    PageNumberPagination,
    SearchFilter,
)

# The memory adapter.


@dataclass
class MemoryNote:
    """A note kept in a memory store."""

    title: str
    pages: int = 0
    owner: str = ""
    id: int | None = None


class MemoryNoteSerializer(MemorySerializer[MemoryNote]):
    """Notes as clients see them."""

    model = MemoryNote
    id = Field(int, read_only=True)
    title = Field(str, max_length=40)
    pages = Field(int, min_value=0, required=False, default=0)
    owner = Field(str, read_only=True)


class MemoryCheckedNoteSerializer(MemoryNoteSerializer):
    """Notes through async hooks: see `restflow_core.testing`'s `/checked-notes/`."""

    words = MethodField()

    async def validate_title(self, value: str) -> str:
        title = " ".join(value.split())
        async for note in self.store.all():
            if note.title == title and note.id != getattr(self.instance, "id", None):
                raise Invalid(TAKEN)
        return title

    @override
    async def validate(self, attrs: dict[str, Any]) -> Mapping[str, Any]:
        await asyncio.sleep(0)
        if attrs.get("pages") == 13:
            raise Invalid("Thirteen pages are refused.")
        return attrs

    async def get_words(self, note: MemoryNote) -> int:
        await asyncio.sleep(0)
        return len(note.title.split())


class MemoryOwnerWrites(BasePermission):
    """Only a note's owner changes it."""

    message = "Only the owner may change this note."

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return bool(request.method == "GET" or obj.owner == str(request.user))


class MemoryTokens(TokenAuthentication):
    """Token authentication; no key is handed out, so every key is unknown."""

    @override
    async def auser_for(self, key: str, /) -> Any | None:
        return None


class MemoryPages(PageNumberPagination):
    """Two notes a page."""

    page_size = 2


class MemoryNotes(ModelResource[MemoryNote]):
    """Every action, with journaling hooks."""

    store = MemoryStore[MemoryNote]()
    serializer_class = MemoryNoteSerializer
    permission_classes = (IsAuthenticatedOrReadOnly, MemoryOwnerWrites)
    authentication_classes = (MemoryTokens,)
    filter_backends = (SearchFilter,)
    search_fields = ("title", "owner")
    pagination_class = MemoryPages
    atomic = True
    journal: ClassVar[Journal] = []

    @override
    async def aperform_create(self, serializer: MemorySerializer[MemoryNote]) -> None:
        self.journal.append(("create", serializer.validated_data["title"]))
        await serializer.asave(owner=str(self.request.user))

    @override
    async def aperform_update(self, serializer: MemorySerializer[MemoryNote]) -> None:
        self.journal.append(("update", serializer.instance.id if serializer.instance else None))
        await serializer.asave()

    @override
    async def aperform_destroy(self, instance: MemoryNote) -> None:
        self.journal.append(("destroy", instance.id))
        await self.store.adelete(instance)


class MemoryCheckedNotes(MemoryNotes):
    """The notes API through `MemoryCheckedNoteSerializer`."""

    serializer_class = MemoryCheckedNoteSerializer


class MemoryFailingNotes(MemoryNotes):
    """Write hooks that save and then refuse: nothing they wrote may stay."""

    @override
    async def aperform_create(self, serializer: MemorySerializer[MemoryNote]) -> None:
        await super().aperform_create(serializer)
        raise ValidationFailed({"title": ["Refused after saving."]})

    @override
    async def aperform_update(self, serializer: MemorySerializer[MemoryNote]) -> None:
        await super().aperform_update(serializer)
        raise ValidationFailed({"title": ["Refused after saving."]})

    @override
    async def aperform_destroy(self, instance: MemoryNote) -> None:
        await super().aperform_destroy(instance)
        raise ValidationFailed({"title": ["Refused after deleting."]})


class MemoryDriver:
    """The notes API on the memory adapter, through its `MemoryClient`."""

    def __init__(self) -> None:
        store = MemoryStore[MemoryNote]()
        self.journal: Journal = []
        resources: dict[str, type[MemoryNotes]] = {
            name: type(name, (base,), {"store": store, "journal": self.journal})
            for name, base in (
                ("notes", MemoryNotes),
                ("failing-notes", MemoryFailingNotes),
                ("checked-notes", MemoryCheckedNotes),
            )
        }
        router = MemoryRouter()
        for prefix, resource in resources.items():
            router.register(prefix, resource)
        self.resources = resources
        self.client = MemoryClient(router)
        self.store = store

    async def send(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[int, Any]:
        """Send `method` on `path` as `user`."""
        self.client.force_authenticate(user)
        reply = await self.client.request(method, path, body)
        return int(reply.status), reply.body

    async def exchange(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send a raw body with headers through the client's `send`."""
        self.client.force_authenticate(user)
        reply = await self.client.send(method, path, body, headers=headers)
        return int(reply.status), reply.body, _lower(reply.headers)

    async def seed(self, title: str, owner: str, pages: int = 0) -> int:
        """Store a note directly."""
        saved = await self.store.asave(MemoryNote(title, pages, owner))
        assert saved.id is not None
        return saved.id

    async def stored(self) -> list[tuple[str, int, str]]:
        """Every stored note."""
        notes = [note async for note in self.store.all()]
        return [(note.title, note.pages, note.owner) for note in sorted(notes, key=_id)]


def _id(note: MemoryNote) -> int:
    return note.id or 0


# The Django adapter.


class DjangoDriver:
    """The notes API on the Django adapter, over restflow's async test client."""

    def __init__(self) -> None:
        from tests.testapp.contract import NoteViewSet

        self.journal: Journal = []
        NoteViewSet.journal = self.journal

    async def send(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[int, Any]:
        """Send `method` on `path` as `user`, with a JSON body."""
        from django.contrib.auth.models import User

        from restflow_django.test import AsyncAPIClient

        client = AsyncAPIClient()
        if user is not None:
            signed_in, _ = await User.objects.aget_or_create(username=user)
            client.force_authenticate(signed_in)
        response = await client.generic(method, path, _json(body), "application/json")
        return response.status_code, None if response.status_code == 204 else response.json()

    async def exchange(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send a raw body with headers over the async test client."""
        from django.contrib.auth.models import User

        from restflow_django.test import AsyncAPIClient

        client = AsyncAPIClient()
        if user is not None:
            signed_in, _ = await User.objects.aget_or_create(username=user)
            client.force_authenticate(signed_in)
        sent = dict(headers or {})
        content_type = sent.pop("content-type", "application/octet-stream")
        response = await client.generic(method, path, body, content_type, headers=sent)
        content = json.loads(response.content) if response.content else None
        return response.status_code, content, _lower(response.headers)

    async def seed(self, title: str, owner: str, pages: int = 0) -> int:
        """Store a note directly."""
        from tests.testapp.models import Note

        note = await Note.objects.acreate(title=title, pages=pages, owner=owner)
        return note.pk

    async def stored(self) -> list[tuple[str, int, str]]:
        """Every stored note."""
        from tests.testapp.models import Note

        return [(note.title, note.pages, note.owner) async for note in Note.objects.order_by("id")]


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _json(body: Any) -> str:

    return "" if body is None else json.dumps(body)
