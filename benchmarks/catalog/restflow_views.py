"""The API through restflow: an `AsyncModelViewSet` and an async permission doing I/O."""

from __future__ import annotations

import asyncio
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from benchmarks.catalog.models import Product
from benchmarks.catalog.represent import PAGE_SIZE
from restflow_django.pagination import PageNumberPagination
from restflow_django.permissions import AsyncBasePermission
from restflow_django.serializers import ModelSerializer
from restflow_django.views import AsyncAPIView, AsyncListAPIView, AsyncModelViewSet


class ProductSerializer(ModelSerializer[Product]):
    """Products with their category's name."""

    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category", "category_name")
        # Write only the columns an update sends, as every stack here does.
        update_fields = "validated"


class Pages(PageNumberPagination):
    """Pages of 20."""

    page_size = PAGE_SIZE


class ProductViewSet(AsyncModelViewSet[Product]):
    """Every action."""

    queryset = Product.objects.select_related("category")
    serializer_class = ProductSerializer
    pagination_class = Pages


class Rows(AsyncListAPIView[Product]):
    """The first `n` products, no count: how the cost grows with rows."""

    serializer_class = ProductSerializer
    pagination_class = None

    @override
    def get_queryset(self) -> QuerySet[Product]:
        count = int(self.request.query_params.get("n", PAGE_SIZE))
        return Product.objects.select_related("category").order_by("id")[:count]


class WaitsForIO(AsyncBasePermission):
    """Allows after 20 ms of simulated I/O."""

    @override
    async def has_permission(self, request: Request, view: Any) -> bool:
        await asyncio.sleep(0.02)
        return True


class IOView(AsyncAPIView):
    """An I/O-bound endpoint."""

    permission_classes = (WaitsForIO,)

    async def get(self, request: Request) -> Response:
        """Answer after the permission's wait."""
        return Response({"ok": True})
