"""XLSX that works in Excel (issue 14): result amounts as exact number cells with the 0.00
format, the summary sheet (汇总) per person and year, medcalc reading its own XLSX back, and
``medcalc claim --claims FILE.xlsx``.

The amounts reach the sheet through ``medcalc batch`` itself: a claims row whose basic
insurance already paid the whole compliant cost (``basic_paid = compliant = total = X``) has
``basic`` = X and nothing else to pay, so any amount X medcalc accepts is written as a result.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from medcalc import Calculator, load_book
from medcalc.batch import BatchFileError, BatchJob, read_claims_file
from medcalc.cli import cli
from medcalc.errors import InputError
from medcalc.money import MAX_AMOUNT

SERIES = "qingyuan-qingcheng"
ROOT = Path(__file__).resolve().parent.parent
HEADER = ["person_id", "date", "hospital_level", "total", "compliant", "basic_paid"]

#: Every amount medcalc can produce: 2 decimals, 0 to the largest it accepts (money.MAX_AMOUNT).
amounts = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2)


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book())


def run(calc: Calculator, kind: str, source: Path, out: Path) -> None:
    BatchJob.plan(kind, source, out, series=SERIES).run(calc)


def paid_rows(values: Sequence[Decimal]) -> list[list[str]]:
    """One person per amount, basic insurance having paid it all (so ``basic`` is it)."""
    return [
        [f"P{i}", "2019-03-01", "level_2", str(x), str(x), str(x)] for i, x in enumerate(values)
    ]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def calamine_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's values as python-calamine reads them (as medcalc does)."""
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }


def exact(value: float) -> Decimal:
    """A number cell's double as medcalc reads it: its shortest repr, as a Decimal."""
    assert isinstance(value, (int, float)) and not isinstance(value, bool)
    return Decimal(repr(float(value)))


# -- the double holds the amount ------------------------------------------------------------


@given(amounts)
@example(MAX_AMOUNT)
@example(Decimal("0.01"))
@example(Decimal("72000.56"))  # stored by XlsxWriter as 72000.55999999999 (16 digits)
@settings(max_examples=2000)
def test_a_double_holds_every_amount(x: Decimal) -> None:
    """An amount of at most 14 significant digits is the shortest repr of its double, and
    the 16-digit text XlsxWriter stores (``{:.16G}``) parses back to that same double."""
    number = float(x)
    assert Decimal(repr(number)) == x
    assert float(f"{number:.16G}") == number


@given(st.lists(amounts, min_size=1, max_size=12))
@example([MAX_AMOUNT, MAX_AMOUNT, Decimal("0.00"), Decimal("0.07"), Decimal("72000.56")])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_amounts_round_trip_through_xlsx(
    calc: Calculator, tmp_path_factory: pytest.TempPathFactory, values: list[Decimal]
) -> None:
    """Every amount written as a result is a number cell with the 0.00 format whose value,
    read by openpyxl and by python-calamine, is the amount exactly; the summary sheet's lines
    and total are exact too (a total beyond 15 digits is its exact text); and medcalc reads
    its own XLSX back (result columns replaced, same amounts)."""
    tmp = tmp_path_factory.mktemp("xlsx")
    source = write_csv(tmp / "in.csv", HEADER, paid_rows(values))
    out = tmp / "out.xlsx"
    run(calc, "claims", source, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["medcalc", "summary"]
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    basic = header.index("basic") + 1
    cells = [sheet.cell(r, basic) for r in range(2, len(values) + 2)]
    assert {(c.data_type, c.number_format) for c in cells} == {("n", "0.00")}
    assert [exact(c.value) for c in cells] == values
    sheets = calamine_sheets(out)
    assert [exact(r[basic - 1]) for r in sheets["medcalc"][1:]] == values
    # the summary: one line per person (P0, P1, ... sorted as text), then the total
    lines = sheets["summary"]
    assert lines[0][:4] == ["person_id", "year", "claims", "basic"]
    by_person = {f"P{i}": x for i, x in enumerate(values)}
    assert [(r[0], r[1], r[2], exact(r[3])) for r in lines[1:-1]] == [
        (p, 2019.0, 1.0, by_person[p]) for p in sorted(by_person)
    ]
    total = sum(values, Decimal("0.00"))
    assert lines[-1][:3] == ["total", "", float(len(values))]
    got = lines[-1][3]
    assert (Decimal(got) if isinstance(got, str) else exact(got)) == total
    assert isinstance(got, str) == (len(total.as_tuple().digits) > 15)
    # medcalc reads its own output: the amounts computed again are the same
    again = tmp / "again.csv"
    run(calc, "claims", out, again)
    with again.open(encoding="utf-8-sig", newline="") as f:
        reread = list(csv.DictReader(f))
    assert [Decimal(r["basic"]) for r in reread] == values
    assert {r["error"] for r in reread} == {""}


def test_number_cells_in_an_xlsx_input_are_read_exactly(calc: Calculator, tmp_path: Path) -> None:
    """Amounts typed as numbers in an XLSX input are read as the clerk typed them, carried to
    the XLSX output as numbers, and that output read again gives the same results."""
    values = [Decimal("72000.56"), Decimal("0.07"), Decimal("18500")]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in paid_rows(values):
        sheet.append([*row[:3], *(float(v) for v in row[3:])])
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    run(calc, "claims", source, out)
    rows = calamine_sheets(out)["medcalc"]
    compliant, basic = rows[0].index("compliant"), rows[0].index("basic")
    assert [exact(r[compliant]) for r in rows[1:]] == values
    assert [exact(r[basic]) for r in rows[1:]] == values
    again = tmp_path / "again.xlsx"
    run(calc, "claims", out, again)
    assert calamine_sheets(again)["medcalc"] == rows


# -- the summary sheet ----------------------------------------------------------------------


def test_summary_sheet_of_the_example_claims(calc: Calculator, tmp_path: Path) -> None:
    """examples/claims.csv: the summary sums each person's claims per year; P001 in 2018 had
    three claims (C0001-C0003), whose basic amounts 28,125.00 + 5,220.00 + 46,280.00 =
    79,625.00; the totals line equals the batch totals (317,850.00 basic)."""
    out = tmp_path / "out.xlsx"
    run(calc, "claims", ROOT / "examples" / "claims.csv", out)
    csv_out = tmp_path / "out.csv"
    run(calc, "claims", ROOT / "examples" / "claims.csv", csv_out)
    with csv_out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = ["basic", "critical_illness", "assistance", "out_of_pocket"]
    expected: dict[tuple[str, float], list[Decimal]] = {}
    for r in rows:
        key = (r["person_id"], float(r["date"][:4]))
        sums = expected.setdefault(key, [Decimal(0)] * 5)
        sums[0] += 1
        for i, name in enumerate(names, start=1):
            sums[i] += Decimal(r[name])
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["medcalc", "summary"]
    lines = [[c.value for c in row] for row in book["summary"].iter_rows()]
    assert lines[0] == ["person_id", "year", "claims", *names]
    got = {(r[0], float(r[1])): [Decimal(r[2]), *map(exact, r[3:])] for r in lines[1:-1]}
    assert got == expected
    assert got[("P001", 2018.0)][:2] == [3, Decimal("79625.00")]
    assert lines[-1][0] == "total" and lines[-1][1] is None
    assert [exact(v) for v in lines[-1][2:]] == [
        Decimal(10),
        Decimal("317850.00"),
        Decimal("74835.25"),
        Decimal("31834.03"),
        Decimal("112480.72"),
    ]
    formats = {c.number_format for row in book["summary"].iter_rows(min_row=2) for c in row[3:]}
    assert formats == {"0.00"}


def test_summary_leaves_out_rows_with_errors(calc: Calculator, tmp_path: Path) -> None:
    """A row with an error counts in no line of the summary: P1's second row (no compliant
    cost) is left out, so P1 has 1 claim of 100.00."""
    source = write_csv(
        tmp_path / "in.csv",
        HEADER,
        [
            ["P1", "2019-03-01", "level_2", "100.00", "100.00", "100.00"],
            ["P1", "2019-04-01", "level_2", "", "", ""],
            ["P2", "2018-03-01", "level_2", "5.00", "5.00", "5.00"],
        ],
    )
    out = tmp_path / "out.xlsx"
    run(calc, "claims", source, out)
    lines = calamine_sheets(out)["summary"]
    assert [r[:4] for r in lines[1:]] == [
        ["P1", 2019.0, 1.0, 100.0],
        ["P2", 2018.0, 1.0, 5.0],
        ["total", "", 2.0, 105.0],
    ]


def test_premiums_summary_sums_what_each_side_pays(calc: Calculator, tmp_path: Path) -> None:
    """Premiums: the summary has the government's and the person's amounts per person and
    year, numbers with the 0.00 format, and no count column."""
    out = tmp_path / "out.xlsx"
    run(calc, "premiums", ROOT / "examples" / "premiums.csv", out)
    csv_out = tmp_path / "out.csv"
    run(calc, "premiums", ROOT / "examples" / "premiums.csv", csv_out)
    with csv_out.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if not r["error"]]
    names = [
        "medical_government",
        "medical_individual",
        "pension_government",
        "pension_individual",
        "pension_subsidy",
    ]
    lines = calamine_sheets(out)["summary"]
    assert lines[0] == ["person_id", "year", *names]
    total = [sum((Decimal(r[n] or 0) for r in rows), Decimal(0)) for n in names]
    assert lines[-1][0] == "total"
    assert [exact(v) for v in lines[-1][2:]] == total


# -- cells kept as they were ----------------------------------------------------------------


def test_carried_cells_keep_their_type(calc: Calculator, tmp_path: Path) -> None:
    """Carried cells from JSON Lines: text stays text (``0012``, ``1234.50``), a number a
    double holds is a number, a longer one its exact text, true a boolean; from XLSX a date
    cell stays a date."""
    source = tmp_path / "in.jsonl"
    row = {
        "person_id": "P1",
        "date": "2019-03-01",
        "hospital_level": "level_2",
        "compliant": "10.00",
        "code": "0012",
        "note": "1234.50",
        "short": 1234.5,
        "flag": True,
    }
    # JSON numbers are read exactly (Decimal); this one has 22 digits, more than a double's
    line = json.dumps(row)[:-1] + ', "long": 12345678901234567890.12}'
    source.write_text(line + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    run(calc, "claims", source, out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    got = {c.value: sheet.cell(2, c.column) for c in sheet[1]}
    assert (got["code"].data_type, got["code"].value) == ("s", "0012")
    assert (got["note"].data_type, got["note"].value) == ("s", "1234.50")
    assert (got["short"].data_type, got["short"].value) == ("n", 1234.5)
    assert (got["long"].data_type, got["long"].value) == ("s", "12345678901234567890.12")
    assert (got["flag"].data_type, got["flag"].value) == ("b", True)
    # an XLSX date cell is carried as a date
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["person_id", "date", "hospital_level", "compliant"])
    ws.append(["P1", dt.datetime(2019, 3, 1), "level_2", "10.00"])
    book.save(tmp_path / "in.xlsx")
    run(calc, "claims", tmp_path / "in.xlsx", out)
    cell = openpyxl.load_workbook(out).worksheets[0]["B2"]
    assert (cell.is_date, cell.value, cell.number_format) == (
        True,
        dt.datetime(2019, 3, 1),
        "yyyy-mm-dd",
    )


def test_a_cell_longer_than_excel_holds_is_refused(calc: Calculator, tmp_path: Path) -> None:
    """A carried text of more than 32,767 characters would be cut by Excel's limit: the batch
    fails naming the row instead, and writes nothing."""
    source = write_csv(
        tmp_path / "in.csv",
        [*HEADER, "note"],
        [["P1", "2019-03-01", "level_2", "10.00", "10.00", "", "x" * 32_768]],
    )
    out = tmp_path / "out.xlsx"
    with pytest.raises(BatchFileError, match="row 2 holds a cell of more than 32,767 characters"):
        run(calc, "claims", source, out)
    assert not out.exists()


def test_error_cells_are_read_as_their_text(calc: Calculator, tmp_path: Path) -> None:
    """A cached error (#DIV/0!) in an XLSX input is read as its text (python-calamine reads
    errors as empty cells, so such a sheet is read by openpyxl): carried as #DIV/0!, and in
    an amount column refused naming it rather than taken as missing."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["person_id", "date", "hospital_level", "compliant", "note"])
    ws.append(["P1", "2019-03-01", "level_2", "10.00", "#N/A"])
    ws.append(["P2", "2019-03-01", "level_2", "#DIV/0!", "x"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.csv"
    run(calc, "claims", source, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["note"] == "#N/A"
    assert rows[1]["compliant"] == "#DIV/0!"
    assert rows[1]["error"].startswith("compliant: ")


def test_a_sheet_starting_below_and_right_of_a1(calc: Calculator, tmp_path: Path) -> None:
    """Row 1 is the header row and column A the first column, wherever the first filled cell
    is: a sheet whose header is in row 2 has no header in row 1."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append([None, "person_id", "date", "hospital_level", "compliant"])
    ws.append([None, "P1", "2019-03-01", "level_2", "10.00"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.csv"
    run(calc, "claims", source, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row[""], row["person_id"], row["basic"]) == ("", "P1", "0.00")
    ws.insert_rows(1)
    book.save(source)
    with pytest.raises(BatchFileError, match="no header in row 1"):
        run(calc, "claims", source, out)


# -- medcalc claim --claims FILE.xlsx -------------------------------------------------------


def claims_workbook(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_claim_reads_an_xlsx_claims_file(tmp_path: Path) -> None:
    """``medcalc claim --claims FILE.xlsx`` reads the first sheet as batch does: number cells
    (130000, 1500.0), date cells and text give the amounts of the same claims as CSV (tests/
    test_cli_calc.py's three claims of a poor person in 2019); a blank row is skipped."""
    path = claims_workbook(
        tmp_path / "claims.xlsx",
        ["claim_id", "date", "hospital_level", "total", "compliant", "basic_paid"],
        [
            ["A001", dt.datetime(2019, 5, 10), "level_3", "130,000.00", 120000, None],
            [None] * 6,
            ["A002", "2019-08-01", "level_3", 210000, 200000.0, None],
            ["A003", "2019/9/1", "level_1", 1500, 1200, None],
        ],
    )
    result = CliRunner().invoke(
        cli, ["claim", "--category", "poverty", "--format", "json", "--claims", str(path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = [
        (c["basic"], c["critical_illness"], c["assistance"], c["out_of_pocket"])
        for c in data["claims"]
    ]
    assert got == [
        ("77480.00", "24063.00", "12919.90", "15537.10"),
        ("129480.00", "47142.00", "16364.60", "17013.40"),
        ("900.00", "225.00", "52.50", "322.50"),
    ]
    assert [c["claim"]["claim_id"] for c in data["claims"]] == ["A001", "A002", "A003"]


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (
            ["date", "compliant", "date"],
            [["2019-05-10", 100, "2019-05-10"]],
            "claims.xlsx row 1: column 'date' appears twice",
        ),
        (
            ["date", "complaint"],
            [["2019-05-10", 100]],
            "claims.xlsx row 1: unknown field 'complaint' (did you mean 'compliant'?); the fields"
            " are claim_id, date, hospital_level, total, compliant, basic_paid (the person comes"
            " from the options)",
        ),
        (
            ["date", "compliant"],
            [["2019-05-10", 100], [None, None], ["2019-06-01", 100, "x"]],
            "claims.xlsx row 2 (sheet row 4): 3 cells but the header has 2",
        ),
        (
            ["date", "compliant"],
            [["2019-05-10", 100.555]],
            "claims.xlsx row 1 (sheet row 2): compliant: 100.555 has more than 2 decimal places",
        ),
        (["date", "compliant"], [], "claims.xlsx: the file holds no claims"),
    ],
    ids=["twice", "unknown", "too many cells", "3 decimals", "no claims"],
)
def test_xlsx_claims_file_errors_name_the_row(
    tmp_path: Path, header: list[str], rows: list[list[Any]], message: str
) -> None:
    """An XLSX claims file's errors name the file, the claim and its row of the sheet."""
    path = claims_workbook(tmp_path / "claims.xlsx", header, rows)
    with pytest.raises(InputError) as caught:
        read_claims_file(path).claims()
    assert str(caught.value) == message.replace("claims.xlsx", str(path))


def test_an_unreadable_xlsx_claims_file_is_an_input_error(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is an input error naming it."""
    path = tmp_path / "claims.xlsx"
    path.write_text("person_id\n", encoding="utf-8")
    with pytest.raises(InputError, match="is not a readable XLSX workbook"):
        read_claims_file(path)


def test_a_number_cell_with_binary_noise_is_refused(calc: Calculator, tmp_path: Path) -> None:
    """A number cell holding a computed 0.1 + 0.2 is the double 0.30000000000000004, read as
    that text (its shortest repr) and refused for its decimals, never rounded to 0.30."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["person_id", "date", "hospital_level", "compliant"])
    ws.append(["P1", "2019-03-01", "level_2", 0.25])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    # openpyxl writes 16 digits ("0.3"); Excel's computed cell holds all 17
    source = tmp_path / "in.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(source, "w") as new:
        for member in old.infolist():
            data = old.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>0.25</v>" in data
                data = data.replace(b"<v>0.25</v>", b"<v>0.30000000000000004</v>")
            new.writestr(member, data)
    out = tmp_path / "out.csv"
    run(calc, "claims", source, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert row["compliant"] == "0.30000000000000004"
    assert row["basic"] == ""
    assert "0.30000000000000004" in row["error"]


def test_xlsx_libraries_load_only_when_xlsx_is_used() -> None:
    """``import medcalc.batch`` loads none of the XLSX libraries (they are imported when an
    XLSX file is first read or written)."""
    import subprocess
    import sys

    code = (
        "import sys, medcalc, medcalc.batch\n"
        "print(sorted({'openpyxl', 'xlsxwriter', 'python_calamine'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
