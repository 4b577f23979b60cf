"""Benchmark restflow against adrf, DRF, django-ninja and raw async Django, side by side.

`python3 dev.py bench` runs this: one uvicorn worker serves every stack from one process
(and one gunicorn sync worker serves DRF the classic way); wrk loads each endpoint from
127.0.0.1 in turn, three rounds, on SQLite and, when `BENCH_POSTGRES` names a database, on
PostgreSQL. Then an in-process table of microseconds per request and thread crossings.
Prints every table and writes `benchmarks/RESULTS.md`.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
CONNECTIONS = 16
STACKS = ["raw", "restflow", "adrf", "drf", "ninja", "drf-gunicorn"]
CREATE = {"name": "bench", "price": "9.99", "stock": 1, "category": 1}
# Each stack patches its own row, so no stack waits on another's row lock.
PATCH_ROW = {stack: 100 + index for index, stack in enumerate(STACKS)}
ENDPOINTS: dict[str, tuple[str, str, dict[str, object] | None]] = {
    "list": ("GET", "products/?page=3", None),
    "retrieve": ("GET", "products/7/", None),
    "create": ("POST", "products/", CREATE),
    "partial update": ("PATCH", "products/{row}/", {"stock": 5}),
    "I/O-bound (20 ms)": ("GET", "io/", None),
}


CAUSE = """### Where the gaps come from

Measured in process (the application called as a server calls it, 3,000 retrieves), under
load, and sampled with py-spy:

- **Thread crossings are no longer the difference.** Served by `restflow_django.asgi` on
  Django 5.0+, a default action's request crosses to a thread once from its body's
  arrival to its close: the `request_started` receivers join the request's first sync
  call and the response is closed on its thread after it is sent
  (`tests/django/test_one_crossing.py`). The hand-written view and ninja get the same
  saving from the same server, so the ratios between stacks barely move with it.
- **Many request threads cost more than their crossings.** Kept threads, SQLite, wrk on
  one retrieve: with 1 connection restflow served 1,080 requests per second and DRF
  under gunicorn 1,117; with 4, 831 against 1,064; with 16, 807 against 1,105. The
  hand-written view lost as much (1,399, 1,125, 942). Letting only one or two request
  threads run at a time (a semaphore) did not win it back, nor did a shorter switch
  interval (0.5 ms: worse; 0.1 ms: within the noise) or larger collector thresholds (no
  collection at all: 4% in process). Running every request's sync work on one thread
  did: `get_asgi_application(share_thread=True)` (its table above) takes restflow from
  0.63x-0.82x of DRF under gunicorn to 0.87x-1.03x, and the hand-written view further.
  One busy thread with a queue of short calls beats many threads waking one another. It
  is an option, not the default, because one request's slow sync call then holds up the
  others' (docs/performance.md).
- **A real project's middleware is the largest cost an async stack pays.** Under Django's
  handler each `MiddlewareMixin` hook is a thread hop: fourteen more per request for the
  `startproject` list, which costs every async stack a quarter to a half of its
  throughput while DRF under gunicorn pays nothing for it. With
  `restflow_django.middleware.async_middleware` those hooks run on the event loop unless
  they may block (a session to save), and the whole stack costs restflow 0.77x to 1.17x
  of its bare throughput over the last three full runs (this machine's run-to-run spread
  on these rows is 10% or more). With one shared thread the bare stack is faster and the
  middleware's own work a larger share: 0.64x to 0.86x, about what the same middleware
  costs DRF under gunicorn (0.70x to 0.81x).
- **CPU per request.** Through restflow's application, in process, a retrieve costs
  restflow about 630 µs, ninja 550 and the hand-written view 475. The difference is DRF's
  machinery that restflow keeps byte for byte: its `Request`, negotiation, permissions
  walk, serializer instances and `Response`, about 150 µs over the hand-written view; a
  write adds DRF's validation and `save()`. Every stack's partial update writes only the
  column it is sent (restflow's serializer sets `Meta.update_fields = "validated"`);
  restflow's default, DRF's whole-row save, costs about 250 µs more per PATCH in process
  on SQLite, most of it the database rewriting the foreign key column. The levers left
  were measured and not built, as each would save little: a JSON fast lane at most 1.7
  µs per response (DRF's renderer takes 3.4 µs for a retrieve's body, the encoding
  itself 1.7); parsing JSON bodies without DRF's parser dispatch about 14 µs per write
  (15.6 µs against `json.loads`' 1.7, about 1.5% of a create); caching the walk for
  async validation hooks 10 to 20 µs per write, but a validator a serializer's
  `__init__` adds would then go unawaited. The levers that do less per request without
  changing DRF's answers (rows read through compiled steps, fields built once per class,
  negotiation skipped for `*/*`, rendering on the loop, cycles freed with the response)
  are in place; the remaining gap is spread over many small steps, none above 5% of a
  request in the samples.
- **Rows.** Each extra row of a list costs restflow 14 to 21 µs over the last three runs
  (its compiled reading plus the ORM's instance), 1.18x to 1.33x the hand-written view's
  dict; DRF's serializer 1.5x to 2x and ninja's pydantic validation of each row 1.6x to
  2.8x.
- **DRF under gunicorn** pays the same DRF CPU, but no event loop and no crossing, and with
  one request in flight the collector finds little to walk. One sync worker caps it near
  50 requests per second once a request waits on I/O, where restflow serves 10 to 13
  times more. With one shared thread restflow is level with it on retrieve and within
  13% on the other CPU-bound rows: the event loop's own share of each request and the
  hand-offs to the thread.

The "at least 5x adrf on list" target assumed adrf at about 0.12x of the hand-written
view; in these runs adrf serves between half and two thirds of the hand-written view's
list throughput, so 5x adrf would mean two and a half to three times the hand-written
view itself."""


@dataclass
class Sample:
    """One wrk run (or the medians of several): requests per second, latency percentiles in
    milliseconds, errors, and each round's requests per second."""

    rps: float
    p50: float
    p99: float
    errors: int
    rounds: tuple[float, ...] = ()


def ratio(ours: Sample, theirs: Sample) -> tuple[float, float, float]:
    """`ours` over `theirs`: the median over rounds of the ratio within each round, then the
    lowest and the highest. Stacks of one round run minutes apart at most, so the ratio
    within a round is spared most of the machine's drift."""
    within = [a / b for a, b in zip(ours.rounds, theirs.rounds, strict=True) if b]
    if not within:
        within = [ours.rps / (theirs.rps or 1.0)]
    return statistics.median(within), min(within), max(within)


def free_port() -> int:
    """A free port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(database: str, sqlite: Path) -> dict[str, str]:
    """The environment the servers and helpers run with."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "BENCH_DB": database,
        "BENCH_SQLITE": str(sqlite),
        "PYTHONPATH": str(ROOT),
    }


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    """Run a server until the block ends; wait until it accepts connections; always stop it."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{command[0]} did not start within 30 seconds")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wrk(url: str, method: str, body: dict[str, object] | None) -> Sample:
    """Load `url` for `SECONDS` with `CONNECTIONS` connections; parse wrk's report."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{method}"\n')
        script.write('wrk.headers["Content-Type"] = "application/json"\n')
        if body is not None:
            script.write(f"wrk.body = [[{json.dumps(body)}]]\n")
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", script.name]
    try:
        report = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=SECONDS + 30, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(report)


def parse_wrk(report: str) -> Sample:
    """Read requests/sec, the 50% and 99% latencies and the error count from wrk."""

    def milliseconds(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", report, re.M)
        if match is None:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * scale

    rps = re.search(r"Requests/sec:\s+([\d.]+)", report)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return Sample(
        rps=float(rps.group(1)) if rps else 0.0,
        p50=milliseconds("50%"),
        p99=milliseconds("99%"),
        errors=int(errors.group(1)) if errors else 0,
    )


# The serving tax measured apart: every stack's server keeps its threads and connections.
REUSED_STACKS = ("raw", "restflow", "drf-gunicorn")
REUSED_ENDPOINTS = ("list", "retrieve", "create", "partial update")


def load_round(
    asgi: int,
    wsgi: int,
    number: int,
    stacks: Sequence[str] = tuple(STACKS),
    endpoints: Sequence[str] = tuple(ENDPOINTS),
) -> dict[tuple[str, str], Sample]:
    """One round: every endpoint of every stack, stacks interleaved endpoint by endpoint.

    Each round starts the stacks at a different place in their order, and the server
    collects its garbage before every run, so no stack always follows the same neighbour
    or pays for the garbage another left.
    """
    samples = {}
    order = [*stacks[number % len(stacks) :], *stacks[: number % len(stacks)]]
    for endpoint in endpoints:
        method, path, body = ENDPOINTS[endpoint]
        for stack in order:
            port, prefix = (wsgi, "drf") if stack == "drf-gunicorn" else (asgi, stack)
            settle(port)
            url = f"http://127.0.0.1:{port}/{prefix}/" + path.format(row=PATCH_ROW[stack])
            samples[endpoint, stack] = wrk(url, method, body)
    return samples


def settle(port: int) -> None:
    """Ask the server on `port` to collect its garbage before the next run."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/settle/", timeout=30) as answer:
        answer.read()


def measure_database(
    label: str,
    database: str,
    *,
    stacks: Sequence[str] = tuple(STACKS),
    endpoints: Sequence[str] = tuple(ENDPOINTS),
    serving: dict[str, str] | None = None,
) -> dict[tuple[str, str], Sample]:
    """Seed `database`, serve it, and return the median sample of each endpoint and stack.

    `serving` adds environment variables to the servers' (see `benchmarks.asgi`).
    """
    with tempfile.TemporaryDirectory() as scratch:
        env = {**environment(database, Path(scratch) / "bench.sqlite3"), **(serving or {})}
        subprocess.run([sys.executable, "-m", "benchmarks.seed"], cwd=ROOT, env=env, check=True)
        asgi, wsgi = free_port(), free_port()
        uvicorn = [sys.executable, "-m", "uvicorn", "benchmarks.asgi:application"]
        uvicorn += ["--host", "127.0.0.1", "--port", str(asgi), "--no-access-log"]
        uvicorn += ["--log-level", "warning"]
        gunicorn = [sys.executable, "-m", "gunicorn", "benchmarks.wsgi:application", "-w", "1"]
        gunicorn += ["-b", f"127.0.0.1:{wsgi}", "--log-level", "warning"]
        rounds = []
        with server(uvicorn, env, asgi), server(gunicorn, env, wsgi):
            for number in range(1, ROUNDS + 1):
                print(f"{label}: round {number} of {ROUNDS}", flush=True)
                rounds.append(load_round(asgi, wsgi, number, stacks, endpoints))
    return {
        key: Sample(
            rps=statistics.median(r[key].rps for r in rounds),
            p50=statistics.median(r[key].p50 for r in rounds),
            p99=statistics.median(r[key].p99 for r in rounds),
            errors=sum(r[key].errors for r in rounds),
            rounds=tuple(r[key].rps for r in rounds),
        )
        for key in rounds[0]
    }


def load_table(label: str, samples: dict[tuple[str, str], Sample]) -> list[str]:
    """Markdown: req/s, p50/p99 and ratios to the raw floor, per endpoint and stack."""
    lines = [
        f"### {label}: requests per second (p50 / p99 ms), ratio to the raw async view",
        "",
        "| endpoint | " + " | ".join(STACKS) + " |",
        "|---|" + "---|" * len(STACKS),
    ]
    for endpoint in ENDPOINTS:
        floor = samples[endpoint, "raw"]
        cells = []
        for stack in STACKS:
            sample = samples[endpoint, stack]
            flag = f", {sample.errors} errors" if sample.errors else ""
            cells.append(
                f"{sample.rps:,.0f} ({sample.p50:.1f} / {sample.p99:.1f}) "
                f"**{ratio(sample, floor)[0]:.2f}x**{flag}"
            )
        lines.append(f"| {endpoint} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "restflow's ratio to each peer (higher is better for restflow): the median over rounds",
        "of the ratio within each round, then the lowest and highest round:",
        "",
    ]
    lines += ["| endpoint | " + " | ".join(s for s in STACKS if s != "restflow") + " |"]
    lines += ["|---|" + "---|" * (len(STACKS) - 1)]
    for endpoint in ENDPOINTS:
        cells = []
        for peer in STACKS:
            if peer != "restflow":
                middle, low, high = ratio(samples[endpoint, "restflow"], samples[endpoint, peer])
                cells.append(f"{middle:.2f}x ({low:.2f} to {high:.2f})")
        lines.append(f"| {endpoint} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def reused_table(samples: dict[tuple[str, str], Sample]) -> list[str]:
    """Markdown: the stacks served with their threads and database connections kept."""
    return kept_table(
        samples,
        "### SQLite, threads and connections kept: requests per second (p50 / p99 ms)",
        [
            "uvicorn serves `restflow_django.asgi.get_asgi_application(freeze_startup=True)`",
            "(request threads kept between requests, what startup loaded frozen out of the",
            "garbage collector's way), and every server, gunicorn's included, keeps its",
            "database connections (`CONN_MAX_AGE = None`) and freezes its startup objects.",
            "The last column is restflow's ratio to DRF under gunicorn.",
        ],
    )


def shared_table(samples: dict[tuple[str, str], Sample]) -> list[str]:
    """Markdown: the same, with requests taking turns on one shared thread."""
    return kept_table(
        samples,
        "### SQLite, one shared thread: requests per second (p50 / p99 ms)",
        [
            "As above, with `get_asgi_application(freeze_startup=True, share_thread=True)`:",
            "requests take turns on one thread for their sync work (a request in a",
            "transaction gets its own). gunicorn is unchanged.",
        ],
    )


def kept_table(
    samples: dict[tuple[str, str], Sample], heading: str, serving: list[str]
) -> list[str]:
    """Markdown: a kept-connections table under `heading`, `serving` saying how it ran."""
    lines = [
        heading,
        "",
        *serving,
        "",
        "| endpoint | " + " | ".join(REUSED_STACKS) + " | restflow / drf-gunicorn |",
        "|---|" + "---|" * (len(REUSED_STACKS) + 1),
    ]
    for endpoint in dict.fromkeys(endpoint for endpoint, _ in samples):
        cells = [
            f"{samples[endpoint, stack].rps:,.0f} ({samples[endpoint, stack].p50:.1f} / "
            f"{samples[endpoint, stack].p99:.1f})"
            for stack in REUSED_STACKS
        ]
        middle, low, high = ratio(samples[endpoint, "restflow"], samples[endpoint, "drf-gunicorn"])
        lines.append(
            f"| {endpoint} | "
            + " | ".join(cells)
            + f" | **{middle:.2f}x** ({low:.2f} to {high:.2f}) |"
        )
    return [*lines, ""]


# A real project's stack: Django's `startproject` middleware, session and token
# authentication configured (see `benchmarks.settings`).
STARTPROJECT = {"BENCH_STACK": "startproject"}
KEPT = {"BENCH_REUSED_THREADS": "1", "BENCH_PERSISTENT": "1", "BENCH_FREEZE": "1"}


def realistic_table(
    djangos: dict[tuple[str, str], Sample],
    kept: dict[tuple[str, str], Sample],
    bare_kept: dict[tuple[str, str], Sample],
) -> list[str]:
    """Markdown: every stack behind a real project's middleware, and its targets."""
    lines = [
        "### SQLite, a real project's stack: requests per second (p50 / p99 ms)",
        "",
        "Every stack behind Django's `startproject` middleware (security, sessions, common,",
        "CSRF, authentication, messages, clickjacking), with DRF's session and token",
        "authentication configured; anonymous requests. First under Django's ASGI handler",
        "with Django's middleware classes, every stack alike, ratio to the raw async view:",
        "",
        "| endpoint | " + " | ".join(STACKS) + " |",
        "|---|" + "---|" * len(STACKS),
    ]
    for endpoint in REUSED_ENDPOINTS:
        floor = djangos[endpoint, "raw"]
        cells = []
        for stack in STACKS:
            sample = djangos[endpoint, stack]
            cells.append(f"{sample.rps:,.0f} **{ratio(sample, floor)[0]:.2f}x**")
        lines.append(f"| {endpoint} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Then as restflow serves it: `restflow_django.asgi` (threads and connections kept,",
        "startup frozen) and the same middleware through",
        "`restflow_django.middleware.async_middleware`; gunicorn keeps its connections too.",
        "`with / without` is restflow here against restflow with no middleware at all",
        "(the kept-threads table above):",
        "",
        *served_rows(kept, bare_kept),
    ]
    lines += ["", "| target | measured | |", "|---|---|---|"]
    for endpoint in REUSED_ENDPOINTS:
        alone = kept[endpoint, "restflow"].rps / bare_kept[endpoint, "restflow"].rps
        rows = [(f"{endpoint}: with the middleware, at least 0.95x without it", alone, 0.95)]
        for peer in ("raw", "adrf", "drf", "ninja"):
            mid = ratio(djangos[endpoint, "restflow"], djangos[endpoint, peer])[0]
            rows.append((f"{endpoint}: ahead of {peer}, same middleware", mid, 1.0))
        level = ratio(kept[endpoint, "restflow"], kept[endpoint, "drf-gunicorn"])[0]
        rows.append((f"{endpoint}: level with DRF under gunicorn, kept", level, 1.0))
        for name, value, wanted in rows:
            verdict = "met" if value >= wanted else "**gap**"
            lines.append(f"| {name} | {value:.2f}x | {verdict} |")
    return [*lines, ""]


def realistic_shared_table(
    kept: dict[tuple[str, str], Sample], bare: dict[tuple[str, str], Sample]
) -> list[str]:
    """Markdown: a real project's stack as restflow serves it with one shared thread."""
    return [
        "And with `share_thread=True` too; `with / without` is against restflow with one",
        "shared thread and no middleware (the shared-thread table above):",
        "",
        *served_rows(kept, bare),
        "",
    ]


def served_rows(
    kept: dict[tuple[str, str], Sample], bare: dict[tuple[str, str], Sample]
) -> list[str]:
    """Markdown rows: a stack as restflow serves it, against restflow without middleware
    (`bare`) and against DRF under gunicorn."""
    lines = [
        "| endpoint | "
        + " | ".join(REUSED_STACKS)
        + " | with / without | restflow / drf-gunicorn |",
        "|---|" + "---|" * (len(REUSED_STACKS) + 2),
    ]
    for endpoint in REUSED_ENDPOINTS:
        cells = [f"{kept[endpoint, stack].rps:,.0f}" for stack in REUSED_STACKS]
        alone = kept[endpoint, "restflow"].rps / bare[endpoint, "restflow"].rps
        middle, low, high = ratio(kept[endpoint, "restflow"], kept[endpoint, "drf-gunicorn"])
        lines.append(
            f"| {endpoint} | "
            + " | ".join(cells)
            + f" | **{alone:.2f}x** | **{middle:.2f}x** ({low:.2f} to {high:.2f}) |"
        )
    return lines


def targets_table(label: str, samples: dict[tuple[str, str], Sample]) -> list[str]:
    """Markdown: each target of the benchmark issue, met or not, with the measured ratio.

    A target whose wanted ratio lies between the lowest and the highest round is marked as
    within the rounds' spread: one more run may well flip it.
    """

    def measured(endpoint: str, peer: str) -> tuple[float, float, float]:
        return ratio(samples[endpoint, "restflow"], samples[endpoint, peer])

    rows = []
    for endpoint in ("list", "retrieve", "create", "partial update"):
        rows.append((f"{endpoint}: at least 0.9x the raw floor", measured(endpoint, "raw"), 0.9))
        for peer in ("ninja", "drf", "adrf"):
            rows.append((f"{endpoint}: ahead of {peer} (uvicorn)", measured(endpoint, peer), 1.0))
        rows.append(
            (f"{endpoint}: match DRF under gunicorn", measured(endpoint, "drf-gunicorn"), 1.0)
        )
    rows.append(("list: at least 5x adrf", measured("list", "adrf"), 5.0))
    io = "I/O-bound (20 ms)"
    rows.append(("I/O-bound: at least 0.9x the floor", measured(io, "raw"), 0.9))
    rows.append(
        ("I/O-bound: at least 5x DRF on one gunicorn worker", measured(io, "drf-gunicorn"), 5.0)
    )
    lines = [
        f"### {label}: targets",
        "",
        "| target | measured (lowest to highest round) | |",
        "|---|---|---|",
    ]
    for name, (middle, low, high), wanted in rows:
        verdict = "met" if middle >= wanted else "**gap**"
        if low < wanted <= high:
            verdict += ", within the rounds' spread"
        lines.append(f"| {name} | {middle:.2f}x ({low:.2f} to {high:.2f}) | {verdict} |")
    return [*lines, ""]


def in_process_table(env: dict[str, str]) -> list[str]:
    """Run the in-process measurements in a fresh interpreter and return its table."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.inprocess"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return result.stdout.splitlines()


def versions() -> list[str]:
    """Versions and machine facts for the report."""
    from importlib.metadata import version

    packages = ["django", "djangorestframework", "adrf", "django-ninja", "uvicorn", "gunicorn"]
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}",
        "- " + ", ".join(f"{name} {version(name)}" for name in packages),
        f"- load: {wrk_version.splitlines()[0] if wrk_version else 'wrk'}, {CONNECTIONS} "
        f"connections, {SECONDS} s per run, median of {ROUNDS} rounds, from 127.0.0.1",
        "- servers: one uvicorn worker serving every stack from one process; DRF also under "
        "one gunicorn sync worker (drf-gunicorn); no middleware on any stack, except in the "
        "real project's stack (its own table)",
    ]


def main() -> None:
    """Run everything, print the tables and write RESULTS.md."""
    started = time.monotonic()
    report = ["# restflow benchmark results", "", *versions(), ""]
    targets = [("SQLite", "sqlite")]
    if os.environ.get("BENCH_POSTGRES"):
        targets.append(("PostgreSQL", os.environ["BENCH_POSTGRES"]))
    else:
        report += ["PostgreSQL: not measured (set BENCH_POSTGRES to a libpq string).", ""]
    for label, database in targets:
        samples = measure_database(label, database)
        report += load_table(label, samples)
        report += targets_table(label, samples)
    reused = measure_database(
        "SQLite, threads and connections kept",
        "sqlite",
        stacks=REUSED_STACKS,
        endpoints=REUSED_ENDPOINTS,
        serving=KEPT,
    )
    report += reused_table(reused)
    shared = measure_database(
        "SQLite, one shared thread",
        "sqlite",
        stacks=REUSED_STACKS,
        endpoints=(*REUSED_ENDPOINTS, "I/O-bound (20 ms)"),
        serving={**KEPT, "BENCH_SHARE_THREAD": "1"},
    )
    report += shared_table(shared)
    djangos = measure_database(
        "SQLite, startproject middleware",
        "sqlite",
        endpoints=REUSED_ENDPOINTS,
        serving=STARTPROJECT,
    )
    kept = measure_database(
        "SQLite, startproject middleware, restflow's serving",
        "sqlite",
        stacks=REUSED_STACKS,
        endpoints=REUSED_ENDPOINTS,
        serving={**STARTPROJECT, **KEPT, "BENCH_ASYNC_MIDDLEWARE": "1"},
    )
    report += realistic_table(djangos, kept, reused)
    report += realistic_shared_table(
        measure_database(
            "SQLite, startproject middleware, one shared thread",
            "sqlite",
            stacks=REUSED_STACKS,
            endpoints=REUSED_ENDPOINTS,
            serving={
                **STARTPROJECT,
                **KEPT,
                "BENCH_ASYNC_MIDDLEWARE": "1",
                "BENCH_SHARE_THREAD": "1",
            },
        ),
        shared,
    )
    with tempfile.TemporaryDirectory() as scratch:
        report += in_process_table(environment("sqlite", Path(scratch) / "inprocess.sqlite3"))
    report += ["", CAUSE, "", f"Whole run: {time.monotonic() - started:.0f} s.", ""]
    text = "\n".join(report)
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
