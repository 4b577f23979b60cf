"""Catalog models."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from typing_extensions import override


class Category(models.Model):
    """A shelf of the shop."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "categories"

    @override
    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something for sale, owned by the user who listed it."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    stock = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One user's rating of one product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = (
            models.UniqueConstraint(fields=("product", "author"), name="one_review_per_author"),
        )

    @override
    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.product_id}"
