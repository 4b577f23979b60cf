"""The kit's smaller promises: `Allow` on a 405, the 503's `Retry-After`, rollback marks,
bounded awaiting, `Steps.chain`, offloaded `asave`/`adelete`, and what `explain` prints."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from typing_extensions import override

from restflow_core import (
    AllowAny,
    BasePermission,
    Blocking,
    CreateMixin,
    DestroyMixin,
    Joinable,
    ListMixin,
    NotAuthenticated,
    PlainRequest,
    Reply,
    Resource,
    RetrieveMixin,
    ServiceUnavailable,
    Steps,
    TokenAuthentication,
    UpdateMixin,
    abounded,
    atomically,
    error_reply,
    first_object_refusal,
    given,
    rolled_back,
    run_steps,
    to_thread,
)
from restflow_core.permissions import has_async_object_check

T = TypeVar("T")
Row = dict[str, Any]


class ReadOnly(ListMixin[Row, Row], RetrieveMixin[Row, Row]):
    """Reads only."""


class Everything(
    CreateMixin[Row, Row],
    ListMixin[Row, Row],
    RetrieveMixin[Row, Row],
    UpdateMixin[Row, Row],
    DestroyMixin[Row, Row],
):
    """All five actions."""


class Handlers(Resource[Row, Row]):
    """Handlers named after methods: async ones answer; a plain one does not."""

    async def get(self, request: Any) -> Reply:
        raise NotImplementedError

    async def options(self, request: Any) -> Reply:
        raise NotImplementedError

    def put(self, request: Any) -> Reply:
        raise NotImplementedError


class EveryHandler(Resource[Row, Row]):
    """Async handlers for every method a resource may name."""

    async def put(self, request: Any) -> Reply:
        raise NotImplementedError

    async def patch(self, request: Any) -> Reply:
        raise NotImplementedError

    async def delete(self, request: Any) -> Reply:
        raise NotImplementedError

    async def head(self, request: Any) -> Reply:
        raise NotImplementedError


class TestAllowedMethods:
    @pytest.mark.parametrize(
        ("resource", "key", "allowed"),
        [
            (ReadOnly, None, ["GET"]),
            (ReadOnly, "1", ["GET"]),
            (Everything, None, ["GET", "POST"]),
            (Everything, "1", ["GET", "PUT", "PATCH", "DELETE"]),
            (Handlers, None, ["GET", "OPTIONS"]),
            (EveryHandler, "1", ["PUT", "PATCH", "DELETE", "HEAD"]),
        ],
    )
    async def test_a_405_names_what_the_url_answers(
        self, resource: type[Resource[Row, Row]], key: str | None, allowed: list[str]
    ) -> None:
        answer = await resource(PlainRequest("TRACE"), action="trace", key=key).adispatch()

        assert (answer.status, answer.body) == (405, {"detail": 'Method "TRACE" not allowed.'})
        assert resource(PlainRequest(), action="x", key=key).allowed_methods() == allowed
        assert answer.headers["Allow"] == ", ".join(allowed)

    def test_an_action_and_a_handler_of_one_method_are_named_once(self) -> None:
        class Both(ReadOnly):
            async def get(self, request: Any) -> Reply:
                raise NotImplementedError

        assert Both(PlainRequest(), action="x").allowed_methods() == ["GET"]


class TestErrorsAndMarks:
    def test_a_503_says_when_to_retry(self) -> None:
        default = ServiceUnavailable()
        busy = ServiceUnavailable("Busy.", code="busy", retry_after=30)

        assert (default.detail, default.code, default.retry_after) == (
            "Service temporarily unavailable, try again later.",
            "service_unavailable",
            1,
        )
        assert error_reply(default).headers == {"Retry-After": "1"}
        assert (busy.detail, busy.code) == ("Busy.", "busy")
        assert error_reply(busy).headers == {"Retry-After": "30"}
        assert error_reply(busy).status == 503

    def test_a_401_without_a_scheme_has_no_header(self) -> None:
        plain = NotAuthenticated()
        named = NotAuthenticated("Who?", code="who", authenticate_header="Token")

        assert (plain.detail, plain.code, plain.headers()) == (
            "Authentication credentials were not provided.",
            "not_authenticated",
            {},
        )
        assert (named.detail, named.code, named.headers()) == (
            "Who?",
            "who",
            {"WWW-Authenticate": "Token"},
        )

    async def test_an_error_that_rolled_back_says_so(self) -> None:
        class Unit:
            async def abegin(self) -> None:
                pass

            async def acommit(self) -> None:
                pass

            async def arollback(self) -> None:
                pass

        with pytest.raises(KeyError) as raised:
            async with atomically(Unit()):
                raise KeyError("x")

        assert rolled_back(raised.value) is True
        assert rolled_back(KeyError("never in a block")) is False


class TestBounded:
    async def test_a_failure_cancels_the_rest_and_is_raised_as_it_is(self) -> None:
        finished: list[int] = []

        async def slow() -> int:
            await asyncio.sleep(10)
            finished.append(1)
            return 1

        async def failing() -> int:
            await asyncio.sleep(0)
            raise LookupError("gone")

        with pytest.raises(LookupError, match="gone"):
            await abounded([slow, failing, slow], limit=3)

        assert finished == []

    async def test_results_keep_the_calls_order(self) -> None:
        async def answer(n: int) -> int:
            await asyncio.sleep(0.001 * (3 - n))
            return n

        calls = [lambda n=n: answer(n) for n in range(3)]

        assert await abounded(calls, limit=2) == [0, 1, 2]
        assert await abounded(calls[:1], limit=1) == [0]
        with pytest.raises(ValueError, match="at least 1"):
            await abounded(calls, limit=0)


class TestChain:
    async def test_a_chain_made_at_run_time_runs_as_one_hop(self) -> None:
        hops: list[str] = []

        async def offload(work: Callable[[], T], /) -> T:
            hops.append(threading.current_thread().name)
            return await asyncio.to_thread(work)

        chained = Steps.chain([Blocking(str.upper), Joinable(str.title), Joinable(len)])

        assert await run_steps(offload, given(chained, "ab cd")) == 5
        assert len(hops) == 1


class Shelf(Everything):
    """Plain `save` and `delete_instance`, reached from async hooks through `asave` and
    `adelete`."""

    rows: list[Row]
    offload = staticmethod(to_thread)

    @override
    def save(self, draft: Row) -> Row:
        self.rows.append(draft | {"thread": threading.current_thread().name})
        return draft

    @override
    def delete_instance(self, instance: Row) -> None:
        self.rows.remove(instance)

    @override
    async def aperform_destroy(self, instance: Row, /) -> None:
        await self.adelete(instance)


class TestOffloadedSaveAndDelete:
    async def test_async_hooks_reach_the_plain_save_and_delete_in_a_thread(self) -> None:
        shelf = Shelf(PlainRequest(), action="x")
        shelf.rows = []

        saved = await shelf.asave({"id": 1})
        stored = shelf.rows[0]
        await shelf.adelete(stored)

        assert saved == {"id": 1}
        assert stored["thread"] != threading.current_thread().name
        assert shelf.rows == []
        assert Shelf.plan.forms["perform_destroy"] == "async"
        assert Shelf.plan.forms["perform_create"] == "plain"

    async def test_without_a_plain_form_the_async_hooks_are_the_adapters_to_write(self) -> None:
        bare = Everything(PlainRequest(), action="x")

        with pytest.raises(NotImplementedError):
            await bare.asave({})
        with pytest.raises(NotImplementedError):
            await bare.adelete({})
        with pytest.raises(NotImplementedError):
            bare.save({})
        with pytest.raises(NotImplementedError):
            bare.delete_instance({})


class Tokens(TokenAuthentication):
    @override
    async def auser_for(self, key: str, /) -> Any:
        return None


class Refusing(BasePermission):
    message = "No."

    @override
    def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
        return False


class TestObjectChecksInThreads:
    def test_the_first_refusal_is_named(self) -> None:
        allow, refuse = AllowAny(), Refusing()

        assert first_object_refusal([allow, refuse], PlainRequest(), None, {}) is refuse
        assert first_object_refusal([allow], PlainRequest(), None, {}) is None

    def test_the_permission_is_asked_about_the_view_and_the_object(self) -> None:
        asked: list[tuple[Any, Any]] = []

        class Noting(BasePermission):
            @override
            def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                asked.append((view, obj))
                return True

        class Noted(Everything):
            permission_classes = (Noting,)

        resource = Noted(PlainRequest(), action="x")
        resource.check_object_permissions({"id": 1})

        assert asked == [(resource, {"id": 1})]

    def test_an_awaitable_answer_in_a_thread_is_refused_loudly(self) -> None:
        class Later(BasePermission):
            @override
            async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                return True

        with pytest.raises(TypeError) as refused:
            first_object_refusal([Later()], PlainRequest(), None, {})

        assert str(refused.value) == (
            "Later.has_object_permission is async, and a blocking step cannot await it: list "
            "it in `permission_classes` so the resource checks objects on the loop"
        )

    def test_async_checks_are_known_per_class(self) -> None:
        class Later(BasePermission):
            @override
            async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                return True

        class Unrelated:
            pass

        assert has_async_object_check([Unrelated]) is False
        assert has_async_object_check([AllowAny, Later]) is True
        assert has_async_object_check([AllowAny, Refusing]) is False
        assert has_async_object_check([]) is False

    def test_an_anonymous_refusal_names_the_first_authenticators_scheme(self) -> None:
        class Guarded(Everything):
            authentication_classes = (Tokens,)
            permission_classes = (Refusing,)

        signed_in = Guarded(PlainRequest(user="ada"), action="x")
        anonymous = Guarded(PlainRequest(), action="x")

        with pytest.raises(NotAuthenticated) as unknown:
            anonymous.check_object_permissions({})
        with pytest.raises(Exception, match=r"No\.") as refused:
            signed_in.check_object_permissions({})

        assert unknown.value.headers() == {"WWW-Authenticate": "Token"}
        assert error_reply(refused.value).status == 403  # type: ignore[arg-type]


class TestExplain:
    def test_every_hook_is_listed_with_where_it_runs(self) -> None:
        lines = Shelf.explain().splitlines()

        assert lines[0] == "Shelf"
        assert lines[1] == "offload: restflow_core.steps.to_thread"
        assert "fetch: get_object (blocking, through offload)" in lines
        assert "save: save (blocking, through offload)" in lines
        assert "perform_destroy: aperform_destroy (async, on the loop)" in lines
        assert "render: arender (async, on the loop)" in lines
        assert "refine: filter_queryset (plain, joins the blocking work before it)" in lines
        assert len(lines) == 2 + 14

    def test_async_object_checks_are_named(self) -> None:
        class Later(BasePermission):
            @override
            async def has_object_permission(self, request: Any, view: Any, obj: Any, /) -> bool:
                return True

        class Checked(Shelf):
            permission_classes = (Later,)

        assert Checked.explain().splitlines()[-1] == (
            "object permissions: async, checked on the loop after the fetch"
        )
