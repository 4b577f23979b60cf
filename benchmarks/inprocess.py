"""In-process costs: microseconds per request and thread crossings, no network involved."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

STACKS = ["raw", "restflow", "adrf", "drf", "ninja"]
REQUESTS = 200
ROUNDS = 7


async def per_request(
    client: Any, method: str, path: str, body: Any = None, requests: int = REQUESTS
) -> float:
    """CPU microseconds per request: the best of three batches of `requests`, after a
    warm-up."""
    return (await side_by_side(client, method, [path], body, requests=requests, rounds=3))[0]


async def side_by_side(
    client: Any,
    method: str,
    paths: list[str],
    body: Any = None,
    *,
    requests: int = REQUESTS // 2,
    rounds: int = ROUNDS,
) -> list[float]:
    """CPU microseconds per request of each path (the process's, every thread counted):
    the best of `rounds` batches of `requests`, the paths' batches taking turns, so that a
    slow spell of the machine falls on all of them alike. CPU time leaves out what the
    disk and the other processes of the machine make a request wait."""
    send = getattr(client, method)
    extra = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    for path in paths:
        for _ in range(20):
            await send(path, **extra)
    best = [float("inf")] * len(paths)
    for _ in range(rounds):
        for index, path in enumerate(paths):
            started = time.process_time()
            for _ in range(requests):
                response = await send(path, **extra)
                assert response.status_code < 300, (path, response.status_code, response.content)
            best[index] = min(best[index], (time.process_time() - started) / requests * 1e6)
    return best


async def direct_costs(endpoints: dict[str, tuple[str, str, Any]]) -> None:
    """Print CPU microseconds per request of the raw view and restflow's, each called
    directly (no test client, no middleware): what restflow's view machinery costs."""
    from django.test import AsyncRequestFactory
    from django.urls import resolve

    factory = AsyncRequestFactory()

    def caller(method: str, path: str, body: Any) -> Callable[[], Awaitable[Any]]:
        match = resolve(path.partition("?")[0])
        extra = {} if body is None else {"data": json.dumps(body)}

        async def call() -> Any:
            request = factory.generic(
                method.upper(), path, content_type="application/json", **extra
            )
            response = await match.func(request, *match.args, **match.kwargs)
            rendered = getattr(response, "render", None)
            if rendered is not None:
                done = rendered()
                if inspect.isawaitable(done):
                    await done
            assert response.status_code < 300, (path, response.status_code)
            return response

        return call

    print()
    print("### The view machinery alone: CPU microseconds per request, each view called")
    print(f"directly (no client, no middleware; best of {ROUNDS} batches of {REQUESTS}, taking")
    print("turns)")
    print()
    print("| endpoint | raw | restflow | restflow minus raw |")
    print("|---|---|---|---|")
    for endpoint, (method, path, body) in endpoints.items():
        calls = [caller(method, f"/{stack}/{path}", body) for stack in ("raw", "restflow")]
        best = [float("inf")] * len(calls)
        for call in calls:
            for _ in range(20):
                await call()
        for _ in range(ROUNDS):
            for index, call in enumerate(calls):
                started = time.process_time()
                for _ in range(REQUESTS):
                    await call()
                best[index] = min(best[index], (time.process_time() - started) / REQUESTS * 1e6)
        raw_cost, ours = best
        print(f"| {endpoint} | {raw_cost:,.0f} | {ours:,.0f} | {ours - raw_cost:,.0f} |")


async def crossings(client: Any, method: str, path: str, body: Any = None) -> tuple[str, int]:
    """Thread crossings of one request, loop to thread + thread back to the loop, and its
    queries."""
    from restflow_django.diagnostics import Diagnostics

    send = getattr(client, method)
    extra = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    async with Diagnostics() as seen:
        await send(path, **extra)
    return f"{seen.crossings} + {len(seen.crossed_back)}", len(seen.queries)


@dataclass
class Book:
    """A book for the memory adapter's measurement."""

    title: str
    id: int | None = None


async def memory_costs() -> tuple[float, float]:
    """Microseconds per create and per retrieve through the memory adapter's client."""
    from restflow_memory import (
        Field,
        MemoryClient,
        MemoryRouter,
        MemorySerializer,
        MemoryStore,
        ModelResource,
    )

    class BookSerializer(MemorySerializer[Book]):
        model = Book
        id = Field(int, read_only=True)
        title = Field(str)

    class BookResource(ModelResource[Book]):
        store = MemoryStore[Book]()
        serializer_class = BookSerializer

    router = MemoryRouter()
    router.register("books", BookResource)
    client = MemoryClient(router)
    rounds, passes = 1000, 5
    create = retrieve = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        for _ in range(rounds):
            await client.post("/books/", {"title": "Dune"})
        create = min(create, (time.perf_counter() - started) / rounds * 1e6)
        started = time.perf_counter()
        for _ in range(rounds):
            await client.get("/books/7/")
        retrieve = min(retrieve, (time.perf_counter() - started) / rounds * 1e6)
    return create, retrieve


ROW_STACKS = ["raw", "restflow", "drf", "ninja"]
ROW_COUNTS = (20, 100, 1000)


async def cost_per_row(client: Any) -> None:
    """Print microseconds per list request of 20, 100 and 1,000 rows (no count), and the
    cost of each row past the twentieth, per stack."""
    print()
    print("### Cost per row: microseconds per list request of n rows, no count (in process,")
    print("best of three batches), and per extra row from 20 to 1,000")
    print()
    header = " | ".join(f"{count:,} rows" for count in ROW_COUNTS)
    print(f"| stack | {header} | µs per extra row | per row / raw's |")
    print("|---|" + "---|" * (len(ROW_COUNTS) + 2))
    slopes = {}
    timings = {}
    for stack in ROW_STACKS:
        timings[stack] = [
            await per_request(
                client, "get", f"/{stack}/rows/?n={count}", requests=max(20, 4000 // count)
            )
            for count in ROW_COUNTS
        ]
        slopes[stack] = (timings[stack][-1] - timings[stack][0]) / (ROW_COUNTS[-1] - ROW_COUNTS[0])
    for stack in ROW_STACKS:
        cells = " | ".join(f"{value:,.0f}" for value in timings[stack])
        print(f"| {stack} | {cells} | {slopes[stack]:.2f} | {slopes[stack] / slopes['raw']:.2f}x |")


async def main() -> None:
    """Measure and print a markdown table."""
    from django.test import AsyncClient

    client = AsyncClient()
    endpoints = {
        "list": ("get", "products/?page=3", None),
        "retrieve": ("get", "products/7/", None),
        "create": ("post", "products/", {"name": "b", "price": "1.00", "category": 1}),
        "partial update": ("patch", "products/9/", {"stock": 3}),
    }
    print("### In process: CPU microseconds per request (Django's async test client, SQLite;")
    print(f"best of {ROUNDS} batches of {REQUESTS // 2}, the stacks taking turns), and")
    print("restflow's cost over the hand-written view")
    print()
    print("| endpoint | " + " | ".join(STACKS) + " | restflow minus raw |")
    print("|---|" + "---|" * (len(STACKS) + 1))
    for endpoint, (method, path, body) in endpoints.items():
        paths = [f"/{stack}/{path}" for stack in STACKS]
        timings = dict(zip(STACKS, await side_by_side(client, method, paths, body), strict=True))
        cells = [f"{timings[stack]:,.0f}" for stack in STACKS]
        over = timings["restflow"] - timings["raw"]
        print(f"| {endpoint} | " + " | ".join(cells) + f" | {over:,.0f} |")
    await direct_costs(endpoints)
    print()
    print("### Thread crossings and queries per request (restflow vs the raw async view;")
    print("crossings from the loop to a thread + from a thread back to the loop)")
    print()
    print("| endpoint | restflow crossings | restflow queries | raw crossings | raw queries |")
    print("|---|---|---|---|---|")
    for endpoint, (method, path, body) in endpoints.items():
        ours = await crossings(client, method, f"/restflow/{path}", body)
        floor = await crossings(client, method, f"/raw/{path}", body)
        print(f"| {endpoint} | {ours[0]} | {ours[1]} | {floor[0]} | {floor[1]} |")
    await cost_per_row(client)
    create, retrieve = await memory_costs()
    print()
    print("### The memory adapter, in process")
    print()
    print(f"- create: {create:.1f} µs per action; retrieve: {retrieve:.1f} µs per action (best of")
    print("  five passes of 1,000)")


if __name__ == "__main__":
    from benchmarks.seed import seed

    seed()
    asyncio.run(main())
