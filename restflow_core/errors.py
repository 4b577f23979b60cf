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

    def headers(self) -> Mapping[str, str]:
        """The headers the answer carries (`Allow`, `WWW-Authenticate`, `Retry-After`)."""
        return {}


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
    """The action needs credentials and the request carried none (or bad ones).

    `authenticate_header` is what the `WWW-Authenticate` header tells the client to send
    (`Token`, `Basic realm="api"`), as HTTP asks of a 401.
    """

    status = HTTPStatus.UNAUTHORIZED
    default_detail = "Authentication credentials were not provided."
    default_code = "not_authenticated"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        authenticate_header: str | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        self.authenticate_header = authenticate_header

    @override
    def headers(self) -> Mapping[str, str]:
        if self.authenticate_header is None:
            return {}
        return {"WWW-Authenticate": self.authenticate_header}


class AuthenticationFailed(NotAuthenticated):
    """The request carried credentials, and they are wrong (an unknown token, a bad
    password): 401, with `WWW-Authenticate` when the scheme is named."""

    default_detail = "Incorrect authentication credentials."
    default_code = "authentication_failed"


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
    """The resource does not offer the action the request's method names; `allowed` are
    the methods it offers there, for the `Allow` header."""

    status = HTTPStatus.METHOD_NOT_ALLOWED
    default_code = "method_not_allowed"

    def __init__(self, method: str, allowed: Sequence[str] = ()) -> None:
        super().__init__(f'Method "{method}" not allowed.')
        self.method = method
        self.allowed: tuple[str, ...] = tuple(allowed)

    @override
    def headers(self) -> Mapping[str, str]:
        return {"Allow": ", ".join(self.allowed)} if self.allowed else {}


class UnsupportedMediaType(RestflowError):
    """The body's media type is not one the action reads."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_media_type"

    def __init__(self, media_type: str) -> None:
        super().__init__(f'Unsupported media type "{media_type}" in request.')
        self.media_type = media_type


class PayloadTooLarge(RestflowError):
    """The body is larger than the adapter accepts."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class Conflict(RestflowError):
    """The write clashes with the stored state (a unique value taken meanwhile, say)."""

    status = HTTPStatus.CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class ServiceUnavailable(RestflowError):
    """The store cannot serve now and a retry can succeed: 503, with `Retry-After`."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable, try again later."
    default_code = "service_unavailable"

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, retry_after: int = 1
    ) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after

    @override
    def headers(self) -> Mapping[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ParseError(RestflowError):
    """The request body could not be read as the data the action expects."""

    status = HTTPStatus.BAD_REQUEST
    default_detail = "Malformed request."
    default_code = "parse_error"
