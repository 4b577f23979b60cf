"""Search over any store that can match "any of these lookups", with DRF's rules.

`SearchFilter` reads `?search=`, splits it into terms as DRF does (whitespace and commas
separate terms; a quoted phrase is one term, its quotes removed), and keeps the objects
where every term matches at least one of the resource's `search_fields`. A field's prefix
picks the lookup, as in DRF: `^` starts with, `=` equals, `$` matches a regular
expression, `@` full-text search; no prefix means "contains"; every lookup ignores case.
The store's query answers `filter_any(**lookups)` (see `Searchable`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, Self, TypeVar

from restflow_core.errors import ValidationFailed

QueryT = TypeVar("QueryT", bound="Searchable")

# A run of unquoted characters and quoted stretches, or any run of non-blanks.
_TERM = re.compile(r"""((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)""")


class Searchable(Protocol):
    """A query that keeps the objects matching at least one of several lookups."""

    def filter_any(self, **lookups: Any) -> Self:
        """Narrow to the objects that match any one of `lookups` (`title__icontains="x"`)."""
        ...


def search_terms(text: str) -> list[str]:
    """The terms of a search, split by DRF's rules."""
    terms: list[str] = []
    for match in _TERM.finditer(text):
        term = match.group(0).strip(",")
        if term[:1] in ("'", '"') and term[0] == term[-1]:
            quote = term[0]
            terms.append(term[1:-1].replace(f"\\{quote}", quote).replace("\\\\", "\\"))
        else:
            terms.extend(part.strip() for part in term.split(",") if part)
    return terms


class SearchFilter:
    """`?search=` over the resource's `search_fields`, with DRF's terms and prefixes."""

    search_param = "search"
    lookup_prefixes: ClassVar[Mapping[str, str]] = {
        "^": "istartswith",
        "=": "iexact",
        "@": "search",
        "$": "iregex",
    }
    default_lookup = "icontains"

    def get_search_terms(self, request: Any) -> list[str]:
        """The request's search terms; a null character is a 400, as in DRF."""
        value = str(request.query_params.get(self.search_param, ""))
        if "\x00" in value:
            raise ValidationFailed(["Null characters are not allowed."])
        return search_terms(value)

    def construct_search(self, field_name: str) -> str:
        """The lookup one search field stands for: `^title` is `title__istartswith`."""
        lookup = self.lookup_prefixes.get(field_name[:1])
        if lookup is not None:
            return f"{field_name[1:]}__{lookup}"
        return f"{field_name}__{self.default_lookup}"

    def filter_queryset(self, request: Any, queryset: QueryT, view: Any, /) -> QueryT:
        """Keep the objects where every term matches one of the view's `search_fields`."""
        fields: Sequence[str] = getattr(view, "search_fields", ())
        terms = self.get_search_terms(request)
        if not fields or not terms:
            return queryset
        lookups = [self.construct_search(field) for field in fields]
        for term in terms:
            queryset = queryset.filter_any(**dict.fromkeys(lookups, term))
        return queryset
