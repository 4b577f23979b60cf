"""Framework-neutral errors that pipelines raise and each adapter maps to its own responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import ClassVar, TypeAlias

from typing_extensions import override

FieldErrors: TypeAlias = Mapping[str, Sequence[str]] | Sequence[str]


class RestflowError(Exception):
    """Base of every error an action reports to its caller as an HTTP status."""

    status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    default_detail: ClassVar[str] = "A server error occurred."
    default_code: ClassVar[str] = "error"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail: str = detail if detail is not None else self.default_detail
        self.code: str = code if code is not None else self.default_code
        super().__init__(self.detail)


class ValidationFailed(RestflowError):
    """The payload was rejected; `errors` maps each field to its messages."""

    status = HTTPStatus.BAD_REQUEST
    default_detail = "Invalid input."
    default_code = "invalid"

    def __init__(self, errors: FieldErrors, *, code: str | None = None) -> None:
        super().__init__(code=code)
        self.errors = errors

    @override
    def __str__(self) -> str:
        return f"{self.detail} {self.errors!r}"


class NotAuthenticated(RestflowError):
    """The action needs credentials and the request carried none."""

    status = HTTPStatus.UNAUTHORIZED
    default_detail = "Authentication credentials were not provided."
    default_code = "not_authenticated"


class PermissionDenied(RestflowError):
    """A permission refused the request or the object."""

    status = HTTPStatus.FORBIDDEN
    default_detail = "You do not have permission to perform this action."
    default_code = "permission_denied"


class NotFound(RestflowError):
    """No object answers the lookup, or the page asked for does not exist."""

    status = HTTPStatus.NOT_FOUND
    default_detail = "Not found."
    default_code = "not_found"


class MethodNotAllowed(RestflowError):
    """The resource does not offer the action the request's method names."""

    status = HTTPStatus.METHOD_NOT_ALLOWED
    default_code = "method_not_allowed"

    def __init__(self, method: str) -> None:
        super().__init__(f'Method "{method}" not allowed.')
        self.method = method


class ParseError(RestflowError):
    """The request body could not be read as the data the action expects."""

    status = HTTPStatus.BAD_REQUEST
    default_detail = "Malformed request."
    default_code = "parse_error"
