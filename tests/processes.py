"""Running Python source in a fresh interpreter, for tests that need a clean process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(source: str, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `source` with this interpreter from the project root; return what it printed."""
    return subprocess.run(
        [sys.executable, "-c", source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
