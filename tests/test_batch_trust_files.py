"""Issue 11 on the row path: batch and claims FILES are read strictly and written safely.

Every case here was a silent misread, an unsafe write or a traceback before: now each is a
correct result or a clear error naming the file and line, and nothing is written on an error.
Batches run with ``--engine core`` (the row path: :mod:`medcalc.batch`).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import signal
import stat
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from medcalc import batch as batch_api
from medcalc.cli import cli

SERIES = "qingyuan-qingcheng"
HEADER = "person_id,date,hospital_level,compliant,note\n"


@pytest.fixture
def runner() -> CliRunner:
    # English: these tests are about what is refused and why, in the library's own words (the
    # Chinese of every message is tested in test_messages.py).
    return CliRunner(env={"MEDCALC_LANG": "en"})


def batch(
    runner: CliRunner, kind: str, source: Path, out: Path, *more: str, engine: str = "core"
) -> Result:
    args = ["batch", kind, str(source), "-o", str(out), "--series", SERIES, "--engine", engine]
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
    # issue 11 follow-up: opened in P1's note, closed in P2's note, mid-row. The record has
    # the header's 5 fields (P1, the swallowed text, P2's date, level and 999), so it was
    # read as P1's claim of 2018-01-03 for 999.00, exit 0, and P2's row was lost. The
    # swallowed line "P2,monitor 24" is short, but both lines the field touches have 4
    # commas (= width - 1): each is a whole row by itself.
    "closes mid-row": (
        "person_id,note,date,hospital_level,compliant\n"
        'P1,"24 inch monitor,2018-01-02,level_1,100\n'
        'P2,monitor 24",2018-01-03,level_1,999\n',
        2,
    ),
    # after a genuine multi-line cell (lines 2-3) the stray quote opens on line 4, mid-row
    "closes mid-row after a multi-line cell": (
        "person_id,note,date,hospital_level,compliant\n"
        'P0,"Room 5\nBuilding 2",2018-01-01,level_1,50\n'
        'P1,"24 inch monitor,2018-01-02,level_1,100\n'
        'P2,monitor 24",2018-01-03,level_1,999\n',
        4,
    ),
    # CR line ends (Excel's "CSV (Macintosh)"): a lone CR ends a line for the rule too
    "closes mid-row, CR line ends": (
        "person_id,note,date,hospital_level,compliant\r"
        'P1,"24 inch monitor,2018-01-02,level_1,100\r'
        'P2,monitor 24",2018-01-03,level_1,999\r',
        2,
    ),
    # a quote that never closes, 200 kB before the end: the csv module stopped at its field
    # size limit (128 KiB) with "row 2: field larger than field limit (131072)"
    "never closes, past the field size limit": (
        HEADER
        + 'P1,2018-03-01,level_2,5000,"24 inch monitor\n'
        + "P2,2018-03-02,level_2,6000,ok\n" * 7000,
        2,
    ),
    # the same stray quote closed after 200 kB of swallowed rows
    "closes past the field size limit": (
        HEADER
        + 'P0,2018-03-01,level_2,5000,ok\nP1,2018-03-01,level_2,5000,"24 inch\n'
        + "P2,2018-03-02,level_2,6000,ok\n" * 7000
        + 'P3,2018-03-02,level_2,6000,24"\n',
        3,
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
    assert result.stderr.strip() == f"Error: {batch_api.unclosed_quote_error(source, line)}"
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
    assert batch_api.cell_holds_rows("24 inch\nP2,2018-03-02,level_2,6000,ok", 5)
    assert not batch_api.cell_holds_rows("a,b,c,d,e\nsecond line", 5)
    assert not batch_api.cell_holds_rows("one line", 1)


#: What ``str.splitlines`` breaks on besides CR and LF; the csv module reads none as a line end.
NOT_LINE_ENDS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", NOT_LINE_ENDS, ids=ascii)
def test_cell_holds_rows_splits_lines_as_csv_does(char: str) -> None:
    """Lines end at LF, CRLF or a lone CR only: a row-like text after VT, FF, FS-RS, NEL or
    U+2028/2029 is part of its line (the first one here), not a line of its own."""
    assert not batch_api.cell_holds_rows(f"a{char}P2,2018-03-02,level_2,6000,ok\nsecond", 5)
    for end in ("\n", "\r\n", "\r"):
        assert batch_api.cell_holds_rows(f"a{end}P2,2018-03-02,level_2,6000,ok", 5)


@pytest.mark.parametrize("char", NOT_LINE_ENDS, ids=ascii)
def test_multi_line_cell_with_a_control_character_is_accepted(
    runner: CliRunner, tmp_path: Path, char: str
) -> None:
    """A multi-line cell whose first line holds a row-like text after a vertical tab (or
    another character ``str.splitlines`` breaks on) is one cell: it was refused as a stray
    quote. Its lines have 8 and 0 commas: the rule's first part does not hold either."""
    source = tmp_path / "in.csv"
    note = f"a{char}P2,2018-03-02,level_2,6000,ok\nsecond"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(["P1", "2018-03-01", "level_2", "5000", note])
    source.write_text(HEADER + buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 0, result.stderr
    assert [r["note"] for r in rows_of(out)] == [note]


@pytest.mark.parametrize(
    ("record", "line"),
    [
        # both lines it touches have 4 commas: whole rows by themselves
        ('P1,"24 inch,2018-01-02,level_1,100\nP2,24",2018-01-03,level_1,9\n', 0),
        # the second line is a row of 5 fields inside the cell (cell_holds_rows)
        ('P1,2018-01-02,level_1,"100\nP2,2018-01-03,level_1,200,ok\nP3,x",n\n', 0),
        # a multi-line cell first (Excel's: 3 + 1 commas), then a stray quote on line 2
        ('P0,"a\nb",2018-01-01,level_1,50,"x\nP1,y,2018-01-02,level_1,1\nz"\n', 1),
        # Excel's multi-line cells: first line only the commas before it, the last those after
        ('P1,2018-01-02,level_1,100,"Room 5, Building 2\nNo. 7 Road"\n', None),
        ('"line 1\nline 2\n\nline 4",P1,2018-01-02,level_1,100\r\n', None),
        ('P1,"a ""q"",\nb",2018-01-02,level_1,100\n', None),
        # a quote inside an unquoted cell is an ordinary character, not an opening quote
        ('P1,24" monitor,2018-01-02,level_1,"1\n2"\n', None),
        # a record of 4 fields (short of the header's 5): lines of 3 commas are whole rows
        ('P1,2018-01-02,level_1,"100\nP2,2018-01-03,level_1,200"\n', 0),
        ('P1,2018-01-02,level_1,"100\nBuilding 2"\n', None),
    ],
)
def test_quoted_rows_line_is_the_stray_quote_rule(record: str, line: int | None) -> None:
    """The one definition (docs/cli-batch.md §2), width 5: the line, counted from the
    record's first, where the first quoted field holding whole rows opens."""
    assert batch_api.quoted_rows_line(record, 5) == line


#: Rows of 6 fields under a header of 7 (accepted, padded); P1's last cell opens a quote that
#: closes at the end of P2's row.
SHORT_ROWS_STRAY = (
    "person_id,date,hospital_level,compliant,note,room,extra\n"
    'P1,2018-01-02,level_1,100,ok,"24 inch\n'
    'P2,2018-01-03,level_1,200,ok,x"\n'
    "P3,2018-01-04,level_1,300,ok,y\n"
)


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_stray_quote_in_short_rows_is_refused(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """A complete row has as many fields as the record itself when it is shorter than the
    header: both lines the quoted field touches have 5 commas, each a 6-field row, so P2's
    claim is not read as P1's room (was exit 0, 2 rows, P2 lost)."""
    source = tmp_path / "in.csv"
    source.write_text(SHORT_ROWS_STRAY, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, engine=engine)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {batch_api.unclosed_quote_error(source, 2)}"
    assert not out.exists()


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_multi_line_cell_in_a_short_row_is_accepted(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """A short row's own multi-line cell (first line 5 commas, last none) is one cell."""
    source = tmp_path / "in.csv"
    source.write_text(
        "person_id,date,hospital_level,compliant,note,room,extra\n"
        'P1,2018-01-02,level_1,100,ok,"Room 5\nBuilding 2"\n'
        "P3,2018-01-04,level_1,300,ok,y\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, engine=engine)
    assert result.exit_code == 0, result.output
    assert [r["room"] for r in rows_of(out)] == ["Room 5\nBuilding 2", "y"]


#: A short row (6 fields under a header of 7, accepted and padded), then a full row whose last
#: cell opens a quote that closes at the end of the next short row: one record of 7 fields.
NARROWER_EARLIER_STRAY = (
    "person_id,date,hospital_level,compliant,note,room,extra\n"  # line 1
    "P0,2018-01-01,level_1,50,ok,a\n"  # line 2: 6 fields, 5 commas
    'P1,2018-01-02,level_1,100,ok,r,"24 inch\n'  # line 3: 6 commas, the quote opens
    'P2,2018-01-03,level_1,200,ok,x"\n'  # line 4: 5 commas, the quote closes
    "P3,2018-01-04,level_1,300,ok,y\n"
)


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_stray_quote_after_a_narrower_row_is_refused(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """Once the file has shown a row of 6 fields, a line of 5 commas is a whole row: the
    record P1+P2 has 7 fields (n = min(7, 7) = 7 wanted 6 commas on line 4, which has 5:
    accepted, P2's claim read as P1's extra cell, exit 0); now n = min(7, 7, 6) = 6 and
    lines 3 and 4 have 6 and 5 commas, both >= 5: refused, naming line 3 (P1's quote)."""
    source = tmp_path / "in.csv"
    source.write_text(NARROWER_EARLIER_STRAY, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, engine=engine)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {batch_api.unclosed_quote_error(source, 3)}"
    assert not out.exists()


def test_claims_file_with_a_stray_quote_after_a_narrower_row_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    """``claim --claims`` reads through the same :class:`batch_api.CsvRecords`: C1 (5 fields,
    header 6), then a 6-field record whose lines have 5 and 4 commas, both >= 5 - 1 (was
    read as C2 with C3's row in its basic_paid, C3 lost)."""
    source = tmp_path / "claims.csv"
    source.write_text(
        "claim_id,date,hospital_level,total,compliant,basic_paid\n"
        "C1,2018-03-01,level_2,5000,5000\n"
        'C2,2018-03-02,level_2,6000,6000,"0\n'
        'C3,2018-03-03,level_2,7000,7000"\n',
        encoding="utf-8",
    )
    result = claim_file(runner, source)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {batch_api.unclosed_quote_error(source, 3)}"
    assert result.stdout == ""


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_multi_line_cells_in_a_file_of_mixed_widths_are_accepted(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """The narrowest row so far (6 fields, n - 1 = 5) only refuses lines of 5 commas or more:
    a blank line (0 fields) and a row of spaces (1 field) are skipped rows and do not count,
    and Excel's multi-line cells have fewer commas on one of their lines (line 4: 6, line 5:
    0; line 7: 2, line 8: 4 -> fewest 0 and 2, both < 5)."""
    source = tmp_path / "in.csv"
    source.write_text(
        "person_id,date,hospital_level,compliant,note,room,extra\n"
        "P0,2018-01-01,level_1,50,ok,a\n"  # 6 fields
        "\n"
        "   \n"
        'P1,2018-01-02,level_1,100,ok,r,"Room 5\n'
        'Building 2"\n'
        'P2,2018-01-03,"level_1\n'
        '",200,ok,x,z\n'
        "P3,2018-01-04,level_1,300,ok,y\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, engine=engine)
    assert result.exit_code == 0, result.output
    got = [(r["person_id"], r["extra"]) for r in rows_of(out)]
    assert got == [
        ("P0", ""),
        ("", ""),
        ("   ", ""),
        ("P1", "Room 5\nBuilding 2"),
        ("P2", "z"),
        ("P3", ""),
    ]


def test_a_long_quoted_cell_on_one_line_is_not_a_stray_quote(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A quoted cell of 200 kB on one line is beyond the csv module's field size limit, but
    runs over no line: the limit's own message stays."""
    source = tmp_path / "in.csv"
    source.write_text(HEADER + 'P1,2018-03-01,level_2,5000,"' + "x" * 200_000 + '"\n')
    result = batch(runner, "claims", source, tmp_path / "out.csv")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {source}: row 2: field larger than field limit (131072)\n"


@pytest.mark.parametrize("case", ["unclosed", "closed later", "closes mid-row"], ids=str)
def test_claims_file_with_stray_quote_is_refused(
    runner: CliRunner, tmp_path: Path, case: str
) -> None:
    """``medcalc claim --claims FILE`` refuses a stray quote the same way, naming the line.
    Closing mid-row, C2's claim id became "C2\\nC3" with C3's date and 999, C3 lost."""
    path = tmp_path / "claims.csv"
    body = {
        "unclosed": 'C1,2018-03-01,level_2,5000\nC2,2018-03-02,level_2,"6000\n'
        "C3,2018-03-03,level_2,7000\n",
        "closed later": 'C1,2018-03-01,level_2,5000\nC2,2018-03-02,level_2,"6000\n'
        'C3,2018-03-03,level_2,7000\nC4,2018-03-04,level_2,"7000"\n',
        "closes mid-row": 'C1,2018-03-01,level_2,5000\n"C2,2018-03-02,level_2,6000\n'
        'C3",2018-03-03,level_2,999\n',
    }[case]
    path.write_text("claim_id,date,hospital_level,compliant\n" + body, encoding="utf-8")
    result = claim_file(runner, path)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {batch_api.unclosed_quote_error(path, 3)}"
    assert result.stdout == ""


# -- 6. formula injection -------------------------------------------------------------------

ROOT = Path(__file__).parents[1]
FORMULA_LIKE = ["=1+1", "+1", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.fixture
def evil_tariffs(tmp_path: Path) -> Path:
    """A copy of the bundled 2018 tariff as series ``evil``, whose version is a formula."""
    text = (ROOT / "tariffs" / SERIES / "2018.yaml").read_text(encoding="utf-8")
    text = text.replace(f"series: {SERIES}", "series: evil")
    text = text.replace('version: "2018.1"', "version: \"=HYPERLINK('http://x')\"")
    directory = tmp_path / "tariffs" / "evil"
    directory.mkdir(parents=True)
    (directory / "2018.yaml").write_text(text, encoding="utf-8")
    return directory.parent


def formula_source(tmp_path: Path) -> Path:
    source = tmp_path / "in.csv"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["person_id", "date", "hospital_level", "compliant", "=note"])
    for i, note in enumerate(FORMULA_LIKE):
        writer.writerow([f"P{i}", "2018-03-01", "level_2", "5000", note])
    source.write_text(buffer.getvalue(), encoding="utf-8")
    return source


def evil_batch(runner: CliRunner, source: Path, out: Path, tariffs: Path, *more: str) -> Result:
    args = ["batch", "claims", str(source), "-o", str(out), "--series", "evil"]
    args += ["--engine", "core", "--tariffs", str(tariffs), *more]
    return runner.invoke(cli, args, catch_exceptions=False)


def test_formula_like_csv_cells_get_a_quote(
    runner: CliRunner, tmp_path: Path, evil_tariffs: Path
) -> None:
    """Carried cells, header names and result cells (the tariff version) that Excel would
    evaluate are written with a leading ' in CSV; other cells are untouched."""
    out = tmp_path / "out.csv"
    result = evil_batch(runner, formula_source(tmp_path), out, evil_tariffs)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(out)
    assert "'=note" in rows[0]
    assert [r["'=note"] for r in rows] == ["'" + text for text in FORMULA_LIKE]
    assert {r["tariff_version"] for r in rows} == {"'=HYPERLINK('http://x')"}
    assert [r["person_id"] for r in rows] == [f"P{i}" for i in range(len(FORMULA_LIKE))]
    assert rows[0]["basic"] == "3375.00"  # amounts are not formula-like: unchanged


def test_keep_formulas_writes_csv_cells_as_they_are(
    runner: CliRunner, tmp_path: Path, evil_tariffs: Path
) -> None:
    """``--keep-formulas`` turns the CSV prefix off (spec §5)."""
    out = tmp_path / "out.csv"
    result = evil_batch(runner, formula_source(tmp_path), out, evil_tariffs, "--keep-formulas")
    assert result.exit_code == 0, result.stderr
    rows = rows_of(out)
    assert [r["=note"] for r in rows] == FORMULA_LIKE
    assert {r["tariff_version"] for r in rows} == {"=HYPERLINK('http://x')"}


def test_formula_like_xlsx_cells_are_text_cells(
    runner: CliRunner, tmp_path: Path, evil_tariffs: Path
) -> None:
    """In XLSX every formula-like cell (carried, header, result) is a string cell holding the
    text as it was: reading the file back finds no formula anywhere."""
    import zipfile

    import openpyxl

    out = tmp_path / "out.xlsx"
    result = evil_batch(runner, formula_source(tmp_path), out, evil_tariffs)
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in next(sheet.iter_rows())]
    note = header.index("=note")
    version = header.index("tariff_version")
    # the CR is stored as Excel stores it (_x000D_, which openpyxl does not decode): the text
    # read back as medcalc and Excel read it (python-calamine) is exactly as it was
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(out)) as book:
        rows = book.get_sheet_by_index(0).to_python()[1:]
    assert [r[note] for r in rows] == FORMULA_LIKE
    assert {r[version] for r in rows} == {"=HYPERLINK('http://x')"}


def test_premiums_csv_cells_are_made_safe_too(runner: CliRunner, tmp_path: Path) -> None:
    """``batch premiums`` writes through the same rule."""
    source = tmp_path / "in.csv"
    source.write_text(
        "person_id,year,birth_date,remark\n@P1,2018,1960-05-01,+86 138\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    result = batch(runner, "premiums", source, out)
    assert result.exit_code == 0, result.stderr
    [row] = rows_of(out)
    assert (row["person_id"], row["remark"]) == ("'@P1", "'+86 138")


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=1", "'=1"), ("-0.5", "'-0.5"), ("\t", "'\t"), ("a=1", "a=1"), ("", ""), ("'=1", "'=1")],
)
def test_excel_text_examples(text: str, safe: str) -> None:
    """Only the first character decides; text already starting with ' is left alone."""
    assert batch_api.excel_text(text) == safe
    assert batch_api.is_formula_like(text) == (safe != text)


@given(st.text())
def test_excel_text_never_leaves_a_formula_like_cell(text: str) -> None:
    """Policy: the written cell is never formula-like, and it is the text itself or the text
    behind one added quote (so a reader recovers it exactly)."""
    safe = batch_api.excel_text(text)
    assert not batch_api.is_formula_like(safe)
    assert safe in (text, "'" + text)
    assert (safe == text) == (not batch_api.is_formula_like(text))


# -- 5. output paths ------------------------------------------------------------------------

GOOD = HEADER + "P1,2018-03-01,level_2,5000,ok\n"


def good_source(tmp_path: Path) -> Path:
    source = tmp_path / "in.csv"
    source.write_text(GOOD, encoding="utf-8")
    return source


def test_output_to_a_character_device_writes_through_it(runner: CliRunner, tmp_path: Path) -> None:
    """``-o`` naming a character device (like /dev/null) writes to it and never replaces it
    with a regular file (as root, the atomic rename used to do exactly that)."""
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs root")
    result = batch(runner, "claims", good_source(tmp_path), device, "--output-format", "csv")
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(device.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_output_to_a_fifo_streams_into_it(runner: CliRunner, tmp_path: Path) -> None:
    """``-o FIFO`` writes the result into the pipe; the FIFO stays a FIFO."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = batch(runner, "claims", good_source(tmp_path), fifo, "--output-format", "csv")
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    [row] = list(csv.DictReader(io.StringIO(received[0].decode("utf-8-sig"))))
    # 5000 compliant at a level-2 hospital, 2018 tariff: basic 3375.00, out of pocket 1625.00
    assert (row["person_id"], row["basic"], row["out_of_pocket"]) == ("P1", "3375.00", "1625.00")


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_a_fifo_as_input_is_refused_saying_why(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """``batch claims <(cat f.csv)`` gives a pipe (/dev/fd/63): it was "no such file". A
    batch reads FILE twice, which a pipe or FIFO cannot give: said so, exit 1, never opened
    (nothing blocks on a FIFO without a writer)."""
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", fifo, out, engine=engine)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: {fifo} is a pipe, FIFO or device, which cannot be read as input (a batch reads "
        "its input more than once); save it to a file first"
    )
    assert not out.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_xlsx_output_to_a_full_disk_is_one_clean_message(tmp_path: Path) -> None:
    """Writing an XLSX to a full disk: the one message, exit 1, and no "Exception ignored in
    ZipFile.__del__" tracebacks after it (the zip was left open for the collector)."""
    args = ["batch", "claims", str(good_source(tmp_path)), "-o", "/dev/full"]
    done = subprocess.run(
        [sys.executable, "-m", "medcalc", *args, "--output-format", "xlsx", "--series", SERIES],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "MEDCALC_LANG": "en"},
    )
    assert done.returncode == 1
    assert done.stderr.decode() == "Error: /dev/full: No space left on device\n"


def test_output_through_a_symlink_replaces_its_target(runner: CliRunner, tmp_path: Path) -> None:
    """A symbolic link OUT stays a link; the file it points to gets the result."""
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    result = batch(runner, "claims", good_source(tmp_path), link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert rows_of(real)[0]["basic"] == "3375.00"


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing/out.csv", "no directory"), (".", "it is a directory")],
)
def test_bad_output_path_fails_before_any_work(tmp_path: Path, name: str, message: str) -> None:
    """A missing output directory or a directory as OUT is refused when the job is planned,
    before the tariffs are loaded or a row is computed."""
    out = tmp_path / name
    with pytest.raises(batch_api.BatchFileError, match=message) as caught:
        batch_api.BatchJob.plan("claims", good_source(tmp_path), out, output_format="csv")
    assert str(out) in str(caught.value)


def test_bad_output_directory_on_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    """The CLI says so with exit 1 even when the series is unknown (the output is checked
    first, before the tariffs)."""
    out = tmp_path / "missing" / "out.csv"
    result = runner.invoke(
        cli,
        ["batch", "claims", str(good_source(tmp_path)), "-o", str(out), "--series", "nope"],
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot write {out}: no directory {out.parent}"


SIGNAL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from medcalc.batch import write_atomically

# A process as a clerk's shell starts it, whatever the test runner's parent ignores (a
# background job ignores SIGINT, nohup SIGHUP): medcalc leaves an ignored signal alone.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGHUP, signal.SIG_DFL)

def write(temp):
    temp.write_text("half a result")
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    signal.pause()  # not reached when the signal ends the process

write_atomically(Path(sys.argv[1]), write)
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_termination_signals_remove_the_temporary_file(tmp_path: Path, name: str) -> None:
    """SIGTERM and SIGHUP, like SIGINT, remove the temporary file and leave OUT as it was;
    the process still ends by the signal (SIGINT: by KeyboardInterrupt)."""
    out = tmp_path / "out.csv"
    out.write_text("earlier result\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_SCRIPT, str(out), name],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if name == "SIGINT":
        assert b"KeyboardInterrupt" in done.stderr
    else:
        assert done.returncode == -getattr(signal, name), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert out.read_text(encoding="utf-8") == "earlier result\n"


# -- 3. encodings ---------------------------------------------------------------------------

#: Chinese whose GB18030 bytes are also valid UTF-8 (each was read as the second, exit 0).
MISREAD = {"住院": "סԺ", "医院": "ҽԺ", "袁野": "ԬҰ", "魏巍": "κΡ"}


def claims_text(names: list[str]) -> str:
    rows = [f"P{i},{name},2018-03-01,level_2,5000,{name}" for i, name in enumerate(names)]
    return "person_id,name,date,hospital_level,compliant,note\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("word", MISREAD, ids=str)
def test_gb18030_that_is_valid_utf8_is_read_as_gb18030(tmp_path: Path, word: str) -> None:
    """The evidence decides: the UTF-8 reading gives Hebrew, Armenian, Cyrillic or Greek
    letters, the GB18030 reading common Chinese, so the file is GB18030."""
    data = claims_text([word]).encode("gb18030")
    assert data.decode("utf-8").count(MISREAD[word]) == 2  # the trap: valid UTF-8
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    assert batch_api.detect_encoding(path) == "gb18030"


def test_gb18030_names_reach_the_output(runner: CliRunner, tmp_path: Path) -> None:
    """``medcalc batch`` carries 袁野 and 魏巍 through, not ԬҰ and κΡ."""
    source = tmp_path / "in.csv"
    source.write_bytes(claims_text(list(MISREAD)).encode("gb18030"))
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 0, result.stderr
    assert [r["name"] for r in rows_of(out)] == list(MISREAD)


def test_gb18030_jsonl_is_decided_the_same_way(runner: CliRunner, tmp_path: Path) -> None:
    """JSON Lines input goes through the same decision."""
    source = tmp_path / "in.jsonl"
    line = '{"person_id": "P1", "姓名": "魏巍", "date": "2018-03-01", "compliant": "5000"}\n'
    source.write_bytes(line.encode("gb18030"))
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code in (0, 3), result.stderr
    assert rows_of(out)[0]["姓名"] == "魏巍"


def test_input_encoding_still_overrides(runner: CliRunner, tmp_path: Path) -> None:
    """``--input-encoding utf-8`` reads the same bytes as UTF-8, as told."""
    source = tmp_path / "in.csv"
    source.write_bytes(claims_text(["袁野"]).encode("gb18030"))
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, "--input-encoding", "utf-8")
    assert result.exit_code == 0, result.stderr
    assert rows_of(out)[0]["name"] == "ԬҰ"


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("utf-8", "gb18030", "line 3 reads as GB18030 but line 2 as UTF-8"),
        ("gb18030", "utf-8", "line 3 reads as UTF-8 but line 2 as GB18030"),
    ],
)
def test_mixed_file_is_refused_naming_the_line(
    runner: CliRunner, tmp_path: Path, first: str, second: str, message: str
) -> None:
    """One person written in two encodings would become two people: refused, exit 1, the
    lines named, nothing written."""
    header, row = claims_text(["张三"]).encode("utf-8").split(b"\n", 1)
    source = tmp_path / "in.csv"
    text = row.decode("utf-8")
    source.write_bytes(header + b"\n" + text.encode(first) + text.encode(second))
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {source}: {message}; the file mixes encodings: save it again in one, "
        "or give --input-encoding"
    )
    assert not out.exists()


def test_mixed_file_found_past_the_first_block(tmp_path: Path) -> None:
    """A single GB18030 line after megabytes of UTF-8 is still found, by its line number."""
    path = tmp_path / "in.csv"
    utf8 = claims_text(["张三"] * 100_000).encode("utf-8")
    path.write_bytes(utf8 + "P9,李四,2018-03-01,level_2,5000,住院\n".encode("gb18030"))
    assert len(utf8) > 4 << 20
    with pytest.raises(batch_api.BatchFileError, match="line 100002 reads as GB18030 but line 2"):
        batch_api.detect_encoding(path)


BOM_HEADER = codecs.BOM_UTF8 + b"person_id,date,hospital_level,compliant\n"


@pytest.mark.parametrize("engine", ["core", "fast"])
@pytest.mark.parametrize(
    ("data", "line"),
    [
        # the same person twice: 袁野's GB18030 bytes are valid UTF-8 (ԬҰ), so the file read
        # whole as utf-8-sig gave two people, exit 0
        (
            BOM_HEADER
            + "袁野,2018-03-02,level_3,60000\n".encode()
            + "袁野,2018-05-02,level_3,60000\n".encode("gb18030"),
            3,
        ),
        # 10,000 ASCII rows, then one GB18030 line: read as utf-8-sig, exit 0 with a misread
        (
            BOM_HEADER
            + b"".join(b"P%d,2018-03-01,level_2,5000\n" % i for i in range(10_000))
            + "住院,2018-03-01,level_2,5000\n".encode("gb18030"),
            10_002,
        ),
    ],
    ids=["valid-utf8-by-accident", "after-ascii-rows"],
)
def test_bom_does_not_turn_off_the_mixed_encoding_check(
    runner: CliRunner, tmp_path: Path, engine: str, data: bytes, line: int
) -> None:
    """A UTF-8 BOM speaks for line 1: a later line that reads as GB18030 makes the file
    mixed on both engines (exit 1, the line named, nothing written)."""
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, engine=engine)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: {source}: line {line} reads as GB18030 but line 1 as UTF-8; the file mixes "
        "encodings: save it again in one, or give --input-encoding"
    )
    assert not out.exists()


@pytest.mark.parametrize("engine", ["core", "fast"])
@pytest.mark.parametrize(
    ("name", "data", "encoding", "line"),
    [
        # BOM, 3 rows, then 张三 in GB18030 (D5 C5 C8 FD: no UTF-8) on line 5
        (
            "in.csv",
            BOM_HEADER
            + b"P1,2018-03-01,level_2,5000\n" * 3
            + "张三,2018-03-01,level_2,5000\n".encode("gb18030"),
            "utf-8-sig",
            5,
        ),
        # the bad bytes 3,000 rows on, past the text layer's first block
        (
            "in.csv",
            b"person_id,date,hospital_level,compliant\n"
            + b"P1,2018-03-01,level_2,5000\n" * 3000
            + "张三,2018-03-01,level_2,5000\n".encode("gb18030"),
            "utf-8",
            3002,
        ),
        (
            "in.jsonl",
            (
                b'{"person_id": "P1", "date": "2018-03-01", "hospital_level": "level_2", '
                b'"compliant": 5}\n'
            )
            * 5
            + '{"person_id": "张三"}\n'.encode("gb18030"),
            "utf-8",
            6,
        ),
    ],
    ids=["bom-line-5", "utf8-line-3002", "jsonl-line-6"],
)
def test_undecodable_bytes_are_named_by_their_line(
    runner: CliRunner,
    tmp_path: Path,
    engine: str,
    name: str,
    data: bytes,
    encoding: str,
    line: int,
) -> None:
    """A forced encoding that cannot read a line names that line, found from the failing
    byte's offset: the text layer decodes a block ahead, so the row being read (row 1, the
    header, for a small file) was named instead."""
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, "--input-encoding", encoding, engine=engine)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: {source}: line {line} cannot be read as {encoding}; "
        "give the right --input-encoding"
    )
    assert not out.exists()


def test_bom_with_plain_utf8_is_still_utf8_sig(tmp_path: Path) -> None:
    """The BOM's own file, UTF-8 Chinese throughout, keeps its reading."""
    path = tmp_path / "in.csv"
    path.write_bytes(codecs.BOM_UTF8 + claims_text(["张三", "住院"]).encode())
    assert batch_api.detect_encoding(path) == "utf-8-sig"


def test_utf8_words_of_other_scripts_stay_utf8(tmp_path: Path) -> None:
    """Real Cyrillic, Greek or Latin words in UTF-8 are not taken for misread GB18030."""
    path = tmp_path / "in.csv"
    path.write_bytes(claims_text(["Иван", "Σοφία", "José", "Ürümqi", "张三"]).encode("utf-8"))
    assert batch_api.detect_encoding(path) == "utf-8"


@given(st.lists(st.text(alphabet="张三李四王五医院住院清远市·，（）0123456789abc ,"), min_size=1))
def test_plausible_utf8_is_always_utf8(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str]
) -> None:
    """Policy: a UTF-8 file of Chinese, ASCII and common punctuation is always read as UTF-8,
    whatever its GB18030 reading would be."""
    path = tmp_path_factory.mktemp("enc") / "in.csv"
    path.write_bytes(("\n".join(cells) + "\n").encode("utf-8"))
    assert batch_api.detect_encoding(path) == "utf-8"


@pytest.mark.parametrize(
    "digits",
    ["٣٤٥", "۳۴۵", "५०००", "৫০০০", "๕๐๐๐"],
    ids=["arabic-indic", "extended-arabic-indic", "devanagari", "bengali", "thai"],
)
def test_digits_of_any_script_are_plausible_utf8(tmp_path: Path, digits: str) -> None:
    """A UTF-8 file whose only non-ASCII text is digits of another script is UTF-8 (٣٤٥ was
    read as GB18030 伲伽佶: its bytes D9 A3 D9 A4 D9 A5 are 3 GB2312 characters, 6 bytes
    against 0 plausible UTF-8 bytes; now 6 against 6, a tie, no vote); with UTF-8 Chinese
    on another line it is not a mixed file (५००० voted GB18030: 12 bytes against 0)."""
    path = tmp_path / "in.csv"
    path.write_bytes(f"person_id,compliant\nP1,{digits}\n".encode())
    assert batch_api.detect_encoding(path) == "utf-8"
    path.write_bytes(claims_text(["张三"]).encode() + f"P2,x,2018-03-01,l,{digits},\n".encode())
    assert batch_api.detect_encoding(path) == "utf-8"


def test_foreign_digits_are_row_errors_naming_the_digit(runner: CliRunner, tmp_path: Path) -> None:
    """Read as UTF-8, an amount of Arabic-Indic digits is the row's error naming the digit."""
    source = tmp_path / "in.csv"
    source.write_bytes((HEADER + "P1,2018-03-01,level_2,٣٤٥,x\n").encode())
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 3, result.stderr
    assert "'٣' (U+0663 ARABIC-INDIC DIGIT THREE) is not a digit" in rows_of(out)[0]["error"]


def test_claims_file_in_gb18030_is_decided_by_evidence(runner: CliRunner, tmp_path: Path) -> None:
    """``medcalc claim --claims`` uses the same decision: claim id 住院 is not סԺ."""
    path = tmp_path / "claims.csv"
    text = "claim_id,date,hospital_level,compliant\n住院,2018-03-01,level_2,5000\n"
    path.write_bytes(text.encode("gb18030"))
    result = claim_file(runner, path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"claim_id": "住院"' in result.stdout


def test_mixed_claims_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """``medcalc claim --claims`` refuses a mixed file the same way (exit 1, the lines)."""
    path = tmp_path / "claims.csv"
    row = "张三,2018-03-01,level_2,5000\n"
    header = b"claim_id,date,hospital_level,compliant\n"
    path.write_bytes(header + row.encode("utf-8") + row.encode("gb18030"))
    result = claim_file(runner, path)
    assert result.exit_code == 1
    assert "line 3 reads as GB18030 but line 2 as UTF-8" in result.stderr


# -- 7, 8, 9: no traceback, bounded work, duplicate keys ----------------------------------

JSON_ROW = '"person_id": "P1", "date": "2018-03-01", "hospital_level": "level_2"'


def test_deeply_nested_jsonl_line_is_a_file_error(runner: CliRunner, tmp_path: Path) -> None:
    """A JSON Lines line nested 100,000 deep: exit 1 naming the line, no traceback."""
    source = tmp_path / "in.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    source.write_text(f'{{{JSON_ROW}, "compliant": 5}}\n{{{JSON_ROW}, "x": {deep}}}\n')
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {source}: line 2 is nested too deeply to be a row"
    assert not out.exists()


def test_json_integers_beyond_4300_digits_are_exact(runner: CliRunner, tmp_path: Path) -> None:
    """A 5,000-digit integer is read exactly: as an amount it is a row error, as a carried
    value it is written back digit for digit (Python's int() would refuse it)."""
    huge = "9" * 5000
    source = tmp_path / "in.jsonl"
    source.write_text(
        f'{{{JSON_ROW}, "compliant": {huge}}}\n'
        f'{{{JSON_ROW.replace("P1", "P2")}, "compliant": 5000, "x": {huge}}}\n'
    )
    out = tmp_path / "out.jsonl"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 3, result.stderr
    first, second = out.read_text(encoding="utf-8").splitlines()
    assert '"error": "compliant: ' in first and "larger than the largest amount" in first
    assert f'"x": {huge}, ' in second
    assert '"basic": "3375.00"' in second


def test_claims_json_with_huge_integer_or_deep_nesting(runner: CliRunner, tmp_path: Path) -> None:
    """``medcalc claim --claims`` JSON and YAML: clean errors, exit 1, no traceback."""
    huge = tmp_path / "huge.json"
    huge.write_text('[{"date": "2018-03-01", "compliant": ' + "9" * 5000 + "}]")
    result = claim_file(runner, huge)
    assert result.exit_code == 1
    assert "larger than the largest amount" in result.stderr
    for suffix in (".json", ".yaml"):
        deep = tmp_path / f"deep{suffix}"
        deep.write_text("[" * 100_000 + "]" * 100_000)
        result = claim_file(runner, deep)
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: {deep}: nested too deeply to be a list of claims"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f'{{{JSON_ROW}, "compliant": 5, "compliant": 6000}}', "line 2 has key 'compliant' twice"),
        (f'{{{JSON_ROW}, "note": 1, "note": 2, "compliant": 5}}', "line 2 has key 'note' twice"),
        (
            f'{{{JSON_ROW}, "compliant": 5, "Compliant ": 6000}}',
            "line 2 has column 'compliant' twice (keys 'compliant' and 'Compliant ')",
        ),
    ],
)
def test_duplicate_jsonl_keys_are_a_file_error(
    runner: CliRunner, tmp_path: Path, line: str, message: str
) -> None:
    """Like a header with a column twice: exit 1 naming the line, nothing written (a later
    key silently replaced the earlier one)."""
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{{JSON_ROW}, "compliant": 5}}\n{line}\n')
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {source}: {message}"
    assert not out.exists()


@pytest.mark.parametrize("option", ["--input-encoding", "--output-encoding"])
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("rot13", "'rot13' is not a text encoding"),
        ("base64", "'base64' is not a text encoding"),
        ("nonsense", "unknown encoding 'nonsense'"),
    ],
)
def test_bad_encoding_names_are_usage_errors(
    runner: CliRunner, tmp_path: Path, option: str, name: str, message: str
) -> None:
    """Unknown codecs and codecs that are not text encodings: exit 2, nothing written."""
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", good_source(tmp_path), out, option, name)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {option}: {message}"
    assert not out.exists()


@pytest.mark.parametrize("engine", ["core", "fast"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_forced_on_a_file_without_its_bom_is_a_file_error(
    runner: CliRunner, tmp_path: Path, engine: str, suffix: str, encoding: str
) -> None:
    """The codec refuses a stream without a BOM with a bare UnicodeError (not a decoding
    error): the clean message naming the row or line, exit 1, nothing written (a traceback)."""
    source = tmp_path / f"in{suffix}"
    text = GOOD if suffix == ".csv" else f'{{{JSON_ROW}, "compliant": 5}}\n'
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out, "--input-encoding", encoding, engine=engine)
    assert result.exit_code == 1, result.output
    # utf-32 fails on a byte (its line is found); utf-16 refuses the stream: the CSV's row
    where = "row" if (suffix, encoding) == (".csv", "utf-16") else "line"
    assert result.stderr.strip() == (
        f"Error: {source}: {where} 1 cannot be read as {encoding}; give the right --input-encoding"
    )
    assert not out.exists()


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_an_output_encoding_that_cannot_write_a_csv_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """idna encodes host names: a CSV line (no dots, over 63 characters) is "label empty or
    too long", a bare UnicodeError that was a traceback; now exit 2 before any work."""
    out = tmp_path / "out.csv"
    args = ["--engine", engine, "--output-encoding", "idna"]
    result = batch(runner, "claims", good_source(tmp_path), out, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "Error: --output-encoding: 'idna' cannot write a CSV file (label empty or too long)"
    )
    assert not out.exists()


def xlsx_with_sheet(tmp_path: Path, change: Callable[[bytes], bytes]) -> Path:
    """A one-row claims workbook whose sheet XML went through ``change``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["person_id", "date", "hospital_level", "compliant"])
    sheet.append(["P1", "2018-03-01", "level_2", "5000"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            data = old.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(member, data)
    return path


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)

XLSX_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "malformed XML": (
        lambda d: d[: len(d) // 2],
        "the first sheet cannot be read: no element found",
    ),
    "a DTD": (
        lambda d: LAUGHS + d.replace(b"<t>P1</t>", b"<t>&c;</t>"),
        "part xl/worksheets/sheet1.xml has a DTD (or another prolog) that XLSX files never "
        "have; save the workbook again from Excel",
    ),
    "a zip bomb": (
        lambda d: d.replace(b"<sheetData>", b" " * (40 << 20) + b"<sheetData>"),
        "part xl/worksheets/sheet1.xml unpacks 10",  # ~1000 times: deflate's best
    ),
}


@pytest.mark.parametrize("case", XLSX_CASES, ids=str)
def test_bad_xlsx_is_a_file_error(runner: CliRunner, tmp_path: Path, case: str) -> None:
    """Malformed or DTD-laden sheet XML and zip bombs: exit 1 naming the file, no traceback,
    nothing written."""
    change, message = XLSX_CASES[case]
    source = xlsx_with_sheet(tmp_path, change)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {source}")
    assert message in result.stderr
    assert not out.exists()


def xlsx_renamed_sheet(tmp_path: Path, prefix: bytes, *extra: tuple[str, bytes]) -> Path:
    """A one-row claims workbook whose sheet is the part ``xl/worksheets/sheet1.dat`` (its rels
    and content types say so), ``prefix`` before its XML and a 1,000,000-character entity
    ``&f;`` for P1 when ``prefix`` declares it; ``extra`` parts added."""
    renamed = tmp_path / "renamed.xlsx"
    plain = xlsx_with_sheet(tmp_path, lambda d: prefix + d.replace(b"<t>P1</t>", b"<t>&f;</t>"))
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(renamed, "w") as new:
        for member in old.infolist():
            data = old.read(member.filename)
            name = member.filename.replace("sheet1.xml", "sheet1.dat")
            if name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                data = data.replace(b"sheet1.xml", b"sheet1.dat")
            new.writestr(name, data)
        for name, data in extra:
            new.writestr(name, data)
    return renamed


#: Entities of 10 to 1,000,000 characters (each ten of the one before).
MILLION = (
    LAUGHS[:-2]
    + b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
    + b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
)


def test_dtd_in_a_part_not_named_xml_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """The DTD check looked only at parts named *.xml or *.rels: the sheet as sheet1.dat
    with an entity DTD was read, P1's id a 1,000,000-character cell. Now every part that is
    not binary is checked: exit 1 naming the part, nothing written."""
    source = xlsx_renamed_sheet(tmp_path, MILLION)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: {source}: part xl/worksheets/sheet1.dat has a DTD (or another prolog) that XLSX "
        "files never have; save the workbook again from Excel"
    )
    assert not out.exists()


def test_binary_parts_are_not_taken_for_xml(runner: CliRunner, tmp_path: Path) -> None:
    """A picture and printer settings (binary parts: under xl/media/, ending .bin) are not
    checked as XML: the workbook is read. A part named as a picture that holds XML with a DTD
    is still refused."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    devmode = "Microsoft Print to PDF".encode("utf-16-le") + bytes(200)
    source = xlsx_with_sheet(tmp_path, lambda d: d)
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/image1.png", png)
        archive.writestr("xl/printerSettings/printerSettings1.bin", devmode)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 0, result.output
    assert [r["person_id"] for r in rows_of(out)] == ["P1"]
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/image2.png", MILLION + b"<a/>")
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1, result.output
    assert "part xl/media/image2.png has a DTD" in result.stderr


@pytest.mark.parametrize(
    ("names", "shown_name", "suffix"),
    [
        (["备注", "备注"], "'备注'", ".csv"),
        (["备注", "备注"], "'备注'", ".xlsx"),
        # an XLSX header ends at its last named cell: empty names only in CSV
        (["", ""], "''", ".csv"),
    ],
)
def test_duplicate_header_names_are_refused_for_jsonl_output(
    runner: CliRunner, tmp_path: Path, names: list[str], shown_name: str, suffix: str
) -> None:
    """Two carried columns of one name became two equal keys on a JSON Lines line, and every
    JSON reader keeps only the last ("a" lost): refused before any work, naming both columns.
    CSV output carries both, as they are."""
    import openpyxl

    header = ["person_id", "date", "hospital_level", "compliant", *names]
    row = ["P1", "2018-03-01", "level_2", "5000", "a", "b"]
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        source.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        book.active.append([n or None for n in header])
        book.active.append(row)
        book.save(source)
    out = tmp_path / "out.jsonl"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"Error: {source}: the header names column {shown_name} twice (columns 5 and 6); a JSON "
        "Lines line keeps one value per name: rename one, or write CSV or XLSX"
    )
    assert not out.exists()
    csv_out = tmp_path / "out.csv"
    assert batch(runner, "claims", source, csv_out).exit_code == 0
    with csv_out.open(encoding="utf-8-sig", newline="") as f:
        written = list(csv.reader(f))
    assert written[0][4:6] == names and written[1][4:6] == ["a", "b"]


def test_xlsx_unpacked_size_is_limited(runner: CliRunner, tmp_path: Path) -> None:
    """The sum of the parts' declared sizes is checked against ``XLSX_UNPACKED_LIMIT`` (1 GiB)
    before anything is unpacked: a small workbook whose zip directory declares a part of
    more than 1 GiB (as a zip bomb's does) is refused."""
    source = xlsx_with_sheet(tmp_path, lambda d: d)
    data = bytearray(source.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first part's entry in the zip's central directory
    declared = int.from_bytes(data[entry + 24 : entry + 28], "little")
    data[entry + 24 : entry + 28] = (declared + batch_api.XLSX_UNPACKED_LIMIT).to_bytes(4, "little")
    source.write_bytes(bytes(data))
    with zipfile.ZipFile(source) as archive:
        total = sum(m.file_size for m in archive.infolist())
    limit = batch_api.XLSX_UNPACKED_LIMIT
    assert total > limit == 1 << 30
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {source} unpacks to {total} bytes, more than the limit of {limit} (1024 MiB) "
        "for an XLSX input; save it as CSV"
    )
    assert not out.exists()


NOTES = st.text(alphabet='ab "\n\r中;', max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(NOTES, min_size=1, max_size=5))
def test_well_quoted_cells_all_come_back(notes: list[str]) -> None:
    """Policy: a file that quotes as Excel does (quotes doubled, line breaks inside quotes)
    is never refused when no cell holds a whole row, and every row comes out, in order, with
    its cell as it was (rows in = rows out)."""
    import tempfile

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["person_id", "date", "hospital_level", "compliant", "note"])
    for i, note in enumerate(notes):
        writer.writerow([f"P{i}", "2018-03-01", "level_2", "5000", note])
    with tempfile.TemporaryDirectory() as directory:
        source, out = Path(directory) / "in.csv", Path(directory) / "out.csv"
        source.write_text(buffer.getvalue(), encoding="utf-8")
        result = batch(
            CliRunner(env={"MEDCALC_LANG": "en"}), "claims", source, out, "--keep-formulas"
        )
        assert result.exit_code == 0, result.stderr
        rows = rows_of(out)
    assert [r["person_id"] for r in rows] == [f"P{i}" for i in range(len(notes))]
    assert [r["note"] for r in rows] == notes
