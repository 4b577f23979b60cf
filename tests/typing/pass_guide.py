"""The mixins guide's hook examples as written there: no annotations, no type arguments.

Checked by mypy, which leaves unannotated functions alone. pyright instead gives the
unannotated `serializer` the overridden hook's type, `BaseSerializer`, since the hooks take
DRF's serializers too, and `asave` is restflow's: for pyright, annotate the parameter with
restflow's serializer class or write `await asave(serializer)`, as the typed files here do.
"""

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
