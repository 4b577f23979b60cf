"""`action`: DRF's `@action`, typed to accept async handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from django.http import HttpResponseBase
from rest_framework import decorators

__all__ = ["action"]

HandlerT = TypeVar("HandlerT", bound=Callable[..., Awaitable[HttpResponseBase] | HttpResponseBase])


def action(
    methods: Sequence[str] | None = None,
    detail: bool | None = None,
    url_path: str | None = None,
    url_name: str | None = None,
    **kwargs: Any,
) -> Callable[[HandlerT], HandlerT]:
    """Mark a viewset method, `async def` or plain, as an extra routable action.

    Same arguments and behaviour as DRF's `@action`; DRF's stubs only admit sync handlers.
    """
    if detail is None:
        # DRF's own check, and its exception type.
        raise AssertionError("@action() missing required argument: 'detail'")
    mark = decorators.action(
        # DRF's stubs list the method names as literals; DRF itself lowercases any string.
        methods=cast(Any, methods),
        detail=detail,
        url_path=url_path,
        url_name=url_name,
        **kwargs,
    )
    # DRF only sets attributes on the function and returns it unchanged.
    return cast(Callable[[HandlerT], HandlerT], mark)
