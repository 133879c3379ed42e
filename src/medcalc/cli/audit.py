"""``medcalc audit``: check every invariant against tariff series (see ``docs/audit.md``).

A thin shell over :mod:`medcalc.audit`, imported only when the command runs, so that
``medcalc --help`` and the other commands never load hypothesis.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click

from medcalc.cli import cli
from medcalc.cli._help import Text
from medcalc.cli.common import echo_json, lang_option, tariffs_option

#: ``--invariant`` naming no invariant.
_NO_SUCH_INVARIANT = Text("{names}（不变式有：{known}）", "{names} (invariants: {known})")


@contextlib.contextmanager
def _scratch_hypothesis_home() -> Iterator[None]:
    """hypothesis keeps caches under ``.hypothesis/`` of the working directory even with no
    example database; a command must not leave files behind, so they go to a temporary
    directory, removed afterwards."""
    from hypothesis import configuration

    with tempfile.TemporaryDirectory(prefix="medcalc-audit-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(None)


@cli.command("audit")
@click.argument("series", nargs=-1)
@tariffs_option
@click.option(
    "--examples",
    "-n",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
)
@click.option(
    "--invariant",
    "-i",
    "invariants",
    multiple=True,
    metavar="NAME",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@lang_option
@click.pass_context
def audit_command(
    ctx: click.Context,
    series: tuple[str, ...],
    tariff_dirs: tuple[Path, ...],
    examples: int,
    seed: int,
    invariants: tuple[str, ...],
    output_format: str,
    lang: str,
) -> None:
    """``medcalc audit``: every invariant checked against tariff series; exit 1 with the
    smallest counterexample when one fails (its help: ``_help.HELP``)."""
    from medcalc.audit import (
        INVARIANTS,
        run_audit,
        verdicts_json,
        verdicts_summary,
        verdicts_table,
    )
    from medcalc.tariff import load_book

    unknown = [name for name in invariants if name not in INVARIANTS]
    if unknown:
        names, known = ", ".join(unknown), ", ".join(INVARIANTS)
        raise click.BadParameter(
            _NO_SUCH_INVARIANT(lang).format(names=names, known=known), param_hint="--invariant"
        )
    book = load_book(list(tariff_dirs))
    for name in series:
        book.versions(name)  # an unknown series is an error before any work
    started = time.perf_counter()
    with _scratch_hypothesis_home():
        verdicts = run_audit(book, series, examples=examples, seed=seed, invariants=invariants)
    seconds = time.perf_counter() - started
    if output_format == "json":
        echo_json(verdicts_json(verdicts, lang, examples, seed, seconds))
    else:
        click.echo(verdicts_table(verdicts, lang))
        click.echo(verdicts_summary(verdicts, lang, examples, seed, seconds))
    if any(v.failed for v in verdicts):
        ctx.exit(1)
