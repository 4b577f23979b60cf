"""Every docs page is in the site, and its configuration and shell blocks are real.

The Python blocks run in a project built from the docs: `tests/test_docs_project.py`.
"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(("name", "code"), blocks("ini"))
def test_ini_blocks_parse(name: str, code: str) -> None:
    """Configuration blocks are valid INI, with the section their tool reads."""
    parser = configparser.ConfigParser()
    parser.read_string(code)

    tool = code.split("\n", 1)[0].removeprefix("# ").removesuffix(".ini")
    assert tool in ("mypy", "pytest")
    assert tool in parser


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
