"""Throttles of the user's own on restflow's bases: `BaseThrottle.aallow_request` and
`SimpleRateThrottle`, awaited by the views (drf-restflow 2.0's async throttle bases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from restflow_django.test import AsyncAPIClient
from restflow_django.throttling import BaseThrottle, SimpleRateThrottle
from restflow_django.views import AsyncAPIView

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


class ClosedWhileTheNightGroupExists(BaseThrottle):
    """Asks the async ORM."""

    @override
    async def aallow_request(self, request: Request, view: Any) -> bool:
        return not await Group.objects.filter(name="night").aexists()

    @override
    def wait(self) -> float:
        return 60.0


class RefusesTheDrfWay(BaseThrottle):
    """A sync `allow_request`, written as for DRF."""

    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        return request.headers.get("X-Let-Me") == "in"


class TwoPerKey(SimpleRateThrottle):
    """Two requests a minute for each API key."""

    rate = "2/min"

    @override
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.headers.get("X-Api-Key")
        return None if key is None else self.cache_format % {"scope": "key", "ident": key}


def guarded(*throttles: type[Any]) -> Any:
    class Guarded(AsyncAPIView):
        throttle_classes = throttles

        async def get(self, request: Request) -> Response:
            return Response({"ok": True})

    return Guarded.as_view()


urlpatterns = [
    path("night/", guarded(ClosedWhileTheNightGroupExists)),
    path("drf-way/", guarded(RefusesTheDrfWay)),
    path("keys/", guarded(TwoPerKey)),
]


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    """Each test counts from zero."""
    cache.clear()


async def test_an_async_check_is_awaited(client: AsyncAPIClient) -> None:
    """`aallow_request` reads the database; its refusal is DRF's 429 with its wait."""
    before = await client.get("/night/")
    await Group.objects.acreate(name="night")
    after = await client.get("/night/")

    assert before.status_code == 200
    assert after.status_code == 429
    assert after["Retry-After"] == "60"


async def test_a_sync_allow_request_still_decides(client: AsyncAPIClient) -> None:
    """The default `aallow_request` answers with the DRF-style `allow_request`."""
    refused = await client.get("/drf-way/")
    allowed = await client.get("/drf-way/", headers={"X-Let-Me": "in"})

    assert (refused.status_code, allowed.status_code) == (429, 200)


async def test_a_rate_throttle_counts_per_key(client: AsyncAPIClient) -> None:
    """Two a minute per key: the third is refused, another key and no key go on."""
    first = [await client.get("/keys/", headers={"X-Api-Key": "a"}) for _ in range(3)]
    other = await client.get("/keys/", headers={"X-Api-Key": "b"})
    keyless = await client.get("/keys/")

    assert [response.status_code for response in first] == [200, 200, 429]
    assert (other.status_code, keyless.status_code) == (200, 200)
