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
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import fields, relations
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# A step: (field, its name in the output, how to fetch its value from a row, how to convert
# the value). A step without a fetch always asks the field itself.
Step = tuple[Any, str, Callable[[Any], Any] | None, Callable[[Any], Any] | None]
Reader = tuple[Step, ...]

# Returned by a step that leaves the field to DRF's own calls.
_ASK_THE_FIELD: Any = object()


def compile_reader(readable: tuple[Any, ...]) -> Reader:
    """The steps that read a row through `readable`, the fields of a class bound once."""
    return tuple(_step(field) for field in readable)


def read_row(reader: Reader, instance: Any) -> dict[str, Any]:
    """DRF's `Serializer.to_representation` of `instance`, through the compiled `reader`."""
    represented: dict[str, Any] = {}
    row_is_mapping = isinstance(instance, Mapping)
    for field, name, fetch, convert in reader:
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


def _step(field: Any) -> Step:
    kind, name, source = type(field), field.field_name, tuple(field.source_attrs)
    if kind is relations.PrimaryKeyRelatedField and source and field.use_pk_only_optimization():
        # DRF's shortcut: the key from the row's own column, the related row never loaded.
        if field.pk_field is None:
            return (field, name, _key_fetcher(source), None)
    elif kind in _PLAIN_CONVERSIONS and source:
        return (field, name, _fetcher(source), _PLAIN_CONVERSIONS[kind](field))
    return (field, name, None, None)


def _fetcher(source: tuple[str, ...]) -> Callable[[Any], Any]:
    """Look up the value at `source` in a row by attributes, or answer `_ASK_THE_FIELD`.

    The field is asked wherever DRF would do more than look attributes up: a mapping on the
    way, a callable, a lookup that fails. A missing related object is `None`, as in DRF.
    """
    if len(source) == 1:
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
