"""The demo's browsable API and Swagger UI, driven by a real headless Chromium.

Needs Debian's `chromium` and `chromium-driver` and the `selenium` package; `.ci/run`
installs them. Without them the suite is skipped with the reason, unless
`RESTFLOW_REQUIRE_BROWSER` is set (as in CI). The demo is served by uvicorn on 127.0.0.1
with a fresh SQLite database; every page it opens must load from 127.0.0.1 only, and any
error on the JavaScript console fails the step. Screenshots of each step go to
`build/browser/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
TIMINGS: dict[str, float] = {}


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed"
    for program in (CHROMIUM, DRIVER):
        if not Path(program).exists():
            return f"{program} is missing (apt install chromium chromium-driver)"
    return None


_MISSING = _browser_missing()
if _MISSING and os.environ.get("RESTFLOW_REQUIRE_BROWSER"):
    raise RuntimeError(f"a browser is required (RESTFLOW_REQUIRE_BROWSER): {_MISSING}")
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"no browser: {_MISSING}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo served on 127.0.0.1 with a fresh database: its URL and database file."""
    from tests.shop.test_demo import serving_demo

    database = tmp_path_factory.mktemp("browser") / "shop.sqlite3"
    with serving_demo(database) as url:
        yield url, database


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium that keeps its console and network logs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,2200",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        (SHOTS / "timings.txt").write_text(
            "".join(f"{name}: {seconds:.2f} s\n" for name, seconds in TIMINGS.items())
        )


class Step:
    """One step of the suite: photographs the page, and knows the refusals it expects."""

    def __init__(self, browser: Any, name: str) -> None:
        self.browser = browser
        self.name = name
        self.shots = 0
        # Statuses the step provokes on purpose: the browser logs them as failed loads.
        self.expected: list[str] = []

    def __call__(self, label: str) -> None:
        self.shots += 1
        self.browser.save_screenshot(str(SHOTS / f"{self.name}-{self.shots}-{label}.png"))

    def expect(self, status: str) -> None:
        self.expected.append(f"status of {status}")


@pytest.fixture
def step(request: pytest.FixtureRequest, browser: Any, demo: tuple[str, Path]) -> Iterator[Step]:
    """Times the test, photographs the page, and fails on a console error, a failed load the
    step did not expect, or a request that left 127.0.0.1."""
    browser.get_log("browser")
    browser.get_log("performance")
    started = time.monotonic()
    current = Step(browser, request.node.name)
    yield current
    TIMINGS[request.node.name] = time.monotonic() - started
    current("end")
    errors = [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE"
        and not any(expected in entry["message"] for expected in current.expected)
    ]
    assert errors == [], f"console errors: {errors}"
    url = demo[0]
    outside = [
        address
        for address in requested_urls(browser)
        if not address.startswith((url, "data:", "blob:", "about:"))
    ]
    assert outside == [], f"requests that left 127.0.0.1: {outside}"


def requested_urls(browser: Any) -> list[str]:
    """Every URL the pages asked for since the last look, from Chromium's network log."""
    found = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            found.append(message["params"]["request"]["url"])
    return found


def read(database: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """The rows `sql` reads from the demo's database, through a connection closed after."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql, parameters).fetchall()


def stored(database: Path, name: str) -> list[tuple[Any, ...]]:
    """The demo's stored products named `name`: (name, price, stock, description)."""
    sql = "SELECT name, price, stock, description FROM catalog_product WHERE name = ?"
    return read(database, sql, name)


def by(css: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def wait_for_text(browser: Any, css: str, text: str, timeout: float = 10) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    # While a submitted form's answer replaces the page, the old nodes vanish under a look.
    WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.text_to_be_present_in_element(by(css), text)
    )


def answered_to(browser: Any, method: str, status: str) -> None:
    """Wait until the page shows the answer to a `method` request, with `status`."""
    wait_for_text(browser, ".request-info", f"{method} ")
    wait_for_text(browser, ".response-info", status)


def response_info(browser: Any) -> str:
    text: str = browser.find_element(*by(".response-info")).text
    return text


def listed_names(browser: Any, url: str) -> list[str]:
    browser.get(f"{url}/api/products/?format=json&page_size=100")
    body = json.loads(browser.find_element(*by("pre")).text)
    return [row["name"] for row in body["results"]]


def send_raw(browser: Any, pane: str, body: dict[str, Any], button: str) -> None:
    """Fill the raw-data form of tab `pane` with `body` as JSON and press `button`."""
    browser.find_element(*by(f'a[href="#{pane}"]')).click()
    area = browser.find_element(*by(f"#{pane} textarea"))
    browser.execute_script("arguments[0].value = arguments[1];", area, json.dumps(body))
    for candidate in browser.find_elements(*by(f"#{pane} button")):
        if candidate.text.strip() == button:
            candidate.click()
            return
    raise AssertionError(f"no {button} button in #{pane}")


def put_through_the_raw_form(browser: Any, address: str, body: dict[str, Any]) -> None:
    """Open the detail page at `address`, PUT `body` with its raw-data form, see the 200."""
    browser.get(address)
    send_raw(browser, "put-generic-content-form", body, "PUT")
    answered_to(browser, "PUT", "HTTP 200 OK")


def html_form(browser: Any, pane: str) -> Any:
    """The HTML form of tab `pane`, its tab chosen (the browsable API remembers the last)."""
    browser.find_element(*by(f'a[href="#{pane}"]')).click()
    return browser.find_element(*by(f"#{pane} form"))


def sign_in(browser: Any, url: str, user: str = "ada") -> None:
    browser.delete_all_cookies()
    browser.get(f"{url}/api-auth/login/?next=/api/products/")
    browser.find_element(*by("input[name=username]")).send_keys(user)
    browser.find_element(*by("input[name=password]")).send_keys("restflow")
    browser.find_element(*by("form [type=submit]")).click()
    wait_for_text(browser, ".navbar", user)


def owned_product(database: Path, user: str = "ada") -> int:
    """The id of a product `user` listed."""
    ((found,),) = read(
        database,
        "SELECT p.id FROM catalog_product p JOIN auth_user u ON u.id = p.created_by_id "
        "WHERE u.username = ? ORDER BY p.id LIMIT 1",
        user,
    )
    return int(found)


def test_signs_in_through_the_login_page(browser: Any, demo: tuple[str, Path], step: Step) -> None:
    url, _ = demo
    sign_in(browser, url)
    step("signed-in")

    assert browser.current_url == f"{url}/api/products/"
    assert browser.find_elements(*by("#post-object-form form"))


def test_creates_through_the_html_form(browser: Any, demo: tuple[str, Path], step: Step) -> None:
    from selenium.webdriver.support.ui import Select

    url, database = demo
    browser.get(f"{url}/api/products/")
    form = html_form(browser, "post-object-form")
    form.find_element(*by("[name=name]")).send_keys("Browser lamp")
    form.find_element(*by("[name=price]")).send_keys("12.50")
    form.find_element(*by("[name=stock]")).send_keys("3")
    Select(form.find_element(*by("[name=category]"))).select_by_index(1)
    step("filled")
    form.find_element(*by("button")).click()
    wait_for_text(browser, ".response-info", "HTTP 201 Created")

    assert stored(database, "Browser lamp") == [("Browser lamp", 12.5, 3, "")]
    assert '"availability": "only 3 left"' in browser.find_element(*by(".response-info")).text
    assert "Browser lamp" in listed_names(browser, url)


def test_creates_through_the_raw_data_form(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    url, database = demo
    browser.get(f"{url}/api/products/")
    body = {"name": "Raw vise", "price": "30.00", "stock": 1, "category": 1, "description": "x"}
    send_raw(browser, "post-generic-content-form", body, "POST")
    wait_for_text(browser, ".response-info", "HTTP 201 Created")
    step("created")

    assert stored(database, "Raw vise") == [("Raw vise", 30, 1, "x")]
    assert '"availability": "only 1 left"' in browser.find_element(*by(".response-info")).text
    assert "Raw vise" in listed_names(browser, url)


def test_edits_with_put_and_patch_through_the_raw_data_form(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    url, database = demo
    pk = owned_product(database)
    whole = {"name": "Put saw", "price": "9.00", "stock": 4, "category": 1, "description": "put"}
    put_through_the_raw_form(browser, f"{url}/api/products/{pk}/", whole)
    step("put")
    assert stored(database, "Put saw") == [("Put saw", 9, 4, "put")]

    browser.get(f"{url}/api/products/{pk}/")
    send_raw(browser, "put-generic-content-form", {"stock": 11}, "PATCH")
    answered_to(browser, "PATCH", "HTTP 200 OK")
    step("patched")

    assert stored(database, "Put saw") == [("Put saw", 9, 11, "put")]
    assert "Put saw" in listed_names(browser, url)


def test_deletes_with_the_delete_button(browser: Any, demo: tuple[str, Path], step: Step) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    url, database = demo
    browser.get(f"{url}/api/products/")
    ((pk,),) = read(database, "SELECT id FROM catalog_product WHERE name = 'Browser lamp'")
    browser.get(f"{url}/api/products/{pk}/")
    browser.find_element(*by('button[data-target="#deleteModal"]')).click()
    confirm = WebDriverWait(browser, 10).until(
        expected_conditions.element_to_be_clickable(by("#deleteModal form button.btn-danger"))
    )
    step("confirm")
    confirm.click()
    wait_for_text(browser, ".response-info", "HTTP 204 No Content")

    # The demo archives a deleted product: gone from the API, kept with its reviews.
    assert read(database, "SELECT is_archived FROM catalog_product WHERE id = ?", pk) == [(1,)]
    assert "Browser lamp" not in listed_names(browser, url)


def test_an_invalid_form_shows_the_errors_beside_the_fields(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    url, database = demo
    browser.get(f"{url}/api/products/")
    form = html_form(browser, "post-object-form")
    form.find_element(*by("[name=name]")).send_keys("Bad price")
    form.find_element(*by("[name=price]")).send_keys("-5")
    step.expect("400")
    form.find_element(*by("button")).click()
    wait_for_text(browser, ".response-info", "HTTP 400 Bad Request")
    step("refused")

    price_group = browser.find_element(*by("#post-object-form .has-error"))
    assert "Ensure this value is greater than or equal to 0." in price_group.text
    assert stored(database, "Bad price") == []


def test_an_async_validator_refuses_through_the_html_form(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    """The product serializer's `async def validate_name` speaks beside its field, and
    nothing is stored."""
    url, database = demo
    browser.get(f"{url}/api/products/")
    taken = listed_names(browser, url)[0]
    browser.get(f"{url}/api/products/")
    form = html_form(browser, "post-object-form")
    form.find_element(*by("[name=name]")).send_keys(taken.upper())
    form.find_element(*by("[name=price]")).send_keys("5")
    step.expect("400")
    form.find_element(*by("button")).click()
    wait_for_text(browser, ".response-info", "HTTP 400 Bad Request")
    step("refused")

    name_group = browser.find_element(*by("#post-object-form .has-error"))
    assert "Another product has this name." in name_group.text
    assert stored(database, taken.upper()) == []


def test_an_anonymous_user_gets_no_write_forms_and_a_refused_post(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    url, database = demo
    browser.delete_all_cookies()
    browser.get(f"{url}/api/products/")
    step("anonymous")

    assert browser.find_elements(*by("#post-object-form")) == []
    assert browser.find_elements(*by("#post-generic-content-form")) == []
    step.expect("401")
    status, body = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch("/api/products/", {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({name: "Forced", price: "1", category: 1}),
        }).then(async (answer) => done([answer.status, await answer.json()]));
        """
    )
    # DRF's rule: the demo's first authenticator (token) names a scheme, so 401, not 403.
    assert status == 401
    assert body == {"detail": "Authentication credentials were not provided."}
    assert stored(database, "Forced") == []


def test_swagger_ui_runs_the_products_list(
    browser: Any, demo: tuple[str, Path], step: Step
) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = demo
    browser.get(f"{url}/api/docs/")
    wait = WebDriverWait(browser, 20)
    operation = wait.until(
        expected_conditions.element_to_be_clickable(
            by('.opblock-get[id$="products_list"] .opblock-summary')
        )
    )
    operation.click()
    wait.until(expected_conditions.element_to_be_clickable(by(".try-out__btn"))).click()
    wait.until(expected_conditions.element_to_be_clickable(by(".execute"))).click()
    answer = ".live-responses-table td:not(.col_header)"
    wait_for_text(browser, f"{answer}.response-col_status", "200", timeout=20)
    step("executed")

    body = browser.find_element(*by(f"{answer}.response-col_description")).text
    assert '"results"' in body
    assert "Chisel" in body  # the sample data


@pytest.mark.django_db(transaction=True)
async def test_a_broken_form_handler_fails_the_steps(browser: Any) -> None:
    """A view whose sync `get_object` runs on the event loop (the bug this suite guards
    against) breaks its detail page, and the edit step says so."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application
    from selenium.common.exceptions import WebDriverException

    from tests.django.test_servers import serve
    from tests.testapp.models import Product

    product = await Product.objects.acreate(name="Saw", price=1)
    # The test project, with DRF's scripts served: its forms are sent by them.
    with serve(ASGIStaticFilesHandler(get_asgi_application())) as url:
        with pytest.raises((AssertionError, WebDriverException)):
            await asyncio.to_thread(
                put_through_the_raw_form,
                browser,
                f"{url}/broken-forms/{product.pk}/",
                {"name": "Put saw", "price": "2.00"},
            )
        healthy = f"{url}/unbroken-forms/{product.pk}/"
        await asyncio.to_thread(
            put_through_the_raw_form, browser, healthy, {"name": "Put saw", "price": "2.00"}
        )
    assert (await Product.objects.aget(pk=product.pk)).name == "Put saw"
