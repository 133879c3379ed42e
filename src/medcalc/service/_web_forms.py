"""The web page's forms: what the clerk typed, read into the library's inputs, every error kept
next to the field it is about.

A form's fields carry the batch files' and the JSON API's field ids (``enrolled_on``,
``total`` …), so :mod:`medcalc.chain` reads them as it reads a batch row, with the same
messages; a stay's fields are ``stays-N-FIELD``. The forms hold only text: they are drawn
back into the page as they were typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from medcalc.chain import (
    CLAIM_FIELDS,
    PERSON_FIELDS,
    YTD_FIELDS,
    Calculator,
    Claim,
    ClaimsResult,
    Person,
    PremiumResult,
    YearToDate,
    claim_from,
    fields,
    person_from,
    year_to_date_from,
)
from medcalc.errors import InputError, MedcalcError, TariffNotFoundError
from medcalc.messages import say
from medcalc.present import YTD_REQUEST_FIELDS, translate
from medcalc.service._requests import ClaimsRequest, claim_error

#: The fields of a stay on the form (the claim id is the batch file's, not the counter's).
STAY_FIELDS = tuple(f for f in CLAIM_FIELDS if f != "claim_id")
#: The person's fields on the forms; ``categories`` is a group of checkboxes.
PERSON_TEXT_FIELDS = tuple(f for f in PERSON_FIELDS if f != "categories")
MAX_STAYS = 50
"""Most stays one form holds (larger sets go to the batch page)."""

Errors = dict[str, str]
"""A message for each field id of the page that has one; ``""`` holds what belongs to no
single field."""


def stay_field(index: int, field: str) -> str:
    """The id (and form name) of a stay's field: ``stays-0-total``."""
    return f"stays-{index}-{field}"


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row(values: Mapping[str, str]) -> dict[str, str | None]:
    """A form's values as a batch row: an empty field is a field not given."""
    return {k: (v or None) for k, v in values.items()}


def message(error: MedcalcError | str, lang: str) -> str:
    """An error's message in the page's language: the one place the web page translates."""
    return translate(str(error), lang)


@attrs.frozen
class PersonForm:
    """The person's part of a form: the categories ticked and the other fields as typed."""

    categories: tuple[str, ...] = ()
    values: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def read(cls, form: Any) -> PersonForm:
        ticked = tuple(str(v).strip() for v in form.getlist("categories") if str(v).strip())
        return cls(ticked, {f: _text(form, f) for f in PERSON_TEXT_FIELDS})

    def person(self, errors: Errors) -> Person | None:
        row = _row(self.values) | {"categories": ";".join(self.categories) or None}
        try:
            return person_from(row)
        except InputError as exc:
            errors[exc.field or ""] = str(exc)
            return None


@attrs.frozen
class EstimateForm:
    """The estimate form: series, person, stays (住院) and the year-to-date values."""

    series: str
    person: PersonForm = attrs.field(factory=PersonForm)
    stays: tuple[Mapping[str, str], ...] = ({},)
    ytd: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def read(cls, form: Any, default_series: str) -> EstimateForm:
        given = _text(form, "stay_count")  # the page's own hidden field
        count = int(given) if given.isdigit() and len(given) < 4 else 1
        stays = tuple(
            {f: _text(form, stay_field(i, f)) for f in STAY_FIELDS}
            for i in range(min(max(count, 1), MAX_STAYS))
        )
        return cls(
            _text(form, "series") or default_series,
            PersonForm.read(form),
            stays,
            {f: _text(form, f) for f in YTD_FIELDS},
        )

    def with_stay_added(self) -> EstimateForm:
        if len(self.stays) >= MAX_STAYS:
            return self
        last = self.stays[-1]
        # The next stay is most often in the same hospital: keep the level, clear the amounts.
        added = {f: (last.get(f, "") if f == "hospital_level" else "") for f in STAY_FIELDS}
        return attrs.evolve(self, stays=(*self.stays, added))

    def with_stay_removed(self, index: int) -> EstimateForm:
        if len(self.stays) <= 1 or not 0 <= index < len(self.stays):
            return self
        return attrs.evolve(self, stays=self.stays[:index] + self.stays[index + 1 :])

    def inputs(self, errors: Errors) -> tuple[Person, list[Claim], YearToDate | None] | None:
        """The library's inputs, or None with every field's error in ``errors`` (each part is
        read on its own, so the clerk sees all of them at once)."""
        person = self.person.person(errors)
        claims = []
        for index, stay in enumerate(self.stays):
            try:
                claims.append(claim_from(_row(stay)))
            except InputError as exc:
                key = stay_field(index, exc.field) if exc.field in STAY_FIELDS else ""
                errors[key] = str(exc)
        ytd = None
        try:
            ytd = year_to_date_from(_row(self.ytd))
        except InputError as exc:
            errors[exc.field or ""] = str(exc)
        if errors or person is None:
            return None
        return person, claims, ytd

    def compute(self, calc: Calculator, errors: Errors) -> ClaimsResult | None:
        """The estimate, or None with the errors in ``errors``: a calculation error is put
        next to the stay it is about, found as the JSON API finds it."""
        found = self.inputs(errors)
        if found is None:
            return None
        person, claims, ytd = found
        if not self.series_known(calc, errors):
            return None
        try:
            return calc.claims(self.series, person, claims, year_to_date=ytd)
        except MedcalcError as exc:
            request = ClaimsRequest(self.series, person, tuple(claims), ytd, True)
            problem = claim_error(calc, request, exc)
            errors[_field_of_pointer(problem.pointer)] = problem.detail
            return None

    def series_known(self, calc: Calculator, errors: Errors) -> bool:
        try:
            calc.book.versions(self.series)
        except TariffNotFoundError as exc:
            errors["series"] = str(exc)
            return False
        return True


def _field_of_pointer(pointer: str | None) -> str:
    """The page's field id for a JSON Pointer of the API (``/claims/0/date``)."""
    parts = (pointer or "").strip("/").split("/")
    if len(parts) == 3 and parts[0] == "claims" and parts[1].isdigit():
        return stay_field(int(parts[1]), parts[2]) if parts[2] in STAY_FIELDS else ""
    if len(parts) == 2 and parts[0] == "person" and parts[1] in PERSON_FIELDS:
        return parts[1]
    if len(parts) == 2 and parts[0] == "year_to_date":
        return YTD_REQUEST_FIELDS.get(parts[1], "")
    if parts == ["series"]:
        return "series"
    return ""


@attrs.frozen
class PremiumForm:
    """The premium form (参保缴费测算): series, person, year and an optional pension grade."""

    series: str
    person: PersonForm = attrs.field(factory=PersonForm)
    year: str = ""
    pension_grade: str = ""

    @classmethod
    def read(cls, form: Any, default_series: str) -> PremiumForm:
        return cls(
            _text(form, "series") or default_series,
            PersonForm.read(form),
            _text(form, "year"),
            _text(form, "pension_grade"),
        )

    def compute(self, calc: Calculator, errors: Errors) -> PremiumResult | None:
        person = self.person.person(errors)
        year: int | None = None
        grade: Decimal | None = None
        try:
            year = fields.integer({"year": self.year or None}, "year")
            if year is None:
                raise InputError(say("value.required"), field="year")
        except InputError as exc:
            errors["year"] = str(exc)
        try:
            grade = fields.amount({"pension_grade": self.pension_grade or None}, "pension_grade")
        except InputError as exc:
            errors["pension_grade"] = str(exc)
        if errors or person is None or year is None:
            return None
        if not EstimateForm(self.series).series_known(calc, errors):
            return None
        try:
            return calc.premiums(self.series, person, year, pension_grade=grade)
        except TariffNotFoundError as exc:  # no version in force on 1 January of the year
            errors["year"] = str(exc)
        except InputError as exc:  # the year's range too: the calculator's message
            errors[exc.field if exc.field in _PREMIUM_FIELDS else ""] = str(exc)
        except MedcalcError as exc:
            errors[""] = str(exc)
        return None


_PREMIUM_FIELDS = frozenset({*PERSON_FIELDS, "year", "pension_grade"})
