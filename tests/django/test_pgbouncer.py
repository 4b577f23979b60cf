"""Streams behind a real PgBouncer in transaction mode: every row arrives, and a failure is
logged, never a silently cut body.

PgBouncer comes from apt (`pgbouncer`); `.ci/run` installs it. The test needs PostgreSQL
and is skipped without PgBouncer unless `RESTFLOW_REQUIRE_PGBOUNCER` is set (as in CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from restflow_django.streaming import astream_rows
from tests.testapp.models import Product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PgBouncer pools PostgreSQL"),
]

# After every transaction PgBouncer resets the server connection, as it does when it hands
# the connection to another client: a cursor declared in one transaction is gone the next.
CONFIG = """
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
server_reset_query = DISCARD ALL
server_reset_query_always = 1
default_pool_size = 2
max_client_conn = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


def _forget_bouncer() -> None:
    """Close this thread's connection to the alias and forget it."""
    if "bouncer" in connections.settings:
        connections["bouncer"].close()
        del connections["bouncer"]


@contextmanager
def running_bouncer() -> Iterator[str]:
    """A PgBouncer on 127.0.0.1 in front of the test database, as the alias `bouncer`."""
    program = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if program is None:
        if os.environ.get("RESTFLOW_REQUIRE_PGBOUNCER"):
            pytest.fail("pgbouncer is required (RESTFLOW_REQUIRE_PGBOUNCER) and missing")
        pytest.skip("pgbouncer is not installed (apt install pgbouncer)")
    settings = connections["default"].settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        listen = probe.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="restflow-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{settings["USER"]}" "{settings["PASSWORD"]}"\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        CONFIG.format(host=settings["HOST"], port=settings["PORT"], listen=listen, folder=folder)
    )
    command = [program, str(config)]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root.
        for each in (folder, *folder.iterdir()):
            shutil.chown(each, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(listen, process, folder)
        connections.settings["bouncer"] = {**settings, "PORT": str(listen), "CONN_MAX_AGE": 0}
        yield "bouncer"
    finally:
        _forget_bouncer()
        connections.settings.pop("bouncer", None)
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bouncer(django_db_blocker: Any) -> Iterator[str]:
    """The alias of a PgBouncer in front of the test database, for one test.

    Django's test cases refuse connections to aliases a test did not declare, and an alias
    can only be declared once configured: this one is added at run time, so its
    connections are let through.
    """
    with running_bouncer() as alias, django_db_blocker.unblock():
        try:
            yield alias
        finally:
            # The async ORM's thread holds a connection of its own.
            asyncio.run(sync_to_async(_forget_bouncer)())


def _wait_for(listen: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (
                (folder / "pgbouncer.log").read_text()
                if (folder / "pgbouncer.log").exists()
                else ""
            )
            raise RuntimeError(f"pgbouncer stopped: {log}")
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start within 10 s")


async def body(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([part async for part in stream])


async def test_a_stream_through_transaction_pooling_sends_every_row(
    bouncer: str, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(12):
        await Product.objects.acreate(name=f"p{number}", price=Decimal(number))
    queryset = Product.objects.using(bouncer).order_by("id")

    def represent(product: Any) -> dict[str, Any]:
        return {"name": product.name}

    sent = await body(astream_rows(queryset, represent, format="ndjson", chunk_size=5))

    names = [json.loads(line)["name"] for line in sent.splitlines()]
    assert names == [f"p{number}" for number in range(12)]
    assert "server-side cursor streaming Product was lost" in caplog.text
    assert "DISABLE_SERVER_SIDE_CURSORS" in caplog.text


async def test_a_stream_that_fails_midway_is_logged(
    bouncer: str, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(3):
        await Product.objects.acreate(name=f"p{number}", price=Decimal(number))

    def represent(product: Any) -> dict[str, Any]:
        if product.name == "p1":
            raise LookupError("the price list is gone")
        return {"name": product.name}

    parts: list[bytes] = []

    async def consume() -> None:
        async for part in astream_rows(Product.objects.using(bouncer), represent):
            parts.append(part)

    with pytest.raises(LookupError):
        await consume()

    assert parts == [b"[", b'{"name":"p0"}']
    assert "A streamed json of Product failed after its status was sent" in caplog.text
    assert "the price list is gone" in caplog.text
