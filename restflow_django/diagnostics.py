"""Per-block diagnostics for tests: queries, thread crossings, and strict relation loading.

`async with Diagnostics() as seen:` records every query any thread runs and every
`sync_to_async` crossing (the async ORM's included) until the block ends. The recording is
process-wide, so use it in tests that run one request at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from asgiref.sync import AsyncToSync, SyncToAsync
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from rest_framework.relations import RelatedField

__all__ = ["Diagnostics", "LazyRelationError", "strict_relations"]

_strict: ContextVar[bool] = ContextVar("restflow_strict_relations", default=False)


class LazyRelationError(RuntimeError):
    """A serializer read a relation the queryset did not load (strict relations mode)."""


@contextmanager
def strict_relations() -> Iterator[None]:
    """Within the block, a representation that loads a lazy relation raises instead.

    `REST_FRAMEWORK`-style projects can turn it on everywhere with
    `RESTFLOW = {"STRICT_RELATIONS": True}` in settings (for tests, say).
    """
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


def strict_relations_enabled() -> bool:
    """Whether lazy relation loads during representation are errors right now."""
    configured: dict[str, Any] = getattr(settings, "RESTFLOW", {})
    return _strict.get() or bool(configured.get("STRICT_RELATIONS", False))


def describe_unloaded_relation(serializer: Any) -> str:
    """Name the first field of `serializer` whose relation is not loaded, and the fix."""
    child = getattr(serializer, "child", serializer)
    rows = serializer.instance if getattr(serializer, "many", False) else [serializer.instance]
    for row in list(rows or [])[:1]:
        for readable in child.fields.values():
            if readable.write_only or readable.source == "*":
                continue
            # A primary-key related field reads `<fk>_id` and loads nothing.
            pk_only = isinstance(readable, RelatedField) and readable.use_pk_only_optimization()
            missing = _first_unloaded(row, readable.source_attrs, pk_only=pk_only)
            if missing is not None:
                path, fix = missing
                return (
                    f"{type(child).__name__}.{readable.field_name} reads `{path}`, which the "
                    f'queryset did not load: add {fix}("{path}")'
                )
    return f"{type(child).__name__} loaded a relation lazily while representing rows"


def _first_unloaded(row: Any, attrs: list[str], *, pk_only: bool) -> tuple[str, str] | None:
    current, path = row, []
    for position, attr in enumerate(attrs, start=1):
        if not isinstance(current, Model):
            return None
        try:
            field = current._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        path.append(attr)
        if not field.is_relation:
            return None
        if field.many_to_many or field.one_to_many:
            cache = getattr(current, "_prefetched_objects_cache", {})
            return None if attr in cache else ("__".join(path), "prefetch_related")
        if pk_only and position == len(attrs):
            return None
        if not field.is_cached(current):  # type: ignore[union-attr]  # relations only here
            return "__".join(path), "select_related"
        current = field.get_cached_value(current)  # type: ignore[union-attr]  # as above
    return None


@dataclass
class Diagnostics:
    """Records the SQL run and the thread crossings made inside an `async with` block."""

    queries: list[str] = field(default_factory=list)
    crossed: list[str] = field(default_factory=list)
    # Crossings the other way: sync code in a thread waiting for a coroutine on the loop.
    crossed_back: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _restore: list[Callable[[], None]] = field(default_factory=list, repr=False)

    async def __aenter__(self) -> Self:
        self._patch(CursorWrapper, "_execute_with_wrappers", self._record_query)
        self._patch(SyncToAsync, "__call__", self._record_crossing)
        self._patch(AsyncToSync, "__call__", self._record_crossing_back)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        while self._restore:
            self._restore.pop()()

    def _patch(self, owner: type, name: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__[name]
        setattr(owner, name, make(original))
        self._restore.append(lambda: setattr(owner, name, original))

    def _record_query(self, original: Any) -> Any:
        def execute(cursor: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.queries.append(sql)
            return original(cursor, sql, *args, **kwargs)

        return execute

    def _record_crossing(self, original: Any) -> Any:
        async def call(wrapper: Any, *args: Any, **kwargs: Any) -> Any:
            func = getattr(wrapper, "func", None)
            name = getattr(func, "__qualname__", None) or type(func).__qualname__
            with self._lock:
                self.crossed.append(name)
            return await original(wrapper, *args, **kwargs)

        return call

    def _record_crossing_back(self, original: Any) -> Any:
        def call(wrapper: Any, *args: Any, **kwargs: Any) -> Any:
            awaited = getattr(wrapper, "awaitable", None)
            name = getattr(awaited, "__qualname__", None) or type(awaited).__qualname__
            with self._lock:
                self.crossed_back.append(name)
            return original(wrapper, *args, **kwargs)

        return call

    def assert_queries(self, expected: int) -> None:
        """Fail with the SQL listed unless exactly `expected` queries ran."""
        if len(self.queries) != expected:
            listing = "\n".join(f"  {sql}" for sql in self.queries)
            raise AssertionError(
                f"expected {expected} queries, saw {len(self.queries)}:\n{listing}"
            )

    @property
    def crossings(self) -> int:
        """How many times work crossed from the event loop to a thread."""
        return len(self.crossed)

    def assert_crossings(self, expected: int, *, back: int = 0) -> None:
        """Fail with the functions listed unless exactly `expected` crossings from the loop to
        a thread happened, and `back` from a thread to the loop (none, by default)."""
        if self.crossings != expected or len(self.crossed_back) != back:
            listing = "\n".join(f"  {name}" for name in self.crossed)
            back_listing = "\n".join(f"  {name}" for name in self.crossed_back)
            raise AssertionError(
                f"expected {expected} thread crossings and {back} back to the loop, saw "
                f"{self.crossings}:\n{listing}\nand {len(self.crossed_back)} back:\n"
                f"{back_listing}"
            )
