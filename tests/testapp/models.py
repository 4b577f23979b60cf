"""Models of the test app: a small shop."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from typing_extensions import override


class Category(models.Model):
    """A group of products."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label products can carry."""

    name = models.CharField(max_length=30, unique=True)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something for sale."""

    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    description = models.TextField(blank=True, null=True)
    # The explicit validator makes Django 4.2 on SQLite, which reports no integer range,
    # validate like every other combination instead of failing the CHECK constraint.
    stock = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """A record of something that happened, written by hooks."""

    event = models.CharField(max_length=50)
    object_id = models.BigIntegerField()

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return f"{self.event} {self.object_id}"
