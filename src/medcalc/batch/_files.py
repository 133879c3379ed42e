"""Batch files on disk (spec §5): CSV, XLSX and JSON Lines in and out, written atomically.

The file-touching shell around :mod:`medcalc.batch`. A batch reads its input twice: once to
parse and compute (keeping only the fields the calculation needs, never whole rows), and once
while writing, to carry every input column through untouched. So a million rows with many
extra columns fit in little memory; the input must not change meanwhile (checked).

- Formats by extension (``.csv``; ``.xlsx``/``.xlsm``; ``.jsonl``/``.ndjson``) or given.
- CSV and JSON Lines input encoding: a UTF-8 BOM means UTF-8; else UTF-8 or GB18030 (what
  Excel on Chinese Windows saves as "CSV"), decided by evidence over the whole file, a mixed
  file refused (:func:`detect_encoding`); ``input_encoding`` forces one. CSV is read strictly:
  a stray quote is an error (:func:`unclosed_quote_error`).
  CSV output is UTF-8 with a BOM, so Excel opens it correctly, unless told otherwise.
- Formula-like cells (``=``, ``+``, ``-``, ``@``, tab, CR) reach CSV with a leading ``'`` and
  XLSX as text cells (:func:`excel_text`), so Excel never evaluates them.
- XLSX: the first sheet, header in row 1, cached values of formulas. A number cell is used for
  a known column as an int when it holds a whole number below 10^15 (which Excel stores
  exactly); another number cell is read by the row parser as its shortest decimal text.
  Result amounts are written as text cells (``"1234.50"``), never as binary floats.
- JSON Lines: one object per line; blank lines are skipped; numbers are read as exact
  decimals; ``categories`` may be a list.
- OUT is checked first (:func:`check_output`), then written to a temporary file in its own
  directory and moved into place only when complete (:func:`write_atomically`); on any
  failure, SIGTERM or SIGHUP OUT is left as it was. A device or FIFO is written directly.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import datetime as dt
import importlib
import importlib.util
import io
import itertools
import json
import os
import re
import signal
import stat
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import attrs

from medcalc.batch._rows import Batch, ClaimsBatch, PremiumsBatch, ResultRow, Summary
from medcalc.chain import Calculator
from medcalc.errors import BatchFileError, UsageError
from medcalc.money import shown

__all__ = [
    "ENGINES",
    "FORMATS",
    "BatchFileError",
    "BatchJob",
    "BatchReport",
    "CsvRecords",
    "cell_holds_rows",
    "check_output",
    "detect_encoding",
    "excel_text",
    "format_of",
    "is_formula_like",
    "json_int",
    "quoted_rows_line",
    "unclosed_quote_error",
    "write_atomically",
]

FORMATS = ("csv", "xlsx", "jsonl")
KINDS = ("claims", "premiums")
ENGINES = ("auto", "core", "fast")
DEFAULT_OUTPUT_ENCODING = "utf-8-sig"

_EXTENSIONS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_CHUNK = 1 << 20
_PROGRESS_EVERY = 4096  # rows between progress reports
#: Excel holds 15 significant digits exactly; longer IDs typed as numbers are already mangled.
_EXACT_LIMIT = 10**15


#: A record as read: a list of cells (CSV, XLSX) or a JSON object.
Record = list[Any] | dict[str, Any]
#: ``progress(stage, done, total)``: stage ``read`` (bytes, total None when unknown),
#: ``compute`` and ``write`` (rows).
Progress = Callable[[str, int, int | None], None]

_MISSING = object()  # a JSON key absent from a row


def _canonical(name: str) -> str:
    """How a header name is matched against the known columns: trimmed, NFKC, lower case."""
    return unicodedata.normalize("NFKC", name).strip().lstrip("\ufeff").strip().lower()


def unclosed_quote_error(path: Path, line: int) -> BatchFileError:
    """The error for a quoted CSV field that starts on ``line`` and never closes, or runs over
    lines that are each a whole row (a stray or missing quote). One text for every reader."""
    return BatchFileError(
        f"{path}: line {line}: a quoted field starts here and never closes, or runs over "
        'lines that are whole rows; a " is missing or stray on this line'
    )


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


#: What Excel may evaluate when a cell's text begins with it (OWASP CSV injection).
_FORMULA_CHARS = "=+-@\t\r"
_FORMULA_STARTS = tuple(_FORMULA_CHARS)


def is_formula_like(text: str) -> bool:
    """True when Excel could evaluate ``text`` as a formula: it begins with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (spec §5)."""
    return text.startswith(_FORMULA_STARTS)


def excel_text(text: str) -> str:
    """``text`` as a CSV cell that Excel shows as text: prefixed with ``'`` when it is
    formula-like (:func:`is_formula_like`), else unchanged.

    >>> excel_text("=1+1"), excel_text("-5"), excel_text("医院")
    ("'=1+1", "'-5", '医院')
    """
    return "'" + text if is_formula_like(text) else text


def _excel_cells(cells: list[str]) -> list[str]:
    """:func:`excel_text` of every cell, inline (a writer's hot loop: 2 µs a row, not 7)."""
    return ["'" + c if c and c[0] in _FORMULA_CHARS else c for c in cells]


# -- formats and encodings ------------------------------------------------------------------


def format_of(path: Path, given: str | None, *, option: str) -> str:
    """The file format: ``given``, else from the extension; :class:`UsageError` otherwise."""
    if given is not None:
        return given
    suffix = path.suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix == ".xls":
        raise UsageError(f"{path}: .xls workbooks are not supported; save it as .xlsx or CSV")
    raise UsageError(
        f"cannot tell the format of {path} from its extension; "
        f"give {option} {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
    )


#: Characters a UTF-8 reading of a clerk's file may plausibly hold besides ASCII: Latin-1,
#: punctuation and symbols, CJK (ideographs of every plane, punctuation, kana, full-width
#: forms), and digits of any script (``\d``: category Nd; a run of them is a number someone
#: typed, which the row parser refuses naming the digit). GB18030 text misread as UTF-8 gives
#: Hebrew, Armenian, Cyrillic, Greek, Latin Extended, C1 controls… (住院 -> סԺ, 袁野 -> ԬҰ,
#: 魏巍 -> κΡ): none of these.
_IMPLAUSIBLE = re.compile(
    "[^\\d\x00-\x7f\u00a0-\u00ff\u2000-\u27bf\u2e80-\u2fdf\u3000-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\ufeff\uff00-\uffef\U00020000-\U0003134f]"
)
#: A GB18030 character (2 or 4 bytes) or a single byte; group 1: a GB2312 character (both
#: bytes A1-FE), the common repertoire that real GB18030 text is made of.
_GB_CHARACTER = re.compile(
    b"([\xa1-\xf7][\xa1-\xfe])|[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]"
    b"|[\x81-\xfe][\x40-\xfe]|[\x00-\xff]"
)
_ENCODING_BLOCK = 1 << 22
#: Bytes that never start a character outside :data:`_IMPLAUSIBLE`'s plausible set in UTF-8:
#: ASCII, continuation bytes, C3 (U+00C0-00FF) and E3-E9 (U+3000-9FFF, CJK). A valid UTF-8
#: block made of these alone is plausible without the regular expression (a typical Chinese
#: file: 0.4 s less per 100 MB).
_PLAIN_UTF8_BYTES = bytes([*range(0xC2), 0xC3, *range(0xE3, 0xEA)])


def _script(char: str) -> str:
    """The script of a letter (first word of its Unicode name), "" for anything else."""
    return unicodedata.name(char, "").split(" ", 1)[0] if char.isalpha() else ""


def _utf8_score(text: str) -> int:
    """Bytes of non-ASCII characters that are plausible in a UTF-8 reading: those outside
    :data:`_IMPLAUSIBLE`, digits of any script (category Nd: a number someone typed, which
    the row parser then refuses naming the digit; ``٣٤٥`` must not become GB18030 ``伲伽佶``),
    and letters of any script in a run of 3 or more of that script (a word: real Cyrillic or
    Arabic names are words; misread GB18030 gives mixed scripts)."""
    score = 0
    for script, group in itertools.groupby(text, _script):
        chars = list(group)
        word = bool(script) and len(chars) >= 3
        for char in chars:
            if char >= "\x80" and (word or not _IMPLAUSIBLE.match(char)):
                score += len(char.encode("utf-8"))
    return score


def _gb_score(line: bytes) -> int:
    """Bytes of GB2312 characters in a GB18030 reading of ``line``."""
    return 2 * sum(1 for found in _GB_CHARACTER.findall(line) if found)


def _line_encoding(line: bytes) -> str | None:
    """How one non-ASCII line reads: ``utf-8``, ``gb18030``, None when both read it equally
    well; ValueError when neither can."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        line.decode("gb18030")  # ValueError when it is neither
        return "gb18030"
    try:
        line.decode("gb18030")
    except UnicodeDecodeError:
        return "utf-8"
    utf8, gb = _utf8_score(text), _gb_score(line)
    return "utf-8" if utf8 > gb else "gb18030" if gb > utf8 else None


def _blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file in blocks that end at a line end, each with the number of its first line."""
    number, held = 1, b""
    with path.open("rb") as f:
        while chunk := f.read(_ENCODING_BLOCK):
            data = held + chunk
            cut = data.rfind(b"\n") + 1
            block, held = data[:cut], data[cut:]
            if block:
                yield number, block
                number += block.count(b"\n")
    if held:
        yield number, held


def _votes(path: Path, *, every_line: bool) -> dict[str, int]:
    """The first line that reads better in each encoding (``utf-8``, ``gb18030``).

    Without ``every_line`` a block that is valid UTF-8 with only plausible characters is not
    looked at line by line (no line of it can read better as GB18030): the cheap common case.
    """
    first: dict[str, int] = {}
    for number, block in _blocks(path):
        if block.isascii():
            continue
        lines: list[bytes | str] | None = None
        if not every_line:
            try:
                text = block.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and (
                not block.translate(None, _PLAIN_UTF8_BYTES) or not _IMPLAUSIBLE.search(text)
            ):
                first.setdefault("utf-8", number)  # at or before its first UTF-8 line
                continue
            with contextlib.suppress(UnicodeDecodeError):
                block.decode("gb18030")  # valid: the lines that are not UTF-8 are GB18030
                # as text with the bytes that are not UTF-8 as lone surrogates (C speed)
                lines = list(block.decode("utf-8", "surrogateescape").split("\n"))
        if lines is None:
            lines = list(block.split(b"\n"))
        for offset, line in enumerate(lines):
            if line.isascii():
                continue
            if isinstance(line, str):
                if _NOT_UTF8.search(line):
                    first.setdefault("gb18030", number + offset)
                    continue
                line = line.encode("utf-8")
            try:
                encoding = _line_encoding(line)
            except ValueError:
                raise BatchFileError(
                    f"{path}: line {number + offset} is neither UTF-8 nor GB18030 text; "
                    "give its encoding with --input-encoding"
                ) from None
            if encoding is not None and encoding not in first:
                first[encoding] = number + offset
                if len(first) == 2 and every_line:
                    return first
    return first


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, surrogate-escaped


def detect_encoding(path: Path, *, utf8: Callable[[Path], bool] | None = None) -> str:
    """The encoding of a CSV or JSON Lines file, decided by evidence over the whole file.

    ``utf-8-sig`` for a UTF-8 BOM. Else every line with non-ASCII bytes is read both as
    UTF-8 and as GB18030 (what Excel on Chinese Windows saves as "CSV"): a line that only
    one of them can read votes for it; a line both can read votes for the reading with more
    bytes in plausible characters (UTF-8: CJK, Latin-1, punctuation, digits of any script,
    words of one script; GB18030: GB2312 characters), none on a tie. ``gb18030`` when lines
    vote only for it, else ``utf-8``. :class:`BatchFileError` when lines vote for both (a
    mixed file: the message names the first line of each), when a line is neither, or for
    UTF-16.

    Valid UTF-8 whose every character is plausible is decided without the line-by-line
    reading. ``utf8`` is accepted for compatibility and not needed.
    """
    del utf8  # the decision reads the text itself
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        # The BOM says UTF-8 for line 1 only: a later line saved in GB18030 (Excel appending
        # to a file) is still a mixed file, and its bytes may be valid UTF-8 by accident.
        first = _votes(path, every_line=False)
        if "gb18030" in first:
            raise _mixed_error(path, ("utf-8", 1), ("gb18030", first["gb18030"]))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BatchFileError(
            f"{path} is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' "
            "or give --input-encoding utf-16"
        )
    first = _votes(path, every_line=False)
    if "gb18030" in first and "utf-8" in first:
        first = _votes(path, every_line=True)  # which UTF-8 line exactly, if any
    if "gb18030" not in first:
        return "utf-8"
    if "utf-8" not in first:
        return "gb18030"
    earlier, later = sorted(first.items(), key=lambda item: item[1])
    raise _mixed_error(path, earlier, later)


def _mixed_error(path: Path, earlier: tuple[str, int], later: tuple[str, int]) -> BatchFileError:
    """The error for a file whose line ``later`` reads in another encoding than ``earlier``."""
    (one, at), (other, line) = earlier, later
    return BatchFileError(
        f"{path}: line {line} reads as {_LABEL[other]} but line {at} as {_LABEL[one]}; "
        "the file mixes encodings: save it again in one, or give --input-encoding"
    )


_LABEL = {"utf-8": "UTF-8", "gb18030": "GB18030"}


def _check_encoding(name: str, option: str, sample: str | None = None) -> str:
    """The codec's name for a text encoding; :class:`UsageError` for an unknown one, a
    codec that is not a text encoding (``rot13``, ``base64``), or, given ``sample``, one that
    cannot write that ASCII text (``idna``)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a name with a NUL
        raise UsageError(f"{option}: unknown encoding {name!r}") from None
    # io.TextIOWrapper refuses these too, with a traceback: say so here, as a usage error
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"{option}: {name!r} is not a text encoding")
    if sample is not None:
        try:
            info.incrementalencoder().encode(sample, True)
        except UnicodeError as exc:  # idna: a codec for host names, not for a file's text
            raise UsageError(f"{option}: {name!r} cannot write a CSV file ({exc})") from None
    return info.name


#: What :func:`_check_encoding` asks an output encoding to write: a result header (over 63
#: characters between dots, which idna refuses) and its line end.
_OUTPUT_SAMPLE = "person_id,date,hospital_level,compliant,covered,basic,critical_illness,error\r\n"


def _installed(module: str) -> bool:
    """True when ``module`` can be imported (found without importing it)."""
    return importlib.util.find_spec(module) is not None


def _openpyxl() -> Any:
    try:
        return importlib.import_module("openpyxl")
    except ImportError:
        raise BatchFileError("XLSX files need openpyxl: pip install 'medcalc[xlsx]'") from None


# -- reading --------------------------------------------------------------------------------


class _Table:
    """An input file that can be read more than once, record by record."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns: list[str] = []  # the header (CSV, XLSX) or every key seen (JSON Lines)
        self._known: list[tuple[str, int]] = []
        self.position = 0  # bytes read so far, for progress (0 when unknown)
        self.size = 0

    def open(self, known: Sequence[str]) -> None:
        """Read the header; note where the ``known`` columns are."""
        raise NotImplementedError

    def records(self) -> Iterator[tuple[int, Record]]:
        """Every record with its row number (header = row 1; JSON Lines: the line number)."""
        raise NotImplementedError

    def fields(self, record: Record) -> dict[str, Any]:
        """The known columns of a record (canonical name -> cell value)."""
        assert isinstance(record, list)
        return {name: record[i] for name, i in self._known}

    def is_blank(self, record: Record) -> bool:
        """True when every cell is empty."""
        return False

    def _index_header(self, header: list[str], known: Sequence[str]) -> None:
        self.columns = header
        wanted = set(known)
        seen: dict[str, int] = {}
        for i, name in enumerate(header):
            canonical = _canonical(name)
            if canonical not in wanted:
                continue
            if canonical in seen:
                raise BatchFileError(
                    f"{self.path}: the header has column {canonical!r} twice "
                    f"(columns {seen[canonical] + 1} and {i + 1})"
                )
            seen[canonical] = i
        self._known = sorted(seen.items(), key=lambda item: item[1])

    def has(self, column: str) -> bool:
        """True when the header has ``column`` (always True for JSON Lines, checked per row)."""
        return any(name == column for name, _ in self._known)


@contextlib.contextmanager
def _text_file(
    path: Path, encoding: str, newline: str | None
) -> Iterator[tuple[io.BufferedReader, io.TextIOWrapper]]:
    """The file as text, and its binary layer (whose position shows progress)."""
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline=newline) as f:
        yield raw, f


def _undecodable_error(path: Path, where: str, encoding: str) -> BatchFileError:
    """The error for text that ``encoding`` cannot read, ``where`` a row or line."""
    return BatchFileError(
        f"{path}: {where} cannot be read as {encoding}; give the right --input-encoding"
    )


def _undecodable_line(path: Path, raw: io.BufferedReader, exc: UnicodeError) -> int | None:
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


class _CsvTable(_Table):
    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path)
        self.encoding = encoding
        self.size = path.stat().st_size

    @contextlib.contextmanager
    def _reader(self) -> Iterator[tuple[io.BufferedReader, CsvRecords]]:
        with _text_file(self.path, self.encoding, "") as (raw, f):
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
            raise BatchFileError(f"{self.path} is empty: expected a header row")
        self._index_header(header, known)
        self.width = len(header)

    def _error(self, number: int, exc: Exception, raw: io.BufferedReader) -> BatchFileError:
        if isinstance(exc, UnicodeError):
            line = _undecodable_line(self.path, raw, exc)
            where = f"row {number}" if line is None else f"line {line}"
            return _undecodable_error(self.path, where, self.encoding)
        return BatchFileError(f"{self.path}: row {number}: {exc}")

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
                    if number % _PROGRESS_EVERY == 0:
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
                f"{self.path}: row {number} has {len(record)} fields but the header has {width}"
            )
        return record[:width]

    def is_blank(self, record: Record) -> bool:
        assert isinstance(record, list)
        return not "".join(record).strip()


def _xlsx_value(value: Any) -> Any:
    """A cell as the row parser should see it: whole-number floats below 10^15 as int."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_LIMIT:
        return int(value)
    return value


#: The most an XLSX input may hold unpacked (every part together), and the most any large
#: part may expand per byte stored: a zip bomb is refused before it is unpacked. A sheet of
#: Excel's 1,048,576 rows by 16 text columns is about 1 GiB of XML, packed 10-20 to 1.
XLSX_UNPACKED_LIMIT = 1 << 30
XLSX_RATIO_LIMIT = 200
_RATIO_FROM = 16 << 20  # small parts may be any ratio (a sheet of one repeated value)


def _check_xlsx(path: Path) -> None:
    """Refuse a workbook that would unpack beyond the limits, or any of whose parts but binary
    ones (:func:`_parsed_as_xml`) declares a DTD (Excel never writes one; entities are how XML
    bombs work), before openpyxl reads it.

    The declared sizes bound what is read: :mod:`zipfile` never returns more bytes of a part
    than its declared size (and checks its CRC). A file that is not a zip is left to openpyxl,
    which names the problem.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > XLSX_UNPACKED_LIMIT:
            raise BatchFileError(
                f"{path} unpacks to {total} bytes, more than the limit of "
                f"{XLSX_UNPACKED_LIMIT} ({XLSX_UNPACKED_LIMIT >> 20} MiB) for an XLSX input; "
                "save it as CSV"
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > _RATIO_FROM and ratio > XLSX_RATIO_LIMIT:
                raise BatchFileError(
                    f"{path}: part {member.filename} unpacks {ratio:.0f} times its size, more "
                    f"than the limit of {XLSX_RATIO_LIMIT} for an XLSX input (a zip bomb?)"
                )
            if _parsed_as_xml(archive, member) and _has_dtd(archive, member):
                raise BatchFileError(
                    f"{path}: part {member.filename} has a DTD (or another prolog) that XLSX "
                    "files never have; save the workbook again from Excel"
                )


#: What may come before an XML part's root element in an XLSX file: the declaration,
#: processing instructions, comments and white space (never a DTD).
_PROLOG = re.compile(rb"(?:<\?.*?\?>|<!--.*?-->|\s+)*", re.DOTALL)
_PROLOG_LIMIT = 1 << 16


#: Where a workbook keeps binary parts (pictures, embedded objects, printer settings, macros)
#: and the endings they have: never XML, so not checked for a DTD unless they look like XML.
_BINARY_PARTS = ("xl/media/", "xl/embeddings/")
_BINARY_ENDINGS = (".bin", ".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf", ".bmp", ".tif", ".tiff")
#: How an XML text may start (after white space): a tag, a BOM of UTF-8/16/32, UTF-16BE's "<".
_XML_STARTS = (b"<", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x00<")


def _parsed_as_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True for every part openpyxl might parse as XML: any part but a directory and a binary
    one by its place or ending (:data:`_BINARY_PARTS`) whose bytes do not start like XML. A
    part's name is the workbook's to choose (its rels and content types point to it): a sheet
    renamed ``sheet1.dat`` is parsed all the same."""
    if member.is_dir():
        return False
    name = member.filename.lower()
    if not (name.startswith(_BINARY_PARTS) or name.endswith(_BINARY_ENDINGS)):
        return True
    with archive.open(member) as f:
        head = f.read(64).lstrip(b" \t\r\n")
    return head.startswith(_XML_STARTS)


def _has_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the XML part has something other than an element after its prolog (a
    ``<!DOCTYPE``; or a prolog longer than 64 KiB, which no XLSX writer makes)."""
    with archive.open(member) as f:
        head = f.read(_PROLOG_LIMIT).removeprefix(codecs.BOM_UTF8)
    if not head:
        return False  # an empty part: openpyxl says what is wrong with it
    found = _PROLOG.match(head)
    rest = head[found.end() :] if found else head
    return not rest.startswith(b"<") or rest.startswith(b"<!")


class _XlsxTable(_Table):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._openpyxl = _openpyxl()
        _check_xlsx(path)

    def _rows(self, sheet: Any) -> Iterator[tuple[Any, ...]]:
        """The sheet's rows; a sheet whose XML is malformed is a :class:`BatchFileError`."""
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                cells = next(rows, None)
            except Exception as exc:  # ParseError, or openpyxl's own for odd cell XML
                raise BatchFileError(
                    f"{self.path}: the first sheet cannot be read: {exc}"
                ) from None
            if cells is None:
                return
            yield cells

    @contextlib.contextmanager
    def _sheet(self) -> Iterator[Any]:
        try:
            book = self._openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
            raise BatchFileError(f"{self.path} is not a readable XLSX workbook: {exc}") from None
        try:
            if not book.worksheets:
                raise BatchFileError(f"{self.path} has no worksheet")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # do not trust the stored size: read every row there is
            yield sheet
        finally:
            book.close()

    def open(self, known: Sequence[str]) -> None:
        with self._sheet() as sheet:
            first = next(self._rows(sheet), None)
        if first is None or all(v is None for v in first):
            raise BatchFileError(f"{self.path}: the first sheet has no header in row 1")
        header = ["" if v is None else str(v) for v in first]
        while header and header[-1] == "":
            header.pop()
        self._index_header(header, known)
        self.width = len(header)

    def records(self) -> Iterator[tuple[int, Record]]:
        width = self.width
        with self._sheet() as sheet:
            rows = self._rows(sheet)
            next(rows, None)
            for number, cells in enumerate(rows, start=2):
                record = list(cells)
                if len(record) < width:
                    record.extend([None] * (width - len(record)))
                elif len(record) > width:
                    extra = record[width:]
                    if any(v is not None and str(v).strip() for v in extra):
                        raise BatchFileError(
                            f"{self.path}: row {number} has a value beyond the last "
                            f"header column ({width} columns)"
                        )
                    del record[width:]
                yield number, record

    def fields(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, list)
        return {name: _xlsx_value(record[i]) for name, i in self._known}

    def is_blank(self, record: Record) -> bool:
        assert isinstance(record, list)
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in record)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_int(text: str) -> int | Decimal:
    """A JSON integer, exactly: as ``int``, or beyond Python's int() digit limit (4300) as
    ``Decimal``, which has none. The row then says what is wrong with such a value; a carried
    cell is written back as it was."""
    return int(text) if len(text) <= 4000 else Decimal(text)


class DuplicateKeyError(ValueError):
    """A JSON object names ``key`` twice: a later value must not silently replace an earlier
    one. Each reader says it in its own words (a batch line, a claims file, a request)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return out


def loads_exact(text: str | bytes) -> Any:
    """JSON read the way every medcalc input is: a number with a point or an exponent as
    ``Decimal`` (never float), an integer exactly (:func:`json_int`), ``NaN``/``Infinity``
    refused (ValueError), a key twice in one object refused (:class:`DuplicateKeyError`).
    ``json.JSONDecodeError`` (with its line and column) and RecursionError reach the caller,
    which names the place."""
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=json_int,
        parse_constant=_no_constants,
        object_pairs_hook=_json_object,
    )


class _JsonlTable(_Table):
    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path)
        self.encoding = encoding
        self.size = path.stat().st_size
        self._wanted: frozenset[str] = frozenset()
        self._seen: dict[str, None] = {}
        self._names: dict[str, str] = {}  # key -> canonical name: rows repeat their keys

    def _name(self, key: str) -> str:
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = _canonical(key)
        return name

    def open(self, known: Sequence[str]) -> None:
        self._wanted = frozenset(known)

    def has(self, column: str) -> bool:
        return True

    def records(self) -> Iterator[tuple[int, Record]]:
        seen = self._seen
        number = 0
        with _text_file(self.path, self.encoding, None) as (raw, f):
            try:
                for number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    record = self._parse(line, number)
                    for key in record:
                        if key not in seen:
                            seen[key] = None
                    if number % _PROGRESS_EVERY == 0:
                        self.position = raw.tell()
                    yield number, record
            except UnicodeError as exc:  # a decoding error, or utf-16/utf-32 without a BOM
                at = _undecodable_line(self.path, raw, exc)
                where = f"line {number + 1 if at is None else at}"
                raise _undecodable_error(self.path, where, self.encoding) from None
        self.columns = list(seen)
        self.position = self.size

    def _parse(self, line: str, number: int) -> dict[str, Any]:
        """One line as a JSON object; :class:`BatchFileError` naming the line otherwise."""
        try:
            record = loads_exact(line)
        except DuplicateKeyError as exc:
            raise BatchFileError(f"{self.path}: line {number} has key {exc.key!r} twice") from None
        except ValueError as exc:
            raise BatchFileError(f"{self.path}: line {number} is not valid JSON: {exc}") from None
        except RecursionError:
            raise BatchFileError(
                f"{self.path}: line {number} is nested too deeply to be a row"
            ) from None
        if not isinstance(record, dict):
            raise BatchFileError(f"{self.path}: line {number} is not a JSON object")
        seen: dict[str, str] = {}
        for key in record:  # two keys for one column, as a header may not have them either
            name = self._name(key)
            if name in self._wanted and seen.setdefault(name, key) != key:
                raise BatchFileError(
                    f"{self.path}: line {number} has column {name!r} twice "
                    f"(keys {seen[name]!r} and {key!r})"
                )
        return cast(dict[str, Any], record)

    def fields(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, dict)
        out: dict[str, Any] = {}
        for key, value in record.items():
            name = self._name(key)
            if name in self._wanted:
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    value = ";".join(value)
                out[name] = value
        return out


# -- writing --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A carried-through cell as CSV text."""
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return _json(value)
    return str(value)


def _json(value: Any) -> str:
    """JSON text for a value, with ``Decimal`` written as the exact number it holds."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_json(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if isinstance(value, (dt.date, dt.time)):
        return json.dumps(_text(value))
    return json.dumps(value, ensure_ascii=False)


class _Writer:
    def __init__(self, path: Path, columns: list[str], results: Sequence[str]) -> None:
        self.path = path
        self.columns = columns
        self.results = results

    def row(self, number: int, carried: Record, results: ResultRow | None) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file (called only when every row was written)."""
        raise NotImplementedError

    def abort(self) -> None:
        """Release the file after a failure (the caller removes it)."""

    def _cells(self, carried: Record) -> list[Any]:
        if isinstance(carried, dict):
            return [carried.get(c, _MISSING) for c in self.columns]
        return carried


class _CsvWriter(_Writer):
    def __init__(
        self,
        path: Path,
        columns: list[str],
        results: Sequence[str],
        encoding: str,
        *,
        text: bool = False,
        keep_formulas: bool = False,
    ) -> None:
        super().__init__(path, columns, results)
        self._text = text  # the carried cells are CSV text already: write them as they are
        self._safe = not keep_formulas  # prefix formula-like cells with ' (spec §5)
        self._file = path.open("w", encoding=encoding, newline="")
        self._csv = csv.writer(self._file)
        self._empty = [""] * len(results)
        self._write([*columns, *results])

    def _write(self, cells: list[str]) -> None:
        if self._safe:
            cells = _excel_cells(cells)
        self._csv.writerow(cells)

    def row(self, number: int, carried: Record, results: ResultRow | None) -> None:
        if self._text and isinstance(carried, list):
            cells = carried
        else:
            cells = [_text(v) for v in self._cells(carried)]
        tail = self._empty if results is None else ["" if v is None else v for v in results]
        self._write(cells + tail)

    def close(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class _XlsxWriter(_Writer):
    def __init__(self, path: Path, columns: list[str], results: Sequence[str]) -> None:
        super().__init__(path, columns, results)
        openpyxl = _openpyxl()
        self._cell = importlib.import_module("openpyxl.cell").WriteOnlyCell
        self._codes = frozenset(importlib.import_module("openpyxl.cell.cell").ERROR_CODES)
        self._illegal = importlib.import_module("openpyxl.utils.exceptions").IllegalCharacterError
        self._book = openpyxl.Workbook(write_only=True)
        self._sheet = self._book.create_sheet("medcalc")
        self._sheet.append([self._value(c) for c in [*columns, *results]])

    def _value(self, value: Any) -> Any:
        if value is _MISSING:
            return None
        if isinstance(value, str) and (is_formula_like(value) or value in self._codes):
            # a string cell: Excel shows it as text, never a formula or an error code
            cell = self._cell(self._sheet, value)
            cell.data_type = "s"
            return cell
        if isinstance(value, (dict, list)):
            return _json(value)
        return value

    def row(self, number: int, carried: Record, results: ResultRow | None) -> None:
        cells = [self._value(v) for v in self._cells(carried)]
        try:
            tail = [self._value(v) for v in results or [None] * len(self.results)]
            self._sheet.append(cells + tail)
        except self._illegal:
            raise BatchFileError(
                f"row {number} holds a control character that XLSX cannot store; "
                "remove it, or write CSV or JSON Lines"
            ) from None

    def close(self) -> None:
        # openpyxl's save_workbook, with the zip in hand: on a failure (a full disk) its file
        # is closed here, not left to ZipFile.__del__, which printed two ignored tracebacks.
        excel = importlib.import_module("openpyxl.writer.excel")
        archive = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._book.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        try:
            excel.ExcelWriter(self._book, archive).save()
        except BaseException:
            stream, archive.fp = archive.fp, None  # nothing left for __del__ to flush
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
            self.abort()
            raise

    def abort(self) -> None:
        # Finish the sheet's stream and remove openpyxl's own temporary file for it.
        with contextlib.suppress(Exception):
            self._sheet.close()
        with contextlib.suppress(Exception):
            self._sheet._writer.cleanup()


class _JsonlWriter(_Writer):
    def __init__(self, path: Path, columns: list[str], results: Sequence[str]) -> None:
        super().__init__(path, columns, results)
        self._file = path.open("w", encoding="utf-8", newline="\n")
        self._drop = frozenset(results)

    def row(self, number: int, carried: Record, results: ResultRow | None) -> None:
        if isinstance(carried, dict):
            items = [(k, v) for k, v in carried.items() if k not in self._drop]
        else:
            items = list(zip(self.columns, carried, strict=True))
        items += zip(self.results, results or [None] * len(self.results), strict=True)
        body = ", ".join(
            f"{_json(k)}: {_json(_text(v) if isinstance(v, (dt.date, dt.time)) else v)}"
            for k, v in items
            if v is not _MISSING
        )
        self._file.write("{" + body + "}\n")

    def close(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


def _source_error(path: Path) -> BatchFileError:
    """Why FILE, not a regular file, cannot be a batch's input."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return BatchFileError(f"{path}: no such file")
    if stat.S_ISDIR(mode):
        return BatchFileError(f"{path} is a directory, not a file")
    # a shell's <(...) is /dev/fd/N, a pipe: a batch reads its input twice (spec §5)
    return BatchFileError(
        f"{path} is a pipe, FIFO or device, which cannot be read as input (a batch reads its "
        "input more than once); save it to a file first"
    )


def _stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: what must not change between the two readings."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _file_mode(path: Path) -> int:
    """The permissions OUT should get: those of the file it replaces, else the usual."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def check_output(path: Path) -> bool:
    """Check before any work that OUT can be written; True when it is a stream written
    directly (an existing character device such as ``/dev/null``, or a FIFO), False when it
    is a regular file written atomically (:func:`write_atomically`).

    :class:`BatchFileError` when OUT is a directory, another kind of special file (a socket,
    a block device), or its directory is missing or not writable. A symbolic link is followed.
    """
    try:
        mode = path.stat().st_mode  # follows links, /dev/stdout's to a pipe too
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise BatchFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise BatchFileError(f"cannot write {path}: it is a directory")
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            return True
        if not stat.S_ISREG(mode):
            raise BatchFileError(
                f"cannot write {path}: it is not a regular file, a character device or a FIFO"
            )
    directory = Path(os.path.realpath(path)).parent
    if not directory.is_dir():
        raise BatchFileError(f"cannot write {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BatchFileError(f"cannot write {path}: the directory {directory} is not writable")
    return False


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while OUT was being written (cleanup, then die of it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise _Terminated(signum)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the temporary file exists, SIGTERM and SIGHUP raise :class:`_Terminated` and so
    unwind like SIGINT does; the caller removes the file and raises the signal again."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return
    names = ("SIGTERM", "SIGHUP")
    present = [getattr(signal, n) for n in names if hasattr(signal, n)]
    # only where the signal would kill us: an ignored SIGHUP (nohup) or a caller's own
    # handler is left alone
    wanted = [s for s in present if signal.getsignal(s) == signal.SIG_DFL]
    old = {s: signal.signal(s, _on_signal) for s in wanted}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temp)`` for a temporary file next to ``path``, then move it onto ``path``.

    ``path`` is replaced only when ``write`` returns; on any exception, interrupt, SIGTERM or
    SIGHUP the temporary file is removed and ``path`` is left as it was. A symbolic link is
    followed (its target is replaced, not the link). A character device (``/dev/null``) or a
    FIFO is never replaced: ``write(path)`` writes to it directly (:func:`check_output`).
    """
    if check_output(path):
        write(path)
        return
    target = Path(os.path.realpath(path))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise BatchFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    temp = Path(name)
    try:
        with _signals_raise():
            write(temp)
            with temp.open("rb+") as f:
                os.fsync(f.fileno())
            os.chmod(temp, _file_mode(target))
            os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, _Terminated):
            signal.raise_signal(exc.signum)  # its default action again: the process ends
        raise


# -- the job --------------------------------------------------------------------------------


@attrs.frozen
class BatchReport:
    """What a batch run did: the summary, where it wrote, how it read and wrote."""

    summary: Summary
    output: Path
    input_format: str
    input_encoding: str | None
    output_format: str
    output_encoding: str | None
    replaced: tuple[str, ...]
    """Input columns named like result columns: their old values were replaced."""
    engine: str = "core"
    """How the rows were computed: ``core`` (the reference calculator), ``engine`` (the column
    engine over the reference's reading) or ``columnar`` (the engine over pyarrow's reading of
    a CSV file; CSV out). The output is the same byte for byte."""


@attrs.frozen
class BatchJob:
    """One ``medcalc batch`` run, checked for usage errors before anything is read.

    Build it with :meth:`plan`, then :meth:`run` it with a calculator.
    """

    kind: str
    source: Path
    output: Path
    input_format: str
    output_format: str
    input_encoding: str | None
    output_encoding: str | None
    series: str | None
    engine: str = "auto"
    """``auto``: the column engine when numpy is installed (with pyarrow: the columnar CSV
    reader too), else the reference core; ``core``; ``fast``: the engine, required."""
    keep_formulas: bool = False
    """CSV output: write formula-like cells as they are, without the ``'`` that makes Excel
    show them as text (:func:`excel_text`). XLSX output always writes them as text cells."""

    @classmethod
    def plan(
        cls,
        kind: str,
        source: Path,
        output: Path,
        *,
        series: str | None = None,
        input_format: str | None = None,
        output_format: str | None = None,
        input_encoding: str | None = None,
        output_encoding: str | None = None,
        engine: str = "auto",
        keep_formulas: bool = False,
    ) -> BatchJob:
        """Resolve formats and encodings; :class:`UsageError` for a wrong combination."""
        if kind not in KINDS:
            raise UsageError(f"unknown batch kind {kind!r} (expected claims or premiums)")
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (expected {', '.join(ENGINES)})")
        if engine == "fast" and not _installed("numpy"):
            raise UsageError("--engine fast needs numpy: pip install 'medcalc[fast]'")
        in_format = format_of(source, input_format, option="--input-format")
        out_format = format_of(output, output_format, option="--output-format")
        if input_encoding is not None:
            if in_format == "xlsx":
                raise UsageError("--input-encoding applies to CSV and JSON Lines, not XLSX")
            input_encoding = _check_encoding(input_encoding, "--input-encoding")
        if output_encoding is not None:
            if out_format != "csv":
                raise UsageError("--output-encoding applies to CSV output only")
            output_encoding = _check_encoding(output_encoding, "--output-encoding", _OUTPUT_SAMPLE)
        elif out_format == "csv":
            output_encoding = DEFAULT_OUTPUT_ENCODING
        with contextlib.suppress(OSError):
            if output.exists() and os.path.samefile(source, output):
                raise UsageError(f"the output {output} is the input file; choose another -o")
        check_output(output)  # before the tariffs are loaded and anything is computed
        return cls(
            kind,
            source,
            output,
            in_format,
            out_format,
            input_encoding,
            output_encoding,
            series,
            engine,
            keep_formulas,
        )

    def _engine(self) -> bool:
        """True when this job computes with the column engine (claims only)."""
        if self.kind != "claims" or self.engine == "core":
            return False
        return self.engine == "fast" or _installed("numpy")

    def _table(self) -> _Table:
        if not self.source.is_file():
            raise _source_error(self.source)
        if self.input_format == "xlsx":
            return _XlsxTable(self.source)
        encoding = self.input_encoding or detect_encoding(self.source)
        if self.input_format == "csv":
            return _CsvTable(self.source, encoding)
        return _JsonlTable(self.source, encoding)

    def run(self, calculator: Calculator, progress: Progress | None = None) -> BatchReport:
        """Read, compute, write OUT atomically; raise before writing anything on a file,
        tariff or usage error. Rows with errors do not raise: see ``summary.errors``."""
        check_output(self.output)  # fail before computing, not after
        if self.series is not None:
            calculator.book.versions(self.series)  # an unknown --series fails the whole run
        engine = self._engine()
        batch_type: type[Batch] = ClaimsBatch if self.kind == "claims" else PremiumsBatch
        if engine:
            batchfast = importlib.import_module("medcalc.batch._columnar")
            batch_type = batchfast.EngineClaimsBatch
        batch: Batch = batch_type(calculator, default_series=self.series)
        try:
            if engine:
                report = self._try_columnar(calculator, batch, progress)
                if report is not None:
                    return report
            table = self._table()
            before = _stamp(self.source)
            table.open(batch.columns)
            self._check_header(table, batch)
            last = 0  # rows after the last non-blank one are trailing blanks: dropped
            for number, record in table.records():
                if table.is_blank(record):
                    batch.add_blank(number)
                else:
                    batch.add(table.fields(record), number)
                    last = len(batch)
                if progress is not None and number % _PROGRESS_EVERY == 0:
                    progress("read", table.position, table.size or None)
            keep = last
            summary = batch.run(
                None if progress is None else (lambda n: progress("compute", n, keep))
            )
            summary = attrs.evolve(summary, blank=summary.blank - (len(batch) - keep))
            kept_columns = [c for c in table.columns if _canonical(c) not in batch.results]
            replaced = tuple(c for c in table.columns if _canonical(c) in batch.results)

            def write(temp: Path) -> None:
                writer = self._writer(temp, kept_columns, batch)
                drop = {i for i, c in enumerate(table.columns) if _canonical(c) in batch.results}
                position = 0
                try:
                    for number, record in table.records():
                        if position >= keep:
                            break
                        carried = record
                        if drop and isinstance(record, list):
                            carried = [v for i, v in enumerate(record) if i not in drop]
                        writer.row(number, carried, batch.result(position))
                        position += 1
                        if progress is not None and position % _PROGRESS_EVERY == 0:
                            progress("write", position, keep)
                except BaseException:
                    writer.abort()
                    raise
                writer.close()
                if position != keep or _stamp(self.source) != before:
                    raise BatchFileError(f"{self.source} changed while it was being read")
                if progress is not None:
                    progress("write", keep, keep)

            write_atomically(self.output, write)
        except UnicodeEncodeError as exc:
            raise BatchFileError(
                f"cannot write {exc.object[exc.start : exc.end]!r} in encoding "
                f"{self.output_encoding}; choose another --output-encoding"
            ) from None
        except UnicodeError as exc:  # a codec that refuses text, not a character (idna)
            raise BatchFileError(
                f"cannot write in encoding {self.output_encoding} ({exc}); "
                "choose another --output-encoding"
            ) from None
        except OSError as exc:
            raise BatchFileError(f"{exc.filename or self.output}: {exc.strerror or exc}") from None
        return BatchReport(
            summary,
            self.output,
            self.input_format,
            getattr(table, "encoding", None),
            self.output_format,
            self.output_encoding,
            replaced,
            str(getattr(batch, "engine", "core")),
        )

    def _try_columnar(
        self, calculator: Calculator, batch: Batch, progress: Progress | None
    ) -> BatchReport | None:
        """The columnar CSV path (CSV to CSV with pyarrow, docs/cli-batch.md §7), or None
        when it does not apply or hands the file back (nothing written then). The encoding is
        the given one or :func:`detect_encoding`'s."""
        if not (self.input_format == "csv" and self.output_format == "csv"):
            return None
        batchfast = importlib.import_module("medcalc.batch._columnar")
        if not batchfast.arrow_available() or not self.source.is_file():
            return None
        # the same decision as the row path's, over the whole file (docs/cli-batch.md §2)
        encoding = self.input_encoding or detect_encoding(self.source)
        report = self._columnar(calculator, batch, progress, encoding, check=True)
        return None if isinstance(report, str) else report

    def _columnar(
        self,
        calculator: Calculator,
        batch: Batch,
        progress: Progress | None,
        encoding: str,
        *,
        check: bool,
    ) -> BatchReport | str:
        """One attempt of the columnar path in ``encoding`` (``check``: check that every byte
        is valid in it); ``encoding`` when a byte is not, another text when the file needs the
        row path."""
        batchfast = importlib.import_module("medcalc.batch._columnar")
        if not batchfast.supported(self, encoding):
            return "unsupported"
        table = _CsvTable(self.source, encoding)
        before = _stamp(self.source)
        try:
            table.open(batch.columns)
            self._check_header(table, batch)
        except (BatchFileError, UsageError):
            return "encoding"  # the row path says what is wrong, after detecting the encoding
        if any(_canonical(c) in batch.results for c in table.columns):
            return "result columns"
        try:
            summary, write_rows, keep = batchfast.run_columnar(
                self, calculator, table, progress, check_encoding=check
            )
        except batchfast.NotInEncoding:
            return "encoding"
        except batchfast.Unsupported:
            return "unsupported"
        summary = attrs.evolve(summary, blank=summary.blank - (summary.rows + summary.blank - keep))

        def write(temp: Path) -> None:
            write_rows(temp)
            if _stamp(self.source) != before:
                raise BatchFileError(f"{self.source} changed while it was being read")
            if progress is not None:
                progress("write", keep, keep)

        write_atomically(self.output, write)
        return BatchReport(
            summary,
            self.output,
            self.input_format,
            table.encoding,
            self.output_format,
            self.output_encoding,
            (),
            "columnar",
        )

    def _check_header(self, table: _Table, batch: Batch) -> None:
        if isinstance(table, _JsonlTable):
            return
        missing = [c for c in batch.required if not table.has(c)]
        if missing:
            raise BatchFileError(
                f"{self.source}: no {', '.join(missing)} column "
                f"(columns: {', '.join(map(shown, table.columns)) or 'none'})"
            )
        if self.series is None and not table.has("series"):
            raise UsageError(f"{self.source} has no series column; give --series")
        if self.output_format == "jsonl":
            self._check_json_keys(table.columns, batch.results)

    def _check_json_keys(self, columns: list[str], results: Sequence[str]) -> None:
        """Refuse carried columns with the same name (two empty ones too) for JSON Lines OUT:
        a JSON object keeps one value per key, so every reader would drop all but the last
        (spec §5). CSV and XLSX carry them as they are."""
        seen: dict[str, int] = {}
        for i, name in enumerate(columns):
            if _canonical(name) in results:
                continue  # replaced by the result column (not carried)
            if name in seen:
                raise BatchFileError(
                    f"{self.source}: the header names column {shown(name)} twice (columns "
                    f"{seen[name] + 1} and {i + 1}); a JSON Lines line keeps one value per "
                    "name: rename one, or write CSV or XLSX"
                )
            seen[name] = i

    def _writer(self, temp: Path, columns: list[str], batch: Batch) -> _Writer:
        if self.output_format == "csv":
            assert self.output_encoding is not None
            text = self.input_format == "csv"
            return _CsvWriter(
                temp,
                columns,
                batch.results,
                self.output_encoding,
                text=text,
                keep_formulas=self.keep_formulas,
            )
        if self.output_format == "xlsx":
            return _XlsxWriter(temp, columns, batch.results)
        return _JsonlWriter(temp, columns, batch.results)
