"""Serializers of the test app."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers
from typing_extensions import override

from restflow_django.serializers import ModelSerializer
from tests.testapp.models import Article, Category, Product, Tag


class CategorySerializer(ModelSerializer[Category]):
    """Categories with their name."""

    class Meta:
        model = Category
        fields = ("id", "name")


class ProductSerializer(ModelSerializer[Product]):
    """Products, with the category's name read through the relation."""

    category_name = serializers.CharField(source="category.name", read_only=True, default=None)
    tags = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all(), many=True, required=False)
    created_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "price",
            "description",
            "stock",
            "category",
            "category_name",
            "tags",
            "created_by",
        )


class ArticleSerializer(ModelSerializer[Article]):
    """Articles; every update counts a revision before DRF's own `update` saves."""

    class Meta:
        model = Article
        fields = ("id", "title", "body", "slug", "revision", "words", "updated_at")
        read_only_fields = ("slug", "revision", "words", "updated_at")

    @override
    def update(self, instance: Article, validated_data: dict[str, Any]) -> Article:
        instance.revision += 1
        return super().update(instance, validated_data)


class ColumnsProductSerializer(ModelSerializer[Product]):
    """Products whose updates write only the columns they were given."""

    class Meta:
        model = Product
        fields = ("id", "name", "price", "description", "stock", "category", "tags")
        update_fields = "validated"


class ColumnsArticleSerializer(ModelSerializer[Article]):
    """Articles whose updates write only the columns they were given (and `updated_at`)."""

    class Meta:
        model = Article
        fields = ("id", "title", "body", "slug", "words", "updated_at")
        read_only_fields = ("slug", "words", "updated_at")
        update_fields = "validated"


class PlainProductSerializer(serializers.ModelSerializer[Product]):
    """A plain DRF serializer, without restflow's async methods."""

    class Meta:
        model = Product
        fields = ("id", "name", "price", "description", "stock", "category")


class HyperlinkedProductSerializer(serializers.HyperlinkedModelSerializer[Product]):
    """Products with a `url` field, so creates answer with `Location`."""

    class Meta:
        model = Product
        fields = ("url", "id", "name", "price", "category")
        extra_kwargs: ClassVar[dict[str, dict[str, str]]] = {
            "url": {"view_name": "linked-product-detail"},
            "category": {"view_name": "category-detail"},
        }
