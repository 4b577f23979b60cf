"""A finished request's objects go with its response, without waiting for the cyclic GC."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import json
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.http import HttpResponseBase
from django.test import AsyncRequestFactory
from rest_framework.request import Request
from typing_extensions import override

from tests.testapp.models import Category, Product
from tests.testapp.views import CategoryViewSet, ProductViewSet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    """Only reference counting frees objects while the test runs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def refs(response: Any) -> list[weakref.ref[Any]]:
    """Weak references to the view, both requests and every serializer behind `response`."""
    context = response.renderer_context
    found = [weakref.ref(context["view"]), weakref.ref(context["request"])]
    found.append(weakref.ref(context["request"]._request))
    data = response.data
    for value in [data, *(data.values() if isinstance(data, dict) else ())]:
        serializer = getattr(value, "serializer", None)
        if serializer is not None:
            found.append(weakref.ref(serializer))
    return found


async def thread_done() -> None:
    """Wait until the sync thread has let go of the last call it ran.

    The thread hands back a result before it drops the call it made (the call's arguments
    include the request), so the next call through the same thread is what proves it done.
    """
    await sync_to_async(lambda: None)()


async def call(actions: dict[str, Any], request: Any, **kwargs: Any) -> Any:
    view: Any = ProductViewSet.as_view(actions)
    return await view(request, **kwargs)


class TestNothingOutlivesTheResponse:
    async def test_retrieve(self, saw: Product, no_cyclic_gc: None) -> None:
        """The view, the requests and the serializer are freed with the response."""
        response = await call({"get": "retrieve"}, AsyncRequestFactory().get("/"), pk=saw.pk)
        assert response.status_code == 200
        alive = refs(response)
        assert len(alive) == 4

        del response
        await thread_done()

        assert [ref() for ref in alive] == [None] * len(alive)

    async def test_page_of_rows(self, saw: Product, no_cyclic_gc: None) -> None:
        """A paginated list frees its paginator and list serializer too.

        (The rows themselves may stay for the cyclic GC: Django's prefetched relations point
        back at the row they belong to.)
        """
        response = await call({"get": "list"}, AsyncRequestFactory().get("/?page=1"))
        assert response.status_code == 200
        alive = refs(response)
        paginator = weakref.ref(response.renderer_context["view"].paginator)

        del response
        await thread_done()

        assert [ref() for ref in alive] == [None] * len(alive)
        assert paginator() is None

    async def test_update_with_validated_fields(self, tools: Category, no_cyclic_gc: None) -> None:
        """A write, whose serializer bound its fields to validate, frees them as well."""
        request = AsyncRequestFactory().patch(
            "/", json.dumps({"name": "garden"}), content_type="application/json"
        )
        view: Any = CategoryViewSet.as_view({"patch": "partial_update"})
        response = await view(request, pk=tools.pk)
        assert response.status_code == 200, response.data
        alive = refs(response)
        assert len(alive) == 4

        del response, request
        await thread_done()

        assert [ref() for ref in alive] == [None] * len(alive)


class TestTheResponseStaysWhole:
    async def test_everything_reachable_from_the_response_still_works(self, saw: Product) -> None:
        """Data, its serializer, the view and the request stay usable after the request."""
        response = await call({"get": "retrieve"}, AsyncRequestFactory().get("/"), pk=saw.pk)

        assert response.data["name"] == "Saw"
        assert response.data.serializer.data == response.data
        assert set(response.data.serializer.fields) >= {"id", "name", "price"}
        view = response.renderer_context["view"]
        assert view.action == "retrieve"
        assert view.response.status_code == 200
        request = response.renderer_context["request"]
        assert request.parser_context["view"].action == "retrieve"
        assert request.parser_context["request"].method == "GET"
        assert json.loads(response.content)["name"] == "Saw"

    async def test_a_dispatch_override_still_sees_its_response(self, saw: Product) -> None:
        """`self.response` after `super().dispatch()` is the response being returned."""
        seen: list[int] = []

        class Logged(ProductViewSet):
            @override
            async def dispatch(  # type: ignore[override]
                self, request: Any, *args: Any, **kwargs: Any
            ) -> HttpResponseBase:
                response = await super().dispatch(request, *args, **kwargs)
                seen.append(self.response.status_code)
                assert isinstance(self.request, Request)
                return response

        view: Any = Logged.as_view({"get": "retrieve"})
        response = await view(AsyncRequestFactory().get("/"), pk=saw.pk)

        assert seen == [response.status_code] == [200]


class TestNoConnectionHandleOnTheLoop:
    async def test_a_request_in_a_fresh_context_opens_none_on_the_event_loop(
        self, saw: Product, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Django gives every request task its own connection handles on the event loop, so
        reading one there would build (and leave for the GC) a new handle per request."""

        async def request() -> Any:
            return await call({"get": "retrieve"}, AsyncRequestFactory().get("/"), pk=saw.pk)

        await request()  # what restflow learns once per process
        loop_thread = threading.get_ident()
        built_on_loop: list[str] = []
        create = connections.create_connection

        def spy(alias: str) -> Any:
            if threading.get_ident() == loop_thread:
                built_on_loop.append(alias)
            return create(alias)

        monkeypatch.setattr(connections, "create_connection", spy)
        for _ in range(2):
            # A new task with an empty context, as a server gives each request.
            task = asyncio.get_running_loop().create_task(request(), context=contextvars.Context())
            response = await task
            assert response.status_code == 200

        assert built_on_loop == []
