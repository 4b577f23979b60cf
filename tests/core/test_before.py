"""`before`: a step a host runs ahead of an action, inside the action's first thread hop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

import pytest

from restflow_core import (
    Blocking,
    Joinable,
    NotAuthenticated,
    Page,
    reply,
    run_create,
    run_destroy,
    run_list,
    run_partial_update,
    run_retrieve,
    run_update,
)

T = TypeVar("T")


class Host:
    """Records what ran, in which thread, and every hop."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.ran: list[tuple[str, str]] = []
        self.hops = 0

    async def offload(self, work: Callable[[], T], /) -> T:
        self.hops += 1
        return await asyncio.to_thread(work)

    def note(self, what: str) -> None:
        self.ran.append((what, threading.current_thread().name))

    def check(self) -> None:
        self.note("check")
        if self.refuse:
            raise NotAuthenticated()

    def step(self, name: str) -> Callable[..., Any]:
        def run(*values: Any) -> Any:
            self.note(name)
            return values[0] if values else {"id": 1}

        return run


ACTIONS: dict[str, Callable[[Host], Any]] = {
    "create": lambda h: run_create(
        {"a": 1},
        validate=Blocking(h.step("validate")),
        persist=Blocking(h.step("persist")),
        render=Joinable(h.step("render")),
        respond=reply,
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "list": lambda h: run_list(
        [1, 2],
        refine=Joinable(h.step("refine")),
        paginate=Blocking(lambda items: h.step("paginate")(Page(items, len(items)))),
        collect=Blocking(h.step("collect")),
        render_many=Joinable(h.step("render")),
        respond=reply,
        respond_page=lambda page, results: reply(HTTPStatus.OK, results),
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "whole_list": lambda h: run_list(
        [1, 2],
        refine=Joinable(h.step("refine")),
        paginate=None,
        collect=Blocking(h.step("collect")),
        render_many=Joinable(h.step("render")),
        respond=reply,
        respond_page=lambda page, results: reply(HTTPStatus.OK, results),
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "retrieve": lambda h: run_retrieve(
        fetch=Blocking(h.step("fetch")),
        render=Joinable(h.step("render")),
        respond=reply,
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "update": lambda h: run_update(
        {"a": 1},
        partial=False,
        fetch=Blocking(h.step("fetch")),
        validate=Blocking(lambda instance, data, partial: h.step("validate")(instance)),
        persist=Blocking(h.step("persist")),
        render=Joinable(h.step("render")),
        respond=reply,
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "partial_update": lambda h: run_partial_update(
        {"a": 1},
        fetch=Blocking(h.step("fetch")),
        validate=Blocking(lambda instance, data, partial: h.step("validate")(instance)),
        persist=Blocking(h.step("persist")),
        render=Joinable(h.step("render")),
        respond=reply,
        offload=h.offload,
        before=Blocking(h.check),
    ),
    "destroy": lambda h: run_destroy(
        fetch=Blocking(h.step("fetch")),
        destroy=Blocking(h.step("destroy")),
        respond=reply,
        offload=h.offload,
        before=Blocking(h.check),
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
async def test_before_runs_first_in_the_actions_one_hop(action: str) -> None:
    host = Host()

    await ACTIONS[action](host)

    # A list renders its page after the hop that cut it, on the loop, where nothing blocks.
    in_the_hop = {thread for what, thread in host.ran if (action, what) != ("list", "render")}
    assert host.ran[0][0] == "check"
    assert in_the_hop == {host.ran[0][1]}
    assert host.ran[0][1] != threading.current_thread().name
    assert host.hops == 1


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_refusal_of_before_stops_the_action(action: str) -> None:
    host = Host(refuse=True)

    with pytest.raises(NotAuthenticated):
        await ACTIONS[action](host)

    assert [what for what, _ in host.ran] == ["check"]
