"""Async serializers: DRF's serializers whose hooks may be `async def`.

`ais_valid`, `asave` and `adata` await a serializer's async hooks: field validators,
`validate_<field>`, `validate`, `Meta.validators`, `acreate`/`aupdate` (or an async
`create`/`update`) and the methods of `SerializerMethodField`s. The sync `is_valid`,
`save` and `data` refuse them with a `TypeError` naming the async call.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.core import exceptions
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.db.models import ForeignObjectRel, Model, QuerySet, UniqueConstraint
from django.db.models.manager import BaseManager
from rest_framework import fields, relations, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.serializers import BaseSerializer, as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList
from typing_extensions import override

from restflow_core.awaiting import abounded
from restflow_django._hooks import is_async_callable, overrides
from restflow_django._serializing.async_hooks import (
    ValidationHooks,
    async_method_fields,
    may_await_from_thread,
    refuse_async_representation_hooks,
    refuse_async_saving_hooks,
    refuse_async_validation_hooks,
    saves_asynchronously,
    target,
    validation_hooks,
    watched,
)
from restflow_django._serializing.awaiting import (
    afinish_validation,
    arepresent,
    begin_validation,
    render_concurrency,
)
from restflow_django._serializing.rows import Reader
from restflow_django._sync import offload

InstanceT = TypeVar("InstanceT")
ModelT = TypeVar("ModelT", bound=Model)
ValueT = TypeVar("ValueT")

__all__ = [
    "AsyncSerializerMixin",
    "ListSerializer",
    "ModelSerializer",
    "Serializer",
    "arender",
    "asave",
    "async_validator",
    "avalidate_or_is_valid_serializer",
]


def async_validator(check: Callable[[ValueT], Awaitable[None]], /) -> Callable[[ValueT], None]:
    """`check`, an async validator, typed as DRF's stubs type a field's `validators=[...]`.

    It is `check` itself: restflow's `ais_valid` awaits it, and the sync `is_valid` refuses
    it with a `TypeError`, as it does any async validator. Only the type changes, so that
    mypy and pyright accept `validators=[async_validator(check)]`.
    """
    return cast("Callable[[ValueT], None]", check)


async def avalidate_or_is_valid_serializer(
    serializer: BaseSerializer[Any], *, raise_exception: bool = False
) -> bool:
    """Validate `serializer` without blocking: `ais_valid` when it has one, else DRF's `is_valid`.

    DRF's validation may query the database (unique checks, related fields), so a plain
    serializer validates in a thread. Raises DRF's `ValidationError` (400) when
    `raise_exception` is true and the data is invalid.
    """
    ais_valid = getattr(serializer, "ais_valid", None)
    if ais_valid is not None:
        valid: bool = await ais_valid(raise_exception=raise_exception)
        return valid
    return await sync_to_async(checked_is_valid)(serializer, raise_exception=raise_exception)


def checked_is_valid(serializer: BaseSerializer[Any], *, raise_exception: bool = False) -> bool:
    """Validate from sync code (a thread): restflow's serializers await their async hooks on
    the event loop; a DRF serializer with such hooks is refused with a `TypeError`."""
    if isinstance(serializer, (AsyncSerializerMixin, ListSerializer)):
        if validation_hooks(target(serializer)) is not None:
            valid: bool = async_to_sync(serializer._ais_valid)(raise_exception=raise_exception)
            return valid
        return _drf_is_valid(serializer, raise_exception=raise_exception)
    # Refused before anything is validated: a write would fail after it.
    refuse_async_saving_hooks(serializer)
    refuse_async_validation_hooks(serializer)
    return serializer.is_valid(raise_exception=raise_exception)


def checked_save(serializer: BaseSerializer[InstanceT], **kwargs: Any) -> InstanceT:
    """Save from sync code: restflow's serializers await an async `acreate`/`aupdate` on the
    event loop; a DRF serializer with an async `create`/`update` is refused (`TypeError`)."""
    if isinstance(serializer, (AsyncSerializerMixin, ListSerializer)) and saves_asynchronously(
        target(serializer).__class__
    ):
        saved: InstanceT = async_to_sync(serializer._asave)(**kwargs)
        return saved
    refuse_async_saving_hooks(serializer)
    return serializer.save(**kwargs)


def checked_data(serializer: BaseSerializer[Any]) -> Any:
    """`serializer.data` from sync code, awaiting on the event loop what has to be awaited."""
    if awaits_when_representing(serializer):
        return async_to_sync(arender)(serializer)
    return _drf_data(serializer)


def awaits_when_representing(serializer: BaseSerializer[Any]) -> bool:
    """Whether representing `serializer` awaits: an `ato_representation` of its own, or an
    async method field."""
    return overrides(target(serializer).__class__, "ato_representation") or bool(
        async_method_fields(serializer)
    )


def asave(serializer: BaseSerializer[InstanceT], **kwargs: Any) -> Coroutine[Any, Any, InstanceT]:
    """Save `serializer` without blocking: its `asave`, else DRF's `save` in a thread."""
    return watched(_asave(serializer, **kwargs), "asave(serializer)")


async def _asave(serializer: BaseSerializer[InstanceT], **kwargs: Any) -> InstanceT:
    own = getattr(serializer, "asave", None)
    if own is not None:
        saved: InstanceT = await own(**kwargs)
        return saved
    return await sync_to_async(checked_save)(serializer, **kwargs)


async def arender(serializer: BaseSerializer[Any]) -> Any:
    """Return the representation of `serializer` (`many=True` ones too), awaiting its async
    method fields and `ato_representation`.

    The sync part runs on the event loop when every row it reads is loaded. A
    representation that reaches for a lazy relation is computed again in a thread, so it
    still works; `select_related`/`prefetch_related` make it free of thread hops. In strict
    relations mode (`restflow_django.diagnostics.strict_relations`) it raises
    `LazyRelationError` naming the field and the `select_related`/`prefetch_related` to add.
    """
    if isinstance(serializer, (AsyncSerializerMixin, ListSerializer)):
        return await serializer.adata
    if isinstance(serializer, serializers.ListSerializer):
        return await _arepresent_rows(serializer, serializer.instance)
    return await arepresent(serializer, lambda: serializer.data, async_method_fields(serializer))


async def _arepresent_rows(serializer: serializers.ListSerializer[Any], rows: Any) -> Any:
    """`serializer.to_representation(rows)`, awaiting what its child awaits.

    A child with an `ato_representation` of its own represents each row with it, at most
    `RESTFLOW["RENDER_CONCURRENCY"]` at a time, after the rows are read in one thread hop.
    """
    child: Any = serializer.child
    if not overrides(child.__class__, "ato_representation"):
        return await arepresent(
            serializer, lambda: serializer.to_representation(rows), async_method_fields(serializer)
        )
    if isinstance(rows, BaseManager):
        rows = rows.all()
    if isinstance(rows, QuerySet):
        rows = [row async for row in rows]
    representations: list[Callable[[], Awaitable[Any]]] = [
        _bind(child.ato_representation, row) for row in rows or ()
    ]
    return await abounded(representations, limit=render_concurrency())


def _bind(method: Callable[[Any], Awaitable[Any]], row: Any) -> Callable[[], Awaitable[Any]]:
    return lambda: method(row)


def _drf(serializer: Any) -> Any:
    """`serializer` seen as DRF's class sees it, past restflow's refusing sync methods."""
    if isinstance(serializer, AsyncSerializerMixin):
        return super(AsyncSerializerMixin, serializer)
    if isinstance(serializer, ListSerializer):
        return super(ListSerializer, serializer)
    return serializer


def _drf_is_valid(serializer: Any, *, raise_exception: bool) -> bool:
    valid: bool = _drf(serializer).is_valid(raise_exception=raise_exception)
    return valid


def _drf_data(serializer: Any) -> Any:
    return _drf(serializer).data


async def _aread_data(serializer: Any, arepresent_source: Callable[[Any], Awaitable[Any]]) -> Any:
    """DRF's `data` property, with the representation awaited: `adata` of one serializer or
    of a list."""
    if hasattr(serializer, "initial_data") and not hasattr(serializer, "_validated_data"):
        raise AssertionError(
            "When a serializer is passed a `data` keyword argument you must call "
            "`.ais_valid()` before attempting to access the serialized `.adata` "
            "representation.\nYou should either call `.ais_valid()` first, or access "
            "`.initial_data` instead."
        )
    if not hasattr(serializer, "_data"):
        if serializer.instance is not None and not getattr(serializer, "_errors", None):
            serializer._data = await arepresent_source(serializer.instance)
        elif hasattr(serializer, "_validated_data") and not getattr(serializer, "_errors", None):
            serializer._data = await arepresent_source(serializer.validated_data)
        else:
            serializer._data = serializer.get_initial()
    return serializer._data


class AsyncSerializerMixin(Generic[InstanceT]):
    """Adds `ais_valid`, `asave`, `acreate`/`aupdate`, `ato_representation` and the
    awaitable `adata` to a DRF serializer.

    `is_valid`, `save` and `data` raise `TypeError` naming the async call to make when the
    serializer has `async def` hooks they would otherwise call without awaiting.
    """

    if TYPE_CHECKING:
        # Typed with its keys and values, as DRF's stubs leave them unknown to pyright.
        @property
        def errors(self) -> ReturnDict[str, Any]: ...

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> Any:
        """DRF's `many=True` list, as restflow's `ListSerializer`: its `ais_valid`, `asave`
        and `adata` await every item's hooks, and its sync calls refuse them."""
        made: Any = super().many_init(*args, **kwargs)  # type: ignore[misc]  # a serializer mixin
        # DRF builds the list class `Meta.list_serializer_class` names (DRF's by default).
        made.__class__ = async_list_class(made.__class__)
        return made

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        """DRF's `is_valid`; refuses a serializer with async hooks (use `ais_valid`)."""
        return _sync_is_valid(self, raise_exception=raise_exception)

    def save(self, **kwargs: Any) -> InstanceT:
        """DRF's `save`; refuses an async `create`/`update`/`acreate`/`aupdate` (use `asave`)."""
        saved: InstanceT = _sync_save(self, **kwargs)
        return saved

    @property
    def data(self) -> ReturnDict[str, Any]:
        """DRF's `data`; refuses async method fields (use `await serializer.adata`)."""
        represented: ReturnDict[str, Any] = _sync_data(self)
        return represented

    def ais_valid(self, *, raise_exception: bool = False) -> Coroutine[Any, Any, bool]:
        """Validate, awaiting the async hooks; same contract as `is_valid`.

        DRF's sync validation (field parsing, sync validators, unique checks, which may
        query) runs in a thread; async field validators and `validate_<field>` methods are
        awaited after it, field by field, then the serializer's validators and `validate`.
        Errors from sync and async hooks come together in one `ValidationError`.
        """
        checking = self._ais_valid(raise_exception=raise_exception)
        return watched(checking, "serializer.ais_valid()")

    async def _ais_valid(self, *, raise_exception: bool) -> bool:
        started = await offload(functools.partial(start_validation, self))
        return await afinished_validation(self, started, raise_exception=raise_exception)

    def asave(self, **kwargs: Any) -> Coroutine[Any, Any, InstanceT]:
        """Create or update; `kwargs` reach `validated_data` as with `save`.

        Awaits `acreate`/`aupdate`, which run a sync `create`/`update` in a thread (inside
        the action's transaction, on its connection) and await an `async def` one.
        """
        return watched(self._asave(**kwargs), "serializer.asave()")

    async def _asave(self, **kwargs: Any) -> InstanceT:
        serializer: Any = self
        if not saves_asynchronously(serializer.__class__):
            saved: InstanceT = await sync_to_async(serializer.save)(**kwargs)
            return saved
        _check_saveable(serializer, kwargs)
        validated_data = {**serializer.validated_data, **kwargs}
        if serializer.instance is not None:
            serializer.instance = await self.aupdate(serializer.instance, validated_data)
            if serializer.instance is None:
                raise AssertionError("`aupdate()` did not return an object instance.")
        else:
            serializer.instance = await self.acreate(validated_data)
            if serializer.instance is None:
                raise AssertionError("`acreate()` did not return an object instance.")
        return serializer.instance  # type: ignore[no-any-return]

    async def acreate(self, validated_data: Any) -> InstanceT:
        """Create the object: `create`, awaited when it is `async def`, else in a thread."""
        create: Callable[[Any], Any] = self.create  # type: ignore[attr-defined]  # a mixin
        if is_async_callable(create):
            created: InstanceT = await create(validated_data)
            return created
        made: InstanceT = await sync_to_async(create)(validated_data)
        return made

    async def aupdate(self, instance: InstanceT, validated_data: Any) -> InstanceT:
        """Update `instance`: `update`, awaited when it is `async def`, else in a thread."""
        update: Callable[[Any, Any], Any] = self.update  # type: ignore[attr-defined]  # a mixin
        if is_async_callable(update):
            updated: InstanceT = await update(instance, validated_data)
            return updated
        changed: InstanceT = await sync_to_async(update)(instance, validated_data)
        return changed

    async def ato_representation(self, instance: Any) -> dict[str, Any]:
        """Represent `instance`, awaiting async method fields (at most
        `RESTFLOW["RENDER_CONCURRENCY"]` at a time). What `adata` awaits; override it to
        represent rows your own way (a list awaits its rows' within the same bound)."""
        serializer: Any = self
        represented: dict[str, Any] = await arepresent(
            serializer,
            lambda: serializer.to_representation(instance),
            async_method_fields(serializer),
        )
        return represented

    @property
    def adata(self) -> Awaitable[ReturnDict[str, Any]]:
        """The representation, awaited: `await serializer.adata`."""
        return watched(self._aread_data(), "serializer.adata")

    async def _aread_data(self) -> ReturnDict[str, Any]:
        serializer: Any = self
        data: dict[str, Any] = await _aread_data(serializer, self.ato_representation)
        return ReturnDict(data, serializer=serializer)


def _sync_is_valid(serializer: Any, *, raise_exception: bool) -> bool:
    """restflow's sync `is_valid`: DRF's, refusing async hooks unless the caller is DRF code
    in a thread that may wait for them (`awaiting_from_thread`)."""
    if may_await_from_thread():
        return checked_is_valid(serializer, raise_exception=raise_exception)
    refuse_async_validation_hooks(serializer)
    return _drf_is_valid(serializer, raise_exception=raise_exception)


def _sync_save(serializer: Any, **kwargs: Any) -> Any:
    """restflow's sync `save`: DRF's, refusing an async `create`/`update`."""
    refuse_async_saving_hooks(serializer)
    return _drf(serializer).save(**kwargs)


def _sync_data(serializer: Any) -> Any:
    """restflow's sync `data`: DRF's, refusing async representation hooks unless the caller
    may wait for them (`awaiting_from_thread`)."""
    if may_await_from_thread():
        return checked_data(serializer)
    refuse_async_representation_hooks(serializer)
    return _drf_data(serializer)


class ListSerializer(serializers.ListSerializer[Any]):
    """What `many=True` makes of restflow's serializers: DRF's `ListSerializer` with
    `ais_valid`, `asave` and `adata`, which await the child's async hooks for every item.

    The sync `is_valid`, `save` and `data` refuse the child's async hooks with a `TypeError`
    naming the async call, as the child's own do. A `Meta.list_serializer_class` of the
    child's gets the same methods, its own overrides first.
    """

    @override
    def is_valid(self, *, raise_exception: bool = False) -> bool:
        """DRF's `is_valid`; refuses a child with async hooks (use `ais_valid`)."""
        return _sync_is_valid(self, raise_exception=raise_exception)

    @override
    def save(self, **kwargs: Any) -> Any:
        """DRF's `save`; refuses a child whose saving awaits (use `asave`)."""
        return _sync_save(self, **kwargs)

    @property
    @override
    def data(self) -> ReturnList[Any]:
        """DRF's `data`; refuses a child with async representation hooks (use `adata`)."""
        represented: ReturnList[Any] = _sync_data(self)
        return represented

    def ais_valid(self, *, raise_exception: bool = False) -> Coroutine[Any, Any, bool]:
        """Validate every item, awaiting the child's async hooks; `is_valid`'s contract.

        DRF's sync pass over the items runs in one thread hop; each item's async hooks are
        then awaited in order, and the errors come in DRF's shape (by item).
        """
        checking = self._ais_valid(raise_exception=raise_exception)
        return watched(checking, "serializer.ais_valid()")

    async def _ais_valid(self, *, raise_exception: bool) -> bool:
        child: Any = self.child
        hooks = validation_hooks(child)
        if hooks is None or hasattr(self, "_validated_data"):
            check = functools.partial(_drf_is_valid, self, raise_exception=raise_exception)
            return await offload(check)
        if not hasattr(self, "initial_data"):
            raise AssertionError(
                "Cannot call `.ais_valid()` as no `data=` keyword argument was passed when "
                "instantiating the serializer instance."
            )
        try:
            empty, value = await offload(functools.partial(begin_items, self, hooks))
            if not empty:
                value = await afinish_items(self, value, hooks)
        except ValidationError as error:
            self._validated_data, self._errors = [], error.detail
        else:
            self._validated_data, self._errors = value, []
        if self._errors and raise_exception:
            raise ValidationError(self.errors)
        return not self._errors

    def asave(self, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        """Create (or update) every item; `kwargs` reach each item's `validated_data`.

        A child whose saving awaits (`acreate`, an async `create`) is awaited item by
        item; otherwise DRF's `save` runs in a thread.
        """
        return watched(self._asave(**kwargs), "serializer.asave()")

    async def _asave(self, **kwargs: Any) -> Any:
        child: Any = self.child
        cls: Any = type(self)
        if (
            not saves_asynchronously(child.__class__)
            or overrides(cls, "create")
            or overrides(cls, "update")
        ):
            return await offload(functools.partial(self.save, **kwargs))
        _check_saveable(self, kwargs)
        items = [{**attrs, **kwargs} for attrs in self.validated_data]
        if self.instance is not None:
            # DRF's: many=True updates need an `update` of the list class's own.
            self.instance = self.update(self.instance, items)
        else:
            self.instance = [await child.acreate(attrs) for attrs in items]
        return self.instance

    @property
    def adata(self) -> Awaitable[ReturnList[Any]]:
        """The representation of every item, awaited: `await serializer.adata`."""
        return watched(self._aread_data(), "serializer.adata")

    async def _aread_data(self) -> ReturnList[Any]:
        rows = await _aread_data(self, functools.partial(_arepresent_rows, self))
        return ReturnList(rows, serializer=self)


def async_list_class(kind: type[Any]) -> type[ListSerializer]:
    """restflow's `ListSerializer` for DRF's list class `kind`: `kind`'s own methods first."""
    if issubclass(kind, ListSerializer):
        return kind
    made = _LIST_CLASSES.get(kind)
    if made is None:
        made = _LIST_CLASSES[kind] = type(kind.__name__, (kind, ListSerializer), {})
    return made


_LIST_CLASSES: dict[type[Any], type[ListSerializer]] = {serializers.ListSerializer: ListSerializer}


class _Begun(NamedTuple):
    """One item's validation as the sync pass left it: begun, or refused already."""

    state: Any = None
    error: Any = None


def begin_items(serializer: ListSerializer, hooks: ValidationHooks) -> tuple[bool, Any]:
    """The sync pass of a list's validation (a thread): DRF's checks of the list, and the
    sync start of every item's; `(empty, value)` as DRF's `validate_empty_values` gives."""
    empty, data = serializer.validate_empty_values(serializer.initial_data)
    if empty:
        return True, data
    child: Any = serializer.child

    def begin(item: Any) -> _Begun:
        try:
            return _Begun(state=begin_validation(child, item, hooks))
        except ValidationError as error:
            return _Begun(error=error.detail)

    # DRF asks the child to validate each item; the child begins instead.
    child.__dict__["run_validation"] = begin
    try:
        return False, serializer.to_internal_value(data)
    finally:
        del child.__dict__["run_validation"]


async def afinish_items(
    serializer: ListSerializer, items: list[_Begun], hooks: ValidationHooks
) -> list[Any]:
    """Await each begun item's async hooks, then run the list's own validators and
    `validate`; raise DRF's `ValidationError`, by item, when an item is refused."""
    child: Any = serializer.child
    values: list[Any] = []
    errors: dict[int, Any] = {}
    for index, begun in enumerate(items):
        try:
            if begun.error is not None:
                raise ValidationError(begun.error)
            values.append(await afinish_validation(child, begun.state, hooks))
        except ValidationError as error:
            errors[index] = error.detail
    if errors:
        if not getattr(api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT", False):
            raise ValidationError([errors.get(index, {}) for index in range(len(items))])
        raise ValidationError(cast(Any, errors))
    if type(serializer).validate is serializers.ListSerializer.validate and not (
        serializer.validators
    ):
        return values
    return await offload(functools.partial(_validate_list, serializer, values))


def _validate_list(serializer: ListSerializer, value: list[Any]) -> Any:
    """The end of DRF's `ListSerializer.run_validation`: the list's validators, `validate`."""
    try:
        serializer.run_validators(value)
        validated = serializer.validate(value)
    except (ValidationError, DjangoValidationError) as error:
        raise ValidationError(detail=as_serializer_error(error)) from error
    if validated is None:
        raise AssertionError(".validate() should return the validated data")
    return validated


class Started(NamedTuple):
    """A validation `start_validation` began: its async hooks and what they were given."""

    hooks: ValidationHooks | None = None
    state: Any = None


def start_validation(serializer: AsyncSerializerMixin[Any]) -> Started:
    """Begin validating `serializer` from sync code (a thread): DRF's whole `is_valid` when
    it has no async hooks, else the sync start of the validation.

    `afinished_validation` finishes it on the event loop.
    """
    validated: Any = serializer
    hooks = validation_hooks(validated)
    if hooks is None:
        _drf_is_valid(validated, raise_exception=False)
        return Started()
    if not hasattr(validated, "initial_data"):
        raise AssertionError(
            "Cannot call `.ais_valid()` as no `data=` keyword argument was passed when "
            "instantiating the serializer instance."
        )
    if hasattr(validated, "_validated_data"):
        return Started()
    try:
        return Started(hooks, begin_validation(validated, validated.initial_data, hooks))
    except ValidationError as error:
        validated._validated_data, validated._errors = {}, error.detail
        return Started()


async def afinished_validation(
    serializer: AsyncSerializerMixin[Any], started: Started, *, raise_exception: bool
) -> bool:
    """Finish what `start_validation` began, awaiting the async hooks; `is_valid`'s result."""
    validated: Any = serializer
    if started.hooks is not None:
        try:
            value = await afinish_validation(validated, started.state, started.hooks)
        except ValidationError as error:
            validated._validated_data, validated._errors = {}, error.detail
        else:
            validated._validated_data, validated._errors = value, {}
    if validated._errors and raise_exception:
        raise ValidationError(validated.errors)
    return not validated._errors


def _check_saveable(serializer: Any, kwargs: dict[str, Any]) -> None:
    """DRF's checks before a save, naming the async calls."""
    if not hasattr(serializer, "_errors"):
        raise AssertionError("You must call `.ais_valid()` before calling `.asave()`.")
    if serializer.errors:
        raise AssertionError("You cannot call `.asave()` on a serializer with invalid data.")
    if "commit" in kwargs:
        raise AssertionError(
            "'commit' is not a valid keyword argument to the 'asave()' method. Pass extra "
            "keyword arguments to `.asave()` to add them to `validated_data`."
        )
    if hasattr(serializer, "_data"):
        raise AssertionError(
            "You cannot call `.asave()` after accessing `serializer.adata`. If you need to "
            "access data before committing to the database then inspect "
            "'serializer.validated_data' instead."
        )


class FastRepresentationMixin:
    """Representation without DRF's per-instance field building and per-row filtering.

    When every readable field of a serializer class represents a row from the row alone
    (model fields, primary-key, slug and string relations, nested serializers built the
    same way), the class binds its fields once and every serializer of the class reads rows
    through those fields: no fields are copied or bound per request. A serializer whose
    `fields` were touched (a dynamic-fields `__init__`, validation before a save), or whose
    class builds fields its own way or has a field that reads the serializer's context
    (hyperlinks, files, `SerializerMethodField`), represents rows exactly as DRF does, with
    its readable fields listed once per serializer instead of once per row.
    """

    def to_representation(self, instance: Any) -> Any:
        """Object instance -> dict of primitive data, as DRF's `Serializer` returns it."""
        reader = _class_reader(type(self)) if "fields" not in self.__dict__ else None
        if reader is None:
            return super().to_representation(instance)  # type: ignore[misc]  # a serializer mixin
        return reader(instance)

    def _restflow_reads_from_class(self) -> bool:
        """Whether this serializer represents rows through its class's bound fields."""
        return "fields" not in self.__dict__ and _class_reader(type(self)) is not None

    @property
    def _readable_fields(self) -> list[Any]:
        readable: list[Any] | None = self.__dict__.get("_restflow_readable_fields")
        if readable is None:
            fields: Any = self.fields  # type: ignore[attr-defined]  # a mixin for serializers
            readable = [field for field in fields.values() if not field.write_only]
            self.__dict__["_restflow_readable_fields"] = readable
        return readable


# Field types whose representation reads only the row and the field's own arguments.
_SELF_CONTAINED_FIELDS: frozenset[type[Any]] = frozenset(
    {
        fields.BooleanField,
        fields.CharField,
        fields.ChoiceField,
        fields.DateField,
        fields.DateTimeField,
        fields.DecimalField,
        fields.DurationField,
        fields.EmailField,
        fields.FloatField,
        fields.IPAddressField,
        fields.IntegerField,
        fields.JSONField,
        fields.ModelField,
        fields.MultipleChoiceField,
        fields.ReadOnlyField,
        fields.RegexField,
        fields.SlugField,
        fields.TimeField,
        fields.URLField,
        fields.UUIDField,
        relations.PrimaryKeyRelatedField,
        relations.SlugRelatedField,
        relations.StringRelatedField,
    }
    # Newer DRF releases only.
    | {getattr(fields, "BigIntegerField", fields.IntegerField)}
)
_CONTAINERS: frozenset[type[Any]] = frozenset({fields.ListField, fields.DictField})
# Remembered for a class that cannot have a reader.
_NO_READER = False


def _class_reader(cls: type[Any]) -> Reader | None:
    """The readable fields of `cls`, bound once and compiled, when they can represent rows
    for any instance."""
    reader: Reader | bool | None = cls.__dict__.get("_restflow_reader")
    if reader is None:
        reader = _build_reader(cls)
        cls._restflow_reader = reader
    return reader if isinstance(reader, Reader) else None


def _build_reader(cls: type[Any]) -> Reader | bool:
    base = ModelSerializer if issubclass(cls, serializers.ModelSerializer) else Serializer
    if any(getattr(cls, name, None) is not getattr(base, name, None) for name in _FIELD_BUILDERS):
        return _NO_READER
    own_representation = overrides(cast(Any, cls), "ato_representation")
    if cls._readable_fields is not FastRepresentationMixin._readable_fields or own_representation:
        return _NO_READER
    # Bound to a serializer that skips the class's own `__init__`, which may want arguments.
    template: Any = object.__new__(cls)
    serializers.BaseSerializer.__init__(template)
    readable = tuple(field for field in template.fields.values() if not field.write_only)
    if not all(_self_contained(field) for field in readable):
        return _NO_READER
    return Reader(readable)


def _self_contained(field: Any) -> bool:
    if getattr(field.default, "requires_context", False):
        return False
    kind = type(field)
    if kind in _SELF_CONTAINED_FIELDS:
        return True
    if kind in _CONTAINERS:
        return _self_contained(field.child)
    if kind is relations.ManyRelatedField:
        return _self_contained(field.child_relation)
    if kind is serializers.ListSerializer or kind is ListSerializer:
        return _self_contained(field.child)
    return isinstance(field, FastRepresentationMixin) and _class_reader(type(field)) is not None


class Serializer(FastRepresentationMixin, AsyncSerializerMixin[Any], serializers.Serializer[Any]):
    """DRF's `Serializer` with `ais_valid`, `asave` and `adata`."""


# Methods whose override makes a serializer's fields depend on more than its class.
_FIELD_BUILDERS = ("get_fields", "get_field_names", "build_field", "get_extra_kwargs")


class ModelSerializer(
    FastRepresentationMixin,
    AsyncSerializerMixin[ModelT],
    serializers.ModelSerializer[ModelT],
):
    """DRF's `ModelSerializer` with `ais_valid`, `asave` and `adata`.

    Saving writes what DRF's `ModelSerializer` writes: the whole row, so every column that
    `save()`, an `update()` override or a `pre_save` receiver sets is stored. With
    `Meta.update_fields = "validated"`, an update writes only the columns it was given (and
    the `auto_now` ones), through `save(update_fields=...)`.

    The fields DRF derives from the model are built once per class and copied for each
    serializer, instead of being derived again every time; a subclass that overrides how
    fields are built (`get_fields`, `get_field_names`, `build_field`, `get_extra_kwargs`)
    keeps DRF's per-instance building.
    """

    if TYPE_CHECKING:
        # DRF's stubs declare `Meta` as a class with its options, which pyright then asks
        # every serializer's own `class Meta:` to derive from. Any class will do.
        Meta: ClassVar[Any]  # pyright: ignore[reportIncompatibleVariableOverride]

    @override
    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        if any(
            getattr(cls, name) is not getattr(ModelSerializer, name) for name in _FIELD_BUILDERS
        ):
            return super().get_fields()
        template: dict[str, Any] | None = cls.__dict__.get("_restflow_field_template")
        if template is None:
            template = super().get_fields()
            cls._restflow_field_template = template  # type: ignore[attr-defined]
        return {name: fresh_copy(field) for name, field in template.items()}

    @override
    def update(self, instance: ModelT, validated_data: Any) -> ModelT:
        plan = _update_plan(type(self), type(instance), validated_data)
        if plan is None:
            updated: ModelT = super().update(instance, validated_data)
            return updated
        serializers.raise_errors_on_nested_writes("update", self, validated_data)
        columns, many = plan
        for name in columns:
            if name in validated_data:
                setattr(instance, name, validated_data[name])
        try:
            instance.save(update_fields=columns)
        except DatabaseError as error:
            # The row was deleted since it was read (a whole-row save would have inserted it
            # again).
            if _matched_no_row(error):
                raise NotFound from error
            raise
        for name in many:
            getattr(instance, name).set(validated_data[name])
        return instance

    @override
    def get_validators(self) -> list[Any]:
        cls = type(self)
        if (
            getattr(getattr(cls, "Meta", None), "validators", None) is None
            and cls.get_unique_together_validators
            is serializers.ModelSerializer.get_unique_together_validators
            and cls.get_unique_for_date_validators
            is serializers.ModelSerializer.get_unique_for_date_validators
            and not has_unique_rules(cls.Meta.model)
        ):
            # DRF would look for unique-together and unique-for-date rules and find none.
            return []
        return super().get_validators()


# Django 6.1 names its refusal of an UPDATE that matched no row (`Model.NotUpdated`).
_NOT_UPDATED: type[Exception] | None = getattr(exceptions, "ObjectNotUpdated", None)


def _matched_no_row(error: DatabaseError) -> bool:
    """Whether `error` is Django's refusal of a `save(update_fields=...)` that matched no
    row: `Model.NotUpdated` on Django 6.1, a bare `DatabaseError` before."""
    if _NOT_UPDATED is not None:
        return isinstance(error, _NOT_UPDATED)
    return type(error) is DatabaseError and error.__cause__ is None


def _update_plan(
    cls: type[Any], model: type[Model], validated_data: Any
) -> tuple[list[str], list[str]] | None:
    """The columns and to-many relations an update with `Meta.update_fields = "validated"`
    writes, or None for DRF's whole-row save.

    The whole row is saved when the option is not set, and when a value goes anywhere but
    a plain column or a to-many relation (a property, the primary key, a reverse one-to-one),
    which `save(update_fields=...)` could not store.
    """
    option = getattr(getattr(cls, "Meta", None), "update_fields", None)
    if option is None:
        return None
    if option != "validated":
        raise ImproperlyConfigured(
            f'{cls.__name__}.Meta.update_fields must be "validated" (write only the columns '
            f"an update was given) or left unset (write the whole row), not {option!r}."
        )
    options = model._meta
    columns: list[str] = []
    many: list[str] = []
    for name in validated_data:
        try:
            field = options.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.many_to_many or field.one_to_many:
            accessor = field.get_accessor_name() if isinstance(field, ForeignObjectRel) else name
            if accessor != name:
                return None
            many.append(name)
        elif field.concrete and not field.primary_key:  # type: ignore[union-attr]  # a concrete field
            columns.append(name)
        else:
            return None
    columns += [
        field.name
        for field in options.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in columns
    ]
    return columns, many


def has_unique_rules(model: type[Model]) -> bool:
    """Whether `model` (or a parent) declares rules DRF validates across fields.

    Those are `unique_together`, unique constraints, and `unique_for_date`/`_month`/`_year`.
    """
    known = _UNIQUE_RULES.get(model)
    if known is None:
        known = _UNIQUE_RULES[model] = _find_unique_rules(model)
    return known


_UNIQUE_RULES: dict[type[Model], bool] = {}


def _find_unique_rules(model: type[Model]) -> bool:
    for owner in [model, *model._meta.parents]:
        options = owner._meta
        if options.unique_together or any(
            isinstance(constraint, UniqueConstraint) for constraint in options.constraints
        ):
            return True
    return any(
        getattr(field, rule, None)
        for field in model._meta.get_fields()
        for rule in ("unique_for_date", "unique_for_month", "unique_for_year")
    )


def fresh_copy(field: Any) -> Any:
    """An unbound copy of an unbound `field`, as independent as DRF's `deepcopy` makes it.

    DRF copies a field by instantiating its class again from the original arguments; for the
    plain field types a copy of the field's attributes is the same field at a fraction of the
    cost. The containers a serializer's code may change in place (validators, error messages,
    style) are copied too; everything else a field holds is only ever replaced.
    """
    if type(field) not in _SELF_CONTAINED_FIELDS:
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    state = dict(field.__dict__)
    for name in _MUTABLE_FIELD_STATE:
        if name in state:
            state[name] = copy.copy(state[name])
    clone.__dict__.update(state)
    return clone


_MUTABLE_FIELD_STATE = ("_validators", "error_messages", "style")
