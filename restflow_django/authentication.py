"""DRF's authentication classes with an async surface: `aauthenticate`, awaited by
restflow's views wherever they authenticate (the actions, the browsable API, `OPTIONS`).

Each reads the request as DRF's class does (the same headers, the same messages for a
malformed one) and awaits only what may block: the token's row, the session's user,
Django's `aauthenticate` for a password or a remote user. An authenticator of your own
derives from `BaseAuthentication` and overrides `async def aauthenticate(request)`, or
keeps a DRF-style sync `authenticate`, which restflow runs where it cannot block the loop.
"""

from __future__ import annotations

from typing import Any, cast

from asgiref.sync import sync_to_async
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication as drf
from rest_framework import exceptions
from rest_framework.request import Request
from typing_extensions import override

from restflow_django._hooks import acall, overrides, passes_through
from restflow_django._sync import aon_loop_else_thread

__all__ = [
    "BaseAuthentication",
    "BasicAuthentication",
    "RemoteUserAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
]

Credentials = tuple[Any, Any]


class BaseAuthentication(drf.BaseAuthentication):
    """DRF's `BaseAuthentication` with `aauthenticate`: `(user, auth)`, or `None` to let the
    next authenticator try; raise `AuthenticationFailed` to refuse."""

    @passes_through
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """Authenticate `request`: `authenticate`, by default, where it cannot block."""
        found: Credentials | None = await acall(self, "authenticate", request)
        return found


class TokenAuthentication(BaseAuthentication, drf.TokenAuthentication):
    """DRF's `TokenAuthentication` (`Authorization: Token <key>`), the token read with the
    async ORM."""

    @override
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """The token's user, or `None` when the request names no token."""
        key = _credentials_in_header(self, request)
        return None if key is None else await self.aauthenticate_credentials(*key)

    async def aauthenticate_credentials(self, key: str) -> Credentials:
        """The user of token `key`; `AuthenticationFailed` for an unknown token or user.

        An `authenticate_credentials` of your own (sync, DRF's way) runs instead.
        """
        if overrides(cast(Any, type(self)), "authenticate_credentials"):
            found: Credentials = await acall(self, "authenticate_credentials", key)
            return found
        model: Any = self.get_model()
        try:
            token = await model.objects.select_related("user").aget(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class BasicAuthentication(BaseAuthentication, drf.BasicAuthentication):
    """DRF's `BasicAuthentication`, the password checked through Django's `aauthenticate`
    (the hashing in a thread; the loop goes on meanwhile)."""

    @override
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """The user the credentials name, or `None` when the request sends none."""
        given = _credentials_in_header(self, request)
        return None if given is None else await self.aauthenticate_credentials(*given)

    async def aauthenticate_credentials(
        self, userid: str, password: str, request: Any = None
    ) -> Credentials:
        """The user of `userid` and `password`; `AuthenticationFailed` otherwise.

        An `authenticate_credentials` of your own (sync, DRF's way) runs instead.
        """
        if overrides(cast(Any, type(self)), "authenticate_credentials"):
            found: Credentials = await acall(
                self, "authenticate_credentials", userid, password, request
            )
            return found
        user_model: Any = get_user_model()
        credentials = {user_model.USERNAME_FIELD: userid, "password": password}
        user = await _aauthenticate(request=request, **credentials)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, None


class SessionAuthentication(BaseAuthentication, drf.SessionAuthentication):
    """DRF's `SessionAuthentication`: the session's user read with Django's async `auser`,
    and DRF's CSRF check for unsafe methods."""

    @override
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """The session's active user, or `None`; a refused CSRF check is a 403."""
        django_request = request._request
        auser = getattr(django_request, "auser", None)
        if auser is None:
            # Django 4.2, or no authentication middleware: DRF's own check, in a thread
            # when it reads the session.
            found: Credentials | None = await aon_loop_else_thread(
                lambda: self.authenticate(request)
            )
            return found
        user = await auser()
        # The request's lazy `user` would read the session again.
        django_request.user = user
        if not user or not user.is_active:
            return None
        # The CSRF check reads a cookie; with CSRF_USE_SESSIONS, the session (a thread).
        await aon_loop_else_thread(lambda: self.enforce_csrf(request))
        return user, None


class RemoteUserAuthentication(BaseAuthentication, drf.RemoteUserAuthentication):
    """DRF's `RemoteUserAuthentication` (the user a front server names in `REMOTE_USER`),
    through Django's `aauthenticate`."""

    @override
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """The active user the header names, or `None`."""
        remote_user = request.META.get(self.header)
        user = await _aauthenticate(request=request._request, remote_user=remote_user)
        if user is not None and user.is_active:
            return user, None
        return None


def _credentials_in_header(authenticator: Any, request: Request) -> tuple[Any, ...] | None:
    """What DRF's `authenticate` of `authenticator` reads from the `Authorization` header
    and hands to `authenticate_credentials`, or `None` when it names another scheme.

    DRF's own parsing runs, on the loop (it only reads the header), with its messages for a
    malformed header; the lookup it would then make is left to the caller to await.
    """
    given: list[tuple[Any, ...]] = []

    def hand_over(*credentials: Any) -> None:
        given.append(credentials)

    drf_class: Any = drf.TokenAuthentication
    if isinstance(authenticator, drf.BasicAuthentication):
        drf_class = drf.BasicAuthentication
    authenticator.__dict__["authenticate_credentials"] = hand_over
    try:
        drf_class.authenticate(authenticator, request)
    finally:
        del authenticator.__dict__["authenticate_credentials"]
    return given[0] if given else None


async def _aauthenticate(**credentials: Any) -> Any:
    """Django's `aauthenticate` (5.0+), else its `authenticate` in a thread."""
    aauthenticate = getattr(auth, "aauthenticate", None)
    if aauthenticate is not None:
        return await aauthenticate(**credentials)
    return await sync_to_async(auth.authenticate)(**credentials)
