"""The one JSON shape every stack answers with, so the stacks do the same work."""

from __future__ import annotations

from typing import Any

from benchmarks.catalog.models import Product

PAGE_SIZE = 20


def product(row: Product) -> dict[str, Any]:
    """A product as JSON-ready data, with its category's name."""
    return {
        "id": row.pk,
        "name": row.name,
        "price": str(row.price),
        "stock": row.stock,
        "category": row.category_id,
        "category_name": row.category.name,
    }
