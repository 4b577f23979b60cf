"""`AsyncAPITestCase`: async tests whose rows vanish with the test."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from typing_extensions import override

from restflow_django.test import (
    AsyncAPIClient,
    AsyncAPILiveServerTestCase,
    AsyncAPIRequestFactory,
    AsyncAPISimpleTestCase,
    AsyncAPITestCase,
    AsyncAPITransactionTestCase,
)
from tests.testapp.models import Product


class TestAsyncAPITestCase(AsyncAPITestCase):
    """Both tests create a product; each sees only its own."""

    async def test_first_write_is_alone(self) -> None:
        """The client posts JSON and the row is visible inside the test."""
        assert isinstance(self.async_client, AsyncAPIClient)

        response = await self.async_client.post("/soft-products/", {"name": "a", "price": "1"})

        assert response.status_code == 201
        assert [name async for name in Product.objects.values_list("name", flat=True)] == ["a"]

    async def test_second_write_is_alone(self) -> None:
        """Rows from the other test were rolled back."""
        await self.async_client.post("/soft-products/", {"name": "b", "price": "1"})

        assert [name async for name in Product.objects.values_list("name", flat=True)] == ["b"]


class TestClientAsDrfUsersWriteTests(AsyncAPITestCase):
    """`AsyncAPIClient` takes what DRF's `APIClient` takes."""

    @override
    def setUp(self) -> None:
        """A user with a token."""
        self.user = User.objects.create(username="ada")
        self.token = Token.objects.create(user=self.user)

    async def whoami(self, **extra: Any) -> Any:
        """GET `/whoami/` with `extra`."""
        return await self.async_client.get("/whoami/", **extra)

    async def test_credentials_apply_until_cleared(self) -> None:
        """`credentials(HTTP_AUTHORIZATION=...)` authenticates every later request."""
        self.async_client.credentials(HTTP_AUTHORIZATION=f"Token {self.token.key}")

        first, second = await self.whoami(), await self.whoami()
        self.async_client.credentials()
        cleared = await self.whoami()

        assert [first.json(), second.json()] == [{"user": "ada"}] * 2
        assert cleared.json() == {"user": ""}

    async def test_meta_style_keywords_are_sent_as_headers(self) -> None:
        """`HTTP_AUTHORIZATION=` and `HTTP_ACCEPT=` reach the view as those headers."""
        authorized = await self.whoami(HTTP_AUTHORIZATION=f"Token {self.token.key}")
        refused = await self.whoami(HTTP_AUTHORIZATION="Token wrong")
        xml = await self.whoami(HTTP_ACCEPT="application/xml")
        posted = await self.async_client.post(
            "/products/", {"name": "Saw", "price": "1"}, HTTP_ACCEPT="application/xml"
        )

        assert authorized.json() == {"user": "ada"}
        # The view lists session authentication first, which has no challenge: DRF says 403.
        assert refused.status_code == 403
        assert xml.status_code == 406
        assert posted.status_code == 406

    async def test_logout_clears_forced_user_and_credentials(self) -> None:
        """`logout()` undoes `force_authenticate()` and `credentials()`, as in DRF."""
        self.async_client.force_authenticate(self.user)
        forced = await self.whoami()
        self.async_client.logout()
        after_force = await self.whoami()
        self.async_client.credentials(HTTP_AUTHORIZATION=f"Token {self.token.key}")
        self.async_client.force_authenticate(None)
        after_credentials = await self.whoami()

        assert forced.json() == {"user": "ada"}
        assert after_force.json() == {"user": ""}
        assert after_credentials.json() == {"user": ""}

    async def test_alogout_ends_a_session(self) -> None:
        """`await alogout()` ends a session login too."""
        await sync_to_async(self.async_client.force_login)(self.user)
        logged_in = await self.whoami()

        await self.async_client.alogout()

        assert logged_in.json() == {"user": "ada"}
        assert (await self.whoami()).json() == {"user": ""}


class TestRequestFactoryHeaders:
    def test_meta_style_keywords_become_headers(self) -> None:
        """The factory sends `HTTP_*` keywords as headers too."""
        request = AsyncAPIRequestFactory().get("/", HTTP_AUTHORIZATION="Token abc")

        assert request.headers["Authorization"] == "Token abc"
        assert "Http-Authorization" not in request.headers


class TestDrfRestflowStyleClient(AsyncAPITestCase):
    """drf-restflow's tests await `self.client`; they run unchanged."""

    async def test_self_client_is_awaited(self) -> None:
        assert isinstance(self.client, AsyncAPIClient)

        created = await self.client.post("/soft-products/", {"name": "a", "price": "1"})
        listed = await self.client.get("/soft-products/")

        assert created.status_code == 201
        assert [row["name"] for row in listed.json()] == ["a"]


class TestTransactionCase(AsyncAPITransactionTestCase):
    """Writes are committed, so `on_commit` callbacks run."""

    async def test_commits(self) -> None:
        from django.db import transaction

        ran: list[str] = []

        def remember() -> None:
            transaction.on_commit(lambda: ran.append("committed"))

        await sync_to_async(remember)()
        response = await self.client.post("/soft-products/", {"name": "a", "price": "1"})

        assert response.status_code == 201
        assert ran == ["committed"]
        assert await Product.objects.filter(name="a").aexists()


class TestSimpleCase(AsyncAPISimpleTestCase):
    """No database: an endpoint that needs none answers."""

    async def test_version(self) -> None:
        response = await self.client.get("/version/", HTTP_ACCEPT="application/json; version=2")

        assert response.status_code == 200


class TestLiveServerCase(AsyncAPILiveServerTestCase):
    """The project is served for outside clients."""

    host = "127.0.0.1"

    def test_an_outside_client_reads_the_list(self) -> None:
        import json
        from urllib.request import urlopen

        Product.objects.create(name="a", price=1)

        with urlopen(f"{self.live_server_url}/soft-products/", timeout=10) as answer:
            rows = json.loads(answer.read())

        assert [row["name"] for row in rows] == ["a"]
