"""The notes API of the contract suite (`tests/contract/`), on the Django adapter."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rest_framework import filters, permissions, serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer
from typing_extensions import override

from restflow_core.testing import TAKEN
from restflow_django.authentication import TokenAuthentication
from restflow_django.pagination import PageNumberPagination
from restflow_django.serializers import ModelSerializer, asave
from restflow_django.views import AsyncModelViewSet
from tests.testapp.models import Note

Journal = list[tuple[Any, ...]]


class NoteSerializer(ModelSerializer[Note]):
    """Notes as clients see them."""

    class Meta:
        model = Note
        fields: tuple[str, ...] = ("id", "title", "pages", "owner")
        read_only_fields = ("owner",)


class CheckedNoteSerializer(NoteSerializer):
    """Notes through async hooks: see `restflow_core.testing`'s `/checked-notes/`."""

    words = serializers.SerializerMethodField()

    class Meta(NoteSerializer.Meta):
        fields = (*NoteSerializer.Meta.fields, "words")

    async def validate_title(self, value: str) -> str:
        title = " ".join(value.split())
        others = Note.objects.filter(title=title)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if await others.aexists():
            raise serializers.ValidationError(TAKEN)
        return title

    @override
    async def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0)
        if attrs.get("pages") == 13:
            raise serializers.ValidationError("Thirteen pages are refused.")
        return attrs

    async def get_words(self, note: Note) -> int:
        await asyncio.sleep(0)
        return len(note.title.split())


class OwnerWrites(permissions.BasePermission):
    """Only a note's owner changes it."""

    message = "Only the owner may change this note."

    @override
    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.method == "GET" or obj.owner == request.user.username)


class Pages(PageNumberPagination):
    """Two notes a page."""

    page_size = 2


class NoteViewSet(AsyncModelViewSet[Note]):
    """Every action, with journaling hooks."""

    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    # Token authentication first: a 401 names `Token`, as on the other adapters.
    authentication_classes = (TokenAuthentication, BasicAuthentication)
    filter_backends = (filters.SearchFilter,)
    search_fields = ("title", "owner")
    permission_classes = (permissions.IsAuthenticatedOrReadOnly, OwnerWrites)
    pagination_class = Pages
    atomic = True
    journal: ClassVar[Journal] = []

    @override
    async def aperform_create(self, serializer: BaseSerializer[Note]) -> None:
        self.journal.append(("create", serializer.validated_data["title"]))
        await asave(serializer, owner=self.request.user.username)

    @override
    async def aperform_update(self, serializer: BaseSerializer[Note]) -> None:
        self.journal.append(("update", serializer.instance.pk if serializer.instance else None))
        await asave(serializer)

    @override
    async def aperform_destroy(self, instance: Note) -> None:
        self.journal.append(("destroy", instance.pk))
        await instance.adelete()


class CheckedNoteViewSet(NoteViewSet):
    """The notes API through `CheckedNoteSerializer`."""

    serializer_class = CheckedNoteSerializer


class FailingNoteViewSet(NoteViewSet):
    """Write hooks that save and then refuse: nothing they wrote may stay."""

    @override
    async def aperform_create(self, serializer: BaseSerializer[Note]) -> None:
        await super().aperform_create(serializer)
        raise serializers.ValidationError({"title": ["Refused after saving."]})

    @override
    async def aperform_update(self, serializer: BaseSerializer[Note]) -> None:
        await super().aperform_update(serializer)
        raise serializers.ValidationError({"title": ["Refused after saving."]})

    @override
    async def aperform_destroy(self, instance: Note) -> None:
        await super().aperform_destroy(instance)
        raise serializers.ValidationError({"title": ["Refused after deleting."]})
