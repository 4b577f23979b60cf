"""Views of the test app: the mixins guide's examples and a full viewset."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import django_filters
from asgiref.sync import sync_to_async
from django.db.models import Count, QuerySet
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination as drf_pagination
from rest_framework import permissions, serializers, versioning
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import exception_handler
from typing_extensions import override

from restflow_django.decorators import action
from restflow_django.filters import OrderingFilter, SearchFilter
from restflow_django.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination
from restflow_django.permissions import AsyncBasePermission
from restflow_django.serializers import ModelSerializer, asave
from restflow_django.streaming import stream_response
from restflow_django.views import (
    AsyncAPIView,
    AsyncListAPIView,
    AsyncListCreateAPIView,
    AsyncModelViewSet,
    AsyncReadOnlyModelViewSet,
    AsyncRetrieveAPIView,
    AsyncRetrieveUpdateDestroyAPIView,
    PostFetch,
)
from tests.testapp.models import Article, AuditEntry, Category, Product
from tests.testapp.serializers import (
    ArticleSerializer,
    CategorySerializer,
    ColumnsArticleSerializer,
    ColumnsProductSerializer,
    HyperlinkedProductSerializer,
    PlainProductSerializer,
    ProductSerializer,
)

NOTIFIED: list[int] = []


async def notify_created(instance: Product) -> None:
    """Stand-in for an async side channel: remembers which products were announced."""
    await asyncio.sleep(0)
    NOTIFIED.append(instance.pk)


class AuditLog:
    """An async audit log written through the async ORM."""

    async def arecord(self, event: str, object_id: int) -> None:
        """Write one entry."""
        await AuditEntry.objects.acreate(event=event, object_id=object_id)


audit_log = AuditLog()


class IsOwnerOrReadOnly(AsyncBasePermission):
    """Anybody reads; only the creator writes. Decided asynchronously."""

    message = "Only the owner may change this product."
    code = "not_owner"

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        await asyncio.sleep(0)
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(obj.created_by_id == request.user.pk)


class Pages(PageNumberPagination):
    """Pages of two, up to ten on request."""

    page_size = 2
    page_size_query_param = "page_size"
    max_page_size = 10


class ProductViewSet(AsyncModelViewSet[Product]):
    """Every action, with the guide's hooks: owner stamping, audit log and soft delete."""

    serializer_class = ProductSerializer
    permission_classes = (permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly)
    pagination_class = Pages
    filter_backends = (SearchFilter, OrderingFilter)
    search_fields = ("name", "description")
    ordering_fields = ("name", "price")

    @override
    def get_queryset(self) -> QuerySet[Product]:
        return (
            Product.objects.filter(is_deleted=False)
            .select_related("category", "created_by")
            .prefetch_related("tags")
        )

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        instance = await asave(serializer, created_by=self.request.user)
        await notify_created(instance)

    @override
    async def aperform_update(self, serializer: BaseSerializer[Product]) -> None:
        instance = await asave(serializer)
        await audit_log.arecord("product_updated", instance.id)

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        instance.is_deleted = True
        await instance.asave(update_fields=["is_deleted"])

    @action(detail=True, methods=["get", "post"])
    async def restock(self, request: Request, pk: str | None = None) -> Response:
        """GET shows the stock; POST adds one."""
        product = await self.aget_object()
        if request.method == "POST":
            product.stock += 1
            await product.asave(update_fields=["stock"])
        return Response({"id": product.pk, "stock": product.stock})

    @action(detail=False, methods=["get"])
    def names(self, request: Request) -> Response:
        """A sync extra action: every product name, read with the sync ORM in a thread."""
        return Response([product.name for product in self.get_queryset()])


class LazyProductViewSet(AsyncReadOnlyModelViewSet[Product]):
    """Reads the category through the relation with no `select_related`."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class PlainProductViewSet(AsyncModelViewSet[Product]):
    """A plain DRF serializer and no paginator."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer


class ColumnsProductViewSet(AsyncModelViewSet[Product]):
    """Products whose updates write only the columns a request sends."""

    queryset = Product.objects.all()
    serializer_class = ColumnsProductSerializer


class ColumnsArticleViewSet(AsyncModelViewSet[Article]):
    """Articles whose updates write only the columns a request sends."""

    queryset = Article.objects.all()
    serializer_class = ColumnsArticleSerializer


class HyperlinkedProductViewSet(AsyncModelViewSet[Product]):
    """Hyperlinked products: creates answer with a `Location` header."""

    queryset = Product.objects.all()
    serializer_class = HyperlinkedProductSerializer


class CategoryViewSet(AsyncModelViewSet[Category]):
    """Categories, for hyperlinks."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer


class NamedCategoryViewSet(CategoryViewSet):
    """Categories found by their name."""

    lookup_field = "name"


def exception_handler_naming_the_user(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, adding who the request was from."""
    response = exception_handler(exc, context)
    if response is not None:
        response.data["user"] = context["request"].user.username
    return response


class WhoAmIView(AsyncAPIView):
    """Answers with the username; its errors name the user too."""

    authentication_classes = (SessionAuthentication, TokenAuthentication)

    @override
    def get_exception_handler(self) -> Any:
        return exception_handler_naming_the_user

    async def get(self, request: Request) -> Response:
        """Name the user."""
        return Response({"user": request.user.username})


class ProductDetailView(AsyncRetrieveUpdateDestroyAPIView[Product]):
    """A concrete generic view for one product."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class ProductListCreateView(AsyncListCreateAPIView[Product]):
    """A concrete generic view for the collection, paginated by limit and offset."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = LimitOffsetPagination


class ByPrice(CursorPagination):
    """Cursor pages of two, by price then id."""

    page_size = 2
    ordering = ("price", "id")


class CursorProductList(AsyncListAPIView[Product]):
    """Products in cursor pages."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    pagination_class = ByPrice


class SyncPaginatedProductList(AsyncListAPIView[Product]):
    """DRF's own sync paginator on an async view."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    pagination_class = drf_pagination.PageNumberPagination


class ReviewCounts(PostFetch):
    """A bare post-fetch subclass: counts each page row's tags in one query."""

    @override
    async def afetch(self, items: list[Any]) -> list[Any]:
        counts = {
            row["product_id"]: row["n"]
            async for row in Product.tags.through.objects.filter(
                product_id__in=[item.pk for item in items]
            )
            .values("product_id")
            .annotate(n=Count("id"))
        }
        for item in items:
            item.tag_count = counts.get(item.pk, 0)
        return items


class TagNames(PostFetch):
    """A sync post-fetch: runs in a thread."""

    @override
    def fetch(self, items: list[Any]) -> list[Any]:
        for item in items:
            item.tag_names = [tag.name for tag in item.tags.all()]
        return items


class ProductSummarySerializer(ModelSerializer[Product]):
    """A response shape that reads what the post-fetches attached."""

    tag_count = serializers.IntegerField(read_only=True)
    tag_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    category_products = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "tag_count", "tag_names", "category_products")

    def get_category_products(self, product: Any) -> list[str]:
        """Names of the products in the same category, attached by a declarative post-fetch."""
        return [other.name for other in getattr(product, "siblings", [])]


class ProductSummaryView(AsyncListAPIView[Product]):
    """Overrides `list` to answer with a response serializer and post-fetches."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    response_serializer_class = ProductSummarySerializer
    pagination_class = Pages

    @override
    async def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = await self.afilter_queryset(self.get_queryset())
        return await self.apaginated_response(
            queryset,
            post_fetches=[
                ReviewCounts(),
                TagNames(),
                PostFetch(
                    Product.objects.order_by("id"),
                    attr="siblings",
                    from_field="category_id",
                    to_field="category_id",
                ),
            ],
            headers={"X-Shape": "summary"},
        )


class ProductSummaryDetail(AsyncRetrieveAPIView[Product]):
    """Answers one product with the response serializer and a post-fetch."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    response_serializer_class = ProductSummarySerializer

    @override
    async def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = await self.aget_object()
        return await self.aserialized_response(product, post_fetches=[ReviewCounts()], status=203)


class InStockOnly(BaseFilterBackend):
    """A sync filter backend that asks the sync ORM which categories have stock."""

    @override
    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        stocked = list(Category.objects.filter(products__stock__gt=0).values_list("id", flat=True))
        return queryset.filter(category_id__in=stocked)


class OwnerReadsOnly(AsyncBasePermission):
    """Only the creator may see a product, decided asynchronously."""

    message = "This product is private."

    @override
    async def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class PrivateProductViewSet(AsyncModelViewSet[Product]):
    """An async `get_queryset`, a sync DB-reading filter, and private objects."""

    serializer_class = PlainProductSerializer
    permission_classes = (OwnerReadsOnly,)
    filter_backends = (InStockOnly,)

    @override
    # An `async def get_queryset` works at run time; typed code overrides `aget_queryset`.
    async def get_queryset(self) -> QuerySet[Product]:  # type: ignore[override]
        owned = await Product.objects.filter(created_by__isnull=False).aexists()
        return Product.objects.filter(is_deleted=False) if owned else Product.objects.none()


class VersionedView(AsyncAPIView):
    """Answers with the API version DRF determined."""

    versioning_class = versioning.AcceptHeaderVersioning

    async def get(self, request: Request) -> Response:
        """Echo the version."""
        return Response({"version": request.version})


class ProductFilter(django_filters.FilterSet):
    """Price range and category name, the way django-filter users write it."""

    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    category = django_filters.ModelChoiceFilter(
        field_name="category", queryset=Category.objects.all(), to_field_name="name"
    )

    class Meta:
        model = Product
        fields = ("min_price", "category")


class FilteredProductViewSet(AsyncReadOnlyModelViewSet[Product]):
    """django-filter's backend and a FilterSet on an async viewset."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = ProductFilter


# Set by tests: the create hook sets "reached" and waits for "release" for a "hang" product.
HOOK_GATE: dict[str, asyncio.Event] = {}


class ExplodingHooks(AsyncModelViewSet[Product]):
    """Hooks that write, audit, then fail when the product is named "explode".

    A product named "hang" makes the create hook wait on `HOOK_GATE` after saving.
    """

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        product = await asave(serializer)
        await audit_log.arecord("product_created", product.pk)
        if product.name == "hang":
            HOOK_GATE["reached"].set()
            await HOOK_GATE["release"].wait()
        if product.name == "explode":
            raise RuntimeError("the hook failed after writing")

    @override
    async def aperform_update(self, serializer: BaseSerializer[Product]) -> None:
        product = await asave(serializer)
        await audit_log.arecord("product_updated", product.pk)
        if product.name == "explode":
            raise RuntimeError("the hook failed after writing")

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        await instance.adelete()
        await audit_log.arecord("product_deleted", 0)
        if instance.name == "explode":
            raise RuntimeError("the hook failed after deleting")

    @action(detail=False, methods=["post"])
    async def pair(self, request: Request) -> Response:
        """Create two products in one transaction; the second fails when named "explode"."""
        async with self.aatomic():
            first = await Product.objects.acreate(name="first", price=1)
            await Product.objects.acreate(name=request.data.get("second", "second"), price=-1)
            if request.data.get("second") == "explode":
                raise RuntimeError("the second write failed")
        return Response({"first": first.pk}, status=201)


class AtomicProductViewSet(ExplodingHooks):
    """Write actions in one transaction."""

    atomic = True


class NonAtomicProductViewSet(ExplodingHooks):
    """Write actions without a transaction, even under `ATOMIC_REQUESTS`."""

    atomic = False


class DefaultAtomicityViewSet(ExplodingHooks):
    """Write actions follow the database's `ATOMIC_REQUESTS`."""


class StreamingProductViewSet(AsyncReadOnlyModelViewSet[Product]):
    """Exports every product as NDJSON or as one JSON array."""

    queryset = Product.objects.select_related("category").order_by("id")
    serializer_class = ProductSerializer

    @action(detail=False, methods=["get"])
    async def export(self, request: Request) -> StreamingHttpResponse:
        """Stream the products in the format `?format=` names (NDJSON by default)."""
        context = self.get_serializer_context()
        return stream_response(
            self.get_queryset(),
            lambda row: ProductSerializer(row, context=context).data,
            format="json" if request.query_params.get("as") == "array" else "ndjson",
            chunk_size=2,
        )


class DrfHooksViewSet(AsyncModelViewSet[Product]):
    """A viewset moved from DRF with its sync `perform_*` hooks, which use the sync ORM."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer

    @override
    def perform_create(self, serializer: BaseSerializer[Product]) -> None:
        """Save, then audit with the sync ORM."""
        product = serializer.save(description="from perform_create")
        AuditEntry.objects.create(event="drf_create", object_id=product.pk)

    @override
    def perform_update(self, serializer: BaseSerializer[Product]) -> None:
        """Save with a marker."""
        serializer.save(description="from perform_update")

    @override
    def perform_destroy(self, instance: Product) -> None:
        """Archive instead of deleting."""
        instance.is_deleted = True
        instance.save(update_fields=["is_deleted"])


# Set by a test to make `request_thread` requests wait for one another.
MEETING: dict[str, threading.Barrier] = {}
_THREAD = threading.local()


def request_thread(request: HttpRequest) -> JsonResponse:
    """A plain sync Django view: which thread ran it, and how many requests that thread ran.

    It makes one query first. With `?meet`, it waits at the test's barrier, so the requests
    only answer if they run at the same time.
    """
    if "meet" in request.GET:
        MEETING["barrier"].wait()
    list(Category.objects.all()[:1])
    _THREAD.served = getattr(_THREAD, "served", 0) + 1
    return JsonResponse({"thread": threading.get_ident(), "served": _THREAD.served})


# Set by a test: `HoldsTransaction` waits for it with its transaction open.
MIDWAY: dict[str, asyncio.Event] = {}


class HoldsTransaction(AsyncAPIView):
    """Opens a transaction, waits in it until the test says so, then creates a category in
    it (SQLite takes its write lock at the first write, so others may write meanwhile);
    with `?fail`, the transaction is then rolled back."""

    async def post(self, request: Request) -> Response:
        """The thread the transaction ran on."""
        async with self.aatomic():
            thread = await sync_to_async(threading.get_ident)()
            await MIDWAY["go"].wait()
            await Category.objects.acreate(name=str(request.data["name"]))
            if "fail" in request.query_params:
                raise ValidationError({"name": ["Refused after all."]})
        return Response({"thread": thread}, status=201)


class ArticleViewSet(AsyncModelViewSet[Article]):
    """Articles, whose writes set columns in `save()`, `update()` and a `pre_save` receiver."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer


class DrfStyleActions(AsyncListCreateAPIView[Product]):
    """A concrete view whose `list` and `create` are DRF-style plain methods."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer

    @override
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]  # a DRF-style sync action
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer(queryset, many=True)
        return Response({"names": [row["name"] for row in serializer.data]})

    @override
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]  # a DRF-style sync action
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        headers = self.get_success_headers(serializer.data)
        return Response({"created": serializer.data["name"]}, status=201, headers=headers)


class DrfStyleActionsWithAsyncHook(DrfStyleActions):
    """The DRF-style sync `create`, with the persistence hook made async."""

    @override
    async def aperform_create(self, serializer: BaseSerializer[Product]) -> None:
        await asave(serializer, description="from aperform_create")
