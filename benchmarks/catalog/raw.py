"""The floor: hand-written async Django views on the async ORM, no framework."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from benchmarks.catalog.models import Category, Product
from benchmarks.catalog.represent import PAGE_SIZE, product


def _page_link(request: HttpRequest, number: int) -> str | None:
    return request.build_absolute_uri(f"?page={number}") if number > 0 else None


@csrf_exempt
async def products(request: HttpRequest) -> HttpResponse:
    """GET a page of 20 with the count; POST a new product."""
    if request.method == "POST":
        return await _create(request)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return JsonResponse({"detail": "Invalid page."}, status=404)
    queryset = Product.objects.select_related("category")
    count = await queryset.acount()
    rows = [row async for row in queryset[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
    more = number * PAGE_SIZE < count
    return JsonResponse(
        {
            "count": count,
            "next": _page_link(request, number + 1) if more else None,
            "previous": _page_link(request, number - 1),
            "results": [product(row) for row in rows],
        }
    )


async def _create(request: HttpRequest) -> HttpResponse:
    try:
        data: dict[str, Any] = json.loads(request.body)
        name, price = str(data["name"]), Decimal(str(data["price"]))
        category = await Category.objects.aget(pk=int(data["category"]))
    except (ValueError, KeyError, TypeError, InvalidOperation, Category.DoesNotExist):
        return JsonResponse({"detail": "Invalid data."}, status=400)
    row = await Product.objects.acreate(
        name=name, price=price, stock=int(data.get("stock", 0)), category=category
    )
    return JsonResponse(product(row), status=201)


async def rows(request: HttpRequest) -> HttpResponse:
    """The first `n` products, no count: how the cost grows with rows."""
    count = int(request.GET.get("n", PAGE_SIZE))
    queryset = Product.objects.select_related("category").order_by("id")[:count]
    return JsonResponse([product(row) async for row in queryset], safe=False)


@csrf_exempt
async def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET one product; PATCH its stock."""
    try:
        row = await Product.objects.select_related("category").aget(pk=pk)
    except Product.DoesNotExist:
        return JsonResponse({"detail": "Not found."}, status=404)
    if request.method == "PATCH":
        try:
            row.stock = int(json.loads(request.body)["stock"])
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"detail": "Invalid data."}, status=400)
        await row.asave(update_fields=["stock"])
    return JsonResponse(product(row))


async def io(request: HttpRequest) -> HttpResponse:
    """Wait 20 ms for simulated I/O, then answer."""
    await asyncio.sleep(0.02)
    return JsonResponse({"ok": True})
