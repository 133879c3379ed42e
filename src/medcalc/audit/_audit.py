"""Property-based audit: named invariants of the calculation and of tariff tables.

Each invariant states something a clerk or auditor expects of every result, whatever the
person and the bills (see ``docs/audit.md`` for each in policy terms). hypothesis draws random
persons and claims against a *real* tariff series (or random costs, for the tariff-level
invariants), and when one breaks the rule it shrinks the case to a minimal counterexample.

Public API:

- one function per invariant, ``f(book_or_tariffs, *, series=None, examples=100, seed=0)``,
  returning a minimal :class:`Counterexample` or ``None`` (:func:`split_invariance`,
  :func:`order_invariance`, :func:`year_to_date_equivalence`, :func:`monotonicity`,
  :func:`bounds`, :func:`uncapped`, :func:`rounding`, :func:`favourability`,
  :func:`extra_category`, :func:`rising_ratios`, :func:`version_locality`);
- :data:`INVARIANTS`, the registry by name, each with its title, its case strategy
  (:attr:`Invariant.cases`) and its check (:attr:`Invariant.check`), so a property test can
  draw cases itself (``tests/test_properties.py``);
- :func:`run_invariant` (one invariant, one series → :class:`Verdict`) and :func:`run_audit`
  (every invariant, every series), deterministic for a given ``seed``;
- :func:`reference_critical_illness` and :func:`reference_assistance`: F*(x) and A*(y) read
  straight from a tariff (spec §4.3), independently of :mod:`medcalc.chain`;
  :func:`reference_layers`: each claim's min(i, F* step) and min(j, A* step) from them;
  :func:`reference_pension_government`: 代缴 with each category's own base M_c (spec §4.2).

Searches use ``hypothesis.find`` with no example database, so nothing is written to disk and
the same seed gives the same verdicts and counterexamples.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from medcalc.audit.strategies import (
    amounts,
    claim_versions,
    claim_years,
    persons,
    years_covered,
)
from medcalc.chain import (
    Calculator,
    Claim,
    ClaimResult,
    ClaimsResult,
    Person,
    YearToDate,
    benefits_start_text,
)
from medcalc.money import CENT, EXACT, MAX_AMOUNT, Rounding, fmt, is_whole_fen
from medcalc.tariff import BASE, AmountPayment, Cap, SharePayment, Tariff, TariffBook, Text

__all__ = [
    "DEFAULT_EXAMPLES",
    "INVARIANTS",
    "AuditTarget",
    "Counterexample",
    "Invariant",
    "Verdict",
    "bounds",
    "extra_category",
    "favourability",
    "monotonicity",
    "order_invariance",
    "reference_assistance",
    "reference_critical_illness",
    "reference_layers",
    "reference_pension_government",
    "rising_ratios",
    "rounding",
    "run_audit",
    "run_invariant",
    "split_invariance",
    "uncapped",
    "version_locality",
    "year_to_date_equivalence",
]

DEFAULT_EXAMPLES = 100
"""Random cases tried per invariant and series unless told otherwise."""

C = TypeVar("C")
ZERO = Decimal("0.00")
ONE = Decimal(1)
HUGE = Decimal("1000000000.00")
"""A cost far above every cap and bound of a real tariff (1e9 yuan)."""

add = EXACT.add
sub = EXACT.subtract
mul = EXACT.multiply
# The audit's own roundings (to the fen, up or down, and the whole-fen check) and its quotients
# (where a scale reaches an amount): EXACT refuses to round, and 1/3 has no exact quotient.
_ROUNDING = decimal.Context(
    prec=EXACT.prec, Emax=EXACT.Emax, Emin=EXACT.Emin, traps=[decimal.InvalidOperation]
)
_QUOTIENT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.DivisionByZero])
_MODES = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN}


def _round(value: Decimal, mode: Rounding) -> Decimal:
    """Round to the fen (kept apart from :func:`medcalc.money.round_money` on purpose)."""
    return value.quantize(CENT, rounding=_MODES[mode], context=_ROUNDING)


# -- counterexamples and verdicts -----------------------------------------------------------

FACT_LABELS: dict[str, Text] = {
    "tariff": Text("待遇标准", "tariff"),
    "person": Text("参保人", "person"),
    "claims": Text("住院结算", "claims"),
    "claim": Text("住院结算", "claim"),
    "parts": Text("拆分为", "split into"),
    "order": Text("输入顺序", "input order"),
    "year_to_date": Text("年度累计", "year to date"),
    "change": Text("变动", "change"),
    "expected": Text("应为", "expected"),
    "found": Text("实际", "found"),
    "category": Text("类别", "category"),
    "section": Text("险种", "section"),
    "cost": Text("费用", "cost"),
    "profile": Text("待遇档", "profile"),
    "segments": Text("分段", "segments"),
    "error": Text("异常", "error"),
}


@attrs.frozen
class Counterexample:
    """A minimal case that breaks an invariant: what went wrong (``message``) and the facts
    needed to reproduce it (``facts``: (key, readable value in Chinese and English) pairs,
    keys of :data:`FACT_LABELS`)."""

    message: Text
    facts: tuple[tuple[str, Text], ...] = ()

    def text(self, lang: str = "zh") -> str:
        """The counterexample as lines a clerk can read."""
        lines = [self.message.get(lang)]
        for key, value in self.facts:
            label = FACT_LABELS[key].get(lang) if key in FACT_LABELS else key
            lines.append(f"{label}: {value.get(lang)}")
        return "\n".join(lines)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "message": self.message.get(lang),
            "facts": [{"key": k, "value": v.get(lang)} for k, v in self.facts],
        }


Status = Literal["pass", "fail", "n/a"]


@attrs.frozen
class Verdict:
    """The outcome of one invariant on one tariff series.

    ``status``: ``pass`` (no counterexample in ``examples`` random cases, nor in the fixed
    probes of the tariff-level invariants), ``fail`` (``counterexample`` is set), or ``n/a``
    (the series has nothing the invariant speaks about; ``reason`` says why).
    """

    invariant: str
    series: str
    status: Status
    examples: int
    seed: int
    seconds: float
    counterexample: Counterexample | None = None
    reason: Text | None = None

    @property
    def failed(self) -> bool:
        return self.status == "fail"


# -- the target: a series in a book ---------------------------------------------------------

Tariffs = TariffBook | Tariff | Iterable[Tariff]
"""What an invariant runs on: a book, one tariff, or tariffs to put in a book."""


class AuditTarget:
    """One tariff series of a book, with a calculator and what the strategies need."""

    def __init__(self, book: TariffBook, series: str) -> None:
        self.book = book
        self.series = series
        self.versions = book.versions(series)
        self.claim_versions = claim_versions(book, series)
        self.years = years_covered(self.claim_versions)
        self.calc = Calculator(book)
        self._alone: dict[str, Calculator] = {}
        self._strategies: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}

    @classmethod
    def of(cls, book_or_tariffs: Tariffs, series: str | None) -> AuditTarget:
        book = _as_book(book_or_tariffs)
        names = book.series()
        if series is None:
            if len(names) != 1:
                raise ValueError(f"the tariffs hold series {', '.join(names)}; pass series=")
            series = names[0]
        return cls(book, series)

    def run(
        self, person: Person, claims: Sequence[Claim], ytd: YearToDate | None = None
    ) -> ClaimsResult:
        return self.calc.claims(self.series, person, list(claims), year_to_date=ytd)

    def alone(self, version: str) -> Calculator:
        """A calculator over a book holding only ``version`` of the series."""
        found = self._alone.get(version)
        if found is None:
            found = Calculator(TariffBook.of([self.book.get(self.series, version)]))
            self._alone[version] = found
        return found

    def persons(
        self, year: int | None = None, *, enrolled: bool | None = None
    ) -> st.SearchStrategy[Person]:
        """:func:`medcalc.audit.strategies.persons` for this series (built once per argument)."""
        key = ("persons", year, enrolled)
        if key not in self._strategies:
            self._strategies[key] = persons(
                tariff=self.book, series=self.series, year=year, enrolled=enrolled
            )
        return self._strategies[key]

    def claim_years(
        self,
        year: int,
        *,
        version: Tariff | None = None,
        min_size: int = 1,
        max_size: int = 5,
        basic_paid: bool | None = None,
    ) -> st.SearchStrategy[list[Claim]]:
        """:func:`medcalc.audit.strategies.claim_years` of ``year`` for this series, or only under
        ``version`` (built once per argument)."""
        key = ("claims", year, id(version), min_size, max_size, basic_paid)
        if key not in self._strategies:
            where: dict[str, Any] = (
                {"tariff": version}
                if version is not None
                else {"tariff": self.book, "series": self.series}
            )
            self._strategies[key] = claim_years(
                **where, year=year, min_size=min_size, max_size=max_size, basic_paid=basic_paid
            )
        return self._strategies[key]

    def version_on(self, day: dt.date) -> Tariff:
        return self.book.in_force(self.series, day)

    def windows(self) -> list[tuple[int, Tariff]]:
        """(year, version) pairs where a claims version is in force on some day of the year."""
        return [(y, v) for y in self.years for v in self.claim_versions if _window(v, y)]

    def common_categories(self) -> list[str]:
        if not self.versions:
            return []
        common = [c.id for c in self.versions[0].categories]
        for v in self.versions[1:]:
            ids = {c.id for c in v.categories}
            common = [c for c in common if c in ids]
        return common


def _as_book(value: Tariffs) -> TariffBook:
    if isinstance(value, TariffBook):
        return value
    if isinstance(value, Tariff):
        return TariffBook.of([value])
    return TariffBook.of(value)


def _window(version: Tariff, year: int) -> tuple[dt.date, dt.date] | None:
    start = max(version.effective_from, dt.date(year, 1, 1))
    end = dt.date(year, 12, 31)
    if version.effective_to is not None:
        end = min(end, version.effective_to)
    return (start, end) if start <= end else None


# -- an independent reading of the tariff (spec §4, for the oracles) ------------------------


def held(tariff: Tariff, person: Person) -> tuple[str, ...]:
    """Categories ``person`` holds under ``tariff``: given, or matched by disability rules."""
    return tuple(
        c.id
        for c in tariff.categories
        if c.id in person.categories
        or any(r.matches(person.disability_grade, person.disability_type) for r in c.disability)
    )


@attrs.frozen
class Scale:
    """A critical-illness candidate read from the tariff: threshold T, segments (from, to,
    ratio after bonus) with ``to`` absolute (None: open), and the cap (None: 不设封顶)."""

    name: str
    threshold: Decimal
    segments: tuple[tuple[Decimal, Decimal | None, Decimal], ...]
    cap: Decimal | None

    def g(self, x: Decimal) -> Decimal:
        """G(x) = sum over segments of max(0, min(x, to_k) - to_(k-1)) x r_k, exact."""
        total = ZERO
        for lower, upper, ratio in self.segments:
            top = x if upper is None else min(x, upper)
            total = add(total, mul(max(ZERO, sub(top, lower)), ratio))
        return total

    def f(self, x: Decimal, mode: Rounding) -> Decimal:
        """F(x) = min(round(G(x)), cap)."""
        paid = _round(self.g(x), mode)
        return paid if self.cap is None else min(paid, self.cap)

    @property
    def top_ratio(self) -> Decimal:
        return self.segments[-1][2] if self.segments else ZERO

    @property
    def top_from(self) -> Decimal:
        return self.segments[-1][0] if self.segments else self.threshold

    def bounds(self) -> list[Decimal]:
        out = [self.threshold]
        out.extend(u for _, u, _ in self.segments if u is not None)
        return out


def critical_illness_scales(tariff: Tariff, categories: Sequence[str]) -> list[Scale]:
    """The base scale and one per held category with an adjustment, from the tariff's text."""
    section = tariff.critical_illness
    if section is None:
        return []

    def scale(name: str, threshold: Decimal, segments: Any, bonus: Decimal, cap: Cap) -> Scale:
        out = []
        lower = threshold
        for s in segments:
            upper = s.upper
            if upper is not None and section.bounds == "above_threshold":
                upper = add(threshold, upper)
            out.append((lower, upper, min(ONE, add(s.ratio, bonus))))
            if upper is None:
                break
            lower = upper
        return Scale(name, threshold, tuple(out), cap.amount)

    scales = [scale(BASE, section.threshold, section.segments, ZERO, section.annual_cap)]
    rules = {a.category: a for a in section.adjustments}
    for cat in categories:
        adj = rules.get(cat)
        if adj is None:
            continue
        threshold = section.threshold
        if adj.threshold is not None:
            threshold = adj.threshold
        elif adj.threshold_factor is not None:
            threshold = _round(mul(section.threshold, adj.threshold_factor), tariff.rounding)
        scales.append(
            scale(
                cat,
                threshold,
                adj.segments if adj.segments is not None else section.segments,
                adj.ratio_bonus if adj.ratio_bonus is not None else ZERO,
                adj.annual_cap if adj.annual_cap is not None else section.annual_cap,
            )
        )
    return scales


def reference_critical_illness(tariff: Tariff, categories: Sequence[str], x: Decimal) -> Decimal:
    """F*(x): the largest critical-illness scale of the candidates at accumulated cost ``x``."""
    scales = critical_illness_scales(tariff, categories)
    return max((s.f(x, tariff.rounding) for s in scales), default=ZERO)


@attrs.frozen
class AidRule:
    """A medical-assistance candidate: A(y) = min(round(max(0, y - d) x ratio), cap)."""

    name: str
    ratio: Decimal
    deductible: Decimal
    cap: Decimal | None

    def a(self, y: Decimal, mode: Rounding) -> Decimal:
        paid = _round(mul(max(ZERO, sub(y, self.deductible)), self.ratio), mode)
        return paid if self.cap is None else min(paid, self.cap)


def assistance_rules(tariff: Tariff, categories: Sequence[str]) -> list[AidRule]:
    section = tariff.medical_assistance
    if section is None:
        return []
    rules = {r.category: r for r in section.eligible}
    return [
        AidRule(c, rules[c].ratio, rules[c].deductible, rules[c].annual_cap.amount)
        for c in categories
        if c in rules
    ]


def reference_assistance(tariff: Tariff, categories: Sequence[str], y: Decimal) -> Decimal:
    """A*(y): the largest assistance of the eligible candidates (0 when none)."""
    return max(
        (r.a(y, tariff.rounding) for r in assistance_rules(tariff, categories)), default=ZERO
    )


def reference_pension_government(
    tariff: Tariff, categories: Sequence[str], grade: Decimal
) -> Decimal:
    """What the government pays of pension grade ``grade`` (spec §4.2): per category c with a
    rule, M_c = the lowest grade open to c alone; full -> M_c, share q -> round(M_c x q),
    amount a -> a; each at most the grade; the largest (0 without a rule)."""
    section = tariff.pension_premium
    assert section is not None
    best = ZERO
    for rule in section.government_pays:
        if rule.category not in categories:
            continue
        m = min(
            g.amount
            for g in section.grades
            if g.reserved_for is None or rule.category in g.reserved_for
        )
        pay = rule.payment
        if isinstance(pay, AmountPayment):
            value = pay.amount
        elif isinstance(pay, SharePayment):
            value = _round(mul(m, pay.share), tariff.rounding)
        else:
            value = m
        best = max(best, min(value, grade))
    return best


def reference_layers(
    tariff: Tariff, categories: Sequence[str], burdens: Sequence[Decimal]
) -> list[tuple[Decimal, Decimal]]:
    """Each claim's (critical illness, assistance) from the year's start, given the claims'
    burdens i in processing order (spec §4.3): min(i, F*(X_after) - F*(X_before)), then with
    j = i - that, min(j, A*(Y_after) - A*(Y_before)). A layer never pays more than it covers."""
    out = []
    x = y = f_x = a_y = ZERO
    for i in burdens:
        x = add(x, i)
        f_next = reference_critical_illness(tariff, categories, x)
        ci = min(i, sub(f_next, f_x))
        j = sub(i, ci)
        y = add(y, j)
        a_next = reference_assistance(tariff, categories, y)
        out.append((ci, min(j, sub(a_next, a_y))))
        f_x, a_y = f_next, a_next
    return out


@attrs.frozen
class BasicRule:
    """A basic-inpatient candidate: deductible factor, ratio bonus, cap."""

    name: str
    factor: Decimal | None
    bonus: Decimal
    cap: Decimal | None

    def pays(self, tariff: Tariff, level: str, compliant: Decimal, paid_before: Decimal) -> Decimal:
        assert tariff.inpatient is not None
        lv = tariff.inpatient.level(level)
        assert lv is not None
        d = (
            lv.deductible
            if self.factor is None
            else _round(mul(lv.deductible, self.factor), tariff.rounding)
        )
        r = min(ONE, add(lv.ratio, self.bonus))
        raw = _round(mul(max(ZERO, sub(compliant, d)), r), tariff.rounding)
        return raw if self.cap is None else min(raw, max(ZERO, sub(self.cap, paid_before)))


def basic_rules(tariff: Tariff, categories: Sequence[str]) -> list[BasicRule]:
    section = tariff.inpatient
    if section is None:
        return []
    out = [BasicRule(BASE, None, ZERO, section.annual_cap.amount)]
    rules = {a.category: a for a in section.adjustments}
    for c in categories:
        adj = rules.get(c)
        if adj is not None:
            cap = adj.annual_cap if adj.annual_cap is not None else section.annual_cap
            out.append(BasicRule(c, adj.deductible_factor, adj.ratio_bonus or ZERO, cap.amount))
    return out


def _largest_cap(caps: Iterable[Decimal | None]) -> Decimal | None:
    """The largest of the candidates' caps; None when one has no cap (or there is none)."""
    found = list(caps)
    if not found or any(c is None for c in found):
        return None
    return max(c for c in found if c is not None)


# -- readable facts -------------------------------------------------------------------------


Fact = tuple[str, Text]


def _t(zh: str, en: str) -> Text:
    return Text(zh, en)


def _same(text: str) -> Text:
    """A fact that reads the same in both languages (amounts, dates, ids)."""
    return Text(text, text)


def _join(parts: Sequence[Text], zh: str = "；", en: str = "; ") -> Text:
    return Text(zh.join(p.zh for p in parts), en.join(p.en for p in parts))


def _person_text(person: Person) -> Text:
    cats = ", ".join(sorted(person.categories))
    parts = [
        _t(f"类别 {cats or '无（普通参保人）'}", f"categories {cats or 'none (ordinary resident)'}")
    ]
    if person.disability_grade is not None:
        kind = f" ({person.disability_type})" if person.disability_type else ""
        parts.append(
            _t(
                f"残疾等级 {person.disability_grade}{kind}",
                f"disability grade {person.disability_grade}{kind}",
            )
        )
    if person.enrolled_on is not None:
        day = person.enrolled_on.isoformat()
        parts.append(_t(f"缴费（参保）日期 {day}", f"enrolled (paid) on {day}"))
    if person.birth_date is not None:
        day = person.birth_date.isoformat()
        parts.append(_t(f"出生 {day}", f"born {day}"))
    return _join(parts)


def _claim_text(claim: Claim) -> Text:
    zh, en = [claim.date.isoformat()], [claim.date.isoformat()]
    if claim.hospital_level is not None:
        zh.append(claim.hospital_level)
        en.append(claim.hospital_level)
    zh.append(f"政策范围内 {fmt(claim.compliant)}")
    en.append(f"compliant {fmt(claim.compliant)}")
    if claim.total is not None:
        zh.append(f"总费用 {fmt(claim.total)}")
        en.append(f"total {fmt(claim.total)}")
    if claim.basic_paid is not None:
        zh.append(f"已结算基本医保 {fmt(claim.basic_paid)}")
        en.append(f"basic_paid {fmt(claim.basic_paid)}")
    return _t(" ".join(zh), " ".join(en))


def _numbered(index: int, claim: Claim) -> Text:
    text = _claim_text(claim)
    return _t(f"#{index + 1} {text.zh}", f"#{index + 1} {text.en}")


def _claims_text(claims: Sequence[Claim]) -> Text:
    if not claims:
        return _t("无", "none")
    return _join([_numbered(i, c) for i, c in enumerate(claims)])


def _amounts_text(r: ClaimResult) -> Text:
    oop = fmt(r.out_of_pocket)
    if not r.covered:
        zh, en = benefits_start_text(r.benefits_start, "zh"), benefits_start_text(r.benefits_start)
        return _t(
            f"不在待遇期（待遇享受起始日为 {zh}）；个人自付 {oop}",
            f"not covered (benefits start {en}); out of pocket {oop}",
        )
    basic, ci, aid = fmt(r.basic), fmt(r.critical_illness), fmt(r.assistance)
    return _t(
        f"基本医保 {basic}，大病保险 {ci}，医疗救助 {aid}，个人自付 {oop}",
        f"basic {basic}, critical illness {ci}, assistance {aid}, out of pocket {oop}",
    )


def _ytd_text(y: YearToDate) -> Text:
    basic, ci, aid = fmt(y.basic_paid), fmt(y.critical_illness_base), fmt(y.assistance_base)
    return _t(
        f"基本医保已付 {basic}，大病累计 {ci}，救助累计 {aid}",
        f"basic_paid {basic}, critical_illness_base {ci}, assistance_base {aid}",
    )


def _year_amounts(year: int, basic: Decimal, ci: Decimal, aid: Decimal) -> Text:
    return _t(
        f"{year} 年：基本医保 {fmt(basic)}，大病保险 {fmt(ci)}，医疗救助 {fmt(aid)}",
        f"year {year}: basic {fmt(basic)}, critical illness {fmt(ci)}, assistance {fmt(aid)}",
    )


SECTION_NAMES = {
    "inpatient": Text("基本医保住院", "inpatient"),
    "critical_illness": Text("大病保险", "critical_illness"),
    "medical_assistance": Text("医疗救助", "medical_assistance"),
}


def _fail(zh: str, en: str, *facts: tuple[str, Text | str]) -> Counterexample:
    return Counterexample(
        Text(zh, en), tuple((k, v if isinstance(v, Text) else _same(v)) for k, v in facts)
    )


def _amounts_of(r: ClaimResult) -> tuple[bool, Decimal, Decimal, Decimal, Decimal]:
    return (r.covered, r.basic, r.critical_illness, r.assistance, r.out_of_pocket)


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = ZERO
    for v in values:
        total = add(total, v)
    return total


def _benefit(results: Iterable[ClaimResult]) -> Decimal:
    """basic + critical illness + assistance over ``results``."""
    return _sum(add(add(r.basic, r.critical_illness), r.assistance) for r in results)


# -- cases ----------------------------------------------------------------------------------


@attrs.frozen
class ClaimsCase:
    """A person and their claims (input order)."""

    person: Person
    claims: tuple[Claim, ...]

    def facts(self) -> list[Fact]:
        return [("person", _person_text(self.person)), ("claims", _claims_text(self.claims))]


def _year_case(
    target: AuditTarget, *, min_size: int = 1, max_size: int = 5, years: int = 1
) -> st.SearchStrategy[ClaimsCase]:
    """Claims of one person in one year (or ``years`` consecutive years), any versions."""

    @st.composite
    def case(draw: st.DrawFn) -> ClaimsCase:
        year = draw(st.sampled_from(target.years))
        person = draw(target.persons(year))
        claims = draw(target.claim_years(year, min_size=min_size, max_size=max_size))
        if years > 1 and year + 1 in target.years and draw(st.booleans()):
            claims += draw(target.claim_years(year + 1, max_size=max_size))
            claims = draw(st.permutations(claims))
        return ClaimsCase(person, tuple(claims))

    return case()


def _window_case(
    target: AuditTarget, *, min_size: int = 1, max_size: int = 5, basic_paid: bool | None = None
) -> st.SearchStrategy[tuple[int, Tariff, ClaimsCase]]:
    """Claims of one person in one year, all under one version (year, version, case)."""

    @st.composite
    def case(draw: st.DrawFn) -> tuple[int, Tariff, ClaimsCase]:
        year, version = draw(st.sampled_from(target.windows()))
        person = draw(target.persons(year))
        claims = draw(
            target.claim_years(
                year, version=version, min_size=min_size, max_size=max_size, basic_paid=basic_paid
            )
        )
        return year, version, ClaimsCase(person, tuple(claims))

    return case()


def _single_version(target: AuditTarget, claims: Iterable[Claim]) -> Tariff | None:
    """The one version all ``claims`` fall under, or None."""
    found = {id(v): v for v in (target.version_on(c.date) for c in claims)}
    return next(iter(found.values())) if len(found) == 1 else None


def _guarded(
    check: Callable[[AuditTarget, C], Counterexample | None], target: AuditTarget, case: C
) -> Counterexample | None:
    """Run a check; an exception on a valid case is a counterexample too."""
    try:
        return check(target, case)
    except Exception as exc:
        facts: list[Fact] = list(case.facts()) if hasattr(case, "facts") else []
        facts.append(("error", _same(f"{type(exc).__name__}: {exc}")))
        return _fail(
            "计算在有效输入上出错",
            "the calculation raised an error on valid input",
            *facts,
        )


# -- split invariance -------------------------------------------------------------------------


@attrs.frozen
class SplitCase:
    """Claim ``index`` of ``case`` (with basic_paid) split into parts (compliant, basic_paid),
    dated ``offsets`` days later (used only where order cannot matter)."""

    case: ClaimsCase
    index: int
    parts: tuple[tuple[Decimal, Decimal], ...]
    offsets: tuple[int, ...]

    def facts(self) -> list[Fact]:
        zh = "；".join(f"政策范围内 {fmt(c)} 已结算基本医保 {fmt(b)}" for c, b in self.parts)
        en = "; ".join(f"compliant {fmt(c)} basic_paid {fmt(b)}" for c, b in self.parts)
        n = self.index + 1
        return [*self.case.facts(), ("parts", _t(f"第 {n} 次结算 → {zh}", f"claim #{n} -> {en}"))]


def _cuts(draw: st.DrawFn, total: Decimal, count: int) -> list[Decimal]:
    """``count`` amounts adding up to ``total`` exactly."""
    fen = int(total.scaleb(2, context=EXACT))
    points = sorted(draw(st.lists(st.integers(0, fen), min_size=count - 1, max_size=count - 1)))
    edges = [0, *points, fen]
    return [Decimal(edges[k + 1] - edges[k]).scaleb(-2, context=EXACT) for k in range(count)]


def _split_cases(target: AuditTarget) -> st.SearchStrategy[SplitCase]:
    @st.composite
    def case(draw: st.DrawFn) -> SplitCase:
        year = draw(st.sampled_from(target.years))
        person = draw(target.persons(year))
        others = draw(target.claim_years(year, min_size=0, max_size=4))
        one = draw(target.claim_years(year, max_size=1, basic_paid=True))[0]
        index = draw(st.integers(0, len(others)))
        claims = (*others[:index], one, *others[index:])
        count = draw(st.integers(2, 4))
        assert one.basic_paid is not None
        burdens = _cuts(draw, sub(one.compliant, one.basic_paid), count)
        basics = _cuts(draw, one.basic_paid, count)
        parts = tuple((add(i, b), b) for i, b in zip(burdens, basics, strict=True))
        offsets = tuple(draw(st.lists(st.integers(0, 90), min_size=count, max_size=count)))
        return SplitCase(ClaimsCase(person, claims), index, parts, offsets)

    return case()


def _check_split(target: AuditTarget, case: SplitCase) -> Counterexample | None:
    person, claims = case.case.person, list(case.case.claims)
    whole = target.run(person, claims)
    original = claims[case.index]
    year = original.date.year
    version = target.version_on(original.date)
    same_year = [c for c in claims if c.date.year == year]
    # Moving parts to later days cannot change the year's totals only when no basic payment
    # depends on the order (all given), one version covers the year's claims, and the claim is
    # covered (a later day under the same version is then covered too).
    spread = (
        all(c.basic_paid is not None for c in same_year)
        and _single_version(target, same_year) is version
        and whole.claims[case.index].covered
    )
    window = _window(version, year)
    assert window is not None
    parts = []
    for k, (compliant, basic_paid) in enumerate(case.parts):
        day = original.date
        if spread:
            day = min(original.date + dt.timedelta(days=case.offsets[k]), window[1])
        last = k == len(case.parts) - 1
        total = None
        if original.total is not None:
            total = (
                compliant if not last else add(compliant, sub(original.total, original.compliant))
            )
        parts.append(Claim(day, compliant, original.hospital_level, total, basic_paid))
    split = target.run(person, [*claims[: case.index], *parts, *claims[case.index + 1 :]])
    before = next(t for t in whole.years if t.year == year)
    after = next(t for t in split.years if t.year == year)
    got = (after.basic, after.critical_illness, after.assistance)
    want = (before.basic, before.critical_illness, before.assistance)
    if got == want or _split_moves_only_held_fen(whole, split, year):
        return None
    return _fail(
        "拆分一次住院的个人负担后，年度大病保险或医疗救助合计改变",
        "splitting one stay's individual burden into several claims changed the year's "
        "critical-illness or assistance total",
        *case.facts(),
        ("expected", _year_amounts(year, *want)),
        ("found", _year_amounts(year, *got)),
    )


def _held_back(result: ClaimsResult, year: int) -> Decimal:
    """The critical illness the year's claims did not pay because a layer never pays more than
    the claim's burden (spec §4.3; a fen at a time, with half_even and a ratio of 1)."""
    return _sum(
        r.critical_illness_detail.burden_reduction
        for r in result.claims
        if r.claim.date.year == year and r.critical_illness_detail is not None
    )


def _split_moves_only_held_fen(whole: ClaimsResult, split: ClaimsResult, year: int) -> bool:
    """Splitting changes the year only by fen that min(i, F* step) held back (spec §4.3): the
    critical illness with them added back is the same, and the assistance moves at most by
    the difference, in its direction (the held-back fen stay in the assistance base)."""
    held_whole, held_split = _held_back(whole, year), _held_back(split, year)
    if held_whole == held_split:
        return False
    a = next(t for t in whole.years if t.year == year)
    b = next(t for t in split.years if t.year == year)
    if a.basic != b.basic or add(a.critical_illness, held_whole) != add(
        b.critical_illness, held_split
    ):
        return False
    moved = sub(b.assistance, a.assistance)
    more = sub(held_split, held_whole)  # more held back: a larger assistance base
    return ZERO <= moved <= more if more > 0 else more <= moved <= ZERO


# -- order invariance -------------------------------------------------------------------------


@attrs.frozen
class OrderCase:
    """Claims given again in the order ``order`` (same-day claims keep their relative order)."""

    case: ClaimsCase
    order: tuple[int, ...]

    def facts(self) -> list[Fact]:
        order = ", ".join(f"#{i + 1}" for i in self.order)
        return [*self.case.facts(), ("order", _same(order))]


def _order_cases(target: AuditTarget) -> st.SearchStrategy[OrderCase]:
    @st.composite
    def case(draw: st.DrawFn) -> OrderCase:
        base = draw(_year_case(target, min_size=2, max_size=6, years=2))
        shuffled = list(draw(st.permutations(range(len(base.claims)))))
        # Same-day claims are taken in input order: give them back their relative order.
        by_day: dict[dt.date, list[int]] = {}
        for i, claim in enumerate(base.claims):
            by_day.setdefault(claim.date, []).append(i)
        seen: dict[dt.date, int] = {}
        order = []
        for i in shuffled:
            day = base.claims[i].date
            order.append(by_day[day][seen.get(day, 0)])
            seen[day] = seen.get(day, 0) + 1
        return OrderCase(base, tuple(order))

    return case()


def _check_order(target: AuditTarget, case: OrderCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    first = target.run(person, claims)
    again = target.run(person, [claims[i] for i in case.order])
    for position, i in enumerate(case.order):
        a, b = first.claims[i], again.claims[position]
        if _amounts_of(a) != _amounts_of(b):
            return _fail(
                "改变住院结算的输入顺序后，某次结算的金额改变",
                "giving the claims in another input order changed a claim's amounts",
                *case.facts(),
                ("claim", _numbered(i, claims[i])),
                ("expected", _amounts_text(a)),
                ("found", _amounts_text(b)),
            )
    return None


# -- year-to-date equivalence (spec §4.4) -----------------------------------------------------


@attrs.frozen
class YearToDateCase:
    """The first ``first`` claims (in date order) computed alone, the rest from their
    accumulators."""

    case: ClaimsCase
    first: int

    def facts(self) -> list[Fact]:
        return [
            *self.case.facts(),
            (
                "year_to_date",
                _t(
                    f"按日期顺序的前 {self.first} 次结算之后",
                    f"after the first {self.first} claim(s) in date order",
                ),
            ),
        ]


def _ytd_cases(target: AuditTarget) -> st.SearchStrategy[YearToDateCase]:
    @st.composite
    def case(draw: st.DrawFn) -> YearToDateCase:
        base = draw(_year_case(target, min_size=2, max_size=6))
        return YearToDateCase(base, draw(st.integers(1, len(base.claims) - 1)))

    return case()


def _check_ytd(target: AuditTarget, case: YearToDateCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    whole = target.run(person, claims)
    order = sorted(range(len(claims)), key=lambda i: (claims[i].date, i))
    first, rest = sorted(order[: case.first]), sorted(order[case.first :])
    end = target.run(person, [claims[i] for i in first]).years[0].end
    # As a user would give them (validated: 2 decimals, not negative).
    ytd = YearToDate(end.basic_paid, end.critical_illness_base, end.assistance_base)
    alone = target.run(person, [claims[i] for i in rest], ytd)
    for position, i in enumerate(rest):
        a, b = whole.claims[i], alone.claims[position]
        if _amounts_of(a) != _amounts_of(b):
            return _fail(
                "从年度累计值计算的结算金额与连同此前结算一起计算的不同",
                "a claim computed from the year-to-date accumulators differs from computing it "
                "together with the earlier claims",
                *case.facts(),
                ("year_to_date", _ytd_text(ytd)),
                ("claim", _numbered(i, claims[i])),
                ("expected", _amounts_text(a)),
                ("found", _amounts_text(b)),
            )
    return None


# -- monotonicity -----------------------------------------------------------------------------


@attrs.frozen
class MoreCostCase:
    """More compliant cost in one year under one version: claim ``index`` raised by ``delta``,
    or (``index`` None) the claim ``added`` added."""

    case: ClaimsCase
    index: int | None
    delta: Decimal
    added: Claim | None

    def facts(self) -> list[Fact]:
        if self.index is None:
            assert self.added is not None
            added = _claim_text(self.added)
            change = _t(f"多一次结算：{added.zh}", f"one more claim: {added.en}")
        else:
            n, d = self.index + 1, fmt(self.delta)
            change = _t(f"第 {n} 次结算政策范围内费用 + {d}", f"claim #{n}: compliant cost + {d}")
        return [*self.case.facts(), ("change", change)]


def _more_cost_cases(target: AuditTarget) -> st.SearchStrategy[MoreCostCase]:
    @st.composite
    def case(draw: st.DrawFn) -> MoreCostCase:
        year, version, base = draw(_window_case(target, max_size=4))
        if draw(st.booleans()):
            index = draw(st.integers(0, len(base.claims) - 1))
            delta = draw(amounts(min_value=Decimal("0.01"), max_value=Decimal("300000.00")))
            return MoreCostCase(base, index, delta, None)
        added = draw(target.claim_years(year, version=version, max_size=1))[0]
        return MoreCostCase(base, None, ZERO, added)

    return case()


def _raised(claim: Claim, delta: Decimal) -> Claim:
    total = None if claim.total is None else add(claim.total, delta)
    return attrs.evolve(claim, compliant=add(claim.compliant, delta), total=total)


def _check_more_cost(target: AuditTarget, case: MoreCostCase) -> Counterexample | None:
    person, claims = case.case.person, list(case.case.claims)
    if case.index is None:
        assert case.added is not None
        more = [*claims, case.added]
    else:
        more = [
            *claims[: case.index],
            _raised(claims[case.index], case.delta),
            *claims[case.index + 1 :],
        ]
    before = _benefit(target.run(person, claims).claims)
    after = _benefit(target.run(person, more).claims)
    if after >= before:
        return None
    return _fail(
        "政策范围内费用增加后，年度待遇合计（基本医保+大病保险+医疗救助）反而减少",
        "more compliant cost lowered the year's total benefit "
        "(basic + critical illness + assistance)",
        *case.facts(),
        ("expected", _t(f"不少于 {fmt(before)}", f"at least {fmt(before)}")),
        ("found", fmt(after)),
    )


# -- bounds -------------------------------------------------------------------------------------


def _check_bounds(target: AuditTarget, case: ClaimsCase) -> Counterexample | None:
    result = target.run(case.person, case.claims)
    for r in result.claims:
        claim = r.claim
        problem: tuple[str, str] | None = None
        paid = add(add(r.basic, r.critical_illness), r.assistance)
        if min(r.basic, r.critical_illness, r.assistance, r.out_of_pocket) < 0:
            problem = ("有一项支付为负数", "a payment is negative")
        elif paid > claim.compliant:
            problem = (
                "基本医保+大病保险+医疗救助超过政策范围内费用",
                "basic + critical illness + assistance is above the compliant cost",
            )
        elif r.out_of_pocket < sub(claim.bill, claim.compliant) or r.out_of_pocket > claim.bill:
            problem = (
                "个人自付不在[总费用−政策范围内费用, 总费用]之内",
                "out of pocket is not between total - compliant and total",
            )
        elif r.covered:
            version = target.version_on(claim.date)
            cats = held(version, case.person)
            basic_cap = _largest_cap(b.cap for b in basic_rules(version, cats))
            ci_cap = _largest_cap(s.cap for s in critical_illness_scales(version, cats))
            aid = assistance_rules(version, cats)
            aid_cap = _largest_cap(a.cap for a in aid) if aid else ZERO
            if (
                claim.basic_paid is None
                and basic_cap is not None
                and r.basic > max(ZERO, sub(basic_cap, r.before.basic_paid))
            ):
                problem = ("基本医保超过年度封顶线", "basic insurance went above its annual cap")
            elif ci_cap is not None and r.critical_illness > ci_cap:
                problem = ("大病保险超过年度封顶线", "critical illness went above its annual cap")
            elif aid_cap is not None and r.assistance > aid_cap:
                problem = ("医疗救助超过年度封顶线", "assistance went above its annual cap")
        if problem is not None:
            return _fail(
                problem[0],
                problem[1],
                *case.facts(),
                ("claim", _numbered(r.index, claim)),
                ("found", _amounts_text(r)),
            )
    # Within one version, the year's total stays under the largest cap of the candidates.
    for totals in result.years:
        in_year = [c for c in case.claims if c.date.year == totals.year]
        only = _single_version(target, in_year)
        if only is None or totals.start != YearToDate():
            continue
        cats = held(only, case.person)
        ci_cap = _largest_cap(s.cap for s in critical_illness_scales(only, cats))
        aid = assistance_rules(only, cats)
        aid_cap = _largest_cap(a.cap for a in aid) if aid else ZERO
        for name, total, cap in (
            ("critical illness", totals.critical_illness, ci_cap),
            ("assistance", totals.assistance, aid_cap),
        ):
            if cap is not None and total > cap:
                return _fail(
                    "年度合计超过封顶线",
                    f"the year's {name} total is above the largest annual cap",
                    *case.facts(),
                    (
                        "expected",
                        _t(
                            f"{totals.year} 年：不超过 {fmt(cap)}",
                            f"year {totals.year}: at most {fmt(cap)}",
                        ),
                    ),
                    (
                        "found",
                        _t(f"{totals.year} 年：{fmt(total)}", f"year {totals.year}: {fmt(total)}"),
                    ),
                )
    return None


# -- uncapped profiles keep paying (不设封顶) ------------------------------------------------


@attrs.frozen
class UncappedCase:
    """A person, a version, and an extra cost ``delta`` far above every capped profile."""

    person: Person
    version: str
    delta: Decimal

    def facts(self) -> list[Fact]:
        return [
            ("person", _person_text(self.person)),
            ("tariff", _same(self.version)),
            ("cost", _same(fmt(self.delta))),
        ]


def _uncapped_cases(target: AuditTarget) -> st.SearchStrategy[UncappedCase]:
    @st.composite
    def case(draw: st.DrawFn) -> UncappedCase:
        version = draw(st.sampled_from(target.claim_versions))
        person = draw(target.persons(enrolled=False))
        delta = draw(amounts(min_value=Decimal("2.00"), max_value=Decimal("100000.00")))
        return UncappedCase(person, version.version, delta)

    return case()


def _ceil_fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=decimal.ROUND_CEILING, context=_ROUNDING)


def _far(base: Decimal, above: Decimal, ratio: Decimal) -> Decimal:
    """A cost at which a scale starting at ``base`` with ``ratio`` has paid more than ``above``."""
    return min(
        sub(MAX_AMOUNT, HUGE), add(base, _ceil_fen(_QUOTIENT.divide(add(above, ONE), ratio)))
    )


def _check_uncapped(target: AuditTarget, case: UncappedCase) -> Counterexample | None:
    version = target.book.get(target.series, case.version)
    cats = held(version, case.person)
    day = version.effective_from
    person = attrs.evolve(case.person, enrolled_on=None)
    scales = critical_illness_scales(version, cats)
    open_ = [s for s in scales if s.cap is None and s.top_ratio > 0]
    level = version.inpatient.levels[0].id if version.inpatient is not None else None
    if open_:
        # Far enough that an uncapped scale has passed every other scale's ceiling.
        ceiling = max(
            (s.cap if s.cap is not None else s.g(s.top_from) for s in scales if s not in open_),
            default=ZERO,
        )
        first = open_[0]
        x = max([s.top_from for s in open_] + [_far(first.top_from, ceiling, first.top_ratio)])
        step = max(
            case.delta,
            _ceil_fen(_QUOTIENT.divide(Decimal("0.02"), min(s.top_ratio for s in open_))),
        )
        claim = Claim(day, step, level, None, ZERO)
        r = target.calc.claims(
            target.series, person, [claim], year_to_date=YearToDate(critical_illness_base=x)
        ).claims[0]
        if r.critical_illness <= 0:
            return _fail(
                "不设封顶的大病保险待遇在高额累计费用之上不再支付",
                "an uncapped critical-illness profile stopped paying above a high accumulated cost",
                *case.facts(),
                ("year_to_date", _t(f"大病累计 {fmt(x)}", f"critical_illness_base {fmt(x)}")),
                ("claim", _claim_text(claim)),
                ("found", _amounts_text(r)),
            )
    aid = assistance_rules(version, cats)
    open_aid = [a for a in aid if a.cap is None and a.ratio > 0]
    if open_aid:
        j = sub(case.delta, reference_critical_illness(version, cats, case.delta))
        if mul(j, min(a.ratio for a in open_aid)) >= Decimal("0.02"):
            ceiling = max((a.cap for a in aid if a.cap is not None), default=ZERO)
            top = max(open_aid, key=lambda a: a.ratio)
            y = max([a.deductible for a in open_aid] + [_far(top.deductible, ceiling, top.ratio)])
            claim = Claim(day, case.delta, level, None, ZERO)
            ytd = YearToDate(assistance_base=y)
            r = target.calc.claims(target.series, person, [claim], year_to_date=ytd).claims[0]
            if r.assistance <= 0:
                return _fail(
                    "不设封顶的医疗救助在高额累计费用之上不再支付",
                    "an uncapped assistance rule stopped paying above a high accumulated cost",
                    *case.facts(),
                    ("year_to_date", _t(f"救助累计 {fmt(y)}", f"assistance_base {fmt(y)}")),
                    ("claim", _claim_text(claim)),
                    ("found", _amounts_text(r)),
                )
    return None


def _uncapped_applies(target: AuditTarget) -> Text | None:
    cats = target.common_categories()
    for v in target.claim_versions:
        if any(s.cap is None and s.top_ratio > 0 for s in critical_illness_scales(v, cats)):
            return None
        if any(a.cap is None and a.ratio > 0 for a in assistance_rules(v, cats)):
            return None
    return Text("没有不设封顶的待遇", "no profile without a cap")


# -- rounding -----------------------------------------------------------------------------------


def _check_rounding(target: AuditTarget, case: ClaimsCase) -> Counterexample | None:
    result = target.run(case.person, case.claims)

    def fail(zh: str, en: str, *facts: tuple[str, Text | str]) -> Counterexample:
        return _fail(zh, en, *case.facts(), *facts)

    for r in result.claims:
        values = {
            "basic": r.basic,
            "critical_illness": r.critical_illness,
            "assistance": r.assistance,
            "out_of_pocket": r.out_of_pocket,
            "individual_burden": r.individual_burden,
            "remaining": r.remaining,
        }
        for name, value in values.items():
            if not is_whole_fen(value):
                return fail(
                    "金额不是整分",
                    f"{name} is not a whole fen",
                    ("found", _same(f"#{r.index + 1}: {name} = {value}")),
                )
        if r.covered and (
            r.individual_burden != sub(r.claim.compliant, r.basic)
            or r.remaining != sub(r.individual_burden, r.critical_illness)
        ):
            return fail(
                "个人负担或剩余费用的算式不符",
                "i = compliant - basic or j = i - critical illness does not hold",
                ("found", _same(f"#{r.index + 1}: i = {r.individual_burden}, j = {r.remaining}")),
            )
    for totals in result.years:
        rs = [r for r in result.claims if r.claim.date.year == totals.year]
        sums = {
            "total": _sum(r.claim.bill for r in rs),
            "compliant": _sum(r.claim.compliant for r in rs),
            "basic": _sum(r.basic for r in rs),
            "critical_illness": _sum(r.critical_illness for r in rs),
            "assistance": _sum(r.assistance for r in rs),
            "out_of_pocket": _sum(r.out_of_pocket for r in rs),
        }
        for name, value in sums.items():
            if getattr(totals, name) != value:
                return fail(
                    "各次结算之和与年度合计不符",
                    f"the claims' {name} do not add up to the year's total",
                    (
                        "expected",
                        _t(
                            f"{totals.year} 年：{name} {fmt(value)}",
                            f"year {totals.year}: {name} {fmt(value)}",
                        ),
                    ),
                    (
                        "found",
                        _t(
                            f"{totals.year} 年：{name} {fmt(getattr(totals, name))}",
                            f"year {totals.year}: {name} {fmt(getattr(totals, name))}",
                        ),
                    ),
                )
        version = _single_version(target, [r.claim for r in rs])
        if version is None or totals.start != YearToDate():
            continue
        covered = sorted((r for r in rs if r.covered), key=lambda r: (r.claim.date, r.index))
        cats = held(version, case.person)
        x = _sum(r.individual_burden for r in covered)
        want = reference_layers(version, cats, [r.individual_burden for r in covered])
        for r, (want_ci, want_aid) in zip(covered, want, strict=True):
            if (r.critical_illness, r.assistance) == (want_ci, want_aid):
                continue
            return fail(
                "大病保险/医疗救助不等于按年度累计额计算的本次增量（以本次负担为限）："
                "min(i, F*(X后) − F*(X前))、min(j, A*(Y后) − A*(Y前))",
                "critical illness / assistance is not the step of the year's accumulated "
                "scale, at most what the claim adds: min(i, F*(X_after) - F*(X_before)), "
                "min(j, A*(Y_after) - A*(Y_before))",
                ("claim", _numbered(r.index, r.claim)),
                (
                    "expected",
                    _t(
                        f"大病保险 {fmt(want_ci)}，医疗救助 {fmt(want_aid)}"
                        f"（{totals.year} 年累计 F*({fmt(x)}) = "
                        f"{fmt(reference_critical_illness(version, cats, x))}）",
                        f"critical illness {fmt(want_ci)}, assistance {fmt(want_aid)} "
                        f"(year {totals.year}: F*({fmt(x)}) = "
                        f"{fmt(reference_critical_illness(version, cats, x))})",
                    ),
                ),
                (
                    "found",
                    _t(
                        f"大病保险 {fmt(r.critical_illness)}，医疗救助 {fmt(r.assistance)}",
                        f"critical illness {fmt(r.critical_illness)}, "
                        f"assistance {fmt(r.assistance)}",
                    ),
                ),
            )
    return None


# -- favourability of the tariff (就高不重复: every category at least the base) ----------------


@attrs.frozen
class Probe:
    """A category's adjusted profile against the base in one section of one version, at one
    cost (and, for basic insurance, one hospital level and basic paid before)."""

    version: str
    category: str
    section: Section
    cost: Decimal
    level: str | None = None
    paid_before: Decimal = ZERO

    def facts(self) -> list[Fact]:
        name = SECTION_NAMES[self.section]
        level = self.level
        where = _t(
            name.zh + (f"，{level}" if level else ""),
            name.en + (f", level {level}" if level else ""),
        )
        cost = _same(fmt(self.cost))
        if self.paid_before:
            paid = fmt(self.paid_before)
            cost = _t(
                f"{cost.zh}（此前已付基本医保 {paid}）", f"{cost.en} (basic paid before {paid})"
            )
        return [
            ("tariff", _same(self.version)),
            ("category", _same(self.category)),
            ("section", where),
            ("cost", cost),
        ]


def _probe_pays(target: AuditTarget, p: Probe) -> tuple[Decimal, Decimal]:
    """(what the base pays, what the category's own profile pays) at the probe."""
    t = target.book.get(target.series, p.version)
    if p.section == "inpatient":
        rules = basic_rules(t, [p.category])
        assert p.level is not None
        return rules[0].pays(t, p.level, p.cost, p.paid_before), rules[-1].pays(
            t, p.level, p.cost, p.paid_before
        )
    if p.section == "critical_illness":
        scales = critical_illness_scales(t, [p.category])
        return scales[0].f(p.cost, t.rounding), scales[-1].f(p.cost, t.rounding)
    aid = assistance_rules(t, [p.category])
    return ZERO, aid[0].a(p.cost, t.rounding)


Section = Literal["inpatient", "critical_illness", "medical_assistance"]


def _adjusted(t: Tariff) -> list[tuple[Section, str]]:
    """(section, category) pairs with a category rule in version ``t``."""
    out: list[tuple[Section, str]] = []
    if t.inpatient is not None:
        out += [("inpatient", a.category) for a in t.inpatient.adjustments]
    if t.critical_illness is not None:
        out += [("critical_illness", a.category) for a in t.critical_illness.adjustments]
    if t.medical_assistance is not None:
        out += [("medical_assistance", r.category) for r in t.medical_assistance.eligible]
    return out


def _reach(lower: Decimal, ratio: Decimal, amount: Decimal | None) -> list[Decimal]:
    """Costs around where a linear piece from ``lower`` at ``ratio`` pays ``amount``."""
    if amount is None or ratio <= 0:
        return []
    at = add(lower, _ceil_fen(_QUOTIENT.divide(amount, ratio)))
    return [at, add(at, CENT)]


def _scale_points(s: Scale) -> list[Decimal]:
    points = s.bounds()
    if s.cap is not None:
        for lower, _, ratio in s.segments:
            points += _reach(lower, ratio, sub(s.cap, s.g(lower)) if s.g(lower) < s.cap else None)
    return points


def _costs(points: Iterable[Decimal]) -> list[Decimal]:
    """The points, a fen either side, 0 and a huge cost, sorted, within money range."""
    out = {ZERO, HUGE}
    for p in points:
        for q in (sub(p, CENT), p, add(p, CENT)):
            if ZERO <= q <= HUGE:
                out.add(q)
    return sorted(out)


def _probe_costs(t: Tariff, section: str, category: str, level: str | None) -> list[Decimal]:
    if section == "critical_illness":
        return _costs(p for s in critical_illness_scales(t, [category]) for p in _scale_points(s))
    if section == "medical_assistance":
        aid = assistance_rules(t, [category])[0]
        return _costs([aid.deductible, *_reach(aid.deductible, aid.ratio, aid.cap)])
    assert t.inpatient is not None and level is not None
    lv = t.inpatient.level(level)
    assert lv is not None
    points = [lv.deductible]
    for rule in basic_rules(t, [category]):
        d = (
            lv.deductible
            if rule.factor is None
            else _round(mul(lv.deductible, rule.factor), t.rounding)
        )
        points += [d, *_reach(d, min(ONE, add(lv.ratio, rule.bonus)), rule.cap)]
    return _costs(points)


def _favourable_probes(target: AuditTarget) -> Iterator[Probe]:
    """For each comparison (version, section, category, level), the smallest failing cost.

    The compared amounts are piecewise linear between the bounds and cap points of the two
    profiles, so a shortfall shows at one of them (or at a huge cost, past every bound); the
    first failing point is then brought down, by bisection to the fen, to where the shortfall
    starts (e.g. where the base passes the category's lower cap).
    """
    for t in target.versions:
        for section, category in _adjusted(t):
            levels: list[str | None] = [None]
            if section == "inpatient" and t.inpatient is not None:
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
        mid = _QUOTIENT.divide(add(good, bad), Decimal(2)).quantize(
            CENT, rounding=decimal.ROUND_FLOOR, context=_ROUNDING
        )
        if fails(mid):
            bad = mid
        else:
            good = mid
    return bad


def _favourable_cases(target: AuditTarget) -> st.SearchStrategy[Probe]:
    @st.composite
    def case(draw: st.DrawFn) -> Probe:
        t = draw(st.sampled_from([v for v in target.versions if _adjusted(v)]))
        section, category = draw(st.sampled_from(_adjusted(t)))
        level = None
        if section == "inpatient" and t.inpatient is not None:
            level = draw(st.sampled_from([lv.id for lv in t.inpatient.levels]))
        cost = draw(
            st.sampled_from(_probe_costs(t, section, category, level))
            | amounts(max_value=Decimal("2000000.00"))
        )
        paid = draw(amounts(max_value=Decimal("500000.00"))) if section == "inpatient" else ZERO
        return Probe(t.version, category, section, cost, level, paid)

    return case()


def _check_favourable(target: AuditTarget, p: Probe) -> Counterexample | None:
    base, own = _probe_pays(target, p)
    if own >= base:
        return None
    return _fail(
        f"类别 {p.category} 的待遇低于普通参保人（{SECTION_NAMES[p.section].zh}）",
        f"category {p.category}'s own profile pays less than the base profile ({p.section})",
        *p.facts(),
        ("expected", _t(f"不低于普通参保人：{fmt(base)}", f"at least the base: {fmt(base)}")),
        ("found", _t(f"{p.category}：{fmt(own)}", f"{p.category}: {fmt(own)}")),
    )


def _favourable_applies(target: AuditTarget) -> Text | None:
    if any(_adjusted(v) for v in target.versions):
        return None
    return Text("没有类别调整规则", "no category rule to compare with the base")


# -- holding one more category (就高: never worse off) ----------------------------------------


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
                _t(
                    f"+ {self.extra}（{self.year} 年保费，养老缴费档次 {grade_zh}）",
                    f"+ {self.extra} (premiums of {self.year}, pension grade {grade})",
                ),
            ),
        ]


def _premium_version(target: AuditTarget, year: int) -> Tariff | None:
    day = dt.date(year, 1, 1)
    return next((v for v in target.versions if v.in_force_on(day)), None)


def _extra_cases(target: AuditTarget) -> st.SearchStrategy[ExtraCategoryCase]:
    common = target.common_categories()

    @st.composite
    def case(draw: st.DrawFn) -> ExtraCategoryCase:
        year, _version, base = draw(_window_case(target, min_size=0, max_size=4))
        extra = draw(st.sampled_from(common))
        person = attrs.evolve(base.person, categories=base.person.categories - {extra})
        grade = None
        pv = _premium_version(target, year)
        if pv is not None and pv.pension_premium is not None:
            cats = frozenset(held(pv, person))
            open_ = [g.amount for g in pv.pension_premium.grades if g.open_to(cats)]
            grade = draw(st.sampled_from([None, *open_]))
        return ExtraCategoryCase(ClaimsCase(person, base.claims), extra, year, grade)

    return case()


def _check_extra(target: AuditTarget, case: ExtraCategoryCase) -> Counterexample | None:
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
                want = reference_pension_government(pv, cats, p.grade)
                if p.government_pays != want:
                    return _fail(
                        "养老保险政府代缴不等于按各类别单独可选最低档次计算的结果",
                        "the pension 代缴 is not what each category's own lowest open grade "
                        "gives (spec §4.2)",
                        *case.facts(),
                        ("expected", fmt(want)),
                        ("found", fmt(p.government_pays)),
                    )
        for name, without, with_ in pairs:
            if with_ > without:
                return _fail(
                    f"多持有类别 {case.extra} 后，个人缴费反而增加（{name}）",
                    f"holding category {case.extra} as well raised what the person pays "
                    f"({name} premium)",
                    *case.facts(),
                    ("expected", _t(f"不超过 {fmt(without)}", f"at most {fmt(without)}")),
                    ("found", fmt(with_)),
                )
    if case.case.claims:
        without = _benefit(target.run(person, case.case.claims).claims)
        with_ = _benefit(target.run(more, case.case.claims).claims)
        if with_ < without:
            return _fail(
                f"多持有类别 {case.extra} 后，年度待遇合计反而减少",
                f"holding category {case.extra} as well lowered the year's total benefit",
                *case.facts(),
                ("expected", _t(f"不少于 {fmt(without)}", f"at least {fmt(without)}")),
                ("found", fmt(with_)),
            )
    return None


def _extra_applies(target: AuditTarget) -> Text | None:
    if target.common_categories():
        return None
    return Text("没有声明人员类别", "no declared category")


# -- higher cost, higher ratio (费用越高报销比例越高) ---------------------------------------------


@attrs.frozen
class RatioProbe:
    """One critical-illness profile (``base`` or a category) of one version."""

    version: str
    profile: str

    def facts(self) -> list[Fact]:
        return [("tariff", _same(self.version)), ("profile", _same(self.profile))]


def _ratio_probes(target: AuditTarget) -> list[RatioProbe]:
    out = []
    for t in target.versions:
        if t.critical_illness is None:
            continue
        out.append(RatioProbe(t.version, BASE))
        out += [RatioProbe(t.version, a.category) for a in t.critical_illness.adjustments]
    return out


def _check_ratios(target: AuditTarget, p: RatioProbe) -> Counterexample | None:
    t = target.book.get(target.series, p.version)
    scales = critical_illness_scales(t, [] if p.profile == BASE else [p.profile])
    scale = scales[-1]
    ratios = [r for _, _, r in scale.segments]
    for k in range(1, len(ratios)):
        if ratios[k] < ratios[k - 1]:
            lower = scale.segments[k][0]
            shown = "; ".join(
                f"{fmt(lo)}-{'' if hi is None else fmt(hi)}: {r}" for lo, hi, r in scale.segments
            )
            return _fail(
                "大病保险分段比例随累计费用升高而下降（应为费用越高报销比例越高）",
                "a critical-illness segment ratio falls as the accumulated cost rises",
                *p.facts(),
                ("segments", shown),
                (
                    "found",
                    _t(
                        f"{fmt(lower)} 以上比例由 {ratios[k - 1]} 降为 {ratios[k]}",
                        f"above {fmt(lower)} the ratio falls from {ratios[k - 1]} to {ratios[k]}",
                    ),
                ),
            )
    return None


def _ratio_applies(target: AuditTarget) -> Text | None:
    if _ratio_probes(target):
        return None
    return Text("没有大病保险部分", "no critical_illness section")


# -- version locality -----------------------------------------------------------------------------


@attrs.frozen
class LocalityCase:
    """Claims across versions; versions starting on or after ``cut`` are changed."""

    case: ClaimsCase
    cut: dt.date | None

    def facts(self) -> list[Fact]:
        if self.cut is None:
            change = _t("无", "none")
        else:
            day = self.cut.isoformat()
            change = _t(
                f"自 {day} 起的版本改动，并在最后一个版本之后增加一个版本",
                f"versions from {day} changed, one added after the last",
            )
        return [*self.case.facts(), ("change", change)]


def _locality_cases(target: AuditTarget) -> st.SearchStrategy[LocalityCase]:
    cuts = [v.effective_from for v in target.versions[1:]]

    @st.composite
    def case(draw: st.DrawFn) -> LocalityCase:
        base = draw(_year_case(target, min_size=1, max_size=6, years=2))
        cut = draw(st.sampled_from(cuts)) if cuts else None
        return LocalityCase(base, cut)

    return case()


def _changed(t: Tariff, name: str) -> Tariff:
    """Another version for the same period: every ratio halved, thresholds raised."""

    def half(r: Decimal) -> Decimal:
        return mul(r, Decimal("0.5"))

    out = attrs.evolve(t, version=name, sha256="changed-" + t.sha256[:8])
    if t.inpatient is not None:
        levels = tuple(
            attrs.evolve(lv, ratio=half(lv.ratio), deductible=add(lv.deductible, Decimal("100.00")))
            for lv in t.inpatient.levels
        )
        out = attrs.evolve(out, inpatient=attrs.evolve(t.inpatient, levels=levels))
    if t.critical_illness is not None:
        ci = t.critical_illness
        segments = tuple(attrs.evolve(s, ratio=half(s.ratio)) for s in ci.segments)
        out = attrs.evolve(
            out, critical_illness=attrs.evolve(ci, segments=segments, adjustments=())
        )
    if t.medical_assistance is not None:
        eligible = tuple(
            attrs.evolve(r, ratio=half(r.ratio)) for r in t.medical_assistance.eligible
        )
        out = attrs.evolve(
            out, medical_assistance=attrs.evolve(t.medical_assistance, eligible=eligible)
        )
    return out


def _check_locality(target: AuditTarget, case: LocalityCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    whole = target.run(person, claims)
    # A claim depends only on the version in force on its date and the accumulators before it.
    for r in whole.claims:
        alone = (
            target.alone(r.tariff.version)
            .claims(target.series, person, [r.claim], year_to_date=r.before)
            .claims[0]
        )
        if _amounts_of(alone) != _amounts_of(r):
            return _fail(
                "某次结算的金额不只取决于其日期适用的版本和此前的累计",
                "a claim's amounts depend on more than the version in force on its date and the "
                "accumulators before it",
                *case.facts(),
                ("claim", _numbered(r.index, r.claim)),
                ("tariff", _same(r.tariff.version)),
                ("year_to_date", _ytd_text(r.before)),
                ("expected", _amounts_text(r)),
                (
                    "found",
                    _t(
                        f"{_amounts_text(alone).zh}（只载入版本 {r.tariff.version}）",
                        f"{_amounts_text(alone).en} (with only version {r.tariff.version} loaded)",
                    ),
                ),
            )
    # Changing later versions, or adding one for a later period, leaves earlier claims alone.
    cut = case.cut
    if cut is None:
        return None
    versions = [
        v if v.effective_from < cut else _changed(v, v.version + "-changed")
        for v in target.versions
    ]
    last = target.versions[-1]
    if last.effective_to is not None and last.effective_to < dt.date(9999, 1, 1):
        start = last.effective_to + dt.timedelta(days=1)
        versions.append(
            attrs.evolve(_changed(last, "added-later"), effective_from=start, effective_to=None)
        )
    others = [t for t in target.book if t.series != target.series]
    calc = Calculator(TariffBook.of([*others, *versions]))
    early = [c for c in claims if c.date < cut]
    changed = calc.claims(target.series, person, early)
    early_results = [r for r in whole.claims if r.claim.date < cut]
    for a, b in zip(early_results, changed.claims, strict=True):
        if _amounts_of(a) != _amounts_of(b):
            return _fail(
                "改变后续版本后，较早结算的金额改变",
                "changing a later version changed an earlier claim's amounts",
                *case.facts(),
                ("claim", _numbered(a.index, a.claim)),
                ("expected", _amounts_text(a)),
                ("found", _amounts_text(b)),
            )
    return None


# -- the registry ---------------------------------------------------------------------------------


def _needs_claims(target: AuditTarget) -> Text | None:
    if target.claim_versions:
        return None
    return Text(
        "没有可计算住院结算的版本（缺大病保险部分）",
        "no version can compute claims (no critical_illness section)",
    )


def _no_probes(_target: AuditTarget) -> Iterable[Any]:
    return ()


@attrs.frozen
class Invariant(Generic[C]):
    """A named invariant: its case strategy for a target and its check.

    ``level``: ``claims`` (random persons and claims against the tariff: checks the
    calculation) or ``tariff`` (a property of the tariff table itself). ``probes``: fixed cases
    tried before the random search (the tariff-level invariants try every bound and cap).
    """

    name: str
    title: Text
    level: Literal["claims", "tariff"]
    cases: Callable[[AuditTarget], st.SearchStrategy[C]]
    check: Callable[[AuditTarget, C], Counterexample | None]
    applies: Callable[[AuditTarget], Text | None] = _needs_claims
    probes: Callable[[AuditTarget], Iterable[C]] = _no_probes

    def falsify(self, target: AuditTarget, case: C) -> Counterexample | None:
        """Check one case; a counterexample when it breaks the invariant (an exception raised
        by the calculation on this valid case counts as breaking it)."""
        return _guarded(self.check, target, case)

    def search(self, target: AuditTarget, *, examples: int, seed: int) -> Counterexample | None:
        """A minimal counterexample on ``target``, or None (also when the invariant does not
        apply)."""
        if self.applies(target) is not None:
            return None
        for case in self.probes(target):
            found = _guarded(self.check, target, case)
            if found is not None:
                return found
        rnd = random.Random(f"{seed}:{self.name}:{target.series}")
        try:
            case = find(
                self.cases(target),
                lambda c: _guarded(self.check, target, c) is not None,
                settings=_settings(examples),
                random=rnd,
            )
        except NoSuchExample:
            return None
        return _guarded(self.check, target, case)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )


_ALL: list[Invariant[Any]] = [
    Invariant(
        "split",
        Text("拆分不变（年度累计）", "split invariance"),
        "claims",
        _split_cases,
        _check_split,
    ),
    Invariant("order", Text("顺序不变", "order invariance"), "claims", _order_cases, _check_order),
    Invariant(
        "year_to_date",
        Text("年度累计等价", "year-to-date equivalence"),
        "claims",
        _ytd_cases,
        _check_ytd,
    ),
    Invariant(
        "monotonic",
        Text("费用越高待遇不减", "monotonicity"),
        "claims",
        _more_cost_cases,
        _check_more_cost,
    ),
    Invariant(
        "bounds",
        Text("支付界限与封顶线", "bounds and caps"),
        "claims",
        lambda t: _year_case(t, max_size=6, years=2),
        _check_bounds,
    ),
    Invariant(
        "uncapped",
        Text("不设封顶", "uncapped keeps paying"),
        "claims",
        _uncapped_cases,
        _check_uncapped,
        _uncapped_applies,
    ),
    Invariant(
        "rounding",
        Text("舍入与合计", "rounding and totals"),
        "claims",
        lambda t: _year_case(t, max_size=6, years=2),
        _check_rounding,
    ),
    Invariant(
        "favourable",
        Text("类别待遇不低于普通参保人", "favourable profiles"),
        "tariff",
        _favourable_cases,
        _check_favourable,
        _favourable_applies,
        _favourable_probes,
    ),
    Invariant(
        "extra_category",
        Text("多一个类别不吃亏（就高不重复）", "extra category never hurts"),
        "claims",
        _extra_cases,
        _check_extra,
        _extra_applies,
    ),
    Invariant(
        "rising_ratios",
        Text("费用越高报销比例越高", "higher cost, higher ratio"),
        "tariff",
        lambda t: st.sampled_from(_ratio_probes(t)),
        _check_ratios,
        _ratio_applies,
        _ratio_probes,
    ),
    Invariant(
        "version_locality",
        Text("版本局部性", "version locality"),
        "claims",
        _locality_cases,
        _check_locality,
    ),
]

INVARIANTS: dict[str, Invariant[Any]] = {inv.name: inv for inv in _ALL}
"""Every invariant by name, in the order the audit runs them."""


# -- running ------------------------------------------------------------------------------


def run_invariant(
    name: str,
    book_or_tariffs: TariffBook | Tariff | Iterable[Tariff],
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    *,
    series: str | None = None,
) -> Verdict:
    """Check invariant ``name`` on one series (``series``, or the only one) with ``examples``
    random cases; the same ``seed`` gives the same verdict and counterexample."""
    invariant = INVARIANTS.get(name)
    if invariant is None:
        raise ValueError(f"no invariant {name!r} (invariants: {', '.join(INVARIANTS)})")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"examples={examples!r} must be a whole number, 1 or more")
    target = AuditTarget.of(book_or_tariffs, series)
    return _run(invariant, target, examples, seed)


def _run(invariant: Invariant[Any], target: AuditTarget, examples: int, seed: int) -> Verdict:
    started = time.perf_counter()
    reason = invariant.applies(target)
    if reason is not None:
        return Verdict(invariant.name, target.series, "n/a", 0, seed, 0.0, None, reason)
    found = invariant.search(target, examples=examples, seed=seed)
    seconds = time.perf_counter() - started
    status: Status = "pass" if found is None else "fail"
    return Verdict(invariant.name, target.series, status, examples, seed, seconds, found)


def run_audit(
    book: TariffBook,
    series: Sequence[str] = (),
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    invariants: Sequence[str] = (),
    on_verdict: Callable[[Verdict], None] | None = None,
) -> list[Verdict]:
    """Every invariant (or those named) on every series of ``book`` (or those named)."""
    for name in invariants:
        if name not in INVARIANTS:
            raise ValueError(f"no invariant {name!r} (invariants: {', '.join(INVARIANTS)})")
    names = [name for name in INVARIANTS if not invariants or name in invariants]
    out = []
    for s in series or book.series():
        target = AuditTarget(book, s)
        for name in names:
            verdict = _run(INVARIANTS[name], target, examples, seed)
            out.append(verdict)
            if on_verdict is not None:
                on_verdict(verdict)
    return out


def _search(
    name: str, tariffs: Tariffs, series: str | None, examples: int, seed: int
) -> Counterexample | None:
    return INVARIANTS[name].search(AuditTarget.of(tariffs, series), examples=examples, seed=seed)


def split_invariance(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Splitting a stay's individual burden into several claims of the same year (basic_paid
    split with it) leaves the year's critical-illness and assistance totals unchanged — less,
    in the half_even corner of spec §4.3, the fen min(i, step) holds back, which a split may
    hold back elsewhere (it then stays in the assistance base).

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("split", book_or_tariffs, series, examples, seed)


def order_invariance(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Giving the claims in another order (same-day claims keeping their relative order)
    leaves every claim's amounts unchanged.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("order", book_or_tariffs, series, examples, seed)


def year_to_date_equivalence(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Computing claims [a, b] together, or b alone from the accumulators a leaves, gives
    the same amounts for b (spec §4.4).

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("year_to_date", book_or_tariffs, series, examples, seed)


def monotonicity(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """More compliant cost in a year (under one version) never lowers the year's total
    benefit (basic + critical illness + assistance).

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("monotonic", book_or_tariffs, series, examples, seed)


def bounds(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Every payment is 0 or more; basic + critical illness + assistance is at most the
    compliant cost; out of pocket is between total - compliant and total; caps hold.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("bounds", book_or_tariffs, series, examples, seed)


def uncapped(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """A profile without a cap (不设封顶) keeps paying: above every capped profile's
    ceiling, one more claim still pays.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("uncapped", book_or_tariffs, series, examples, seed)


def rounding(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Every amount is a whole fen; the claims add up to the year's totals exactly; under
    one version each claim pays min(i, F*(X_after) - F*(X_before)) and min(j, A*(Y_after) -
    A*(Y_before)) of the scales rounded once on the year's accumulation.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("rounding", book_or_tariffs, series, examples, seed)


def favourability(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Tariff-level: each category's own profile pays at least the base profile at every
    cost (basic, critical illness, assistance).

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("favourable", book_or_tariffs, series, examples, seed)


def extra_category(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Holding one more category never raises what the person pays in premiums nor
    lowers the year's total benefit.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("extra_category", book_or_tariffs, series, examples, seed)


def rising_ratios(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """Tariff-level: critical-illness segment ratios never fall as the accumulated cost
    rises (base and each category, after the bonus).

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("rising_ratios", book_or_tariffs, series, examples, seed)


def version_locality(
    book_or_tariffs: Tariffs,
    *,
    series: str | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> Counterexample | None:
    """A claim's amounts depend only on the version in force on its date and the
    accumulators before it; changing a later version or adding one changes no earlier claim.

    Returns a minimal :class:`Counterexample`, or None.
    """
    return _search("version_locality", book_or_tariffs, series, examples, seed)
