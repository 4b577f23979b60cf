"""Page-number and limit/offset pagination over any `Source`, with DRF's query parameters
and response shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Generic, TypeVar

from typing_extensions import override

from restflow_core.errors import NotFound
from restflow_core.protocols import BlockingSource, Source
from restflow_core.replies import Reply, reply
from restflow_core.requests import PlainRequest

ModelT = TypeVar("ModelT")
ItemT = TypeVar("ItemT")


def positive_int(raw: Any, *, strict: bool = False, cutoff: int | None = None) -> int:
    """Parse a query value as DRF does: non-negative (`strict`: positive), capped at `cutoff`."""
    value = int(raw)
    if value < 0 or (strict and value == 0):
        raise ValueError(raw)
    return min(value, cutoff) if cutoff else value


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    """One page of a collection: its items, the total count, and links to its neighbours.

    `count` is `None` where the paginator does not count (DRF's cursor pagination).
    """

    items: Sequence[ItemT]
    count: int | None = None
    next: str | None = None
    previous: str | None = None

    def body(self, results: Any) -> dict[str, Any]:
        """DRF's paginated body: `count`, `next`, `previous`, and the represented `results`."""
        return {
            "count": self.count,
            "next": self.next,
            "previous": self.previous,
            "results": results,
        }


class _LinkedPagination:
    """What both paginators share: the response shape, and reading a window of a source
    through its async API (`apage`) or its blocking one (`page`)."""

    count = 0

    def window_size(self, request: PlainRequest) -> int | None:
        """The number of items a page holds, or `None` when the request is not paginated."""
        raise NotImplementedError

    def cut(self, request: PlainRequest, size: int, count: int) -> slice:
        """The window of a collection of `count` items the request asks for."""
        raise NotImplementedError

    async def apaginate_queryset(
        self, queryset: Source[ModelT], request: PlainRequest, view: Any = None, /
    ) -> list[ModelT] | None:
        """Return the requested page, or `None` when the request is not paginated."""
        size = self.window_size(request)
        if size is None:
            return None
        window = self.cut(request, size, await queryset.acount())
        return [item async for item in queryset[window]]

    def paginate_queryset(
        self, queryset: BlockingSource[ModelT], request: PlainRequest, view: Any = None, /
    ) -> list[ModelT] | None:
        """`apaginate_queryset` through the source's blocking calls, for a blocking step."""
        size = self.window_size(request)
        if size is None:
            return None
        return list(queryset[self.cut(request, size, queryset.count())])

    async def apage(self, source: Source[ModelT], request: PlainRequest, /) -> Page[ModelT] | None:
        """Return the requested page with its count and links, or `None` when not paginated."""
        return self._paged(await self.apaginate_queryset(source, request))

    def page(self, source: BlockingSource[ModelT], request: PlainRequest, /) -> Page[ModelT] | None:
        """`apage` through the source's blocking calls, for a blocking step."""
        return self._paged(self.paginate_queryset(source, request))

    def _paged(self, items: list[ModelT] | None) -> Page[ModelT] | None:
        if items is None:
            return None
        return Page(items, self.count, self.get_next_link(), self.get_previous_link())

    def get_next_link(self) -> str | None:
        """Return the link to the next page, or `None`."""
        raise NotImplementedError

    def get_previous_link(self) -> str | None:
        """Return the link to the previous page, or `None`."""
        raise NotImplementedError

    def get_paginated_response(self, data: Any, /) -> Reply:
        """Wrap the page with `count` and the `next`/`previous` links."""
        # The body does not show the items; `()` stands in for them.
        shown: tuple[Any, ...] = ()  # pragma: no mutate
        page: Page[Any] = Page(shown, self.count, self.get_next_link(), self.get_previous_link())
        return reply(HTTPStatus.OK, page.body(data))


class PageNumberPagination(_LinkedPagination):
    """`?page=N` (and `?page=last`), with `count`, `next`, `previous` and `results`."""

    page_size: int | None = 10
    page_query_param = "page"
    page_size_query_param: str | None = None
    max_page_size: int | None = None
    invalid_page_message = "Invalid page."

    def __init__(self) -> None:
        # Placeholders until a page is cut; every one is set before it is read, so
        # mutation testing may not count a changed placeholder as a missed test.
        self.count: int = 0  # pragma: no mutate
        self.number: int = 1  # pragma: no mutate
        self.pages: int = 1  # pragma: no mutate
        self.request: PlainRequest = PlainRequest()  # pragma: no mutate

    def get_page_size(self, request: PlainRequest) -> int | None:
        """Return the size the request asks for within bounds, else `page_size`."""
        if self.page_size_query_param:
            try:
                return positive_int(
                    request.query_params[self.page_size_query_param],
                    strict=True,
                    cutoff=self.max_page_size,
                )
            except (KeyError, ValueError):
                pass
        return self.page_size

    @override
    def window_size(self, request: PlainRequest) -> int | None:
        """The page size; `None` (not paginated) when it is 0 or unset."""
        return self.get_page_size(request) or None

    @override
    def cut(self, request: PlainRequest, size: int, count: int) -> slice:
        """The requested page's window; raise `NotFound` for a page that does not exist."""
        self.request, self.count = request, count
        self.pages = max(1, -(-count // size))
        self.number = self._page_number(request.query_params)
        start = (self.number - 1) * size
        return slice(start, start + size)

    def _page_number(self, params: Mapping[str, str]) -> int:
        raw = params.get(self.page_query_param, "1")
        if raw == "last":
            return self.pages
        try:
            number = positive_int(raw, strict=True)
        except ValueError:
            raise NotFound(self.invalid_page_message) from None
        if number > self.pages:
            raise NotFound(self.invalid_page_message)
        return number

    @override
    def get_next_link(self) -> str | None:
        """Return the link to the next page, or `None` on the last one."""
        if self.number >= self.pages:
            return None
        return self.request.url_with(**{self.page_query_param: self.number + 1})

    @override
    def get_previous_link(self) -> str | None:
        """Return the link to the previous page, or `None` on the first one."""
        if self.number <= 1:
            return None
        previous = self.number - 1 if self.number > 2 else None
        return self.request.url_with(**{self.page_query_param: previous})


class LimitOffsetPagination(_LinkedPagination):
    """`?limit=N&offset=M`, with `count`, `next`, `previous` and `results`."""

    default_limit: int | None = 10
    limit_query_param = "limit"
    offset_query_param = "offset"
    max_limit: int | None = None

    def __init__(self) -> None:
        # Placeholders until a window is cut (see `PageNumberPagination`).
        self.count: int = 0  # pragma: no mutate
        self.limit: int = 0  # pragma: no mutate
        self.offset: int = 0  # pragma: no mutate
        self.request: PlainRequest = PlainRequest()  # pragma: no mutate

    def get_limit(self, request: PlainRequest) -> int | None:
        """Return the requested limit within bounds, else `default_limit`."""
        try:
            return positive_int(
                request.query_params[self.limit_query_param], strict=True, cutoff=self.max_limit
            )
        except (KeyError, ValueError):
            return self.default_limit

    def get_offset(self, request: PlainRequest) -> int:
        """Return the requested offset, or 0 when it is missing or malformed."""
        try:
            return positive_int(request.query_params[self.offset_query_param])
        except (KeyError, ValueError):
            return 0

    @override
    def window_size(self, request: PlainRequest) -> int | None:
        """The limit; `None` (not paginated) when the request has none and there is no default."""
        return self.get_limit(request)

    @override
    def cut(self, request: PlainRequest, size: int, count: int) -> slice:
        """The requested window; past the end it is empty, as in DRF."""
        self.request, self.limit, self.offset = request, size, self.get_offset(request)
        self.count = count
        return slice(self.offset, self.offset + size)

    @override
    def get_next_link(self) -> str | None:
        """Return the link to the next window, or `None` at the end."""
        if self.offset + self.limit >= self.count:
            return None
        return self.request.url_with(
            **{
                self.limit_query_param: self.limit,
                self.offset_query_param: self.offset + self.limit,
            }
        )

    @override
    def get_previous_link(self) -> str | None:
        """Return the link to the previous window, or `None` at the start."""
        if self.offset <= 0:
            return None
        previous = max(0, self.offset - self.limit) or None
        return self.request.url_with(
            **{self.limit_query_param: self.limit, self.offset_query_param: previous}
        )
