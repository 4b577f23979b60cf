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


def set_sent(row: Product, validated_data: dict[str, Any]) -> list[str]:
    """Set what an update sent on `row`; the columns to save. Every stack's partial update
    writes only the columns it was sent, as the hand-written view does."""
    for name, value in validated_data.items():
        setattr(row, name, value)
    return list(validated_data)
