"""``medcalc batch claims`` on the column engine writes exactly what the reference core writes.

Every case runs one input through ``--engine core`` (the reference: Python reading,
``Calculator`` per person-year) and ``--engine fast`` (the engine; for CSV to CSV with pyarrow
the columnar reader and writer) and compares the output files byte for byte (XLSX: cell by
cell, as the file holds its own creation time), the summaries and the errors.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")

from medcalc import Calculator, load_book
from medcalc.audit.strategies import amounts
from medcalc.batch import BatchJob, BatchReport
from medcalc.errors import MedcalcError

from support import book, core_yaml

ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "golden" / "batch"
SERIES = "qingyuan-qingcheng"
OTHER = "test-full"  # tests/good_tariffs/full.yaml, 2018 only
try:
    import pyarrow  # noqa: F401

    ARROW = True
except ImportError:  # pragma: no cover - the fast extra without pyarrow
    ARROW = False

COLUMNAR = "columnar" if ARROW else "engine"


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book([ROOT / "tests" / "good_tariffs"], env={}))


def run(
    calc: Calculator,
    source: Path,
    out: Path,
    engine: str,
    block_size: int | None = None,
    **plan: Any,
) -> tuple[Any, ...] | BatchReport:
    try:
        job = BatchJob.plan("claims", source, out, engine=engine, **plan)
        return job.run(calc, block_size=block_size)
    except MedcalcError as exc:
        return (type(exc).__name__, str(exc).replace(str(out), "OUT"))


def output(path: Path) -> Any:
    if path.suffix != ".xlsx":
        return path.read_bytes()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def same(
    calc: Calculator,
    tmp_path: Path,
    source: Path,
    suffix: str = ".csv",
    block_size: int | None = None,
    **plan: Any,
) -> BatchReport | None:
    """Run ``source`` through both engines; assert the same output (or the same error)."""
    results = {}
    for engine in ("core", "fast"):
        out = tmp_path / f"out-{engine}{suffix}"
        got = run(calc, source, out, engine, block_size, **plan)
        if isinstance(got, BatchReport):
            results[engine] = (output(out), got.summary, got.replaced, got.input_encoding)
        else:
            results[engine] = got
    assert results["fast"] == results["core"]
    fast = run(calc, source, tmp_path / f"again{suffix}", "fast", block_size, **plan)
    return fast if isinstance(fast, BatchReport) else None


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, newline: str = "\r\n") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


CLAIM_HEADER = [
    "person_id",
    "姓名",
    "series",
    "date",
    "hospital_level",
    "compliant",
    "total",
    "basic_paid",
    "categories",
    "disability_grade",
    "disability_type",
    "enrolled_on",
    "备注",
]

#: The reference's bad and dependent rows (docs/cli-batch.md §4), with their neighbours.
BAD_ROWS = [
    ["A1", "甲", "", "2018-03-01", "level_2", "12,000.00", "", "", "poverty", "", "", "", "ok"],
    ["A1", "甲", "", "2018-05-01", "level_2", "12x", "", "", "poverty", "", "", "", "bad"],
    ["A1", "甲", "", "2018-07-01", "level_3", "50,000.00", "", "", "poverty", "", "", "", "dep"],
    ["A1", "甲", "", "2019-02-01", "level_2", "8000", "", "", "poverty", "", "", "", "ok"],
    ["B2", "乙", "", "2018-04-01", "level_9", "9000", "", "", "", "", "", "", "level"],
    ["B2", "乙", "", "2018-06-01", "level_1", "3000", "", "", "", "", "", "", "dep"],
    ["B2", "乙", "", "2018-06-01", "level_9", "3000", "", "", "", "", "", "", "own"],
    ["C3", "丙", "", "01/06/2018", "level_1", "3000", "", "", "", "", "", "", "date"],
    ["C3", "丙", "", "2020-01-15", "level_1", "3000", "", "", "", "", "", "", "dep any year"],
    ["D4", "丁", "", "2018-01-10", "level_1", "3000", "", "", "low_income", "", "", "", "split"],
    ["D4", "丁", "", "2018-02-10", "level_1", "3000", "", "", "poverty", "", "", "", "split"],
    ["E5", "戊", "", "2018-01-10", "level_1", "3000", "2000", "", "", "", "", "", "total"],
    ["E5", "戊", "", "2018-03-10", "level_2", "4000", "", "", "", "5", "", "", "grade"],
    ["E5", "戊", "", "2018-05-10", "level_2", "4000", "", "", "", "", "", "", "dep year"],
    ["", "无名", "", "2018-03-10", "level_2", "4000", "", "", "", "", "", "", "no person"],
    ["F6", "己", "", "2017-12-30", "level_2", "4000", "", "", "", "", "", "", "no tariff"],
    ["F6", "己", "", "2018-01-02", "level_2", "4000", "", "", "", "", "", "", "ok"],
    ["G7", "庚", "", "2018-01-02", "level_2", "4000", "", "5000", "", "", "", "", "paid"],
    ["G7", "庚", "", "2018-03-02", "", "4000", "", "", "", "", "", "", "no level"],
    ["G7", "庚", "", "2018-04-02", "", "4000", "", "100", "", "", "", "", "paid given"],
    ["H8", "辛", "", "2018-04-02", "level_1", "4000", "", "", "martian", "", "", "", "category"],
    ["H8", "辛", "", "2018-05-02", "level_1", "4000", "", "", "", "", "", "", "same year"],
    ["I9", "壬", "nowhere", "2018-05-02", "level_1", "4000", "", "", "", "", "", "", "series"],
    ["I9", "壬", "", "2018-06-02", "level_1", "4000", "", "", "", "", "", "", "dep series"],
    [
        "J0",
        "癸",
        "",
        "2018-06-02",
        "level_1",
        "4000",
        "",
        "",
        "",
        "2",
        "physical",
        "2018-05-20",
        "next month",
    ],
    ["J0", "癸", "", "2018-07-02", "level_1", "4000", "", "", "", "", "", "", "covered"],
    ["K1", "子", "", "2018-07-02", "level_1", "-5", "abc", "1.234", "", "", "psychic", "x", "all"],
    ["K1", "子", "", "2018-08-02", "level_1", "500", "", "", "", "", "", "", "dep"],
    ["L2", "丑", "", "2018-08-02", "level_1", " 500 ", "", "", " poverty ", "", "", "", "spaces"],
    [
        "L2",
        "丑",
        "",
        "２０１８-０９-０２",
        "level_1",
        "５，０００.５",
        "",
        "",
        "",
        "",
        "",
        "",
        "wide",
    ],
    ["M3", "寅", "", "2018-08-02", "level_1", "1,00", "", "", "", "", "", "", "bad group"],
    ["M3", "寅", "", "2018-08-03", "level_1", ".5", "", "", "", "", "", "", "dot"],
    ["N4", "卯", "", "2018-08-02", "level_1", "999999999999.99", "", "", "", "", "", "", "max"],
    ["N4", "卯", "", "2018-08-03", "level_1", "1000000000000", "", "", "", "", "", "", "over"],
]


# -- engine selection ---------------------------------------------------------------------------


def test_auto_uses_the_columnar_path_and_core_the_reference(
    calc: Calculator, tmp_path: Path
) -> None:
    """``auto`` takes the fastest path installed; ``core`` the reference; same bytes."""
    source = ROOT / "examples" / "claims.csv"
    auto = BatchJob.plan("claims", source, tmp_path / "a.csv").run(calc)
    core = BatchJob.plan("claims", source, tmp_path / "c.csv", engine="core").run(calc)
    assert (auto.engine, core.engine) == (COLUMNAR, "core")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()


@pytest.mark.skipif(not ARROW, reason="needs pyarrow")
def test_a_pyarrow_before_19_leaves_the_file_to_the_engine_rows(
    calc: Calculator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columnar reader reads and writes amounts as pyarrow's 64-bit decimals (19 and
    later); an older pyarrow is not used, the same bytes come from the engine's row path."""
    import pyarrow

    source = ROOT / "examples" / "claims.csv"
    new = BatchJob.plan("claims", source, tmp_path / "new.csv").run(calc)
    monkeypatch.delattr(pyarrow, "decimal64")
    old = BatchJob.plan("claims", source, tmp_path / "old.csv").run(calc)
    assert (new.engine, old.engine) == ("columnar", "engine")
    assert (tmp_path / "old.csv").read_bytes() == (tmp_path / "new.csv").read_bytes()


def test_premiums_always_use_the_core(calc: Calculator, tmp_path: Path) -> None:
    report = BatchJob.plan(
        "premiums", ROOT / "examples" / "premiums.csv", tmp_path / "p.csv", engine="fast"
    ).run(calc)
    assert report.engine == "core"


def test_cli_engine_option(tmp_path: Path) -> None:
    """``--engine`` is a CLI option; an unknown value is a usage error (exit 2)."""
    from click.testing import CliRunner

    from medcalc.cli import cli

    runner = CliRunner()
    source = ROOT / "examples" / "claims.csv"
    outs = []
    for engine in ("core", "fast", "auto"):
        out = tmp_path / f"{engine}.csv"
        result = runner.invoke(
            cli, ["batch", "claims", str(source), "-o", str(out), "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    bad = runner.invoke(cli, ["batch", "claims", str(source), "-o", "x.csv", "--engine", "gpu"])
    assert bad.exit_code == 2


def test_fast_without_numpy_is_a_usage_error(
    calc: Calculator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without numpy (here: its import blocked, as Python does for a module set to None in
    ``sys.modules``), ``--engine fast`` is a usage error and ``auto`` runs the core."""
    from medcalc.errors import UsageError

    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(UsageError, match=r"needs numpy: pip install 'medcalc\[fast\]'"):
        BatchJob.plan("claims", ROOT / "examples" / "claims.csv", tmp_path / "o.csv", engine="fast")
    job = BatchJob.plan("claims", ROOT / "examples" / "claims.csv", tmp_path / "o.csv")
    assert job.run(calc).engine == "core"


def test_batch_modules_import_no_numpy_or_pyarrow() -> None:
    """The CLI and the batch modules stay light: numpy/pyarrow load only when a batch runs."""
    code = (
        "import sys, medcalc, medcalc.batch, medcalc.cli.batch\n"
        "from medcalc.batch import *\n"
        "print(sorted({'numpy', 'pyarrow'} & set(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the same output on fixed inputs -------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [ROOT / "examples" / "claims.csv", GOLDEN / "claims_with_errors.csv"],
    ids=["example", "golden-errors"],
)
def test_examples_and_golden_inputs(calc: Calculator, tmp_path: Path, source: Path) -> None:
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_xlsx_input(calc: Calculator, tmp_path: Path, suffix: str) -> None:
    report = same(calc, tmp_path, ROOT / "examples" / "claims.xlsx", suffix)
    assert report is not None and report.engine == "engine"


def test_bad_and_dependent_rows(calc: Calculator, tmp_path: Path) -> None:
    """Every kind of bad row and its dependants (unsorted: the rows reversed too)."""
    rows = [*BAD_ROWS, *reversed(BAD_ROWS)]
    source = write(tmp_path / "in.csv", table(CLAIM_HEADER, rows))
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR
    assert report.summary.errors > 30


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_encodings_and_line_ends(
    calc: Calculator, tmp_path: Path, encoding: str, newline: str
) -> None:
    text = table(CLAIM_HEADER, BAD_ROWS, newline=newline)
    source = write(tmp_path / "in.csv", text, encoding)
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR


@pytest.mark.parametrize(
    ("input_encoding", "output_encoding"),
    [("gb18030", None), (None, "utf-8"), (None, "gb18030"), ("utf-8", None), (None, "ascii")],
)
def test_given_encodings(
    calc: Calculator, tmp_path: Path, input_encoding: str | None, output_encoding: str | None
) -> None:
    """Given encodings, right or wrong (a GB18030 file read as UTF-8; Chinese into ASCII)."""
    source = write(tmp_path / "in.csv", table(CLAIM_HEADER, BAD_ROWS[:6]), "gb18030")
    same(
        calc,
        tmp_path,
        source,
        series=SERIES,
        input_encoding=input_encoding,
        output_encoding=output_encoding,
    )


def test_bom_file_with_invalid_utf8(calc: Calculator, tmp_path: Path) -> None:
    """A BOM says UTF-8 without a check of the whole file: a bad byte later is the same error."""
    text = table(CLAIM_HEADER, BAD_ROWS[:4]).encode("utf-8-sig") + b"X9,\xff\xfe,,2018-01-01,"
    source = tmp_path / "in.csv"
    source.write_bytes(text + b"level_1,100,,,,,,,\r\n")
    same(calc, tmp_path, source, series=SERIES)


def test_year_to_date_columns(calc: Calculator, tmp_path: Path) -> None:
    header = [
        "person_id",
        "date",
        "hospital_level",
        "compliant",
        "ytd_basic_paid",
        "ytd_critical_illness_base",
        "ytd_assistance_base",
        "categories",
    ]
    rows = [
        ["P1", "2018-03-01", "level_3", "90000", "38000", "12000", "3000", "low_income"],
        ["P1", "2018-05-01", "level_3", "50000", "", "", "", ""],
        ["P2", "2018-03-01", "level_3", "90000", "38000", "", "", ""],
        ["P2", "2018-04-01", "level_3", "90000", "38,000.00", "", "", ""],
        ["P3", "2018-03-01", "level_3", "90000", "38000", "", "", ""],
        ["P3", "2018-04-01", "level_3", "90000", "37000", "", "", ""],
        ["P4", "2018-03-01", "level_3", "90000", "abc", "", "", ""],
        ["P4", "2018-04-01", "level_3", "90000", "", "", "", ""],
        ["P5", "2019-03-01", "level_3", "90000", "", "", "900000", "five_guarantee"],
        ["P5", "2020-03-01", "level_3", "90000", "", "", "", "five_guarantee"],
        ["P6", "2018-03-01", "level_3", "90000", "", "5000.5", "", "poverty"],
        ["P6", "2018-03-01", "level_3", "90000", "", "5000.50", "", "poverty; low_income"],
    ]
    source = write(tmp_path / "in.csv", table(header, rows))
    same(calc, tmp_path, source, series=SERIES)


def test_several_series(calc: Calculator, tmp_path: Path) -> None:
    """Two series side by side (the same person in both), an unknown and a missing series."""
    header = ["person_id", "series", "date", "hospital_level", "compliant", "categories"]
    rows = []
    for i in range(40):
        series = [SERIES, OTHER, "", "nowhere"][i % 4] if i % 7 else OTHER
        rows.append(
            [
                f"P{i % 5}",
                series,
                f"2018-{i % 12 + 1:02d}-{i % 27 + 1:02d}",
                ["level_1", "level_2", "level_3"][i % 3],
                f"{1000 + 997 * i}",
                "poverty" if i % 5 == 1 else "",
            ]
        )
    source = write(tmp_path / "in.csv", table(header, rows))
    same(calc, tmp_path, source)  # no --series: the empty cells are errors
    same(calc, tmp_path, source, series=OTHER)


def test_jsonl_input_and_output(calc: Calculator, tmp_path: Path) -> None:
    lines = []
    for row in BAD_ROWS:
        obj: dict[str, Any] = dict(zip(CLAIM_HEADER, row, strict=True))
        obj = {k: v for k, v in obj.items() if v != ""}
        lines.append(json.dumps(obj, ensure_ascii=False))
    lines.append(
        '{"person_id": "Z", "date": "2018-01-01", "hospital_level": "level_1", '
        '"compliant": 1234.5, "categories": ["poverty"], "extra": {"a": [1]}}'
    )
    source = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    same(calc, tmp_path, source, ".jsonl", series=SERIES)
    same(calc, tmp_path, source, ".csv", series=SERIES)


def test_blank_rows_and_odd_records(calc: Calculator, tmp_path: Path) -> None:
    """Blank rows inside and at the end, whitespace-only rows, empty lines, quoted fields that
    need no quotes, quotes and line breaks inside fields, a last line without a line end."""
    body = (
        "person_id,date,hospital_level,compliant,备注\r\n"
        'P1,2018-01-02,level_1,"1000","plain"\r\n'
        ",,,,\r\n"
        "  , ,,,\r\n"
        'P1,2018-02-02,level_1,"1,000.00","a ""quote"" and\r\nline break"\r\n'
        '"P2",2018-02-02,level_2,500,""\r\n'
        ",,,,\r\n"
        "P2,2018-03-02,level_2,500,last"
    )
    source = write(tmp_path / "in.csv", body)
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR
    trailing = write(tmp_path / "t.csv", body + "\r\n,,,,\r\n,,,,\r\n")
    same(calc, tmp_path, trailing, series=SERIES)


@pytest.mark.parametrize(
    "body",
    [
        "person_id,date,compliant\nP1,2018-01-02,100\n\nP1,2018-02-02,100\n",  # empty line
        "person_id,date,compliant\rP1,2018-01-02,100\rP1,2018-02-02,100\r",  # CR only
        "person_id,date,compliant\nP1,2018-01-02\nP1,2018-02-02,100,,\n",  # short, long empty
        "person_id,date,compliant\nP1,2018-01-02,100,x\n",  # too long: a file error
        'person_id,date,compliant\nP1,2018-"01"-02,100\nP2,"2018"x,100\n',  # odd quotes
        'person_id,date,compliant\nP1,2018-01-02,"100\n',  # unclosed quote
        "person_id,date,compliant\nP1,2018-01-02,1\x0000\n",  # NUL
        'person_id,"da""te",compliant\nP1,2018-01-02,100\n',  # quoted header
        "person_id,date,compliant,basic\nP1,2018-01-02,100,1.00\n",  # a result column
        "person_id,date,compliant,note\nP1,2018-01-02,100," + "x" * 131073 + "\n",  # long
        "person_id,date,compliant\n\ufeffP1,2018-01-02,100\n",  # a BOM in the first cell
        "person_id,date,compliant\n",  # no rows
        "person_id,date,compliant",  # no rows, no line end
    ],
    ids=[
        "empty-line",
        "cr",
        "short",
        "long",
        "quotes",
        "unclosed",
        "nul",
        "quoted-header",
        "result-column",
        "field-limit",
        "bom-cell",
        "no-rows",
        "header-only",
    ],
)
def test_files_the_columnar_reader_leaves_to_the_reference(
    calc: Calculator, tmp_path: Path, body: str
) -> None:
    source = write(tmp_path / "in.csv", body)
    same(calc, tmp_path, source, series=SERIES)


def test_amounts_beyond_the_engine_range_fall_back(calc: Calculator, tmp_path: Path) -> None:
    """A person-year whose accumulated cost leaves the engine's exact range: the reference."""
    rows = [["P1", f"2018-01-{d % 28 + 1:02d}", "level_1", "999999999999.99"] for d in range(480)]
    source = write(
        tmp_path / "in.csv", table(["person_id", "date", "hospital_level", "compliant"], rows)
    )
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == "core"  # the engine gave way


def test_a_ratio_beyond_the_engine_scale_falls_back_exactly(tmp_path: Path) -> None:
    """A ratio of 61 decimals has no int64 scale: the reference computes it, every digit kept."""
    long_ratio = "0.5" + "0" * 59 + "1"  # 0.5 + 10^-61
    segments = f"    - {{to: 100000, ratio: {long_ratio}}}\n    - {{ratio: 0.80}}"
    calc = Calculator(book(core_yaml(rounding="half_even", segments=segments)))
    # The burden 30000 - 14998.99 = 15001.01 is 1.01 above T = 15000:
    # 1.01 x (0.5 + 10^-61) = 0.505 + 1.01 x 10^-61, just above half a fen -> 0.51.
    rows = [["P1", "2018-05-01", "level_1", "30000", "14998.99"]]
    header = ["person_id", "date", "hospital_level", "compliant", "basic_paid"]
    source = write(tmp_path / "in.csv", table(header, rows))
    report = same(calc, tmp_path, source, series="core")
    assert report is not None and report.engine == "core"  # the engine gave way
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        (record,) = csv.DictReader(f)
    assert record["critical_illness"] == "0.51"


def test_gb18030_file_with_an_ascii_header(calc: Calculator, tmp_path: Path) -> None:
    """Read as UTF-8 first, the file turns out GB18030 after its header: detected, read again
    as GB18030, still as columns."""
    rows = [["P1", "2018-01-02", "level_1", "100", "甲"]] * 3
    text = table(["person_id", "date", "hospital_level", "compliant", "note"], rows)
    source = write(tmp_path / "in.csv", text, "gb18030")
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR
    assert report.input_encoding == "gb18030"


def test_neither_utf8_nor_gb18030(calc: Calculator, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"person_id,date,compliant\nP1,2018-01-02,\xff\xff\xff\n")
    same(calc, tmp_path, source, series=SERIES)
    source.write_bytes(b"\xff\xfe" + "person_id,date\n".encode("utf-16-le"))
    same(calc, tmp_path, source, series=SERIES)


def test_many_blocks(calc: Calculator, tmp_path: Path) -> None:
    """Small blocks: records (quoted line breaks too) split over many blocks."""
    rows = [
        [
            f"P{i % 9}",
            "名",
            "",
            f"2018-{i % 12 + 1:02d}-01",
            "level_2",
            f"{i * 101}",
            "",
            "",
            "",
            "",
            "",
            "",
            f"note\n{i}" if i % 4 == 0 else "x",
        ]
        for i in range(200)
    ]
    source = write(tmp_path / "in.csv", table(CLAIM_HEADER, rows))
    report = same(calc, tmp_path, source, block_size=300, series=SERIES)
    assert report is not None and report.engine == COLUMNAR


def test_failure_mid_write_leaves_output_untouched(calc: Calculator, tmp_path: Path) -> None:
    """The columnar writer writes OUT atomically too (the failure: raised by the progress
    callback while the first block is written)."""
    if not ARROW:
        pytest.skip("needs pyarrow")
    source = ROOT / "examples" / "claims.csv"
    assert BatchJob.plan("claims", source, tmp_path / "first.csv").run(calc).engine == COLUMNAR
    (tmp_path / "first.csv").unlink()

    def failing(stage: str, done: int, total: int | None) -> None:
        if stage == "write":
            raise RuntimeError("disk on fire")

    out = tmp_path / "out.csv"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk on fire"):
        BatchJob.plan("claims", source, out).run(calc, failing)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_utf8_check_agrees_with_python() -> None:
    if not ARROW:
        pytest.skip("needs pyarrow")
    from medcalc.batch import utf8_valid

    samples = [
        b"ok",
        "中文".encode(),
        b"\xed\xa0\x80",
        b"\xc0\xaf",
        b"\xf4\x90\x80\x80",
        b"\xe4\xb8",
        b"\xff",
        b"\xef\xbf\xbf",
        b"\xf0\x9f\x98\x80",
    ]
    for data in samples:
        try:
            data.decode("utf-8")
            python = True
        except UnicodeDecodeError:
            python = False
        assert utf8_valid(data) is python, data


# -- the same output on random rows ---------------------------------------------------------------

_LEVELS = ["level_1", "level_2", "level_3", "level_9", "", " level_2", "ｌｅｖｅｌ＿１"]
_CATEGORIES = [
    "",
    "",
    "",
    "poverty",
    "low_income;poverty",
    "poverty ;low_income",
    "five_guarantee",
    "severe_disability",
    "martian",
    "贫困",
]
_DATES = [
    "2018-01-05",
    "2018-06-30",
    "2018-12-31",
    "2019-01-01",
    "2019-07-15",
    "2020-02-29",
    "2017-12-31",
    "2018-02-30",
    "2018/03/01",
    "",
    "２０１８-０５-０１",
    "2018-05-01 00:00",
]
_TEXT = st.sampled_from(
    [
        "",
        " ",
        "x",
        "abc",
        "-5",
        "1.234",
        "1e3",
        "+5",
        "NaN",
        "１２.５",
        "1,00",
        "12,345.6",
        ".5",
        "5.",
        "  700 ",
        "0",
        "-0",
    ]
)


@st.composite
def _amount(draw: st.DrawFn, *, required: bool) -> str:
    kind = draw(st.integers(0, 39))
    if kind < 38:
        value = draw(amounts(max_value=300000))
        whole, cents = divmod(int(value * 100), 100)
        text = f"{whole:,}" if draw(st.booleans()) else str(whole)
        return text + draw(st.sampled_from(["", f".{cents:02d}", f".{cents // 10}"]))
    if kind == 6 and not required:
        return ""
    return draw(_TEXT)


@st.composite
def _mostly(draw: st.DrawFn, good: Any, odd: Any, *, odds: int = 40) -> Any:
    """A draw of ``good`` (a strategy, or values to sample) most of the time, else of
    ``odd``: one time in ``odds``."""
    pick = odd if draw(st.integers(0, odds - 1)) == odds - 1 else good
    return draw(pick if isinstance(pick, st.SearchStrategy) else st.sampled_from(pick))


@st.composite
def _claim_rows(draw: st.DrawFn) -> list[list[str]]:
    """Rows of a few people: attributes kept per person (sometimes left out or changed on a
    row), claims in 2018-2020 (sometimes odd), amounts mostly valid, some bad rows."""
    people = []
    for _ in range(draw(st.integers(1, 6))):
        grade = draw(_mostly([""], ["1", "2", "3", "4"], odds=3))
        people.append(
            [
                draw(
                    _mostly(
                        ["poverty", "", "", "low_income;poverty", "five_guarantee", "low_income"],
                        _CATEGORIES,
                    )
                ),
                grade,
                draw(st.sampled_from(["physical", "intellectual", "mental"])) if grade else "",
                draw(
                    _mostly(
                        ["", "", "", "2018-05-20", "2019-03-31", "2020-01-01"],
                        ["bad", "2018-13-01"],
                    )
                ),
            ]
        )
    out = []
    for _ in range(draw(st.integers(1, 25))):
        p = draw(_mostly(st.integers(0, len(people) - 1), [len(people)], odds=20))
        attrs = people[p] if p < len(people) else ["", "", "", ""]
        attrs = [
            draw(_mostly([a], ["", "", "poverty", "5", "psychic", "2018-06-01"], odds=60))
            for a in attrs
        ]
        day = f"{draw(st.integers(2018, 2020))}-{draw(st.integers(1, 12)):02d}-" + (
            f"{draw(st.integers(1, 28)):02d}"
        )
        # an id as a clerk's file may hold it: spaces around, full-width, other scripts,
        # control and invisible characters (the reference folds or refuses them)
        odd_ids = [f" P{p}", f"P{p} ", f"Ｐ{p}", f"P {p}", f"P{p}\u3000", f"\u200bP{p}", f"P{p}é"]
        row = [
            "" if p == len(people) else draw(_mostly([f"P{p}"], [*odd_ids, f"P\t{p}"], odds=8)),
            draw(_mostly([SERIES, SERIES, ""], [OTHER, "nowhere"])),
            draw(_mostly([day], _DATES)),
            draw(_mostly(_LEVELS[:3], _LEVELS)),
            draw(_amount(required=True)),
            draw(_mostly([""], _amount(required=False), odds=2)),
            draw(_mostly([""], _amount(required=False), odds=5)),
            *attrs,
            draw(_mostly([""], _amount(required=False), odds=8)),
            draw(
                st.sampled_from(
                    ["", "备注", 'a "q"', "a,b", "line\nbreak", "=1+1", "-5", "+86 1", "@x", "\tt"]
                )
            ),
        ]
        if draw(st.integers(0, 30)) == 30:
            row = [""] * len(row)
        out.append(row)
    return out


_RANDOM_HEADER = [
    "person_id",
    "series",
    "date",
    "hospital_level",
    "compliant",
    "total",
    "basic_paid",
    "categories",
    "disability_grade",
    "disability_type",
    "enrolled_on",
    "ytd_basic_paid",
    "备注",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rows=_claim_rows(),
    newline=st.sampled_from(["\r\n", "\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030"]),
    quote_all=st.booleans(),
)
def test_random_rows_give_the_same_output(
    calc: Calculator,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str]],
    newline: str,
    encoding: str,
    quote_all: bool,
) -> None:
    """Random valid and invalid rows, shuffled people and years, bad rows and their
    dependants, any encoding and line end, fields quoted or not: the same bytes."""
    tmp_path = tmp_path_factory.mktemp("random")
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    writer.writerow(_RANDOM_HEADER)
    writer.writerows(rows)
    source = write(tmp_path / "in.csv", buffer.getvalue(), encoding)
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR


#: What ``medcalc.money.parse_amount`` reads without folding (1-12 ASCII digits, perhaps a
#: point and at most two decimals), and what the columnar reader takes besides: thousands
#: separators in groups of three.
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,2})?")
_AMOUNT_TEXT = re.compile(r"(?:[0-9]{1,12}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,3})(?:\.[0-9]{0,2})?")
_CELL = st.text(alphabet="0123456789.,+- x１", max_size=16) | st.from_regex(
    r"\A[0-9]{1,4}(,[0-9]{3}){0,4}(\.[0-9]{0,3})?\Z"
)


@given(cells=st.lists(_CELL, min_size=1, max_size=20))
def test_vectorised_amounts_agree_with_parse_amount(cells: list[str]) -> None:
    """A cell the vectorised parser takes has exactly the value ``parse_amount`` gives."""
    if not ARROW:
        pytest.skip("needs pyarrow")
    import pyarrow as pa

    from medcalc.batch import amount_fen
    from medcalc.money import parse_amount

    column = pa.array(["pad", *cells], pa.string()).slice(1)  # a sliced array: offsets != 0
    found = amount_fen(column)
    for i, cell in enumerate(cells):
        assert found.empty[i] == (cell == "")
        assert found.plain[i] == bool(_PLAIN_AMOUNT.fullmatch(cell)), cell
        assert found.taken[i] == bool(_AMOUNT_TEXT.fullmatch(cell)), cell
        assert found.plain[i] <= found.taken[i], cell  # plain cells are among those taken
        if found.taken[i]:
            assert found.fen[i] == int(parse_amount(cell, field="x") * 100), cell
            alone = amount_fen(pa.array([cell], pa.string()))  # with thousands separators too
            assert alone.taken[0] and alone.fen[0] == found.fen[i], cell
        else:
            assert found.fen[i] == -1, cell


_FEN = st.integers(-(10**14), 10**14) | st.integers(-200, 200)


@given(
    values=st.lists(st.tuples(_FEN, st.booleans()), min_size=1, max_size=30),
    strided=st.booleans(),
    safe=st.booleans(),
)
def test_amount_texts_are_what_cents_text_writes(
    values: list[tuple[int, bool]], strided: bool, safe: bool
) -> None:
    """The columnar writer's fen-to-text gives the reference's text for every amount
    (negative, below one yuan, zero, large), null where the row has no amounts; also for a
    strided column (the engine's amount columns of shuffled rows are views); ``safe``: what
    the row path's writer makes of it (``excel_text``: "'-0.01")."""
    if not ARROW:
        pytest.skip("needs pyarrow")
    import numpy as np

    from medcalc.batch import cents_text, fen_texts

    block = np.zeros((len(values), 4), np.int64)
    block[:, 1] = [v for v, _ in values]
    cents = block[:, 1] if strided else block[:, 1].copy()
    special = np.array([s for _, s in values], np.bool_)
    from medcalc.batch import excel_text

    got = fen_texts(cents, special, safe=safe).to_pylist()
    texts = [None if s else cents_text(v) for v, s in values]
    assert got == [t if t is None or not safe else excel_text(t) for t in texts]


# -- issue 11 on the columnar path: stray quotes, formula-like cells, digits ---------------------

_STRAY_HEADER = "person_id,date,hospital_level,compliant,note\n"
_LINE2_MESSAGE = (
    "{source}: line {line}: a quoted field starts here and never closes, or runs over lines "
    'that are whole rows; a " is missing or stray on this line'
)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        # The stray quote on line 3 closes at a quote ending a cell of line 5: every quote is
        # where RFC 4180 allows it, so pyarrow read rows P2 and P3 into P1's note, exit 0.
        (
            _STRAY_HEADER + "P0,2018-01-01,level_1,50,ok\n"
            'P1,2018-01-02,level_1,100,"24 inch monitor\n'
            "P2,2018-01-03,level_1,200,ok\n"
            'P3,2018-01-04,level_1,300,monitor 24"\n'
            "P4,2018-01-05,level_1,400,x\n",
            3,
        ),
        # After a genuine multi-line cell (2 lines) the stray quote's line is line 4.
        (
            _STRAY_HEADER + 'P0,2018-01-01,level_1,50,"Room 5\nBuilding 2"\n'
            'P1,2018-01-02,level_1,100,"24 inch monitor\n'
            'P2,2018-01-03,level_1,200,monitor 24"\n',
            4,
        ),
        # The stray quote's own row is short (3 commas), so not every line it touches is a
        # whole row; but the next line, inside the field, is one (the row path's rule).
        (
            _STRAY_HEADER + 'P1,2018-01-02,level_1,"100\n'
            "P2,2018-01-03,level_1,200,ok\n"
            'P3,2018-01-04,level_1,300,x",n\n',
            2,
        ),
        # The quote never closes (an odd number of quotes): the reference reader says so.
        (
            _STRAY_HEADER + 'P1,2018-01-02,level_1,100,"24 inch monitor\n'
            "P2,2018-01-03,level_1,200,ok\nP3,2018-01-04,level_1,300,ok\n",
            2,
        ),
    ],
    ids=["closed-later", "after-a-multi-line-cell", "short-row", "never-closed"],
)
def test_stray_quote_is_the_same_error_on_both_engines(
    calc: Calculator, tmp_path: Path, body: str, line: int
) -> None:
    """A quoted field that holds whole rows, or never closes: the row path's error, naming the
    line where the field starts, on both engines; OUT is not written."""
    source = write(tmp_path / "in.csv", body)
    assert same(calc, tmp_path, source, series=SERIES) is None
    got = run(calc, source, tmp_path / "out.csv", "fast", series=SERIES)
    assert got == ("BatchFileError", _LINE2_MESSAGE.format(source=source, line=line))
    assert not (tmp_path / "out.csv").exists()


def test_stray_quote_in_the_middle_of_a_row_is_refused(calc: Calculator, tmp_path: Path) -> None:
    """A stray quote in a row's second cell that closes after the second cell of the next row:
    the record has as many fields as the header (P1, the swallowed text, then P2's date,
    level and amount), so it was read as P1's claim of 2018-01-03 for 999.00 and P2's row was
    lost (``--engine core``: exit 0). Both lines it touches have 4 commas, a whole row each:
    refused on both engines, naming line 2."""
    body = (
        "person_id,note,date,hospital_level,compliant\n"
        'P1,"24 inch monitor,2018-01-02,level_1,100\n'
        'P2,monitor 24",2018-01-03,level_1,999\n'
        "P3,ok,2018-01-05,level_1,400\n"
    )
    source = write(tmp_path / "in.csv", body)
    assert same(calc, tmp_path, source, series=SERIES) is None
    for engine in ("core", "fast"):
        got = run(calc, source, tmp_path / "out.csv", engine, series=SERIES)
        assert got == ("BatchFileError", _LINE2_MESSAGE.format(source=source, line=2))
        assert not (tmp_path / "out.csv").exists()


def test_a_quote_open_past_the_field_size_limit_is_not_held(
    calc: Calculator, tmp_path: Path
) -> None:
    """A quote that never closes, or closes after 200 kB of rows: the columnar reader hands
    the file to the reference reader as soon as the open record passes the csv module's field
    size limit (not holding the rest of the file); both engines give the stray-quote error
    naming the line where the field starts (it was "row 2: field larger than field limit
    (131072)")."""
    body = _STRAY_HEADER + 'P1,2018-01-02,level_1,100,"24 inch monitor\n'
    body += "P2,2018-01-03,level_1,200,ok\n" * 7000
    for text in (body, body + 'P3,2018-01-04,level_1,300,monitor 24"\n'):
        source = write(tmp_path / "in.csv", text)
        assert same(calc, tmp_path, source, series=SERIES) is None
        got = run(calc, source, tmp_path / "out.csv", "fast", series=SERIES)
        assert got == ("BatchFileError", _LINE2_MESSAGE.format(source=source, line=2))


def test_stray_quote_in_a_later_block_names_its_line(calc: Calculator, tmp_path: Path) -> None:
    """Line numbers count on over the columnar reader's 16 MB blocks: a stray quote in the
    second block is named by its line in the file."""
    note = "x" * 900
    good = [f"P{i},2018-01-02,level_1,100,{note}\n" for i in range(19000)]  # ~17.6 MB
    body = (
        _STRAY_HEADER
        + "".join(good)
        + 'P1,2018-01-02,level_1,100,"24 inch monitor\nP2,2018-01-03,level_1,200,24"\n'
    )
    source = write(tmp_path / "in.csv", body)
    assert source.stat().st_size > 16 << 20
    got = run(calc, source, tmp_path / "out.csv", "fast", series=SERIES)
    # header (line 1) + 19,000 rows: the stray quote is on line 19,002
    assert got == ("BatchFileError", _LINE2_MESSAGE.format(source=source, line=19002))


@pytest.mark.parametrize(
    "note",
    [
        '"Room 5, Building 2\nNo. 7 Road, Qingcheng District"',  # an address, commas too
        '"line 1\nline 2\n\nline 4"',
        '"a,b,c\nd"',  # a first line with commas: only later lines are asked
        '"-5\n=1+1"',  # formula-like after a line break: not the start of the cell
    ],
)
def test_multi_line_cells_excel_writes_stay_columnar(
    calc: Calculator, tmp_path: Path, note: str
) -> None:
    """A multi-line cell as Excel writes one is read as columns, the same as the reference."""
    body = _STRAY_HEADER + f"P1,2018-01-02,level_1,100,{note}\r\nP2,2018-01-03,level_1,200,ok\r\n"
    source = write(tmp_path / "in.csv", body)
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR


def test_formula_like_cells_are_text_in_every_column(tmp_path: Path) -> None:
    """Cells beginning with =, +, -, @, tab or CR get a leading ' in every column (header,
    carried, result: the tariff version, a negative amount never arises here), quoted or not,
    as the row path writes them (spec §5); a '-' elsewhere in a cell is left alone."""
    calc = Calculator(book(core_yaml(version="=1+1")))
    body = (
        "person_id,date,hospital_level,compliant,-note,@x\r\n"
        'P1,2018-03-01,level_1,1000,"=HYPERLINK(""http://x"")",+86 138\r\n'
        '-P2,2018-03-02,level_1,2000,"-a,b",\tt\r\n'
        'P3,2018-03-03,level_1,3000,"\r\nx","a ""q"""\r\n'
        'P4,2018-03-04,level_1,4000,"""-q""","x\n-y"\r\n'
        "P5,2018-03-05,level_1,-5,@SUM(A1),a-b\r\n"
    )
    source = write(tmp_path / "in.csv", body)
    report = same(calc, tmp_path, source, series="core")
    assert report is not None and report.engine == COLUMNAR
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][4:6] == ["'-note", "'@x"]
    assert [r[4:6] for r in rows[1:]] == [
        ['\'=HYPERLINK("http://x")', "'+86 138"],
        ["'-a,b", "'\tt"],
        ["'\r\nx", 'a "q"'],
        ['"-q"', "x\n-y"],
        ["'@SUM(A1)", "a-b"],
    ]
    assert rows[2][0] == "'-P2"
    assert rows[5][3] == "'-5"  # the carried amount; the row is an error
    assert {r[12] for r in rows[1:5]} == {"'=1+1"}  # tariff_version


def test_keep_formulas_writes_cells_as_they_are(tmp_path: Path) -> None:
    """``keep_formulas``: the columnar writer copies every cell as it is, as the row path."""
    calc = Calculator(book(core_yaml(version="=1+1")))
    body = "person_id,date,hospital_level,compliant,=note\r\nP1,2018-03-01,level_1,1000,=1+1\r\n"
    source = write(tmp_path / "in.csv", body)
    report = same(calc, tmp_path, source, series="core", keep_formulas=True)
    assert report is not None and report.engine == COLUMNAR
    text = (tmp_path / "again.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("person_id,date,hospital_level,compliant,=note,")
    assert "\r\nP1,2018-03-01,level_1,1000,=1+1,yes," in text
    assert ",=1+1," in text.split("\r\n")[1]  # the tariff version


_FORMULA_CELL = st.text(alphabet="=+-@\t\r\n,\"' ab1", max_size=6)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.lists(st.tuples(_FORMULA_CELL, _FORMULA_CELL), min_size=1, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_formula_like_cells_as_the_row_path_writes_them(
    calc: Calculator,
    tmp_path_factory: pytest.TempPathFactory,
    cells: list[tuple[str, str]],
    quoting: int,
    newline: str,
) -> None:
    """Carried cells of any text (formula starts, quotes, commas, line breaks, at the start of
    a record, a cell or a line inside a cell), quoted or not: the columnar writer's
    vectorised ' is the row path's ``excel_text`` of each cell, byte for byte."""
    tmp_path = tmp_path_factory.mktemp("formulas")
    rows = [
        [first, f"P{i}", f"2018-0{i % 9 + 1}-01", "level_1", "100", second]
        for i, (first, second) in enumerate(cells)
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    writer.writerow(["a", "person_id", "date", "hospital_level", "compliant", "b"])
    writer.writerows(rows)
    source = write(tmp_path / "in.csv", buffer.getvalue())
    same(calc, tmp_path, source, series=SERIES)


_ODD_DIGITS = ["5000²", "①", "٣٤٥", "५०००", "１２³"]


def test_digits_that_are_not_ascii_or_full_width_are_row_errors(
    calc: Calculator, tmp_path: Path
) -> None:
    """Superscript, circled, Arabic-Indic and Devanagari digits in amounts and grades, and
    numbers of 4,300+ digits, are the reference's row errors on the columnar path too (never
    read as digits, never a traceback)."""
    header = ["person_id", "date", "hospital_level", "compliant", "total", "disability_grade"]
    header += ["disability_type", "ytd_basic_paid"]
    rows = [["P0", "2018-01-02", "level_1", "100", "", "", "", ""]]
    for i, odd in enumerate(_ODD_DIGITS):
        rows.append([f"A{i}", "2018-01-02", "level_1", odd, "", "", "", ""])
        rows.append([f"G{i}", "2018-01-02", "level_1", "100", "", odd, "physical", ""])
        rows.append([f"Y{i}", "2018-01-02", "level_1", "100", "", "", "", odd])
    huge = "9" * 4400
    rows.append(["H1", "2018-01-02", "level_1", huge, "", "", "", ""])
    rows.append(["H2", "2018-01-02", "level_1", "100", huge + ".5", "", "", ""])
    rows.append(["H3", "2018-01-02", "level_1", "100", "", huge, "physical", ""])
    source = write(tmp_path / "in.csv", table(header, rows))
    # The encoding given: this is about digits, not about how the encoding is guessed.
    report = same(calc, tmp_path, source, series=SERIES, input_encoding="utf-8")
    assert report is not None and report.engine == COLUMNAR
    assert report.summary.errors == len(rows) - 1
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        errors = {r["person_id"]: r["error"] for r in csv.DictReader(f)}
    assert errors["P0"] == ""
    assert "'²' (U+00B2 SUPERSCRIPT TWO) is not a digit" in errors["A0"]
    assert "'①' (U+2460 CIRCLED DIGIT ONE) is not a digit" in errors["G1"]
    assert "'٣' (U+0663 ARABIC-INDIC DIGIT THREE) is not a digit" in errors["Y2"]
    assert "'५' (U+096B DEVANAGARI DIGIT FIVE) is not a digit" in errors["A3"]
    assert all(
        errors[p].startswith(("compliant", "total", "disability_grade")) for p in ["H1", "H2", "H3"]
    )


_LINES_CELL = st.lists(
    st.text(alphabet="ab 住-=\"'", min_size=0, max_size=5), min_size=2, max_size=4
).map("\n".join)


@st.composite
def _excel_files(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header and rows as Excel writes them: every row as wide as the header, cells that
    hold line breaks (no commas) in any column, carried or known."""
    header = ["person_id", "date", "hospital_level", "compliant"]
    extra = draw(st.integers(1, 3))
    header += [f"note{i}" for i in range(extra)]
    draw(st.randoms()).shuffle(header)
    rows = []
    for i in range(draw(st.integers(1, 6))):
        values = {"person_id": f"P{i % 3}", "date": f"2018-0{i % 9 + 1}-02"}
        values |= {"hospital_level": "level_1", "compliant": "100"}
        rows.append([values.get(name) or draw(_LINES_CELL | st.just("x")) for name in header])
    return header, rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=_excel_files(), data=st.data())
def test_multi_line_cells_are_never_refused_and_stray_quotes_always(
    calc: Calculator,
    tmp_path_factory: pytest.TempPathFactory,
    file: tuple[list[str], list[list[str]]],
    data: st.DataObject,
) -> None:
    """The stray-quote rule: a file as Excel writes it (multi-line cells without commas, in
    any column) is never refused, and the same as the reference; a quote put at the start of
    a cell that closes at the end of a cell of a later row (swallowing the rows between, in
    whole or in part; closing mid-row too) is always refused, naming the line where it
    opens, by both engines (the reference accepted one closing mid-row)."""
    tmp_path = tmp_path_factory.mktemp("stray")
    header, rows = file
    text = table(header, rows, newline="\n")
    source = write(tmp_path / "in.csv", text)
    report = same(calc, tmp_path, source, series=SERIES)
    assert report is not None and report.engine == COLUMNAR
    # A stray quote: plain one-line rows (so that it is the only quote), a quote opening cell
    # c of row r and one closing cell d of row s > r.
    plain = [[cell.replace("\n", " ").replace('"', "") for cell in row] for row in rows]
    plain.append(["P9", "2018-12-30", "level_1", "1", *(["y"] * (len(header) - 4))])
    r = data.draw(st.integers(0, len(plain) - 2))
    s = data.draw(st.integers(r + 1, len(plain) - 1))
    c = data.draw(st.integers(0, len(header) - 1))
    d = data.draw(st.integers(0, len(header) - 1))
    plain[r][c] = '"' + plain[r][c]
    plain[s][d] += '"'
    lines = [",".join(header), *(",".join(row) for row in plain)]
    source = write(tmp_path / "stray.csv", "\n".join(lines) + "\n")
    for engine in ("core", "fast"):
        got = run(calc, source, tmp_path / "out.csv", engine, series=SERIES)
        assert got == ("BatchFileError", _LINE2_MESSAGE.format(source=source, line=r + 2))


_ANY_CELL = st.text(alphabet="ab 住,", max_size=6) | st.text(alphabet='ab,"\n\r', max_size=6)


@st.composite
def _files_with_stray_quotes(draw: st.DrawFn) -> str:
    """A claims file as Python's csv module writes it (cells with commas, quotes and line
    breaks, quoted), then up to two stray quotes put at a field start and a later field end
    anywhere after the header: in a quoted cell, mid-row, on a later line or the same one."""
    header = ["person_id", "date", "hospital_level", "compliant"]
    header += [f"note{i}" for i in range(draw(st.integers(1, 3)))]
    draw(st.randoms()).shuffle(header)
    rows = []
    for i in range(draw(st.integers(1, 6))):
        values = {"person_id": f"P{i % 3}", "date": f"2018-0{i % 9 + 1}-02"}
        values |= {"hospital_level": "level_1", "compliant": "100"}
        rows.append([values.get(name) or draw(_ANY_CELL) for name in header])
    if draw(st.booleans()):  # short rows (accepted, padded): the rule counts their fields
        rows = [row[: draw(st.integers(1, len(header)))] for row in rows]
    text = table(header, rows, newline=draw(st.sampled_from(["\n", "\r\n"])))
    body = text.index("\n") + 1
    starts = [body] + [i + 1 for i in range(body, len(text) - 1) if text[i] in ",\n"]
    ends = [i for i in range(body, len(text)) if text[i] in ",\r\n"]
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.sampled_from(starts))
        later = [e for e in ends if e > a]
        if later:
            b = draw(st.sampled_from(later))
            text = text[:a] + '"' + text[a:b] + '"' + text[b:]
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_files_with_stray_quotes())
# the row path took this for P1's claim of 2018-01-03 for 999.00, P2's row lost, exit 0
@example(
    text="person_id,note,date,hospital_level,compliant\n"
    'P1,"24 inch monitor,2018-01-02,level_1,100\n'
    'P2,monitor 24",2018-01-03,level_1,999\n'
)
# short rows (6 fields, the header 7): the row path read P1's note as '24 inch' and P2's
# claim, P2's row lost, exit 0
@example(
    text="person_id,date,hospital_level,compliant,note,a,b\n"
    'P1,2018-01-02,level_1,100,x,"24 inch\n'
    'P2,2018-01-03,level_1,200,x,y"\n'
    "P3,2018-01-04,level_1,300,x,z\n"
)
# a short row (6 fields) before a full row whose stray quote closes at the end of the next
# short row: the record has 7 fields, but the file's narrowest row 6 (P2's row lost, exit 0)
@example(
    text="person_id,date,hospital_level,compliant,note,a,b\n"
    "P0,2018-01-01,level_1,50,x,y\n"
    'P1,2018-01-02,level_1,100,x,y,"24 inch\n'
    'P2,2018-01-03,level_1,200,x,y"\n'
)
def test_both_engines_apply_the_one_stray_quote_rule(
    calc: Calculator, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """On random files with stray quotes anywhere (closing mid-row, in a quoted cell, on the
    same line), the columnar reader's vectorised rule and the row path's
    (:func:`medcalc.batch.quoted_rows_line`) agree: the same output, or the same error
    naming the same line. A file the rule refuses is refused as a stray quote."""
    tmp_path = tmp_path_factory.mktemp("anystray")
    source = write(tmp_path / "in.csv", text)
    same(calc, tmp_path, source, series=SERIES)


def test_texts_the_reference_refuses_are_its_row_errors(calc: Calculator, tmp_path: Path) -> None:
    """Ids, levels, categories and types the reference refuses (an invisible character, a
    compatibility form such as '²') are its row errors on the columnar path too: never a
    file error naming an internal field."""
    header = ["person_id", "date", "hospital_level", "compliant", "categories"]
    header += ["disability_grade", "disability_type"]
    rows = [
        ["P１", "2018-01-02", "\ufefflevel_1", "100", "", "", ""],
        ["P²", "2018-01-02", "level_1", "100", "", "", ""],
        ["P3", "2018-01-02", "level_1", "100", "pov\u200berty", "", ""],
        ["P4", "2018-01-02", "level_1", "100", "", "2", "phys\u00adical"],
        ["P5", "2018-01-02", "level_1", "100", "", "", ""],
    ]
    source = write(tmp_path / "in.csv", table(header, rows))
    report = same(calc, tmp_path, source, series=SERIES, input_encoding="utf-8")
    assert report is not None and report.engine == COLUMNAR
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        errors = [r["error"].split(":", 1)[0] for r in csv.DictReader(f)]
    assert errors == ["hospital_level", "person_id", "categories", "disability_type", ""]


def test_a_grouped_amount_starting_with_0_is_the_same_row_error_on_both_engines(
    calc: Calculator, tmp_path: Path
) -> None:
    """ "01,000" and "0,123" (a decimal comma?) are no amount on either engine (both read
    "01,000" as 1000.00 before); "1,000" is 1000.00 and a plain "01000" is 1000.00 too."""
    header = ["person_id", "date", "hospital_level", "compliant", "total", "ytd_basic_paid"]
    rows = [
        ["P1", "2018-01-02", "level_1", "01,000", "", ""],
        ["P2", "2018-01-02", "level_1", "100", "0,123", ""],
        ["P3", "2018-01-02", "level_1", "100", "", "012,345.60"],
        ["P4", "2018-01-02", "level_1", "1,000", "", ""],
        ["P5", "2018-01-02", "level_1", "01000", "1,000.50", "0"],
    ]
    source = write(tmp_path / "in.csv", table(header, rows))
    report = same(calc, tmp_path, source, series=SERIES, input_encoding="utf-8")
    assert report is not None and report.engine == COLUMNAR
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        out = {r["person_id"]: r for r in csv.DictReader(f)}
    assert out["P1"]["error"] == "compliant: '01,000' is not an amount (expected e.g. 1234.50)"
    assert out["P2"]["error"] == "total: '0,123' is not an amount (expected e.g. 1234.50)"
    assert out["P3"]["error"] == (
        "ytd_basic_paid: '012,345.60' is not an amount (expected e.g. 1234.50)"
    )
    # level_1, deductible 200, ratio 0.90: basic (1000 - 200) x 0.90 = 720.00; out of pocket
    # 1000 - 720 = 280.00, and 1000.50 - 720 = 280.50 with the total "1,000.50".
    assert [out[p]["error"] for p in ("P4", "P5")] == ["", ""]
    assert [(out[p]["basic"], out[p]["out_of_pocket"]) for p in ("P4", "P5")] == [
        ("720.00", "280.00"),
        ("720.00", "280.50"),
    ]
