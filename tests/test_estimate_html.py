"""The printable estimate (测算单, issue 14): ``medcalc claim … --format html -o FILE``.

One self-contained A4 page: the person, each stay and layer, the year's totals, the tables
used (full sha256, the illustrative warning) and each claim's explanation; no external asset;
every text escaped. Parsed with the standard library's HTML parser, not by string search.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcalc import Calculator, Claim, Person, load_book
from medcalc.cli import cli
from medcalc.present import estimate_html

README_STAY = (
    "claim --categories poverty --date 2018-06-01 --hospital-level level_3 "
    "--total 130000 --compliant 120000 --format html"
)


class Page(HTMLParser):
    """The page's table cells by table, its text, and every URL-bearing attribute."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href"}]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_the_readme_stay_prints_as_one_page(tmp_path: Path) -> None:
    """The README's stay: basic (120000 − 800) × 65 % = 77480.00; 大病 37520 × 55 % =
    20636.00; assistance 21884 × 70 % = 15318.80; out of pocket 130000 − 77480 − 20636 −
    15318.80 = 16565.20 — in the stays table and the year's totals."""
    out = tmp_path / "测算单.html"
    result = CliRunner().invoke(cli, [*README_STAY.split(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == ""  # the page went to the file
    page = Page(out.read_text(encoding="utf-8"))
    stays, years, tariffs = page.tables
    assert stays[0] == [
        "#", "日期", "医院级别", "总费用", "政策范围内费用", "基本医保", "大病保险", "医疗救助",
        "个人自付", "是否享受待遇",
    ]  # fmt: skip
    assert stays[1] == [
        "1", "2018-06-01", "三级医院", "130,000.00", "120,000.00", "77,480.00", "20,636.00",
        "15,318.80", "16,565.20", "是",
    ]  # fmt: skip
    assert years[1] == [
        "2018", "1", "130,000.00", "120,000.00", "77,480.00", "20,636.00", "15,318.80",
        "16,565.20",
    ]  # fmt: skip
    sha = load_book(env={}).versions("qingyuan-qingcheng")[0].sha256
    assert tariffs[1][:3] == ["qingyuan-qingcheng", "2018.1", sha]  # the full sha256
    text = "".join(page.text)
    assert "住院费用测算单" in text
    assert "为示例表" in text  # the illustrative-table warning
    assert "大病保险" in text and "分段" in text  # the explanation, segments included
    printed = re.search(r"打印日期：([0-9]{4}-[0-9]{2}-[0-9]{2})", text)
    assert printed is not None  # the shell's date (a run across midnight may give yesterday)
    assert 0 <= (dt.date.today() - dt.date.fromisoformat(printed.group(1))).days <= 1
    assert "经办人签字" in text


def test_the_page_is_self_contained_and_prints_on_a4() -> None:
    """No script, no external stylesheet, font or image: intranets, and a page to hand out."""
    out = CliRunner().invoke(cli, README_STAY.split())
    assert out.exit_code == 0
    page = Page(out.output)
    assert page.urls == []
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "@page { size: A4" in out.output
    assert "url(" not in out.output and "@import" not in out.output


def test_the_english_page() -> None:
    out = CliRunner().invoke(cli, [*README_STAY.split(), "--lang", "en"])
    page = Page(out.output)
    assert page.tables[0][0][:3] == ["#", "Date", "Hospital level"]
    assert "Hospital claim estimate" in "".join(page.text)


def test_every_text_is_escaped(tmp_path: Path) -> None:
    """A claim id (from a clerk's file) holding markup shows as that text, never as markup."""
    probe = "<script>alert(1)</script>&<b>"
    book = load_book(env={})
    claim = Claim(
        date=dt.date(2018, 6, 1),
        hospital_level="level_3",
        compliant=Decimal(1000),
        claim_id=probe,
    )
    result = Calculator(book).claims("qingyuan-qingcheng", Person(), [claim])
    text = estimate_html(result, book, person_id='"><img src=x>')
    page = Page(text)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert page.tables[0][1][1] == probe
    assert '"><img src=x>' in "".join(page.text)


def test_an_existing_file_is_left_whole_when_the_estimate_fails(tmp_path: Path) -> None:
    """-o replaces the file only with a complete page: an input error writes nothing."""
    out = tmp_path / "测算单.html"
    out.write_text("earlier", encoding="utf-8")
    bad = README_STAY.replace("120000", "12x")
    result = CliRunner().invoke(cli, [*bad.split(), "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "earlier"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_output_option_writes_other_formats(tmp_path: Path, fmt: str) -> None:
    """-o takes the table and the JSON too: the same text the terminal would get."""
    out = tmp_path / f"estimate.{fmt}"
    args = README_STAY.replace("--format html", f"--format {fmt}").split()
    shown = CliRunner().invoke(cli, args)
    written = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == shown.output
    assert ("16,565.20" if fmt == "table" else '"16565.20"') in shown.output
