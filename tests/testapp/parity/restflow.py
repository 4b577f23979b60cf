"""The DRF reference viewset with its imports switched to restflow_django."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import permissions
from typing_extensions import override

from restflow_django import filters, pagination
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer


class Pages(pagination.PageNumberPagination):
    """Pages of two."""

    page_size = 2
    page_size_query_param = "page_size"
    max_page_size = 5


class ProductViewSet(AsyncModelViewSet[Product]):
    """Products for sale."""

    serializer_class = ProductSerializer
    pagination_class = Pages
    permission_classes = (permissions.IsAuthenticatedOrReadOnly,)
    filter_backends = (filters.SearchFilter, filters.OrderingFilter)
    search_fields = ("name", "description")
    ordering_fields = ("name", "price")

    @override
    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.select_related("category", "created_by").prefetch_related("tags")
