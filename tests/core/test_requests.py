"""Request plumbing for adapters: JSON bodies as DRF parses them."""

from __future__ import annotations

import pytest

from restflow_core import ParseError
from restflow_core.requests import SAFE_METHODS, parse_json


class TestParseJson:
    def test_a_document_and_an_empty_body(self) -> None:
        """A JSON body is parsed; an empty or blank one is no data at all."""
        assert parse_json(b'{"title": "Dune"}') == {"title": "Dune"}
        assert parse_json(b"") is None
        assert parse_json(b"  \n") is None

    def test_a_broken_body_is_drfs_parse_error(self) -> None:
        """Malformed JSON is a `ParseError` worded as DRF words it."""
        with pytest.raises(ParseError, match=r"^JSON parse error - Expecting value"):
            parse_json(b"not json")

    def test_a_body_nested_too_deeply_is_a_parse_error(self) -> None:
        """Deep nesting cannot exhaust the interpreter: it is a `ParseError` too."""
        with pytest.raises(ParseError, match=r"^JSON parse error - the body is nested too deeply"):
            parse_json(b"[" * 100_000 + b"]" * 100_000)

    def test_safe_methods_are_drfs(self) -> None:
        """Reads are GET, HEAD and OPTIONS."""
        assert frozenset({"GET", "HEAD", "OPTIONS"}) == SAFE_METHODS
