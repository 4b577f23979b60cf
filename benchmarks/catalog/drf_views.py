"""The API through plain DRF: a `ModelViewSet` and a permission that blocks on I/O."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, pagination, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.catalog.models import Product
from benchmarks.catalog.represent import PAGE_SIZE, set_sent


class ProductSerializer(serializers.ModelSerializer[Product]):
    """Products with their category's name."""

    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category", "category_name")

    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        """Write only the columns the request sent."""
        instance.save(update_fields=set_sent(instance, validated_data))
        return instance


class Pages(pagination.PageNumberPagination):
    """Pages of 20."""

    page_size = PAGE_SIZE


class ProductViewSet(viewsets.ModelViewSet[Product]):
    """Every action."""

    queryset = Product.objects.select_related("category")
    serializer_class = ProductSerializer
    pagination_class = Pages


class Rows(generics.ListAPIView[Product]):
    """The first `n` products, no count: how the cost grows with rows."""

    serializer_class = ProductSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Product]:
        count = int(self.request.query_params.get("n", PAGE_SIZE))
        return Product.objects.select_related("category").order_by("id")[:count]


class WaitsForIO(permissions.BasePermission):
    """Allows after 20 ms of simulated (blocking) I/O."""

    def has_permission(self, request: Request, view: Any) -> bool:
        time.sleep(0.02)
        return True


class IOView(APIView):
    """An I/O-bound endpoint."""

    permission_classes = (WaitsForIO,)

    def get(self, request: Request) -> Response:
        """Answer after the permission's wait."""
        return Response({"ok": True})
