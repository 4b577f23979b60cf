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


def binding_lines(path: Path) -> int:
    """Lines of code in `path`: not blank, not a comment, not part of a docstring."""
    import ast

    source = path.read_text()
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )


def kit_imports(path: Path) -> set[str]:
    """The restflow modules `path` imports from."""
    import ast

    return {
        node.module or ""
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("restflow")
    }


def test_the_starlette_adapter_is_the_public_kit_and_250_lines_of_binding() -> None:
    """The third adapter (its store's half and its framework's) imports only
    `restflow_core`'s top level, in at most 250 lines of binding."""
    halves = [
        ROOT / "examples" / "sqlite_resources.py",
        ROOT / "examples" / "starlette_sqlite" / "adapter.py",
    ]

    assert all(kit_imports(half) == {"restflow_core"} for half in halves)
    assert sum(binding_lines(half) for half in halves) <= 250
