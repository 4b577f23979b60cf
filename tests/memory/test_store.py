"""The memory store and its queries."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest

from restflow_core import NotFound
from restflow_memory import MemoryStore, MultipleObjectsReturned


@dataclass
class Item:
    """Something to store."""

    name: str
    size: int | None = None
    id: int | None = None


@pytest.fixture
async def store() -> MemoryStore[Item]:
    """A store holding four items."""
    store = MemoryStore[Item]()
    for name, size in (("bolt", 3), ("Nut", 1), ("washer", None), ("bolt", 7)):
        await store.asave(Item(name, size))
    return store


class TestMemoryStore:
    async def test_save_assigns_increasing_keys(self) -> None:
        """Objects without a key get 1, 2, ...; an explicit key moves the counter on."""
        store = MemoryStore[Item]()

        first = await store.asave(Item("a"))
        explicit = await store.asave(Item("b", id=10))
        after = await store.asave(Item("c"))

        assert (first.id, explicit.id, after.id) == (1, 10, 11)

    async def test_fetched_objects_are_copies(self, store: MemoryStore[Item]) -> None:
        """Changing a fetched object changes nothing until it is saved."""
        item = await store.aget("1")
        item.name = "changed"

        assert (await store.aget("1")).name == "bolt"

        await store.asave(item)
        assert (await store.aget("1")).name == "changed"

    async def test_dicts_are_stored_too(self) -> None:
        """Dict rows get keys like dataclass rows."""
        store = MemoryStore[dict[str, object]]()

        saved = await store.asave({"name": "a"})

        assert saved == {"name": "a", "id": 1}
        assert await store.aget("1") == {"name": "a", "id": 1}

    async def test_missing_keys_raise_not_found(self, store: MemoryStore[Item]) -> None:
        """`aget` and `adelete` of an unknown key raise `NotFound`."""
        with pytest.raises(NotFound):
            await store.aget("99")
        with pytest.raises(NotFound):
            await store.adelete(Item("ghost", id=99))

    async def test_delete_removes(self, store: MemoryStore[Item]) -> None:
        """A deleted object is gone."""
        await store.adelete(await store.aget("2"))

        assert await store.acount() == 3
        with pytest.raises(NotFound):
            await store.aget("2")

    async def test_snapshot_and_restore(self, store: MemoryStore[Item]) -> None:
        """`restore` brings back rows and the key counter as they were."""
        snapshot = store.snapshot()
        await store.asave(Item("extra"))
        await store.adelete(await store.aget("1"))

        store.restore(snapshot)

        assert [item.name for item in store.all()] == ["bolt", "Nut", "washer", "bolt"]
        assert (await store.asave(Item("next"))).id == 5

    async def test_concurrent_tasks_and_threads_never_lose_a_row(self) -> None:
        """Saves from 4 threads and 100 tasks at once all land under distinct keys."""
        store = MemoryStore[Item]()

        def save_many() -> None:
            for n in range(250):
                asyncio.run(store.asave(Item(f"t{n}")))

        threads = [threading.Thread(target=save_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        await asyncio.gather(*(store.asave(Item(f"a{n}")) for n in range(100)))
        for thread in threads:
            thread.join()

        assert await store.acount() == 1100
        assert len({item.id for item in store.all()}) == 1100


class TestMemoryQuery:
    async def test_lookups(self, store: MemoryStore[Item]) -> None:
        """Django-style lookups narrow the query."""
        query = store.all()

        async def names(**lookups: object) -> list[str]:
            return [item.name for item in await query.filter(**lookups).alist()]

        assert await names(name="bolt") == ["bolt", "bolt"]
        assert await names(name__iexact="nut") == ["Nut"]
        assert await names(name__icontains="AS") == ["washer"]
        assert await names(size__gt=1) == ["bolt", "bolt"]
        assert await names(size__lte=3, name__startswith="b") == ["bolt"]
        assert await names(size__isnull=True) == ["washer"]
        assert await names(id__in=(2, 3)) == ["Nut", "washer"]
        assert await names(pk="4") == ["bolt"]

    async def test_exclude(self, store: MemoryStore[Item]) -> None:
        """`exclude` drops the objects matching all its lookups."""
        kept = await store.all().exclude(name="bolt", size=3).alist()

        assert [item.id for item in kept] == [2, 3, 4]

    async def test_ordering_is_stable_and_puts_none_first(self, store: MemoryStore[Item]) -> None:
        """Several keys sort together; descending keys reverse only themselves."""
        ordered = await store.all().order_by("name", "-size").alist()
        by_size = await store.all().order_by("size").alist()

        assert [(item.name, item.size) for item in ordered] == [
            ("Nut", 1),
            ("bolt", 7),
            ("bolt", 3),
            ("washer", None),
        ]
        assert [item.size for item in by_size] == [None, 1, 3, 7]

    async def test_slices_compose(self, store: MemoryStore[Item]) -> None:
        """A slice of a slice counts from the first one."""
        window = store.all().order_by("id")[1:4][1:2]

        assert [item.id async for item in window] == [3]
        assert await window.acount() == 1
        assert await store.all()[10:20].acount() == 0

    async def test_filtering_after_slicing_is_refused(self, store: MemoryStore[Item]) -> None:
        """Like a QuerySet, a sliced query cannot be filtered."""
        with pytest.raises(TypeError):
            store.all()[:2].filter(name="bolt")

    async def test_aget_needs_exactly_one_match(self, store: MemoryStore[Item]) -> None:
        """No match raises `NotFound`; several raise `MultipleObjectsReturned`."""
        assert (await store.all().aget(name="Nut")).id == 2
        with pytest.raises(NotFound):
            await store.all().aget(name="screw")
        with pytest.raises(MultipleObjectsReturned):
            await store.all().aget(name="bolt")

    async def test_queries_are_lazy(self, store: MemoryStore[Item]) -> None:
        """A query built before a save sees the saved row when evaluated."""
        query = store.all().filter(name="bolt")

        await store.asave(Item("bolt"))

        assert await query.acount() == 3
        assert await query.aexists()
