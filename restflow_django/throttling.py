"""Async rate throttles: fixed-window counters kept with Django's async cache API.

Each request adds to its window's counter with the cache's atomic `add`/`incr`, so
concurrent requests cannot slip past the limit the way DRF's read-then-write history can.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from typing_extensions import override

from restflow_django._hooks import acall, passes_through

__all__ = [
    "AsyncAnonRateThrottle",
    "AsyncRateThrottleMixin",
    "AsyncScopedRateThrottle",
    "AsyncUserRateThrottle",
    "BaseThrottle",
    "SimpleRateThrottle",
]


class BaseThrottle(throttling.BaseThrottle):
    """DRF's `BaseThrottle` with an async surface: `aallow_request`.

    Override `async def aallow_request(request, view)` for a throttle that awaits (the
    async ORM, an async cache client); restflow's views await it. Its default answers with
    `allow_request`, run where it cannot block the loop, so a throttle written DRF's way
    works unchanged. `wait()` stays sync, as in DRF.
    """

    @passes_through
    async def aallow_request(self, request: Request, view: Any) -> bool:
        """Whether `request` may go on: `allow_request`, by default."""
        allowed: bool = await acall(self, "allow_request", request, view)
        return allowed


class AsyncRateThrottleMixin(throttling.SimpleRateThrottle):
    """Adds `aallow_request` to a DRF rate throttle: at most `num_requests` per window."""

    # Set by DRF's `__init__` from the rate; its stubs do not declare them.
    num_requests: int | None
    duration: int | None
    window_end: float = 0.0

    async def aallow_request(self, request: Request, view: Any) -> bool:
        """Count this request in its window; refuse it once the window's limit is passed."""
        key = self._hit_key(request, view)
        return key is None or await self._acount_hit(key, self._lifetime()) <= self._limit()

    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        """`aallow_request` from sync code (a thread): the same window, counted atomically."""
        key = self._hit_key(request, view)
        return key is None or self._count_hit(key, self._lifetime()) <= self._limit()

    def _hit_key(self, request: Request, view: Any) -> str | None:
        """The cache key of this request's window, or `None` when it is not limited."""
        if self.rate is None or self.num_requests is None or self.duration is None:
            return None
        ident = self.get_cache_key(request, view)
        if ident is None:
            return None
        window = int(self.timer() // self.duration)
        self.window_end = float((window + 1) * self.duration)
        return f"{ident}:{window}"

    def _lifetime(self) -> int:
        return int(self.duration or 0) + 1

    def _limit(self) -> int:
        return int(self.num_requests or 0)

    async def _acount_hit(self, key: str, lifetime: int) -> int:
        # Django's async `aadd` is the backend's atomic `add`; its `aincr` is a get followed
        # by a set, which concurrent requests race through, so the backend's own atomic
        # `incr` is used (LocMem under its lock, Redis and Memcached natively). LocMem is
        # in-process and needs no thread at all.
        add: Callable[..., Any] = self.cache.add
        incr: Callable[..., Any] = self.cache.incr
        if not isinstance(getattr(add, "__self__", None), LocMemCache):
            add, incr = self.cache.aadd, sync_to_async(incr)
        if await _aresult(add(key, 1, lifetime)):
            return 1
        try:
            return int(await _aresult(incr(key)))
        except ValueError:
            # The window's counter expired between the two calls: this hit opens it again.
            await _aresult(add(key, 1, lifetime))
            return 1

    def _count_hit(self, key: str, lifetime: int) -> int:
        """`_acount_hit` with the cache's sync calls, for a thread."""
        if self.cache.add(key, 1, lifetime):
            return 1
        try:
            return int(self.cache.incr(key))
        except ValueError:
            self.cache.add(key, 1, lifetime)
            return 1

    @override
    def wait(self) -> float | None:
        """Seconds until the current window ends."""
        return max(0.0, self.window_end - self.timer())


# Where a cache's own failure is raised from: Django's cache backends and the clients
# under them.
_CACHE_MODULES = ("django.core.cache.", "django_redis.", "redis.", "pymemcache.", "pylibmc.")


def is_cache_failure(error: BaseException) -> bool:
    """Whether `error` is the failure of a throttle's cache (down, unreachable, timing out),
    as opposed to a misconfiguration or a bug in the throttle.

    Only such failures take the failure policy (`THROTTLE_ON_FAILURE`); everything else is
    raised, as DRF raises it: a scope with no rate, a malformed rate and a throttle's own
    bug are errors (500), never a request let through.
    """
    if isinstance(error, (ImproperlyConfigured, APIException)):
        return False
    if isinstance(error, OSError):
        return True
    trace = error.__traceback__
    while trace is not None:
        module = trace.tb_frame.f_globals.get("__name__", "")
        if module.startswith(_CACHE_MODULES):
            return True
        trace = trace.tb_next
    return False


async def _aresult(value: Any) -> Any:
    """Await `value` if it is awaitable, else return it."""
    return await value if inspect.isawaitable(value) else value


class SimpleRateThrottle(AsyncRateThrottleMixin):
    """DRF's `SimpleRateThrottle` (a `scope`, its rate, a `get_cache_key`), counted with the
    cache's atomic operations and awaited: subclass it as you would DRF's."""


class AsyncAnonRateThrottle(AsyncRateThrottleMixin, AnonRateThrottle):
    """DRF's `AnonRateThrottle` (scope `anon`), counted atomically."""


class AsyncUserRateThrottle(AsyncRateThrottleMixin, UserRateThrottle):
    """DRF's `UserRateThrottle` (scope `user`), counted atomically."""


class AsyncScopedRateThrottle(AsyncRateThrottleMixin, ScopedRateThrottle):
    """DRF's `ScopedRateThrottle` (the view's `throttle_scope`), counted atomically."""

    scope: str | None
    rate: str | None
    num_requests: int | None
    duration: int | None

    @override
    async def aallow_request(self, request: Request, view: Any) -> bool:
        return not self._scoped(view) or await super().aallow_request(request, view)

    @override
    def allow_request(self, request: Request, view: Any) -> bool:
        return not self._scoped(view) or super().allow_request(request, view)

    def _scoped(self, view: Any) -> bool:
        """Take the view's scope and its rate; `False` when the view names no scope."""
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return False
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return True
