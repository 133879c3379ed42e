"""The cases the claims-level invariants draw: a person and their claims of a year (or two),
or of one year under one version, from the target's strategies."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from medcalc.audit._facts import Fact, claims_text, person_text
from medcalc.audit._target import AuditTarget
from medcalc.chain import Claim, Person
from medcalc.tariff import Tariff

HUGE = Decimal("1000000000.00")
"""A cost far above every cap and bound of a real tariff (1e9 yuan)."""


@attrs.frozen
class ClaimsCase:
    """A person and their claims (input order)."""

    person: Person
    claims: tuple[Claim, ...]

    def facts(self) -> list[Fact]:
        return [("person", person_text(self.person)), ("claims", claims_text(self.claims))]


def year_cases(
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


def window_cases(
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


def single_version(target: AuditTarget, claims: Iterable[Claim]) -> Tariff | None:
    """The one version all ``claims`` fall under, or None."""
    found = {id(v): v for v in (target.version_on(c.date) for c in claims)}
    return next(iter(found.values())) if len(found) == 1 else None
