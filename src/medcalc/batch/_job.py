"""One ``medcalc batch`` run (spec §5): the job checked for usage errors, the engine picked,
the input read and computed, OUT written atomically.

Three ways to compute the same bytes: the reference core (:class:`~medcalc.batch.ClaimsBatch`
with the :class:`~medcalc.chain.Calculator`), the column engine over the reference's reading
(:class:`~medcalc.batch.EngineClaimsBatch`), and the columnar CSV path (pyarrow reading,
engine computing; docs/cli-batch.md §7). The last two need the ``fast`` extra and are
imported only when a job uses them: ``import medcalc.batch`` imports no numpy.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from medcalc.batch._csv import CsvTable
from medcalc.batch._encoding import OUTPUT_SAMPLE, ascii_head, check_encoding, detect_encoding
from medcalc.batch._files import format_of, open_table, stamp
from medcalc.batch._headers import (
    COLUMN_LANGUAGES,
    field_of,
    header_language,
    localiser,
    result_names,
    result_of,
)
from medcalc.batch._jsonl import JsonlTable
from medcalc.batch._output import Writer, check_output, open_writer, write_atomically
from medcalc.batch._row_readings import add_to, read_rows, write_rows
from medcalc.batch._rows import Batch, ClaimsBatch, PremiumsBatch, ResultRow, Summary
from medcalc.batch._table import PROGRESS_EVERY, Progress, Table, source_changed
from medcalc.batch._xlsx import XlsxLayout, xlsx_layout
from medcalc.chain import Calculator
from medcalc.errors import BatchFileError, UsageError
from medcalc.messages import say
from medcalc.money import shown

__all__ = [
    "ENGINES",
    "KINDS",
    "MAX_THREADS",
    "BatchJob",
    "BatchReport",
    "Progress",
    "available_cores",
]

KINDS = ("claims", "premiums")
ENGINES = ("auto", "core", "fast")
DEFAULT_OUTPUT_ENCODING = "utf-8-sig"
MAX_THREADS = 256
"""The most ``threads`` a job takes (the engine's own bound, :func:`medcalc.fast.compute`)."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one), the
    ``--threads`` a batch takes by default."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _installed(module: str) -> bool:
    """True when ``module`` can be imported (found without importing it)."""
    return importlib.util.find_spec(module) is not None


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
    columns: str = "en"
    """The language of the result columns' names: ``zh`` or ``en`` (docs/cli-batch.md §3)."""
    totals_rows: tuple[int, ...] = ()
    """The row numbers of the trailing totals rows (合计, 总计, 小计): written back with empty
    results, counted neither as rows nor as blank rows."""


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
    columns: str | None = None
    """The language of the result columns' names (``zh``, ``en``); None: that of the input's
    header (:func:`~medcalc.batch._headers.header_language`)."""
    threads: int = 1
    """Threads of the columnar path (pyarrow's CSV reading, the engine's chunks); the output
    does not depend on it. The reference core and the row path use one."""

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
        columns: str | None = None,
        threads: int = 1,
    ) -> BatchJob:
        """Resolve formats and encodings; :class:`UsageError` for a wrong combination or a
        ``threads`` outside 1..:data:`MAX_THREADS`."""
        if isinstance(threads, bool) or not isinstance(threads, int):
            raise UsageError(
                say("usage.threads", option="--threads", value=repr(threads), high=MAX_THREADS)
            )
        if not 1 <= threads <= MAX_THREADS:
            raise UsageError(
                say("usage.threads", option="--threads", value=threads, high=MAX_THREADS)
            )
        if kind not in KINDS:
            raise UsageError(f"unknown batch kind {kind!r} (expected claims or premiums)")
        if columns is not None and columns not in COLUMN_LANGUAGES:
            raise UsageError(
                f"unknown column language {columns!r} (expected {', '.join(COLUMN_LANGUAGES)})"
            )
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (expected {', '.join(ENGINES)})")
        if engine == "fast" and not _installed("numpy"):
            raise UsageError("--engine fast needs numpy: pip install 'medcalc[fast]'")
        in_format = format_of(source, input_format, option="--input-format")
        out_format = format_of(output, output_format, option="--output-format")
        if input_encoding is not None:
            if in_format == "xlsx":
                raise UsageError("--input-encoding applies to CSV and JSON Lines, not XLSX")
            input_encoding = check_encoding(input_encoding, "--input-encoding")
        if output_encoding is not None:
            if out_format != "csv":
                raise UsageError("--output-encoding applies to CSV output only")
            output_encoding = check_encoding(output_encoding, "--output-encoding", OUTPUT_SAMPLE)
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
            columns,
            threads,
        )

    def with_series(self, series: str | None) -> BatchJob:
        """This job with ``series`` as the series of rows that name none (the default series
        the shell found: :func:`medcalc.tariff.default_series`)."""
        return attrs.evolve(self, series=series)

    def _engine(self) -> bool:
        """True when this job computes with the column engine (claims only)."""
        if self.kind != "claims" or self.engine == "core":
            return False
        return self.engine == "fast" or _installed("numpy")

    def run(
        self,
        calculator: Calculator,
        progress: Progress | None = None,
        *,
        progress_every: int = PROGRESS_EVERY,
        block_size: int | None = None,
    ) -> BatchReport:
        """Read, compute, write OUT atomically; raise before writing anything on a file,
        tariff or usage error. Rows with errors do not raise: see ``summary.errors``.

        ``progress`` is told of each stage now and then: every ``progress_every`` rows (the
        columnar path: every block); ``block_size``: bytes per block of the columnar CSV
        reader (default 16 MiB; smaller blocks hold less memory and cost more overhead).
        """
        check_output(self.output)  # fail before computing, not after
        if self.series is not None:
            calculator.book.versions(self.series)  # an unknown --series fails the whole run
        try:
            if self._engine():
                from medcalc.batch._columnar import EngineClaimsBatch

                batch: Batch = EngineClaimsBatch(
                    calculator, default_series=self.series, threads=self.threads
                )
                report = self._try_columnar(calculator, batch, progress, block_size)
                if report is not None:
                    return report
            elif self.kind == "claims":
                batch = ClaimsBatch(calculator, default_series=self.series)
            else:
                batch = PremiumsBatch(calculator, default_series=self.series)
            return self._run_rows(batch, progress, progress_every)
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

    def _run_rows(self, batch: Batch, progress: Progress | None, every: int) -> BatchReport:
        """The row path: every format, any engine (the batch computes)."""
        table = open_table(self.source, self.input_format, self.input_encoding)
        table.progress_every = every
        before = stamp(self.source)
        table.open(batch.columns)
        self._check_header(table, batch)
        keep, totals = read_rows(table, functools.partial(add_to, batch), progress, every)
        summary = batch.run(None if progress is None else (lambda n: progress("compute", n, keep)))
        summary = attrs.evolve(summary, blank=summary.blank - (len(batch) - keep) - len(totals))
        lang = self._language(table, batch)

        def write(temp: Path) -> None:
            self._write(temp, table, batch, keep, lang, progress, every)

        self.write_out(write, before, keep, progress)
        replaced = tuple(c for c in table.columns if result_of(c) in batch.results)
        engine = str(getattr(batch, "engine", "core"))
        return self._report(
            summary, getattr(table, "encoding", None), replaced, engine, lang, totals
        )

    def _language(self, table: Table, batch: Batch) -> str:
        """The language of the result columns: ``--columns``, else the input header's."""
        return self.columns or header_language(table.columns, batch.columns)

    def write_out(
        self,
        write: Callable[[Path], None],
        before: tuple[int, int],
        keep: int = 0,
        progress: Progress | None = None,
    ) -> None:
        """OUT written atomically by ``write`` (given the temporary path);
        :class:`BatchFileError` when the input is no longer as it was (``before``, its
        :func:`stamp`) when its first reading began. ``progress``: told of the ``keep`` rows
        written."""

        def checked(temp: Path) -> None:
            write(temp)
            if stamp(self.source) != before:
                raise source_changed(self.source)
            if progress is not None:
                progress("write", keep, keep)

        write_atomically(self.output, checked)

    def _report(
        self,
        summary: Summary,
        encoding: str | None,
        replaced: tuple[str, ...],
        engine: str,
        lang: str,
        totals: tuple[int, ...],
    ) -> BatchReport:
        return BatchReport(
            summary,
            self.output,
            self.input_format,
            encoding,
            self.output_format,
            self.output_encoding,
            replaced,
            engine,
            lang,
            totals,
        )

    def _write(
        self,
        temp: Path,
        table: Table,
        batch: Batch,
        keep: int,
        lang: str,
        progress: Progress | None,
        every: int,
    ) -> None:
        """Write the first ``keep`` rows with their results (the second reading), the result
        columns named and written in ``lang``. A result column of the input (an output run
        again), named in either language, is replaced, not carried."""
        names = result_names(batch.results, lang)
        localise = localiser(batch.results, lang)

        def opened(kept: list[str]) -> Writer:
            layout = None
            if self.output_format == "xlsx":
                layout = self._layout(kept, names, batch, lang)
            return self.open_writer(temp, kept, names, layout)

        def result(position: int) -> ResultRow | None:
            found = batch.result(position)
            return None if found is None else localise(found)

        write_rows(
            table,
            opened,
            keep,
            result,
            replaced=lambda column: result_of(column) in batch.results,
            progress=progress,
            every=every,
        )

    def open_writer(
        self, temp: Path, kept: list[str], names: Sequence[str], layout: XlsxLayout | None
    ) -> Writer:
        """The writer of OUT's rows to ``temp`` in this job's format: the ``kept`` columns of
        the input, then the result columns ``names``."""
        return open_writer(
            self.output_format,
            temp,
            kept,
            names,
            encoding=self.output_encoding,
            text=self.input_format == "csv",
            keep_formulas=self.keep_formulas,
            layout=layout,
        )

    @staticmethod
    def _layout(columns: list[str], names: Sequence[str], batch: Batch, lang: str) -> XlsxLayout:
        """The XLSX output's layout (its amount cells, the 汇总 sheet) for columns and results
        named in any language: each carried column by the field it means."""
        wanted = frozenset(batch.columns)
        fields = [found if (found := field_of(c)) in wanted else None for c in columns]
        return xlsx_layout(columns, names, fields=fields, result_ids=batch.results, language=lang)

    def _try_columnar(
        self,
        calculator: Calculator,
        batch: Batch,
        progress: Progress | None,
        block_size: int | None,
        *,
        guess: bool = True,
    ) -> BatchReport | None:
        """The columnar CSV path (CSV to CSV with pyarrow, docs/cli-batch.md §7), or None
        when it does not apply or hands the file back (nothing written then). The encoding is
        the given one or :func:`detect_encoding`'s; with ``guess``, a file that starts with
        ASCII only is read as ASCII without that pass over it, and read again after it if a
        byte beyond ASCII comes (the decision is the same: an ASCII file is UTF-8)."""
        ascii_only = guess and self.ascii_start()
        opened = self.columnar_table(
            batch.columns, batch.required, encoding="utf-8" if ascii_only else None
        )
        if opened is None:
            return None
        from medcalc.batch import _columnar

        table, before = opened
        assert self.output_encoding is not None  # CSV output has one (columnar_table)
        if any(result_of(c) in batch.results for c in table.columns):
            return None  # result columns in the input: the row path replaces them
        lang = self._language(table, batch)
        try:
            summary, write_rows, keep, totals = _columnar.run_columnar(
                table,
                calculator,
                series=self.series,
                output_encoding=self.output_encoding,
                keep_formulas=self.keep_formulas,
                progress=progress,
                block_size=block_size,
                columns=lang,
                threads=self.threads,
                ascii_only=ascii_only,
            )
        except _columnar.NotAscii:
            summary = None  # read again below, once this reading's frames are let go
        except _columnar.Unsupported:  # NotInEncoding too: the row path names the row
            return None
        if summary is None:
            return self._try_columnar(calculator, batch, progress, block_size, guess=False)
        dropped = summary.rows + summary.blank - keep  # trailing blank rows
        summary = attrs.evolve(summary, blank=summary.blank - dropped - len(totals))
        self.write_out(write_rows, before, keep, progress)
        return self._report(summary, table.encoding, (), "columnar", lang, totals)

    def ascii_start(self) -> bool:
        """Whether the columnar path may read the input as ASCII without first deciding its
        encoding over the whole file (docs/cli-batch.md §2): no encoding given, a CSV file
        (not a FIFO: a reader would wait for its writer) whose first MiB is ASCII. The reader
        then stops at the first byte beyond (``NotAscii``) and the caller reads again with the
        decided encoding: the same decision, an ASCII file being UTF-8."""
        return (
            self.input_encoding is None
            and self.input_format == "csv"
            and self.source.is_file()
            and ascii_head(self.source)
        )

    def columnar_table(
        self, columns: Sequence[str], required: Sequence[str], *, encoding: str | None = None
    ) -> tuple[CsvTable, tuple[int, int]] | None:
        """The claims CSV opened for the columnar path (CSV to CSV with pyarrow, docs/cli-batch.md
        §7), its header checked, with the file's stamp; None when the path does not apply
        (nothing read then). The encoding is ``encoding``, else the given one or
        :func:`detect_encoding`'s."""
        if not (self.kind == "claims" and self.input_format == self.output_format == "csv"):
            return None
        from medcalc.batch import _columnar

        if not _columnar.arrow_available() or not self.source.is_file():
            return None
        # the same decision as the row path's, over the whole file (docs/cli-batch.md §2)
        encoding = encoding or self.input_encoding or detect_encoding(self.source)
        assert self.output_encoding is not None  # CSV output has one
        if not _columnar.supported(encoding, self.output_encoding):
            return None
        table = CsvTable(self.source, encoding)
        before = stamp(self.source)
        try:
            table.open(columns)
            self.check_header(table, required)
        except (BatchFileError, UsageError):
            return None  # the row path says what is wrong, after detecting the encoding
        return table, before

    def check_header(self, table: Table, required: Sequence[str]) -> None:
        """The header has the ``required`` columns, and a series column unless a series is
        given; a JSON Lines input is checked row by row instead."""
        if isinstance(table, JsonlTable):
            return
        missing = [c for c in required if not table.has(c)]
        if missing:
            raise BatchFileError(
                f"{self.source}: no {', '.join(missing)} column "
                f"(columns: {', '.join(map(shown, table.columns)) or 'none'})"
            )
        if self.series is None and not table.has("series"):
            raise UsageError(f"{self.source} has no series column; give --series")

    def _check_header(self, table: Table, batch: Batch) -> None:
        """:meth:`check_header`, and for JSON Lines OUT each carried column once."""
        self.check_header(table, batch.required)
        if self.output_format == "jsonl" and not isinstance(table, JsonlTable):
            self._check_json_keys(table.columns, batch.results)

    def _check_json_keys(self, columns: list[str], results: Sequence[str]) -> None:
        """Refuse carried columns with the same name (two empty ones too) for JSON Lines OUT:
        a JSON object keeps one value per key, so every reader would drop all but the last
        (spec §5). CSV and XLSX carry them as they are."""
        seen: dict[str, int] = {}
        for i, name in enumerate(columns):
            if result_of(name) in results:
                continue  # replaced by the result column (not carried)
            if name in seen:
                raise BatchFileError(
                    f"{self.source}: the header names column {shown(name)} twice (columns "
                    f"{seen[name] + 1} and {i + 1}); a JSON Lines line keeps one value per "
                    "name: rename one, or write CSV or XLSX"
                )
            seen[name] = i
