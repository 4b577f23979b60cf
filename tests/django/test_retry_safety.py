"""A 503 tells the client to retry: it is answered only when a retry cannot write twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from rest_framework.request import Request
from rest_framework.response import Response

from restflow_django.test import (
    AsyncAPIClient,
    AsyncAPIRequestFactory,
    aclose_thread_connections,
    force_authenticate,
)
from restflow_django.views import AsyncAPIView
from tests.testapp.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


class WritesThenMeetsALock(AsyncAPIView):
    """Writes a row, then the database answers "locked"."""

    async def get(self, request: Request) -> Response:
        raise OperationalError("database is locked")

    async def post(self, request: Request) -> Response:
        await AuditEntry.objects.acreate(event="written", object_id=1)
        raise OperationalError("database is locked")


class AtomicWritesThenMeetsALock(WritesThenMeetsALock):
    atomic = True


async def call(view_class: type[AsyncAPIView], method: str, user: User) -> Any:
    request = AsyncAPIRequestFactory().generic(method, "/", b"{}", "application/json")
    force_authenticate(request, user)
    view: Any = view_class.as_view()
    return await view(request)


class TestConflicts:
    async def test_an_atomic_write_rolled_back_answers_503(self, ada: User) -> None:
        response = await call(AtomicWritesThenMeetsALock, "POST", ada)

        assert response.status_code == 503
        assert response["Retry-After"] == "1"
        assert await AuditEntry.objects.acount() == 0

    async def test_a_kept_write_is_a_500_not_a_retry(self, ada: User) -> None:
        """Without a transaction the row stays: a client obeying a 503 would write it twice."""
        with pytest.raises(OperationalError, match="database is locked"):
            await call(WritesThenMeetsALock, "POST", ada)

        assert await AuditEntry.objects.acount() == 1

    async def test_a_read_answers_503(self, ada: User) -> None:
        response = await call(WritesThenMeetsALock, "GET", ada)

        assert response.status_code == 503


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's limits")
class TestExhaustedConnections:
    async def test_no_connection_left_answers_503_then_recovers(
        self, client: AsyncAPIClient
    ) -> None:
        import psycopg

        await aclose_thread_connections()
        params = connection.get_connection_params()
        target = {key: params[key] for key in ("dbname", "user", "password", "host", "port")}
        held: list[psycopg.AsyncConnection[Any]] = []
        try:
            for _ in range(1000):
                try:
                    held.append(await psycopg.AsyncConnection.connect(**target))
                except psycopg.OperationalError:
                    break
            refused = await client.get("/helpers/")
        finally:
            for each in held:
                await each.close()
        recovered = await client.get("/helpers/")

        assert held, "no connection could be opened at all"
        assert refused.status_code == 503
        assert refused.json() == {"detail": "The database is busy; retry the request."}
        assert refused["Retry-After"] == "1"
        assert recovered.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's pool")
class TestExhaustedPool:
    async def test_a_pool_timeout_answers_503_then_recovers(self, client: AsyncAPIClient) -> None:
        """Django's psycopg pool, one connection, held elsewhere: the request waits out the
        pool's timeout and answers 503; once the connection is back it answers 200."""
        import threading

        import django
        from asgiref.sync import sync_to_async
        from django.db import connections

        if django.VERSION < (5, 1):
            pytest.skip("Django's connection pool needs 5.1")
        options = connections["default"].settings_dict["OPTIONS"]
        await sync_to_async(connections.close_all)()
        await aclose_thread_connections()
        options["pool"] = {"min_size": 1, "max_size": 1, "timeout": 0.5}
        release = threading.Event()
        holding = threading.Event()

        def hold() -> None:
            connections["default"].ensure_connection()
            holding.set()
            release.wait(20)
            connections["default"].close()

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert holding.wait(10)
            refused = await client.get("/helpers/")
        finally:
            release.set()
            holder.join(20)
        recovered = await client.get("/helpers/")
        try:
            assert refused.status_code == 503
            assert refused["Retry-After"] == "1"
            assert recovered.status_code == 200
        finally:
            await aclose_thread_connections()
            await sync_to_async(connections.close_all)()
            connections["default"].close_pool()  # type: ignore[attr-defined]
            del options["pool"]
