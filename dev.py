#!/usr/bin/env python3
"""restflow's two commands: `python3 dev.py demo` serves the demo, `python3 dev.py test` checks.

Each creates `.venv` (or the folder named by `RESTFLOW_VENV`) and installs the project into it
when missing or when `pyproject.toml` changed: the main environment, Django 5.2 on the
running Python (3.11). The tests also run in a virtualenv for each other supported
combination (`COMBINATIONS`): the whole suite on Django 6.1 and Python 3.13, and the Django
tests on Django 6.0 with Python 3.12 and on the oldest Django and DRF. A Python other than
the running one is found on the PATH or in pyenv's versions; `RESTFLOW_PYTHON_3_13` (and so
on) names one elsewhere. `RESTFLOW_TEST_POSTGRES`, a libpq connection string such as
`host=127.0.0.1 port=5432 dbname=restflow user=restflow password=restflow`, adds runs of the
Django tests on PostgreSQL.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("RESTFLOW_VENV", ROOT / ".venv"))
BIN = VENV / "bin"


@dataclass(frozen=True)
class Combination:
    """A Django, DRF and Python the suite also runs on, in a virtualenv of its own."""

    name: str
    python: str
    pins: tuple[str, ...]
    venv: Path
    # The whole suite and the wheel phase, or the Django tests (Django's own run in both).
    whole: bool = False
    # The Django tests on PostgreSQL too, when `RESTFLOW_TEST_POSTGRES` names a database.
    postgres: bool = False


COMBINATIONS = (
    Combination(
        "Django 6.1, DRF 3.18, Python 3.13",
        "3.13",
        ("django>=6.1,<6.2", "djangorestframework>=3.18,<3.19"),
        Path(os.environ.get("RESTFLOW_CURRENT_VENV", ROOT / ".venv-current")),
        whole=True,
        postgres=True,
    ),
    Combination(
        "Django 6.0, Python 3.12",
        "3.12",
        ("django>=6.0,<6.1", "djangorestframework>=3.16"),
        Path(os.environ.get("RESTFLOW_DJANGO60_VENV", ROOT / ".venv-django60")),
    ),
    # The oldest versions restflow supports.
    Combination(
        "Django 4.2, DRF 3.16 (the floor)",
        "3.11",
        ("django>=4.2,<5", "djangorestframework>=3.16,<3.17", "django-filter>=24.3,<25"),
        Path(os.environ.get("RESTFLOW_FLOOR_VENV", ROOT / ".venv-floor")),
    ),
)
# A virtualenv that never sees the source tree: the built wheel is installed there, as users get it.
WHEEL_VENV = Path(os.environ.get("RESTFLOW_WHEEL_VENV", ROOT / ".venv-wheel"))
PACKAGES = ("restflow_core", "restflow_django", "restflow_memory")
# What the installed wheel must pass, run from a copy of the tests with no source packages.
WHEEL_TESTS = (
    "tests/django/test_guide.py",
    "tests/shop/test_demo.py",
    "tests/test_docs_project.py",
)
# The checkers the docs' typed examples are run through, as a user installs them.
CHECKERS = (
    "mypy>=1.15,<1.20",
    "django-stubs[compatible-mypy]>=5.2,<5.3",
    "pyright[nodejs]>=1.1.400",
    "types-django-filter>=24",
)


def ensure_environment(
    venv_dir: Path,
    requirement: str,
    *pins: str,
    project: str = f"-e {ROOT}",
    interpreter: str = sys.executable,
) -> None:
    """Create `venv_dir` (with `interpreter`) and install `project` (editable by default)
    with `requirement`'s extras into it, once per pyproject."""
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes()
        + repr((requirement, pins, project, interpreter)).encode()
    )
    stamp = venv_dir / f".installed-{digest.hexdigest()[:16]}"
    if stamp.exists():
        return
    python = venv_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {venv_dir}", flush=True)
        if interpreter == sys.executable:
            venv.EnvBuilder(with_pip=True).create(venv_dir)
        else:
            run(interpreter, "-m", "venv", venv_dir)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    *options, target = project.split()
    run(python, "-m", "pip", "install", "--quiet", *options, f"{target}{requirement}", *pins)
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
    """Run formatting, lint, type (mypy and pyright), import-contract checks, then the whole
    test suite."""
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy", ".")
    run(BIN / "pyright", "--project", str(ROOT), "--pythonpath", str(BIN / "python"))
    run(BIN / "lint-imports")
    with tempfile.TemporaryDirectory() as site:
        run(BIN / "mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env=quiet_docs())
    if os.environ.get("RESTFLOW_REQUIRE_POSTGRES") and not os.environ.get("RESTFLOW_TEST_POSTGRES"):
        sys.exit("RESTFLOW_REQUIRE_POSTGRES is set but RESTFLOW_TEST_POSTGRES is not")
    print("Django 5.2, Python 3.11 (the main environment):", flush=True)
    run_suite(BIN, whole=True, postgres=True)
    print("The built wheel, installed in a clean virtualenv:", flush=True)
    check_wheel(WHEEL_VENV)
    verify_types()
    for combination in COMBINATIONS:
        interpreter = find_python(combination.python)
        if interpreter is None:
            sys.exit(
                f"no Python {combination.python} for {combination.name}: install it, or name "
                f"it with RESTFLOW_PYTHON_{combination.python.replace('.', '_')}"
            )
        print(f"{combination.name}:", flush=True)
        # The whole suite type-checks too (tests/test_typing.py).
        extras = "[django,dev]" if combination.whole else "[django,test]"
        ensure_environment(combination.venv, extras, *combination.pins, interpreter=interpreter)
        run_suite(combination.venv / "bin", whole=combination.whole, postgres=combination.postgres)
        if combination.whole:
            print(f"The built wheel on {combination.name}:", flush=True)
            check_wheel(
                combination.venv.with_name(f"{combination.venv.name}-wheel"),
                *combination.pins,
                interpreter=interpreter,
            )


def run_suite(bin: Path, *, whole: bool, postgres: bool) -> None:
    """Run the tests with the virtualenv `bin`: all of them (`whole`) or the Django and
    conformance tests; Django's own tests against restflow's serving; and with `postgres`
    the Django tests on PostgreSQL when a database is configured."""
    sqlite_env = {k: v for k, v in os.environ.items() if k != "RESTFLOW_TEST_POSTGRES"}
    if whole:
        run(bin / "pytest", "-q", env=sqlite_env)
    else:
        run(bin / "pytest", "-q", "tests/django", "tests/contract", env=sqlite_env)
    # -P: the tests folder holds a `django` package of restflow's tests, kept off the path.
    run(bin / "python", "-P", "tests/django_suite.py", env=sqlite_env)
    if not postgres:
        return
    if os.environ.get("RESTFLOW_TEST_POSTGRES"):
        print("The Django tests on PostgreSQL:", flush=True)
        run(bin / "pytest", "-q", "tests/django", "tests/contract", env=dict(os.environ))
    else:
        print("PostgreSQL tests skipped: set RESTFLOW_TEST_POSTGRES to run them.")


def find_python(version: str) -> str | None:
    """A Python `version` ("3.13") interpreter: the running one, `RESTFLOW_PYTHON_3_13`, one on
    the PATH, or one of pyenv's versions; `None` when there is none."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    named = os.environ.get(f"RESTFLOW_PYTHON_{version.replace('.', '_')}")
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [named, shutil.which(f"python{version}")]
    candidates += [str(path) for path in sorted(pyenv.glob(f"{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        # pyenv's shims answer only with a version chosen: try each one.
        works = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if works.returncode == 0:
            return candidate
    return None


def source_modules() -> list[str]:
    """Every module of the three packages, named as Python imports them."""
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def check_wheel(wheel_venv: Path, *pins: str, interpreter: str = sys.executable) -> None:
    """Build the wheel, install it (not editable) in `wheel_venv`, and test that.

    Every module of the source tree must import from the installed copy, every package must
    carry `py.typed`, and the guide's, the demo's and the README's tests run against it from
    a copy of the tests that holds no source package.
    """
    with tempfile.TemporaryDirectory() as scratch:
        # Built from a copy: setuptools reuses a `build/` folder left in the work tree, which
        # can hold modules the packaging no longer finds.
        source = Path(scratch) / "source"
        for name in PACKAGES:
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, source)
        wheels = Path(scratch) / "wheels"
        run(BIN / "python", "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source)
        (built,) = wheels.glob("*.whl")
        # At a path that stays the same, so dependencies are installed once; the wheel
        # itself is reinstalled on every run.
        dist = wheel_venv / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        dist.mkdir(parents=True)
        wheel = Path(shutil.copy(built, dist))
        ensure_environment(
            wheel_venv,
            "[django,test,typing]",
            *CHECKERS,
            *pins,
            project=str(wheel),
            interpreter=interpreter,
        )
        python = wheel_venv / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", wheel)
        tree = Path(scratch) / "tree"
        for part in ("tests", "examples", "docs"):
            shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, tree)
        script = ROOT / "tests" / "installed_modules.py"
        # -P: the script's folder holds a `django` package of tests, kept off the path.
        check = [python, "-P", script, *PACKAGES, "--", *source_modules()]
        print(f"$ {python} -P {script} ({len(source_modules())} modules)", flush=True)
        if subprocess.call([str(part) for part in check], cwd=tree) != 0:
            sys.exit("the installed wheel is missing modules or typing markers")
        sqlite_env = {k: v for k, v in os.environ.items() if k != "RESTFLOW_TEST_POSTGRES"}
        pytest = [str(wheel_venv / "bin" / "pytest"), "-q", *WHEEL_TESTS]
        code = subprocess.call(pytest, cwd=tree, env=sqlite_env)
        if code != 0:
            sys.exit(code)


# pyright's `--verifytypes` score each package's public API must reach, installed.
TYPE_COMPLETENESS = 0.95


def verify_types() -> None:
    """Score each installed package's public API with pyright's `--verifytypes`."""
    # pyright finds the installed packages through the virtualenv it is pointed at.
    env = {
        **os.environ,
        "VIRTUAL_ENV": str(WHEEL_VENV),
        "PATH": f"{WHEEL_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    with tempfile.TemporaryDirectory() as outside:
        for package in PACKAGES:
            command = [BIN / "pyright", "--verifytypes", package, "--ignoreexternal"]
            found = subprocess.run(
                [*map(str, command), "--outputjson"],
                cwd=outside,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            score = json.loads(found.stdout)["typeCompleteness"]["completenessScore"]
            print(f"{package}: type completeness {score:.1%}", flush=True)
            if score < TYPE_COMPLETENESS:
                subprocess.call([str(part) for part in command], cwd=outside, env=env)
                sys.exit(f"{package}'s type completeness is under {TYPE_COMPLETENESS:.0%}")


def bench() -> None:
    """Run the benchmarks (about fourteen minutes) and write `benchmarks/RESULTS.md`."""
    ensure_environment(VENV, "[django,dev,bench]")
    if shutil.which("wrk") is None:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "wrk")
    run(BIN / "python", "-m", "benchmarks.run")


def mutate() -> None:
    """Mutation-test `restflow_core` (a few minutes) and print its score.

    Runs in a copy of the work tree, so mutmut's `mutants/` folder never lands in it.
    """
    ensure_environment(VENV, "[django,dev,mutate]")
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".venv*", ".git", "mutants"))
        subprocess.run(
            [str(BIN / "mutmut"), "run", "--max-children", "2"],
            cwd=tree,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        listed = subprocess.run(
            [str(BIN / "mutmut"), "results", "--all", "true"],
            cwd=tree,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    outcomes = collections.Counter(line.rsplit(": ", 1)[-1] for line in listed.splitlines())
    total = sum(outcomes.values())
    killed = outcomes["killed"] + outcomes["timeout"]
    print(", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())))
    print(f"mutation score of restflow_core: {killed} of {total} killed, {killed / total:.1%}")


TASKS = {"bench": bench, "demo": demo, "mutate": mutate, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{','.join(TASKS)}}}")
    ensure_environment(VENV, "[django,dev]")
    TASKS[sys.argv[1]]()
