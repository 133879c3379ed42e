"""Values in input fields (issue 11, items 2, 7 and 9): digits of other scripts, numbers of
thousands of digits, times of day, and the library's constructors given the wrong types.

Only ASCII digits and full-width digits (U+FF10-FF19) are digits (spec §1): NFKC folding
would read ``5000²`` as 50002 and ``①`` as 1, and ``Decimal``/``int`` read ``٣٤٥`` as 345.
Every other value gives an :class:`~medcalc.errors.InputError` naming the field (and here the
character), never a quiet misread or a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from medcalc import (
    AmountError,
    Calculator,
    Claim,
    InputError,
    MissingInputError,
    Person,
    YearToDate,
    estimate_claims,
    estimate_premiums,
    load_book,
    parse_amount,
)
from medcalc.batch import BatchJob, BatchReport
from medcalc.chain import fields as rows
from medcalc.cli import cli
from medcalc.errors import MedcalcError
from medcalc.money import check_amount, fmt

from support import D, book, core_yaml, day

SERIES = "qingyuan-qingcheng"
#: Longer than any message needs; a value of thousands of characters is named in part.
SHORT_MESSAGE = 200


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(book(core_yaml()))


def _is_foreign(char: str) -> bool:
    return not ("0" <= char <= "9" or "\uff10" <= char <= "\uff19")


#: Decimal digits (Unicode category Nd) of every script but ASCII and full-width.
foreign_digits = st.characters(categories=["Nd"]).filter(_is_foreign)


# -- item 2: digits that are not ASCII or full-width -------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("5000²", "'²' (U+00B2 SUPERSCRIPT TWO)"),  # was read as 50002
        ("①", "'①' (U+2460 CIRCLED DIGIT ONE)"),  # was read as 1
        ("٣٤٥", "'٣' (U+0663 ARABIC-INDIC DIGIT THREE)"),  # was read as 345
        ("५०००", "'५' (U+096B DEVANAGARI DIGIT FIVE)"),  # was read as 5000
        ("𝟓𝟎", "'𝟓' (U+1D7D3 MATHEMATICAL BOLD DIGIT FIVE)"),  # NFKC: 50
        ("1,٠٠٠.00", "'٠' (U+0660 ARABIC-INDIC DIGIT ZERO)"),  # was read as 1000.00
        ("１２，３⑷", "'⑷' (U+2477 PARENTHESIZED DIGIT FOUR)"),  # NFKC: "12,3(4)"
        ("三千", "'三' (U+4E09 CJK UNIFIED IDEOGRAPH-4E09)"),
    ],
)
def test_foreign_digits_in_an_amount_are_named(text: str, named: str) -> None:
    """An amount with a digit of another kind is an AmountError naming the character."""
    for parse in (
        lambda: parse_amount(text, field="compliant"),
        lambda: rows.amount({"compliant": text}, "compliant"),
    ):
        with pytest.raises(AmountError) as info:
            parse()
        assert info.value.field == "compliant"
        assert str(info.value) == (
            f"compliant: {text!r} is not an amount: {named} is not a digit; use 0-9"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２０，０００．５０", "120000.50"),  # full-width digits, comma and full stop
        ("\u3000１,２３４\u3000", "1234.00"),  # ideographic spaces around
        ("1,234,567.8", "1234567.80"),
    ],
)
def test_full_width_digits_and_separators_still_read(text: str, expected: str) -> None:
    """Full-width digits and thousands separators stay accepted (spec §1)."""
    assert str(parse_amount(text, field="total")) == expected
    assert str(rows.amount({"total": text}, "total")) == expected


@pytest.mark.parametrize("text", ["01,000", "0,123", "012,345.60", "-01,000", "０１,０００"])
def test_a_grouped_amount_starting_with_0_is_no_amount(text: str) -> None:
    """A thousands group never starts with 0: "01,000" was read as 1000.00 and "0,123" (a
    decimal comma?) as 123.00; both are refused now, on the command line and in rows."""
    with pytest.raises(AmountError) as info:
        parse_amount(text, field="total")
    assert str(info.value) == f"total: {text!r} is not an amount (expected e.g. 1234.50)"
    with pytest.raises(AmountError):
        rows.amount({"total": text}, "total")


@given(whole=st.integers(1, 10**11), cents=st.integers(0, 99))
def test_grouped_and_plain_amounts_read_alike(whole: int, cents: int) -> None:
    """Policy: an amount written with thousands separators reads as its plain digits."""
    assert parse_amount(f"{whole:,}.{cents:02d}", field="x") == Decimal(f"{whole}.{cents:02d}")


@given(
    digits=st.text(foreign_digits, min_size=1, max_size=5),
    where=st.integers(min_value=0, max_value=8),
    amount=st.sampled_from(["12345.67", "１２３４５", "120,000.00", "0"]),
)
def test_any_foreign_decimal_digit_in_an_amount_is_refused(
    digits: str, where: int, amount: str
) -> None:
    """Policy: a decimal digit of any script but ASCII and full-width, anywhere in an amount,
    is refused, and the message names the first one as text and code point."""
    text = amount[:where] + digits + amount[where:]
    with pytest.raises(AmountError) as info:
        parse_amount(text, field="total")
    assert f"{digits[0]!r} (U+{ord(digits[0]):04X}" in str(info.value)
    assert info.value.field == "total"


@given(digits=st.text(foreign_digits, min_size=1, max_size=3))
def test_any_foreign_decimal_digit_in_a_whole_number_is_refused(digits: str) -> None:
    """Policy: the same for whole-number fields (grades, years) and for dates."""
    with pytest.raises(InputError) as info:
        rows.integer({"year": "20" + digits}, "year")
    assert f"U+{ord(digits[0]):04X}" in str(info.value)
    with pytest.raises(InputError) as info:
        rows.date({"date": "2018-06-" + digits}, "date")
    assert f"U+{ord(digits[0]):04X}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("３", None),  # full-width: the grade 3
        ("③", "'③' (U+2462 CIRCLED DIGIT THREE)"),  # was read as 3
        ("٣", "'٣' (U+0663 ARABIC-INDIC DIGIT THREE)"),  # was read as 3
        ("𐩀", "'𐩀' (U+10A40 KHAROSHTHI DIGIT ONE)"),  # was a ValueError traceback
    ],
)
def test_foreign_digits_in_a_whole_number(text: str, named: str | None) -> None:
    """A grade or year with a digit of another kind is an InputError naming the character."""
    if named is None:
        assert rows.integer({"disability_grade": text}, "disability_grade") == 3
        return
    with pytest.raises(InputError) as info:
        rows.integer({"disability_grade": text}, "disability_grade")
    assert str(info.value) == (
        f"disability_grade: {text!r} is not a whole number: {named} is not a digit; use 0-9"
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("2018-06-0①", "'①' (U+2460 CIRCLED DIGIT ONE)"),  # was read as 2018-06-01
        ("2018-06-01 1²:00", "'²' (U+00B2 SUPERSCRIPT TWO)"),  # was read as 2018-06-01
        ("٢٠١٨-٠٦-٠١", "'٢' (U+0662 ARABIC-INDIC DIGIT TWO)"),
    ],
)
def test_foreign_digits_in_a_date(text: str, named: str) -> None:
    """A date with a digit of another kind is refused naming the character."""
    with pytest.raises(InputError) as info:
        rows.date({"date": text}, "date")
    assert str(info.value) == f"date: {text!r} is not a date: {named} is not a digit; use 0-9"


# -- item 7 (part): numbers of thousands of digits ---------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "1" * 4301 + ".5", "1," + ",".join(["000"] * 2000), "0." + "0" * 5000],
)
def test_amounts_of_thousands_of_digits(value: str) -> None:
    """Amounts of thousands of characters are refused with a short message naming them."""
    with pytest.raises(AmountError) as info:
        rows.amount({"total": value}, "total")
    message = str(info.value)
    assert message.startswith("total: ") and len(message) < SHORT_MESSAGE, message


@pytest.mark.parametrize(
    ("value", "gist"),
    [
        (Decimal("-1E+999999999"), "-1E+999999999 is negative"),
        (Decimal("-1E-999999999"), "-1E-999999999 is negative"),
        (Decimal("1E+999999999"), "1E+999999999 is larger than the largest amount"),
        (Decimal("1E-999999999"), "1E-999999999 has more than 2 decimal places"),
        (Decimal("-" + "9" * 5000), "(5,001 characters) is negative"),
    ],
)
def test_amounts_of_extreme_size_are_named_shortly(value: Decimal, gist: str) -> None:
    """A Decimal of extreme exponent is refused naming it as written, never written out digit
    by digit (fmt(-1E+999999999) would build a billion-digit string)."""
    with pytest.raises(AmountError) as info:
        check_amount(value, field="compliant")
    assert gist in str(info.value)
    assert len(str(info.value)) < SHORT_MESSAGE


@pytest.mark.parametrize("field", ["disability_grade", "year"])
@pytest.mark.parametrize(
    "value",
    ["7" * 4300, "0" * 5000 + "8" * 4400, 10**5000, -(10**4400)],
    ids=["4300-digits", "padded-4400-digits", "int-5001-digits", "negative-int-4401-digits"],
)
def test_whole_numbers_of_thousands_of_digits(field: str, value: str | int) -> None:
    """int() refuses 4,300 digits or more with a ValueError; a field says it is too large."""
    with pytest.raises(InputError) as info:
        rows.integer({field: value}, field)
    message = str(info.value)
    assert message.startswith(f"{field}: ") and "is too large (at most 18 digits)" in message
    assert len(message) < SHORT_MESSAGE


def test_huge_whole_numbers_in_text_fields_and_constructors(calc: Calculator) -> None:
    """An int of 5,000 digits as a text cell, a grade or a year: an InputError, no ValueError."""
    with pytest.raises(InputError, match="person_id: a whole number of 5,000 digits is too long"):
        rows.text({"person_id": 10**4999}, "person_id")
    # An id of 4,000 digits as a JSON number is still its text, as before.
    assert rows.text({"claim_id": 10**3999}, "claim_id") == "1" + "0" * 3999
    with pytest.raises(InputError, match="a whole number of 5,001 digits is not a disability"):
        Person(disability_grade=10**5000)
    with pytest.raises(InputError, match="year: a whole number of 5,001 digits is not a year"):
        calc.premiums("core", Person(birth_date=day("1980-01-01")), 10**5000)


def test_leading_zeros_do_not_count_as_digits() -> None:
    """A grade written with padding zeros is the grade (only significant digits count)."""
    assert rows.integer({"disability_grade": "0" * 30 + "2"}, "disability_grade") == 2
    # past int()'s 4,300-character limit, still one significant digit (was a ValueError)
    assert rows.integer({"disability_grade": "0" * 5000 + "2"}, "disability_grade") == 2
    assert rows.integer({"year": "０" * 5000}, "year") == 0


# -- item 9 (part): times of day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "time_of_day"),
    [
        ("2018-06-01T25:99", "25:99"),
        ("2018-06-01 24:00", "24:00"),  # ISO's end of day is the next day's midnight
        ("2018-06-01 24:00:00", "24:00:00"),
        ("2018-06-01T23:60", "23:60"),
        ("2018-06-01 23:59:60", "23:59:60"),  # a leap second is no day's time here
    ],
)
def test_a_date_with_an_impossible_time_is_refused(text: str, time_of_day: str) -> None:
    """The time of day an export adds is dropped, but only when it is a real time."""
    with pytest.raises(InputError) as info:
        rows.date({"date": text}, "date")
    assert str(info.value) == (
        f"date: {text!r} is not a date: {time_of_day!r} is not a time of day (00:00 to 23:59:59)"
    )


@pytest.mark.parametrize(
    "text", ["2018-06-01T00:00", "2018-06-01 23:59:59", "2018-06-01 23:59:59.999999"]
)
def test_a_date_with_a_real_time_is_read(text: str) -> None:
    """00:00 to 23:59:59 (with a fraction) is a time of day; the date is what counts."""
    assert rows.date({"date": text}, "date") == dt.date(2018, 6, 1)


# -- item 9 (part): the library's constructors and entry points --------------------------------

CLAIM_DAY = dt.date(2018, 6, 1)


@pytest.mark.parametrize(
    ("make", "error", "field", "message"),
    [
        (lambda: Claim(None, D("1")), MissingInputError, "date", "no value given"),  # type: ignore[arg-type]
        (lambda: Claim("2018-06-01", D("1")), InputError, "date", "'2018-06-01' is not a date"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, None), MissingInputError, "compliant", "no value given"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, 1.5), AmountError, "compliant", "1.5 is a float"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, 100), AmountError, "compliant", "100 is an int"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, True), AmountError, "compliant", "True is a bool"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, D("1"), total=2.0), AmountError, "total", "2.0 is a float"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, D("1"), 3), InputError, "hospital_level", "3 is an int"),  # type: ignore[arg-type]
        (lambda: Claim(CLAIM_DAY, D("1"), claim_id=7), InputError, "claim_id", "7 is an int"),  # type: ignore[arg-type]
        (lambda: YearToDate(None), MissingInputError, "basic_paid", "no value given"),  # type: ignore[arg-type]
        (lambda: YearToDate(assistance_base=0.5), AmountError, "assistance_base", "0.5 is a float"),  # type: ignore[arg-type]
        (lambda: Person(categories=None), InputError, "categories", "None is not a set"),  # type: ignore[arg-type]
        (lambda: Person(categories=5), InputError, "categories", "5 is not a set"),  # type: ignore[arg-type]
        (lambda: Person(categories=["poverty", 1]), InputError, "categories", "1 is not a"),  # type: ignore[list-item]
        (lambda: Person(disability_grade=2.0), InputError, "disability_grade", "2.0 is not"),  # type: ignore[arg-type]
        (lambda: Person(disability_type=3), InputError, "disability_type", "3 is not a disab"),  # type: ignore[arg-type]
        (lambda: Person(disability_type=["visual"]), InputError, "disability_type", "['visual']"),  # type: ignore[arg-type]
        (lambda: Person(birth_date="1980-01-01"), InputError, "birth_date", "is not a date"),  # type: ignore[arg-type]
        (lambda: Person(person_id=12), InputError, "person_id", "12 is an int; expected text"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_constructors_refuse_wrong_types(
    make: Any, error: type[InputError], field: str, message: str
) -> None:
    """None where a value is required, a float, int, bool or text where a Decimal is, text
    where a date is: the typed error naming the field, never TypeError/AttributeError later."""
    with pytest.raises(error) as info:
        make()
    assert type(info.value) is error
    assert info.value.field == field
    assert message in info.value.message


def test_constructors_still_normalise_good_values() -> None:
    """The checks keep what they did: 2 decimals, -0 as 0.00, one id as a set of one."""
    claim = Claim(CLAIM_DAY, D("5"), "level_1", total=D("7.5"), basic_paid=D("-0"))
    assert (str(claim.compliant), str(claim.total), str(claim.basic_paid)) == (
        "5.00",
        "7.50",
        "0.00",
    )
    assert str(YearToDate(D("1"), D("2.5"), D("0")).critical_illness_base) == "2.50"
    assert Person(categories="poverty").categories == frozenset({"poverty"})
    assert Person(categories=("poverty", "low_income")).categories == {"poverty", "low_income"}


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda c: Calculator(None), MissingInputError, "book"),  # type: ignore[arg-type]
        (lambda c: Calculator("tariffs/"), InputError, "book"),  # type: ignore[arg-type]
        (lambda c: c.claims(None, Person(), []), MissingInputError, "series"),  # type: ignore[arg-type]
        (lambda c: c.claims("core", None, []), MissingInputError, "person"),  # type: ignore[arg-type]
        (lambda c: c.claims("core", {"categories": "poverty"}, []), InputError, "person"),  # type: ignore[arg-type]
        (lambda c: c.claims("core", Person(), None), MissingInputError, "claims"),  # type: ignore[arg-type]
        (lambda c: c.claims("core", Person(), [None]), MissingInputError, "claims[0]"),
        (lambda c: c.claims("core", Person(), [Claim(CLAIM_DAY, D("1"), "level_1"), "c2"]),
         InputError, "claims[1]"),
        (lambda c: c.claims("core", Person(), [], year_to_date={}), InputError, "year_to_date"),  # type: ignore[arg-type]
        (lambda c: c.premiums("core", None, 2018), MissingInputError, "person"),  # type: ignore[arg-type]
        (lambda c: c.premiums("core", Person(birth_date=day("1980-01-01")), 2018,
                              pension_grade=240.0), AmountError, "pension_grade"),  # type: ignore[arg-type]
        (lambda c: c.premiums("core", Person(birth_date=day("1980-01-01")), 2018,
                              pension_grade=240), AmountError, "pension_grade"),  # type: ignore[arg-type]
        (lambda c: estimate_claims(c.book, "core", Person(), None), MissingInputError, "claims"),  # type: ignore[arg-type]
        (lambda c: estimate_premiums(c.book, "core", Person(), 2018.0), InputError, "year"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_entry_points_refuse_wrong_types(
    calc: Calculator, call: Any, error: type[InputError], field: str
) -> None:
    """The calculator's arguments are checked before any tariff is looked up."""
    with pytest.raises(error) as info:
        call(calc)
    assert type(info.value) is error
    assert info.value.field == field


def test_a_float_pension_grade_is_never_matched(calc: Calculator) -> None:
    """240.0 == Decimal(240) in Python, so a float grade used to choose grade 240 quietly."""
    person = Person(birth_date=day("1980-01-01"))
    with pytest.raises(AmountError, match=r"240\.0 is a float; amounts must be decimal\.Decimal"):
        calc.premiums("core", person, 2018, pension_grade=240.0)  # type: ignore[arg-type]
    assert calc.premiums("core", person, 2018, pension_grade=D("240")).pension is not None


def test_a_generator_of_claims_is_still_taken(calc: Calculator) -> None:
    """Calculator.claims iterates its claims once, so any iterable works, as before."""
    claims = [Claim(CLAIM_DAY, D("1000"), "level_1"), Claim(CLAIM_DAY, D("2000"), "level_1")]
    got = calc.claims("core", Person(), (c for c in claims))
    assert got == calc.claims("core", Person(), claims)


# -- the command line and batch files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--compliant", "5000²", "--compliant: '5000²' is not an amount: '²' (U+00B2"),
        ("--total", "٣٤٥٠٠", "--total: '٣٤٥٠٠' is not an amount: '٣' (U+0663"),
        ("--date", "2018-06-0①", "--date: '2018-06-0①' is not a date: '①' (U+2460"),
        ("--date", "2018-06-01T25:99", "'25:99' is not a time of day"),
        ("--disability-grade", "३", "--disability-grade: '३' is not a whole number: '३' (U+0969"),
        ("--disability-grade", "1" * 5000, "is too large (at most 18 digits)"),
        ("--ytd-basic-paid", "५०००", "--ytd-basic-paid: '५०००' is not an amount: '५' (U+096B"),
    ],
)
def test_claim_cli_options_with_foreign_digits(option: str, value: str, message: str) -> None:
    """`medcalc claim` says which option and character, exit 1, no traceback."""
    args = {"--date": "2018-06-01", "--compliant": "5000", "--hospital-level": "level_1"}
    args[option] = value
    result = CliRunner().invoke(
        cli, ["claim", "--lang", "en", "--series", SERIES, *[a for kv in args.items() for a in kv]]
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.output
    assert "Traceback" not in result.output


BATCH_HEADER = ["person_id", "date", "hospital_level", "compliant", "disability_grade"]
BATCH_ROWS = [
    # row 2: fine, full-width digits; rows 3-7 each refused naming the value
    ["P1", "2018-03-01", "level_1", "５０００", ""],
    ["P2", "2018-03-01", "level_1", "5000²", ""],
    ["P3", "2018-03-01", "level_1", "٣٤٥", ""],
    ["P4", "2018-03-01", "level_1", "1000", "३"],
    ["P5", "2018-06-01T25:99", "level_1", "1000", ""],
    ["P6", "2018-03-01", "level_1", "1000", "9" * 5000],
]


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_batch_rows_with_foreign_digits_are_row_errors(tmp_path: Path, engine: str) -> None:
    """In a batch each such value is a row error naming it; every row comes out, in order."""
    if engine == "fast":
        pytest.importorskip("numpy")
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([BATCH_HEADER, *BATCH_ROWS])
    source = tmp_path / "in.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    # The encoding is given: Arabic and Devanagari digits in UTF-8 are also valid GB18030.
    job = BatchJob.plan("claims", source, out, engine=engine, series=SERIES, input_encoding="utf-8")
    report = job.run(Calculator(load_book(env={})))
    assert isinstance(report, BatchReport)
    with out.open(encoding="utf-8-sig", newline="") as f:
        got = list(csv.DictReader(f))
    assert [r["person_id"] for r in got] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    errors = [r["error"] for r in got]
    assert errors[0] == ""
    assert errors[1:5] == [
        "compliant: '5000²' is not an amount: '²' (U+00B2 SUPERSCRIPT TWO) is not a digit; use 0-9",
        "compliant: '٣٤٥' is not an amount: '٣' (U+0663 ARABIC-INDIC DIGIT THREE) is not a "
        "digit; use 0-9",
        "disability_grade: '३' is not a whole number: '३' (U+0969 DEVANAGARI DIGIT THREE) is "
        "not a digit; use 0-9",
        "date: '2018-06-01T25:99' is not a date: '25:99' is not a time of day (00:00 to 23:59:59)",
    ]
    assert errors[5].startswith("disability_grade: '99999") and "is too large" in errors[5]


def test_batch_engines_agree_on_these_rows(tmp_path: Path) -> None:
    """Core and fast write the same bytes for them."""
    pytest.importorskip("numpy")
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([BATCH_HEADER, *BATCH_ROWS])
    source = tmp_path / "in.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8")
    calc = Calculator(load_book(env={}))
    written = []
    for engine in ("core", "fast"):
        out = tmp_path / f"{engine}.csv"
        try:
            job = BatchJob.plan(
                "claims", source, out, engine=engine, series=SERIES, input_encoding="utf-8"
            )
            job.run(calc)
        except MedcalcError as exc:  # pragma: no cover - shown in the assertion
            written.append(str(exc).encode())
            continue
        written.append(out.read_bytes())
    assert written[0] == written[1]


@given(st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False))
def test_fmt_writes_whole_fen_with_two_decimals_and_the_rest_as_given(value: Decimal) -> None:
    """fmt never rounds: whole fen get exactly 2 decimals whatever exponent the Decimal carries
    (5 -> 5.00, 1E+2 -> 100.00, 1.500 -> 1.50); anything else is written as it is."""
    text = fmt(value)
    assert Decimal(text) == value
    assert "E" not in text
    if value % Decimal("0.01") == 0:
        assert len(text.split(".")[1]) == 2
    else:
        assert text == f"{value:f}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("5", "5.00"),
        ("1E+2", "100.00"),
        ("1.500", "1.50"),
        ("12.34", "12.34"),
        ("-1.005", "-1.005"),
    ],
)
def test_fmt_by_hand(value: str, text: str) -> None:
    """A few spellings of an amount, written by hand."""
    assert fmt(Decimal(value)) == text


# -- dates as a clerk's Excel or WPS file writes them (spec §5; docs/cli-batch.md) -------------


@pytest.mark.parametrize(
    "text",
    [
        "2019-04-01",  # ISO
        "2019/4/1",  # Excel's default display of a date cell saved as CSV
        "2019/04/01",
        "2019-4-1",
        "2019.4.1",
        "2019年4月1日",
        "2019年4月1",
        "2019/4/1 0:00",  # a date-time cell saved as CSV
        "2019-04-01 00:00:00",
        "２０１９／４／１",  # full width, as Chinese input methods type it
    ],
)
def test_a_date_in_the_forms_excel_writes(text: str) -> None:
    assert rows.date({"date": text}, "date") == dt.date(2019, 4, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # the day cannot be told from the month: refused, never guessed
        ("01/04/2019", "write the year first, with four digits (2019-04-01)"),
        ("4/1/19", "write the year first, with four digits (2019-04-01)"),
        ("19-4-1", "write the year first, with four digits (2019-04-01)"),
        # an impossible day says what is impossible: 2019 is not a leap year
        ("2019-02-30", "February 2019 has 28 days"),
        ("2019/2/29", "February 2019 has 28 days"),
        ("2019年6月31日", "June 2019 has 30 days"),
        ("2019-13-01", "there is no month 13"),
        ("2019-00-10", "there is no month 0"),
        ("0000-01-01", "there is no year 0"),
        # one separator throughout
        ("2019-4/1", "(expected YYYY-MM-DD)"),
        ("20190401", "(expected YYYY-MM-DD)"),
    ],
)
def test_a_date_that_is_refused_says_why(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        rows.date({"date": text}, "date")
    assert str(caught.value) == f"date: {text!r} is not a date" + (
        f" {message}" if message.startswith("(") else f": {message}"
    )


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["-", "/", ".", "年"]))
def test_every_year_first_form_of_a_day_is_that_day(day: dt.date, separator: str) -> None:
    """Whatever form a clerk's file uses, it names one day, the same one."""
    if separator == "年":
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = separator.join([f"{day.year:04d}", str(day.month), str(day.day)])
    assert rows.date({"date": text}, "date") == day
    assert rows.date({"date": day.isoformat()}, "date") == day


@pytest.mark.parametrize(
    "text",
    [
        "poverty;severe_disability",
        "poverty,severe_disability",
        "poverty；severe_disability",  # full-width semicolon
        "poverty，severe_disability",  # full-width comma
        "poverty、severe_disability",  # the enumeration comma of Chinese text
        " poverty ; severe_disability ; ",
    ],
)
def test_categories_separated_as_clerks_write_them(text: str) -> None:
    assert rows.categories({"categories": text}) == {"poverty", "severe_disability"}
