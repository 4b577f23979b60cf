"""DRF's search and ordering filters, usable from async views without a thread hop.

Any other DRF filter backend (django-filter's `DjangoFilterBackend` included) works too: async
views run sync backends in a thread.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import filters
from rest_framework.request import Request

__all__ = ["OrderingFilter", "SearchFilter"]


class SearchFilter(filters.SearchFilter):
    """`?search=` over the view's `search_fields`."""

    async def afilter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        """Narrow `queryset`; building the lazy query touches no database, so no thread."""
        return self.filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=` over the view's `ordering_fields`; unknown fields are ignored."""

    async def afilter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        """Order `queryset`; building the lazy query touches no database, so no thread."""
        return self.filter_queryset(request, queryset, view)
