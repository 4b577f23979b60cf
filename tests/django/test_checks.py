"""The system checks that name a slower serving path, and the fix."""

from __future__ import annotations

from django.core import checks
from django.test import override_settings
from django.test.utils import modify_settings

from restflow_django.checks import check_serving
from restflow_django.middleware import async_middleware

STANDARD = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DJANGOS = "tests.django.serving.djangos_handler.application"
RESTFLOWS = "tests.asgi.application"


def ids(found: list[checks.CheckMessage]) -> list[str]:
    return [message.id or "" for message in found]


@override_settings(ASGI_APPLICATION=DJANGOS, MIDDLEWARE=STANDARD)
def test_startprojects_serving_is_named_with_the_fix() -> None:
    found = check_serving()

    assert ids(found) == ["restflow.W001", "restflow.W002"]
    assert all(isinstance(message, checks.Warning) for message in found)
    assert "restflow_django.asgi.get_asgi_application()" in (found[0].hint or "")
    assert "async_middleware" in (found[1].hint or "")
    assert "django.middleware.csrf.CsrfViewMiddleware" in found[1].msg


@override_settings(ASGI_APPLICATION=RESTFLOWS, MIDDLEWARE=async_middleware(STANDARD))
def test_the_recommended_serving_passes() -> None:
    assert check_serving() == []


@override_settings(ASGI_APPLICATION=RESTFLOWS, MIDDLEWARE=STANDARD)
def test_restflows_application_with_djangos_middleware_names_the_middleware() -> None:
    assert ids(check_serving()) == ["restflow.W002"]


@override_settings(
    ASGI_APPLICATION=DJANGOS,
    MIDDLEWARE=STANDARD,
    ROOT_URLCONF="tests.django.serving.no_restflow_urls",
)
def test_a_project_without_restflow_views_is_left_alone() -> None:
    assert check_serving() == []


@override_settings(ASGI_APPLICATION="tests.django.serving.nowhere.application", MIDDLEWARE=STANDARD)
def test_a_project_not_served_over_asgi_is_left_alone() -> None:
    assert check_serving() == []


@override_settings(ASGI_APPLICATION=DJANGOS, MIDDLEWARE=STANDARD)
def test_the_app_registers_the_checks() -> None:
    with modify_settings(INSTALLED_APPS={"append": "restflow_django"}):
        found = checks.run_checks(tags=["restflow"])

    assert ids(found) == ["restflow.W001", "restflow.W002"]
