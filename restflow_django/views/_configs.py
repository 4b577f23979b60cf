"""`ActionConfig`: a viewset's settings for one action, in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Manager, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import OperandHolder, SingleOperandHolder
from rest_framework.renderers import BaseRenderer
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle

__all__ = ["ActionConfig", "QuerysetSource", "resolve_queryset"]

QuerysetSource = QuerySet[Any] | Manager[Any] | Callable[[Any], Any]
"""A queryset, a manager, or a callable taking the view and returning a queryset."""


@dataclass(frozen=True)
class ActionConfig:
    """What one action of a viewset uses in place of the viewset's own attributes.

    `action_configs = {"list": ActionConfig(...), "archive": ActionConfig(...)}` on a
    viewset; the keys are action names (`list`, `create`, `retrieve`, `update`,
    `partial_update`, `destroy`, `metadata`, and the names of `@action` methods). A field
    left `None` falls through to the viewset (its getter, then its attribute); an action
    with no entry uses the viewset's attributes throughout. `queryset` is a queryset or a
    manager (each call gets a fresh `.all()`), or a callable taking the view.

    Fields are checked when the config is built: a value that is not what the field takes
    (a dotted path, a permission instance, a serializer instance) is a `TypeError` at import.
    """

    serializer_class: type[BaseSerializer[Any]] | None = None
    request_serializer_class: type[BaseSerializer[Any]] | None = None
    response_serializer_class: type[BaseSerializer[Any]] | None = None
    permission_classes: Sequence[Any] | None = None
    throttle_classes: Sequence[type[BaseThrottle]] | None = None
    parser_classes: Sequence[type[BaseParser]] | None = None
    renderer_classes: Sequence[type[BaseRenderer]] | None = None
    pagination_class: type[BasePagination] | None = None
    queryset: QuerysetSource | None = None

    def __post_init__(self) -> None:
        for name in ("serializer_class", "request_serializer_class", "response_serializer_class"):
            _check_class(name, getattr(self, name), BaseSerializer)
        _check_class("pagination_class", self.pagination_class, BasePagination)
        for name, base in _CLASS_LISTS.items():
            listed = getattr(self, name)
            if listed is None:
                continue
            if isinstance(listed, str | bytes) or not isinstance(listed, Sequence):
                raise TypeError(f"ActionConfig.{name} takes a list of classes, not {listed!r}")
            for item in listed:
                _check_class(name, item, base)
        if self.queryset is not None and not (
            isinstance(self.queryset, QuerySet | Manager) or callable(self.queryset)
        ):
            raise TypeError(
                "ActionConfig.queryset takes a queryset, a manager or a callable taking the "
                f"view, not {self.queryset!r}"
            )


_CLASS_LISTS: dict[str, type[Any]] = {
    "permission_classes": object,
    "throttle_classes": BaseThrottle,
    "parser_classes": BaseParser,
    "renderer_classes": BaseRenderer,
}


def _check_class(name: str, value: Any, base: type[Any]) -> None:
    if value is None:
        return
    if name == "permission_classes" and isinstance(value, OperandHolder | SingleOperandHolder):
        # `IsAuthenticated & IsOwner`: DRF builds the permission when the view asks.
        return
    if not isinstance(value, type):
        kind = "an instance" if not isinstance(value, str) else "a string"
        raise TypeError(
            f"ActionConfig.{name} takes classes, and {value!r} is {kind}: pass the class "
            "itself (imported, not named by a string or instantiated)."
        )
    if base is not object and not issubclass(value, base):
        raise TypeError(f"ActionConfig.{name}: {value.__name__} is not a {base.__name__}")


def resolve_queryset(source: QuerysetSource, view: Any) -> Any:
    """The queryset `source` gives `view`: a fresh `.all()`, or what the callable returns."""
    if isinstance(source, QuerySet | Manager):
        return source.all()
    return source(view)
