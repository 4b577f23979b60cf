"""The docs, followed by a newcomer with only the package installed.

A fresh project is built in a temporary folder exactly as the README's Quick start says:
its shell commands run, its files are written where their first line says, the table is
migrated and the server answers. Then every Python block of the README and of `docs/` runs
in that project, each on a freshly migrated database: a block is a module, imported as a
user would import it; a block of tests is run by Django's test runner or pytest, as the
docs say to run it. The typed blocks (the README's and docs/typing.md's typing examples)
pass mypy and pyright under the configurations those pages print.

Nothing is imported from this repository: the test runs where restflow is installed from
its wheel, which `python3 dev.py test` builds and installs in a virtualenv of its own.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import restflow_core
from tests.processes import stop

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
# A block that is a file of the project starts with its path: `# shop/models.py`.
PROJECT_FILE = re.compile(r"^# ((?:shop|mysite)/\w+\.py)( \(at the end\))?\n")
TYPED_SECTIONS = ("Type-checking your hooks",)
TIMEOUT = 300

pytestmark = pytest.mark.skipif(
    Path(restflow_core.__file__).resolve().is_relative_to(ROOT),
    reason="runs against the installed wheel, outside the source tree (python3 dev.py test)",
)


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, code, and where it comes from."""

    language: str
    code: str
    name: str
    typed: bool


def readme_sections() -> list[tuple[str, str]]:
    """`(heading, text)` for each `## ` section of the README."""
    readme = (ROOT / "README.md").read_text()
    return [(part.split("\n", 1)[0], part) for part in re.split(r"^## ", readme, flags=re.M)[1:]]


def all_blocks() -> list[Block]:
    """The README's blocks, section by section, then each docs page's."""
    found: list[Block] = []
    for heading, text in readme_sections():
        slug = re.sub(r"\W+", "_", heading.lower()).strip("_")
        for number, match in enumerate(FENCE.finditer(text), start=1):
            found.append(
                Block(match[1], match[2], f"readme_{slug}_{number}", heading in TYPED_SECTIONS)
            )
    for page in sorted((ROOT / "docs").glob("*.md")):
        for number, match in enumerate(FENCE.finditer(page.read_text()), start=1):
            name = f"docs_{page.stem.replace('-', '_')}_{number}"
            found.append(Block(match[1], match[2], name, page.name == "typing.md"))
    return found


BLOCKS = all_blocks()


def quick_start() -> list[Block]:
    """The Quick start's blocks, in order (its "Testing" subsection included)."""
    return [block for block in BLOCKS if block.name.startswith("readme_quick_start")]


def snippets() -> list[Block]:
    """Every Python block that is not a file of the Quick start's project."""
    return [
        block
        for block in BLOCKS
        if block.language == "python" and not PROJECT_FILE.match(block.code)
    ]


def printed(config: str) -> str:
    """The configuration block docs/typing.md prints for `config` (`# mypy.ini`, ...)."""
    (code,) = {
        block.code
        for block in BLOCKS
        if block.name.startswith("docs_typing") and block.code.startswith(f"# {config}\n")
    }
    return code


def user_environment() -> dict[str, str]:
    """The environment a user's shell has: none of this test run's Django settings (and the
    password `createsuperuser` would prompt for)."""
    kept = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")
    }
    path = f"{Path(sys.executable).parent}{os.pathsep}{kept['PATH']}"
    return {**kept, "PATH": path, "DJANGO_SUPERUSER_PASSWORD": "a long sentence as password"}


def run(command: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` in `project` as the user would; fail with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=project,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"$ {shlex.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_and_check(project: Path) -> None:
    """`uvicorn mysite.asgi:application`, bound to loopback: the API answers; always stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mysite.asgi:application", "--port", str(port)],
        cwd=project,
        env=user_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/products/"
    try:
        deadline = time.monotonic() + 60
        listed = None
        while listed is None:
            try:
                listed = httpx.get(url, timeout=5)
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "uvicorn did not answer within 60 seconds"
                time.sleep(0.2)
        assert listed.status_code == 200, listed.text
        assert listed.json() == {"count": 0, "next": None, "previous": None, "results": []}
        anonymous = httpx.post(url, json={"name": "Lamp", "price": "9"}, timeout=5)
        assert anonymous.status_code == 403, anonymous.text
    finally:
        stop(server)


def build_quick_start(project: Path) -> None:
    """Follow the Quick start: its commands, its files, then serve."""
    python = sys.executable
    for block in quick_start():
        if block.language == "sh":
            for line in filter(None, (line.strip() for line in block.code.splitlines())):
                words = shlex.split(line)
                if words[:2] == ["pip", "install"]:
                    continue  # installed already: the package under test, and its extras
                if words[0] == "uvicorn":
                    serve_and_check(project)
                    continue
                if words[0] == "django-admin":
                    words = [python, "-m", "django", *words[1:]]
                elif words[:2] == ["python", "manage.py"]:
                    words = [python, *words[1:]]
                else:
                    pytest.fail(f"the Quick start runs a command this test does not know: {line}")
                if words[2:] == ["createsuperuser"]:
                    # The user answers its prompts; here the answers are given up front.
                    words += ["--noinput", "--username", "admin", "--email", "admin@example.com"]
                done = run(words, project)
                if words[2:] == ["migrate"]:
                    # What the snippets start from: the tables, no rows (no first user).
                    shutil.copy(project / "db.sqlite3", project / "fresh.sqlite3")
                if words[2:] == ["check"]:
                    assert "System check identified no issues" in done.stdout, done.stdout
        elif (written := PROJECT_FILE.match(block.code)) is not None:
            path = project / written[1]
            if written[2]:
                path.write_text(path.read_text() + "\n" + block.code)
            else:
                path.write_text(block.code)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Quick start's project, built and migrated; a copy of its fresh database kept."""
    folder = tmp_path_factory.mktemp("newcomer")
    build_quick_start(folder)
    for package in ("snippets", "typed"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text("")
    for block in snippets():
        (folder / module_of(block).replace(".", "/")).with_suffix(".py").write_text(block.code)
    return folder


def module_of(block: Block) -> str:
    """The module a snippet is written to: in `typed` when the docs call it typed."""
    return f"{'typed' if block.typed else 'snippets'}.{block.name}"


def fresh_database(project: Path) -> None:
    """Put back the database as `migrate` left it."""
    shutil.copy(project / "fresh.sqlite3", project / "db.sqlite3")


def test_the_quick_start_builds_a_project_whose_tests_pass(project: Path) -> None:
    """The Quick start's project passes its own tests (`python manage.py test shop`)."""
    fresh_database(project)
    result = run([sys.executable, "manage.py", "test", "shop"], project)

    assert re.search(r"Ran [1-9]\d* tests?", result.stderr), result.stderr


@pytest.mark.parametrize("block", snippets(), ids=lambda block: block.name)
def test_every_snippet_runs_in_the_project(project: Path, block: Block) -> None:
    """Each block imports (and, when it runs itself, passes its own assertions); a block of
    tests passes under the runner the docs name."""
    fresh_database(project)
    module = module_of(block)
    path = (project / module.replace(".", "/")).with_suffix(".py")
    if "import pytest" in block.code:
        ini = next(b.code for b in BLOCKS if b.code.startswith("# pytest.ini\n"))
        (project / "pytest.ini").write_text(ini)
        try:
            result = run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)], project
            )
        finally:
            (project / "pytest.ini").unlink()
        assert re.search(r"\b[1-9]\d* passed", result.stdout), result.stdout
    elif "TestCase)" in block.code:
        result = run([sys.executable, "manage.py", "test", module], project)
        assert re.search(r"Ran [1-9]\d* tests?", result.stderr), result.stderr
    else:
        load = (
            "import django, importlib, os\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
            f"django.setup()\nimportlib.import_module({module!r})\n"
        )
        run([sys.executable, "-c", load], project)


def relaxed_modules() -> str:
    """mypy settings for the modules written as users write untyped code."""
    return (
        "\n[mypy-shop.*,mysite.*,snippets.*]\n"
        "disallow_untyped_defs = False\n"
        "disallow_untyped_calls = False\n"
        "disallow_incomplete_defs = False\n"
        "disallow_any_generics = False\n"
        "check_untyped_defs = True\n"
        # startproject's settings leave `ALLOWED_HOSTS = []` unannotated.
        "disable_error_code = explicit-override, var-annotated\n"
    )


def test_blocks_type_check_under_mypy_as_configured(project: Path) -> None:
    """mypy, configured as docs/typing.md prints it, accepts every block: the typed ones
    strictly, the others as untyped code is checked."""
    (project / "mypy.ini").write_text(printed("mypy.ini") + relaxed_modules())

    result = run([sys.executable, "-m", "mypy", "typed", "snippets", "shop", "mysite"], project)

    assert "Success" in result.stdout


def test_typed_blocks_pass_pyright_strict_as_configured(project: Path) -> None:
    """pyright, configured as docs/typing.md prints it, accepts the typed blocks."""
    (project / "pyproject.toml").write_text(printed("pyproject.toml"))
    typed = sorted(
        str(path) for path in (project / "typed").glob("*.py") if path.stem != "__init__"
    )
    pyright = Path(sys.executable).parent / "pyright"

    result = run([str(pyright), "--pythonpath", sys.executable, *typed], project)

    assert len(typed) >= 3
    assert "0 errors" in result.stdout, result.stdout
