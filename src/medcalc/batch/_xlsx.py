"""XLSX (spec §5): the input's first sheet, and what XLSX output writes besides the rows.

**Input**: the first sheet, header in row 1, cached values of formulas, read with
python-calamine (a Rust reader, about ten times openpyxl's speed: docs/performance.md) and
with openpyxl when calamine cannot tell what a cell holds or cannot read the file at all:

- a sheet with an error cell (``#N/A``, ``#DIV/0!``) is read by openpyxl, which gives the
  error's text (calamine reads an error as an empty cell);
- a workbook calamine refuses (not a zip, malformed XML, no worksheet) is read by openpyxl,
  whose message names the problem, as before; without python-calamine, openpyxl reads all.

A number cell is a double. A whole number below 10^15 (which Excel stores exactly) is read as
an int; any other is read by the row parser as its shortest decimal text (``repr``), so an
amount cell holding 1234.56 is the text the clerk typed, and a computed 0.1 + 0.2 (shortest
text 0.30000000000000004) is refused for its decimals: no amount passes through float
arithmetic. A date cell is a date (ISO in text output). A workbook that would unpack beyond
:data:`XLSX_UNPACKED_LIMIT` or :data:`XLSX_RATIO_LIMIT` (a zip bomb), or whose XML parts
declare a DTD (an XML bomb), is refused before either reader opens it.

**Output** (written by :mod:`medcalc.batch._output` with XlsxWriter): result amounts are
number cells with the ``0.00`` format (:func:`amount_number`: exact), and a second sheet,
汇总 (``summary``), sums them per person and year (:class:`XlsxLayout`, :class:`SummaryTotals`).
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from medcalc.batch._rows import AMOUNTS
from medcalc.batch._table import Record, Table
from medcalc.chain import FIELD_LABELS
from medcalc.chain import fields as rows
from medcalc.errors import BatchFileError, InputError
from medcalc.messages import say
from medcalc.money import EXACT

__all__ = [
    "MONEY_FORMAT",
    "XLSX_RATIO_LIMIT",
    "XLSX_UNPACKED_LIMIT",
    "SummarySheet",
    "SummaryTotals",
    "XlsxLayout",
    "XlsxTable",
    "amount_number",
    "exact_number",
    "openpyxl_module",
    "xlsx_layout",
    "xlsxwriter_errors",
    "xlsxwriter_module",
]

#: Excel holds 15 significant digits exactly; longer IDs typed as numbers are already mangled.
_EXACT_LIMIT = 10**15


def openpyxl_module() -> Any:
    """openpyxl (untyped: it has no type stubs); :class:`BatchFileError` without it."""
    try:
        return importlib.import_module("openpyxl")
    except ImportError:
        raise BatchFileError(say("xlsx.missing_library", library="openpyxl")) from None


def xlsxwriter_module() -> Any:
    """XlsxWriter (untyped: no ``py.typed``), imported when XLSX is first written (``import
    medcalc`` stays light); :class:`BatchFileError` without it."""
    try:
        return importlib.import_module("xlsxwriter")
    except ImportError:
        raise BatchFileError(say("xlsx.missing_library", library="XlsxWriter")) from None


def xlsxwriter_errors() -> type[Exception]:
    """XlsxWriter's base error (a failed save wraps the OSError in one of its kinds)."""
    return importlib.import_module("xlsxwriter.exceptions").XlsxWriterException  # type: ignore[no-any-return]


def _calamine() -> Any:
    """python-calamine, or None where it is not installed (openpyxl reads every workbook)."""
    try:
        return importlib.import_module("python_calamine")
    except ImportError:
        return None


# -- output: numbers -------------------------------------------------------------------------

MONEY_FORMAT = "0.00"
"""The number format of every amount cell: two decimals, as medcalc prints amounts."""


def amount_number(text: str) -> float:
    """A result amount (text with exactly 2 decimals) as the double an XLSX number cell holds.

    Exact: every amount medcalc produces has at most 14 significant digits (at most
    :data:`~medcalc.money.MAX_AMOUNT`, 999999999999.99), and a decimal of at most 15
    significant digits (DBL_DIG) is the shortest repr of its nearest double, so a reader
    taking the cell's double back to its shortest text (``repr``; medcalc's reader does)
    finds the amount again. XlsxWriter stores ``{:.16G}`` of the double: either the amount's
    own digits or a 16-digit text still nearer the double than the amount is, which parses
    back to the same double. tests/test_xlsx_numeric.py proves it on generated amounts.

    >>> amount_number("1234.50"), repr(amount_number("999999999999.99"))
    (1234.5, '999999999999.99')
    """
    return float(text)


def exact_number(value: Decimal) -> float | None:
    """``value`` as a double whose shortest repr is ``value`` (so an XLSX number cell holds
    it exactly), or None when no double does (more than 15 significant digits, or beyond
    them: then the cell is written as its text).

    >>> exact_number(Decimal("1234.50")), exact_number(Decimal("12345678901234.567"))
    (1234.5, None)
    """
    number = float(value)
    return number if Decimal(repr(number)) == value else None


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
                say(
                    "xlsx.unpacked",
                    path=path,
                    total=total,
                    limit=XLSX_UNPACKED_LIMIT,
                    mib=XLSX_UNPACKED_LIMIT >> 20,
                )
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > _RATIO_FROM and ratio > XLSX_RATIO_LIMIT:
                raise BatchFileError(
                    say(
                        "xlsx.ratio",
                        path=path,
                        part=member.filename,
                        ratio=f"{ratio:.0f}",
                        limit=XLSX_RATIO_LIMIT,
                    )
                )
            if _parsed_as_xml(archive, member) and _has_dtd(archive, member):
                raise BatchFileError(say("xlsx.dtd", path=path, part=member.filename))


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


#: An error cell's type attribute (``<c r="A2" t="e">``), in any part: such a sheet is read by
#: openpyxl. A false match (the text in a string) only costs openpyxl's slower reading.
_ERROR_CELL = re.compile(rb"""\st\s*=\s*["']e["']""")
_CHUNK = 1 << 20


def _has_error_cells(path: Path) -> bool:
    """True when an XML part of the workbook has an error cell (or text that looks like one)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return False
    with archive:
        for member in archive.infolist():
            if not member.filename.lower().startswith("xl/worksheets/"):
                continue
            with archive.open(member) as f:
                tail = b""
                while chunk := f.read(_CHUNK):
                    if _ERROR_CELL.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _cell_value(value: Any) -> Any:
    """A calamine cell as openpyxl gives it: an empty cell None, a whole number below 10^15
    an int (Excel writes whole numbers without a decimal point; openpyxl reads those as int)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < _EXACT_LIMIT:
        return int(value)
    return value


class _UnreadableError(Exception):
    """calamine could not read the workbook: openpyxl reads it (and names the problem)."""


class XlsxTable(Table):
    """The first sheet of an XLSX workbook, read with python-calamine, or openpyxl where
    calamine cannot be trusted with it (the module's docstring)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        _check_xlsx(path)
        self._calamine = None if _has_error_cells(path) else _calamine()
        # openpyxl (~120 ms to import) only where it reads: now, when calamine will not, else
        # the first time calamine cannot read the workbook (:meth:`_sheet`).
        self._openpyxl: Any = openpyxl_module() if self._calamine is None else None

    # -- calamine ------------------------------------------------------------------------

    def _calamine_rows(self) -> Iterator[Sequence[Any]]:
        """The first worksheet's rows from row 1 and column A (calamine starts at the first
        cell that holds something); :class:`_UnreadableError` when calamine cannot read it."""
        calamine = self._calamine
        assert calamine is not None
        try:
            book = calamine.CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:
            raise _UnreadableError from exc
        with book:
            try:
                kinds = [m.typ for m in book.sheets_metadata]
                index = kinds.index(calamine.SheetTypeEnum.WorkSheet)
                sheet = book.get_sheet_by_index(index)
            except Exception as exc:
                raise _UnreadableError from exc
            start = sheet.start
            if start is None:
                return  # an empty sheet
            first_row, first_col = start
            for _ in range(first_row):
                yield ()
            pad = [None] * first_col
            for cells in sheet.iter_rows():
                yield [*pad, *map(_cell_value, cells)]

    # -- openpyxl ------------------------------------------------------------------------

    def _openpyxl_rows(self) -> Iterator[Sequence[Any]]:
        """The sheet's rows; a sheet whose XML is malformed is a :class:`BatchFileError`."""
        with self._sheet() as sheet:
            rows_ = sheet.iter_rows(values_only=True)
            while True:
                try:
                    cells = next(rows_, None)
                except Exception as exc:  # ParseError, or openpyxl's own for odd cell XML
                    raise BatchFileError(
                        say("xlsx.sheet_unreadable", path=self.path, reason=exc)
                    ) from None
                if cells is None:
                    return
                yield cells

    @contextlib.contextmanager
    def _sheet(self) -> Iterator[Any]:
        if self._openpyxl is None:
            self._openpyxl = openpyxl_module()
        try:
            book = self._openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
            raise BatchFileError(say("xlsx.unreadable", path=self.path, reason=exc)) from None
        try:
            if not book.worksheets:
                raise BatchFileError(say("xlsx.no_sheet", path=self.path))
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # do not trust the stored size: read every row there is
            yield sheet
        finally:
            book.close()

    def sheet_rows(self) -> Generator[Sequence[Any], None, None]:
        """The first sheet's rows from row 1, each from column A as far as it holds cells (None
        for an empty cell); :class:`BatchFileError` when the workbook cannot be read."""
        if self._calamine is not None:
            found = self._calamine_rows()
            try:
                first = next(found, None)
            except _UnreadableError:
                self._calamine = None  # and for the second reading too
            else:
                if first is not None:
                    yield first
                    yield from found
                return
        yield from self._openpyxl_rows()

    def open(self, known: Sequence[str]) -> None:
        rows_ = self.sheet_rows()
        first = next(rows_, None)
        rows_.close()
        if first is None or all(v is None for v in first):
            raise BatchFileError(say("xlsx.no_header", path=self.path))
        header = ["" if v is None else str(v) for v in first]
        while header and header[-1] == "":
            header.pop()
        self.index_header(header, known)
        self.width = len(header)

    def records(self) -> Iterator[tuple[int, Record]]:
        width = self.width
        rows_ = self.sheet_rows()
        next(rows_, None)
        for number, cells in enumerate(rows_, start=2):
            record = list(cells)
            if len(record) < width:
                record.extend([None] * (width - len(record)))
            elif len(record) > width:
                extra = record[width:]
                if any(v is not None and str(v).strip() for v in extra):
                    raise BatchFileError(
                        say("xlsx.beyond_header", path=self.path, number=number, width=width)
                    )
                del record[width:]
            yield number, record

    def fields(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, list)
        return {name: _xlsx_value(record[i]) for name, i in self.known}

    def is_blank(self, record: Record) -> bool:
        assert isinstance(record, list)
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in record)


def _xlsx_value(value: Any) -> Any:
    """A cell as the row parser should see it: whole-number floats below 10^15 as int."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_LIMIT:
        return int(value)
    return value


# -- output: the layout and the summary sheet ------------------------------------------------

#: The premium results written as amounts, and those the summary sums (as the batch summary
#: printed after a run does: what the government and the person pay).
_PREMIUM_AMOUNTS = (
    "medical_contribution",
    "medical_government",
    "medical_individual",
    "pension_contribution",
    "pension_government",
    "pension_individual",
    "pension_subsidy",
)
_PREMIUM_SUMS = (
    "medical_government",
    "medical_individual",
    "pension_government",
    "pension_individual",
    "pension_subsidy",
)
AMOUNT_RESULTS = frozenset((*AMOUNTS, *_PREMIUM_AMOUNTS))

#: The summary sheet's own words: its title, and its person, year, count and totals columns.
_SUMMARY_WORDS = {
    "zh": ("汇总", FIELD_LABELS["person_id"][0], FIELD_LABELS["year"][0], "件数", "合计"),
    "en": ("summary", "person_id", "year", "claims", "total"),
}


@attrs.frozen
class SummarySheet:
    """What the summary sheet (汇总) sums: the result amounts of every row without an error,
    per person and year, with a totals line. Positions are 0-based."""

    title: str
    """The sheet's name: 汇总 or summary."""
    labels: tuple[str, str, str, str]
    """The names of the person, year and count columns, and the totals line's label."""
    person: int | None
    """The carried column holding ``person_id`` (None: no such column; one person)."""
    year: int | None
    """The carried column holding the ``date`` (claims: its year counts) or the ``year``."""
    year_of_date: bool
    """True: ``year`` holds a date (claims); False: the year itself (premiums)."""
    count: bool
    """True: a column counting the rows (the claims) of each person and year."""
    sums: tuple[int, ...]
    """The result columns summed (their text has exactly 2 decimals)."""
    error: int | None
    """The result column ``error``: a row with an error counts nowhere."""


@attrs.frozen
class XlsxLayout:
    """How XLSX output writes a batch's results: which are amounts (number cells, ``0.00``)
    and what its summary sheet sums (None: no summary sheet)."""

    amounts: tuple[int, ...] = ()
    summary: SummarySheet | None = None


def xlsx_layout(
    columns: Sequence[str],
    results: Sequence[str],
    *,
    fields: Sequence[str | None] | None = None,
    result_ids: Sequence[str] | None = None,
    language: str | None = None,
) -> XlsxLayout:
    """The layout of a batch's XLSX output.

    ``columns``, ``results``: the carried and result columns as written; ``fields``: the input
    field each carried column means (None for another column; default: the column's name
    when it is a field id); ``result_ids``: each result column's id (default: ``results``);
    ``language``: of the summary sheet's own words, ``zh`` or ``en`` (default: ``en`` when the
    results are named by their ids, else ``zh``). The summary is per ``person_id`` and year
    (claims: the year of ``date``, with a count of claims; premiums: ``year``).

    >>> layout = xlsx_layout(["person_id", "date", "compliant"], ["covered", "basic", "error"])
    >>> layout.amounts, layout.summary.person, layout.summary.year, layout.summary.sums
    ((1,), 0, 1, (1,))

    Results named in Chinese (the header's language), their ids given: the sheet is 汇总.

    >>> zh = xlsx_layout(
    ...     ["人员编号", "入院日期"],
    ...     ["是否享受待遇", "基本医保", "错误说明"],
    ...     fields=["person_id", "date"],
    ...     result_ids=["covered", "basic", "error"],
    ... )
    >>> zh.summary.title, zh.summary.labels, zh.summary.error
    ('汇总', ('人员编号', '年度', '件数', '合计'), 2)
    """
    ids = tuple(results if result_ids is None else result_ids)
    where = list(columns if fields is None else fields)
    if language is None:
        language = "en" if tuple(results) == ids else "zh"
    amounts = tuple(i for i, name in enumerate(ids) if name in AMOUNT_RESULTS)
    claims = "covered" in ids
    summed = AMOUNTS if claims else _PREMIUM_SUMS
    sums = tuple(i for i, name in enumerate(ids) if name in summed)
    year_field = "date" if claims else "year"
    year = where.index(year_field) if year_field in where else None
    if not sums or year is None:
        return XlsxLayout(amounts)
    title, *labels = _SUMMARY_WORDS["zh" if language == "zh" else "en"]
    summary = SummarySheet(
        title=title,
        labels=(labels[0], labels[1], labels[2], labels[3]),
        person=where.index("person_id") if "person_id" in where else None,
        year=year,
        year_of_date=claims,
        count=claims,
        sums=sums,
        error=ids.index("error") if "error" in ids else None,
    )
    return XlsxLayout(amounts, summary)


def _fen(text: str) -> int:
    """An amount's text with exactly 2 decimals as whole fen (``"-0.01"`` -> -1)."""
    return int(text.replace(".", "", 1))


class SummaryTotals:
    """The sums of a :class:`SummarySheet`, row by row: per (person, year) the count of rows
    and each summed amount in whole fen (ints: exact and quick)."""

    def __init__(self, sheet: SummarySheet) -> None:
        self.sheet = sheet
        self._groups: dict[tuple[str, int], list[int]] = {}

    def _key(self, cells: Sequence[Any]) -> tuple[str, int] | None:
        sheet = self.sheet
        assert sheet.year is not None
        try:
            person = (
                ""
                if sheet.person is None
                else rows.text({"person_id": cells[sheet.person]}, "person_id")
            )
            where = {"year": cells[sheet.year]}
            if sheet.year_of_date:
                day = rows.date(where, "year")
                year = None if day is None else day.year
            else:
                year = rows.integer(where, "year")
        except InputError:
            return None  # a row computed without them cannot be: count it nowhere
        if year is None:
            return None
        return (person or "", year)

    def add(self, cells: Sequence[Any], results: Sequence[str | None]) -> None:
        """Count one written row (its carried cells and results) when it has no error."""
        sheet = self.sheet
        if sheet.error is not None and results[sheet.error] is not None:
            return
        amounts = [results[i] for i in sheet.sums]
        if all(a is None for a in amounts):
            return  # a row with no result (a totals row of the clerk's)
        key = self._key(cells)
        if key is None:
            return
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = [0] * (1 + len(amounts))
        group[0] += 1
        for i, text in enumerate(amounts, start=1):
            if text is not None:
                group[i] += _fen(text)

    def header(self, results: Sequence[str]) -> list[str]:
        """The sheet's header: person, year, [count], the summed results' names as written."""
        sheet = self.sheet
        person, year, count, _ = sheet.labels
        return [person, year, *([count] if sheet.count else []), *(results[i] for i in sheet.sums)]

    def lines(self) -> Iterator[list[str | int | Decimal]]:
        """Each person and year (in the order of person, then year), then the totals line:
        text, whole counts, and amounts as Decimal yuan."""
        totals = [0] * (1 + len(self.sheet.sums))
        count = self.sheet.count
        for (person, year), group in sorted(self._groups.items()):
            for i, value in enumerate(group):
                totals[i] += value
            yield [person, year, *self._values(group, count)]
        yield [self.sheet.labels[3], "", *self._values(totals, count)]

    @staticmethod
    def _values(group: list[int], count: bool) -> list[str | int | Decimal]:
        amounts: list[str | int | Decimal] = [
            Decimal(fen).scaleb(-2, context=EXACT) for fen in group[1:]
        ]
        return [group[0], *amounts] if count else amounts
