"""Views at the seams: `ActionConfig` lists left empty, throttles that are misconfigured,
pages too large for a database, and sync hooks that query.

DRF's own views are the oracle where DRF has the behaviour. The module runs on SQLite and,
in `dev.py test`, on PostgreSQL.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import include, path
from rest_framework import permissions, throttling, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from typing_extensions import override

from restflow_django.pagination import FastPageNumberPagination
from restflow_django.test import AsyncAPIClient
from restflow_django.views import ActionConfig, AsyncAPIView, AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


class NoneShallPass(throttling.BaseThrottle):
    """Refuses every request."""

    @override
    def allow_request(self, request: Any, view: Any) -> bool:
        return False


class Guarded(AsyncModelViewSet[Product]):
    """Signed-in users only, every request throttled; the list opens both up."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = (permissions.IsAuthenticated,)
    throttle_classes = (NoneShallPass,)
    action_configs = {  # noqa: RUF012
        "list": ActionConfig(permission_classes=[], throttle_classes=[]),
        "create": ActionConfig(permission_classes=[], throttle_classes=[], parser_classes=[]),
        "retrieve": ActionConfig(permission_classes=[], throttle_classes=[], renderer_classes=[]),
    }


class DrfNoParsers(viewsets.ModelViewSet[Product]):
    """`parser_classes=[]` as DRF's attribute: the oracle."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = ()
    parser_classes = ()


class DrfNoRenderers(viewsets.ModelViewSet[Product]):
    """`renderer_classes=[]` as DRF's attribute: the oracle."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = ()
    renderer_classes = ()


class Unrated(throttling.ScopedRateThrottle):
    """A scoped throttle whose rates name no `orders` scope."""

    THROTTLE_RATES = {"other": "5/min"}  # noqa: RUF012


class Malformed(throttling.ScopedRateThrottle):
    """A scoped throttle whose `orders` rate cannot be read."""

    THROTTLE_RATES = {"orders": "five a minute"}  # noqa: RUF012


class Buggy(throttling.BaseThrottle):
    """A throttle with a bug of its own."""

    @override
    def allow_request(self, request: Any, view: Any) -> bool:
        return bool(request.no_such_attribute)


class Orders(AsyncModelViewSet[Product]):
    """Writes guarded by a throttle chosen per test."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    throttle_scope = "orders"


class Everything(AsyncModelViewSet[Product]):
    """Pages without counting, with no `max_page_size`."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer

    class pagination_class(FastPageNumberPagination):  # DRF's attribute name
        page_size = 2
        page_size_query_param = "page_size"


router = SimpleRouter()
router.register("guarded", Guarded, basename="guarded")
router.register("everything", Everything, basename="everything")
router.register("orders", Orders, basename="orders")
drf_router = SimpleRouter()
drf_router.register("no-parsers", DrfNoParsers, basename="drf-no-parsers")
drf_router.register("no-renderers", DrfNoRenderers, basename="drf-no-renderers")

urlpatterns = [
    path("", include(router.urls)),
    path("drf/", include(drf_router.urls)),
]


async def count() -> int:
    """How many products are stored."""
    return await Product.objects.acount()


class TestEmptyActionConfigLists:
    async def test_empty_permission_and_throttle_lists_open_the_action(
        self, client: AsyncAPIClient
    ) -> None:
        """`permission_classes=[]` and `throttle_classes=[]` mean none, as in DRF; the
        viewset's rules still guard the other actions."""
        saw = await Product.objects.acreate(name="Saw", price=1)

        listed = await client.get("/guarded/")
        destroyed = await client.delete(f"/guarded/{saw.pk}/")

        assert listed.status_code == 200
        assert [row["name"] for row in listed.json()] == ["Saw"]
        assert destroyed.status_code in (401, 403)
        assert await count() == 1

    async def test_an_empty_parser_list_parses_nothing_as_in_drf(
        self, client: AsyncAPIClient
    ) -> None:
        """`parser_classes=[]`: the body is refused with DRF's 415, and nothing is stored."""
        drf = await sync_to_async(Client().post)(
            "/drf/no-parsers/", {"name": "Saw", "price": "1"}, content_type="application/json"
        )

        ours = await client.post("/guarded/", {"name": "Saw", "price": "1"})

        assert drf.status_code == 415
        assert (ours.status_code, ours.json()) == (415, drf.json())
        assert await count() == 0

    async def test_an_empty_renderer_list_renders_as_in_drf(self, client: AsyncAPIClient) -> None:
        """`renderer_classes=[]`: DRF's answer for a view with no renderer."""
        saw = await Product.objects.acreate(name="Saw", price=1)
        drf_client = Client(raise_request_exception=False)
        ours_client = AsyncAPIClient(raise_request_exception=False)

        drf = await sync_to_async(drf_client.get)(f"/drf/no-renderers/{saw.pk}/")
        ours = await ours_client.get(f"/guarded/{saw.pk}/")

        assert ours.status_code == drf.status_code


class TestMisconfiguredThrottles:
    @pytest.mark.parametrize("throttle", [Unrated, Malformed, Buggy])
    async def test_a_misconfigured_throttle_is_a_500_and_writes_nothing(
        self, throttle: type[throttling.BaseThrottle], caplog: pytest.LogCaptureFixture
    ) -> None:
        """A scope with no rate, an unreadable rate or a throttle's own bug is an error, as
        in DRF, never taken for a cache outage that lets the write through."""
        Orders.throttle_classes = (throttle,)
        client = AsyncAPIClient(raise_request_exception=False)
        try:
            with caplog.at_level(logging.ERROR):
                response = await client.post("/orders/", {"name": "Saw", "price": "1"})
        finally:
            Orders.throttle_classes = ()

        assert response.status_code == 500
        assert await count() == 0
        assert "could not count the request" not in caplog.text

    async def test_drfs_test_throttle_scope_with_restflow_views(self) -> None:
        """DRF's `tests/test_decorators.py::test_throttle_scope`, its function views written
        as restflow views: one request a day per scope, none without a scope, and a scope
        with no rate raises `ImproperlyConfigured`."""

        class OncePerDayScopedThrottle(throttling.ScopedRateThrottle):
            THROTTLE_RATES = {"x": "1/day"}  # noqa: RUF012

        def scoped(scope: str | None) -> Any:
            class View(AsyncAPIView):
                throttle_classes = (OncePerDayScopedThrottle,)
                throttle_scope = scope

                async def get(self, request: Request) -> Response:
                    return Response({})

            return View.as_view()

        from restflow_django.test import AsyncAPIRequestFactory

        request = AsyncAPIRequestFactory().get("/")
        await sync_to_async(lambda: OncePerDayScopedThrottle.cache.clear())()

        assert (await scoped("x")(request)).status_code == 200
        assert (await scoped("x")(request)).status_code == 429
        assert (await scoped(None)(request)).status_code == 200
        with pytest.raises(ImproperlyConfigured):
            await scoped("invalid scope")(request)


class TestHugePages:
    async def test_the_largest_page_size_is_every_row(self, client: AsyncAPIClient) -> None:
        """`?page_size=9223372036854775807` with no `max_page_size` answers 200 with every
        row, as DRF's paginator does."""
        for name in ("a", "b", "c"):
            await Product.objects.acreate(name=name, price=Decimal(1))

        response = await client.get("/everything/", {"page_size": str(2**63 - 1)})

        assert response.status_code == 200
        assert [row["name"] for row in response.json()["results"]] == ["a", "b", "c"]
        assert response.json()["next"] is None
