"""``medcalc compare``: every row computed under the tables in force and under a proposal.

The file is read once (a :class:`~medcalc.batch.BatchJob`'s checks first: formats,
encodings, OUT), every row parsed, and computed twice: under the book (现行, ``base_``) and
under :meth:`TariffBook.with_proposal <medcalc.tariff.TariffBook.with_proposal>` (方案,
``proposal_``), where the proposal stands in for whichever version of its series is in force
on the row's date. Claims with the column engine (``fast`` extra): the rows are parsed once by
the reference (:class:`ClaimsBatch`), turned into columns once and solved twice by the
engine; on the core (and for premiums): each row is added to two batches, one per side. OUT
(CSV, XLSX, JSON Lines, by the batch writers) holds the input columns, each side's result
columns (the batch's, ``error`` apart), the change, and one ``error`` column; the summary is
:mod:`medcalc.batch._compare_summary`'s. docs/compare.md.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from medcalc.batch._compare_summary import (
    CHANGES,
    CLAIM_COMPARED,
    PREMIUM_COMPARED,
    CompareSummary,
    CompareTally,
    compare_json,
    compare_names,
    compare_results,
    side_error,
    side_results,
)
from medcalc.batch._files import open_table, stamp
from medcalc.batch._headers import header_language, localiser
from medcalc.batch._job import BatchJob
from medcalc.batch._output import Writer, check_output, write_atomically
from medcalc.batch._row_readings import add_to, read_rows, write_rows
from medcalc.batch._rows import Batch, ClaimsBatch, Fields, PremiumsBatch, ResultRow
from medcalc.batch._table import Table
from medcalc.batch._xlsx import MONEY_FORMAT, XlsxLayout, amount_number, xlsxwriter_module
from medcalc.chain import Calculator
from medcalc.chain import fields as rowparse
from medcalc.errors import BatchFileError, EngineRangeError, InputError, UsageError
from medcalc.messages import say
from medcalc.tariff import Tariff, TariffBook

__all__ = ["CompareJob", "CompareReport", "write_summary"]

# A premiums row's government cost (资助, 代缴, the pension subsidy) and the person's part.
_GOVERNMENT = ("medical_government", "pension_government", "pension_subsidy")
_INDIVIDUAL = ("medical_individual", "pension_individual")


def _fen(text: str | None) -> int:
    """An amount's text (exactly 2 decimals, as batch writes it) in fen; empty: 0."""
    if not text:
        return 0
    return int(text.replace(".", "", 1))


@attrs.frozen
class CompareReport:
    """What a comparison did: its summary, where it wrote, the tables compared."""

    summary: CompareSummary
    output: Path
    input_format: str
    output_format: str
    engine: str
    """``columnar`` (a claims CSV read once by the columnar reader, solved twice by the
    column engine, written from the input's bytes), ``engine`` (parsed once by the
    reference, solved twice by the engine) or ``core``."""
    columns: str
    proposal: Tariff
    totals_rows: tuple[int, ...] = ()


class _Composer:
    """How a row's two results become its result cells (and its part of the summary)."""

    def __init__(self, kind: str, lang: str, side: tuple[str, ...]) -> None:
        self.kind = kind
        self.lang = lang
        self.side = side
        self.localise = localiser((*side, "error"), lang)

    def cells(self, base: ResultRow | None, proposal: ResultRow | None) -> ResultRow | None:
        """The row's result cells (None: a blank row), localised (是/否, the error's words)."""
        if base is None and proposal is None:
            return None
        width = len(self.side)
        localise = self.localise
        empty: ResultRow = (None,) * (width + 1)
        b = localise(base or empty)
        p = localise(proposal or empty)
        error = self._error(base, proposal)
        changes: tuple[str | None, ...] = (None,) * len(CHANGES[self.kind])
        if error is None:
            changes = tuple(_text(c) for c in self.changes(base, proposal))
        return (*b[:width], *p[:width], *changes, error)

    def _error(self, base: ResultRow | None, proposal: ResultRow | None) -> str | None:
        return side_error(
            None if base is None else base[-1],
            None if proposal is None else proposal[-1],
            self.lang,
        )

    def _amounts(self, row: ResultRow, names: Sequence[str]) -> list[int]:
        return [_fen(row[self.side.index(n)]) for n in names]

    def changes(self, base: ResultRow | None, proposal: ResultRow | None) -> tuple[int, ...]:
        """The row's change(s) in fen, proposal − base (both sides computed)."""
        assert base is not None and proposal is not None
        if self.kind == "claims":
            i = self.side.index("out_of_pocket")
            return (_fen(proposal[i]) - _fen(base[i]),)
        return tuple(
            sum(self._amounts(proposal, names)) - sum(self._amounts(base, names))
            for names in (_GOVERNMENT, _INDIVIDUAL)
        )

    def tally(
        self,
        tally: CompareTally,
        person: str | None,
        base: ResultRow | None,
        proposal: ResultRow | None,
    ) -> None:
        """The row's part of the summary."""
        if base is None and proposal is None:
            tally.blank_row()
            return
        if base is None or proposal is None or base[-1] is not None or proposal[-1] is not None:
            tally.error()
            return
        if self.kind == "claims":
            names = CLAIM_COMPARED
            profile = base[self.side.index("critical_illness_profile")]
            profiles: list[str | None] = [profile] * len(names)
        else:
            names = PREMIUM_COMPARED
            medical = base[self.side.index("medical_profile")]
            pension = base[self.side.index("pension_profile")]
            profiles = [medical if n.startswith("medical") else pension for n in names]
        changes = self.changes(base, proposal)
        tally.add(
            person,
            profiles,
            self._amounts(base, names),
            self._amounts(proposal, names),
            changes[-1],  # out of pocket; premiums: what the person pays
        )


def _text(fen: int) -> str:
    whole, part = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{whole}.{part:02d}"


def _person(fields: Fields) -> str | None:
    """The row's person id as the batch reads it (None: none, or one it refuses)."""
    try:
        return rowparse.text(fields, "person_id")
    except InputError:
        return None


@attrs.frozen
class CompareJob:
    """One ``medcalc compare`` run: a :class:`BatchJob`'s checked plan, the proposal."""

    job: BatchJob

    @classmethod
    def plan(cls, kind: str, source: Path, output: Path, **options: Any) -> CompareJob:
        """The batch job's checks (:meth:`BatchJob.plan`, the same options)."""
        return cls(BatchJob.plan(kind, source, output, **options))

    def with_series(self, series: str | None) -> CompareJob:
        return CompareJob(self.job.with_series(series))

    def _engine(self) -> bool:
        job = self.job
        if job.kind != "claims" or job.engine == "core":
            return False
        return job.engine == "fast" or importlib.util.find_spec("numpy") is not None

    def run(
        self, book: TariffBook, proposal: Tariff, *, block_size: int | None = None
    ) -> CompareReport:
        """Read once, compute under ``book`` and under ``book.with_proposal(proposal)``,
        write OUT atomically; raise before writing on a file, tariff or usage error.

        The job's ``threads`` are those of the columnar path (reading, the engine, writing)
        and of the engine; the output does not depend on them. ``block_size``: bytes per
        block of the columnar CSV reader (as :meth:`BatchJob.run`)."""
        job = self.job
        check_output(job.output)
        proposed = book.with_proposal(proposal)
        if job.series is not None:
            book.versions(job.series)
        try:
            if self._engine():
                report = self._try_columnar(book, proposed, proposal, block_size)
                if report is not None:
                    return report
                try:
                    return self._run(book, proposed, proposal, engine=True)
                except EngineRangeError:
                    pass  # an amount beyond the engine's range: both sides on the core
            return self._run(book, proposed, proposal, engine=False)
        except UnicodeEncodeError as exc:
            raise BatchFileError(
                f"cannot write {exc.object[exc.start : exc.end]!r} in encoding "
                f"{job.output_encoding}; choose another --output-encoding"
            ) from None
        except OSError as exc:
            raise BatchFileError(f"{exc.filename or job.output}: {exc.strerror or exc}") from None

    def _try_columnar(
        self,
        book: TariffBook,
        proposed: TariffBook,
        proposal: Tariff,
        block_size: int | None,
        *,
        guess: bool = True,
    ) -> CompareReport | None:
        """Claims CSV to CSV as columns (:mod:`medcalc.batch._compare_columnar`): read once by
        the columnar reader, solved twice, written from the input's bytes; None when it does
        not apply or hands the file back (as :class:`BatchJob`'s columnar path, its ASCII
        start included: :meth:`BatchJob.ascii_start`; nothing is written then)."""
        job = self.job
        ascii_only = guess and job.ascii_start()
        opened = job.columnar_table(
            ClaimsBatch.columns, ClaimsBatch.required, encoding="utf-8" if ascii_only else None
        )
        if opened is None:
            return None
        from medcalc.batch import _columnar, _compare_columnar

        table, before = opened
        ours = set(compare_results("claims")) | set(compare_names("claims", "zh"))
        if any(c in ours for c in table.columns):
            return None  # result columns in the input: the row path leaves them out
        lang = job.columns or header_language(table.columns, ClaimsBatch.columns)
        try:
            read = _columnar.read_columnar(
                table,
                Calculator(book),
                series=job.series,
                progress=None,
                block_size=block_size,
                threads=job.threads,
                ascii_only=ascii_only,
            )
        except _columnar.NotAscii:
            read = None  # read again below, once this reading's frames are let go
        except (_columnar.Unsupported, EngineRangeError):
            return None
        if read is None:
            return self._try_columnar(book, proposed, proposal, block_size, guess=False)
        try:
            base, other = _compare_columnar.solve_both(read, book, proposed, threads=job.threads)
        except EngineRangeError:
            return None
        summary = _compare_columnar.compare_summary(read, base, other, read.keep)

        def write(temp: Path) -> None:
            _compare_columnar.write_compare(
                read,
                temp,
                base,
                other,
                lang=lang,
                output_encoding=job.output_encoding or "utf-8-sig",
                keep_formulas=job.keep_formulas,
            )

        job.write_out(write, before)
        return CompareReport(
            summary, job.output, "csv", "csv", "columnar", lang, proposal, read.totals
        )

    def _batch(self, book: TariffBook) -> Batch:
        kind_batch = ClaimsBatch if self.job.kind == "claims" else PremiumsBatch
        return kind_batch(Calculator(book), default_series=self.job.series)

    def _run(
        self, book: TariffBook, proposed: TariffBook, proposal: Tariff, *, engine: bool
    ) -> CompareReport:
        job = self.job
        table = open_table(job.source, job.input_format, job.input_encoding)
        before = stamp(job.source)
        base = self._batch(book)
        table.open(base.columns)
        self.job.check_header(table, base.required)
        batches = [base] if engine else [base, self._batch(proposed)]
        persons: list[str | None] = []

        def add(number: int, fields: Fields | None) -> None:
            persons.append(None if fields is None else _person(fields))
            for b in batches:
                add_to(b, number, fields)

        keep, totals = read_rows(table, add)
        if engine:
            results = _solved(base, book, proposed, job.threads)
        else:
            for b in batches:
                b.run()
            results = (batches[0].result, batches[1].result)
        lang = job.columns or header_language(table.columns, base.columns)
        composer = _Composer(job.kind, lang, side_results(job.kind))
        tally = CompareTally(job.kind)
        totals_set = set(totals)

        def write(temp: Path) -> None:
            self._write(temp, table, composer, results, keep, persons, tally, totals_set)

        job.write_out(write, before)
        return CompareReport(
            tally.summary(),
            job.output,
            job.input_format,
            job.output_format,
            "engine" if engine else "core",
            lang,
            proposal,
            totals,
        )

    def _write(
        self,
        temp: Path,
        table: Table,
        composer: _Composer,
        results: tuple[Callable[[int], ResultRow | None], Callable[[int], ResultRow | None]],
        keep: int,
        persons: list[str | None],
        tally: CompareTally,
        totals: set[int],
    ) -> None:
        """The second reading: each kept row, its carried cells and its result cells (a
        totals row: empty results, not counted)."""
        job = self.job
        ids = compare_results(job.kind)
        names = compare_names(job.kind, composer.lang)
        ours = set(ids) | set(compare_names(job.kind, "zh"))
        layout = None
        if job.output_format == "xlsx":
            amount_ids = (
                set(CLAIM_COMPARED)
                | set(PREMIUM_COMPARED)
                | {
                    "medical_contribution",
                    "pension_contribution",
                }
            )
            amounts = tuple(
                i
                for i, r in enumerate(ids)
                if r.startswith("change_") or r.split("_", 1)[-1] in amount_ids
            )
            layout = XlsxLayout(amounts)
        base_of, proposal_of = results

        def opened(kept: list[str]) -> Writer:
            return job.open_writer(temp, kept, names, layout)

        def cells(position: int) -> ResultRow | None:
            b, p = base_of(position), proposal_of(position)
            composer.tally(tally, persons[position], b, p)
            return composer.cells(b, p)

        write_rows(table, opened, keep, cells, replaced=ours.__contains__, totals=totals)


def _solved(
    batch: Batch, book: TariffBook, proposed: TariffBook, threads: int
) -> tuple[Callable[[int], ResultRow | None], Callable[[int], ResultRow | None]]:
    """The rows of ``batch`` (parsed once) as columns, solved by the engine on ``threads``
    threads under each book; :class:`EngineRangeError` when an amount is beyond its range."""
    from medcalc.batch._columns import from_batch, solve

    assert isinstance(batch, ClaimsBatch)
    rows = from_batch(batch)
    batch.forget_parsed()
    # solve frees the person columns it has merged (rebinding them, not writing into them):
    # the other side solves a shallow copy taken before.
    again = copy.copy(rows)
    base = solve(rows, book, threads=threads)
    proposal = solve(again, proposed, threads=threads)
    return base.result, proposal.result


def write_summary(path: Path, summary: CompareSummary, **meta: Any) -> None:
    """The summary to ``path``, atomically: JSON (``.json``, amounts as strings) or XLSX
    (``.xlsx``: one sheet per table); :class:`UsageError` for another extension."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise UsageError(say("compare.summary_extension", path=path))
    document = compare_json(summary, **meta)
    if suffix == ".json":
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"

        def write_json(temp: Path) -> None:
            temp.write_text(text, encoding="utf-8")

        write_atomically(path, write_json)
        return
    write_atomically(path, lambda temp: _summary_xlsx(temp, document))


def _sheets(document: dict[str, Any]) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """The summary document's tables: (sheet name, header, rows)."""
    amount = ["amount", "base", "proposal", "change", "change_percent"]
    yield "totals", amount, [[c[k] for k in amount] for c in document["totals"]]
    yield (
        "by_profile",
        ["profile", *amount],
        [
            [group["profile"] or "", *(c[k] for k in amount)]
            for group in document["by_profile"]
            for c in group["totals"]
        ],
    )
    persons = document["persons"]
    yield "persons", list(persons), [list(persons.values())]
    yield (
        "deciles",
        ["decile", "change"],
        [[f"{10 * k}%", d] for k, d in enumerate(document["deciles"])],
    )
    for key in ("largest_gains", "largest_losses"):
        yield key, ["person", "change"], [[p["person"], p["change"]] for p in document[key]]


#: A summary's amount or percentage as the JSON document writes it: text with 2 decimals.
_AMOUNT_TEXT = re.compile(r"-?[0-9]+\.[0-9]{2}")


def _summary_xlsx(path: Path, document: dict[str, Any]) -> None:
    """The summary as a workbook, one sheet per part: amounts (and percentages) as exact
    number cells with the ``0.00`` format, so Excel's ``=SUM()`` adds them; every other text
    a string cell, never a formula (a person id ``=HYPERLINK(…)`` stays text)."""
    book = xlsxwriter_module().Workbook(str(path), {"strings_to_numbers": False})
    money = book.add_format({"num_format": MONEY_FORMAT})
    try:
        for name, header, rows in _sheets(document):
            sheet = book.add_worksheet(name)
            for c, text in enumerate(header):
                sheet.write_string(0, c, text)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    _summary_cell(sheet, r, c, value, money)
    finally:
        book.close()


def _summary_cell(sheet: Any, row: int, col: int, value: Any, money: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        sheet.write_number(row, col, value)  # a count of persons or rows
    elif isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value):
        sheet.write_number(row, col, amount_number(value), money)
    else:
        sheet.write_string(row, col, "" if value is None else str(value))
