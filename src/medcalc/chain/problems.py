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
from medcalc.messages import say
from medcalc.money import fmt
from medcalc.tariff import Tariff


def section_missing(tariff: Tariff, section: str) -> SectionMissingError:
    """A claim needs ``section`` of ``tariff``, which has none."""
    return SectionMissingError(say("claim.section_missing", tariff=tariff.ref, section=section))


def no_enrollment(tariff: Tariff) -> SectionMissingError:
    """A person's ``enrolled_on`` is given, and ``tariff`` says nothing of when benefits start."""
    return SectionMissingError(say("claim.no_enrollment", tariff=tariff.ref))


def no_inpatient(tariff: Tariff) -> SectionMissingError:
    """The basic payment is to be computed under ``tariff``, which has no inpatient section."""
    return SectionMissingError(say("claim.no_inpatient", tariff=tariff.ref))


def no_hospital_level() -> MissingInputError:
    """The basic payment is to be computed, and the claim names no hospital level."""
    return MissingInputError(say("claim.no_hospital_level"), field="hospital_level")


def unknown_hospital_level(tariff: Tariff, level: str) -> UnknownHospitalLevelError:
    """``level`` is none of the hospital levels of ``tariff``'s inpatient section."""
    assert tariff.inpatient is not None
    known = ", ".join(lv.id for lv in tariff.inpatient.levels)
    return UnknownHospitalLevelError(
        say("claim.unknown_level", level=repr(level), tariff=tariff.ref, known=known),
        field="hospital_level",
    )


def total_below_compliant(total: Decimal, compliant: Decimal) -> ClaimAmountsError:
    """A claim's whole bill is less than its compliant cost."""
    return ClaimAmountsError(
        say("claim.total_below", total=fmt(total), compliant=fmt(compliant)), field="total"
    )


def paid_above_compliant(basic_paid: Decimal, compliant: Decimal) -> ClaimAmountsError:
    """A claim's settled basic payment is more than its compliant cost."""
    return ClaimAmountsError(
        say("claim.paid_above", paid=fmt(basic_paid), compliant=fmt(compliant)), field="basic_paid"
    )


def year_to_date_years(years: Iterable[int]) -> InputError:
    """Year-to-date accumulators were given with claims of several years (sorted ``years``)."""
    return InputError(
        say("claim.ytd_years", years=", ".join(str(y) for y in years)), field="year_to_date"
    )


def rows_disagree(name: str, first: tuple[int, str], second: tuple[int, str]) -> str:
    """Two rows of one person and year give different values of ``name`` (each a row number
    and the value as shown); the rows in input order. The batch rules and the engine say it."""
    (a, shown_a), (b, shown_b) = sorted([first, second])
    return say("claim.rows_disagree", field=name, a=a, value_a=shown_a, b=b, value_b=shown_b)
