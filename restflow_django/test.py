"""Async test tools: `AsyncAPIClient`, `AsyncAPIRequestFactory` and `AsyncAPITestCase`.

Used like DRF's `APIClient` and `APIRequestFactory`, but awaited. Bodies are sent as JSON
unless `format=` or `content_type=` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from django.test import (
    AsyncClient,
    AsyncRequestFactory,
    LiveServerTestCase,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
)
from django.test.client import AsyncClientHandler
from django.utils.encoding import force_bytes
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings
from rest_framework.test import force_authenticate
from typing_extensions import override

if TYPE_CHECKING:
    # What Django's async client answers, as its stubs name it.
    from django.test.client import _MonkeyPatchedASGIResponse as ASGIResponse

__all__ = [
    "AsyncAPIClient",
    "AsyncAPIClientsMixin",
    "AsyncAPILiveServerTestCase",
    "AsyncAPIRequestFactory",
    "AsyncAPISimpleTestCase",
    "AsyncAPITestCase",
    "AsyncAPITransactionTestCase",
    "aclose_thread_connections",
    "force_authenticate",
]


def encode_body(data: Any, format: str | None, content_type: str | None) -> tuple[bytes, str]:
    """Render `data` with DRF's test renderer for `format` (by default
    `TEST_REQUEST_DEFAULT_FORMAT`, JSON unless set).

    With `content_type`, `data` is sent as it is (strings and bytes unchanged).
    """
    if format is not None and content_type is not None:
        raise ValueError("pass `format` or `content_type`, not both")
    if data is None:
        return b"", content_type or "application/octet-stream"
    if content_type is not None:
        return force_bytes(data, settings.DEFAULT_CHARSET), content_type
    # DRF imports the classes this setting names; its stubs type them as strings.
    renderer_classes: list[type[BaseRenderer]] = cast(
        Any, api_settings
    ).TEST_REQUEST_RENDERER_CLASSES
    renderers = {renderer.format: renderer for renderer in renderer_classes}
    wanted = format or api_settings.TEST_REQUEST_DEFAULT_FORMAT
    if wanted not in renderers:
        raise ValueError(f"no test renderer for format {wanted!r}; known: {sorted(renderers)}")
    renderer = renderers[wanted]()
    body = renderer.render(data)
    media_type = renderer.media_type
    if renderer.charset:
        media_type = f"{media_type}; charset={renderer.charset}"
    return force_bytes(body, renderer.charset or settings.DEFAULT_CHARSET), media_type


async def aclose_thread_connections() -> None:
    """Close the database connections opened by async views' sync work.

    Sync steps run in asgiref's shared thread, which keeps its own connections; call this
    when a test ends (pytest-django's `transaction=True` tests, for instance) so the test
    database can be dropped and no connection outlives the test.
    """
    await sync_to_async(connections.close_all)()


def with_meta_headers(
    headers: Mapping[str, Any] | None, extra: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move DRF-style `HTTP_*` keyword arguments out of `extra` into `headers`.

    DRF's test client takes headers as WSGI `META` names (`HTTP_AUTHORIZATION=...`); Django's
    async client would send each as a header named after the key itself.
    """
    merged = {
        key[5:].replace("_", "-").lower(): value
        for key, value in extra.items()
        if key.startswith("HTTP_")
    }
    merged.update({key.lower(): value for key, value in (headers or {}).items()})
    rest = {key: value for key, value in extra.items() if not key.startswith("HTTP_")}
    return merged, rest


class DrfStyleHeadersMixin:
    """Takes headers as DRF's test tools do: `HTTP_*` keyword arguments, and credentials.

    For Django's async request factory and client, whose `generic` sends every other keyword
    argument as a header named after the key.
    """

    _credentials: dict[str, Any] = {}  # noqa: RUF012  # replaced, never changed in place

    def __init__(self, *args: Any, headers: Mapping[str, Any] | None = None, **defaults: Any):
        """Take default headers as DRF's tools do: `headers={...}` or `HTTP_*` arguments."""
        self._default_headers, rest = with_meta_headers(headers, defaults)
        super().__init__(*args, **rest)

    def generic(
        self,
        method: str,
        path: Any,
        data: Any = "",
        content_type: str | None = "application/octet-stream",
        secure: bool = False,
        *,
        headers: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Any:
        """Django's `generic`, with the default headers, `HTTP_*` arguments and the
        credentials sent as headers."""
        given, rest = with_meta_headers(headers, {**extra, **self._credentials})
        merged = {**self._default_headers, **given}
        return super().generic(  # type: ignore[misc]  # a mixin for Django's factories
            method, path, data, content_type, secure, headers=merged, **rest
        )


class _ForceAuthAsyncClientHandler(AsyncClientHandler):
    """Marks each request as authenticated as the client's forced user."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.force_user: Any = None
        self.force_token: Any = None
        super().__init__(*args, **kwargs)

    @override
    async def get_response_async(self, request: HttpRequest) -> Any:
        force_authenticate(request, self.force_user, self.force_token)
        return await super().get_response_async(request)


class _NotAwaited:
    """What a plain call of the client returns: awaiting it says what to write instead."""

    def __await__(self) -> Any:
        raise TypeError(
            "`client.force_authenticate(...)` is a plain call, not a coroutine: write it "
            "without `await`."
        )


_NOT_AWAITED = _NotAwaited()


class AsyncAPIClient(DrfStyleHeadersMixin, AsyncClient):
    """An awaited `APIClient`: `await client.post(path, data)` sends JSON; `.json()` reads.

    As with DRF's `APIClient`, headers may be given as `HTTP_*` keyword arguments, and
    `credentials(**headers)` adds headers to every later request.
    """

    def __init__(self, enforce_csrf_checks: bool = False, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks=enforce_csrf_checks, **defaults)
        self.handler: AsyncClientHandler = _ForceAuthAsyncClientHandler(enforce_csrf_checks)
        self._credentials = {}

    def credentials(self, **headers: Any) -> None:
        """Send `headers` (`HTTP_AUTHORIZATION="Token ..."`, say) with every later request.

        Each call replaces the previous headers; `credentials()` stops sending them.
        """
        self._credentials = headers

    def force_authenticate(self, user: Any = None, token: Any = None) -> None:
        """Send every later request as `user` (and `token`); with neither, `logout()`.

        It is a plain call, not awaited: `await` on it raises a `TypeError` saying so.
        """
        handler = self._force_handler()
        handler.force_user = user
        handler.force_token = token
        if user is None and token is None:
            self.logout()
        return cast(None, _NOT_AWAITED)

    @override
    def logout(self) -> None:
        """Stop forcing authentication, drop the credentials, and end any session."""
        self._forget_authentication()
        if settings.SESSION_COOKIE_NAME in self.cookies:
            super().logout()

    @override
    async def alogout(self) -> None:
        """`logout()` for async code: the session is ended without blocking the loop."""
        self._forget_authentication()
        if settings.SESSION_COOKIE_NAME in self.cookies:
            await sync_to_async(super().logout)()

    def _forget_authentication(self) -> None:
        self._credentials = {}
        handler = self._force_handler()
        handler.force_user = handler.force_token = None

    def _force_handler(self) -> _ForceAuthAsyncClientHandler:
        handler = self.handler
        assert isinstance(handler, _ForceAuthAsyncClientHandler)
        return handler

    async def _send(
        self,
        send: Any,
        path: str,
        data: Any,
        format: str | None,
        content_type: str | None = None,
        **extra: Any,
    ) -> ASGIResponse:
        body, media_type = encode_body(data, format, content_type)
        response: ASGIResponse = await send(path, body, content_type=media_type, **extra)
        return response

    @override
    async def post(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> ASGIResponse:
        """POST `data` rendered as `format` (JSON by default)."""
        return await self._send(super().post, path, data, format, **extra)

    @override
    async def put(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> ASGIResponse:
        """PUT `data` rendered as `format` (JSON by default)."""
        return await self._send(super().put, path, data, format, **extra)

    @override
    async def patch(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> ASGIResponse:
        """PATCH `data` rendered as `format` (JSON by default)."""
        return await self._send(super().patch, path, data, format, **extra)

    @override
    async def delete(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> ASGIResponse:
        """DELETE, with `data` rendered as `format` when given."""
        return await self._send(super().delete, path, data, format, **extra)


class AsyncAPIRequestFactory(DrfStyleHeadersMixin, AsyncRequestFactory):
    """Builds requests for calling async views directly; bodies are JSON by default."""

    def request_with_body(
        self,
        method: str,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        """Return a `method` request whose body is `data` rendered as `format`."""
        body, media_type = encode_body(data, format, content_type)
        return self.generic(method, path, body, media_type, **extra)

    @override
    def post(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> Any:
        """Build a POST request with `data` rendered as `format` (JSON by default)."""
        return self.request_with_body("POST", path, data, format, **extra)

    @override
    def put(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> Any:
        """Build a PUT request with `data` rendered as `format` (JSON by default)."""
        return self.request_with_body("PUT", path, data, format, **extra)

    @override
    def patch(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> Any:
        """Build a PATCH request with `data` rendered as `format` (JSON by default)."""
        return self.request_with_body("PATCH", path, data, format, **extra)

    @override
    def delete(  # type: ignore[override]  # adds DRF's `format`
        self, path: str, data: Any = None, format: str | None = None, **extra: Any
    ) -> Any:
        """Build a DELETE request with `data` rendered as `format` (JSON by default)."""
        return self.request_with_body("DELETE", path, data, format, **extra)


class AsyncAPIClientsMixin:
    """`self.client` and `self.async_client` are both `AsyncAPIClient`s: await their calls.

    For sync tests against async views keep DRF's `APITestCase` and `APIClient`: they work
    unchanged.
    """

    client_class = AsyncAPIClient
    async_client_class = AsyncAPIClient
    client: AsyncAPIClient
    async_client: AsyncAPIClient


class AsyncAPISimpleTestCase(AsyncAPIClientsMixin, SimpleTestCase):  # type: ignore[misc]  # async `client`
    """A `SimpleTestCase` (no database) with async API clients."""


class AsyncAPITestCase(AsyncAPIClientsMixin, TestCase):  # type: ignore[misc]  # async `client`
    """A `TestCase` with async API clients (`self.client`, `self.async_client`).

    Each test runs in a transaction rolled back afterwards, async ORM calls included, so
    rows written by one test are gone in the next.
    """


class AsyncAPITransactionTestCase(AsyncAPIClientsMixin, TransactionTestCase):  # type: ignore[misc]  # async `client`
    """A `TransactionTestCase` with async API clients: each test's writes are committed
    (`on_commit` callbacks run) and the tables emptied afterwards."""


class AsyncAPILiveServerTestCase(AsyncAPIClientsMixin, LiveServerTestCase):  # type: ignore[misc]  # async `client`
    """A `LiveServerTestCase` with async API clients; `self.live_server_url` serves the
    project for outside clients."""
