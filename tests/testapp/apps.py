"""The test app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """The shop used by restflow's Django tests."""

    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"
