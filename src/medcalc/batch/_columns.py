"""The batch rules over columns, and the engine: the columnar path's computing (spec §5).

Parsed claims rows as columns (:class:`ParsedColumns`, one entry per row position, from a
:class:`~medcalc.batch.ClaimsBatch` by :func:`from_batch` or from pyarrow's reading) are solved
by :func:`solve` under the rules of :mod:`medcalc.batch._rules` (the row path's): person
attributes and year-to-date values merged per person, series and year, bad rows and the rows
depending on them; the engine (:mod:`medcalc.fast`) gets every computable person-year with the
bad rows it can place in date order (marked by an impossible amount, their message then
replaced by the batch's own) and the batch's row numbers, so its dependent-row messages read
exactly like the reference's. The :class:`Outcome` holds each row's result.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medcalc.batch._rows import (
    AMOUNTS,
    CLAIM_RESULTS,
    ClaimsBatch,
    ParsedClaim,
    ResultRow,
    Summary,
    cents_text,
)
from medcalc.batch._rules import (
    Disagreement,
    agreed,
    bearing,
    blocked_by,
)
from medcalc.chain import CLAIM_PERSON_FIELDS, YTD_FIELDS
from medcalc.fast import NAT, ClaimTable, Columns, PersonKind, compute, fen
from medcalc.money import EXACT
from medcalc.tariff import TariffBook

__all__ = [
    "BAD",
    "BLANK",
    "GOOD",
    "I32",
    "I64",
    "NO_DAY",
    "Codes",
    "Outcome",
    "ParsedColumns",
    "day_number",
    "from_batch",
    "solve",
]

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]

BLANK, GOOD, BAD = 0, 1, 2
NO_DAY = np.iinfo(np.int32).min  # 'no date' in int32 day columns
_EPOCH = dt.date(1970, 1, 1).toordinal()
_YES_NO = ("no", "yes")
_WIDTH = len(CLAIM_RESULTS)


def day_number(value: dt.date) -> int:
    return value.toordinal() - _EPOCH


def _date(day: int) -> dt.date:
    return dt.date.fromordinal(day + _EPOCH)


def _yuan(fen_: int) -> Decimal:
    return Decimal(fen_).scaleb(-2, context=EXACT)


class Codes:
    """Distinct values of a column, each with a small int code (in order of appearance)."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._codes: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        found = self._codes.get(value)
        if found is None:
            found = self._codes[value] = len(self.values)
            self.values.append(value)
        return found


class ParsedColumns:
    """Parsed claims rows as columns, one entry per row position (blank rows included).

    Not given: -1 (codes, amounts in fen, grade), ``NO_DAY`` (dates). Bad rows keep the
    reference's :class:`~medcalc.batch._rules.BadRow` (message, person, series, day, whole year) in
    ``bad``, and their person, series and day codes in the columns when known.
    """

    def __init__(self) -> None:
        self.series = Codes()
        self.levels = Codes()
        self.categories = Codes()
        self.types = Codes()
        self.bad: dict[int, Any] = {}
        self.n = 0
        self.number: NDArray[Any] | None = None  # row numbers; None: position + 2 (CSV)
        self.state = np.zeros(0, np.int8)
        self.pid = np.zeros(0, np.int32)
        self.ser = np.zeros(0, np.int16)
        self.day = np.zeros(0, np.int32)
        self.comp = np.zeros(0, np.int64)
        self.total: I64 | None = None
        self.paid: I64 | None = None
        self.level = np.zeros(0, np.int16)
        self.cat = np.zeros(0, np.int32)
        self.grade = np.zeros(0, np.int16)
        self.dtype = np.zeros(0, np.int16)
        self.enr: I32 | None = None
        self.ytd: list[I64] | None = None

    def row_number(self, position: int) -> int:
        return position + 2 if self.number is None else int(self.number[position])

    def row_numbers(self, positions: NDArray[Any] | None) -> NDArray[Any]:
        """The row numbers of ``positions`` (None: of every row)."""
        if self.number is not None:
            return self.number if positions is None else self.number.take(positions)
        dtype = np.int32 if self.n < 2**31 - 2 else np.int64
        if positions is None:
            return np.arange(2, self.n + 2, dtype=dtype)
        numbers: NDArray[Any] = positions.astype(dtype)
        numbers += 2
        return numbers

    def allocate(self, n: int, *, ytd: bool = True, enrolled: bool = True) -> None:
        self.n = n
        self.state = np.zeros(n, np.int8)
        self.pid = np.full(n, -1, np.int32)
        self.ser = np.full(n, -1, np.int16)
        self.day = np.full(n, NO_DAY, np.int32)
        self.comp = np.full(n, -1, np.int64)
        self.total = np.full(n, -1, np.int64)
        self.paid = np.full(n, -1, np.int64)
        self.level = np.full(n, -1, np.int16)
        self.cat = np.full(n, -1, np.int32)
        self.grade = np.full(n, -1, np.int16)
        self.dtype = np.full(n, -1, np.int16)
        self.enr = np.full(n, NO_DAY, np.int32) if enrolled else None
        self.ytd = [np.full(n, -1, np.int64) for _ in YTD_FIELDS] if ytd else None

    def put(self, p: int, parsed: ParsedClaim, person: int, series: int) -> None:
        """Row ``p`` from the reference's parse (``person``, ``series``: their codes or -1)."""
        self.pid[p] = person
        self.ser[p] = series
        bad = parsed.bad
        if bad is not None:
            self.state[p] = BAD
            self.bad[p] = bad
            if bad.day is not None:
                self.day[p] = day_number(bad.day)
            return
        claim, attrs_, ytd = parsed.claim, parsed.attrs, parsed.ytd
        assert claim is not None and attrs_ is not None
        self.state[p] = GOOD
        self.day[p] = day_number(claim.date)
        self.comp[p] = fen(claim.compliant)
        if claim.total is not None:
            assert self.total is not None
            self.total[p] = fen(claim.total)
        if claim.basic_paid is not None:
            assert self.paid is not None
            self.paid[p] = fen(claim.basic_paid)
        if claim.hospital_level is not None:
            self.level[p] = self.levels.code(claim.hospital_level)
        cats, grade, kind, enrolled = attrs_
        if cats is not None:
            self.cat[p] = self.categories.code(cats)
        if grade is not None:
            self.grade[p] = grade
        if kind is not None:
            self.dtype[p] = self.types.code(kind)
        if enrolled is not None:
            if self.enr is None:
                self.enr = np.full(self.n, NO_DAY, np.int32)
            self.enr[p] = day_number(enrolled)
        if ytd is not None and any(v is not None for v in ytd):
            if self.ytd is None:
                self.ytd = [np.full(self.n, -1, np.int64) for _ in YTD_FIELDS]
            for f, value in enumerate(ytd):
                if value is not None:
                    self.ytd[f][p] = fen(value)


def from_batch(batch: ClaimsBatch) -> ParsedColumns:
    """The parsed state of a reference batch (every row added) as columns."""
    out = ParsedColumns()
    out.allocate(len(batch), ytd=False, enrolled=False)
    out.number = np.array(batch.numbers, np.int64)
    persons = Codes()
    for p, parsed in enumerate(batch.parsed()):
        if parsed is None:
            continue  # blank
        person = -1 if parsed.person_id is None else persons.code(parsed.person_id)
        series = -1 if parsed.series is None else out.series.code(parsed.series)
        out.put(p, parsed, person, series)
    return out


class Outcome:
    """Per row: an error (index into ``messages``) or a computed result (index into ``metas``:
    covered, profile, version, sha256) with its amounts in fen (:data:`AMOUNTS`)."""

    def __init__(self, n: int) -> None:
        self.err = np.full(n, -1, np.int32)
        self.meta = np.full(n, -1, np.int32)
        self.n = n
        self._cents: list[I64] | None = None
        self.messages = Codes()
        self.metas = Codes()
        self.totals = [0] * len(AMOUNTS)

    @property
    def cents(self) -> list[I64]:
        """The amounts in fen, one array each of :data:`AMOUNTS` (basic, each layer's, out of
        pocket)."""
        if self._cents is None:
            self._cents = [np.zeros(self.n, np.int64) for _ in AMOUNTS]
        return self._cents

    @cents.setter
    def cents(self, value: list[I64]) -> None:
        self._cents = value

    def result(self, position: int) -> ResultRow | None:
        e = int(self.err[position])
        if e >= 0:
            return (None,) * (_WIDTH - 1) + (self.messages.values[e],)
        m = int(self.meta[position])
        if m < 0:
            return None
        covered, profile, version, sha256 = self.metas.values[m]
        amounts = (int(c[position]) for c in self.cents)
        return (
            covered,
            *(cents_text(a) for a in amounts),
            profile,
            version,
            sha256,
            None,
        )

    def summary(self, rows: ParsedColumns) -> Summary:
        blank = int((rows.state == BLANK).sum())
        count = rows.n - blank
        errors = int((self.err >= 0).sum())
        totals = tuple(
            (name, Decimal(value).scaleb(-2, context=EXACT))
            for name, value in zip(AMOUNTS, self.totals, strict=True)
        )
        return Summary("claims", count, count - errors, errors, blank, totals)


def _years(days: NDArray[Any]) -> I64:
    """The calendar year of each day (days since 1970-01-01)."""
    low, high = int(days.min()), int(days.max())
    span = np.arange(low, high + 1, dtype=np.int64).astype("datetime64[D]")
    table = span.astype("datetime64[Y]").astype(np.int64) + 1970
    year: I64 = table.take(days - low)
    return year


def _sum(values: I64) -> int:
    """An exact sum of non-negative fen (no int64 overflow)."""
    if not values.shape[0]:
        return 0
    top = int(values.max())
    if top == 0:
        return 0
    step = max(1, ((1 << 62) // top))
    return sum(int(values[i : i + step].sum()) for i in range(0, values.shape[0], step))


def solve(rows: ParsedColumns, book: TariffBook, *, threads: int = 1) -> Outcome:
    """Every row's outcome under the batch rules (spec §5), the engine computing the amounts
    (on ``threads`` threads: :func:`medcalc.fast.compute`; the outcome does not depend on it).

    Raises :class:`EngineRangeError` when an amount is beyond the engine's exact range.
    """
    out = Outcome(rows.n)
    for p, bad in rows.bad.items():
        out.err[p] = out.messages.code(bad.message)
    groups = _Groups.of(rows)
    if groups is None:
        return out
    merged, messages = _merged(rows, groups)
    whole, placed = _bad_rows(rows, groups)
    for g, blockers in whole.items():
        if g not in messages:
            messages[g] = blocked_by([(rows.row_number(p), rows.bad[p]) for p in blockers])
    computable = _group_errors(out, groups, messages)
    kinds, kind_g = _person_kinds(rows, merged)
    # The person attribute columns are merged per group now: free them (a batch is solved
    # once), keeping the memory of the engine's run small.
    rows.cat = np.zeros(0, np.int32)
    rows.grade = rows.dtype = np.zeros(0, np.int16)
    rows.enr = None
    rows.ytd = None
    _computed(out, rows, book, groups, computable, placed, merged, kinds, kind_g, threads)
    for k in range(len(AMOUNTS)):
        computed = (out.meta >= 0) & (out.err < 0)
        out.totals[k] = _sum(out.cents[k][computed])
    return out


class _Groups:
    """The good rows grouped by person, series and calendar year (the rule of
    :mod:`medcalc.batch._rules`): group codes sorted by person, series, year.

    ``gpos``: the good rows' positions; ``gid``: each one's group; ``gpid``, ``gser``,
    ``gyear``: each group's person and series codes and year.
    """

    def __init__(self, rows: ParsedColumns, gpos: NDArray[Any]) -> None:
        self.gpos = gpos
        self.every = gpos.shape[0] == rows.n  # every row is good: no copies of the columns
        year = _years(self.good(rows.day))
        self.ymin = ymin = int(year.min())
        self.nyear = nyear = int(year.max()) - ymin + 1
        self.nser = nser = max(1, len(rows.series.values))
        key = self.good(rows.pid).astype(np.int64)
        span = (int(key.max()) + 1) * nser * nyear
        key *= nser
        key += self.good(rows.ser)
        key *= nyear
        year -= ymin
        key += year
        del year
        if span <= 4 * key.shape[0] + 4096:
            present = np.zeros(span, np.bool_)
            present[key] = True
            gkeys = np.flatnonzero(present)
            remap = np.cumsum(present, dtype=np.int64) - 1
            gid = remap.take(key)
            del present, remap
        else:
            gkeys, gid = np.unique(key, return_inverse=True)
        del key
        if gkeys.shape[0] < 2**31:
            gid = gid.astype(np.int32)
        self.gid: NDArray[Any] = gid
        self.gkeys = gkeys
        self.ngroups = gkeys.shape[0]
        self.gyear = gkeys % nyear + ymin
        self.gser = (gkeys // nyear) % nser
        self.gpid = gkeys // (nyear * nser)

    @classmethod
    def of(cls, rows: ParsedColumns) -> _Groups | None:
        """The groups of the good rows of ``rows``; None when no row is good."""
        gpos = np.flatnonzero(rows.state == GOOD)
        return cls(rows, gpos) if gpos.shape[0] else None

    def good(self, column: NDArray[Any]) -> NDArray[Any]:
        """The good rows' entries of a column."""
        return column if self.every else column.take(self.gpos)

    def find(self, ser: int, person: int, y: int) -> int:
        """The group of person and series codes ``person``, ``ser`` and year ``y``; -1 when
        no good row makes it."""
        if not 0 <= y - self.ymin < self.nyear:
            return -1
        k = (person * self.nser + ser) * self.nyear + (y - self.ymin)
        i = int(np.searchsorted(self.gkeys, k))
        return i if i < self.ngroups and int(self.gkeys[i]) == k else -1


def _merged(rows: ParsedColumns, groups: _Groups) -> tuple[dict[str, NDArray[Any]], dict[int, str]]:
    """Person attributes and year-to-date values, one value per group (by field name), and
    the disagreement message of each group whose rows give different values."""
    person: dict[str, tuple[NDArray[Any] | None, int]] = {
        "categories": (rows.cat, -1),
        "disability_grade": (rows.grade, -1),
        "disability_type": (rows.dtype, -1),
        "enrolled_on": (rows.enr, NO_DAY),
    }
    fields: list[tuple[str, NDArray[Any], int]] = []
    for name in CLAIM_PERSON_FIELDS:  # in the rules' order: the first disagreement is named
        column, none = person[name]
        if column is not None:
            fields.append((name, column, none))
    if rows.ytd is not None:
        fields += [(name, col, -1) for name, col in zip(YTD_FIELDS, rows.ytd, strict=True)]
    gid = groups.gid
    merged: dict[str, NDArray[Any]] = {}
    split = np.zeros(groups.ngroups, np.bool_)
    for name, column, none in fields:
        values = groups.good(column)
        given = values != none
        first = np.full(groups.ngroups, none, column.dtype)
        if given.any():
            first[gid[given]] = values[given]
            differ = given & (values != first.take(gid))
            if differ.any():
                split[gid[differ]] = True
        merged[name] = first
    messages: dict[int, str] = {}
    if split.any():
        messages = _disagreements(rows, groups.gpos, gid, np.flatnonzero(split), fields)
    return merged, messages


def _bad_rows(
    rows: ParsedColumns, groups: _Groups
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The bad rows bearing on each group (:func:`~medcalc.batch._rules.bearing`): those that
    make it wholly dependent, and those placed in its date order."""
    whole: dict[int, list[int]] = {}
    placed: dict[int, list[int]] = {}
    orphans: dict[int, list[int]] = {}
    gser, gyear, gpid = groups.gser, groups.gyear, groups.gpid

    def bears(g: int, p: int) -> None:
        found = bearing(rows.bad[p], rows.series.values[int(gser[g])], int(gyear[g]))
        if found is not None:
            (whole if found == "whole" else placed).setdefault(g, []).append(p)

    for p, bad in rows.bad.items():
        key = bad.group()
        if key is None:
            if bad.person_id is not None:
                orphans.setdefault(int(rows.pid[p]), []).append(p)
            continue
        g = groups.find(int(rows.ser[p]), int(rows.pid[p]), key[2])
        if g >= 0:
            bears(g, p)
    if orphans:
        for g in np.flatnonzero(np.isin(gpid, list(orphans))).tolist():
            for p in orphans[int(gpid[g])]:
                bears(g, p)
    return whole, placed


def _group_errors(out: Outcome, groups: _Groups, messages: dict[int, str]) -> NDArray[np.bool_]:
    """Each group's message given to its good rows; which groups are left to compute."""
    if not messages:
        return np.ones(groups.ngroups, np.bool_)
    code = np.full(groups.ngroups, -1, np.int32)
    for g, message in messages.items():
        code[g] = out.messages.code(message)
    row_code = code.take(groups.gid)
    has = row_code >= 0
    out.err[groups.gpos[has]] = row_code[has]
    computable: NDArray[np.bool_] = code < 0
    return computable


def _person_kinds(
    rows: ParsedColumns, merged: dict[str, NDArray[Any]]
) -> tuple[list[PersonKind], NDArray[Any]]:
    """The distinct kinds of person (categories, grade, type) and each group's kind."""
    cat_g, grade_g, type_g = (
        merged[n] for n in ("categories", "disability_grade", "disability_type")
    )
    packed = (cat_g.astype(np.int64) + 1) * 65536 * 65536 + (grade_g.astype(np.int64) + 1) * 65536
    packed += type_g.astype(np.int64) + 1
    kinds_packed, kind_g = np.unique(packed, return_inverse=True)
    kinds = []
    for value in kinds_packed.tolist():
        c, g_, t = value // (65536 * 65536) - 1, (value // 65536) % 65536 - 1, value % 65536 - 1
        kinds.append(
            PersonKind(
                rows.categories.values[c] if c >= 0 else frozenset(),
                g_ if g_ >= 0 else None,
                rows.types.values[t] if t >= 0 else None,
            )
        )
    return kinds, kind_g.astype(np.int16 if len(kinds) < 2**15 else np.int64)


def _computed(
    out: Outcome,
    rows: ParsedColumns,
    book: TariffBook,
    groups: _Groups,
    computable: NDArray[np.bool_],
    placed: dict[int, list[int]],
    merged: dict[str, NDArray[Any]],
    kinds: list[PersonKind],
    kind_g: NDArray[Any],
    threads: int,
) -> None:
    """The engine over the computable groups, one series at a time, with the bad rows
    placed in their date order."""
    gser, gpid = groups.gser, groups.gpid
    row_ok = computable.take(groups.gid)
    # the series present (codes 0..nser-1), counted rather than np.unique'd: np.unique's
    # check for a masked array imports numpy.ma, 7 ms of a batch's start
    for s in np.flatnonzero(np.bincount(gser[computable], minlength=groups.nser)).tolist():
        mine = row_ok & (gser.take(groups.gid) == s) if groups.nser > 1 else row_ok
        extra = [(p, g) for g, ps in placed.items() if computable[g] and gser[g] == s for p in ps]
        if groups.every and not extra and mine.all():  # the usual case: every row, in order
            columns = _engine(
                rows, book, s, None, groups.gid, None, merged, kind_g, kinds, gpid, threads
            )
            groups.gid = np.zeros(0, np.int32)  # freed before the results are stored
            del row_ok, mine
            _store(out, columns, None, None)
            break
        good_rows = groups.gpos[mine]
        good_groups = groups.gid[mine]
        positions = good_rows
        in_groups = good_groups
        is_bad = None
        if extra:
            positions = np.concatenate([good_rows, np.array([p for p, _ in extra], np.int64)])
            in_groups = np.concatenate([good_groups, np.array([g for _, g in extra], np.int64)])
            order = np.argsort(positions, kind="stable")
            positions, in_groups = positions[order], in_groups[order]
            is_bad = rows.state.take(positions) == BAD
        columns = _engine(
            rows, book, s, positions, in_groups, is_bad, merged, kind_g, kinds, gpid, threads
        )
        _store(out, columns, positions, is_bad)


def _disagreements(
    rows: ParsedColumns,
    gpos: NDArray[Any],
    gid: NDArray[Any],
    groups: NDArray[Any],
    fields: list[tuple[str, NDArray[Any], int]],
) -> dict[int, str]:
    """The reference's message for each group whose rows give different values."""
    order = np.argsort(gid, kind="stable")
    bounds = np.searchsorted(gid[order], np.stack([groups, groups + 1]))
    names = [name for name, _, _ in fields]
    out: dict[int, str] = {}
    for g, lo, hi in zip(groups.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
        members = gpos[order[lo:hi]].tolist()
        numbers = [rows.row_number(p) for p in members]
        given = [
            tuple(_value(rows, name, int(column[p]), none) for name, column, none in fields)
            for p in members
        ]
        found = agreed(names, numbers, given)
        if isinstance(found, Disagreement):
            out[g] = found.message
    return out


def _value(rows: ParsedColumns, name: str, code: int, none: int) -> Any:
    """A column's code as the Python value the reference compares and shows."""
    if code == none:
        return None
    if name == "categories":
        return rows.categories.values[code]
    if name == "disability_type":
        return rows.types.values[code]
    if name == "enrolled_on":
        return _date(code)
    if name in YTD_FIELDS:
        return _yuan(code)
    return code


def _engine(
    rows: ParsedColumns,
    book: TariffBook,
    s: int,
    positions: NDArray[Any] | None,
    groups: NDArray[Any],
    is_bad: NDArray[np.bool_] | None,
    merged: dict[str, NDArray[Any]],
    kind_g: NDArray[Any],
    kinds: list[PersonKind],
    gpid: NDArray[Any],
    threads: int = 1,
) -> Columns:
    """The engine over the rows ``positions`` (input order; None: every row) of series
    ``s``; the bad rows among them (``is_bad``) get an amount the engine refuses, so they
    block later rows."""

    def rows_of(column: NDArray[Any]) -> NDArray[Any]:
        return column if positions is None else column.take(positions)

    compliant = rows_of(rows.comp)
    total = None if rows.total is None else rows_of(rows.total)
    paid = None if rows.paid is None else rows_of(rows.paid)
    level = rows_of(rows.level)
    if is_bad is not None:
        compliant[is_bad] = -1
        for col in (total, paid, level):
            if col is not None:
                col[is_bad] = -1
    if total is not None and not (total >= 0).any():
        total = None
    if paid is not None and not (paid >= 0).any():
        paid = None
    enrolled = None
    enr_g = merged.get("enrolled_on")
    if enr_g is not None:
        days = enr_g.take(groups)
        if (days != NO_DAY).any():
            enrolled = np.where(days == NO_DAY, NAT, days.astype(np.int64))
    ytd: list[I64 | None] = [None] * len(YTD_FIELDS)
    if all(name in merged for name in YTD_FIELDS):
        values = [merged[name].take(groups) for name in YTD_FIELDS]
        if any((v >= 0).any() for v in values):
            ytd = list(values)
    level_names = tuple(rows.levels.values)
    table = ClaimTable(
        person=gpid.take(groups),
        date=rows_of(rows.day).astype(np.int64),
        compliant=compliant,
        kind=kind_g.take(groups),
        kinds=tuple(kinds),
        level=level if level_names else None,
        level_names=level_names,
        total=total,
        basic_paid=paid,
        enrolled_on=enrolled,
        **dict(zip(YTD_FIELDS, ytd, strict=True)),
        row_number=rows.row_numbers(positions),
    )
    return compute(book, rows.series.values[s], table, threads=threads)


def _store(
    out: Outcome,
    columns: Columns,
    positions: NDArray[Any] | None,
    is_bad: NDArray[np.bool_] | None,
) -> None:
    """The engine's results for the good rows among ``positions`` (None: every row)."""
    if positions is None:
        _adopt(out, columns)
        return
    if is_bad is not None:
        keep = ~is_bad
        positions = positions[keep]
        err = columns.error[keep]
        sel: Any = keep
    else:
        err = columns.error
        sel = slice(None)
    codes = np.array([out.messages.code(str(p)) for p in columns.problems] or [0], np.int32)
    has = err >= 0
    if has.any():
        out.err[positions[has]] = codes.take(err[has])
    ok = ~has
    where = positions[ok]
    covered = columns.covered[sel][ok]
    profile = columns.critical_illness_profile[sel][ok].astype(np.int64)
    version = columns.version[sel][ok].astype(np.int64)
    nprof = len(columns.profile_names) + 1
    key = (version * nprof + (profile + 1)) * 2 + covered
    present = np.zeros(len(columns.versions) * nprof * 2, np.bool_)
    present[key] = True
    distinct = np.flatnonzero(present)
    inverse = (np.cumsum(present) - 1).take(key)
    meta_codes = []
    for value in distinct.tolist():
        v, rest = divmod(value, 2 * nprof)
        prof, cov = divmod(rest, 2)
        tariff = columns.versions[v]
        name = columns.profile_names[prof - 1] if prof > 0 else None
        meta_codes.append(out.metas.code((_YES_NO[cov], name, tariff.version, tariff.sha256)))
    out.meta[where] = np.array(meta_codes or [0], np.int32).take(inverse)
    for k, name in enumerate(AMOUNTS):
        out.cents[k][where] = getattr(columns, name)[sel][ok]


def _adopt(out: Outcome, columns: Columns) -> None:
    """The engine's results for every row, in order: its amount columns become the outcome's."""
    codes = np.array([out.messages.code(str(p)) for p in columns.problems] or [0], np.int32)
    err = columns.error
    has = err >= 0
    if has.any():
        out.err[has] = codes.take(err[has])
    nprof = len(columns.profile_names) + 1
    key = columns.version.astype(np.int64)
    key *= nprof
    key += columns.critical_illness_profile
    key += 1
    key *= 2
    key += columns.covered
    present = np.zeros(max(1, len(columns.versions)) * nprof * 2, np.bool_)
    present[key[~has]] = True
    meta_codes = []
    for value in np.flatnonzero(present).tolist():
        v, rest = divmod(value, 2 * nprof)
        prof, cov = divmod(rest, 2)
        tariff = columns.versions[v]
        name = columns.profile_names[prof - 1] if prof > 0 else None
        meta_codes.append(out.metas.code((_YES_NO[cov], name, tariff.version, tariff.sha256)))
    table = np.full(present.shape[0], -1, np.int32)
    table[present] = meta_codes
    key[has] = 0
    out.meta = table.take(key)
    del key
    out.meta[has] = -1
    out.cents = [getattr(columns, name) for name in AMOUNTS]
