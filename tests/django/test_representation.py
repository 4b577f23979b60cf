"""Representing rows: restflow's serializers answer exactly what DRF's answer.

restflow binds a serializer class's fields once and reads every row through them when no
field needs the serializer it belongs to; these tests hold that path to DRF's output, field
type by field type, and check the cases that must keep DRF's per-serializer fields.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from rest_framework import serializers
from rest_framework.test import APIRequestFactory
from typing_extensions import override

from restflow_django.serializers import (
    ModelSerializer,
    Serializer,
    _class_reader,
    arender,
    has_unique_rules,
)
from tests.testapp.models import Category, Product, Tag

pytestmark = pytest.mark.django_db(transaction=True)

Declared = Callable[[], dict[str, Any]]


def twins(base: type[Any], drf_base: type[Any], declared: Declared, **meta: Any) -> Any:
    """A restflow serializer class and its DRF twin, with the same fields."""
    attrs: dict[str, Any] = {"Meta": type("Meta", (), meta)} if meta else {}
    ours = type("Ours", (base,), {**attrs, **declared()})
    theirs = type("Theirs", (drf_base,), {**attrs, **declared()})
    return ours, theirs


def model_twins(declared: Declared, fields: tuple[str, ...] | str) -> Any:
    return twins(
        ModelSerializer, serializers.ModelSerializer, declared, model=Product, fields=fields
    )


class CategoryOut(ModelSerializer[Category]):
    """A nested category."""

    class Meta:
        model = Category
        fields = ("id", "name")


class TagOut(ModelSerializer[Tag]):
    """A nested tag."""

    class Meta:
        model = Tag
        fields = ("id", "name")


def every_relation() -> dict[str, Any]:
    return {
        "category_name": serializers.CharField(source="category.name", read_only=True),
        "category_label": serializers.StringRelatedField(source="category"),
        "tag_names": serializers.SlugRelatedField(
            source="tags", many=True, read_only=True, slug_field="name"
        ),
        "nested_category": CategoryOut(source="category", read_only=True),
        "nested_tags": TagOut(source="tags", many=True, read_only=True),
        "note": serializers.CharField(write_only=True, required=False),
    }


@pytest.fixture
async def stocked(saw: Product) -> Product:
    """`saw` with two tags, loaded with every relation the serializers read."""
    tags = [await Tag.objects.acreate(name=name) for name in ("sharp", "steel")]
    await saw.tags.aset(tags)
    return await (
        Product.objects.select_related("category", "created_by")
        .prefetch_related("tags")
        .aget(pk=saw.pk)
    )


class TestSameOutputAsDRF:
    async def test_model_fields_relations_and_nested_serializers(self, stocked: Product) -> None:
        """Every model field, FK and M2M ids, slugs, strings and nested rows match DRF."""
        ours, theirs = model_twins(every_relation, "__all__")

        mine = ours(stocked)
        represented = await arender(mine)

        assert represented == theirs(stocked).data
        assert represented["description"] is None
        assert represented["price"] == "12.50"
        assert represented["nested_tags"] == [
            {"id": tag.pk, "name": tag.name} for tag in stocked.tags.all()
        ]
        assert "note" not in represented
        # Read through the class's fields: this serializer built none of its own.
        assert "fields" not in mine.__dict__

    async def test_a_page_of_rows(self, stocked: Product, tools: Category) -> None:
        """`many=True` matches DRF row for row, including a row with a null relation (whose
        dotted read-only field DRF leaves out)."""
        bare = await Product.objects.acreate(name="Bare", price=Decimal("1"), category=None)
        rows = [
            row
            async for row in Product.objects.select_related("category", "created_by")
            .prefetch_related("tags")
            .filter(pk__in=[stocked.pk, bare.pk])
        ]
        ours, theirs = model_twins(every_relation, "__all__")

        represented = await arender(ours(rows, many=True))

        assert represented == theirs(rows, many=True).data
        assert "category_name" not in represented[1]
        assert represented[1]["nested_category"] is None

    async def test_plain_serializers_of_every_simple_type(self) -> None:
        """Dates, times, UUIDs, choices, JSON, lists and dicts match DRF; missing optional
        values are left out and missing nullable ones are null, as DRF does."""

        def declared() -> dict[str, Any]:
            return {
                "at": serializers.DateTimeField(),
                "on": serializers.DateField(),
                "time": serializers.TimeField(format="%H:%M"),
                "took": serializers.DurationField(),
                "key": serializers.UUIDField(format="hex"),
                "size": serializers.ChoiceField(choices=[(1, "small"), (2, "large")]),
                "sizes": serializers.MultipleChoiceField(choices=["s", "m"]),
                "extra": serializers.JSONField(),
                "scores": serializers.ListField(child=serializers.IntegerField()),
                "labels": serializers.DictField(child=serializers.CharField()),
                "ratio": serializers.FloatField(),
                "mail": serializers.EmailField(),
                "amount": serializers.DecimalField(max_digits=6, decimal_places=3),
                "nickname": serializers.CharField(required=False),
                "maybe": serializers.CharField(allow_null=True),
                "everything": serializers.ReadOnlyField(source="*"),
            }

        ours, theirs = twins(Serializer, serializers.Serializer, declared)
        row = {
            "at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            "on": datetime.date(2026, 1, 2),
            "time": datetime.time(9, 30),
            "took": datetime.timedelta(minutes=3),
            "key": uuid.UUID(int=7),
            "size": 2,
            "sizes": {"s"},
            "extra": {"a": [1, 2]},
            "scores": [1, "2"],
            "labels": {"x": 1},
            "ratio": 0.5,
            "mail": "a@b.example",
            "amount": Decimal("1.5"),
        }

        represented = await arender(ours(row))

        assert represented == theirs(row).data
        assert "nickname" not in represented
        assert represented["maybe"] is None
        assert represented["amount"] == "1.500"


class TestWholeRows:
    async def test_rows_read_in_one_pass_match_drf(self, saw: Product, tools: Category) -> None:
        """Plain columns, keys and a value across a relation: read by one compiled function
        where the row allows, step by step where it does not (no category, no creator)."""

        def declared() -> dict[str, Any]:
            return {
                "category_name": serializers.CharField(
                    source="category.name", read_only=True, default="none"
                ),
                "creator": serializers.PrimaryKeyRelatedField(source="created_by", read_only=True),
            }

        columns = ("id", "name", "price", "stock", "category", "description", "is_deleted")
        ours, theirs = model_twins(declared, (*columns, "category_name", "creator"))
        bare = await Product.objects.acreate(name="Bare", price=Decimal("1.5"), category=None)
        rows = [
            row
            async for row in Product.objects.select_related("category", "created_by").order_by("pk")
        ]

        represented = await arender(ours(rows, many=True))

        assert represented == theirs(rows, many=True).data
        assert represented[0]["category_name"] == "tools"
        assert represented[1]["category_name"] == "none"
        assert represented[1]["price"] == "1.50"
        assert represented[1]["creator"] is None
        assert bare.pk == represented[1]["id"]
        assert _class_reader(ours)._whole_row is not None  # type: ignore[union-attr]


class Bag(dict[str, Any]):
    """A mapping that also has an attribute named like one of its keys."""

    a = "attribute"


class Row:
    """A row read by attributes, with the awkward values DRF's lookups handle."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def shout(self) -> str:
        return "LOUD"

    @property
    def broken(self) -> str:
        raise AttributeError("broken")

    @property
    def gone(self) -> Any:
        raise Product.DoesNotExist


def decimals() -> dict[str, Any]:
    return {
        "exact": serializers.DecimalField(max_digits=5, decimal_places=2),
        "padded": serializers.DecimalField(max_digits=5, decimal_places=3),
        "rounded": serializers.DecimalField(max_digits=5, decimal_places=1),
        "unbounded": serializers.DecimalField(max_digits=None, decimal_places=2),
        "whole": serializers.DecimalField(max_digits=5, decimal_places=2, source="count"),
        "number": serializers.DecimalField(
            max_digits=5, decimal_places=2, coerce_to_string=False, source="exact"
        ),
        "local": serializers.DecimalField(
            max_digits=5, decimal_places=2, localize=True, source="exact"
        ),
        "odd": serializers.DecimalField(max_digits=5, decimal_places=2, source="nan"),
        "negative": serializers.DecimalField(max_digits=5, decimal_places=2),
    }


class TestRowsReadByAttribute:
    """The compiled steps (plain attributes, keys, decimals) answer what DRF's calls do."""

    async def test_every_plain_type_and_awkward_attribute(self) -> None:
        def declared() -> dict[str, Any]:
            return {
                "text": serializers.CharField(),
                "count": serializers.IntegerField(),
                "flag": serializers.BooleanField(),
                "on": serializers.DateField(),
                "ratio": serializers.FloatField(),
                "key": serializers.UUIDField(),
                "size": serializers.ChoiceField(choices=[(1, "small"), (2, "large")]),
                "anything": serializers.ReadOnlyField(source="text"),
                "called": serializers.CharField(source="shout"),
                "nested": serializers.CharField(source="inner.text"),
                "through_mapping": serializers.IntegerField(source="extra.a"),
                "through_none": serializers.CharField(source="empty.text", allow_null=True),
                "skipped": serializers.CharField(source="broken", required=False),
                "defaulted": serializers.CharField(source="broken", default="fallback"),
                "missing_object": serializers.CharField(source="gone.name"),
                "null": serializers.CharField(source="nothing"),
            }

        ours, theirs = twins(Serializer, serializers.Serializer, declared)
        row = Row(
            text=7,
            count="8",
            flag="true",
            on=datetime.date(2026, 1, 2),
            ratio=1,
            key=uuid.UUID(int=9),
            size=2,
            inner=Row(text="inside"),
            extra={"a": "3"},
            empty=None,
            nothing=None,
        )

        represented = await arender(ours(row))

        assert represented == theirs(row).data
        assert represented["text"] == "7"
        assert represented["count"] == 8
        assert represented["called"] == "LOUD"
        assert represented["through_mapping"] == 3
        assert represented["through_none"] is None
        assert "skipped" not in represented
        assert represented["defaulted"] == "fallback"
        assert represented["missing_object"] is None
        assert represented["null"] is None

    async def test_callables_and_mappings_on_the_way_are_read_as_drf_reads_them(self) -> None:
        """A method is called and a mapping is read by key, also where every field of the
        serializer is a plain one."""

        def called() -> dict[str, Any]:
            return {"text": serializers.CharField(), "loud": serializers.CharField(source="shout")}

        def through_a_mapping() -> dict[str, Any]:
            return {"value": serializers.CharField(source="bag.a")}

        ours, theirs = twins(Serializer, serializers.Serializer, called)
        row = Row(text="quiet")
        assert await arender(ours(row)) == theirs(row).data == {"text": "quiet", "loud": "LOUD"}

        ours, theirs = twins(Serializer, serializers.Serializer, through_a_mapping)
        row = Row(bag=Bag(a="key"))
        assert await arender(ours(row)) == theirs(row).data == {"value": "key"}

    async def test_a_missing_required_attribute_fails_as_in_drf(self) -> None:
        def declared() -> dict[str, Any]:
            return {"text": serializers.CharField(source="broken")}

        ours, theirs = twins(Serializer, serializers.Serializer, declared)

        with pytest.raises(AttributeError) as drf_error:
            _ = theirs(Row()).data
        with pytest.raises(AttributeError) as our_error:
            await arender(ours(Row()))
        assert str(our_error.value) == str(drf_error.value).replace("Theirs", "Ours")

    async def test_decimals_quantized_only_when_they_need_it(self) -> None:
        ours, theirs = twins(Serializer, serializers.Serializer, decimals)
        row = Row(
            exact=Decimal("12.50"),
            padded=Decimal("1.5"),
            rounded=Decimal("1.25"),
            unbounded=Decimal("123456789012345678901234.00"),
            count=3,
            nan=Decimal("NaN"),
            negative=Decimal("-0.00"),
        )

        represented = await arender(ours(row))

        assert represented == theirs(row).data
        assert represented["exact"] == "12.50"
        assert represented["padded"] == "1.500"
        assert represented["rounded"] == "1.2"
        assert represented["whole"] == "3.00"
        assert represented["number"] == Decimal("12.50")
        assert represented["negative"] == "-0.00"

    async def test_a_decimal_too_long_for_its_field_fails_as_in_drf(self) -> None:
        ours, theirs = twins(Serializer, serializers.Serializer, decimals)
        row = Row(exact=Decimal("1234.00"))

        with pytest.raises(InvalidOperation):
            _ = theirs(row).data
        with pytest.raises(InvalidOperation):
            await arender(ours(row))

    async def test_related_keys_from_the_row_and_through_a_relation(
        self, saw: Product, tools: Category
    ) -> None:
        def declared() -> dict[str, Any]:
            return {
                "category": serializers.PrimaryKeyRelatedField(read_only=True),
                "creator": serializers.PrimaryKeyRelatedField(source="created_by", read_only=True),
                "as_text": serializers.PrimaryKeyRelatedField(
                    source="category", read_only=True, pk_field=serializers.CharField()
                ),
                "product": serializers.PrimaryKeyRelatedField(
                    source="self_.category", read_only=True
                ),
            }

        ours, theirs = twins(Serializer, serializers.Serializer, declared)
        bare = await Product.objects.acreate(name="Bare", price=Decimal("1"), category=None)
        rows = [
            Row(category=tools, created_by=None, self_=saw),
            Row(category=saw, created_by=tools, self_=bare),
        ]

        represented = await arender(ours(rows, many=True))

        assert represented == theirs(rows, many=True).data
        assert represented[0] == {
            "category": tools.pk,
            "creator": None,
            "as_text": str(tools.pk),
            "product": saw.category_id,
        }
        assert represented[1]["product"] is None


class TestFieldsThatNeedTheirSerializer:
    async def test_method_fields_see_each_serializers_own_context(self, saw: Product) -> None:
        """A `SerializerMethodField` reads the context of the serializer representing."""

        class Greeted(ModelSerializer[Product]):
            greeting = serializers.SerializerMethodField()

            class Meta:
                model = Product
                fields = ("id", "greeting")

            def get_greeting(self, obj: Product) -> str:
                return f"{self.context['greeting']}, {obj.name}"

        hello = await arender(Greeted(saw, context={"greeting": "hello"}))
        hi = await arender(Greeted(saw, context={"greeting": "hi"}))

        assert (hello["greeting"], hi["greeting"]) == ("hello, Saw", "hi, Saw")

    async def test_hyperlinks_use_the_request_of_the_serializer(self, saw: Product) -> None:
        """A hyperlinked field builds its URL from the serializer's own request."""

        class Linked(ModelSerializer[Product]):
            url = serializers.HyperlinkedIdentityField(view_name="product-detail")

            class Meta:
                model = Product
                fields = ("id", "url")

        factory = APIRequestFactory()
        first = await arender(
            Linked(saw, context={"request": factory.get("/", HTTP_HOST="testserver")})
        )
        second = await arender(
            Linked(saw, context={"request": factory.get("/", HTTP_HOST="localhost")})
        )

        assert first["url"] == f"http://testserver/products/{saw.pk}/"
        assert second["url"] == f"http://localhost/products/{saw.pk}/"

    async def test_fields_removed_by_init_stay_removed(self, saw: Product) -> None:
        """The dynamic-fields pattern: an `__init__` that drops fields is obeyed."""

        class Trimmed(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name", "price")

            def __init__(self, *args: Any, keep: tuple[str, ...] = (), **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                for name in set(self.fields) - set(keep):
                    self.fields.pop(name)

        assert await arender(Trimmed(saw, keep=("id", "name"))) == {"id": saw.pk, "name": "Saw"}
        assert await arender(Trimmed(saw, keep=("price",))) == {"price": "12.50"}

    async def test_fields_changed_on_an_instance_are_obeyed(self, saw: Product) -> None:
        """Fields popped from one serializer leave the class's other serializers alone."""

        class Plain(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name")

        trimmed = Plain(saw)
        trimmed.fields.pop("name")

        assert await arender(trimmed) == {"id": saw.pk}
        assert await arender(Plain(saw)) == {"id": saw.pk, "name": "Saw"}

    async def test_a_subclass_representation_builds_on_restflows(self, saw: Product) -> None:
        """An overridden `to_representation` calling `super()` gets DRF's dict to extend."""

        class Shouted(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name")

            @override
            def to_representation(self, instance: Product) -> Any:
                represented = super().to_representation(instance)
                represented["name"] = represented["name"].upper()
                return represented

        assert await arender(Shouted(saw)) == {"id": saw.pk, "name": "SAW"}

    async def test_a_class_building_its_own_fields_is_asked_every_time(
        self, saw: Product, ada: User
    ) -> None:
        """`get_fields` overridden per serializer (here: on the context) is honoured."""

        class ByViewer(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name", "price")

            @override
            def get_fields(self) -> dict[str, Any]:
                fields = super().get_fields()
                if not self.context.get("staff"):
                    fields.pop("price")
                return fields

        assert await arender(ByViewer(saw, context={"staff": True})) == {
            "id": saw.pk,
            "name": "Saw",
            "price": "12.50",
        }
        assert await arender(ByViewer(saw, context={})) == {"id": saw.pk, "name": "Saw"}


class TestEachSerializerOwnsItsFields:
    async def test_changes_to_one_serializers_fields_stay_there(self, saw: Product) -> None:
        """Validators, messages and style changed on one serializer's field leave the next
        serializer of the class as DRF would build it."""

        class Named(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name", "price")

        def too_short(value: str) -> None:
            if len(value) < 3:
                raise serializers.ValidationError("Too short.")

        changed = Named(saw, data={"name": "ab"}, partial=True)
        changed.fields["name"].validators.append(too_short)
        changed.fields["name"].error_messages["blank"] = "Name it."
        changed.fields["name"].style["base_template"] = "textarea.html"
        assert await changed.ais_valid() is False

        fresh = Named(saw, data={"name": "ab"}, partial=True)
        assert await fresh.ais_valid() is True
        assert too_short not in fresh.fields["name"].validators
        assert fresh.fields["name"].error_messages["blank"] == "This field may not be blank."
        assert "base_template" not in fresh.fields["name"].style

    async def test_fields_are_bound_to_their_own_serializer(self, saw: Product) -> None:
        """Each serializer's fields name it as their parent, as DRF's do."""

        class Named(ModelSerializer[Product]):
            class Meta:
                model = Product
                fields = ("id", "name", "category")

        first, second = Named(saw), Named(saw)

        assert all(field.parent is first for field in first.fields.values())
        assert all(field.parent is second for field in second.fields.values())
        assert first.fields["name"] is not second.fields["name"]


class TestValidatorsAcrossFields:
    async def test_unique_together_is_still_enforced(self) -> None:
        """A model with `unique_together` keeps DRF's validator: a duplicate pair is a 400."""
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        kind = await sync_to_async(ContentType.objects.get_for_model)(Product)

        class PermissionIn(ModelSerializer[Permission]):
            class Meta:
                model = Permission
                fields = ("name", "codename", "content_type")

        taken = await Permission.objects.acreate(
            name="Can rate", codename="rate_product", content_type=kind
        )
        duplicate = PermissionIn(
            data={"name": "x", "codename": taken.codename, "content_type": kind.pk}
        )

        assert await duplicate.ais_valid() is False
        assert duplicate.errors == {
            "non_field_errors": ["The fields content_type, codename must make a unique set."]
        }

    def test_rules_are_found_where_models_declare_them(self) -> None:
        """`unique_together` on a model is found; a model with only unique columns has none
        DRF validates across fields."""
        from django.contrib.auth.models import Permission

        assert has_unique_rules(Permission) is True
        assert has_unique_rules(Product) is False
