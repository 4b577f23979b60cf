"""The mixins guide's examples, exactly as the guide writes them (untyped, unparameterised)."""

from restflow_django.pagination import PageNumberPagination
from restflow_django.views import (
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncGenericAPIView,
    AsyncGenericViewSet,
    AsyncListModelMixin,
    AsyncRetrieveModelMixin,
)
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer


class ProductReadAndCreateView(
    AsyncListModelMixin,
    AsyncCreateModelMixin,
    AsyncRetrieveModelMixin,
    AsyncGenericAPIView,
):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = PageNumberPagination

    async def get(self, request, *args, **kwargs):
        if "pk" in kwargs:
            return await self.retrieve(request, *args, **kwargs)
        return await self.list(request, *args, **kwargs)

    async def post(self, request, *args, **kwargs):
        return await self.create(request, *args, **kwargs)


class ProductSoftViewSet(
    AsyncListModelMixin,
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncGenericViewSet,
):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
