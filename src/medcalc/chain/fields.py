"""Inputs from text fields (a CSV/XLSX row, a JSON object, command-line options).

One place turns user text into :mod:`medcalc.chain` objects, so the CLI, batch files and
embedding systems accept exactly the same things (spec §1, §5):

- amounts: ASCII or full-width digits, thousands separators (``120,000.00``), ≤ 2 decimals;
- whole numbers (grades, years): ASCII or full-width digits, at most 18 significant ones;
- dates: ISO ``YYYY-MM-DD`` (full-width digits allowed), perhaps with a real time of day
  (00:00 to 23:59:59), which is dropped;
- a digit of any other kind (``²``, ``①``, ``٣``) is refused naming it, never folded or read;
- text (ids, series, hospital levels, categories, disability types): full-width ASCII
  (``Ｐ１``) and wide spaces are folded to ASCII and canonically equivalent forms (``é`` as one
  character or two) made one, then trimmed; every other character is kept as written, except
  that a compatibility character (``²``, ``①``, ``ﬁ``, ``⼆``) or an invisible one (U+200B) is
  refused naming it, so ``P²`` and ``P2`` are never quietly one person, nor ``ﬁ`` and ``fi``
  quietly two;
- categories: ids separated by ``;`` (also ``；`` or ``,``), blanks ignored;
- an empty field means "not given".

Every error is an :class:`~medcalc.errors.InputError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from medcalc.chain._inputs import REQUIRED, Claim, Person, YearToDate
from medcalc.chain._layers import LAYERS
from medcalc.errors import InputError, MissingInputError
from medcalc.messages import MONTHS, say
from medcalc.money import MAX_INT_DIGITS, character, foreign_digit, parse_amount, shown

Row = Mapping[str, Any]

# YYYY-MM-DD, optionally with a time of day as exports write them ("2018-06-01 00:00:00",
# "2018-06-01T00:00"); anything else after the date is refused. ASCII digits only: \d would
# take every script's digits.
# A date as a clerk's file writes it, the year first with four digits: ISO 2019-04-01, Excel's
# display 2019/4/1 (and 2019-4-1, 2019.4.1), or 2019年4月1日; one separator throughout. A time
# of day may follow (Excel writes 2019/4/1 0:00 for a date-time cell saved as CSV).
_DATE = re.compile(
    r"([0-9]{4})(?:([-/.])([0-9]{1,2})\2([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?)"
    r"(?:(?:T| +)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
)


@functools.cache
def _not_year_first() -> re.Pattern[str]:
    """Day or month first, or a two-digit year (01/04/2019, 4/1/2019, 19-4-1): which is the day
    cannot be told, so they are refused rather than guessed. Compiled for the first date
    refused, not at import."""
    return re.compile(
        r"(?:[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{2}(?:[0-9]{2})?|[0-9]{2}([-/.])[0-9]{1,2}\2[0-9]{1,2})"
        r"(?:[ T].*)?"
    )


#: The days of each month in a common year (as the calendar module's ``mdays``).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_INT_LIMIT = 10**MAX_INT_DIGITS

CLAIM_FIELDS = ("claim_id", "date", "hospital_level", "total", "compliant", "basic_paid")
CLAIM_PERSON_FIELDS = ("categories", "disability_grade", "disability_type", "enrolled_on")
"""The person's fields a claim depends on: the categories held (given, or by disability) and
the payment date. An error in one of them is about the person, not the claim, so it reaches
every row of the person-year (a batch, the engine)."""
PERSON_FIELDS = ("person_id", *CLAIM_PERSON_FIELDS, "birth_date")
"""Every field of a person row: the id, the fields a claim reads, and the birth date (only
premiums read it)."""
YTD_FIELDS = ("ytd_basic_paid", *(f"ytd_{layer.base}" for layer in LAYERS))
"""The year-to-date fields: basic paid, then each accumulated layer's base, in the order of
:class:`YearToDate`'s fields."""

FIELD_LABELS: Mapping[str, tuple[str, str]] = {
    "person_id": ("人员编号", "person id"),
    "series": ("待遇标准", "tariff series"),
    "categories": ("人员类别", "categories"),
    "disability_grade": ("残疾等级", "disability grade"),
    "disability_type": ("残疾类别", "disability type"),
    "enrolled_on": ("参保缴费日期", "enrolment (payment) date"),
    "birth_date": ("出生日期", "birth date"),
    "claim_id": ("住院号", "claim id"),
    "date": ("入院日期", "date"),
    "hospital_level": ("医院等级", "hospital level"),
    "total": ("医疗总费用", "total cost"),
    "compliant": ("政策范围内费用", "compliant cost"),
    "basic_paid": ("基本医保已支付", "basic insurance paid"),
    "ytd_basic_paid": ("年度累计基本医保支付", "basic paid this year so far"),
    **{
        f"ytd_{layer.base}": (f"年度{layer.base_zh}基数", f"{layer.base_text[4:]} so far")
        for layer in LAYERS  # base_text: "the critical-illness base"
    },
    "year": ("年度", "year"),
    "pension_grade": ("养老缴费档次", "pension grade"),
}  # fmt: skip
"""Every input field's name for people, ``id -> (zh, en)``: the Chinese one is the column
header a clerk writes (a batch file also takes the variants of :mod:`medcalc.batch`'s header
table), and the name messages and forms show."""

#: The only folding of text fields: what a Chinese IME types in full-width mode (U+FF01-FF5E)
#: is the ASCII character, and a wide or no-break space is a space. NFKC would also read
#: ``P²`` as ``P2`` and ``P①`` as ``P1``, merging two people's claims in a batch.
_WIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    | dict.fromkeys(
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
        "\u200a\u202f\u205f\u3000",
        " ",
    )
)
#: Characters nobody sees (controls, format characters such as U+200B and U+FEFF, line and
#: paragraph separators, lone surrogates): ``P1`` with one would be a second person.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _cell(row: Row, field: str) -> str | None:
    """The field's text as given (neither folded nor stripped); None when absent."""
    value = row.get(field)
    if value is None or type(value) is str:
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # A spreadsheet number cell. Its shortest round-trip text (repr) is exactly what the
        # clerk typed ("1234.56"); no arithmetic happens on the float. A computed value such as
        # 0.1 + 0.2 shows as 0.30000000000000004 and is then refused for its decimals.
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(say("number.not_number", value=repr(value)), field=field)
        if abs(value) >= 1e15:  # Excel keeps 15 significant digits: e.g. an ID typed as a number
            raise InputError(say("number.lost_digits", value=repr(value)), field=field)
        return repr(value)
    try:
        return str(value)
    except ValueError:  # an int of 4,300 digits or more (Python's limit for str())
        raise InputError(say("number.too_long", value=shown(value)), field=field) from None


def _fold(raw: str) -> str | None:
    """``raw`` stripped, NFKC-folded (full-width digits and punctuation to ASCII; ASCII text
    needs no folding); None when blank."""
    folded = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    return folded or None


def _too_large(value: object) -> str:
    return say("number.too_large", value=shown(value), digits=MAX_INT_DIGITS)


def text(row: Row, field: str) -> str | None:
    """The field's text as an id: full-width ASCII and wide spaces folded (``Ｐ１`` is ``P1``),
    canonically equivalent forms made one (NFC), stripped; None when absent or blank.

    Every other character is kept as written. A compatibility character, which NFKC would
    fold (``²``, ``①``, ``ﬁ``, ``Ⅱ``), and an invisible one are refused naming it: as written,
    ``P²`` and ``P2`` would be two people where ``P2`` may have been meant, and folded, two
    people's claims would accumulate as one's.
    """
    raw = _cell(row, field)
    if raw is None:
        return None
    if raw.isascii() or unicodedata.is_normalized("NFKC", raw):  # nothing to fold or refuse
        value = raw.strip()
    else:
        value = unicodedata.normalize("NFC", raw.translate(_WIDTH)).strip()
        if not unicodedata.is_normalized("NFKC", value):
            for char in value:
                plain = unicodedata.normalize("NFKC", char)
                if plain != char:
                    message = say(
                        "text.compatibility",
                        value=shown(raw),
                        char=character(char),
                        plain=repr(plain),
                    )
                    raise InputError(message, field=field)
    if not value.isprintable():  # quick: true for nearly every value
        for char in value:
            if unicodedata.category(char) in _INVISIBLE:
                message = say("text.invisible", value=shown(raw), char=character(char))
                raise InputError(message, field=field)
    return value or None


def amount(row: Row, field: str, *, required: bool = False) -> Decimal | None:
    value = row.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_amount(value, field=field)
    # The cell as given: folding first would read 5000² as 50002 (parse_amount refuses it).
    raw = _cell(row, field)
    if raw is None or not raw.strip():
        if required:
            raise MissingInputError(REQUIRED, field=field)
        return None
    return parse_amount(raw, field=field)


def date(row: Row, field: str, *, required: bool = False) -> dt.date | None:
    raw = _cell(row, field)
    folded = None if raw is None else _fold(raw)
    if raw is None or folded is None:
        if required:
            raise MissingInputError(REQUIRED, field=field)
        return None
    foreign = None if raw.isascii() else foreign_digit(raw)
    if foreign is not None:
        raise InputError(say("date.foreign", value=shown(raw), reason=foreign), field=field)
    match = _DATE.fullmatch(folded)
    if match is None:
        which = "date.year_first" if _not_year_first().fullmatch(folded) else "date.expected"
        raise InputError(say(which, value=shown(folded)), field=field)
    year = int(match.group(1))
    month = int(match.group(3) or match.group(5))
    day_of_month = int(match.group(4) or match.group(6))
    day = _calendar_day(folded, year, month, day_of_month, field)
    hour, minute, second = match.group(7, 8, 9)
    # The time of day is dropped, but only a real one: 25:99 is a typing error, and 24:00
    # (ISO's end of the day) would be the next day's midnight.
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59):
        time = folded[match.start(7) :]
        message = say("date.time_of_day", value=shown(folded), time=shown(time))
        raise InputError(message, field=field)
    return day


def _calendar_day(text: str, year: int, month: int, day: int, field: str) -> dt.date:
    """The day, or what is impossible about it ("February 2019 has 28 days")."""
    if year < 1:
        raise InputError(say("date.year_zero", value=shown(text)), field=field)
    if not 1 <= month <= 12:
        raise InputError(say("date.no_month", value=shown(text), month=month), field=field)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else _MONTH_DAYS[month - 1]
    if not 1 <= day <= days:
        message = say(
            "date.no_day", value=shown(text), month=MONTHS[month - 1], year=year, days=days
        )
        raise InputError(message, field=field)
    return dt.date(year, month, day)


def integer(row: Row, field: str) -> int | None:
    value = row.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        if -_INT_LIMIT < value < _INT_LIMIT:
            return value
        raise InputError(_too_large(value), field=field)
    raw = _cell(row, field)
    folded = None if raw is None else _fold(raw)
    if raw is None or folded is None:
        return None
    foreign = None if raw.isascii() else foreign_digit(raw)
    if foreign is not None:
        raise InputError(say("number.foreign", value=shown(raw), reason=foreign), field=field)
    if not (folded.isascii() and folded.isdigit()):
        raise InputError(say("number.not_whole", value=shown(folded)), field=field)
    digits = folded.lstrip("0") or "0"  # 5,000 leading zeros are still 1 digit, not int()'s limit
    if len(digits) > MAX_INT_DIGITS:
        raise InputError(_too_large(folded), field=field)
    return int(digits)


def categories(row: Row, field: str = "categories") -> frozenset[str]:
    """The categories of a cell: separated by ``;`` or ``,`` (full width too, folded by
    :func:`text`) or the enumeration comma ``、`` that Chinese text uses (低保、残疾)."""
    raw = text(row, field)
    if raw is None:
        return frozenset()
    parts = raw.replace(";", ",").replace("、", ",").split(",")
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
    return year_to_date(values)


def year_to_date(values: Sequence[Decimal | None]) -> YearToDate:
    """The accumulators from one value per field of :data:`YTD_FIELDS`, in order (None: not
    given, zero), each passed to :class:`YearToDate` by its name (``ytd_`` + the field)."""
    zero = Decimal("0.00")
    return YearToDate(
        **{
            name.removeprefix("ytd_"): zero if value is None else value
            for name, value in zip(YTD_FIELDS, values, strict=True)
        }
    )
