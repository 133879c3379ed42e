"""What the browser tests share (tests/test_web_browser.py, tests/test_web_compare_browser.py):
``medcalc serve``'s app under uvicorn on a free loopback port, headless Chromium through
chromedriver, and full-page screenshots into ``MEDCALC_SCREENSHOTS``. Importing it skips the
importing module when selenium is not installed; :data:`NEEDS_CHROMIUM` skips it when Chromium
or chromedriver is missing (``.ci/run`` installs Debian's ``chromium`` and
``chromium-driver``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="the browser tests need Chromium and chromedriver (Debian: apt-get install "
    "chromium chromium-driver fonts-noto-cjk; .ci/run does)",
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

ROOT = Path(__file__).parents[1]
HOST = "127.0.0.1"
SHOTS = Path(os.environ.get("MEDCALC_SCREENSHOTS") or ROOT / "build" / "screenshots")
WIDTH = 1280


@contextlib.contextmanager
def serving(tariff_dirs: tuple[Path, ...] = ()) -> Iterator[str]:
    """The service's app (``tariff_dirs``, else the bundled tables) under uvicorn on a free
    loopback port, in a thread; its base URL."""
    import uvicorn

    from medcalc.service import ServiceConfig, create_app

    with socket.socket() as s:
        s.bind((HOST, 0))
        port = int(s.getsockname()[1])
    app = create_app(ServiceConfig(tariff_dirs=tariff_dirs, handle_sighup=False))
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        uv.should_exit = True
        thread.join(10)


def chrome(downloads: Path, *, javascript: bool = True) -> WebDriver:
    """Headless Chromium in Chinese, downloading into ``downloads``, its console logged."""
    from selenium.webdriver.chrome.service import Service

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
    prefs: dict[str, Any] = {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
    }
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver: WebDriver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    return driver


def shot(driver: WebDriver, name: str) -> None:
    """A PNG of the whole page (the window made as tall as the page) in :data:`SHOTS`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = driver.get_window_size()
    page_height, inner = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.innerHeight]"
    )
    chrome_frame = size["height"] - int(inner)  # the window's own frame, if any
    driver.set_window_size(size["width"], min(int(page_height) + chrome_frame, 8000))
    try:
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
    finally:
        driver.set_window_size(size["width"], size["height"])


def downloaded(directory: Path, name: str) -> Path:
    """``directory / name`` once the browser has finished downloading it (20 s at most)."""
    path = directory / name
    deadline = time.monotonic() + 20
    while not path.exists() or list(directory.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"{name} was not downloaded"
        time.sleep(0.05)
    return path
