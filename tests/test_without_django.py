"""restflow_core and restflow_memory run where Django cannot even be imported."""

from __future__ import annotations

import textwrap

from tests.processes import run_python

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from importlib.abc import MetaPathFinder

    class Forbidden(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"django", "rest_framework", "asgiref"}:
                raise ImportError(f"{name} is not installed here")
            return None

    sys.meta_path.insert(0, Forbidden())
    try:
        import django
    except ImportError:
        pass
    else:
        raise SystemExit("django was importable")

    from restflow_memory import (
        Field, MemoryClient, MemoryRouter, MemorySerializer, MemoryStore, ModelResource,
        PageNumberPagination,
    )

    class Tags(MemorySerializer):
        model = dict
        id = Field(int, read_only=True)
        name = Field(str)

    class TagResource(ModelResource):
        store = MemoryStore()
        serializer_class = Tags
        pagination_class = PageNumberPagination

    async def cycle():
        router = MemoryRouter()
        router.register("tags", TagResource)
        client = MemoryClient(router)
        created = await client.post("/tags/", {"name": "a"})
        listed = await client.get("/tags/")
        fetched = await client.get("/tags/1/")
        patched = await client.patch("/tags/1/", {"name": "b"})
        put = await client.put("/tags/1/", {"name": "c"})
        deleted = await client.delete("/tags/1/")
        gone = await client.get("/tags/1/")
        return [r.status.value for r in (created, listed, fetched, patched, put, deleted, gone)]

    print(asyncio.run(cycle()))
    frameworks = {"django", "rest_framework", "asgiref"}
    print(sorted(m for m in sys.modules if m.split(".")[0] in frameworks))
    """
)


def test_full_crud_cycle_runs_where_django_cannot_be_imported() -> None:
    """Create, list, retrieve, patch, put and destroy all answer with Django unimportable."""
    result = run_python(SCRIPT)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[201, 200, 200, 200, 200, 204, 404]", "[]"]


ADAPTER_SCRIPT = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class OnlyTheCore(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"django", "rest_framework", "asgiref", "restflow_memory",
                                       "restflow_django"}:
                raise ImportError(f"{name} is not for this adapter")
            return None

    sys.meta_path.insert(0, OnlyTheCore())
    import examples.asgi_sqlite.adapter
    print("imported")
    """
)


def test_the_sqlite_asgi_adapter_needs_only_the_core() -> None:
    """`examples/asgi_sqlite` imports with every other restflow package and Django refused."""
    result = run_python(ADAPTER_SCRIPT)

    assert result.stdout.strip() == "imported", result.stderr
