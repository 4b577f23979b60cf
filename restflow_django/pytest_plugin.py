"""pytest fixtures for projects that test restflow views (loaded through pytest's entry point).

- `async_api_client`: an `AsyncAPIClient`; await its calls in `async def` tests. When the
  test ends, the connections its requests' sync work opened are closed, so the test
  database can be dropped. Mark such tests `@pytest.mark.django_db(transaction=True)`: the
  views' queries run on another thread's connection, which a test's own transaction (and,
  on SQLite, its lock) would keep from seeing the test's rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from restflow_django.test import AsyncAPIClient


@pytest.fixture
def async_api_client() -> Iterator[AsyncAPIClient]:
    """An `AsyncAPIClient` for one test; its requests' database connections closed after."""
    # Imported here: pytest loads this module before Django's settings are configured.
    from restflow_django.test import AsyncAPIClient, aclose_thread_connections

    client = AsyncAPIClient()
    try:
        yield client
    finally:
        asyncio.run(aclose_thread_connections())
