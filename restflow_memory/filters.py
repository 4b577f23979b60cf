"""Filter backends for memory resources: exact fields, search and ordering.

Search is the core's `SearchFilter` (DRF's terms and prefixes); memory queries answer its
`filter_any`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from restflow_core.filters import SearchFilter
from restflow_memory._access import read_path
from restflow_memory.requests import MemoryRequest
from restflow_memory.store import MemoryQuery, Predicate

__all__ = ["FieldFilter", "OrderingFilter", "SearchFilter"]

ModelT = TypeVar("ModelT")


def _equals_text(path: str, text: str) -> Predicate:
    return lambda obj: str(read_path(obj, path)) == text


class FieldFilter:
    """`?name=value` keeps objects whose field, as text, equals `value`.

    Only fields listed in the resource's `filterset_fields` are considered.
    """

    def filter_queryset(
        self, request: MemoryRequest, queryset: MemoryQuery[ModelT], view: Any, /
    ) -> MemoryQuery[ModelT]:
        """Return `queryset` narrowed to the requested field values."""
        for name in getattr(view, "filterset_fields", ()):
            if name in request.query_params:
                wanted = request.query_params[name]
                queryset = queryset.filter(_equals_text(name, wanted))
        return queryset


class OrderingFilter:
    """`?ordering=-price,name` sorts by the listed fields that `ordering_fields` allows.

    Fields outside `ordering_fields` are ignored, as in DRF; with none valid, the
    resource's `ordering` applies.
    """

    ordering_param = "ordering"

    def filter_queryset(
        self, request: MemoryRequest, queryset: MemoryQuery[ModelT], view: Any, /
    ) -> MemoryQuery[ModelT]:
        """Return `queryset` sorted as the request, or the resource, asks."""
        allowed: Sequence[str] = getattr(view, "ordering_fields", ())
        asked = request.query_params.get(self.ordering_param, "").split(",")
        valid = [term.strip() for term in asked if term.strip().removeprefix("-") in allowed]
        ordering = valid or list(getattr(view, "ordering", ()))
        return queryset.order_by(*ordering) if ordering else queryset
