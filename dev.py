#!/usr/bin/env python3
"""restflow's two commands: `python3 dev.py demo` runs the demo, `python3 dev.py test` checks all.

Each creates `.venv` (or the folder named by `RESTFLOW_VENV`) and installs the project into it
when missing or when `pyproject.toml` changed. `RESTFLOW_TEST_POSTGRES`, a libpq connection
string such as `host=127.0.0.1 port=5432 dbname=restflow user=restflow password=restflow`,
adds a run of the Django tests on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("RESTFLOW_VENV", ROOT / ".venv"))
BIN = VENV / "bin"


def ensure_environment() -> None:
    """Create the virtual environment and install the project with its extras, once."""
    stamp = (
        VENV
        / f".installed-{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:16]}"
    )
    if stamp.exists():
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[django,dev]")
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def run(*command: object, env: dict[str, str] | None = None) -> None:
    """Run `command` from the project root; exit with its code if it fails."""
    printable = " ".join(str(part) for part in command)
    print(f"$ {printable}", flush=True)
    code = subprocess.call([str(part) for part in command], cwd=ROOT, env=env)
    if code != 0:
        sys.exit(code)


def demo() -> None:
    """Run the demonstration."""
    run(BIN / "python", "examples/memory_demo.py")


def test() -> None:
    """Run formatting, lint, type, import-contract checks, then the whole test suite."""
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy", ".")
    run(BIN / "lint-imports")
    sqlite_env = {k: v for k, v in os.environ.items() if k != "RESTFLOW_TEST_POSTGRES"}
    run(BIN / "pytest", "-q", env=sqlite_env)
    if os.environ.get("RESTFLOW_TEST_POSTGRES"):
        run(BIN / "pytest", "-q", "tests/django", env=dict(os.environ))
    elif os.environ.get("RESTFLOW_REQUIRE_POSTGRES"):
        sys.exit("RESTFLOW_REQUIRE_POSTGRES is set but RESTFLOW_TEST_POSTGRES is not")
    else:
        print("PostgreSQL tests skipped: set RESTFLOW_TEST_POSTGRES to run them.")


TASKS = {"demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{','.join(TASKS)}}}")
    ensure_environment()
    TASKS[sys.argv[1]]()
