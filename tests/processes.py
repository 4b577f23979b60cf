"""Processes tests start: Python source in a fresh interpreter, and a Redis server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
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


def stop(server: subprocess.Popen[str]) -> str:
    """Stop `server` (terminated, killed if it lingers); return what it printed."""
    server.terminate()
    try:
        return server.communicate(timeout=15)[0] or ""
    except subprocess.TimeoutExpired:
        server.kill()
        return server.communicate(timeout=15)[0] or ""


class RedisServer:
    """A `redis-server` on 127.0.0.1, started for one test and always stopped."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = tempfile.mkdtemp(prefix="restflow-redis-")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
