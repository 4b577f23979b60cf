"""How much of restflow one request walks through: functions entered, files, file switches,
and thread crossings both ways, for a POST, a PATCH and a paginated GET list.

    .venv/bin/python -m benchmarks.trace_request

The view is a typical one: `AsyncModelViewSet[Product]` over a queryset with
`select_related` and `prefetch_related`, restflow's `ModelSerializer`, restflow's
`IsAuthenticated` and a ten-row `PageNumberPagination`. Each request is made once to warm
up, then traced from `await view(request)` to the rendered response with `sys.setprofile`
and `threading.setprofile`, counting the distinct (file, qualified name) pairs in
`restflow_core`, `restflow_django` and `restflow_memory`, in the worker thread as well as
on the loop. The request is built before tracing starts, and `Diagnostics`' own wrappers
are not counted. Crossings are counted by `Diagnostics` (loop to thread, and thread back to
the loop). `--list` prints the functions entered, file by file.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402  # after django.setup()
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from restflow_django.diagnostics import Diagnostics  # noqa: E402
from restflow_django.pagination import PageNumberPagination  # noqa: E402
from restflow_django.permissions import IsAuthenticated  # noqa: E402
from restflow_django.serializers import ModelSerializer  # noqa: E402
from restflow_django.test import AsyncAPIRequestFactory, force_authenticate  # noqa: E402
from restflow_django.views import AsyncModelViewSet  # noqa: E402
from tests.testapp.models import Category, Product  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tuple(
    str(ROOT / name) for name in ("restflow_core", "restflow_django", "restflow_memory")
)


class Tens(PageNumberPagination):
    page_size = 10


class Row(ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category", "created_by", "tags")


class Products(AsyncModelViewSet[Product]):
    queryset = Product.objects.select_related("category", "created_by").prefetch_related("tags")
    serializer_class = Row
    permission_classes = (IsAuthenticated,)
    pagination_class = Tens


def _instrument(frame: FrameType) -> bool:
    """Whether the frame is the measurement's own: `Diagnostics` counting a crossing."""
    return frame.f_code.co_qualname.startswith("Diagnostics._record")


class Trace:
    """The restflow functions entered, in order, on any thread, while `recording`.

    It is installed before the first request, so that the worker threads started for the
    requests (the thread hop's) are traced too; only what happens while `recording` counts.
    """

    def __init__(self) -> None:
        self.entered: list[tuple[str, str]] = []
        self.recording = False
        self._lock = threading.Lock()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if not self.recording or event != "call":
            return
        if not frame.f_code.co_filename.startswith(PACKAGES) or _instrument(frame):
            return
        with self._lock:
            self.entered.append((frame.f_code.co_filename, frame.f_code.co_qualname))

    def summary(self) -> tuple[int, int, int]:
        """Distinct functions, distinct files, and switches from one file to another."""
        files = [file for file, _ in self.entered]
        switches = sum(1 for before, after in itertools.pairwise(files) if before != after)
        return len(set(self.entered)), len(set(files)), switches


TRACE = Trace()
LISTS: dict[int, list[tuple[str, str]]] = {}


async def measure(make: Any, action: Any, **kwargs: Any) -> tuple[int, int, int, int, int]:
    view: Any = Products.as_view(action)
    await (await view(make(), **kwargs)).render()  # warm
    TRACE.entered.clear()
    request = make()
    async with Diagnostics() as seen:
        TRACE.recording = True
        try:
            response = await view(request, **kwargs)
        finally:
            TRACE.recording = False
        response.render()
    assert response.status_code < 300, response.data
    LISTS[len(LISTS)] = list(dict.fromkeys(TRACE.entered))
    return (*TRACE.summary(), seen.crossings, len(seen.crossed_back))


async def main() -> None:
    setup_test_environment()
    # Before any thread starts: threads inherit the profiler when they start.
    sys.setprofile(TRACE)
    threading.setprofile(TRACE)
    factory = AsyncAPIRequestFactory()
    ada = await User.objects.acreate(username="ada")
    tools = await Category.objects.acreate(name="tools")
    for number in range(25):
        await Product.objects.acreate(
            name=f"p{number}", price=number, category=tools, created_by=ada
        )
    saw = await Product.objects.afirst()
    assert saw is not None

    def authenticated(request: Any) -> Any:
        force_authenticate(request, ada)
        return request

    counter = iter(range(1_000_000))
    rows = {
        "POST create": await measure(
            lambda: authenticated(factory.post("/", {"name": f"n{next(counter)}", "price": "1"})),
            {"post": "create"},
        ),
        "PATCH": await measure(
            lambda: authenticated(factory.patch("/", {"stock": next(counter)})),
            {"patch": "partial_update"},
            pk=str(saw.pk),
        ),
        "GET list": await measure(lambda: authenticated(factory.get("/?page=2")), {"get": "list"}),
    }
    print(
        "| request | restflow functions entered | files | file switches "
        "| crossings loop->thread + thread->loop |"
    )
    print("|---|---|---|---|---|")
    for name, (functions, files, switches, there, back) in rows.items():
        print(f"| {name} | {functions} | {files} | {switches} | {there} + {back} |")
    if "--list" in sys.argv:
        for name, entered in zip(rows, LISTS.values(), strict=True):
            print(f"\n{name}:")
            by_file: dict[str, list[str]] = {}
            for file, function in entered:
                by_file.setdefault(str(Path(file).relative_to(ROOT)), []).append(function)
            for file, functions in by_file.items():
                print(f"  {file} ({len(functions)}): {', '.join(functions)}")


if __name__ == "__main__":
    connection.creation.create_test_db(verbosity=0)
    asyncio.run(main())
