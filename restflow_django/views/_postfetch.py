"""`PostFetch`: attach related rows to a page of objects after pagination."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured
from django.db.models import QuerySet

_NOT_GIVEN: Any = object()


class PostFetch:
    """Loads the related rows of one page's objects in one query, and attaches them.

    Declare the join in either of two forms:

    - `PostFetch(Review.objects.all(), "latest_review", ["id", "rating"], order_by=
      ["-created_at"], product_id="id")`: each keyword matches a field of the loaded rows
      to a field of the page's objects (several keywords match on all of them); `values`
      and `values_dict` load dicts (`queryset.values(*values, **values_dict)`, the match
      fields added) instead of model instances; `limit=1` (the default) attaches the first
      match or `None`, `limit=N` a list of at most N, `limit=None` every match; `order_by`
      decides which come first;
    - `PostFetch(Review.objects.all(), attr="reviews", to_field="product_id")`: the rows
      whose `to_field` is among the page's `from_field` values (`pk` by default), as a list
      (`many=True`, the default) or the first one (`many=False`).

    The page's objects may be model instances (the attribute is set) or dicts (the key is).
    Or subclass it and override `async def afetch(self, items)`, or a sync
    `def fetch(self, items)` (restflow runs it in a thread), to change the rows your way.
    """

    def __init__(
        self,
        queryset: QuerySet[Any] | None = None,
        to_attr: str | None = None,
        values: Sequence[str] | None = None,
        values_dict: Mapping[str, Any] | None = None,
        limit: int | None = _NOT_GIVEN,
        order_by: Sequence[str] | None = None,
        *,
        attr: str | None = None,
        to_field: str | None = None,
        from_field: str = "pk",
        many: bool | None = None,
        **queries: str,
    ) -> None:
        if (attr is not None or to_field is not None) and (to_attr is not None or queries):
            raise TypeError(
                "PostFetch takes `to_attr` with match keywords, or `attr` with `to_field`, not both"
            )
        if limit is not _NOT_GIVEN and many is not None:
            raise TypeError("PostFetch takes `limit` or `many`, not both")
        self.queryset: QuerySet[Any] | None = queryset
        self.attr: str | None = to_attr if to_attr is not None else attr
        self.matches: dict[str, str] = dict(queries)
        if to_field is not None:
            self.matches = {to_field: from_field}
        self.values: list[str] | None = list(values) if values is not None else None
        self.values_dict: dict[str, Any] = dict(values_dict or {})
        self.order_by: list[str] = list(order_by or ())
        if limit is _NOT_GIVEN:
            # drf-restflow's form attaches one row by default; restflow's, every row.
            limit = 1 if (to_field is None and many is None) or many is False else None
        if limit is not None and (isinstance(limit, bool) or limit < 1):
            raise ValueError(f"PostFetch's limit is a positive integer or None, not {limit!r}")
        self.limit: int | None = limit

    def fetch(self, items: list[Any]) -> list[Any]:
        """Attach the related rows to `items` from sync code; return the page's rows.

        `items` may also be a queryset: its rows are read once.
        """
        rows = list(items)
        loaded = self._query(rows)
        return self._attach(rows, [] if loaded is None else list(loaded))

    async def afetch(self, items: list[Any]) -> list[Any]:
        """Attach the related rows to `items` and return the page's rows (`items` may also be
        a queryset).

        A subclass's sync `fetch` runs instead, in a thread.
        """
        if type(self).fetch is not PostFetch.fetch:
            fetched: list[Any] = await sync_to_async(self.fetch)(items)
            return fetched
        given: Any = items
        rows = [item async for item in given] if isinstance(given, QuerySet) else list(given)
        loaded = self._query(rows)
        return self._attach(rows, [] if loaded is None else [row async for row in loaded])

    def _query(self, rows: list[Any]) -> QuerySet[Any] | None:
        """The query for `rows`' related rows, or `None` when no row has a key to match."""
        if self.queryset is None or self.attr is None or not self.matches:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs a queryset, an attribute to attach to "
                "(`to_attr` or `attr`) and a match (keywords or `to_field`), or an override "
                "of `afetch` or `fetch`."
            )
        keys = {key for key in map(self._base_key, rows) if key is not None}
        if not keys:
            return None
        lookups = {
            f"{field}__in": {key[index] for key in keys} for index, field in enumerate(self.matches)
        }
        try:
            query = self.queryset.filter(**lookups)
            if self.order_by:
                query = query.order_by(*self.order_by)
            if self.values is not None or self.values_dict:
                named = self.values or []
                fields = [*named, *(field for field in self.matches if field not in named)]
                query = query.values(*fields, **self.values_dict)
        except FieldError as error:
            raise ImproperlyConfigured(
                f"PostFetch for {self.attr!r} matches on {sorted(self.matches)} of "
                f"{self.queryset.model.__name__}: {error}"
            ) from None
        return query

    def _base_key(self, item: Any) -> tuple[Any, ...] | None:
        key = tuple(_read(item, field, self.attr) for field in self.matches.values())
        return None if any(part is None for part in key) else key

    def _attach(self, rows: list[Any], loaded: list[Any]) -> list[Any]:
        found: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        names = [self._loaded_name(field) for field in self.matches]
        for row in loaded:
            found[tuple(_read(row, name, self.attr) for name in names)].append(row)
        for item in rows:
            key = self._base_key(item)
            matched = found.get(key, []) if key is not None else []
            _write(item, str(self.attr), self._pick(matched))
        return rows

    def _loaded_name(self, field: str) -> str:
        """The name a match field has on the loaded rows: a foreign key's column for models."""
        if self.values is not None or self.values_dict or self.queryset is None:
            return field
        try:
            return str(self.queryset.model._meta.get_field(field).attname)
        except (FieldDoesNotExist, AttributeError):
            return field

    def _pick(self, matched: list[Any]) -> Any:
        if self.limit == 1:
            return matched[0] if matched else None
        return matched if self.limit is None else matched[: self.limit]


def _read(item: Any, field: str, attr: str | None) -> Any:
    try:
        return item[field] if isinstance(item, Mapping) else getattr(item, field)
    except (KeyError, AttributeError):
        raise ImproperlyConfigured(
            f"PostFetch for {attr!r} matches on {field!r}, which {type(item).__name__} "
            f"{item!r} does not have"
        ) from None


def _write(item: Any, attr: str, value: Any) -> None:
    if isinstance(item, dict):
        item[attr] = value
    else:
        setattr(item, attr, value)


async def aapply_post_fetches(
    items: Iterable[Any], post_fetches: Sequence[PostFetch] | None
) -> list[Any]:
    """Run each post-fetch over `items`, in order, and return the resulting rows."""
    rows = list(items)
    for post_fetch in post_fetches or ():
        rows = await post_fetch.afetch(rows)
    return rows
