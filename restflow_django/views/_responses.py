"""Responses of async views: rendered on the loop, and let go of as soon as they are sent."""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Generator, Mapping
from typing import Any

from asgiref.sync import markcoroutinefunction
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from typing_extensions import override

from restflow_django._serializing.async_hooks import awaiting_from_thread


class RenderedResponse(Response):
    """A DRF response rendered already: `render()` returns it, called or awaited.

    Django's async handler renders a response in a thread unless `render` is a coroutine
    function; this one is marked as one and the response is awaitable, so no thread is
    needed, while sync callers (tests calling `response.render()`) still get the response.
    """

    @markcoroutinefunction
    @override
    def render(self) -> RenderedResponse:
        return self

    def __await__(self) -> Generator[Any, None, RenderedResponse]:
        """Awaiting the rendered response gives it back at once."""
        done: asyncio.Future[RenderedResponse] = asyncio.get_running_loop().create_future()
        done.set_result(self)
        return done.__await__()


def render_on_loop(request: HttpRequest, response: HttpResponseBase) -> None:
    """Render a plain DRF response now, when its renderer is pure CPU and the server is ASGI.

    JSON rendering needs no thread; template-based renderers (the browsable API) and
    `Response` subclasses keep Django's own path.
    """
    renderer = getattr(response, "accepted_renderer", None)
    if (
        type(response) is not Response
        or not isinstance(request, ASGIRequest)
        or not isinstance(renderer, JSONRenderer)
        or isinstance(renderer, BrowsableAPIRenderer)
    ):
        return
    response.render()
    response.__class__ = RenderedResponse


class _AwaitingRenderer(BrowsableAPIRenderer):
    """DRF's browsable API (or a subclass), whose forms wait for the async hooks of
    restflow's serializers.

    It renders in a thread and builds its forms with the sync `is_valid` and `data`, which
    would refuse a serializer with async validators or method fields: there, they await
    them on the event loop instead.
    """

    @override
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        with awaiting_from_thread():
            return super().render(data, accepted_media_type, renderer_context)


def awaiting_renderer(renderer: BaseRenderer) -> BaseRenderer:
    """`renderer`, made to wait for serializers' async hooks when it is a browsable API."""
    if isinstance(renderer, BrowsableAPIRenderer) and not isinstance(renderer, _AwaitingRenderer):
        renderer.__class__ = _awaiting_class(type(renderer))
    return renderer


def _awaiting_class(kind: type[BrowsableAPIRenderer]) -> type[_AwaitingRenderer]:
    made = _AWAITING_CLASSES.get(kind)
    if made is None:
        made = _AWAITING_CLASSES[kind] = type(kind.__name__, (_AwaitingRenderer, kind), {})
    return made


_AWAITING_CLASSES: dict[type[BrowsableAPIRenderer], type[_AwaitingRenderer]] = {
    BrowsableAPIRenderer: _AwaitingRenderer
}


def release_request_cycles(view: APIView, request: Request, response: RenderedResponse) -> None:
    """Let a finished request's objects go as soon as the response does.

    DRF's per-request objects point at each other (the view at its request and response,
    the request at itself and the view through its parser context, a viewset at its own
    bound handlers, a serializer at its fields and its data), so without help every request
    leaves a cycle for Python's garbage collector and each collection walks them all. Once
    the response is rendered, the back references become weak, and DRF's caches of rendered
    data and bound fields are dropped (they are built again if read): every object stays
    reachable from the response as before. A weak reference dies with its target: code that
    keeps only the DRF request, not the response, finds its parser context's view gone.
    """
    context = request.parser_context
    if context is not None:
        if context.get("request") is request:
            context["request"] = weakref.proxy(request)
        if context.get("view") is view:
            context["view"] = weakref.proxy(view)
    state = view.__dict__
    for method in getattr(view, "action_map", None) or ():
        state.pop(method, None)
    view.response = weakref.proxy(response)
    renderer_context = getattr(response, "renderer_context", None)
    if renderer_context is not None:
        renderer_context.pop("response", None)
    data = response.data
    release_serializer(getattr(data, "serializer", None))
    if type(data) is dict or type(data) is OrderedDict:
        for value in data.values():
            release_serializer(getattr(value, "serializer", None))


def release_serializer(serializer: Any) -> None:
    """Drop a used serializer's cached representation and bound fields, and the cycles in them."""
    if not isinstance(serializer, BaseSerializer):
        return
    state = serializer.__dict__
    fields = state.pop("fields", None)
    for cached in ("_data", "_restflow_readable_fields"):
        state.pop(cached, None)
    if fields is not None:
        for field in fields.values():
            _weaken_parents(field, serializer)
    child = state.get("child")
    if child is not None:
        _weaken_parents(child, serializer)
        release_serializer(child)


def _weaken_parents(field: Any, parent: Any) -> None:
    """Make `field`'s link to `parent`, and its inner fields' links to it, weak."""
    if field.__dict__.get("parent") is parent:
        field.parent = weakref.proxy(parent)
    for inner in ("child", "child_relation"):
        nested = field.__dict__.get(inner)
        if nested is not None:
            _weaken_parents(nested, field)
