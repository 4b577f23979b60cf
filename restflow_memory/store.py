"""A dict-backed store and lazy queries over it, safe for concurrent callers."""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol, Self, TypeVar

from restflow_core.errors import NotFound
from restflow_core.units import current_unit, held_units
from restflow_memory._access import changed, copied, read, read_path

ModelT = TypeVar("ModelT")
Predicate = Callable[[Any], bool]


@dataclass
class Journal:
    """The undo steps of the writes made inside one open `MemoryUnitOfWork`."""

    undo: list[Callable[[], None]] = field(default_factory=list)
    open: bool = True


class Store(Protocol[ModelT]):
    """Keeps objects of one kind under string keys: `MemoryStore` does, and so may yours."""

    async def aget(self, key: str, /) -> ModelT:
        """Return the object stored under `key`; raise `NotFound` if there is none."""
        ...

    async def asave(self, obj: ModelT, /) -> ModelT:
        """Insert or replace `obj` and return the stored copy."""
        ...

    async def adelete(self, obj: ModelT, /) -> None:
        """Remove `obj`; raise `NotFound` if it is not stored."""
        ...


class MemoryUnitOfWork:
    """All-or-nothing writes to memory stores: rollback undoes this task's writes only.

    Writes by other tasks are untouched, and others see this task's writes before it
    commits (no isolation, unlike a database). Keys assigned inside are not reused. Inside
    another unit it is a savepoint: its rollback undoes its own writes, and its commit
    hands them to the outer unit, whose rollback then undoes them too.
    """

    def __init__(self) -> None:
        self.journal: Journal = Journal(open=False)
        self.outer: MemoryUnitOfWork | None = None

    async def abegin(self) -> None:
        """Record every store write this task makes from now on."""
        self.journal = Journal()
        units = [unit for unit in held_units() if isinstance(unit, MemoryUnitOfWork)]
        self.outer = next((unit for unit in reversed(units) if unit is not self), None)

    async def acommit(self) -> None:
        """Keep the writes (as the outer unit's, inside one)."""
        self.journal.open = False
        if self.outer is not None:
            self.outer.journal.undo.extend(self.journal.undo)

    async def arollback(self) -> None:
        """Undo the writes, newest first; after a commit, there is nothing left to undo."""
        if not self.journal.open:
            return
        self.journal.open = False
        for undo in reversed(self.journal.undo):
            undo()


def _recording_journal() -> Journal | None:
    """The journal of the innermost memory unit this task holds, while it records."""
    unit = current_unit()
    if isinstance(unit, MemoryUnitOfWork) and unit.journal.open:
        return unit.journal
    return None


class MultipleObjectsReturned(LookupError):
    """A lookup that should match one object matched several."""


def _icontains(value: Any, wanted: Any) -> bool:
    return value is not None and str(wanted).casefold() in str(value).casefold()


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": lambda value, wanted: value == wanted,
    "iexact": lambda value, wanted: str(value).casefold() == str(wanted).casefold(),
    "contains": lambda value, wanted: value is not None and str(wanted) in str(value),
    "icontains": _icontains,
    "startswith": lambda value, wanted: str(value).startswith(str(wanted)),
    "istartswith": lambda value, wanted: str(value).casefold().startswith(str(wanted).casefold()),
    "iregex": lambda value, wanted: value is not None and bool(re.search(wanted, str(value), re.I)),
    # Full-text search, as a memory store can: the words appear, case ignored.
    "search": _icontains,
    "in": lambda value, wanted: value in wanted,
    "gt": lambda value, wanted: value is not None and value > wanted,
    "gte": lambda value, wanted: value is not None and value >= wanted,
    "lt": lambda value, wanted: value is not None and value < wanted,
    "lte": lambda value, wanted: value is not None and value <= wanted,
    "isnull": lambda value, wanted: (value is None) == bool(wanted),
}


def lookup_predicate(lookup: str, wanted: Any, *, key_field: str) -> Predicate:
    """Compile a Django-style lookup such as `title__icontains` into a predicate."""
    path, _, operator = lookup.rpartition("__")
    if operator not in _OPERATORS:
        path, operator = lookup, "exact"
    if path == "pk":
        # `pk` matches the store key as text, so URL values need no conversion.
        return lambda obj: str(read(obj, key_field, None)) == str(wanted)
    test = _OPERATORS[operator]

    def predicate(obj: Any) -> bool:
        try:
            return test(read_path(obj, path), wanted)
        except TypeError:
            return False

    return predicate


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)


class MemoryStore(Generic[ModelT]):
    """Keeps dataclass instances or dicts under the string form of their `key_field`.

    Objects go in and come out as copies, so changing a fetched object changes nothing
    until it is saved. A missing or `None` key is assigned the next integer on save.
    """

    def __init__(self, *, key_field: str = "id") -> None:
        self.key_field = key_field
        self._rows: dict[str, ModelT] = {}
        self._last_key = 0
        self._lock = threading.Lock()

    def key_of(self, obj: ModelT) -> str:
        """Return the key `obj` is stored under; raise `NotFound` if it has none."""
        key = read(obj, self.key_field, None)
        if key is None:
            raise NotFound()
        return str(key)

    async def aget(self, key: str, /) -> ModelT:
        """Return a copy of the object stored under `key`; raise `NotFound` if none is."""
        with self._lock:
            found = self._rows.get(str(key))
        if found is None:
            raise NotFound()
        return copied(found)

    async def asave(self, obj: ModelT, /) -> ModelT:
        """Insert or replace `obj`, assigning a key when it has none; return the stored copy."""
        with self._lock:
            if read(obj, self.key_field, None) is None:
                self._last_key += 1
                obj = changed(obj, {self.key_field: self._last_key})
            else:
                key = read(obj, self.key_field)
                if isinstance(key, int):
                    self._last_key = max(self._last_key, key)
                obj = copied(obj)
            key = str(read(obj, self.key_field))
            self._remember(key, self._rows.get(key))
            self._rows[key] = obj
        return copied(obj)

    async def adelete(self, obj: ModelT, /) -> None:
        """Remove `obj`; raise `NotFound` if it is not stored."""
        key = self.key_of(obj)
        with self._lock:
            previous = self._rows.pop(key, None)
            if previous is None:
                raise NotFound()
            self._remember(key, previous)

    def _remember(self, key: str, previous: ModelT | None) -> None:
        journal = _recording_journal()
        if journal is not None:
            journal.undo.append(lambda: self._put_back(key, previous))

    def _put_back(self, key: str, previous: ModelT | None) -> None:
        with self._lock:
            if previous is None:
                self._rows.pop(key, None)
            else:
                self._rows[key] = previous

    async def acount(self) -> int:
        """Return how many objects are stored."""
        with self._lock:
            return len(self._rows)

    def all(self) -> MemoryQuery[ModelT]:
        """Return a lazy query over every stored object, in insertion order."""
        return MemoryQuery(self)

    def row(self, key: str) -> ModelT | None:
        """Return the stored object under `key` (not a copy), or `None`."""
        with self._lock:
            return self._rows.get(key)

    def rows(self) -> list[ModelT]:
        """Return a consistent snapshot of the stored objects (not copies)."""
        with self._lock:
            return list(self._rows.values())

    def snapshot(self) -> tuple[dict[str, ModelT], int]:
        """Capture the whole store, for `restore` to bring back."""
        with self._lock:
            return dict(self._rows), self._last_key

    def restore(self, snapshot: tuple[dict[str, ModelT], int], /) -> None:
        """Bring the store back to a `snapshot`."""
        rows, last_key = snapshot
        with self._lock:
            self._rows = dict(rows)
            self._last_key = last_key


@dataclass(frozen=True, slots=True)
class MemoryQuery(Generic[ModelT]):
    """A lazy, immutable query: each method returns a new query; nothing runs until awaited."""

    store: MemoryStore[ModelT]
    predicates: tuple[Predicate, ...] = ()
    ordering: tuple[str, ...] = ()
    window: slice = field(default_factory=lambda: slice(None))

    def filter(self, *predicates: Predicate, **lookups: Any) -> Self:
        """Keep objects passing every predicate and every Django-style lookup."""
        compiled = [
            lookup_predicate(k, v, key_field=self.store.key_field) for k, v in lookups.items()
        ]
        return self._narrowed((*predicates, *compiled))

    def filter_any(self, **lookups: Any) -> Self:
        """Keep objects matching at least one of the Django-style lookups."""
        compiled = [
            lookup_predicate(k, v, key_field=self.store.key_field) for k, v in lookups.items()
        ]
        return self._narrowed((lambda obj: any(test(obj) for test in compiled),))

    def exclude(self, **lookups: Any) -> Self:
        """Drop objects matching all of the lookups."""
        compiled = [
            lookup_predicate(k, v, key_field=self.store.key_field) for k, v in lookups.items()
        ]
        return self._narrowed((lambda obj: not all(test(obj) for test in compiled),))

    def order_by(self, *fields: str) -> Self:
        """Sort by `fields`; a leading `-` sorts that field descending, `None` sorts first."""
        return replace(self, ordering=fields)

    def __getitem__(self, window: slice, /) -> Self:
        """Return the query narrowed to `window` of its current order."""
        if window.step not in (None, 1):
            raise TypeError("memory queries are sliced with [start:stop] only")
        if any(bound is not None and bound < 0 for bound in (window.start, window.stop)):
            raise ValueError("negative indexing is not supported")
        indices = range(1 << 62)[self.window][window]
        return replace(self, window=slice(indices.start, indices.stop))

    def _narrowed(self, predicates: tuple[Predicate, ...]) -> Self:
        if self.window != slice(None):
            raise TypeError("cannot filter a query once a slice has been taken")
        return replace(self, predicates=self.predicates + predicates)

    def _matching(self) -> list[ModelT]:
        rows = [row for row in self.store.rows() if all(test(row) for test in self.predicates)]
        for name in reversed(self.ordering):
            path = name.removeprefix("-")
            rows.sort(key=lambda row: _sort_key(read_path(row, path)), reverse=name != path)
        return rows[self.window]

    def _evaluate(self) -> list[ModelT]:
        return [copied(row) for row in self._matching()]

    def __iter__(self) -> Iterator[ModelT]:
        """Yield copies of the matching objects."""
        return iter(self._evaluate())

    async def __aiter__(self) -> AsyncIterator[ModelT]:
        """Yield copies of the matching objects."""
        for row in self._evaluate():
            yield row

    async def alist(self) -> list[ModelT]:
        """Return copies of the matching objects."""
        return self._evaluate()

    async def acount(self) -> int:
        """Return how many objects match."""
        return len(self._matching())

    async def aexists(self) -> bool:
        """Return whether any object matches."""
        return bool(self._matching())

    async def aget(self, *predicates: Predicate, **lookups: Any) -> ModelT:
        """Return the only matching object; raise `NotFound` or `MultipleObjectsReturned`.

        A `pk` lookup reads the one stored row by key instead of scanning the store.
        """
        if "pk" in lookups and self.window == slice(None):
            row = self.store.row(str(lookups.pop("pk")))
            narrowed = self.filter(*predicates, **lookups)
            if row is None or not all(test(row) for test in narrowed.predicates):
                raise NotFound()
            return copied(row)
        found = self.filter(*predicates, **lookups)._evaluate()
        if not found:
            raise NotFound()
        if len(found) > 1:
            raise MultipleObjectsReturned(f"{len(found)} objects match {lookups!r}")
        return found[0]
