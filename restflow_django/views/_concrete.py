"""The concrete async generic views: mixins bound to HTTP methods.

Each handler calls its action as DRF's do; an action overridden with a plain `def` runs in a
thread.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from rest_framework.request import Request
from rest_framework.response import Response

from restflow_django.views._base import own_transaction
from restflow_django.views._generic import AsyncGenericAPIView
from restflow_django.views._mixins import (
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncListModelMixin,
    AsyncRetrieveModelMixin,
    AsyncUpdateModelMixin,
)

ModelT = TypeVar("ModelT", bound=Model)


class _Get(AsyncRetrieveModelMixin[ModelT]):
    @own_transaction
    async def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Retrieve the object."""
        response: Response = await self._arun_handler(self.retrieve, request, *args, **kwargs)
        return response


class _Put(AsyncUpdateModelMixin[ModelT]):
    @own_transaction
    async def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Update the object."""
        response: Response = await self._arun_handler(self.update, request, *args, **kwargs)
        return response

    @own_transaction
    async def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Partially update the object."""
        response: Response = await self._arun_handler(self.partial_update, request, *args, **kwargs)
        return response


class _Delete(AsyncDestroyModelMixin[ModelT]):
    @own_transaction
    async def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the object."""
        response: Response = await self._arun_handler(self.destroy, request, *args, **kwargs)
        return response


class AsyncCreateAPIView(AsyncCreateModelMixin[ModelT], AsyncGenericAPIView[ModelT]):
    """POST creates."""

    @own_transaction
    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create an object."""
        response: Response = await self._arun_handler(self.create, request, *args, **kwargs)
        return response


class AsyncListAPIView(AsyncListModelMixin[ModelT], AsyncGenericAPIView[ModelT]):
    """GET lists."""

    @own_transaction
    async def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List objects."""
        response: Response = await self._arun_handler(self.list, request, *args, **kwargs)
        return response


class AsyncRetrieveAPIView(_Get[ModelT], AsyncGenericAPIView[ModelT]):
    """GET retrieves."""


class AsyncDestroyAPIView(_Delete[ModelT], AsyncGenericAPIView[ModelT]):
    """DELETE destroys."""


class AsyncUpdateAPIView(_Put[ModelT], AsyncGenericAPIView[ModelT]):
    """PUT updates, PATCH partially updates."""


class AsyncListCreateAPIView(AsyncCreateAPIView[ModelT], AsyncListAPIView[ModelT]):
    """GET lists, POST creates."""


class AsyncRetrieveUpdateAPIView(_Get[ModelT], _Put[ModelT], AsyncGenericAPIView[ModelT]):
    """GET retrieves, PUT/PATCH update."""


class AsyncRetrieveDestroyAPIView(_Get[ModelT], _Delete[ModelT], AsyncGenericAPIView[ModelT]):
    """GET retrieves, DELETE destroys."""


class AsyncRetrieveUpdateDestroyAPIView(
    _Get[ModelT], _Put[ModelT], _Delete[ModelT], AsyncGenericAPIView[ModelT]
):
    """GET retrieves, PUT/PATCH update, DELETE destroys."""
