"""Django's own tests for the parts restflow replaces, run against restflow's replacements.

restflow's ASGI application and its standard middleware classes stand in for Django's.
This script runs Django's tests for those parts twice with the installed Django, from its
source distribution: once as Django ships them, once with restflow's classes put in the
place of Django's (`ASGIHandler` and the seven standard middleware classes). A test that
passes the first time and fails the second is a guarantee restflow broke: the script
names each and exits 1.

    python -P tests/django_suite.py [CACHE_FOLDER]

Run it with the Python of the environment under test (`-P` keeps this folder, which holds
a package named `django`, off the path). The source distribution is downloaded once into
the cache folder (by default `.venv/django-source`).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Django's test apps that exercise what restflow replaces.
APPS = (
    "asgi",
    "handlers",
    "csrf_tests",
    "sessions_tests",
    "middleware",
    "middleware_exceptions",
    "messages_tests",
    "auth_tests",
    "requests_tests",
    "test_client",
)
ROOT = Path(__file__).resolve().parent.parent
# A failed test's header in the summary Django's runner prints.
FAILED = re.compile(r"^(?:FAIL|ERROR|UNEXPECTED SUCCESS): (\S+) \(([\w.]+)\)", re.MULTILINE)
RAN = re.compile(r"^Ran (\d+) tests?", re.MULTILINE)


def django_source(cache: Path) -> Path:
    """The `tests` folder of the installed Django's source distribution, fetched once."""
    import django

    version = django.get_version()
    tests = cache / f"django-{version}" / "tests"
    if tests.is_dir():
        return tests
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--dest",
                scratch,
                f"django=={version}",
            ],
            check=True,
        )
        (archive,) = Path(scratch).glob("*.tar.gz")
        with tarfile.open(archive) as source:
            source.extractall(cache, filter="data")
    return tests


def run(tests: Path, *, swapped: bool, labels: tuple[str, ...] = APPS) -> str:
    """Run `labels` (the apps, or single tests) from Django's `tests` folder; the output."""
    arguments = [*labels, "--parallel", "2", "--noinput", "-v", "2"]
    if swapped:
        command = [sys.executable, "-P", __file__, "--swapped", str(tests), *arguments]
    else:
        command = [sys.executable, "runtests.py", *arguments]
    done = subprocess.run(
        command, cwd=tests, capture_output=True, text=True, timeout=900, check=False
    )
    return done.stdout + done.stderr


def failures(output: str) -> set[str]:
    """The tests a run's summary names as failed, as `module.Class.test` ids."""
    return {f"{found.group(2)}" for found in FAILED.finditer(output)}


def ran(output: str) -> int:
    """How many tests a run ran (0 when it never got to its summary)."""
    found = RAN.search(output)
    return int(found.group(1)) if found else 0


def swap_in_restflow() -> None:
    """Put restflow's classes where Django's tests and settings find Django's."""
    import importlib

    # Django's static files handler wraps an application (restflow's, in a project); it is
    # no restflow handler itself, so it keeps Django's base class.
    import django.contrib.staticfiles.handlers  # noqa: F401
    from django.core import asgi as core_asgi
    from django.core.handlers import asgi

    from restflow_django.asgi import ReusedThreadsASGIHandler
    from restflow_django.middleware import _REPLACES, standard

    asgi.ASGIHandler = ReusedThreadsASGIHandler  # type: ignore[misc]
    core_asgi.ASGIHandler = ReusedThreadsASGIHandler  # type: ignore[attr-defined]  # imported there
    for path, name in _REPLACES.items():
        module, _, attribute = path.rpartition(".")
        setattr(importlib.import_module(module), attribute, getattr(standard, name))


def swapped_run(tests: str, arguments: list[str]) -> None:
    """Run Django's `runtests.py` with restflow's classes swapped in once Django is set up."""
    import runpy

    import django

    setup = django.setup

    def setup_and_swap(*args: object, **kwargs: object) -> None:
        setup(*args, **kwargs)  # type: ignore[arg-type]  # django.setup's own arguments
        swap_in_restflow()

    django.setup = setup_and_swap
    sys.path.insert(0, tests)
    sys.argv = ["runtests.py", *arguments]
    runpy.run_path(str(Path(tests) / "runtests.py"), run_name="__main__")


def main() -> int:
    """Run both and compare; 1 when the swapped run fails a test the stock run passes."""
    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".venv" / "django-source"
    tests = django_source(cache)
    stock = run(tests, swapped=False)
    swapped = run(tests, swapped=True)
    print(f"Django's own tests ({', '.join(APPS)}):")
    print(f"  as Django ships them: {ran(stock)} run, {len(failures(stock))} failed")
    print(f"  with restflow's classes: {ran(swapped)} run, {len(failures(swapped))} failed")
    broken = sorted(failures(swapped) - failures(stock))
    if ran(stock) == 0 or ran(swapped) < ran(stock):
        print(stock[-3000:], swapped[-3000:], sep="\n")
        print("a run ended before its summary")
        return 1
    if broken:
        # A test that depends on timing may fail once under load: each gets one more run,
        # alone; one that fails again is a guarantee broken.
        again = run(tests, swapped=True, labels=tuple(broken))
        passed_again = [test for test in broken if test not in failures(again)]
        if passed_again and ran(again) == len(broken):
            print(f"  passed when run again (timing): {', '.join(passed_again)}")
            broken = [test for test in broken if test not in passed_again]
            swapped = again
    if broken:
        print("Tests that pass with Django's classes and fail with restflow's:")
        for test in broken:
            print(f"  {test}")
        for block in swapped.split("=" * 70):
            reported = block.lstrip().startswith(("FAIL:", "ERROR:", "UNEXPECTED SUCCESS:"))
            if reported and any(test in block for test in broken):
                print("=" * 70 + block)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--swapped":
        swapped_run(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
