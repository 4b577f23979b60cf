"""The mixins guide's hook examples as written there: no annotations, no type arguments."""

from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer
from tests.testapp.views import audit_log, notify_created


class ProductViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    async def aperform_create(self, serializer):
        instance = await serializer.asave(created_by=self.request.user)
        await notify_created(instance)

    async def aperform_update(self, serializer):
        instance = await serializer.asave()
        await audit_log.arecord("product_updated", instance.id)
