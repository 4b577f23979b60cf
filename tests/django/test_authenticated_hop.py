"""An authenticated default action crosses to a thread once, authentication included.

A token (or a password, or a session) is checked against the database: on the loop that is
a thread hop of its own. restflow runs the request's authentication and permission checks
first in the action's own hop instead, when they answer the same there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework import authentication as drf_authentication
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.throttling import AnonRateThrottle
from typing_extensions import override

from restflow_django.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow_django.diagnostics import Diagnostics
from restflow_django.permissions import DjangoModelPermissions, IsAuthenticated
from restflow_django.test import AsyncAPIRequestFactory, force_authenticate
from restflow_django.throttling import AsyncUserRateThrottle as UserRateThrottle
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Product
from tests.testapp.serializers import PlainProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

factory = AsyncAPIRequestFactory()


class OwnerWrites(permissions.BasePermission):
    """Only the product's creator changes it."""

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return bool(request.method in permissions.SAFE_METHODS or obj.created_by == request.user)


class Products(AsyncModelViewSet[Product]):
    """Products behind token authentication and restflow's `IsAuthenticated`."""

    queryset = Product.objects.all()
    serializer_class = PlainProductSerializer
    authentication_classes: Any = (TokenAuthentication,)
    permission_classes: Any = (IsAuthenticated, OwnerWrites)

    @override
    def perform_create(self, serializer: Any) -> None:
        serializer.save(created_by=self.request.user)


class DrfTokens(Products):
    """DRF's own token authentication and permission classes."""

    authentication_classes = (drf_authentication.TokenAuthentication,)
    permission_classes = (permissions.IsAuthenticated, OwnerWrites)


class Passwords(Products):
    """Basic authentication: the password hashed in the action's hop."""

    authentication_classes = (BasicAuthentication,)


class Hourly(AnonRateThrottle):
    """A generous rate, so the test is never throttled."""

    rate = "1000/hour"


class Throttled(Products):
    """DRF's own throttle: its cache is read in the action's hop."""

    throttle_classes = (Hourly,)


class TwoPerMinute(UserRateThrottle):
    """restflow's user throttle, two requests a minute."""

    rate = "2/min"


class TwoAMinute(Products):
    """restflow's rate throttle: atomic counting, on the loop or in the hop."""

    throttle_classes = (TwoPerMinute,)


ROUTES: dict[str, Any] = {
    "POST": {"post": "create"},
    "GET": {"get": "list"},
    "PATCH": {"patch": "partial_update"},
    "PUT": {"put": "update"},
    "DELETE": {"delete": "destroy"},
}


async def send(
    view_class: type[Products],
    method: str,
    credentials: str | None,
    body: Any = None,
    key: int | None = None,
    retrieve: bool = False,
) -> tuple[Any, Diagnostics]:
    """One request through the view, with `credentials` as its `Authorization` header."""
    headers: dict[str, Any] = {} if credentials is None else {"HTTP_AUTHORIZATION": credentials}
    if body is None:
        request = factory.generic(method, "/", **headers)
    else:
        request = factory.request_with_body(method, "/", body, **headers)
    actions: Any = {"get": "retrieve"} if retrieve else ROUTES[method]
    view: Any = view_class.as_view(actions)
    async with Diagnostics() as seen:
        response = await (view(request) if key is None else view(request, pk=str(key)))
        response.render()
    return response, seen


@pytest.fixture
async def token(ada: User) -> str:
    """Ada's token, as a header value."""
    return f"Token {(await Token.objects.acreate(user=ada)).key}"


@pytest.fixture
async def saw(ada: User) -> Product:
    """A product Ada created."""
    return await Product.objects.acreate(name="Saw", price=12, stock=3, created_by=ada)


class TestOneCrossing:
    @pytest.mark.parametrize("view_class", [Products, DrfTokens])
    async def test_create(self, view_class: type[Products], token: str, ada: User) -> None:
        response, seen = await send(view_class, "POST", token, {"name": "Drill", "price": "9"})

        assert response.status_code == 201
        seen.assert_crossings(1, back=0)
        stored = await Product.objects.aget(name="Drill")
        assert stored.created_by_id == ada.pk

    @pytest.mark.parametrize("view_class", [Products, DrfTokens])
    async def test_list_retrieve_update_delete(
        self, view_class: type[Products], token: str, saw: Product
    ) -> None:
        listed, on_list = await send(view_class, "GET", token)
        fetched, on_retrieve = await send(view_class, "GET", token, key=saw.pk, retrieve=True)
        patched, on_patch = await send(view_class, "PATCH", token, {"stock": 5}, key=saw.pk)
        put, on_put = await send(
            view_class, "PUT", token, {"name": "Saw", "price": "13.00", "stock": 1}, key=saw.pk
        )
        deleted, on_delete = await send(view_class, "DELETE", token, key=saw.pk)

        assert [row["name"] for row in listed.data] == ["Saw"]
        assert fetched.data["stock"] == 3
        assert (patched.data["stock"], put.data["price"]) == (5, "13.00")
        assert deleted.status_code == 204
        for seen in (on_list, on_retrieve, on_patch, on_put, on_delete):
            seen.assert_crossings(1, back=0)
        assert not await Product.objects.filter(pk=saw.pk).aexists()

    async def test_a_password_is_checked_in_the_actions_hop(self, ada: User, saw: Product) -> None:
        ada.set_password("s3cret-pw")
        await ada.asave()
        import base64

        basic = "Basic " + base64.b64encode(b"ada:s3cret-pw").decode()

        response, seen = await send(Passwords, "PATCH", basic, {"stock": 8}, key=saw.pk)

        assert response.status_code == 200
        seen.assert_crossings(1, back=0)
        assert (await Product.objects.aget(pk=saw.pk)).stock == 8


class TestRefusalsComeFirst:
    async def test_an_unknown_token_is_401_and_nothing_is_written(self, saw: Product) -> None:
        response, _ = await send(Products, "PATCH", "Token nope", {"stock": 0}, key=saw.pk)

        assert response.status_code == 401
        assert response.data == {"detail": "Invalid token."}
        assert response["WWW-Authenticate"] == "Token"
        assert (await Product.objects.aget(pk=saw.pk)).stock == 3

    async def test_anonymous_create_is_401_and_nothing_is_stored(self) -> None:
        response, _ = await send(Products, "POST", None, {"name": "Drill", "price": "9"})

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert not await Product.objects.filter(name="Drill").aexists()

    async def test_another_users_patch_is_403_before_validation(
        self, bob: User, saw: Product
    ) -> None:
        bobs = f"Token {(await Token.objects.acreate(user=bob)).key}"

        response, _ = await send(Products, "PATCH", bobs, {"stock": -5}, key=saw.pk)

        assert response.status_code == 403
        assert (await Product.objects.aget(pk=saw.pk)).stock == 3


class TestThrottlesJoinTheHop:
    async def test_a_throttled_view_admits_in_the_actions_hop(
        self, token: str, saw: Product
    ) -> None:
        response, seen = await send(Throttled, "GET", token, key=saw.pk, retrieve=True)

        assert response.status_code == 200
        seen.assert_crossings(1, back=0)

    async def test_restflows_throttle_counts_atomically_in_the_hop_and_refuses_with_429(
        self, token: str, saw: Product
    ) -> None:
        from django.core.cache import cache

        cache.clear()
        answers = []
        for stock in (5, 6, 7):
            response, seen = await send(TwoAMinute, "PATCH", token, {"stock": stock}, key=saw.pk)
            answers.append(response.status_code)
            seen.assert_crossings(1, back=0)

        assert answers == [200, 200, 429]
        # The refused PATCH wrote nothing.
        assert (await Product.objects.aget(pk=saw.pk)).stock == 6

    async def test_without_a_hop_to_save_the_checks_stay_on_the_loop(
        self, ada: User, saw: Product
    ) -> None:
        from django.core.cache import cache

        cache.clear()
        request = factory.get("/")
        force_authenticate(request, ada)
        view: Any = TwoAMinute.as_view({"get": "retrieve"})
        async with Diagnostics() as seen:
            response = await view(request, pk=str(saw.pk))

        # A forced user, restflow's permission and its throttle over LocMem all answer on
        # the loop: only the action crosses.
        assert response.status_code == 200
        seen.assert_crossings(1, back=0)


class TestDecidedOncePerClass:
    async def test_the_admission_is_planned_once_per_class_and_configuration(
        self, token: str, saw: Product, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from restflow_django.views import _authentication

        planned: list[str] = []
        original = _authentication._admission_plan

        def spy(view: Any, authenticators: Any) -> tuple[bool, bool]:
            planned.append(type(view).__name__)
            return original(view, authenticators)

        monkeypatch.setattr(_authentication, "_admission_plan", spy)
        monkeypatch.setattr(_authentication, "_ADMISSION", {})

        class Counted(Products):
            pass

        for _ in range(3):
            fetched, _seen = await send(Counted, "GET", token, key=saw.pk, retrieve=True)
            assert fetched.status_code == 200
            anonymous, _seen = await send(Counted, "GET", None, key=saw.pk, retrieve=True)
            assert anonymous.status_code == 401

        assert planned == ["Counted"]


class AtomicProducts(Products):
    """Every write in one transaction: a refusal after the save leaves nothing."""

    atomic = True

    @override
    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        if serializer.validated_data["name"] == "Refused":
            raise ValidationError({"name": ["Refused after saving."]})


class TestInsideTheTransaction:
    async def test_the_token_costs_an_atomic_create_no_hop_and_a_refusal_keeps_nothing(
        self, token: str, ada: User
    ) -> None:
        kept, on_kept = await send(AtomicProducts, "POST", token, {"name": "Drill", "price": "9"})
        refused, _ = await send(AtomicProducts, "POST", token, {"name": "Refused", "price": "1"})
        request = factory.request_with_body("POST", "/", {"name": "Saw", "price": "2"})
        force_authenticate(request, ada)
        view: Any = AtomicProducts.as_view({"post": "create"})
        async with Diagnostics() as unauthenticated:
            await view(request)

        assert (kept.status_code, refused.status_code) == (201, 400)
        # The transaction's own crossings are the same whether the user comes from a
        # token (read in the action's hop) or was known beforehand.
        assert on_kept.crossings == unauthenticated.crossings
        assert on_kept.crossed_back == []
        assert [p.name async for p in Product.objects.order_by("id")] == ["Drill", "Saw"]

    async def test_an_unknown_token_on_an_atomic_view_writes_nothing(self) -> None:
        response, _ = await send(AtomicProducts, "POST", "Token nope", {"name": "X", "price": "1"})

        assert response.status_code == 401
        assert not await Product.objects.aexists()


class SessionsOwnFetch(Products):
    """Session authentication and a fetch of the user's own, `async def`."""

    authentication_classes = (SessionAuthentication,)
    permission_classes = (permissions.AllowAny,)

    @override
    async def aget_object(self) -> Product:
        return await super().aget_object()


class TestNothingToSave:
    async def test_an_anonymous_session_request_is_admitted_on_the_loop(self, saw: Product) -> None:
        request = factory.get("/")
        view: Any = SessionsOwnFetch.as_view({"get": "retrieve"})

        async with Diagnostics() as seen:
            response = await view(request, pk=str(saw.pk))

        # No session cookie: nothing to read, so the checks stay on the loop and only the
        # user's own fetch crosses (admitting it in a hop of its own would add one).
        assert response.status_code == 200
        seen.assert_crossings(1, back=0)


class ModelPermissions(Products):
    """restflow's `DjangoModelPermissions`: the user's permissions are read from the
    database, so its check may block, though its `ahas_permission` exists (restflow's
    default, which only asks `has_permission`)."""

    permission_classes = (DjangoModelPermissions,)


class TestOneRuleForTheAdmission:
    async def test_a_permission_that_reads_the_database_joins_the_actions_hop(
        self, saw: Product
    ) -> None:
        admin = await User.objects.acreate(username="root", is_superuser=True, is_active=True)
        request = factory.request_with_body("PATCH", "/", {"stock": 9})
        force_authenticate(request, admin)
        view: Any = ModelPermissions.as_view({"patch": "partial_update"})
        async with Diagnostics() as seen:
            response = await view(request, pk=str(saw.pk))
            response.render()

        assert response.status_code == 200, response.data
        assert (await Product.objects.aget(pk=saw.pk)).stock == 9
        # The forced user answers on the loop, the permission would cross there: it is
        # checked in the action's hop instead, by the rule that asks it.
        seen.assert_crossings(1, back=0)
