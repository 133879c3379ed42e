"""``medcalc premium`` and ``medcalc claim``: one person's estimate, as a table or JSON.

A thin shell: options and files become rows of text fields, :mod:`medcalc.chain` turns them into
a :class:`~medcalc.chain.Person`, claims and a :class:`~medcalc.chain.YearToDate`, the
:class:`~medcalc.chain.Calculator` computes, and :mod:`medcalc.present` writes the result.
A claims file is read as ``medcalc batch`` reads one (:func:`medcalc.batch.read_text`,
:class:`~medcalc.batch.CsvRecords`, :func:`~medcalc.batch.loads_exact`).

Errors: an input error names the option it came from (``--total: …``), or, for a claims file,
the file, row and field (``claims.csv row 2 (line 3): total: …``); the group boundary prints it
as one line and exits 1. Usage errors (unknown option, a missing ``--year``) are click's, exit 2.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import attrs
import click
import yaml

from medcalc.batch import CsvRecords, DuplicateKeyError, loads_exact, read_text
from medcalc.chain import (
    CLAIM_FIELDS,
    Calculator,
    Claim,
    Person,
    Row,
    claim_from,
    fields,
    person_from,
    year_to_date_from,
)
from medcalc.cli import cli
from medcalc.cli.common import echo_json, lang_option, tariffs_option
from medcalc.errors import InputError, MissingInputError, SectionMissingError, TariffNotFoundError
from medcalc.present import (
    CLAIMS_SCHEMA,
    PREMIUMS_SCHEMA,
    Lang,
    claims_json,
    claims_table,
    premiums_json,
    premiums_table,
)
from medcalc.tariff import DISABILITY_TYPES, TariffBook, load_book

DEFAULT_SERIES = "qingyuan-qingcheng"

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
    "ytd_basic_paid": "--ytd-basic-paid",
    "ytd_critical_illness_base": "--ytd-critical-illness-base",
    "ytd_assistance_base": "--ytd-assistance-base",
    "year_to_date": "--ytd-*",
}

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


def _person_options(f: F) -> F:
    """``--series`` and the options that describe the person's categories."""
    return _apply(
        f,
        click.option(
            "--series",
            default=DEFAULT_SERIES,
            show_default=True,
            help="Tariff series (待遇标准系列).",
        ),
        click.option(
            "--category",
            "category",
            multiple=True,
            metavar="ID",
            help="A category the person holds (人员类别), e.g. poverty; repeatable.",
        ),
        click.option(
            "--categories",
            metavar="'ID;ID'",
            help="Categories separated by ';' (as in batch files); adds to --category.",
        ),
        click.option(
            "--disability-grade",
            metavar="1-4",
            help="Disability grade (残疾等级); disability categories follow from the tariff.",
        ),
        click.option(
            "--disability-type",
            metavar="TYPE",
            help=f"Disability type (残疾类别): {', '.join(DISABILITY_TYPES)}.",
        ),
    )


def _output_options(schema: str) -> Callable[[F], F]:
    """``--lang``, ``--format`` (the JSON is ``schema``) and ``--tariffs``."""

    def decorate(f: F) -> F:
        return _apply(
            f,
            lang_option,
            click.option(
                "--format",
                "output_format",
                type=click.Choice(["table", "json"]),
                default="table",
                show_default=True,
                help=f"table (for a clerk) or json ({schema}).",
            ),
            tariffs_option,
        )

    return decorate


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


def _book(tariff_dirs: Sequence[Path], series: str) -> TariffBook:
    book = load_book(tariff_dirs)
    book.versions(series)  # an unknown series is the user's first error, named as such
    return book


# -- medcalc premium ------------------------------------------------------------------------


@cli.command("premium")
@_person_options
# Read as text through the same rule as a batch cell: click's int() would take ٢٠١٩ as 2019.
@click.option("--year", metavar="YYYY", required=True, help="Contribution year (缴费年度).")
@click.option(
    "--birth-date",
    metavar="YYYY-MM-DD",
    help="Birth date (出生日期); needed for the pension contribution (age on 1 January).",
)
@click.option(
    "--pension-grade",
    metavar="AMOUNT",
    help="Pension contribution grade (养老保险缴费档次); default: the lowest open to the person.",
)
@_output_options(PREMIUMS_SCHEMA)
def premium_command(
    series: str,
    category: tuple[str, ...],
    categories: str | None,
    disability_grade: str | None,
    disability_type: str | None,
    year: str,
    birth_date: str | None,
    pension_grade: str | None,
    lang: Lang,
    output_format: str,
    tariff_dirs: tuple[Path, ...],
) -> None:
    """Medical and pension premiums of one person for a year (参保缴费测算).

    Shows what the government pays (资助 / 代缴) and what the person pays, under the tariff
    version in force on 1 January of the year.
    """
    book = _book(tariff_dirs, series)
    with _fields_as_options():
        row = _person_row(
            category, categories, disability_grade, disability_type, birth_date=birth_date
        )
        person = person_from(row)
        grade = fields.amount({"pension_grade": pension_grade}, "pension_grade")
        year_number = fields.integer({"year": year}, "year")
        if year_number is None:
            raise MissingInputError("is required", field="year")
        result = Calculator(book).premiums(series, person, year_number, pension_grade=grade)
    if output_format == "json":
        echo_json(premiums_json(result))
    else:
        click.echo(premiums_table(result, book, lang=lang))


# -- medcalc claim --------------------------------------------------------------------------


@attrs.frozen
class ClaimRows:
    """The rows of a claims file, each with the place to name in an error."""

    rows: tuple[Row, ...]
    places: tuple[str, ...]


def _unknown_fields(found: Sequence[str]) -> str | None:
    """A message for field names that are not claim fields (with the nearest valid one)."""
    unknown = [name for name in found if name not in CLAIM_FIELDS]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        near = difflib.get_close_matches(name, CLAIM_FIELDS, n=1)
        parts.append(f"{name!r} (did you mean {near[0]!r}?)" if near else repr(name))
    return (
        f"unknown field {', '.join(parts)}; the fields are {', '.join(CLAIM_FIELDS)} "
        "(the person comes from the options)"
    )


def _csv_rows(text: str, name: str) -> ClaimRows:
    path = Path(name)
    # strict, with the stray-quote rule of medcalc batch (docs/cli-batch.md §2)
    reader = CsvRecords(io.StringIO(text, newline=""), path)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _csv_error(path, reader.line, exc) from None
    if header is None:
        raise InputError(f"{name}: the file is empty; expected a header line and claims")
    columns = [h.strip() for h in header]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise InputError(f"{name} line 1: column {', '.join(map(repr, twice))} appears twice")
    problem = _unknown_fields([c for c in columns if c])
    if problem:
        raise InputError(f"{name} line 1: {problem}")
    rows: list[Row] = []
    places: list[str] = []
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise _csv_error(path, reader.line, exc) from None
        if cells is None:
            break
        if not any(c.strip() for c in cells):
            continue  # a blank line
        place = f"{name} row {len(rows) + 1} (line {reader.line - 1})"
        if len(cells) > len(columns):
            raise InputError(f"{place}: {len(cells)} cells but the header has {len(columns)}")
        rows.append({c: v for c, v in zip(columns, cells, strict=False) if c})
        places.append(place)
    return ClaimRows(tuple(rows), tuple(places))


def _csv_error(path: Path, line: int, exc: csv.Error) -> Exception:
    """A CSV error names the line where its record starts (as ``medcalc batch`` does)."""
    return InputError(f"{path} line {line}: {exc}")


def _object_rows(items: Any, name: str, what: str) -> ClaimRows:
    if not isinstance(items, list):
        raise InputError(f"{name}: expected a {what} list of claims, one {what} object each")
    rows: list[Row] = []
    places: list[str] = []
    for number, item in enumerate(items, start=1):
        place = f"{name} row {number}"
        if not isinstance(item, dict):
            raise InputError(f"{place}: expected an object with the claim's fields")
        problem = _unknown_fields([str(k) for k in item])
        if problem:
            raise InputError(f"{place}: {problem}")
        rows.append({str(k): v for k, v in item.items()})
        places.append(place)
    return ClaimRows(tuple(rows), tuple(places))


def _json_rows(text: str, name: str) -> ClaimRows:
    try:
        # Numbers are read exactly (Decimal), never as float; null is "not given" (as in rows).
        items = loads_exact(text)
    except DuplicateKeyError as exc:
        raise InputError(f"{name}: field {exc.key!r} is given twice in one claim") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except ValueError as exc:  # NaN or Infinity: JSON has no such number
        raise InputError(f"{name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply to be a list of claims") from None
    return _object_rows(items, name, "JSON")


_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def _yaml_value(node: yaml.Node, name: str) -> Any:
    """A YAML node as lists, dicts and *text* (every scalar kept as written, so ``0.1`` is
    never a float); a plain null is "not given"."""
    where = f"{name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(item, name) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_yaml_value(key_node, name))
            if key in out:
                raise InputError(f"{where}: field {key!r} is given twice in one claim")
            out[key] = _yaml_value(value_node, name)
        return out
    assert isinstance(node, yaml.ScalarNode)
    value = cast(str, node.value)
    if node.style is None and value in _YAML_NULLS:
        return None
    return value


def _yaml_rows(text: str, name: str) -> ClaimRows:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        items = [] if node is None else _yaml_value(node, name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{name}{at}: not valid YAML: {problem}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply to be a list of claims") from None
    return _object_rows(items, name, "YAML")


ClaimsFormat = Literal["csv", "json", "yaml"]
_FORMATS: dict[str, ClaimsFormat] = {
    ".csv": "csv",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def read_claims_file(path: Path) -> ClaimRows:
    """The claims of a CSV (with a header), JSON (a list of objects) or YAML (a list of
    mappings) file, chosen by extension, as rows of text fields."""
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise click.BadParameter(
            f"{path.name}: expected a .csv, .json, .yaml or .yml file", param_hint="--claims"
        )
    name = str(path)  # as the user gave it
    text = read_text(path)  # as medcalc batch reads it (docs/cli-batch.md §2)
    if kind == "csv":
        found = _csv_rows(text, name)
    elif kind == "json":
        found = _json_rows(text, name)
    else:
        found = _yaml_rows(text, name)
    if not found.rows:
        raise InputError(f"{name}: the file holds no claims")
    return found


def _at(place: str, exc: InputError | TariffNotFoundError | SectionMissingError) -> Exception:
    """The same kind of error, its message prefixed with the file and row it belongs to."""
    return type(exc)(f"{place}: {exc}")


def _claims_from(found: ClaimRows) -> list[Claim]:
    claims = []
    for row, place in zip(found.rows, found.places, strict=True):
        try:
            claims.append(claim_from(row))
        except InputError as exc:
            raise _at(place, exc) from exc
    return claims


_ROW_ERRORS = (InputError, TariffNotFoundError, SectionMissingError)


def _raise_at_row(
    calc: Calculator,
    series: str,
    person: Person,
    claims: Sequence[Claim],
    places: Sequence[str],
    error: Exception,
) -> None:
    """Find the claim a calculation error belongs to (by computing the claims one at a time)
    and raise the error naming its row; errors about the person are left as they are."""
    if isinstance(error, InputError) and error.field not in CLAIM_FIELDS:
        return
    for claim, place in zip(claims, places, strict=True):
        try:
            calc.claims(series, person, [claim])
        except _ROW_ERRORS as exc:
            if type(exc) is type(error) and str(exc) == str(error):
                raise _at(place, exc) from error


@cli.command("claim")
@_person_options
@click.option(
    "--enrolled-on",
    metavar="YYYY-MM-DD",
    help="Payment date (缴费日期); benefits start per the tariff. Default: covered all year.",
)
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Claim date (住院日期).")
@click.option(
    "--hospital-level",
    metavar="ID",
    help="Hospital level id of the tariff, e.g. level_1, level_2, level_3.",
)
@click.option("--total", metavar="AMOUNT", help="Whole bill (总费用); default: --compliant.")
@click.option("--compliant", metavar="AMOUNT", help="Policy-range cost (政策范围内费用).")
@click.option(
    "--basic-paid",
    metavar="AMOUNT",
    help="Basic payment already settled (已结算基本医保), used instead of computing it.",
)
@click.option("--claim-id", metavar="TEXT", help="Claim id shown in the output (单据号).")
@click.option(
    "--claims",
    "claims_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Several claims from a .csv (header), .json or .yaml file; fields: "
    + ", ".join(CLAIM_FIELDS)
    + ".",
)
@click.option("--ytd-basic-paid", metavar="AMOUNT", help="Basic paid so far this year.")
@click.option(
    "--ytd-critical-illness-base",
    metavar="AMOUNT",
    help="Critical-illness base so far this year (大病累计).",
)
@click.option(
    "--ytd-assistance-base", metavar="AMOUNT", help="Assistance base so far this year (救助累计)."
)
@click.option(
    "--explain",
    is_flag=True,
    help="Explain each claim layer by layer (tables only; JSON always does).",
)
@_output_options(CLAIMS_SCHEMA)
def claim_command(
    series: str,
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
    ytd_basic_paid: str | None,
    ytd_critical_illness_base: str | None,
    ytd_assistance_base: str | None,
    explain: bool,
    lang: Lang,
    output_format: str,
    tariff_dirs: tuple[Path, ...],
) -> None:
    """Claims of one person: basic insurance, critical illness, assistance, out of pocket
    (住院费用测算).

    Give one claim with --date and --compliant (and --hospital-level, --total, …), or several
    with --claims FILE. The --ytd-* options start from the person's year-to-date accumulators
    instead of listing the earlier claims of the year.
    """
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
        raise click.UsageError(f"--claims FILE cannot be combined with {', '.join(given)}")
    if claims_file is None and not given:
        raise click.UsageError("give one claim (--date, --compliant, …) or --claims FILE")
    book = _book(tariff_dirs, series)
    calc = Calculator(book)
    with _fields_as_options():
        person = person_from(
            _person_row(
                category, categories, disability_grade, disability_type, enrolled_on=enrolled_on
            )
        )
        year_to_date = year_to_date_from(
            {
                "ytd_basic_paid": ytd_basic_paid,
                "ytd_critical_illness_base": ytd_critical_illness_base,
                "ytd_assistance_base": ytd_assistance_base,
            }
        )
        if claims_file is None:
            claims = [claim_from(one)]
            places: tuple[str, ...] = ()
        else:
            found = read_claims_file(claims_file)
            claims, places = _claims_from(found), found.places
        try:
            result = calc.claims(series, person, claims, year_to_date=year_to_date)
        except _ROW_ERRORS as exc:
            if places:
                _raise_at_row(calc, series, person, claims, places, exc)
            raise
    if output_format == "json":
        echo_json(claims_json(result))
    else:
        click.echo(claims_table(result, book, lang=lang, explain=explain))
