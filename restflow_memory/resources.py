"""Resources: the core's generic resource and its five actions over memory stores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from typing_extensions import override

from restflow_core import resources as core
from restflow_memory.pagination import LimitOffsetPagination, PageNumberPagination
from restflow_memory.permissions import AllowAny
from restflow_memory.serializers import MemorySerializer
from restflow_memory.store import MemoryQuery, MemoryStore, MemoryUnitOfWork

ModelT = TypeVar("ModelT")
Pagination = PageNumberPagination | LimitOffsetPagination
ACTIONS = core.ACTIONS


class Resource(core.Resource[ModelT, MemorySerializer[ModelT]]):
    """The memory twin of DRF's `GenericAPIView`: one instance serves one request.

    Subclasses set `store` and `serializer_class`, and may set `permission_classes`,
    `filter_backends`, `pagination_class` and `lookup_field`, as on a DRF view. With
    `atomic = True`, each write action's store writes are undone if the action fails.
    """

    store: MemoryStore[ModelT]
    serializer_class: type[MemorySerializer[ModelT]]
    permission_classes: ClassVar[Sequence[type[Any]]] = (AllowAny,)
    pagination_class: ClassVar[type[Pagination] | None] = None  # pyright: ignore[reportIncompatibleVariableOverride]  # the memory paginators

    @override
    def get_unit_of_work(self) -> MemoryUnitOfWork | None:
        """Return the unit write actions run in when `atomic` is set, else `None`."""
        return MemoryUnitOfWork() if self.atomic else None

    @override
    def get_queryset(self) -> MemoryQuery[ModelT]:
        """Return every object this resource may show; override to narrow it."""
        return self.store.all()

    def get_serializer_context(self) -> dict[str, Any]:
        """Return what serializers receive as `context`."""
        return {"request": self.request, "view": self, "store": self.store}

    def get_serializer(self, *args: Any, **kwargs: Any) -> MemorySerializer[ModelT]:
        """Return an instance of `serializer_class` with this resource's context."""
        kwargs.setdefault("context", self.get_serializer_context())
        return self.serializer_class(*args, **kwargs)

    @override
    async def avalidated(self, data: Any) -> MemorySerializer[ModelT]:
        """Return a serializer for a new object, validated against `data`."""
        serializer = self.get_serializer(data=data)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    @override
    async def arevalidated(
        self, instance: ModelT, data: Any, partial: bool
    ) -> MemorySerializer[ModelT]:
        """Return a serializer for `instance`, validated against `data`."""
        serializer = self.get_serializer(instance, data=data, partial=partial)
        await serializer.ais_valid(raise_exception=True)
        return serializer

    @override
    async def arender(self, draft: MemorySerializer[ModelT]) -> Any:
        """Return the representation held by the serializer `draft`."""
        return await draft.adata

    @override
    async def arender_instance(self, instance: ModelT) -> Any:
        """Return the representation of `instance`."""
        return await self.get_serializer(instance).adata

    @override
    async def arender_many(self, items: Any) -> Any:
        """Return the representations of `items`, a page or a whole query."""
        return await self.serializer_class.arepresent_many(
            items, context=self.get_serializer_context()
        )

    @override
    async def asave(self, draft: MemorySerializer[ModelT]) -> None:
        """Save the validated serializer `draft`."""
        await draft.asave()

    @override
    async def adelete(self, instance: ModelT) -> None:
        """Remove `instance` from the store."""
        await self.store.adelete(instance)


class CreateMixin(core.CreateMixin[ModelT, MemorySerializer[ModelT]], Resource[ModelT]):
    """Adds `create`: validate, `aperform_create`, answer 201."""


class ListMixin(core.ListMixin[ModelT, MemorySerializer[ModelT]], Resource[ModelT]):
    """Adds `list`: filter, paginate, serialize."""


class RetrieveMixin(core.RetrieveMixin[ModelT, MemorySerializer[ModelT]], Resource[ModelT]):
    """Adds `retrieve`: fetch one object and serialize it."""


class UpdateMixin(core.UpdateMixin[ModelT, MemorySerializer[ModelT]], Resource[ModelT]):
    """Adds `update` (PUT) and `partial_update` (PATCH)."""


class DestroyMixin(core.DestroyMixin[ModelT, MemorySerializer[ModelT]], Resource[ModelT]):
    """Adds `destroy`: fetch, `aperform_destroy`, answer 204."""


class ReadOnlyModelResource(ListMixin[ModelT], RetrieveMixin[ModelT], Resource[ModelT]):
    """`list` and `retrieve`."""


class ModelResource(
    CreateMixin[ModelT],
    ListMixin[ModelT],
    RetrieveMixin[ModelT],
    UpdateMixin[ModelT],
    DestroyMixin[ModelT],
    Resource[ModelT],
):
    """All five actions: `create`, `list`, `retrieve`, `update`/`partial_update`, `destroy`."""
