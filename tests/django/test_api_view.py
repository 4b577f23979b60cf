"""`AsyncAPIView`: authentication, permissions, throttles and errors on the async path."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import OperationalError
from django.http import HttpResponseRedirect
from rest_framework import permissions, throttling
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from typing_extensions import override

from restflow_core import NotFound
from restflow_django.decorators import action
from restflow_django.diagnostics import Diagnostics
from restflow_django.permissions import AsyncBasePermission
from restflow_django.test import AsyncAPIClient, AsyncAPIRequestFactory, force_authenticate
from restflow_django.throttling import AsyncScopedRateThrottle, AsyncUserRateThrottle
from restflow_django.views import AsyncAPIView

pytestmark = pytest.mark.django_db(transaction=True)


class AsyncAllow(AsyncBasePermission):
    """Allows, asynchronously."""

    @override
    async def has_permission(self, request: Request, view: Any) -> bool:
        await asyncio.sleep(0)
        return True


class AsyncDeny(AsyncBasePermission):
    """Refuses, asynchronously, with its own message and code."""

    message = "Closed for inventory."
    code = "inventory"

    @override
    async def has_permission(self, request: Request, view: Any) -> bool:
        await asyncio.sleep(0)
        return False


class SyncQueriesDatabase(permissions.BasePermission):
    """A sync permission that uses the sync ORM: allowed only while a user named ada exists."""

    @override
    def has_permission(self, request: Request, view: Any) -> bool:
        return User.objects.filter(username="ada").exists()


class ReturnsCoroutine(permissions.BasePermission):
    """A sync method that hands back a coroutine refusing the request."""

    @override
    def has_permission(self, request: Request, view: Any) -> Any:
        return self.adecide()

    async def adecide(self) -> bool:
        return False


async def log_in(client: AsyncAPIClient, user: User) -> None:
    """Start a session for `user` on `client` (`aforce_login` needs Django 5)."""
    await sync_to_async(client.force_login)(user)


def make_view(*permission_classes: Any, **attrs: Any) -> Any:
    """Return an async view answering `{"user": <username>}` behind `permission_classes`."""

    class View(AsyncAPIView):
        async def get(self, request: Request) -> Response:
            return Response({"user": request.user.username})

    View.permission_classes = permission_classes
    for name, value in attrs.items():
        setattr(View, name, value)
    return View.as_view()


async def call(view: Any, user: Any = None, headers: dict[str, str] | None = None) -> Any:
    """GET `view` as `user` with `headers` and render the response."""
    request = AsyncAPIRequestFactory().get("/", headers=headers)
    if user is not None:
        force_authenticate(request, user)
    response = await view(request)
    if hasattr(response, "render"):
        response.render()
    return response


class TestPermissions:
    async def test_async_refusal_carries_message_and_code(self, ada: User) -> None:
        """An async refusal answers 403 with the permission's message and code."""
        response = await call(make_view(AsyncDeny), ada)

        assert response.status_code == 403
        assert response.data == {"detail": "Closed for inventory."}
        assert response.data["detail"].code == "inventory"

    async def test_sync_permission_may_use_the_sync_orm(self, ada: User) -> None:
        """A sync permission runs in a thread, so its query works."""
        response = await call(make_view(SyncQueriesDatabase), ada)

        assert response.status_code == 200

    async def test_coroutine_returned_by_a_sync_method_is_awaited(self, ada: User) -> None:
        """The coroutine's `False` is honoured instead of counting as truthy."""
        response = await call(make_view(ReturnsCoroutine), ada)

        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("permission", "allowed"),
        [
            (AsyncAllow & AsyncDeny, False),
            (AsyncDeny & AsyncAllow, False),
            (AsyncAllow & AsyncAllow, True),
            (AsyncDeny | AsyncAllow, True),
            (AsyncDeny | ReturnsCoroutine, False),
            (~AsyncDeny, True),
            (~AsyncAllow, False),
            (~(AsyncDeny | AsyncDeny) & AsyncAllow, True),
        ],
    )
    async def test_combinators_of_async_permissions_fail_closed(
        self, ada: User, permission: Any, allowed: bool
    ) -> None:
        """`&`, `|` and `~` await their operands; no coroutine is mistaken for a yes."""
        response = await call(make_view(permission), ada)

        assert (response.status_code == 200) is allowed

    async def test_concurrent_requests_are_checked_concurrently(self, ada: User) -> None:
        """Fifty requests whose permission awaits I/O are all in flight at once."""
        in_flight = 0
        most = 0

        class SlowAllow(AsyncBasePermission):
            @override
            async def has_permission(self, request: Request, view: Any) -> bool:
                nonlocal in_flight, most
                in_flight += 1
                most = max(most, in_flight)
                await asyncio.sleep(0.05)
                in_flight -= 1
                return True

        view = make_view(SlowAllow)

        responses = await asyncio.gather(*(call(view, ada) for _ in range(50)))

        assert {response.status_code for response in responses} == {200}
        assert most == 50


class TestAuthentication:
    async def test_session_user_is_loaded_without_blocking(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """A session login reaches `request.user` through Django's async auth API."""
        await log_in(client, ada)

        response = await client.get("/products/names/")

        assert response.status_code == 200

    async def test_csrf_is_enforced_for_session_writes(self, ada: User) -> None:
        """A session-authenticated POST without a CSRF token is refused, as in DRF."""
        client = AsyncAPIClient(enforce_csrf_checks=True)
        await log_in(client, ada)

        response = await client.post("/products/", {"name": "x", "price": "1"})

        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF Failed")

    async def test_basic_authentication_runs_in_a_thread(self, ada: User) -> None:
        """A sync authenticator that queries users works; bad credentials answer 401."""
        ada.set_password("pw")
        await ada.asave()
        view = make_view(permissions.IsAuthenticated, authentication_classes=(BasicAuthentication,))

        good = await call(view, headers={"Authorization": "Basic YWRhOnB3"})
        bad = await call(view, headers={"Authorization": "Basic YWRhOnh4"})

        assert (good.status_code, good.data) == (200, {"user": "ada"})
        assert bad.status_code == 401
        assert bad["WWW-Authenticate"] == 'Basic realm="api"'

    @pytest.mark.parametrize("header", [None, "Bearer abc", "Digest x=1"])
    async def test_no_credentials_for_drf_authenticators_cost_no_crossing(
        self, header: str | None
    ) -> None:
        """Without a basic or token `Authorization` header, DRF's authenticators decline inline."""
        view = make_view(
            permissions.AllowAny,
            authentication_classes=(BasicAuthentication, TokenAuthentication),
        )
        headers = {} if header is None else {"Authorization": header}

        async with Diagnostics() as seen:
            response = await call(view, headers=headers)

        assert (response.status_code, response.data) == (200, {"user": ""})
        seen.assert_crossings(0)

    async def test_token_authentication_still_checks_tokens(self, ada: User) -> None:
        """A token header is still looked up (in a thread): a good one passes, a bad one is 401."""
        token = await Token.objects.acreate(user=ada)
        view = make_view(
            permissions.IsAuthenticated,
            authentication_classes=(BasicAuthentication, TokenAuthentication),
        )

        good = await call(view, headers={"Authorization": f"Token {token.key}"})
        bad = await call(view, headers={"Authorization": "Token nope"})

        assert (good.status_code, good.data) == (200, {"user": "ada"})
        assert bad.status_code == 401

    async def test_async_authenticator_is_awaited(self, ada: User) -> None:
        """An authenticator's `aauthenticate` is awaited."""

        class HeaderAuthentication(SessionAuthentication):
            async def aauthenticate(self, request: Request) -> tuple[User, None] | None:
                name = request.headers.get("X-User")
                return None if name is None else (await User.objects.aget(username=name), None)

        view = make_view(
            permissions.IsAuthenticated, authentication_classes=(HeaderAuthentication,)
        )

        response = await call(view, headers={"X-User": "ada"})

        assert response.data == {"user": "ada"}

    async def test_exception_handler_may_read_the_session_user(
        self, client: AsyncAPIClient, ada: User
    ) -> None:
        """An error raised before authentication still lets the handler read `request.user`."""
        await log_in(client, ada)

        response = await client.get("/whoami/", headers={"Accept": "application/xml"})

        assert response.status_code == 406
        assert response.json()["user"] == "ada"


class TestErrors:
    async def test_core_errors_map_to_drf_responses(self, ada: User) -> None:
        """A `restflow_core` error raised by user code answers like DRF's own."""

        class View(AsyncAPIView):
            async def get(self, request: Request) -> Response:
                raise NotFound("No such shelf.")

        response = await call(View.as_view(), ada)

        assert (response.status_code, response.data) == (404, {"detail": "No such shelf."})

    async def test_api_exceptions_keep_their_status(self, ada: User) -> None:
        """DRF exceptions raised in async handlers keep status and detail."""

        class Teapot(APIException):
            status_code = 418
            default_detail = "I am a teapot."

        class View(AsyncAPIView):
            async def get(self, request: Request) -> Response:
                raise Teapot()

        response = await call(View.as_view(), ada)

        assert (response.status_code, response.data) == (418, {"detail": "I am a teapot."})


class TestThrottles:
    async def test_throttled_requests_answer_429_with_retry_after(self, ada: User) -> None:
        """The third request in a minute is refused with `Retry-After`."""

        class TwoPerMinute(throttling.UserRateThrottle):
            rate = "2/min"
            scope = "restflow-test"

        from django.core.cache import cache

        await cache.aclear()
        view = make_view(permissions.AllowAny, throttle_classes=(TwoPerMinute,))

        statuses = [(await call(view, ada)).status_code for _ in range(3)]
        refused = await call(view, ada)

        assert statuses == [200, 200, 429]
        assert int(refused["Retry-After"]) > 0


class TestAsyncThrottles:
    async def test_concurrent_requests_cannot_pass_the_limit(self, ada: User) -> None:
        """Twenty simultaneous requests against 5/min: exactly five pass, the rest wait."""

        class FivePerMinute(AsyncUserRateThrottle):
            rate = "5/min"
            scope = "restflow-async-test"

        from django.core.cache import cache

        await cache.aclear()
        view = make_view(permissions.AllowAny, throttle_classes=(FivePerMinute,))

        responses = await asyncio.gather(*(call(view, ada) for _ in range(20)))

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] * 5 + [429] * 15
        refused = next(response for response in responses if response.status_code == 429)
        assert 0 < int(refused["Retry-After"]) <= 60

    async def test_caches_outside_the_process_count_too(self, ada: User) -> None:
        """With a file cache the counter goes through Django's `aadd` and a threaded `incr`."""
        from django.core.cache import caches

        files = caches["files"]

        class TwoPerMinute(AsyncUserRateThrottle):
            rate = "2/min"
            scope = "restflow-files-test"
            cache = files

        await files.aclear()
        view = make_view(permissions.AllowAny, throttle_classes=(TwoPerMinute,))

        statuses = [(await call(view, ada)).status_code for _ in range(3)]

        assert statuses == [200, 200, 429]

    async def test_scoped_throttle_reads_the_views_scope(self, ada: User) -> None:
        """`throttle_scope` on the view picks the rate from `DEFAULT_THROTTLE_RATES`."""
        from django.core.cache import cache

        await cache.aclear()
        view = make_view(
            permissions.AllowAny,
            throttle_classes=(AsyncScopedRateThrottle,),
            throttle_scope="uploads",
        )

        statuses = [(await call(view, ada)).status_code for _ in range(3)]

        assert statuses == [200, 200, 429]


class TestTransientDatabaseErrors:
    async def test_locked_database_answers_503_with_retry_after(self, ada: User) -> None:
        """A database refusal that a retry may get past is a 503, not a 500."""

        class Locked(AsyncAPIView):
            async def get(self, request: Request) -> Response:
                raise OperationalError("database is locked")

        response = await call(Locked.as_view(), ada)

        assert response.status_code == 503
        assert response.data == {"detail": "The database is busy; retry the request."}
        assert response["Retry-After"] == "1"

    async def test_other_operational_errors_stay_server_errors(self, ada: User) -> None:
        """Anything else is not retried blindly: it propagates as a 500."""

        class Broken(AsyncAPIView):
            async def get(self, request: Request) -> Response:
                raise OperationalError("no such table: nowhere")

        with pytest.raises(OperationalError):
            await call(Broken.as_view(), ada)


class MixedHandlers(AsyncAPIView):
    """A view whose `get` is a plain method and whose `post` is `async def`."""

    permission_classes = (permissions.AllowAny,)

    def get(self, request: Request) -> Response:
        return Response({"thread": threading.get_ident()})

    async def post(self, request: Request) -> Response:
        return Response({"thread": threading.get_ident()}, status=201)


class TestMixedHandlers:
    async def test_sync_and_async_handlers_share_a_view(self) -> None:
        """`def get` runs in a thread and `async def post` on the loop, in one view class."""
        view: Any = MixedHandlers.as_view()
        factory = AsyncAPIRequestFactory()

        got = await view(factory.get("/"))
        posted = await view(factory.post("/", {}))

        assert (got.status_code, posted.status_code) == (200, 201)
        assert posted.data["thread"] == threading.get_ident()
        assert got.data["thread"] != threading.get_ident()


class RedirectsAnonymous(AsyncAPIView):
    """A DRF-style sync `dispatch` that answers early for some requests."""

    permission_classes = (permissions.AllowAny,)

    @override
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if "go" not in request.GET:
            return HttpResponseRedirect("/elsewhere/")
        return super().dispatch(request, *args, **kwargs)

    async def get(self, request: Request) -> Response:
        return Response({"went": True})


class TestSyncDispatchOverride:
    async def test_early_answer_and_fall_through_both_work(self) -> None:
        """An early `return` of a sync `dispatch` is the response; otherwise the view answers."""
        view: Any = RedirectsAnonymous.as_view()
        factory = AsyncAPIRequestFactory()

        early = await view(factory.get("/"))
        through = await view(factory.get("/?go=1"))

        assert (early.status_code, early["Location"]) == (302, "/elsewhere/")
        assert (through.status_code, through.data) == (200, {"went": True})


class TestActionDecorator:
    def test_missing_detail_is_drfs_assertion(self) -> None:
        """`@action()` without `detail` raises DRF's `AssertionError` with DRF's message."""
        with pytest.raises(AssertionError, match="missing required argument: 'detail'"):
            action(methods=["get"])
