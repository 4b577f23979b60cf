"""Every code block in `docs/` is type-checked, run, or parsed, so the docs cannot rot."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import run_python

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(language: str) -> list[tuple[str, str]]:
    """`(name, code)` for every block of `language` in the docs, named by page and position."""
    found = []
    for page in PAGES:
        for number, match in enumerate(FENCE.finditer(page.read_text()), start=1):
            if match.group(1) == language:
                found.append((f"docs_{page.stem.replace('-', '_')}_{number}", match.group(2)))
    return found


def test_every_page_is_in_the_site_navigation() -> None:
    """No page is left out of `mkdocs.yml`."""
    navigation = (ROOT / "mkdocs.yml").read_text()

    assert [page.name for page in PAGES if page.name not in navigation] == []


def test_python_blocks_type_check(tmp_path: Path) -> None:
    """Each Python block is a module that mypy accepts with the project's settings."""
    python = blocks("python")
    package = tmp_path / "docs_blocks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, code in python:
        (package / f"{name}.py").write_text(code)

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"), str(package)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert len(python) >= 10
    assert result.returncode == 0, result.stdout


# A block that needs the project's tables says so in its first line.
IN_A_PROJECT = "# Runs in a configured project, its database migrated."


def runnable(in_a_project: bool) -> list[tuple[str, str]]:
    """The blocks that run themselves, with or without a project's database."""
    return [
        (name, code)
        for name, code in blocks("python")
        if "asyncio.run(" in code and code.startswith(IN_A_PROJECT) == in_a_project
    ]


@pytest.mark.parametrize(("name", "code"), runnable(in_a_project=False))
def test_runnable_python_blocks_run(name: str, code: str) -> None:
    """Blocks that run themselves pass their own assertions."""
    prelude = (
        "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings')\n"
    )
    result = run_python(prelude + "django.setup()\n" + code)

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "code"), runnable(in_a_project=True))
def test_project_python_blocks_run_against_the_test_database(name: str, code: str) -> None:
    """Blocks written for a project run here, in the test project with its tables."""
    import asyncio

    from restflow_django.test import aclose_thread_connections

    try:
        exec(compile(code, name, "exec"), {"__name__": name})
    finally:
        # The block's async ORM calls opened connections on asgiref's thread.
        asyncio.run(aclose_thread_connections())


@pytest.mark.parametrize(("name", "code"), blocks("ini"))
def test_ini_blocks_parse(name: str, code: str) -> None:
    """Configuration blocks are valid INI with the sections mypy reads."""
    parser = configparser.ConfigParser()
    parser.read_string(code)

    assert "mypy" in parser


@pytest.mark.parametrize(("name", "code"), blocks("sh"))
def test_shell_blocks_name_real_commands(name: str, code: str) -> None:
    """Shell lines call `python3 dev.py` tasks that exist, or pip with a real extra."""
    from dev import TASKS

    for line in filter(None, (line.split("#")[0].strip() for line in code.splitlines())):
        words = shlex.split(line)
        if words[:2] == ["python3", "dev.py"]:
            assert words[2] in TASKS, line
        else:
            assert words[:2] == ["pip", "install"], line
            extras = re.findall(r"\[(.*)\]", words[2])[0].split(",")
            declared = (ROOT / "pyproject.toml").read_text()
            assert all(f"\n{extra} = [" in declared for extra in extras), line
