"""The five async model mixins: the core pipelines bound to DRF."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Generic, TypeVar, cast

from asgiref.sync import async_to_sync
from django.db.models import Model
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

from restflow_core.pipelines import (
    forget_prefetched,
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_retrieve,
    run_update,
)
from restflow_django._sync import acall
from restflow_django.serializers import (
    arender,
    asave,
    avalidate_or_is_valid_serializer,
    checked_data,
    checked_is_valid,
    checked_save,
    saves_synchronously,
)
from restflow_django.views._base import drf_style_overrides, own_transaction
from restflow_django.views._generic import AsyncGenericAPIView

ModelT = TypeVar("ModelT", bound=Model)


def respond(status: HTTPStatus, body: Any, headers: Mapping[str, str] | None = None, /) -> Response:
    """Build DRF's `Response`; satisfies `restflow_core.Respond[Response]`."""
    return Response(body, status=status, headers=headers)


def keeps_defaults(view: object, mixin: type, *names: str) -> bool:
    """Whether `view` still uses `mixin`'s own implementation of each method in `names`."""
    return all(getattr(type(view), name) is getattr(mixin, name) for name in names)


async def adrf_hook(view: object, name: str, argument: Any) -> bool:
    """Run a DRF-style `perform_*` hook the view defines (a sync one in a thread).

    Return whether there was one: a viewset moved over from DRF keeps its
    `perform_create`/`perform_update`/`perform_destroy` until it is made async.
    """
    if name not in drf_style_overrides(view):
        return False
    await acall(view, name, argument)
    return True


def await_override(view: object, name: str, owner: type, argument: Any) -> bool:
    """From sync code, await `view`'s override of the async hook `name`, if it has one.

    Return whether there was one (`owner` defines the default): the sync twins of the
    `aperform_*` hooks run the view's async hook before falling back to DRF's sync default.
    """
    if getattr(type(view), name) is getattr(owner, name):
        return False
    async_to_sync(getattr(view, name))(argument)
    return True


class AsyncCreateModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `create`: validate, `aperform_create`, answer 201 with `Location` from `url`."""

    @own_transaction
    async def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create an object from `request.data`."""
        validate, persist = self.avalidated_serializer, self.aperform_create
        if "perform_create" not in drf_style_overrides(self) and keeps_defaults(
            self, AsyncCreateModelMixin, "avalidated_serializer", "aperform_create"
        ):
            # The default steps' work, validation and save, fused into one thread hop.
            validate, persist = self.aprepared_serializer, self.asave_fused
        async with self.aunit_of_work() as unit:
            return await run_create(
                request.data,
                validate=validate,
                persist=persist,
                render=self.arender_saved,
                respond=respond,
                headers=self.get_success_headers,
                unit=unit,
            )

    async def aprepared_serializer(self, data: Any) -> BaseSerializer[ModelT]:
        """Return the request serializer for `data`, to be validated by `asave_fused`."""
        return self.get_request_serializer(data=data)

    async def avalidated_serializer(self, data: Any) -> BaseSerializer[ModelT]:
        """Return the request serializer for `data`, validated (400 when invalid)."""
        serializer = self.get_request_serializer(data=data)
        await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
        return serializer

    async def aperform_create(self, serializer: BaseSerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects.

        A sync DRF `perform_create` on the view runs instead, in a thread.
        """
        if not await adrf_hook(self, "perform_create", serializer):
            await asave(serializer)

    def perform_create(self, serializer: BaseSerializer[ModelT]) -> None:
        """Sync twin of `aperform_create`, for DRF-style code in a thread (a sync `create`).

        An `aperform_create` override is awaited on the event loop.
        """
        if not await_override(self, "aperform_create", AsyncCreateModelMixin, serializer):
            checked_save(serializer)

    def get_success_headers(self, data: Any) -> Mapping[str, str]:
        """Return `Location` from the body's `url` field (DRF's `URL_FIELD_NAME`), if any."""
        return location_headers(data, url_field=api_settings.URL_FIELD_NAME)


class AsyncListModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `list`: filter, paginate, serialize (the whole queryset without a paginator)."""

    @own_transaction
    async def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the filtered objects, a page at a time when the view paginates."""
        return await run_list(
            await self.aget_queryset(),
            refine=self.afilter_queryset,
            paginate=self.apaginate_queryset,
            render_many=self.arender_many,
            respond=respond,
            respond_page=self.get_paginated_response,
        )


class AsyncRetrieveModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `retrieve`: `aget_object`, serialize, answer 200."""

    @own_transaction
    async def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer with the object the URL names."""
        return await run_retrieve(fetch=self.aget_object, render=self.arender_one, respond=respond)

    async def arender_one(self, instance: ModelT) -> Any:
        """Return the serialized form of `instance`."""
        return await arender(self.get_response_serializer(instance))


class AsyncUpdateModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `update` (PUT) and `partial_update` (PATCH) around `aperform_update`."""

    @own_transaction
    async def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Validate `request.data` against the object and save it; `partial=True` for PATCH."""
        partial = kwargs.pop("partial", False)
        fetch, validate, persist = (
            self.aget_object,
            self.arevalidated_serializer,
            self.aperform_update,
        )
        if "perform_update" not in drf_style_overrides(self) and keeps_defaults(
            self, AsyncUpdateModelMixin, "arevalidated_serializer", "aperform_update"
        ):
            # The default steps' work, validation and save, fused into one thread hop.
            validate, persist = self.aprepared_update_serializer, self.asave_fused
            if self.fetches_in_one_hop():
                # The fetch and the object's permissions join that hop too.
                hop = OneHopUpdate(self, request.data, partial)
                fetch, validate, persist = hop.afetch, hop.avalidate, hop.apersist
        async with self.aunit_of_work() as unit:
            return await run_update(
                request.data,
                partial=partial,
                fetch=fetch,
                validate=validate,
                persist=persist,
                render=self.arender_saved,
                respond=respond,
                unit=unit,
            )

    async def aprepared_update_serializer(
        self, instance: ModelT, data: Any, partial: bool
    ) -> BaseSerializer[ModelT]:
        """Return the request serializer for `instance` and `data`, for `asave_fused`."""
        return self.get_request_serializer(instance, data=data, partial=partial)

    @own_transaction
    async def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change only the fields `request.data` names."""
        kwargs["partial"] = True
        response: Response = await self.arun_handler(self.update, request, *args, **kwargs)
        return response

    async def arevalidated_serializer(
        self, instance: ModelT, data: Any, partial: bool
    ) -> BaseSerializer[ModelT]:
        """Return the request serializer for `instance` and `data`, validated."""
        serializer = self.get_request_serializer(instance, data=data, partial=partial)
        await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
        return serializer

    async def aperform_update(self, serializer: BaseSerializer[ModelT]) -> None:
        """Save a validated `serializer`. Override to add side effects.

        A sync DRF `perform_update` on the view runs instead, in a thread.
        """
        if not await adrf_hook(self, "perform_update", serializer):
            await asave(serializer)

    def perform_update(self, serializer: BaseSerializer[ModelT]) -> None:
        """Sync twin of `aperform_update`, for DRF-style code in a thread (a sync `update`).

        An `aperform_update` override is awaited on the event loop.
        """
        if not await_override(self, "aperform_update", AsyncUpdateModelMixin, serializer):
            checked_save(serializer)


class AsyncDestroyModelMixin(AsyncGenericAPIView[ModelT]):
    """Provides `destroy`: `aget_object`, `aperform_destroy`, answer 204."""

    @own_transaction
    async def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the object the URL names."""
        fetch, destroy = self.aget_object, self.aperform_destroy
        if (
            "perform_destroy" not in drf_style_overrides(self)
            and keeps_defaults(self, AsyncDestroyModelMixin, "aperform_destroy")
            and self.fetches_in_one_hop()
        ):
            # The default hook's delete joins the fetch's thread hop.
            fetch, destroy = self.afetch_and_delete, self.adeleted
        async with self.aunit_of_work() as unit:
            return await run_destroy(fetch=fetch, destroy=destroy, respond=respond, unit=unit)

    async def afetch_and_delete(self) -> ModelT:
        """Fetch the object, check its permissions and delete it, in one thread hop."""

        def delete(instance: ModelT) -> ModelT:
            instance.delete()
            return instance

        return await self.awith_object(delete)

    async def adeleted(self, instance: ModelT) -> None:
        """Nothing left to do: `afetch_and_delete` deleted `instance`."""

    async def aperform_destroy(self, instance: ModelT) -> None:
        """Delete `instance`. Override for soft deletes, archive flags or cascades.

        A sync DRF `perform_destroy` on the view runs instead, in a thread.
        """
        if not await adrf_hook(self, "perform_destroy", instance):
            await instance.adelete()

    def perform_destroy(self, instance: ModelT) -> None:
        """Sync twin of `aperform_destroy`, for DRF-style code in a thread (a sync `destroy`).

        An `aperform_destroy` override is awaited on the event loop.
        """
        if not await_override(self, "aperform_destroy", AsyncDestroyModelMixin, instance):
            instance.delete()


class OneHopUpdate(Generic[ModelT]):
    """An update with the default steps, done in one thread hop.

    The object's fetch, its permission checks, validation, the save and the representation
    happen in that order, as in DRF's `UpdateModelMixin`, all in `afetch`. `avalidate` and
    `apersist` then hand over what was done. A serializer with its own `ais_valid` or
    `asave` is only built in the hop; those are awaited by the later steps.
    """

    def __init__(self, view: AsyncUpdateModelMixin[ModelT], data: Any, partial: bool) -> None:
        self.view, self.data, self.partial = view, data, partial
        self.serializer: BaseSerializer[ModelT] | None = None
        self.saved = False

    async def afetch(self) -> ModelT:
        """Fetch, check, validate, save and represent; return the object."""
        return await self.view.awith_object(self.work)

    def work(self, instance: ModelT) -> ModelT:
        """The hop's work once the object is fetched and its permissions checked."""
        view = self.view
        serializer = view.get_request_serializer(instance, data=self.data, partial=self.partial)
        self.serializer = serializer
        if saves_synchronously(serializer):
            checked_is_valid(serializer, raise_exception=True)
            checked_save(serializer)
            self.saved = True
            forget_prefetched(instance)
            if view.response_serializer_class is None:
                _ = checked_data(serializer)
        return instance

    async def avalidate(self, instance: ModelT, data: Any, partial: bool) -> BaseSerializer[ModelT]:
        """The serializer the hop built, validated."""
        serializer = cast(BaseSerializer[ModelT], self.serializer)
        if not self.saved:
            await avalidate_or_is_valid_serializer(serializer, raise_exception=True)
        return serializer

    async def apersist(self, serializer: BaseSerializer[ModelT]) -> None:
        """Save the serializer, unless the hop did."""
        if not self.saved:
            await asave(serializer)
