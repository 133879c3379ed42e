"""The counter's web page over HTTP, without a browser (tests/test_web_browser.py drives one):
the forms' results and errors, the Content-Security-Policy, form tokens, login with the API's
tokens, the API's limits, escaping, and a batch upload to the end."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from medcalc.cli import cli
from medcalc.present import translate
from medcalc.service import ServiceConfig, create_app

ROOT = Path(__file__).parents[1]
README = {
    "categories": "poverty",
    "stays-0-date": "2018-06-01",
    "stays-0-hospital_level": "level_3",
    "stays-0-total": "130000",
    "stays-0-compliant": "120000",
}
PAGES = (
    "/",
    "/premiums",
    "/batch",
    "/batch/compare",
    "/tariffs",
    "/tariffs/diff",
    "/tariffs/qingyuan-qingcheng/2019.1",
)


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with their attributes, and cells by id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, **attrs: str) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if all(a.get(k) == v for k, v in attrs.items())]


def client(**config: Any) -> TestClient:
    return TestClient(create_app(ServiceConfig(handle_sighup=False, **config)))


@pytest.fixture(scope="module")
def web() -> Iterator[TestClient]:
    with client() as c:
        c.get("/")  # the form token's cookie
        yield c


def post(c: TestClient, path: str, data: dict[str, str], **kw: Any) -> Any:
    return c.post(path, data={"csrf": c.cookies.get("medcalc_csrf") or "", **data}, **kw)


def cells(text: str, table: str) -> dict[str, str]:
    part = text.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    last = part.rsplit("<tr>", 1)[1]
    return dict(re.findall(r'data-field="(\w+)">([^<]*)<', last))


def test_the_readme_estimate(web: TestClient) -> None:
    """(120000 − 800) × 65 % = 77,480.00; (42520 − 5000) × 55 % = 20,636.00;
    (42520 − 20636) × 70 % = 15,318.80; 130000 − 77480 − 20636 − 15318.80 = 16,565.20."""
    page = post(web, "/", README)
    assert page.status_code == 200
    got = cells(page.text, "years-table")
    assert [got[k] for k in ("basic", "critical_illness", "assistance", "out_of_pocket")] == [
        "77,480.00",
        "20,636.00",
        "15,318.80",
        "16,565.20",
    ]
    # the year to date after it, the input of a later estimate: basic paid 77,480.00; the
    # 大病 base 120000 − 77480 = 42,520.00; the 救助 base 42520 − 20636 = 21,884.00
    after = page.text.split('id="accumulators-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'class="num">([^<]*)<', after)[-3:] == [
        "77,480.00",
        "42,520.00",
        "21,884.00",
    ]
    assert "qingyuan-qingcheng 2018.1 为示例表" in page.text
    assert "1f3d56e43ac0e97ab16b6b43f8f1b5060a8d22a1df6cb643e3f5768ab21f3f2b" in page.text


def test_the_english_page(web: TestClient) -> None:
    page = post(web, "/", {**README, "lang": "en", "stays-0-compliant": "140000"})
    assert page.status_code == 422
    assert "Claim estimate" in page.text
    assert "total: 130000.00 is below the compliant cost 140000.00" in page.text
    assert web.get("/tariffs?lang=en").text.count("illustrative") >= 3


@pytest.mark.parametrize(
    ("change", "field", "english"),
    [
        (
            {"stays-0-compliant": "140000"},
            "stays-0-total",
            "total: 130000.00 is below the compliant cost 140000.00",
        ),
        (
            {"stays-0-date": "2018-13-01"},
            "stays-0-date",
            "date: '2018-13-01' is not a date: there is no month 13",
        ),
        (
            {"stays-0-date": "2017-06-01"},
            "stays-0-date",
            "no tariff of series qingyuan-qingcheng is in force on 2017-06-01",
        ),
        ({"disability_grade": "7"}, "disability_grade", None),
        ({"ytd_basic_paid": "-1"}, "ytd_basic_paid", None),
    ],
)
def test_a_field_error_is_next_to_its_field(
    web: TestClient, change: dict[str, str], field: str, english: str | None
) -> None:
    page = post(web, "/", {**README, **change})
    assert page.status_code == 422
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page.text)
    assert found is not None, page.text
    if english is not None:
        assert found.group(1) == translate(english, "zh").replace("'", "&#39;")
    assert f'id="{field}" ' in page.text and 'aria-invalid="true"' in page.text


def test_every_error_of_the_form_at_once(web: TestClient) -> None:
    page = post(web, "/", {**README, "enrolled_on": "x", "stays-0-total": "-5", "stay_count": "1"})
    assert 'id="enrolled_on-error"' in page.text and 'id="stays-0-total-error"' in page.text


def test_a_tampered_stay_count_is_one_stay(web: TestClient) -> None:
    for count in ("x", "-3", "9" * 40):
        assert post(web, "/", {**README, "stay_count": count}).status_code == 200


def test_stays_added_and_removed_by_the_server(web: TestClient) -> None:
    two = post(web, "/", {**README, "action": "add"})
    assert 'id="stays-1-date"' in two.text and 'id="years-table"' not in two.text
    back = post(web, "/", {**README, "stay_count": "2", "stays-1-date": "x", "action": "remove-1"})
    assert 'id="stays-1-date"' not in back.text


def test_a_premium_estimate(web: TestClient) -> None:
    page = post(
        web, "/premiums", {"categories": "poverty", "year": "2019", "birth_date": "1960-05-01"}
    )
    rows = dict(re.findall(r'<th scope="row">([^<]*)</th><td class="num">([^<]*)<', page.text))
    assert rows["医保缴费标准"] == "220.00" and rows["医保个人缴费"] == "0.00"
    assert rows["养老代缴（政府）"] == "120.00" and rows["养老缴费补贴"] == "30.00"
    for year, english in [
        ("2017", "no tariff of series qingyuan-qingcheng is in force on 2017-01-01"),
        ("", "year: no value given; this field is required"),
        ("0", "year: 0 is not a year"),
    ]:
        page = post(web, "/premiums", {"year": year})
        assert page.status_code == 422
        found = re.search(r'<p class="error" id="year-error">([^<]*)</p>', page.text)
        assert found is not None and found.group(1) == translate(english, "zh")
        assert found.group(1) != english  # in Chinese


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_and_a_strict_policy(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    page = Page(response.text)
    for tag, attrs in page.tags:
        assert tag != "script" or attrs.get("src") == "/static/web.js"
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert "style" not in attrs and tag != "style"
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), value  # no CDN


def test_every_control_has_its_label(web: TestClient) -> None:
    for path in ("/", "/premiums", "/batch", "/login"):
        page = Page(web.get(path).text)
        labelled = {a.get("for") for a in page.find() if a.get("for")}
        for tag, attrs in page.tags:
            if tag in ("input", "select") and attrs.get("type") not in (
                "hidden",
                "checkbox",
                "radio",
            ):
                assert attrs.get("id") in labelled, (path, attrs)


def test_the_print_page_allows_only_its_own_style(web: TestClient) -> None:
    page = post(web, "/print", {**README, "person_id": '"><img src=x>'})
    assert page.status_code == 200
    style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in policy and "unsafe-inline" not in policy
    assert "77,480.00" in page.text and "&#34;&gt;&lt;img src=x&gt;" in page.text
    assert "<img" not in page.text


def test_markup_typed_is_shown_as_text(web: TestClient) -> None:
    probe = "<script>alert(1)</script>"
    page = post(web, "/", {**README, "person_id": probe, "stays-0-date": probe})
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_post_without_the_form_token_is_refused(web: TestClient) -> None:
    assert web.post("/", data=README).status_code == 403
    assert web.post("/", data={**README, "csrf": "0" * 32}).status_code == 403
    other = post(web, "/", README, headers={"Origin": "http://evil.example"})
    assert other.status_code == 403


def test_the_cookies_are_for_this_site_only() -> None:
    with client() as c:
        cookie = c.get("/").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_the_api_tokens_guard_the_pages(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("clerk-token-0123456789\n", encoding="utf-8")
    with client(tokens_file=tokens) as c:
        first = c.get("/tariffs?lang=en", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/login?next=%2Ftariffs%3Flang%3Den"
        assert c.get("/static/web.css").status_code == 200
        assert c.get("/v1/tariffs").status_code == 401  # the API is as it was
        login = c.get("/login")
        assert login.status_code == 200
        wrong = post(c, "/login", {"token": "not-the-token-at-all", "next": "/tariffs"})
        assert wrong.status_code == 401 and 'id="token-error"' in wrong.text
        good = post(
            c,
            "/login",
            {"token": "clerk-token-0123456789", "next": "/tariffs"},
            follow_redirects=False,
        )
        assert good.status_code == 303 and good.headers["location"] == "/tariffs"
        assert "HttpOnly" in good.headers["set-cookie"]
        assert c.get("/tariffs").status_code == 200
        assert post(c, "/", README).status_code == 200
        # another site's address is never where a login goes
        away = post(
            c,
            "/login",
            {"token": "clerk-token-0123456789", "next": "//evil.example"},
            follow_redirects=False,
        )
        assert away.headers["location"] == "/"
        out = post(c, "/logout", {}, follow_redirects=False)
        assert out.status_code == 303
        assert c.get("/", follow_redirects=False).status_code == 303


def test_the_api_limits_hold_for_the_pages(tmp_path: Path) -> None:
    with client(max_body_bytes=2000, max_upload_bytes=300) as c:
        c.get("/")
        big = post(c, "/", {**README, "stays-0-total": "1" * 3000})
        assert big.status_code == 413
        upload = (ROOT / "examples" / "claims.csv").read_bytes()
        assert len(upload) > 300
        files = {"file": ("claims.csv", upload, "text/csv")}
        too_big = post(c, "/batch", {"kind": "claims"}, files=files)
        assert too_big.status_code == 413


def _finished(c: TestClient, location: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        text = c.get(location).text
        if 'id="download"' in text or "未能完成" in text:
            return text
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_batch_upload_gives_the_bytes_of_the_cli(web: TestClient, tmp_path: Path) -> None:
    source = ROOT / "examples" / "claims.csv"
    expected = tmp_path / "cli.csv"
    assert (
        CliRunner().invoke(cli, ["batch", "claims", str(source), "-o", str(expected)]).exit_code
        == 0
    )
    files = {"file": ("claims.csv", source.read_bytes(), "text/csv")}
    sent = post(web, "/batch", {"kind": "claims"}, files=files, follow_redirects=False)
    assert sent.status_code == 303
    location = sent.headers["location"]
    text = _finished(web, location)
    assert "10 行：成功 10，错误 0" in text and "claims-result.csv" in text
    job = location.split("/")[2].split("?")[0]
    result = web.get(f"/batch/{job}/result")
    assert result.content == expected.read_bytes()
    assert result.headers["medcalc-rows"] == "10"
    assert 'filename="claims-result.csv"' in result.headers["content-disposition"]
    assert web.get(f"/batch/{job}/status").json()["state"] == "done"


@pytest.mark.parametrize(("output", "first"), [("csv", 3), ("xlsx", 3), ("jsonl", 2)])
def test_batch_row_errors_are_listed_with_their_rows(
    web: TestClient, output: str, first: int
) -> None:
    """Each row with an error by its number in the result file (a spreadsheet's: the header is
    row 1; a JSON Lines file's line), with the library's message in Chinese."""
    text = (
        "person_id,date,hospital_level,compliant,备注\n"
        "P1,2018-06-01,level_1,1000,<b>ok</b>\n"
        "P2,2018-13-01,level_1,1000,\n"
        "P3,2018-06-01,level_1,x,\n"
    )
    files = {"file": ("bad.csv", text.encode(), "text/csv")}
    sent = post(
        web,
        "/batch",
        {"kind": "claims", "output_format": output},
        files=files,
        follow_redirects=False,
    )
    page = _finished(web, sent.headers["location"])
    assert "3 行：成功 1，错误 2" in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td></tr>', page)
    assert [r[0] for r in rows] == [str(first), str(first + 1)]
    assert rows[0][1] == translate(
        "date: '2018-13-01' is not a date: there is no month 13", "zh"
    ).replace("'", "&#39;")


def test_a_tariff_diff_of_a_version_that_does_not_exist(web: TestClient) -> None:
    page = web.get("/tariffs/diff?a=qingyuan-qingcheng@2018.1&b=qingyuan-qingcheng@1999.1")
    assert page.status_code == 422
    assert 'id="b-error"' in page.text and 'id="a-error"' not in page.text
    assert 'id="diff-table"' not in page.text


def test_a_batch_page_that_does_not_exist(web: TestClient) -> None:
    assert web.get("/batch/" + "0" * 32).status_code == 404
    assert web.get("/batch/../../etc/passwd").status_code == 404
    assert web.get("/batch/" + "0" * 32 + "/result").status_code == 404
    missing = post(web, "/batch", {"kind": "claims"})
    assert missing.status_code == 422 and 'id="file-error"' in missing.text
