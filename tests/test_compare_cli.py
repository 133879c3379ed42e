"""``medcalc compare`` on the command line (issue 16): exit codes, the summary file, the
charts, the help in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medcalc.batch import CHART_FILES
from medcalc.cli import cli

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
PROPOSAL = str(EXAMPLES / "proposal_threshold_3000.yaml")


def run(*args: str, lang: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="medcalc", env={"MEDCALC_LANG": lang})


def test_claims_with_summary_json_and_charts(tmp_path: Path) -> None:
    out, summary, charts = tmp_path / "out.xlsx", tmp_path / "s.json", tmp_path / "charts"
    result = run(
        "compare", "claims", str(EXAMPLES / "claims_clerk.csv"), "--proposal", PROPOSAL,
        "-o", str(out), "--summary", str(summary), "--charts", str(charts),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "10 行：两边都算出 10，错误 0" in result.stderr
    document = json.loads(summary.read_text(encoding="utf-8"))
    assert document["proposal"]["version"] == "2018.1-threshold-3000"
    ci = next(t for t in document["totals"] if t["amount"] == "critical_illness")
    assert (ci["base"], ci["proposal"], ci["change"]) == ("74835.25", "68865.25", "-5970.00")
    assert sorted(p.name for p in charts.iterdir()) == sorted(CHART_FILES)
    assert out.stat().st_size > 0


def test_charts_are_reproducible(tmp_path: Path) -> None:
    made = []
    for n in (1, 2):
        charts = tmp_path / f"c{n}"
        result = run(
            "compare", "claims", str(EXAMPLES / "claims.csv"), "--proposal", PROPOSAL,
            "-o", str(tmp_path / f"o{n}.csv"), "--charts", str(charts), "--lang", "en",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        made.append([(charts / name).read_bytes() for name in CHART_FILES])
    assert made[0] == made[1]


def test_rows_with_errors_exit_3_and_the_summary_xlsx(tmp_path: Path) -> None:
    source = tmp_path / "claims.csv"
    source.write_text(
        "person_id,date,compliant\nP1,2018-03-01,9000\nP1,2018-13-01,100\nP2,2016-01-01,100\n",
        encoding="utf-8",
    )
    out, summary = tmp_path / "out.csv", tmp_path / "s.xlsx"
    result = run(
        "compare", "claims", str(source), "--proposal", PROPOSAL, "-o", str(out),
        "--summary", str(summary), "--series", "qingyuan-qingcheng", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert "3 rows: 0 computed under both, 3 with errors" in result.stderr
    assert summary.read_bytes()[:2] == b"PK"


def test_a_summary_of_another_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = run(
        "compare", "claims", str(EXAMPLES / "claims.csv"), "--proposal", PROPOSAL,
        "-o", str(tmp_path / "o.csv"), "--summary", str(tmp_path / "s.txt"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", [("compare",), ("compare", "claims"), ("compare", "premiums")])
def test_help_in_both_languages(lang: str, path: tuple[str, ...]) -> None:
    result = run(*path, "--help", lang=lang)
    assert result.exit_code == 0
    has_hanzi = any("\u4e00" <= c <= "\u9fff" for c in result.stdout.split("Options")[0])
    assert has_hanzi == (lang == "zh")


def test_the_summary_workbook_holds_numbers_and_no_formula(tmp_path: Path) -> None:
    """Amounts are exact number cells Excel adds up; a person id that looks like a formula
    stays text (review: write_row made it a formula and every amount a text cell)."""
    import openpyxl

    source = tmp_path / "claims.csv"
    rows = [
        "person_id,categories,date,hospital_level,compliant",
        '"=HYPERLINK(""http://x"";""a"")",poverty,2018-03-01,level_3,30000',
        "P2,poverty,2018-04-01,level_3,9000",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = tmp_path / "s.xlsx"
    result = run(
        "compare", "claims", str(source), "--proposal", PROPOSAL, "-o", str(tmp_path / "o.csv"),
        "--summary", str(summary), "--series", "qingyuan-qingcheng", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(summary)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere
    people = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert people and all(v.startswith("=HYPERLINK") for v in people)  # shown as text
    amounts = [c for c in cells if c.number_format == "0.00"]
    assert amounts and all(isinstance(c.value, int | float) for c in amounts)
