"""sqlite3 storage for the ASGI adapter: one table of records, queries, and transactions.

Not binding code: any adapter needs its storage. The database lives in memory, so its
calls return in microseconds and run inline; a file-backed one would offload them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from typing import Any, Self

from restflow_core import NotFound, held_units

Record = dict[str, Any]


class Database:
    """A sqlite3 connection, and the turn its transactions take one at a time."""

    def __init__(self, path: str = ":memory:") -> None:
        # No implicit transactions: units of work open and close them.
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.turn = asyncio.Lock()

    def close(self) -> None:
        """Close the connection (an in-memory database is gone with it)."""
        self.connection.close()


class Table:
    """A sqlite3 table whose columns are `id` (the key) and `columns`."""

    def __init__(self, database: Database, name: str, columns: Sequence[str]) -> None:
        self.database, self.name, self.columns = database, name, tuple(columns)
        self.connection = database.connection
        listed = ", ".join(f"{column} NOT NULL" for column in self.columns)
        self.connection.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {listed})")

    def all(self) -> Query:
        """Every record, in id order."""
        return Query(self, {}, slice(None))

    def insert(self, record: Record) -> int:
        """Store a new record; return its id."""
        names = ", ".join(self.columns)
        marks = ", ".join("?" for _ in self.columns)
        sql = f"INSERT INTO {self.name} ({names}) VALUES ({marks})"
        cursor = self.connection.execute(sql, [record[column] for column in self.columns])
        return int(cursor.lastrowid or 0)

    def update(self, record: Record) -> None:
        """Store `record` over the one with its id."""
        changes = ", ".join(f"{column} = ?" for column in self.columns)
        values = [record[column] for column in self.columns]
        sql = f"UPDATE {self.name} SET {changes} WHERE id = ?"
        self.connection.execute(sql, [*values, record["id"]])

    def delete(self, key: int) -> None:
        """Remove the record with id `key`."""
        self.connection.execute(f"DELETE FROM {self.name} WHERE id = ?", [key])


class Query:
    """A lazy selection of a table's records: satisfies `restflow_core.Source[Record]`."""

    def __init__(self, table: Table, equals: Record, window: slice) -> None:
        self.table, self.equals, self.window = table, equals, window

    def filter(self, *args: Any, **lookups: Any) -> Self:
        """Narrow to records whose columns equal `lookups` (`pk` is the id)."""
        named = {("id" if name == "pk" else name): value for name, value in lookups.items()}
        return type(self)(self.table, {**self.equals, **named}, self.window)

    def __getitem__(self, window: slice, /) -> Self:
        return type(self)(self.table, self.equals, window)

    def _select(self, what: str) -> list[Any]:
        where = " AND ".join(f"{name} = ?" for name in self.equals) or "1"
        start, stop = self.window.start or 0, self.window.stop
        limit = -1 if stop is None else max(stop - start, 0)
        sql = f"SELECT {what} FROM {self.table.name} WHERE {where} ORDER BY id LIMIT ? OFFSET ?"
        return self.table.connection.execute(sql, [*self.equals.values(), limit, start]).fetchall()

    async def __aiter__(self) -> AsyncIterator[Record]:
        names = ("id", *self.table.columns)
        for row in self._select(", ".join(names)):
            yield dict(zip(names, row, strict=True))

    async def aget(self, *args: Any, **lookups: Any) -> Record:
        """The one record matching `lookups`; `NotFound` when there is none."""
        found = [record async for record in self.filter(**lookups)]
        if len(found) != 1:
            raise NotFound()
        return found[0]

    async def acount(self) -> int:
        """How many records the selection holds."""
        return int(self._select("COUNT(*)")[0][0])


class SqliteUnitOfWork:
    """A transaction on `database`; inside another one, a savepoint.

    One connection holds one transaction at a time, so concurrent requests take turns:
    the outermost unit holds the database's turn from `abegin` to its end.
    """

    def __init__(self, database: Database) -> None:
        self.connection, self.turn = database.connection, database.turn
        self.savepoint: str | None = None
        self.open = False

    async def abegin(self) -> None:
        """Open the transaction, or a savepoint inside the task's outer one."""
        depth = sum(isinstance(unit, SqliteUnitOfWork) for unit in held_units()) - 1
        self.savepoint = f"unit_{depth}" if depth else None
        if self.savepoint is None:
            await self.turn.acquire()
        self.connection.execute(f"SAVEPOINT {self.savepoint}" if self.savepoint else "BEGIN")
        self.open = True

    async def acommit(self) -> None:
        """Commit, or release the savepoint."""
        if self.open:
            self._end(f"RELEASE {self.savepoint}" if self.savepoint else "COMMIT")

    async def arollback(self) -> None:
        """Undo everything since `abegin`; nothing when it never opened."""
        if self.open and self.savepoint:
            self.connection.execute(f"ROLLBACK TO {self.savepoint}")
        if self.open:
            # Not open means this unit never took its turn: `abegin` opens right after.
            self._end(f"RELEASE {self.savepoint}" if self.savepoint else "ROLLBACK")

    def _end(self, statement: str) -> None:
        self.open = False
        try:
            self.connection.execute(statement)
        finally:
            if self.savepoint is None:
                self.turn.release()
