"""Premiums (spec §4.1, §4.2): the government's share of the medical contribution (资助参保) and
of the pension contribution (代缴), most favourable category first, never summed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from medcalc.chain._inputs import Person
from medcalc.chain._profiles import government_amount, pick_best
from medcalc.chain._results import Alternative, MedicalPremiumResult, PensionPremiumResult
from medcalc.errors import InputError, MissingInputError, PensionGradeError, TariffError
from medcalc.messages import say
from medcalc.money import ZERO, fmt, sub
from medcalc.tariff import (
    ALL_GRADES_RESERVED,
    BASE,
    CategoryPayment,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Source,
    Tariff,
)


def _candidates(
    rules: tuple[CategoryPayment, ...], held: tuple[str, ...]
) -> list[tuple[str, CategoryPayment | None]]:
    by_category = {r.category: r for r in rules}
    return [(BASE, None)] + [(c, by_category[c]) for c in held if c in by_category]


def _lowest_for(tariff: Tariff, section: PensionPremium, category: str) -> Decimal:
    """M_c: the lowest grade open to a person holding ``category`` alone (the loader and
    :class:`PensionPremium` make sure one grade is open to everyone)."""
    alone = frozenset((category,))
    lowest = min((g.amount for g in section.grades if g.open_to(alone)), default=None)
    if lowest is None:
        # Only a section built with attrs' validators turned off gets here.
        raise TariffError(
            say("premium.no_base", tariff=tariff.ref, category=category, reason=ALL_GRADES_RESERVED)
        )
    return lowest


def medical_premium(
    tariff: Tariff, section: MedicalPremium, held: tuple[str, ...]
) -> MedicalPremiumResult:
    """Government pays the largest candidate share of contribution C; the person pays the rest."""
    contribution = section.contribution
    amounts = [
        Alternative(
            name,
            ZERO
            if rule is None
            else min(government_amount(rule.payment, contribution, tariff.rounding), contribution),
        )
        for name, rule in _candidates(section.government_pays, held)
    ]
    best, government = pick_best((a.profile, a.amount) for a in amounts)
    return MedicalPremiumResult(
        contribution=contribution,
        government_pays=government,
        individual_pays=sub(contribution, government),
        profile=best,
        alternatives=tuple(amounts),
        source=tariff.source(section.source),
    )


def age_on_new_year(birth_date: dt.date, year: int) -> int:
    """Age in completed years on 1 January of ``year`` (缴费年度1月1日的周岁)."""
    age = year - birth_date.year
    if (birth_date.month, birth_date.day) > (1, 1):
        age -= 1
    return age


def pension_premium(
    tariff: Tariff,
    section: PensionPremium,
    held: tuple[str, ...],
    person: Person,
    year: int,
    grade: Decimal | None,
) -> PensionPremiumResult:
    """Pension contribution of grade G; government 代缴 per the most favourable category,
    limited to G; the subsidy of grade G is credited on top (it does not reduce what is paid)."""
    age = _age(person, year)
    source = tariff.source(section.source)
    # Age first: a person outside the contribution ages owes nothing, whatever grade was asked.
    if not section.age_from <= age <= section.age_to:
        return _not_due(section, held, age, source)
    chosen, lowest, open_grades = _grade(tariff, section, held, grade)
    bases, amounts = _government(tariff, section, held, chosen)
    best, government = pick_best((a.profile, a.amount) for a in amounts)
    return PensionPremiumResult(
        age=age,
        due=True,
        past_age=False,
        grade=chosen.amount,
        lowest_open_grade=lowest.amount,
        government_pays=government,
        individual_pays=sub(chosen.amount, government),
        subsidy=chosen.subsidy,
        profile=best,
        alternatives=tuple(amounts),
        open_grades=tuple(g.amount for g in open_grades),
        basic_pension_monthly=None,
        source=source,
        bases=bases,
    )


def _age(person: Person, year: int) -> int:
    """The person's age on 1 January of the contribution ``year`` (the birth date needed)."""
    if person.birth_date is None:
        raise MissingInputError(say("premium.no_birth_date"), field="birth_date")
    if person.birth_date.year > year:
        raise InputError(
            say("premium.born_after", birth=person.birth_date.isoformat(), year=year),
            field="birth_date",
        )
    return age_on_new_year(person.birth_date, year)


def _not_due(
    section: PensionPremium, held: tuple[str, ...], age: int, source: Source | None
) -> PensionPremiumResult:
    """A person outside the contribution ages: nothing due; past them, the basic pension."""
    past = age > section.age_to
    held_set = frozenset(held)
    open_amounts = tuple(g.amount for g in section.grades if g.open_to(held_set))
    return PensionPremiumResult(
        age=age,
        due=False,
        past_age=past,
        grade=ZERO,
        lowest_open_grade=min(open_amounts, default=ZERO),
        government_pays=ZERO,
        individual_pays=ZERO,
        subsidy=ZERO,
        profile=BASE,
        alternatives=(),
        open_grades=open_amounts,
        basic_pension_monthly=section.basic_pension_monthly if past else None,
        source=source,
    )


def _grade(
    tariff: Tariff, section: PensionPremium, held: tuple[str, ...], grade: Decimal | None
) -> tuple[PensionGrade, PensionGrade, tuple[PensionGrade, ...]]:
    """The grade paid (the one asked, which must be open to the person, else the lowest
    open one), the lowest open grade, and every grade open to the person."""
    held_set = frozenset(held)
    open_grades = tuple(g for g in section.grades if g.open_to(held_set))
    if not open_grades:
        raise PensionGradeError(
            say("premium.no_open_grade", tariff=tariff.ref), field="pension_grade"
        )
    lowest = min(open_grades, key=lambda g: g.amount)
    if grade is None:
        return lowest, lowest, open_grades
    match = [g for g in section.grades if g.amount == grade]
    if not match:
        known = ", ".join(fmt(g.amount) for g in section.grades)
        raise PensionGradeError(
            say("premium.unknown_grade", grade=fmt(grade), tariff=tariff.ref, known=known),
            field="pension_grade",
        )
    open_match = [g for g in match if g.open_to(held_set)]
    if not open_match:
        reserved = ", ".join(match[0].reserved_for or ())
        holds = ", ".join(held) or say("value.no_category")
        raise PensionGradeError(
            say("premium.reserved_grade", grade=fmt(grade), reserved=reserved, held=holds),
            field="pension_grade",
        )
    return open_match[0], lowest, open_grades


def _government(
    tariff: Tariff, section: PensionPremium, held: tuple[str, ...], chosen: PensionGrade
) -> tuple[tuple[Alternative, ...], list[Alternative]]:
    """Each candidate's 代缴 base M_c and what it pays toward grade ``chosen``."""
    candidates = _candidates(section.government_pays, held)
    # M_c per candidate (spec §4.2): what a `for` grade opens for one category never lowers
    # what another category's full or share pays.
    bases = tuple(
        Alternative(name, _lowest_for(tariff, section, name))
        for name, rule in candidates
        if rule is not None
    )
    by_name = {b.profile: b.amount for b in bases}
    amounts = [
        Alternative(
            name,
            ZERO
            if rule is None
            else min(
                government_amount(rule.payment, by_name[name], tariff.rounding), chosen.amount
            ),
        )
        for name, rule in candidates
    ]
    return bases, amounts
