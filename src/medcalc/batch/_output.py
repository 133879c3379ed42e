"""Batch output (spec §5): CSV, XLSX and JSON Lines writers, written atomically.

- Every input row is written back with its result columns; carried cells as they were read.
- Formula-like cells (``=``, ``+``, ``-``, ``@``, tab, CR) reach CSV with a leading ``'`` and
  XLSX as text cells (:func:`excel_text`), so Excel never evaluates them. CSV output is UTF-8
  with a BOM, so Excel opens it correctly, unless told otherwise. Result amounts are written
  to XLSX as text cells (``"1234.50"``), never as binary floats.
- OUT is checked first (:func:`check_output`), then written to a temporary file in its own
  directory and moved into place only when complete (:func:`write_atomically`); on any
  failure, SIGTERM or SIGHUP OUT is left as it was. A device or FIFO is written directly.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib
import json
import os
import signal
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from medcalc.batch._rows import ResultRow
from medcalc.batch._table import Record
from medcalc.batch._xlsx import openpyxl_module
from medcalc.errors import BatchFileError

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


class _XlsxWriter(Writer):
    def __init__(self, path: Path, columns: list[str], results: Sequence[str]) -> None:
        super().__init__(path, columns, results)
        openpyxl = openpyxl_module()
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


def open_writer(
    output_format: str,
    path: Path,
    columns: list[str],
    results: Sequence[str],
    *,
    encoding: str | None,
    text: bool,
    keep_formulas: bool,
) -> Writer:
    """A writer of ``output_format`` to ``path``, its header written: the carried ``columns``
    then the ``results``. CSV: in ``encoding``; ``text``: the carried cells are CSV text
    already; ``keep_formulas``: formula-like cells written as they are (no ``'``)."""
    if output_format == "csv":
        assert encoding is not None
        return _CsvWriter(path, columns, results, encoding, text=text, keep_formulas=keep_formulas)
    if output_format == "xlsx":
        return _XlsxWriter(path, columns, results)
    return _JsonlWriter(path, columns, results)
