"""Awaiting a serializer's `async def` hooks around DRF's sync machinery.

DRF validates and represents in one sync pass. restflow keeps that pass, in a thread when
it may query, and lets it record the async hooks it meets instead of calling them:

- validating, an async field validator or `validate_<field>` records the value it was
  given; the recorded calls are awaited on the loop after the pass, then the serializer's
  validators and `validate` run the same way (`begin_validation` in a thread, then
  `afinish_validation`);
- representing, an async `SerializerMethodField` method records the row; the rows' calls
  are awaited together, at most `RESTFLOW["RENDER_CONCURRENCY"]` at a time, and their
  results take the places recorded (`arepresent`).

The stages are steps of `restflow_core.steps`: each stretch of sync stages is one thread
hop, and a serializer pays only for the hooks it has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, get_error_detail
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from typing_extensions import override

from restflow_core.awaiting import abounded
from restflow_core.steps import Blocking, Step, Steps, given, run_steps
from restflow_django._serializing.async_hooks import (
    AsyncPart,
    FieldHooks,
    ValidationHooks,
    is_async_validator,
)
from restflow_django._sync import aon_loop_or_thread, offload
from restflow_django.diagnostics import describe_unloaded_relation

T = TypeVar("T")

DEFAULT_RENDER_CONCURRENCY = 10
"""How many async method fields a representation awaits at once, unless settings say."""


def render_concurrency() -> int:
    """`RESTFLOW["RENDER_CONCURRENCY"]` from Django's settings, else the default."""
    configured: Mapping[str, Any] = getattr(settings, "RESTFLOW", {})
    limit = configured.get("RENDER_CONCURRENCY", DEFAULT_RENDER_CONCURRENCY)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ImproperlyConfigured(
            f'RESTFLOW["RENDER_CONCURRENCY"] must be a positive integer, not {limit!r}'
        )
    return limit


# Validation.


@dataclass
class _Validation:
    """What the stages of one validation pass on to each other."""

    value: Any = None
    empty: bool = False
    errors: dict[str, Any] = field(default_factory=dict)
    # Recorded calls: (field hooks or None for the serializer's own validators, validator, args).
    calls: list[tuple[FieldHooks | None, Any, tuple[Any, ...]]] = field(default_factory=list)
    # Values recorded for async `validate_<field>` methods.
    methods: dict[str, Any] = field(default_factory=dict)
    refusal: Exception | None = None


class _Recorded:
    """Stands in for a validator during the sync pass, beside async ones: records an async
    validator's call, to be awaited after the pass, and a sync validator's refusal, so that
    the messages keep the order of the validators as DRF gives them."""

    def __init__(self, validator: Any, hooks: FieldHooks | None, into: _Validation) -> None:
        self.validator = validator
        self.hooks = hooks
        self.into = into
        self.requires_context = getattr(validator, "requires_context", False)
        self.awaited = is_async_validator(validator)

    def __call__(self, *arguments: Any) -> None:
        if self.awaited:
            self.into.calls.append((self.hooks, self.validator, arguments))
            return
        messages: list[Any] = []
        _collect(messages, lambda: self.validator(*arguments))
        self.into.calls.append((self.hooks, _arefuse, (messages,)))

    @override
    def __repr__(self) -> str:
        return repr(self.validator)


async def _arefuse(messages: list[Any]) -> None:
    """Replay a sync validator's recorded refusal among the awaited ones."""
    if messages:
        raise ValidationError(messages)


def begin_validation(serializer: Any, data: Any, hooks: ValidationHooks) -> _Validation:
    """The sync start of DRF's `run_validation`: the fields, recording their async hooks'
    calls, and the serializer's sync validators when no field hook has to be awaited first.

    Sync work that may query: it runs in a thread, with the blocking work before it.
    """
    state = _check_fields(serializer, data, hooks)
    if not hooks.fields:
        _check_object(serializer, state, hooks)
    return state


async def afinish_validation(serializer: Any, state: _Validation, hooks: ValidationHooks) -> Any:
    """Await the async hooks `begin_validation` recorded, then run the rest of DRF's
    `run_validation`; return the validated value."""
    stages: list[Step[[_Validation], Any]] = []
    if hooks.fields:
        stages.append(lambda state: _afield_hooks(serializer, state, hooks))
        stages.append(Blocking(lambda state: _check_object(serializer, state, hooks)))
    if hooks.validators:
        stages.append(_aobject_validators)
    if hooks.validate:
        stages.append(lambda state: _avalidate(serializer, state))
    else:
        stages.append(Blocking(lambda state: _validate(serializer, state)))
    return await run_steps(offload, given(Steps.chain(stages), state))


def _check_fields(serializer: Any, data: Any, hooks: ValidationHooks) -> _Validation:
    """The sync pass over the fields, recording the async hooks' calls."""
    state = _Validation()
    state.empty, data = serializer.validate_empty_values(data)
    if state.empty:
        state.value = data
        return state
    with _recording_field_hooks(serializer, hooks, state):
        try:
            state.value = serializer.to_internal_value(data)
        except ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            state.value, state.errors = {}, dict(error.detail)
    return state


@contextmanager
def _recording_field_hooks(
    serializer: Any, hooks: ValidationHooks, state: _Validation
) -> Iterator[None]:
    replaced: list[tuple[Any, list[Any]]] = []
    try:
        for hook in hooks.fields:
            if hook.validators:
                validators = hook.field.validators
                hook.field.validators = _recording(validators, hook, state)
                replaced.append((hook.field, validators))
            if hook.method:
                serializer.__dict__[hook.method] = _method_recorder(hook.method, state)
        yield
    finally:
        for replaced_field, validators in replaced:
            replaced_field.validators = validators
        for hook in hooks.fields:
            serializer.__dict__.pop(hook.method or "", None)


def _recording(validators: list[Any], hooks: FieldHooks | None, state: _Validation) -> list[Any]:
    """`validators`, each replaced by its recorder."""
    return [_Recorded(validator, hooks, state) for validator in validators]


def _method_recorder(name: str, state: _Validation) -> Callable[[Any], Any]:
    def record(value: Any) -> Any:
        state.methods[name] = value
        return value

    return record


async def _afield_hooks(serializer: Any, state: _Validation, hooks: ValidationHooks) -> _Validation:
    """Await the fields' async validators, then their async `validate_<field>` methods."""
    for field_hooks in hooks.fields:
        name = field_hooks.field.field_name
        refused = state.errors.get(name, [])
        messages = list(refused) if isinstance(refused, list) else []
        for recorded, validator, arguments in state.calls:
            if recorded is field_hooks:
                await _acollect(messages, validator, arguments)
        if messages:
            state.errors[name] = messages
        elif field_hooks.method and field_hooks.method in state.methods:
            await _avalidate_field(serializer, field_hooks, state)
    return state


async def _avalidate_field(serializer: Any, hooks: FieldHooks, state: _Validation) -> None:
    field_ = hooks.field
    method = getattr(serializer, hooks.method or "")
    try:
        value = await method(state.methods[hooks.method or ""])
    except ValidationError as error:
        state.errors[field_.field_name] = error.detail
    except DjangoValidationError as error:
        state.errors[field_.field_name] = get_error_detail(error)
    except SkipField:
        state.value.pop(field_.source_attrs[0], None)
    else:
        _set_value(state.value, field_.source_attrs, value)


def _set_value(data: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    """Set `value` at the path `keys` of nested dicts, as DRF's `to_internal_value` does."""
    if not keys:
        data.update(value)
        return
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


async def _acollect(messages: list[Any], validator: Any, arguments: tuple[Any, ...]) -> None:
    """Await one validator, adding its refusal to `messages` as DRF's `run_validators` does."""
    try:
        await validator(*arguments)
    except (ValidationError, DjangoValidationError) as error:
        _collect(messages, error)


def _collect(messages: list[Any], check: Callable[[], Any] | Exception) -> None:
    """Add the refusal of `check` (called here, or raised already) to `messages`, as DRF's
    `run_validators` does; a refusal keyed by field is raised as it is."""
    try:
        if isinstance(check, Exception):
            raise check
        check()
    except ValidationError as error:
        if isinstance(error.detail, dict):
            raise
        messages.extend(error.detail)
    except DjangoValidationError as error:
        messages.extend(get_error_detail(error))


def _check_object(serializer: Any, state: _Validation, hooks: ValidationHooks) -> _Validation:
    """The fields' errors as one 400, else the serializer's sync validators, recording its
    async ones."""
    if state.errors:
        raise ValidationError(state.errors)
    if state.empty:
        return state
    validators = serializer.validators
    if hooks.validators:
        serializer.validators = _recording(validators, None, state)
    try:
        serializer.run_validators(state.value)
    except (ValidationError, DjangoValidationError) as error:
        if not hooks.validators:
            raise ValidationError(detail=as_serializer_error(error)) from error
        state.refusal = error
    finally:
        serializer.validators = validators
    return state


async def _aobject_validators(state: _Validation) -> _Validation:
    """Await the serializer's async validators; one 400 with the sync ones' refusals."""
    messages: list[Any] = []
    if state.refusal is not None:
        detail: Any = as_serializer_error(state.refusal)
        if set(detail) != {_non_field_key()}:
            raise ValidationError(detail=detail)
        messages.extend(detail[_non_field_key()])
    for recorded, validator, arguments in state.calls:
        if recorded is None:
            await _acollect(messages, validator, arguments)
    if messages:
        raise ValidationError(detail=as_serializer_error(ValidationError(messages)))
    return state


def _non_field_key() -> str:
    key: str = api_settings.NON_FIELD_ERRORS_KEY
    return key


def _validate(serializer: Any, state: _Validation) -> Any:
    if state.empty:
        return state.value
    try:
        value = serializer.validate(state.value)
    except (ValidationError, DjangoValidationError) as error:
        raise ValidationError(detail=as_serializer_error(error)) from error
    return _validated(value)


async def _avalidate(serializer: Any, state: _Validation) -> Any:
    if state.empty:
        return state.value
    try:
        value = await serializer.validate(state.value)
    except (ValidationError, DjangoValidationError) as error:
        raise ValidationError(detail=as_serializer_error(error)) from error
    return _validated(value)


def _validated(value: Any) -> Any:
    if value is None:
        raise AssertionError(".validate() should return the validated data")
    return value


# Representation.


class _Pending:
    """An async method field's value, recorded during the sync pass and awaited after it."""

    __slots__ = ("method", "row", "value")

    def __init__(self, method: Callable[[Any], Awaitable[Any]], row: Any) -> None:
        self.method = method
        self.row = row
        self.value: Any = None

    async def aresolve(self) -> None:
        self.value = await self.method(self.row)


async def arepresent(
    serializer: Any, produce: Callable[[], T], method_fields: Sequence[AsyncPart]
) -> T:
    """`produce()` (a sync representation of `serializer`), with the `method_fields`
    (async method fields, nested `ato_representation`s) awaited: concurrently across rows,
    within the bound.

    The sync pass runs on the loop, or again in a thread when it loads a lazy relation.
    """
    describe = lambda: describe_unloaded_relation(serializer)  # noqa: E731
    if not method_fields:
        return await aon_loop_or_thread(produce, describe=describe)
    pending: list[_Pending] = []

    def pass_recording() -> T:
        pending.clear()
        return produce()

    with _recording_method_fields(method_fields, pending):
        result = await aon_loop_or_thread(pass_recording, describe=describe)
    await abounded([each.aresolve for each in pending], limit=render_concurrency())
    _fill(result)
    return result


@contextmanager
def _recording_method_fields(
    method_fields: Sequence[AsyncPart], pending: list[_Pending]
) -> Iterator[None]:
    try:
        for part in method_fields:
            awaited = getattr(part.owner, part.awaited)
            part.owner.__dict__[part.replaced] = _row_recorder(awaited, pending)
        yield
    finally:
        for part in method_fields:
            part.owner.__dict__.pop(part.replaced, None)


def _row_recorder(
    method: Callable[[Any], Awaitable[Any]], pending: list[_Pending]
) -> Callable[[Any], _Pending]:
    def record(row: Any) -> _Pending:
        recorded = _Pending(method, row)
        pending.append(recorded)
        return recorded

    return record


def _fill(data: Any) -> None:
    """Put each awaited value in its recorded place, in the dicts and lists of `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, _Pending):
                data[key] = value.value
            else:
                _fill(value)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, _Pending):
                data[index] = item.value
            else:
                _fill(item)
