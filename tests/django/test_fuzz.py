"""Generated requests against the product API: no 5xx, and every body has its promised shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restflow_django.test import AsyncAPIClient
from tests.testapp.models import Category, Product

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 1200
PRODUCT_KEYS = {
    "id",
    "name",
    "price",
    "description",
    "stock",
    "category",
    "category_name",
    "tags",
    "created_by",
}
FIELDS = ["name", "price", "description", "stock", "category", "tags", "id", "created_by"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=6)
bodies = payloads | json_values
keys = st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.text(
    # Characters the router's `[^/.]+` lookup pattern, or a URL path, cannot carry.
    alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="/.?#%"),
    min_size=1,
    max_size=12,
)
params = st.dictionaries(
    st.sampled_from(["page", "page_size", "search", "ordering", "format", "x"]),
    st.text(max_size=12) | st.integers().map(str),
    max_size=3,
)
requests: st.SearchStrategy[tuple[str, str | None, Any, dict[str, str]]] = st.one_of(
    st.tuples(st.just("GET"), st.just(None), st.none(), params),
    st.tuples(st.just("GET"), keys, st.none(), st.just({})),
    st.tuples(st.just("POST"), st.just(None), bodies, st.just({})),
    st.tuples(st.sampled_from(["PUT", "PATCH"]), keys, bodies, st.just({})),
    st.tuples(st.just("DELETE"), keys, st.none(), st.just({})),
)


def is_error_list(value: Any) -> bool:
    """A list of messages, or nested errors (a dict or list of them)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_error_list(v) for k, v in value.items())
    return isinstance(value, list) and all(
        isinstance(item, str) or is_error_list(item) for item in value
    )


def is_product(value: Any) -> bool:
    """The product representation the serializer promises."""
    return (
        isinstance(value, dict)
        and set(value) == PRODUCT_KEYS
        and isinstance(value["id"], int)
        and isinstance(value["name"], str)
        and isinstance(value["price"], str)
        and isinstance(value["tags"], list)
    )


def conforms(method: str, key: str | None, status: int, body: Any) -> bool:
    """Whether `status` and `body` are among the answers the API documents for the request."""
    if status in {401, 403, 404, 405, 415} or (status == 400 and "detail" in (body or {})):
        return (
            isinstance(body, dict) and set(body) == {"detail"} and isinstance(body["detail"], str)
        )
    if status == 400:
        # Field errors from a serializer, or DRF's list of messages from a filter.
        return isinstance(body, dict | list) and is_error_list(body)
    if method == "GET" and key is None:
        return (
            status == 200
            and set(body) == {"count", "next", "previous", "results"}
            and all(is_product(item) for item in body["results"])
        )
    if method == "DELETE":
        return status == 204 and body is None
    expected = 201 if method == "POST" else 200
    return status == expected and is_product(body)


async def send(client: AsyncAPIClient, request: tuple[str, str | None, Any, dict[str, str]]) -> Any:
    """Send one generated request."""
    method, key, body, query = request
    url = "/products/" if key is None else f"/products/{key}/"
    if method == "GET":
        return await client.get(url, query)
    return await getattr(client, method.lower())(url, body)


def test_generated_requests_get_documented_answers() -> None:
    """Over a thousand requests: never a 5xx, always a documented status and shape."""
    ada = User.objects.create(username="ada")
    Category.objects.create(name="tools")
    for n in range(3):
        Product.objects.create(name=f"p{n}", price=n, created_by=ada)
    client = AsyncAPIClient(raise_request_exception=False)
    client.force_authenticate(ada)
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(request=requests)
    def probe(request: tuple[str, str | None, Any, dict[str, str]]) -> None:
        nonlocal sent
        sent += 1
        response = async_to_sync(send)(client, request)
        assert response.status_code < 500, (request, response.content)
        parsed = json.loads(response.content) if response.content else None
        method, key = request[0], request[1]
        assert conforms(method, key, response.status_code, parsed), (
            request,
            response.status_code,
            parsed,
        )

    probe()

    assert sent >= 1000
