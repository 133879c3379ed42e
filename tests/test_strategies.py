"""The hypothesis strategies of `medcalc.audit.strategies`: what they make, that every tariff they
make is one the strict loader accepts, and that their arguments are checked eagerly."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from medcalc import Calculator
from medcalc.audit import critical_illness_scales
from medcalc.audit.strategies import (
    CATEGORY_POOL,
    amounts,
    claim_years,
    claims,
    persons,
    ratios,
    render_tariff,
    tariff_books,
    tariffs,
)
from medcalc.money import CENT
from medcalc.tariff import (
    AmountPayment,
    FullPayment,
    SharePayment,
    Tariff,
    TariffBook,
    inspect_tariff,
    parse_tariff,
)

from support import book, core_yaml

GENERATE_ONLY = settings(max_examples=2000, database=None, phases=(Phase.generate,))
"""For find(): any example with the feature will do, so no time is spent shrinking it."""


def cents(value: Decimal) -> bool:
    return value == value.quantize(CENT) and value.as_tuple().exponent == -2


# -- money -----------------------------------------------------------------------------------


@given(amounts(min_value=Decimal("10.50"), max_value=12000))
def test_amounts_are_two_decimal_decimals_in_range(value: Decimal) -> None:
    """amounts() gives Decimal yuan with exactly 2 decimals, within its bounds."""
    assert isinstance(value, Decimal)
    assert cents(value)
    assert Decimal("10.50") <= value <= 12000


@given(ratios(min_value=Decimal("0.2"), max_value=Decimal("0.85"), places=3))
def test_ratios_stay_in_range_with_their_places(value: Decimal) -> None:
    """ratios() stays within its bounds and has at most the requested decimals."""
    assert Decimal("0.2") <= value <= Decimal("0.85")
    assert value == value.quantize(Decimal("0.001"))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: amounts(min_value=0.5), "never a float"),  # type: ignore[arg-type]
        (lambda: amounts(max_value=Decimal("1.005")), "more than 2 decimal"),
        (lambda: amounts(min_value=-1), "from 0 to"),
        (lambda: amounts(min_value=10, max_value=5), "above max_value"),
        (lambda: ratios(max_value=Decimal("1.5")), "from 0 to 1"),
        (lambda: ratios(places=9), "places"),
        (lambda: tariffs(series="Not Valid"), "lower-case"),
        (lambda: tariffs(require=["inpatient", "dental"]), "unknown sections"),
        (lambda: tariffs(require="inpatient"), "not a string"),
        (lambda: tariff_books(min_versions=0), "at least 1"),
        (lambda: claim_years(min_size=3, max_size=2), "above max_size"),
        (lambda: claims(year=1066), "calendar year"),
        (lambda: persons(enrolled="yes"), "True, False or None"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_refused_when_the_strategy_is_built(
    make: Callable[[], object], message: str
) -> None:
    """A bad argument raises InvalidArgument at once, naming what was wrong."""
    with pytest.raises(InvalidArgument, match=message):
        make()


def test_claims_for_a_year_the_tariff_does_not_cover_are_refused() -> None:
    """Asking for claims in a year no version covers is an error when the strategy is built."""
    t = book(core_yaml())
    with pytest.raises(InvalidArgument, match="no version of the tariff is in force in 2030"):
        claims(tariff=t, year=2030)


# -- tariffs ---------------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tariffs(), tariffs(sound=False, require=())))
def test_generated_tariffs_round_trip_through_the_strict_loader(tariff: Tariff) -> None:
    """render_tariff writes YAML the loader accepts and reads back to the same tariff and hash."""
    text = render_tariff(tariff).encode("utf-8")
    check = inspect_tariff(text, tariff.path)
    assert check.problems == (), "\n".join(str(p) for p in check.problems)
    assert check.tariff == tariff
    assert parse_tariff(text, tariff.path).sha256 == tariff.sha256


def test_render_reads_back_the_hand_written_test_tariff() -> None:
    """A tariff read from hand-written YAML renders to text that reads back to an equal tariff."""
    original = book(core_yaml()).tariffs[0]
    again = parse_tariff(render_tariff(original).encode("utf-8"), original.path)
    assert again == attrs.evolve(original, sha256=again.sha256)


@given(tariffs(sound=True))
def test_sound_tariffs_have_rising_ratios_and_generous_categories(tariff: Tariff) -> None:
    """sound=True gives rising ratios, and category thresholds and caps no worse than the base."""
    ci = tariff.critical_illness
    assert ci is not None
    base_cap = ci.annual_cap.amount
    for scale in critical_illness_scales(tariff, [c.id for c in tariff.categories]):
        rates = [r for _, _, r in scale.segments]
        assert rates == sorted(rates)
        assert scale.threshold <= ci.threshold
        if base_cap is None:
            assert scale.cap is None
        else:
            assert scale.cap is None or scale.cap >= base_cap


FEATURES: dict[str, Callable[[Tariff], bool]] = {
    "bounds above_threshold": lambda t: (
        t.critical_illness is not None and t.critical_illness.bounds == "above_threshold"
    ),
    "threshold_factor": lambda t: (
        t.critical_illness is not None
        and any(a.threshold_factor is not None for a in t.critical_illness.adjustments)
    ),
    "absolute threshold": lambda t: (
        t.critical_illness is not None
        and any(a.threshold is not None for a in t.critical_illness.adjustments)
    ),
    "replacement segments": lambda t: (
        t.critical_illness is not None
        and any(a.segments is not None for a in t.critical_illness.adjustments)
    ),
    "category without cap": lambda t: (
        t.critical_illness is not None
        and any(
            a.annual_cap is not None and a.annual_cap.amount is None
            for a in t.critical_illness.adjustments
        )
    ),
    "capped critical illness": lambda t: (
        t.critical_illness is not None and t.critical_illness.annual_cap.amount is not None
    ),
    "half_even": lambda t: t.rounding == "half_even",
    "3-decimal ratio": lambda t: (
        t.inpatient is not None
        and any(lv.ratio.as_tuple().exponent == -3 for lv in t.inpatient.levels)
    ),
    "reserved pension grade": lambda t: (
        t.pension_premium is not None and any(g.reserved_for for g in t.pension_premium.grades)
    ),
    "full, share and amount": lambda t: (
        t.medical_premium is not None
        and {type(p.payment) for p in t.medical_premium.government_pays}
        == {FullPayment, SharePayment, AmountPayment}
    ),
    "exempt, next_month": lambda t: (
        t.enrollment is not None
        and t.enrollment.benefits_start == "next_month"
        and bool(t.enrollment.exempt)
    ),
    "same_day": lambda t: t.enrollment is not None and t.enrollment.benefits_start == "same_day",
    "disability types": lambda t: any(r.types for c in t.categories for r in c.disability),
    "assistance deductible and cap": lambda t: (
        t.medical_assistance is not None
        and any(r.deductible > 0 and r.annual_cap.amount for r in t.medical_assistance.eligible)
    ),
    "basic adjustment": lambda t: t.inpatient is not None and bool(t.inpatient.adjustments),
    "open-ended": lambda t: t.effective_to is None,
}


@pytest.mark.parametrize("feature", list(FEATURES))
def test_every_feature_of_the_contract_comes_up(feature: str) -> None:
    """tariffs() makes tariffs with each feature of the contract (found within 2000 tries)."""
    found = find(
        tariffs(),
        FEATURES[feature],
        settings=GENERATE_ONLY,
        random=random.Random(0),
    )
    assert FEATURES[feature](found)


def test_unsound_tariffs_can_break_the_tariff_level_invariants() -> None:
    """sound=False also makes tariffs whose ratios fall as the cost rises."""

    def falls(t: Tariff) -> bool:
        assert t.critical_illness is not None
        rates = [s.ratio for s in t.critical_illness.segments]
        return rates != sorted(rates)

    found = find(
        tariffs(sound=False),
        falls,
        settings=GENERATE_ONLY,
        random=random.Random(0),
    )
    assert falls(found)


@given(tariff_books(min_versions=2, max_versions=3))
def test_books_hold_consecutive_versions_with_shared_categories(tariffs_: TariffBook) -> None:
    """A generated book's versions follow each other day by day and declare the same categories."""
    versions = tariffs_.versions("generated")
    assert 2 <= len(versions) <= 3
    for earlier, later in itertools.pairwise(versions):
        assert earlier.effective_to is not None
        assert later.effective_from == earlier.effective_to + dt.timedelta(days=1)
        assert later.categories == earlier.categories


# -- inputs ----------------------------------------------------------------------------------


@given(st.data())
def test_claims_fit_the_version_in_force_on_their_date(data: st.DataObject) -> None:
    """Each claim is dated in a version, at one of its levels; total >= compliant >= basic_paid."""
    tariffs_ = data.draw(tariff_books())
    claim = data.draw(claims(tariff=tariffs_))
    version = tariffs_.in_force("generated", claim.date)
    assert version.inpatient is not None
    if claim.basic_paid is None or claim.hospital_level is not None:
        assert version.inpatient.level(claim.hospital_level or "") is not None
    assert claim.bill >= claim.compliant
    assert claim.basic_paid is None or claim.basic_paid <= claim.compliant
    assert all(cents(a) for a in (claim.compliant, claim.bill))


@given(st.data())
def test_claim_years_and_persons_can_be_computed(data: st.DataObject) -> None:
    """A drawn person and year of claims are valid input: the calculator computes them."""
    tariffs_ = data.draw(tariff_books())
    year = data.draw(st.sampled_from(sorted({t.effective_from.year for t in tariffs_})))
    person = data.draw(persons(tariff=tariffs_, year=year))
    year_claims = data.draw(claim_years(tariff=tariffs_, year=year, max_size=4))
    assert 1 <= len(year_claims) <= 4
    assert {c.date.year for c in year_claims} == {year}
    declared = {c.id for c in tariffs_.tariffs[0].categories}
    assert person.categories <= declared
    result = Calculator(tariffs_).claims("generated", person, year_claims)
    assert len(result.claims) == len(year_claims)


@given(persons())
def test_persons_without_a_tariff_use_the_category_pool(person: object) -> None:
    """Without a tariff, persons() draws categories from CATEGORY_POOL."""
    pool = {c[0] for c in CATEGORY_POOL}
    assert person.categories <= pool  # type: ignore[attr-defined]


def test_importing_medcalc_and_its_cli_does_not_import_hypothesis() -> None:
    """hypothesis is loaded by the audit and its strategies, never by import medcalc."""
    code = (
        "import sys, medcalc, medcalc.cli; "
        "audit = any(m.startswith('medcalc.audit') for m in sys.modules); "
        "print('hypothesis' in sys.modules, audit)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
