"""The 方案比较 (Compare) page in a real browser (headless Chromium through chromedriver, as
tests/test_web_browser.py drives it): docs/compare.md's worked example uploaded through the
form, its summary read from the tables, and the result file downloaded byte for byte as
``medcalc compare`` writes it; no message in the console (no CSP violation).

The test writes ``compare.png`` into ``MEDCALC_SCREENSHOTS`` (default ``build/screenshots/``);
``MEDCALC_SCREENSHOTS=docs/screenshots`` refreshes the one docs/web.md shows. Skipped only when
Chromium or chromedriver is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcalc.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="the browser tests need Chromium and chromedriver (Debian: apt-get install "
    "chromium chromium-driver fonts-noto-cjk; .ci/run does)",
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).parents[1]
HOST = "127.0.0.1"
SHOTS = Path(os.environ.get("MEDCALC_SCREENSHOTS") or ROOT / "build" / "screenshots")
WIDTH = 1280
CLAIMS = ROOT / "examples" / "claims_2018.csv"
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``medcalc serve``'s app (the bundled tables) under uvicorn on a free loopback port."""
    import uvicorn

    from medcalc.service import ServiceConfig, create_app

    with socket.socket() as s:
        s.bind((HOST, 0))
        port = int(s.getsockname()[1])
    app = create_app(ServiceConfig(handle_sighup=False))
    uv = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://{HOST}:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[WebDriver, Path]]:
    """Chromium downloading into a directory of its own; no SEVERE message in its console
    once the test is done (a CSP violation, a failed request or a script error is one)."""
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},900",
        "--lang=zh-CN",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver, downloads
        problems = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert problems == []
    finally:
        driver.quit()


def shot(driver: WebDriver, name: str) -> None:
    """A PNG of the whole page (the window made as tall as the page) in :data:`SHOTS`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = driver.get_window_size()
    page_height, inner = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.innerHeight]"
    )
    chrome = size["height"] - int(inner)
    driver.set_window_size(size["width"], min(int(page_height) + chrome, 8000))
    try:
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
    finally:
        driver.set_window_size(size["width"], size["height"])


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
    target = downloads / "claims_2018-compare.csv"
    deadline = time.monotonic() + 20
    while not target.exists() or list(downloads.glob("*.crdownload")):
        assert time.monotonic() < deadline, "the result file was not downloaded"
        time.sleep(0.05)
    assert target.read_bytes() == cli_out.read_bytes()
