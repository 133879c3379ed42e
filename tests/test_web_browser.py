"""The counter's web page in a real browser (headless Chromium through chromedriver): the README's
estimate typed into the form, a field error, the print page, a batch upload downloaded byte for
byte as ``medcalc batch`` writes it, a premium estimate, a tariff diff, the XSS probe shown as
text, the page with JavaScript off and at 200 % zoom.

Each test writes a PNG of the page it ends on into ``MEDCALC_SCREENSHOTS`` (default
``build/screenshots/``, overwritten on each run); ``MEDCALC_SCREENSHOTS=docs/screenshots``
refreshes the ones docs/web.md shows. Skipped only when Chromium or chromedriver is missing
(``.ci/run`` installs Debian's ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from browser import NEEDS_CHROMIUM, ROOT, SHOTS, WIDTH, chrome, downloaded, serving, shot
from medcalc.cli import cli
from medcalc.present import translate
from medcalc.tariff import bundled_dir

pytestmark = NEEDS_CHROMIUM

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PROBE = "<script>window.__xss = 1</script>"
PROBE_SERIES = "probe-series"


def _probe_tariffs(directory: Path) -> Path:
    """A copy of the bundled 2018 table as another series whose category label and title
    hold markup: the page must show them as text."""
    text = (bundled_dir() / "qingyuan-qingcheng" / "2018.yaml").read_text(encoding="utf-8")
    text = text.replace("series: qingyuan-qingcheng", f"series: {PROBE_SERIES}", 1)
    text = text.replace("label: {zh: 低保对象,", f'label: {{zh: "低保对象{PROBE}",', 1)
    assert PROBE in text and PROBE_SERIES in text
    (directory / PROBE_SERIES).mkdir(parents=True)
    (directory / PROBE_SERIES / "2018.yaml").write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``medcalc serve``'s app with the probe's tariffs."""
    with serving((_probe_tariffs(tmp_path_factory.mktemp("tariffs")),)) as url:
        yield url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    driver = chrome(downloads)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser: WebDriver) -> Iterator[WebDriver]:
    """The browser, back in one window; no message in its console (a CSP violation, a
    failed request or a script error would be one)."""
    yield browser
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])
    problems = [
        e["message"]
        for e in browser.get_log("browser")
        # a form sent back with its errors is a 422 (Unprocessable Content), as it should be
        if e["level"] == "SEVERE" and "status of 422" not in e["message"]
    ]
    assert problems == []


def _wait(driver: WebDriver, css: str, seconds: float = 20) -> Any:
    return WebDriverWait(driver, seconds).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _tick(driver: WebDriver, label: str) -> None:
    """Tick the checkbox whose label reads ``label`` (as a clerk finds it)."""
    driver.find_element(By.XPATH, f"//label[normalize-space()={label!r}]/input").click()


def _type(driver: WebDriver, field: str, text: str) -> None:
    box = driver.find_element(By.ID, field)
    box.clear()
    box.send_keys(text)


def _fill_readme(driver: WebDriver, compliant: str = "120000") -> None:
    """The README's example: a registered poor resident, one stay in a grade-3 hospital on
    2018-06-01, total 130,000, compliant 120,000."""
    _tick(driver, "建档立卡贫困人员")
    _type(driver, "stays-0-date", "2018-06-01")
    Select(driver.find_element(By.ID, "stays-0-hospital_level")).select_by_visible_text("三级医院")
    _type(driver, "stays-0-total", "130000")
    _type(driver, "stays-0-compliant", compliant)


def _press(driver: WebDriver, text: str, *, same_window: bool = True) -> None:
    """Click the button reading ``text``; wait for the page it sends to (the old one gone)."""
    # the visible one (the form's hidden default button, for Enter, has the same text)
    button = f"//button[normalize-space()={text!r} and not(@aria-hidden)]"
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, button).click()
    if same_window:
        WebDriverWait(driver, 20).until(lambda _: _gone(old))


def _gone(element: Any) -> bool:
    """Whether ``element`` left the document (a new page came). Without JavaScript,
    chromedriver tells it by an inspector error rather than a stale reference."""
    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


def _cells(driver: WebDriver, table: str) -> dict[str, str]:
    return {
        td.get_attribute("data-field"): td.text
        for td in driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr:last-child td.num")
    }


def test_the_readme_estimate(server: str, page: WebDriver) -> None:
    """Basic (120000 − 800) × 65 % = 77,480.00; the 大病 base 120000 − 77480 = 42520 is
    (42520 − 5000) × 55 % = 20,636.00; assistance (42520 − 20636) × 70 % = 15,318.80; out of
    pocket 130000 − 77480 − 20636 − 15318.80 = 16,565.20 (README)."""
    page.get(server + "/")
    assert page.find_element(By.TAG_NAME, "h1").text == "住院费用测算"
    _fill_readme(page)
    _press(page, "测算")
    _wait(page, "#years-table")
    want = {
        "total": "130,000.00",
        "compliant": "120,000.00",
        "basic": "77,480.00",
        "critical_illness": "20,636.00",
        "assistance": "15,318.80",
        "out_of_pocket": "16,565.20",
    }
    assert _cells(page, "stays-table") == want
    assert _cells(page, "years-table") == want
    warning = page.find_element(By.CSS_SELECTOR, ".result .warning").text
    assert "示例表" in warning and "qingyuan-qingcheng 2018.1" in warning
    # the year to date after it (basic paid; 大病 base 120000 − 77480; 救助 base 42520 − 20636)
    after = page.find_elements(By.CSS_SELECTOR, "#accumulators-table tbody tr")[-1]
    assert [td.text for td in after.find_elements(By.TAG_NAME, "td")] == [
        "2018",
        "本次测算后",
        "77,480.00",
        "42,520.00",
        "21,884.00",
    ]
    explanation = page.find_element(By.CSS_SELECTOR, "pre.explain").text
    for words in (
        "普通参保人 (base)",
        "建档立卡贫困人员 (poverty)",
        "5,000.00 – 100,000.00",
        "1f3d56e43ac0e97ab16b6b43f8f1b5060a8d22a1df6cb643e3f5768ab21f3f2b",
    ):
        assert words in explanation
    # the form keeps what was typed, for the next change
    assert page.find_element(By.ID, "stays-0-compliant").get_attribute("value") == "120000"
    shot(page, "estimate")


def test_stays_are_added_and_removed(server: str, page: WebDriver) -> None:
    page.get(server + "/")
    _fill_readme(page)
    _press(page, "＋ 添加一次住院")
    _wait(page, "#stays-1-date")
    assert page.find_element(By.ID, "stays-0-compliant").get_attribute("value") == "120000"
    # the level of the stay before is kept; the amounts are blank
    level = Select(page.find_element(By.ID, "stays-1-hospital_level"))
    assert level.first_selected_option.text == "三级医院"
    _type(page, "stays-1-date", "2018-09-01")
    _type(page, "stays-1-total", "20000")
    _type(page, "stays-1-compliant", "15000")
    page.find_element(By.CSS_SELECTOR, "details.ytd summary").click()  # opens 年度累计
    _type(page, "ytd_basic_paid", "0")
    _press(page, "测算")
    _wait(page, "#years-table")
    assert len(page.find_elements(By.CSS_SELECTOR, "#stays-table tbody tr")) == 2
    assert _cells(page, "years-table")["total"] == "150,000.00"
    _press(page, "删除第 2 次住院")
    _wait(page, "#stays-0-date")
    assert page.find_elements(By.ID, "stays-1-date") == []
    shot(page, "estimate-stays")


def test_a_field_error_is_shown_next_to_its_field(server: str, page: WebDriver) -> None:
    page.get(server + "/")
    _fill_readme(page, compliant="140000")
    _press(page, "测算")
    error = _wait(page, "#stays-0-total-error")
    # the library's message, in Chinese as the CLI shows it
    want = translate("total: 130000.00 is below the compliant cost 140000.00", "zh")
    assert error.text == want == "医疗总费用：130000.00 低于政策范围内费用 140000.00"
    box = page.find_element(By.ID, "stays-0-total")
    assert box.get_attribute("aria-invalid") == "true"
    assert "stays-0-total-error" in (box.get_attribute("aria-describedby") or "")
    summary = page.find_element(By.CSS_SELECTOR, ".error-summary a")
    assert summary.get_attribute("href").endswith("#stays-0-total")
    assert page.find_elements(By.ID, "years-table") == []
    shot(page, "estimate-error")


def test_the_print_page(server: str, page: WebDriver) -> None:
    page.get(server + "/")
    _fill_readme(page)
    _type(page, "person_id", "P001")
    _press(page, "打印测算单", same_window=False)
    WebDriverWait(page, 10).until(lambda d: len(d.window_handles) == 2)
    page.switch_to.window(page.window_handles[1])
    _wait(page, "h1")
    assert page.find_element(By.TAG_NAME, "h1").text == "住院费用测算单"
    text = page.find_element(By.TAG_NAME, "body").text
    for value in ("77,480.00", "20,636.00", "15,318.80", "16,565.20", "P001"):
        assert value in text
    # its own style block is allowed by the page's CSP (by hash): the title is centred
    align = page.execute_script("return getComputedStyle(document.querySelector('h1')).textAlign")
    assert align == "center"
    shot(page, "print")


def test_a_premium_estimate(server: str, page: WebDriver) -> None:
    """2019, a registered poor resident born 1960-05-01 (58 on 1 January): medical 220.00
    paid in full by the government; pension grade 120.00 paid by it (代缴), subsidy 30.00."""
    page.get(server + "/premiums")
    _tick(page, "建档立卡贫困人员")
    _type(page, "birth_date", "1960-05-01")
    _type(page, "year", "2019")
    _press(page, "测算")
    table = _wait(page, "#premium-table")
    rows = {
        tr.find_element(By.TAG_NAME, "th").text: tr.find_element(By.TAG_NAME, "td").text
        for tr in table.find_elements(By.CSS_SELECTOR, "tr")
    }
    assert rows["医保缴费标准"] == "220.00"
    assert rows["医保资助（政府）"] == "220.00"
    assert rows["医保个人缴费"] == "0.00"
    assert rows["养老代缴（政府）"] == "120.00"
    assert rows["养老缴费补贴"] == "30.00"
    shot(page, "premiums")


def test_batch_upload_downloads_the_bytes_of_the_cli(
    server: str, page: WebDriver, downloads: Path, tmp_path: Path
) -> None:
    source = ROOT / "examples" / "claims.csv"
    cli_out = tmp_path / "cli.csv"
    run = CliRunner().invoke(cli, ["batch", "claims", str(source), "-o", str(cli_out)])
    assert run.exit_code == 0, run.output
    page.get(server + "/batch")
    page.find_element(By.ID, "file").send_keys(str(source))
    _press(page, "上传并测算")
    _wait(page, "#download")
    summary = page.find_element(By.ID, "summary").text
    assert summary.startswith("10 行：成功 10，错误 0")
    assert "基本医保 317,850.00" in summary
    shot(page, "batch")
    page.find_element(By.ID, "download").click()
    got = downloaded(downloads, "claims-result.csv")
    assert got.read_bytes() == cli_out.read_bytes()


def test_batch_progress_then_row_errors(server: str, page: WebDriver, tmp_path: Path) -> None:
    """A file large enough to watch: the progress while it runs (web.js follows it), then
    the summary and each row with an error listed with its row number — markup in a cell
    shown as text."""
    rows = list(csv.reader((ROOT / "examples" / "claims.csv").open(encoding="utf-8")))
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(rows[0])
        for i in range(3000):
            for row in rows[1:]:
                out.writerow([f"{row[0]}-{i}", *row[1:]])
        bad = list(rows[1])
        bad[rows[0].index("date")] = PROBE
        out.writerow(bad)
    page.get(server + "/batch")
    page.find_element(By.ID, "file").send_keys(str(big))
    _press(page, "上传并测算")
    _wait(page, "#job")
    if page.find_elements(By.ID, "job-progress"):
        assert "正在测算" in page.find_element(By.ID, "job-state").text
        # web.js shows how far it is (when the job does not finish first)
        WebDriverWait(page, 10).until(
            lambda d: _shows_progress(d) or d.find_elements(By.ID, "download")
        )
        if _shows_progress(page):
            shot(page, "batch-progress")
    _wait(page, "#download", 60)
    summary = page.find_element(By.ID, "summary").text
    assert summary.startswith("30001 行：成功 30000，错误 1"), summary
    cells = page.find_elements(By.CSS_SELECTOR, "#row-errors tbody td")
    assert cells[0].text == "30002"  # the header is row 1
    assert PROBE in cells[1].text
    assert page.execute_script("return window.__xss === undefined")


def _shows_progress(driver: WebDriver) -> bool:
    try:
        return "%" in driver.find_element(By.ID, "job-count").text
    except WebDriverException:  # gone: the page reloaded when the job finished
        return False


def test_tariffs_list_show_and_diff(server: str, page: WebDriver) -> None:
    page.get(server + "/tariffs")
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")[:2]]
        for tr in page.find_elements(By.CSS_SELECTOR, "#tariffs-table tbody tr")
    ]
    assert rows == [
        [PROBE_SERIES, "2018.1"],
        ["qingyuan-qingcheng", "2018.1"],
        ["qingyuan-qingcheng", "2019.1"],
        ["qingyuan-qingcheng", "2020.1"],
    ]
    shot(page, "tariffs")
    page.find_element(By.LINK_TEXT, "2019.1").click()
    assert "2019.1" in _wait(page, "pre.explain").text
    page.get(server + "/tariffs/diff")
    Select(page.find_element(By.ID, "a")).select_by_visible_text("qingyuan-qingcheng@2018.1")
    Select(page.find_element(By.ID, "b")).select_by_visible_text("qingyuan-qingcheng@2019.1")
    _press(page, "比较")
    _wait(page, "#diff-table")
    changed = {
        tr.find_element(By.TAG_NAME, "th").text: (
            tr.find_element(By.CSS_SELECTOR, "td.old").text,
            tr.find_element(By.CSS_SELECTOR, "td.new mark").text,
        )
        for tr in page.find_elements(By.CSS_SELECTOR, "#diff-table tr.changed")
    }
    # the medical contribution rose from 180 to 220 (the 2019 notice)
    assert changed["medical_premium.contribution"] == ("180.00", "220.00")
    mark = page.find_element(By.CSS_SELECTOR, "#diff-table tr.changed td.new mark")
    assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "")
    shot(page, "tariff-diff")


def test_the_xss_probe_shows_as_text(server: str, page: WebDriver) -> None:
    """A category label of a tariff, a typed value and the page's messages holding markup are
    shown as that text; no script runs (and the CSP would refuse an inline one)."""
    page.get(server + "/")
    Select(page.find_element(By.ID, "series")).select_by_visible_text(PROBE_SERIES)
    _type(page, "person_id", PROBE)
    _type(page, "stays-0-date", PROBE)
    _press(page, "＋ 添加一次住院")  # drawn again with the probe series' categories
    _wait(page, "#stays-1-date")
    labels = [e.text for e in page.find_elements(By.CSS_SELECTOR, ".checks label")]
    assert f"低保对象{PROBE}" in labels
    assert page.find_element(By.ID, "person_id").get_attribute("value") == PROBE
    _press(page, "测算")
    error = _wait(page, "#stays-0-date-error")
    assert PROBE in error.text
    assert page.execute_script("return window.__xss === undefined")
    shot(page, "xss-probe")


def test_accessible_labels_and_keyboard_order(server: str, page: WebDriver) -> None:
    """Every control has a label tied to it, none jumps the keyboard order, and at 200 % zoom
    (a viewport half as wide) the page reflows instead of scrolling sideways."""
    for path in ("/", "/premiums", "/batch", "/tariffs/diff"):
        page.get(server + path)
        unlabelled = page.execute_script(
            "return [...document.querySelectorAll('input:not([type=hidden]), select')]"
            ".filter(e => e.labels.length === 0).map(e => e.name)"
        )
        assert unlabelled == [], path
        jumps = page.execute_script(
            "return [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length"
        )
        assert jumps == 0, path
    page.get(server + "/")
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH // 2, "height": 900, "deviceScaleFactor": 2, "mobile": False},
    )
    try:
        page.get(server + "/")
        wide = page.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not wide
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.save_screenshot(str(SHOTS / "estimate-zoom-200.png"))
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_estimate_works_with_javascript_off(server: str, downloads: Path) -> None:
    driver = chrome(downloads, javascript=False)
    try:
        driver.get(server + "/")
        _fill_readme(driver)
        _press(driver, "＋ 添加一次住院")
        _wait(driver, "#stays-1-date")
        _press(driver, "删除第 2 次住院")
        _wait(driver, "#stays-0-date")
        _press(driver, "测算")
        _wait(driver, "#years-table")
        assert _cells(driver, "years-table")["out_of_pocket"] == "16,565.20"
    finally:
        driver.quit()
