"""`explain`: an action's steps, where each runs and why, as a request runs them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from typing_extensions import override

from restflow_django.authentication import TokenAuthentication
from restflow_django.diagnostics import Diagnostics
from restflow_django.permissions import IsAuthenticated
from restflow_django.test import AsyncAPIRequestFactory
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import PlainProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


class Products(AsyncModelViewSet[Product]):
    """DRF-style hooks and token authentication."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    authentication_classes: Any = (TokenAuthentication,)
    permission_classes: Any = (IsAuthenticated,)


class Audited(Products):
    """An async hook of the user's between the steps."""

    @override
    async def aperform_update(self, serializer: Any) -> None:
        await super().aperform_update(serializer)


def test_a_token_patch_is_one_hop_step_by_step() -> None:
    lines = Products.explain("partial_update", authorization="Token abc").splitlines()

    assert lines[0] == "Products.partial_update (PATCH)"
    assert lines[1].startswith("  before    AsyncAPIView._admit_in_thread  thread hop 1: may block")
    assert [line.split()[0] for line in lines[1:] if line.startswith("  ") and line[2] != " "] == [
        "before",
        "fetch",
        "validate",
        "persist",
        "render",
    ]
    assert all("thread hop 1" in line for line in lines[1:-1])
    assert lines[-1] == "thread hops of the steps: 1 (not counting what async steps await)"


def test_your_hooks_are_named_and_an_async_one_breaks_the_hop() -> None:
    text = Audited.explain("partial_update", authorization="Token abc")

    assert "Audited.aperform_update [yours]  loop: async def" in text
    assert text.endswith("thread hops of the steps: 1 (not counting what async steps await)")


def test_without_credentials_to_read_the_checks_stay_on_the_loop() -> None:
    lines = Products.explain("retrieve").splitlines()

    assert lines[1].startswith("admission: on the loop")


def test_an_action_the_view_does_not_have_is_refused_with_its_actions() -> None:
    with pytest.raises(ValueError, match=r"no default action 'publish'.*'partial_update'"):
        Products.explain("publish")


async def test_explain_says_what_a_request_does(ada: User) -> None:
    saw = await Product.objects.acreate(name="Saw", price=12, stock=3)
    token = await Token.objects.acreate(user=ada)
    request = AsyncAPIRequestFactory().request_with_body(
        "PATCH", "/", {"stock": 4}, HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    view: Any = Products.as_view({"patch": "partial_update"})

    async with Diagnostics() as seen:
        response = await view(request, pk=str(saw.pk))

    explained = Products.explain("partial_update", authorization=f"Token {token.key}")
    assert response.status_code == 200
    assert explained.endswith(
        f"thread hops of the steps: {seen.crossings} (not counting what async steps await)"
    )
