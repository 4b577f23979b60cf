"""The Serving page's recipe, run: four uvicorn workers over PostgreSQL with Redis for the
throttles. A burst of creates lands once each, a per-user throttle counts across workers,
and no connection outlives the server.

Needs PostgreSQL and `redis-server` (skipped otherwise, unless `RESTFLOW_REQUIRE_REDIS`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.django.test_load import backends, settled_backends
from tests.processes import ROOT, RedisServer
from tests.testapp.models import Product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several workers need a server"),
]

WORKERS = 4


@contextmanager
def workers(redis: RedisServer) -> Iterator[str]:
    """`uvicorn --workers 4` serving the test project on 127.0.0.1; always stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        # The workers use the test database the test runner made.
        "RESTFLOW_TEST_POSTGRES": (
            f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} "
            f"user={settings['USER']} password={settings['PASSWORD']}"
        ),
        "RESTFLOW_TEST_REDIS": f"redis://127.0.0.1:{redis.port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--lifespan",
            "on",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/request-thread/", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the workers did not start within 60 s")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


async def test_four_workers_land_every_create_once_and_share_the_throttle(
    redis_server: RedisServer,
) -> None:
    user = await User.objects.acreate(username="burst")
    token = await Token.objects.acreate(user=user)
    before = await sync_to_async(backends)()

    with workers(redis_server) as url:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            created = await asyncio.gather(
                *(
                    http.post("/soft-products/", json={"name": f"w{n}", "price": "1"})
                    for n in range(200)
                )
            )
            pinged = await asyncio.gather(
                *(
                    http.get("/counted-ping/", headers={"Authorization": f"Token {token.key}"})
                    for _ in range(30)
                )
            )
    after = await settled_backends(before)

    assert [answer.status_code for answer in created] == [201] * 200
    names = [name async for name in Product.objects.values_list("name", flat=True)]
    assert sorted(names) == sorted(f"w{n}" for n in range(200))
    statuses = sorted(answer.status_code for answer in pinged)
    assert statuses == [200] * 10 + [429] * 20
    assert after <= before
