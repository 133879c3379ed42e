"""``medcalc premium`` and ``medcalc claim``: one person's estimate, as a table or JSON.

A thin shell: options and files become rows of text fields, :mod:`medcalc.chain` turns them into
a :class:`~medcalc.chain.Person`, claims and a :class:`~medcalc.chain.YearToDate`, the
:class:`~medcalc.chain.Calculator` computes, and :mod:`medcalc.present` writes the result.
A claims file is read, and its claims computed naming the row of an error, by
:func:`medcalc.batch.read_claims_file` (as ``medcalc batch`` reads its input).

Errors: an input error names the option it came from (``--total: …``), or, for a claims file,
the file, row and field (``claims.csv row 2 (line 3): total: …``); the group boundary prints it
as one line and exits 1. Usage errors (unknown option, a missing ``--year``) are click's, exit 2.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from medcalc.batch import ClaimRows, read_claims_file, write_atomically
from medcalc.chain import (
    YTD_FIELDS,
    Calculator,
    claim_from,
    fields,
    person_from,
    year_to_date_from,
)
from medcalc.cli import cli
from medcalc.cli._help import Text
from medcalc.cli.common import json_text, lang_option, message_text, tariffs_option
from medcalc.errors import BatchFileError, InputError, MissingInputError, UsageError
from medcalc.messages import say
from medcalc.present import (
    CLAIMS_SCHEMA,
    PREMIUMS_SCHEMA,
    Lang,
    claims_json,
    claims_table,
    estimate_html,
    premiums_json,
    premiums_table,
)
from medcalc.tariff import SERIES_ENV_VAR, TariffBook, default_series, load_book

#: The option each input field comes from, so an error names what the user typed.
OPTION_OF_FIELD = {
    "categories": "--category/--categories",
    "disability_grade": "--disability-grade",
    "disability_type": "--disability-type",
    "birth_date": "--birth-date",
    "enrolled_on": "--enrolled-on",
    "pension_grade": "--pension-grade",
    "year": "--year",
    "claim_id": "--claim-id",
    "date": "--date",
    "hospital_level": "--hospital-level",
    "total": "--total",
    "compliant": "--compliant",
    "basic_paid": "--basic-paid",
    **{field: "--" + field.replace("_", "-") for field in YTD_FIELDS},
    "year_to_date": "--ytd-*",
}


#: The usage errors of these commands (their help is in ``medcalc.cli._help``).
_NO_SERIES = Text(
    "没有默认的待遇标准系列（已安装：{series}）：请用 --series 或环境变量 MEDCALC_SERIES 指定",
    "no default series (installed: {series}): give --series or set MEDCALC_SERIES",
)
_FILE_AND_OPTIONS = Text(
    "--claims 文件不能与 {given} 同时给出", "--claims FILE cannot be combined with {given}"
)
_NO_CLAIM = Text(
    "请给出一笔住院（--date、--compliant 等）或 --claims 文件",
    "give one claim (--date, --compliant, …) or --claims FILE",
)

F = Callable[..., Any]


@contextmanager
def _fields_as_options() -> Iterator[None]:
    """Re-raise an input error about a field with the option's name in place of the field's."""
    try:
        yield
    except InputError as exc:
        option = OPTION_OF_FIELD.get(exc.field or "")
        if option is None:
            raise
        raise type(exc)(exc.message, field=option) from exc


def _apply(f: F, *decorators: Callable[[F], F]) -> F:
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def _ytd_options(f: F) -> F:
    """One ``--ytd-*`` option per year-to-date field (``YTD_FIELDS``): basic paid, then each
    layer's base."""
    return _apply(
        f,
        *(click.option(OPTION_OF_FIELD[field], metavar="AMOUNT") for field in YTD_FIELDS),
    )


def _person_options(f: F) -> F:
    """``--series`` and the options that describe the person's categories."""
    return _apply(
        f,
        # No default here: MEDCALC_SERIES, else the only series installed (_book).
        click.option("--series"),
        click.option("--category", "category", multiple=True, metavar="ID"),
        click.option("--categories", metavar="'ID;ID'"),
        click.option("--disability-grade", metavar="1-4"),
        click.option("--disability-type", metavar="TYPE"),
    )


def _output_options(schema: str, *, html: bool = False) -> Callable[[F], F]:
    """``--lang``, ``--format`` (the JSON is ``schema``; ``html``: the printable 测算单 too),
    ``-o/--output`` and ``--tariffs``."""
    formats = ["table", "json", *(["html"] if html else [])]

    def decorate(f: F) -> F:
        return _apply(
            f,
            lang_option,
            click.option(
                "--format",
                "output_format",
                type=click.Choice(formats),
                default="table",
                show_default=True,
            ),
            click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path)),
            tariffs_option,
        )

    return decorate


def _emit(text: str, output: Path | None) -> None:
    """``text`` to the terminal, or to ``output`` atomically (UTF-8; the old file stays as it
    was if anything fails)."""
    if output is None:
        click.echo(text)
        return

    def write(path: Path) -> None:
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")

    try:
        write_atomically(output, write)
    except OSError as exc:
        raise BatchFileError(
            say("output.cannot_write", path=output, reason=exc.strerror or exc)
        ) from None


def _person_row(
    category: Sequence[str],
    categories: str | None,
    disability_grade: str | None,
    disability_type: str | None,
    **more: str | None,
) -> dict[str, str | None]:
    joined = ";".join([*category, *([categories] if categories else [])])
    return {
        "categories": joined or None,
        "disability_grade": disability_grade,
        "disability_type": disability_type,
        **more,
    }


def _book(tariff_dirs: Sequence[Path], series: str | None, lang: str) -> tuple[TariffBook, str]:
    """The tariffs and the series to use: ``--series``, else the default series (默认待遇标准:
    ``MEDCALC_SERIES``, else the only series installed), as ``medcalc batch`` chooses it."""
    book = load_book(tariff_dirs)
    chosen = series or default_series(book, os.environ.get(SERIES_ENV_VAR))
    if chosen is None:
        raise click.UsageError(_NO_SERIES(lang).format(series=", ".join(book.series())))
    book.versions(chosen)  # an unknown series is the user's first error, named as such
    return book, chosen


# -- medcalc premium ------------------------------------------------------------------------


@cli.command("premium")
@_person_options
# Read as text through the same rule as a batch cell: click's int() would take ٢٠١٩ as 2019.
@click.option("--year", metavar="YYYY", required=True)
@click.option("--birth-date", metavar="YYYY-MM-DD")
@click.option("--pension-grade", metavar="AMOUNT")
@_output_options(PREMIUMS_SCHEMA)
def premium_command(
    series: str | None,
    category: tuple[str, ...],
    categories: str | None,
    disability_grade: str | None,
    disability_type: str | None,
    year: str,
    birth_date: str | None,
    pension_grade: str | None,
    lang: Lang,
    output_format: str,
    output: Path | None,
    tariff_dirs: tuple[Path, ...],
) -> None:
    """``medcalc premium``: one person's premiums for a year (its help: ``_help.HELP``)."""
    book, series = _book(tariff_dirs, series, lang)
    with _fields_as_options():
        row = _person_row(
            category, categories, disability_grade, disability_type, birth_date=birth_date
        )
        person = person_from(row)
        grade = fields.amount({"pension_grade": pension_grade}, "pension_grade")
        year_number = fields.integer({"year": year}, "year")
        if year_number is None:
            raise MissingInputError(say("row.required"), field="year")
        result = Calculator(book).premiums(series, person, year_number, pension_grade=grade)
    if output_format == "json":
        _emit(json_text(premiums_json(result)), output)
    else:
        _emit(premiums_table(result, book, lang=lang), output)


# -- medcalc claim --------------------------------------------------------------------------


def _claims_file(path: Path, lang: str) -> ClaimRows:
    """The rows of ``--claims FILE``; a file of another extension is click's usage error."""
    try:
        return read_claims_file(path)
    except UsageError as exc:
        raise click.BadParameter(message_text(exc, lang), param_hint="--claims") from None


@cli.command("claim")
@_person_options
@click.option("--enrolled-on", metavar="YYYY-MM-DD")
@click.option("--date", "date_", metavar="YYYY-MM-DD")
@click.option("--hospital-level", metavar="ID")
@click.option("--total", metavar="AMOUNT")
@click.option("--compliant", metavar="AMOUNT")
@click.option("--basic-paid", metavar="AMOUNT")
@click.option("--claim-id", metavar="TEXT")
@click.option(
    "--claims", "claims_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_ytd_options
@click.option("--explain", is_flag=True)
@_output_options(CLAIMS_SCHEMA, html=True)
def claim_command(
    series: str | None,
    category: tuple[str, ...],
    categories: str | None,
    disability_grade: str | None,
    disability_type: str | None,
    enrolled_on: str | None,
    date_: str | None,
    hospital_level: str | None,
    total: str | None,
    compliant: str | None,
    basic_paid: str | None,
    claim_id: str | None,
    claims_file: Path | None,
    explain: bool,
    lang: Lang,
    output_format: str,
    output: Path | None,
    tariff_dirs: tuple[Path, ...],
    **ytd: str | None,
) -> None:
    """``medcalc claim``: one person's claims (its help: ``_help.HELP``)."""
    one = {
        "date": date_,
        "hospital_level": hospital_level,
        "total": total,
        "compliant": compliant,
        "basic_paid": basic_paid,
        "claim_id": claim_id,
    }
    given = [f"--{k.replace('_', '-')}" for k, v in one.items() if v is not None]
    if claims_file is not None and given:
        raise click.UsageError(_FILE_AND_OPTIONS(lang).format(given=", ".join(given)))
    if claims_file is None and not given:
        raise click.UsageError(_NO_CLAIM(lang))
    book, series = _book(tariff_dirs, series, lang)
    calc = Calculator(book)
    with _fields_as_options():
        person = person_from(
            _person_row(
                category, categories, disability_grade, disability_type, enrolled_on=enrolled_on
            )
        )
        year_to_date = year_to_date_from(ytd)
        if claims_file is None:
            result = calc.claims(series, person, [claim_from(one)], year_to_date=year_to_date)
        else:
            result = _claims_file(claims_file, lang).compute(
                calc, series, person, year_to_date=year_to_date
            )
    if output_format == "json":
        _emit(json_text(claims_json(result)), output)
    elif output_format == "html":
        # The printed date is the shell's: the core has no clock.
        page = estimate_html(result, book, lang=lang, printed_on=dt.date.today())
        _emit(page, output)
    else:
        _emit(claims_table(result, book, lang=lang, explain=explain), output)
