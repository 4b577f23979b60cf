"""DRF's paginators, with `apaginate_queryset` counting and fetching through the async ORM.

Settings (`PAGE_SIZE`), query parameters, error messages and response shapes are DRF's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

ResultT = TypeVar("ResultT")

__all__ = ["CursorPagination", "LimitOffsetPagination", "PageNumberPagination"]


async def on_thread_if_queryset(queryset: Any, work: Callable[..., ResultT], *args: Any) -> ResultT:
    """Run `work(*args)` in a thread when `queryset` is a queryset, else right here."""
    if isinstance(queryset, QuerySet):
        return await sync_to_async(work)(*args)
    return work(*args)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N` (or `last`), with `count`, `next`, `previous` and `results`."""

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
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            message = self.invalid_page_message.format(page_number=page_number, message=str(exc))
            raise NotFound(message) from None
        rows = list(self.page.object_list)
        self.page.object_list = rows
        return rows


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=N&offset=M`, with `count`, `next`, `previous` and `results`."""

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
