"""``medcalc tariff …``: list, show, validate and diff the tariff tables (a thin shell).

The commands read the tables (:mod:`medcalc.tariff`) and write them with
:mod:`medcalc.present` (``tariff_list_table``, ``tariff_table``, ``tariff_diff_table`` and the
JSON documents); what is shown is decided there.

Output is Chinese by default and English with ``--lang en``. Tables are for people (amounts
with thousands separators, ratios as percentages); ``--format json`` is for programs (amounts
as 2-decimal strings, ratios as written, never floats; each document names its schema):

- ``medcalc/tariff-list@1`` — ``tariff list``;
- ``medcalc/tariff@1`` — ``tariff show``: the whole tariff as data, keyed like the YAML file;
- ``medcalc/tariff-diff@1`` — ``tariff diff``: one entry per changed parameter.

Exit codes: 0 success (``diff`` exits 0 whether or not the tables differ); 1 a tariff error
(unknown series or version, no version in force on a date, a bad file), or ``validate`` found a
problem; 2 a usage error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from medcalc.cli import cli
from medcalc.cli._help import Text
from medcalc.cli.common import echo_json, lang_option, tariffs_option
from medcalc.errors import TariffNotFoundError
from medcalc.messages import say
from medcalc.present import (
    tariff_diff_json,
    tariff_diff_table,
    tariff_json,
    tariff_list_json,
    tariff_list_table,
    tariff_table,
    tr,
)
from medcalc.tariff import (
    Tariff,
    TariffBook,
    diff_tariffs,
    load_book,
    load_tariff,
    tariff_files,
    validate_paths,
)
from medcalc.tariff import tariff_dirs as dirs_read  # `tariff_dirs` is the --tariffs parameter

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)


#: ``tariff show`` told both which version and which day.
_VERSION_OR_DATE = Text(
    "请给出 --version 或 --date，不要同时给出", "give --version or --date, not both"
)


# -- loading ----------------------------------------------------------------------------------


def _book(extra: Sequence[Path]) -> TariffBook:
    return load_book(tuple(extra))


def _pick(
    book: TariffBook, series: str, version: str | None, on: dt.date | None, lang: str
) -> tuple[Tariff, str]:
    """The version to show and how it was chosen (a note for the reader; empty for --version)."""
    if version is not None and on is not None:
        raise click.UsageError(_VERSION_OR_DATE(lang))
    if version is not None:
        return book.get(series, version), ""
    if on is not None:
        found = book.in_force(series, on)
        iso = on.isoformat()
        return found, tr(lang, f"{iso} 在用的版本", f"the version in force on {iso}")
    latest = book.versions(series)[-1]
    return latest, tr(
        lang,
        "最新版本；用 --version 或 --date 选择其他版本",
        "the latest version; choose another with --version or --date",
    )


def _operand(arg: str) -> Path | tuple[str, str]:
    """A diff operand: a tariff file, or ``(series, version)`` from ``SERIES@VERSION``."""
    if Path(arg).is_file():
        return Path(arg)
    series, at, version = arg.rpartition("@")
    if not at or not series or not version:
        raise TariffNotFoundError(say("cli.not_operand", arg=repr(arg)))
    return series, version


def _load_operands(args: Sequence[str], extra: Sequence[Path]) -> list[Tariff]:
    """The tariffs named by ``args``; the tariff directories are read only when one is
    ``SERIES@VERSION`` (comparing two files needs no other table)."""
    operands = [_operand(a) for a in args]
    refs = [o for o in operands if not isinstance(o, Path)]
    book = _book(extra) if refs else None
    out = []
    for o in operands:
        if isinstance(o, Path):
            out.append(load_tariff(o))
        else:
            assert book is not None
            out.append(book.get(*o))
    return out


# -- the group --------------------------------------------------------------------------------


@cli.group("tariff")
@lang_option
def tariff_group(lang: str) -> None:
    """``medcalc tariff``: the group of the tariff commands (its help: ``_help.HELP``)."""


# -- list -------------------------------------------------------------------------------------


@tariff_group.command("list")
@format_option
@lang_option
@tariffs_option
def list_command(output_format: str, lang: str, tariff_dirs: tuple[Path, ...]) -> None:
    """``medcalc tariff list``: every tariff version, one row each."""
    book = _book(tariff_dirs)
    if output_format == "json":
        echo_json(tariff_list_json(book))
    else:
        click.echo(tariff_list_table(book, lang))


# -- show -------------------------------------------------------------------------------------


@tariff_group.command("show")
@click.argument("series")
@click.option("--version", "version", metavar="V")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
)
@format_option
@lang_option
@tariffs_option
def show_command(
    series: str,
    version: str | None,
    on: dt.datetime | None,
    output_format: str,
    lang: str,
    tariff_dirs: tuple[Path, ...],
) -> None:
    """``medcalc tariff show``: every parameter of one version of a series."""
    book = _book(tariff_dirs)
    found, note = _pick(book, series, version, on.date() if on else None, lang)
    if output_format == "json":
        echo_json(tariff_json(found))
    else:
        click.echo(tariff_table(found, lang, note=note, versions=book.versions(series)))


# -- validate ---------------------------------------------------------------------------------


def _count(n: int, lang: str, zh_unit: str, en_word: str) -> str:
    """``3 个文件`` / ``3 files``."""
    if lang == "en":
        return f"{n} {en_word}{'' if n == 1 else 's'}"
    return f"{n} {zh_unit}"


@tariff_group.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@lang_option
@tariffs_option
def validate_command(paths: tuple[Path, ...], lang: str, tariff_dirs: tuple[Path, ...]) -> None:
    """``medcalc tariff validate``: every problem of the files, then a summary line; exit 1
    when there is any."""
    targets = [*paths, *tariff_dirs] if paths else dirs_read(tariff_dirs)
    files = tariff_files(targets)
    if not files:
        where = ", ".join(str(p) for p in targets) or "-"
        raise TariffNotFoundError(say("cli.no_tariff_files", paths=where))
    problems = validate_paths(targets)
    for p in problems:
        click.echo(str(p))
    n_files = _count(len(files), lang, "个文件", "file")
    if not problems:
        click.echo(tr(lang, f"OK：{n_files}，没有发现问题", f"OK: {n_files}, no problems"))
        return
    bad = len({p.path for p in problems})
    n_problems = _count(len(problems), lang, "个问题", "problem")
    click.echo(
        tr(
            lang,
            f"发现 {n_problems}，涉及 {bad} 个文件（共检查 {n_files}）",
            f"{n_problems} in {bad} of {n_files}",
        )
    )
    click.get_current_context().exit(1)


# -- diff -------------------------------------------------------------------------------------


@tariff_group.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@format_option
@lang_option
@tariffs_option
def diff_command(
    a: str, b: str, output_format: str, lang: str, tariff_dirs: tuple[Path, ...]
) -> None:
    """``medcalc tariff diff``: two tariffs compared parameter by parameter (exit 0 either
    way)."""
    ta, tb = _load_operands([a, b], tariff_dirs)
    changes = diff_tariffs(ta, tb)
    if output_format == "json":
        echo_json(tariff_diff_json(ta, tb, changes))
    else:
        click.echo(tariff_diff_table(ta, tb, changes, lang))
