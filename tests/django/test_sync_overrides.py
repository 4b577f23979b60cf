"""A sync hook overridden on a subclass of restflow's paginators, filters or throttles runs.

restflow calls its async twin (`apaginate_queryset`, `afilter_queryset`, `aallow_request`)
where DRF calls the sync hook; an override of the sync hook must not be skipped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet
from rest_framework.request import Request
from typing_extensions import override

from restflow_django.filters import SearchFilter
from restflow_django.pagination import LimitOffsetPagination, PageNumberPagination
from restflow_django.test import AsyncAPIRequestFactory
from restflow_django.throttling import AsyncAnonRateThrottle
from restflow_django.views import AsyncReadOnlyModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


class FirstRowOfThePage(PageNumberPagination):
    """Keeps only the first row of each page."""

    page_size = 3

    @override
    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        page = super().paginate_queryset(queryset, request, view)
        return None if page is None else page[:1]


class FirstRowOfTheWindow(LimitOffsetPagination):
    """Keeps only the first row of each window."""

    default_limit = 3

    @override
    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        window = super().paginate_queryset(queryset, request, view)
        return None if window is None else window[:1]


class OnlyNamesStartingWithS(SearchFilter):
    """Ignores `?search=` and keeps names starting with S."""

    @override
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        return queryset.filter(name__startswith="S")


class Closed(AsyncAnonRateThrottle):
    """Refuses every request, and asks for a seven-second wait."""

    rate = "100/min"

    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        return False

    @override
    def wait(self) -> float:
        return 7


async def listed(**attrs: Any) -> Any:
    """GET a product list view with `attrs`, over the saw, the drill and the sander."""
    for name in ("Saw", "Drill", "Sander"):
        await Product.objects.acreate(name=name, price=Decimal(1))
    viewset: Any = type(
        "Products",
        (AsyncReadOnlyModelViewSet,),
        {"queryset": Product.objects.all(), "serializer_class": ProductSerializer, **attrs},
    )
    view: Any = viewset.as_view({"get": "list"})
    response = await view(AsyncAPIRequestFactory().get("/"))
    response.render()
    return response


class TestOverriddenSyncHooksRun:
    @pytest.mark.parametrize("paginator", [FirstRowOfThePage, FirstRowOfTheWindow])
    async def test_paginate_queryset_override(self, paginator: type[Any]) -> None:
        """The override trims the page; the count is still the whole table's."""
        response = await listed(pagination_class=paginator)

        assert response.data["count"] == 3
        assert [row["name"] for row in response.data["results"]] == ["Saw"]

    async def test_filter_queryset_override(self) -> None:
        """The filter backend's own `filter_queryset` decides the rows."""
        response = await listed(filter_backends=(OnlyNamesStartingWithS,))

        assert [row["name"] for row in response.data] == ["Saw", "Sander"]

    async def test_allow_request_override(self) -> None:
        """The throttle's own `allow_request` refuses: 429 with its wait."""
        response = await listed(throttle_classes=(Closed,))

        assert (response.status_code, response["Retry-After"]) == (429, "7")
