"""Models of the test app: a small shop."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import slugify
from typing_extensions import override

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable


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

    # The field types, spelt out for pyright, which has no Django plugin to infer them.
    name: models.CharField[str | int | Combinable, str] = models.CharField(max_length=100)
    price: models.DecimalField[str | float | Decimal | Combinable, Decimal] = models.DecimalField(
        max_digits=8, decimal_places=2
    )
    description: models.TextField[str | Combinable | None, str | None] = models.TextField(
        blank=True, null=True
    )
    # The explicit validator makes Django 4.2 on SQLite, which reports no integer range,
    # validate like every other combination instead of failing the CHECK constraint.
    stock: models.PositiveIntegerField[float | int | str | Combinable, int] = (
        models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    is_deleted: models.BooleanField[bool | Combinable, bool] = models.BooleanField(default=False)

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


class Article(models.Model):
    """A text whose columns are set in every place DRF lets code set them on a write."""

    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    # Derived by `save()`.
    slug = models.SlugField(max_length=100, blank=True)
    # Counted by the serializer's `update()`.
    revision = models.PositiveIntegerField(default=0)
    # Counted by a `pre_save` receiver.
    words = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.title

    @override
    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = slugify(self.title)
        # Django's pattern for a column derived in `save()`: store it with its source.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {"slug", *update_fields}
        super().save(*args, **kwargs)


@receiver(pre_save, sender=Article)
def count_words(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    """Keep `Article.words` in step with the body."""
    instance.words = len(instance.body.split())


class Note(models.Model):
    """A note its owner may change: the object of the contract suite run on both adapters."""

    title: models.CharField[str | int | Combinable, str] = models.CharField(max_length=40)
    # Stated, so every Django version's serializer rejects a negative count.
    pages = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    owner = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("id",)

    @override
    def __str__(self) -> str:
        return self.title
