"""`explain`: each step of one of a view's actions, where it runs, and why.

The steps are built as a request builds them, for a request made up for the purpose (no
body, no query, the `Authorization` header given), and placed by the core's rule
(`restflow_core.placements`): the answer to "why did my request cross twice?".
"""

from __future__ import annotations

import functools
from typing import Any

from django.test import RequestFactory

from restflow_core.steps import placements

# Each default action: its HTTP method and the mixin method that lists its steps.
_ACTIONS = {
    "create": ("POST", "_create_steps"),
    "list": ("GET", "_list_steps"),
    "retrieve": ("GET", "_retrieve_steps"),
    "update": ("PUT", "_update_steps"),
    "partial_update": ("PATCH", "_update_steps"),
    "destroy": ("DELETE", "_destroy_steps"),
}
_WHY = {
    "async": "async def: awaited on the loop (what it awaits may cross on its own)",
    "blocking": "may block (a query): in a thread",
    "joins": "quick sync work: joins the thread hop before it",
    "quick": "quick sync work with nothing to join: on the loop",
}
_FRAMEWORKS = ("restflow_django", "restflow_core", "rest_framework", "django", "asgiref")


def explain(view_class: type[Any], action: str, *, authorization: str | None = None) -> str:
    """Each step of `action` on `view_class`, one a line: its role, the function it calls
    (`[yours]` when it is your code), the thread hop it runs in (or the loop), and why."""
    if action not in _ACTIONS or not hasattr(view_class, _ACTIONS[action][1]):
        offered = [name for name, (_, steps) in _ACTIONS.items() if hasattr(view_class, steps)]
        raise ValueError(f"{view_class.__name__} has no default action {action!r}: {offered}")
    method, steps_of = _ACTIONS[action]
    view = _view_for(view_class, action, method, authorization)
    from restflow_django.views._authentication import joins_the_first_hop

    view._admission_deferred = joins_the_first_hop(view, view.request)
    roles = {role: step for role, step in getattr(view, steps_of)().items() if step is not None}
    placed = placements(*roles.values())
    lines = [f"{view_class.__name__}.{action} ({method})"]
    if not view._admission_deferred:
        lines.append(
            "admission: on the loop, before the steps (authentication, permissions and "
            "throttles; one that may block crosses to a thread of its own)"
        )
    width = max(len(role) for role in roles)
    index = 0
    for role, step in roles.items():
        count = len(placements(step))
        for offset, place in enumerate(placed[index : index + count]):
            where = f"thread hop {place.hop}" if place.hop else "loop"
            label = role if offset == 0 else ""
            lines.append(f"  {label:<{width}}  {_name(place.work)}  {where}: {_WHY[place.kind]}")
        index += count
    hops = max((place.hop for place in placed), default=0)
    lines.append(f"thread hops of the steps: {hops} (not counting what async steps await)")
    return "\n".join(lines)


def _view_for(view_class: type[Any], action: str, method: str, authorization: str | None) -> Any:
    """A view instance set up as dispatch sets it up, for a made-up request."""
    request = RequestFactory().generic(method, "/")
    if authorization is not None:
        request.META["HTTP_AUTHORIZATION"] = authorization
    view = view_class()
    view.action_map = {method.lower(): action}
    view.action = action
    view.args, view.format_kwarg = (), None
    view.kwargs = {view.lookup_url_kwarg or view.lookup_field: "1"}
    setattr(view, method.lower(), getattr(view, action))
    view.request = view.initialize_request(request)
    view.headers = {}
    return view


def _name(work: Any) -> str:
    """`work`'s qualified name, and `[yours]` when it is not restflow's, DRF's or Django's."""
    if isinstance(work, functools.partial):
        # A wrapper around a hook (`partial(wrapper, hook)`): the hook is what it calls.
        work = work.args[0] if work.args and callable(work.args[0]) else work.func
    function = work
    function = getattr(function, "__func__", function)
    name = getattr(function, "__qualname__", type(function).__qualname__)
    module = str(getattr(function, "__module__", "") or "")
    return name if module.startswith(_FRAMEWORKS) else f"{name} [yours]"
