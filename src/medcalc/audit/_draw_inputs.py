"""Hypothesis strategies of the inputs that fit a tariff or book: persons whose categories
every version declares (:func:`persons`), claims dated on days a version with a critical_illness
section is in force, at its hospital levels (:func:`claims`, :func:`claim_years`), and the
versions and years they are drawn from (:func:`claim_versions`, :func:`years_covered`,
:func:`window`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from medcalc.audit._draw import (
    CATEGORY_POOL,
    DEFAULT_MAX_AMOUNT,
    LEVEL_POOL,
    ZERO,
    Draw,
    amounts,
    fen_of,
    flag_arg,
    money_arg,
    size_args,
    subset,
    year_arg,
    yuan_of,
)
from medcalc.chain import Claim, Person
from medcalc.money import EXACT
from medcalc.tariff import DISABILITY_TYPES, Tariff, TariffBook

__all__ = [
    "Target",
    "claim_versions",
    "claim_years",
    "claims",
    "persons",
    "window",
    "years_covered",
]

Target = Tariff | TariffBook


def _versions(tariff: Target | None, series: str | None) -> tuple[Tariff, ...]:
    """The versions of ``series`` (or of the book's only series) that claims can use."""
    if tariff is None:
        return ()
    if isinstance(tariff, Tariff):
        return (tariff,)
    if not isinstance(tariff, TariffBook):
        raise InvalidArgument(f"tariff={tariff!r} must be a Tariff, a TariffBook or None")
    names = tariff.series()
    if series is None:
        if len(names) != 1:
            raise InvalidArgument(f"the book holds series {list(names)}; pass series=")
        series = names[0]
    if series not in names:
        raise InvalidArgument(f"series={series!r} is not in the book (series: {list(names)})")
    return tariff.versions(series)


def window(version: Tariff, year: int) -> tuple[dt.date, dt.date] | None:
    """The days of ``year`` on which ``version`` is in force, or None."""
    start = max(version.effective_from, dt.date(year, 1, 1))
    end = dt.date(year, 12, 31)
    if version.effective_to is not None:
        end = min(end, version.effective_to)
    return (start, end) if start <= end else None


def claim_versions(tariff: Target, series: str | None = None) -> tuple[Tariff, ...]:
    """The versions of a tariff or book series that can compute claims (they have a
    critical_illness section)."""
    return tuple(v for v in _versions(tariff, series) if v.critical_illness is not None)


def years_covered(versions: Sequence[Tariff]) -> list[int]:
    """Calendar years on which one of ``versions`` is in force (an open end counts 3 years)."""
    years: set[int] = set()
    for v in versions:
        last = v.effective_to.year if v.effective_to else v.effective_from.year + 2
        years.update(range(v.effective_from.year, last + 1))
    return sorted(years)


def _pick_year(draw: Draw, versions: Sequence[Tariff], year: int | None) -> int:
    if year is not None:
        return year
    covered = years_covered(versions)
    return int(draw(st.sampled_from(covered))) if covered else 2018


def _declared_everywhere(versions: Sequence[Tariff]) -> list[str]:
    if not versions:
        return [c[0] for c in CATEGORY_POOL]
    common = [c.id for c in versions[0].categories]
    for v in versions[1:]:
        ids = {c.id for c in v.categories}
        common = [c for c in common if c in ids]
    return common


@st.composite
def _person(
    draw: Draw,
    *,
    tariff: Target | None,
    series: str | None,
    year: int | None,
    enrolled: bool | None,
) -> Person:
    versions = _versions(tariff, series)
    chosen_year = _pick_year(draw, versions, year)
    ids = _declared_everywhere(versions)
    categories = subset(draw, ids)
    grade = draw(st.none() | st.integers(1, 4))
    kind = None if grade is None else draw(st.none() | st.sampled_from(DISABILITY_TYPES))
    birth = draw(st.dates(dt.date(chosen_year - 90, 1, 1), dt.date(chosen_year, 12, 31)))
    can_enrol = all(v.enrollment is not None for v in versions)
    enrolled_on = None
    if enrolled is True and not can_enrol:
        raise InvalidArgument("enrolled=True, but a version of the tariff has no enrollment")
    if enrolled is True or (enrolled is None and can_enrol and draw(st.booleans())):
        enrolled_on = draw(st.dates(dt.date(chosen_year - 1, 11, 1), dt.date(chosen_year, 12, 31)))
    return Person(
        categories=frozenset(categories),
        disability_grade=grade,
        disability_type=kind,
        birth_date=birth,
        enrolled_on=enrolled_on,
    )


def persons(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    enrolled: bool | None = None,
) -> st.SearchStrategy[Person]:
    """People whose categories are declared by every version of ``tariff`` (a tariff or a book
    and its ``series``; default: any of :data:`CATEGORY_POOL`), sometimes with a disability
    grade and type, a birth date (for the pension) and an enrolment date in or just before
    ``year`` (``enrolled``: True always, False never, None sometimes; only when every version
    has an ``enrollment`` section)."""
    _versions(tariff, series)  # checks tariff and series now
    return _person(
        tariff=tariff,
        series=series,
        year=year_arg(year),
        enrolled=flag_arg("enrolled", enrolled),
    )


@st.composite
def _claim(
    draw: Draw,
    *,
    versions: tuple[Tariff, ...],
    year: int,
    max_compliant: Decimal,
    basic_paid: bool | None,
) -> Claim:
    windows = [(v, w) for v in versions if (w := window(v, year)) is not None]
    if windows:
        version, (start, end) = draw(st.sampled_from(windows))
        level_ids = (
            [lv.id for lv in version.inpatient.levels] if version.inpatient is not None else []
        )
    else:  # no tariff: any day of the year, the usual levels
        version, (start, end) = None, (dt.date(year, 1, 1), dt.date(year, 12, 31))
        level_ids = [lv[0] for lv in LEVEL_POOL[:3]]
    day = draw(st.dates(start, end))
    # Mostly everyday bills, sometimes very large ones (caps, top segments).
    ceiling = min(max_compliant, Decimal("60000.00"))
    compliant = draw(
        st.one_of(
            amounts(max_value=ceiling),
            amounts(max_value=min(max_compliant, Decimal("400000.00"))),
            amounts(max_value=max_compliant),
        )
    )
    extra = draw(st.sampled_from((None, ZERO)) | amounts(max_value=Decimal("50000.00")))
    total = None if extra is None else EXACT.add(compliant, extra)
    must_give = version is not None and version.inpatient is None
    give = basic_paid if basic_paid is not None else (must_give or draw(st.booleans()))
    if must_give and basic_paid is False:
        give = True  # the version cannot compute basic: the settled amount is needed
    paid = None
    if give:
        paid = yuan_of(draw(st.integers(0, fen_of(compliant))))
    level = draw(st.sampled_from(level_ids)) if level_ids else None
    return Claim(day, compliant, level, total, paid)


def _claims_args(
    tariff: Target | None, series: str | None, year: int | None, max_compliant: object
) -> tuple[tuple[Tariff, ...], int | None, Decimal]:
    versions = claim_versions(tariff, series) if tariff is not None else ()
    if tariff is not None and not versions:
        raise InvalidArgument("no version of the tariff has a critical_illness section")
    top = money_arg("max_compliant", max_compliant)
    chosen = year_arg(year)
    if chosen is not None and versions and not any(window(v, chosen) for v in versions):
        raise InvalidArgument(f"no version of the tariff is in force in {chosen}")
    return versions, chosen, top


def claims(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    max_compliant: Decimal | int = DEFAULT_MAX_AMOUNT,
    basic_paid: bool | None = None,
) -> st.SearchStrategy[Claim]:
    """One hospital stay (一次住院) dated in ``year`` (default: a year the tariff covers) on a
    day a version of ``tariff`` with a critical_illness section is in force, at one of that
    version's hospital levels; compliant cost up to ``max_compliant``, a total at or above it
    (or none), and a settled ``basic_paid`` at most the compliant cost (True always, False
    never - unless the version has no inpatient section -, None sometimes)."""
    versions, chosen, top = _claims_args(tariff, series, year, max_compliant)
    flag = flag_arg("basic_paid", basic_paid)

    @st.composite
    def one(draw: Draw) -> Claim:
        y = _pick_year(draw, versions, chosen)
        return draw(_claim(versions=versions, year=y, max_compliant=top, basic_paid=flag))

    return one()


def claim_years(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    min_size: int = 1,
    max_size: int = 5,
    max_compliant: Decimal | int = DEFAULT_MAX_AMOUNT,
    basic_paid: bool | None = None,
) -> st.SearchStrategy[list[Claim]]:
    """One person's claims of one calendar year (年度内多次住院), ``min_size`` to ``max_size``
    of them, in no particular order, each as drawn by :func:`claims` for that year (a year
    whose versions change mid-year mixes versions)."""
    versions, chosen, top = _claims_args(tariff, series, year, max_compliant)
    size_args(min_size, max_size)
    flag = flag_arg("basic_paid", basic_paid)

    @st.composite
    def year_of_claims(draw: Draw) -> list[Claim]:
        y = _pick_year(draw, versions, chosen)
        one = _claim(versions=versions, year=y, max_compliant=top, basic_paid=flag)
        return draw(st.lists(one, min_size=min_size, max_size=max_size))

    return year_of_claims()
