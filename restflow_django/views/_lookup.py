"""Finding the object a URL names: the lookup value checked, then the row, or 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.utils import load_backend
from django.http import Http404

ModelT = TypeVar("ModelT", bound=Model)

_INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def clean_lookup_value(queryset: QuerySet[Any], lookup_field: str, raw: Any) -> Any:
    """Return `raw` converted for `lookup_field`; raise `Http404` if no row could match it.

    Catching "abc" and 10**30 for an integer key, or a NUL character where PostgreSQL keeps
    text, here keeps the query from failing in the database (which would abort the
    surrounding transaction on PostgreSQL).
    """
    if isinstance(raw, str) and "\x00" in raw and not stores_nul_characters(queryset.db):
        raise Http404
    opts = queryset.model._meta
    try:
        field = opts.pk if lookup_field == "pk" else opts.get_field(lookup_field)
    except FieldDoesNotExist:
        # A lookup path such as `owner__slug`: the database judges the value.
        return raw
    if not isinstance(field, Field):
        return raw
    try:
        value = field.to_python(raw)
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise Http404 from None
    internal = field.get_internal_type()
    if internal in _INTEGER_TYPES and value is not None:
        low, high = integer_bounds(queryset.db, internal)
        if value < low or value > high:
            raise Http404
    return value


def integer_bounds(alias: str, internal_type: str) -> tuple[int, int]:
    """The range database `alias` stores for integer columns of `internal_type`.

    Remembered per database engine: on the event loop each request has a connection handle
    of its own, and asking it would build a new one (and its garbage) for every request.
    """
    key = (connections.settings[alias]["ENGINE"], internal_type)
    bounds = _INTEGER_BOUNDS.get(key)
    if bounds is None:
        # Some backends report no bound (None) for a type.
        reported: tuple[int | None, int | None] = connections[alias].ops.integer_field_range(
            internal_type
        )
        # No database stores integers wider than 64 bits, whatever the backend reports.
        bounds = (
            -(2**63) if reported[0] is None else reported[0],
            2**63 - 1 if reported[1] is None else reported[1],
        )
        _INTEGER_BOUNDS[key] = bounds
    return bounds


_INTEGER_BOUNDS: dict[tuple[str, str], tuple[int, int]] = {}


def stores_nul_characters(alias: str) -> bool:
    """Whether database `alias` can keep text containing NUL characters (PostgreSQL cannot).

    Read from the backend's class, so no connection handle is built on the event loop.
    """
    backend = load_backend(connections.settings[alias]["ENGINE"])
    vendor: str = backend.DatabaseWrapper.vendor
    return vendor != "postgresql"


def get_or_404(queryset: QuerySet[ModelT], lookup: dict[str, Any]) -> ModelT:
    """The one row of `queryset` matching `lookup`, or `Http404` (sync: call it in a thread)."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        # Django's own wording, as DRF's `get_object_or_404` answers it.
        name = queryset.model._meta.object_name
        raise Http404(f"No {name} matches the given query.") from None
    except (ValidationError, TypeError, ValueError):
        raise Http404 from None


def fetch_row(target: tuple[QuerySet[ModelT], dict[str, Any]]) -> ModelT:
    """`get_or_404` for a `(queryset, lookup)` pair, as the lookup step hands it over."""
    return get_or_404(*target)
