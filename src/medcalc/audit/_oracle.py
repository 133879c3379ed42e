"""The audit's oracle: the contract's formulas (spec §4) read afresh from a tariff, over fractions.

It shares nothing with :mod:`medcalc.chain` but the input type :class:`~medcalc.chain.Person`:
no profile type, no rounding helper, no accumulator, no memo. The chain builds each candidate's
bands once, finds the band of an accumulated cost by bisection and carries the scale's value from
one claim to the next; the oracle writes the definitions as the spec words them and evaluates
them exactly, with :class:`fractions.Fraction`:

- round(v) (spec §1) is to the fen of an exact fraction, ``half_up`` (a tie away from 0) or
  ``half_even`` — no rounding decimal context anywhere;
- the candidates of a section (就高不重复, spec §4) are the base and one per category the person
  holds that the section has a rule for; the result is the largest of them;
- critical illness: G(x) = Σ_k max(0, min(x, to_k) − to_(k−1)) × r_k with to_0 = T, summed over
  every segment; F(x) = min(round(G(x)), cap); F*(x) = the largest F;
- assistance: A(y) = min(round(max(0, y − deductible) × ratio), cap), A*(y) the largest (0 for a
  person with no eligible category);
- a claim's layer payment telescopes the year's accumulation, from 0 at the start of the year:
  min(i, F*(X_after) − F*(X_before)), then with j = i − that, min(j, A*(Y_after) − A*(Y_before));
- pension 代缴 (spec §4.2) is measured on each category's own base M_c.

The terms of a candidate (thresholds, bounds, ratios after the bonus, caps) are kept as the
tariff's ``Decimal`` values (their sums made with :data:`medcalc.money.EXACT`, which refuses to
round), so a counterexample shows them as written; only the formulas are computed over
fractions, and every amount they return is a whole-fen ``Decimal``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from medcalc.chain import Person
from medcalc.money import EXACT, Rounding
from medcalc.tariff import BASE, AmountPayment, Cap, Segment, SharePayment, Tariff

ZERO = Decimal("0.00")
ONE = Decimal(1)
_NOTHING = Fraction(0)
_HALF = Fraction(1, 2)
_FEN = Fraction(1, 100)


# -- exact money ----------------------------------------------------------------------------------


def to_fen(value: Fraction, mode: Rounding) -> Fraction:
    """round(value) of spec §1: to 0.01 yuan, ``half_up`` (ties away from 0) or ``half_even``."""
    if mode not in ("half_up", "half_even"):
        raise ValueError(f"no rounding {mode!r} (half_up or half_even)")
    fen = value * 100
    down = math.floor(fen)
    rest = fen - down
    tie_up = value >= 0 if mode == "half_up" else down % 2 == 1
    if rest > _HALF or (rest == _HALF and tie_up):
        down += 1
    return Fraction(down, 100)


def fen_up(value: Fraction) -> Decimal:
    """The smallest whole fen at or above ``value`` (where a scale first reaches an amount)."""
    return money(Fraction(math.ceil(value * 100), 100))


def fen_down(value: Fraction) -> Decimal:
    """The largest whole fen at or below ``value``."""
    return money(Fraction(math.floor(value * 100), 100))


def money(value: Fraction) -> Decimal:
    """A whole number of fen as a ``Decimal`` with 2 places (exact: no context is involved)."""
    fen = value * 100
    if fen.denominator != 1:
        raise ValueError(f"{value} is not a whole number of fen")
    whole, cents = divmod(abs(fen.numerator), 100)
    return Decimal(f"{'-' if fen < 0 else ''}{whole}.{cents:02d}")


def _at_most(value: Fraction, cap: Decimal | None) -> Fraction:
    """min(value, cap); no cap (不设封顶) leaves the value."""
    return value if cap is None else min(value, Fraction(cap))


def largest_cap(caps: Iterable[Decimal | None]) -> Decimal | None:
    """The largest of the candidates' caps; None when one has no cap (or there is none)."""
    found = list(caps)
    if not found or any(c is None for c in found):
        return None
    return max(c for c in found if c is not None)


# -- who holds what, and the candidates (spec §4) -----------------------------------------------


def held(tariff: Tariff, person: Person) -> tuple[str, ...]:
    """Categories ``person`` holds under ``tariff``: given, or matched by disability rules."""
    return tuple(
        c.id
        for c in tariff.categories
        if c.id in person.categories
        or any(r.matches(person.disability_grade, person.disability_type) for r in c.disability)
    )


def _holders(ruled: Iterable[str], categories: Sequence[str]) -> Iterator[str]:
    """The categories the person holds that the section has a rule for, in the person's order:
    each gives one candidate besides the base, and no two are ever combined."""
    rules = set(ruled)
    return (c for c in categories if c in rules)


# -- critical illness (大病保险, spec §4.3) -------------------------------------------------------


@attrs.frozen
class Scale:
    """One critical-illness candidate as the tariff gives it: threshold T, the segments as
    (to_(k−1), to_k, r_k) with to_0 = T, to_k absolute (None: the open last one) and r_k after
    the bonus (at most 1), and the cap (None: 不设封顶).

    ``g`` and ``f`` evaluate G and F of spec §4.3 exactly, over fractions.
    """

    name: str
    threshold: Decimal
    segments: tuple[tuple[Decimal, Decimal | None, Decimal], ...]
    cap: Decimal | None
    rounding: Rounding
    _exact: tuple[tuple[Fraction, Fraction | None, Fraction], ...] = attrs.field(
        init=False, eq=False, repr=False
    )

    @_exact.default
    def _fractions(self) -> tuple[tuple[Fraction, Fraction | None, Fraction], ...]:
        return tuple(
            (Fraction(lo), None if hi is None else Fraction(hi), Fraction(r))
            for lo, hi, r in self.segments
        )

    def g(self, x: Decimal | Fraction) -> Fraction:
        """G(x) = Σ_k max(0, min(x, to_k) − to_(k−1)) × r_k, exact and unrounded."""
        at = Fraction(x)
        return sum(
            (
                max(_NOTHING, (at if hi is None else min(at, hi)) - lo) * r
                for lo, hi, r in self._exact
            ),
            _NOTHING,
        )

    def exact_f(self, x: Decimal | Fraction) -> Fraction:
        """F(x) = min(round(G(x)), cap), as a fraction."""
        return _at_most(to_fen(self.g(x), self.rounding), self.cap)

    def f(self, x: Decimal | Fraction) -> Decimal:
        """F(x) = min(round(G(x)), cap)."""
        return money(self.exact_f(x))

    @property
    def top_ratio(self) -> Decimal:
        """The ratio of the last segment (0 without segments)."""
        return self.segments[-1][2] if self.segments else ZERO

    @property
    def top_from(self) -> Decimal:
        """Where the last segment starts (T without segments)."""
        return self.segments[-1][0] if self.segments else self.threshold

    def bounds(self) -> list[Decimal]:
        """T and every closed segment's upper bound."""
        return [self.threshold, *(hi for _, hi, _ in self.segments if hi is not None)]

    def kinks(self) -> list[Decimal]:
        """The costs where F bends: the bounds, and where each segment would reach the cap."""
        points = self.bounds()
        if self.cap is not None:
            for lo, _, r in self.segments:
                left = Fraction(self.cap) - self.g(lo)
                if left > 0:
                    points += reach(lo, r, left)
        return points


def _scale(
    name: str,
    threshold: Decimal,
    segments: Sequence[Segment],
    bonus: Decimal,
    cap: Cap,
    *,
    above_threshold: bool,
    rounding: Rounding,
) -> Scale:
    """A candidate's segments read from the tariff: to_0 = T; with ``bounds: above_threshold``
    each ``to`` is T + to; r_k = min(1, ratio + bonus); the open segment is the last."""
    out = []
    lower = threshold
    for s in segments:
        upper = s.upper
        if upper is not None and above_threshold:
            upper = EXACT.add(threshold, upper)
        out.append((lower, upper, min(ONE, EXACT.add(s.ratio, bonus))))
        if upper is None:
            break
        lower = upper
    return Scale(name, threshold, tuple(out), cap.amount, rounding)


def critical_illness_scales(tariff: Tariff, categories: Sequence[str]) -> list[Scale]:
    """The base scale, then one per held category with a rule (none without the section)."""
    section = tariff.critical_illness
    if section is None:
        return []
    above, mode = section.bounds == "above_threshold", tariff.rounding
    base = _scale(
        BASE,
        section.threshold,
        section.segments,
        ZERO,
        section.annual_cap,
        above_threshold=above,
        rounding=mode,
    )
    rules = {a.category: a for a in section.adjustments}
    scales = [base]
    for cat in _holders((a.category for a in section.adjustments), categories):
        rule = rules[cat]
        threshold = section.threshold
        if rule.threshold is not None:
            threshold = rule.threshold
        elif rule.threshold_factor is not None:
            exact = Fraction(section.threshold) * Fraction(rule.threshold_factor)
            threshold = money(to_fen(exact, tariff.rounding))
        segments = rule.segments if rule.segments is not None else section.segments
        bonus = rule.ratio_bonus if rule.ratio_bonus is not None else ZERO
        cap = rule.annual_cap if rule.annual_cap is not None else section.annual_cap
        scales.append(
            _scale(cat, threshold, segments, bonus, cap, above_threshold=above, rounding=mode)
        )
    return scales


def _best_f(scales: Sequence[Scale], x: Fraction) -> Fraction:
    """F*(x): the largest F of the candidates (0 without any)."""
    return max((s.exact_f(x) for s in scales), default=_NOTHING)


def reference_critical_illness(tariff: Tariff, categories: Sequence[str], x: Decimal) -> Decimal:
    """F*(x): the largest critical-illness scale of the candidates at accumulated cost ``x``."""
    return money(_best_f(critical_illness_scales(tariff, categories), Fraction(x)))


# -- medical assistance (医疗救助, spec §4.3) -----------------------------------------------------


@attrs.frozen
class AidRule:
    """A medical-assistance candidate: A(y) = min(round(max(0, y − deductible) × ratio), cap)."""

    name: str
    ratio: Decimal
    deductible: Decimal
    cap: Decimal | None
    rounding: Rounding

    def exact_a(self, y: Decimal | Fraction) -> Fraction:
        above = max(_NOTHING, Fraction(y) - Fraction(self.deductible))
        return _at_most(to_fen(above * Fraction(self.ratio), self.rounding), self.cap)

    def a(self, y: Decimal | Fraction) -> Decimal:
        """A(y), as a whole-fen amount."""
        return money(self.exact_a(y))

    def kinks(self) -> list[Decimal]:
        """Where A bends: the deductible and where it reaches the cap."""
        cap = None if self.cap is None else Fraction(self.cap)
        return [self.deductible, *reach(self.deductible, self.ratio, cap)]


def assistance_rules(tariff: Tariff, categories: Sequence[str]) -> list[AidRule]:
    """One candidate per held eligible category (no base: the others get nothing)."""
    section = tariff.medical_assistance
    if section is None:
        return []
    rules = {r.category: r for r in section.eligible}
    return [
        AidRule(
            cat,
            rules[cat].ratio,
            rules[cat].deductible,
            rules[cat].annual_cap.amount,
            tariff.rounding,
        )
        for cat in _holders((r.category for r in section.eligible), categories)
    ]


def _best_a(rules: Sequence[AidRule], y: Fraction) -> Fraction:
    """A*(y): the largest A of the eligible candidates (0 when none)."""
    return max((r.exact_a(y) for r in rules), default=_NOTHING)


def reference_assistance(tariff: Tariff, categories: Sequence[str], y: Decimal) -> Decimal:
    """A*(y): the largest assistance of the eligible candidates (0 when none)."""
    return money(_best_a(assistance_rules(tariff, categories), Fraction(y)))


# -- the year's claims: telescoping the accumulations -------------------------------------------


def reference_layers(
    tariff: Tariff, categories: Sequence[str], burdens: Sequence[Decimal]
) -> list[tuple[Decimal, Decimal]]:
    """Each claim's (critical illness, assistance) from the year's start, given the claims'
    burdens i in processing order (spec §4.3): min(i, F*(X_after) − F*(X_before)), then with
    j = i − that, min(j, A*(Y_after) − A*(Y_before)). A layer never pays more than it covers."""
    scales = critical_illness_scales(tariff, categories)
    rules = assistance_rules(tariff, categories)
    out = []
    x = y = _NOTHING  # the year's accumulated i and j before the claim
    for burden in burdens:
        i = Fraction(burden)
        ci = min(i, _best_f(scales, x + i) - _best_f(scales, x))
        j = i - ci
        aid = min(j, _best_a(rules, y + j) - _best_a(rules, y))
        out.append((money(ci), money(aid)))
        x, y = x + i, y + j
    return out


# -- basic inpatient insurance (spec §4.3) --------------------------------------------------------


@attrs.frozen
class BasicRule:
    """A basic-inpatient candidate at one hospital level: deductible d (rounded), ratio r (at
    most 1) and the candidate's annual cap (None: none)."""

    name: str
    deductible: Decimal
    ratio: Decimal
    cap: Decimal | None
    rounding: Rounding

    def pays(self, compliant: Decimal, paid_before: Decimal) -> Decimal:
        """min(round(max(0, compliant − d) × r), max(0, cap − basic paid before))."""
        above = max(_NOTHING, Fraction(compliant) - Fraction(self.deductible))
        raw = to_fen(above * Fraction(self.ratio), self.rounding)
        if self.cap is not None:
            raw = min(raw, max(_NOTHING, Fraction(self.cap) - Fraction(paid_before)))
        return money(raw)

    def kinks(self) -> list[Decimal]:
        """Where the payment bends: the deductible and where it reaches the cap."""
        cap = None if self.cap is None else Fraction(self.cap)
        return [self.deductible, *reach(self.deductible, self.ratio, cap)]


def basic_caps(tariff: Tariff, categories: Sequence[str]) -> list[Decimal | None]:
    """Each basic candidate's annual cap (the base first; none without the section)."""
    section = tariff.inpatient
    if section is None:
        return []
    rules = {a.category: a for a in section.adjustments}
    caps = [section.annual_cap.amount]
    for cat in _holders((a.category for a in section.adjustments), categories):
        cap = rules[cat].annual_cap
        caps.append((cap if cap is not None else section.annual_cap).amount)
    return caps


def basic_rules(tariff: Tariff, categories: Sequence[str], level: str) -> list[BasicRule]:
    """The base, then one per held category with a rule, at hospital level ``level``."""
    section = tariff.inpatient
    if section is None:
        return []
    lv = section.level(level)
    if lv is None:
        raise ValueError(f"no hospital level {level!r} in tariff {tariff.version}")
    caps = basic_caps(tariff, categories)
    rules = {a.category: a for a in section.adjustments}
    out = [BasicRule(BASE, lv.deductible, lv.ratio, caps[0], tariff.rounding)]
    holders = _holders((a.category for a in section.adjustments), categories)
    for cat, cap in zip(holders, caps[1:], strict=True):
        rule = rules[cat]
        deductible = lv.deductible
        if rule.deductible_factor is not None:
            exact = Fraction(lv.deductible) * Fraction(rule.deductible_factor)
            deductible = money(to_fen(exact, tariff.rounding))
        bonus = rule.ratio_bonus if rule.ratio_bonus is not None else ZERO
        out.append(
            BasicRule(cat, deductible, min(ONE, EXACT.add(lv.ratio, bonus)), cap, tariff.rounding)
        )
    return out


# -- what a layer can pay at most in a year ----------------------------------------------------


@attrs.frozen
class Ceilings:
    """The most each layer can pay a person in a year under one version: the largest cap of
    the candidates (None: unbounded — a candidate has no cap, or the section is missing;
    assistance is 0 for a person with no eligible category)."""

    basic: Decimal | None
    critical_illness: Decimal | None
    assistance: Decimal | None


def ceilings(tariff: Tariff, categories: Sequence[str]) -> Ceilings:
    aid = assistance_rules(tariff, categories)
    return Ceilings(
        largest_cap(basic_caps(tariff, categories)),
        largest_cap(s.cap for s in critical_illness_scales(tariff, categories)),
        largest_cap(a.cap for a in aid) if aid else ZERO,
    )


def reach(lower: Decimal, ratio: Decimal, amount: Fraction | None) -> list[Decimal]:
    """The costs around where a linear piece from ``lower`` at ``ratio`` has paid ``amount``:
    the first whole fen at or past it, and the fen after (none without an amount or a ratio)."""
    if amount is None or ratio <= 0:
        return []
    at = fen_up(Fraction(lower) + amount / Fraction(ratio))
    return [at, EXACT.add(at, money(_FEN))]


# -- pension 代缴 (spec §4.2) ---------------------------------------------------------------------


def reference_pension_government(
    tariff: Tariff, categories: Sequence[str], grade: Decimal
) -> Decimal:
    """What the government pays of pension grade ``grade`` (spec §4.2): per category c with a
    rule, M_c = the lowest grade open to c alone; full -> M_c, share q -> round(M_c x q),
    amount a -> a; each at most the grade; the largest (0 without a rule)."""
    section = tariff.pension_premium
    if section is None:
        raise ValueError(f"tariff {tariff.version} has no pension_premium section")
    chosen = Fraction(grade)
    best = _NOTHING
    for rule in section.government_pays:
        if rule.category not in categories:
            continue
        m_c = min(
            Fraction(g.amount)
            for g in section.grades
            if g.reserved_for is None or rule.category in g.reserved_for
        )
        pay = rule.payment
        if isinstance(pay, AmountPayment):
            value = Fraction(pay.amount)
        elif isinstance(pay, SharePayment):
            value = to_fen(m_c * Fraction(pay.share), tariff.rounding)
        else:
            value = m_c
        best = max(best, min(value, chosen))
    return money(best)
