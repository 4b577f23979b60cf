"""The API through django-ninja: async operations with pydantic schemas."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from benchmarks.catalog.models import Category, Product
from benchmarks.catalog.represent import PAGE_SIZE

api = NinjaAPI(urls_namespace="ninja")


class ProductOut(Schema):
    """A product with its category's name."""

    id: int
    name: str
    price: Decimal
    stock: int
    category: int
    category_name: str

    @staticmethod
    def resolve_category(row: Product) -> int:
        """The category's id."""
        return row.category_id

    @staticmethod
    def resolve_category_name(row: Product) -> str:
        """The category's name."""
        return row.category.name


class ProductIn(Schema):
    """What a create sends."""

    name: str
    price: Decimal
    stock: int = 0
    category: int


class StockIn(Schema):
    """What a partial update sends."""

    stock: int


class Page(Schema):
    """A page of products with the count."""

    count: int
    next: str | None
    previous: str | None
    results: list[ProductOut]


@api.get("/products/", response=Page)
async def products(request: HttpRequest, page: int = 1) -> dict[str, object]:
    """A page of 20 with the count."""
    queryset = Product.objects.select_related("category")
    count = await queryset.acount()
    rows = [row async for row in queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    more = page * PAGE_SIZE < count
    link = request.build_absolute_uri
    return {
        "count": count,
        "next": link(f"?page={page + 1}") if more else None,
        "previous": link(f"?page={page - 1}") if page > 1 else None,
        "results": rows,
    }


@api.post("/products/", response={201: ProductOut})
async def create(request: HttpRequest, payload: ProductIn) -> tuple[int, Product]:
    """Create a product in an existing category."""
    try:
        category = await Category.objects.aget(pk=payload.category)
    except Category.DoesNotExist:
        raise HttpError(400, "Unknown category.") from None
    row = await Product.objects.acreate(
        name=payload.name, price=payload.price, stock=payload.stock, category=category
    )
    return 201, row


@api.get("/products/{pk}/", response=ProductOut)
async def retrieve(request: HttpRequest, pk: int) -> Product:
    """One product."""
    try:
        return await Product.objects.select_related("category").aget(pk=pk)
    except Product.DoesNotExist:
        raise HttpError(404, "Not found.") from None


@api.patch("/products/{pk}/", response=ProductOut)
async def patch(request: HttpRequest, pk: int, payload: StockIn) -> Product:
    """Change a product's stock."""
    try:
        row = await Product.objects.select_related("category").aget(pk=pk)
    except Product.DoesNotExist:
        raise HttpError(404, "Not found.") from None
    row.stock = payload.stock
    await row.asave(update_fields=["stock"])
    return row


@api.get("/rows/", response=list[ProductOut])
async def rows(request: HttpRequest, n: int = PAGE_SIZE) -> list[Product]:
    """The first `n` products, no count: how the cost grows with rows."""
    queryset = Product.objects.select_related("category").order_by("id")[:n]
    return [row async for row in queryset]


@api.get("/io/")
async def io(request: HttpRequest) -> dict[str, bool]:
    """Wait 20 ms for simulated I/O, then answer."""
    await asyncio.sleep(0.02)
    return {"ok": True}
