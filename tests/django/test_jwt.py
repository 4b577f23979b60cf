"""simplejwt's authentication through `restflow_django.jwt` (the `jwt` extra)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from restflow_django.authentication import SessionAuthentication
from restflow_django.diagnostics import Diagnostics
from restflow_django.jwt import JWTAuthentication, JWTStatelessUserAuthentication
from restflow_django.permissions import IsAuthenticated
from restflow_django.test import AsyncAPIRequestFactory
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import PlainProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()


class Products(AsyncModelViewSet[Product]):
    """Products behind simplejwt's tokens."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    authentication_classes: Any = (JWTAuthentication,)
    permission_classes: Any = (IsAuthenticated,)


class Hourly(AnonRateThrottle):
    rate = "1000/hour"


class ThrottledProducts(Products):
    """A throttle keeps the checks on the loop: `aauthenticate` runs there."""

    throttle_classes: Any = (Hourly,)


class StatelessProducts(ThrottledProducts):
    """The user is built from the token: no query, no hop."""

    authentication_classes: Any = (JWTStatelessUserAuthentication,)
    permission_classes: Any = (permissions.IsAuthenticated,)


async def patch(view_class: type[Products], saw: Product, authorization: str) -> tuple[Any, Any]:
    request = factory.request_with_body(
        "PATCH", "/", {"stock": 9}, HTTP_AUTHORIZATION=authorization
    )
    view: Any = view_class.as_view({"patch": "partial_update"})
    async with Diagnostics() as seen:
        response = await view(request, pk=str(saw.pk))
        response.render()
    return response, seen


@pytest.fixture
async def bearer(ada: User) -> str:
    """A valid access token of Ada's, as a header value."""
    return f"Bearer {AccessToken.for_user(ada)}"


@pytest.fixture
async def saw() -> Product:
    return await Product.objects.acreate(name="Saw", price=12, stock=3)


class TestJWT:
    async def test_a_default_action_crosses_once_token_and_user_included(
        self, bearer: str, saw: Product
    ) -> None:
        response, seen = await patch(Products, saw, bearer)

        assert response.status_code == 200
        seen.assert_crossings(1, back=0)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 9

    async def test_in_the_actions_hop_the_token_is_still_checked_on_the_loop(
        self, bearer: str, saw: Product, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        threads: dict[str, str] = {}
        validate, get_user = JWTAuthentication.get_validated_token, JWTAuthentication.get_user

        def noting_validate(self: Any, raw: bytes) -> Any:
            threads["token"] = threading.current_thread().name
            return validate(self, raw)

        def noting_get_user(self: Any, token: Any) -> Any:
            threads["user"] = threading.current_thread().name
            return get_user(self, token)

        monkeypatch.setattr(JWTAuthentication, "get_validated_token", noting_validate)
        monkeypatch.setattr(JWTAuthentication, "get_user", noting_get_user)

        response, seen = await patch(Products, saw, bearer)

        assert response.status_code == 200
        assert threads["token"] == threading.current_thread().name
        assert threads["user"] != threading.current_thread().name
        seen.assert_crossings(1, back=0)

    async def test_a_bad_token_is_refused_on_the_loop_with_no_crossing(self, saw: Product) -> None:
        response, seen = await patch(Products, saw, "Bearer not.a.token")

        assert response.status_code == 401
        assert response.data["code"] == "token_not_valid"
        seen.assert_crossings(0)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 3

    async def test_a_bad_token_behind_another_scheme_waits_for_its_turn(
        self, saw: Product, ada: User
    ) -> None:
        class SessionFirst(Products):
            authentication_classes: Any = (SessionAuthentication, JWTAuthentication)

        response, _ = await patch(SessionFirst, saw, "Bearer not.a.token")

        # No session: DRF asks the token next, which refuses it; the first scheme names no
        # `WWW-Authenticate`, so DRF answers 403.
        assert response.status_code == 403
        assert response.data["code"] == "token_not_valid"
        assert (await Product.objects.aget(pk=saw.pk)).stock == 3

    async def test_on_the_loop_the_token_is_checked_there_and_the_user_loaded_once(
        self, bearer: str, saw: Product, ada: User
    ) -> None:
        request = factory.get("/", HTTP_AUTHORIZATION=bearer)
        drf_request: Any = Request(request)

        async with Diagnostics() as seen:
            found = await JWTAuthentication().aauthenticate(drf_request)

        assert found is not None
        user, token = found
        assert (user.pk, token["user_id"]) == (ada.pk, str(ada.pk))
        seen.assert_crossings(1, back=0)

    async def test_the_stateless_user_needs_no_query(self, bearer: str, saw: Product) -> None:
        request = factory.get("/", HTTP_AUTHORIZATION=bearer)
        drf_request: Any = Request(request)

        async with Diagnostics() as seen:
            found = await JWTStatelessUserAuthentication().aauthenticate(drf_request)

        assert found is not None
        assert found[0].is_authenticated
        seen.assert_crossings(0)

    @pytest.mark.parametrize("view_class", [Products, ThrottledProducts])
    async def test_a_bad_token_is_simplejwts_401_and_nothing_is_written(
        self, view_class: type[Products], saw: Product
    ) -> None:
        response, _ = await patch(view_class, saw, "Bearer not.a.token")

        assert response.status_code == 401
        assert response.data["code"] == "token_not_valid"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert (await Product.objects.aget(pk=saw.pk)).stock == 3

    async def test_an_unknown_user_is_401(self, saw: Product) -> None:
        ghost = User(pk=999_999, username="ghost")

        response, _ = await patch(Products, saw, f"Bearer {AccessToken.for_user(ghost)}")

        assert response.status_code == 401
        assert response.data["code"] == "user_not_found"

    async def test_the_stateless_view_writes(self, bearer: str, saw: Product) -> None:
        response, _ = await patch(StatelessProducts, saw, bearer)

        assert response.status_code == 200
        assert (await Product.objects.aget(pk=saw.pk)).stock == 9
