"""One person's claims file (``medcalc claim --claims FILE``): CSV, XLSX, JSON or YAML, as rows.

Read as ``medcalc batch`` reads its input: the text by :func:`~medcalc.batch.read_text`
(detected encoding, docs/cli-batch.md §2), CSV strictly by :class:`~medcalc.batch.CsvRecords`
(the stray-quote rule), XLSX's first sheet as a batch reads it (number cells as the decimal
text they show, date cells as dates; the same checks against zip and XML bombs), JSON exactly
by :func:`~medcalc.batch.loads_exact` (Decimal, never float). YAML is composed to nodes and
every scalar kept as its text, so ``0.1`` is never a float.

The header rules are this file's own, not a batch table's (:meth:`Table.index_header`): a
claims file holds the claim fields only, matched as written (trimmed, not case-folded), so
every column counts, a repeated one is refused with all its repeats named, an unknown one with
the nearest field, and a row with more cells than the header is refused (a batch row keeps
its carried-through columns and drops empty extra cells).

Errors are :class:`~medcalc.errors.InputError` naming the file and, for a row, the row (and
its line in a CSV file, its row of the sheet in an XLSX file): ``claims.csv row 2 (line 3):
total: …``, ``claims.xlsx row 2 (sheet row 3): …``. A file whose extension is not ``.csv``,
``.xlsx``, ``.json``, ``.yaml`` or ``.yml`` is a :class:`~medcalc.errors.UsageError`.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, cast

import attrs
import yaml

from medcalc.batch._csv import CsvRecords
from medcalc.batch._encoding import read_text
from medcalc.batch._headers import field_of, header_problem
from medcalc.batch._jsonl import DuplicateKeyError, loads_exact
from medcalc.batch._xlsx import XlsxTable
from medcalc.chain import (
    CLAIM_FIELDS,
    Calculator,
    Claim,
    ClaimsResult,
    Person,
    Row,
    YearToDate,
    claim_from,
)
from medcalc.errors import (
    BatchFileError,
    InputError,
    SectionMissingError,
    TariffNotFoundError,
    UsageError,
)
from medcalc.messages import say

__all__ = ["CLAIMS_FILE_EXTENSIONS", "ClaimRows", "read_claims_file"]

ClaimsFormat = Literal["csv", "xlsx", "json", "yaml"]

CLAIMS_FILE_EXTENSIONS: dict[str, ClaimsFormat] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}
"""The format of each extension a claims file may have."""

#: The errors a calculation raises about one claim (found again claim by claim, to name its row).
_ROW_ERRORS = (InputError, TariffNotFoundError, SectionMissingError)


def _at(place: str, exc: InputError | TariffNotFoundError | SectionMissingError) -> Exception:
    """The same kind of error, its message prefixed with the file and row it belongs to."""
    return type(exc)(say("claims_file.at", place=place, message=exc))


@attrs.frozen
class ClaimRows:
    """The rows of a claims file, each with the place to name in an error."""

    rows: tuple[Row, ...]
    places: tuple[str, ...]

    def claims(self) -> list[Claim]:
        """The rows as claims; an input error names its row (``claims.csv row 2 (line 3): …``)."""
        claims = []
        for row, place in zip(self.rows, self.places, strict=True):
            try:
                claims.append(claim_from(row))
            except InputError as exc:
                raise _at(place, exc) from exc
        return claims

    def compute(
        self,
        calc: Calculator,
        series: str,
        person: Person,
        *,
        year_to_date: YearToDate | None = None,
    ) -> ClaimsResult:
        """The claims of ``person`` in one chain. An error of the calculation about a claim
        names its row; an error about the person (or the year to date) is raised as it is."""
        claims = self.claims()
        try:
            return calc.claims(series, person, claims, year_to_date=year_to_date)
        except _ROW_ERRORS as exc:
            self._raise_at_row(calc, series, person, claims, exc)
            raise

    def _raise_at_row(
        self,
        calc: Calculator,
        series: str,
        person: Person,
        claims: Sequence[Claim],
        error: Exception,
    ) -> None:
        """Find the claim a calculation error belongs to (by computing the claims one at a
        time) and raise the error naming its row; errors about the person are left as they are."""
        if isinstance(error, InputError) and error.field not in CLAIM_FIELDS:
            return
        for claim, place in zip(claims, self.places, strict=True):
            try:
                calc.claims(series, person, [claim])
            except _ROW_ERRORS as exc:
                if type(exc) is type(error) and str(exc) == str(error):
                    raise _at(place, exc) from error


def read_claims_file(path: Path) -> ClaimRows:
    """The claims of a CSV or XLSX (a header, then a claim a row), JSON (a list of objects) or
    YAML (a list of mappings) file, chosen by extension, as rows of fields."""
    kind = CLAIMS_FILE_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(say("claims_file.extension", name=path.name))
    name = str(path)  # as the user gave it
    if kind == "xlsx":
        found = _xlsx_rows(path, name)
        if not found.rows:
            raise InputError(say("claims_file.no_claims", name=name))
        return found
    text = read_text(path)  # as medcalc batch reads it (docs/cli-batch.md §2)
    if kind == "csv":
        found = _csv_rows(text, name)
    elif kind == "json":
        found = _json_rows(text, name)
    else:
        found = _yaml_rows(text, name)
    if not found.rows:
        raise InputError(say("claims_file.no_claims", name=name))
    return found


def _claim_field(name: str) -> str | None:
    """The claim field a column or key names: by id or any name batch headers take (入院日期,
    合规费用 …: :func:`~medcalc.batch._headers.field_of`); None for anything else."""
    found = field_of(name)
    return found if found in CLAIM_FIELDS else None


def _unknown_fields(found: Sequence[str]) -> str | None:
    """A message for field names that are not claim fields (with the nearest valid one)."""
    unknown = [name for name in found if _claim_field(name) is None]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        near = difflib.get_close_matches(name, CLAIM_FIELDS, n=1)
        parts.append(
            say("claims_file.near", name=repr(name), choice=repr(near[0])) if near else repr(name)
        )
    return say("claims_file.unknown", names=", ".join(parts), fields=", ".join(CLAIM_FIELDS))


# -- CSV ------------------------------------------------------------------------------------


def _csv_rows(text: str, name: str) -> ClaimRows:
    path = Path(name)
    # strict, with the stray-quote rule of medcalc batch (docs/cli-batch.md §2)
    reader = CsvRecords(io.StringIO(text, newline=""), path)
    header = _csv_next(reader)
    if header is None:
        raise InputError(say("claims_file.empty", name=name))
    columns = _csv_columns(header, name)
    rows: list[Row] = []
    places: list[str] = []
    while (cells := _csv_next(reader)) is not None:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        place = say("claims_file.row_line", name=name, number=len(rows) + 1, line=reader.line - 1)
        if len(cells) > len(columns):
            raise InputError(
                say("claims_file.cells", place=place, count=len(cells), width=len(columns))
            )
        rows.append({c: v for c, v in zip(columns, cells, strict=False) if c})
        places.append(place)
    return ClaimRows(tuple(rows), tuple(places))


def _csv_next(reader: CsvRecords) -> list[str] | None:
    """The next record, None at the end; a CSV error names the line where its record starts
    (as ``medcalc batch`` does)."""
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise InputError(
            say("claims_file.csv_error", path=reader.path, line=reader.line, reason=exc)
        ) from None


def _csv_columns(header: Sequence[str], name: str, where: str | None = None) -> list[str]:
    """The claim field of each header column (by id or another name, :func:`_claim_field`; an
    empty column is ignored: ``""``); each a claim field, once."""
    where = say("table.line", number=1) if where is None else where
    names = [h.strip() for h in header]
    for column in names:
        refused = header_problem(name, column)  # 总费用（万元）, 年度累计大病: as batch refuses
        if refused is not None:
            raise InputError(refused)
    problem = _unknown_fields([c for c in names if c])
    if problem:
        raise InputError(say("claims_file.header", name=name, head=where, message=problem))
    columns = [_claim_field(c) or "" if c else "" for c in names]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    for field in twice:
        given = [n for n, c in zip(names, columns, strict=True) if c == field]
        if len(set(given)) == 1:
            raise InputError(
                say("claims_file.column_twice", name=name, head=where, field=repr(field))
            )
        both = " and ".join(map(repr, given))
        raise InputError(
            say("claims_file.same_field", name=name, head=where, both=both, field=repr(field))
        )
    return columns


# -- XLSX: the first sheet, a header in row 1 -----------------------------------------------


def _xlsx_rows(path: Path, name: str) -> ClaimRows:
    """The claims of the first sheet, under the CSV header rules; cells as a batch reads them
    (a number cell is the decimal text it shows, a date cell a date). A workbook that cannot
    be read is an :class:`InputError` naming it, as a CSV file's encoding is."""
    try:
        sheet = XlsxTable(path).sheet_rows()
        first = next(sheet, None)
        if first is None or all(v is None for v in first):
            raise InputError(say("claims_file.sheet_empty", name=name))
        header = ["" if v is None else str(v) for v in first]
        while header and not header[-1].strip():
            header.pop()
        columns = _csv_columns(header, name, say("rows.one", number=1))
        rows: list[Row] = []
        places: list[str] = []
        for number, cells in enumerate(sheet, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue  # a blank row
            place = say("claims_file.row_sheet", name=name, number=len(rows) + 1, line=number)
            filled = max(i for i, v in enumerate(cells) if v is not None) + 1
            if filled > len(columns):
                raise InputError(
                    say("claims_file.cells", place=place, count=filled, width=len(columns))
                )
            rows.append({c: v for c, v in zip(columns, cells, strict=False) if c})
            places.append(place)
    except BatchFileError as exc:
        raise InputError(str(exc)) from None
    return ClaimRows(tuple(rows), tuple(places))


# -- JSON and YAML: a list of objects --------------------------------------------------------


def _object_rows(items: Any, name: str, what: str) -> ClaimRows:
    if not isinstance(items, list):
        raise InputError(say("claims_file.not_list", name=name, what=what))
    rows: list[Row] = []
    places: list[str] = []
    for number, item in enumerate(items, start=1):
        place = say("claims_file.row", name=name, number=number)
        if not isinstance(item, dict):
            raise InputError(say("claims_file.not_object", place=place))
        problem = _unknown_fields([str(k) for k in item])
        if problem:
            raise InputError(say("claims_file.at", place=place, message=problem))
        fields = [_claim_field(str(k)) for k in item]
        twice = sorted({f for f in fields if f is not None and fields.count(f) > 1})
        if twice:
            raise InputError(
                say("claims_file.field_twice", place=place, fields=", ".join(map(repr, twice)))
            )
        rows.append({_claim_field(str(k)) or str(k): v for k, v in item.items()})
        places.append(place)
    return ClaimRows(tuple(rows), tuple(places))


def _json_rows(text: str, name: str) -> ClaimRows:
    try:
        # Numbers are read exactly (Decimal), never as float; null is "not given" (as in rows).
        items = loads_exact(text)
    except DuplicateKeyError as exc:
        raise InputError(say("claims_file.key_twice", place=name, key=repr(exc.key))) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            say("json.invalid_at", name=name, line=exc.lineno, column=exc.colno, reason=exc.msg)
        ) from None
    except ValueError as exc:  # NaN or Infinity: JSON has no such number
        raise InputError(say("json.invalid", name=name, reason=exc)) from None
    except RecursionError:
        raise InputError(say("claims_file.too_deep", name=name)) from None
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
                raise InputError(say("claims_file.key_twice", place=where, key=repr(key)))
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
        raise InputError(say("claims_file.yaml", name=f"{name}{at}", reason=problem)) from None
    except RecursionError:
        raise InputError(say("claims_file.too_deep", name=name)) from None
    return _object_rows(items, name, "YAML")
