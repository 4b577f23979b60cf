"""The README's examples run as printed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.processes import run_python

ROOT = Path(__file__).resolve().parent.parent


def section_code(heading: str, *, block: int = 1) -> str:
    """Return the `block`th Python block under the README's `heading` (its subsections too)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(found) >= block, f"no python block {block} under {heading!r}"
    return str(found[block - 1])


def test_testing_without_a_database_example_runs() -> None:
    """The memory-adapter example passes its own assertions."""
    result = run_python(section_code("Testing without a database"))

    assert result.returncode == 0, result.stderr


def test_testing_example_is_a_test_of_the_suite() -> None:
    """The testing example is the body of a test module the suite runs and type-checks."""
    example = section_code("Quick start: an existing DRF API, async", block=2)
    module = (ROOT / "tests" / "django" / "test_readme_testing.py").read_text()

    assert example in module
