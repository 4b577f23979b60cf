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


# What users write against, module by module: a name added to or dropped from an
# `__all__` is a change to restflow's public surface and must change this list too.
EXPORTS = {
    "restflow_core": [
        "ACTIONS",
        "AllowAny",
        "AuthenticationFailed",
        "Authenticator",
        "BasePermission",
        "Before",
        "Blocking",
        "BlockingSource",
        "Conflict",
        "CreateMixin",
        "Destroy",
        "DestroyMixin",
        "Fetch",
        "HOOKS",
        "Hook",
        "IsAuthenticated",
        "IsAuthenticatedOrReadOnly",
        "Joinable",
        "LimitOffsetPagination",
        "ListMixin",
        "MethodNotAllowed",
        "NotAuthenticated",
        "NotFound",
        "Offload",
        "Page",
        "PageNumberPagination",
        "Pages",
        "Paginate",
        "ParseError",
        "PayloadTooLarge",
        "Permission",
        "PermissionDenied",
        "Persist",
        "Placement",
        "PlainRequest",
        "Plan",
        "Refine",
        "Render",
        "Reply",
        "Resource",
        "Respond",
        "RestflowError",
        "RetrieveMixin",
        "Revalidate",
        "SAFE_METHODS",
        "SearchFilter",
        "Searchable",
        "ServiceUnavailable",
        "Source",
        "Step",
        "Steps",
        "TokenAuthentication",
        "UnitOfWork",
        "UnsupportedMediaType",
        "UpdateMixin",
        "Validate",
        "ValidationFailed",
        "abounded",
        "afirst_object_refusal",
        "afirst_refusal",
        "aon_commit",
        "aresolve",
        "atomically",
        "current_unit",
        "error_reply",
        "first_object_refusal",
        "forget_prefetched",
        "given",
        "held_units",
        "inline",
        "is_authenticated",
        "keeping",
        "location_headers",
        "or_input",
        "parse_body",
        "parse_json",
        "placements",
        "positive_int",
        "reply",
        "rolled_back",
        "run_create",
        "run_destroy",
        "run_list",
        "run_partial_update",
        "run_retrieve",
        "run_steps",
        "run_update",
        "run_without_suspending",
        "search_terms",
        "then",
        "to_the_end",
        "to_thread",
    ],
    "restflow_memory": [
        "AllowAny",
        "BasePermission",
        "CreateMixin",
        "DestroyMixin",
        "Field",
        "FieldFilter",
        "Invalid",
        "IsAuthenticated",
        "IsAuthenticatedOrReadOnly",
        "LimitOffsetPagination",
        "ListMixin",
        "MemoryClient",
        "MemoryQuery",
        "MemoryRequest",
        "MemoryRouter",
        "MemorySerializer",
        "MemoryStore",
        "MemoryUnitOfWork",
        "MethodField",
        "ModelResource",
        "MultipleObjectsReturned",
        "OrderingFilter",
        "PageNumberPagination",
        "ReadOnlyModelResource",
        "Resource",
        "RetrieveMixin",
        "Route",
        "SearchFilter",
        "Store",
        "UpdateMixin",
    ],
    "restflow_django": [],
    "restflow_django.asgi": [
        "ReusedThreadsASGIHandler",
        "freeze_loaded_objects",
        "get_asgi_application",
        "own_thread",
    ],
    "restflow_django.decorators": ["action"],
    "restflow_django.diagnostics": ["Diagnostics", "LazyRelationError", "strict_relations"],
    "restflow_django.filters": ["OrderingFilter", "SearchFilter"],
    "restflow_django.authentication": [
        "BaseAuthentication",
        "BasicAuthentication",
        "RemoteUserAuthentication",
        "SessionAuthentication",
        "TokenAuthentication",
    ],
    "restflow_django.pagination": [
        "BasePagination",
        "CursorPagination",
        "FastPageNumberPagination",
        "LimitOffsetPagination",
        "PageNumberPagination",
    ],
    "restflow_django.permissions": [
        "AND",
        "AllowAny",
        "AsyncBasePermission",
        "BasePermission",
        "DjangoModelPermissions",
        "DjangoModelPermissionsOrAnonReadOnly",
        "DjangoObjectPermissions",
        "IsAdminUser",
        "IsAuthenticated",
        "IsAuthenticatedOrReadOnly",
        "NOT",
        "OR",
        "OperandHolder",
        "PermissionMetaclass",
        "SingleOperandHolder",
    ],
    "restflow_django.responses": [
        "NDJSONResponse",
        "SSEResponse",
        "ServerSentEvent",
        "StreamingJSONListResponse",
    ],
    "restflow_django.schema": ["AutoSchema"],
    "restflow_django.serializers": [
        "AsyncSerializerMixin",
        "ListSerializer",
        "ModelSerializer",
        "Serializer",
        "arender",
        "asave",
        "async_validator",
        "avalidate_or_is_valid_serializer",
    ],
    "restflow_django.streaming": ["astream_rows", "stream_response"],
    "restflow_django.test": [
        "AsyncAPIClient",
        "AsyncAPIClientsMixin",
        "AsyncAPILiveServerTestCase",
        "AsyncAPIRequestFactory",
        "AsyncAPISimpleTestCase",
        "AsyncAPITestCase",
        "AsyncAPITransactionTestCase",
        "aclose_thread_connections",
        "force_authenticate",
    ],
    "restflow_django.throttling": [
        "AsyncAnonRateThrottle",
        "AsyncRateThrottleMixin",
        "AsyncScopedRateThrottle",
        "AsyncUserRateThrottle",
        "BaseThrottle",
        "SimpleRateThrottle",
    ],
    "restflow_django.transactions": ["DjangoUnitOfWork", "aon_commit", "atomic_on"],
    "restflow_django.views": [
        "APIViewHelpersMixin",
        "ActionConfig",
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
        "AsyncViewSetMixin",
        "PostFetch",
    ],
}


@pytest.mark.parametrize(("module", "names"), EXPORTS.items())
def test_all_is_exactly_the_public_surface(module: str, names: list[str]) -> None:
    """Each module exports exactly the names users write against, and no plumbing."""
    assert list(importlib.import_module(module).__all__) == names


def test_view_classes_add_only_hooks_and_settings() -> None:
    """The public names restflow adds to DRF's `ModelViewSet` are hooks and settings (and
    `explain`, which reads them)."""
    from rest_framework.viewsets import ModelViewSet

    from restflow_django.views import AsyncModelViewSet

    added = sorted(
        name
        for name in dir(AsyncModelViewSet)
        if not name.startswith("_") and not hasattr(ModelViewSet, name)
    )

    assert added == [
        "aatomic",
        "acheck_object_permissions",
        "acheck_permissions",
        "acheck_throttles",
        "action_config",
        "action_configs",
        "afilter_queryset",
        "aget_object",
        "aget_queryset",
        "ahandle_exception",
        "ainitial",
        "apaginate_queryset",
        "apaginated_response",
        "aperform_authentication",
        "aperform_create",
        "aperform_destroy",
        "aperform_update",
        "aserialized_response",
        "atomic",
        "avalidated_serializer",
        "explain",
        "get_atomic_databases",
        "get_context",
        "get_pagination_class",
        "get_request_serializer",
        "get_request_serializer_class",
        "get_response_serializer",
        "get_response_serializer_class",
        "get_unit_of_work",
        "get_write_database",
        "is_atomic",
        "request_serializer_class",
        "response_serializer_class",
        "restflow_async_view",
    ]
