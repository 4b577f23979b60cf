"""Reading rows through a serializer class's fields, bound once, the way DRF reads them.

DRF's `Serializer.to_representation` asks every field for its attribute and then for its
representation, through several layers of calls that check, per field and per row, for
mappings, callables and missing objects. For the common field types the answer of those
checks is known before the row is read: a `CharField` over a model column is `str` of one
`getattr`. A reader compiles each field into one of three steps:

- **plain**: follow the field's `source` with `getattr` and convert the value (`str` for
  `CharField`, `int` for `IntegerField`, the field's own `to_representation` otherwise);
- **primary key**: a `PrimaryKeyRelatedField` reads the related row's key without loading
  the row, as DRF's own shortcut does;
- **DRF**: everything else (nested serializers, lists, slugs) goes through the field's own
  `get_attribute` and `to_representation`.

A plain or primary-key step falls back to DRF's own calls for the field whenever the row
holds something the step does not handle: a mapping, a callable, a missing attribute. Its
answer is then DRF's, defaults, `SkipField` and errors included.
"""

from __future__ import annotations

import decimal
import keyword
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import fields, relations
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings


class Step(NamedTuple):
    """How one field is read from a row."""

    field: Any
    # The field's name in the output.
    name: str
    # How to fetch the value from a row; `None` always asks the field itself.
    fetch: Callable[[Any], Any] | None
    # How to convert a fetched value that is not `None`; `None` keeps it as it is.
    convert: Callable[[Any], Any] | None
    # The attributes followed to the value; for a primary key, to the row holding the key.
    source: tuple[str, ...]
    # The key column a `PrimaryKeyRelatedField` reads, or "" for a plain value.
    key: str


# Returned by a step that leaves the field to DRF's own calls.
_ASK_THE_FIELD: Any = object()


class Reader:
    """Reads rows through a class's fields, bound once and compiled into steps.

    When every step is a plain value or a primary key, the reader also compiles one
    function reading a whole row with plain attribute lookups; a row it cannot read that
    way (a mapping, a callable, a lookup that fails) is read step by step instead.
    """

    __slots__ = ("_whole_row", "steps")

    def __init__(self, readable: tuple[Any, ...]) -> None:
        self.steps = tuple(_step(field) for field in readable)
        self._whole_row = _whole_row_function(self.steps)

    def __call__(self, instance: Any) -> dict[str, Any]:
        """DRF's `Serializer.to_representation` of `instance`."""
        if self._whole_row is not None:
            represented: dict[str, Any] | None = self._whole_row(instance)
            if represented is not None:
                return represented
        return read_row(self.steps, instance)


def read_row(steps: tuple[Step, ...], instance: Any) -> dict[str, Any]:
    """DRF's `Serializer.to_representation` of `instance`, step by step."""
    represented: dict[str, Any] = {}
    row_is_mapping = isinstance(instance, Mapping)
    for field, name, fetch, convert, _, _ in steps:
        value = _ASK_THE_FIELD if fetch is None or row_is_mapping else fetch(instance)
        if value is _ASK_THE_FIELD:
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            represented[name] = (
                None if check_for_none is None else field.to_representation(attribute)
            )
        elif value is None:
            represented[name] = None
        else:
            represented[name] = value if convert is None else convert(value)
    return represented


def _whole_row_function(steps: tuple[Step, ...]) -> Callable[[Any], Any] | None:
    """Compile the steps into one function, or `None` when a step needs its field.

    The function answers `None` for a row it cannot read with attribute lookups alone.
    """
    if not steps or any(step.fetch is None for step in steps):
        return None
    lines = [
        "def whole_row(instance):",
        "    if isinstance(instance, Mapping):",
        "        return None",
        "    try:",
    ]
    namespace: dict[str, Any] = {"Mapping": Mapping}
    values = []
    for number, step in enumerate(steps):
        holder = "instance"
        path = step.source if step.key else step.source[:-1]
        for depth, attr in enumerate(path):
            lines.append(f"        hop_{number}_{depth} = {_lookup(holder, attr)}")
            holder = f"hop_{number}_{depth}"
            # DRF looks a mapping up by key and calls a callable.
            lines.append(f"        if callable({holder}) or isinstance({holder}, Mapping):")
            lines.append("            return None")
        if step.key:
            lines.append(f"        value_{number} = {holder}.serializable_value({step.key!r})")
        else:
            lines.append(f"        value_{number} = {_lookup(holder, step.source[-1])}")
        lines.append(f"        if callable(value_{number}):")
        lines.append("            return None")
        if step.convert is None:
            values.append(f"{step.name!r}: value_{number}")
        else:
            namespace[f"convert_{number}"] = step.convert
            values.append(
                f"{step.name!r}: None if value_{number} is None "
                f"else convert_{number}(value_{number})"
            )
    lines += ["    except Exception:", "        return None"]
    lines.append("    return {" + ", ".join(values) + "}")
    # The source is built above from the fields' names and sources, written as literals.
    exec("\n".join(lines), namespace)
    function: Callable[[Any], Any] = namespace["whole_row"]
    return function


def _lookup(holder: str, attr: str) -> str:
    if attr.isidentifier() and not keyword.iskeyword(attr):
        return f"{holder}.{attr}"
    return f"getattr({holder}, {attr!r})"


def _step(field: Any) -> Step:
    kind, name, source = type(field), field.field_name, tuple(field.source_attrs)
    if kind is relations.PrimaryKeyRelatedField and source and field.use_pk_only_optimization():
        # DRF's shortcut: the key from the row's own column, the related row never loaded.
        if field.pk_field is None:
            return Step(field, name, _key_fetcher(source), None, source[:-1], source[-1])
    elif kind in _PLAIN_CONVERSIONS and source:
        return Step(field, name, _fetcher(source), _PLAIN_CONVERSIONS[kind](field), source, "")
    return Step(field, name, None, None, source, "")


def _fetcher(source: tuple[str, ...]) -> Callable[[Any], Any]:
    """Look up the value at `source` in a row by attributes, or answer `_ASK_THE_FIELD`.

    The field is asked wherever DRF would do more than look attributes up: a mapping on the
    way, a callable, a lookup that fails. A missing related object is `None`, as in DRF.
    """
    if len(source) == 1:
        # The common case, a column of the row itself, spared the loop below.
        (attr,) = source

        def fetch_one(instance: Any) -> Any:
            try:
                value = getattr(instance, attr)
            except ObjectDoesNotExist:
                return None
            except Exception:  # the field's own lookup decides what it means
                return _ASK_THE_FIELD
            return _ASK_THE_FIELD if callable(value) else value

        return fetch_one

    def fetch_path(instance: Any) -> Any:
        value = instance
        for depth, attr in enumerate(source):
            if depth and isinstance(value, Mapping):
                return _ASK_THE_FIELD
            try:
                value = getattr(value, attr)
            except ObjectDoesNotExist:
                return None
            except Exception:  # the field's own lookup decides what it means
                return _ASK_THE_FIELD
            if callable(value):
                return _ASK_THE_FIELD
        return value

    return fetch_path


def _key_fetcher(source: tuple[str, ...]) -> Callable[[Any], Any]:
    """Read a related row's key as `PrimaryKeyRelatedField` does, or answer `_ASK_THE_FIELD`."""
    *path, column = source
    fetch_owner = _fetcher(tuple(path)) if path else None

    def fetch_key(instance: Any) -> Any:
        owner = instance if fetch_owner is None else fetch_owner(instance)
        if owner is _ASK_THE_FIELD or owner is None or isinstance(owner, Mapping):
            return _ASK_THE_FIELD
        try:
            value = owner.serializable_value(column)
        except Exception:  # the field's own lookup decides what it means
            return _ASK_THE_FIELD
        return _ASK_THE_FIELD if callable(value) else value

    return fetch_key


def _same(field: Any) -> None:
    return None


def _as(convert: Callable[[Any], Any]) -> Callable[[Any], Callable[[Any], Any]]:
    return lambda field: convert


def _own(field: Any) -> Callable[[Any], Any]:
    converted: Callable[[Any], Any] = field.to_representation
    return converted


def _decimal(field: Any) -> Callable[[Any], Any]:
    """DRF's `DecimalField.to_representation`, without quantizing a value that already is."""
    places, max_digits = field.decimal_places, field.max_digits

    def convert(value: Any) -> Any:
        if (
            type(value) is decimal.Decimal
            and places is not None
            and not field.localize
            and not getattr(field, "normalize_output", False)
            and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
            and value.is_finite()
        ):
            _, digits, exponent = value.as_tuple()
            precision = decimal.getcontext().prec if max_digits is None else max_digits
            if exponent == -places and len(digits) <= precision:
                # Quantizing to the exponent the value has changes nothing.
                return f"{value:f}"
        return field.to_representation(value)

    return convert


_PLAIN_CONVERSIONS: dict[type[Any], Callable[[Any], Callable[[Any], Any] | None]] = {
    fields.CharField: _as(str),
    fields.IntegerField: _as(int),
    fields.ReadOnlyField: _same,
    fields.DecimalField: _decimal,
    fields.BooleanField: _own,
    fields.DateField: _own,
    fields.DateTimeField: _own,
    fields.TimeField: _own,
    fields.DurationField: _own,
    fields.EmailField: _own,
    fields.FloatField: _own,
    fields.SlugField: _own,
    fields.URLField: _own,
    fields.UUIDField: _own,
    fields.ChoiceField: _own,
    fields.JSONField: _own,
}
_BIG_INTEGER: Any = getattr(fields, "BigIntegerField", None)  # newer DRF releases only
if _BIG_INTEGER is not None:
    _PLAIN_CONVERSIONS[_BIG_INTEGER] = _own
