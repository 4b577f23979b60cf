"""The conformance scenarios fail an adapter that breaks their promises."""

from __future__ import annotations

import pytest

from restflow_core.testing import failing_create_leaves_nothing, owner_deletes_with_204
from tests.contract.drivers import MemoryDriver


class TestScenariosCatchBrokenAdapters:
    async def test_writes_outside_a_unit_of_work_are_caught(self) -> None:
        """Without a unit of work the refusing hook's save stays, and the scenario says so."""
        driver = MemoryDriver()
        for resource in driver.resources.values():
            resource.atomic = False

        with pytest.raises(AssertionError, match="the hook's save is rolled back"):
            await failing_create_leaves_nothing(driver)

    async def test_a_hook_that_never_runs_is_caught(self) -> None:
        """A destroy that skips its hook breaks the journal promise."""
        driver = MemoryDriver()
        driver.journal.append(("destroy", 0))

        with pytest.raises(AssertionError, match="the destroy hook runs once"):
            await owner_deletes_with_204(driver)
