"""Permission checks accept sync and async answers and fail closed."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest
from typing_extensions import override

from restflow_core import afirst_object_refusal, afirst_refusal, aresolve
from restflow_memory import AllowAny, BasePermission, IsAuthenticated
from restflow_memory.requests import MemoryRequest


class AsyncDeny(BasePermission):
    """Refuses asynchronously."""

    @override
    async def has_permission(self, request: Any, view: Any, /) -> bool:
        return False


class ObjectOwner(BasePermission):
    """Allows an object only to its owner."""

    @override
    async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return bool(obj["owner"] == request.user)


async def allowed() -> bool:
    """An async answer of yes."""
    return True


async def nested() -> Awaitable[bool]:
    """A broken permission that returns a coroutine from a coroutine."""
    return allowed()


class TestAresolve:
    @pytest.mark.parametrize(
        ("decision", "expected"), [(True, True), (False, False), (1, True), (None, False)]
    )
    async def test_sync_answers_are_taken_as_bools(self, decision: object, expected: bool) -> None:
        """Plain answers count by their truth value."""
        assert await aresolve(decision) is expected

    async def test_async_answers_are_awaited(self) -> None:
        """An awaitable answer is awaited, not taken as truthy."""
        assert await aresolve(allowed()) is True

    async def test_answer_still_awaitable_after_one_await_is_a_refusal(self) -> None:
        """A coroutine hidden in a coroutine fails closed."""
        assert await aresolve(nested()) is False


class TestFirstRefusal:
    async def test_all_allowing_gives_none(self) -> None:
        """No refusal when every permission allows."""
        request = MemoryRequest(user="ada")

        assert await afirst_refusal([AllowAny(), IsAuthenticated()], request, None) is None

    async def test_first_refusing_permission_is_returned(self) -> None:
        """The first refusing permission is named, sync or async."""
        deny = AsyncDeny()

        refusal = await afirst_refusal([AllowAny(), deny, IsAuthenticated()], MemoryRequest(), None)

        assert refusal is deny

    async def test_object_refusal_checks_the_object(self) -> None:
        """Object permissions see the object."""
        owner = ObjectOwner()
        request = MemoryRequest(user="ada")

        mine = await afirst_object_refusal([owner], request, None, {"owner": "ada"})
        theirs = await afirst_object_refusal([owner], request, None, {"owner": "bob"})

        assert mine is None
        assert theirs is owner
