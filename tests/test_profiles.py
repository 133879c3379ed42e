"""The critical-illness scale G(x) (spec §4.3) as the core evaluates it, against its definition.

The core finds the band of x by bisection over precomputed bounds; the definition is the sum
over all bands of max(0, min(x, upper) - lower) x ratio. They must agree exactly at every x,
above all on and next to the bounds, where a bisection off by one band would show.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcalc import Calculator, Claim, Person
from medcalc.audit.strategies import amounts, tariffs
from medcalc.chain import (
    LAYERS,
    Band,
    CriticalIllnessProfile,
    Scale,
    assistance_profiles,
    critical_illness_profiles,
)
from medcalc.money import round_money
from medcalc.tariff import (
    Cap,
    CriticalIllness,
    CriticalIllnessAdjustment,
    Segment,
    Tariff,
)

from support import D, book, core_yaml, day

CENT = Decimal("0.01")


def definition(profile: CriticalIllnessProfile, x: Decimal) -> Fraction:
    """G(x) written as the spec writes it, one band at a time, in exact fractions."""
    total = Fraction(0)
    for band in profile.bands:
        top = x if band.upper is None else min(x, band.upper)
        total += max(Fraction(0), Fraction(top) - Fraction(band.lower)) * Fraction(band.ratio)
    return total


def near_bounds(profile: CriticalIllnessProfile) -> list[Decimal]:
    """Every bound, a fen either side of it, and 0."""
    points = [Decimal(0)]
    for band in profile.bands:
        for bound in (band.lower, band.upper):
            if bound is not None:
                points += [bound - CENT, bound, bound + CENT]
    return [p for p in points if p >= 0]


@given(tariff=tariffs(sound=False), x=amounts(max_value=5_000_000))
def test_scale_equals_its_definition(tariff: Tariff, x: Decimal) -> None:
    section = tariff.critical_illness
    assert section is not None
    # Every declared category held: the base and each category's adjusted scale are checked.
    held = tuple(c.id for c in tariff.categories)
    for profile in critical_illness_profiles(section, held, tariff.rounding):
        for point in [x, *near_bounds(profile)]:
            assert Fraction(profile.raw(point)) == definition(profile, point), (profile.name, point)


@st.composite
def long_ratios(draw: st.DrawFn) -> Decimal:
    """A ratio from 0 to 1 with 40 to 120 decimals (the format sets no limit)."""
    places = draw(st.integers(40, 120))
    return Decimal(draw(st.integers(0, 10**places))).scaleb(-places)


@given(
    ratios=st.lists(long_ratios(), min_size=1, max_size=3),
    bonus=long_ratios(),
    x=amounts(max_value=5_000_000),
)
def test_scale_with_long_ratios_equals_its_definition(
    ratios: list[Decimal], bonus: Decimal, x: Decimal
) -> None:
    # Ratios and a bonus with up to 120 decimals: the adjusted ratio min(1, r + bonus) and G
    # are exact (the definition is computed in fractions), and F rounds G itself.
    section = CriticalIllness(
        threshold=D("15000"),
        bounds="cumulative",
        segments=tuple(
            Segment(None if i == len(ratios) - 1 else D(str(20000 * (i + 1))), r)
            for i, r in enumerate(ratios)
        ),
        annual_cap=Cap(None),
        adjustments=(CriticalIllnessAdjustment("poverty", ratio_bonus=bonus),),
        source="src",
    )
    base, poor = critical_illness_profiles(section, ("poverty",), "half_even")
    assert [b.ratio for b in base.bands] == ratios
    for band, ratio in zip(poor.bands, ratios, strict=True):
        assert Fraction(band.ratio) == min(Fraction(1), Fraction(ratio) + Fraction(bonus))
    for profile in (base, poor):
        for point in [x, *near_bounds(profile)]:
            assert Fraction(profile.raw(point)) == definition(profile, point), point


def test_scale_by_hand_on_and_around_the_bounds() -> None:
    # core_yaml(): threshold 15000, segments up to 100000 at 60 %, up to 200000 at 70 %,
    # above at 80 %. G(100000) = 85000 x 0.6 = 51000; G(200000) = 51000 + 100000 x 0.7 = 121000.
    tariff = book(core_yaml()).versions("core")[0]
    assert tariff.critical_illness is not None
    (base,) = critical_illness_profiles(tariff.critical_illness, (), tariff.rounding)
    cases = {
        "15000.00": "0",  # at the threshold: nothing yet
        "15000.01": "0.006",  # 0.01 x 0.6
        "99999.99": "50999.994",  # 84999.99 x 0.6
        "100000.00": "51000",
        "100000.01": "51000.007",  # 51000 + 0.01 x 0.7
        "200000.00": "121000",
        "200000.01": "121000.008",  # 121000 + 0.01 x 0.8
        "250000.00": "161000",  # 121000 + 50000 x 0.8
    }
    for x, expected in cases.items():
        assert base.raw(D(x)) == Decimal(expected), x


def test_a_ratio_with_many_decimals_stays_exact() -> None:
    # The loader takes a ratio of any length. 0.005 followed by 57 zeros and a 1 (61 decimals):
    # G(15001) = (15001 - 15000) x that ratio: the ratio itself, every digit kept.
    ratio = Decimal("0.005" + "0" * 57 + "1")
    profile = CriticalIllnessProfile(
        "base", D("15000"), (Band(D("15000"), None, ratio),), Cap(None)
    )
    assert profile.raw(D("15001")) == ratio
    assert Fraction(profile.raw(D("15001.00"))) == Fraction(ratio)


# 0.5 followed by 59 zeros and a 1: 61 decimals, 61 significant digits.
LONG_RATIO = "0.5" + "0" * 59 + "1"


def test_a_product_longer_than_sixty_digits_is_not_rounded() -> None:
    # G(T + 1.01) = 1.01 x (0.5 + 10^-61) = 0.505 + 1.01 x 10^-61: 63 significant digits.
    # Rounded to 60 digits first, it would be exactly 0.505, which half_even takes to 0.50;
    # exactly, it is just above half a fen, so both modes give 0.51.
    ratio = Decimal(LONG_RATIO)
    profile = CriticalIllnessProfile(
        "base", D("15000"), (Band(D("15000"), None, ratio),), Cap(None)
    )
    raw = profile.raw(D("15001.01"))
    assert Fraction(raw) == Fraction(101, 100) * Fraction(ratio)
    assert Fraction(raw) == Fraction("0.505") + Fraction(101, 10**63)
    assert profile.pays(D("15001.01"), "half_even") == D("0.51")
    assert profile.pays(D("15001.01"), "half_up") == D("0.51")


def test_a_long_ratio_keeps_its_digits_through_the_chain() -> None:
    # A half_even tariff whose first critical-illness segment pays 0.5 + 10^-61, exactly as
    # written; the poverty rule adds 0.05.
    segments = f"""\
    - {{to: 100000, ratio: {LONG_RATIO}}}
    - {{to: 200000, ratio: 0.70}}
    - {{ratio: 0.80}}"""
    calc = Calculator(book(core_yaml(rounding="half_even", segments=segments)))
    # Ordinary: the basic payment is given, so the burden is 30000 - 14998.99 = 15001.01 and
    # x - T = 1.01 (T = 15000): 1.01 x (0.5 + 10^-61) = 0.505 + 1.01 x 10^-61 -> 0.51.
    claim = Claim(day("2018-05-01"), D("30000"), "level_1", basic_paid=D("14998.99"))
    ordinary = calc.claims("core", Person(), [claim]).claims[0]
    assert ordinary.individual_burden == D("15001.01")
    assert ordinary.critical_illness == D("0.51")
    # Poverty: T = 15000 x 0.5 = 7500, ratio 0.55 + 10^-61 (61 significant digits: a 60-digit
    # sum would drop the last one). Burden 30000 - 22499.70 = 7500.30, x - T = 0.30:
    # 0.30 x (0.55 + 10^-61) = 0.165 + 3 x 10^-62 -> 0.17 (0.165 alone: half_even 0.16).
    claim = Claim(day("2018-05-01"), D("30000"), "level_1", basic_paid=D("22499.70"))
    poor = calc.claims("core", Person(categories={"poverty"}), [claim]).claims[0]
    assert poor.individual_burden == D("7500.30")
    ci = poor.critical_illness_detail
    assert ci is not None and ci.profile == "poverty"
    assert poor.critical_illness == D("0.17")


def test_a_closed_last_band_pays_nothing_beyond_it() -> None:
    # Every band closed: 1000 to 2000 at 50 %, 2000 to 3000 at 100 %; G stops at
    # 1000 x 0.5 + 1000 x 1 = 1500.
    profile = CriticalIllnessProfile(
        "base",
        D("1000"),
        (Band(D("1000"), D("2000"), D("0.5")), Band(D("2000"), D("3000"), D("1"))),
        Cap(None),
    )
    assert profile.raw(D("999")) == 0
    assert profile.raw(D("2500")) == Decimal("1000.0")  # 500 + 500 x 1
    assert profile.raw(D("3000")) == Decimal("1500")
    assert profile.raw(D("3000.01")) == Decimal("1500")
    assert profile.raw(D("9000")) == Decimal("1500")


def test_claim_results_are_frozen() -> None:
    # The per-claim records are dict-backed for speed; they must still refuse assignment.
    result = Calculator(book(core_yaml())).claims(
        "core", Person(), [Claim(day("2018-05-01"), D("120000"), "level_3")]
    )
    claim = result.claims[0]
    ci = claim.critical_illness_detail
    assert claim.basic_detail and ci and claim.assistance_detail
    records: list[attrs.AttrsInstance] = [claim, claim.basic_detail, ci, claim.assistance_detail]
    records += [*ci.segments, *ci.alternatives]
    for record in records:
        for field in attrs.fields(type(record)):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(record, field.name, None)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            record.not_a_field = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("x", ["0", "0.01", "15000", "1000000"])
def test_empty_scale_is_zero(x: str) -> None:
    assert CriticalIllnessProfile("base", D("0"), (), Cap(None)).raw(D(x)) == 0


@given(tariff=tariffs(sound=False), y=amounts(max_value=5_000_000))
def test_assistance_is_the_one_band_scale_of_its_definition(tariff: Tariff, y: Decimal) -> None:
    """Each assistance candidate, a one-band Scale, pays A(y) = min(round(max(0, y - d) x r),
    cap) as the spec writes it, at any y and a fen either side of its deductible."""
    held = tuple(c.id for c in tariff.categories)
    section = tariff.medical_assistance
    rules = {r.category: r for r in (() if section is None else section.eligible)}
    for scale in assistance_profiles(section, held):
        rule = rules[scale.name]
        assert (scale.threshold, scale.ratios, scale.annual_cap) == (
            rule.deductible,
            (rule.ratio,),
            rule.annual_cap,
        )
        for point in (y, rule.deductible - CENT, rule.deductible, rule.deductible + CENT):
            if point < 0:
                continue
            above = max(Fraction(0), Fraction(point) - Fraction(rule.deductible))
            assert Fraction(scale.raw(point)) == above * Fraction(rule.ratio), point
            expected = round_money(max(Decimal(0), point - rule.deductible) * rule.ratio,
                                   tariff.rounding)  # fmt: skip
            if rule.annual_cap.amount is not None:
                expected = min(expected, rule.annual_cap.amount)
            assert scale.pays(point, tariff.rounding) == expected, point


def test_assistance_by_hand() -> None:
    """A one-band scale from a deductible of 1000 at 70 % with a cap of 500: nothing up to
    the deductible, 70 % of the part above it, never more than the cap."""
    scale = Scale.flat("poverty", D("1000"), D("0.70"), Cap(D("500")))
    assert scale.bands == (Band(D("1000"), None, D("0.70")),)
    assert scale.pays(D("1000"), "half_up") == D("0")
    assert scale.pays(D("1000.01"), "half_up") == D("0.01")  # 0.007 rounds up
    assert scale.pays(D("1100"), "half_up") == D("70")
    assert scale.pays(D("1714.28"), "half_up") == D("500")  # 714.28 x 0.7 = 499.996
    assert scale.pays(D("9000"), "half_up") == D("500")


def test_the_layers_are_critical_illness_then_assistance() -> None:
    """The chain's accumulated layers, in the order a claim passes them, each fed by its
    tariff section and accumulating its own year-to-date base."""
    assert [(x.id, x.section, x.base) for x in LAYERS] == [
        ("critical_illness", "critical_illness", "critical_illness_base"),
        ("assistance", "medical_assistance", "assistance_base"),
    ]
