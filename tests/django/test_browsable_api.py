"""DRF's browsable API renders every serializer restflow accepts, forms included: one
with async validators and async method fields too.

Each write goes through an HTML form or the raw-data form, as a browser sends it, and the
database is read afterwards. The module runs on SQLite and, in `dev.py test`, on
PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import AuditEntry, Product

pytestmark = pytest.mark.django_db(transaction=True)

HTML = {"Accept": "text/html"}
FORM = "application/x-www-form-urlencoded"


async def stored() -> list[tuple[str, Decimal, int]]:
    """Every product as `(name, price, stock)`."""
    return [(p.name, p.price, p.stock) async for p in Product.objects.order_by("id")]


async def audits() -> list[str]:
    """Every audit entry's event."""
    return [entry.event async for entry in AuditEntry.objects.order_by("id")]


@pytest.fixture
def writer(client: AsyncAPIClient, ada: User) -> AsyncAPIClient:
    """A client signed in as a user who may write."""
    client.force_authenticate(ada)
    return client


class TestPages:
    async def test_the_list_renders_with_its_forms(self, writer: AsyncAPIClient) -> None:
        """The list page shows the awaited method field and both create forms."""
        await Product.objects.acreate(name="Saw", price=1)

        page = await writer.get("/awaited-products/", headers=HTML)

        assert page.status_code == 200, page.content[:2000]
        assert page["Content-Type"].startswith("text/html")
        assert b"Saw (0 audits)" in page.content
        assert b'id="post-object-form"' in page.content
        assert b'id="post-generic-content-form"' in page.content

    async def test_the_detail_renders_its_edit_forms_with_the_row(
        self, writer: AsyncAPIClient
    ) -> None:
        """The detail page's PUT form and raw-data form hold the row, method field included."""
        saw = await Product.objects.acreate(name="Saw", price=1)

        page = await writer.get(f"/awaited-products/{saw.pk}/", headers=HTML)

        assert page.status_code == 200, page.content[:2000]
        assert b'data-method="PUT"' in page.content
        assert b"&quot;tagline&quot;: &quot;Saw (0 audits)&quot;" in page.content

    async def test_options_renders(self, writer: AsyncAPIClient) -> None:
        """`OPTIONS` in the browsable API describes the serializer."""
        page = await writer.options("/awaited-products/", headers=HTML)

        assert page.status_code == 200
        assert b"tagline" in page.content


class TestFormWrites:
    async def test_an_html_form_create_stores_one_row_and_answers_201(
        self, writer: AsyncAPIClient
    ) -> None:
        """The HTML form's POST is validated by the async hooks, stored once, and the page
        that answers it renders."""
        body = urlencode({"name": "  Big   Saw ", "price": "12.50", "stock": "2"})

        page = await writer.post("/awaited-products/", body, content_type=FORM, headers=HTML)

        assert page.status_code == 201, page.content[:2000]
        assert b"Big Saw (1 audits)" in page.content
        assert await stored() == [("Big Saw", Decimal("12.50"), 2)]
        assert await audits() == ["created"]

    async def test_a_refused_html_form_renders_the_errors_and_stores_nothing(
        self, writer: AsyncAPIClient
    ) -> None:
        """An async validator's refusal comes back on the form, with nothing written."""
        body = urlencode({"name": "Saw", "price": "1", "stock": "3"})

        page = await writer.post("/awaited-products/", body, content_type=FORM, headers=HTML)

        assert page.status_code == 400, page.content[:2000]
        assert b"Stock comes in pairs." in page.content
        assert await stored() == []

    async def test_the_raw_data_form_puts_json(self, writer: AsyncAPIClient) -> None:
        """The raw-data form's PUT (JSON in, HTML out) updates the row through `aupdate`."""
        saw = await Product.objects.acreate(name="Saw", price=1)
        body = '{"name": "Saw", "price": "3.00", "stock": 4}'

        page = await writer.put(
            f"/awaited-products/{saw.pk}/", body, content_type="application/json", headers=HTML
        )

        assert page.status_code == 200, page.content[:2000]
        assert await stored() == [("Saw", Decimal("3.00"), 4)]
        assert await audits() == ["updated"]
