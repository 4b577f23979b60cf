"""The helpers every async view has: serializers by direction, validation, responses, pages."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

from restflow_core.pagination import Page
from restflow_core.pipelines import run_list
from restflow_core.steps import Joinable, Steps, given, run_steps
from restflow_django._sync import aon_loop_else_thread, offload
from restflow_django.serializers import arender
from restflow_django.views._postfetch import PostFetch, aapply_post_fetches
from restflow_django.views._steps import aevaluate, as_page, paginator_step, validate_step

_REQUEST_DATA: Any = object()


def respond(status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /) -> Response:
    """Build DRF's `Response`; satisfies `restflow_core.Respond[Response]`."""
    return Response(body, status=status, headers=headers)


class APIViewHelpersMixin:
    """Serializers by direction, validation, responses and pages, for every async view.

    `serializer_class` is the default; `request_serializer_class` validates request bodies
    and `response_serializer_class` represents answers when set (each through its getter,
    so a viewset's per-action configuration applies). With neither set, every serializer
    comes from `get_serializer()`, overrides included. Serializers get `get_context()` as
    their context: DRF's `get_serializer_context()` by default.
    """

    serializer_class: type[BaseSerializer[Any]] | None = None
    request_serializer_class: type[BaseSerializer[Any]] | None = None
    response_serializer_class: type[BaseSerializer[Any]] | None = None
    # DRF's default, as its generic views have it (the stubs type the setting as its path).
    pagination_class: type[BasePagination] | None = cast(
        "type[BasePagination] | None", api_settings.DEFAULT_PAGINATION_CLASS
    )

    def get_serializer_context(self) -> dict[str, Any]:
        """The context every serializer gets, as DRF's generic views give it."""
        view: Any = self
        return {"request": view.request, "format": view.format_kwarg, "view": self}

    def get_context(self) -> dict[str, Any]:
        """The context `get_serializer` passes: `get_serializer_context()` by default."""
        return self.get_serializer_context()

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The default serializer class: `serializer_class`."""
        if self.serializer_class is None:
            raise AssertionError(
                f"'{type(self).__name__}' should either include a `serializer_class` "
                "attribute, or override the `get_serializer_class()` method."
            )
        return self.serializer_class

    def _explicit_request_serializer_class(self) -> type[BaseSerializer[Any]] | None:
        """The class request bodies are validated with when it is not the default one."""
        return self.request_serializer_class

    def _explicit_response_serializer_class(self) -> type[BaseSerializer[Any]] | None:
        """The class answers are represented with when it is not the default one."""
        return self.response_serializer_class

    def get_request_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The class request bodies are validated with."""
        return self._explicit_request_serializer_class() or self.get_serializer_class()

    def get_response_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The class answers are represented with."""
        return self._explicit_response_serializer_class() or self.get_serializer_class()

    def get_serializer(
        self,
        *args: Any,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        **kwargs: Any,
    ) -> BaseSerializer[Any]:
        """A serializer of `serializer_class` (else `get_serializer_class()`) with this
        view's context."""
        chosen = serializer_class or self.get_serializer_class()
        kwargs.setdefault("context", self.get_context())
        return chosen(*args, **kwargs)

    def get_request_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        """The serializer that validates request bodies, with this view's context."""
        return self._serializer(self._explicit_request_serializer_class(), *args, **kwargs)

    def get_response_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        """The serializer that represents answers, with this view's context."""
        return self._serializer(self._explicit_response_serializer_class(), *args, **kwargs)

    def _serializer(
        self, chosen: type[BaseSerializer[Any]] | None, *args: Any, **kwargs: Any
    ) -> BaseSerializer[Any]:
        if chosen is None:
            return self.get_serializer(*args, **kwargs)
        kwargs.setdefault("context", self.get_context())
        return chosen(*args, **kwargs)

    def get_pagination_class(self) -> type[BasePagination] | None:
        """The paginator class of `apaginated_response` and the list action."""
        return self.pagination_class

    @property
    def paginator(self) -> BasePagination | None:
        """This request's paginator, or `None` when the view does not paginate."""
        held: dict[str, Any] = vars(self)
        if "_paginator" not in held:
            pagination_class = self.get_pagination_class()
            held["_paginator"] = None if pagination_class is None else pagination_class()
        found: BasePagination | None = held["_paginator"]
        return found

    async def avalidated_serializer(
        self,
        data: Any = _REQUEST_DATA,
        *,
        instance: Any = None,
        partial: bool = False,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        **kwargs: Any,
    ) -> BaseSerializer[Any]:
        """A request serializer validated against `data` (the request's data by default),
        or DRF's 400 with the errors; async serializer hooks are awaited."""
        view: Any = self
        payload = view.request.data if data is _REQUEST_DATA else data

        def build() -> BaseSerializer[Any]:
            if serializer_class is not None:
                return self.get_serializer(
                    instance,
                    data=payload,
                    partial=partial,
                    serializer_class=serializer_class,
                    **kwargs,
                )
            return self.get_request_serializer(instance, data=payload, partial=partial, **kwargs)

        validated: BaseSerializer[Any] = await run_steps(offload, given(validate_step(self)(build)))
        return validated

    async def aserialized_response(
        self,
        instance: Any,
        *,
        many: bool = False,
        status: int = 200,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        post_fetches: Sequence[PostFetch] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Serialize `instance` (or, with `many`, each row of it) into a response."""
        if many:
            body = await self._arender_rows(instance, serializer_class, post_fetches)
        else:
            if post_fetches:
                instance = (await aapply_post_fetches([instance], post_fetches))[0]
            build = functools.partial(self._response_serializer, serializer_class, instance)
            body = await arender(await aon_loop_else_thread(build))
        return Response(body, status=status, headers=headers)

    def _response_serializer(
        self, serializer_class: type[BaseSerializer[Any]] | None, *args: Any, **kwargs: Any
    ) -> BaseSerializer[Any]:
        if serializer_class is None:
            return self.get_response_serializer(*args, **kwargs)
        return serializer_class(*args, context=self.get_context(), **kwargs)

    async def _arender_rows(
        self,
        rows: Any,
        serializer_class: type[BaseSerializer[Any]] | None,
        post_fetches: Sequence[PostFetch] | None,
    ) -> Any:
        rows = await aapply_post_fetches(await aevaluate(rows), post_fetches)
        build = functools.partial(self._response_serializer, serializer_class, rows, many=True)
        return await arender(await aon_loop_else_thread(build))

    async def apaginated_response(
        self,
        queryset: Any,
        *,
        serializer_class: type[BaseSerializer[Any]] | None = None,
        pagination_class: type[BasePagination] | None = None,
        post_fetches: Sequence[PostFetch] | None = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Paginate `queryset`, post-fetch the page's rows, and answer with the page.

        Without a paginator (none configured and none given) every row is serialized.
        """
        paginator = pagination_class() if pagination_class is not None else self.paginator

        async def arender_rows(rows: Any) -> Any:
            return await self._arender_rows(rows, serializer_class, post_fetches)

        def respond_page(page: Page[Any], body: Any) -> Response:
            return cast(BasePagination, paginator).get_paginated_response(body)

        response = await run_list(
            queryset,
            refine=Joinable(_unfiltered),
            paginate=Steps(paginator_step(paginator, self), Joinable(as_page)),
            collect=aevaluate,
            render_many=arender_rows,
            respond=respond,
            respond_page=respond_page,
            offload=offload,
        )
        response.status_code = status
        for name, value in (headers or {}).items():
            response[name] = value
        return response


def _unfiltered(queryset: Any) -> Any:
    return queryset
