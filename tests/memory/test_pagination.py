"""Page-number and limit/offset pagination edges."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from restflow_core import NotFound
from restflow_memory import LimitOffsetPagination, MemoryRequest, MemoryStore, PageNumberPagination


@dataclass
class Row:
    """A numbered row."""

    n: int
    id: int | None = None


async def rows(count: int) -> MemoryStore[Row]:
    """A store of `count` rows."""
    store = MemoryStore[Row]()
    for n in range(count):
        await store.asave(Row(n))
    return store


def request(**params: str) -> MemoryRequest:
    """A GET on `/rows/` with `params`."""
    return MemoryRequest(path="/rows/", query_params=params)


class Pages(PageNumberPagination):
    """Three rows a page."""

    page_size = 3


class TestPageNumberPagination:
    async def test_last_page_keyword(self) -> None:
        """`?page=last` is the final page."""
        paginator = Pages()

        page = await paginator.apaginate_queryset((await rows(7)).all(), request(page="last"))

        assert [row.n for row in page or []] == [6]
        assert paginator.get_paginated_response([]).body["previous"] == "/rows/?page=2"

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "9999999999999999999999", "1.5", "3"])
    async def test_bad_and_missing_pages_raise_not_found(self, page: str) -> None:
        """Pages that are not positive integers within range are 404."""
        with pytest.raises(NotFound, match="Invalid page"):
            await Pages().apaginate_queryset((await rows(6)).all(), request(page=page))

    async def test_no_page_size_means_no_pagination(self) -> None:
        """A paginator without a page size returns `None`."""

        class Unpaged(PageNumberPagination):
            page_size = None

        assert await Unpaged().apaginate_queryset((await rows(3)).all(), request()) is None

    async def test_links_keep_other_query_parameters(self) -> None:
        """`next` keeps filters and changes only the page."""
        paginator = Pages()

        await paginator.apaginate_queryset((await rows(7)).all(), request(search="x"))

        assert paginator.get_next_link() == "/rows/?search=x&page=2"
        assert paginator.get_previous_link() is None


class TestLimitOffsetPagination:
    async def test_window_and_links(self) -> None:
        """`limit` and `offset` pick the window; links step by `limit`."""
        paginator = LimitOffsetPagination()

        page = await paginator.apaginate_queryset(
            (await rows(10)).all(), request(limit="3", offset="4")
        )
        body = paginator.get_paginated_response([row.n for row in page or []]).body

        assert body == {
            "count": 10,
            "next": "/rows/?limit=3&offset=7",
            "previous": "/rows/?limit=3&offset=1",
            "results": [4, 5, 6],
        }

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"limit": "-3"}, [0, 1]),
            ({"limit": "abc", "offset": "x"}, [0, 1]),
            ({"limit": "100"}, [0, 1, 2, 3, 4]),
            ({"offset": "-5"}, [0, 1]),
            ({"offset": "50"}, []),
        ],
    )
    async def test_bad_values_fall_back_like_drf(
        self, params: dict[str, str], expected: list[int]
    ) -> None:
        """Malformed values use defaults, limits are capped, and past the end is empty."""
        paginator = LimitOffsetPagination()
        paginator.default_limit = 2
        paginator.max_limit = 5

        page = await paginator.apaginate_queryset((await rows(10)).all(), request(**params))

        assert [row.n for row in page or []] == expected


class TestEdges:
    async def test_offset_zero_is_the_first_window_and_limit_zero_is_ignored(self) -> None:
        """`?offset=0` is the start, not a malformed value; `?limit=0` falls back."""
        paginator = LimitOffsetPagination()
        paginator.default_limit = 2

        first = await paginator.apage((await rows(5)).all(), request(offset="0", limit="3"))
        fallback = await paginator.apage((await rows(5)).all(), request(offset="1", limit="0"))

        assert first is not None
        assert [row.n for row in first.items] == [0, 1, 2]
        assert first.next == "/rows/?offset=3&limit=3"
        assert first.previous is None
        assert fallback is not None
        assert [row.n for row in fallback.items] == [1, 2]

    async def test_page_size_zero_never_returns_the_whole_table(self) -> None:
        """`?page_size=0` is not a size: the page keeps the configured one."""

        class Sized(Pages):
            page_size_query_param = "page_size"

        page = await Sized().apage((await rows(7)).all(), request(page_size="0"))

        assert page is not None
        assert [row.n for row in page.items] == [0, 1, 2]
        assert (page.count, page.next, page.previous) == (7, "/rows/?page_size=0&page=2", None)

    async def test_links_from_the_middle_page(self) -> None:
        """Page 2 of 3 links to page 3 and back to the first page (without `page=1`)."""
        page = await Pages().apage((await rows(7)).all(), request(page="2"))

        assert page is not None
        assert (page.next, page.previous) == ("/rows/?page=3", "/rows/")
