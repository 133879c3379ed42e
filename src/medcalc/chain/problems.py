"""The errors a claim can meet, each message built here once (public as ``medcalc.chain.problems``).

The reference chain raises them; the numpy engine (:mod:`medcalc.fast`) stores the same
objects per row, so both say the same thing in the same words. Messages are public API.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from medcalc.errors import (
    ClaimAmountsError,
    InputError,
    MissingInputError,
    SectionMissingError,
    UnknownHospitalLevelError,
)
from medcalc.money import fmt
from medcalc.tariff import Tariff


def section_missing(tariff: Tariff, section: str) -> SectionMissingError:
    """A claim needs ``section`` of ``tariff``, which has none."""
    return SectionMissingError(f"tariff {tariff.ref} has no {section} section")


def no_enrollment(tariff: Tariff) -> SectionMissingError:
    """A person's ``enrolled_on`` is given, and ``tariff`` says nothing of when benefits start."""
    return SectionMissingError(
        f"tariff {tariff.ref} has no enrollment section, needed when enrolled_on is given"
    )


def no_inpatient(tariff: Tariff) -> SectionMissingError:
    """The basic payment is to be computed under ``tariff``, which has no inpatient section."""
    return SectionMissingError(
        f"tariff {tariff.ref} has no inpatient section; give basic_paid for this claim"
    )


def no_hospital_level() -> MissingInputError:
    """The basic payment is to be computed, and the claim names no hospital level."""
    return MissingInputError(
        "the hospital level is needed to compute the basic payment (or give basic_paid)",
        field="hospital_level",
    )


def unknown_hospital_level(tariff: Tariff, level: str) -> UnknownHospitalLevelError:
    """``level`` is none of the hospital levels of ``tariff``'s inpatient section."""
    assert tariff.inpatient is not None
    known = ", ".join(lv.id for lv in tariff.inpatient.levels)
    return UnknownHospitalLevelError(
        f"{level!r} is not a hospital level of tariff {tariff.ref} (levels: {known})",
        field="hospital_level",
    )


def total_below_compliant(total: Decimal, compliant: Decimal) -> ClaimAmountsError:
    """A claim's whole bill is less than its compliant cost."""
    return ClaimAmountsError(
        f"{fmt(total)} is below the compliant cost {fmt(compliant)}", field="total"
    )


def paid_above_compliant(basic_paid: Decimal, compliant: Decimal) -> ClaimAmountsError:
    """A claim's settled basic payment is more than its compliant cost."""
    return ClaimAmountsError(
        f"{fmt(basic_paid)} is above the compliant cost {fmt(compliant)}", field="basic_paid"
    )


def year_to_date_years(years: Iterable[int]) -> InputError:
    """Year-to-date accumulators were given with claims of several years (sorted ``years``)."""
    return InputError(
        "year-to-date accumulators belong to one year; these claims fall in "
        + ", ".join(str(y) for y in years),
        field="year_to_date",
    )


def rows_disagree(name: str, first: tuple[int, str], second: tuple[int, str]) -> str:
    """Two rows of one person and year give different values of ``name`` (each a row number
    and the value as shown); the rows in input order. The batch rules and the engine say it."""
    (a, shown_a), (b, shown_b) = sorted([first, second])
    return (
        f"{name}: rows of the same person and year give different values "
        f"(row {a}: {shown_a}; row {b}: {shown_b}); "
        "give one value, or leave it empty on all but one row"
    )
