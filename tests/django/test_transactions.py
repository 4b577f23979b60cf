"""Atomic write actions: nothing half-written, whatever fails or whoever cancels."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from restflow_django.decorators import action
from restflow_django.test import AsyncAPIClient, AsyncAPIRequestFactory
from restflow_django.views import AsyncAPIView, AsyncGenericViewSet
from tests.testapp import views
from tests.testapp.models import AuditEntry, Product, Tag

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing_client() -> AsyncAPIClient:
    """A client that receives server errors as responses instead of exceptions."""
    return AsyncAPIClient(raise_request_exception=False)


@pytest.fixture
def atomic_requests() -> Iterator[None]:
    """Turn on `ATOMIC_REQUESTS` for the default database during the test."""
    settings = connections["default"].settings_dict
    settings["ATOMIC_REQUESTS"] = True
    yield
    settings["ATOMIC_REQUESTS"] = False


async def rows() -> tuple[int, int, int]:
    """Products, audit entries and product-tag links in the database."""
    return (
        await Product.objects.acount(),
        await AuditEntry.objects.acount(),
        await Product.tags.through.objects.acount(),
    )


class TestAtomicActions:
    async def test_create_whose_hook_fails_after_writing_leaves_nothing(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """The product, its tags and the hook's audit entry are all rolled back."""
        tag = await Tag.objects.acreate(name="red")

        response = await failing_client.post(
            "/atomic-products/", {"name": "explode", "price": "1", "tags": [tag.pk]}
        )

        assert response.status_code == 500
        assert await rows() == (0, 0, 0)

    async def test_without_atomic_the_same_failure_leaves_the_rows(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """The difference `atomic` makes: without it the writes before the error stay."""
        response = await failing_client.post("/loose-products/", {"name": "explode", "price": "1"})

        assert response.status_code == 500
        assert await rows() == (1, 1, 0)

    async def test_update_whose_hook_fails_keeps_the_old_values(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """A failed update rolls back the save and the audit entry."""
        product = await Product.objects.acreate(name="Saw", price=1)

        response = await failing_client.patch(
            f"/atomic-products/{product.pk}/", {"name": "explode", "stock": 7}
        )

        assert response.status_code == 500
        await product.arefresh_from_db()
        assert (product.name, product.stock) == ("Saw", 0)
        assert await AuditEntry.objects.acount() == 0

    async def test_destroy_whose_hook_fails_keeps_the_row(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """A failed destroy leaves the product in place."""
        product = await Product.objects.acreate(name="explode", price=1)

        response = await failing_client.delete(f"/atomic-products/{product.pk}/")

        assert response.status_code == 500
        assert await Product.objects.filter(pk=product.pk).aexists()

    async def test_successful_actions_commit(self, client: AsyncAPIClient) -> None:
        """Create, update and destroy through an atomic viewset all persist."""
        created = await client.post("/atomic-products/", {"name": "Saw", "price": "1"})
        product_id = created.json()["id"]
        updated = await client.patch(f"/atomic-products/{product_id}/", {"stock": 3})
        deleted = await client.delete(f"/atomic-products/{product_id}/")

        assert (created.status_code, updated.status_code, deleted.status_code) == (201, 200, 204)
        assert await rows() == (0, 3, 0)

    async def test_custom_action_uses_aatomic(self, failing_client: AsyncAPIClient) -> None:
        """`async with self.aatomic()` makes a custom action all-or-nothing."""
        failed = await failing_client.post("/atomic-products/pair/", {"second": "explode"})
        succeeded = await failing_client.post("/atomic-products/pair/", {"second": "fine"})

        assert (failed.status_code, succeeded.status_code) == (500, 201)
        names = [name async for name in Product.objects.values_list("name", flat=True)]
        assert names == ["first", "fine"]


class TestAtomicRequestsSetting:
    async def test_views_work_and_follow_atomic_requests(
        self, failing_client: AsyncAPIClient, atomic_requests: None
    ) -> None:
        """No RuntimeError for async views; writes follow the setting unless `atomic` says."""
        listed = await failing_client.get("/products/")
        by_default = await failing_client.post(
            "/default-products/", {"name": "explode", "price": "1"}
        )
        opted_out = await failing_client.post("/loose-products/", {"name": "explode", "price": "1"})

        assert listed.status_code == 200
        assert (by_default.status_code, opted_out.status_code) == (500, 500)
        assert [name async for name in Product.objects.values_list("name", flat=True)] == [
            "explode"
        ]
        assert await AuditEntry.objects.acount() == 1

    async def test_without_the_setting_default_views_do_not_wrap(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """`atomic = None` and no `ATOMIC_REQUESTS`: the rows written before the error stay."""
        await failing_client.post("/default-products/", {"name": "explode", "price": "1"})

        assert await rows() == (1, 1, 0)


class TestCancellation:
    async def test_cancelled_request_leaves_nothing_half_written(self) -> None:
        """A request cancelled while its hook waits, after saving, is rolled back."""
        views.HOOK_GATE.update(reached=asyncio.Event(), release=asyncio.Event())
        view: Any = views.AtomicProductViewSet.as_view({"post": "create"})
        request = AsyncAPIRequestFactory().request_with_body(
            "POST", "/", {"name": "hang", "price": "1"}
        )

        task = asyncio.create_task(view(request))
        await asyncio.wait_for(views.HOOK_GATE["reached"].wait(), timeout=10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert await rows() == (0, 0, 0)

    async def test_cancelled_while_the_transaction_opens_leaves_the_thread_clean(
        self,
    ) -> None:
        """Cancelled before `atomic` has opened, the transaction is still closed after it.

        The request's thread goes on to serve the next request on the same connection,
        which must not find itself inside a transaction nobody will close.
        """
        from asgiref.sync import sync_to_async

        from restflow_core.units import atomically
        from restflow_django.transactions import DjangoUnitOfWork, request_thread

        async with request_thread():

            async def write() -> None:
                async with atomically(DjangoUnitOfWork("default")):
                    await Tag.objects.acreate(name="never")

            task = asyncio.ensure_future(write())
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

            in_transaction = await sync_to_async(lambda: connections["default"].in_atomic_block)()
            await Tag.objects.acreate(name="next")

        assert not in_transaction
        assert [tag.name async for tag in Tag.objects.all()] == ["next"]


class TestConcurrentTransactions:
    async def test_concurrent_atomic_creates_never_share_a_transaction(
        self, failing_client: AsyncAPIClient
    ) -> None:
        """Twenty creates at once, half failing: exactly the successful ones remain."""
        names = [("explode" if n % 2 else f"ok{n}") for n in range(20)]

        responses = await asyncio.gather(
            *(
                failing_client.post("/atomic-products/", {"name": name, "price": "1"})
                for name in names
            )
        )

        created = {response.json()["name"] for response in responses if response.status_code == 201}
        for name, response in zip(names, responses, strict=True):
            allowed = {500, 503} if name == "explode" else {201, 503}
            assert response.status_code in allowed, (name, response.status_code)
        stored = {name async for name in Product.objects.values_list("name", flat=True)}
        assert stored == created
        assert "explode" not in stored
        assert await AuditEntry.objects.acount() == len(created)


class WritesThenRefuses(AsyncAPIView):
    """Handlers that write a row, then raise DRF's validation error (400)."""

    permission_classes = (permissions.AllowAny,)

    async def post(self, request: Request) -> Response:
        await AuditEntry.objects.acreate(event="async handler", object_id=1)
        raise ValidationError({"detail": "refused after writing"})

    def put(self, request: Request) -> Response:
        AuditEntry.objects.create(event="sync handler", object_id=2)
        raise ValidationError({"detail": "refused after writing"})


class RefusingActions(AsyncGenericViewSet[Product]):
    """A viewset whose extra action writes a row, then raises DRF's validation error."""

    queryset = Product.objects.all()

    @action(detail=False, methods=["post"])
    async def log_and_refuse(self, request: Request) -> Response:
        await AuditEntry.objects.acreate(event="action", object_id=3)
        raise ValidationError({"detail": "refused after writing"})


class TestHandlersFollowAtomicRequests:
    @pytest.mark.parametrize("method", ["POST", "PUT"])
    async def test_a_refused_handler_leaves_nothing(
        self, atomic_requests: None, method: str
    ) -> None:
        """With `ATOMIC_REQUESTS`, a handler's writes roll back when it raises a DRF error."""
        view: Any = WritesThenRefuses.as_view()

        response = await view(AsyncAPIRequestFactory().generic(method, "/"))

        assert response.status_code == 400
        assert await AuditEntry.objects.acount() == 0

    async def test_without_the_setting_the_row_stays(self) -> None:
        """Without `ATOMIC_REQUESTS` (and `atomic = None`) the handler's write stays."""
        view: Any = WritesThenRefuses.as_view()

        response = await view(AsyncAPIRequestFactory().post("/"))

        assert response.status_code == 400
        assert await AuditEntry.objects.acount() == 1

    async def test_atomic_false_opts_out(self, atomic_requests: None) -> None:
        """`atomic = False` keeps the handler's write although the setting is on."""

        class OptedOut(WritesThenRefuses):
            atomic = False

        opted_out: Any = OptedOut.as_view()

        await opted_out(AsyncAPIRequestFactory().post("/"))

        assert await AuditEntry.objects.acount() == 1

    async def test_atomic_true_wraps_without_the_setting(self) -> None:
        """`atomic = True` rolls the handler back with `ATOMIC_REQUESTS` off."""

        class OptedIn(WritesThenRefuses):
            atomic = True

        opted_in: Any = OptedIn.as_view()

        await opted_in(AsyncAPIRequestFactory().post("/"))

        assert await AuditEntry.objects.acount() == 0

    async def test_a_viewset_action_is_covered(self, atomic_requests: None) -> None:
        """An `@action` of a viewset that writes and then raises leaves nothing."""
        view: Any = RefusingActions.as_view({"post": "log_and_refuse"})

        response = await view(AsyncAPIRequestFactory().post("/"))

        assert response.status_code == 400
        assert await AuditEntry.objects.acount() == 0
