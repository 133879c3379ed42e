"""The clerk-style examples give the English examples' amounts (issue 14).

``examples/claims_clerk.csv`` (GB18030, Chinese headers and names, Excel dates, a 合计 row),
``claims_clerk.xlsx`` (date and number cells) and ``premiums_clerk.csv`` are the people and
stays of ``claims.csv`` / ``premiums.csv`` as a clerk's Excel writes them; ``medcalc batch``
must give every row the same results, on both engines.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from medcalc.batch import CLAIM_RESULTS, PREMIUM_RESULTS
from medcalc.cli import cli

EXAMPLES = Path(__file__).parents[1] / "examples"


def _results(path: Path, width: int) -> list[list[str]]:
    """The last ``width`` cells (the result columns) of every row of an output CSV."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [row[-width:] for row in rows]


def _batch(kind: str, source: Path, out: Path, *more: str) -> str:
    result = CliRunner().invoke(
        cli, ["batch", kind, str(source), "-o", str(out), "--lang", "en", *more]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("engine", ["core", "fast"])
@pytest.mark.parametrize("clerk", ["claims_clerk.csv", "claims_clerk.xlsx"])
def test_clerk_claims_give_the_english_amounts(tmp_path: Path, engine: str, clerk: str) -> None:
    width = len(CLAIM_RESULTS)
    _batch("claims", EXAMPLES / "claims.csv", tmp_path / "en.csv", "--engine", engine)
    _batch("claims", EXAMPLES / clerk, tmp_path / "zh.csv", "--engine", engine, "--columns", "en")
    english, chinese = _results(tmp_path / "en.csv", width), _results(tmp_path / "zh.csv", width)
    assert chinese[0] == english[0] == list(CLAIM_RESULTS)
    assert chinese[1:11] == english[1:11]  # the ten stays
    if clerk.endswith(".csv"):
        assert chinese[11] == [""] * width  # the clerk's 合计 row: no result
    assert len(chinese) == (12 if clerk.endswith(".csv") else 11)


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_clerk_results_in_chinese(tmp_path: Path, engine: str) -> None:
    """Without --columns, a Chinese header gets Chinese result names and 是/否; the summary
    says the 合计 row (row 12: the header, ten stays, then it) was left alone."""
    result = CliRunner().invoke(
        cli, ["batch", "claims", str(EXAMPLES / "claims_clerk.csv"), "-o", str(tmp_path / "zh.csv"),
              "--engine", engine],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "末尾的合计行（第 12 行）未计算，结果列留空" in result.output.splitlines()
    with (tmp_path / "zh.csv").open(encoding="utf-8-sig", newline="") as f:
        header, first = next(csv.reader(f)), next(csv.reader(f))
    assert "大病保险" in header and "医疗救助" in header and "critical_illness" not in header
    assert "是" in first


def test_clerk_premiums_give_the_english_amounts(tmp_path: Path) -> None:
    width = len(PREMIUM_RESULTS)
    _batch("premiums", EXAMPLES / "premiums.csv", tmp_path / "en.csv")
    _batch("premiums", EXAMPLES / "premiums_clerk.csv", tmp_path / "zh.csv", "--columns", "en")
    english, chinese = _results(tmp_path / "en.csv", width), _results(tmp_path / "zh.csv", width)
    assert chinese == english
    assert len(english) == 7  # the header and six people


def test_the_clerk_files_are_what_the_script_makes(tmp_path: Path) -> None:
    """make_clerk_files.py, run in a copy of examples/, writes the same CSV bytes and the same
    workbook cells: the examples are not edited by hand."""
    scratch = tmp_path / "examples"
    shutil.copytree(EXAMPLES, scratch)
    done = subprocess.run(
        [sys.executable, str(scratch / "make_clerk_files.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("claims_clerk.csv", "premiums_clerk.csv"):
        assert (scratch / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    cells = []
    for folder in (scratch, EXAMPLES):
        book = openpyxl.load_workbook(folder / "claims_clerk.xlsx", read_only=True)
        cells.append([list(r) for r in book.worksheets[0].iter_rows(values_only=True)])
        book.close()
    assert cells[0] == cells[1]
    text = (EXAMPLES / "claims_clerk.csv").read_bytes().decode("gb18030")
    assert next(csv.reader(io.StringIO(text)))[0] == "人员编号"
