"""Batch output (spec §5): CSV, XLSX and JSON Lines writers, written atomically.

- Every input row is written back with its result columns; carried cells as they were read.
- Formula-like cells (``=``, ``+``, ``-``, ``@``, tab, CR) reach CSV with a leading ``'`` and
  XLSX as string cells (:func:`excel_text`), so Excel never evaluates them. CSV output is
  UTF-8 with a BOM, so Excel opens it correctly, unless told otherwise.
- XLSX (written with XlsxWriter): result amounts are number cells with the ``0.00`` format,
  exact (:func:`~medcalc.batch._xlsx.amount_number`), so Excel's ``=SUM()`` counts them; every
  text, carried or result, is a string cell: a carried ``0012`` or ``1234.50`` read from CSV
  keeps its text (spec §5: carried cells keep their text); carried numbers, booleans and dates
  read from XLSX or JSON Lines stay numbers, booleans and dates (a number no double holds
  exactly, as its text). A second sheet, 汇总 (``summary``), sums the amounts per person and
  year (:class:`~medcalc.batch._xlsx.XlsxLayout`).
- OUT is checked first (:func:`check_output`), then written to a temporary file in its own
  directory and moved into place only when complete (:func:`write_atomically`); on any
  failure, SIGTERM or SIGHUP OUT is left as it was. A device or FIFO is written directly.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from medcalc.batch._rows import ResultRow
from medcalc.batch._table import Record
from medcalc.batch._xlsx import (
    MONEY_FORMAT,
    SummaryTotals,
    XlsxLayout,
    amount_number,
    exact_number,
    xlsx_layout,
    xlsxwriter_errors,
    xlsxwriter_module,
)
from medcalc.errors import BatchFileError
from medcalc.messages import say

__all__ = [
    "Writer",
    "check_output",
    "excel_text",
    "is_formula_like",
    "open_writer",
    "write_atomically",
]

_MISSING = object()  # a JSON key absent from a row


#: What Excel may evaluate when a cell's text begins with it (OWASP CSV injection).
_FORMULA_CHARS = "=+-@\t\r"
_FORMULA_STARTS = tuple(_FORMULA_CHARS)
#: Control characters XML 1.0 cannot hold (tab, LF and CR it can).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


class Writer:
    """One output file being written, row by row."""

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


class _CsvWriter(Writer):
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


class _Sink:
    """The output file for XlsxWriter's zip: after a failed write (a full disk) every later
    write, seek and close only moves a position, so the zip's finaliser, run when the error
    unwinds, finds nothing to write and prints no "Exception ignored" traceback."""

    def __init__(self, path: Path) -> None:
        self._file: BinaryIO | None = path.open("wb")
        self._position = 0  # where the zip believes it is, once the file failed

    def _failed(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError, ValueError):
                self._position = file.tell()
            with contextlib.suppress(OSError):
                file.close()

    def write(self, data: bytes) -> int:
        if self._file is None:
            self._position += len(data)
            return len(data)
        try:
            return self._file.write(data)
        except OSError:
            self._failed()
            raise

    def flush(self) -> None:
        if self._file is not None:
            try:
                self._file.flush()
            except OSError:
                self._failed()
                raise

    def tell(self) -> int:
        return self._position if self._file is None else self._file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._file is None:
            self._position = offset if whence == 0 else self._position + offset
            return self._position
        return self._file.seek(offset, whence)

    def seekable(self) -> bool:
        return self._file is None or self._file.seekable()

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()


#: The number formats of carried date and time cells (as openpyxl wrote them before).
_DATE_FORMATS = (
    (dt.datetime, "yyyy-mm-dd h:mm:ss"),
    (dt.date, "yyyy-mm-dd"),
    (dt.time, "h:mm:ss"),
    (dt.timedelta, "[h]:mm:ss"),
)
#: Whole numbers beyond 2^53 are not all doubles: such a carried number is written as text.
_EXACT_INT = 1 << 53


class _XlsxWriter(Writer):
    """XLSX with XlsxWriter in ``constant_memory`` mode (rows streamed to a temporary file):
    text through ``write_string`` (a string cell, never evaluated: spec §5), result amounts
    through ``write_number`` with the ``0.00`` format (:data:`~medcalc.batch._xlsx.MONEY_FORMAT`,
    exact: :func:`~medcalc.batch._xlsx.amount_number`), and the summary sheet (汇总) last."""

    def __init__(
        self,
        path: Path,
        columns: list[str],
        results: Sequence[str],
        layout: XlsxLayout | None = None,
    ) -> None:
        super().__init__(path, columns, results)
        xlsxwriter = xlsxwriter_module()
        self._layout = layout or xlsx_layout(columns, results)
        # XlsxWriter's row files live here, removed whatever happens
        self._temp = tempfile.TemporaryDirectory(prefix=".medcalc-xlsx-")
        self._out = _Sink(path)
        self._book = xlsxwriter.Workbook(
            self._out,
            {
                "constant_memory": True,
                "tmpdir": self._temp.name,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._book.set_properties({"created": dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)})
        self._sheet = self._book.add_worksheet("medcalc")
        plan = self._layout.summary
        self._totals = None if plan is None else SummaryTotals(plan)
        self._summary = None if plan is None else self._book.add_worksheet(plan.title)
        self._money = self._book.add_format({"num_format": MONEY_FORMAT})
        self._dates = {kind: self._book.add_format({"num_format": f}) for kind, f in _DATE_FORMATS}
        self._amounts = frozenset(self._layout.amounts)
        self._row = 0
        self._number = 1
        self._strings(self._sheet, 0, [*columns, *results])

    def _strings(self, sheet: Any, row: int, texts: Sequence[str]) -> None:
        for col, text in enumerate(texts):
            self._string(sheet, row, col, text)

    def _string(self, sheet: Any, row: int, col: int, text: str) -> None:
        if not text:
            return
        if _ILLEGAL.search(text):
            raise BatchFileError(say("output.control", number=self._number))
        if sheet.write_string(row, col, text) == -2:  # truncated to Excel's limit
            raise BatchFileError(say("output.long_cell", number=self._number))

    def _carried(self, col: int, value: Any) -> None:
        """One carried cell, its type kept: text as text, numbers, booleans and dates as
        they were read; a number that is not exactly a double as its text."""
        sheet, row = self._sheet, self._row
        if value is None or value is _MISSING:
            return
        if isinstance(value, str):
            self._string(sheet, row, col, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, float):
            sheet.write_number(row, col, value)
        elif isinstance(value, int):
            if abs(value) < _EXACT_INT:
                sheet.write_number(row, col, value)
            else:
                self._string(sheet, row, col, _text(value))
        elif isinstance(value, Decimal):  # a JSON Lines number, read exactly
            number = exact_number(value)
            if number is None:
                self._string(sheet, row, col, str(value))
            else:
                sheet.write_number(row, col, number)
        elif isinstance(value, (dt.date, dt.time, dt.timedelta)):
            kind = next(k for k, _ in _DATE_FORMATS if isinstance(value, k))
            if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is not None:
                self._string(sheet, row, col, _text(value))
            else:
                sheet.write_datetime(row, col, value, self._dates[kind])
        else:
            self._string(sheet, row, col, _text(value))

    def row(self, number: int, carried: Record, results: ResultRow | None) -> None:
        self._row += 1
        self._number = number
        cells = self._cells(carried)
        for col, value in enumerate(cells):
            self._carried(col, value)
        if results is None:
            return
        sheet, row, base, amounts = self._sheet, self._row, len(cells), self._amounts
        for i, value in enumerate(results):
            if value is None:
                continue
            if i in amounts:
                sheet.write_number(row, base + i, amount_number(value), self._money)
            else:
                self._string(sheet, row, base + i, value)
        if self._totals is not None:
            self._totals.add(cells, results)

    def _write_summary(self) -> None:
        if self._totals is None or self._summary is None:
            return
        sheet = self._summary
        names = self._totals.header(self.results)
        for col, name in enumerate(names):
            sheet.write_string(0, col, name)
        for r, line in enumerate(self._totals.lines(), start=1):
            for col, value in enumerate(line):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, col, value)
                elif isinstance(value, int):
                    sheet.write_number(r, col, value)
                else:
                    number = exact_number(value)
                    if number is None:  # a sum beyond 15 digits: its exact text
                        sheet.write_string(r, col, str(value))
                    else:
                        sheet.write_number(r, col, number, self._money)

    def close(self) -> None:
        try:
            self._write_summary()
            self._book.close()
        except xlsxwriter_errors() as exc:  # FileCreateError around the OSError of the write
            self.abort()
            cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
            if cause is not None:
                raise cause from None
            raise BatchFileError(say("output.cannot_write", path=self.path, reason=exc)) from None
        except BaseException:
            self.abort()
            raise
        try:
            self._out.close()
        finally:
            self._temp.cleanup()

    def abort(self) -> None:
        self._out.close()
        for sheet in self._book.worksheets():
            with contextlib.suppress(Exception):
                sheet.fh.close()  # the row file of constant_memory mode
        self._temp.cleanup()


class _JsonlWriter(Writer):
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
        raise BatchFileError(_cannot_write(path, exc.strerror or exc)) from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise BatchFileError(_cannot_write(path, say("output.directory")))
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            return True
        if not stat.S_ISREG(mode):
            raise BatchFileError(_cannot_write(path, say("output.special")))
    directory = Path(os.path.realpath(path)).parent
    if not directory.is_dir():
        raise BatchFileError(_cannot_write(path, say("output.no_directory", directory=directory)))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BatchFileError(_cannot_write(path, say("output.not_writable", directory=directory)))
    return False


def _cannot_write(path: Path, reason: object) -> str:
    return say("output.cannot_write", path=path, reason=reason)


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
        raise BatchFileError(_cannot_write(path, exc.strerror or exc)) from None
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


def open_writer(
    output_format: str,
    path: Path,
    columns: list[str],
    results: Sequence[str],
    *,
    encoding: str | None,
    text: bool,
    keep_formulas: bool,
    layout: XlsxLayout | None = None,
) -> Writer:
    """A writer of ``output_format`` to ``path``, its header written: the carried ``columns``
    then the ``results``. CSV: in ``encoding``; ``text``: the carried cells are CSV text
    already; ``keep_formulas``: formula-like cells written as they are (no ``'``). XLSX:
    ``layout`` says which results are amounts and what the summary sheet sums
    (:func:`~medcalc.batch._xlsx.xlsx_layout`; without it, the columns are known by their
    ids)."""
    if output_format == "csv":
        assert encoding is not None
        return _CsvWriter(path, columns, results, encoding, text=text, keep_formulas=keep_formulas)
    if output_format == "xlsx":
        return _XlsxWriter(path, columns, results, layout)
    return _JsonlWriter(path, columns, results)
