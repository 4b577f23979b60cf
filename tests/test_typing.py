"""The typing suite: each marked line of `tests/typing/fail_*.py` fails, with its code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"  # type: ignore\[([a-z-]+)\]")
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def expected_failures(path: Path) -> set[tuple[str, int, str]]:
    """Return `(file, line, code)` for every `# type: ignore[code]` in `path`."""
    return {
        (path.name, number, match.group(1))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in IGNORE.finditer(line)
    }


def test_every_marked_line_fails_with_its_code_and_nothing_else_fails(tmp_path: Path) -> None:
    """With the markers removed, mypy reports exactly the marked lines and codes."""
    sources = sorted((ROOT / "tests" / "typing").glob("fail_*.py"))
    expected: set[tuple[str, int, str]] = set()
    for source in sources:
        expected |= expected_failures(source)
        (tmp_path / source.name).write_text(IGNORE.sub("", source.read_text()))

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "mypy.ini"),
            *map(str, sorted(tmp_path.glob("*.py"))),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    reported = {
        (Path(match["file"]).name, int(match["line"]), match["code"])
        for match in map(ERROR.match, result.stdout.splitlines())
        if match is not None
    }
    assert len(sources) >= 3
    assert len(expected) >= 15
    assert reported == expected, result.stdout


# Pass files that declare `# pyright: strict` on their first line.
PYRIGHT_STRICT = "# pyright: strict, reportImplicitOverride=true"


def test_strict_pass_files_pass_pyright_strict() -> None:
    """The pass files marked for pyright's strict mode have no error under it either."""
    sources = [
        str(path)
        for path in sorted((ROOT / "tests" / "typing").glob("pass_*.py"))
        if path.read_text().startswith(PYRIGHT_STRICT)
    ]
    pyright = Path(sys.executable).parent / "pyright"

    result = subprocess.run(
        [str(pyright), "--project", str(ROOT), "--pythonpath", sys.executable, *sources],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert len(sources) >= 3
    assert result.returncode == 0, result.stdout
