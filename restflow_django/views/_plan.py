"""Each action's plan: its steps decided once per view class and configuration.

A plan is made at the first request of an action that needs it, from that request's view,
and kept. It is keyed by everything the decisions read: the view's class, the action,
whether the request is admitted in the action's thread hop, and, as the action needs them,
the serializer classes, the permission and filter classes and the paginator's class. A
`get_serializer_class` that answers per request gets a plan for each class it answers.
Each request then only binds the plan's steps to its own view (`Binder`s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from restflow_django._hooks import overrides
from restflow_django.views._steps import _request_serializer_class, _response_serializer_class

Bind = Callable[[Any], Any]
Planner = Callable[[Any], Bind]

# Serializers: the request and response serializer classes; objects: what finding the
# URL's object reads; pages: what filtering and cutting a page reads.
_READS: dict[str, tuple[bool, bool, bool]] = {
    "create": (True, False, False),
    "update": (True, True, False),
    "retrieve": (True, True, False),
    "destroy": (False, True, False),
    "list": (False, False, True),
    "object": (False, True, False),
    "own object": (False, True, False),
}

_PLANS: dict[tuple[Any, ...], Bind] = {}


def planned(view: Any, action: str, planner: Planner) -> Any:
    """`action`'s steps for `view`'s request: its plan (made by `planner` the first time
    its key is seen), bound to `view`."""
    key = plan_key(view, action)
    bind = _PLANS.get(key)
    if bind is None:
        bind = _PLANS[key] = planner(view)
    return bind(view)


def plan_key(view: Any, action: str) -> tuple[Any, ...]:
    """What `action`'s decisions read from `view`, as a key."""
    serializers, objects, pages = _READS[action]
    key: tuple[Any, ...] = (type(view), action, view._admission_deferred)
    if serializers:
        key += (_request_serializer_class(view), _response_serializer_class(view))
    if objects:
        key += (_permission_classes(view), tuple(view.filter_backends))
    if pages:
        key += (tuple(view.filter_backends), type(view.paginator))
    return key


def _permission_classes(view: Any) -> tuple[Any, ...]:
    """The classes of the view's permissions: its configuration, or what its own
    `get_permissions` answers for this request."""
    view_class: Any = type(view)
    if overrides(view_class, "get_permissions"):
        return tuple(map(type, view.get_permissions()))
    configured = getattr(view, "_configured", None)
    chosen = None if configured is None else configured("permission_classes")
    return tuple(view.permission_classes if chosen is None else chosen)
