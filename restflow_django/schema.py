"""OpenAPI 3 for restflow views through drf-spectacular (`pip install drf-spectacular`).

Set `REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "restflow_django.schema.AutoSchema"` so request
bodies are described by `request_serializer_class` and responses by
`response_serializer_class` when a view sets them.
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
        request_class = getattr(self.view, "request_serializer_class", None)
        if request_class is not None and self.method in _BODY_METHODS:
            return request_class
        return super().get_request_serializer()

    @override
    def get_response_serializers(self) -> Any:
        response_class = getattr(self.view, "response_serializer_class", None)
        if response_class is not None:
            return response_class
        return super().get_response_serializers()
