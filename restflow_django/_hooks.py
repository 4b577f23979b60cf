"""Sync or async: the one rule, decided once per class.

restflow runs DRF's sync hooks (`perform_update`, `get_object`, `check_permissions`, ...)
as async twins named `a<hook>`. A class written below DRF and restflow may override
either: the sync one (code moved over from DRF) or the async one (code made async). Each
hook then has one of three forms (`hook_form`):

- `"async"`: the class overrides `a<hook>`; that one runs, awaited;
- `"sync"`: the class overrides `<hook>` and not `a<hook>`; it runs, in a thread when it
  may block;
- `"default"`: neither; restflow's own implementation runs.

The objects a view asks (authenticators, permissions, throttles, filter backends,
paginators) are asked by the same rule (`aask`): an `a<method>` that does more than pass
the call on is awaited; otherwise `<method>` is awaited when it is `async def`, called
right here when it is known not to block (`runs_inline`), and run in a thread when it may.
How to ask is decided once for each class and method.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, Literal, ParamSpec, TypeGuard, TypeVar

from asgiref.sync import async_to_sync, sync_to_async
from rest_framework import authentication, filters, permissions

Form = Literal["async", "sync", "default"]
P = ParamSpec("P")
R = TypeVar("R")
SelfT = TypeVar("SelfT")

_FRAMEWORKS = frozenset({"restflow_django", "rest_framework"})


def hook_form(obj: object, name: str) -> Form:
    """The form of hook `name` on `obj`'s class (a view, serializer, paginator, ...)."""
    cls: Any = obj.__class__
    return class_hook_form(cls, name)


@functools.lru_cache(maxsize=4096)
def class_hook_form(cls: Any, name: str) -> Form:
    """The form of hook `name` on `cls`.

    Raises `TypeError` for an `a<hook>` override written as a plain `def`: restflow awaits it.
    """
    if overrides(cls, f"a{name}"):
        twin = inspect.getattr_static(cls, f"a{name}")
        if isinstance(twin, staticmethod | classmethod):
            twin = twin.__func__
        if inspect.isfunction(twin) and not inspect.iscoroutinefunction(twin):
            raise TypeError(
                f"{cls.__name__}.a{name} is a plain `def`, and restflow awaits it. Write "
                f"`async def a{name}(...)` (with `await` on the async ORM and on "
                f"`asave(serializer)` inside), or override the DRF-style `{name}` with a plain "
                "`def` instead: restflow runs that one in a thread."
            )
        return "async"
    if overrides(cls, name) and hasattr(cls, f"a{name}"):
        return "sync"
    return "default"


@functools.lru_cache(maxsize=4096)
def overrides(cls: Any, name: str) -> bool:
    """Whether `cls` gets `name` from a class outside restflow and DRF."""
    owner = next((klass for klass in cls.__mro__ if name in vars(klass)), None)
    return owner is not None and owner.__module__.partition(".")[0] not in _FRAMEWORKS


def has_async_code_of_its_own(cls: type[Any]) -> bool:
    """Whether a class outside restflow and DRF among `cls`'s bases writes an `async def`."""
    return any(
        inspect.iscoroutinefunction(value)
        for klass in cls.__mro__
        if klass.__module__.partition(".")[0] not in _FRAMEWORKS
        for value in vars(klass).values()
    )


def has_async_twin(obj: object, name: str) -> bool:
    """Whether `obj` (an authenticator, throttle, filter, paginator) answers with `a<name>`,
    by the rule `aask` asks it: it has one that does more than pass the call on, and no
    sync override below restflow's class bypasses it."""
    return _way(obj, name)[0]


# DRF classes whose sync methods touch neither the database nor the network.
_INLINE_SAFE: frozenset[type] = frozenset(
    {
        permissions.BasePermission,
        permissions.AllowAny,
        permissions.IsAuthenticated,
        permissions.IsAdminUser,
        permissions.IsAuthenticatedOrReadOnly,
        filters.SearchFilter,
        filters.OrderingFilter,
        authentication.SessionAuthentication,
    }
)


def runs_inline(obj: object, method: str) -> bool:
    """Return whether `obj.method` may run on the event loop without blocking it.

    True for the DRF classes known to be pure and for classes that set
    `restflow_async_safe = True`, as long as `method` was not overridden below them.
    """
    if method in getattr(obj, "__dict__", ()):
        # Set on the object itself: only the class's own method is known to be pure.
        return False
    cls: Any = type(obj)
    return _class_runs_inline(cls, method, getattr(cls, method, None))


@functools.lru_cache(maxsize=1024)
def _class_runs_inline(cls: Any, method: str, implementation: object) -> bool:
    # `implementation` is part of the key: a method replaced on the class is judged again.
    if getattr(cls, "restflow_async_safe", False):
        return True
    return any(
        issubclass(cls, safe) and implementation is getattr(safe, method, None)
        for safe in _INLINE_SAFE
    )


def is_async_callable(func: Callable[..., Any]) -> TypeGuard[Callable[..., Awaitable[Any]]]:
    """`inspect.iscoroutinefunction`, remembered for each function."""
    target = getattr(func, "__func__", func)
    try:
        return _is_coroutine_function(target)
    except TypeError:  # unhashable
        return inspect.iscoroutinefunction(func)


@functools.lru_cache(maxsize=1024)
def _is_coroutine_function(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func)


def passes_through(twin: Callable[P, R]) -> Callable[P, R]:
    """Mark one of restflow's `a<method>` defaults that only asks `<method>` (by `acall`):
    `aask` asks `<method>` itself instead, one call fewer."""
    vars(twin)["restflow_passes_through"] = True
    return twin


# How `acall` calls a method: awaited, right here, or in a thread.
AWAIT, INLINE, THREAD = "await", "inline", "thread"


@functools.lru_cache(maxsize=4096)
def _class_way(cls: Any, method: str, implementation: object) -> tuple[bool, str]:
    """For objects of `cls` that hold no method of their own: `_judged` once per class."""
    return _judged(cls, cls, method, implementation)


def _way(obj: object, method: str) -> tuple[bool, str]:
    """Whether `aask` awaits `obj`'s `a<method>` first, and how `<method>` is called."""
    cls: Any = type(obj)
    own = getattr(obj, "__dict__", ())
    if method in own or f"a{method}" in own:
        # Set on the object itself: judged for the object, and never inline.
        return _judged(obj, cls, method, getattr(obj, method, None))
    return _class_way(cls, method, getattr(cls, method, None))


def _judged(holder: Any, cls: Any, method: str, implementation: Any) -> tuple[bool, str]:
    twin = getattr(holder, f"a{method}", None)
    twin_first = (
        twin is not None
        and class_hook_form(cls, method) != "sync"
        and not getattr(twin, "restflow_passes_through", False)
    )
    if is_async_callable(implementation):
        return twin_first, AWAIT
    inline = holder is cls and _class_runs_inline(cls, method, implementation)
    return twin_first, INLINE if inline else THREAD


def asks_on_the_loop(obj: object, method: str) -> bool:
    """Whether `aask` answers `obj.method` with no thread hop of its own: awaited (what it
    awaits may cross on its own) or called right here."""
    twin_first, way = _way(obj, method)
    return twin_first or way != THREAD


def asks_sync(obj: object, method: str) -> bool:
    """Whether `aask` answers `obj.method` from sync code alone (inline or in a thread),
    so that sync code may ask it too with no hop back to the loop."""
    twin_first, way = _way(obj, method)
    return not twin_first and way != AWAIT


async def aask(obj: object, method: str, *args: Any, **kwargs: Any) -> Any:
    """Ask `obj.method(*args, **kwargs)` without blocking the loop: its own `a<method>`
    awaited when it has one (a sync override of `<method>` below it wins), else as
    `acall` calls `<method>`."""
    twin_first, way = _way(obj, method)
    if twin_first:
        return await getattr(obj, f"a{method}")(*args, **kwargs)
    return await _acall_by(getattr(obj, method), way, *args, **kwargs)


async def acall(obj: object, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `obj.method(*args, **kwargs)`: awaited when async, inline when safe, else in a
    thread."""
    return await _acall_by(getattr(obj, method), _way(obj, method)[1], *args, **kwargs)


async def _acall_by(bound: Callable[..., Any], way: str, *args: Any, **kwargs: Any) -> Any:
    if way == AWAIT:
        return await bound(*args, **kwargs)
    if way == INLINE:
        result = bound(*args, **kwargs)
    else:
        result = await sync_to_async(bound)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def async_twin(
    default: Callable[Concatenate[SelfT, P], Awaitable[R]],
) -> Callable[Concatenate[SelfT, P], Awaitable[R]]:
    """Mark restflow's `a<hook>`: a DRF-style `<hook>` override of the class runs instead.

    The override runs inline when known not to block, else in a thread; one written as
    `async def` is awaited.
    """
    name = default.__name__.removeprefix("a")

    async def run(self: SelfT, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if hook_form(self, name) == "sync":
            result: R = await acall(self, name, *args, **kwargs)
            return result
        return await default(self, *args, **kwargs)

    functools.update_wrapper(run, default)
    return run


def sync_twin(default: Callable[Concatenate[SelfT, P], R]) -> Callable[Concatenate[SelfT, P], R]:
    """Mark restflow's sync `<hook>`, called by DRF code in a thread: an `a<hook>` override
    of the class is awaited on the event loop instead."""
    name = f"a{default.__name__}"

    def run(self: SelfT, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            if hook_form(self, default.__name__) == "async":
                result: R = async_to_sync(getattr(self, name))(*args, **kwargs)
                return result
            return default(self, *args, **kwargs)
        except RuntimeError as error:
            if not _on_the_loop():
                raise
            raise RuntimeError(
                f"{type(self).__name__}.{default.__name__}() is sync, for code that runs in "
                f"a thread, and this code runs on the event loop: write "
                f"`await self.{name}(...)` instead."
            ) from error

    functools.update_wrapper(run, default)
    return run


def _on_the_loop() -> bool:
    """Whether the calling thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
