"""Random malformed batch files: ``medcalc batch claims`` never crashes, loses or invents a row.

A small valid claims file (CSV, and the same as JSON Lines) is mutated at random (stray
quotes, also a pair opening at a field start and closing at a later field end, mid-row; NUL
and control characters, odd bytes, truncated or repeated lines, extra and missing commas,
BOMs, digits that are not ASCII, numbers of thousands of digits, deeply nested JSON)
and run in process through ``--engine core`` and ``--engine fast``. Each run must end with
exit 0, 3 (rows with errors) or 1 (a file error, one clean message, nothing written), never an
unexpected exception; when a file is written it has one row per input row (trailing blank CSV
rows dropped); and the two engines give the same bytes, or the same message.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings

pytest.importorskip("numpy")

from medcalc.cli import cli

from support import PIECES, mutated

SERIES = "qingyuan-qingcheng"

_CSV = (
    "person_id,姓名,date,hospital_level,compliant,total,disability_grade,disability_type,note\r\n"
    'P1,张三,2018-02-20,level_2,"38,000.00","45,000.00",,,首次住院\r\n'
    "P1,张三,2018-09-14,level_3,72000,86000,,,\r\n"
    "P2,李四,2019-03-02,level_1,９８００,,2,physical,全角\r\n"
    'P3,王五,2020-06-11,level_2,1200.5,,,,"a ""q"", b"\r\n'
    "P2,李四,2019-05-02,level_1,300,,2,physical,x\r\n"
).encode()

_JSONL = (
    "\n".join(
        json.dumps(record, ensure_ascii=False)
        for record in [
            {
                "person_id": "P1",
                "date": "2018-02-20",
                "hospital_level": "level_2",
                "compliant": "38000.00",
                "categories": ["poverty"],
            },
            {
                "person_id": "P1",
                "date": "2018-09-14",
                "hospital_level": "level_3",
                "compliant": 72000,
                "total": 86000,
            },
            {
                "person_id": "P2",
                "date": "2019-03-02",
                "hospital_level": "level_1",
                "compliant": "９８００",
                "disability_grade": 2,
                "disability_type": "physical",
            },
            {
                "person_id": "P3",
                "date": "2020-06-11",
                "hospital_level": "level_2",
                "compliant": 1200.5,
                "note": 'a "q", b',
            },
        ]
    )
    + "\n"
).encode()

_JSON_PIECES = [
    b"[" * 1000,
    b'{"a":' * 1000,
    b'"person_id": "P9", ',
    b'"compliant": "1", "compliant": "2", ',
    b"NaN",
    b"1e999",
    b'"\\ud800"',
    b"}",
    b"{",
    b"null",
]


def _run(source: Path, out: Path, engine: str) -> tuple[Result, bytes | None]:
    """One batch run in process, and what it wrote (None: nothing)."""
    if out.exists():
        out.unlink()
    args = ["batch", "claims", str(source), "-o", str(out), "--series", SERIES]
    result = CliRunner().invoke(cli, [*args, "--engine", engine])
    return result, out.read_bytes() if out.exists() else None


def _text(data: bytes) -> str | None:
    """The file's text (for counting its records: every line end and quote is ASCII in both
    encodings), None when it is neither UTF-8 nor GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_rows_in(data: bytes) -> int | None:
    """Records after the header as the reference reads them (trailing blank ones dropped);
    None when the file cannot be read so."""
    text = _text(data)
    if text is None:
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))[1:]
    except csv.Error:
        return None
    while records and not "".join(records[-1]).strip():
        records.pop()
    return len(records)


def _csv_rows_out(data: bytes) -> int:
    return len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))) - 1


def _jsonl_rows_in(data: bytes) -> int | None:
    """Lines that are not blank (each one object, one output line)."""
    text = _text(data)
    if text is None:
        return None
    return sum(1 for line in io.StringIO(text, newline=None) if line.strip())


def _check(source: Path, tmp_path: Path, suffix: str) -> None:
    """Both engines on ``source``: clean ends, rows in = rows out, the same bytes or error."""
    out = tmp_path / f"out{suffix}"
    outcomes = {}
    for engine in ("core", "fast"):
        result, written = _run(source, out, engine)
        exception = result.exception
        assert exception is None or isinstance(exception, SystemExit), (
            engine,
            repr(exception),
            result.output,
        )
        assert result.exit_code in (0, 1, 3), (engine, result.exit_code, result.output)
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert written is None, engine  # nothing written on a file error
            assert result.output.startswith(("错误: ", "Error: ")), result.output
        else:
            assert written is not None, engine
            data = source.read_bytes()
            if suffix == ".csv":
                expected = _csv_rows_in(data)
                assert expected is not None, (engine, "a file the reference cannot read")
                assert _csv_rows_out(written) == expected, engine
            else:
                expected = _jsonl_rows_in(data)
                assert expected is not None
                assert len(written.splitlines()) == expected, engine
        outcomes[engine] = (result.exit_code, result.output, written)
    assert outcomes["fast"] == outcomes["core"]


_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_SETTINGS
@given(data=mutated(_CSV, PIECES))
# A stray quote closing at a quote that ends the next row's last cell: a row swallowed.
@example(data=_CSV.replace(b",,,\xe9", b',,,"\xe9').replace(b"86000,,,", b'86000,,,end"'))
@example(data=_CSV.replace(b"P2,", b'"P2,', 1))  # a quote that never closes
# A stray quote opened in one row's name and closed after the next row's name: the record
# has the header's 9 fields, and the row path read one claim of P1 with P2's date, amount
# and disability (2019-03-02, ９８００, 2 physical) named by the swallowed text, P1's claim
# of 2018-09-14 and P2's of 2019-03-02 lost, exit 0.
@example(
    data=_CSV.replace("P1,张三,2018-09".encode(), 'P1,"张三,2018-09'.encode()).replace(
        "李四,2019-03".encode(), '李四",2019-03'.encode()
    )
)
# Short rows (7 fields, the header 9), a stray quote in P1's last field closing at the end
# of the next row: the row path read one row, P1's note swallowing P1's 2018-09-14 claim.
@example(
    data=_CSV.replace(b",,,\xe9", b',,"\xe9')
    .replace(b"86000,,,\r", b'86000,,"\r')
    .replace(b",,,\r", b",,\r")
)
# A short row first (8 fields, the header 9), then a full row whose last cell opens a quote
# closing at the end of the next short row: one record of 9 fields whose lines have 8 and 7
# commas; the row path read P2's 2019-03-02 claim as P1's note, exit 0, on both engines.
@example(
    data=_CSV.replace(",,,首次住院".encode(), ",,首次住院".encode())
    .replace(b"86000,,,\r", b'86000,,,"x\r')
    .replace(",2,physical,全角".encode(), b',2,physical"')
)
@example(data=_CSV.replace(b"72000", b"72\x0000"))  # NUL
@example(data=_CSV.replace(b"72000", b"9" * 4400))  # an amount of 4,400 digits
@example(data=_CSV.replace(b",2,physical", b",\xe2\x91\xa0,physical"))  # grade ①
@example(data=_CSV.replace(b",2,physical", b"," + b"0" * 5000 + b"2,physical"))  # grade 2, padded
def test_malformed_csv_never_crashes_and_both_engines_agree(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """A mutated claims CSV: a clean exit, rows in = rows out, the same on both engines."""
    tmp_path = tmp_path_factory.mktemp("csv")
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    _check(source, tmp_path, ".csv")


@settings(_SETTINGS, max_examples=30)
@given(data=mutated(_JSONL, PIECES + _JSON_PIECES))
@example(data=_JSONL.replace(b'"note": ', b'"note": ' + b"[" * 1000))  # deep, unclosed
@example(data=_JSONL.replace(b'"total": 86000', b'"total": 1, "total": 2'))  # a key twice
def test_malformed_jsonl_never_crashes_and_both_engines_agree(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """A mutated claims JSON Lines file: a clean exit, one output line per input line, the
    same on both engines."""
    tmp_path = tmp_path_factory.mktemp("jsonl")
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    _check(source, tmp_path, ".jsonl")
