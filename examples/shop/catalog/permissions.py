"""Who may change what."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from typing_extensions import override

from restflow_django.permissions import AsyncBasePermission


class IsOwnerOrReadOnly(AsyncBasePermission):
    """Everyone reads and reviews; only the user who listed a product changes it."""

    message = "Only the owner may change this."

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS or getattr(view, "action", None) == "reviews":
            return True
        owner_id = getattr(obj, "created_by_id", None) or getattr(obj, "author_id", None)
        return bool(owner_id == request.user.pk)


class IsStaffOrReadOnly(AsyncBasePermission):
    """Everyone reads; staff manage categories."""

    @override
    async def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or bool(request.user.is_staff)
