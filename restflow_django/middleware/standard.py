"""Django's standard middleware, with the hooks that cannot block run on the event loop.

Under ASGI, each of Django's `MiddlewareMixin` middlewares hands its `process_request` and
`process_response` to a thread, one hop each, although most of them only read headers and
set attributes. The classes here are Django's own, subclassed: a hook runs on the event
loop when, for this request, it reads and writes nothing but the request and the response
in memory, and in a thread as before when it may touch the database, the cache, a file or
a template (a session that must be saved, messages that were used, CSRF tokens kept in
the session, a CSRF refusal's page). Their behaviour is Django's.

Name them in `MIDDLEWARE` in place of Django's, or let
`restflow_django.middleware.async_middleware` swap them in. Under WSGI they behave, and
cost, exactly as Django's classes.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, security
from django.utils.deprecation import MiddlewareMixin
from typing_extensions import override

__all__ = [
    "AuthenticationMiddleware",
    "CommonMiddleware",
    "CsrfViewMiddleware",
    "MessageMiddleware",
    "SecurityMiddleware",
    "SessionMiddleware",
    "XFrameOptionsMiddleware",
]

_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))


class LoopHooksMixin(MiddlewareMixin):
    """`MiddlewareMixin`'s async call, with each hook run on the event loop unless
    `request_blocks`/`response_blocks` say that this time it may block."""

    def request_blocks(self, request: HttpRequest) -> bool:
        """Whether `process_request` may block for `request` (by default, never)."""
        return False

    def response_blocks(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """Whether `process_response` may block for `response` (by default, never)."""
        return False

    @override
    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Django's async call: each hook on the loop, or in a thread when it may block."""
        response: HttpResponseBase | None = None
        process_request = getattr(self, "process_request", None)
        if process_request is not None:
            if self.request_blocks(request):
                response = await sync_to_async(process_request, thread_sensitive=True)(request)
            else:
                response = process_request(request)
        response = response or await self.get_response(request)  # type: ignore[misc]
        process_response = getattr(self, "process_response", None)
        if process_response is not None:
            if self.response_blocks(request, response):
                response = await sync_to_async(process_response, thread_sensitive=True)(
                    request, response
                )
            else:
                response = process_response(request, response)
        assert response is not None  # Django's hooks return a response
        return response


class SecurityMiddleware(LoopHooksMixin, security.SecurityMiddleware):
    """Django's `SecurityMiddleware`: redirects and headers, always on the loop."""


class CommonMiddleware(LoopHooksMixin, common.CommonMiddleware):
    """Django's `CommonMiddleware`: user agents, `APPEND_SLASH` (a URL lookup) and
    `Content-Length`, always on the loop."""


class AuthenticationMiddleware(LoopHooksMixin, auth.AuthenticationMiddleware):
    """Django's `AuthenticationMiddleware`: `request.user` stays lazy, set on the loop; the
    user is read from the database where it is first used."""


class XFrameOptionsMiddleware(LoopHooksMixin, clickjacking.XFrameOptionsMiddleware):
    """Django's `XFrameOptionsMiddleware`: one header, on the loop."""


class SessionMiddleware(LoopHooksMixin, sessions.SessionMiddleware):
    """Django's `SessionMiddleware`: the lazy session is attached on the loop; the response
    goes to a thread only when the session is to be saved."""

    @override
    def response_blocks(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        session: Any = getattr(request, "session", None)
        if session is None:
            return False
        must_save = session.modified or settings.SESSION_SAVE_EVERY_REQUEST
        # Django reads the session's expiry (a load) before it skips the save of a 5xx.
        return bool(must_save and not session.is_empty())


class CsrfViewMiddleware(LoopHooksMixin, csrf.CsrfViewMiddleware):
    """Django's `CsrfViewMiddleware`: with the token in a cookie, reading and setting it
    happens on the loop, and so does the check of an exempt view (every DRF and restflow
    view) or a safe method. A check that may refuse (it then renders Django's failure
    page) and tokens kept in the session run in a thread."""

    @override
    def request_blocks(self, request: HttpRequest) -> bool:
        return bool(settings.CSRF_USE_SESSIONS)

    @override
    def response_blocks(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        return bool(settings.CSRF_USE_SESSIONS)

    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        if iscoroutinefunction(get_response):
            # Django's async handler awaits a coroutine `process_view` where it is, and
            # hands a plain one to a thread; its sync handler calls the plain one.
            setattr(self, "process_view", self.aprocess_view)  # noqa: B010

    async def aprocess_view(
        self, request: HttpRequest, callback: Any, callback_args: Any, callback_kwargs: Any
    ) -> HttpResponseBase | None:
        """Django's check, on the loop when it can only accept the request."""
        check = super().process_view  # Django's
        arguments = (request, callback, callback_args, callback_kwargs)
        exempt = getattr(callback, "csrf_exempt", False) or request.method in _SAFE_METHODS
        if exempt and not settings.CSRF_USE_SESSIONS:
            return check(*arguments)
        return await sync_to_async(check, thread_sensitive=True)(*arguments)


class MessageMiddleware(LoopHooksMixin, messages.MessageMiddleware):
    """Django's `MessageMiddleware`: its storage is attached on the loop; the response goes
    to a thread only when messages were read or added (they may live in the session)."""

    @override
    def response_blocks(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        storage: Any = getattr(request, "_messages", None)
        return storage is not None and bool(storage.used or storage.added_new)
