"""The catalog API: async viewsets over categories, products and reviews."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Avg, Count, QuerySet
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from examples.shop.catalog.models import Category, Product, Review
from examples.shop.catalog.permissions import IsOwnerOrReadOnly, IsStaffOrReadOnly
from examples.shop.catalog.serializers import (
    CategorySerializer,
    ProductSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
)
from restflow_django.decorators import action
from restflow_django.filters import OrderingFilter, SearchFilter
from restflow_django.pagination import PageNumberPagination
from restflow_django.serializers import asave, avalidate_or_is_valid_serializer
from restflow_django.streaming import stream_response
from restflow_django.views import AsyncAPIView, AsyncModelViewSet


class Pages(PageNumberPagination):
    """Ten a page, up to a hundred on request."""

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100


class ProductFilter(django_filters.FilterSet):
    """Category and price range."""

    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")

    class Meta:
        model = Product
        fields = ("category", "min_price", "max_price")


class CategoryViewSet(AsyncModelViewSet[Category]):
    """Categories; staff manage them, everyone reads them."""

    serializer_class = CategorySerializer
    permission_classes = (IsStaffOrReadOnly,)
    pagination_class = Pages

    @override
    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.annotate(product_count=Count("products"))


class ProductViewSet(AsyncModelViewSet[Product]):
    """Products: everyone reads; signed-in users list products; owners change theirs."""

    serializer_class = ProductSerializer
    permission_classes = (permissions.IsAuthenticatedOrReadOnly & IsOwnerOrReadOnly,)
    pagination_class = Pages
    filter_backends = (DjangoFilterBackend, SearchFilter, OrderingFilter)
    filterset_class = ProductFilter
    search_fields = ("name", "description", "category__name")
    ordering_fields = ("name", "price", "created_at", "rating")
    atomic = True

    @override
    def get_queryset(self) -> QuerySet[Product]:
        return (
            Product.objects.filter(is_archived=False)
            .select_related("category", "created_by")
            .annotate(rating=Avg("reviews__rating"), review_count=Count("reviews"))
            .order_by("id")
        )

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        await asave(serializer, created_by=self.request.user)

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        # Archived products disappear from the API but keep their reviews and history.
        instance.is_archived = True
        await instance.asave(update_fields=["is_archived"])

    @extend_schema(request=ReviewWriteSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=ReviewSerializer)
    async def reviews(self, request: Request, pk: str | None = None) -> Response:
        """GET lists the product's reviews; POST adds the signed-in user's review."""
        product = await self.aget_object()
        if request.method == "GET":
            queryset = Review.objects.filter(product=product).select_related("author")
            return await self.apaginated_response(queryset, serializer_class=ReviewSerializer)
        writer = ReviewWriteSerializer(
            data=request.data, context={**self.get_serializer_context(), "product": product}
        )
        await avalidate_or_is_valid_serializer(writer, raise_exception=True)
        async with self.aatomic():
            review = await asave(writer, product=product, author=request.user)
        review = await Review.objects.select_related("author").aget(pk=review.pk)
        return await self.aserialized_response(
            review, status=201, serializer_class=ReviewSerializer
        )

    @extend_schema(
        responses={(200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @action(detail=False, methods=["get"], url_path="export")
    async def export(self, request: Request) -> StreamingHttpResponse:
        """Every product, one JSON document per line, streamed in constant memory."""
        queryset = await self.afilter_queryset(self.get_queryset())
        context = self.get_serializer_context()
        return stream_response(
            queryset,
            # `adata`: the serializer has an async method field, awaited row by row.
            lambda row: ProductSerializer(row, context=context).adata,
            format="ndjson",
        )


class MeView(AsyncAPIView):
    """Who the request is signed in as."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        responses=serializers.DictField(child=serializers.CharField()),
    )
    async def get(self, request: Request, *args: Any) -> Response:
        """Answer with the username and whether the user is staff."""
        return Response({"username": request.user.username, "is_staff": request.user.is_staff})
