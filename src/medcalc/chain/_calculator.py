"""The library's entry points: :class:`Calculator` over a :class:`~medcalc.tariff.TariffBook`.

Pure: no file, environment or clock access. A calculator keeps the candidate profiles it
derived for each (tariff version, categories) pair, so a batch over one calculator does that
work once.

>>> from medcalc import Calculator, Claim, Person, load_book   # doctest: +SKIP
>>> calc = Calculator(load_book())                              # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from medcalc.chain._claims import Profiles, claim_year
from medcalc.chain._inputs import (
    NO_YEAR_TO_DATE,
    REQUIRED,
    Claim,
    Person,
    YearToDate,
    checked_amount,
    kind_of,
)
from medcalc.chain._premiums import medical_premium, pension_premium
from medcalc.chain._profiles import held_categories
from medcalc.chain._results import ClaimResult, ClaimsResult, PremiumResult, TariffRef, YearTotals
from medcalc.chain.problems import year_to_date_years
from medcalc.errors import InputError, MissingInputError, SectionMissingError
from medcalc.messages import say
from medcalc.money import shown
from medcalc.tariff import Tariff, TariffBook


class Calculator:
    """Premiums and claims under the tariffs of one book."""

    def __init__(self, book: TariffBook) -> None:
        if not isinstance(book, TariffBook):
            raise _wrong(book, "book", "a TariffBook (see medcalc.load_book)")
        self.book = book
        self._profiles: dict[tuple[int, frozenset[str], int | None, str | None], Profiles] = {}

    def profiles(self, tariff: Tariff, person: Person) -> Profiles:
        """The candidate profiles of ``tariff`` for ``person`` (derived once, then reused)."""
        key = (id(tariff), person.categories, person.disability_grade, person.disability_type)
        found = self._profiles.get(key)
        if found is None:
            found = Profiles.of(tariff, held_categories(tariff, person))
            self._profiles[key] = found
        return found

    def premiums(
        self,
        series: str,
        person: Person,
        year: int,
        *,
        pension_grade: Decimal | None = None,
        pension: bool = True,
    ) -> PremiumResult:
        """Medical and pension contributions of ``person`` for ``year`` under the version of
        ``series`` in force on 1 January of that year (the contribution year, 缴费年度).

        A section the tariff leaves out gives ``None``; a tariff with neither is an error.
        ``pension`` False leaves the pension part out (``None``) on purpose: a batch row
        without a birth date still gets its medical part, and says why the pension has none.
        """
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= dt.MAXYEAR:
            raise InputError(say("input.year", value=shown(year)), field="year")
        _check_person(series, person)
        pension_grade = checked_amount(pension_grade, "pension_grade", required=False)
        tariff = self.book.in_force(series, dt.date(year, 1, 1))
        if tariff.medical_premium is None and tariff.pension_premium is None:
            raise SectionMissingError(say("input.no_premium_section", tariff=tariff.ref))
        held = self.profiles(tariff, person).held
        return PremiumResult(
            year=year,
            tariff=TariffRef.of(tariff),
            categories=held,
            medical=None
            if tariff.medical_premium is None
            else medical_premium(tariff, tariff.medical_premium, held),
            pension=None
            if tariff.pension_premium is None or not pension
            else pension_premium(tariff, tariff.pension_premium, held, person, year, pension_grade),
        )

    def claims(
        self,
        series: str,
        person: Person,
        claims: Iterable[Claim],
        *,
        year_to_date: YearToDate | None = None,
    ) -> ClaimsResult:
        """Every claim of ``person`` (any order, any years), results in input order.

        ``year_to_date``: the person's accumulators before the first of these claims; the
        claims must then all fall in one calendar year (spec §4.4).
        """
        _check_person(series, person)
        if year_to_date is not None and not isinstance(year_to_date, YearToDate):
            raise _wrong(year_to_date, "year_to_date", "a YearToDate")
        try:
            given = iter(claims)
        except TypeError:
            raise _wrong(claims, "claims", "a sequence of claims") from None
        by_year: dict[int, list[tuple[int, Claim]]] = {}
        for index, claim in enumerate(given):
            if type(claim) is not Claim and not isinstance(claim, Claim):
                raise _wrong(claim, f"claims[{index}]", "a Claim")
            by_year.setdefault(claim.date.year, []).append((index, claim))
        if year_to_date is not None and len(by_year) > 1:
            raise year_to_date_years(sorted(by_year))
        start = year_to_date if year_to_date is not None else NO_YEAR_TO_DATE
        results: list[ClaimResult] = []
        years: list[YearTotals] = []

        # The version used for the previous claim is usually in force again.
        last: list[tuple[Tariff, Profiles]] = []

        def profiles_for(day: dt.date) -> Profiles:
            if last and last[0][0].in_force_on(day):
                return last[0][1]
            tariff = self.book.in_force(series, day)
            found = self.profiles(tariff, person)
            last[:] = [(tariff, found)]
            return found

        for year in sorted(by_year):
            done, totals = claim_year(year, person, by_year[year], profiles_for, start)
            results.extend(done)
            years.append(totals)
        results.sort(key=lambda r: r.index)
        return ClaimsResult(series, tuple(results), tuple(years))


def estimate_premiums(
    book: TariffBook,
    series: str,
    person: Person,
    year: int,
    *,
    pension_grade: Decimal | None = None,
) -> PremiumResult:
    """Premiums of one person for one year (see :meth:`Calculator.premiums`)."""
    return Calculator(book).premiums(series, person, year, pension_grade=pension_grade)


def estimate_claims(
    book: TariffBook,
    series: str,
    person: Person,
    claims: Iterable[Claim],
    *,
    year_to_date: YearToDate | None = None,
) -> ClaimsResult:
    """One person's claims (see :meth:`Calculator.claims`)."""
    return Calculator(book).claims(series, person, claims, year_to_date=year_to_date)


def _wrong(value: object, field: str, expected: str) -> InputError:
    """The error for an argument of the wrong type (None: a missing one)."""
    if value is None:
        return MissingInputError(REQUIRED, field=field)
    message = say("input.wrong_type", value=shown(value), type=kind_of(value), expected=expected)
    return InputError(message, field=field)


def _check_person(series: str, person: Person) -> None:
    """The arguments every calculation takes, checked before any tariff is looked up."""
    if type(series) is not str:
        raise _wrong(series, "series", "text (str)")
    if not isinstance(person, Person):
        raise _wrong(person, "person", "a Person")
