"""XLSX input (spec §5): the first sheet, header in row 1, cached values of formulas.

A number cell is used for a known column as an int when it holds a whole number below 10^15
(which Excel stores exactly); another number cell is read by the row parser as its shortest
decimal text. A workbook that would unpack beyond :data:`XLSX_UNPACKED_LIMIT` or
:data:`XLSX_RATIO_LIMIT` (a zip bomb), or whose XML parts declare a DTD (an XML bomb), is
refused before openpyxl reads it.
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from medcalc.batch._table import Record, Table
from medcalc.errors import BatchFileError

__all__ = ["XLSX_RATIO_LIMIT", "XLSX_UNPACKED_LIMIT", "XlsxTable", "openpyxl_module"]

#: Excel holds 15 significant digits exactly; longer IDs typed as numbers are already mangled.
_EXACT_LIMIT = 10**15


def openpyxl_module() -> Any:
    """openpyxl (untyped: it has no type stubs); :class:`BatchFileError` without it."""
    try:
        return importlib.import_module("openpyxl")
    except ImportError:
        raise BatchFileError("XLSX files need openpyxl: pip install 'medcalc[xlsx]'") from None


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


class XlsxTable(Table):
    """The first sheet of an XLSX workbook, read with openpyxl."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._openpyxl = openpyxl_module()
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
        self.index_header(header, known)
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
        return {name: _xlsx_value(record[i]) for name, i in self.known}

    def is_blank(self, record: Record) -> bool:
        assert isinstance(record, list)
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in record)
