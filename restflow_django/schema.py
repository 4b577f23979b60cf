"""OpenAPI 3 for restflow views through drf-spectacular (`pip install drf-spectacular`).

Set `REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "restflow_django.schema.AutoSchema"` so request
bodies are described by the request serializer and responses by the response serializer
when a view sets them (`request_serializer_class`, `response_serializer_class`, or an
action's `ActionConfig`); an action's `ActionConfig(serializer_class=...)` shows through
`get_serializer` as any serializer does.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from typing_extensions import override

__all__ = ["AutoSchema"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, aware of restflow's request/response serializer split."""

    @override
    def get_request_serializer(self) -> Any:
        request_class = _explicit(self.view, "request")
        if request_class is not None and self.method in _BODY_METHODS:
            return request_class
        return super().get_request_serializer()

    @override
    def _get_paginator(self) -> Any:
        """The view's paginator class as its getter answers (an action's `ActionConfig`)."""
        getter = getattr(self.view, "get_pagination_class", None)
        if getter is None:
            return super()._get_paginator()  # type: ignore[no-untyped-call]  # untyped upstream
        pagination_class = getter()
        return None if pagination_class is None else pagination_class()

    @override
    def get_response_serializers(self) -> Any:
        response_class = _explicit(self.view, "response")
        if response_class is not None:
            return response_class
        return super().get_response_serializers()


def _explicit(view: Any, direction: str) -> Any:
    """The view's own request or response serializer class, when it sets one."""
    getter = getattr(view, f"_explicit_{direction}_serializer_class", None)
    if getter is not None:
        return getter()
    return getattr(view, f"{direction}_serializer_class", None)
