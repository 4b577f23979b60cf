"""Permissions combined with `&`, `|` and `~` can be awaited, as drf-restflow's can:
`await (IsAuthenticated & IsOwner)().ahas_permission(request, view)`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from rest_framework import permissions as drf
from rest_framework.request import Request
from typing_extensions import override

from restflow_django.permissions import AND, NOT, OR, BasePermission, IsAuthenticated
from restflow_django.test import AsyncAPIRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


class IsOwner(BasePermission):
    """Objects whose `owner` is the user; answered asynchronously."""

    @override
    async def ahas_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        await asyncio.sleep(0)
        return bool(obj["owner"] == request.user.username)


class OpensOnSundays(BasePermission):
    """Refuses every request, through a sync check."""

    @override
    def has_permission(self, request: Request, view: Any) -> bool:
        return False


def as_user(user: Any) -> Request:
    """A request made by `user`."""
    request = Request(AsyncAPIRequestFactory().get("/"))
    request.user = user
    return request


@pytest.fixture
async def ada() -> User:
    return await User.objects.acreate(username="ada")


class TestAwaitable:
    async def test_and_or_not_build_restflows_awaitable_combinations(self) -> None:
        """`&`, `|` and `~` on restflow's permissions build `AND`, `OR` and `NOT` with the
        async methods."""
        both = (IsAuthenticated & IsOwner)()
        either = (IsAuthenticated | OpensOnSundays)()
        neither = (~OpensOnSundays)()

        assert (type(both), type(either), type(neither)) == (AND, OR, NOT)

    async def test_the_answers_are_drfs(self, ada: User) -> None:
        """The awaited answers are what DRF's sync combination answers."""
        signed_in, anonymous = as_user(ada), as_user(AnonymousUser())
        mine, theirs = {"owner": "ada"}, {"owner": "bob"}
        both = (IsAuthenticated & IsOwner)()
        either = (OpensOnSundays | IsAuthenticated)()
        negated = (~IsAuthenticated)()

        assert await both.ahas_permission(signed_in, None) is True
        assert await both.ahas_permission(anonymous, None) is False
        assert await both.ahas_object_permission(signed_in, None, mine) is True
        assert await both.ahas_object_permission(signed_in, None, theirs) is False
        assert await either.ahas_permission(signed_in, None) is True
        assert await either.ahas_permission(anonymous, None) is False
        assert await negated.ahas_permission(anonymous, None) is True
        drf_either = (drf.IsAuthenticated | drf.IsAdminUser)()
        no_view: Any = None
        assert drf_either.has_permission(signed_in, no_view) is await either.ahas_permission(
            signed_in, None
        )

    async def test_combinations_nest(self, ada: User) -> None:
        """`(A & B) | ~C` nests, and stays awaitable."""
        nested = ((IsAuthenticated & IsOwner) | ~OpensOnSundays)()

        assert type(nested) is OR
        assert await nested.ahas_permission(as_user(AnonymousUser()), None) is True
