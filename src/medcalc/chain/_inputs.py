"""Frozen inputs of a calculation: a person, a claim, the year-to-date state.

Amounts must be ``Decimal`` (never float) with at most 2 decimals, finite and not negative;
anything else raises :class:`~medcalc.errors.AmountError` naming the field. Use
:func:`medcalc.money.parse_amount` to turn user text (``"120,000.00"``, full-width digits)
into such a ``Decimal``. Every other argument is checked for its type too (a date is a
``datetime.date``, an id a ``str``); a ``None`` where a value is required is a
:class:`~medcalc.errors.MissingInputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from medcalc.chain.problems import paid_above_compliant, total_below_compliant
from medcalc.errors import AmountError, InputError, MissingInputError
from medcalc.messages import say
from medcalc.money import ZERO, check_amount, shown
from medcalc.tariff import DISABILITY_TYPES, disability_type_named

#: What a required value that was not given says, wherever it is missing.
REQUIRED = say("value.required")


def _category_set(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):  # a lone id, not its letters
        return frozenset([value])
    try:
        found = value if type(value) is frozenset else frozenset(value)
    except TypeError:  # None, a number, unhashable members
        raise InputError(
            say("input.category_set", value=shown(value)), field="categories"
        ) from None
    for item in found:
        if type(item) is not str:
            raise InputError(say("input.category_text", value=shown(item)), field="categories")
    return found


def kind_of(value: object) -> str:
    """``a float``, ``an int``: the type a refused value has."""
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name}"


def checked_amount(value: Any, field: str, *, required: bool) -> Decimal | None:
    """``value`` checked as an amount (a ``Decimal``; never a float, int or text, which could
    have been misread on the way) and given exactly 2 decimals."""
    if type(value) is not Decimal:
        if value is None:
            if required:
                raise MissingInputError(REQUIRED, field=field)
            return None
        if not isinstance(value, Decimal):
            raise AmountError(
                say("amount.not_decimal", value=shown(value), type=kind_of(value)), field=field
            )
    return check_amount(value, field=field)


def _check_date(value: Any, field: str, *, required: bool) -> None:
    if type(value) is dt.date:
        return
    if value is None:
        if required:
            raise MissingInputError(REQUIRED, field=field)
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(say("date.not_date", value=shown(value)), field=field)


def check_text(value: Any, field: str) -> None:
    """Refuse a value that is neither text nor None (an id or level given as a number)."""
    if value is not None and type(value) is not str and not isinstance(value, str):
        raise InputError(say("text.not_text", value=shown(value), type=kind_of(value)), field=field)


def _date(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_date(value, attribute.name, required=False)


def _text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_text(value, attribute.name)


def _grade(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise InputError(say("input.disability_grade", value=shown(value)), field=attribute.name)


def _disability_type_id(value: Any) -> Any:
    """A disability type by its id or Chinese name (肢体, 肢体残疾) as its id; anything else
    as it is, for the validator to refuse."""
    if type(value) is str:
        return disability_type_named(value) or value
    return value


def _disability_type(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (type(value) is not str or value not in DISABILITY_TYPES):
        types = ", ".join(DISABILITY_TYPES)
        raise InputError(
            say("input.disability_type", value=shown(value), types=types), field=attribute.name
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
    disability_type: str | None = attrs.field(
        default=None, converter=_disability_type_id, validator=_disability_type
    )
    birth_date: dt.date | None = attrs.field(default=None, validator=_date)
    enrolled_on: dt.date | None = attrs.field(default=None, validator=_date)
    person_id: str | None = attrs.field(default=None, validator=_text)


@attrs.frozen
class Claim:
    """One hospital stay's settlement (一次住院结算).

    ``compliant`` is the policy-range cost (政策范围内费用); ``total`` (default: compliant)
    is the whole bill and must be at least ``compliant``; ``basic_paid``, when given, is the
    basic payment already settled and is used instead of computing it (at most ``compliant``).
    ``hospital_level`` is needed when ``basic_paid`` is not given.
    """

    date: dt.date
    compliant: Decimal
    hospital_level: str | None = None
    total: Decimal | None = None
    basic_paid: Decimal | None = None
    claim_id: str | None = None

    def __attrs_post_init__(self) -> None:
        # One pass instead of a validator per field: a batch builds a Claim for every row.
        _check_date(self.date, "date", required=True)
        put = object.__setattr__
        put(self, "compliant", checked_amount(self.compliant, "compliant", required=True))
        if self.total is not None:
            put(self, "total", checked_amount(self.total, "total", required=False))
        if self.basic_paid is not None:
            put(self, "basic_paid", checked_amount(self.basic_paid, "basic_paid", required=False))
        check_text(self.hospital_level, "hospital_level")
        check_text(self.claim_id, "claim_id")
        if self.total is not None and self.total < self.compliant:
            raise total_below_compliant(self.total, self.compliant)
        if self.basic_paid is not None and self.basic_paid > self.compliant:
            raise paid_above_compliant(self.basic_paid, self.compliant)

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

    basic_paid: Decimal = ZERO
    critical_illness_base: Decimal = ZERO
    assistance_base: Decimal = ZERO

    def __attrs_post_init__(self) -> None:
        put = object.__setattr__
        for name in _YEAR_TO_DATE:
            put(self, name, checked_amount(getattr(self, name), name, required=True))


_YEAR_TO_DATE = tuple(a.name for a in attrs.fields(YearToDate))

NO_YEAR_TO_DATE = YearToDate()
"""Nothing accumulated yet. One frozen instance serves every calculation that starts a year
from zero, so none of them validates three zeros again."""
