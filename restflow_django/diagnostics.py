"""Per-block diagnostics for tests: SQL queries and sync/async thread crossings.

`async with Diagnostics() as seen:` records every query any thread runs and every
`sync_to_async` crossing (the async ORM's included) until the block ends. The recording is
process-wide, so use it in tests that run one request at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from asgiref.sync import SyncToAsync
from django.db.backends.utils import CursorWrapper

__all__ = ["Diagnostics"]


@dataclass
class Diagnostics:
    """Records the SQL run and the thread crossings made inside an `async with` block."""

    queries: list[str] = field(default_factory=list)
    crossed: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _restore: list[Callable[[], None]] = field(default_factory=list, repr=False)

    async def __aenter__(self) -> Self:
        self._patch(CursorWrapper, "_execute_with_wrappers", self._record_query)
        self._patch(SyncToAsync, "__call__", self._record_crossing)
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

    def assert_crossings(self, expected: int) -> None:
        """Fail with the functions listed unless exactly `expected` crossings happened."""
        if self.crossings != expected:
            listing = "\n".join(f"  {name}" for name in self.crossed)
            raise AssertionError(
                f"expected {expected} thread crossings, saw {self.crossings}:\n{listing}"
            )
