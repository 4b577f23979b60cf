# pyright: strict, reportImplicitOverride=true
"""Typed async permissions, as users write them: `BasePermission` with `ahas_permission`.

Its base is DRF's own `BasePermission`, so both checkers know DRF's `&`, `|` and `~` on it,
and what `permission_classes` takes.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from typing_extensions import override

from restflow_django.permissions import BasePermission, IsAdminUser, IsAuthenticated
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer


class IsOwner(BasePermission):
    """Object-level: only the product's creator."""

    @override
    async def ahas_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class InStock(BasePermission):
    """Request-level, with the async ORM."""

    @override
    async def ahas_permission(self, request: Request, view: Any) -> bool:
        return await Product.objects.filter(stock__gt=0).aexists()


class ProductViewSet(AsyncModelViewSet[Product]):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = (IsAuthenticated & (IsOwner | IsAdminUser), ~InStock)


async def check(request: Request, view: Any) -> bool:
    """A combination, instantiated, is awaited as drf-restflow's are."""
    both = (IsAuthenticated & IsOwner)()
    negated = (~InStock)()
    return await both.ahas_permission(request, view) and not await negated.ahas_permission(
        request, view
    )
