"""The typing suite: each marked line of `tests/typing/fail_*.py` fails, with its code."""

from __future__ import annotations

import json
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


PYRIGHT_STRICT = "# pyright: strict, reportImplicitOverride=true"
# The guide's unannotated examples: see the file's docstring for why pyright is not asked.
MYPY_ONLY = {"pass_guide.py"}


def pyright(*sources: Path) -> subprocess.CompletedProcess[str]:
    """Run the dev extra's pyright on `sources`, with the project's configuration."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "pyright"),
            "--project",
            str(ROOT),
            "--pythonpath",
            sys.executable,
            "--outputjson",
            *map(str, sources),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_pass_files_pass_pyright_strict() -> None:
    """Every pass file but the guide's declares pyright's strict mode and has no error."""
    sources = sorted((ROOT / "tests" / "typing").glob("pass_*.py"))
    checked = [path for path in sources if path.name not in MYPY_ONLY]
    assert all(path.read_text().startswith(PYRIGHT_STRICT) for path in checked)

    result = pyright(*checked)

    assert len(checked) >= 6
    assert result.returncode == 0, result.stdout


def test_fail_files_fail_pyright_strict_on_the_marked_lines(tmp_path: Path) -> None:
    """Under pyright strict, the fail files fail on exactly the lines mypy fails on."""
    sources = sorted((ROOT / "tests" / "typing").glob("fail_*.py"))
    expected: set[tuple[str, int]] = set()
    for source in sources:
        expected |= {(name, line) for name, line, _code in expected_failures(source)}
        # The header takes a line: the marked lines move down by one.
        text = IGNORE.sub("", source.read_text())
        (tmp_path / source.name).write_text(f"{PYRIGHT_STRICT}\n{text}")

    result = pyright(*sorted(tmp_path.glob("*.py")))

    report = json.loads(result.stdout)
    reported = {
        (Path(diagnostic["file"]).name, diagnostic["range"]["start"]["line"])
        for diagnostic in report["generalDiagnostics"]
        if diagnostic["severity"] == "error"
    }
    assert reported == expected, result.stdout
