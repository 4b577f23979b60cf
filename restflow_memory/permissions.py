"""Permission classes for memory resources: the core's, sync or async answers accepted."""

from restflow_core.permissions import (
    AllowAny,
    BasePermission,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)

__all__ = ["AllowAny", "BasePermission", "IsAuthenticated", "IsAuthenticatedOrReadOnly"]
