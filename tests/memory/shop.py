"""A small product catalogue served by memory resources, shared by the memory tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from typing_extensions import override

from restflow_memory import (
    BasePermission,
    Field,
    FieldFilter,
    Invalid,
    IsAuthenticatedOrReadOnly,
    MemoryClient,
    MemoryRouter,
    MemorySerializer,
    MemoryStore,
    ModelResource,
    OrderingFilter,
    PageNumberPagination,
    SearchFilter,
)


@dataclass
class Product:
    """A product for sale."""

    name: str
    price: int
    category: str = "misc"
    note: str | None = None
    id: int | None = None
    created_by: str | None = None
    deleted: bool = False


@dataclass
class User:
    """Somebody using the shop."""

    username: str
    is_staff: bool = False

    @override
    def __str__(self) -> str:
        return self.username


class ProductSerializer(MemorySerializer[Product]):
    """Products as clients see them."""

    model = Product
    id = Field(int, read_only=True)
    name = Field(str, max_length=40)
    price = Field(int, min_value=0)
    category = Field(str, required=False, default="misc", choices=("misc", "food", "tools"))
    note = Field(str, required=False, allow_null=True)
    created_by = Field(str, read_only=True)

    def validate_name(self, value: str) -> str:
        """Names are stored without surrounding blanks."""
        if value.strip().lower() == "forbidden":
            raise Invalid("This name is reserved.")
        return value.strip()


class OwnerWrites(BasePermission):
    """Anybody reads; only the creator changes a product, decided asynchronously."""

    message = "Only the owner may change this product."
    code = "not_owner"

    @override
    async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        await asyncio.sleep(0)
        return bool(request.method == "GET" or obj.created_by == str(request.user))


class Pages(PageNumberPagination):
    """Two products a page, up to five on request."""

    page_size = 2
    page_size_query_param = "page_size"
    max_page_size = 5


@dataclass
class Journal:
    """Records what the hooks saw, so tests can check it."""

    created: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)
    destroyed: list[int | None] = field(default_factory=list)


class ProductResource(ModelResource[Product]):
    """Every action; hooks stamp the creator, journal updates and soft-delete."""

    store = MemoryStore[Product]()
    serializer_class = ProductSerializer
    permission_classes = (IsAuthenticatedOrReadOnly, OwnerWrites)
    filter_backends = (FieldFilter, SearchFilter, OrderingFilter)
    filterset_fields = ("category",)
    search_fields = ("name", "note")
    ordering_fields = ("name", "price")
    ordering = ("id",)
    pagination_class = Pages
    journal = Journal()

    @override
    def get_queryset(self) -> Any:
        return self.store.all().filter(deleted=False)

    @override
    async def aperform_create(self, serializer: MemorySerializer[Product]) -> None:
        self.journal.created.append((str(self.request.user), dict(serializer.validated_data)))
        await serializer.asave(created_by=str(self.request.user))

    @override
    async def aperform_update(self, serializer: MemorySerializer[Product]) -> None:
        instance = await serializer.asave()
        self.journal.updated.append((instance.id, dict(serializer.validated_data)))

    @override
    async def aperform_destroy(self, instance: Product) -> None:
        self.journal.destroyed.append(instance.id)
        instance.deleted = True
        await self.store.asave(instance)


def make_client() -> tuple[MemoryClient, type[ProductResource]]:
    """Return a client for a fresh catalogue, and the resource class whose store it uses."""

    class FreshProducts(ProductResource):
        store = MemoryStore[Product]()
        journal = Journal()

    router = MemoryRouter()
    router.register("products", FreshProducts)
    return MemoryClient(router), FreshProducts
