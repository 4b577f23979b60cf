"""The errors async views answer besides DRF's: 503 for a busy database, 413, deep bodies."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import OperationalError
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from restflow_core import errors as core_errors


class DatabaseBusy(exceptions.APIException):
    """The database refused the work for now (locked, deadlocked, out of connections): 503."""

    status_code = 503
    default_detail = "The database is busy; retry the request."
    default_code = "database_busy"
    # DRF's exception handler turns `wait` into a `Retry-After` header.
    wait = 1


class ThrottleUnavailable(exceptions.APIException):
    """A throttle could not count the request (its cache is down) and refuses: 503."""

    status_code = 503
    default_detail = "The request rate cannot be checked now; retry the request."
    default_code = "throttle_unavailable"
    wait = 1


class PayloadTooLarge(exceptions.APIException):
    """The body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`: 413."""

    status_code = 413
    default_detail = "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
    default_code = "payload_too_large"


class BodyCheckedRequest(Request):
    """DRF's `Request`, whose body nested too deeply to parse is a 400 rather than a 500.

    A parser that recurses (the standard library's JSON decoder) fails on a body nested
    deeper than Python's recursion limit; DRF catches only `ValueError`s.
    """

    def _parse(self) -> tuple[Any, Any]:
        try:
            parsed: tuple[Any, Any] = super()._parse()  # type: ignore[misc]
        except RecursionError:
            # DRF has already left the request with empty data, as for any failed parse.
            raise exceptions.ParseError("Parse error - the body is nested too deeply.") from None
        return parsed


def check_body_size(request: Request) -> None:
    """Raise `PayloadTooLarge` for a declared body over `DATA_UPLOAD_MAX_MEMORY_SIZE`.

    Some DRF versions parse the body stream directly and never meet Django's own check.
    """
    # `None` disables the check; the stubs say int.
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if limit is not None and declared > limit:
        raise PayloadTooLarge()


# SQLSTATEs of failures that succeed when retried: serialization failure, deadlock,
# lock not available, too many connections.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "53300"})
# What a refused connection says: PostgreSQL out of slots (no SQLSTATE reaches psycopg's
# error while connecting), PgBouncer out of client connections, a server not listening.
_REFUSED_CONNECTION = (
    "too many connections",
    "too many clients",
    "remaining connection slots are reserved",
    "no more connections allowed",
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
)


def database_refusal(error: BaseException) -> str | None:
    """What kind of refusal a retry may get past `error` is: `"connection"` (no connection
    could be had, so nothing was written on it), `"conflict"` (a lock, a deadlock, a
    serialization failure: writes of an open transaction are lost), or `None`."""
    if not isinstance(error, OperationalError):
        return None
    cause = error.__cause__
    if type(cause).__name__ == "PoolTimeout" or any(
        text in str(error).lower() for text in _REFUSED_CONNECTION
    ):
        return "connection"
    if getattr(cause, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return "conflict"
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return "conflict"
    return None


def to_api_exception(error: core_errors.RestflowError) -> exceptions.APIException:
    """Translate a framework-neutral error from `restflow_core` into DRF's exception."""
    if isinstance(error, core_errors.ValidationFailed):
        return exceptions.ValidationError(error.errors)
    translated: dict[type[core_errors.RestflowError], type[exceptions.APIException]] = {
        core_errors.NotAuthenticated: exceptions.NotAuthenticated,
        core_errors.PermissionDenied: exceptions.PermissionDenied,
        core_errors.NotFound: exceptions.NotFound,
        core_errors.ParseError: exceptions.ParseError,
    }
    if isinstance(error, core_errors.MethodNotAllowed):
        return exceptions.MethodNotAllowed(error.method)
    drf_class = translated.get(type(error), exceptions.APIException)
    return drf_class(error.detail, code=error.code)


def _framework_roots() -> tuple[str, ...]:
    """The folders of restflow's and its dependencies' code: not the user's hooks."""
    import asgiref
    import django
    import rest_framework

    import restflow_core
    import restflow_django

    packages = (django, rest_framework, asgiref, restflow_core, restflow_django)
    return tuple(str(Path(package.__file__ or "").parent) for package in packages)


def explained(error: Exception) -> Exception | None:
    """A clearer error for a porting mistake, raised from `error`, or `None`.

    - `SynchronousOnlyOperation`: the sync ORM called on the event loop, from the user's
      code it names, with the async alternatives;
    - an `AttributeError` for `asave`, `ais_valid` or `adata` on a DRF serializer, which has
      none: restflow's functions, or restflow's serializer classes.
    """
    if isinstance(error, SynchronousOnlyOperation):
        where = _user_frame(error)
        place = f" It was called from {where}." if where else ""
        return SynchronousOnlyOperation(
            f"{error}{place} In an `async def` hook, use the async ORM (`await Model.objects."
            "aget(...)`, `await instance.asave()`, `async for row in queryset`) and "
            "`await asave(serializer)` from restflow_django.serializers; or write the hook "
            "DRF's way, as a plain `def` (`perform_create`, `get_object`, ...), which "
            "restflow runs in a thread."
        )
    name = getattr(error, "name", None)
    if (
        isinstance(error, AttributeError)
        and name in _ASYNC_SERIALIZER_CALLS
        and isinstance(getattr(error, "obj", None), BaseSerializer)
    ):
        serializer = type(error.obj).__name__
        return TypeError(
            f"{serializer} is a DRF serializer, which has no `{name}`. Call restflow's "
            f"{_ASYNC_SERIALIZER_CALLS[name]} from restflow_django.serializers, which works "
            "for any serializer, or derive it from restflow_django.serializers.Serializer or "
            "ModelSerializer, which have `ais_valid`, `asave` and `adata`."
        )
    return None


_ASYNC_SERIALIZER_CALLS = {
    "asave": "`await asave(serializer)`",
    "ais_valid": "`await avalidate_or_is_valid_serializer(serializer)`",
    "adata": "`await arender(serializer)`",
}


def _user_frame(error: BaseException) -> str | None:
    """The innermost frame of `error`'s traceback in the user's code, as `name (file:line)`."""
    roots = _framework_roots()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if not frame.filename.startswith(roots) and "<frozen" not in frame.filename:
            return f"`{frame.name}` ({frame.filename}, line {frame.lineno})"
    return None
