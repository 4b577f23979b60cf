"""The benchmark catalog app."""

from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Categories and products."""

    name = "benchmarks.catalog"
    label = "benchcatalog"
    default_auto_field = "django.db.models.BigAutoField"
