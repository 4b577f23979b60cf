"""restflow's in-memory adapter: the core pipelines over a dict-backed store, no Django."""

from restflow_memory.client import MemoryClient, MemoryRouter, Route
from restflow_memory.filters import FieldFilter, OrderingFilter, SearchFilter
from restflow_memory.pagination import LimitOffsetPagination, PageNumberPagination
from restflow_memory.permissions import (
    AllowAny,
    BasePermission,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from restflow_memory.requests import MemoryRequest
from restflow_memory.resources import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    ModelResource,
    ReadOnlyModelResource,
    Resource,
    RetrieveMixin,
    UpdateMixin,
)
from restflow_memory.serializers import Field, Invalid, MemorySerializer, MethodField
from restflow_memory.store import (
    MemoryQuery,
    MemoryStore,
    MemoryUnitOfWork,
    MultipleObjectsReturned,
    Store,
)

__all__ = [
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
]
