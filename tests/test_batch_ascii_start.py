"""A claims CSV that starts with ASCII only is read without a first pass to decide its
encoding (issue 17); what the batch decides and writes is still what that pass decides.

The columnar path reads such a file as ASCII and, at the first byte beyond ASCII, decides
the encoding over the whole file as before (docs/cli-batch.md §2) and reads it again. So each
file below, ASCII for more than the first mebibyte and then not, gives the reference path's
bytes or its error (``--engine core``), at one and two threads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("pyarrow")

from medcalc import Calculator, load_book, load_tariff
from medcalc.batch import BatchJob, CompareJob, write_summary
from medcalc.errors import MedcalcError

SERIES = "qingyuan-qingcheng"
HEADER = b"person_id,date,hospital_level,compliant,note\n"
# 30,000 ASCII rows: 1.1 MB, past the first mebibyte that is looked at
ASCII_ROWS = b"".join(
    b"P%05d,2018-%02d-11,level_%d,%d.50,x\n" % (i % 3000, 1 + i % 12, 1 + i % 3, 800 + i)
    for i in range(30_000)
)


def outcome(source: Path, engine: str, threads: int) -> tuple[str, str, bytes]:
    """The run's path, its summary and bytes; or ``error`` and the message (nothing written)."""
    out = source.with_name(f"out-{engine}-{threads}.csv")
    job = BatchJob.plan("claims", source, out, series=SERIES, engine=engine, threads=threads)
    try:
        report = job.run(Calculator(load_book([], env={})))
    except MedcalcError as exc:
        assert not out.exists()
        return "error", str(exc), b""
    return report.engine, repr(report.summary), out.read_bytes()


@pytest.mark.parametrize(
    ("tail", "engine"),
    [
        # a row in UTF-8: the file is UTF-8, read on the columnar path again
        ("P00001,2018-12-01,level_2,5000,住院\n".encode(), "columnar"),
        # a row in GB18030 (what Excel on Chinese Windows saves): the file is GB18030
        ("P00001,2018-12-01,level_2,5000,住院\n".encode("gb18030"), "columnar"),
        # one row in each: a mixed file, refused naming both lines, nothing written
        (
            "P1,2018-12-01,level_2,5000,住院\n".encode()
            + "P2,2018-12-02,level_2,5000,住院\n".encode("gb18030"),
            "error",
        ),
    ],
    ids=["utf-8", "gb18030", "mixed"],
)
@pytest.mark.parametrize("threads", [1, 2])
def test_bytes_beyond_ascii_after_the_start(
    tmp_path: Path, tail: bytes, engine: str, threads: int
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + ASCII_ROWS + tail)
    assert len(HEADER + ASCII_ROWS) > 1 << 20
    found = outcome(source, "fast", threads)
    assert found[0] == engine
    reference = outcome(source, "core", 1)
    assert found[1:] == reference[1:]
    if engine == "error":
        assert "line 30003 reads as GB18030 but line 30002 as UTF-8" in found[1]


def test_a_quote_swallowing_rows_in_the_ascii_start_of_a_mixed_file(tmp_path: Path) -> None:
    """A stray quote in the ASCII start, and a mixed file after it: the encoding's error comes
    first, as when the encoding is decided before reading (the reference's order)."""
    rows = ASCII_ROWS.replace(b"P00010,", b'"P00010,', 1).replace(b"P00020,", b'P00020",', 1)
    tail = (
        "P1,2018-12-01,level_2,5000,住院\n".encode()
        + "P2,2018-12-02,level_2,5000,住院\n".encode("gb18030")
    )
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + rows + tail)
    found = outcome(source, "fast", 2)
    assert found[0] == "error"
    assert "the file mixes encodings" in found[1]
    assert found == outcome(source, "core", 1)


def test_an_ascii_file_gives_the_reference_bytes(tmp_path: Path) -> None:
    """All ASCII, read on the guess: the columnar path, the same bytes as the reference.
    (That the encoding pass is skipped shows in time only: docs/performance.md.)"""
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + ASCII_ROWS)
    found = outcome(source, "fast", 2)
    assert found[0] == "columnar"
    assert found[1:] == outcome(source, "core", 1)[1:]


def compared(source: Path, engine: str, threads: int) -> tuple[str, bytes, bytes]:
    """A comparison's path, its summary (JSON) and bytes; or ``error``, the message."""
    out = source.with_name(f"cmp-{engine}-{threads}.csv")
    job = CompareJob.plan("claims", source, out, series=SERIES, engine=engine, threads=threads)
    proposal = load_tariff(Path(__file__).parents[1] / "examples" / "proposal_threshold_3000.yaml")
    try:
        report = job.run(load_book([], env={}), proposal)
    except MedcalcError as exc:
        assert not out.exists()
        return "error", str(exc).encode(), b""
    summary = source.with_name(f"cmp-{engine}-{threads}.json")
    write_summary(summary, report.summary)
    return report.engine, summary.read_bytes(), out.read_bytes()


@pytest.mark.parametrize(
    ("tail", "engine"),
    [
        (b"", "columnar"),  # ASCII throughout: read once, as ASCII
        ("P00001,2018-12-01,level_2,5000,住院\n".encode(), "columnar"),
        ("P00001,2018-12-01,level_2,5000,住院\n".encode("gb18030"), "columnar"),
        (
            "P1,2018-12-01,level_2,5000,住院\n".encode()
            + "P2,2018-12-02,level_2,5000,住院\n".encode("gb18030"),
            "error",
        ),
    ],
    ids=["ascii", "utf-8", "gb18030", "mixed"],
)
def test_a_comparison_starts_as_ascii_too(tmp_path: Path, tail: bytes, engine: str) -> None:
    """``medcalc compare`` reads an ASCII start the same way: the core's bytes, summary or
    error, on two threads."""
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + ASCII_ROWS + tail)
    found = compared(source, "fast", 2)
    assert found[0] == engine
    assert found[1:] == compared(source, "core", 1)[1:]
