"""Frozen inputs of a calculation: a person, a claim, the year-to-date state.

Amounts must be ``Decimal`` (never float) with at most 2 decimals, finite and not negative;
anything else raises :class:`~medcalc.errors.AmountError` naming the field. Use
:func:`medcalc.money.parse_amount` to turn user text (``"120,000.00"``, full-width digits)
into such a ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from medcalc.errors import AmountError, ClaimAmountsError, InputError
from medcalc.model import DISABILITY_TYPES
from medcalc.money import CENT, EXACT, ZERO, check_amount, fmt


def _category_set(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):  # a lone id, not its letters
        return frozenset([value])
    return frozenset(value)


def _amount(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal):
        raise AmountError(
            f"{value!r} is a {type(value).__name__}; amounts must be decimal.Decimal",
            field=attribute.name,
        )
    check_amount(value, field=attribute.name)


def _two_decimals(instance: Any, fields: tuple[str, ...]) -> None:
    """Give checked amounts exactly 2 decimals (``Decimal('5')`` -> ``Decimal('5.00')``), so
    every amount a result carries has 2 decimals however the caller wrote it."""
    for name in fields:
        value = getattr(instance, name)
        if value is not None and value.as_tuple().exponent != -2:
            object.__setattr__(instance, name, value.copy_abs().quantize(CENT, context=EXACT))


def _date(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(f"{value!r} is not a date", field=attribute.name)


def _grade(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise InputError(f"{value!r} is not a disability grade 1-4", field=attribute.name)


def _disability_type(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value not in DISABILITY_TYPES:
        raise InputError(
            f"{value!r} is not a disability type (one of {', '.join(DISABILITY_TYPES)})",
            field=attribute.name,
        )


@attrs.frozen
class Person:
    """Who the calculation is for (参保人).

    ``categories``: category ids held explicitly (e.g. ``{"poverty"}``); categories whose
    ``disability`` rules match ``disability_grade``/``disability_type`` are added per tariff.
    ``birth_date`` is needed for the pension contribution; ``enrolled_on`` (the payment date,
    缴费日期) decides when claim benefits start; leave it out when the person is covered all year.
    """

    categories: frozenset[str] = attrs.field(default=frozenset(), converter=_category_set)
    disability_grade: int | None = attrs.field(default=None, validator=_grade)
    disability_type: str | None = attrs.field(default=None, validator=_disability_type)
    birth_date: dt.date | None = attrs.field(default=None, validator=_date)
    enrolled_on: dt.date | None = attrs.field(default=None, validator=_date)
    person_id: str | None = None


@attrs.frozen
class Claim:
    """One hospital stay's settlement (一次住院结算).

    ``compliant`` is the policy-range cost (政策范围内费用); ``total`` (default: compliant)
    is the whole bill and must be at least ``compliant``; ``basic_paid``, when given, is the
    basic payment already settled and is used instead of computing it (at most ``compliant``).
    ``hospital_level`` is needed when ``basic_paid`` is not given.
    """

    date: dt.date = attrs.field(validator=_date)
    compliant: Decimal = attrs.field(validator=_amount)
    hospital_level: str | None = None
    total: Decimal | None = attrs.field(default=None, validator=_amount)
    basic_paid: Decimal | None = attrs.field(default=None, validator=_amount)
    claim_id: str | None = None

    def __attrs_post_init__(self) -> None:
        _two_decimals(self, ("compliant", "total", "basic_paid"))
        if self.total is not None and self.total < self.compliant:
            raise ClaimAmountsError(
                f"{fmt(self.total)} is below the compliant cost {fmt(self.compliant)}",
                field="total",
            )
        if self.basic_paid is not None and self.basic_paid > self.compliant:
            raise ClaimAmountsError(
                f"{fmt(self.basic_paid)} is above the compliant cost {fmt(self.compliant)}",
                field="basic_paid",
            )

    @property
    def bill(self) -> Decimal:
        """The whole bill: ``total``, or ``compliant`` when no total was given."""
        return self.compliant if self.total is None else self.total


@attrs.frozen
class YearToDate:
    """A person's accumulators for one year before a claim (年度累计).

    ``basic_paid``: basic insurance paid so far (counts toward the basic annual cap);
    ``critical_illness_base``: the sum of individual-borne compliant cost so far (大病累计);
    ``assistance_base``: the sum of what was left after basic and critical illness (救助累计).
    """

    basic_paid: Decimal = attrs.field(default=ZERO, validator=_amount)
    critical_illness_base: Decimal = attrs.field(default=ZERO, validator=_amount)
    assistance_base: Decimal = attrs.field(default=ZERO, validator=_amount)

    def __attrs_post_init__(self) -> None:
        _two_decimals(self, ("basic_paid", "critical_illness_base", "assistance_base"))


NO_YEAR_TO_DATE = YearToDate()
"""Nothing accumulated yet. One frozen instance serves every calculation that starts a year
from zero, so none of them validates three zeros again."""
