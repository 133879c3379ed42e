"""``medcalc compare claims|premiums FILE --proposal TARIFF.yaml -o OUT``: a proposed tariff
against the tables in force, on the same rows (docs/compare.md).

A thin shell over :class:`medcalc.batch.CompareJob`: the summary is printed on stderr
(:func:`medcalc.batch.compare_lines`), ``--summary PATH`` writes it as JSON or XLSX,
``--charts DIR`` draws it (the ``charts`` extra). Exit codes as ``batch``: 0 every row computed
on both sides; 3 some rows have an ``error`` (OUT is still written); 1 a tariff or file error
(nothing written); 2 a usage error.

The help texts (zh, en) are the catalogue's (:data:`medcalc.cli._help.HELP`, ``compare …``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from medcalc.batch import (
    CompareJob,
    check_charts,
    compare_lines,
    draw_charts,
    write_summary,
)
from medcalc.cli import cli
from medcalc.cli._file_options import COMMON_OPTIONS, FILE_OPTIONS
from medcalc.cli.common import done_with_files, lang_option, large_run
from medcalc.errors import UsageError
from medcalc.messages import say
from medcalc.tariff import SERIES_ENV_VAR, default_series, load_book, load_tariff

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code when some rows had errors (on either side) and the others were written.
EXIT_ROW_ERRORS = 3


def _options(f: F) -> F:
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option(
            "--proposal",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
        ),
        click.option(
            "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path)
        ),
        click.option("--summary", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--charts", type=click.Path(file_okay=False, path_type=Path)),
        *FILE_OPTIONS,
        *COMMON_OPTIONS,
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.group("compare")
@lang_option
def compare_group(lang: str) -> None:
    """A proposed tariff against the one in force (the help: :data:`COMPARE_HELP`)."""


def _run(kind: str, ctx: click.Context, **kw: Any) -> None:
    large_run()  # before the first block's arrays (medcalc.cli._process)
    lang: str = kw.pop("lang")
    tariff_dirs: tuple[Path, ...] = kw.pop("tariff_dirs")
    proposal_path: Path = kw.pop("proposal")
    summary_path: Path | None = kw.pop("summary")
    charts: Path | None = kw.pop("charts")
    if summary_path is not None and summary_path.suffix.lower() not in (".json", ".xlsx"):
        raise UsageError(say("compare.summary_extension", path=summary_path))
    if charts is not None:
        check_charts()
    job = CompareJob.plan(kind, kw.pop("file"), kw.pop("output"), **kw)
    book = load_book(tariff_dirs)
    proposal = load_tariff(proposal_path)
    if job.job.series is None:  # as batch: --series, else MEDCALC_SERIES, else the only one
        job = job.with_series(default_series(book, os.environ.get(SERIES_ENV_VAR)))
    report = job.run(book, proposal)
    for line in compare_lines(report.summary, lang, proposal):
        click.echo(line, err=True)
    if summary_path is not None:
        write_summary(
            summary_path,
            report.summary,
            proposal={
                "series": proposal.series,
                "version": proposal.version,
                "sha256": proposal.sha256,
            },
            source=str(job.job.source),
        )
    if charts is not None:
        draw_charts(report.summary, charts, lang)
    done_with_files()  # OUT, the summary and the charts are in place
    if report.summary.errors:
        ctx.exit(EXIT_ROW_ERRORS)


@compare_group.command("claims")
@_options
@click.pass_context
def claims_command(ctx: click.Context, /, **kw: Any) -> None:
    """Claims under both tables (the help: :data:`COMPARE_HELP`)."""
    _run("claims", ctx, **kw)


@compare_group.command("premiums")
@_options
@click.pass_context
def premiums_command(ctx: click.Context, /, **kw: Any) -> None:
    """Premiums under both tables (the help: :data:`COMPARE_HELP`)."""
    _run("premiums", ctx, **kw)
