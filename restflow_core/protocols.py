"""The roles an action needs from its host framework, as structural types.

DRF's own objects satisfy these directly (a DRF `Request`, a `QuerySet`, a permission class);
the memory adapter ships dict-backed implementations of each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Protocol, Self, TypeVar

ModelT = TypeVar("ModelT")
ModelT_co = TypeVar("ModelT_co", covariant=True)
QueryT = TypeVar("QueryT")
QueryT_contra = TypeVar("QueryT_contra", contravariant=True)
ItemT_co = TypeVar("ItemT_co", covariant=True)
ResponseT_co = TypeVar("ResponseT_co", covariant=True)


class Request(Protocol):
    """What an action reads from the incoming request."""

    @property
    def data(self) -> Any:
        """The parsed body."""
        ...

    @property
    def query_params(self) -> Mapping[str, Any]:
        """The query string, one value per name."""
        ...

    @property
    def user(self) -> Any:
        """Whoever the request authenticated as."""
        ...


class Serializer(Protocol[ModelT_co]):
    """A DRF-shaped sync serializer: validate a payload, then save or represent it."""

    def is_valid(self, *, raise_exception: bool = ...) -> bool:
        """Validate the payload; return whether it passed."""
        ...

    @property
    def errors(self) -> Any:
        """Field errors from the last validation."""
        ...

    @property
    def validated_data(self) -> Any:
        """The cleaned payload after a passing validation."""
        ...

    @property
    def data(self) -> Any:
        """The representation of the saved or given instance."""
        ...

    def save(self, **kwargs: Any) -> ModelT_co:
        """Create or update the instance from validated data merged with `kwargs`."""
        ...


class AsyncSerializer(Protocol[ModelT_co]):
    """A serializer that validates and saves without blocking the event loop."""

    async def ais_valid(self, *, raise_exception: bool = ...) -> bool:
        """Validate the payload; return whether it passed."""
        ...

    async def asave(self, **kwargs: Any) -> ModelT_co:
        """Create or update the instance from validated data merged with `kwargs`."""
        ...

    @property
    def errors(self) -> Any:
        """Field errors from the last validation."""
        ...

    @property
    def validated_data(self) -> Any:
        """The cleaned payload after a passing validation."""
        ...


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


class Store(Protocol[ModelT]):
    """Keeps objects of one kind under string keys."""

    async def aget(self, key: str, /) -> ModelT:
        """Return the object stored under `key`; raise `NotFound` if there is none."""
        ...

    async def asave(self, obj: ModelT, /) -> ModelT:
        """Insert or replace `obj` and return the stored copy."""
        ...

    async def adelete(self, obj: ModelT, /) -> None:
        """Remove `obj`; raise `NotFound` if it is not stored."""
        ...


class Permission(Protocol):
    """Decides whether a request may proceed; sync or async answers are both accepted."""

    def has_permission(self, request: Any, view: Any, /) -> bool | Awaitable[bool]:
        """Answer for the request as a whole."""
        ...

    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool | Awaitable[bool]:
        """Answer for one object the request touches."""
        ...


class FilterBackend(Protocol[QueryT]):
    """A DRF filter backend: narrows a collection for a request, synchronously."""

    def filter_queryset(self, request: Any, queryset: QueryT, view: Any, /) -> QueryT:
        """Return the narrowed collection."""
        ...


class AsyncFilterBackend(Protocol[QueryT]):
    """A filter backend that may await while it narrows a collection."""

    async def afilter_queryset(self, request: Any, queryset: QueryT, view: Any, /) -> QueryT:
        """Return the narrowed collection."""
        ...


class Paginator(Protocol[QueryT_contra, ItemT_co, ResponseT_co]):
    """Cuts a collection into the page a request asks for and wraps it in a response."""

    async def apaginate_queryset(
        self, queryset: QueryT_contra, request: Any, view: Any = ..., /
    ) -> Sequence[ItemT_co] | None:
        """Return the requested page, or `None` when the request is not paginated."""
        ...

    def get_paginated_response(self, data: Any, /) -> ResponseT_co:
        """Wrap the serialized page with the paginator's counts and links."""
        ...


class Respond(Protocol[ResponseT_co]):
    """Builds the host framework's response from a status, a body and headers."""

    def __call__(
        self, status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /
    ) -> ResponseT_co:
        """Return the response."""
        ...
