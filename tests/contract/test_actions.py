"""`restflow_core.testing`'s conformance scenarios, run on every adapter in the repo.

Both adapters run the core's pipelines, so a client sees the same status codes, the same
hooks called in the same order, and the same stored rows, whichever adapter serves it.
"""

from __future__ import annotations

import pytest

from restflow_core.testing import SCENARIOS, SERIALIZER_SCENARIOS, Driver, Scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.__name__ for scenario in SCENARIOS])
async def test_scenario(api: Driver, scenario: Scenario) -> None:
    """The adapter keeps the scenario's promise."""
    await scenario(api)


@pytest.mark.parametrize(
    "scenario", SERIALIZER_SCENARIOS, ids=[scenario.__name__ for scenario in SERIALIZER_SCENARIOS]
)
async def test_serializer_scenario(checked_api: Driver, scenario: Scenario) -> None:
    """The adapter's serializers await async hooks as the contract says."""
    await scenario(checked_api)
