"""sqlite3 storage for the example adapters (`examples/asgi_sqlite`, `examples/starlette_sqlite`):
tables of records, queries, and transactions.

Not binding code: any adapter needs its storage, and this one's calls block, as a
database driver's do. Each request holds a connection of its own (`Database.connected`),
so one request's slow query waits in its thread without holding up another's; the
adapters run their blocking steps in threads (`Resource.offload`), and a request's steps
all use its connection, whichever thread runs them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Self

from restflow_core import NotFound, held_units

Record = dict[str, Any]
_HELD: ContextVar[tuple[Database, sqlite3.Connection] | None] = ContextVar(
    "example_sqlite_connection", default=None
)


class Database:
    """A sqlite3 database in a file of its own, with a connection for each request.

    Transactions take turns (`turn`): one connection writes at a time.
    """

    def __init__(self, path: str | None = None) -> None:
        self._folder = tempfile.TemporaryDirectory() if path is None else None
        self.path = path or str(Path(self._folder.name if self._folder else ".") / "db.sqlite3")
        self.turn = asyncio.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        # The connection used outside requests: creating tables, seeding.
        self.main = self._connect()

    def _connect(self) -> sqlite3.Connection:
        # No implicit transactions (units of work open them); usable from any one thread
        # at a time, as a request's steps are.
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA busy_timeout = 5000")
        self._all.append(connection)
        return connection

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection of the request this runs for, or the main one outside requests."""
        held = _HELD.get()
        return held[1] if held is not None and held[0] is self else self.main

    @contextmanager
    def connected(self) -> Iterator[None]:
        """Hold a connection of the pool for the request running inside the block."""
        connection = self._idle.pop() if self._idle else self._connect()
        token = _HELD.set((self, connection))
        try:
            yield
        finally:
            _HELD.reset(token)
            self._idle.append(connection)

    def close(self) -> None:
        """Close every connection and remove the file the database made for itself."""
        for connection in self._all:
            connection.close()
        if self._folder is not None:
            self._folder.cleanup()


class Table:
    """A sqlite3 table whose columns are `id` (the key) and `columns`."""

    def __init__(self, database: Database, name: str, columns: Sequence[str]) -> None:
        self.database, self.name, self.columns = database, name, tuple(columns)
        listed = ", ".join(f"{column} NOT NULL" for column in self.columns)
        database.main.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {listed})")

    def execute(self, sql: str, values: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run `sql` on the request's connection."""
        return self.database.connection.execute(sql, values)

    def all(self) -> Query:
        """Every record, in id order."""
        return Query(self, (), (), slice(None))

    def insert(self, record: Record) -> int:
        """Store a new record; return its id."""
        names = ", ".join(self.columns)
        marks = ", ".join("?" for _ in self.columns)
        sql = f"INSERT INTO {self.name} ({names}) VALUES ({marks})"
        cursor = self.execute(sql, [record[column] for column in self.columns])
        return int(cursor.lastrowid or 0)

    def update(self, record: Record) -> None:
        """Store `record` over the one with its id."""
        changes = ", ".join(f"{column} = ?" for column in self.columns)
        values = [record[column] for column in self.columns]
        self.execute(f"UPDATE {self.name} SET {changes} WHERE id = ?", [*values, record["id"]])

    def delete(self, key: int) -> None:
        """Remove the record with id `key`."""
        self.execute(f"DELETE FROM {self.name} WHERE id = ?", [key])


# Lookups a query understands: `column__<lookup>`, as SQL with one parameter.
_LOOKUPS = {
    "exact": "{} = ?",
    "iexact": "{} = ? COLLATE NOCASE",
    "icontains": "instr(lower({}), lower(?)) > 0",
    "istartswith": "substr(lower({0}), 1, length(?)) = lower(?)",
}


class Query:
    """A lazy selection of a table's records, read by blocking calls: satisfies
    `restflow_core.BlockingSource[Record]` and `restflow_core.Searchable`."""

    def __init__(
        self, table: Table, where: tuple[str, ...], values: tuple[Any, ...], window: slice
    ) -> None:
        self.table, self.where, self.values, self.window = table, where, values, window

    def _condition(self, lookup: str, value: Any) -> tuple[str, tuple[Any, ...]]:
        column, _, kind = lookup.partition("__")
        column = "id" if column == "pk" else column
        if column not in ("id", *self.table.columns) or (kind or "exact") not in _LOOKUPS:
            raise ValueError(f"no lookup {lookup!r} on {self.table.name}")
        sql = _LOOKUPS[kind or "exact"]
        return sql.format(column), (value,) * sql.count("?")

    def _narrowed(self, clause: str, values: Sequence[Any]) -> Self:
        return type(self)(self.table, (*self.where, clause), (*self.values, *values), self.window)

    def filter(self, *args: Any, **lookups: Any) -> Self:
        """Narrow to records matching every lookup (`title="x"`, `title__icontains="x"`)."""
        query = self
        for lookup, value in lookups.items():
            clause, values = self._condition(lookup, value)
            query = query._narrowed(clause, values)
        return query

    def filter_any(self, **lookups: Any) -> Self:
        """Narrow to records matching at least one of the lookups."""
        conditions = [self._condition(lookup, value) for lookup, value in lookups.items()]
        clause = " OR ".join(f"({sql})" for sql, _ in conditions) or "0"
        return self._narrowed(f"({clause})", [v for _, values in conditions for v in values])

    def __getitem__(self, window: slice, /) -> Self:
        return type(self)(self.table, self.where, self.values, window)

    def _select(self, what: str) -> list[Any]:
        where = " AND ".join(self.where) or "1"
        start, stop = self.window.start or 0, self.window.stop
        limit = -1 if stop is None else max(stop - start, 0)
        sql = f"SELECT {what} FROM {self.table.name} WHERE {where} ORDER BY id LIMIT ? OFFSET ?"
        return self.table.execute(sql, [*self.values, limit, start]).fetchall()

    def __iter__(self) -> Iterator[Record]:
        names = ("id", *self.table.columns)
        for row in self._select(", ".join(names)):
            yield dict(zip(names, row, strict=True))

    def get(self, *args: Any, **lookups: Any) -> Record:
        """The one record matching `lookups`; `NotFound` when there is none."""
        try:
            found = list(self.filter(**lookups))
        except ValueError:
            raise NotFound() from None
        if len(found) != 1:
            raise NotFound()
        return found[0]

    def count(self) -> int:
        """How many records the selection holds."""
        return int(self._select("COUNT(*)")[0][0])


class SqliteUnitOfWork:
    """A transaction on the request's connection; inside another one, a savepoint.

    Outermost units take the database's turn from `abegin` to their end, so one connection
    writes at a time.
    """

    def __init__(self, database: Database) -> None:
        self.database, self.turn = database, database.turn
        self.savepoint: str | None = None
        self.open = False

    def _execute(self, statement: str) -> None:
        self.database.connection.execute(statement)

    async def abegin(self) -> None:
        """Open the transaction, or a savepoint inside the task's outer one."""
        depth = sum(isinstance(unit, SqliteUnitOfWork) for unit in held_units()) - 1
        self.savepoint = f"unit_{depth}" if depth else None
        if self.savepoint is None:
            await self.turn.acquire()
        try:
            self._execute(f"SAVEPOINT {self.savepoint}" if self.savepoint else "BEGIN")
        except BaseException:
            self._release_turn()
            raise
        self.open = True

    async def acommit(self) -> None:
        """Commit, or release the savepoint."""
        if self.open:
            self._end(f"RELEASE {self.savepoint}" if self.savepoint else "COMMIT")

    async def arollback(self) -> None:
        """Undo everything since `abegin`; nothing when it never opened."""
        if self.open and self.savepoint:
            self._execute(f"ROLLBACK TO {self.savepoint}")
        if self.open:
            self._end(f"RELEASE {self.savepoint}" if self.savepoint else "ROLLBACK")

    def _end(self, statement: str) -> None:
        self.open = False
        try:
            self._execute(statement)
        finally:
            self._release_turn()

    def _release_turn(self) -> None:
        if self.savepoint is None:
            self.turn.release()
