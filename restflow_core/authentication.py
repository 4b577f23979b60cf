"""Authentication for adapters with none of their own: DRF's token scheme over any user store.

A resource lists its authenticators in `authentication_classes`, as a DRF view does. Before
its permissions are checked, each one is asked in turn: the first that returns a user
authenticates the request; one that raises `AuthenticationFailed` answers 401 at once; when
none recognises the request, it stays anonymous. The first authenticator's
`authenticate_header` is what a 401 sends in `WWW-Authenticate`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from restflow_core.errors import AuthenticationFailed


class Authenticator(Protocol):
    """Recognises the user a request speaks for, or leaves it to the next authenticator."""

    async def aauthenticate(self, request: Any, /) -> Any | None:
        """Return the request's user, `None` when this scheme is not the request's, or raise
        `AuthenticationFailed` for credentials that are wrong."""
        ...

    def authenticate_header(self, request: Any, /) -> str | None:
        """The `WWW-Authenticate` value of a 401, or `None` when the scheme has none."""
        ...


class TokenAuthentication:
    """`Authorization: Token <key>`, with DRF's rules and messages.

    A request without the header, or with another scheme, is left to the next
    authenticator. A malformed header, or a key `auser_for` does not know, is a 401. Override
    `auser_for` to look the key up in your store (offload the lookup if the store blocks).
    """

    keyword: ClassVar[str] = "Token"

    def credential(self, authorization: str | None) -> str | None:
        """The key in an `Authorization` header value, or `None` when it is not this scheme.

        Raises `AuthenticationFailed` for a header of this scheme with no key, with spaces
        in it, or with characters a header cannot carry.
        """
        parts = (authorization or "").split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) == 1:
            raise self.failed("Invalid token header. No credentials provided.")
        if len(parts) > 2:
            raise self.failed("Invalid token header. Token string should not contain spaces.")
        if not parts[1].isascii() or not parts[1].isprintable():
            raise self.failed(
                "Invalid token header. Token string should not contain invalid characters."
            )
        return parts[1]

    async def aauthenticate(self, request: Any, /) -> Any | None:
        """The user whose key the request's `Authorization` header carries."""
        key = self.credential(request.headers.get("authorization"))
        if key is None:
            return None
        user = await self.auser_for(key)
        if user is None or not getattr(user, "is_active", True):
            raise self.failed("Invalid token." if user is None else "User inactive or deleted.")
        return user

    async def auser_for(self, key: str, /) -> Any | None:
        """The user `key` belongs to, or `None` for a key nobody holds."""
        raise NotImplementedError

    def authenticate_header(self, request: Any, /) -> str:
        """`Token`: what a client must send."""
        return self.keyword

    def failed(self, detail: str) -> AuthenticationFailed:
        """The 401 for credentials of this scheme that are wrong."""
        return AuthenticationFailed(detail, authenticate_header=self.keyword)
