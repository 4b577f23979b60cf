"""restflow's authentication classes, awaited by the views: token, basic, session and
remote user, each answering as DRF's class answers (status and body)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import path
from rest_framework import authentication as drf
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from restflow_django.authentication import (
    BasicAuthentication,
    RemoteUserAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow_django.test import AsyncAPIClient
from restflow_django.views import AsyncAPIView

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def who(*authenticators: type[Any], sync: bool = False) -> Any:
    """A view answering with the user's name, authenticated by `authenticators`."""
    if sync:

        class Drf(APIView):
            authentication_classes = authenticators
            permission_classes = (IsAuthenticated,)

            def get(self, request: Request) -> Response:
                return Response({"user": request.user.username})

            def post(self, request: Request) -> Response:
                return Response({"user": request.user.username})

        return Drf.as_view()

    class Who(AsyncAPIView):
        authentication_classes = authenticators
        permission_classes = (IsAuthenticated,)

        async def get(self, request: Request) -> Response:
            return Response({"user": request.user.username})

        async def post(self, request: Request) -> Response:
            return Response({"user": request.user.username})

    return Who.as_view()


class FrontServerUser(RemoteUserAuthentication):
    """The user a front server names; under ASGI it comes as a header."""

    header = "HTTP_X_REMOTE_USER"


urlpatterns = [
    path("token/", who(TokenAuthentication)),
    path("drf-token/", who(drf.TokenAuthentication, sync=True)),
    path("basic/", who(BasicAuthentication)),
    path("drf-basic/", who(drf.BasicAuthentication, sync=True)),
    path("session/", who(SessionAuthentication)),
    path("remote/", who(FrontServerUser)),
]


@pytest.fixture
async def ada() -> User:
    user = User(username="ada")
    user.set_password("a long sentence")
    await user.asave()
    return user


def basic(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


async def both(client: AsyncAPIClient, name: str, **options: Any) -> tuple[Any, Any]:
    """restflow's answer and DRF's for the same request: `(status, body)` each."""
    ours = await client.get(f"/{name}/", **options)
    drf_answer = await client.get(f"/drf-{name}/", **options)
    return (ours.status_code, ours.json()), (drf_answer.status_code, drf_answer.json())


class TestToken:
    @pytest.mark.parametrize(
        "header",
        [
            None,
            "Token",
            "Token a b",
            "Token unknown",
            "Bearer whatever",
        ],
    )
    async def test_answers_as_drf(
        self, client: AsyncAPIClient, ada: User, header: str | None
    ) -> None:
        """No token, a malformed header, an unknown token, another scheme: DRF's answers."""
        headers = {} if header is None else {"Authorization": header}

        ours, drf_answer = await both(client, "token", headers=headers)

        assert ours == drf_answer

    async def test_a_token_names_its_user_and_an_inactive_one_is_refused(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        token = await Token.objects.acreate(user=ada)
        headers = {"Authorization": f"Token {token.key}"}

        signed_in = await client.get("/token/", headers=headers)
        ada.is_active = False
        await ada.asave()
        inactive, drf_inactive = await both(client, "token", headers=headers)

        assert (signed_in.status_code, signed_in.json()) == (200, {"user": "ada"})
        assert inactive == drf_inactive
        assert inactive[0] == 401


class TestBasic:
    @pytest.mark.parametrize(
        ("username", "password"), [("ada", "a long sentence"), ("ada", "wrong"), ("bob", "x")]
    )
    async def test_answers_as_drf(
        self, client: AsyncAPIClient, ada: User, username: str, password: str
    ) -> None:
        """Right and wrong passwords, an unknown user: DRF's answers."""
        ours, drf_answer = await both(client, "basic", headers=basic(username, password))

        assert ours == drf_answer

    async def test_a_malformed_header_is_drfs_401(self, client: AsyncAPIClient) -> None:
        ours, drf_answer = await both(client, "basic", headers={"Authorization": "Basic !!"})

        assert ours == drf_answer
        assert ours[0] == 401


class TestSession:
    async def test_a_signed_in_session_reads_and_an_unsafe_method_needs_csrf(
        self, ada: User
    ) -> None:
        """The session's user is read; a POST without the CSRF token is DRF's 403."""
        client = AsyncAPIClient(enforce_csrf_checks=True)
        await sync_to_async(client.force_login)(ada)

        read = await client.get("/session/")
        written = await client.post("/session/", {})

        assert (read.status_code, read.json()) == (200, {"user": "ada"})
        assert written.status_code == 403
        assert "CSRF" in written.json()["detail"]

    async def test_no_session_is_anonymous(self, client: AsyncAPIClient) -> None:
        response = await client.get("/session/")

        assert response.status_code == 403


class TestRemoteUser:
    @override_settings(
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.RemoteUserBackend"],
    )
    async def test_the_header_names_the_user(self, client: AsyncAPIClient, ada: User) -> None:
        named = await client.get("/remote/", headers={"X-Remote-User": "ada"})
        unnamed = await client.get("/remote/")

        assert (named.status_code, named.json()) == (200, {"user": "ada"})
        assert unnamed.status_code == 403
