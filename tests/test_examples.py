"""The examples run."""

from __future__ import annotations

from pathlib import Path

from tests.processes import run_python

ROOT = Path(__file__).resolve().parent.parent


def test_memory_demo_tours_every_action() -> None:
    """The in-memory tour creates, lists, pages, searches, updates and deletes books."""
    result = run_python((ROOT / "examples" / "memory_demo.py").read_text())

    assert result.returncode == 0, result.stderr
    statuses = [line.split("-> ")[1].split()[0] for line in result.stdout.splitlines()]
    assert statuses == [
        "201",
        "201",
        "201",
        "400",
        "200",
        "200",
        "200",
        "200",
        "200",
        "200",
        "204",
        "404",
        "404",
    ]


def test_asgi_sqlite_demo_serves_a_table() -> None:
    """The third adapter's demo (described in docs/core.md) passes its own assertions."""
    result = run_python((ROOT / "examples" / "asgi_sqlite" / "demo.py").read_text())

    assert result.returncode == 0, result.stderr
