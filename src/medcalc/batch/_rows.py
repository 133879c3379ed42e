"""Batch rows (spec §5), independent of the file format: parse, group, compute, result columns.

Pure: no file, environment or clock. :mod:`medcalc.batch` reads the rows from a CSV, XLSX or
JSON Lines file, feeds them here one by one (:meth:`ClaimsBatch.add`), and writes each input row
back with :meth:`ClaimsBatch.result` appended, in input order.

Claims rows are grouped by person, series and calendar year: a person's claims of one year
accumulate (spec §4.3), so rows need not be sorted but a bad row matters to its neighbours:

- a row with an error gets the ``error`` column (every field problem of the row, each naming
  its field) and no amounts;
- the rows of the same person, series and year that come after it in date order (ties in input
  order) get ``depends on row N of the same person and year, which has an error`` instead of
  amounts, because their accumulations would include it; earlier rows are computed;
- when the bad row's ``date`` cannot be read, its year and place are unknown, so every row of
  that person (and series) depends on it; when its person attributes (``categories``,
  ``disability_*``, ``enrolled_on``) or ``ytd_*`` columns cannot be read, every row of that
  person and year does; when its ``series`` is missing or unknown, rows of any series count
  as the same person's; a row without ``person_id`` belongs to nobody and has no dependants;
- person attributes and ``ytd_*`` values may be given on any one row of a person's year; two
  rows that give different values make every row of that person and year an error.

Row numbers are those a clerk sees: the file's row (header = row 1) or JSON Lines line number.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any

import attrs

from medcalc.batch._rules import (
    BadRow,
    Disagreement,
    agreed,
    bearing,
    blocked_by,
)
from medcalc.chain import (
    CLAIM_PERSON_FIELDS,
    LAYERS,
    YTD_FIELDS,
    Calculator,
    Claim,
    ClaimResult,
    Person,
    PremiumResult,
    YearToDate,
)
from medcalc.chain import fields as rows
from medcalc.errors import InputError, MedcalcError, MissingInputError, TariffNotFoundError
from medcalc.messages import say
from medcalc.money import EXACT, ZERO, add, fmt

__all__ = [
    "AMOUNTS",
    "CLAIM_COLUMNS",
    "CLAIM_RESULTS",
    "PREMIUM_COLUMNS",
    "PREMIUM_RESULTS",
    "Batch",
    "ClaimsBatch",
    "ParsedClaim",
    "PremiumsBatch",
    "ResultRow",
    "Summary",
]

CLAIM_COLUMNS = (
    "person_id",
    "series",
    "categories",
    "disability_grade",
    "disability_type",
    "enrolled_on",
    "claim_id",
    "date",
    "hospital_level",
    "total",
    "compliant",
    "basic_paid",
    *YTD_FIELDS,
)
"""Input columns a claims batch reads; any other column is carried through untouched."""

AMOUNTS = ("basic", *(layer.id for layer in LAYERS), "out_of_pocket")
"""The amounts of a claim in the chain's order: basic, each layer's (the chain's ``LAYERS``),
out of pocket. Each computed row keeps them all, in fen."""

_WIDTH = len(AMOUNTS)
_amounts_of = attrgetter(*AMOUNTS)
"""A :class:`~medcalc.chain.ClaimResult`'s :data:`AMOUNTS`, as a tuple (one C call)."""

CLAIM_RESULTS = (
    "covered",
    *AMOUNTS,
    "critical_illness_profile",
    "tariff_version",
    "tariff_sha256",
    "error",
)
"""Result columns appended to every claims row, in this order."""

PREMIUM_COLUMNS = (
    "person_id",
    "series",
    "year",
    "categories",
    "disability_grade",
    "disability_type",
    "birth_date",
    "pension_grade",
)
"""Input columns a premiums batch reads; any other column is carried through untouched."""

PREMIUM_RESULTS = (
    "medical_contribution",
    "medical_government",
    "medical_individual",
    "medical_profile",
    "pension_due",
    "pension_contribution",
    "pension_government",
    "pension_individual",
    "pension_subsidy",
    "pension_profile",
    "tariff_version",
    "tariff_sha256",
    "error",
)
"""Result columns appended to every premiums row, in this order."""

ResultRow = tuple[str | None, ...]
"""A row's result columns: text (amounts with exactly 2 decimals), None for an empty cell."""

Fields = Mapping[str, Any]
Progress = Callable[[int], None]

YES, NO = "yes", "no"
_PROGRESS_STEP = 1000
_CACHE_LIMIT = 100_000
_HUNDRED = Decimal(100)


@attrs.frozen
class Summary:
    """What a batch did: rows read (blank rows apart), rows computed, rows with an error, and
    the totals of each result amount over the computed rows."""

    kind: str
    rows: int
    ok: int
    errors: int
    blank: int
    totals: tuple[tuple[str, Decimal], ...]


def _attempt(problems: list[str], parse: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """``parse(*args, **kw)``, or None with the error (which names its field) noted."""
    try:
        return parse(*args, **kw)
    except InputError as exc:
        problems.append(str(exc))
        return None


def _categories(fields: Fields, name: str) -> frozenset[str] | None:
    """The category ids of a cell; None when it is blank (not given on this row)."""
    return None if rows.text(fields, name) is None else rows.categories(fields, name)


class Batch:
    """Rows of one batch: :meth:`add` each row in input order, :meth:`run`, then read
    :meth:`result` by position (0 = the first row added)."""

    kind = ""
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    def __init__(self, calculator: Calculator, *, default_series: str | None = None) -> None:
        self.calculator = calculator
        self.default_series = default_series
        self._numbers = array("l")  # row numbers, 8 bytes each
        self._blank = 0
        self._series: dict[str, str | None] = {}  # series -> None when known, else the error
        self._intern: dict[Any, Any] = {}
        self._parsed: dict[tuple[str, str], tuple[Any, str | None]] = {}

    def __len__(self) -> int:
        return len(self._numbers)

    def number(self, position: int) -> int:
        """The row number (as the clerk sees it) of the row at ``position``."""
        return self._numbers[position]

    def add_blank(self, number: int) -> None:
        """A row with every cell empty: written back as it is, with empty results."""
        self._numbers.append(number)
        self._blank += 1
        self._added(None)

    def add(self, fields: Fields, number: int) -> None:
        """A row's known fields (column name -> cell value) and its row number."""
        raise NotImplementedError

    def _added(self, record: Any) -> None:
        raise NotImplementedError

    def run(self, progress: Progress | None = None) -> Summary:
        """Compute every row; ``progress(n)`` is told how many rows are done now and then."""
        raise NotImplementedError

    def result(self, position: int) -> ResultRow | None:
        """The result columns of the row at ``position``; None for a blank row."""
        raise NotImplementedError

    def _field(
        self,
        problems: list[str],
        parse: Callable[..., Any],
        fields: Fields,
        name: str,
        *,
        required: bool = False,
        cache: bool = False,
    ) -> Any:
        """``parse(fields, name)``, or None with its error (which names the field) noted.

        An absent or empty cell is None without parsing (unless ``required``, for the usual
        message); ``cache``: the column repeats few values (dates, levels, categories), so each
        text is parsed once.
        """
        raw = fields.get(name)
        if raw is None or raw == "":
            if not required:
                return None
        elif cache and type(raw) is str:
            key = (name, raw)
            hit = self._parsed.get(key)
            if hit is None:
                if len(self._parsed) >= _CACHE_LIMIT:
                    self._parsed.clear()
                try:
                    value = parse(fields, name, required=True) if required else parse(fields, name)
                    hit = (value, None)
                except InputError as exc:
                    hit = (None, str(exc))
                self._parsed[key] = hit
            if hit[1] is not None:
                problems.append(hit[1])
            return hit[0]
        try:
            return parse(fields, name, required=True) if required else parse(fields, name)
        except InputError as exc:
            problems.append(str(exc))
            return None

    def _share(self, value: Any) -> Any:
        """One shared object for equal values (repeated series, levels, attribute tuples)."""
        return self._intern.setdefault(value, value)

    def series_of(self, fields: Fields, problems: list[str]) -> str | None:
        """The row's series (or the default), or None with the problem noted."""
        before = len(problems)
        given = self._field(problems, rows.text, fields, "series", cache=True)
        if len(problems) > before:
            return None
        series = given or self.default_series
        if series is None:
            problems.append(say("field", field="series", message=say("row.no_series")))
            return None
        series = str(self._share(series))
        if series not in self._series:
            try:
                self.calculator.book.versions(series)
                self._series[series] = None
            except TariffNotFoundError as exc:
                self._series[series] = say("field", field="series", message=exc)
        problem = self._series[series]
        if problem is not None:
            problems.append(problem)
            return None
        return series

    def _error_row(self, message: str) -> ResultRow:
        return (None,) * (len(self.results) - 1) + (message,)


# -- claims ---------------------------------------------------------------------------------

Attrs = tuple[frozenset[str] | None, int | None, str | None, dt.date | None]
"""A row's person attributes as given (None = not given on that row)."""
Ytd = tuple[Decimal | None, ...]
GroupKey = tuple[str, str, int]

_NO_YTD: Ytd = (None,) * len(YTD_FIELDS)


@attrs.frozen
class ParsedClaim:
    """A claims row as :meth:`ClaimsBatch.parse` reads it: either ``bad`` (with every problem)
    or the claim, the person attributes and year-to-date values as given on the row."""

    person_id: str | None
    series: str | None
    claim: Claim | None
    attrs: Attrs | None
    ytd: Ytd | None
    bad: BadRow | None


class ClaimsBatch(Batch):
    """Claims rows: grouped by person, series and year; each group computed in date order."""

    kind = "claims"
    columns = CLAIM_COLUMNS
    required = ("person_id", "date", "compliant")
    results = CLAIM_RESULTS

    def __init__(self, calculator: Calculator, *, default_series: str | None = None) -> None:
        super().__init__(calculator, default_series=default_series)
        # Parallel lists by position keep the memory per row small (no per-row dict or object).
        self._claims: list[Claim | None] = []
        self._attrs: list[Attrs | None] = []
        self._ytds: list[Ytd | None] = []
        self._bad: dict[int, BadRow] = {}
        self._groups: dict[GroupKey, list[int]] = {}
        self._orphans: dict[str, list[int]] = {}  # bad rows of unknown series or date, by person
        self._totals = [0] * _WIDTH  # fen
        self._done = 0
        # Results, compactly: per row the amounts (AMOUNTS) in fen and one shared tuple of
        # (covered, critical-illness profile, tariff version, tariff sha256); errors apart.
        self._cents = array("q")
        self._meta: list[tuple[str, str | None, str, str] | None] = []
        self._errors: dict[int, str] = {}
        self._persons: dict[tuple[Any, ...], Person] = {}

    def _added(self, record: Any) -> None:
        claim, attrs_, ytd = record if record is not None else (None, None, None)
        self._claims.append(claim)
        self._attrs.append(attrs_)
        self._ytds.append(ytd)

    def add(self, fields: Fields, number: int) -> None:
        """A claims row: parse every field, note every problem, file it under its group."""
        position = len(self._numbers)
        self._numbers.append(number)
        row = self.parse(fields)
        bad = row.bad
        if bad is not None:
            self._bad[position] = bad
            self._added(None)
            key = bad.group()
            if key is not None:
                self._groups.setdefault(key, []).append(position)
            elif bad.person_id is not None:
                self._orphans.setdefault(bad.person_id, []).append(position)
            return
        claim, person_id, series = row.claim, row.person_id, row.series
        assert claim is not None and person_id is not None and series is not None
        self._claims.append(claim)
        self._attrs.append(row.attrs)
        self._ytds.append(row.ytd)
        key = (person_id, series, claim.date.year)
        group = self._groups.get(key)
        if group is None:
            self._groups[key] = [position]
        else:
            group.append(position)

    def parse(self, fields: Fields) -> ParsedClaim:
        """A claims row's fields parsed and checked (every problem noted), not yet filed."""
        problems: list[str] = []
        field = self._field
        person_id = field(problems, rows.text, fields, "person_id")
        if person_id is None and not problems:
            problems.append(say("field", field="person_id", message=say("row.required")))
        series = self.series_of(fields, problems)
        claim_problems = len(problems)
        day = field(problems, rows.date, fields, "date", required=True, cache=True)
        compliant = field(problems, rows.amount, fields, "compliant", required=True)
        total = field(problems, rows.amount, fields, "total")
        basic_paid = field(problems, rows.amount, fields, "basic_paid")
        level = field(problems, rows.text, fields, "hospital_level", cache=True)
        # A text claim id is not read: it is not needed to compute, the output carries the
        # input column as it is, and a compatibility character in it (C①) misleads no amount,
        # so it does not stop the row (the columnar path does the same). A non-text cell (a
        # JSON number) is read for its errors only.
        if type(fields.get("claim_id", "")) is not str:
            field(problems, rows.text, fields, "claim_id")
        claim = None
        if len(problems) == claim_problems:
            try:
                claim = Claim(day, compliant, level, total, basic_paid)
            except InputError as exc:
                problems.append(str(exc))
        year_problems = len(problems)
        person_attrs = self._person_attrs(fields, problems)
        ytd = self._ytd(fields, problems)
        whole_year = len(problems) > year_problems
        if problems:
            bad = BadRow("; ".join(problems), person_id, series, day, whole_year)
            return ParsedClaim(person_id, series, None, None, None, bad)
        return ParsedClaim(person_id, series, claim, person_attrs, ytd, None)

    def parsed(self) -> Iterator[ParsedClaim | None]:
        """Every row added, by position, as :meth:`parse` read it (None: a blank row): what
        another way of computing the batch (the column engine) starts from."""
        owner: dict[int, tuple[str, str]] = {}
        for (person_id, series, _year), members in self._groups.items():
            for p in members:
                owner[p] = (person_id, series)
        for p in range(len(self._numbers)):
            bad = self._bad.get(p)
            if bad is not None:
                yield ParsedClaim(bad.person_id, bad.series, None, None, None, bad)
                continue
            claim = self._claims[p]
            if claim is None:
                yield None
                continue
            person_id, series = owner[p]
            yield ParsedClaim(person_id, series, claim, self._attrs[p], self._ytds[p], None)

    @property
    def numbers(self) -> Sequence[int]:
        """The row number (as the clerk sees it) of every row, by position."""
        return self._numbers

    def forget_parsed(self) -> None:
        """Free the parsed rows, once the batch was computed from :meth:`parsed` elsewhere."""
        self._claims, self._attrs, self._ytds = [], [], []

    def _person_attrs(self, fields: Fields, problems: list[str]) -> Attrs | None:
        before = len(problems)
        field = self._field
        categories = field(problems, _categories, fields, "categories", cache=True)
        grade = field(problems, rows.integer, fields, "disability_grade", cache=True)
        kind = field(problems, rows.text, fields, "disability_type", cache=True)
        enrolled = field(problems, rows.date, fields, "enrolled_on", cache=True)
        if len(problems) > before:
            return None
        found: Attrs = (categories, grade, kind, enrolled)
        shared: Attrs | None = self._intern.get(found)
        if shared is not None:
            return shared
        if found != (None, None, None, None):
            # Check the values once per distinct combination (grade 1-4, known type).
            try:
                Person(
                    categories=categories or frozenset(),
                    disability_grade=grade,
                    disability_type=kind,
                    enrolled_on=enrolled,
                )
            except InputError as exc:
                problems.append(str(exc))
                return None
        self._intern[found] = found
        return found

    def _ytd(self, fields: Fields, problems: list[str]) -> Ytd | None:
        if not any(f in fields for f in YTD_FIELDS):
            return _NO_YTD
        before = len(problems)
        values = tuple(self._field(problems, rows.amount, fields, f) for f in YTD_FIELDS)
        if len(problems) > before:
            return None
        shared: Ytd = self._share(values)
        return shared

    # -- computing ------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Summary:
        """Compute every group; bad rows and their dependants get their errors."""
        count = len(self._numbers)
        self._meta = [None] * count
        self._cents = array("q", bytes(8 * _WIDTH * count))
        for position, bad in self._bad.items():
            self._errors[position] = bad.message
        reported = 0
        for key, members in self._groups.items():
            self._group(key, members)
            for position in members:  # free the parsed inputs as soon as they are used
                self._claims[position] = None
            self._done += len(members)
            if progress is not None and self._done - reported >= _PROGRESS_STEP:
                progress(self._done)
                reported = self._done
        if progress is not None:
            progress(len(self._numbers))
        errors = len(self._errors)
        rows_ = len(self._numbers) - self._blank
        totals = tuple(
            (name, Decimal(fen).scaleb(-2, context=EXACT))
            for name, fen in zip(AMOUNTS, self._totals, strict=True)
        )
        return Summary(self.kind, rows_, rows_ - errors, errors, self._blank, totals)

    def _group(self, key: GroupKey, members: list[int]) -> None:
        person_id, series, year = key
        good = [p for p in members if p not in self._bad] if self._bad else members
        if not good:
            return
        whole: list[int] = []
        placed: list[int] = []  # bad rows with a place in the date order
        if self._bad:
            bad_rows = [p for p in members if p in self._bad]
            for p in [*bad_rows, *self._orphans.get(person_id, ())]:
                found = bearing(self._bad[p], series, year)
                if found is not None:
                    (whole if found == "whole" else placed).append(p)
        merged = self._merge(good)
        if isinstance(merged, str):
            for p in good:
                self._errors[p] = merged
            return
        person, ytd = merged
        if whole:
            message = self._depends(sorted(whole))
            for p in good:
                self._errors[p] = message
            return
        if not placed:
            # The usual case: no bad row in the group. The calculator orders the claims itself;
            # only when it raises is the date order needed, to find the row that failed.
            try:
                done = self.calculator.claims(
                    series, person, [self._claim(p) for p in good], year_to_date=ytd
                )
            except MedcalcError:
                pass
            else:
                self._store(good, done.claims)
                return
        order = sorted(good + placed, key=lambda p: (self._day(p), p))
        first_bad = next((i for i, p in enumerate(order) if p in self._bad), len(order))
        blockers: list[int] = []
        computed, problem = self._compute(series, person, ytd, order[:first_bad])
        if problem is not None:
            culprit = order[computed]
            if isinstance(problem, InputError) and problem.field in CLAIM_PERSON_FIELDS:
                for p in good:
                    self._errors[p] = str(problem)
                return
            self._errors[culprit] = str(problem)
            blockers.append(culprit)
            rest = order[computed + 1 :]
        else:
            rest = order[first_bad:]
        for p in rest:
            if p in self._bad:
                blockers.append(p)
                continue
            own = self._alone(series, person, p)
            if own is not None:
                self._errors[p] = own
                blockers.append(p)
            else:
                self._errors[p] = self._depends(blockers)

    def result(self, position: int) -> ResultRow | None:
        """The result columns of the row at ``position``; None for a blank row."""
        meta = self._meta[position]
        if meta is None:
            message = self._errors.get(position)
            return None if message is None else self._error_row(message)
        covered, profile, version, sha256 = meta
        i = _WIDTH * position
        return (
            covered,
            *map(cents_text, self._cents[i : i + _WIDTH]),
            profile,
            version,
            sha256,
            None,
        )

    def _claim(self, position: int) -> Claim:
        claim = self._claims[position]
        assert claim is not None
        return claim

    def _day(self, position: int) -> dt.date:
        claim = self._claims[position]
        if claim is not None:
            return claim.date
        day = self._bad[position].day
        assert day is not None
        return day

    def _merge(self, good: list[int]) -> tuple[Person, YearToDate | None] | str:
        """The person and year-to-date values of a group, or the message for a disagreement."""
        numbers = [self._numbers[p] for p in good]
        person_values = agreed(CLAIM_PERSON_FIELDS, numbers, [self._attrs[p] for p in good])
        if isinstance(person_values, Disagreement):
            return person_values.message
        ytd_values = agreed(YTD_FIELDS, numbers, [self._ytds[p] for p in good])
        if isinstance(ytd_values, Disagreement):
            return ytd_values.message
        person = self._persons.get(person_values)
        if person is None:
            # One Person per distinct set of attributes (the calculator needs no person_id).
            categories, grade, kind, enrolled = person_values
            person = self._persons[person_values] = Person(
                categories=categories or frozenset(),
                disability_grade=grade,
                disability_type=kind,
                enrolled_on=enrolled,
            )
        if all(v is None for v in ytd_values):
            return person, None
        return person, rows.year_to_date(ytd_values)

    def _depends(self, blockers: list[int]) -> str:
        return blocked_by([(self._numbers[p], self._bad.get(p)) for p in blockers])

    def _compute(
        self, series: str, person: Person, ytd: YearToDate | None, order: list[int]
    ) -> tuple[int, MedcalcError | None]:
        """Compute the rows of ``order`` (date order); on an error, find the first row that
        fails (the rows before it are computed) and return its index and error."""
        if not order:
            return 0, None
        claims = [self._claim(p) for p in order]
        calc = self.calculator
        try:
            result = calc.claims(series, person, claims, year_to_date=ytd)
        except MedcalcError as exc:
            if isinstance(exc, InputError) and exc.field in CLAIM_PERSON_FIELDS:
                return 0, exc
            # Claims are taken in date order, so a prefix fails exactly when it holds the culprit.
            ok, failing, problem = 0, len(claims), exc
            while failing - ok > 1:
                middle = (ok + failing) // 2
                try:
                    calc.claims(series, person, claims[:middle], year_to_date=ytd)
                    ok = middle
                except MedcalcError as again:
                    failing, problem = middle, again
            if ok:
                done = calc.claims(series, person, claims[:ok], year_to_date=ytd)
                self._store(order[:ok], done.claims)
            return ok, problem
        self._store(order, result.claims)
        return len(order), None

    def _alone(self, series: str, person: Person, position: int) -> str | None:
        """The row's own error when computed on its own (a bad level, no tariff in force…)."""
        try:
            self.calculator.claims(series, person, [self._claim(position)])
        except MedcalcError as exc:
            return str(exc)
        return None

    def _store(self, positions: list[int], results: Sequence[ClaimResult]) -> None:
        totals = self._totals
        cents, meta, share = self._cents, self._meta, self._share
        for p, r in zip(positions, results, strict=True):
            ci = r.critical_illness_detail
            meta[p] = share(
                (
                    YES if r.covered else NO,
                    None if ci is None else ci.profile,
                    r.tariff.version,
                    r.tariff.sha256,
                )
            )
            i = _WIDTH * p
            for k, amount in enumerate(_amounts_of(r)):
                totals[k] += (fen := _to_cents(amount))
                cents[i + k] = fen


def _to_cents(amount: Decimal) -> int:
    """An amount as whole fen (a computed amount always has whole fen; EXACT refuses to round)."""
    return int(EXACT.multiply(amount, _HUNDRED).to_integral_exact(context=EXACT))


def cents_text(cents: int) -> str:
    """Whole fen as yuan with exactly 2 decimals, as :func:`fmt` writes them (-1 -> "-0.01")."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


# -- premiums -------------------------------------------------------------------------------

_Premium = tuple[str, Person, int, Decimal | None]


class PremiumsBatch(Batch):
    """Premiums rows: each row on its own (one person, one contribution year)."""

    kind = "premiums"
    columns = PREMIUM_COLUMNS
    required = ("year",)
    results = PREMIUM_RESULTS

    def __init__(self, calculator: Calculator, *, default_series: str | None = None) -> None:
        super().__init__(calculator, default_series=default_series)
        self._rows: list[_Premium | str | None] = []
        self._results: list[ResultRow | None] = []

    def _added(self, record: Any) -> None:
        self._rows.append(record)

    def add(self, fields: Fields, number: int) -> None:
        """A premiums row: series, year, person attributes and the chosen pension grade."""
        self._numbers.append(number)
        problems: list[str] = []
        series = self.series_of(fields, problems)
        year = _attempt(problems, rows.integer, fields, "year")
        if year is None and not any(p.startswith("year:") for p in problems):
            problems.append(str(MissingInputError(say("row.required"), field="year")))
        elif year is not None and not 1 <= year <= 9999:
            problems.append(say("field", field="year", message=say("input.year", value=year)))
        given = _attempt(problems, rows.text, fields, "categories")
        categories = frozenset() if given is None else rows.categories(fields)
        grade = _attempt(problems, rows.integer, fields, "disability_grade")
        kind = _attempt(problems, rows.text, fields, "disability_type")
        birth = _attempt(problems, rows.date, fields, "birth_date")
        person_id = _attempt(problems, rows.text, fields, "person_id")
        pension_grade = _attempt(problems, rows.amount, fields, "pension_grade")
        person = None
        if not problems:
            person = _attempt(
                problems,
                Person,
                categories=categories,
                disability_grade=grade,
                disability_type=kind,
                birth_date=birth,
                person_id=person_id,
            )
        if problems:
            self._added("; ".join(problems))
            return
        assert series is not None and person is not None and year is not None
        self._added((series, person, year, pension_grade))

    def result(self, position: int) -> ResultRow | None:
        """The result columns of the row at ``position``; None for a blank row."""
        return self._results[position]

    def run(self, progress: Progress | None = None) -> Summary:
        """Compute every row on its own."""
        totals = [ZERO] * 5
        results: list[ResultRow | None] = []
        errors = 0
        for i, record in enumerate(self._rows):
            if record is None:
                results.append(None)
                continue
            if isinstance(record, str):
                results.append(self._error_row(record))
                errors += 1
                continue
            series, person, year, grade = record
            # Without a birth date only the pension part (age on 1 January) is blocked: the
            # medical part is written, and the row is an error row, left out of the totals.
            dated = person.birth_date is not None
            try:
                r = self.calculator.premiums(
                    series, person, year, pension_grade=grade, pension=dated
                )
            except MedcalcError as exc:
                results.append(self._error_row(str(exc)))
                errors += 1
                continue
            tariff = self.calculator.book.in_force(series, dt.date(year, 1, 1))
            if dated or tariff.pension_premium is None:
                results.append(_premium_row(r, totals))
            else:
                results.append((*_premium_row(r, [ZERO] * 5)[:-1], _NO_BIRTH_DATE))
                errors += 1
            if progress is not None and i % _PROGRESS_STEP == _PROGRESS_STEP - 1:
                progress(i + 1)
        if progress is not None:
            progress(len(self._rows))
        self._results = results
        self._rows = []
        rows_ = len(self._numbers) - self._blank
        names = (
            "medical_government",
            "medical_individual",
            "pension_government",
            "pension_individual",
            "pension_subsidy",
        )
        return Summary(
            self.kind,
            rows_,
            rows_ - errors,
            errors,
            self._blank,
            tuple(zip(names, totals, strict=True)),
        )


_NO_BIRTH_DATE = str(MissingInputError(say("row.no_birth_date"), field="birth_date"))


def _premium_row(r: PremiumResult, totals: list[Decimal]) -> ResultRow:
    m, p = r.medical, r.pension
    medical: ResultRow = (None,) * 4
    if m is not None:
        medical = (fmt(m.contribution), fmt(m.government_pays), fmt(m.individual_pays), m.profile)
        totals[0] = add(totals[0], m.government_pays)
        totals[1] = add(totals[1], m.individual_pays)
    pension: ResultRow = (None,) * 6
    if p is not None and p.due:
        pension = (
            YES,
            fmt(p.grade),
            fmt(p.government_pays),
            fmt(p.individual_pays),
            fmt(p.subsidy),
            p.profile,
        )
        totals[2] = add(totals[2], p.government_pays)
        totals[3] = add(totals[3], p.individual_pays)
        totals[4] = add(totals[4], p.subsidy)
    elif p is not None:
        zero = fmt(ZERO)
        pension = (NO, zero, zero, zero, zero, None)
    return (*medical, *pension, r.tariff.version, r.tariff.sha256, None)
