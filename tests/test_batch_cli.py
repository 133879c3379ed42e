"""``medcalc batch`` with real files (spec §5): encodings, formats, atomic output, exit codes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from medcalc import Calculator, load_book
from medcalc.batch import CLAIM_RESULTS, BatchFileError, BatchJob, detect_encoding
from medcalc.cli import cli

ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "golden" / "batch"
EXAMPLES = ROOT / "examples"
UPDATE_GOLDEN = os.environ.get("MEDCALC_UPDATE_GOLDEN") == "1"
SERIES = "qingyuan-qingcheng"

HEADER = ["person_id", "姓名", "date", "hospital_level", "compliant", "备注"]
ROWS = [
    ["P1", "张三", "2018-09-14", "level_3", "72,000.00", "第二次住院"],
    ["P2", "李四", "2018-03-02", "level_2", "１８５００", "全角数字"],
    ["P1", "张三", "2018-02-20", "level_2", "38000", "首次住院，含逗号"],
]


@pytest.fixture
def runner() -> CliRunner:
    # English unless a test asks for zh: most tests here hold the library's own words (the
    # Chinese of every message is tested in test_messages.py).
    return CliRunner(env={"MEDCALC_LANG": "en"})


def batch(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, ["batch", *[str(a) for a in args]], catch_exceptions=False)


def write_csv(
    path: Path, rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", header: Any = HEADER
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_csv_encoding_is_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    """UTF-8, UTF-8 with a BOM and GB18030 are told apart by the bytes alone."""
    path = write_csv(tmp_path / "in.csv", ROWS, encoding=encoding)
    assert detect_encoding(path) == detected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_text_survives_every_input_encoding(
    runner: CliRunner, tmp_path: Path, encoding: str
) -> None:
    """Chinese columns and values come out as they went in, whatever the input encoding."""
    source = write_csv(tmp_path / "in.csv", ROWS, encoding=encoding)
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    assert result.exit_code == 0, result.stderr
    out = read_csv(tmp_path / "out.csv")
    assert [r["姓名"] for r in out] == ["张三", "李四", "张三"]
    assert [r["备注"] for r in out] == ["第二次住院", "全角数字", "首次住院，含逗号"]


def test_forced_input_encoding_is_used(runner: CliRunner, tmp_path: Path) -> None:
    """``--input-encoding`` overrides detection (here GB18030 read as what it is)."""
    source = write_csv(tmp_path / "in.csv", ROWS, encoding="gb18030")
    result = batch(
        runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES,
        "--input-encoding", "gb18030",
    )  # fmt: skip
    assert result.exit_code == 0
    assert read_csv(tmp_path / "out.csv")[0]["姓名"] == "张三"


def test_wrongly_forced_encoding_is_a_file_error(runner: CliRunner, tmp_path: Path) -> None:
    """GB18030 bytes forced to be read as UTF-8 fail cleanly with exit 1, nothing written."""
    source = write_csv(tmp_path / "in.csv", ROWS, encoding="gb18030")
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES,
                   "--input-encoding", "utf-8")  # fmt: skip
    assert result.exit_code == 1
    assert "cannot be read as utf-8" in result.stderr
    assert not out.exists()


def test_undecodable_file_is_a_file_error(tmp_path: Path) -> None:
    """Bytes that are neither UTF-8 nor GB18030 are refused, asking for --input-encoding."""
    path = tmp_path / "in.csv"
    path.write_bytes(b"person_id,date,compliant\n\xff\xfe\xff,2018-01-01,1\n")
    with pytest.raises(BatchFileError, match="neither UTF-8 nor GB18030"):
        detect_encoding(path)


def test_utf16_file_gets_a_specific_message(tmp_path: Path) -> None:
    """Excel's 'Unicode text' (UTF-16) is named as such."""
    path = tmp_path / "in.csv"
    path.write_bytes("person_id\tdate\n".encode("utf-16"))
    with pytest.raises(BatchFileError, match="UTF-16"):
        detect_encoding(path)


def test_csv_output_is_utf8_with_bom_by_default(runner: CliRunner, tmp_path: Path) -> None:
    """CSV output starts with a UTF-8 BOM and uses CRLF line ends, as Excel expects."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfperson_id,")
    assert b"\r\n" in data


def test_output_encoding_can_be_chosen(runner: CliRunner, tmp_path: Path) -> None:
    """``--output-encoding gb18030`` writes GB18030 without a BOM."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES,
                   "--output-encoding", "gb18030")  # fmt: skip
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"person_id,")
    assert read_csv(out, "gb18030")[1]["姓名"] == "李四"


def test_unencodable_output_is_a_file_error(runner: CliRunner, tmp_path: Path) -> None:
    """Chinese text cannot be written as ASCII: exit 1 and nothing written."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES,
                   "--output-encoding", "ascii")  # fmt: skip
    assert result.exit_code == 1
    assert "cannot write '姓名' in encoding ascii" in result.stderr
    assert not out.exists() and os.listdir(tmp_path) == ["in.csv"]


# -- rows and columns -----------------------------------------------------------------------


def test_rows_keep_input_order_and_columns_untouched(runner: CliRunner, tmp_path: Path) -> None:
    """Unsorted rows come out in input order, input columns first and unchanged."""
    rows = [
        ["P1", "张三", "2018-09-14", "level_3", "72,000.00", 'quote " and\nnewline'],
        *ROWS[1:],
    ]
    source = write_csv(tmp_path / "in.csv", rows)
    batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        out = list(csv.reader(f))
    assert out[0] == HEADER + list(CLAIM_RESULTS)
    assert [r[: len(HEADER)] for r in out[1:]] == rows
    assert [r[len(HEADER)] for r in out[1:]] == ["yes", "yes", "yes"]


def test_result_columns_in_the_input_are_replaced(runner: CliRunner, tmp_path: Path) -> None:
    """Running a batch on its own output replaces the old results instead of repeating them."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    batch(runner, "claims", source, "-o", tmp_path / "once.csv", "--series", SERIES)
    result = batch(runner, "claims", tmp_path / "once.csv", "-o", tmp_path / "twice.csv",
                   "--series", SERIES, "--lang", "en")  # fmt: skip
    assert result.exit_code == 0
    assert "result columns in the input were replaced: covered" in result.stderr
    assert (tmp_path / "once.csv").read_bytes() == (tmp_path / "twice.csv").read_bytes()


def test_short_rows_are_padded_and_long_rows_refused(runner: CliRunner, tmp_path: Path) -> None:
    """A row with fewer fields is padded; one with values beyond the header is a file error."""
    short = write_csv(tmp_path / "short.csv", [["P1", "张三", "2018-01-05", "level_1", "900"]])
    result = batch(runner, "claims", short, "-o", tmp_path / "a.csv", "--series", SERIES)
    assert result.exit_code == 0
    long = write_csv(tmp_path / "long.csv", [[*ROWS[0], "extra"]])
    result = batch(runner, "claims", long, "-o", tmp_path / "b.csv", "--series", SERIES)
    assert result.exit_code == 1
    assert "row 2 has 7 fields but the header has 6" in result.stderr


def test_blank_rows_are_kept_and_trailing_ones_dropped(runner: CliRunner, tmp_path: Path) -> None:
    """An interior blank row stays (keeping row numbers); blank rows at the end go."""
    rows = [ROWS[0], ["", "", "", "", "", ""], ROWS[1], ["", "", "", "", "", ""]]
    source = write_csv(tmp_path / "in.csv", rows)
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES,
                   "--lang", "en")  # fmt: skip
    out = read_csv(tmp_path / "out.csv")
    assert [r["person_id"] for r in out] == ["P1", "", "P2"]
    assert out[1]["error"] == "" and out[1]["basic"] == ""
    assert result.stderr.startswith("2 rows: 2 ok, 0 with errors (and 1 blank row)")


def test_error_rows_name_the_field_and_the_row(runner: CliRunner, tmp_path: Path) -> None:
    """A bad amount is named; the person's later row names the bad row's number (row 2)."""
    rows = [["P1", "张三", "2018-03-01", "level_2", "12x", ""], ROWS[0]]
    source = write_csv(tmp_path / "in.csv", rows)
    batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    out = read_csv(tmp_path / "out.csv")
    assert out[0]["error"].startswith("compliant: '12x' is not an amount")
    assert out[0]["basic"] == ""
    assert out[1]["error"] == "depends on row 2 of the same person and year, which has an error"


# -- XLSX and JSON Lines --------------------------------------------------------------------


def write_xlsx(path: Path, header: list[Any], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "#")):
                cell.data_type = "s"  # text that looks like a formula or an error code
    book.save(path)
    return path


def read_xlsx(path: Path) -> list[list[Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    width = max(len(r) for r in rows)
    return [r + [None] * (width - len(r)) for r in rows]  # trailing empty cells are not stored


def test_xlsx_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    """XLSX in and out: text and whole-number cells are read, carried cells keep their values
    and types, and result amounts are number cells with the 0.00 format (Excel sums them)."""
    source = write_xlsx(
        tmp_path / "in.xlsx",
        ["person_id", "姓名", "date", "hospital_level", "compliant", "件数", "公式样文本"],
        [
            ["P1", "张三", "2018-09-14", "level_3", "72,000.00", 3, "=SUM(A1)"],
            ["P2", "李四", "2018-03-02", "level_2", 18500, 1.5, "#N/A"],
        ],
    )
    out = tmp_path / "out.xlsx"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES)
    assert result.exit_code == 0, result.stderr
    rows = read_xlsx(out)
    assert rows[0][:7] == ["person_id", "姓名", "date", "hospital_level", "compliant", "件数",
                           "公式样文本"]  # fmt: skip
    assert rows[1][:7] == ["P1", "张三", "2018-09-14", "level_3", "72,000.00", 3, "=SUM(A1)"]
    assert rows[2][4:7] == [18500, 1.5, "#N/A"]
    basic = rows[0].index("basic")
    # basic under the 2018 table, level 3: (72000.00 - 800) x 0.65 = 46280.00
    assert rows[1][basic] == 46280
    cell = openpyxl.load_workbook(out).worksheets[0].cell(2, basic + 1)
    assert (cell.data_type, cell.number_format) == ("n", "0.00")
    assert rows[1][rows[0].index("error")] is None


def test_xlsx_number_cells_are_read_as_typed(runner: CliRunner, tmp_path: Path) -> None:
    """A number cell is read as the clerk typed it (72000.5, its shortest decimal text); one
    with more than 2 decimals is refused, naming the field."""
    source = write_xlsx(
        tmp_path / "in.xlsx",
        ["person_id", "date", "hospital_level", "compliant"],
        [["P1", "2018-09-14", "level_3", 72000.5], ["P2", "2018-09-14", "level_3", 72000.555]],
    )
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    assert result.exit_code == 3
    out = read_csv(tmp_path / "out.csv")
    assert (out[0]["error"], out[0]["compliant"]) == ("", "72000.5")
    # basic under the 2018 table, level 3: (72000.50 - 800) x 0.65 = 46280.325 -> 46280.33
    assert out[0]["basic"] == "46280.33"
    assert out[1]["error"] == "compliant: 72000.555 has more than 2 decimal places"


def test_control_character_cannot_go_into_xlsx(runner: CliRunner, tmp_path: Path) -> None:
    """A control character XLSX cannot store fails the batch cleanly, naming the row."""
    source = write_csv(tmp_path / "in.csv", [ROWS[0], [*ROWS[1][:5], "bell\x07"]])
    out = tmp_path / "out.xlsx"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES)
    assert result.exit_code == 1
    assert "row 3 holds a control character that XLSX cannot store" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_xlsx_date_cells_are_dates(runner: CliRunner, tmp_path: Path) -> None:
    """Real date cells are read as dates and written to CSV as ISO dates."""
    import datetime as dt

    source = write_xlsx(
        tmp_path / "in.xlsx",
        ["person_id", "date", "hospital_level", "compliant"],
        [["P1", dt.datetime(2018, 9, 14), "level_3", "72000"]],
    )
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    assert result.exit_code == 0
    assert read_csv(tmp_path / "out.csv")[0]["date"] == "2018-09-14"


def test_xlsx_premiums_with_whole_number_cells(runner: CliRunner, tmp_path: Path) -> None:
    """Whole-number cells for year, grade and pension grade are read as those numbers."""
    source = write_xlsx(
        tmp_path / "in.xlsx",
        ["person_id", "year", "disability_grade", "disability_type", "birth_date",
         "pension_grade"],
        [["P1", 2019, 3, "intellectual", "2001-08-15", 240.0]],
    )  # fmt: skip
    out = tmp_path / "out.csv"
    result = batch(runner, "premiums", source, "-o", out, "--series", SERIES)
    assert result.exit_code == 0, result.stderr
    row = read_csv(out)[0]
    assert (row["year"], row["disability_grade"], row["pension_grade"]) == ("2019", "3", "240")
    assert (row["medical_profile"], row["pension_contribution"]) == ("severe_disability", "240.00")


def test_csv_to_xlsx_keeps_text_as_text(runner: CliRunner, tmp_path: Path) -> None:
    """CSV values (e.g. ``0012`` or ``72,000.00``) become text cells, never numbers."""
    source = write_csv(tmp_path / "in.csv", [["0012", "张三", "2018-09-14", "level_3",
                                              "72,000.00", ""]])  # fmt: skip
    batch(runner, "claims", source, "-o", tmp_path / "out.xlsx", "--series", SERIES)
    rows = read_xlsx(tmp_path / "out.xlsx")
    assert rows[1][0] == "0012" and rows[1][4] == "72,000.00"


def test_jsonl_in_and_out(runner: CliRunner, tmp_path: Path) -> None:
    """JSON Lines: numbers read exactly, categories as a list, unknown keys (nested too)
    carried through, results as strings; blank lines skipped."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"person_id": "P1", "date": "2018-09-14", "hospital_level": "level_3", '
        '"compliant": 72000.10, "categories": ["poverty"], "extra": {"备注": [1, 2.50]}}\n'
        "\n"
        '{"person_id": "P1", "date": "2018-02-20", "hospital_level": "level_2", '
        '"compliant": "38,000.00", "categories": "poverty"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8").splitlines()
    assert len(text) == 2
    assert '"compliant": 72000.10' in text[0] and '"extra": {"备注": [1, 2.50]}' in text[0]
    first = json.loads(text[0], parse_float=Decimal)
    assert first["covered"] == "yes" and first["error"] is None
    assert isinstance(first["basic"], str) and first["critical_illness_profile"] == "poverty"


def test_jsonl_to_csv_uses_every_key_seen(runner: CliRunner, tmp_path: Path) -> None:
    """Keys that only some objects have become columns, empty where absent."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"person_id": "P1", "date": "2018-01-05", "hospital_level": "level_1", '
        '"compliant": "900"}\n'
        '{"person_id": "P2", "date": "2018-01-05", "hospital_level": "level_1", '
        '"compliant": "900", "备注": "新"}\n',
        encoding="utf-8",
    )
    batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    out = read_csv(tmp_path / "out.csv")
    assert [r["备注"] for r in out] == ["", "新"]


def test_malformed_jsonl_is_a_file_error(runner: CliRunner, tmp_path: Path) -> None:
    """A line that is not a JSON object fails the batch, naming the line."""
    source = tmp_path / "in.jsonl"
    source.write_text('{"person_id": "P1"}\n[1, 2]\n', encoding="utf-8")
    result = batch(runner, "claims", source, "-o", tmp_path / "out.jsonl", "--series", SERIES)
    assert result.exit_code == 1
    assert "line 2 is not a JSON object" in result.stderr


def test_format_can_be_given_for_other_extensions(runner: CliRunner, tmp_path: Path) -> None:
    """``--input-format`` and ``--output-format`` cover files with other extensions."""
    source = write_csv(tmp_path / "in.txt", ROWS)
    out = tmp_path / "out.data"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES,
                   "--input-format", "csv", "--output-format", "jsonl")  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["姓名"] == "张三"


# -- atomic output --------------------------------------------------------------------------


def test_tariff_error_leaves_existing_output_untouched(runner: CliRunner, tmp_path: Path) -> None:
    """A broken tariff directory fails with exit 1 before OUT is touched."""
    bad = tmp_path / "tariffs"
    bad.mkdir()
    (bad / "broken.yaml").write_text("format: 1\nseries: [\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old results\n", encoding="utf-8")
    source = write_csv(tmp_path / "in.csv", ROWS)
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES, "--tariffs", bad)
    assert result.exit_code == 1
    assert "broken.yaml" in result.stderr
    assert out.read_text(encoding="utf-8") == "old results\n"


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "jsonl"])
def test_failure_mid_write_leaves_output_untouched(tmp_path: Path, suffix: str) -> None:
    """An exception while writing the second row leaves OUT as it was and no temporary file
    (the exception raised by the progress callback, told of every row written)."""
    calls = []

    def failing(stage: str, done: int, total: int | None) -> None:
        if stage == "write":
            calls.append(done)
            if len(calls) == 2:
                raise RuntimeError("disk on fire")

    out = tmp_path / f"out.{suffix}"
    out.write_bytes(b"old results")
    source = write_csv(tmp_path / "in.csv", ROWS)
    job = BatchJob.plan("claims", source, out, series=SERIES, engine="core")
    with pytest.raises(RuntimeError, match="disk on fire"):
        job.run(Calculator(load_book()), failing, progress_every=1)
    assert calls == [1, 2]
    assert out.read_bytes() == b"old results"
    assert sorted(os.listdir(tmp_path)) == sorted(["in.csv", f"out.{suffix}"])


@pytest.mark.parametrize("engine", ["core", "auto"])
def test_input_changed_between_readings_writes_nothing(tmp_path: Path, engine: str) -> None:
    """If FILE changes while the batch runs (here: a row appended after the first reading),
    it stops (a file error: exit 1) and OUT stays as it was."""
    out = tmp_path / "out.csv"
    out.write_bytes(b"old results")
    source = write_csv(tmp_path / "in.csv", ROWS)

    def append_a_row(stage: str, done: int, total: int | None) -> None:
        if stage == "compute":
            with source.open("a", encoding="utf-8") as f:
                f.write("P9,王五,2018-05-01,level_1,100,追加\n")

    job = BatchJob.plan("claims", source, out, series=SERIES, engine=engine)
    with pytest.raises(BatchFileError, match="changed while it was being read") as caught:
        job.run(Calculator(load_book()), append_a_row)
    assert caught.value.exit_code == 1
    assert out.read_bytes() == b"old results"


@pytest.mark.parametrize("engine", ["core", "auto"])
def test_medcalc_batch_exits_1_when_its_input_changes_while_read(
    runner: CliRunner, tmp_path: Path, engine: str
) -> None:
    """``medcalc batch`` whose FILE grows while OUT is written (a row appended by another
    thread once the first result byte arrives) exits 1 saying FILE changed, nothing on stdout.

    OUT is a FIFO, so the test sees the second reading begin (OUT is opened only after the
    first). The results (over 1.5 MB) are more than a pipe holds (64 KiB, at most 1 MiB), so
    the batch cannot finish writing, and look at FILE again, before the test reads them: the
    row is appended first, every time."""
    rows = [[f"P{i}", "张三", "2018-02-20", "level_2", "38000", "x" * 4000] for i in range(400)]
    source = write_csv(tmp_path / "in.csv", rows)
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read_and_append() -> None:
        with fifo.open("rb", buffering=0) as results:
            received.append(results.read(1))  # the second reading has begun
            with source.open("a", encoding="ascii", newline="") as f:
                f.write("P9,x,2018-05-01,level_1,100,appended\r\n")  # ASCII: no half character
            received.append(results.read())

    reader = threading.Thread(target=read_and_append, daemon=True)
    reader.start()
    result = batch(runner, "claims", source, "-o", fifo, "--series", SERIES, "--engine", engine)
    if reader.is_alive():  # OUT never opened (a failure): let the reader see an empty FIFO
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=30)
    assert received[0] == b"\xef"  # the first byte of the BOM: OUT was being written
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {source} changed while it was being read\n"


def test_success_replaces_output_and_keeps_its_permissions(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A finished batch replaces OUT in one step, with OUT's old permissions."""
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    source = write_csv(tmp_path / "in.csv", ROWS)
    assert batch(runner, "claims", source, "-o", out, "--series", SERIES).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfperson_id")
    assert out.stat().st_mode & 0o777 == 0o640


# -- exit codes and messages ----------------------------------------------------------------


def test_exit_0_when_every_row_is_computed(runner: CliRunner, tmp_path: Path) -> None:
    """All rows fine: exit 0, nothing on stdout, the summary on stderr."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES, "--lang", "zh")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "3 行：成功 3，错误 0"
    assert "合计（成功的行）：基本医保 " in result.stderr


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "zh",
            "合计（成功的行）：基本医保 77,480.00，大病保险 20,636.00，"
            "医疗救助 15,318.80，个人自付 16,565.20",
        ),
        (
            "en",
            "totals of the ok rows: basic 77,480.00, critical_illness 20,636.00, "
            "assistance 15,318.80, out_of_pocket 16,565.20",
        ),
    ],
)
def test_the_totals_have_thousands_separators(
    runner: CliRunner, tmp_path: Path, lang: str, line: str
) -> None:
    """The README's stay (poverty, level 3, total 130,000, compliant 120,000): its amounts as
    the summary prints them, grouped by thousands like every table a clerk reads;
    out of pocket = 130,000 - 77,480.00 - 20,636.00 - 15,318.80 = 16,565.20."""
    source = write_csv(
        tmp_path / "in.csv",
        [["P1", "poverty", "2018-06-01", "level_3", "130000", "120000"]],
        header=["person_id", "categories", "date", "hospital_level", "total", "compliant"],
    )
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES, "--lang", lang)
    assert result.exit_code == 0
    assert line in result.stderr.splitlines()


def test_exit_3_when_some_rows_have_errors(runner: CliRunner, tmp_path: Path) -> None:
    """Some bad rows: exit 3, OUT written, the summary says how many and where to look."""
    source = write_csv(tmp_path / "in.csv", [*ROWS, ["P3", "", "2018-01-01", "", "1", ""]])
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES, "--lang", "en")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "4 rows: 3 ok, 1 with errors"
    assert result.stderr.splitlines()[-1] == f"1 row has errors; see the error column of {out}"
    assert len(read_csv(out)) == 4


def test_exit_1_for_a_missing_required_column(runner: CliRunner, tmp_path: Path) -> None:
    """A file without a required column is refused as a whole, naming the column."""
    source = write_csv(tmp_path / "in.csv", [["P1", "2018-01-01"]], header=["person_id", "date"])
    out = tmp_path / "out.csv"
    result = batch(runner, "claims", source, "-o", out, "--series", SERIES)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {source}: no compliant column (columns: 'person_id', 'date')\n"
    assert not out.exists()


@pytest.mark.parametrize("char", ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"], ids=ascii)
def test_a_control_character_in_a_column_name_stays_on_one_line(
    runner: CliRunner, tmp_path: Path, char: str
) -> None:
    """The header's names are quoted as every value in a message is (``money.shown``: its
    repr), so a line feed or vertical tab in one is shown escaped; the message is one
    ``错误:`` line. It was two: ``(columns: person_id, date, hospital`` / ``level)``."""
    header = ["person_id", "date", f"hospital{char}level"]
    source = write_csv(tmp_path / "in.csv", [["P1", "2018-01-01", "x"]], header=header)
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    assert result.exit_code == 1
    shown = repr(f"hospital{char}level")
    assert result.stderr == (
        f"Error: {source}: no compliant column (columns: 'person_id', 'date', {shown})\n"
    )


@pytest.mark.parametrize(
    "char", ["\r", "\x0b", "\x0c", "\x1c", "\x1e", "\x85", "\u2028", "\u2029"], ids=ascii
)
def test_the_error_boundary_splits_only_at_line_feeds(char: str) -> None:
    """A message's lines are separated by line feeds only (one problem each, as a tariff
    file error has them); any other control or separator character, wherever it comes from
    (a value quoted without repr, a file name, a library's own message), is shown escaped
    as repr shows it, so each problem stays one ``错误:`` line."""
    from medcalc.cli.common import error_line

    exc = BatchFileError(f"a.csv: bad{char}value\nb.csv: second problem")
    escaped = repr(char)[1:-1]
    assert error_line(exc).split("\n") == [
        f"错误: a.csv: bad{escaped}value",
        "错误: b.csv: second problem",
    ]
    assert error_line(exc, "en").splitlines()[0] == f"Error: a.csv: bad{escaped}value"


def test_exit_1_for_a_known_column_given_twice(runner: CliRunner, tmp_path: Path) -> None:
    """Two columns that both mean ``date`` (case and spaces aside) are ambiguous."""
    source = write_csv(
        tmp_path / "in.csv",
        [["P1", "2018-01-01", "2018-01-02", "100"]],
        header=["person_id", "date", " Date ", "compliant"],
    )
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", SERIES)
    assert result.exit_code == 1
    assert (
        "the header has column 'date' twice: 'date' (column 2) and ' Date ' (column 3); keep one"
        in result.stderr
    )


def test_exit_1_for_a_missing_input_file(runner: CliRunner, tmp_path: Path) -> None:
    """A FILE that does not exist is a file error."""
    result = batch(runner, "claims", tmp_path / "nope.csv", "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_exit_1_for_an_unknown_series_option(runner: CliRunner, tmp_path: Path) -> None:
    """``--series`` naming no known series fails before anything is read."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    result = batch(runner, "claims", source, "-o", tmp_path / "out.csv", "--series", "nowhere")
    assert result.exit_code == 1
    assert "no tariff series 'nowhere'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.txt"], "cannot tell the format of out.txt"),
        (["-o", "out.xls"], ".xls workbooks are not supported"),
        (["-o", "out.jsonl", "--output-encoding", "gb18030"], "applies to CSV output only"),
        (["-o", "out.csv", "--output-encoding", "klingon"], "unknown encoding 'klingon'"),
        (["-o", "in.csv"], "is the input file"),
        (["--input-format", "xlsx", "--input-encoding", "gb18030", "-o", "out.csv"], "not XLSX"),
        (
            ["--input-format", "pdf", "-o", "out.csv", "--lang", "zh"],
            "错误: '--input-format' 的值无效：'pdf' 不是",
        ),
        (
            ["--input-format", "pdf", "-o", "out.csv", "--lang", "en"],
            "Error: Invalid value for '--input-format': 'pdf' is not one of",
        ),
    ],
)
def test_exit_2_for_usage_errors(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    """Wrong extensions, encodings, formats or OUT = FILE are usage errors (exit 2)."""
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "in.csv", ROWS)
    result = batch(runner, "claims", "in.csv", "--series", SERIES, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_exit_2_without_series_column_or_option(runner: CliRunner, tmp_path: Path) -> None:
    """A file without a series column needs ``--series`` (or ``MEDCALC_SERIES``) when more
    than one series is installed; with only one, that one is the default."""
    source = write_csv(tmp_path / "in.csv", ROWS)
    more = ROOT / "tests" / "good_tariffs"  # a second series
    result = runner.invoke(
        cli,
        ["batch", "claims", str(source), "-o", str(tmp_path / "out.csv"), "--tariffs", str(more)],
        env={"MEDCALC_SERIES": None, "MEDCALC_TARIFFS": None},
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "has no series column; give --series" in result.stderr


def test_progress_bars_only_change_stderr(tmp_path: Path) -> None:
    """With a terminal on stderr, progress is drawn there; stdout and OUT are unchanged (a
    real ``medcalc batch`` process, its stderr a pseudo-terminal)."""
    if not hasattr(os, "openpty"):
        pytest.skip("needs a pseudo-terminal")
    source = write_csv(tmp_path / "in.csv", ROWS * 3)
    out = tmp_path / "out.csv"
    args = ["batch", "claims", str(source), "-o", str(out), "--series", SERIES]
    main, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "medcalc", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    stdout, _ = process.communicate(timeout=60)
    stderr = drawn.decode("utf-8")
    assert process.returncode == 0, stderr
    assert stdout == b""
    assert "计算" in stderr and "写入" in stderr
    assert "9 行：成功 9，错误 0" in stderr
    plain = tmp_path / "plain.csv"
    quiet = CliRunner().invoke(cli, [*args[:3], "-o", str(plain), *args[5:]])
    assert quiet.exit_code == 0 and "计算" not in quiet.stderr
    assert out.read_bytes() == plain.read_bytes()


def test_premiums_batch(runner: CliRunner, tmp_path: Path) -> None:
    """``batch premiums`` appends the premium columns and totals them in the summary."""
    source = write_csv(
        tmp_path / "in.csv",
        [["P1", "2018", "poverty", "1975-04-12", "建档立卡"]],
        header=["person_id", "year", "categories", "birth_date", "备注"],
    )
    out = tmp_path / "out.csv"
    result = batch(runner, "premiums", source, "-o", out, "--series", SERIES, "--lang", "en")
    assert result.exit_code == 0
    row = read_csv(out)[0]
    assert (row["备注"], row["pension_due"]) == ("建档立卡", "yes")
    assert row["medical_individual"] == "0.00"
    assert "medical_government 180.00" in result.stderr


# -- golden files ---------------------------------------------------------------------------


def _golden(name: str, produced: bytes) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced)
    assert path.exists(), f"{path} missing; run with MEDCALC_UPDATE_GOLDEN=1 to create it"
    assert produced == path.read_bytes(), f"{name} differs; if intended, MEDCALC_UPDATE_GOLDEN=1"


@pytest.mark.parametrize(
    ("kind", "source", "golden", "code"),
    [
        ("claims", EXAMPLES / "claims.csv", "claims.out.csv", 0),
        ("claims", EXAMPLES / "claims.xlsx", "claims.out.csv", 0),
        ("premiums", EXAMPLES / "premiums.csv", "premiums.out.csv", 0),
        ("claims", GOLDEN / "claims_with_errors.csv", "claims_with_errors.out.csv", 3),
    ],
)
def test_golden_output(
    runner: CliRunner, tmp_path: Path, kind: str, source: Path, golden: str, code: int
) -> None:
    """The examples' (and an error file's) output is exactly the reviewed golden file."""
    out = tmp_path / "out.csv"
    result = batch(runner, kind, source, "-o", out, "--series", SERIES)
    assert result.exit_code == code, result.stderr
    _golden(golden, out.read_bytes())
