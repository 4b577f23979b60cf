"""restflow as a Django app: add `"restflow_django"` to `INSTALLED_APPS` for its system
checks (`restflow_django.checks`). Nothing else needs it: it has no models."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from typing_extensions import override


class RestflowConfig(AppConfig):
    """Registers restflow's system checks."""

    name = "restflow_django"
    verbose_name = "restflow"

    @override
    def ready(self) -> None:
        from restflow_django.checks import check_serving

        checks.register(check_serving, "restflow")
