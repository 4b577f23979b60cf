"""restflow's test client takes what DRF's does: the default format setting, headers given
to the constructor, and errors that say what to write when it is awaited wrongly."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import path
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from restflow_django.test import AsyncAPIClient, AsyncAPIRequestFactory
from restflow_django.views import AsyncAPIView, AsyncRetrieveAPIView
from tests.testapp.models import Product
from tests.testapp.serializers import ProductSerializer
from tests.testapp.views import WhoAmIView

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


class Echo(AsyncAPIView):
    """Answers with the body's media type and what DRF parsed of it."""

    async def post(self, request: Request) -> Response:
        return Response({"type": request.content_type, "data": dict(request.data)})


class SyncGetObject(AsyncRetrieveAPIView[Product]):
    """Calls the sync `get_object` from an `async def` handler: a porting mistake."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    @override
    async def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"id": self.get_object().pk})


urlpatterns = [
    path("echo/", Echo.as_view()),
    path("whoami/", WhoAmIView.as_view()),
    path("sync-get-object/<int:pk>/", SyncGetObject.as_view()),
]


class TestDefaultFormat:
    @override_settings(REST_FRAMEWORK={"TEST_REQUEST_DEFAULT_FORMAT": "multipart"})
    async def test_the_client_follows_test_request_default_format(self) -> None:
        """With `TEST_REQUEST_DEFAULT_FORMAT = "multipart"` bodies go as multipart, as
        DRF's `APIClient` sends them."""
        response = await AsyncAPIClient().post("/echo/", {"name": "Saw"})

        assert response.json()["type"].startswith("multipart/form-data")
        assert response.json()["data"] == {"name": ["Saw"]}

    @override_settings(REST_FRAMEWORK={"TEST_REQUEST_DEFAULT_FORMAT": "multipart"})
    def test_the_factory_follows_it_too(self) -> None:
        """`AsyncAPIRequestFactory` builds the same bodies."""
        request = AsyncAPIRequestFactory().post("/echo/", {"name": "Saw"})

        assert request.content_type == "multipart/form-data"

    async def test_json_stays_the_default(self) -> None:
        """Without the setting's override, JSON (the test settings' value)."""
        response = await AsyncAPIClient().post("/echo/", {"name": "Saw"})

        assert response.json()["type"] == "application/json"


class TestConstructorHeaders:
    @pytest.fixture
    async def token(self) -> Token:
        """A token of ada's."""
        ada = await User.objects.acreate(username="ada")
        return await Token.objects.acreate(user=ada)

    async def test_http_keyword_arguments_are_sent(self, token: Token) -> None:
        """`AsyncAPIClient(HTTP_AUTHORIZATION=...)` authenticates every request."""
        client = AsyncAPIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

        response = await client.get("/whoami/")

        assert (response.status_code, response.json()) == (200, {"user": "ada"})

    async def test_a_headers_mapping_is_sent(self, token: Token) -> None:
        """`AsyncAPIClient(headers={...})` authenticates every request."""
        client = AsyncAPIClient(headers={"Authorization": f"Token {token.key}"})

        response = await client.get("/whoami/")

        assert (response.status_code, response.json()) == (200, {"user": "ada"})

    async def test_a_request_header_wins_over_the_default(self, token: Token) -> None:
        """A header given with the request replaces the constructor's."""
        client = AsyncAPIClient(headers={"Authorization": "Token wrong"})

        response = await client.get("/whoami/", headers={"Authorization": f"Token {token.key}"})

        assert response.status_code == 200

    def test_the_factory_takes_them_too(self) -> None:
        """`AsyncAPIRequestFactory(headers=...)` puts them on every request it builds."""
        request = AsyncAPIRequestFactory(headers={"X-Trace": "1"}, HTTP_X_OTHER="2").get("/")

        assert (request.headers["X-Trace"], request.headers["X-Other"]) == ("1", "2")


class TestAwaitedWrongly:
    async def test_awaiting_force_authenticate_says_to_drop_the_await(self) -> None:
        """`await client.force_authenticate(...)` names the fix."""
        client = AsyncAPIClient()

        with pytest.raises(TypeError, match=r"force_authenticate.*without `await`"):
            await client.force_authenticate(None)  # type: ignore[func-returns-value]

    async def test_sync_get_object_on_the_loop_names_aget_object(self) -> None:
        """A sync `self.get_object()` in an `async def` handler names `aget_object`."""
        saw = await Product.objects.acreate(name="Saw", price=1)

        with pytest.raises(RuntimeError, match=r"get_object\(\) is sync.*await self\.aget_object"):
            await AsyncAPIClient().get(f"/sync-get-object/{saw.pk}/")
