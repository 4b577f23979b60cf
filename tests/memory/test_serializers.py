"""Validation and saving with `MemorySerializer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from typing_extensions import override

from restflow_core import ValidationFailed
from restflow_memory import Field, Invalid, MemorySerializer, MemoryStore


class Range(MemorySerializer[dict[str, Any]]):
    """A named numeric range stored as a dict."""

    name = Field(str)
    low = Field(int, required=False, default=0)
    high = Field(float, min_value=0, max_value=100)
    open = Field(bool, required=False)
    label = Field(str, required=False, allow_null=True, allow_blank=True)

    @override
    def validate(self, attrs: dict[str, Any]) -> Mapping[str, Any]:
        if attrs.get("low", 0) > attrs.get("high", 100):
            raise Invalid("low must not exceed high.")
        return attrs


def checked(data: Any, **kwargs: Any) -> Range:
    """Return a validated serializer over a fresh store."""
    serializer = Range(data=data, context={"store": MemoryStore[dict[str, Any]]()}, **kwargs)
    serializer.is_valid()
    return serializer


class TestValidation:
    def test_values_are_converted_like_drf(self) -> None:
        """Numeric strings become numbers, "true" becomes True."""
        serializer = checked({"name": 5, "low": "2", "high": "9.5", "open": "true"})

        assert serializer.errors == {}
        assert serializer.validated_data == {"name": "5", "low": 2, "high": 9.5, "open": True}

    @pytest.mark.parametrize(
        ("payload", "errors"),
        [
            ({}, {"name": ["This field is required."], "high": ["This field is required."]}),
            ({"name": None, "high": 1}, {"name": ["This field may not be null."]}),
            ({"name": "", "high": 1}, {"name": ["This field may not be blank."]}),
            ({"name": [], "high": 1}, {"name": ["Not a valid string."]}),
            ({"name": "r", "high": 1, "low": "1.5"}, {"low": ["A valid integer is required."]}),
            ({"name": "r", "high": 1, "low": True}, {"low": ["A valid integer is required."]}),
            ({"name": "r", "high": "x"}, {"high": ["A valid number is required."]}),
            (
                {"name": "r", "high": 101},
                {"high": ["Ensure this value is less than or equal to 100."]},
            ),
            ({"name": "r", "high": 1, "open": "maybe"}, {"open": ["Must be a valid boolean."]}),
            (
                {"name": "r", "high": 1, "low": 5},
                {"non_field_errors": ["low must not exceed high."]},
            ),
            ("text", {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
            (
                None,
                {"non_field_errors": ["Invalid data. Expected a dictionary, but got NoneType."]},
            ),
        ],
    )
    def test_bad_payloads_report_field_errors(self, payload: Any, errors: Any) -> None:
        """Each bad payload is rejected with DRF's message for it."""
        assert checked(payload).errors == errors

    def test_nullable_and_blank_fields_keep_what_was_sent(self) -> None:
        """`None` and "" survive where allowed."""
        serializer = checked({"name": "r", "high": 1, "label": None})
        blank = checked({"name": "r", "high": 1, "label": ""})

        assert serializer.validated_data["label"] is None
        assert blank.validated_data["label"] == ""

    def test_partial_validation_skips_missing_fields_and_defaults(self) -> None:
        """With `partial`, only sent fields are validated; defaults are not applied."""
        serializer = checked({"high": 3}, partial=True)

        assert serializer.validated_data == {"high": 3.0}

    async def test_raise_exception_raises_validation_failed(self) -> None:
        """`ais_valid(raise_exception=True)` raises with the field errors."""
        serializer = Range(data={"name": "r"})

        with pytest.raises(ValidationFailed) as caught:
            await serializer.ais_valid(raise_exception=True)

        assert caught.value.errors == {"high": ["This field is required."]}

    def test_reading_results_before_validation_is_a_programming_error(self) -> None:
        """`errors` and `validated_data` need a validation first."""
        serializer = Range(data={})

        with pytest.raises(AssertionError):
            _ = serializer.errors
        with pytest.raises(AssertionError):
            _ = serializer.validated_data

    def test_fields_may_not_shadow_serializer_members(self) -> None:
        """A field named `data` would hide the serializer's own `data`."""
        with pytest.raises(TypeError, match="data"):
            type("Bad", (MemorySerializer,), {"data": Field(str)})


class TestSaving:
    async def test_asave_merges_kwargs_into_validated_data(self) -> None:
        """Keyword arguments to `asave` are stored with the payload."""
        serializer = checked({"name": "r", "high": 1})

        saved = await serializer.asave(owner="ada")

        assert saved == {"name": "r", "low": 0, "high": 1.0, "owner": "ada", "id": 1}
        assert serializer.instance == saved

    async def test_update_applies_only_validated_fields(self) -> None:
        """Updating an instance keeps fields the payload did not name."""
        store = MemoryStore[dict[str, Any]]()
        stored = await store.asave({"name": "r", "low": 1, "high": 5.0, "owner": "ada"})
        serializer = Range(stored, data={"high": 7}, partial=True, context={"store": store})
        await serializer.ais_valid(raise_exception=True)

        await serializer.asave()

        assert await store.aget("1") == {
            "name": "r",
            "low": 1,
            "high": 7.0,
            "owner": "ada",
            "id": 1,
        }
        assert await serializer.adata() == {
            "name": "r",
            "low": 1,
            "high": 7.0,
            "open": None,
            "label": None,
        }

    async def test_saving_an_invalid_serializer_is_refused(self) -> None:
        """`asave` before a passing validation is a programming error."""
        serializer = checked({})

        with pytest.raises(AssertionError):
            await serializer.asave()


class TestAsyncHooksAreRefused:
    @pytest.mark.parametrize("hook", ["validate", "validate_low"])
    async def test_async_validation_hook_raises_type_error(self, hook: str) -> None:
        """An `async def` validation hook is refused by name, before anything is validated."""

        async def refuse(self: Any, value: Any) -> Any:
            raise Invalid("refused")

        serializer_class = type("AsyncHooks", (Range,), {hook: refuse})
        serializer = serializer_class(data={"low": 1, "high": 2})

        with pytest.raises(TypeError, match=f"AsyncHooks.{hook} is an `async def` hook"):
            await serializer.ais_valid()
