"""Issue 11 on the row path: batch and claims FILES are read strictly and written safely.

Every case here was a silent misread, an unsafe write or a traceback before: now each is a
correct result or a clear error naming the file and line, and nothing is written on an error.
Batches run with ``--engine core`` (the row path: :mod:`medcalc.batchio`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medcalc import batchio
from medcalc.cli import cli

SERIES = "qingyuan-qingcheng"
HEADER = "person_id,date,hospital_level,compliant,note\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def batch(runner: CliRunner, kind: str, source: Path, out: Path, *more: str) -> Result:
    args = ["batch", kind, str(source), "-o", str(out), "--series", SERIES, "--engine", "core"]
    return runner.invoke(cli, [*args, *more], catch_exceptions=False)


def claim_file(runner: CliRunner, path: Path, *more: str) -> Result:
    return runner.invoke(
        cli, ["claim", "--series", SERIES, "--claims", str(path), *more], catch_exceptions=False
    )


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# -- 1. stray or unclosed quotes ------------------------------------------------------------

STRAY_QUOTE_CASES = {
    # the quote never closes: the rest of the file became one cell, rows P2 and P3 lost
    "unclosed": (
        HEADER + 'P1,2018-03-01,level_2,5000,"24 inch monitor\n'
        "P2,2018-03-02,level_2,6000,ok\nP3,2018-03-03,level_2,7000,ok\n",
        2,
    ),
    # a later quote closes it: lines 3 and 4 are whole rows inside one cell
    "closed later": (
        HEADER + 'P1,2018-03-01,level_2,5000,ok\nP2,2018-03-02,level_2,6000,"24 inch\n'
        "P3,2018-03-03,level_2,7000,ok\nP4,2018-03-04,level_2,8000,ok\n"
        'P5,2018-03-05,level_2,9000,"fine"\n',
        3,
    ),
    # closed at the end of the next line, which was a whole row: P2 lost
    "one row swallowed": (
        HEADER + 'P1,2018-03-01,level_2,5000,"24 inch\nP2,2018-03-02,level_2,6000,"\n',
        2,
    ),
    # a stray quote in a middle field; the text after the closing quote gave it away
    "text after closing quote": (
        HEADER + 'P1,2018-03-01,level_2,"5000"0,ok\n',
        2,
    ),
}


@pytest.mark.parametrize("case", STRAY_QUOTE_CASES, ids=str)
def test_stray_quote_is_refused_naming_its_line(
    runner: CliRunner, tmp_path: Path, case: str
) -> None:
    """A quoted field that never closes or swallows whole rows: exit 1, FILE and the line
    where the field starts, and no output file."""
    text, line = STRAY_QUOTE_CASES[case]
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"错误: {batchio.unclosed_quote_error(source, line)}"
    assert f"{source}: line {line}: a quoted field starts here" in result.stderr
    assert not out.exists()


def test_stray_quote_leaves_an_existing_output_untouched(runner: CliRunner, tmp_path: Path) -> None:
    """On a stray quote an earlier OUT keeps its bytes."""
    source = tmp_path / "in.csv"
    source.write_text(STRAY_QUOTE_CASES["unclosed"][0], encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_bytes(b"earlier result\n")
    assert batch(runner, "claims", source, out).exit_code == 1
    assert out.read_bytes() == b"earlier result\n"


def test_multi_line_cell_that_excel_writes_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    """A quoted cell with line breaks (Excel's Alt+Enter) is one cell: nothing is refused and
    the cell is carried through as it was."""
    source = tmp_path / "in.csv"
    note = "第一行\n第二行, 有逗号\n第三行"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(["P1", "2018-03-01", "level_2", "5000", note])
    source.write_text(HEADER + buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 0, result.stderr
    assert [r["note"] for r in rows_of(out)] == [note]


def test_cell_holds_rows_counts_fields_of_later_lines() -> None:
    """A later line with as many fields as the header is a swallowed row; the first line and
    shorter lines are not."""
    assert batchio.cell_holds_rows("24 inch\nP2,2018-03-02,level_2,6000,ok", 5)
    assert not batchio.cell_holds_rows("a,b,c,d,e\nsecond line", 5)
    assert not batchio.cell_holds_rows("one line", 1)


@pytest.mark.parametrize("case", ["unclosed", "closed later"], ids=str)
def test_claims_file_with_stray_quote_is_refused(
    runner: CliRunner, tmp_path: Path, case: str
) -> None:
    """``medcalc claim --claims FILE`` refuses a stray quote the same way, naming the line."""
    path = tmp_path / "claims.csv"
    body = {
        "unclosed": 'C1,2018-03-01,level_2,5000\nC2,2018-03-02,level_2,"6000\n'
        "C3,2018-03-03,level_2,7000\n",
        "closed later": 'C1,2018-03-01,level_2,5000\nC2,2018-03-02,level_2,"6000\n'
        'C3,2018-03-03,level_2,7000\nC4,2018-03-04,level_2,"7000"\n',
    }[case]
    path.write_text("claim_id,date,hospital_level,compliant\n" + body, encoding="utf-8")
    result = claim_file(runner, path)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"错误: {batchio.unclosed_quote_error(path, 3)}"
    assert result.stdout == ""
