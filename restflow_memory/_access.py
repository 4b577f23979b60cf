"""Read and change fields on dataclass instances and dicts alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

ObjT = TypeVar("ObjT")

_MISSING = object()


def read(obj: object, name: str, default: Any = _MISSING) -> Any:
    """Return field `name` of `obj`, a mapping or an object; raise `KeyError` when absent."""
    value = obj.get(name, _MISSING) if isinstance(obj, Mapping) else getattr(obj, name, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise KeyError(name)
        return default
    return value


def read_path(obj: object, path: str) -> Any:
    """Follow a `__`-separated field path through related objects; `None` stops the walk."""
    value: Any = obj
    for name in path.split("__"):
        if value is None:
            return None
        value = read(value, name)
    return value


def changed(obj: ObjT, changes: Mapping[str, Any]) -> ObjT:
    """Return a copy of `obj` with `changes` applied; `obj` itself is left untouched."""
    if isinstance(obj, dict):
        # `ObjT` is a dict here; mypy cannot narrow a TypeVar through `isinstance`.
        return {**obj, **changes}  # type: ignore[return-value]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **changes)
    raise TypeError(f"restflow_memory stores dataclass instances and dicts, not {type(obj)!r}")


def copied(obj: ObjT) -> ObjT:
    """Return a shallow copy, so callers never alias what the store keeps."""
    return changed(obj, {})
