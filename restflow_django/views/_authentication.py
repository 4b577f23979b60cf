"""Authentication on the event loop: DRF's authenticators, each run where it cannot block."""

from __future__ import annotations

from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.request import ForcedAuthentication, Request

from restflow_django._hooks import has_async_twin
from restflow_django._sync import runs_inline


async def aauthenticate(request: Request) -> None:
    """Authenticate `request` with each of its authenticators, never blocking the loop.

    Mirrors DRF's `Request._authenticate`: the first authenticator returning a user wins;
    one that raises leaves the request anonymous and the error propagates.
    """
    # The stubs omit the private hooks DRF's own `_authenticate` uses.
    internals = cast(Any, request)
    for authenticator in request.authenticators or ():
        try:
            user_auth = await _aauthenticate_with(authenticator, request)
        except exceptions.APIException:
            internals._not_authenticated()
            raise
        if user_auth is not None:
            internals._authenticator = authenticator
            request.user, request.auth = user_auth
            return
    internals._not_authenticated()


async def _aauthenticate_with(authenticator: Any, request: Request) -> Any:
    if has_async_twin(authenticator, "authenticate"):
        return await authenticator.aauthenticate(request)
    if isinstance(authenticator, ForcedAuthentication) or declines_at_once(authenticator, request):
        return authenticator.authenticate(request)
    if isinstance(authenticator, SessionAuthentication) and runs_inline(
        authenticator, "authenticate"
    ):
        django_request = request._request
        auser = getattr(django_request, "auser", None)
        if auser is not None and settings.SESSION_COOKIE_NAME not in django_request.COOKIES:
            # No session to read: Django's async API resolves the anonymous user without a
            # query, and DRF then finds it resolved. (With a session, DRF's sync check
            # below reads it and its user in one thread hop, where `auser` takes two.)
            django_request.user = await auser()
            return authenticator.authenticate(request)
        if not hasattr(django_request, "user"):
            # No authentication middleware: DRF's session check has nothing to load.
            return authenticator.authenticate(request)
    return await sync_to_async(authenticator.authenticate)(request)


def declines_at_once(authenticator: Any, request: Request) -> bool:
    """Whether DRF's own `authenticate` of `authenticator` returns `None` without a query.

    DRF's basic and token authentication answer `None` straight away when the request's
    `Authorization` header is missing or names another scheme; only then may they run on
    the event loop.
    """
    if isinstance(authenticator, BasicAuthentication):
        drf_class: type[BaseAuthentication] = BasicAuthentication
        scheme = "basic"
    elif isinstance(authenticator, TokenAuthentication):
        drf_class, scheme = TokenAuthentication, str(authenticator.keyword)
    else:
        return False
    if type(authenticator).authenticate is not drf_class.authenticate:
        return False
    words = get_authorization_header(request).split()
    return not words or words[0].lower() != scheme.lower().encode()
