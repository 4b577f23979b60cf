"""Refusing serializer hooks written `async def` where DRF's sync machinery would call them.

DRF calls `validate_<field>`, `validate`, validators, `create`, `update` and the methods of
`SerializerMethodField`s synchronously. Called that way an `async def` hook returns a coroutine
that is never awaited: a refusing validator lets everything through, and the coroutine itself
is stored or rendered. Every path that validates, saves or represents a serializer checks for
such hooks first and raises a `TypeError` naming the hook, before anything is written.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from typing import Any

from rest_framework import serializers

# Methods DRF calls while validating, saving and representing, by the path that calls them.
_VALIDATION_METHODS = ("validate", "run_validation", "to_internal_value", "run_validators")
_SAVING_METHODS = ("create", "update", "save")
_REPRESENTATION_METHODS = ("to_representation",)


def refuse_async_validation_hooks(serializer: Any) -> None:
    """Raise `TypeError` if validating or saving `serializer` would meet an `async def` hook.

    Saving hooks are checked here too, so a write is refused before it validates anything.
    """
    for problem in _validation_problems(_target(serializer)):
        raise TypeError(problem)


def refuse_async_saving_hooks(serializer: Any) -> None:
    """Raise `TypeError` if `serializer.save()` would call an `async def` create or update."""
    target = _target(serializer)
    for name in _async_methods(target.__class__) & frozenset(_SAVING_METHODS):
        raise TypeError(_hook_message(target, name, "saving"))


def refuse_async_representation_hooks(serializer: Any) -> None:
    """Raise `TypeError` if representing `serializer` would meet an `async def` hook."""
    for problem in _representation_problems(_target(serializer)):
        raise TypeError(problem)


def _target(serializer: Any) -> Any:
    """The serializer whose hooks run: a `many=True` list serializer's child."""
    if isinstance(serializer, serializers.ListSerializer):
        return serializer.child
    return serializer


def _validation_problems(serializer: Any) -> Iterator[str]:
    own = _async_methods(serializer.__class__)
    for name in sorted(own & frozenset(_VALIDATION_METHODS + _SAVING_METHODS)):
        yield _hook_message(serializer, name, "validation" if name != "save" else "saving")
    if not isinstance(serializer, serializers.Serializer):
        return
    for field_name, field in serializer.fields.items():
        if f"validate_{field_name}" in own:
            yield _hook_message(serializer, f"validate_{field_name}", "validation")
        if field.read_only:
            continue
        for validator in field.validators:
            if _is_async_callable(validator):
                yield _validator_message(serializer, field_name, validator)
        if isinstance(field, serializers.BaseSerializer):
            yield from _validation_problems(_target(field))
    for validator in serializer.validators:
        if _is_async_callable(validator):
            yield _validator_message(serializer, None, validator)


def _representation_problems(serializer: Any) -> Iterator[str]:
    own = _async_methods(serializer.__class__)
    if "to_representation" in own:
        yield _hook_message(serializer, "to_representation", "representation")
    if _represents_from_class(serializer):
        return
    if not isinstance(serializer, serializers.Serializer):
        return
    for field in serializer.fields.values():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField) and field.method_name in own:
            yield _hook_message(serializer, field.method_name, "representation")
        elif isinstance(field, serializers.BaseSerializer):
            yield from _representation_problems(_target(field))


def _represents_from_class(serializer: Any) -> bool:
    """Whether `serializer` reads rows through fields bound once per class, none of them hooks.

    Asked of restflow's serializers without touching their `fields`, which would make this
    instance build its own.
    """
    ask = getattr(serializer, "_restflow_reads_from_class", None)
    return ask is not None and bool(ask())


@functools.lru_cache(maxsize=1024)
def _async_methods(cls: Any) -> frozenset[str]:
    """The names of `cls`'s attributes that are coroutine functions."""
    return frozenset(
        name
        for name, value in inspect.getmembers_static(cls)
        if not name.startswith("__") and _is_coroutine_function(value)
    )


def _is_coroutine_function(value: Any) -> bool:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    return inspect.iscoroutinefunction(value)


def _is_async_callable(validator: Any) -> bool:
    """Whether calling `validator` returns a coroutine: an `async def`, or an async `__call__`."""
    if inspect.isfunction(validator) or inspect.ismethod(validator):
        return inspect.iscoroutinefunction(validator)
    return _calls_are_async(validator.__class__)


@functools.lru_cache(maxsize=1024)
def _calls_are_async(kind: Any) -> bool:
    return _is_coroutine_function(inspect.getattr_static(kind, "__call__", None))


def _hook_message(serializer: Any, name: str, path: str) -> str:
    return (
        f"{type(serializer).__name__}.{name} is an `async def` hook, and restflow's serializer "
        f"{path} calls it synchronously: its coroutine would never run. Define {name} with a "
        "plain `def` (sync ORM calls are fine there: restflow runs serializers in a thread)."
    )


def _validator_message(serializer: Any, field_name: str | None, validator: Any) -> str:
    where = f"field {field_name!r} of " if field_name else ""
    return (
        f"The validator {validator!r} on {where}{type(serializer).__name__} is `async`, and "
        "DRF's validation calls validators synchronously: its coroutine would never run and "
        "nothing would be refused. Make the validator a plain function or callable."
    )
