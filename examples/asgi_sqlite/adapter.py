"""An ASGI adapter over sqlite3, written against `restflow_core` alone.

`SqliteResource` binds the core's generic resource to a table: records are dicts, drafts
are validated dicts, and what a create saves (its new id included) is what it renders.
Its hooks are plain functions run in one worker thread per action, so a slow query never
holds up the event loop. `KnownTokens` authenticates `Authorization: Token <key>` against a
table of keys. `App` is the ASGI application: it routes `/<prefix>/` and `/<prefix>/<id>/`,
parses JSON bodies (415 for any other type), holds a database connection for each request,
and answers each `Reply` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from typing_extensions import override

from examples.sqlite_store import Query, Record, SqliteUnitOfWork, Table
from restflow_core import (
    ACTIONS,
    CreateMixin,
    DestroyMixin,
    ListMixin,
    NotFound,
    PlainRequest,
    Reply,
    Resource,
    RetrieveMixin,
    SearchFilter,
    TokenAuthentication,
    UpdateMixin,
    ValidationFailed,
    error_reply,
    to_thread,
)

Message = MutableMapping[str, Any]


@dataclass(frozen=True)
class Text:
    """A string field of at most `max_length` characters."""

    max_length: int

    def clean(self, value: Any) -> str:
        """The value as stored, or `ValueError` with DRF's message."""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("Not a valid string.")
        if len(str(value)) > self.max_length:
            raise ValueError(f"Ensure this field has no more than {self.max_length} characters.")
        return str(value)


@dataclass(frozen=True)
class Integer:
    """An integer field of at least `min_value`, `default` when left out of a new record."""

    min_value: int
    default: int | None = None

    def clean(self, value: Any) -> int:
        """The value as stored, or `ValueError` with DRF's message."""
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise ValueError("A valid integer is required.")
        if int(value) < self.min_value:
            raise ValueError(f"Ensure this value is greater than or equal to {self.min_value}.")
        return int(value)


def clean(fields: Mapping[str, Text | Integer], data: Any, *, partial: bool) -> Record:
    """The fields of `data`, checked; `ValidationFailed` names every field that is wrong."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    cleaned, errors = {}, {}
    for name, field in fields.items():
        if name not in data:
            default = getattr(field, "default", None)
            if default is not None and not partial:
                cleaned[name] = default
            elif not partial:
                errors[name] = ["This field is required."]
            continue
        try:
            cleaned[name] = field.clean(data[name])
        except ValueError as error:
            errors[name] = [str(error)]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


class KnownTokens(TokenAuthentication):
    """`Authorization: Token <key>`, for the keys `users` lists (key to user name)."""

    users: ClassVar[dict[str, str]] = {}

    @override
    async def auser_for(self, key: str, /) -> str | None:
        return self.users.get(key)


class SqliteResource(
    CreateMixin[Record, Record],
    ListMixin[Record, Record],
    RetrieveMixin[Record, Record],
    UpdateMixin[Record, Record],
    DestroyMixin[Record, Record],
    Resource[Record, Record],
):
    """The five actions over `table`, validating `fields`; `read_only` columns are shown.

    Its hooks are plain functions and sqlite3's calls block: `offload` runs each action's
    steps in a worker thread, one hop per action.
    """

    table: ClassVar[Table]
    fields: ClassVar[Mapping[str, Text | Integer]]
    read_only: ClassVar[tuple[str, ...]] = ()
    offload = staticmethod(to_thread)
    filter_backends = (SearchFilter,)
    authentication_classes = (KnownTokens,)

    @override
    def get_queryset(self) -> Query:
        return self.table.all()

    @override
    def get_unit_of_work(self) -> SqliteUnitOfWork | None:
        return SqliteUnitOfWork(self.table.database) if self.atomic else None

    def validated(self, data: Any) -> Record:
        """A new record from `data`: the fields checked, the read-only columns blank."""
        return {name: "" for name in self.read_only} | clean(self.fields, data, partial=False)

    def revalidated(self, instance: Record, data: Any, partial: bool) -> Record:
        """`instance` changed by `data`, checked."""
        return instance | clean(self.fields, data, partial=partial)

    def render(self, draft: Record) -> Any:
        """The record as clients see it."""
        return {name: draft.get(name) for name in ("id", *self.fields, *self.read_only)}

    def render_instance(self, instance: Record) -> Any:
        """The record as clients see it."""
        return self.render(instance)

    def render_many(self, items: Any) -> Any:
        """The records of a page, or of a whole list."""
        return [self.render(record) for record in items]

    @override
    def save(self, draft: Record) -> Record:
        if draft.get("id") is None:
            return draft | {"id": self.table.insert(draft)}
        self.table.update(draft)
        return draft

    @override
    def delete(self, instance: Record) -> None:
        self.table.delete(instance["id"])


class App:
    """The ASGI application serving `routes`: a resource class under each path prefix."""

    def __init__(self, routes: Mapping[str, type[SqliteResource]]) -> None:
        self.routes = routes

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        """Answer one HTTP request."""
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reply = await self.answer(scope, body)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        headers = [(b"content-type", b"application/json")] if payload else []
        headers += [
            (name.lower().encode(), value.encode()) for name, value in reply.headers.items()
        ]
        await send({"type": "http.response.start", "status": int(reply.status), "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def answer(self, scope: Message, body: bytes) -> Reply:
        """The reply to the request `scope` describes, with `body`."""
        parts = [part for part in scope["path"].split("/") if part]
        resource = self.routes.get(parts[0]) if 0 < len(parts) <= 2 else None
        if resource is None:
            return error_reply(NotFound())
        headers = {
            name.decode().lower(): value.decode() for name, value in scope.get("headers", ())
        }
        method, key = scope["method"], parts[1] if len(parts) == 2 else None
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        request = PlainRequest(method, scope["path"], None, query, None, headers, body=body)
        action = ACTIONS.get((method, key is not None), method.lower())
        with resource.table.database.connected():
            return await resource(request, action=action, key=key).adispatch()
