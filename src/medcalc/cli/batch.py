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

from medcalc.batch import BatchJob, Progress, summary_lines
from medcalc.chain import Calculator
from medcalc.cli import cli
from medcalc.cli._file_options import COMMON_OPTIONS, FILE_OPTIONS
from medcalc.cli.common import done_with_files, lang_option, large_run
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
@lang_option
def batch_group(lang: str) -> None:
    """``medcalc batch``: the group of the batch commands (its help: ``_help.HELP``)."""


def _options(f: F) -> F:
    # The help of each option: medcalc.cli._help.HELP["batch claims"].
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option(
            "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path)
        ),
        *FILE_OPTIONS,
        *COMMON_OPTIONS,
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
    large_run()  # before the first block's arrays (medcalc.cli._process)
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
    done_with_files()  # OUT is in place: the program may end without the teardown
    if report.summary.errors:
        ctx.exit(EXIT_ROW_ERRORS)


def _stderr_is_tty() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()  # None: closed at start (2>&-)


@batch_group.command("claims")
@_options
@click.pass_context
def claims_command(ctx: click.Context, /, **kw: Any) -> None:
    """``medcalc batch claims``: claims for every row (its help: ``_help.HELP``)."""
    _run("claims", ctx, **kw)


@batch_group.command("premiums")
@_options
@click.pass_context
def premiums_command(ctx: click.Context, /, **kw: Any) -> None:
    """``medcalc batch premiums``: premiums for every row (its help: ``_help.HELP``)."""
    _run("premiums", ctx, **kw)
