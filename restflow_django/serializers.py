"""Async serializers: DRF's serializers plus `ais_valid`, `asave` and `adata`."""

from __future__ import annotations

import copy
from collections.abc import Awaitable
from typing import Any, Generic, TypeVar

from asgiref.sync import sync_to_async
from django.db.models import Model, UniqueConstraint
from rest_framework import fields, relations, serializers
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_django._async_hooks import (
    refuse_async_representation_hooks,
    refuse_async_saving_hooks,
    refuse_async_validation_hooks,
)
from restflow_django._rows import Reader
from restflow_django._sync import aon_loop_or_thread
from restflow_django.diagnostics import describe_unloaded_relation

InstanceT = TypeVar("InstanceT")
ModelT = TypeVar("ModelT", bound=Model)

__all__ = [
    "AsyncSerializerMixin",
    "ModelSerializer",
    "Serializer",
    "arender",
    "asave",
    "avalidate_or_is_valid_serializer",
]


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
    """DRF's `is_valid`, refusing first any `async def` hook it would take for a value.

    Raises `TypeError` naming the hook; restflow's own serializers check in `is_valid`.
    """
    if not isinstance(serializer, AsyncSerializerMixin):
        refuse_async_validation_hooks(serializer)
    return serializer.is_valid(raise_exception=raise_exception)


def checked_save(serializer: BaseSerializer[InstanceT], **kwargs: Any) -> InstanceT:
    """DRF's `save`, refusing first an `async def` `create` or `update` (`TypeError`)."""
    if not isinstance(serializer, AsyncSerializerMixin):
        refuse_async_saving_hooks(serializer)
    return serializer.save(**kwargs)


def checked_data(serializer: BaseSerializer[Any]) -> Any:
    """`serializer.data`, refusing first any `async def` hook it would render (`TypeError`)."""
    if not isinstance(serializer, AsyncSerializerMixin):
        refuse_async_representation_hooks(serializer)
    return serializer.data


async def asave(serializer: BaseSerializer[InstanceT], **kwargs: Any) -> InstanceT:
    """Save `serializer` without blocking: its `asave`, else DRF's `save` in a thread."""
    own = getattr(serializer, "asave", None)
    if own is not None:
        saved: InstanceT = await own(**kwargs)
        return saved
    return await sync_to_async(checked_save)(serializer, **kwargs)


async def arender(serializer: BaseSerializer[Any]) -> Any:
    """Return `serializer.data`, computed on the event loop when every row it reads is loaded.

    A representation that reaches for a lazy relation is computed again in a thread, so it
    still works; `select_related`/`prefetch_related` make it free of thread hops. In strict
    relations mode (`restflow_django.diagnostics.strict_relations`) it raises
    `LazyRelationError` naming the field and the `select_related`/`prefetch_related` to add.
    """
    return await aon_loop_or_thread(
        lambda: checked_data(serializer), describe=lambda: describe_unloaded_relation(serializer)
    )


class AsyncSerializerMixin(Generic[InstanceT]):
    """Adds `ais_valid`, `asave` and the awaitable `adata` to a DRF serializer.

    `is_valid`, `save` and `data` raise `TypeError` naming an `async def` hook they would
    otherwise call without awaiting (`validate_<field>`, `validate`, a validator, `create`,
    `update`, a `SerializerMethodField`'s method), before anything is validated or written.
    """

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        """DRF's `is_valid`, after refusing `async def` hooks."""
        refuse_async_validation_hooks(self)
        valid: bool = super().is_valid(raise_exception=raise_exception)  # type: ignore[misc]  # a serializer mixin
        return valid

    def save(self, **kwargs: Any) -> InstanceT:
        """DRF's `save`, after refusing an `async def` `create` or `update`."""
        refuse_async_saving_hooks(self)
        saved: InstanceT = super().save(**kwargs)  # type: ignore[misc]  # a serializer mixin
        return saved

    @property
    def data(self) -> Any:
        """DRF's `data`, after refusing `async def` representation hooks."""
        refuse_async_representation_hooks(self)
        return super().data  # type: ignore[misc]  # a serializer mixin

    async def ais_valid(self, *, raise_exception: bool = False) -> bool:
        """Validate in a thread (DRF validation may query); same contract as `is_valid`."""
        # A mixin: `self` is a DRF serializer at run time.
        serializer: BaseSerializer[InstanceT] = self  # type: ignore[assignment]
        return await sync_to_async(serializer.is_valid)(raise_exception=raise_exception)

    async def asave(self, **kwargs: Any) -> InstanceT:
        """Create or update in a thread; `kwargs` reach `validated_data` as with `save`."""
        # A mixin: `self` is a DRF serializer at run time.
        serializer: BaseSerializer[InstanceT] = self  # type: ignore[assignment]
        return await sync_to_async(serializer.save)(**kwargs)

    @property
    def adata(self) -> Awaitable[Any]:
        """The representation, awaited: `await serializer.adata`."""
        # A mixin: `self` is a DRF serializer at run time.
        serializer: BaseSerializer[InstanceT] = self  # type: ignore[assignment]
        return arender(serializer)


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
    if cls._readable_fields is not FastRepresentationMixin._readable_fields:
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
    if kind is serializers.ListSerializer:
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
    `save()`, an `update()` override or a `pre_save` receiver sets is stored.

    The fields DRF derives from the model are built once per class and copied for each
    serializer, instead of being derived again every time; a subclass that overrides how
    fields are built (`get_fields`, `get_field_names`, `build_field`, `get_extra_kwargs`)
    keeps DRF's per-instance building.
    """

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
