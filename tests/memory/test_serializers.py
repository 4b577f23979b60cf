"""Validation and saving with `MemorySerializer`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from typing_extensions import override

from restflow_core import ValidationFailed
from restflow_memory import Field, Invalid, MemorySerializer, MemoryStore, MethodField


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
        assert await serializer.adata == {
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


class Checked(MemorySerializer[dict[str, Any]]):
    """Async hooks: a field hook that rewrites, a `validate` that refuses, a method field."""

    name = Field(str)
    low = Field(int, required=False, default=0)
    size = MethodField()
    in_flight: ClassVar[list[int]] = [0, 0]

    async def validate_name(self, value: str) -> str:
        await asyncio.sleep(0)
        if value == "taken":
            raise Invalid("That name is taken.")
        return value.strip()

    @override
    async def validate(self, attrs: dict[str, Any]) -> Mapping[str, Any]:
        await asyncio.sleep(0)
        if attrs["low"] < 0:
            raise Invalid("low must not be negative.")
        return attrs

    async def get_size(self, obj: dict[str, Any]) -> int:
        self.in_flight[0] += 1
        self.in_flight[1] = max(self.in_flight)
        try:
            await asyncio.sleep(0.001)
        finally:
            self.in_flight[0] -= 1
        return len(obj["name"])


class TestAsyncHooks:
    async def test_field_hooks_are_awaited_and_their_value_kept(self) -> None:
        serializer = Checked(data={"name": "  saw "})

        assert await serializer.ais_valid() is True
        assert serializer.validated_data == {"name": "saw", "low": 0}

    async def test_refusals_come_as_errors(self) -> None:
        taken = Checked(data={"name": "taken", "low": -1})
        negative = Checked(data={"name": "saw", "low": -1})

        assert await taken.ais_valid() is False
        assert taken.errors == {"name": ["That name is taken."]}
        assert await negative.ais_valid() is False
        assert negative.errors == {"non_field_errors": ["low must not be negative."]}

    async def test_method_fields_are_awaited_a_bound_at_a_time(self) -> None:
        rows = [{"name": "x" * number, "low": 0} for number in range(25)]

        class Bounded(Checked):
            render_concurrency = 4
            in_flight: ClassVar[list[int]] = [0, 0]

        bounded = Bounded

        one = await Checked(rows[3]).adata
        many = await bounded.arepresent_many(rows)

        assert one == {"name": "xxx", "low": 0, "size": 3}
        assert [row["size"] for row in many] == list(range(25))
        assert bounded.in_flight[1] == 4

    @pytest.mark.parametrize("hook", ["validate", "validate_name"])
    def test_sync_is_valid_names_ais_valid(self, hook: str) -> None:
        serializer = Checked(data={"name": "saw"})
        expected = rf"Checked\.{hook} is `async`.*`await serializer\.ais_valid\(\)`"
        if hook == "validate_name":
            serializer = type("Checked", (Checked,), {"validate": Range.validate})(
                data={"name": "saw"}
            )

        with pytest.raises(TypeError, match=expected):
            serializer.is_valid()

    def test_sync_data_names_adata(self) -> None:
        with pytest.raises(TypeError, match=r"Checked\.get_size is `async`.*adata"):
            _ = Checked({"name": "saw", "low": 0}).data
        with pytest.raises(TypeError, match="get_size"):
            Checked.represent_many([{"name": "saw", "low": 0}])
