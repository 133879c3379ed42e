"""``medcalc batch claims`` on the column engine (:mod:`medcalc.fast`): same output, faster.

Needs the ``fast`` extra (numpy; pyarrow for the columnar CSV reader); ``import medcalc``
never imports this module. Two levels, both giving byte for byte what the reference path
(:class:`medcalc.batch.ClaimsBatch` with :class:`~medcalc.chain.Calculator`) writes:

- :class:`EngineClaimsBatch`: rows are read and parsed as by the reference (any format), then
  grouped and computed as columns by the engine instead of one person-year at a time.
- :func:`run_columnar` (CSV in, CSV out, with pyarrow): the file is read in blocks of whole
  records; pyarrow tokenises each block (every column as text, never inferred), amounts are
  parsed to int64 fen (plain ones recognised from the bytes, the others by a regex; then an
  exact decimal cast), low-cardinality columns (dates,
  levels, categories, series) are parsed once per distinct text by the reference parsers;
  every row the vectorised parser does not accept (errors, full-width digits, odd spacing, …)
  is parsed by :meth:`ClaimsBatch.parse` itself, so its message is the reference's. The output
  is written from the input's own bytes (carried columns untouched: only fields whose quotes
  the reference would drop are rewritten, by Python's csv module; a ``'`` put before each
  formula-like cell, spec §5) plus the result columns, formatted as columns. A quoted field
  that holds whole rows (a stray quote: the rule of :func:`medcalc.batch.quoted_rows_line`,
  vectorised in :func:`_swallowing`) is refused with the row path's error and line
  (:func:`medcalc.batch.unclosed_quote_error`); a quote that never closes, or a record past
  the csv module's field size limit, goes to the row path, which says so.

The batch rules (spec §5, docs/cli-batch.md §4) are applied to columns in :func:`_solve`:
person attributes and year-to-date values merged per person, series and year (disagreement
messages by the reference's own function), bad rows and the rows depending on them; the
engine gets every computable person-year with the bad rows it can place in date order
(marked by an impossible amount, their message then replaced by the batch's own) and the
batch's row numbers, so its dependent-row messages read exactly like the reference's. An
amount beyond the engine's exact range (:class:`~medcalc.fast.EngineRangeError`) sends the
whole batch back to the reference path; so does any file the columnar reader cannot read
exactly as Python's csv module does (:class:`Unsupported`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib
import io
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from medcalc.batch._csv import CsvTable, cell_holds_rows, unclosed_quote_error
from medcalc.batch._output import excel_text
from medcalc.batch._rows import (
    CLAIM_RESULTS,
    ClaimsBatch,
    ParsedClaim,
    ResultRow,
    Summary,
    cents_text,
)
from medcalc.batch._rules import YTD_FIELDS, Disagreement, agreed, bearing, depends_on
from medcalc.chain import Calculator
from medcalc.chain import fields as rowparse
from medcalc.errors import BatchFileError
from medcalc.fast import NAT, ClaimTable, Columns, EngineRangeError, PersonKind, compute, fen
from medcalc.money import EXACT
from medcalc.tariff import DISABILITY_TYPES, TariffBook

__all__ = [
    "EngineClaimsBatch",
    "NotInEncoding",
    "Unsupported",
    "amount_fen",
    "arrow_available",
    "fen_texts",
    "run_columnar",
    "supported",
    "utf8_valid",
]

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
Progress = Callable[[str, int, int | None], None]

BLANK, GOOD, BAD = 0, 1, 2
NO_DAY = np.iinfo(np.int32).min  # 'no date' in int32 day columns
_EPOCH = dt.date(1970, 1, 1).toordinal()
_YES_NO = ("no", "yes")
_WIDTH = len(CLAIM_RESULTS)


class Unsupported(Exception):  # noqa: N818 - a signal, not an error shown to anyone
    """The columnar reader cannot read this file exactly as the reference does: use that."""


class NotInEncoding(Unsupported):
    """A byte of the file is not valid in the encoding it was read in."""


def arrow_available() -> bool:
    """True when pyarrow can be imported (the columnar CSV reader needs it)."""
    try:
        importlib.import_module("pyarrow")
    except ImportError:
        return False
    return True


def _utf8(pa: Any, data: Any) -> bool:
    """True when ``data`` (bytes-like) is valid UTF-8: pyarrow's check, which follows the
    same rules as Python's strict decoder (no overlongs, surrogates or code points beyond
    U+10FFFF), several times faster."""
    bounds = np.array([0, len(data)], np.int32)
    text = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def utf8_valid(data: bytes | memoryview) -> bool:
    """True when ``data`` is valid UTF-8, as Python's strict decoder says (no overlongs,
    surrogates or code points beyond U+10FFFF), checked by pyarrow: what the columnar reader
    asks of each block of a file it reads as UTF-8."""
    return _utf8(_arrow()[0], data)


def _day(value: dt.date) -> int:
    return value.toordinal() - _EPOCH


def _date(day: int) -> dt.date:
    return dt.date.fromordinal(day + _EPOCH)


def _yuan(fen_: int) -> Decimal:
    return Decimal(fen_).scaleb(-2, context=EXACT)


# -- parsed rows as columns ---------------------------------------------------------------------


class _Codes:
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


class _Rows:
    """Parsed claims rows as columns, one entry per row position (blank rows included).

    Not given: -1 (codes, amounts in fen, grade), ``NO_DAY`` (dates). Bad rows keep the
    reference's :class:`~medcalc.batch._rules.BadRow` (message, person, series, day, whole year) in
    ``bad``, and their person, series and day codes in the columns when known.
    """

    def __init__(self) -> None:
        self.series = _Codes()
        self.levels = _Codes()
        self.categories = _Codes()
        self.types = _Codes()
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
        self.ytd = [np.full(n, -1, np.int64) for _ in range(3)] if ytd else None

    def put(self, p: int, parsed: ParsedClaim, person: int, series: int) -> None:
        """Row ``p`` from the reference's parse (``person``, ``series``: their codes or -1)."""
        self.pid[p] = person
        self.ser[p] = series
        bad = parsed.bad
        if bad is not None:
            self.state[p] = BAD
            self.bad[p] = bad
            if bad.day is not None:
                self.day[p] = _day(bad.day)
            return
        claim, attrs_, ytd = parsed.claim, parsed.attrs, parsed.ytd
        assert claim is not None and attrs_ is not None
        self.state[p] = GOOD
        self.day[p] = _day(claim.date)
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
            self.enr[p] = _day(enrolled)
        if ytd is not None and any(v is not None for v in ytd):
            if self.ytd is None:
                self.ytd = [np.full(self.n, -1, np.int64) for _ in range(3)]
            for f, value in enumerate(ytd):
                if value is not None:
                    self.ytd[f][p] = fen(value)


def _from_batch(batch: ClaimsBatch) -> _Rows:
    """The parsed state of a reference batch (every row added) as columns."""
    out = _Rows()
    out.allocate(len(batch), ytd=False, enrolled=False)
    out.number = np.array(batch.numbers, np.int64)
    persons = _Codes()
    for p, parsed in enumerate(batch.parsed()):
        if parsed is None:
            continue  # blank
        person = -1 if parsed.person_id is None else persons.code(parsed.person_id)
        series = -1 if parsed.series is None else out.series.code(parsed.series)
        out.put(p, parsed, person, series)
    return out


# -- the batch rules over columns, and the engine -----------------------------------------------


class _Outcome:
    """Per row: an error (index into ``messages``) or a computed result (index into ``metas``:
    covered, profile, version, sha256) with its four amounts in fen."""

    def __init__(self, n: int) -> None:
        self.err = np.full(n, -1, np.int32)
        self.meta = np.full(n, -1, np.int32)
        self.n = n
        self._cents: list[I64] | None = None
        self.messages = _Codes()
        self.metas = _Codes()
        self.totals = [0, 0, 0, 0]

    @property
    def cents(self) -> list[I64]:
        """The four amounts in fen (basic, critical illness, assistance, out of pocket)."""
        if self._cents is None:
            self._cents = [np.zeros(self.n, np.int64) for _ in range(4)]
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

    def summary(self, rows: _Rows) -> Summary:
        blank = int((rows.state == BLANK).sum())
        count = rows.n - blank
        errors = int((self.err >= 0).sum())
        totals = tuple(
            (name, Decimal(value).scaleb(-2, context=EXACT))
            for name, value in zip(CLAIM_RESULTS[1:5], self.totals, strict=True)
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


def _solve(rows: _Rows, book: TariffBook) -> _Outcome:
    """Every row's outcome under the batch rules (spec §5), the engine computing the amounts.

    Raises :class:`EngineRangeError` when an amount is beyond the engine's exact range.
    """
    out = _Outcome(rows.n)
    for p, bad in rows.bad.items():
        out.err[p] = out.messages.code(bad.message)
    gpos = np.flatnonzero(rows.state == GOOD)
    if not gpos.shape[0]:
        return out
    every = gpos.shape[0] == rows.n  # every row is good: no copies of the columns

    def good(column: NDArray[Any]) -> NDArray[Any]:
        return column if every else column.take(gpos)

    # -- groups: person, series, calendar year (codes sorted by person, series, year)
    year = _years(good(rows.day))
    ymin = int(year.min())
    nyear = int(year.max()) - ymin + 1
    nser = max(1, len(rows.series.values))
    key = good(rows.pid).astype(np.int64)
    span = (int(key.max()) + 1) * nser * nyear
    key *= nser
    key += good(rows.ser)
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
    ngroups = gkeys.shape[0]
    gyear = gkeys % nyear + ymin
    gser = (gkeys // nyear) % nser
    gpid = gkeys // (nyear * nser)

    def group_of(ser: int, person: int, y: int) -> int:
        if not 0 <= y - ymin < nyear:
            return -1
        k = (person * nser + ser) * nyear + (y - ymin)
        i = int(np.searchsorted(gkeys, k))
        return i if i < ngroups and int(gkeys[i]) == k else -1

    # -- person attributes and year-to-date values: one value per group, or a disagreement
    fields: list[tuple[str, NDArray[Any], int]] = [
        ("categories", rows.cat, -1),
        ("disability_grade", rows.grade, -1),
        ("disability_type", rows.dtype, -1),
    ]
    if rows.enr is not None:
        fields.append(("enrolled_on", rows.enr, NO_DAY))
    if rows.ytd is not None:
        fields += [(name, col, -1) for name, col in zip(YTD_FIELDS, rows.ytd, strict=True)]
    merged: dict[str, NDArray[Any]] = {}
    split = np.zeros(ngroups, np.bool_)
    for name, column, none in fields:
        values = good(column)
        given = values != none
        first = np.full(ngroups, none, column.dtype)
        if given.any():
            first[gid[given]] = values[given]
            differ = given & (values != first.take(gid))
            if differ.any():
                split[gid[differ]] = True
        merged[name] = first
    messages: dict[int, str] = {}
    if split.any():
        messages = _disagreements(rows, gpos, gid, np.flatnonzero(split), fields)
    del fields, values, given
    # -- bad rows: the groups they make wholly dependent, and those they are placed in
    whole: dict[int, list[int]] = {}
    placed: dict[int, list[int]] = {}
    orphans: dict[int, list[int]] = {}

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
        g = group_of(int(rows.ser[p]), int(rows.pid[p]), key[2])
        if g >= 0:
            bears(g, p)
    if orphans:
        for g in np.flatnonzero(np.isin(gpid, list(orphans))).tolist():
            for p in orphans[int(gpid[g])]:
                bears(g, p)
    for g, blockers in whole.items():
        if g not in messages:
            messages[g] = depends_on([(rows.row_number(p), rows.bad[p]) for p in blockers])
    if messages:
        code = np.full(ngroups, -1, np.int32)
        for g, message in messages.items():
            code[g] = out.messages.code(message)
        row_code = code.take(gid)
        has = row_code >= 0
        out.err[gpos[has]] = row_code[has]
        computable = code < 0
    else:
        computable = np.ones(ngroups, np.bool_)
    # -- person kinds of the computable groups
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
    # The person attribute columns are merged per group now: free them (a batch is solved
    # once), keeping the memory of the engine's run small.
    rows.cat = np.zeros(0, np.int32)
    rows.grade = rows.dtype = np.zeros(0, np.int16)
    rows.enr = None
    rows.ytd = None
    # -- the engine, one series at a time
    row_ok = computable.take(gid)
    kind_g = kind_g.astype(np.int16 if len(kinds) < 2**15 else np.int64)
    for s in np.unique(gser[computable]).tolist():
        mine = row_ok & (gser.take(gid) == s) if nser > 1 else row_ok
        extra = [(p, g) for g, ps in placed.items() if computable[g] and gser[g] == s for p in ps]
        if every and not extra and mine.all():  # the usual case: every row, in order
            columns = _engine(rows, book, s, None, gid, None, merged, kind_g, kinds, gpid)
            del gid, row_ok, mine
            _store(out, columns, None, None)
            break
        good_rows = gpos[mine]
        good_groups = gid[mine]
        positions = good_rows
        groups = good_groups
        is_bad = None
        if extra:
            positions = np.concatenate([good_rows, np.array([p for p, _ in extra], np.int64)])
            groups = np.concatenate([good_groups, np.array([g for _, g in extra], np.int64)])
            order = np.argsort(positions, kind="stable")
            positions, groups = positions[order], groups[order]
            is_bad = rows.state.take(positions) == BAD
        columns = _engine(rows, book, s, positions, groups, is_bad, merged, kind_g, kinds, gpid)
        _store(out, columns, positions, is_bad)
    for k in range(4):
        computed = (out.meta >= 0) & (out.err < 0)
        out.totals[k] = _sum(out.cents[k][computed])
    return out


def _disagreements(
    rows: _Rows,
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


def _value(rows: _Rows, name: str, code: int, none: int) -> Any:
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
    rows: _Rows,
    book: TariffBook,
    s: int,
    positions: NDArray[Any] | None,
    groups: NDArray[Any],
    is_bad: NDArray[np.bool_] | None,
    merged: dict[str, NDArray[Any]],
    kind_g: NDArray[Any],
    kinds: list[PersonKind],
    gpid: NDArray[Any],
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
    ytd: list[I64 | None] = [None, None, None]
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
        ytd_basic_paid=ytd[0],
        ytd_critical_illness_base=ytd[1],
        ytd_assistance_base=ytd[2],
        row_number=rows.row_numbers(positions),
    )
    return compute(book, rows.series.values[s], table)


def _store(
    out: _Outcome,
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
    for k, amounts in enumerate(
        (columns.basic, columns.critical_illness, columns.assistance, columns.out_of_pocket)
    ):
        out.cents[k][where] = amounts[sel][ok]


def _adopt(out: _Outcome, columns: Columns) -> None:
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
    out.cents = [
        columns.basic,
        columns.critical_illness,
        columns.assistance,
        columns.out_of_pocket,
    ]


# -- level 1: the reference's reading and parsing, the engine's computing -----------------------


class EngineClaimsBatch(ClaimsBatch):
    """:class:`ClaimsBatch` whose :meth:`run` computes with the engine (same results)."""

    def __init__(self, calculator: Calculator, *, default_series: str | None = None) -> None:
        super().__init__(calculator, default_series=default_series)
        self._outcome: _Outcome | None = None
        self.engine = "engine"
        """``engine``, or ``core`` when an amount beyond the engine's range sent the batch to
        the reference calculator."""

    def run(self, progress: Any = None) -> Summary:
        rows = _from_batch(self)
        try:
            outcome = _solve(rows, self.calculator.book)
        except EngineRangeError:
            self.engine = "core"
            return super().run(progress)
        self._outcome = outcome
        self.forget_parsed()
        if progress is not None:
            progress(len(self))
        return outcome.summary(rows)

    def result(self, position: int) -> ResultRow | None:
        if self._outcome is None:
            return super().result(position)
        return self._outcome.result(position)


# -- level 2: CSV to CSV as columns (pyarrow) ---------------------------------------------------

_BLOCK = 16 << 20  # bytes of input per block
# Regular expressions for pyarrow (RE2 syntax, matched against the whole cell).
_AMOUNT = r"^(?:[0-9]{1,12}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,3})(?:\.[0-9]{0,2})?$"
_SIMPLE_TEXT = r"^[!-~](?:[ -~]*[!-~])?$"  # printable ASCII, no space at either end
_QUOTE, _LF, _CR, _COMMA = 34, 10, 13, 44
# What a formula-like cell starts with (:func:`medcalc.batch.is_formula_like`); a CR only
# inside quotes.
_EQUALS, _PLUS, _DASH, _AT, _TAB = 61, 43, 45, 64, 9
_FORMULA_BYTES = frozenset({_EQUALS, _PLUS, _DASH, _AT, _TAB})
_FAST_INPUT = frozenset({"utf-8", "utf-8-sig", "gb18030"})
_FAST_OUTPUT = frozenset({"utf-8", "utf-8-sig"})


def _arrow() -> tuple[Any, Any, Any]:
    """pyarrow, pyarrow.compute and pyarrow.csv (untyped: pyarrow has no type stubs)."""
    return (
        importlib.import_module("pyarrow"),
        importlib.import_module("pyarrow.compute"),
        importlib.import_module("pyarrow.csv"),
    )


def _records(path: Path, encoding: str, block: int) -> Iterator[memoryview]:
    """The file as UTF-8 bytes: first the header record, then blocks of whole records.

    A block ends after a line end outside quotes (an even number of quotes before it; the
    quoting is checked when the block is scanned). GB18030 is transcoded; a UTF-8 BOM
    dropped. Each block is a view of a buffer reused for the next one: use it before asking
    for the next.
    """
    decoder = None if encoding.startswith("utf-8") else codecs.getincrementaldecoder(encoding)()
    buf = bytearray(block + (1 << 16))
    held = 0  # bytes of an unfinished record at the start of buf
    header = True
    with path.open("rb") as f:
        if encoding == "utf-8-sig" and f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        final = False
        while not final:
            if decoder is None:
                buf = _room(buf, held, held + block)
                got = f.readinto(memoryview(buf)[held : held + block])
                final = not got
                size = held + got
            else:
                raw = f.read(block)
                final = not raw
                try:
                    data = decoder.decode(raw, final).encode("utf-8")
                except UnicodeError:  # also a codec's own refusal, not only a bad byte
                    raise NotInEncoding("undecodable") from None
                size = held + len(data)
                buf = _room(buf, held, size)
                buf[held:size] = data
            at = 0
            while at < size:
                cut = _line_end(buf, at, size, first=header)
                if cut <= at:
                    break
                with memoryview(buf) as view:
                    yield view[at:cut]
                at = cut
                if not header:
                    break
                header = False
            if final:
                if at < size:
                    with memoryview(buf) as view:
                        yield view[at:size]
                return
            rest = bytes(buf[at:size])
            if not header and len(rest) > csv.field_size_limit():
                # Part of one record, already too long for the reference reader: let it say
                # so (an unclosed quote is found so), instead of holding the rest of the file.
                raise Unsupported("a record beyond the csv module's field size limit")
            buf[: len(rest)] = rest
            held = len(rest)


def _room(buf: bytearray, held: int, size: int) -> bytearray:
    """``buf`` when it holds ``size`` bytes, else a larger copy of its first ``held`` bytes
    (never resized in place: the previous block may still be viewed)."""
    if len(buf) >= size:
        return buf
    larger = bytearray(size + (1 << 16))
    larger[:held] = buf[:held]
    return larger


def _line_end(buf: bytearray, start: int, end: int, *, first: bool) -> int:
    """The index after the first (``first``) or last LF of ``buf[start:end]`` that is outside
    quotes (an even number of quotes from ``start``); ``start`` when there is none."""
    if first:
        at = start - 1
        while True:
            at = buf.find(b"\n", at + 1, end)
            if at < 0:
                return start
            if buf.count(b'"', start, at) % 2 == 0:
                return at + 1
    quotes = buf.count(b'"', start, end)
    while True:
        at = buf.rfind(b"\n", start, end)
        if at < 0:
            return start
        quotes -= buf.count(b'"', at, end)
        if quotes % 2 == 0:
            return at + 1
        end = at


class _Block:
    """What the first reading learns of a block for the second: its size, where each
    record's line end starts, and the records whose text the writer must rewrite."""

    def __init__(self, size: int, ends: I64, crlf: NDArray[np.bool_], open_end: bool) -> None:
        self.size = size
        self.ends = ends.astype(np.int32)
        self.crlf = crlf
        self.open_end = open_end
        self.count = int(ends.shape[0])
        self.redo: I64 = np.zeros(0, np.int64)
        self.lines = 0  # line feeds in the block (quoted ones too): for line numbers
        self.swallow = -1  # where a quoted field that holds whole rows opens (-1: none)
        self.formulas: I64 = np.zeros(0, np.int64)  # first bytes of formula-like cells

    def with_quotes(self, block: memoryview) -> tuple[memoryview, _Block]:
        """The block with a ``'`` before each formula-like cell (what :func:`excel_text`
        writes), and this scan moved to match; the same when there is none."""
        at = self.formulas
        if not at.shape[0]:
            return block, self
        data = np.insert(np.frombuffer(block, np.uint8), at, np.uint8(ord("'")))
        moved = _Block(
            self.size + int(at.shape[0]), self.ends.astype(np.int64), self.crlf, self.open_end
        )
        # A cell starts before its record's line end: each end moves by the quotes before it.
        moved.ends = (self.ends + np.searchsorted(at, self.ends)).astype(np.int32)
        moved.redo = self.redo
        return data.data, moved

    def starts(self) -> I64:
        """Where each record's text starts."""
        starts = np.zeros(self.count, np.int64)
        if self.count > 1:
            starts[1:] = self.ends[:-1].astype(np.int64) + 1 + self.crlf[:-1]
        return starts


def _scan(block: memoryview, scratch: NDArray[np.bool_], width: int = 0) -> _Block:
    """Check that Python's csv module and pyarrow read ``block`` alike, and find its records.

    Refused (:class:`Unsupported`): NUL characters, a CR not followed by LF, quotes that do not
    open, close or double inside a field (RFC 4180), a record longer than the csv module's
    field size limit (it refuses a longer field); those are left to the reference reader.
    ``width`` (the header's fields; 0 for the header itself): also find the first quoted field
    holding whole rows, and the formula-like cells.
    """
    arr = np.frombuffer(block, np.uint8)
    size = arr.shape[0]
    # One pass finds every byte below '-' (NUL, tab, LF, CR, quote, '+', comma; also spaces
    # and a few others): what the quoting, the line ends and the cell starts are made of.
    low = scratch[:size]
    np.less(arr, _DASH, out=low)
    at = np.flatnonzero(low)
    found = arr.take(at)
    if (found == 0).any():
        raise Unsupported("a NUL character")
    lf = at[found == _LF]
    crs = int(np.count_nonzero(found == _CR))
    q = at[found == _QUOTE]
    crlf = np.zeros(lf.shape[0], np.bool_)
    if crs:
        crlf = (arr.take(np.maximum(lf - 1, 0)) == _CR) & (lf > 0)
        if int(np.count_nonzero(crlf)) != crs:
            raise Unsupported("a CR without LF")  # a line end for both readers, not for ours
    lines = int(lf.shape[0])
    swallow = -1
    if q.shape[0]:
        _check_quotes(arr, q)
        between = np.searchsorted(q, lf)
        inside = (between & 1).astype(np.bool_)
        if inside.any():
            if width:
                swallow = _swallowing(block, at, found, q, between[inside], width)
            lf, crlf = lf[~inside], crlf[~inside]
    formulas = _formula_cells(arr, at, found, q) if width else np.zeros(0, np.int64)
    del at, found
    ends = lf - crlf
    open_end = not lf.shape[0] or int(lf[-1]) != size - 1
    if open_end:
        ends = np.append(ends, size)
        crlf = np.append(crlf, False)
    out = _Block(size, ends, crlf, open_end)
    if out.count and int((out.ends - out.starts()).max()) > csv.field_size_limit():
        raise Unsupported("a field perhaps beyond the csv module's field size limit")
    out.redo = _requoted(arr, q, out)
    out.lines, out.swallow, out.formulas = lines, swallow, formulas
    return out


def _swallowing(
    block: memoryview,
    at: NDArray[Any],
    found: NDArray[np.uint8],
    q: NDArray[Any],
    between: NDArray[Any],
    width: int,
) -> int:
    """Where the first quoted field that holds whole rows opens (-1: none): the rule of
    :func:`medcalc.batch.quoted_rows_line` (its one definition), over a block's bytes. A
    block has no CR but before LF (:func:`_scan`), so its lines end where the rule's do.

    Such a field runs over line breaks, and either

    - every line it touches (each whole, from line feed to line feed, the text before its
      opening and after its closing quote included) has at least ``n - 1`` commas, quoted
      or not: each would be a complete row by itself (``n``: ``width``, the header's fields,
      or the record's own when fewer: a short row is a row). Excel writes every row with
      ``width - 1`` separators, so a stray quote that swallows rows always gives such lines,
      wherever it stands in its row and wherever it closes; a cell Excel quotes because it
      holds a line break does not: its first line has only the commas before it (and its
      own), its last only those after it (and its own), ``width - 1`` together when it holds
      none; or
    - :func:`medcalc.batch.cell_holds_rows`: a line of its text after
      the first is a row of ``n`` fields or more. Asked only of the fields holding at
      least ``n - 1`` commas (such a line has that many).

    ``at``, ``found``: the positions and values of the block's bytes below '-' (its commas,
    line feeds and quotes among them); ``q``: its quotes; ``between``: for each line feed
    inside quotes, the quotes before it.
    """
    # Counts of commas and line feeds before each of those bytes, by running sums over them
    # (in position order), instead of binary searches.
    is_lf = found == _LF
    commas_before = np.cumsum(found == _COMMA)
    lines_before = np.cumsum(is_lf) - is_lf
    where_q = np.flatnonzero(found == _QUOTE)
    pairs = (between - 1) // 2  # sorted: line feeds in order
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])]
    open_at, close_at = where_q.take(2 * pairs), where_q.take(2 * pairs + 1)
    # Commas per line (line i ends at the i-th line feed; the last at the block's end).
    ends = np.append(commas_before[is_lf], commas_before[-1])
    per_line = np.diff(ends, prepend=0)
    first, last = lines_before.take(open_at), lines_before.take(close_at)
    # The fewest commas over lines first..last of each field: reduceat over [first, last + 1),
    # every other result (the ranges between fields are not used).
    bounds = np.stack([first, last + 1], axis=1).ravel()
    fewest = np.minimum.reduceat(np.append(per_line, 0), bounds)[0::2]
    opening, closing = q.take(2 * pairs), q.take(2 * pairs + 1)
    # A complete row has n fields: the header's, or fewer for a short record (its commas
    # outside quotes, plus one). A block starts a record and its quotes pair up (checked), so
    # a byte is outside quotes when an even number of quotes come before it.
    is_q = found == _QUOTE
    # parity only: a uint8 running count wraps but keeps it (a quarter of int64's memory)
    outside = ((np.cumsum(is_q, dtype=np.uint8) & 1) ^ is_q) == 0
    ends_record = is_lf & outside
    record = np.cumsum(ends_record, dtype=np.int32) - ends_record
    outer = (found == _COMMA) & outside
    fields = np.bincount(record[outer], minlength=int(record[-1]) + 1) + 1
    n = np.minimum(fields.take(record.take(open_at)), width)
    whole_lines = np.flatnonzero(fewest >= n - 1)
    found_at = int(opening[whole_lines[0]]) if whole_lines.shape[0] else -1
    held = commas_before.take(close_at) - commas_before.take(open_at)
    asked = held >= n - 1
    for lo, hi, need in zip(
        opening[asked].tolist(), closing[asked].tolist(), n[asked].tolist(), strict=True
    ):
        if found_at >= 0 and lo >= found_at:
            break
        text = bytes(block[lo + 1 : hi]).decode("utf-8", "replace").replace('""', '"')
        if cell_holds_rows(text, need):
            return int(lo)
    return found_at


def _formula_cells(
    arr: NDArray[np.uint8], at: NDArray[Any], found: NDArray[np.uint8], q: NDArray[Any]
) -> I64:
    """Where each formula-like cell (:func:`medcalc.batch.is_formula_like`) of a block of
    whole records starts: its first byte, after the opening quote when quoted.

    ``at``, ``found``: the positions and values of the bytes below '-' (each cell starts after
    one of them, a comma, a line feed or an opening quote, or at the block's start). A CR only
    counts inside quotes: elsewhere it is a line end.
    """
    size = arr.shape[0]
    if not size:
        return np.zeros(0, np.int64)
    nxt = arr.take(at + 1, mode="clip")
    hit = (nxt == _EQUALS) | (nxt == _PLUS) | (nxt == _DASH) | (nxt == _AT) | (nxt == _TAB)
    hit |= nxt == _CR
    some = np.flatnonzero(hit)  # few: the rest only for these
    by, after = found.take(some), nxt.take(some)
    starts = (by == _COMMA) | (by == _LF) | (by == _QUOTE)
    starts &= (after != _CR) | (by == _QUOTE)
    cells: I64 = at.take(some[starts]) + 1
    cells = cells[cells < size]
    if int(arr[0]) in _FORMULA_BYTES:  # the block starts a record
        cells = np.concatenate([np.zeros(1, np.int64), cells])
    if q.shape[0] and cells.shape[0]:
        inside = (np.searchsorted(q, cells) & 1).astype(np.bool_)
        after_quote = arr.take(np.maximum(cells - 1, 0)) == _QUOTE
        before = arr.take(np.maximum(cells - 2, 0))
        # Inside quotes only the first byte after an opening quote starts a cell (a quote at
        # a field start, not the second of a doubled one); outside, a quote cannot come just
        # before a byte (the quoting is checked), so comma and line feed are the starts.
        opens = after_quote & ((cells == 1) | (before == _COMMA) | (before == _LF))
        cells = cells[np.where(inside, opens, ~after_quote)]
    return cells


def _check_quotes(arr: NDArray[np.uint8], q: NDArray[Any]) -> None:
    """Every quote opens a field, closes it, or is doubled inside it (RFC 4180): there
    Python's csv module and pyarrow read the same fields."""
    if q.shape[0] % 2:
        raise Unsupported("an unclosed quote")
    opening, closing = q[0::2], q[1::2]
    size = arr.shape[0]
    prev = arr.take(np.maximum(opening - 1, 0))
    after_close = np.append(-2, closing[:-1])
    ok = (opening == 0) | (prev == _COMMA) | (prev == _LF) | (opening - 1 == after_close)
    nxt = arr.take(np.minimum(closing + 1, size - 1))
    before_open = np.append(opening[1:], -2)
    ok_close = (closing == size - 1) | (nxt == _COMMA) | (nxt == _LF) | (nxt == _CR)
    ok_close |= closing + 1 == before_open
    if not (ok.all() and ok_close.all()):
        raise Unsupported("a quote inside an unquoted field")


def _requoted(arr: NDArray[np.uint8], q: NDArray[Any], block: _Block) -> I64:
    """Records whose text Python's csv writer writes otherwise: empty ones (a blank record:
    written as empty fields) and those with a quoted field it would not quote (no comma,
    quote or line end in it)."""
    starts = block.starts()
    empty = np.flatnonzero(starts == block.ends)
    if not q.shape[0]:
        return empty
    opening, closing = q[0::2], q[1::2]
    # A field with a doubled quote is quoted again: only single pairs can be plain.
    linked = opening[1:] == closing[:-1] + 1
    single = ~(np.append(linked, False) | np.append(False, linked))
    lo, hi = opening[single] + 1, closing[single]
    lengths = hi - lo
    plain = lengths == 0
    nonempty = np.flatnonzero(lengths > 0)
    if nonempty.shape[0]:
        lens = lengths[nonempty]
        offsets = np.cumsum(lens) - lens
        index = np.repeat(lo[nonempty] - offsets, lens) + np.arange(int(lens.sum()))
        b = arr.take(index)
        special = (b == _COMMA) | (b == _LF) | (b == _CR)
        plain[nonempty] = ~np.logical_or.reduceat(special, offsets)
    fields = opening[single][plain]
    if not fields.shape[0]:
        return empty
    rows = np.searchsorted(starts, fields, side="right") - 1
    redo: I64 = np.unique(np.concatenate([empty, rows]))
    return redo


class _Columnar:
    """One ``medcalc batch claims`` run on CSV in, CSV out, as columns."""

    def __init__(
        self,
        table: CsvTable,
        calculator: Calculator,
        *,
        series: str | None,
        output_encoding: str,
        keep_formulas: bool,
        check_encoding: bool,
        block_size: int,
    ) -> None:
        self.pa, self.pc, self.pcsv = _arrow()
        self.source = table.path
        self.output_encoding = output_encoding
        self.block_size = block_size
        self.calculator = calculator
        self.encoding = encoding = table.encoding
        self.header: list[str] = table.columns
        self.width = len(self.header)
        self.known = dict(table.known)  # canonical name -> column index
        self.scratch = ClaimsBatch(calculator, default_series=series)
        self.check_utf8 = check_encoding and encoding.startswith("utf-8")
        # Formula-like cells get a ' in every column (spec §5) unless --keep-formulas.
        self.safe = not keep_formulas
        self.rows = _Rows()
        self.persons: list[Any] = []  # per block: the person ids as read (None: blank)
        self._texts: dict[tuple[str, str], str | None] = {}
        self.blocks: list[_Block] = []
        self._parsed: dict[tuple[str, str], Any] = {}
        self._scratch = np.empty(block_size + (1 << 17), np.bool_)
        pa, pcsv = self.pa, self.pcsv
        names = [f"c{i}" for i in range(self.width)]
        self.read_options = pcsv.ReadOptions(
            column_names=names, use_threads=False, block_size=1 << 26
        )

        def refuse(_row: Any) -> str:
            return "error"  # another number of fields: the reference pads or refuses it

        self.parse_options = pcsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=refuse
        )
        self.convert_options = pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            include_columns=[f"c{i}" for i in sorted(self.known.values())],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def _scan(self, block: memoryview, width: int) -> _Block:
        if width and bytes(block[:3]) == codecs.BOM_UTF8:
            # pyarrow skips a BOM at the start of what it reads: here a record's first cell
            raise Unsupported("a record starting with a byte order mark")
        if len(block) > self._scratch.shape[0]:
            self._scratch = np.empty(len(block), np.bool_)
        return _scan(block, self._scratch, width)

    # -- reading --

    def read(self, progress: Progress | None) -> None:
        """Parse every record (the first reading)."""
        parts: list[dict[str, Any]] = []
        size = self.source.stat().st_size
        position = 0
        blocks = _records(self.source, self.encoding, self.block_size)
        header = next(blocks, None)
        done = 0
        line = 1  # the line where the next block starts
        if header is not None:
            # read by Python's csv already; checked to end where it ended
            line += self._scan(header, 0).lines
            done = len(header)
        for block in blocks:
            scan = self._scan(block, self.width)
            if self.check_utf8 and not _utf8(self.pa, block):
                raise NotInEncoding("not UTF-8")  # the reference names the row
            if scan.swallow >= 0:
                # The row path's error, once pyarrow has read the records before it as the
                # row path does (else the row path finds what comes first). A record among
                # them narrower than the header hands the file back there (pyarrow's
                # invalid-row handler), so the row path's narrowest-so-far width never has
                # to be carried across blocks here: it is the header's or the record's own.
                record = int(np.searchsorted(scan.ends, scan.swallow))
                start = int(scan.starts()[record])
                if start:
                    self._table(block[:start], record)
                before = np.frombuffer(block, np.uint8)[: scan.swallow]
                raise unclosed_quote_error(self.source, line + int(np.count_nonzero(before == _LF)))
            line += scan.lines
            parts.append(self._block(block, scan, position))
            self.blocks.append(scan)
            position += scan.count
            done += len(block)
            if progress is not None:
                progress("read", min(done, size), size)
        self._assemble(parts, position)

    def _table(self, block: memoryview, count: int) -> Any:
        """pyarrow's reading of ``count`` whole records (:class:`Unsupported` when Python's
        csv module may read them otherwise)."""
        try:
            table = self.pcsv.read_csv(
                self.pa.py_buffer(block),
                read_options=self.read_options,
                parse_options=self.parse_options,
                convert_options=self.convert_options,
            )
        except Exception as exc:  # pyarrow reads it otherwise than Python's csv: let that say
            raise Unsupported(str(exc)) from None
        if table.num_rows != count:
            raise Unsupported("records counted differently")
        return table

    def _block(self, block: memoryview, scan: _Block, base: int) -> dict[str, Any]:
        pa, pc = self.pa, self.pc
        table = self._table(block, scan.count)
        n = table.num_rows
        cols = {name: _single(table.column(f"c{i}")) for name, i in self.known.items()}
        del table
        fast = np.ones(n, np.bool_)
        part: dict[str, Any] = {"n": n}
        # person_id as the reference reads it (None: blank); coded over the whole file later
        person = cols["person_id"]
        simple = _np_bool(pc.match_substring_regex(person, _SIMPLE_TEXT))
        if not simple.all():
            odd = person.filter(pa.array(~simple)).to_pylist()
            texts = [self._cached_text(t) for t in odd]
            person = pc.replace_with_mask(person, pa.array(~simple), pa.array(texts, pa.string()))
            fast &= _np_bool(person.is_valid())
        if "series" in cols:
            ser = self._distinct(cols["series"], self._series_code, np.int16)
        else:
            ser = np.full(n, self._series_code(""), np.int16)
        fast &= ser >= 0
        part["ser"] = ser
        day = self._distinct(cols["date"], self._date_code, np.int32)
        fast &= day != NO_DAY
        part["day"] = day
        comp, ok = self._amounts(cols["compliant"], required=True)
        fast &= ok
        part["comp"] = comp
        for name in ("total", "basic_paid"):
            if name in cols:
                values_, ok = self._amounts(cols[name], required=False)
                fast &= ok
                part[name] = values_
        if "total" in part:
            fast &= ~((part["total"] >= 0) & (part["total"] < comp))
        if "basic_paid" in part:
            fast &= ~(part["basic_paid"] > comp)
        if any(name in cols for name in YTD_FIELDS):
            ytd = []
            for name in YTD_FIELDS:
                if name in cols:
                    values_, ok = self._amounts(cols[name], required=False)
                    fast &= ok
                    ytd.append(values_)
                else:
                    ytd.append(np.full(n, -1, np.int64))
            part["ytd"] = ytd
        if "hospital_level" in cols:
            level = self._distinct(cols["hospital_level"], self._level_code, np.int16)
            fast &= level != -2
            part["level"] = level
        if "categories" in cols:
            cat = self._distinct(cols["categories"], self._category_code, np.int32)
            fast &= cat != -2
            part["cat"] = cat
        if "disability_grade" in cols:
            grade = self._distinct(cols["disability_grade"], self._grade_code, np.int16)
            fast &= grade != -2
            part["grade"] = grade
        if "disability_type" in cols:
            kind = self._distinct(cols["disability_type"], self._type_code, np.int16)
            fast &= kind != -2
            part["dtype"] = kind
        if "enrolled_on" in cols:
            enr = self._distinct(cols["enrolled_on"], self._enrolled_code, np.int32)
            fast &= enr != NO_DAY + 1
            part["enr"] = enr
        state = np.full(n, GOOD, np.int8)
        slow = np.flatnonzero(~fast)
        if slow.shape[0]:
            part["slow"] = self._slow(block, scan, slow, state)
            ids = [None if parsed is None else parsed.person_id for _, parsed, _ in part["slow"]]
            person = pc.replace_with_mask(person, pa.array(~fast), pa.array(ids, pa.string()))
        part["state"] = state
        self.persons.append(person)
        return part

    def _cached_text(self, text: str) -> str | None:
        """The reference's text of a cell; None when blank or refused (the row is then
        parsed by the reference, which says why)."""
        key = ("text", text)
        if key not in self._texts:
            self._texts[key] = _text_or_none(text)
        return self._texts[key]

    def _slow(
        self, block: memoryview, scan: _Block, slow: NDArray[Any], state: NDArray[np.int8]
    ) -> list[tuple[int, ParsedClaim | None, int]]:
        """The rows the vectorised parser left: read by Python's csv module from their own
        text and parsed by the reference, as the reference path would."""
        out: list[tuple[int, ParsedClaim | None, int]] = []
        starts = scan.starts()
        width = self.width
        for i in slow.tolist():
            text = bytes(block[int(starts[i]) : int(scan.ends[i])]).decode("utf-8")
            record = next(csv.reader(io.StringIO(text, newline="")), [])
            if len(record) < width:
                record += [""] * (width - len(record))
            if len(record) != width:
                raise Unsupported("a record with another number of fields")
            if not "".join(record).strip():
                state[i] = BLANK
                out.append((i, None, -1))
                continue
            parsed = self.scratch.parse({name: record[j] for name, j in self.known.items()})
            state[i] = BAD if parsed.bad is not None else GOOD
            series = -1 if parsed.series is None else self.rows.series.code(parsed.series)
            out.append((i, parsed, series))
        return out

    def _distinct(
        self, column: Any, convert: Callable[[str], int], dtype: type[np.integer[Any]]
    ) -> NDArray[Any]:
        """``convert`` applied once per distinct text of ``column``, spread over its rows."""
        enc = self.pc.dictionary_encode(column)
        codes = np.array([convert(v) for v in enc.dictionary.to_pylist()] or [0], dtype)
        return codes.take(_np_int(enc.indices))

    def _cached(self, name: str, text: str, parse: Callable[[], int]) -> int:
        key = (name, text)
        hit: int | None = self._parsed.get(key)
        if hit is None:
            hit = self._parsed[key] = parse()
        return hit

    def _series_code(self, text: str) -> int:
        def parse() -> int:
            problems: list[str] = []
            found = self.scratch.series_of({"series": text}, problems)
            return -1 if found is None else self.rows.series.code(found)

        return self._cached("series", text, parse)

    def _date_code(self, text: str) -> int:
        def parse() -> int:
            try:
                day = rowparse.date({"date": text}, "date", required=True)
            except Exception:
                return int(NO_DAY)
            return int(NO_DAY) if day is None else _day(day)

        return self._cached("date", text, parse)

    def _enrolled_code(self, text: str) -> int:
        """Days; NO_DAY when not given; NO_DAY + 1 when the reference would refuse it."""
        if text == "":
            return int(NO_DAY)

        def parse() -> int:
            try:
                day = rowparse.date({"enrolled_on": text}, "enrolled_on")
            except Exception:
                return int(NO_DAY) + 1
            return int(NO_DAY) + 1 if day is None else _day(day)

        return self._cached("enrolled_on", text, parse)

    def _level_code(self, text: str) -> int:
        """The level's code; -1 when not given; -2 when the reference would refuse it."""
        try:
            level = rowparse.text({"v": text}, "v")
        except Exception:
            return -2
        return -1 if level is None else self.rows.levels.code(level)

    def _category_code(self, text: str) -> int:
        """The categories' code; -1 when not given; -2 when the reference would refuse
        them."""
        try:
            if rowparse.text({"v": text}, "v") is None:
                return -1
            return self.rows.categories.code(rowparse.categories({"v": text}, "v"))
        except Exception:
            return -2

    def _grade_code(self, text: str) -> int:
        """The grade; -1 when not given; -2 when the reference would refuse it."""
        try:
            grade = rowparse.integer({"v": text}, "v")
        except Exception:
            return -2
        if grade is None:
            return -1
        return grade if 1 <= grade <= 4 else -2

    def _type_code(self, text: str) -> int:
        """The type's code; -1 when not given; -2 when the reference would refuse it."""
        try:
            kind = rowparse.text({"v": text}, "v")
        except Exception:
            return -2
        if kind is None:
            return -1
        return self.rows.types.code(kind) if kind in DISABILITY_TYPES else -2

    def _amounts(self, column: Any, *, required: bool) -> tuple[I64, NDArray[np.bool_]]:
        """Fen per row (-1: empty) and whether the vectorised parser took the row."""
        found = amount_fen(column)
        return found.fen, found.taken if required else found.taken | found.empty

    def _assemble(self, parts: list[dict[str, Any]], n: int) -> None:
        """The blocks' columns as one :class:`_Rows`, persons coded over the whole file."""
        pa, pc = self.pa, self.pc
        rows = self.rows
        rows.n = n
        rows.pid = np.zeros(0, np.int32)
        if self.persons:
            persons = pa.concat_arrays(self.persons)
            self.persons = []
            codes = pc.fill_null(pc.dictionary_encode(persons).indices, -1)
            del persons
            rows.pid = _np_int(codes).astype(np.int32)  # a writable copy
            del codes
        pa.default_memory_pool().release_unused()

        def joined(key: str, dtype: Any, none: int, default: bool = True) -> Any:
            """One column of every block (each block's part freed as it is joined)."""
            if not any(key in part for part in parts):
                return np.full(n, none, dtype) if default else None
            columns = [part.pop(key, None) for part in parts]
            return np.concatenate(
                [
                    np.full(part["n"], none, dtype) if c is None else c.astype(dtype, copy=False)
                    for part, c in zip(parts, columns, strict=True)
                ]
                or [np.zeros(0, dtype)]
            )

        rows.state = joined("state", np.int8, BLANK)
        rows.ser = joined("ser", np.int16, -1)
        rows.day = joined("day", np.int32, NO_DAY)
        rows.comp = joined("comp", np.int64, -1)
        rows.total = joined("total", np.int64, -1, default=False)
        rows.paid = joined("basic_paid", np.int64, -1, default=False)
        rows.level = joined("level", np.int16, -1)
        rows.cat = joined("cat", np.int32, -1)
        rows.grade = joined("grade", np.int16, -1)
        rows.dtype = joined("dtype", np.int16, -1)
        rows.enr = joined("enr", np.int32, NO_DAY, default=False)
        rows.ytd = None
        if any("ytd" in part for part in parts):
            rows.ytd = [
                np.concatenate(
                    [
                        part["ytd"][f] if "ytd" in part else np.full(part["n"], -1, np.int64)
                        for part in parts
                    ]
                )
                for f in range(3)
            ]
            for part in parts:
                part.pop("ytd", None)
        base = 0
        for part in parts:
            for i, parsed, series in part.get("slow", ()):
                self._put_slow(base + i, parsed, series)
            base += part["n"]
        if rows.total is not None and not (rows.total >= 0).any():
            rows.total = None
        if rows.paid is not None and not (rows.paid >= 0).any():
            rows.paid = None

    def _put_slow(self, p: int, parsed: ParsedClaim | None, series: int) -> None:
        """Row ``p`` as the reference parsed it (what the vectorised parser read cleared)."""
        rows = self.rows
        for col in (rows.comp, rows.total, rows.paid):
            if col is not None:
                col[p] = -1
        rows.level[p] = rows.cat[p] = rows.grade[p] = rows.dtype[p] = -1
        rows.day[p] = NO_DAY
        rows.ser[p] = -1
        if rows.enr is not None:
            rows.enr[p] = NO_DAY
        if rows.ytd is not None:
            for col in rows.ytd:
                col[p] = -1
        if parsed is None:
            rows.state[p] = BLANK
            rows.pid[p] = -1
            return
        rows.put(p, parsed, int(rows.pid[p]), series)

    # -- writing --

    def write(self, temp: Path, outcome: _Outcome, keep: int, progress: Progress | None) -> None:
        """Write OUT (the second reading of the file)."""
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerow(self._cells([*self.header, *CLAIM_RESULTS]))
        tails = self._tails(outcome)
        position = 0
        changed = BatchFileError(f"{self.source} changed while it was being read")
        with temp.open("wb") as f:
            f.write(buffer.getvalue().encode(self.output_encoding))
            blocks = _records(self.source, self.encoding, self.block_size)
            next(blocks, None)
            for index, block in enumerate(blocks):
                if position >= keep:
                    break
                if index >= len(self.blocks) or len(block) != self.blocks[index].size:
                    raise changed
                scan = self.blocks[index]
                if self.safe:
                    block, scan = scan.with_quotes(block)
                take = min(scan.count, keep - position)
                for part in self._lines(block, scan, outcome, tails, position, take):
                    f.write(part)
                position += scan.count
                if progress is not None:
                    progress("write", min(position, keep), keep)
        if position < keep:
            raise changed

    def _cells(self, cells: Sequence[str | None]) -> list[str | None]:
        """Cells as the row path's writer writes them: formula-like ones made text."""
        if not self.safe:
            return list(cells)
        return [None if c is None else excel_text(c) for c in cells]

    def _tails(self, outcome: _Outcome) -> tuple[Any, Any, int]:
        """The text after the amounts, per result kind: metas first, then messages, then the
        blank row; each twice (without and with a CR before the next record's LF)."""
        texts = [
            _csv_cells(self._cells([profile, version, sha256, None]))
            for _, profile, version, sha256 in outcome.metas.values
        ]
        texts += [_csv_cells(self._cells([None, None, None, m])) for m in outcome.messages.values]
        texts.append(_csv_cells([None, None, None, None]))
        heads = [covered for covered, _, _, _ in outcome.metas.values]
        pa = self.pa
        return (
            pa.array(texts + [t + "\r" for t in texts], pa.string()),
            pa.array(heads, pa.string()),
            len(texts),
        )

    def _lines(
        self,
        block: memoryview,
        scan: _Block,
        outcome: _Outcome,
        tails: tuple[Any, Any, int],
        a: int,
        take: int,
    ) -> list[Any]:
        """Records a..a+take of ``block`` with their result columns, as output bytes.

        Record i's text is the block's bytes from the previous record's line end to its own:
        the line end written before it, so the record needs no copy. The line end is written
        as CRLF: a record ending in LF alone gets a CR after its results.
        """
        pa, pc = self.pa, self.pc
        tail_texts, heads, count = tails
        b = a + take
        offsets = np.zeros(take + 1, np.int32)
        offsets[1:] = scan.ends[:take]
        lines = pa.Array.from_buffers(
            pa.string(), take, [None, pa.py_buffer(offsets), pa.py_buffer(block)]
        )
        redo = scan.redo[scan.redo < take]
        if redo.shape[0]:
            lines = self._requote(block, scan, lines, redo)
        err = outcome.err[a:b]
        meta = outcome.meta[a:b]
        special = (meta < 0) | (err >= 0)
        lf_only = ~scan.crlf[:take]
        if scan.open_end and take == scan.count:
            lf_only[-1] = False
        tail = np.where(
            err >= 0, len(outcome.metas.values) + err, np.where(meta < 0, count - 1, meta)
        )
        tail += lf_only * count
        if len(heads):
            head = heads.take(pa.array(np.maximum(meta, 0), mask=special))
        else:
            head = pa.nulls(take, pa.string())
        amounts = [
            _amount_texts(pa, pc, outcome.cents[k][a:b], special, safe=self.safe) for k in range(4)
        ]
        results = pc.binary_join_element_wise(
            head,
            *amounts,
            tail_texts.take(pa.array(tail)),
            ",",
            null_handling="replace",
            null_replacement="",
        )
        # Two joins: pyarrow joins many short columns and then two long ones faster than all
        # at once.
        joined = pc.binary_join_element_wise(lines, results, ",")
        off = np.frombuffer(joined.buffers()[1], np.int32)
        body = memoryview(joined.buffers()[2])[int(off[0]) : int(off[take])]
        rest_start = int(scan.ends[take - 1]) if take else 0
        if take < scan.count:
            rest = bytes(block[rest_start : int(scan.starts()[take])])
        else:
            rest = bytes(block[rest_start:])
        return [body, rest or b"\r\n"]

    def _requote(self, block: memoryview, scan: _Block, lines: Any, redo: NDArray[Any]) -> Any:
        """Rows whose text Python's csv writer writes otherwise: their text written by it."""
        starts = scan.starts()
        texts = []
        for i in redo.tolist():
            lo, hi = int(starts[i]), int(scan.ends[i])
            prefix = bytes(block[int(scan.ends[i - 1]) : lo]) if i else b""
            text = bytes(block[lo:hi]).decode("utf-8")
            record = next(csv.reader(io.StringIO(text, newline="")), [])
            record += [""] * (self.width - len(record))
            buffer = io.StringIO(newline="")
            csv.writer(buffer).writerow(record)
            texts.append(prefix.decode("ascii") + buffer.getvalue()[:-2])
        mask = np.zeros(len(lines), np.bool_)
        mask[redo] = True
        return self.pc.replace_with_mask(lines, self.pa.array(mask), self.pa.array(texts))


def _csv_cells(cells: Sequence[str | None]) -> str:
    """Cells as Python's csv writer joins them (no line end)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(["" if c is None else c for c in cells])
    return buffer.getvalue()[:-2]


def _amount_texts(
    pa: Any, pc: Any, cents: I64, special: NDArray[np.bool_], *, safe: bool = False
) -> Any:
    """Fen as yuan text with two decimals ("1234.50"); null where ``special``.

    The digits of the fen (pyarrow's integer to text cast, padded with zeros to at least
    three) with a point put before the last two: "5" -> "005" -> "0.05". Negative amounts
    (rare) go through the exact decimal cast instead; ``safe``: written as text for Excel
    ("'-0.01", :func:`~medcalc.batch.excel_text`).
    """
    valid = ~special
    negative = (cents < 0) & valid
    if negative.any():
        texts = _decimal_texts(pa, pc, cents, special)
        if not safe:
            return texts
        quoted = pc.binary_join_element_wise(pa.scalar("'"), texts, "")
        return pc.if_else(pa.array(negative), quoted, texts)
    mask = None if valid.all() else special
    texts = pc.cast(pa.array(cents, mask=mask), pa.string())
    if ((cents < 100) & valid).any():
        texts = pc.utf8_lpad(texts, width=3, padding="0")
    return pc.binary_replace_slice(texts, start=-2, stop=-2, replacement=".")


def _decimal_texts(pa: Any, pc: Any, cents: I64, special: NDArray[np.bool_]) -> Any:
    """Fen as yuan text with two decimals, by pyarrow's decimal to text cast (any sign)."""
    n = cents.shape[0]
    words = np.zeros((n, 2), np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)  # the high word of a two's-complement int128
    validity = None
    if special.any():
        validity = pa.py_buffer(np.packbits(~special, bitorder="little").tobytes())
    decimals = pa.Array.from_buffers(pa.decimal128(18, 2), n, [validity, pa.py_buffer(words)])
    return pc.cast(decimals, pa.string())


@attrs.frozen
class AmountColumn:
    """What :func:`amount_fen` reads of a column of amount texts, per cell."""

    fen: I64
    """The amount in fen where ``taken`` (-1 elsewhere)."""
    plain: NDArray[np.bool_]
    """A plain amount: 1-12 ASCII digits, perhaps a point and at most two decimals (as
    :func:`medcalc.money.parse_amount` reads without folding), recognised from the bytes."""
    taken: NDArray[np.bool_]
    """Read here: plain, or digits with thousands separators in groups of three and at most
    two decimals (``_AMOUNT``); every other cell (empty, full-width digits, odd spacing,
    errors…) is left to the row parser."""
    empty: NDArray[np.bool_]


def amount_fen(column: Any) -> AmountColumn:
    """The amounts of a pyarrow string array as fen, each exactly the value
    :func:`medcalc.money.parse_amount` gives, for the cells the vectorised parser takes.

    Plain cells are recognised from the bytes with numpy; only the others go through the
    regular expression; then an exact decimal cast.
    """
    pa, pc, _ = _arrow()
    n = len(column)
    plain, empty = _plain_amounts(column)
    values = np.full(n, -1, np.int64)
    if plain.all():
        values = _fen_of(pa, pc, column, commas=False)
    elif plain.any():
        values[plain] = _fen_of(pa, pc, column.filter(pa.array(plain)), commas=False)
    taken = plain
    rest = ~plain & ~empty
    if rest.any():
        others = column.filter(pa.array(rest))
        match = _np_bool(pc.match_substring_regex(others, _AMOUNT))
        if match.any():
            where = np.flatnonzero(rest)[match]
            values[where] = _fen_of(pa, pc, others.filter(pa.array(match)), commas=True)
            taken = taken.copy()
            taken[where] = True
    return AmountColumn(values, plain, taken, empty)


def fen_texts(cents: I64, special: NDArray[np.bool_], *, safe: bool = False) -> Any:
    """Fen as yuan text with two decimals, as :func:`medcalc.batch.cents_text` writes them
    ("1234.50", "-0.01"), a pyarrow string array, null where ``special`` (a row without
    amounts); ``safe``: as the row path's CSV writer writes them
    (:func:`~medcalc.batch.excel_text`: "'-0.01")."""
    pa, pc, _ = _arrow()
    return _amount_texts(pa, pc, cents, special, safe=safe)


def _plain_amounts(column: Any) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which cells of a string array are plain amounts (1-12 ASCII digits, perhaps a point
    followed by at most two digits: what ``_PLAIN`` of :mod:`medcalc.money` matches), and
    which are empty; from the array's bytes."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32)[column.offset : column.offset + n + 1]
    lo, hi = offsets[:-1], offsets[1:]
    length = hi - lo
    empty = length == 0
    plain = ~empty
    data_buffer = column.buffers()[2]
    if data_buffer is None or not n:
        return plain, empty
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buffer, np.uint8)[first:last]
    # Bytes that are not digits, counted per cell through a running sum.
    odd = np.zeros(data.shape[0] + 1, np.int32)
    np.cumsum((data - np.uint8(48)) > 9, out=odd[1:])  # (wraps below '0')
    start, end = lo - first, hi - first
    count = odd.take(end) - odd.take(start)
    plain &= count <= 1
    plain &= (count == 1) | (length <= 12)
    # One odd byte: a point with 1-12 digits before it and at most two after.
    one = np.flatnonzero(plain & (count == 1))
    if one.shape[0]:
        e = end.take(one)
        s = start.take(one)
        where = np.full(one.shape[0], -1, np.int64)
        for back in (1, 2, 3):
            at = e - back
            hit = (at >= s) & (data.take(np.maximum(at, 0)) == 46)
            where[hit & (where < 0)] = at[hit & (where < 0)]
        whole = where - s
        plain[one] = (where >= 0) & (whole >= 1) & (whole <= 12)
    return plain, empty


def _fen_of(pa: Any, pc: Any, strings: Any, *, commas: bool) -> I64:
    """Fen of amount texts the regex accepted (digits, thousands separators, <= 2 decimals)."""
    plain = pc.replace_substring(strings, ",", "") if commas else strings
    decimals = pc.cast(plain, pa.decimal128(14, 2))
    words = np.frombuffer(decimals.buffers()[1], np.int64)
    start = decimals.offset * 2
    values: I64 = words[start : start + 2 * len(decimals) : 2].copy()
    return values


def _text_or_none(text: str) -> str | None:
    """The reference's text of a cell (:func:`medcalc.chain.text`), None when it refuses it."""
    try:
        return rowparse.text({"v": text}, "v")
    except Exception:
        return None


def _single(column: Any) -> Any:
    """A chunked column as one array (without copying when it has one chunk)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _np_bool(array: Any) -> NDArray[np.bool_]:
    out: NDArray[np.bool_] = np.asarray(array.to_numpy(zero_copy_only=False), np.bool_)
    return out


def _np_int(array: Any) -> NDArray[Any]:
    out: NDArray[Any] = np.asarray(array.to_numpy(zero_copy_only=False))
    return out


def supported(input_encoding: str, output_encoding: str) -> bool:
    """True when :func:`run_columnar` may read a CSV file in ``input_encoding`` and write one
    in ``output_encoding`` (it may still find the file odd: :class:`Unsupported`)."""
    return input_encoding in _FAST_INPUT and output_encoding in _FAST_OUTPUT and arrow_available()


def run_columnar(
    table: CsvTable,
    calculator: Calculator,
    *,
    series: str | None,
    output_encoding: str,
    keep_formulas: bool,
    progress: Progress | None,
    check_encoding: bool = True,
    block_size: int | None = None,
) -> tuple[Summary, Callable[[Path], None], int]:
    """Read and compute a claims CSV file as columns, for CSV output.

    ``table`` is the file, opened (header read and checked); ``series``: the default series;
    ``keep_formulas``: formula-like cells written as they are. ``check_encoding``: check that
    every byte is valid in the table's encoding (:class:`NotInEncoding` otherwise; GB18030 is
    always checked, by decoding it); ``block_size``: bytes per block (default 16 MiB).
    Returns the summary, a function writing OUT to a temporary path, and the number of rows
    kept (trailing blank rows dropped). Raises :class:`Unsupported` when the file must be read
    by the reference path instead (nothing has been written then).
    """
    run = _Columnar(
        table,
        calculator,
        series=series,
        output_encoding=output_encoding,
        keep_formulas=keep_formulas,
        check_encoding=check_encoding,
        block_size=block_size or _BLOCK,
    )
    run.read(progress)
    run.pa.default_memory_pool().release_unused()  # what pyarrow's allocator kept in reserve
    rows = run.rows
    try:
        outcome = _solve(rows, calculator.book)
    except EngineRangeError:
        raise Unsupported("amounts beyond the engine's range") from None
    nonblank = np.flatnonzero(rows.state != BLANK)
    keep = int(nonblank[-1]) + 1 if nonblank.shape[0] else 0
    del nonblank
    if progress is not None:
        progress("compute", rows.n, rows.n)
    summary = outcome.summary(rows)
    run.rows = rows = _Rows()  # the parsed columns are not needed to write

    def write(temp: Path) -> None:
        run.write(temp, outcome, keep, progress)

    return summary, write, keep
