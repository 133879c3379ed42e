"""CSV input, read strictly (docs/cli-batch.md §2): one reader for the batch row path and
``medcalc claim --claims``, and the stray-quote rule every CSV reader applies.

A quoted field that never closes, has text after its closing quote, or holds whole rows is a
stray or missing quote (:func:`quoted_rows_line`), refused with :func:`unclosed_quote_error`
naming the line where the field starts; never a cell that swallows the rest of the file.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from medcalc.batch._table import Record, Table, text_file, undecodable_error, undecodable_line
from medcalc.errors import BatchFileError
from medcalc.messages import say

__all__ = [
    "CsvRecords",
    "CsvTable",
    "cell_holds_rows",
    "quoted_rows_line",
    "unclosed_quote_error",
]


def unclosed_quote_error(path: Path, line: int) -> BatchFileError:
    """The error for a quoted CSV field that starts on ``line`` and never closes, or runs over
    lines that are each a whole row (a stray or missing quote). One text for every reader."""
    return BatchFileError(say("csv.unclosed_quote", path=path, line=line))


#: A line end as the csv module reads one: CRLF, LF, or a CR alone (Excel's "CSV (Macintosh)").
#: Nothing else: ``str.splitlines`` also breaks on VT, FF, FS-RS, NEL, U+2028 and U+2029.
_LINE_END = re.compile("\r\n|\r|\n")


def cell_holds_rows(cell: str, width: int) -> bool:
    """True when a quoted cell that runs over lines holds a line (after its first) that would
    by itself be a whole row of ``width`` fields or more: a stray quote swallowed rows. Excel
    quotes a multi-line cell, but never writes one whose lines are rows. Lines end at CRLF,
    LF or a lone CR, as the csv module reads them (:data:`_LINE_END`)."""
    lines = _LINE_END.split(cell)
    return any(len(next(csv.reader([line]), [])) >= width for line in lines[1:])


def _quoted_fields(record: str) -> Iterator[tuple[int, int]]:
    """The opening and closing quote of each quoted field of a CSV record (its text as read);
    the closing one is ``len(record)`` for a field still open at the end. A quote counts only
    at a field's start, as for the csv module (``24" monitor`` is an ordinary cell)."""
    at, size = 0, len(record)
    while at < size:
        if record[at] == '"':
            end = at + 1
            while (end := record.find('"', end)) >= 0 and record.startswith('"', end + 1):
                end += 2  # a doubled quote inside the field
            if end < 0:
                yield at, size
                return
            yield at, end
            at = end + 1
        found = _FIELD_END.search(record, at)
        if found is None:
            return
        at = found.end()


_FIELD_END = re.compile("\r\n|[,\r\n]")


def _line_starts(record: str) -> list[int]:
    return [0, *(found.end() for found in _LINE_END.finditer(record))]


def quoted_rows_line(record: str, width: int) -> int | None:
    r"""The stray-quote rule (docs/cli-batch.md §2), one definition for every CSV reader: the
    line (0: the record's first) where the first quoted field of ``record`` that holds whole
    rows opens; None when none does.

    ``record`` is one record's text as read: whole lines, their line ends included (CRLF, LF
    or a lone CR); ``width`` is the header's, or fewer (:class:`CsvRecords` passes the
    narrowest row read so far when shorter). A row is complete with ``n`` fields, ``n`` the
    smaller of ``width`` and the record's own fields (a short row is accepted and padded, so
    a stray quote in a file of short rows swallows rows shorter than the header). A quoted
    field holding a line end holds whole rows when

    - every line it touches, taken whole (the text before its opening quote and after its
      closing one included), has at least ``n - 1`` commas, quoted or not: each would be
      a row of ``n`` fields by itself. A stray quote that swallows rows gives such lines
      wherever it stands; a cell Excel quotes for its line breaks does not (its first line
      has only the commas before it, its last only those after it, ``n - 1`` together); or
    - :func:`cell_holds_rows` of its text with ``n``: a line after its first is a row by itself.

    >>> quoted_rows_line('P1,"24 inch,2018-01-02,level_1,100\nP2,24",2018-01-03,level_1,9\n', 5)
    0
    >>> quoted_rows_line('P1,2018-01-02,level_1,100,"Room 5\nBuilding 2"\n', 5) is None
    True
    """
    starts = _line_starts(record)
    commas = [
        record.count(",", lo, hi) for lo, hi in zip(starts, [*starts[1:], len(record)], strict=True)
    ]
    quoted = list(_quoted_fields(record))
    fields = 1 + sum(commas) - sum(record.count(",", lo + 1, hi) for lo, hi in quoted)
    width = min(width, fields)
    for opening, closing in quoted:
        text = record[opening + 1 : closing]
        if "\n" not in text and "\r" not in text:
            continue
        first = bisect.bisect_right(starts, opening) - 1
        last = bisect.bisect_right(starts, min(closing, len(record) - 1)) - 1
        if min(commas[first : last + 1]) >= width - 1 or cell_holds_rows(
            text.replace('""', '"'), width
        ):
            return first
    return None


def _open_line(record: str, *, limit: int | None = None) -> int | None:
    """The line (0: the record's first) of the first quoted field that runs over lines and is
    still open at the end of ``record`` or, given ``limit``, longer than it; None if none."""
    starts = _line_starts(record)
    for opening, closing in _quoted_fields(record):
        text = record[opening + 1 : closing]
        longer = limit is not None and closing - opening - 1 > limit
        if (closing == len(record) or longer) and _LINE_END.search(text):
            return bisect.bisect_right(starts, opening) - 1
    return None


def _bad_close_line(record: str) -> int | None:
    """The line (0: the record's first) of the first quoted field with text after its closing
    quote (``"5000"0``); None if none."""
    starts = _line_starts(record)
    for opening, closing in _quoted_fields(record):
        after = record[closing + 1 : closing + 2]
        if closing < len(record) and after not in ("", ",", "\r", "\n"):
            return bisect.bisect_right(starts, opening) - 1
    return None


class CsvRecords:
    """The records of a CSV text, read strictly by the csv module, with the stray-quote rule
    (:func:`quoted_rows_line`): what the batch row path and ``claim --claims`` read.

    The first record is the header; the rule's width is the smaller of its width and the
    narrowest record read so far that is not blank (a short row is accepted and padded, so
    once the file has shown one, a line of as many fields is a whole row; a blank line is
    skipped, not a row). A stray quote raises
    :func:`unclosed_quote_error` naming the line where its field starts: a quoted field
    that holds whole rows, never closes, has text after its closing quote, or runs over
    lines past the csv module's field size limit (a stray quote that swallowed 128 KB; Excel
    holds at most 32,767 characters in a cell). Other :class:`csv.Error` (and
    :class:`UnicodeDecodeError`) propagate; :attr:`line` is then where the record starts.
    """

    def __init__(self, lines: Iterable[str], path: Path) -> None:
        self.path = path
        self.line = 1  # where the next record starts (the failing one, after an error)
        self.width: int | None = None
        self.narrowest = 0  # the fewest fields of the header and the records not blank
        self._held: list[str] = []  # the lines of the record being read
        self._reader = csv.reader(self._hold(lines), strict=True)

    def _hold(self, lines: Iterable[str]) -> Iterator[str]:
        held = self._held
        for line in lines:
            held.append(line)
            yield line

    def __iter__(self) -> CsvRecords:
        return self

    def __next__(self) -> list[str]:
        self._held.clear()
        try:
            record = next(self._reader)
        except csv.Error as exc:
            raise self._quote_error(exc) or exc from None
        if self.width is None:
            self.width = self.narrowest = len(record)
        else:
            if len(self._held) > 1:
                at = quoted_rows_line("".join(self._held), min(self.width, self.narrowest))
                if at is not None:
                    raise unclosed_quote_error(self.path, self.line + at)
            if len(record) < self.narrowest and "".join(record).strip():
                self.narrowest = len(record)
        self.line = self._reader.line_num + 1
        return record

    def _quote_error(self, exc: csv.Error) -> BatchFileError | None:
        text, held = str(exc), "".join(self._held)
        if "unexpected end of data" in text:
            at = _open_line(held)
        elif "expected after" in text:
            at = _bad_close_line(held)
        elif "field larger than field limit" in text:
            at = _open_line(held, limit=csv.field_size_limit())
            if at is None:
                return None  # one long cell, not a stray quote
        else:
            return None
        return unclosed_quote_error(self.path, self.line + (at or 0))


class CsvTable(Table):
    """A CSV file: :class:`CsvRecords` over its text in a known encoding."""

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path)
        self.encoding = encoding
        self.size = path.stat().st_size

    @contextlib.contextmanager
    def _reader(self) -> Iterator[tuple[io.BufferedReader, CsvRecords]]:
        with text_file(self.path, self.encoding, "") as (raw, f):
            # strict, with the stray-quote rule: an unclosed quote is an error, not a cell
            # holding the rest of the file
            yield raw, CsvRecords(f, self.path)

    def open(self, known: Sequence[str]) -> None:
        with self._reader() as (raw, reader):
            try:
                header = next(reader, None)
            except (csv.Error, UnicodeError) as exc:  # UnicodeError: utf-16 without a BOM
                raise self._error(1, exc, raw) from None
        if header is None:
            raise BatchFileError(say("csv.empty", path=self.path))
        self.index_header(header, known)
        self.width = len(header)

    def _error(self, number: int, exc: Exception, raw: io.BufferedReader) -> BatchFileError:
        if isinstance(exc, UnicodeError):
            line = undecodable_line(self.path, raw, exc)
            where = (
                say("rows.one", number=number) if line is None else say("table.line", number=line)
            )
            return undecodable_error(self.path, where, self.encoding)
        return BatchFileError(say("csv.row_error", path=self.path, number=number, reason=exc))

    def records(self) -> Iterator[tuple[int, Record]]:
        width = self.width
        number = 1
        with self._reader() as (raw, reader):
            try:
                next(reader, None)
                for record in reader:
                    number += 1
                    if len(record) != width:
                        record = self._fit(record, number)
                    if number % self.progress_every == 0:
                        self.position = raw.tell()
                    yield number, record
            except (csv.Error, UnicodeError) as exc:
                raise self._error(number + 1, exc, raw) from None
        self.position = self.size

    def _fit(self, record: list[str], number: int) -> list[str]:
        width = self.width
        if len(record) < width:
            return record + [""] * (width - len(record))
        if any(v.strip() for v in record[width:]):
            raise BatchFileError(
                say(
                    "csv.too_many_fields",
                    path=self.path,
                    number=number,
                    count=len(record),
                    width=width,
                )
            )
        return record[:width]

    def is_blank(self, record: Record) -> bool:
        assert isinstance(record, list)
        return not "".join(record).strip()
