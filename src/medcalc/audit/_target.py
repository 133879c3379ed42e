"""What an audit runs on: one tariff series of a book, and the calculator under audit.

:class:`AuditTarget` holds the series' versions, the strategies that draw persons and claims
for them, and the thing audited: by default :class:`medcalc.Calculator`, or any
:class:`Estimator` built from a book (a wrapper that alters a calculator's results, a second
implementation, …), so a deliberately wrong one can be audited through public names only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from hypothesis import strategies as st

from medcalc.audit.strategies import (
    claim_versions,
    claim_years,
    persons,
    window,
    years_covered,
)
from medcalc.chain import Calculator, Claim, ClaimsResult, Person, PremiumResult, YearToDate
from medcalc.tariff import Tariff, TariffBook


class Estimator(Protocol):
    """What the audit checks: claims and premiums computed as :class:`medcalc.Calculator`
    computes them (its methods :meth:`~medcalc.Calculator.claims` and
    :meth:`~medcalc.Calculator.premiums`, with the same arguments and results)."""

    def claims(
        self,
        series: str,
        person: Person,
        claims: Iterable[Claim],
        *,
        year_to_date: YearToDate | None = None,
    ) -> ClaimsResult: ...

    def premiums(
        self, series: str, person: Person, year: int, *, pension_grade: Decimal | None = None
    ) -> PremiumResult: ...


Calculating = Callable[[TariffBook], Estimator]
"""How the audit gets the thing it checks for a book: :class:`medcalc.Calculator` by default.
Some invariants build other books (one version alone, later versions changed), so the audit
takes a maker, not one instance."""

Tariffs = TariffBook | Tariff | Iterable[Tariff]
"""What an invariant runs on: a book, one tariff, or tariffs to put in a book."""


class AuditTarget:
    """One tariff series of a book, the calculator under audit, and what the strategies need.

    ``calculator`` makes the thing audited from a book (default :class:`medcalc.Calculator`);
    ``calc`` is the one made from ``book``.
    """

    def __init__(
        self, book: TariffBook, series: str, *, calculator: Calculating = Calculator
    ) -> None:
        self.book = book
        self.series = series
        self.versions = book.versions(series)
        self.claim_versions = claim_versions(book, series)
        self.years = years_covered(self.claim_versions)
        self.calculator = calculator
        self.calc = calculator(book)
        self._alone: dict[str, Estimator] = {}
        self._strategies: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}

    @classmethod
    def of(
        cls, book_or_tariffs: Tariffs, series: str | None, *, calculator: Calculating = Calculator
    ) -> AuditTarget:
        """The target of ``series`` (or the only series) of a book, one tariff or tariffs."""
        book = as_book(book_or_tariffs)
        names = book.series()
        if series is None:
            if len(names) != 1:
                raise ValueError(f"the tariffs hold series {', '.join(names)}; pass series=")
            series = names[0]
        return cls(book, series, calculator=calculator)

    def run(
        self, person: Person, claims: Sequence[Claim], ytd: YearToDate | None = None
    ) -> ClaimsResult:
        """The audited calculator's claims of ``person`` in this series."""
        return self.calc.claims(self.series, person, list(claims), year_to_date=ytd)

    def alone(self, version: str) -> Estimator:
        """The audited calculator over a book holding only ``version`` of the series."""
        found = self._alone.get(version)
        if found is None:
            found = self.calculator(TariffBook.of([self.book.get(self.series, version)]))
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
        return [(y, v) for y in self.years for v in self.claim_versions if window(v, y)]

    def common_categories(self) -> list[str]:
        """The categories every version of the series declares, in the first one's order."""
        if not self.versions:
            return []
        common = [c.id for c in self.versions[0].categories]
        for v in self.versions[1:]:
            ids = {c.id for c in v.categories}
            common = [c for c in common if c in ids]
        return common


def as_book(value: Tariffs) -> TariffBook:
    if isinstance(value, TariffBook):
        return value
    if isinstance(value, Tariff):
        return TariffBook.of([value])
    return TariffBook.of(value)
