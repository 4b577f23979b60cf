"""The kit's pieces an HTTP adapter calls: search, token authentication, body parsing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import override

from restflow_core import (
    AuthenticationFailed,
    NotAuthenticated,
    ParseError,
    PlainRequest,
    SearchFilter,
    TokenAuthentication,
    UnsupportedMediaType,
    ValidationFailed,
    error_reply,
    parse_body,
    search_terms,
)

SEARCHES = [
    "",
    "   ",
    "alpha",
    "alpha beta",
    "alpha,beta",
    ",alpha,,beta,",
    "alpha, beta",
    '"alpha beta"',
    "'alpha beta' gamma",
    '"a \\" b"',
    "'it\\'s'",
    '"unclosed phrase',
    'x"y z"w',
    '""',
    '"',
    "a\tb\nc",
    '"a\\\\b" c',
    "'x\\\\' y",
]


def drf_terms(text: str) -> list[str]:
    """DRF's own split, the oracle."""
    from rest_framework.filters import search_smart_split

    split: Any = search_smart_split  # its stubs declare a list; DRF passes the text
    return list(split(text))


class TestSearchTerms:
    @pytest.mark.parametrize("text", SEARCHES, ids=[f"search{n}" for n in range(len(SEARCHES))])
    def test_terms_are_drfs(self, text: str) -> None:
        assert search_terms(text) == drf_terms(text)


@given(st.text(alphabet=" ,\"'\\abc\t", max_size=12))
def test_search_terms_are_drfs_for_any_text(text: str) -> None:
    assert search_terms(text) == drf_terms(text)


class Recorded:
    """A query that records the lookups it is narrowed by."""

    def __init__(self, calls: tuple[dict[str, Any], ...] = ()) -> None:
        self.calls = calls

    def filter_any(self, **lookups: Any) -> Recorded:
        return Recorded((*self.calls, lookups))


class View:
    search_fields = ("title", "^code", "=owner", "$notes", "@body")


class TestSearchFilter:
    def test_each_term_must_match_one_field_with_its_prefix_lookup(self) -> None:
        request = PlainRequest(query_params={"search": "ab, cd"})

        narrowed = SearchFilter().filter_queryset(request, Recorded(), View())

        lookups = ["title__icontains", "code__istartswith", "owner__iexact"]
        lookups += ["notes__iregex", "body__search"]
        assert narrowed.calls == (dict.fromkeys(lookups, "ab"), dict.fromkeys(lookups, "cd"))

    def test_no_terms_or_no_fields_leave_the_query(self) -> None:
        query = Recorded()

        assert SearchFilter().filter_queryset(PlainRequest(), query, View()) is query
        searching = PlainRequest(query_params={"search": "x"})
        assert SearchFilter().filter_queryset(searching, query, object()) is query

    def test_a_null_character_is_drfs_400(self) -> None:
        request = PlainRequest(query_params={"search": "a\x00b"})

        with pytest.raises(ValidationFailed) as refused:
            SearchFilter().filter_queryset(request, Recorded(), View())

        assert error_reply(refused.value).body == ["Null characters are not allowed."]


class Keys(TokenAuthentication):
    """Knows one key."""

    @override
    async def auser_for(self, key: str, /) -> Any | None:
        return {"good": "ada", "idle": Inactive()}.get(key)


class Inactive:
    is_active = False


def with_header(value: str | None) -> PlainRequest:
    return PlainRequest(headers={} if value is None else {"authorization": value})


class TestTokenAuthentication:
    @pytest.mark.parametrize(
        ("header", "user"),
        [("Token good", "ada"), ("token good", "ada"), (None, None), ("Basic abc", None)],
        ids=["token", "any-case", "no-header", "other-scheme"],
    )
    async def test_the_scheme_and_its_key(self, header: str | None, user: str | None) -> None:
        assert await Keys().aauthenticate(with_header(header)) == user

    @pytest.mark.parametrize(
        ("header", "detail"),
        [
            ("Token", "Invalid token header. No credentials provided."),
            ("Token a b", "Invalid token header. Token string should not contain spaces."),
            (
                "Token caf\u00e9",
                "Invalid token header. Token string should not contain invalid characters.",
            ),
            ("Token bad", "Invalid token."),
            ("Token idle", "User inactive or deleted."),
        ],
        ids=["no-key", "spaces", "non-ascii", "unknown", "inactive"],
    )
    async def test_wrong_credentials_are_a_401_naming_the_scheme(
        self, header: str, detail: str
    ) -> None:
        with pytest.raises(AuthenticationFailed) as failed:
            await Keys().aauthenticate(with_header(header))

        answer = error_reply(failed.value)
        assert (answer.status, answer.body) == (401, {"detail": detail})
        assert answer.headers == {"WWW-Authenticate": "Token"}
        assert isinstance(failed.value, NotAuthenticated)
        assert failed.value.code == "authentication_failed"

    def test_the_header_of_a_401(self) -> None:
        assert Keys().authenticate_header(PlainRequest()) == "Token"

    async def test_looking_up_keys_is_the_subclass_s(self) -> None:
        with pytest.raises(NotImplementedError):
            await TokenAuthentication().aauthenticate(with_header("Token good"))


class TestParseBody:
    @pytest.mark.parametrize(
        ("body", "content_type", "data"),
        [
            (b"", None, {}),
            (b"", "text/plain", {}),
            (b'{"a": 1}', "application/json", {"a": 1}),
            (b'{"a": 1}', "Application/JSON; charset=utf-8", {"a": 1}),
            (b"[1, 2]", " application/json ", [1, 2]),
            (b"[]", "application/json; charset=utf-8; x=y", []),
        ],
        ids=["empty", "empty-text", "json", "json-charset", "json-padded", "json-parameters"],
    )
    def test_json_and_empty_bodies(self, body: bytes, content_type: str | None, data: Any) -> None:
        assert parse_body(body, content_type) == data

    @pytest.mark.parametrize(
        ("content_type", "named"),
        [(None, ""), ("text/plain", "text/plain"), ("application/jsonx", "application/jsonx")],
        ids=["none", "text", "near-json"],
    )
    def test_other_media_types_are_415(self, content_type: str | None, named: str) -> None:
        with pytest.raises(UnsupportedMediaType) as refused:
            parse_body(b"{}", content_type)

        assert refused.value.detail == f'Unsupported media type "{named}" in request.'
        assert refused.value.media_type == named
        assert error_reply(refused.value).status == 415

    def test_malformed_json_is_a_parse_error(self) -> None:
        with pytest.raises(ParseError, match="JSON parse error - "):
            parse_body(b"{", "application/json")


class TestPlainRequest:
    def test_a_raw_body_is_parsed_at_first_read_and_once(self) -> None:
        json = {"content-type": "application/json"}
        request = PlainRequest("POST", headers=json, body=b'{"title": "Dune"}')

        first = request.data
        assert first == {"title": "Dune"}
        assert request.data is first

    def test_a_body_that_does_not_parse_raises_only_when_read(self) -> None:
        request = PlainRequest("POST", headers={"content-type": "text/csv"}, body=b"a,b")

        assert request.method == "POST"
        with pytest.raises(UnsupportedMediaType):
            _ = request.data

    def test_a_request_of_nothing_is_a_get_of_the_root(self) -> None:
        request = PlainRequest()

        assert (request.method, request.path, request.data, request.user) == (
            "GET",
            "/",
            None,
            None,
        )
        assert (dict(request.query_params), dict(request.headers)) == ({}, {})

    def test_data_given_is_the_data(self) -> None:
        request = PlainRequest("PUT", "/x/", {"a": 1}, {"q": "1"}, "ada", {"x-a": "b"})

        assert (request.data, request.user, request.headers["x-a"]) == ({"a": 1}, "ada", "b")
        assert request.query_params == {"q": "1"}
        assert repr(request) == "PlainRequest('PUT', '/x/')"
