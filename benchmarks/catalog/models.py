"""1,000 products, each in one of ten categories."""

from __future__ import annotations

from django.db import models


class Category(models.Model):
    """A category."""

    name = models.CharField(max_length=60)

    class Meta:
        ordering = ("id",)


class Product(models.Model):
    """A product with a category foreign key."""

    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=9, decimal_places=2)
    stock = models.IntegerField(default=0)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")

    class Meta:
        ordering = ("id",)
