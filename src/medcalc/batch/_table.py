"""The input file as a table read record by record, more than once (spec §5).

What every input format shares (:class:`Table`): the header matched against the known columns
by any of their names (:func:`medcalc.batch._headers.field_of`), the row numbers a clerk sees,
the position read so far for progress, and the error for text an encoding cannot read. The
formats are :mod:`medcalc.batch._csv`, :mod:`~medcalc.batch._xlsx` and
:mod:`~medcalc.batch._jsonl`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from medcalc.batch._headers import field_of, header_problem
from medcalc.errors import BatchFileError
from medcalc.messages import say
from medcalc.money import shown

__all__ = [
    "PROGRESS_EVERY",
    "Progress",
    "Record",
    "Table",
    "source_changed",
    "text_file",
    "undecodable_error",
    "undecodable_line",
]

#: ``progress(stage, done, total)``: stage ``read`` (bytes, total None when unknown),
#: ``compute`` and ``write`` (rows).
Progress = Callable[[str, int, int | None], None]

#: A record as read: a list of cells (CSV, XLSX) or a JSON object.
Record = list[Any] | dict[str, Any]

PROGRESS_EVERY = 4096
"""Rows between progress reports (and updates of :attr:`Table.position`), unless told."""

_CHUNK = 1 << 20


class Table:
    """An input file that can be read more than once, record by record."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns: list[str] = []  # the header (CSV, XLSX) or every key seen (JSON Lines)
        self.known: list[tuple[str, int]] = []  # known columns: field id, index
        self.position = 0  # bytes read so far, for progress (0 when unknown)
        self.size = 0
        self.progress_every = PROGRESS_EVERY  # rows between updates of the position

    def open(self, known: Sequence[str]) -> None:
        """Read the header; note where the ``known`` columns are."""
        raise NotImplementedError

    def records(self) -> Iterator[tuple[int, Record]]:
        """Every record with its row number (header = row 1; JSON Lines: the line number)."""
        raise NotImplementedError

    def fields(self, record: Record) -> dict[str, Any]:
        """The known columns of a record (field id -> cell value)."""
        assert isinstance(record, list)
        return {name: record[i] for name, i in self.known}

    def is_blank(self, record: Record) -> bool:
        """True when every cell is empty."""
        return False

    def index_header(self, header: list[str], known: Sequence[str]) -> None:
        """Take ``header`` as the columns; note where the ``known`` fields are, each named
        once by any of its names (:func:`~medcalc.batch._headers.field_of`): two columns
        meaning one field (人员编号 and person_id) are an error naming both."""
        self.columns = header
        wanted = set(known)
        seen: dict[str, int] = {}
        for i, name in enumerate(header):
            problem = header_problem(self.path, name)
            if problem is not None:
                raise BatchFileError(problem)
            found = field_of(name)
            if found not in wanted:
                continue
            if found in seen:
                first = seen[found]
                raise BatchFileError(
                    say(
                        "table.column_twice",
                        path=self.path,
                        field=repr(found),
                        first=shown(header[first]),
                        a=first + 1,
                        second=shown(name),
                        b=i + 1,
                    )
                )
            seen[found] = i
        self.known = sorted(seen.items(), key=lambda item: item[1])

    def first_cell(self, record: Record) -> Any:
        """The record's first cell (a JSON object: its first value), None when it has none."""
        if isinstance(record, dict):
            return next(iter(record.values()), None)
        return record[0] if record else None

    def has(self, column: str) -> bool:
        """True when the header has ``column`` (always True for JSON Lines, checked per row)."""
        return any(name == column for name, _ in self.known)


@contextlib.contextmanager
def text_file(
    path: Path, encoding: str, newline: str | None
) -> Iterator[tuple[io.BufferedReader, io.TextIOWrapper]]:
    """The file as text, and its binary layer (whose position shows progress)."""
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline=newline) as f:
        yield raw, f


def undecodable_error(path: Path, where: str, encoding: str) -> BatchFileError:
    """The error for text that ``encoding`` cannot read, ``where`` a row or line."""
    return BatchFileError(say("table.undecodable", path=path, place=where, encoding=encoding))


def undecodable_line(path: Path, raw: io.BufferedReader, exc: UnicodeError) -> int | None:
    """The line of the byte ``exc`` could not decode, None when unknown. The text layer
    decodes a block ahead of the record being read, so the record's row is not where the
    bytes are: the failing chunk ended where ``raw`` now stands, ``exc.start`` into it."""
    if not isinstance(exc, UnicodeDecodeError) or not isinstance(exc.object, bytes):
        return None
    offset = raw.tell() - len(exc.object) + exc.start
    if not 0 <= offset < raw.tell():
        return None
    line = 1
    with path.open("rb") as f:
        while offset > 0 and (chunk := f.read(min(offset, _CHUNK))):
            line += chunk.count(b"\n")
            offset -= len(chunk)
    return line


def source_changed(path: Path) -> BatchFileError:
    """The error for an input that changed between its two readings (every path's)."""
    return BatchFileError(say("table.changed", path=path))
