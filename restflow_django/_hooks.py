"""Which hooks a class overrides: one rule, decided once per class.

restflow runs DRF's sync hooks (`perform_update`, `get_object`, `check_permissions`, ...)
as async twins named `a<hook>`. A class written below DRF and restflow may override
either: the sync one (code moved over from DRF) or the async one (code made async). Each
hook then has one of three forms:

- `"async"`: the class overrides `a<hook>`; that one runs, awaited;
- `"sync"`: the class overrides `<hook>` and not `a<hook>`; it runs, in a thread when it
  may block;
- `"default"`: neither; restflow's own implementation runs.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from asgiref.sync import async_to_sync

from restflow_django._sync import acall

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
    """Whether `obj` (an authenticator, throttle, filter, paginator) answers with `a<name>`.

    True when it has one and no sync override below restflow's class bypasses it.
    """
    return hasattr(obj, f"a{name}") and hook_form(obj, name) != "sync"


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
