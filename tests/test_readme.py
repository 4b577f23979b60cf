"""The README's examples run as printed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.processes import run_python

ROOT = Path(__file__).resolve().parent.parent


def section_code(heading: str) -> str:
    """Return the first Python block under the README's `heading`."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"no python block under {heading!r}"
    return match.group(1)


def test_testing_without_a_database_example_runs() -> None:
    """The memory-adapter example passes its own assertions."""
    result = run_python(section_code("Testing without a database"))

    assert result.returncode == 0, result.stderr
