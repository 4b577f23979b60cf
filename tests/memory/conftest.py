"""Fixtures for the memory adapter's tests."""

from __future__ import annotations

import pytest

from restflow_memory import MemoryClient
from tests.memory.shop import ProductResource, User, make_client


@pytest.fixture
def shop() -> tuple[MemoryClient, type[ProductResource]]:
    """A client for an empty catalogue, authenticated as `ada`, and its resource class."""
    client, resource = make_client()
    client.force_authenticate(User("ada"))
    return client, resource
