"""The claims chain (spec §4.3, §4.4): basic inpatient insurance → critical illness (大病保险,
accumulated over the calendar year) → medical assistance (医疗救助) → out of pocket.

Claims of a person and year are taken in date order, ties in input order; each claim is computed
under the tariff version in force on its date, from the accumulators the earlier claims left.
Results come back in input order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import reduce
from itertools import repeat
from typing import Any, Literal

from medcalc.chain._inputs import Claim, Person, YearToDate
from medcalc.chain._layers import LAYERS, Memo, Values, alternatives, claim_layer
from medcalc.chain._profiles import BasicProfile, basic_profiles, best_index
from medcalc.chain._results import BasicDetail, ClaimResult, TariffRef, YearTotals
from medcalc.chain._scale import Scale
from medcalc.chain.problems import (
    no_enrollment,
    no_hospital_level,
    no_inpatient,
    unknown_hospital_level,
)
from medcalc.errors import (
    InputError,
)
from medcalc.messages import say
from medcalc.money import EXACT, ZERO, Rounding, round_money
from medcalc.tariff import Source, Tariff

GIVEN = "given"
"""Basic profile name when the settled basic payment was given (``basic_paid``)."""

add = EXACT.add
sub = EXACT.subtract
mul = EXACT.multiply


class Profiles:
    """The candidate profiles of one tariff for one set of held categories: basic, and each
    accumulated layer's candidate scales (in the order of :data:`LAYERS`; None: the tariff
    lacks a section the layer needs)."""

    __slots__ = (
        "basic",
        "basic_names",
        "basic_terms",
        "held",
        "layer_names",
        "layers",
        "ref",
        "runs",
        "sources",
        "tariff",
    )

    def __init__(
        self,
        tariff: Tariff,
        held: tuple[str, ...],
        basic: tuple[BasicProfile, ...] | None,
        layers: tuple[tuple[Scale, ...] | None, ...],
    ) -> None:
        self.tariff = tariff
        self.ref = TariffRef.of(tariff)
        self.held = held
        self.basic = basic
        self.layers = layers
        self.sources = _sources(tariff)
        # Candidate names, for the alternatives each claim lists.
        self.basic_names = tuple(p.name for p in basic or ())
        self.layer_names = tuple(tuple(p.name for p in c or ()) for c in layers)
        # (index, layer, candidates, names), what each claim goes through.
        self.runs = tuple(zip(range(len(LAYERS)), LAYERS, layers, self.layer_names, strict=True))
        self.basic_terms: dict[str, BasicTerms] = {}  # per hospital level, filled on first use

    @classmethod
    def of(cls, tariff: Tariff, held: tuple[str, ...]) -> Profiles:
        """The profiles of ``tariff`` for the categories ``held``."""
        basic = None if tariff.inpatient is None else basic_profiles(tariff.inpatient, held)
        return cls(tariff, held, basic, tuple(layer.candidates(tariff, held) for layer in LAYERS))


def _sources(tariff: Tariff) -> tuple[Source, ...]:
    sections = [tariff.inpatient, *(getattr(tariff, layer.section) for layer in LAYERS)]
    ids = [s.source for s in sections if s is not None]
    found = (tariff.source(i) for i in dict.fromkeys(ids))
    return tuple(s for s in found if s is not None)


def benefits_start(tariff: Tariff, held: tuple[str, ...], enrolled_on: dt.date) -> dt.date | None:
    """The first day a person who paid on ``enrolled_on`` is covered (待遇享受起始日); None
    when that day is after 9999-12-31 (``next_month`` after a payment in December 9999), a
    day that never comes: no claim is covered."""
    if tariff.enrollment is None:
        raise no_enrollment(tariff)
    rule = tariff.enrollment
    if rule.benefits_start == "same_day" or any(c in rule.exempt for c in held):
        return enrolled_on
    if enrolled_on.month == 12:
        if enrolled_on.year == dt.MAXYEAR:  # 10000-01-01: e.g. "9999-12-31" placeholders
            return None
        return dt.date(enrolled_on.year + 1, 1, 1)
    return dt.date(enrolled_on.year, enrolled_on.month + 1, 1)


def benefits_start_text(start: dt.date | None, lang: Literal["zh", "en"] = "en") -> str:
    """When benefits start, as every message writes it (the reason, the claims table, the
    audit): ``on 2019-05-01`` (zh ``2019-05-01``), or with no start day (:func:`benefits_start`
    gives None) ``after 9999-12-31`` (zh ``9999-12-31 之后``).

    >>> benefits_start_text(dt.date(2019, 5, 1)), benefits_start_text(None, "zh")
    ('on 2019-05-01', '9999-12-31 之后')
    """
    if start is None:
        last = dt.date.max.isoformat()
        return f"{last} 之后" if lang == "zh" else f"after {last}"
    return start.isoformat() if lang == "zh" else f"on {start.isoformat()}"


def _not_covered_reason(start: dt.date | None, enrolled_on: dt.date, day: dt.date) -> str:
    begins = benefits_start_text(start)
    if start is None:
        begins += ", the first day of the month after the payment"
    return f"benefits start {begins} (paid on {enrolled_on}); the claim is dated {day.isoformat()}"


BasicTerms = tuple[str, list[tuple[BasicProfile, Decimal, Decimal, Decimal | None]]]
"""At one hospital level: its id, and per basic candidate: profile, deductible, ratio, annual
cap."""


def _basic_terms(profiles: Profiles, level_name: str, rounding: Rounding) -> BasicTerms:
    """The level ``level_name`` names (id, label or alias) and each basic candidate's
    deductible (rounded) and ratio (capped at 1) there."""
    tariff = profiles.tariff
    if profiles.basic is None or tariff.inpatient is None:
        raise no_inpatient(tariff)
    level = tariff.hospital_level(level_name)
    if level is None:
        raise unknown_hospital_level(tariff, level_name)
    return level.id, [(p, *p.terms(level, rounding), p.annual_cap.amount) for p in profiles.basic]


def _basic(
    claim: Claim, profiles: Profiles, paid_before: Decimal, rounding: Rounding
) -> tuple[Decimal, BasicDetail]:
    if claim.basic_paid is not None:
        paid = claim.basic_paid
        detail = BasicDetail(
            True,
            GIVEN,
            claim.hospital_level,
            None,
            None,
            None,
            paid_before,
            add(paid_before, paid),
            (),
        )
        return paid, detail
    name = claim.hospital_level
    if name is None:
        raise no_hospital_level()
    found = profiles.basic_terms.get(name)
    if found is None:
        found = profiles.basic_terms[name] = _basic_terms(profiles, name, rounding)
    level, terms = found
    compliant = claim.compliant
    amounts = []
    for _, deductible, ratio, cap in terms:
        raw = round_money(mul(max(ZERO, sub(compliant, deductible)), ratio), rounding)
        if cap is not None:
            raw = min(raw, max(ZERO, sub(cap, paid_before)))
        amounts.append(raw)
    k = best_index(amounts)
    profile, deductible, ratio, cap = terms[k]
    paid = amounts[k]
    detail = BasicDetail(
        False,  # given
        profile.name,
        level,
        deductible,
        ratio,
        cap,  # annual_cap
        paid_before,
        add(paid_before, paid),  # paid_after
        alternatives(profiles.basic_names, amounts),
    )
    return paid, detail


ProfilesFor = Callable[[dt.date], Profiles]


def _state(basic_paid: Decimal, bases: list[Decimal]) -> YearToDate:
    """A YearToDate built from amounts this module computed, skipping input validation:
    they are sums and differences of validated amounts, and this is the per-claim hot path."""
    state = _new(YearToDate)
    _put(state, "basic_paid", basic_paid)
    for name, base in zip(_BASES, bases, strict=True):
        _put(state, name, base)
    return state


_new = object.__new__
_put = object.__setattr__
_BASES = tuple(layer.base for layer in LAYERS)
_LAST = len(LAYERS) - 1
_totals: Callable[..., YearTotals] = YearTotals
_result: Callable[..., ClaimResult] = ClaimResult
"""ClaimResult, called with the layers' amounts and details spread into their fields (they
are consecutive, in the order of LAYERS)."""


def _not_covered(
    index: int,
    claim: Claim,
    profiles: Profiles,
    start: dt.date | None,
    enrolled_on: dt.date,
    before: YearToDate,
) -> ClaimResult:
    """A claim dated before the person's benefits start: the whole bill out of pocket."""
    return ClaimResult(
        index=index,
        claim=claim,
        tariff=profiles.ref,
        categories=profiles.held,
        covered=False,
        benefits_start=start,
        not_covered_reason=_not_covered_reason(start, enrolled_on, claim.date),
        basic=ZERO,
        out_of_pocket=claim.bill,
        individual_burden=ZERO,
        remaining=ZERO,
        before=before,
        after=before,
        basic_detail=None,
        sources=(),
        **_NO_LAYERS,
    )


_NO_LAYERS: dict[str, Any] = {
    **{layer.id: ZERO for layer in LAYERS},
    **{f"{layer.id}_detail": None for layer in LAYERS},
}
_NO_PAY = [ZERO] * len(LAYERS)


def _covered(
    index: int,
    claim: Claim,
    profiles: Profiles,
    start: dt.date | None,
    bill: Decimal,
    before: YearToDate,
    bases: list[Decimal],
    memos: list[Memo[Values]],
) -> tuple[ClaimResult, list[Decimal]]:
    """A covered claim: basic, then each accumulated layer on what the one before it left
    (``bases``: the layers' accumulated bases, moved on to after the claim)."""
    tariff = profiles.tariff
    basic_paid = before.basic_paid
    basic, basic_detail = _basic(claim, profiles, basic_paid, tariff.rounding)
    burden = sub(claim.compliant, basic)
    left = burden  # what the layers so far left of the claim: the next layer's increment
    oop = sub(bill, basic)
    paid: list[Decimal] = []
    details: list[Any] = []
    for i, layer, candidates, names in profiles.runs:
        base = bases[i]
        after = bases[i] = add(base, left)
        amount, detail = claim_layer(
            layer, tariff, candidates, names, base, after, memos[i], profiles
        )
        paid.append(amount)
        details.append(detail)
        oop = sub(oop, amount)
        if i != _LAST:
            left = sub(left, amount)
    # Positional, as the details (0.7 µs less per claim than 19 keyword arguments).
    result = _result(
        index,
        claim,
        profiles.ref,
        profiles.held,
        True,  # covered
        start,
        None,  # not_covered_reason
        basic,
        *paid,
        max(ZERO, oop),  # out_of_pocket
        burden,  # individual_burden
        left,  # remaining: the last layer's increment
        before,
        _state(add(basic_paid, basic), bases),  # after
        basic_detail,
        *details,
        profiles.sources,
    )
    return result, paid


def claim_year(
    year: int,
    person: Person,
    claims: Sequence[tuple[int, Claim]],
    profiles_for: ProfilesFor,
    start: YearToDate,
) -> tuple[list[ClaimResult], YearTotals]:
    """Compute one person's claims of one calendar year.

    ``claims`` are (input index, claim) pairs of that year; ``profiles_for(date)`` gives the
    candidate profiles of the version in force on a date; ``start`` holds the accumulators
    before the first claim. Returns results in processing order and the year's totals.
    """
    order = sorted(claims, key=lambda item: (item[1].date, item[0]))
    bases = list(map(getattr, repeat(start), _BASES))
    memos: list[Memo[Values]] = list(map(Memo.new, LAYERS))
    results: list[ClaimResult] = []
    t_total = t_compliant = t_basic = t_oop = ZERO
    layer_paid: list[list[Decimal]] = []  # per claim, each layer's payment
    before = start  # the accumulators before the next claim: the previous claim's `after`
    enrolled_on = person.enrolled_on
    for index, claim in order:
        if claim.date.year != year:
            raise InputError(say("claim.other_year", date=claim.date, year=year), field="date")
        profiles = profiles_for(claim.date)
        bill = claim.bill
        if enrolled_on is None:
            result, paid = _covered(index, claim, profiles, None, bill, before, bases, memos)
        else:
            covered_from = benefits_start(profiles.tariff, profiles.held, enrolled_on)
            if covered_from is None or claim.date < covered_from:
                result = _not_covered(index, claim, profiles, covered_from, enrolled_on, before)
                paid = _NO_PAY
            else:
                result, paid = _covered(
                    index, claim, profiles, covered_from, bill, before, bases, memos
                )
        results.append(result)
        before = result.after
        t_total = add(t_total, bill)
        t_compliant = add(t_compliant, claim.compliant)
        t_basic = add(t_basic, result.basic)
        layer_paid.append(paid)
        t_oop = add(t_oop, result.out_of_pocket)
    # Positional, the layers' totals spread into their fields (consecutive, as in LAYERS).
    t_layers = [reduce(add, column, ZERO) for column in _columns(layer_paid)]
    totals = _totals(
        year, len(order), t_total, t_compliant, t_basic, *t_layers, t_oop, start, before
    )
    return results, totals


def _columns(rows: list[list[Decimal]]) -> list[tuple[Decimal, ...]]:
    """Per layer, its payments in claim order (the sums add them in that order, as a running
    total would)."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in LAYERS]
