#!/usr/bin/env python3
"""restflow's two commands: `python3 dev.py demo` serves the demo, `python3 dev.py test` checks.

Each creates `.venv` (or the folder named by `RESTFLOW_VENV`) and installs the project into it
when missing or when `pyproject.toml` changed; the tests also run the Django suite in
`.venv-floor` on the oldest supported Django and DRF. `RESTFLOW_TEST_POSTGRES`, a libpq connection
string such as `host=127.0.0.1 port=5432 dbname=restflow user=restflow password=restflow`,
adds a run of the Django tests on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("RESTFLOW_VENV", ROOT / ".venv"))
BIN = VENV / "bin"
# The oldest versions restflow supports: its Django tests run there too.
FLOOR_VENV = Path(os.environ.get("RESTFLOW_FLOOR_VENV", ROOT / ".venv-floor"))
FLOOR_PINS = ("django>=4.2,<5", "djangorestframework>=3.16,<3.17", "django-filter>=24.3,<25")


def ensure_environment(venv_dir: Path, requirement: str, *pins: str) -> None:
    """Create `venv_dir` and install the project's `requirement` into it, once per pyproject."""
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + repr((requirement, pins)).encode()
    )
    stamp = venv_dir / f".installed-{digest.hexdigest()[:16]}"
    if stamp.exists():
        return
    python = venv_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {venv_dir}", flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}{requirement}", *pins)
    for old in venv_dir.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def run(*command: object, env: dict[str, str] | None = None) -> None:
    """Run `command` from the project root; exit with its code if it fails."""
    printable = " ".join(str(part) for part in command)
    print(f"$ {printable}", flush=True)
    code = subprocess.call([str(part) for part in command], cwd=ROOT, env=env)
    if code != 0:
        sys.exit(code)


def quiet_docs() -> dict[str, str]:
    """The environment for building the docs, without the theme's end-of-life banner."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def demo() -> None:
    """Serve the demo shop on 127.0.0.1:8000 (SQLite), with sample data."""
    run(BIN / "python", "-m", "examples.shop.serve", *sys.argv[2:])


def test() -> None:
    """Run formatting, lint, type, import-contract checks, then the whole test suite."""
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy", ".")
    run(BIN / "lint-imports")
    with tempfile.TemporaryDirectory() as site:
        run(BIN / "mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env=quiet_docs())
    sqlite_env = {k: v for k, v in os.environ.items() if k != "RESTFLOW_TEST_POSTGRES"}
    run(BIN / "pytest", "-q", env=sqlite_env)
    ensure_environment(FLOOR_VENV, "[django,test]", *FLOOR_PINS)
    print("Django tests on the floor versions (Django 4.2, DRF 3.16):", flush=True)
    run(FLOOR_VENV / "bin" / "pytest", "-q", "tests/django", env=sqlite_env)
    if os.environ.get("RESTFLOW_TEST_POSTGRES"):
        print("Django tests on PostgreSQL:", flush=True)
        run(BIN / "pytest", "-q", "tests/django", env=dict(os.environ))
    elif os.environ.get("RESTFLOW_REQUIRE_POSTGRES"):
        sys.exit("RESTFLOW_REQUIRE_POSTGRES is set but RESTFLOW_TEST_POSTGRES is not")
    else:
        print("PostgreSQL tests skipped: set RESTFLOW_TEST_POSTGRES to run them.")


def bench() -> None:
    """Run the benchmarks (about eight minutes) and write `benchmarks/RESULTS.md`."""
    ensure_environment(VENV, "[django,dev,bench]")
    if shutil.which("wrk") is None:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "wrk")
    run(BIN / "python", "-m", "benchmarks.run")


TASKS = {"bench": bench, "demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{','.join(TASKS)}}}")
    ensure_environment(VENV, "[django,dev]")
    TASKS[sys.argv[1]]()
