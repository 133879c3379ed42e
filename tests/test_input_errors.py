"""Input errors (spec §1): each a specific class under MedcalcError, naming the field."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

import pytest

from medcalc import (
    AmountError,
    Calculator,
    Claim,
    ClaimAmountsError,
    InputError,
    MedcalcError,
    Person,
    TariffNotFoundError,
    UnknownHospitalLevelError,
    YearToDate,
    parse_amount,
)
from medcalc.chain import fields as rows
from medcalc.errors import MissingInputError
from medcalc.money import check_amount

from support import D, book, core_yaml, day


@pytest.fixture
def calc() -> Calculator:
    return Calculator(book(core_yaml()))


@pytest.mark.parametrize(
    ("value", "gist"),
    [
        (Decimal("-1"), "negative"),
        (Decimal("NaN"), "not a finite"),
        (Decimal("Infinity"), "not a finite"),
        (Decimal("1.005"), "more than 2 decimal places"),
        (1.5, "float"),
        ("100", "str"),
    ],
)
def test_bad_claim_amount(value: object, gist: str) -> None:
    """A bad compliant amount is an AmountError naming `compliant`."""
    with pytest.raises(AmountError, match=gist) as info:
        Claim(day("2018-01-01"), value)  # type: ignore[arg-type]
    assert info.value.field == "compliant"
    assert isinstance(info.value, MedcalcError)


def test_total_below_compliant() -> None:
    """total below compliant is a ClaimAmountsError naming `total`."""
    with pytest.raises(ClaimAmountsError, match="below the compliant cost") as info:
        Claim(day("2018-01-01"), D("100"), total=D("99.99"))
    assert info.value.field == "total"


def test_basic_paid_above_compliant() -> None:
    """basic_paid above compliant is a ClaimAmountsError naming `basic_paid`."""
    with pytest.raises(ClaimAmountsError) as info:
        Claim(day("2018-01-01"), D("100"), basic_paid=D("100.01"))
    assert info.value.field == "basic_paid"


def test_ytd_amounts_checked() -> None:
    """Year-to-date accumulators are amounts too."""
    with pytest.raises(AmountError) as info:
        YearToDate(critical_illness_base=D("-5"))
    assert info.value.field == "critical_illness_base"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"disability_grade": 5}, "disability_grade"),
        ({"disability_grade": True}, "disability_grade"),
        ({"disability_type": "blind"}, "disability_type"),
        ({"birth_date": dt.datetime(2000, 1, 1)}, "birth_date"),
    ],
)
def test_bad_person(kwargs: dict[str, object], field: str) -> None:
    """Bad person attributes name their field."""
    with pytest.raises(InputError) as info:
        Person(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_unknown_hospital_level(calc: Calculator) -> None:
    """A hospital level the tariff does not declare names the field and lists the levels."""
    with pytest.raises(UnknownHospitalLevelError, match="level_1, level_2, level_3") as info:
        calc.claims("core", Person(), [Claim(day("2018-01-01"), D("100"), "level_9")])
    assert info.value.field == "hospital_level"


def test_missing_hospital_level(calc: Calculator) -> None:
    """Without basic_paid the hospital level is needed."""
    with pytest.raises(MissingInputError) as info:
        calc.claims("core", Person(), [Claim(day("2018-01-01"), D("100"))])
    assert info.value.field == "hospital_level"


def test_date_no_version_covers(calc: Calculator) -> None:
    """A claim date no version covers is a clear error naming series and date."""
    with pytest.raises(
        TariffNotFoundError, match="no tariff of series core is in force on 2017-05-01"
    ):
        calc.claims("core", Person(), [Claim(day("2017-05-01"), D("100"), "level_1")])


def test_year_to_date_with_claims_in_two_years() -> None:
    """Year-to-date accumulators cannot apply to claims of two years."""
    calc = Calculator(
        book(core_yaml(), core_yaml(version="2019.1", start="2019-01-01", end="2019-12-31"))
    )
    claims = [
        Claim(day("2018-12-01"), D("1"), "level_1"),
        Claim(day("2019-01-01"), D("1"), "level_1"),
    ]
    with pytest.raises(InputError, match="one year") as info:
        calc.claims("core", Person(), claims, year_to_date=YearToDate())
    assert info.value.field == "year_to_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120,000.00", "120000.00"),
        ("１２００００", "120000.00"),
        (" 3.5 ", "3.50"),
        ("0", "0.00"),
    ],
)
def test_parse_amount_accepts(text: str, expected: str) -> None:
    """User amounts accept thousands separators and full-width digits, exactly."""
    assert str(parse_amount(text, field="total")) == expected


@pytest.mark.parametrize("text", ["12x", "1,2345", "1.234", "-3", "nan", "inf", "", "1e3", "no"])
def test_parse_amount_rejects(text: str) -> None:
    """Anything else is an AmountError naming the field."""
    with pytest.raises(AmountError) as info:
        parse_amount(text, field="compliant")
    assert info.value.field == "compliant"


def test_negative_zero_is_zero() -> None:
    """'-0' is the amount zero, written 0.00, never '-0.00'."""
    assert str(parse_amount("-0", field="total")) == "0.00"
    assert str(Claim(day("2018-01-01"), Decimal("-0")).compliant) == "0.00"


@pytest.mark.parametrize("year", [0, 10000, True])
def test_premium_year_out_of_range(calc: Calculator, year: int) -> None:
    """A year that is not a calendar year is an InputError naming `year`."""
    with pytest.raises(InputError) as info:
        calc.premiums("core", Person(birth_date=day("1970-01-01")), year)
    assert info.value.field == "year"


def test_birth_date_after_the_year(calc: Calculator) -> None:
    """A person born after the contribution year is an input error, not age -1."""
    with pytest.raises(InputError) as info:
        calc.premiums("core", Person(birth_date=day("2019-01-01")), 2018)
    assert info.value.field == "birth_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2018-06-01", "2018-06-01"), ("2018-06-01 00:00:00", "2018-06-01"),
     ("2018-06-01T13:45", "2018-06-01"), ("２０１８-０６-０１", "2018-06-01")],
)  # fmt: skip
def test_row_dates(text: str, expected: str) -> None:
    """Dates are ISO, optionally with the time of day an export adds."""
    assert str(rows.date({"date": text}, "date")) == expected


@pytest.mark.parametrize("text", ["2018-06-01 2018-07-15", "2018-W01-1", "20180601", "2018-02-30"])
def test_row_dates_refused(text: str) -> None:
    """Anything else is refused naming the field, never cut short."""
    with pytest.raises(InputError) as info:
        rows.date({"date": text}, "date")
    assert info.value.field == "date"


def test_inputs_ignore_the_ambient_decimal_context() -> None:
    """An embedding program's decimal settings change neither parsing nor amounts."""
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_FLOOR
        claim = rows.claim_from({"date": "2018-06-01", "compliant": "1234567.89"})
        assert claim.compliant == Decimal("1234567.89")
        assert Claim(day("2018-01-01"), Decimal("7654321")).compliant == Decimal("7654321.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # A negative amount with more than 2 decimals is named as given, not rounded to -1.00.
        (Decimal("-1.005"), "-1.005 is negative; amounts must be 0 or more"),
        (Decimal("-1.5"), "-1.50 is negative; amounts must be 0 or more"),
        (Decimal("-1.500"), "-1.50 is negative; amounts must be 0 or more"),
    ],
)
def test_refused_amounts_are_named_unrounded(value: Decimal, message: str) -> None:
    with pytest.raises(AmountError) as info:
        check_amount(value, field="compliant")
    assert str(info.value).endswith(message)


def test_the_library_ignores_a_hostile_ambient_decimal_context() -> None:
    """Three significant digits and every rounding trapped in the caller's context: nothing of
    medcalc's own arithmetic may use it (each operation names its context)."""
    from medcalc import load_book
    from medcalc.audit import run_audit
    from medcalc.audit.strategies import ratios

    book_ = load_book(env={})
    person = Person(categories={"poverty"})
    claims = [
        Claim(day("2019-03-01"), Decimal("123456.78"), "level_3", total=Decimal("150000.05")),
        Claim(day("2019-09-01"), Decimal("98765.43"), "level_2"),
    ]
    expected = Calculator(book_).claims("qingyuan-qingcheng", person, claims)
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = ctx.traps[decimal.Rounded] = True
        got = Calculator(book_).claims("qingyuan-qingcheng", person, claims)
        assert got == expected
        # The audit (its search points) and the generators the auditors use.
        verdicts = run_audit(book_, examples=15, seed=3)
        assert {v.status for v in verdicts} <= {"pass", "n/a"}, verdicts
        # Building a strategy does arithmetic on its bounds (2.5 x 100 = 250 needs 3 digits).
        ratios(min_value=Decimal("0.0125"), max_value=Decimal("0.9875"), places=4)
    pytest.importorskip("numpy")
    from medcalc.fast import yuan

    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = ctx.traps[decimal.Rounded] = True
        assert yuan(123456789) == Decimal("1234567.89")
