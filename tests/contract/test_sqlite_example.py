"""The sqlite3 example adapter keeps its blocking work off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from typing_extensions import override

from examples.asgi_sqlite.adapter import App
from examples.sqlite_resources import Field, SqliteResource
from examples.sqlite_store import Database, Table
from restflow_core import AllowAny
from tests.contract.sqlite_driver import SqliteDriver


class GatedTable(Table):
    """A table whose reads in worker threads wait at a gate: a slow query, held open."""

    def __init__(self, database: Database, name: str, columns: Sequence[str]) -> None:
        super().__init__(database, name, columns)
        self.entered, self.gate = threading.Event(), threading.Event()

    @override
    def execute(self, sql: str, values: Sequence[Any] = ()) -> Any:
        if sql.startswith("SELECT") and threading.current_thread() is not threading.main_thread():
            self.entered.set()
            self.gate.wait(10)
        return super().execute(sql, values)


@pytest.fixture
def database() -> Iterator[Database]:
    """A database of its own, closed after the test."""
    database = Database()
    try:
        yield database
    finally:
        database.close()


async def test_a_slow_query_does_not_stall_another_request(database: Database) -> None:
    slow_table = GatedTable(database, "slow", ("title",))
    quick_table = Table(database, "quick", ("title",))
    quick_table.insert({"title": "Dune"})
    attributes = {"fields": {"title": Field(str, max_length=40)}, "permission_classes": (AllowAny,)}
    routes = {
        "slow": type("Slow", (SqliteResource,), {"table": slow_table, **attributes}),
        "quick": type("Quick", (SqliteResource,), {"table": quick_table, **attributes}),
    }
    driver = SqliteDriver(lambda _: App(routes))

    slow = asyncio.ensure_future(driver.send("GET", "/slow/"))
    try:
        assert await asyncio.to_thread(slow_table.entered.wait, 10)
        quick = await asyncio.wait_for(driver.send("GET", "/quick/"), 10)

        assert quick == (200, [{"id": 1, "title": "Dune"}])
        assert not slow.done(), "the quick request was answered while the slow one waited"
    finally:
        slow_table.gate.set()
    assert await slow == (200, [])
    await driver.aclose()
