"""`PostFetch`: attach related rows to a page of objects after pagination."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class PostFetch:
    """Loads extra rows for the objects of one page, in one query, and attaches them.

    Subclass and override `async def afetch(self, items)` (or a sync `def fetch(self, items)`,
    run in a thread) to mutate and return the page's rows. Or declare the join:
    `PostFetch(Review.objects.all(), attr="reviews", to_field="product_id")` loads the
    reviews whose `product_id` is among the page's `pk`s and sets `item.reviews` to the
    list of them (`many=False` sets the single row, or `None`).
    """

    def __init__(
        self,
        queryset: QuerySet[Any] | None = None,
        *,
        attr: str | None = None,
        to_field: str | None = None,
        from_field: str = "pk",
        many: bool = True,
    ) -> None:
        self.queryset = queryset
        self.attr = attr
        self.to_field = to_field
        self.from_field = from_field
        self.many = many

    def fetch(self, items: list[Any]) -> list[Any]:
        """Attach rows to `items` synchronously; runs in a thread. Override this or `afetch`."""
        raise NotImplementedError

    async def afetch(self, items: list[Any]) -> list[Any]:
        """Attach the related rows to `items` and return them."""
        if type(self).fetch is not PostFetch.fetch:
            fetched: list[Any] = await sync_to_async(self.fetch)(items)
            return fetched
        if self.queryset is None or self.attr is None or self.to_field is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs `queryset`, `attr` and `to_field`, "
                "or an override of `afetch` or `fetch`."
            )
        keys = {getattr(item, self.from_field) for item in items}
        rows: dict[Any, list[Any]] = defaultdict(list)
        if keys:
            async for row in self.queryset.filter(**{f"{self.to_field}__in": keys}):
                rows[getattr(row, self.to_field)].append(row)
        for item in items:
            found = rows.get(getattr(item, self.from_field), [])
            setattr(item, self.attr, found if self.many else (found[0] if found else None))
        return items


async def aapply_post_fetches(
    items: Iterable[Any], post_fetches: Sequence[PostFetch] | None
) -> list[Any]:
    """Run each post-fetch over `items`, in order, and return the resulting rows."""
    rows = list(items)
    for post_fetch in post_fetches or ():
        rows = await post_fetch.afetch(rows)
    return rows
