"""DRF's paginators, with `apaginate_queryset` counting and fetching through the async ORM,
and `FastPageNumberPagination`, which pages without counting.

Settings (`PAGE_SIZE`), query parameters, error messages and response shapes are DRF's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Page
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from typing_extensions import override

ResultT = TypeVar("ResultT")

__all__ = [
    "BasePagination",
    "CursorPagination",
    "FastPageNumberPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
]

# Past this offset no database pages: SQLite and PostgreSQL take 64-bit offsets.
_LARGEST_OFFSET = 2**62


async def on_thread_if_queryset(queryset: Any, work: Callable[..., ResultT], *args: Any) -> ResultT:
    """Run `work(*args)` in a thread when `queryset` is a queryset, else right here."""
    if isinstance(queryset, QuerySet):
        return await sync_to_async(work)(*args)
    return work(*args)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N` (or `last`), with `count`, `next`, `previous` and `results`."""

    request: Request | None
    page: Page[Any] | None

    async def apaginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the requested page; raise DRF's 404 "Invalid page." for a missing one."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        # Counting, choosing the page and fetching its rows (with their prefetches) make one
        # thread hop together; a list needs none.
        rows = await on_thread_if_queryset(queryset, self._cut_page, paginator, request)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows

    def _cut_page(self, paginator: Any, request: Request) -> list[Any]:
        page_number = self.get_page_number(request, paginator)
        try:
            page = paginator.page(page_number)
        except InvalidPage as exc:
            message = self.invalid_page_message.format(page_number=page_number, message=str(exc))
            raise NotFound(message) from None
        rows = list(page.object_list)
        page.object_list = rows
        self.page = page
        return rows


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=N&offset=M`, with `count`, `next`, `previous` and `results`."""

    request: Request | None
    limit: int | None
    offset: int | None
    count: int | None

    async def apaginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the requested window; past the end it is empty, as in DRF."""
        self.request = request
        limit = self.get_limit(request)
        if limit is None:
            return None
        offset = self.get_offset(request)
        self.limit, self.offset = limit, offset
        # The count and the window's rows come back from one thread hop.
        count, rows = await on_thread_if_queryset(
            queryset, self._cut_window, queryset, limit, offset
        )
        self.count = count
        if count > limit and self.template is not None:
            self.display_page_controls = True
        return rows

    def _cut_window(self, queryset: Any, limit: int, offset: int) -> tuple[int, list[Any]]:
        count = self.get_count(queryset)
        if count == 0 or offset > count:
            return count, []
        return count, list(queryset[offset : offset + limit])


class CursorPagination(pagination.CursorPagination):
    """Opaque `?cursor=` links over a fixed ordering, for large or changing tables."""

    async def apaginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the page the cursor points at; raise DRF's 404 "Invalid cursor" for a bad one."""
        # DRF's cursor arithmetic issues one query for the page; it runs in one thread hop.
        try:
            page: list[Any] | None = await sync_to_async(self.paginate_queryset)(
                queryset, request, view
            )
        except (ValidationError, ValueError, TypeError, ArithmeticError):
            # A tampered cursor whose position does not fit the ordering field (text for a
            # decimal, say) would reach the database as a bad value; it is just a bad cursor.
            raise NotFound(self.invalid_cursor_message) from None
        return page


class BasePagination(pagination.BasePagination):
    """DRF's `BasePagination` with `apaginate_queryset`: write a sync `paginate_queryset`
    (restflow's views run it in the list's thread hop), or override the async one."""

    async def apaginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the page: `paginate_queryset`, in a thread."""
        page: list[Any] | None = await sync_to_async(self.paginate_queryset)(
            queryset, request, view
        )
        return page


class FastPageNumberPagination(pagination.PageNumberPagination):
    """`?page=N` without counting: `next`, `previous` and `results`, and no `count`.

    It reads one row past the page to know whether a next page exists: one query per page,
    and no `COUNT(*)` over a large table. `page_size`, `page_query_param`,
    `page_size_query_param` and `max_page_size` work as in DRF's `PageNumberPagination`.
    A page number that is not a positive integer, and an empty page after the first, are
    404 "Invalid page.".
    """

    request: Request | None
    page_number: int = 1
    has_next: bool = False

    @override
    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the requested page, from sync code."""
        window = self._window(request)
        if window is None:
            return None
        return self._take(list(queryset[window]), window)

    async def apaginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """Return the requested page, read through the async ORM in one query."""
        window = self._window(request)
        if window is None:
            return None
        cut = queryset[window]
        rows = [row async for row in cut] if isinstance(cut, QuerySet) else list(cut)
        return self._take(rows, window)

    def _window(self, request: Request) -> slice | None:
        """The rows to read for the requested page: the page and one row past it."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        # No database pages past a 64-bit offset: a larger page is every row there is.
        page_size = min(page_size, _LARGEST_OFFSET)
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        start = (number - 1) * page_size
        if number < 1 or start > _LARGEST_OFFSET:
            raise NotFound(self._invalid_page(raw, "That page number is not valid"))
        self.page_number = number
        return slice(start, start + page_size + 1)

    def _take(self, rows: list[Any], window: slice) -> list[Any]:
        page_size = window.stop - window.start - 1
        self.has_next = len(rows) > page_size
        if not rows and self.page_number > 1:
            raise NotFound(self._invalid_page(self.page_number, "That page contains no results"))
        return rows[:page_size]

    def _invalid_page(self, page_number: object, message: str) -> str:
        return str(self.invalid_page_message).format(page_number=page_number, message=message)

    @override
    def get_next_link(self) -> str | None:
        """The next page's URL, when the page read found a row past itself."""
        if not self.has_next:
            return None
        url = self._url()
        return replace_query_param(url, self.page_query_param, self.page_number + 1)

    @override
    def get_previous_link(self) -> str | None:
        """The previous page's URL; the first page's has no page parameter, as in DRF."""
        if self.page_number <= 1:
            return None
        url = self._url()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def _url(self) -> str:
        if self.request is None:
            raise AssertionError("paginate a queryset before asking for its links")
        return self.request.build_absolute_uri()

    @override
    def get_paginated_response(self, data: Any) -> Response:
        """`{"next": ..., "previous": ..., "results": [...]}`."""
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    @override
    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The OpenAPI schema of a page: `next`, `previous` and `results`."""
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }
