"""The API through adrf: its async `ModelViewSet` and an async permission doing I/O."""

from __future__ import annotations

import asyncio
from typing import Any

from adrf.serializers import ModelSerializer
from adrf.views import APIView
from adrf.viewsets import ModelViewSet
from rest_framework import pagination, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from benchmarks.catalog.models import Product
from benchmarks.catalog.represent import PAGE_SIZE, set_sent


class ProductSerializer(ModelSerializer):
    """Products with their category's name."""

    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category", "category_name")

    async def aupdate(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        """Write only the columns the request sent."""
        await instance.asave(update_fields=set_sent(instance, validated_data))
        return instance


class Pages(pagination.PageNumberPagination):
    """Pages of 20."""

    page_size = PAGE_SIZE


class ProductViewSet(ModelViewSet):
    """Every action."""

    queryset = Product.objects.select_related("category")
    serializer_class = ProductSerializer
    pagination_class = Pages


class WaitsForIO(permissions.BasePermission):
    """Allows after 20 ms of simulated I/O."""

    async def has_permission(self, request: Request, view: Any) -> bool:
        await asyncio.sleep(0.02)
        return True


class IOView(APIView):
    """An I/O-bound endpoint."""

    permission_classes = (WaitsForIO,)

    async def get(self, request: Request) -> Response:
        """Answer after the permission's wait."""
        return Response({"ok": True})
