"""The OpenAPI schema (drf-spectacular) shows each action's serializers and paginator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import override_settings
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import SimpleRouter

from tests.testapp import dropin

router = SimpleRouter()
router.register("configured", dropin.ProductViewSet, basename="configured")
urlpatterns = [path("", include(router.urls))]


def schema() -> dict[str, Any]:
    """The schema of `urlpatterns`, described by restflow's `AutoSchema`."""
    configured = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "restflow_django.schema.AutoSchema",
    }
    with override_settings(REST_FRAMEWORK=configured):
        # drf-spectacular's generator is untyped.
        generator: Any = SchemaGenerator
        generated: dict[str, Any] = generator(patterns=urlpatterns).get_schema(
            request=None, public=True
        )
    return generated


def body(operation: dict[str, Any], where: str = "responses") -> str:
    """The component an operation's JSON request or 2xx response refers to."""
    if where == "responses":
        content = next(
            answer for code, answer in operation["responses"].items() if code.startswith("2")
        )["content"]
    else:
        content = operation["requestBody"]["content"]
    reference: str = content["application/json"]["schema"]["$ref"]
    return reference.rsplit("/", 1)[-1]


def test_each_action_shows_its_own_serializers_and_paginator() -> None:
    generated = schema()
    paths = generated["paths"]
    components = generated["components"]["schemas"]

    assert body(paths["/configured/"]["get"]) == "PaginatedProductLineList"
    assert set(components["PaginatedProductLineList"]["properties"]) == {
        "next",
        "previous",
        "results",
    }
    assert components["PaginatedProductLineList"]["properties"]["results"]["items"] == {
        "$ref": "#/components/schemas/ProductLine"
    }
    assert body(paths["/configured/{id}/"]["get"]) == "ProductDetail"
    assert body(paths["/configured/"]["post"], "requestBody") == "ProductDetail"
    assert body(paths["/configured/rename_all/"]["post"], "requestBody") == "Rename"
    # A custom action is described with the viewset's serializer, as drf-spectacular does.
    assert body(paths["/configured/deleted/"]["get"]) == "ProductDetail"
