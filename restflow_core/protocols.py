"""The roles an action needs from its host framework, as structural types.

DRF's own objects satisfy these directly (a `QuerySet`, a permission class); the memory
adapter ships dict-backed implementations of each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterator, Mapping
from http import HTTPStatus
from typing import Any, Protocol, Self, TypeVar

ModelT = TypeVar("ModelT")
ModelT_co = TypeVar("ModelT_co", covariant=True)
QueryT = TypeVar("QueryT")
QueryT_contra = TypeVar("QueryT_contra", contravariant=True)
ItemT_co = TypeVar("ItemT_co", covariant=True)
ResponseT_co = TypeVar("ResponseT_co", covariant=True)


class Source(Protocol[ModelT_co]):
    """A lazy, filterable collection of objects: a `QuerySet` or a memory query."""

    def filter(self, *args: Any, **lookups: Any) -> Self:
        """Narrow the collection to objects matching every lookup."""
        ...

    def __getitem__(self, window: slice, /) -> Self:
        """Narrow the collection to a slice of its current order."""
        ...

    def __aiter__(self) -> AsyncIterator[ModelT_co]:
        """Yield the objects without blocking the event loop."""
        ...

    async def aget(self, *args: Any, **lookups: Any) -> ModelT_co:
        """Return the only object matching the lookups; raise if there is none."""
        ...

    async def acount(self) -> int:
        """Return how many objects the collection holds."""
        ...


class BlockingSource(Protocol[ModelT_co]):
    """A lazy, filterable collection read by calls that block: a `QuerySet` in a thread, or
    the query of a store whose reads wait on a disk or a socket.

    A resource with an `offload` reads its queryset through this, in blocking steps.
    """

    def filter(self, *args: Any, **lookups: Any) -> Self:
        """Narrow the collection to objects matching every lookup."""
        ...

    def __getitem__(self, window: slice, /) -> Self:
        """Narrow the collection to a slice of its current order."""
        ...

    def __iter__(self) -> Iterator[ModelT_co]:
        """Yield the objects."""
        ...

    def get(self, *args: Any, **lookups: Any) -> ModelT_co:
        """Return the only object matching the lookups; raise `NotFound` if there is none."""
        ...

    def count(self) -> int:
        """Return how many objects the collection holds."""
        ...


class Permission(Protocol):
    """Decides whether a request may proceed; sync or async answers are both accepted."""

    def has_permission(self, request: Any, view: Any, /) -> bool | Awaitable[bool]:
        """Answer for the request as a whole."""
        ...

    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool | Awaitable[bool]:
        """Answer for one object the request touches."""
        ...


class Respond(Protocol[ResponseT_co]):
    """Builds the host framework's response from a status, a body and headers."""

    def __call__(
        self, status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /
    ) -> ResponseT_co:
        """Return the response."""
        ...
