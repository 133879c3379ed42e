"""The audit (:mod:`medcalc.audit`, ``medcalc audit``): the bundled tariffs pass; deliberately
wrong tariffs and a deliberately broken core are caught, each with a minimal counterexample."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from medcalc import Calculator, Claim, Person
from medcalc.audit import (
    INVARIANTS,
    AuditTarget,
    ClaimsCase,
    Counterexample,
    ExtraCategoryCase,
    SplitCase,
    Verdict,
    favourability,
    reference_assistance,
    reference_critical_illness,
    reference_layers,
    reference_pension_government,
    run_audit,
    run_invariant,
    split_invariance,
)
from medcalc.chain import (
    LAYERS,
    AssistanceDetail,
    ClaimResult,
    ClaimsResult,
    CriticalIllnessDetail,
    PremiumResult,
    YearToDate,
    YearTotals,
)
from medcalc.cli import cli
from medcalc.tariff import BASE, NO_CAP, TariffBook, load_book

from support import D, book, core_yaml, day

POVERTY_CI = "poverty: {threshold_factor: 0.5, ratio_bonus: 0.05, annual_cap: none}"
POVERTY_BASIC = "poverty: {deductible_factor: 0.5, ratio_bonus: 0.05}"


@pytest.fixture(scope="module")
def bundled() -> TariffBook:
    return load_book()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def changed(old: str, new: str, **options: str) -> TariffBook:
    """The hand-worked test tariff (``support.core_yaml``) with one rule rewritten."""
    text = core_yaml(**options)
    assert old in text
    return book(text.replace(old, new))


def facts(found: Counterexample | None) -> dict[str, str]:
    """A counterexample's facts by key, and its English message under ``message``."""
    assert found is not None, "expected a counterexample"
    return {"message": found.message.en, **{k: v.en for k, v in found.facts}}


def failed(verdict: Verdict) -> dict[str, str]:
    assert verdict.status == "fail", verdict
    return facts(verdict.counterexample)


# -- the bundled tariffs ----------------------------------------------------------------------


def test_every_invariant_holds_on_the_bundled_tariffs(bundled: TariffBook) -> None:
    """Every invariant passes on every bundled series (a short run; the CLI runs the default)."""
    verdicts = run_audit(bundled, examples=25, seed=1)
    assert {v.invariant for v in verdicts} == set(INVARIANTS)
    assert [(v.invariant, v.status) for v in verdicts if v.status != "pass"] == []


@pytest.mark.slow
def test_medcalc_audit_passes_on_the_bundled_tariffs_with_defaults(runner: CliRunner) -> None:
    """`medcalc audit` with its defaults passes on the bundled tariffs and exits 0."""
    result = runner.invoke(cli, ["audit"])
    assert result.exit_code == 0, result.output
    assert f"共 {len(INVARIANTS)} 项：通过 {len(INVARIANTS)}，未通过 0" in result.stdout
    assert "qingyuan-qingcheng" in result.stdout


# -- deliberately wrong tariffs -------------------------------------------------------------


def test_a_poor_profile_with_a_higher_threshold_is_caught() -> None:
    """A poverty threshold above the base threshold pays the poor less just above the base one."""
    wrong = changed(POVERTY_CI, "poverty: {threshold: 20000}")
    got = facts(favourability(wrong, seed=0))
    assert got["category"] == "poverty"
    assert got["section"] == "critical_illness"
    # The smallest cost where the base pays and the poor do not: 0.01 above 15000.
    assert got["cost"] == "15000.01"
    assert got["expected"] == "at least the base: 0.01"
    assert got["found"] == "poverty: 0.00"


def test_a_poor_profile_with_a_lower_cap_is_caught() -> None:
    """A poverty cap below the base cap pays the poor less once the base passes that cap."""
    wrong = changed(POVERTY_CI, "poverty: {threshold_factor: 0.5, annual_cap: 100000}")
    got = failed(run_invariant("favourable", wrong, 50, 0))
    assert (got["category"], got["section"]) == ("poverty", "critical_illness")
    assert got["found"] == "poverty: 100000.00"
    assert Decimal(got["expected"].split(": ")[1]) > 100000
    # The base passes 100000 at 100000 + 49000 / 0.7 = 170000 (51000 + 70000.01 x 0.7 rounds
    # to 100000.01): the shortfall starts one fen above.
    assert got["cost"] == "170000.01"
    assert got["expected"] == "at least the base: 100000.01"


def test_a_lower_basic_cap_for_a_category_is_caught() -> None:
    """A category basic cap below the base basic cap is caught in the inpatient section."""
    wrong = changed(POVERTY_BASIC, "poverty: {deductible_factor: 0.5, annual_cap: 1000}")
    got = failed(run_invariant("favourable", wrong, 50, 0))
    assert got["category"] == "poverty"
    assert got["section"].startswith("inpatient, level ")
    assert got["found"] == "poverty: 1000.00"


def test_replacement_segments_paying_less_than_the_base_are_caught() -> None:
    """Replacement segments with lower ratios than the base pay the category less."""
    wrong = changed(POVERTY_CI, "poverty: {segments: [{to: 100000, ratio: 0.30}, {ratio: 0.40}]}")
    got = failed(run_invariant("favourable", wrong, 50, 0))
    assert (got["category"], got["section"]) == ("poverty", "critical_illness")
    assert Decimal(got["found"].split(": ")[1]) < Decimal(got["expected"].split(": ")[1])


def test_ratios_falling_as_cost_rises_are_caught() -> None:
    """Segment ratios that fall as the accumulated cost rises break 费用越高报销比例越高."""
    segments = (
        "    - {to: 100000, ratio: 0.80}\n    - {to: 200000, ratio: 0.70}\n    - {ratio: 0.60}"
    )
    wrong = book(core_yaml(segments=segments))
    got = failed(run_invariant("rising_ratios", wrong, 10, 0))
    assert got["profile"] == "base"
    assert got["found"] == "above 100000.00 the ratio falls from 0.80 to 0.70"
    assert got["segments"].startswith("15000.00-100000.00: 0.80")


def test_a_bonus_that_reorders_ratios_is_checked_after_the_bonus() -> None:
    """Ratios are compared after the category bonus, capped at 100 %, so 0.98/0.99 + 0.05 pass."""
    segments = "    - {to: 50000, ratio: 0.98}\n    - {ratio: 0.99}"
    verdict = run_invariant("rising_ratios", book(core_yaml(segments=segments)), 10, 0)
    assert verdict.status == "pass"


def test_a_reserved_grade_no_longer_lowers_another_categorys_payment() -> None:
    """The test tariff's grade 100, reserved for low-income people, no longer lowers the 代缴
    of the severely disabled: each category's base is its own lowest grade (spec §4.2)."""
    # With one base for everyone, a severely disabled person (full of 120) who is also
    # low-income had 100 open: 代缴 dropped to 100, and at grade 120 they paid 20 instead of 0.
    assert run_invariant("extra_category", book(core_yaml()), 100, 0).status == "pass"
    target = AuditTarget(book(core_yaml()), "core")
    disabled = Person(disability_grade=1, birth_date=day("1970-05-05"))
    case = ExtraCategoryCase(ClaimsCase(disabled, ()), "low_income", 2018, D("120"))
    assert INVARIANTS["extra_category"].falsify(target, case) is None


ISSUE_GRADES = (
    "    - {amount: 180, subsidy: 30}\n"
    "    - {amount: 240, subsidy: 35}\n"
    "    - {amount: 120, subsidy: 30, for: [five_guarantee]}\n"
)


def test_the_issue_table_keeps_one_more_category_free() -> None:
    """The issue's table: a grade-1 disabled person at grade 180 pays 0, and still 0 with
    five-guarantee (which opens grade 120); it paid 60 when 120 was everyone's base."""
    text = core_yaml()
    grades = text[
        text.index("    - {amount: 120, subsidy: 30}") : text.index(
            "  government_pays:\n    five_guarantee: full\n    severe"
        )
    ]
    fair = book(text.replace(grades, ISSUE_GRADES))
    target = AuditTarget(fair, "core")
    disabled = Person(disability_grade=1, birth_date=day("1970-05-05"))
    case = ExtraCategoryCase(ClaimsCase(disabled, ()), "five_guarantee", 2018, D("180"))
    assert INVARIANTS["extra_category"].falsify(target, case) is None
    assert run_invariant("extra_category", fair, 100, 0).status == "pass"
    t = fair.tariffs[0]
    # severe_disability: full of its own base 180; five_guarantee: full of 120.
    assert reference_pension_government(t, ["five_guarantee", "severe_disability"], D("180")) == D(
        "180"
    )
    assert reference_pension_government(t, ["five_guarantee"], D("180")) == D("120")


def test_a_fixed_government_amount_keeps_the_reserved_grade_fair() -> None:
    """Reserving grade 100 for every category the government pays in full removes that finding."""
    fair = changed(
        "{amount: 100, subsidy: 30, for: [poverty, low_income]}",
        "{amount: 100, subsidy: 30, for: [five_guarantee, low_income, poverty, severe_disability]}",
    )
    assert run_invariant("extra_category", fair, 100, 0).status == "pass"


# -- a deliberately broken core, built on the public Calculator ------------------------------

ZERO = Decimal("0.00")
Alter = Callable[["Wrong", str, Person, list[ClaimResult]], list[ClaimResult]]


class Wrong:
    """A deliberately wrong calculator: :class:`medcalc.Calculator`'s results of each year,
    in processing order (date, then input order), passed through ``alter``; the year's totals
    are added up again, so only the planted bug differs."""

    def __init__(self, book: TariffBook, alter: Alter) -> None:
        self.calc = Calculator(book)
        self.alter = alter

    def premiums(
        self, series: str, person: Person, year: int, *, pension_grade: Decimal | None = None
    ) -> PremiumResult:
        return self.calc.premiums(series, person, year, pension_grade=pension_grade)

    def claims(
        self,
        series: str,
        person: Person,
        claims: Iterable[Claim],
        *,
        year_to_date: YearToDate | None = None,
    ) -> ClaimsResult:
        right = self.calc.claims(series, person, claims, year_to_date=year_to_date)
        results: list[ClaimResult] = []
        years = []
        for totals in right.years:
            in_year = [r for r in right.claims if r.claim.date.year == totals.year]
            done = self.alter(self, series, person, sorted(in_year, key=processing_order))
            results += done
            years.append(added_up(totals, done))
        return ClaimsResult(series, tuple(sorted(results, key=lambda r: r.index)), tuple(years))


def wrong(alter: Alter) -> Callable[[TariffBook], Wrong]:
    """What the audit takes as ``calculator=``: the wrong calculator for any book."""
    return lambda book: Wrong(book, alter)


def processing_order(r: ClaimResult) -> tuple[date, int]:
    return (r.claim.date, r.index)


def added_up(totals: YearTotals, done: list[ClaimResult]) -> YearTotals:
    """The year's totals of ``done`` (processing order)."""

    def total(values: Iterable[Decimal]) -> Decimal:
        return sum(values, ZERO)

    return attrs.evolve(
        totals,
        total=total(r.claim.bill for r in done),
        compliant=total(r.claim.compliant for r in done),
        basic=total(r.basic for r in done),
        **{layer.id: total(getattr(r, layer.id) for r in done) for layer in LAYERS},
        out_of_pocket=total(r.out_of_pocket for r in done),
        end=done[-1].after if done else totals.start,
    )


def paying(r: ClaimResult, critical_illness: Decimal, assistance: Decimal) -> ClaimResult:
    """``r`` paying other critical illness and assistance: j (what the layers before the last
    leave) and out of pocket follow."""
    r = attrs.evolve(r, critical_illness=critical_illness, assistance=assistance)
    paid = [getattr(r, layer.id) for layer in LAYERS]
    return attrs.evolve(
        r,
        remaining=r.individual_burden - sum(paid[:-1], ZERO),
        out_of_pocket=max(ZERO, r.claim.bill - r.basic - sum(paid, ZERO)),
    )


def per_claim_threshold(
    w: Wrong, series: str, person: Person, rs: list[ClaimResult]
) -> list[ClaimResult]:
    """Each claim's critical illness from its own burden alone (X_before = 0: a threshold per
    claim, not per year); basic and assistance still accumulate."""
    out = []
    before = rs[0].before if rs else YearToDate()
    for r in rs:
        ytd = YearToDate(before.basic_paid, ZERO, before.assistance_base)
        alone = w.calc.claims(series, person, [r.claim], year_to_date=ytd).claims[0]
        out.append(attrs.evolve(alone, index=r.index))
        before = alone.after
    return out


def candidates(detail: CriticalIllnessDetail | AssistanceDetail | None) -> dict[str, Decimal]:
    """Each candidate's scale at the claim's accumulation after it (the explanation's
    alternatives: F_c(X_after) or A_c(Y_after))."""
    return {} if detail is None else {a.profile: a.amount for a in detail.alternatives}


def summed_assistance(
    w: Wrong, series: str, person: Person, rs: list[ClaimResult]
) -> list[ClaimResult]:
    """Every eligible category's assistance added up (就高不重复 broken): the sum over the
    candidates c of A_c(Y_after) - A_c(Y_before)."""
    out = []
    before: dict[str, Decimal] = {}
    for r in rs:
        after = candidates(r.assistance_detail)
        if not r.covered or not after:
            out.append(r)
            continue
        summed = sum((after[c] - before.get(c, ZERO) for c in after), ZERO)
        out.append(paying(r, r.critical_illness, summed))
        before = after
    return out


def combined_rules(
    w: Wrong, series: str, person: Person, rs: list[ClaimResult]
) -> list[ClaimResult]:
    """A critical-illness profile combining two categories' rules: the best category's scale
    plus the second's gain over the base (F_best + F_second - F_base), paid by telescoping."""
    out = []
    before = ZERO
    for r in rs:
        after = candidates(r.critical_illness_detail)
        if not r.covered or len(after) < 3:
            out.append(r)
            continue
        base = after.pop(BASE)
        best, second = sorted(after.values(), reverse=True)[:2]
        combined = best + second - base
        ci = min(r.individual_burden, combined - before)
        out.append(paying(r, ci, min(r.assistance, r.individual_burden - ci)))
        before = combined
    return out


def least_favourable(
    w: Wrong, series: str, person: Person, rs: list[ClaimResult]
) -> list[ClaimResult]:
    """The least favourable candidate chosen (min instead of max) in critical illness and
    assistance: min_c F_c(X_after) - min_c F_c(X_before), and so for A."""
    out = []
    ci_before = aid_before = ZERO
    for r in rs:
        if not r.covered:
            out.append(r)
            continue
        ci_after = min(candidates(r.critical_illness_detail).values())
        aid_after = min(candidates(r.assistance_detail).values(), default=ZERO)
        ci = min(r.individual_burden, ci_after - ci_before)
        aid = min(r.individual_burden - ci, aid_after - aid_before)
        out.append(paying(r, ci, aid))
        ci_before, aid_before = ci_after, aid_after
    return out


def without_caps(book: TariffBook) -> Calculator:
    """A calculator that ignores the critical-illness and assistance caps (封顶线): the same
    tables with those caps removed."""
    out = []
    for t in book:
        ci, aid = t.critical_illness, t.medical_assistance
        if ci is not None:
            rules = tuple(
                a if a.annual_cap is None else attrs.evolve(a, annual_cap=NO_CAP)
                for a in ci.adjustments
            )
            ci = attrs.evolve(ci, annual_cap=NO_CAP, adjustments=rules)
        if aid is not None:
            eligible = tuple(attrs.evolve(r, annual_cap=NO_CAP) for r in aid.eligible)
            aid = attrs.evolve(aid, eligible=eligible)
        out.append(attrs.evolve(t, critical_illness=ci, medical_assistance=aid))
    return Calculator(TariffBook.of(out))


def latest_version(book: TariffBook) -> Calculator:
    """A calculator that computes every claim under its series' latest version (stretched over
    every date) instead of the version in force on the claim's date."""
    stretched = [
        attrs.evolve(book.versions(s)[-1], effective_from=date(1, 1, 1), effective_to=None)
        for s in book.series()
    ]
    return Calculator(TariffBook.of(stretched))


def test_the_real_calculator_is_audited_by_default(bundled: TariffBook) -> None:
    """AuditTarget audits medcalc.Calculator unless told otherwise; a wrapper that changes
    nothing is audited the same way."""
    assert isinstance(AuditTarget(bundled, "qingyuan-qingcheng").calc, Calculator)
    same = wrong(lambda w, series, person, rs: rs)
    target = AuditTarget(bundled, "qingyuan-qingcheng", calculator=same)
    assert isinstance(target.calc, Wrong)
    assert run_invariant("rounding", bundled, 50, 0, calculator=same).status == "pass"


def test_per_claim_thresholds_break_split_invariance(bundled: TariffBook) -> None:
    """A threshold per claim instead of per year (X_before = 0) breaks split invariance."""
    per_claim = wrong(per_claim_threshold)
    got = facts(split_invariance(bundled, seed=0, calculator=per_claim))
    assert got["message"].startswith("splitting one stay's individual burden")
    assert got["parts"].startswith("claim #")
    assert got["expected"] != got["found"]
    # Also caught by the reference F*(sum of i) and by 不设封顶.
    assert run_invariant("rounding", bundled, 100, 0, calculator=per_claim).status == "fail"
    assert run_invariant("uncapped", bundled, 100, 0, calculator=per_claim).status == "fail"


def test_summing_two_categories_assistance_breaks_the_bounds(bundled: TariffBook) -> None:
    """Adding up two categories' assistance (就高不重复 broken) pays above the compliant cost."""
    got = failed(run_invariant("bounds", bundled, 100, 0, calculator=wrong(summed_assistance)))
    assert got["person"].count(",") >= 1  # at least two categories
    assert "assistance" in got["found"]


def test_combining_two_categories_rules_breaks_the_reference_totals(bundled: TariffBook) -> None:
    """A profile combining two categories' rules makes the year differ from F*(sum of i)."""
    got = failed(run_invariant("rounding", bundled, 100, 0, calculator=wrong(combined_rules)))
    assert "F*(" in got["expected"]


def test_ignoring_caps_breaks_the_bounds(bundled: TariffBook) -> None:
    """Ignoring the caps (封顶线) lets assistance pass its annual cap."""
    got = failed(run_invariant("bounds", bundled, 200, 0, calculator=without_caps))
    assert got["message"] == "assistance went above its annual cap"
    assistance = got["found"].split("assistance ")[1].split(",")[0]
    assert Decimal(assistance) > 50000  # the bundled poverty / low-income assistance cap


def test_choosing_the_least_favourable_profile_is_caught(bundled: TariffBook) -> None:
    """Choosing the least favourable candidate makes one more category lower the benefit."""
    least = wrong(least_favourable)
    got = failed(run_invariant("extra_category", bundled, 100, 0, calculator=least))
    assert got["message"].endswith("lowered the year's total benefit")


def test_a_claim_computed_under_a_later_version_is_caught(bundled: TariffBook) -> None:
    """Computing claims under the latest version instead of the one in force is caught."""
    got = failed(run_invariant("version_locality", bundled, 100, 0, calculator=latest_version))
    assert got["message"] == "changing a later version changed an earlier claim's amounts"
    assert got["claim"].startswith("#1 2018-")
    assert got["expected"] != got["found"]


def test_the_same_seed_gives_the_same_counterexample(bundled: TariffBook) -> None:
    """Two runs with one seed find the same minimal counterexample."""
    per_claim = wrong(per_claim_threshold)
    first = split_invariance(bundled, seed=7, examples=50, calculator=per_claim)
    assert first is not None
    assert split_invariance(bundled, seed=7, examples=50, calculator=per_claim) == first


# -- the half_even fen the audit found (now: min(i, F* step), spec §4.3) ------------------------


HALF_EVEN_FULL_RATIO = "    - {to: 15000.01, ratio: 0.45}\n    - {ratio: 0.95}"
CORNER = (
    Claim(day("2018-03-01"), D("15000.01"), basic_paid=D("0")),
    Claim(day("2018-03-02"), D("0.01"), basic_paid=D("0")),
)


def test_bounds_hold_on_the_half_even_full_ratio_corner() -> None:
    """The case that once paid 0.02 of critical illness for 0.01 of burden (and -0.01 of
    assistance) keeps the bounds, and the reference layers give the same amounts."""
    corner = book(core_yaml(rounding="half_even", segments=HALF_EVEN_FULL_RATIO))
    target = AuditTarget(corner, "core")
    five = Person(categories={"five_guarantee"})
    assert INVARIANTS["bounds"].falsify(target, ClaimsCase(five, CORNER)) is None
    assert INVARIANTS["rounding"].falsify(target, ClaimsCase(five, CORNER)) is None
    # F*(15000.01) = round(7500.01 x 0.50 = 3750.005) = 3750.00, j = 11250.01 at 100 %;
    # F*(15000.02) = round(3750.015) = 3750.02: a step of 0.02 for i = 0.01 -> 0.01, j = 0.
    t = corner.tariffs[0]
    assert reference_layers(t, ["five_guarantee"], [D("15000.01"), D("0.01")]) == [
        (D("3750.00"), D("11250.01")),
        (D("0.01"), D("0.00")),
    ]
    for name in ("bounds", "rounding", "split", "monotonic"):
        assert run_invariant(name, corner, 100, 0).status == "pass", name


def test_a_split_moves_only_the_fen_the_burden_held_back() -> None:
    """Splitting a claim can change where min(i, F* step) holds a fen back: the critical
    illness with it added back is the same, and the fen stays in the assistance base."""
    corner = book(core_yaml(rounding="half_even", segments=HALF_EVEN_FULL_RATIO))
    target = AuditTarget(corner, "core")
    poor = Person(categories={"poverty"})
    claims = (
        Claim(day("2018-01-01"), D("15000.00"), basic_paid=D("0")),
        Claim(day("2018-01-02"), D("0.02"), basic_paid=D("0")),
    )
    parts = ((D("0.01"), D("0")), (D("0.01"), D("0")))
    case = SplitCase(ClaimsCase(poor, claims), 1, parts, (0, 0))
    assert INVARIANTS["split"].falsify(target, case) is None
    # Poverty: T = 7500, 0.50 up to 15000.01, then 1.00. Whole: F*(15000) = 3750.00, then
    # F*(15000.02) = round(3750.005 + 0.01) = 3750.02, i = 0.02: pays 0.02. Split: 0.01 ->
    # round(3750.005) = 3750.00 pays 0; 0.01 more -> 3750.02, step 0.02 > i = 0.01: pays 0.01,
    # holds 0.01 back. Critical illness 3750.02 whole, 3750.01 split (+0.01 held back).
    calc = Calculator(corner)
    whole = calc.claims("core", poor, list(claims)).years[0]
    split = calc.claims(
        "core", poor, [claims[0], *(Claim(day("2018-01-02"), c, basic_paid=b) for c, b in parts)]
    ).years[0]
    assert (whole.critical_illness, split.critical_illness) == (D("3750.02"), D("3750.01"))
    # Assistance (poverty 70 % above 1000): Y = 15000 - 3750 + 0.00 -> 11250.00 whole
    # -> (11250 - 1000) x 0.70 = 7175.00; split Y = 11250.01 -> 7175.007 -> 7175.01.
    assert (whole.assistance, split.assistance) == (D("7175.00"), D("7175.01"))


# -- the API ---------------------------------------------------------------------------------


def test_reference_scales_match_the_hand_worked_example() -> None:
    """F*(x) and A*(y) read straight from the tariff give the hand-worked 138.13 and 4602.06."""
    t = book(core_yaml()).tariffs[0]
    assert reference_critical_illness(t, ["poverty"], D("7712.50")) == D("138.13")
    assert reference_assistance(t, ["poverty"], D("7574.37")) == D("4602.06")
    assert reference_assistance(t, [], D("7574.37")) == D("0.00")


def test_the_oracle_reads_above_threshold_bounds_and_half_even_ties_by_hand() -> None:
    """The oracle measures `to` from the threshold in use (above_threshold), rounds a half fen
    to even, and telescopes each claim's step; the calculator gives the same amounts."""
    corner = book(core_yaml(rounding="half_even", bounds="above_threshold"))
    t = corner.tariffs[0]
    # Base: T = 15000, to = 115000 and 215000. Poverty: T = 7500, to = 107500 and 207500, ratios
    # 0.65 / 0.75 / 0.85. At 120000: base 100000 x 0.60 + 5000 x 0.70 = 63500; poverty
    # 100000 x 0.65 + 12500 x 0.75 = 74375.
    assert reference_critical_illness(t, [], D("120000")) == D("63500.00")
    assert reference_critical_illness(t, ["poverty"], D("120000")) == D("74375.00")
    # 0.10 above 7500 at 0.65 is 0.065: half_even gives 0.06; 0.20 gives 0.13, a step of 0.07.
    assert reference_critical_illness(t, ["poverty"], D("7500.10")) == D("0.06")
    # Assistance (70 % above 1000): j = 7500.04 -> 4550.028 -> 4550.03; j = 0.03 more ->
    # 6500.07 x 0.70 = 4550.049 -> 4550.05, a step of 0.02.
    steps = [(D("0.06"), D("4550.03")), (D("0.07"), D("0.02"))]
    assert reference_layers(t, ["poverty"], [D("7500.10"), D("0.10")]) == steps
    claims = [
        Claim(day("2018-03-01"), D("7500.10"), basic_paid=D("0")),
        Claim(day("2018-03-02"), D("0.10"), basic_paid=D("0")),
    ]
    result = Calculator(corner).claims("core", Person(categories={"poverty"}), claims)
    assert [(r.critical_illness, r.assistance) for r in result.claims] == steps


def test_an_invariant_without_its_section_is_not_applicable() -> None:
    """A series without a critical_illness section gets n/a with the reason, not a pass."""
    text = core_yaml()
    premiums_only = text[: text.index("inpatient:")]
    verdict = run_invariant("split", book(premiums_only), 10, 0)
    assert verdict.status == "n/a"
    assert verdict.reason is not None and "critical_illness" in verdict.reason.en
    assert run_invariant("favourable", book(premiums_only), 10, 0).status == "n/a"


def test_run_invariant_refuses_bad_arguments(bundled: TariffBook) -> None:
    """An unknown invariant, too few examples, or an ambiguous series is a clear ValueError."""
    with pytest.raises(ValueError, match="no invariant 'spilt'"):
        run_invariant("spilt", bundled)
    with pytest.raises(ValueError, match="examples=0"):
        run_invariant("split", bundled, 0)
    other = book(core_yaml())
    two = TariffBook.of([*bundled, *other])
    with pytest.raises(ValueError, match="pass series="):
        run_invariant("split", two)
    assert run_invariant("rising_ratios", two, 5, 0, series="core").status == "pass"


def test_a_counterexample_reads_in_chinese_and_english() -> None:
    """A counterexample's text labels its facts in the chosen language."""
    found = favourability(changed(POVERTY_CI, "poverty: {threshold: 20000}"), seed=0)
    assert found is not None
    zh, en = found.text("zh"), found.text("en")
    assert zh.startswith("类别 poverty 的待遇低于普通参保人（大病保险）")
    assert "费用: 15000.01" in zh and "应为: 不低于普通参保人：0.01" in zh
    assert en.startswith("category poverty's own profile pays less") and "cost: 15000.01" in en
    assert found.to_json("en")["facts"][0] == {"key": "tariff", "value": "2018.1"}


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    """A tariff directory with one wrong series: the poor's threshold is above the base's."""
    text = core_yaml().replace(POVERTY_CI, "poverty: {threshold: 20000}")
    text = text.replace("series: core", "series: bad-threshold")
    (tmp_path / "bad-threshold").mkdir()
    (tmp_path / "bad-threshold" / "2018.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_cli_reports_a_wrong_tariff_and_exits_1(runner: CliRunner, bad_dir: Path) -> None:
    """A failing invariant is shown with its counterexample, and the exit code is 1."""
    args = ["audit", "--tariffs", str(bad_dir), "bad-threshold", "-n", "10", "--lang", "en"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "FAIL" in result.stdout
    assert "category poverty's own profile pays less than the base profile" in result.stdout
    assert "cost: 15000.01" in result.stdout
    assert "qingyuan-qingcheng" not in result.stdout  # only the series asked for


def test_cli_json_output(runner: CliRunner, bad_dir: Path) -> None:
    """--format json gives the schema, one verdict per invariant and the counterexample facts."""
    args = ["audit", "--tariffs", str(bad_dir), "bad-threshold", "-n", "5", "--format", "json"]
    args += ["-i", "favourable", "-i", "rising_ratios"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema"] == "medcalc/audit@1" and data["passed"] is False
    verdicts = {v["invariant"]: v for v in data["verdicts"]}
    assert set(verdicts) == {"favourable", "rising_ratios"}
    assert verdicts["rising_ratios"]["verdict"] == "pass"
    found = verdicts["favourable"]["counterexample"]
    assert {"key": "cost", "value": "15000.01"} in found["facts"]


def test_cli_refuses_an_unknown_invariant_and_series(runner: CliRunner) -> None:
    """An unknown invariant is a usage error (2); an unknown series a clean error line (1)."""
    result = runner.invoke(cli, ["audit", "-i", "nonsense"])
    assert result.exit_code == 2
    assert "nonsense" in result.stderr
    result = runner.invoke(cli, ["audit", "no-such-series", "--lang", "en"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no tariff series 'no-such-series'")
    assert "Traceback" not in result.output


def test_a_mid_year_change_is_why_year_totals_are_checked_per_version() -> None:
    """Across a mid-year version change more burden can lower the year's critical illness."""
    # Each claim pays F*_v(X_after) - F*_v(X_before) of its own version (spec §4.3), so the
    # year-level checks (monotonicity, yearly caps, F*(sum of i)) apply to one-version years.
    first = core_yaml(version="2018.1", end="2018-06-30", threshold="20000")
    second = core_yaml(version="2018.2", start="2018-07-01", threshold="10000")
    second = second.replace("  annual_cap: 400000\n", "  annual_cap: 5000\n")
    tariffs = book(first, second)

    def year_total(first_burden: str) -> Decimal:
        claims = [
            Claim(day("2018-03-01"), D(first_burden), basic_paid=D("0")),
            Claim(day("2018-09-01"), D("100000"), basic_paid=D("0")),
        ]
        result = Calculator(tariffs).claims("core", Person(), claims)
        return result.years[0].critical_illness

    # 10000 in March: 0 under 2018.1; September: F2(110000) - F2(10000) = 5000 - 0.
    assert year_total("10000") == D("5000.00")
    # 15000 in March: still 0 under 2018.1; September: 5000 - F2(15000) = 5000 - 3000.
    assert year_total("15000") == D("2000.00")


def test_cli_leaves_no_files_in_the_working_directory(tmp_path: Path) -> None:
    """`medcalc audit` keeps hypothesis's caches out of the working directory."""
    code = "import sys; from medcalc.cli import main; sys.exit(main())"
    args = [sys.executable, "-c", code, "audit", "-n", "5", "-i", "split", "-i", "rising_ratios"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
