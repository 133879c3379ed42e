"""Hand-worked claims examples (spec §4.3, §4.4), each showing its arithmetic.

The tariff is ``support.core_yaml()``: levels 300/90%, 500/80%, 800/70%, basic cap 200000,
poverty basic: deductible x 0.5, ratio + 0.05; critical illness threshold 15000, segments
-100000 60%, -200000 70%, above 80%, cap 400000; poverty and five-guarantee: threshold x 0.5,
ratio + 0.05, no cap; assistance: five-guarantee 100% no cap, poverty 70% above a yearly
deductible of 1000, cap 50000.
"""

from __future__ import annotations

import attrs
import pytest

from medcalc import Calculator, Claim, Person, YearToDate
from medcalc.chain import Alternative, ClaimsResult, SegmentUse

from support import D, book, core_yaml, day

ORDINARY = Person()
POOR = Person(categories={"poverty"})
FIVE_GUARANTEE = Person(categories={"five_guarantee"})


@pytest.fixture
def calc() -> Calculator:
    return Calculator(book(core_yaml()))


def run(calc: Calculator, person: Person, *claims: Claim) -> ClaimsResult:
    return calc.claims("core", person, list(claims))


def amounts(result: ClaimsResult) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"{c.basic:.2f}",
            f"{c.critical_illness:.2f}",
            f"{c.assistance:.2f}",
            f"{c.out_of_pocket:.2f}",
        )
        for c in result.claims
    ]


def test_ordinary_below_threshold(calc: Calculator) -> None:
    """An ordinary resident below the critical-illness threshold gets basic insurance only."""
    r = run(calc, ORDINARY, Claim(day("2018-03-01"), D("50000"), "level_2", total=D("60000")))
    # basic = (50000 - 500) x 0.80 = 39600; i = 50000 - 39600 = 10400 < 15000 -> 0
    # no assistance category; out of pocket = 60000 - 39600 = 20400
    assert amounts(r) == [("39600.00", "0.00", "0.00", "20400.00")]
    c = r.claims[0]
    assert c.individual_burden == D("10400")
    assert c.basic_detail is not None and c.basic_detail.profile == "base"


def test_poor_lowered_threshold_and_bonus(calc: Calculator) -> None:
    """The poor get a halved deductible and threshold and +5 points, and assistance on top."""
    r = run(calc, POOR, Claim(day("2018-03-01"), D("50000"), "level_2"))
    # basic: base (50000-500) x 0.80 = 39600; poverty (50000-250) x 0.85 = 42287.50 -> poverty
    # i = 50000 - 42287.50 = 7712.50
    # critical illness: base threshold 15000 -> 0; poverty threshold 7500, ratio 0.65:
    #   (7712.50 - 7500) x 0.65 = 138.125 -> 138.13 (half_up)
    # j = 7712.50 - 138.13 = 7574.37; assistance (7574.37 - 1000) x 0.70 = 4602.059 -> 4602.06
    # out of pocket = 50000 - 42287.50 - 138.13 - 4602.06 = 2972.31
    assert amounts(r) == [("42287.50", "138.13", "4602.06", "2972.31")]
    ci = r.claims[0].critical_illness_detail
    assert ci is not None
    assert (ci.profile, ci.threshold, ci.ratios) == (
        "poverty",
        D("7500"),
        (D("0.65"), D("0.75"), D("0.85")),
    )
    assert [(a.profile, a.amount) for a in ci.alternatives] == [
        ("base", D("0")),
        ("poverty", D("138.13")),
    ]


def test_half_even_rounding() -> None:
    """With rounding half_even, 138.125 rounds to 138.12 (the example above rounds it up)."""
    calc = Calculator(book(core_yaml(rounding="half_even")))
    r = run(calc, POOR, Claim(day("2018-03-01"), D("50000"), "level_2"))
    # same as above: ci = 138.125 -> 138.12; j = 7712.50 - 138.12 = 7574.38;
    # assistance (6574.38) x 0.70 = 4602.066 -> 4602.07; oop = 50000-42287.50-138.12-4602.07
    assert amounts(r) == [("42287.50", "138.12", "4602.07", "2972.31")]


def test_ratio_bonus_capped_at_one() -> None:
    """A ratio bonus never lifts a segment ratio above 100 %."""
    segments = "    - {to: 50000, ratio: 0.98}\n    - {ratio: 0.99}"
    calc = Calculator(book(core_yaml(segments=segments)))
    claim = Claim(day("2018-05-01"), D("30000"), basic_paid=D("10000"))
    # i = 30000 - 10000 = 20000
    # base: (20000 - 15000) x 0.98 = 4900; poverty: ratio min(1, 0.98 + 0.05) = 1,
    # threshold 7500: (20000 - 7500) x 1 = 12500
    r = run(calc, POOR, claim)
    assert r.claims[0].critical_illness == D("12500.00")
    ci = r.claims[0].critical_illness_detail
    assert ci is not None and ci.ratios == (D("1"), D("1"))
    assert run(calc, ORDINARY, claim).claims[0].critical_illness == D("4900.00")


def test_cap_for_ordinary_no_cap_for_poor(calc: Calculator) -> None:
    """The ordinary scale stops at its 400000 cap; the poor scale has no cap and keeps paying."""
    claim = Claim(day("2018-06-01"), D("800000"), basic_paid=D("200000"))
    # i = 600000
    # ordinary G: (100000-15000) x 0.6 = 51000; 100000 x 0.7 = 70000; (600000-200000) x 0.8
    #   = 320000; G = 441000 -> cap 400000 (reduction 41000); no assistance;
    #   oop = 800000 - 200000 - 400000 = 200000
    ordinary = run(calc, ORDINARY, claim)
    assert amounts(ordinary) == [("200000.00", "400000.00", "0.00", "200000.00")]
    detail = ordinary.claims[0].critical_illness_detail
    assert detail is not None and detail.cap_reduction == D("41000.00")
    # poor: threshold 7500: (100000-7500) x 0.65 = 60125; 100000 x 0.75 = 75000;
    #   400000 x 0.85 = 340000; total 475125, no cap
    # j = 600000 - 475125 = 124875; assistance (124875 - 1000) x 0.7 = 86712.50 -> cap 50000
    # oop = 800000 - 200000 - 475125 - 50000 = 74875
    poor = run(calc, POOR, claim)
    assert amounts(poor) == [("200000.00", "475125.00", "50000.00", "74875.00")]


def test_segments_touched_are_explained(calc: Calculator) -> None:
    """The explanation lists each segment touched, and the segments add up to the payment."""
    claim = Claim(day("2018-06-01"), D("350000"), basic_paid=D("100000"))
    # i = 250000 for an ordinary person: segments touched
    #   15000-100000: 85000 x 0.6 = 51000; 100000-200000: 100000 x 0.7 = 70000;
    #   200000-250000: 50000 x 0.8 = 40000; total 161000
    r = run(calc, ORDINARY, claim)
    ci = r.claims[0].critical_illness_detail
    assert ci is not None
    assert [(s.start, s.end, s.amount, s.ratio, s.paid) for s in ci.segments] == [
        (D("15000"), D("100000"), D("85000"), D("0.60"), D("51000.00")),
        (D("100000"), D("200000"), D("100000"), D("0.70"), D("70000.00")),
        (D("200000"), D("250000"), D("50000"), D("0.80"), D("40000.00")),
    ]
    assert r.claims[0].critical_illness == D("161000.00")


def test_above_threshold_bounds() -> None:
    """With bounds above_threshold each segment bound is measured from the threshold in use."""
    segments = "    - {to: 50000, ratio: 0.50}\n    - {ratio: 0.60}"
    above = Calculator(
        book(core_yaml(threshold="10000", bounds="above_threshold", segments=segments))
    )
    cumulative = Calculator(book(core_yaml(threshold="10000", segments=segments)))
    claim = Claim(day("2018-02-01"), D("100000"), basic_paid=D("20000"))
    # i = 80000.
    # above_threshold, ordinary: bands 10000-60000 at 0.5, above 60000 at 0.6:
    #   50000 x 0.5 + 20000 x 0.6 = 25000 + 12000 = 37000
    assert run(above, ORDINARY, claim).claims[0].critical_illness == D("37000.00")
    # above_threshold, poor: threshold 5000, bands 5000-55000 at 0.55, above at 0.65:
    #   50000 x 0.55 + 25000 x 0.65 = 27500 + 16250 = 43750
    assert run(above, POOR, claim).claims[0].critical_illness == D("43750.00")
    # cumulative, ordinary: 10000-50000 at 0.5, above at 0.6: 20000 + 30000 x 0.6 = 38000
    assert run(cumulative, ORDINARY, claim).claims[0].critical_illness == D("38000.00")


def test_accumulation_over_the_year(calc: Calculator) -> None:
    """The threshold is deducted once a year: the second stay pays on the accumulated burden."""
    first = Claim(day("2018-02-01"), D("30000"), basic_paid=D("20000"))
    second = Claim(day("2018-09-01"), D("30000"), basic_paid=D("20000"))
    # i = 10000 each. X: 0 -> 10000 (below 15000: 0); 10000 -> 20000: F = (20000-15000) x 0.6
    #   = 3000 - 0 = 3000
    r = run(calc, ORDINARY, first, second)
    assert [c.critical_illness for c in r.claims] == [D("0.00"), D("3000.00")]
    assert r.claims[1].before.critical_illness_base == D("10000")
    assert r.claims[1].after.critical_illness_base == D("20000")
    assert r.years[0].critical_illness == D("3000.00")


def test_claims_out_of_date_order(calc: Calculator) -> None:
    """Claims are taken in date order but returned in input order."""
    late = Claim(day("2018-09-01"), D("30000"), basic_paid=D("20000"), claim_id="late")
    early = Claim(day("2018-02-01"), D("30000"), basic_paid=D("20000"), claim_id="early")
    r = run(calc, ORDINARY, late, early)
    # processing order: early (0 -> 10000: 0), late (10000 -> 20000: 3000)
    assert [(c.claim.claim_id, c.critical_illness) for c in r.claims] == [
        ("late", D("3000.00")),
        ("early", D("0.00")),
    ]


def test_same_day_ties_keep_input_order(calc: Calculator) -> None:
    """Two claims on one day are taken in input order."""
    a = Claim(day("2018-04-01"), D("30000"), basic_paid=D("10000"), claim_id="a")
    b = Claim(day("2018-04-01"), D("30000"), basic_paid=D("10000"), claim_id="b")
    # a: X 0 -> 20000: (20000-15000) x 0.6 = 3000; b: 20000 -> 40000: +12000 = 12000
    r = run(calc, ORDINARY, a, b)
    assert [c.critical_illness for c in r.claims] == [D("3000.00"), D("12000.00")]
    r2 = run(calc, ORDINARY, b, a)
    assert [(c.claim.claim_id, c.critical_illness) for c in r2.claims] == [
        ("b", D("3000.00")),
        ("a", D("12000.00")),
    ]


def test_split_stay_same_year_total(calc: Calculator) -> None:
    """Splitting one stay into several claims leaves the year's totals unchanged."""
    whole = Claim(day("2018-05-01"), D("100000"), basic_paid=D("60000"))
    parts = [
        Claim(day("2018-05-01"), D("60000"), basic_paid=D("35000")),
        Claim(day("2018-05-20"), D("40000"), basic_paid=D("25000")),
    ]
    # whole, poor: i = 40000; F(40000) = (40000-7500) x 0.65 = 21125
    #   j = 40000 - 21125 = 18875; A = (18875-1000) x 0.7 = 12512.50
    # parts: i = 25000 then 15000. F(25000) = 17500 x 0.65 = 11375; F(40000) - 11375 = 9750
    #   j = 13625 then 5250; A(13625) = 12625 x 0.7 = 8837.50; A(18875) - 8837.50 = 3675
    one = run(calc, POOR, whole)
    two = run(calc, POOR, *parts)
    assert [c.critical_illness for c in two.claims] == [D("11375.00"), D("9750.00")]
    assert [c.assistance for c in two.claims] == [D("8837.50"), D("3675.00")]
    for y1, y2 in zip(one.years, two.years, strict=True):
        assert (y1.critical_illness, y1.assistance) == (y2.critical_illness, y2.assistance)
    assert one.years[0].critical_illness == D("21125.00")
    assert one.years[0].assistance == D("12512.50")


def test_year_to_date_equals_listing_earlier_claims(calc: Calculator) -> None:
    """Starting from the accumulators left by earlier claims gives the same amounts."""
    a = Claim(day("2018-03-01"), D("80000"), "level_3", total=D("90000"))
    b = Claim(day("2018-08-01"), D("120000"), "level_3")
    together = run(calc, POOR, a, b)
    # a: basic poverty d 400, r 0.75: (80000-400) x 0.75 = 59700; i = 20300
    #    ci: (20300-7500) x 0.65 = 8320; j = 11980; A = (11980-1000) x 0.7 = 7686
    # b: basic (120000-400) x 0.75 = 89700 (cap 200000 - 59700 leaves room); i = 30300
    #    X 20300 -> 50600: F = (50600-7500) x 0.65 = 28015 -> 28015 - 8320 = 19695
    #    j = 30300 - 19695 = 10605; Y 11980 -> 22585: A = 21585 x 0.7 = 15109.50 - 7686 = 7423.50
    assert amounts(together) == [
        ("59700.00", "8320.00", "7686.00", "14294.00"),
        ("89700.00", "19695.00", "7423.50", "3181.50"),
    ]
    state = together.claims[0].after
    assert state == YearToDate(D("59700.00"), D("20300.00"), D("11980.00"))
    alone = calc.claims("core", POOR, [b], year_to_date=state)
    assert amounts(alone) == amounts(together)[1:]


def test_basic_annual_cap(calc: Calculator) -> None:
    """Basic insurance stops at its annual cap across the year's claims."""
    big = Claim(day("2018-01-10"), D("250000"), "level_1")
    small = Claim(day("2018-02-10"), D("10000"), "level_1")
    # big: (250000-300) x 0.9 = 224730 -> cap 200000; small: (10000-300) x 0.9 = 8730, room 0
    r = run(calc, ORDINARY, big, small)
    assert [c.basic for c in r.claims] == [D("200000.00"), D("0.00")]
    # from a year-to-date basic_paid of 195000 only 5000 of room is left
    alone = calc.claims("core", ORDINARY, [small], year_to_date=YearToDate(basic_paid=D("195000")))
    assert alone.claims[0].basic == D("5000.00")


def test_two_versions_within_one_year() -> None:
    """Each claim uses the version in force on its date; accumulation runs across versions."""
    first_half = core_yaml(version="2018.1", end="2018-06-30")
    second_half = core_yaml(version="2018.2", start="2018-07-01", threshold="10000")
    calc = Calculator(book(first_half, second_half))
    a = Claim(day("2018-03-01"), D("20000"), basic_paid=D("8000"))
    b = Claim(day("2018-08-01"), D("10000"), basic_paid=D("4000"))
    # a under 2018.1: i = 12000 < 15000 -> 0
    # b under 2018.2 (threshold 10000): X 12000 -> 18000: F(18000) - F(12000)
    #   = 8000 x 0.6 - 2000 x 0.6 = 4800 - 1200 = 3600
    r = run(calc, ORDINARY, a, b)
    assert [c.critical_illness for c in r.claims] == [D("0.00"), D("3600.00")]
    assert [c.tariff.version for c in r.claims] == ["2018.1", "2018.2"]


def test_claims_in_two_years_accumulate_separately() -> None:
    """Each calendar year starts from zero."""
    calc2 = Calculator(
        book(core_yaml(), core_yaml(version="2019.1", start="2019-01-01", end="2019-12-31"))
    )
    a = Claim(day("2018-12-01"), D("30000"), basic_paid=D("20000"))
    b = Claim(day("2019-01-05"), D("30000"), basic_paid=D("20000"))
    # each: i = 10000 < 15000 -> 0 (they would pay 3000 if they were in one year)
    r = calc2.claims("core", ORDINARY, [a, b])
    assert [c.critical_illness for c in r.claims] == [D("0.00"), D("0.00")]
    assert [y.year for y in r.years] == [2018, 2019]


def test_enrolment_next_month() -> None:
    """With next_month, benefits start on the 1st of the month after payment."""
    calc = Calculator(book(core_yaml()))
    person = Person(enrolled_on=day("2018-03-15"))
    before = Claim(day("2018-03-31"), D("10000"), "level_2", total=D("12000"))
    after = Claim(day("2018-04-01"), D("10000"), "level_2")
    r = run(calc, person, before, after)
    # before: not covered: everything out of pocket (12000), no accumulation
    # after: (10000 - 500) x 0.8 = 7600; basic paid before = 0 (nothing accumulated)
    assert amounts(r) == [
        ("0.00", "0.00", "0.00", "12000.00"),
        ("7600.00", "0.00", "0.00", "2400.00"),
    ]
    assert r.claims[0].covered is False
    assert r.claims[0].benefits_start == day("2018-04-01")
    assert r.claims[0].not_covered_reason is not None
    assert r.claims[1].before.critical_illness_base == D("0")


def test_enrolment_same_day() -> None:
    """With same_day, a claim on the payment date is covered."""
    calc = Calculator(book(core_yaml(benefits_start="same_day")))
    r = run(
        calc, Person(enrolled_on=day("2018-03-15")), Claim(day("2018-03-15"), D("10000"), "level_2")
    )
    # (10000 - 500) x 0.8 = 7600
    assert r.claims[0].covered and r.claims[0].basic == D("7600.00")


def test_enrolment_exempt_category() -> None:
    """An exempt category (five-guarantee) is covered from the payment date under next_month."""
    calc = Calculator(book(core_yaml()))
    person = Person(categories={"five_guarantee"}, enrolled_on=day("2018-03-15"))
    r = run(calc, person, Claim(day("2018-03-15"), D("10000"), "level_2"))
    # covered: basic 7600; i = 2400; ci: five_guarantee threshold 7500 -> 0;
    # assistance five_guarantee 100 % of j = 2400, no deductible -> 2400; oop 0
    assert amounts(r) == [("7600.00", "0.00", "2400.00", "0.00")]


def test_enrolment_in_december() -> None:
    """Paying in December starts benefits on 1 January of the next year."""
    calc = Calculator(book(core_yaml()))
    r = run(
        calc, Person(enrolled_on=day("2018-12-10")), Claim(day("2018-12-31"), D("10000"), "level_2")
    )
    assert r.claims[0].covered is False
    assert r.claims[0].benefits_start == day("2019-01-01")


def test_ties_resolved_by_declaration_order(calc: Calculator) -> None:
    """Equally favourable profiles: the category declared first in `categories:` is named."""
    both = Person(categories={"poverty", "five_guarantee"})
    r = run(calc, both, Claim(day("2018-05-01"), D("40000"), basic_paid=D("20000")))
    # five_guarantee and poverty share the critical-illness rule: i = 20000,
    # (20000 - 7500) x 0.65 = 8125 for both -> five_guarantee is declared first
    ci = r.claims[0].critical_illness_detail
    assert ci is not None and ci.profile == "five_guarantee"
    assert r.claims[0].critical_illness == D("8125.00")
    # assistance: five_guarantee 100 % of j = 11875 beats poverty 70 % -> 11875, never summed
    assert r.claims[0].assistance == D("11875.00")


def test_base_wins_a_tie(calc: Calculator) -> None:
    """When no category pays more than the base, the base profile is named."""
    r = run(calc, POOR, Claim(day("2018-05-01"), D("1000"), basic_paid=D("900")))
    # i = 100: below both thresholds, every candidate pays 0 -> base
    ci = r.claims[0].critical_illness_detail
    assert ci is not None and ci.profile == "base"


def test_explanation_adds_up_when_the_best_profile_changes() -> None:
    """Segments less the cap cut and the profile switch equal the payment, even when the best
    category changes within a claim."""
    text = core_yaml().replace(
        "five_guarantee: {threshold_factor: 0.5, ratio_bonus: 0.05, annual_cap: none}",
        "five_guarantee: {threshold: 20000, ratio_bonus: 0.30, annual_cap: none}",
    )
    calc = Calculator(book(text))
    both = Person(categories={"poverty", "five_guarantee"})
    first = Claim(day("2018-02-01"), D("20000"), basic_paid=D("0"))
    second = Claim(day("2018-06-01"), D("180000"), basic_paid=D("0"))
    # X: 0 -> 20000: poverty (20000 - 7500) x 0.65 = 8125; five_guarantee (threshold 20000) 0
    # X: 20000 -> 200000: five_guarantee 80000 x 0.90 + 100000 x 1.00 = 172000;
    #   poverty 92500 x 0.65 + 100000 x 0.75 = 135125 -> five_guarantee; payment 172000 - 8125
    r = run(calc, both, first, second)
    assert [c.critical_illness for c in r.claims] == [D("8125.00"), D("163875.00")]
    ci = r.claims[1].critical_illness_detail
    assert ci is not None
    assert (ci.profile, ci.profile_before) == ("five_guarantee", "poverty")
    assert [s.paid for s in ci.segments] == [D("72000.00"), D("100000.00")]
    # five_guarantee has no cap: nothing cut; 8125 was already paid under poverty
    assert (ci.cap_reduction, ci.profile_switch) == (D("0.00"), D("8125.00"))
    assert sum(s.paid for s in ci.segments) - ci.cap_reduction - ci.profile_switch == D("163875")


def test_explanation_cap_reduction(calc: Calculator) -> None:
    """The cap cut is the part of the chosen profile's segments its annual cap removed."""
    claims = [
        Claim(day("2018-02-01"), D("500000"), basic_paid=D("100000")),
        Claim(day("2018-06-01"), D("200000"), basic_paid=D("0")),
    ]
    # ordinary G(400000) = 51000 + 70000 + 200000 x 0.8 = 281000 (below the 400000 cap)
    # G(600000) = 281000 + 160000 = 441000 -> F = 400000: payment 119000, cap cut 41000
    r = run(calc, ORDINARY, *claims)
    ci = r.claims[1].critical_illness_detail
    assert ci is not None
    assert r.claims[1].critical_illness == D("119000.00")
    assert (sum(s.paid for s in ci.segments), ci.cap_reduction) == (D("160000.00"), D("41000.00"))


def test_enrolment_placeholder_year_9999() -> None:
    """A '9999-12-31' payment date (an export's placeholder) means never covered, not a crash."""
    calc = Calculator(book(core_yaml()))
    r = run(
        calc, Person(enrolled_on=day("9999-12-31")), Claim(day("2018-06-01"), D("1000"), "level_1")
    )
    assert r.claims[0].covered is False


def test_enrolment_in_december_9999_never_covers_its_last_day() -> None:
    """next_month after a payment in December 9999 starts on 10000-01-01, a day that never
    comes: a claim on 9999-12-31 is not covered (same_day or an exempt category: covered)."""
    # A series that is in force in 9999 (the version's dates only; the rules are core_yaml's).
    late = core_yaml(version="9999.1", start="9999-01-01", end="9999-12-31")
    calc = Calculator(book(late))
    claim = Claim(day("9999-12-31"), D("10000"), "level_2")
    r = run(calc, Person(enrolled_on=day("9999-12-05")), claim).claims[0]
    assert (r.covered, r.benefits_start, r.basic, r.out_of_pocket) == (
        False,
        None,
        D("0"),
        D("10000"),
    )
    assert r.not_covered_reason == (
        "benefits start after 9999-12-31, the first day of the month after the payment "
        "(paid on 9999-12-05); the claim is dated 9999-12-31"
    )
    # Five-guarantee is exempt: covered from the payment day. Basic (10000 - 500) x 0.80 = 7600.
    exempt = Person(categories={"five_guarantee"}, enrolled_on=day("9999-12-05"))
    e = run(calc, exempt, claim).claims[0]
    assert (e.covered, e.benefits_start, e.basic) == (True, day("9999-12-05"), D("7600.00"))
    same_day = late.replace("benefits_start: next_month", "benefits_start: same_day")
    same = Calculator(book(same_day))
    s = run(same, Person(enrolled_on=day("9999-12-31")), claim).claims[0]
    assert (s.covered, s.benefits_start) == (True, day("9999-12-31"))


def test_every_explanation_field_by_name(calc: Calculator) -> None:
    """The second claim of a poor resident's year, every field of its explanation checked by
    name (the records are built with positional arguments: a swapped field must show here)."""
    first = Claim(day("2018-03-01"), D("50000"), "level_2")  # as in the example above
    second = Claim(day("2018-06-01"), D("300000"), "level_3", total=D("310000"))
    r = run(calc, POOR, first, second)
    c = r.claims[1]
    assert c.basic_detail and c.critical_illness_detail and c.assistance_detail
    # Claim 1 left: basic paid 42287.50, 大病 base X = 7712.50 (F_poverty = 138.13),
    # 救助 base Y = 7574.37 (A = 4602.06).
    # basic, level_3: base (300000 - 800) x 0.70 = 209440; poverty (300000 - 400) x 0.75 =
    #   224700; both cut to the annual cap's room 200000 - 42287.50 = 157712.50: a tie, base
    #   (declared first) wins.
    assert attrs.asdict(c.basic_detail, recurse=False) == {
        "given": False,
        "profile": "base",
        "hospital_level": "level_3",
        "deductible": D("800"),
        "ratio": D("0.70"),
        "annual_cap": D("200000"),
        "paid_before": D("42287.50"),
        "paid_after": D("200000"),
        "alternatives": (
            Alternative("base", D("157712.50")),
            Alternative("poverty", D("157712.50")),
        ),
    }
    # i = 300000 - 157712.50 = 142287.50; X: 7712.50 -> 150000.
    # base: G(150000) = 85000 x 0.6 + 50000 x 0.7 = 86000.
    # poverty (threshold 7500, ratios +0.05): G(100000) = 92500 x 0.65 = 60125,
    #   G(150000) = 60125 + 50000 x 0.75 = 97625; pays 97625 - 138.13 = 97486.87, in two
    #   segments: 60125 - 138.13 = 59986.87 and 97625 - 60125 = 37500.
    assert attrs.asdict(c.critical_illness_detail, recurse=False) == {
        "profile": "poverty",
        "threshold": D("7500"),
        "bounds": "cumulative",
        "ratios": (D("0.65"), D("0.75"), D("0.85")),
        "annual_cap": None,
        "base_before": D("7712.50"),
        "base_after": D("150000"),
        "paid_before": D("138.13"),
        "paid_after": D("97625"),
        "segments": (
            SegmentUse(
                D("7500"),
                D("100000"),
                D("7712.50"),
                D("100000"),
                D("92287.50"),
                D("0.65"),
                D("59986.87"),
            ),
            SegmentUse(
                D("100000"),
                D("200000"),
                D("100000"),
                D("150000"),
                D("50000"),
                D("0.75"),
                D("37500"),
            ),
        ),
        "cap_reduction": D("0"),
        "profile_switch": D("0"),
        "burden_reduction": D("0"),  # 97486.87 <= i = 142287.50
        "profile_before": "poverty",
        "alternatives": (Alternative("base", D("86000")), Alternative("poverty", D("97625"))),
    }
    # j = 142287.50 - 97486.87 = 44800.63; Y: 7574.37 -> 52375.
    # poverty: (52375 - 1000) x 0.70 = 35962.50 (cap 50000); pays 35962.50 - 4602.06 = 31360.44.
    assert attrs.asdict(c.assistance_detail, recurse=False) == {
        "profile": "poverty",
        "ratio": D("0.70"),
        "deductible": D("1000"),
        "annual_cap": D("50000"),
        "base_before": D("7574.37"),
        "base_after": D("52375"),
        "paid_before": D("4602.06"),
        "paid_after": D("35962.50"),
        "burden_reduction": D("0"),  # 31360.44 <= j = 44800.63
        "alternatives": (Alternative("poverty", D("35962.50")),),
    }
    # out of pocket: 310000 - 157712.50 - 97486.87 - 31360.44 = 23440.19.
    fields = attrs.asdict(c, recurse=False)
    for name in ("claim", "tariff", "basic_detail", "critical_illness_detail", "assistance_detail"):
        del fields[name]
    assert fields == {
        "index": 1,
        "categories": ("poverty",),
        "covered": True,
        "benefits_start": None,
        "not_covered_reason": None,
        "basic": D("157712.50"),
        "critical_illness": D("97486.87"),
        "assistance": D("31360.44"),
        "out_of_pocket": D("23440.19"),
        "individual_burden": D("142287.50"),
        "remaining": D("44800.63"),
        "before": YearToDate(D("42287.50"), D("7712.50"), D("7574.37")),
        "after": YearToDate(D("200000"), D("150000"), D("52375")),
        "sources": r.claims[0].sources,
    }
    assert c.claim is second
    assert (c.tariff.series, c.tariff.version) == ("core", "2018.1")
    assert [s.id for s in c.sources] == ["src"]
