"""The 方案比较 (Compare) page in a real browser (headless Chromium through chromedriver, as
tests/test_web_browser.py drives it): docs/compare.md's worked example uploaded through the
form, its summary read from the tables, and the result file downloaded byte for byte as
``medcalc compare`` writes it; no message in the console (no CSP violation).

The test writes ``compare.png`` into ``MEDCALC_SCREENSHOTS`` (default ``build/screenshots/``);
``MEDCALC_SCREENSHOTS=docs/screenshots`` refreshes the one docs/web.md shows. Skipped only when
Chromium or chromedriver is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import NEEDS_CHROMIUM, ROOT, chrome, downloaded, serving, shot
from medcalc.cli import cli

pytestmark = NEEDS_CHROMIUM

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CLAIMS = ROOT / "examples" / "claims_2018.csv"
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``medcalc serve``'s app with the bundled tables."""
    with serving() as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[WebDriver, Path]]:
    """Chromium downloading into a directory of its own; no SEVERE message in its console
    once the test is done (a CSP violation, a failed request or a script error is one)."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chrome(downloads)
    try:
        yield driver, downloads
        problems = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert problems == []
    finally:
        driver.quit()


def rows(driver: WebDriver, table: str) -> list[list[str]]:
    """The table's body rows, each cell's text as shown."""
    return [
        [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
        for row in driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")
    ]


def test_the_worked_example_compared_and_downloaded(
    server: str, browser: tuple[WebDriver, Path], tmp_path: Path
) -> None:
    """docs/compare.md §5 through the form: the poor's threshold 5,000 → 3,000 costs critical
    illness 4,400.00 more and saves the poor 990.00 (3 persons × −330.00)."""
    driver, downloads = browser
    cli_out = tmp_path / "cli.csv"
    args = ["compare", "claims", str(CLAIMS), "--proposal", str(PROPOSAL), "-o", str(cli_out)]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    driver.get(server + "/")
    driver.find_element(By.LINK_TEXT, "方案比较").click()
    WebDriverWait(driver, 20).until(ec.title_contains("方案比较"))
    driver.find_element(By.ID, "file").send_keys(str(CLAIMS))
    driver.find_element(By.ID, "proposal").send_keys(str(PROPOSAL))
    driver.find_element(By.XPATH, "//button[normalize-space()='上传并比较']").click()
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#download")))
    assert (
        "共 11 行，11 行按现行和方案都已测算，0 行有错误"
        in driver.find_element(By.ID, "compared").text
    )
    assert rows(driver, "totals")[1:] == [
        ["大病保险", "55,585.00", "59,985.00", "+4,400.00", "+7.92%"],
        ["医疗救助", "35,626.56", "32,216.56", "-3,410.00", "-9.57%"],
        ["个人自付", "109,613.44", "108,623.44", "-990.00", "-0.90%"],
    ]
    assert rows(driver, "persons") == [["7", "3", "0", "4"]]
    assert rows(driver, "gains") == [["P001", "-330.00"], ["P005", "-330.00"], ["P006", "-330.00"]]
    current = driver.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]")
    assert current.text == "方案比较"
    shot(driver, "compare")
    driver.find_element(By.ID, "download").click()
    target = downloaded(downloads, "claims_2018-compare.csv")
    assert target.read_bytes() == cli_out.read_bytes()
