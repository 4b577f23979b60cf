"""Wrong hook shapes on memory resources are mypy errors too."""

from dataclasses import dataclass

from typing_extensions import override

from restflow_memory import MemorySerializer, ModelResource


@dataclass
class Book:
    """A book."""

    title: str


@dataclass
class Film:
    """A film."""

    title: str


class SyncHook(ModelResource[Book]):
    """A sync create hook."""

    @override
    def aperform_create(self, serializer: MemorySerializer[Book]) -> None:  # type: ignore[override]
        pass


class WrongModel(ModelResource[Book]):
    """A destroy hook for films."""

    @override
    async def aperform_destroy(self, instance: Film) -> None:  # type: ignore[override]
        pass
