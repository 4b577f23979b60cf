"""Every package exports a sorted `__all__` whose names resolve, and ships `py.typed`."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

PACKAGES = ["restflow_core", "restflow_memory", "restflow_django"]
MODULES = [
    *PACKAGES,
    *(
        f"restflow_django.{name}"
        for name in (
            "asgi",
            "decorators",
            "diagnostics",
            "filters",
            "pagination",
            "permissions",
            "serializers",
            "test",
            "views",
        )
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    """`__all__` is sorted and each name is an attribute of the package."""
    package = importlib.import_module(name)

    exported = list(package.__all__)

    assert exported == sorted(exported)
    assert [symbol for symbol in exported if not hasattr(package, symbol)] == []


@pytest.mark.parametrize("name", PACKAGES)
def test_package_ships_py_typed(name: str) -> None:
    """The `py.typed` marker sits next to the package's `__init__`."""
    package = importlib.import_module(name)

    assert package.__file__ is not None
    assert (Path(package.__file__).parent / "py.typed").is_file()


CONTRACT = {
    "restflow_django.views": [
        "APIViewHelpersMixin",
        "AsyncAPIView",
        "AsyncCreateAPIView",
        "AsyncCreateModelMixin",
        "AsyncDestroyAPIView",
        "AsyncDestroyModelMixin",
        "AsyncGenericAPIView",
        "AsyncGenericViewSet",
        "AsyncListAPIView",
        "AsyncListCreateAPIView",
        "AsyncListModelMixin",
        "AsyncModelViewSet",
        "AsyncReadOnlyModelViewSet",
        "AsyncRetrieveAPIView",
        "AsyncRetrieveDestroyAPIView",
        "AsyncRetrieveModelMixin",
        "AsyncRetrieveUpdateAPIView",
        "AsyncRetrieveUpdateDestroyAPIView",
        "AsyncUpdateAPIView",
        "AsyncUpdateModelMixin",
        "AsyncViewSet",
        "PostFetch",
    ],
    "restflow_django.serializers": [
        "ModelSerializer",
        "Serializer",
        "avalidate_or_is_valid_serializer",
    ],
    "restflow_django.pagination": [
        "CursorPagination",
        "LimitOffsetPagination",
        "PageNumberPagination",
    ],
    "restflow_django.filters": ["OrderingFilter", "SearchFilter"],
    "restflow_django.test": ["AsyncAPIClient", "AsyncAPIRequestFactory"],
}


@pytest.mark.parametrize(("module", "names"), CONTRACT.items())
def test_design_contract_names_are_exported(module: str, names: list[str]) -> None:
    """Every name the design promises users is in its module's `__all__`."""
    exported = importlib.import_module(module).__all__

    assert [name for name in names if name not in exported] == []


def test_mixins_and_hooks_have_the_promised_methods() -> None:
    """Each mixin offers exactly the actions and hooks the design lists."""
    from restflow_django import views

    promised = {
        views.AsyncCreateModelMixin: ("create", "aperform_create"),
        views.AsyncListModelMixin: ("list",),
        views.AsyncRetrieveModelMixin: ("retrieve",),
        views.AsyncUpdateModelMixin: ("update", "partial_update", "aperform_update"),
        views.AsyncDestroyModelMixin: ("destroy", "aperform_destroy"),
        views.AsyncGenericAPIView: ("aget_object", "afilter_queryset", "apaginate_queryset"),
        views.APIViewHelpersMixin: ("aserialized_response", "apaginated_response"),
    }

    missing = [
        (cls.__name__, method)
        for cls, methods in promised.items()
        for method in methods
        if not inspect.iscoroutinefunction(getattr(cls, method, None))
    ]

    assert missing == []
