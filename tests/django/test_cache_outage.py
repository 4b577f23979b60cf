"""Throttles whose cache goes away mid-run follow the failure policy, with a real Redis.

`redis-server` comes from apt; `.ci/run` installs it. Without it the tests are skipped,
unless `RESTFLOW_REQUIRE_REDIS` is set (as in CI), where its absence is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from restflow_django.throttling import AsyncUserRateThrottle
from restflow_django.views import AsyncAPIView
from tests.processes import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis(redis_server: RedisServer) -> Iterator[RedisServer]:
    """A Redis server, as the `redis` cache."""
    server = redis_server
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{server.port}",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "redis": cache,
        },
    ):
        yield server


class AsyncCounted(AsyncUserRateThrottle):
    """restflow's atomic throttle, counting in Redis."""

    rate = "3/min"

    def __init__(self) -> None:
        super().__init__()
        self.cache = caches["redis"]


class Guarding(AsyncCounted):
    """The same throttle, refusing when it cannot count."""

    on_failure = "refuse"


class DrfCounted(UserRateThrottle):
    """DRF's own throttle, counting in Redis."""

    rate = "3/min"

    def __init__(self) -> None:
        super().__init__()
        self.cache = caches["redis"]


def throttled(*throttles: type[Any]) -> Any:
    class Throttled(AsyncAPIView):
        throttle_classes = throttles

        async def get(self, request: Request) -> Response:
            return Response({"ok": True})

    view: Any = Throttled.as_view()
    return view


async def statuses(view: Any, user: Any, times: int) -> list[int]:
    answers = []
    for _ in range(times):
        request = AsyncAPIRequestFactory().get("/")
        force_authenticate(request, user)
        answers.append((await view(request)).status_code)
    return answers


async def test_an_outage_lets_requests_through_by_default_and_says_so(
    redis: RedisServer, ada: Any, caplog: pytest.LogCaptureFixture
) -> None:
    view = throttled(AsyncCounted, DrfCounted)

    counted = await statuses(view, ada, 4)
    redis.stop()
    during = await statuses(view, ada, 3)

    assert counted == [200, 200, 200, 429]
    assert during == [200, 200, 200]
    assert "AsyncCounted could not count the request; the request is let through" in caplog.text
    assert "DrfCounted could not count the request" in caplog.text


async def test_a_refusing_throttle_answers_503_with_retry_after(
    redis: RedisServer, ada: Any
) -> None:
    view = throttled(Guarding)

    assert await statuses(view, ada, 1) == [200]
    redis.stop()
    request = AsyncAPIRequestFactory().get("/")
    force_authenticate(request, ada)
    response = await view(request)

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data == {"detail": "The request rate cannot be checked now; retry the request."}


@override_settings(RESTFLOW={"THROTTLE_ON_FAILURE": "refuse"})
async def test_the_setting_makes_every_throttle_refuse(redis: RedisServer, ada: Any) -> None:
    view = throttled(AsyncCounted)
    redis.stop()

    assert await statuses(view, ada, 2) == [503, 503]


@override_settings(RESTFLOW={"THROTTLE_ON_FAILURE": "close"})
async def test_a_bad_policy_is_named(redis: RedisServer, ada: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    view = throttled(AsyncCounted)
    redis.stop()

    with pytest.raises(ImproperlyConfigured, match="'allow' or 'refuse', not 'close'"):
        await statuses(view, ada, 1)
