"""djangorestframework-simplejwt's authentication, async-aware: the `jwt` extra.

restflow writes no token cryptography: these classes are simplejwt's, with its settings
(`SIMPLE_JWT`), its tokens and its error messages. What they add is where the work runs:

- the token is checked on the loop (a signature and a few claims: no I/O; with simplejwt's
  blacklist app, whose check queries, it moves to a thread by itself), also when the rest
  of authentication runs in the action's thread hop (`aprepare`);
- the user is loaded without a thread hop of its own: in a default action, restflow admits
  the request inside the action's one thread hop, where simplejwt's own `authenticate`
  runs; elsewhere `aauthenticate` loads it with one hop (`JWTAuthentication`) or none at
  all (`JWTStatelessUserAuthentication`, whose user is built from the token).

    pip install "restflow-async[jwt]"

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["restflow_django.jwt.JWTAuthentication"],
    }

simplejwt's views that issue and refresh tokens (`TokenObtainPairView`, ...) are sync DRF
views and stay as they are.
"""

from __future__ import annotations

import functools
from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt import authentication as simplejwt
from typing_extensions import override

from restflow_django._hooks import acall
from restflow_django._sync import aon_loop_else_thread
from restflow_django.authentication import BaseAuthentication, Credentials

__all__ = ["JWTAuthentication", "JWTStatelessUserAuthentication", "SimpleJWTAuthentication"]


_UNCHECKED: Any = object()


class JWTAuthentication(BaseAuthentication, simplejwt.JWTAuthentication):
    """simplejwt's `JWTAuthentication` (`Authorization: Bearer <token>`), the token checked on
    the loop and the user loaded with no thread hop of its own in a default action."""

    # What `aprepare` found on the loop, for `authenticate` in the action's thread hop.
    _checked: Any = _UNCHECKED

    @override
    async def aauthenticate(self, request: Request) -> Credentials | None:
        """The token's user and the validated token, or `None` when the request sends none."""
        validated = await aon_loop_else_thread(functools.partial(self._validated, request))
        return None if validated is None else (await self.aget_user(validated), validated)

    async def aprepare(self, request: Request) -> exceptions.APIException | None:
        """Check the token on the loop, before the rest of authentication runs in the
        action's thread hop; return what is wrong with it, which `authenticate` raises in
        its turn."""
        try:
            self._checked = await aon_loop_else_thread(functools.partial(self._validated, request))
        except exceptions.APIException as error:
            self._checked = error
            return error
        return None

    @override
    def authenticate(self, request: Request) -> Credentials | None:
        """simplejwt's `authenticate`, with the token `aprepare` checked on the loop."""
        checked, self._checked = self._checked, _UNCHECKED
        if checked is _UNCHECKED:
            return super().authenticate(request)
        if isinstance(checked, exceptions.APIException):
            raise checked
        return None if checked is None else (self.get_user(checked), checked)

    def _validated(self, request: Request) -> Any:
        """The request's validated token, `None` when it sends none (simplejwt's rules)."""
        header: bytes | None = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        return None if raw_token is None else self.get_validated_token(raw_token)

    async def aget_user(self, validated_token: Any) -> Any:
        """simplejwt's `get_user`: in a thread when it reads the database, else right here."""
        return await acall(self, "get_user", validated_token)


class JWTStatelessUserAuthentication(JWTAuthentication, simplejwt.JWTStatelessUserAuthentication):
    """simplejwt's `JWTStatelessUserAuthentication`: the user is built from the token's claims,
    on the loop, with no query and no thread hop."""

    @override
    async def aget_user(self, validated_token: Any) -> Any:
        """A `TokenUser` made from the token's claims."""
        return self.get_user(validated_token)


# drf-restflow's name for simplejwt's authentication.
SimpleJWTAuthentication = JWTAuthentication
