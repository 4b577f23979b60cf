"""Authentication on the event loop: DRF's authenticators, each run where it cannot block."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import exceptions
from rest_framework import permissions as drf_permissions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.request import ForcedAuthentication, Request

from restflow_django._hooks import (
    aask,
    asks_on_the_loop,
    has_async_code_of_its_own,
    has_async_twin,
    overrides,
    runs_inline,
)
from restflow_django.throttling import AsyncRateThrottleMixin


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
        if no_session_to_read(django_request):
            auser = getattr(django_request, "auser", None)
            if auser is not None:
                # Django's async API resolves the anonymous user without a query, and DRF
                # then finds it resolved. (With a session, DRF's sync check below reads it
                # and its user in one thread hop, where `auser` takes two.)
                django_request.user = await auser()
            # Without authentication middleware, DRF's session check has nothing to load.
            return authenticator.authenticate(request)
    if isinstance(authenticator, SessionAuthentication):
        # DRF's session check is pure only with no session to read (above): in a thread.
        return await sync_to_async(authenticator.authenticate)(request)
    return await aask(authenticator, "authenticate", request)


def no_session_to_read(django_request: Any) -> bool:
    """Whether session authentication of `django_request` costs no query: it has no
    session cookie, or no authentication middleware put a user on it."""
    return (
        settings.SESSION_COOKIE_NAME not in django_request.COOKIES
        and hasattr(django_request, "auser")
    ) or not hasattr(django_request, "user")


async def aprepare(request: Request) -> None:
    """Let each authenticator that can check part of the credentials on the loop do so
    (`aprepare(request)`), before the rest of authentication runs in a thread hop.

    `aprepare` returns the refusal its `authenticate` will raise, if any. The first
    authenticator's refusal ends the request here, as DRF would end it, at no crossing;
    a later one's waits for its turn in DRF's order.
    """
    for index, authenticator in enumerate(request.authenticators or ()):
        prepare = getattr(authenticator, "aprepare", None)
        refusal = None if prepare is None else await prepare(request)
        if refusal is not None and index == 0:
            cast(Any, request)._not_authenticated()
            raise refusal


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


# The view hooks whose overrides change how a request is authenticated and admitted.
_ADMISSION_HOOKS = ("initial", "perform_authentication", "check_permissions", "check_throttles")
# Overrides that may read `request.user` before it is known, or pick classes per request.
_CHOSEN_PER_REQUEST = ("get_permissions", "get_throttles")


# What a view class, with its authenticators and permission classes, allows (see
# `joins_the_first_hop`): decided once for each combination, read by every request.
_ADMISSION: dict[tuple[Any, ...], tuple[bool, bool]] = {}


def _admits_in_thread(view_class: type) -> bool:
    """Whether `view_class` leaves authentication, permissions and throttles to restflow
    (no override of its own, sync or async), so they may run inside an action's thread hop."""
    return not any(
        overrides(view_class, name) or overrides(view_class, f"a{name}")
        for name in _ADMISSION_HOOKS
    ) and not any(overrides(view_class, name) for name in _CHOSEN_PER_REQUEST)


def _sync_alone(obj: Any, method: str) -> bool:
    """Whether `obj`'s `method` answers from sync code alone, in a thread, as its async twin
    would on the loop: no `async def` of the user's beside it, the method itself sync."""
    cls = type(obj)
    return not inspect.iscoroutinefunction(getattr(cls, method, None)) and not (
        has_async_code_of_its_own(cls)
    )


def _every_leaf(permission: Any, test: Callable[[Any], bool]) -> bool:
    """Whether `test` holds for every permission inside a combination (`&`, `|`, `~`)."""
    combined: Any = permission
    if isinstance(permission, drf_permissions.AND | drf_permissions.OR):
        return _every_leaf(combined.op1, test) and _every_leaf(combined.op2, test)
    if isinstance(permission, drf_permissions.NOT):
        return _every_leaf(combined.op1, test)
    return test(permission)


def _permission_in_thread(permission: Any) -> bool:
    return _sync_alone(permission, "has_permission")


def _counts_on_the_loop(throttle: Any) -> bool:
    """Whether asking `throttle` on the loop costs no thread hop: restflow's rate throttles
    over Django's in-process (LocMem) cache."""
    return (
        isinstance(throttle, AsyncRateThrottleMixin)
        and has_async_twin(throttle, "allow_request")
        and isinstance(throttle.cache, LocMemCache)
    )


def _answers_on_the_loop(permission: Any) -> bool:
    """Whether asking `permission` on the loop costs no thread hop of its own, by the rule
    that asks it (`aask`): a pass-through `ahas_permission` counts as its sync check."""
    return asks_on_the_loop(permission, "has_permission")


def _admission_plan(view: Any, authenticators: Sequence[Any]) -> tuple[bool, bool]:
    """For the view's class and configuration: whether its checks may run in a thread hop
    with the same outcome, and whether its permissions answer on the loop at no hop."""
    permissions, throttles = view.get_permissions(), view.get_throttles()
    may = (
        _admits_in_thread(type(view))
        and all(_sync_alone(each, "authenticate") for each in authenticators)
        and all(_every_leaf(each, _permission_in_thread) for each in permissions)
        and all(_sync_alone(each, "allow_request") for each in throttles)
    )
    free_on_the_loop = all(_every_leaf(each, _answers_on_the_loop) for each in permissions) and all(
        _counts_on_the_loop(each) for each in throttles
    )
    return may, free_on_the_loop


def _known_on_the_loop(authenticator: Any, request: Request) -> bool:
    """Whether `authenticator` answers on the loop without a thread hop of its own: the
    same cases `_aauthenticate_with` answers there (a forced user, a scheme the request
    does not use, a session check with no session to read)."""
    if isinstance(authenticator, ForcedAuthentication) or declines_at_once(authenticator, request):
        return True
    return (
        isinstance(authenticator, SessionAuthentication)
        and not overrides(cast(Any, type(authenticator)), "authenticate")
        and no_session_to_read(request._request)
    )


def joins_the_first_hop(view: Any, request: Request) -> bool:
    """Whether `request`'s authentication, permission and throttle checks run first in the
    action's thread hop, where they cost no hop of their own.

    They do when that saves a hop (an authenticator, a permission or a throttle would cross
    on the loop) and keeps the outcome: the action is one of restflow's own, the view
    overrides none of the admission hooks, and every authenticator, permission and throttle
    answers from sync code alone (restflow's rate throttles count as atomically there as on
    the loop). All but the request's credentials is decided once for the view's class and
    configuration.
    """
    handler = getattr(view, (request.method or "").lower(), None)
    if not getattr(handler, "restflow_admits_in_its_hop", False):
        return False
    authenticators = request.authenticators or ()
    key = (
        type(view),
        tuple(view.throttle_classes),
        tuple(map(type, authenticators)),
        tuple(view.permission_classes),
    )
    plan = _ADMISSION.get(key)
    if plan is None:
        plan = _ADMISSION[key] = _admission_plan(view, authenticators)
    may, free_on_the_loop = plan
    return may and (
        not free_on_the_loop
        or not all(_known_on_the_loop(each, request) for each in authenticators)
    )
