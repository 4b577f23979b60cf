"""The five async model mixins: the core pipelines run with the view's steps."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

from restflow_core.pagination import Page
from restflow_core.pipelines import (
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_retrieve,
    run_update,
)
from restflow_django._hooks import async_twin, sync_twin
from restflow_django._sync import aon_loop_else_thread, offload
from restflow_django.serializers import arender, asave, checked_save
from restflow_django.views._base import admits_in_its_hop, own_transaction
from restflow_django.views._generic import AsyncGenericAPIView
from restflow_django.views._helpers import respond
from restflow_django.views._plan import Bind, planned
from restflow_django.views._steps import (
    Binder,
    collect_step,
    destroy_step,
    fetch_step,
    filter_step,
    paginate_step,
    persist_step,
    render_one_step,
    render_saved_step,
    renders_one_in_the_fetch,
    validate_step,
)

ModelT = TypeVar("ModelT", bound=Model)


class AsyncCreateModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `create`: validate, `aperform_create`, answer 201 with `Location` from `url`."""

    @own_transaction
    @admits_in_its_hop
    async def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create an object from `request.data`."""
        async with self._aunit_of_work() as unit:
            return await run_create(
                request.data,
                **self._create_steps(),
                respond=respond,
                headers=self.get_success_headers,
                unit=unit,
                offload=offload,
            )

    def _create_steps(self) -> dict[str, Any]:
        """The create's steps, in the pipeline's order (`explain` reads them too)."""
        steps: dict[str, Any] = planned(self, "create", _plan_create)
        return steps

    def _new_serializer(self, data: Any) -> BaseSerializer[ModelT]:
        return self.get_request_serializer(data=data)

    @async_twin
    async def aperform_create(self, serializer: BaseSerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects.

        A sync DRF `perform_create` on the view runs instead, in a thread.
        """
        await asave(serializer)

    @sync_twin
    def perform_create(self, serializer: BaseSerializer[ModelT]) -> None:
        """Sync twin of `aperform_create`, for DRF-style code in a thread (a sync `create`).

        An `aperform_create` override is awaited on the event loop.
        """
        checked_save(serializer)

    def get_success_headers(self, data: Any) -> Mapping[str, str]:
        """Return `Location` from the body's `url` field (DRF's `URL_FIELD_NAME`), if any."""
        return location_headers(data, url_field=api_settings.URL_FIELD_NAME)


class AsyncListModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `list`: filter, paginate, serialize (the whole queryset without a paginator)."""

    @own_transaction
    @admits_in_its_hop
    async def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the filtered objects, a page at a time when the view paginates."""
        return await run_list(
            await self.aget_queryset(),
            **self._list_steps(),
            respond=respond,
            respond_page=self._respond_page,
            offload=offload,
        )

    def _list_steps(self) -> dict[str, Any]:
        """The list's steps, in the pipeline's order (`explain` reads them too)."""
        steps: dict[str, Any] = planned(self, "list", _plan_list)
        return steps

    def _respond_page(self, page: Page[ModelT], results: Any) -> Response:
        return self.get_paginated_response(results)


class AsyncRetrieveModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `retrieve`: `aget_object`, serialize, answer 200."""

    @own_transaction
    @admits_in_its_hop
    async def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer with the object the URL names."""
        return await run_retrieve(**self._retrieve_steps(), respond=respond, offload=offload)

    def _retrieve_steps(self) -> dict[str, Any]:
        """The retrieve's steps, in the pipeline's order (`explain` reads them too)."""
        steps: dict[str, Any] = planned(self, "retrieve", _plan_retrieve)
        return steps

    async def _arender_one(self, instance: ModelT) -> Any:
        build = functools.partial(self.get_response_serializer, instance)
        return await arender(await aon_loop_else_thread(build))


class AsyncUpdateModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `update` (PUT) and `partial_update` (PATCH) around `aperform_update`."""

    @own_transaction
    @admits_in_its_hop
    async def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Validate `request.data` against the object and save it; `partial=True` for PATCH."""
        async with self._aunit_of_work() as unit:
            return await run_update(
                request.data,
                partial=kwargs.pop("partial", False),
                **self._update_steps(),
                respond=respond,
                unit=unit,
                offload=offload,
            )

    def _update_steps(self) -> dict[str, Any]:
        """The update's steps, in the pipeline's order (`explain` reads them too)."""
        steps: dict[str, Any] = planned(self, "update", _plan_update)
        return steps

    def _changed_serializer(
        self, instance: ModelT, data: Any, partial: bool
    ) -> BaseSerializer[ModelT]:
        return self.get_request_serializer(instance, data=data, partial=partial)

    @own_transaction
    @admits_in_its_hop
    async def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change only the fields `request.data` names."""
        kwargs["partial"] = True
        response: Response = await self._arun_handler(self.update, request, *args, **kwargs)
        return response

    @async_twin
    async def aperform_update(self, serializer: BaseSerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects.

        A sync DRF `perform_update` on the view runs instead, in a thread.
        """
        await asave(serializer)

    @sync_twin
    def perform_update(self, serializer: BaseSerializer[ModelT]) -> None:
        """Sync twin of `aperform_update`, for DRF-style code in a thread (a sync `update`).

        An `aperform_update` override is awaited on the event loop.
        """
        checked_save(serializer)


class AsyncDestroyModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `destroy`: `aget_object`, `aperform_destroy`, answer 204."""

    @own_transaction
    @admits_in_its_hop
    async def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the object the URL names."""
        async with self._aunit_of_work() as unit:
            return await run_destroy(
                **self._destroy_steps(), respond=respond, unit=unit, offload=offload
            )

    def _destroy_steps(self) -> dict[str, Any]:
        """The destroy's steps, in the pipeline's order (`explain` reads them too)."""
        steps: dict[str, Any] = planned(self, "destroy", _plan_destroy)
        return steps

    @async_twin
    async def aperform_destroy(self, instance: ModelT) -> None:
        """Delete `instance`. Override for soft deletes, archive flags or cascades.

        A sync DRF `perform_destroy` on the view runs instead, in a thread.
        """
        await instance.adelete()

    @sync_twin
    def perform_destroy(self, instance: ModelT) -> None:
        """Sync twin of `aperform_destroy`, for DRF-style code in a thread (a sync `destroy`).

        An `aperform_destroy` override is awaited on the event loop.
        """
        instance.delete()


# Each action's planner: the decisions, made once per plan key, as a binder per role (see
# `restflow_django.views._plan`); a request's view binds them.


def _binding(**roles: Binder) -> Bind:
    """Bind each role's step to a request's view, after the admission step `ainitial`
    left to the action's thread hop, if any."""

    def bind(bound: Any) -> dict[str, Any]:
        steps = {"before": bound._admission_step()}
        for role, make in roles.items():
            steps[role] = make(bound)
        return steps

    return bind


def _plan_create(view: Any) -> Bind:
    validate = validate_step(view)
    return _binding(
        validate=lambda bound: validate(bound._new_serializer),
        persist=persist_step(view, "perform_create"),
        render=render_saved_step(view),
    )


def _plan_list(view: Any) -> Bind:
    return _binding(
        refine=filter_step(view),
        paginate=paginate_step(view),
        collect=collect_step(view),
        render_many=operator.attrgetter("_arender_many"),
    )


def _plan_retrieve(view: Any) -> Bind:
    return _binding(
        fetch=fetch_step(view, joined=renders_one_in_the_fetch(view)),
        render=render_one_step(view),
    )


def _plan_update(view: Any) -> Bind:
    validate = validate_step(view)
    return _binding(
        fetch=fetch_step(view, joined=True),
        validate=lambda bound: validate(bound._changed_serializer),
        persist=persist_step(view, "perform_update"),
        render=render_saved_step(view),
    )


def _plan_destroy(view: Any) -> Bind:
    return _binding(fetch=fetch_step(view, joined=True), destroy=destroy_step(view))
