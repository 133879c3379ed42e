"""The web page's 方案比较 (Compare) page over HTTP, without a browser
(tests/test_web_compare_browser.py drives one): docs/compare.md's worked example uploaded, its
summary shown as tables, the download byte for byte ``medcalc compare``'s, errors next to their
field in Chinese, the page's policy and escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from medcalc.cli import cli
from medcalc.present import translate
from medcalc.service import ServiceConfig, create_app

ROOT = Path(__file__).parents[1]
CLAIMS = ROOT / "examples" / "claims_2018.csv"
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"


@pytest.fixture(scope="module")
def web() -> Iterator[TestClient]:
    with TestClient(create_app(ServiceConfig(handle_sighup=False))) as c:
        c.get("/")  # the form token's cookie
        yield c


def send(c: TestClient, data: dict[str, str], **files: tuple[str, bytes, str]) -> Any:
    form = {"csrf": c.cookies.get("medcalc_csrf") or "", "kind": "claims", **data}
    return c.post("/batch/compare", data=form, files=files)


def worked_example(c: TestClient, lang: str = "zh", **data: str) -> Any:
    return send(
        c,
        {"lang": lang, **data},
        file=("claims_2018.csv", CLAIMS.read_bytes(), "text/csv"),
        proposal=("proposal_threshold_3000.yaml", PROPOSAL.read_bytes(), "application/yaml"),
    )


def table(text: str, table_id: str) -> list[list[str]]:
    """The table's body rows, each cell's text."""
    part = text.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = part.split("<tbody>", 1)[1]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in body.split("</tr>")[:-1]]


def test_the_worked_example_in_figures(web: TestClient) -> None:
    """docs/compare.md §5: threshold 5,000 → 3,000 for the poor, on the eleven stays of 2018.
    Critical illness pays 2,000 × 0.55 = 1,100.00 more per poor person crossing the lower
    threshold (4 of them: +4,400.00); assistance pays 70 % of that less for 低保/建档立卡 and
    100 % for 特困 (−770 × 3 − 1,100 = −3,410.00); the person keeps 30 %: −330.00 × 3."""
    page = worked_example(web, "en")
    assert page.status_code == 200
    assert "11 rows, 11 computed under both, 0 with errors" in page.text
    assert "qingyuan-qingcheng@2018.1-threshold-3000" in page.text
    assert table(page.text, "totals") == [
        ["Basic", "309,175.00", "309,175.00", "+0.00", "+0.00%"],
        ["Critical illness", "55,585.00", "59,985.00", "+4,400.00", "+7.92%"],
        ["Assistance", "35,626.56", "32,216.56", "-3,410.00", "-9.57%"],
        ["Out of pocket", "109,613.44", "108,623.44", "-990.00", "-0.90%"],
    ]
    assert "Profile: registered poor resident (poverty)" in page.text
    assert table(page.text, "profile-4")[3] == [
        "Out of pocket",
        "26,935.62",
        "26,605.62",
        "-330.00",
        "-1.23%",
    ]
    assert table(page.text, "persons") == [["7", "3", "0", "4"]]
    assert table(page.text, "deciles") == [["-330.00"] * 5 + ["+0.00"] * 6]
    assert table(page.text, "gains") == [
        ["P001", "-330.00"],
        ["P005", "-330.00"],
        ["P006", "-330.00"],
    ]
    assert 'id="losses"' not in page.text  # nobody is worse off


def test_the_page_is_in_chinese_by_default(web: TestClient) -> None:
    page = worked_example(web)
    assert "共 11 行，11 行按现行和方案都已测算，0 行有错误" in page.text
    assert table(page.text, "totals")[1] == [
        "大病保险",
        "55,585.00",
        "59,985.00",
        "+4,400.00",
        "+7.92%",
    ]
    assert "类别：建档立卡贫困人员 (poverty)" in page.text
    assert '<a href="/batch/compare?lang=zh" aria-current="page">方案比较</a>' in page.text


def test_the_download_is_the_bytes_of_the_cli(web: TestClient, tmp_path: Path) -> None:
    expected = tmp_path / "cli.csv"
    args = ["compare", "claims", str(CLAIMS), "--proposal", str(PROPOSAL), "-o", str(expected)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    page = worked_example(web)
    found = re.search(
        r'id="download" href="(/batch/compare/[0-9a-f]{32}/result)\?lang=zh"', page.text
    )
    assert found is not None
    result = web.get(found.group(1))
    assert result.status_code == 200
    assert result.content == expected.read_bytes()
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="claims_2018-compare.csv"' in result.headers["content-disposition"]


def test_the_download_in_another_format_is_the_cli_s_too(web: TestClient, tmp_path: Path) -> None:
    expected = tmp_path / "cli.jsonl"
    args = ["compare", "claims", str(CLAIMS), "--proposal", str(PROPOSAL), "-o", str(expected)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    page = worked_example(web, output_format="jsonl")
    found = re.search(r'href="(/batch/compare/[0-9a-f]{32}/result)', page.text)
    assert found is not None
    assert web.get(found.group(1)).content == expected.read_bytes()


def test_errors_are_shown_next_to_their_field_in_chinese(web: TestClient) -> None:
    missing = send(web, {"kind": ""})
    assert missing.status_code == 422
    for field in ("kind", "file", "proposal"):
        assert f'id="{field}-error"' in missing.text
    assert 'aria-describedby="proposal-hint proposal-error"' in missing.text
    not_yaml = send(
        web,
        {},
        file=("claims_2018.csv", CLAIMS.read_bytes(), "text/csv"),
        proposal=("mine.yaml", b"series: [", "application/yaml"),
    )
    assert not_yaml.status_code == 422
    error = re.search(r'<p class="error" id="proposal-error">([^<]*)</p>', not_yaml.text)
    assert error is not None and "mine.yaml" in error.group(1)
    assert 'id="file-error"' not in not_yaml.text
    other = PROPOSAL.read_text("utf-8").replace("series: qingyuan-qingcheng", "series: elsewhere")
    assert other != PROPOSAL.read_text("utf-8")
    wrong_series = send(
        web,
        {},
        file=("claims_2018.csv", CLAIMS.read_bytes(), "text/csv"),
        proposal=("other.yaml", other.encode(), "application/yaml"),
    )
    assert wrong_series.status_code == 422
    error = re.search(r'<p class="error" id="proposal-error">([^<]*)</p>', wrong_series.text)
    assert error is not None and "elsewhere" in error.group(1)
    bad_file = send(
        web,
        {},
        file=("bad.csv", b"name\nx\n", "text/csv"),
        proposal=("p.yaml", PROPOSAL.read_bytes(), "application/yaml"),
    )
    error = re.search(r'<p class="error" id="file-error">([^<]*)</p>', bad_file.text)
    assert bad_file.status_code == 422 and error is not None
    assert error.group(1) == translate(error.group(1), "zh")  # already the Chinese text
    assert re.search(r"[\u4e00-\u9fff]", error.group(1))


def test_a_proposal_over_the_apis_limit_is_refused_at_its_field(web: TestClient) -> None:
    """The proposal is held to the API's limit (1 MiB: a tariff file is a few KiB)."""
    big = PROPOSAL.read_bytes() + b"#" * (1 << 20)
    too_large = send(
        web,
        {"kind": "claims"},
        file=("claims_2018.csv", CLAIMS.read_bytes(), "text/csv"),
        proposal=("big.yaml", big, "application/yaml"),
    )
    assert too_large.status_code == 422
    error = re.search(r'<p class="error" id="proposal-error">([^<]*)</p>', too_large.text)
    assert error is not None and "1048576" in error.group(1)
    assert re.search(r"[\u4e00-\u9fff]", error.group(1))


def test_markup_in_a_file_is_shown_as_text(web: TestClient) -> None:
    probe = "<script>alert(1)</script>"
    text = CLAIMS.read_text("utf-8").replace("P001", probe)
    page = send(
        web,
        {},
        file=(f"{probe}.csv", text.encode(), "text/csv"),
        proposal=("p.yaml", PROPOSAL.read_bytes(), "application/yaml"),
    )
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_page_has_a_strict_policy_and_labels(web: TestClient) -> None:
    page = web.get("/batch/compare")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "<script>" not in page.text and "style=" not in page.text
    for field in ("file", "proposal", "output_format", "columns"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text


def test_a_post_without_the_form_token_is_refused(web: TestClient) -> None:
    assert web.post("/batch/compare", data={"kind": "claims"}).status_code == 403


def test_a_result_that_does_not_exist(web: TestClient) -> None:
    assert web.get("/batch/compare/" + "0" * 32 + "/result").status_code == 404
    assert web.get("/batch/compare/..%2F..%2Fetc/result").status_code == 404
    assert web.get("/batch/compare/ABC/result").status_code == 404


def test_the_page_is_guarded_and_limited_as_the_batch_form(tmp_path: Path) -> None:
    """Under /batch, the page has the batch form's upload limit and the web page's login."""
    tokens = tmp_path / "tokens"
    tokens.write_text("clerk-token-0123456789\n", encoding="utf-8")
    config = ServiceConfig(handle_sighup=False, tokens_file=tokens, max_upload_bytes=300)
    with TestClient(create_app(config)) as c:
        away = c.get("/batch/compare", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"].startswith("/login")
        c.cookies.set("medcalc_token", "clerk-token-0123456789")
        assert c.get("/batch/compare").status_code == 200
        assert len(CLAIMS.read_bytes()) > 300
        assert worked_example(c).status_code == 413
