"""The kit's `Resource` over a sqlite3 table, written with `restflow_core`'s public names
alone: the half of an adapter that binds the store, shared by the example adapters.

`Field` checks a value as DRF's fields do; `SqliteResource` puts the kit's `Resource` over
a table (its hooks are plain functions: sqlite3 blocks, so each action's steps run in one
worker thread); `AsyncHooks` lets a resource add `async def` field hooks
(`validate_<field>`), an object hook (`validate`) and method fields (`get_<name>`), awaited
on the loop; `Tokens` authenticates `Authorization: Token <key>`. Everything else
(dispatch, authentication, permissions, lookup and 404, search, pagination, units of work,
error replies) is the kit's. The framework half is the adapter's: `examples/asgi_sqlite`
(bare ASGI) and `examples/starlette_sqlite` (Starlette).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from typing_extensions import override

from examples.sqlite_store import Query, Record, SqliteUnitOfWork, Table
from restflow_core import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    RetrieveMixin,
    SearchFilter,
    TokenAuthentication,
    UpdateMixin,
    ValidationFailed,
    to_thread,
)

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Field:
    """A text (`str`) or whole-number (`int`) field, with DRF's rules and messages."""

    kind: type[str | int] = str
    max_length: int | None = None
    min_value: int | None = None
    default: Any = None

    def check(self, value: Any) -> Any:
        """The value as stored; `ValueError` with DRF's message when it is wrong."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(
                "A valid integer is required." if self.kind is int else "Not a valid string."
            )
        if self.kind is int:
            if not str(value).strip().lstrip("-").isdigit():
                raise ValueError("A valid integer is required.")
            if self.min_value is not None and int(value) < self.min_value:
                raise ValueError(f"Ensure this value is greater than or equal to {self.min_value}.")
            return int(value)
        text = str(value).strip()
        if not text:
            raise ValueError("This field may not be blank.")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"Ensure this field has no more than {self.max_length} characters.")
        return text


class Tokens(TokenAuthentication):
    """`Authorization: Token <key>` for the keys in `users` (key to user name)."""

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
):
    """The five actions over `table`, checking `fields`; `read_only` columns are shown."""

    table: ClassVar[Table]
    fields: ClassVar[Mapping[str, Field]]
    read_only: ClassVar[tuple[str, ...]] = ()
    offload = staticmethod(to_thread)
    authentication_classes = (Tokens,)
    filter_backends = (SearchFilter,)

    @override
    def get_queryset(self) -> Query:
        return self.table.all()

    @override
    def get_unit_of_work(self) -> SqliteUnitOfWork | None:
        return SqliteUnitOfWork(self.table.database) if self.atomic else None

    def clean(self, data: Any, *, partial: bool) -> tuple[Record, Errors]:
        """The fields of `data` checked (defaults filled in unless `partial`), and the
        errors of those that are wrong."""
        if not isinstance(data, Mapping):
            return {}, {"non_field_errors": ["Invalid data. Expected a dictionary."]}
        values: Record = {}
        errors: Errors = {}
        for name, field in self.fields.items():
            if name not in data:
                if not partial and field.default is None:
                    errors[name] = ["This field is required."]
                elif not partial:
                    values[name] = field.default
                continue
            try:
                values[name] = field.check(data[name])
            except ValueError as error:
                errors[name] = [str(error)]
        return values, errors

    def validated(self, data: Any, base: Record | None = None, partial: bool = False) -> Record:
        """A record from `data` over `base`; `ValidationFailed` names every wrong field."""
        values, errors = self.clean(data, partial=partial)
        if errors:
            raise ValidationFailed(errors)
        return (base or dict.fromkeys(self.read_only, "")) | values

    def revalidated(self, instance: Record, data: Any, partial: bool) -> Record:
        """`instance` changed by `data`."""
        return self.validated(data, instance, partial)

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
    def delete_instance(self, instance: Record) -> None:
        self.table.delete(instance["id"])


class AsyncHooks(SqliteResource):
    """Validation and representation through `async def` hooks, awaited on the loop.

    `validate_<field>(value)` may change a checked value or refuse it (`ValidationFailed`
    with a list of messages); `validate(record)` refuses the whole record; `get_<name>`
    answers each of `method_fields`. A field hook runs for every field that passed its
    rules, so its refusal joins the others in one 400; `validate` runs when all passed.
    """

    method_fields: ClassVar[tuple[str, ...]] = ()

    @override
    async def avalidated(self, data: Any) -> Record:
        return await self._achecked(data, dict.fromkeys(self.read_only, ""), partial=False)

    @override
    async def arevalidated(self, instance: Record, data: Any, partial: bool) -> Record:
        return await self._achecked(data, instance, partial=partial)

    async def _achecked(self, data: Any, base: Record, *, partial: bool) -> Record:
        values, errors = self.clean(data, partial=partial)
        for name in [name for name in values if hasattr(self, f"validate_{name}")]:
            try:
                values[name] = await getattr(self, f"validate_{name}")(values[name])
            except ValidationFailed as refusal:
                errors[name] = list(refusal.errors)
        if errors:
            raise ValidationFailed(errors)
        record = base | values
        validate = getattr(self, "validate", None)
        if validate is not None:
            try:
                await validate(record)
            except ValidationFailed as refusal:
                raise ValidationFailed({"non_field_errors": list(refusal.errors)}) from None
        return record

    @override
    async def arender(self, draft: Record) -> Any:
        shown = self.render(draft)
        for name in self.method_fields:
            shown[name] = await getattr(self, f"get_{name}")(draft)
        return shown

    @override
    async def arender_instance(self, instance: Record) -> Any:
        return await self.arender(instance)

    @override
    async def arender_many(self, items: Any) -> Any:
        return [await self.arender(record) for record in items]
