"""Request bodies to library inputs, every error with a JSON Pointer to its field.

The bodies' fields are those of :mod:`medcalc.present` (the CLI's and batch files' names), and
their values are read by :mod:`medcalc.chain`, so the service accepts exactly what a batch file
accepts, with the same messages. JSON numbers are read as exact decimals, never floats.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from medcalc.batch import DuplicateKeyError, loads_exact
from medcalc.chain import (
    CLAIM_FIELDS,
    PERSON_FIELDS,
    Calculator,
    Claim,
    Person,
    YearToDate,
    claim_from,
    fields,
    person_from,
    year_to_date_from,
)
from medcalc.errors import InputError, MedcalcError, SectionMissingError, TariffNotFoundError
from medcalc.messages import say
from medcalc.present import REQUEST_FIELDS, YTD_REQUEST_FIELDS
from medcalc.service._problems import ProblemError, from_error

_YTD_KEY = {field: key for key, field in YTD_REQUEST_FIELDS.items()}
_TOP_LEVEL = frozenset({"series", "year", "pension_grade", "year_to_date"})


def load_json(body: bytes) -> Any:
    """The body as JSON with exact decimals; 400 when it is not JSON."""
    try:
        return loads_exact(body)
    except DuplicateKeyError as exc:
        reason = say("service.key_twice", key=repr(exc.key))
        raise ProblemError(400, say("json.invalid", name="request", reason=reason)) from None
    except json.JSONDecodeError as exc:
        raise ProblemError(
            400,
            say(
                "json.invalid_at", name="request", line=exc.lineno, column=exc.colno, reason=exc.msg
            ),
        ) from None
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ProblemError(400, say("json.invalid", name="request", reason=exc)) from None


def _at(field: str, message: str) -> str:
    """``message`` about the request's ``field``, as an :class:`InputError` says it."""
    return say("field", field=field, message=message)


def _where(pointer: str) -> str:
    return pointer or say("service.body")


def _object(value: Any, pointer: str, fields: Sequence[str]) -> dict[str, Any]:
    """A JSON object whose keys are all in ``fields``; 422 naming the nearest one otherwise."""
    if not isinstance(value, dict):
        raise ProblemError(422, say("service.not_object", place=_where(pointer)), pointer=pointer)
    for key in value:
        if key not in fields:
            near = difflib.get_close_matches(key, fields, n=1)
            hint = say("hint.did_you_mean", choice=near[0]) if near else ""
            raise ProblemError(
                422,
                say("service.unknown_field", key=repr(key), hint=hint, fields=", ".join(fields)),
                pointer=f"{pointer}/{_escape(key)}",
            )
    return value


def _escape(key: str) -> str:
    """A key as a JSON Pointer reference token (RFC 6901 §3)."""
    return key.replace("~", "~0").replace("/", "~1")


def _scalars(row: dict[str, Any], pointer: str, *, lists: Sequence[str] = ()) -> dict[str, Any]:
    """Check every value is text, a number or null (a list of text for ``lists``); the rows
    reader takes it from there."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in lists and isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ProblemError(
                    422,
                    say("field", field=key, message=say("service.id_list")),
                    pointer=f"{pointer}/{key}",
                )
            value = ";".join(value)
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, str | int | Decimal)
        ):
            raise ProblemError(
                422,
                say("field", field=key, message=say("service.scalar", type=_json_type(value))),
                pointer=f"{pointer}/{key}",
            )
        out[key] = value
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return say("service.an_object")
    if isinstance(value, list):
        return say("found.list")
    return type(value).__name__


def pointer_of(field: str | None, claim: int | None = None) -> str | None:
    """Where a field named by an :class:`InputError` is in a request body."""
    if field is None:
        return None
    if field in PERSON_FIELDS:
        return f"/person/{field}"
    if field in _YTD_KEY:
        return f"/year_to_date/{_YTD_KEY[field]}"
    if field in _TOP_LEVEL:
        return f"/{field}"
    if field in CLAIM_FIELDS:
        return f"/claims/{claim}/{field}" if claim is not None else "/claims"
    return None


def _input_error(exc: InputError, claim: int | None = None) -> ProblemError:
    return from_error(exc, pointer=pointer_of(exc.field, claim))


@attrs.frozen
class ClaimsRequest:
    series: str
    person: Person
    claims: tuple[Claim, ...]
    year_to_date: YearToDate | None
    explain: bool


@attrs.frozen
class PremiumsRequest:
    series: str
    person: Person
    year: int
    pension_grade: Decimal | None


def _series(body: dict[str, Any], default: str) -> str:
    series = body.get("series", default)
    if not isinstance(series, str) or not series.strip():
        raise ProblemError(422, _at("series", say("service.series_name")), pointer="/series")
    return series.strip()


def _person(body: dict[str, Any]) -> Person:
    row = _object(body.get("person", {}), "/person", REQUEST_FIELDS["person"])
    try:
        return person_from(_scalars(row, "/person", lists=("categories",)))
    except InputError as exc:
        raise _input_error(exc) from None


def claims_request(body: Any, *, default_series: str, max_claims: int) -> ClaimsRequest:
    """A ``POST /v1/claims`` body as inputs; :class:`ProblemError` naming the field."""
    body = _object(body, "", REQUEST_FIELDS["claims"])
    series = _series(body, default_series)
    person = _person(body)
    items = body.get("claims")
    if not isinstance(items, list) or not items:
        raise ProblemError(422, _at("claims", say("service.claims_list")), pointer="/claims")
    if len(items) > max_claims:
        raise ProblemError(
            413,
            _at("claims", say("service.too_many_claims", count=len(items), limit=max_claims)),
            pointer="/claims",
        )
    claims = []
    for index, item in enumerate(items):
        at = f"/claims/{index}"
        row = _scalars(_object(item, at, REQUEST_FIELDS["claim"]), at)
        try:
            claims.append(claim_from(row))
        except InputError as exc:
            raise _input_error(exc, index) from None
    ytd = None
    if body.get("year_to_date") is not None:
        given = _object(body["year_to_date"], "/year_to_date", REQUEST_FIELDS["year_to_date"])
        row = {YTD_REQUEST_FIELDS[k]: v for k, v in _scalars(given, "/year_to_date").items()}
        try:
            ytd = year_to_date_from(row)
        except InputError as exc:
            raise _input_error(exc) from None
    explain = body.get("explain", True)
    if not isinstance(explain, bool):
        raise ProblemError(422, _at("explain", say("service.boolean")), pointer="/explain")
    return ClaimsRequest(series, person, tuple(claims), ytd, explain)


def premiums_request(body: Any, *, default_series: str) -> PremiumsRequest:
    """A ``POST /v1/premiums`` body as inputs; :class:`ProblemError` naming the field."""
    body = _object(body, "", REQUEST_FIELDS["premiums"])
    series = _series(body, default_series)
    person = _person(body)
    year = body.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ProblemError(422, _at("year", say("service.year", value=repr(year))), pointer="/year")
    grade_row = _scalars({"pension_grade": body.get("pension_grade")}, "")
    try:
        grade = fields.amount(grade_row, "pension_grade")
    except InputError as exc:
        raise _input_error(exc) from None
    return PremiumsRequest(series, person, year, grade)


_CLAIM_ERRORS = (InputError, TariffNotFoundError, SectionMissingError)


def claim_error(calc: Calculator, request: ClaimsRequest, error: MedcalcError) -> ProblemError:
    """A calculation error as a problem pointing at the claim it belongs to, found as the CLI
    does (each claim computed alone); an error about the person points at the person."""
    if isinstance(error, InputError) and error.field not in CLAIM_FIELDS:
        return _input_error(error)
    if isinstance(error, _CLAIM_ERRORS):
        for index, claim in enumerate(request.claims):
            try:
                calc.claims(request.series, request.person, [claim])
            except _CLAIM_ERRORS as exc:
                if type(exc) is type(error) and str(exc) == str(error):
                    field = exc.field if isinstance(exc, InputError) else "date"
                    return from_error(error, pointer=pointer_of(field, index))
    return from_error(error)
