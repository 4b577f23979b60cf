"""A validating serializer for memory-stored objects, shaped like DRF's."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from typing_extensions import override

from restflow_core.awaiting import abounded, run_without_suspending
from restflow_core.errors import ValidationFailed
from restflow_memory._access import changed, read
from restflow_memory.store import MemoryStore

ModelT = TypeVar("ModelT")
T = TypeVar("T")

NOT_GIVEN: Any = type("NotGiven", (), {"__repr__": lambda self: "NOT_GIVEN"})()

_INTEGER = re.compile(r"^\s*[-+]?\d{1,30}\s*$")
_TRUE = {"true", "True", "1", 1}
_FALSE = {"false", "False", "0", 0}


class Invalid(ValueError):
    """Raised by a field or a `validate_<field>` method to reject one value."""


def _to_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("Not a valid string.")
    return str(value)


def _to_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    raise Invalid("A valid integer is required.")


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise Invalid("A valid number is required.")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid("A valid number is required.") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool | int | str) and value in _TRUE:
        return True
    if isinstance(value, bool | int | str) and value in _FALSE:
        return False
    raise Invalid("Must be a valid boolean.")


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a `MemorySerializer`: its type and the rules its values follow."""

    kind: type = str
    required: bool = True
    allow_null: bool = False
    read_only: bool = False
    default: Any = NOT_GIVEN
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    choices: Collection[Any] | None = None
    allow_blank: bool = False

    def clean(self, value: Any) -> Any:
        """Return `value` converted to `kind`; raise `Invalid` with DRF's message."""
        if value is None:
            if self.allow_null:
                return None
            raise Invalid("This field may not be null.")
        convert = _CONVERTERS.get(self.kind)
        if convert is not None:
            value = convert(value)
        elif not isinstance(value, self.kind):
            raise Invalid(f"Expected a {self.kind.__name__}.")
        self._check_bounds(value)
        return value

    def _check_bounds(self, value: Any) -> None:
        # Compared with `""` below, `value` would be narrowed; the bounds compare the original.
        checked: Any = value
        if self.kind is str and value == "" and not self.allow_blank:
            raise Invalid("This field may not be blank.")
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(f"Ensure this field has no more than {self.max_length} characters.")
        if self.min_value is not None and checked < self.min_value:
            raise Invalid(f"Ensure this value is greater than or equal to {self.min_value}.")
        if self.max_value is not None and checked > self.max_value:
            raise Invalid(f"Ensure this value is less than or equal to {self.max_value}.")
        if self.choices is not None and value not in self.choices:
            raise Invalid(f'"{value}" is not a valid choice.')


@dataclass(frozen=True, slots=True)
class MethodField(Field):
    """A read-only field whose value the serializer's `get_<name>(obj)` returns.

    The method may be `async def`: `adata` and the resources' responses await it, several
    rows at a time (`MemorySerializer.render_concurrency`).
    """

    read_only: bool = True
    method_name: str | None = None


class MemorySerializer(Generic[ModelT]):
    """Validates payloads against its declared fields, then saves through `context["store"]`.

    Subclasses set `model` (a dataclass or `dict`) and declare each field as a class
    attribute, `name = Field(str)`, as in DRF. Override `validate_<name>` to check one value,
    `validate` to check them together, or `acreate`/`aupdate` to change how objects are
    built; `validate_<name>`, `validate` and the methods of `MethodField`s may be
    `async def`, and `ais_valid` and `adata` await them. Unknown payload keys are ignored,
    as in DRF.
    """

    model: ClassVar[Callable[..., Any]] = dict
    fields: ClassVar[Mapping[str, Field]] = {}
    render_concurrency: ClassVar[int] = 10
    """How many async method fields of a list's rows are awaited at once."""

    @override
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}
        clashes = sorted(name for name in declared if hasattr(MemorySerializer, name))
        if clashes:
            raise TypeError(
                f"{cls.__name__} declares fields that shadow serializer members: {clashes}"
            )
        cls.fields = {**cls.fields, **declared}

    def __init__(
        self,
        instance: ModelT | None = None,
        data: Any = NOT_GIVEN,
        *,
        partial: bool = False,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.instance = instance
        self.initial_data = data
        self.partial = partial
        self.context: Mapping[str, Any] = context or {}
        self._errors: dict[str, list[str]] | None = None
        self._validated: dict[str, Any] = {}

    @property
    def store(self) -> MemoryStore[ModelT]:
        """The store named by `context["store"]`."""
        store: MemoryStore[ModelT] = self.context["store"]
        return store

    async def ais_valid(self, *, raise_exception: bool = False) -> bool:
        """Validate `data`, awaiting async hooks; return whether it passed, or raise
        `ValidationFailed`."""
        if self.initial_data is NOT_GIVEN:
            raise AssertionError("pass `data=` to the serializer before validating it")
        if self._errors is None:
            self._validated, self._errors = await self._arun_validation(self.initial_data)
        if self._errors and raise_exception:
            raise ValidationFailed(self._errors)
        return not self._errors

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        """Validate `data` synchronously; same contract as `ais_valid`.

        Raises `TypeError` when a `validate` or `validate_<field>` hook is `async def`.
        """
        if self._errors is None:
            for name in _async_hooks_of(self, "validate"):
                raise TypeError(_sync_message(self, name, "is_valid()", "ais_valid()"))
        return run_without_suspending(self.ais_valid(raise_exception=raise_exception))

    async def _arun_validation(self, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
        if not isinstance(data, Mapping):
            got = type(data).__name__
            message = f"Invalid data. Expected a dictionary, but got {got}."
            return {}, {"non_field_errors": [message]}
        attrs, errors = await self._aclean_fields(data)
        if errors:
            return {}, errors
        try:
            checked = self.validate(attrs)
            if inspect.isawaitable(checked):
                checked = await checked
            return dict(checked), {}
        except Invalid as error:
            return {}, {"non_field_errors": [str(error)]}
        except ValidationFailed as error:
            return {}, _as_field_errors(error.errors)

    async def _aclean_fields(
        self, data: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        attrs: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, spec in self.fields.items():
            if spec.read_only:
                continue
            if name not in data:
                if self.partial:
                    continue
                if spec.default is not NOT_GIVEN:
                    attrs[name] = spec.default
                elif spec.required:
                    errors[name] = ["This field is required."]
                continue
            try:
                value = spec.clean(data[name])
                hook = getattr(self, f"validate_{name}", None)
                if hook is not None:
                    value = hook(value)
                    if inspect.isawaitable(value):
                        value = await value
                attrs[name] = value
            except Invalid as error:
                errors[name] = [str(error)]
        return attrs, errors

    def validate(self, attrs: dict[str, Any]) -> Mapping[str, Any] | Awaitable[Mapping[str, Any]]:
        """Check the cleaned values together; raise `Invalid` or `ValidationFailed`.

        Override it with a `def` or an `async def`; `ais_valid` awaits the latter.
        """
        return attrs

    @property
    def errors(self) -> dict[str, list[str]]:
        """Field errors from the last validation."""
        if self._errors is None:
            raise AssertionError("call `ais_valid()` before reading `errors`")
        return self._errors

    @property
    def validated_data(self) -> dict[str, Any]:
        """The cleaned payload after a passing validation."""
        if self._errors is None or self._errors:
            raise AssertionError("`validated_data` exists only after a passing validation")
        return self._validated

    async def asave(self, **kwargs: Any) -> ModelT:
        """Create or update the object from `validated_data` merged with `kwargs`."""
        if self._errors is None or self._errors:
            raise AssertionError("call `ais_valid()` and check it passed before `asave()`")
        values = {**self._validated, **kwargs}
        if self.instance is None:
            self.instance = await self.acreate(values)
        else:
            self.instance = await self.aupdate(self.instance, values)
        return self.instance

    async def acreate(self, validated_data: dict[str, Any]) -> ModelT:
        """Build a new object of `model` and store it."""
        obj: ModelT = self.model(**validated_data)
        return await self.store.asave(obj)

    async def aupdate(self, instance: ModelT, validated_data: dict[str, Any]) -> ModelT:
        """Store a copy of `instance` with `validated_data` applied."""
        return await self.store.asave(changed(instance, validated_data))

    def to_representation(self, instance: ModelT) -> dict[str, Any]:
        """Return the primitive form of `instance`: every declared field.

        Raises `TypeError` when a method field's method is `async def` (use `adata`).
        """
        for name in _async_hooks_of(self, "get"):
            raise TypeError(_sync_message(self, name, ".data", "adata"))
        return run_without_suspending(self.ato_representation(instance))

    async def ato_representation(self, instance: ModelT) -> dict[str, Any]:
        """Return the primitive form of `instance`, awaiting async method fields."""
        represented: dict[str, Any] = {}
        for name, spec in self.fields.items():
            if isinstance(spec, MethodField):
                value = getattr(self, spec.method_name or f"get_{name}")(instance)
                represented[name] = await value if inspect.isawaitable(value) else value
            else:
                represented[name] = read(instance, name, None)
        return represented

    @property
    def adata(self) -> Awaitable[dict[str, Any]]:
        """The representation of the saved instance, or of the valid payload, awaited:
        `await serializer.adata`."""
        return self._aread_data()

    async def _aread_data(self) -> dict[str, Any]:
        if self.instance is not None:
            return await self.ato_representation(self.instance)
        return dict(self._validated)

    @property
    def data(self) -> dict[str, Any]:
        """The representation of the saved instance, or of the valid payload."""
        if self.instance is not None:
            return self.to_representation(self.instance)
        return dict(self._validated)

    @classmethod
    def represent_many(
        cls, instances: Sequence[ModelT] | Any, *, context: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Return the representation of each of `instances`."""
        serializer = cls(context=context)
        return [serializer.to_representation(instance) for instance in instances]

    @classmethod
    async def arepresent_many(
        cls, instances: Sequence[ModelT] | Any, *, context: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Return the representation of each of `instances`, awaiting the rows' async method
        fields at most `render_concurrency` rows at a time."""
        serializer = cls(context=context)
        if not _async_hooks_of(serializer, "get"):
            return [serializer.to_representation(row) for row in instances]
        calls = [functools.partial(serializer.ato_representation, row) for row in instances]
        return await abounded(calls, limit=cls.render_concurrency)


def _async_hooks_of(serializer: Any, kind: str) -> tuple[str, ...]:
    return _async_hooks(serializer.__class__, kind)


@functools.lru_cache(maxsize=256)
def _async_hooks(cls: Any, kind: str) -> tuple[str, ...]:
    """The names of `cls`'s hooks of one kind that are `async def`: `"validate"` for
    `validate` and `validate_<field>`, `"get"` for the methods of method fields."""
    if kind == "validate":
        names = ("validate", *(f"validate_{field}" for field in cls.fields))
    else:
        names = tuple(
            spec.method_name or f"get_{name}"
            for name, spec in cls.fields.items()
            if isinstance(spec, MethodField)
        )
    return tuple(name for name in names if inspect.iscoroutinefunction(getattr(cls, name, None)))


def _sync_message(serializer: Any, hook: str, sync_call: str, async_call: str) -> str:
    return (
        f"{type(serializer).__name__}.{hook} is `async`, and `{sync_call}` cannot await it: its "
        f"coroutine would never run. Call `await serializer.{async_call}` instead (restflow's "
        "resources do)."
    )


def _as_field_errors(errors: Any) -> dict[str, list[str]]:
    if isinstance(errors, Mapping):
        return {str(name): _messages(messages) for name, messages in errors.items()}
    return {"non_field_errors": _messages(errors)}


def _messages(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    return [str(message) for message in messages]
