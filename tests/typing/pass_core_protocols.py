# pyright: strict, reportImplicitOverride=true
"""The core's Protocols, satisfied by the objects each adapter hands to the pipelines."""

from collections.abc import Callable
from typing import TypeVar

from asgiref.sync import sync_to_async
from rest_framework.permissions import IsAuthenticated

from restflow_core import (
    Blocking,
    Joinable,
    Offload,
    Permission,
    Reply,
    Respond,
    Source,
    Step,
    UnitOfWork,
    inline,
    reply,
)
from restflow_django.transactions import DjangoUnitOfWork
from restflow_memory import AllowAny, MemoryQuery, MemoryStore, MemoryUnitOfWork, Store
from tests.testapp.models import Note

T = TypeVar("T")


async def to_thread(work: Callable[[], T], /) -> T:
    """Run `work` in a thread, as the Django adapter's offload does."""
    return await sync_to_async(work)()


def title_of(note: Note) -> str:
    """A blocking step's work."""
    return note.title


async def atitle_of(note: Note) -> str:
    """An async step."""
    return note.title


offloads: list[Offload] = [inline, to_thread]
units: list[UnitOfWork] = [DjangoUnitOfWork("default"), MemoryUnitOfWork()]
permissions: list[Permission] = [IsAuthenticated(), AllowAny()]
responders: list[Respond[Reply]] = [reply]
store: Store[Note] = MemoryStore[Note]()
sources: list[Source[Note]] = [Note.objects.all(), MemoryQuery[Note](MemoryStore[Note]())]
steps: list[Step[[Note], str]] = [Blocking(title_of), Joinable(title_of, atitle_of), atitle_of]
