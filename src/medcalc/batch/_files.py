"""Batch files on disk (spec §5): which format a file is, and its table to read.

The file-touching shell around :mod:`medcalc.batch`. A batch reads its input twice: once to
parse and compute (keeping only the fields the calculation needs, never whole rows), and once
while writing, to carry every input column through untouched. So a million rows with many
extra columns fit in little memory; the input must be a regular file that does not change
meanwhile (:func:`stamp`).

- Formats by extension (``.csv``; ``.xlsx``/``.xlsm``; ``.jsonl``/``.ndjson``) or given
  (:func:`format_of`).
- CSV and JSON Lines are read in the given encoding or the detected one
  (:func:`~medcalc.batch.detect_encoding`); CSV strictly (:class:`~medcalc.batch.CsvRecords`).
"""

from __future__ import annotations

import stat
from pathlib import Path

from medcalc.batch._csv import CsvTable
from medcalc.batch._encoding import detect_encoding
from medcalc.batch._jsonl import JsonlTable
from medcalc.batch._table import Table
from medcalc.batch._xlsx import XlsxTable
from medcalc.errors import BatchFileError, UsageError
from medcalc.messages import say

__all__ = ["EXTENSIONS", "FORMATS", "format_of", "open_table", "stamp"]

FORMATS = ("csv", "xlsx", "jsonl")

EXTENSIONS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
"""The format of each file extension medcalc knows."""


def format_of(path: Path, given: str | None, *, option: str) -> str:
    """The file format: ``given``, else from the extension; :class:`UsageError` otherwise."""
    if given is not None:
        return given
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if suffix == ".xls":
        raise UsageError(say("batch.xls", path=path))
    formats = ", ".join(FORMATS[:-1])
    raise UsageError(
        say("batch.unknown_format", path=path, option=option, formats=formats, final=FORMATS[-1])
    )


def _source_error(path: Path) -> BatchFileError:
    """Why FILE, not a regular file, cannot be a batch's input."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return BatchFileError(say("batch.no_file", path=path))
    if stat.S_ISDIR(mode):
        return BatchFileError(say("batch.directory", path=path))
    # a shell's <(...) is /dev/fd/N, a pipe: a batch reads its input twice (spec §5)
    return BatchFileError(say("batch.pipe", path=path))


def stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: what must not change between the two readings."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def open_table(path: Path, input_format: str, encoding: str | None) -> Table:
    """The table of a batch input (not yet opened): ``encoding`` for CSV and JSON Lines, else
    the detected one; :class:`BatchFileError` when ``path`` is not a regular file."""
    if not path.is_file():
        raise _source_error(path)
    if input_format == "xlsx":
        return XlsxTable(path)
    encoding = encoding or detect_encoding(path)
    if input_format == "csv":
        return CsvTable(path, encoding)
    return JsonlTable(path, encoding)
