"""Candidate profiles: the base values of a section and each category's adjusted values.

Most favourable, never cumulative (就高不重复): every category a person holds that a section has a
rule for gives one candidate besides the base; rules of two categories are never combined.
Candidates are listed base first, then in the order of the tariff's ``categories:`` list, and
the first of equally favourable candidates wins a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

import attrs

from medcalc.chain._inputs import Person
from medcalc.chain._scale import Band, Scale
from medcalc.errors import UnknownCategoryError
from medcalc.messages import say
from medcalc.money import EXACT, ZERO, Rounding, round_money
from medcalc.tariff import (
    BASE,
    AmountPayment,
    Cap,
    CriticalIllness,
    FullPayment,
    GovernmentPayment,
    HospitalLevel,
    Inpatient,
    MedicalAssistance,
    Tariff,
)

ONE = Decimal(1)
P = TypeVar("P")


def held_categories(tariff: Tariff, person: Person) -> tuple[str, ...]:
    """The categories ``person`` holds under ``tariff``, in the tariff's declaration order:
    those given explicitly (by id, zh or en label, or an alias: :meth:`Tariff.category_named`)
    plus those whose disability rules match."""
    given_ids = set()
    for given in sorted(person.categories):
        found = tariff.category_named(given)
        if found is None:
            known = ", ".join(c.id for c in tariff.categories) or say("value.none")
            message = say(
                "claim.unknown_category", category=repr(given), tariff=tariff.ref, known=known
            )
            raise UnknownCategoryError(message, field="categories")
        given_ids.add(found)
    return tuple(
        c.id
        for c in tariff.categories
        if c.id in given_ids
        or any(r.matches(person.disability_grade, person.disability_type) for r in c.disability)
    )


def government_amount(rule: GovernmentPayment, base: Decimal, rounding: Rounding) -> Decimal:
    """What a government-payment rule pays toward ``base`` (full, a rounded share, or an amount)."""
    if isinstance(rule, FullPayment):
        return base
    if isinstance(rule, AmountPayment):
        return rule.amount
    return round_money(EXACT.multiply(base, rule.share), rounding)


def best_index(values: Sequence[Decimal]) -> int:
    """Index of the largest value; the earliest wins a tie (base first, then declaration order)."""
    # max() keeps the first of equal largest values, and index() finds the first value equal
    # to it: the earliest of the best. Two calls in C, on every claim and layer.
    return values.index(max(values)) if len(values) > 1 else 0


def pick_best(candidates: Iterable[tuple[P, Decimal]]) -> tuple[P, Decimal]:
    """The candidate with the largest value; the earliest wins a tie."""
    items = list(candidates)
    return items[best_index([value for _, value in items])]


# -- basic inpatient -----------------------------------------------------------------------


@attrs.frozen
class BasicProfile:
    """A candidate for basic inpatient insurance."""

    name: str
    deductible_factor: Decimal | None
    ratio_bonus: Decimal
    annual_cap: Cap

    def terms(self, level: HospitalLevel, rounding: Rounding) -> tuple[Decimal, Decimal]:
        """Deductible (level deductible x factor, rounded) and ratio (level ratio + bonus,
        at most 1) of this candidate at a hospital level."""
        deductible = level.deductible
        if self.deductible_factor is not None:
            deductible = round_money(EXACT.multiply(deductible, self.deductible_factor), rounding)
        return deductible, min(ONE, EXACT.add(level.ratio, self.ratio_bonus))


def basic_profiles(section: Inpatient, held: tuple[str, ...]) -> tuple[BasicProfile, ...]:
    base = BasicProfile(BASE, None, ZERO, section.annual_cap)
    rules = {a.category: a for a in section.adjustments}
    out = [base]
    for cat in held:
        adj = rules.get(cat)
        if adj is not None:
            out.append(
                BasicProfile(
                    cat,
                    adj.deductible_factor,
                    adj.ratio_bonus if adj.ratio_bonus is not None else ZERO,
                    adj.annual_cap if adj.annual_cap is not None else section.annual_cap,
                )
            )
    return tuple(out)


# -- critical illness ----------------------------------------------------------------------


CriticalIllnessProfile = Scale
"""A candidate for critical-illness insurance (大病保险): the accumulated scale of one category
(or the base); the name kept for readers of the public face."""


def critical_illness_profiles(
    section: CriticalIllness, held: tuple[str, ...], rounding: Rounding
) -> tuple[Scale, ...]:
    """The base scale, then one per held category with an adjustment (declaration order)."""

    def build(
        name: str,
        threshold: Decimal,
        segments: Iterable[tuple[Decimal | None, Decimal]],
        bonus: Decimal,
        cap: Cap,
    ) -> Scale:
        bands = []
        lower = threshold
        for upper, ratio in segments:
            if upper is not None and section.bounds == "above_threshold":
                upper = EXACT.add(threshold, upper)
            # A bound at or below the threshold in use leaves an empty band (the loader
            # rejects such tariffs; this keeps the scale at 0 below the threshold regardless).
            if upper is not None and upper <= lower:
                continue
            bands.append(Band(lower, upper, min(ONE, EXACT.add(ratio, bonus))))
            if upper is None:
                break
            lower = upper
        return Scale(name, threshold, tuple(bands), cap)

    base_segments = [(s.upper, s.ratio) for s in section.segments]
    out = [build(BASE, section.threshold, base_segments, ZERO, section.annual_cap)]
    rules = {a.category: a for a in section.adjustments}
    for cat in held:
        adj = rules.get(cat)
        if adj is None:
            continue
        if adj.threshold is not None:
            threshold = adj.threshold
        elif adj.threshold_factor is not None:
            scaled = EXACT.multiply(section.threshold, adj.threshold_factor)
            threshold = round_money(scaled, rounding)
        else:
            threshold = section.threshold
        segments = base_segments
        if adj.segments is not None:
            segments = [(s.upper, s.ratio) for s in adj.segments]
        out.append(
            build(
                cat,
                threshold,
                segments,
                adj.ratio_bonus if adj.ratio_bonus is not None else ZERO,
                adj.annual_cap if adj.annual_cap is not None else section.annual_cap,
            )
        )
    return tuple(out)


# -- medical assistance --------------------------------------------------------------------


def assistance_profiles(
    section: MedicalAssistance | None, held: tuple[str, ...]
) -> tuple[Scale, ...]:
    """The eligible candidates, each the one-band scale max(0, y - deductible) x ratio up to
    its cap (no base: a person with no eligible category gets nothing)."""
    if section is None:
        return ()
    rules = {r.category: r for r in section.eligible}
    return tuple(
        Scale.flat(cat, rules[cat].deductible, rules[cat].ratio, rules[cat].annual_cap)
        for cat in held
        if cat in rules
    )
