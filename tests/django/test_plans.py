"""Each action's plan is decided once per view class and configuration, not per request.

The capability questions (which form a hook has, whether a serializer awaits, whether the
filters or the paginator may block) are asked when the plan is made; later requests with
the same key ask none of them. What can change a decision is part of the key, so a
`get_serializer_class` answering per request, or a view configured otherwise, gets a plan
of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework import serializers
from rest_framework.request import Request
from typing_extensions import override

from restflow_django import _hooks
from restflow_django._serializing import async_hooks as _async_hooks
from restflow_django.diagnostics import Diagnostics
from restflow_django.pagination import PageNumberPagination
from restflow_django.permissions import BasePermission, IsAuthenticated
from restflow_django.serializers import ModelSerializer, Serializer, async_validator
from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from restflow_django.views import AsyncModelViewSet, _plan, _steps
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()


class Row(ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category")


class Checked(ModelSerializer[Product]):
    """A name checked by an async hook: a plan of its own must await it."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")

    async def validate_name(self, value: str) -> str:
        if value == "forbidden":
            raise ValueError("never a plain error")  # pragma: no cover - 400 below
        return value.upper()


class Tens(PageNumberPagination):
    page_size = 10


class Products(AsyncModelViewSet[Product]):
    queryset = Product.objects.all()
    serializer_class = Row
    permission_classes = (IsAuthenticated,)
    pagination_class = Tens


class Chooses(Products):
    """The serializer class depends on the request: `?checked` chooses `Checked`."""

    @override
    def get_serializer_class(self) -> Any:
        request: Request = self.request
        return Checked if "checked" in request.query_params else Row


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every capability question the step builders ask, by name."""
    asked: list[str] = []

    def spy(name: str, answer: Callable[..., Any]) -> Callable[..., Any]:
        def ask(*args: Any, **kwargs: Any) -> Any:
            asked.append(name)
            return answer(*args, **kwargs)

        return ask

    for module, names in (
        (_steps, ("hook_form", "class_hook_form", "has_async_twin", "is_async_callable")),
        (_steps, ("class_awaits_when_validating", "class_awaits_when_representing")),
        (_steps, ("saves_asynchronously", "runs_inline")),
    ):
        for name in names:
            monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    monkeypatch.setattr(_plan, "_PLANS", {})
    return asked


@pytest.fixture
async def ada() -> User:
    return await User.objects.acreate(username="ada")


@pytest.fixture
async def saw(ada: User) -> Product:
    tools = await Category.objects.acreate(name="tools")
    return await Product.objects.acreate(name="saw", price=3, category=tools, created_by=ada)


async def send(view_class: Any, actions: dict[str, str], request: Any, **kwargs: Any) -> Any:
    response = await view_class.as_view(actions)(request, **kwargs)
    response.render()
    return response


def signed(request: Any, user: User) -> Any:
    force_authenticate(request, user)
    return request


@pytest.mark.parametrize(
    ("actions", "method", "detail", "body"),
    [
        ({"post": "create"}, "post", False, {"name": "axe", "price": "2"}),
        ({"get": "list"}, "get", False, None),
        ({"get": "retrieve"}, "get", True, None),
        ({"patch": "partial_update"}, "patch", True, {"stock": 4}),
        ({"put": "update"}, "put", True, {"name": "saw", "price": "4"}),
        ({"delete": "destroy"}, "delete", True, None),
    ],
    ids=["create", "list", "retrieve", "partial_update", "update", "destroy"],
)
async def test_the_second_request_asks_no_capability_question(
    questions: list[str],
    ada: User,
    saw: Product,
    actions: dict[str, str],
    method: str,
    detail: bool,
    body: Any,
) -> None:
    kwargs = {"pk": str(saw.pk)} if detail else {}
    make = getattr(factory, method)
    first = await send(Products, actions, signed(make("/", body), ada), **kwargs)
    assert first.status_code < 300, first.data
    assert questions, "the first request made the plan"
    asked_first = len(questions)

    if method == "delete":
        saw = await Product.objects.acreate(name="saw", price=3, category_id=saw.category_id)
        kwargs = {"pk": str(saw.pk)}
    second = await send(Products, actions, signed(make("/", body), ada), **kwargs)

    assert second.status_code == first.status_code
    assert len(questions) == asked_first, questions[asked_first:]
    assert len(_plan._PLANS) == 1


async def test_a_serializer_class_chosen_per_request_gets_a_plan_of_its_own(
    questions: list[str], ada: User
) -> None:
    plain = await send(
        Chooses, {"post": "create"}, signed(factory.post("/", {"name": "axe", "price": "2"}), ada)
    )
    checked = await send(
        Chooses,
        {"post": "create"},
        signed(factory.post("/?checked", {"name": "adze", "price": "2"}), ada),
    )
    again = await send(
        Chooses, {"post": "create"}, signed(factory.post("/", {"name": "awl", "price": "2"}), ada)
    )

    assert (plain.status_code, checked.status_code, again.status_code) == (201, 201, 201)
    # The async hook of the second class was awaited: its answer is stored.
    assert checked.data["name"] == "ADZE"
    assert await Product.objects.filter(name="ADZE").aexists()
    assert sorted([plain.data["name"], again.data["name"]]) == ["awl", "axe"]
    assert await Product.objects.filter(name__in=["axe", "awl"]).acount() == 2
    assert len(_plan._PLANS) == 2


async def test_a_view_configured_otherwise_gets_a_plan_of_its_own(
    questions: list[str], ada: User, saw: Product
) -> None:
    whole: Any = Products.as_view({"get": "list"}, pagination_class=None)
    paged = await send(Products, {"get": "list"}, signed(factory.get("/"), ada))
    unpaged = await whole(signed(factory.get("/"), ada))
    paged_again = await send(Products, {"get": "list"}, signed(factory.get("/"), ada))

    assert paged.data["count"] == 1
    assert [row["name"] for row in paged.data["results"]] == ["saw"]
    assert [row["name"] for row in unpaged.data] == ["saw"]
    assert paged_again.data == paged.data
    assert len(_plan._PLANS) == 2


async def test_the_plans_asked_nothing_of_the_hook_rules_a_second_time(
    questions: list[str], ada: User, saw: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules behind the questions (`_hooks`, `_async_hooks`) are not asked per request
    by the steps either: a second PATCH asks the class rules nothing."""
    asked: list[str] = []
    for module, name in ((_hooks, "overrides"), (_async_hooks, "class_awaits_when_validating")):
        original = getattr(module, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            asked.append(_name)
            return _original(*args)

        monkeypatch.setattr(module, name, counted)
    patch = {"patch": "partial_update"}
    await send(Products, patch, signed(factory.patch("/", {"stock": 1}), ada), pk=str(saw.pk))
    after_first = len(asked)
    response = await send(
        Products, patch, signed(factory.patch("/", {"stock": 2}), ada), pk=str(saw.pk)
    )

    assert response.status_code == 200
    assert (await Product.objects.aget(pk=saw.pk)).stock == 2
    assert asked[after_first:] == []


async def no_axes(value: str) -> None:
    """An async validator: a name the catalogue refuses."""
    if value == "axe":
        raise serializers.ValidationError("no axes")


class AddsInInit(ModelSerializer[Product]):
    """The dynamic-fields pattern: `__init__` gives a field one more validator."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(async_validator(no_axes))


class AddsInGetFields(ModelSerializer[Product]):
    """Fields built per instance: `get_fields` replaces one with a checked one when the
    request asks for checks (`?checked`)."""

    class Meta:
        model = Product
        fields = ("id", "name", "price")

    @override
    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if "checked" in self.context["request"].query_params:
            fields["name"] = serializers.CharField(validators=[async_validator(no_axes)])
        return fields


class TouchesItsSerializers(Products):
    """A view whose `get_serializer` adds a validator to a plain class's serializer."""

    @override
    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer: Any = super().get_serializer(*args, **kwargs)
        serializer.fields["name"].validators.append(async_validator(no_axes))
        return serializer


@pytest.mark.parametrize(
    ("view_class", "serializer_class"),
    [
        (Products, AddsInInit),
        (Products, AddsInGetFields),
        (TouchesItsSerializers, Row),
    ],
    ids=["init", "get_fields", "view"],
)
async def test_what_an_instance_adds_is_awaited_though_its_class_was_decided(
    ada: User, view_class: Any, serializer_class: Any
) -> None:
    create = {"post": "create"}
    # The plain class is decided first: its serializers have no async hook.
    plain = await send(
        Products, create, signed(factory.post("/", {"name": "saw", "price": "1"}), ada)
    )
    assert plain.status_code == 201

    view = view_class.as_view(create, serializer_class=serializer_class)
    unchecked = await view(signed(factory.post("/", {"name": "bolt", "price": "1"}), ada))
    refused = await view(signed(factory.post("/?checked", {"name": "axe", "price": "1"}), ada))
    accepted = await view(signed(factory.post("/?checked", {"name": "adze", "price": "1"}), ada))

    assert unchecked.status_code == 201
    assert refused.status_code == 400
    assert refused.data == {"name": ["no axes"]}
    assert accepted.status_code == 201
    assert [name async for name in Product.objects.values_list("name", flat=True)] == [
        "saw",
        "bolt",
        "adze",
    ]


class Shouts(ModelSerializer[Product]):
    """A representation that awaits: an async method field."""

    shout = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "name", "shout")

    async def get_shout(self, product: Product) -> str:
        return product.name.upper()


class ShoutsOnRequest(Products):
    """Bodies always validate with `Row`; answers are `Shouts` when asked (`?shout`)."""

    request_serializer_class = Row

    @override
    def get_serializer_class(self) -> Any:
        request: Request = self.request
        return Shouts if "shout" in request.query_params else Row


async def test_the_response_class_chosen_per_request_is_in_the_plans_key(
    questions: list[str], ada: User, saw: Product
) -> None:
    view: Any = ShoutsOnRequest.as_view({"get": "retrieve"})
    plain = await view(signed(factory.get("/"), ada), pk=str(saw.pk))
    async with Diagnostics() as seen:
        shouted = await view(signed(factory.get("/?shout"), ada), pk=str(saw.pk))

    assert plain.data == {
        "id": saw.pk,
        "name": "saw",
        "price": "3.00",
        "stock": 0,
        "category": saw.category_id,
    }
    assert shouted.data == {"id": saw.pk, "name": "saw", "shout": "SAW"}
    # Represented on the loop, where the method field is awaited: never a hop back.
    seen.assert_crossings(1, back=0)
    assert len(_plan._PLANS) == 2


def primed_plain_rows() -> None:
    """`Row` validated once: its class is decided to have no async validation hooks."""
    row = Row(data={"name": "saw", "price": "1"})
    assert row.is_valid(), row.errors


async def test_a_many_list_whose_child_was_touched_awaits_what_was_added() -> None:
    primed_plain_rows()
    rows: Any = Row(data=[{"name": "saw", "price": "1"}, {"name": "axe", "price": "1"}], many=True)
    rows.child.fields["name"].validators.append(async_validator(no_axes))

    with pytest.raises(TypeError, match=r"ais_valid"):
        rows.is_valid()
    again: Any = Row(data=[{"name": "saw", "price": "1"}, {"name": "axe", "price": "1"}], many=True)
    again.child.fields["name"].validators.append(async_validator(no_axes))

    assert not await again.ais_valid()
    # Item 1 refused, in the shape DRF's setting gives the list's errors (a list or a dict).
    assert again.errors[1] == {"name": ["no axes"]}


class Holds(Serializer):
    """A serializer nesting a writable `Row`."""

    product = Row()


async def test_a_nested_child_whose_fields_were_touched_is_refused() -> None:
    primed_plain_rows()
    outer: Any = Holds(data={"product": {"name": "saw", "price": "1"}})
    outer.fields["product"].fields["name"].validators.append(async_validator(no_axes))

    with pytest.raises(TypeError, match="nested Row"):
        await outer.ais_valid()


class ChecksAwaiting(BasePermission):
    """An object check with an `async def` twin of its own beside DRF's sync one."""

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        raise AssertionError("the async twin answers")  # pragma: no cover - never asked

    @override
    async def ahas_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return bool(obj.name == "saw")


class AwaitsItsObjectCheck(Products):
    permission_classes: Any = (IsAuthenticated, ChecksAwaiting)


async def test_an_object_check_with_its_own_async_twin_is_awaited_on_the_loop(
    ada: User, saw: Product
) -> None:
    view: Any = AwaitsItsObjectCheck.as_view({"get": "retrieve"})
    async with Diagnostics() as seen:
        response = await view(signed(factory.get("/"), ada), pk=str(saw.pk))

    assert response.data["name"] == "saw"
    # Decided by the rule that asks it: on the loop, after the fetch's hop, never back.
    seen.assert_crossings(1, back=0)
