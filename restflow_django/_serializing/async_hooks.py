"""Finding a serializer's `async def` hooks, and refusing them where sync code would call them.

DRF calls `validate_<field>`, `validate`, validators, `create`, `update` and the methods of
`SerializerMethodField`s synchronously. Called that way an `async def` hook returns a
coroutine that is never awaited: a refusing validator lets everything through, and the
coroutine itself is stored or rendered. restflow's serializers await these hooks in
`ais_valid`, `asave` and `adata`; their sync `is_valid`, `save` and `data`, and every sync
path of the views, raise a `TypeError` naming the async call instead, before anything is
validated or written.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple, ParamSpec, TypeVar

from rest_framework import serializers

from restflow_django._hooks import overrides

P = ParamSpec("P")
T = TypeVar("T")

# Methods of DRF's machinery that restflow cannot await when written `async def`.
_MACHINERY = ("run_validation", "to_internal_value", "run_validators", "save")
_SAVING_METHODS = ("create", "update")


@dataclass(frozen=True, slots=True)
class FieldHooks:
    """The async hooks of one writable field: its async validators, its `validate_<field>`."""

    field: Any
    validators: tuple[Any, ...]
    method: str | None


@dataclass(frozen=True, slots=True)
class ValidationHooks:
    """The async hooks validating a serializer meets, in the order DRF would call them."""

    fields: tuple[FieldHooks, ...]
    validators: tuple[Any, ...]
    validate: bool


def validation_hooks(serializer: Any) -> ValidationHooks | None:
    """The async hooks `serializer`'s validation awaits, or `None` when it has none.

    Decided once for a class whose fields and validators follow from the class alone
    (`_settled_by_class`), for as long as nothing has touched this serializer's fields or
    validators; a serializer whose class builds them its own way, or whose fields were
    read (and so may have been changed) before it validates, is looked at itself.

    Raises `TypeError` for async hooks restflow does not await: an `async def` override of
    DRF's validation machinery, or async hooks of a nested serializer.
    """
    cls: Any = type(serializer)
    untouched = "fields" not in vars(serializer) and "_validators" not in vars(serializer)
    if untouched and cls in _WITHOUT_HOOKS:
        return None
    hooks = _find_validation_hooks(serializer)
    if hooks is None and untouched and _settled_by_class(cls):
        _WITHOUT_HOOKS.add(cls)
    return hooks


# Serializer classes whose serializers have no async validation hooks, as their class
# alone decides (see `validation_hooks`).
_WITHOUT_HOOKS: set[type[Any]] = set()
# What makes a serializer's fields or validators more than its class declares.
_BUILT_PER_INSTANCE = (
    "__init__",
    "get_fields",
    "get_field_names",
    "build_field",
    "get_extra_kwargs",
    "get_validators",
)


@functools.lru_cache(maxsize=1024)
def _settled_by_class(cls: Any) -> bool:
    """Whether every serializer of `cls` has the fields and validators of every other: no
    class of the user's among its bases builds them (`_BUILT_PER_INSTANCE`), and so for
    its nested serializers."""
    if any(overrides(cls, name) for name in _BUILT_PER_INSTANCE):
        return False
    declared: dict[str, Any] = getattr(cls, "_declared_fields", {})
    nested: list[Any] = [
        type(target(field))
        for field in declared.values()
        if isinstance(field, serializers.BaseSerializer)
    ]
    return all(_settled_by_class(kind) for kind in nested)


def _find_validation_hooks(serializer: Any) -> ValidationHooks | None:
    own = async_methods(serializer.__class__)
    for name in sorted(own & frozenset(_MACHINERY)):
        raise TypeError(_machinery_message(serializer, name))
    if not isinstance(serializer, serializers.Serializer):
        return None
    found: list[FieldHooks] = []
    for field in _writable_fields(serializer):
        method = f"validate_{field.field_name}"
        validators = tuple(v for v in field.validators if is_async_validator(v))
        if validators or method in own:
            found.append(FieldHooks(field, validators, method if method in own else None))
        if isinstance(field, serializers.BaseSerializer):
            _refuse_nested(serializer, field)
    validators = tuple(v for v in serializer.validators if is_async_validator(v))
    if not found and not validators and "validate" not in own:
        return None
    return ValidationHooks(tuple(found), validators, "validate" in own)


def _writable_fields(serializer: Any) -> Iterator[Any]:
    return (field for field in serializer.fields.values() if not field.read_only)


def _refuse_nested(serializer: Any, field: Any) -> None:
    nested = target(field)
    try:
        hooks = validation_hooks(nested)
    except TypeError:
        hooks = ValidationHooks((), (), validate=True)
    if hooks is not None:
        raise TypeError(
            f"{type(serializer).__name__}.{field.field_name} is a nested "
            f"{type(nested).__name__} with `async def` validation hooks, and restflow awaits "
            f"the hooks of the outer serializer only. Check the nested values in an async "
            f"`{type(serializer).__name__}.validate_{field.field_name}` or `validate` instead."
        )


@functools.lru_cache(maxsize=1024)
def saves_asynchronously(cls: Any) -> bool:
    """Whether saving a serializer of `cls` awaits a hook: `acreate`/`aupdate` written for
    it, or an `async def create`/`update`."""
    return (
        overrides(cls, "acreate")
        or overrides(cls, "aupdate")
        or bool(async_methods(cls) & frozenset(_SAVING_METHODS))
    )


class AsyncPart(NamedTuple):
    """A part of a representation that is awaited: `owner.awaited(row)` takes the place of
    the value the sync pass's `owner.replaced(row)` would give."""

    owner: Any
    replaced: str
    awaited: str


def async_method_fields(serializer: Any) -> list[AsyncPart]:
    """Each part of `serializer`'s tree that is awaited when representing: the `async def`
    methods of `SerializerMethodField`s, and nested serializers with an
    `ato_representation` of their own; owners are bound to this instance."""
    found: list[AsyncPart] = []
    _collect_method_fields(target(serializer), found)
    return found


def _collect_method_fields(serializer: Any, found: list[AsyncPart]) -> None:
    if not isinstance(serializer, serializers.Serializer) or _represents_from_class(serializer):
        return
    own = async_methods(serializer.__class__)
    for field in serializer.fields.values():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField) and field.method_name in own:
            found.append(AsyncPart(serializer, field.method_name, field.method_name))
        elif isinstance(field, serializers.BaseSerializer):
            nested = target(field)
            if overrides(nested.__class__, "ato_representation"):
                found.append(AsyncPart(nested, "to_representation", "ato_representation"))
            else:
                _collect_method_fields(nested, found)


def class_awaits_when_validating(cls: Any) -> bool:
    """Whether serializers of `cls` have async validation hooks, as far as the class says."""
    return _class_hooks(cls)[0]


def class_awaits_when_representing(cls: Any) -> bool:
    """Whether serializers of `cls` await when representing, as far as the class says."""
    return _class_hooks(cls)[1]


@functools.lru_cache(maxsize=1024)
def _class_hooks(cls: Any) -> tuple[bool, bool]:
    own = async_methods(cls)
    declared: dict[str, Any] = getattr(cls, "_declared_fields", {})
    meta_validators = getattr(getattr(cls, "Meta", None), "validators", None) or ()
    validating = (
        "validate" in own
        or any(name.startswith("validate_") for name in own)
        or any(is_async_validator(v) for v in meta_validators)
        or any(
            is_async_validator(v)
            for field in declared.values()
            if not field.read_only
            for v in getattr(field, "_validators", None) or ()
        )
    )
    representing = overrides(cls, "ato_representation") or any(
        (isinstance(field, serializers.SerializerMethodField) and _method_name(field, name) in own)
        or (
            isinstance(field, serializers.BaseSerializer)
            and class_awaits_when_representing(type(target(field)))
        )
        for name, field in declared.items()
    )
    return validating, representing


def _method_name(field: Any, name: str) -> str:
    return field.method_name or f"get_{name}"


def refuse_async_validation_hooks(serializer: Any) -> None:
    """Raise `TypeError` if validating `serializer` synchronously would meet an async hook."""
    validated = target(serializer)
    hooks = validation_hooks(validated)
    if hooks is None:
        return
    owner = type(validated).__name__
    found = [f"{owner}.{hook.method}" for hook in hooks.fields if hook.method]
    found += [
        f"The validator {validator!r} on field {hook.field.field_name!r} of {owner}"
        for hook in hooks.fields
        for validator in hook.validators
    ]
    found += [f"The validator {validator!r} on {owner}" for validator in hooks.validators]
    found += [f"{owner}.validate"] * hooks.validate
    raise TypeError(_sync_message(serializer, found[0], "is_valid()", "ais_valid()"))


def refuse_async_saving_hooks(serializer: Any) -> None:
    """Raise `TypeError` if `serializer.save()` would call an `async def` create or update."""
    cls = target(serializer).__class__
    if saves_asynchronously(cls):
        own = async_methods(cls)
        written = "acreate" if overrides(cls, "acreate") else "aupdate"
        name = next((n for n in _SAVING_METHODS if n in own), written)
        raise TypeError(_sync_message(serializer, f"{cls.__name__}.{name}", "save()", "asave()"))


def refuse_async_representation_hooks(serializer: Any) -> None:
    """Raise `TypeError` if representing `serializer` would meet an `async def` hook."""
    child = target(serializer)
    if overrides(child.__class__, "ato_representation"):
        hook = f"{type(child).__name__}.ato_representation"
        raise TypeError(_sync_message(serializer, hook, ".data", "adata"))
    for part in async_method_fields(serializer):
        hook = f"{type(part.owner).__name__}.{part.awaited}"
        raise TypeError(_sync_message(serializer, hook, ".data", "adata"))


_AWAITING_FROM_THREAD: ContextVar[bool] = ContextVar("restflow_awaiting", default=False)


@contextmanager
def awaiting_from_thread() -> Iterator[None]:
    """Within the block, restflow's sync `is_valid` and `data` wait for the async hooks they
    meet, awaited on the event loop, instead of refusing them.

    For DRF code that runs in a thread and calls the sync API (the browsable API's forms).
    """
    token = _AWAITING_FROM_THREAD.set(True)
    try:
        yield
    finally:
        _AWAITING_FROM_THREAD.reset(token)


def may_await_from_thread() -> bool:
    """Whether the caller is inside `awaiting_from_thread`."""
    return _AWAITING_FROM_THREAD.get()


def target(serializer: Any) -> Any:
    """The serializer whose hooks run: a `many=True` list serializer's child."""
    if isinstance(serializer, serializers.ListSerializer):
        return serializer.child
    return serializer


def _represents_from_class(serializer: Any) -> bool:
    """Whether `serializer` reads rows through fields bound once per class, none of them hooks.

    Asked of restflow's serializers without touching their `fields`, which would make this
    instance build its own.
    """
    ask = getattr(serializer, "_restflow_reads_from_class", None)
    return ask is not None and bool(ask())


@functools.lru_cache(maxsize=1024)
def async_methods(cls: Any) -> frozenset[str]:
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


def is_async_validator(validator: Any) -> bool:
    """Whether calling `validator` returns a coroutine: an `async def`, or an async `__call__`."""
    if inspect.isfunction(validator) or inspect.ismethod(validator):
        return inspect.iscoroutinefunction(validator)
    return _calls_are_async(validator.__class__)


@functools.lru_cache(maxsize=1024)
def _calls_are_async(kind: Any) -> bool:
    return _is_coroutine_function(inspect.getattr_static(kind, "__call__", None))


def _sync_message(serializer: Any, hook: str, sync_call: str, async_call: str) -> str:
    if _awaits_hooks(serializer):
        fix = f"Call `await serializer.{async_call}` instead (restflow's views do)."
    else:
        fix = (
            "Derive the serializer from restflow_django.serializers.Serializer or "
            f"ModelSerializer, whose `{async_call}` awaits it."
        )
    return (
        f"{hook} is `async`, and `{sync_call}` cannot await it: its coroutine would never "
        f"run. {fix}"
    )


def _awaits_hooks(serializer: Any) -> bool:
    return hasattr(target(serializer), "ais_valid")


def _machinery_message(serializer: Any, name: str) -> str:
    return (
        f"{type(serializer).__name__}.{name} is an `async def` override of DRF's "
        "machinery, which restflow does not await. Keep it a plain `def`, and put the async "
        "work in `validate_<field>`, `validate`, `acreate` or `aupdate`."
    )


# The calls of restflow's async API (`asave`, `ais_valid`, `adata`) made within a user's
# async hook, each with its coroutine: one list per hook call.
_MADE: ContextVar[list[tuple[Coroutine[Any, Any, Any], str]] | None] = ContextVar(
    "restflow_made_coroutines", default=None
)


def watched(coroutine: Coroutine[Any, Any, T], call: str) -> Coroutine[Any, Any, T]:
    """`coroutine`, noted as made by `call` when a user hook is running (`aawaiting_calls`)."""
    made = _MADE.get()
    if made is not None:
        made.append((coroutine, call))
    return coroutine


async def aawaiting_calls(hook: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
    """Await the user's `hook`; raise `ForgottenAwait` if it returned leaving a coroutine of
    restflow's async API (`asave`, `ais_valid`, `adata`) it made never awaited.

    A forgotten `await serializer.asave()` would otherwise answer success for a write that
    never happened.
    """
    token = _MADE.set([])
    try:
        result = await hook(*args, **kwargs)
        made = _MADE.get() or []
    finally:
        _MADE.reset(token)
    for coroutine, call in made:
        if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
            coroutine.close()
            owner = getattr(hook, "__self__", None)
            name = getattr(hook, "__qualname__", repr(hook))
            if owner is not None:
                name = f"{type(owner).__name__}.{getattr(hook, '__name__', name)}"
            raise ForgottenAwait(
                f"{name} returned without awaiting `{call}`: its work never happened. "
                f"Write `await {call}`."
            )
    return result


class ForgottenAwait(RuntimeError):
    """A user hook returned leaving a coroutine of restflow's async API never awaited."""
