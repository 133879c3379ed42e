"""Invariants of the tariff table and of 就高不重复: each category's own profile pays at least the
base, holding one more category never hurts, and the higher the cost the higher the ratio.

``favourable`` and ``rising_ratios`` read the table through the oracle alone (no calculation);
``extra_category`` runs the audited calculator and checks each pension 代缴 against the
oracle's M_c (spec §4.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from medcalc.audit import _oracle as oracle
from medcalc.audit._cases import HUGE, ClaimsCase, window_cases
from medcalc.audit._facts import (
    Counterexample,
    Fact,
    benefit,
    fail,
    same,
    section_name,
)
from medcalc.audit._target import AuditTarget
from medcalc.audit.strategies import amounts
from medcalc.money import CENT, ZERO, add, fmt, sub
from medcalc.tariff import BASE, Key, Tariff, Text

# -- favourability of the tariff (就高不重复: every category at least the base) ----------------


@attrs.frozen
class Probe:
    """A category's adjusted profile against the base in one section of one version, at one
    cost (and, for basic insurance, one hospital level and basic paid before)."""

    version: str
    category: str
    section: str
    """One of :data:`PAYING`: ``inpatient``, ``critical_illness`` or ``medical_assistance``."""
    cost: Decimal
    level: str | None = None
    paid_before: Decimal = ZERO

    def facts(self) -> list[Fact]:
        name = section_name(self.section)
        level = self.level
        where = Text(
            name.zh + (f"，{level}" if level else ""),
            name.en + (f", level {level}" if level else ""),
        )
        cost = same(fmt(self.cost))
        if self.paid_before:
            paid = fmt(self.paid_before)
            cost = Text(
                f"{cost.zh}（此前已付基本医保 {paid}）", f"{cost.en} (basic paid before {paid})"
            )
        return [
            ("tariff", same(self.version)),
            ("category", same(self.category)),
            ("section", where),
            ("cost", cost),
        ]


PAYING = (Key.INPATIENT, Key.CRITICAL_ILLNESS, Key.MEDICAL_ASSISTANCE)
"""The sections that pay on a claim, where a category's rule is compared with the base."""


Rule = oracle.BasicRule | oracle.Scale | oracle.AidRule
"""A candidate's rule in one paying section, as the oracle reads it."""


def _candidates(t: Tariff, p: Probe) -> tuple[Rule | None, Rule]:
    """The base's rule (none for assistance: only the eligible are paid) and the category's, in
    the probe's section (at the probe's hospital level for basic insurance)."""
    if p.section == Key.INPATIENT:
        assert p.level is not None
        rules: list[Rule] = list(oracle.basic_rules(t, [p.category], p.level))
    elif p.section == Key.CRITICAL_ILLNESS:
        rules = list(oracle.critical_illness_scales(t, [p.category]))
    else:
        return None, oracle.assistance_rules(t, [p.category])[0]
    return rules[0], rules[-1]


def _probe_pays(target: AuditTarget, p: Probe) -> tuple[Decimal, Decimal]:
    """(what the base pays, what the category's own profile pays) at the probe."""
    base, own = _candidates(target.book.get(target.series, p.version), p)
    return ZERO if base is None else _pays(base, p), _pays(own, p)


def _pays(rule: Rule, p: Probe) -> Decimal:
    """What one candidate pays at the probe's cost."""
    if isinstance(rule, oracle.BasicRule):
        return rule.pays(p.cost, p.paid_before)
    if isinstance(rule, oracle.Scale):
        return rule.f(p.cost)
    return rule.a(p.cost)


def _adjusted(t: Tariff) -> list[tuple[str, str]]:
    """(section, category) pairs with a category rule in version ``t``."""
    out: list[tuple[str, str]] = []
    if t.inpatient is not None:
        out += [(Key.INPATIENT, a.category) for a in t.inpatient.adjustments]
    if t.critical_illness is not None:
        out += [(Key.CRITICAL_ILLNESS, a.category) for a in t.critical_illness.adjustments]
    if t.medical_assistance is not None:
        out += [(Key.MEDICAL_ASSISTANCE, r.category) for r in t.medical_assistance.eligible]
    return out


def _costs(points: Iterable[Decimal]) -> list[Decimal]:
    """The points, a fen either side, 0 and a huge cost, sorted, within money range."""
    out = {ZERO, HUGE}
    for p in points:
        for q in (sub(p, CENT), p, add(p, CENT)):
            if ZERO <= q <= HUGE:
                out.add(q)
    return sorted(out)


def _probe_costs(t: Tariff, section: str, category: str, level: str | None) -> list[Decimal]:
    """Where the base's and the category's payments bend, a fen either side, 0 and a huge cost."""
    base, own = _candidates(t, Probe(t.version, category, section, ZERO, level))
    return _costs(p for rule in (base, own) if rule is not None for p in rule.kinks())


def favourable_probes(target: AuditTarget) -> Iterator[Probe]:
    """For each comparison (version, section, category, level), the smallest failing cost.

    The compared amounts are piecewise linear between the bounds and cap points of the two
    profiles, so a shortfall shows at one of them (or at a huge cost, past every bound); the
    first failing point is then brought down, by bisection to the fen, to where the shortfall
    starts (e.g. where the base passes the category's lower cap).
    """
    for t in target.versions:
        for section, category in _adjusted(t):
            levels: list[str | None] = [None]
            if section == Key.INPATIENT and t.inpatient is not None:
                levels = [lv.id for lv in t.inpatient.levels]
            for level in levels:
                at = Probe(t.version, category, section, ZERO, level)

                def short(cost: Decimal, at: Probe = at) -> bool:
                    base, own = _probe_pays(target, attrs.evolve(at, cost=cost))
                    return own < base

                passing = None
                for cost in _probe_costs(t, section, category, level):
                    if not short(cost):
                        passing = cost
                        continue
                    if passing is not None:
                        cost = _bisect(short, passing, cost)
                    yield attrs.evolve(at, cost=cost)
                    break


def _bisect(fails: Callable[[Decimal], bool], good: Decimal, bad: Decimal) -> Decimal:
    """The smallest cost in fen between ``good`` (passes) and ``bad`` (fails) that fails,
    assuming one change between them."""
    while sub(bad, good) > CENT:
        mid = oracle.fen_down((Fraction(good) + Fraction(bad)) / 2)
        if fails(mid):
            bad = mid
        else:
            good = mid
    return bad


def favourable_cases(target: AuditTarget) -> st.SearchStrategy[Probe]:
    @st.composite
    def case(draw: st.DrawFn) -> Probe:
        t = draw(st.sampled_from([v for v in target.versions if _adjusted(v)]))
        section, category = draw(st.sampled_from(_adjusted(t)))
        level = None
        if section == Key.INPATIENT and t.inpatient is not None:
            level = draw(st.sampled_from([lv.id for lv in t.inpatient.levels]))
        cost = draw(
            st.sampled_from(_probe_costs(t, section, category, level))
            | amounts(max_value=Decimal("2000000.00"))
        )
        paid = draw(amounts(max_value=Decimal("500000.00"))) if section == Key.INPATIENT else ZERO
        return Probe(t.version, category, section, cost, level, paid)

    return case()


def check_favourable(target: AuditTarget, p: Probe) -> Counterexample | None:
    base, own = _probe_pays(target, p)
    if own >= base:
        return None
    return fail(
        f"类别 {p.category} 的待遇低于普通参保人（{section_name(p.section).zh}）",
        f"category {p.category}'s own profile pays less than the base profile ({p.section})",
        *p.facts(),
        ("expected", Text(f"不低于普通参保人：{fmt(base)}", f"at least the base: {fmt(base)}")),
        ("found", Text(f"{p.category}：{fmt(own)}", f"{p.category}: {fmt(own)}")),
    )


def favourable_applies(target: AuditTarget) -> Text | None:
    if any(_adjusted(v) for v in target.versions):
        return None
    return Text("没有类别调整规则", "no category rule to compare with the base")


@attrs.frozen
class ExtraCategoryCase:
    """The same person with one more category ``extra``: premiums of ``year`` (pension grade
    ``grade``, None: the lowest open) and claims of that year under one version."""

    case: ClaimsCase
    extra: str
    year: int
    grade: Decimal | None

    def facts(self) -> list[Fact]:
        grade = "lowest open" if self.grade is None else fmt(self.grade)
        grade_zh = "最低可选档" if self.grade is None else fmt(self.grade)
        return [
            *self.case.facts(),
            (
                "category",
                Text(
                    f"+ {self.extra}（{self.year} 年保费，养老缴费档次 {grade_zh}）",
                    f"+ {self.extra} (premiums of {self.year}, pension grade {grade})",
                ),
            ),
        ]


def _premium_version(target: AuditTarget, year: int) -> Tariff | None:
    day = dt.date(year, 1, 1)
    return next((v for v in target.versions if v.in_force_on(day)), None)


def extra_cases(target: AuditTarget) -> st.SearchStrategy[ExtraCategoryCase]:
    common = target.common_categories()

    @st.composite
    def case(draw: st.DrawFn) -> ExtraCategoryCase:
        year, _version, base = draw(window_cases(target, min_size=0, max_size=4))
        extra = draw(st.sampled_from(common))
        person = attrs.evolve(base.person, categories=base.person.categories - {extra})
        grade = None
        pv = _premium_version(target, year)
        if pv is not None and pv.pension_premium is not None:
            cats = frozenset(oracle.held(pv, person))
            open_ = [g.amount for g in pv.pension_premium.grades if g.open_to(cats)]
            grade = draw(st.sampled_from([None, *open_]))
        return ExtraCategoryCase(ClaimsCase(person, base.claims), extra, year, grade)

    return case()


def check_extra(target: AuditTarget, case: ExtraCategoryCase) -> Counterexample | None:
    person = case.case.person
    more = attrs.evolve(person, categories=person.categories | {case.extra})
    pv = _premium_version(target, case.year)
    if pv is not None and (pv.medical_premium is not None or pv.pension_premium is not None):
        a = target.calc.premiums(target.series, person, case.year, pension_grade=case.grade)
        b = target.calc.premiums(target.series, more, case.year, pension_grade=case.grade)
        pairs = []
        if a.medical is not None and b.medical is not None:
            pairs.append(("medical", a.medical.individual_pays, b.medical.individual_pays))
        if a.pension is not None and b.pension is not None and a.pension.due:
            pairs.append(("pension", a.pension.individual_pays, b.pension.individual_pays))
        if pv.pension_premium is not None:
            for p, cats in ((a.pension, a.categories), (b.pension, b.categories)):
                if p is None or not p.due:
                    continue
                want = oracle.reference_pension_government(pv, cats, p.grade)
                if p.government_pays != want:
                    return fail(
                        "养老保险政府代缴不等于按各类别单独可选最低档次计算的结果",
                        "the pension 代缴 is not what each category's own lowest open grade "
                        "gives (spec §4.2)",
                        *case.facts(),
                        ("expected", fmt(want)),
                        ("found", fmt(p.government_pays)),
                    )
        for name, without, with_ in pairs:
            if with_ > without:
                return fail(
                    f"多持有类别 {case.extra} 后，个人缴费反而增加（{name}）",
                    f"holding category {case.extra} as well raised what the person pays "
                    f"({name} premium)",
                    *case.facts(),
                    ("expected", Text(f"不超过 {fmt(without)}", f"at most {fmt(without)}")),
                    ("found", fmt(with_)),
                )
    if case.case.claims:
        without = benefit(target.run(person, case.case.claims).claims)
        with_ = benefit(target.run(more, case.case.claims).claims)
        if with_ < without:
            return fail(
                f"多持有类别 {case.extra} 后，年度待遇合计反而减少",
                f"holding category {case.extra} as well lowered the year's total benefit",
                *case.facts(),
                ("expected", Text(f"不少于 {fmt(without)}", f"at least {fmt(without)}")),
                ("found", fmt(with_)),
            )
    return None


def extra_applies(target: AuditTarget) -> Text | None:
    if target.common_categories():
        return None
    return Text("没有声明人员类别", "no declared category")


@attrs.frozen
class RatioProbe:
    """One critical-illness profile (``base`` or a category) of one version."""

    version: str
    profile: str

    def facts(self) -> list[Fact]:
        return [("tariff", same(self.version)), ("profile", same(self.profile))]


def ratio_probes(target: AuditTarget) -> list[RatioProbe]:
    out = []
    for t in target.versions:
        if t.critical_illness is None:
            continue
        out.append(RatioProbe(t.version, BASE))
        out += [RatioProbe(t.version, a.category) for a in t.critical_illness.adjustments]
    return out


def check_ratios(target: AuditTarget, p: RatioProbe) -> Counterexample | None:
    t = target.book.get(target.series, p.version)
    scales = oracle.critical_illness_scales(t, [] if p.profile == BASE else [p.profile])
    scale = scales[-1]
    ratios = [r for _, _, r in scale.segments]
    for k in range(1, len(ratios)):
        if ratios[k] < ratios[k - 1]:
            lower = scale.segments[k][0]
            shown = "; ".join(
                f"{fmt(lo)}-{'' if hi is None else fmt(hi)}: {r}" for lo, hi, r in scale.segments
            )
            return fail(
                "大病保险分段比例随累计费用升高而下降（应为费用越高报销比例越高）",
                "a critical-illness segment ratio falls as the accumulated cost rises",
                *p.facts(),
                ("segments", shown),
                (
                    "found",
                    Text(
                        f"{fmt(lower)} 以上比例由 {ratios[k - 1]} 降为 {ratios[k]}",
                        f"above {fmt(lower)} the ratio falls from {ratios[k - 1]} to {ratios[k]}",
                    ),
                ),
            )
    return None


def ratio_applies(target: AuditTarget) -> Text | None:
    if ratio_probes(target):
        return None
    return Text("没有大病保险部分", "no critical_illness section")
