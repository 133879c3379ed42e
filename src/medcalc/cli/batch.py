"""``medcalc batch claims|premiums FILE -o OUT``: many rows in one CSV, XLSX or JSON Lines file.

A thin shell over :mod:`medcalc.batch`, which also words the summary printed on stderr
(:func:`~medcalc.batch.summary_lines`); the progress bars are the shell's. Exit codes: 0 every
row computed; 3 some rows have an ``error`` (OUT is still written, with every other row
computed); 1 a tariff or file error (nothing written); 2 a usage error. Exit 3 is
``ctx.exit(3)`` after the summary, not an exception: it is an outcome of a finished run, not a
failure of it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from medcalc.batch import COLUMN_LANGUAGES, ENGINES, FORMATS, BatchJob, Progress, summary_lines
from medcalc.chain import LAYERS, YTD_FIELDS, Calculator
from medcalc.cli import cli
from medcalc.cli.common import lang_option, tariffs_option
from medcalc.tariff import SERIES_ENV_VAR, default_series, load_book

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code when some rows had errors and the others were written.
EXIT_ROW_ERRORS = 3

#: The label of each progress bar (a stage of the run).
_STAGES = {
    "zh": {
        "read": "读取",
        "compute": "计算",
        "write": "写入",
    },
    "en": {
        "read": "reading",
        "compute": "computing",
        "write": "writing",
    },
}


@cli.group("batch")
def batch_group() -> None:
    """Batch files: one result row per input row. 批量计算（CSV、XLSX、JSON Lines）。

    Exit codes: 0 all rows computed; 3 some rows have an error (OUT is still written);
    1 a tariff or file error (nothing is written); 2 a usage error.
    """


def _options(f: F) -> F:
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option(
            "-o",
            "--output",
            required=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Result file; its extension (.csv, .xlsx, .jsonl) gives the format. "
            "Replaced only when complete; a device (/dev/null) or FIFO is written directly.",
        ),
        click.option(
            "--series",
            help="Tariff series for rows without a series column/value (default: "
            "MEDCALC_SERIES, else the only series installed).",
        ),
        click.option(
            "--input-format",
            type=click.Choice(FORMATS),
            help="Format of FILE when its extension does not say.",
        ),
        click.option(
            "--output-format",
            type=click.Choice(FORMATS),
            help="Format of OUT when its extension does not say.",
        ),
        click.option(
            "--input-encoding",
            help="Encoding of a CSV/JSON Lines FILE (default: detected: UTF-8, UTF-8 with "
            "BOM or GB18030).",
        ),
        click.option(
            "--output-encoding",
            help="Encoding of a CSV OUT (default: utf-8-sig, UTF-8 with a BOM, for Excel).",
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="auto",
            show_default=True,
            help="auto: the column engine when medcalc[fast] is installed (same output, "
            "faster), else the reference core; core: always the reference core; fast: the "
            "engine (an error without numpy). Claims only: premiums always use the core.",
        ),
        click.option(
            "--columns",
            type=click.Choice(COLUMN_LANGUAGES),
            help="Language of the result column names: zh (是否享受待遇, 基本医保, …; 是/否) "
            "or en (covered, basic, …; yes/no). Default: that of FILE's header.",
        ),
        click.option(
            "--keep-formulas",
            is_flag=True,
            help="CSV OUT: write cells that begin with = + - @ tab or CR as they are; by "
            "default they get a leading ' so that Excel shows them as text.",
        ),
        tariffs_option,
        lang_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


class _Bars:
    """Progress bars on stderr, one per stage (read, compute, write)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            if total is None:
                return
            label = _STAGES[self.lang].get(stage, stage)
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
            self.stage, self.done = stage, 0
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.bar, self.stage = None, None


def _run(kind: str, ctx: click.Context, **kw: Any) -> None:
    lang: str = kw.pop("lang")
    tariff_dirs: tuple[Path, ...] = kw.pop("tariff_dirs")
    job = BatchJob.plan(kind, kw.pop("file"), kw.pop("output"), **kw)
    calculator = Calculator(load_book(tariff_dirs))
    if job.series is None:  # --series overrides; else as claim/premium (docs/cli-batch.md)
        job = job.with_series(default_series(calculator.book, os.environ.get(SERIES_ENV_VAR)))
    bars = _Bars(lang) if _stderr_is_tty() else None
    progress: Progress | None = bars
    try:
        report = job.run(calculator, progress)
    finally:
        if bars is not None:
            bars.close()
    for line in summary_lines(report, lang):
        click.echo(line, err=True)
    if report.summary.errors:
        ctx.exit(EXIT_ROW_ERRORS)


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


_NAMES = """A column may be named in Chinese (人员编号, 入院日期,
    政策范围内费用 …; docs/cli-batch.md §3); results then too (--columns). A last 合计 row
    gets no results."""


def _claims_help() -> str:
    """``batch claims``' help: the amounts (basic, each layer's, out of pocket) and the
    year-to-date columns named from the chain's ``LAYERS`` and ``YTD_FIELDS``."""
    amounts = [name.replace("_", " ") for name in ("basic", *(x.id for x in LAYERS))]
    return f"""Claims: {", ".join(amounts)} and out of pocket for every row. 理赔测算。

    FILE columns: person_id, date (YYYY-MM-DD) and compliant are required; series (or
    --series), categories (ids separated by ;), disability_grade, disability_type,
    enrolled_on, claim_id, hospital_level, total, basic_paid, {", ".join(YTD_FIELDS)} are
    optional; other columns are carried through. Rows need not be sorted. {_NAMES}
    """


@batch_group.command("claims", help=_claims_help())
@_options
@click.pass_context
def claims_command(ctx: click.Context, /, **kw: Any) -> None:
    """Claims for every row (the help: :func:`_claims_help`)."""
    _run("claims", ctx, **kw)


@batch_group.command("premiums")
@_options
@click.pass_context
def premiums_command(ctx: click.Context, /, **kw: Any) -> None:
    """Premiums: medical 资助 and pension 代缴 for every row. 保费测算。

    FILE columns: year is required; person_id, series (or --series), categories,
    disability_grade, disability_type, birth_date (needed for the pension) and pension_grade
    are optional; other columns are carried through. A column may be named in Chinese (人员编号,
    年度, 出生日期, 养老缴费档次 …; docs/cli-batch.md §3); results then too (--columns).
    """
    _run("premiums", ctx, **kw)
