"""How the catalog looks on the wire."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from typing_extensions import override

from examples.shop.catalog.models import Category, Product, Review
from restflow_django.serializers import ModelSerializer


class CategorySerializer(ModelSerializer[Category]):
    """A category and how many products it holds."""

    product_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Category
        fields = ("id", "name", "product_count")


class ProductSerializer(ModelSerializer[Product]):
    """A product, with its category's name, its owner and its average rating."""

    url = serializers.HyperlinkedIdentityField(view_name="product-detail")
    category_name = serializers.CharField(source="category.name", read_only=True)
    created_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)
    rating = serializers.FloatField(read_only=True, allow_null=True, default=None)
    review_count = serializers.IntegerField(read_only=True, default=0)
    availability = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = (
            "id",
            "url",
            "name",
            "description",
            "price",
            "stock",
            "category",
            "category_name",
            "created_by",
            "rating",
            "review_count",
            "availability",
            "created_at",
        )
        read_only_fields = ("created_at",)

    async def validate_name(self, value: str) -> str:
        """Refuse a name another product has, whatever its case (asked with the async ORM)."""
        others = Product.objects.filter(name__iexact=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if await others.aexists():
            raise serializers.ValidationError("Another product has this name.")
        return value

    async def get_availability(self, product: Product) -> str:
        """What the shop front says of the stock; `async`, as a call to a stock service
        would be (restflow awaits every row's, a few at a time)."""
        if product.stock == 0:
            return "sold out"
        return "in stock" if product.stock > 5 else f"only {product.stock} left"


class ReviewSerializer(ModelSerializer[Review]):
    """A review as it is shown."""

    author: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Review
        fields = ("id", "product", "author", "rating", "body", "created_at")
        read_only_fields = ("product", "created_at")


class ReviewWriteSerializer(ModelSerializer[Review]):
    """What a reviewer sends: a rating and some words; one review per product and author."""

    class Meta:
        model = Review
        fields = ("rating", "body")

    @override
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse a second review of the same product by the same author."""
        product = self.context["product"]
        author = self.context["request"].user
        if Review.objects.filter(product=product, author=author).exists():
            raise serializers.ValidationError("You have already reviewed this product.")
        return attrs
