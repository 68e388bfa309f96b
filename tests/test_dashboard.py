"""The dashboard at <url>/__fakeruns/ in a real browser: headless Chromium through Selenium.

Chromium and chromedriver come from Debian's packages (`.ci/run` installs them). Outside CI the
test is skipped when they are missing; in CI (CI=true) it fails instead, so it always runs there.
Set FAKERUNS_DASHBOARD_SCREENSHOT=<path.png> to save a screenshot (docs/dashboard.png).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from pytest_fakeruns import FakeRuns

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 15.0
CHROMIUM = os.environ.get("FAKERUNS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FAKERUNS_CHROMEDRIVER", "/usr/bin/chromedriver")

pytestmark = pytest.mark.fake_runs(seed=21, progression="manual")


def _missing(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; CI must run the dashboard test (.ci/run installs chromium)")
    pytest.skip(why)


@pytest.fixture
def browser() -> Iterator[Any]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) or shutil.which(path)):
            _missing(f"{path} is not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (the test extra has it)")
    profile = tempfile.mkdtemp(prefix="fakeruns-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    # an explicit driver path: Selenium Manager is skipped, nothing is downloaded
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(BOUND)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: Any, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, BOUND).until(lambda d: condition(d))
    except Exception:
        message = driver.find_element("id", "message").text
        raise AssertionError(f"the dashboard never showed {what}; message: {message!r}") from None


def cell(driver: Any, selector: str) -> str:
    """The text of the first match, or "" (also when the page re-rendered under the read)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements("css selector", selector)
        return str(found[0].text) if found else ""
    except StaleElementReferenceException:
        return ""


def test_fail_a_run_and_inject_a_429_by_clicking(fake_runs_server: FakeRuns, browser: Any) -> None:
    fake = fake_runs_server
    fake.coalesce.add_runs(2, environment_id="7")
    run = fake.coalesce.add_run(state="running", environment_id="7")
    fake.kinetic.add_runs(2)
    fake.arcgis.add_run(state="waitingToRun")
    row = f'tr[data-run="coalesce:{run.id}"]'
    browser.get(fake.url + "/__fakeruns/")
    wait(browser, lambda d: cell(d, f"{row} .state") == "running", "the running run")
    assert cell(browser, "#seed") == "21"
    assert cell(browser, "#progression") == "manual"

    # fail a run
    browser.find_element("css selector", f'{row} button[data-action="fail"]').click()
    wait(browser, lambda d: cell(d, f"{row} .state") == "failed", "the run failed")
    assert cell(browser, f"{row} .status") == "failed"
    assert run.state == "failed"
    answer = requests.get(
        f"{fake.coalesce.base_url}/api/v1/runs/{run.id}", headers=AUTH, timeout=BOUND
    )
    assert answer.json()["runStatus"] == "failed"

    # inject a 429 for coalesce
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "inject-vendor")).select_by_value("coalesce")
    status = browser.find_element("id", "inject-status")
    status.clear()
    status.send_keys("429")
    browser.find_element("id", "inject").click()
    fault_row = "#faults tr[data-fault]"
    wait(
        browser,
        lambda d: cell(d, f"{fault_row} td:nth-child(2)") == "status 429",
        "the injected fault",
    )
    assert cell(browser, f"{fault_row} td:nth-child(3)") == "coalesce"
    limited = requests.get(f"{fake.coalesce.base_url}/api/v1/runs", headers=AUTH, timeout=BOUND)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    browser.find_element("id", "refresh").click()
    wait(browser, lambda d: cell(d, f"{fault_row} .hits") == "1", "the fault's hit")
    wait(browser, lambda d: "429" in cell(d, "#calls tbody tr"), "the 429 in the journal")
    if os.environ.get("FAKERUNS_DASHBOARD_SCREENSHOT"):
        browser.set_window_size(1280, 1500)
        browser.save_screenshot(os.environ["FAKERUNS_DASHBOARD_SCREENSHOT"])

    # remove it: the vendor answers again
    browser.find_element("css selector", f'{fault_row} button[data-action="remove"]').click()
    wait(browser, lambda d: not d.find_elements("css selector", fault_row), "no fault")
    ok = requests.get(f"{fake.coalesce.base_url}/api/v1/runs", headers=AUTH, timeout=BOUND)
    assert ok.status_code == 200

    # the clock and reset
    before = fake.clock.now()
    browser.find_element("id", "clock-advance").click()
    wait(browser, lambda d: "clock advanced" in cell(d, "#message"), "the clock moved")
    assert (fake.clock.now() - before).total_seconds() >= 59
    browser.find_element("id", "reset").click()
    wait(browser, lambda d: not d.find_elements("css selector", row), "the reset")
    assert fake.coalesce.runs() == []


def test_a_refused_action_shows_the_error(fake_runs_server: FakeRuns, browser: Any) -> None:
    run = fake_runs_server.coalesce.add_run(state="running")
    row = f'tr[data-run="coalesce:{run.id}"]'
    browser.get(fake_runs_server.url + "/__fakeruns/")
    wait(browser, lambda d: cell(d, f"{row} .state") == "running", "the run")
    run.fail()  # behind the page's back: its buttons are now stale
    browser.find_element("css selector", f'{row} button[data-action="cancel"]').click()
    wait(browser, lambda d: "cannot cancel" in cell(d, "#message"), "the 409's message")
    wait(browser, lambda d: cell(d, f"{row} .state") == "failed", "the refreshed run")
