"""Inputs from text fields (a CSV/XLSX row, a JSON object, command-line options).

One place turns user text into :mod:`medcalc.inputs` objects, so the CLI, batch files and
embedding systems accept exactly the same things (spec §1, §5):

- amounts: ASCII or full-width digits, thousands separators (``120,000.00``), ≤ 2 decimals;
- dates: ISO ``YYYY-MM-DD`` (full-width digits allowed);
- categories: ids separated by ``;`` (also ``；`` or ``,``), blanks ignored;
- an empty field means "not given".

Every error is an :class:`~medcalc.errors.InputError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from medcalc.errors import InputError, MissingInputError
from medcalc.inputs import Claim, Person, YearToDate
from medcalc.money import parse_amount

Row = Mapping[str, Any]

# YYYY-MM-DD, optionally with a time of day as exports write them
# ("2018-06-01 00:00:00", "2018-06-01T00:00"); anything else after the date is refused.
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")

CLAIM_FIELDS = ("claim_id", "date", "hospital_level", "total", "compliant", "basic_paid")
PERSON_FIELDS = (
    "person_id",
    "categories",
    "disability_grade",
    "disability_type",
    "enrolled_on",
    "birth_date",
)
YTD_FIELDS = ("ytd_basic_paid", "ytd_critical_illness_base", "ytd_assistance_base")


def text(row: Row, field: str) -> str | None:
    """The field's text, stripped (NFKC-folded); None when absent or blank."""
    value = row.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date().isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, float):
        # A spreadsheet number cell. Its shortest round-trip text (repr) is exactly what the
        # clerk typed ("1234.56"); no arithmetic happens on the float. A computed value such as
        # 0.1 + 0.2 shows as 0.30000000000000004 and is then refused for its decimals.
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{value!r} is not a number", field=field)
        if abs(value) >= 1e15:  # Excel keeps 15 significant digits: e.g. an ID typed as a number
            raise InputError(
                f"{value!r} has lost digits as a spreadsheet number; store it as text",
                field=field,
            )
        value = repr(value)
    raw = str(value)
    # NFKC folds full-width digits and punctuation; ASCII text needs no folding.
    folded = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    return folded or None


def amount(row: Row, field: str, *, required: bool = False) -> Decimal | None:
    value = row.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_amount(value, field=field)
    raw = text(row, field)
    if raw is None:
        if required:
            raise MissingInputError("no value given; this field is required", field=field)
        return None
    return parse_amount(raw, field=field)


def date(row: Row, field: str, *, required: bool = False) -> dt.date | None:
    raw = text(row, field)
    if raw is None:
        if required:
            raise MissingInputError("no value given; this field is required", field=field)
        return None
    match = _DATE.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise InputError(f"{raw!r} is not a date (expected YYYY-MM-DD)", field=field) from None


def integer(row: Row, field: str) -> int | None:
    value = row.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raw = text(row, field)
    if raw is None:
        return None
    if not raw.isdigit():
        raise InputError(f"{raw!r} is not a whole number", field=field)
    return int(raw)


def categories(row: Row, field: str = "categories") -> frozenset[str]:
    raw = text(row, field)
    if raw is None:
        return frozenset()
    parts = raw.replace(";", ",").split(",")
    return frozenset(p.strip() for p in parts if p.strip())


def person_from(row: Row) -> Person:
    """A :class:`Person` from the fields ``categories``, ``disability_grade``,
    ``disability_type``, ``birth_date``, ``enrolled_on``, ``person_id``."""
    return Person(
        categories=categories(row),
        disability_grade=integer(row, "disability_grade"),
        disability_type=text(row, "disability_type"),
        birth_date=date(row, "birth_date"),
        enrolled_on=date(row, "enrolled_on"),
        person_id=text(row, "person_id"),
    )


def claim_from(row: Row) -> Claim:
    """A :class:`Claim` from ``date``, ``compliant`` (required), ``hospital_level``,
    ``total``, ``basic_paid``, ``claim_id``."""
    claim_date = date(row, "date", required=True)
    compliant = amount(row, "compliant", required=True)
    assert claim_date is not None and compliant is not None
    return Claim(
        date=claim_date,
        compliant=compliant,
        hospital_level=text(row, "hospital_level"),
        total=amount(row, "total"),
        basic_paid=amount(row, "basic_paid"),
        claim_id=text(row, "claim_id"),
    )


def year_to_date_from(row: Row) -> YearToDate | None:
    """The year-to-date accumulators from ``ytd_*`` fields; None when none is given."""
    values = [amount(row, f) for f in YTD_FIELDS]
    if all(v is None for v in values):
        return None
    zero = Decimal("0.00")
    basic, ci, assistance = (zero if v is None else v for v in values)
    return YearToDate(basic, ci, assistance)
