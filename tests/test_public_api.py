"""Every package exports a sorted `__all__` whose names resolve, and ships `py.typed`."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

PACKAGES = ["restflow_core", "restflow_memory", "restflow_django"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    """`__all__` is sorted and each name is an attribute of the package."""
    package = importlib.import_module(name)

    exported = list(package.__all__)

    assert exported == sorted(exported)
    assert [symbol for symbol in exported if not hasattr(package, symbol)] == []


@pytest.mark.parametrize("name", PACKAGES)
def test_package_ships_py_typed(name: str) -> None:
    """The `py.typed` marker sits next to the package's `__init__`."""
    package = importlib.import_module(name)

    assert package.__file__ is not None
    assert (Path(package.__file__).parent / "py.typed").is_file()
