"""The rows in processing order: each row's version, profile set, error and uncapped basic
(in input order), then the order by (person, year, date, input index), the person-year
starts, and the year-to-date values they start from.

Claims are grouped by person and calendar year and taken in date order, ties in input order
(one sort of a packed int64 key, skipped when the input is already in that order; rows out of
order are then moved as rows of four words, one gather in and one scatter out).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from medcalc.chain import problems
from medcalc.errors import EngineError, EngineRangeError, InputError, MedcalcError
from medcalc.fast._plan import Plan
from medcalc.fast._table import (
    BAD_AMOUNT,
    EPOCH,
    I64,
    IP,
    MAX_FEN,
    NAT,
    OK,
    WIDTH,
    YTD_COLUMNS,
    ClaimTable,
    codes,
    days,
    ints,
    yuan,
)
from medcalc.messages import say
from medcalc.money import fmt, negative_amount, too_large_amount
from medcalc.tariff import Tariff, TariffBook

T = TypeVar("T")
SAMPLE = 4096
"""Keys sampled to cut the sort into parts of about equal size, one per sorting thread; a part
has at least twice as many keys."""


def day_tables(versions: Sequence[Tariff], dmin: int, dmax: int) -> tuple[IP, IP]:
    """For each day of [dmin, dmax]: the version in force (-1: none) and the calendar year."""
    span = dmax - dmin + 1
    vday = np.full(span, -1, np.intp)
    for v, t in enumerate(versions):
        lo = max(t.effective_from.toordinal() - EPOCH - dmin, 0)
        end = dmax if t.effective_to is None else t.effective_to.toordinal() - EPOCH
        hi = min(end - dmin, span - 1)
        if lo <= hi:
            vday[lo : hi + 1] = v
    days = np.arange(dmin, dmax + 1, dtype=np.int64).astype("datetime64[D]")
    year = days.astype("datetime64[Y]").astype(np.intp)
    return vday, year


def next_months(emin: int, emax: int) -> I64:
    """For each day of [emin, emax]: the first day of the next month (days since 1970)."""
    days = np.arange(emin, emax + 1, dtype=np.int64).astype("datetime64[D]")
    months = days.astype("datetime64[M]") + np.timedelta64(1, "M")
    return months.astype("datetime64[D]").view(np.int64)


def segsum(values: I64, first: IP, group: IP) -> I64:
    """Inclusive prefix sums of ``values`` restarting at each group (``first``: the group
    starts, ``group``: each row's group)."""
    total = np.cumsum(values)
    before = total.take(first) - values.take(first)
    total -= before.take(group)
    return total


def chunks(n: int, starts: IP | None, size: int) -> Iterable[tuple[int, int]]:
    """Ranges of about ``size`` rows; with ``starts`` (group starts), never splitting a group."""
    a = 0
    while a < n:
        b = min(a + size, n)
        if starts is not None and b < n:
            i = int(np.searchsorted(starts, b))
            b = int(starts[i]) if i < starts.shape[0] else n
        yield a, b
        a = b


class Rows:
    """One call of :func:`compute` up to the chain: the table's columns, the plan, the
    processing order, the year-to-date starts (:class:`~medcalc.fast._chain.Run` goes on).

    ``pool``: threads that take chunks side by side (None: this thread takes them in turn);
    every chunk writes only its own rows, so the results do not depend on it."""

    def __init__(
        self,
        book: TariffBook,
        series: str,
        table: ClaimTable,
        chunk_rows: int,
        pool: Executor | None = None,
        threads: int = 1,
    ) -> None:
        n = self.n = len(table)
        self.table = table
        self.chunk_rows = chunk_rows
        self.pool = pool
        self.threads = threads if pool is not None else 1
        if table.person.ndim != 1:
            raise EngineError(say("at", where="person", message=say("engine.one_dimensional")))
        person = ints(table.person, "person", n)
        assert person is not None
        self.person = person
        self.day = days(table.date, "date")
        if self.day.shape != (n,):
            shape = say("engine.rows_shape", count=n, shape=self.day.shape)
            raise EngineError(say("at", where="date", message=shape))
        compliant = ints(table.compliant, "compliant", n)
        assert compliant is not None
        self.compliant = compliant
        self.total = ints(table.total, "total", n)
        self.basic_paid = ints(table.basic_paid, "basic_paid", n)
        self.kind = codes(table.kind, "kind", n)
        self.level = codes(table.level, "level", n)
        self.enrolled = None
        if table.enrolled_on is not None:
            self.enrolled = days(table.enrolled_on, "enrolled_on")
            if self.enrolled.shape != (n,):
                rows = say("engine.rows", count=n)
                raise EngineError(say("at", where="enrolled_on", message=rows))
        self.ytd = [ints(getattr(table, f), f, n) for f in YTD_COLUMNS]
        if not table.kinds:
            raise EngineError(say("at", where="kinds", message=say("engine.kinds")))
        self._checkcodes(self.kind, len(table.kinds), 0, "kind")
        self._checkcodes(self.level, len(table.level_names), -1, "level")
        if n and (self.day == NAT).any():
            raise EngineError(say("at", where="date", message=say("engine.no_date")))
        self.plan = Plan(book, series, table.kinds, table.level_names)

    def each(self, work: Callable[[int, int], T], ranges: Iterable[tuple[int, int]]) -> list[T]:
        """``work(a, b)`` for each range, the results in the ranges' order (an exception: the
        first range's that raised, as in turn)."""
        if self.pool is None:
            return [work(a, b) for a, b in ranges]
        return list(self.pool.map(lambda ab: work(*ab), ranges))

    @staticmethod
    def _checkcodes(values: NDArray[Any] | None, count: int, low: int, name: str) -> None:
        if values is not None and values.shape[0]:
            lo, hi = int(values.min()), int(values.max())
            if lo < low or hi >= count:
                message = say("engine.codes", low=low, high=count - 1)
                raise EngineError(say("at", where=name, message=message))

    # -- phase A: per row, in input order --

    def rows(self) -> None:
        n, plan = self.n, self.plan
        bounds = self.each(self._bounds_chunk, chunks(n, None, self.chunk_rows))
        self.dmin, self.dmax = min(b[0] for b in bounds), max(b[1] for b in bounds)
        pmin, pmax = min(b[2] for b in bounds), max(b[3] for b in bounds)
        self.vday, self.year = day_tables(plan.versions, self.dmin, self.dmax)
        self.next_month: I64 | None = None
        enrolled = [b[4:] for b in bounds if b[4] <= b[5]]
        if enrolled:
            self.emin = min(e[0] for e in enrolled)
            self.next_month = next_months(self.emin, max(e[1] for e in enrolled))
        # One packed key (person, day, input index) orders the rows; it needs few bits.
        self.ibits = max(1, (n - 1).bit_length())
        self.dbits = max(1, (self.dmax - self.dmin).bit_length())
        pbits = max(1, (pmax - pmin).bit_length())
        self.key_bits = pbits + self.dbits + self.ibits
        self.packed = self.key_bits <= 63
        self.pmin = pmin
        self.key = np.empty(n, np.int64) if self.packed else None
        self.in_order = self.key is not None
        self.sorting: list[Future[I64]] = []
        if self.key is not None:
            ends = self.each(self._key_chunk, chunks(n, None, self.chunk_rows))
            # in order within each chunk, and each chunk's first key not below the last's
            self.in_order = all(
                inside and (k == 0 or ends[k - 1][2] <= first)
                for k, (inside, first, _) in enumerate(ends)
            )
            if not self.in_order:
                self.sorting = self.start_sort(self.key)
        # Rows out of order are read in processing order by one gather of a row of four
        # words (one cache line's part) per claim, not four gathers: the columns the chain
        # reads are laid out side by side.
        self.packed_rows = None if self.in_order else np.empty((n, WIDTH), np.int64)
        if self.packed_rows is None:
            self.m = np.empty(n, np.int64)  # basic (max of the candidates, uncapped), then final
            self.pk = np.empty(n, np.int64)  # P << 3 | error << 2 | given << 1 | covered
        else:  # basic, pk, compliant, the bill (the larger of total and compliant)
            self.m, self.pk = self.packed_rows[:, 0], self.packed_rows[:, 1]
        self.err = np.empty(n, np.int32)
        self.version = np.empty(n, np.int16)
        self.covered = np.zeros(n, np.bool_)
        self.each(self._rows_chunk, chunks(n, None, self.chunk_rows))
        if plan.limit < MAX_FEN:
            self._check_compliant()

    def _bounds_chunk(self, a: int, b: int) -> tuple[int, int, int, int, int, int]:
        """The least and greatest day, person and enrolment day of the rows a..b (no
        enrolment day given: the least above the greatest)."""
        day, person = self.day[a:b], self.person[a:b]
        found = [int(day.min()), int(day.max()), int(person.min()), int(person.max()), 1, 0]
        if self.enrolled is not None:
            enrolled = self.enrolled[a:b]
            given = enrolled[enrolled != NAT]
            if given.shape[0]:
                found[4:] = int(given.min()), int(given.max())
        return found[0], found[1], found[2], found[3], found[4], found[5]

    def _key_chunk(self, a: int, b: int) -> tuple[bool, int, int]:
        """The packed (person, day, input index) keys of the rows a..b: whether they are in
        order, the first key and the last. (The input index breaks ties and names the row;
        as it grows with the rows, the keys are in order exactly when (person, day) is.)"""
        assert self.key is not None
        key = self.person[a:b] - self.pmin
        key <<= self.dbits
        key += self.day[a:b]
        key -= self.dmin
        key <<= self.ibits
        key |= np.arange(a, b)
        self.key[a:b] = key
        return not (key[1:] < key[:-1]).any(), int(key[0]), int(key[-1])

    def _rows_chunk(self, a: int, b: int) -> None:
        """Version, profile set, coverage, error, uncapped basic of the rows a..b."""
        plan = self.plan
        day = self.day[a:b]
        v = self.vday.take(day - self.dmin)
        self.version[a:b] = v
        pair = v * plan.nk
        pair += plan.nk
        if self.kind is not None:
            pair += self.kind[a:b]
        p = plan.pair_p.take(pair)
        at = pair * plan.nl  # pair and level code (level + 1; 0: not given)
        if self.level is not None:
            at += self.level[a:b]
            at += 1
        compliant = self.compliant[a:b]
        paid = None if self.basic_paid is None else self.basic_paid[a:b]
        given = None if paid is None else paid >= 0
        state: Any = 2 if given is None else np.where(given, 1, 2)  # intp: it scales an index
        covered = None
        if self.next_month is not None:
            assert self.enrolled is not None
            enrolled = self.enrolled[a:b]
            has = enrolled != NAT
            next_month = self.next_month.take(np.where(has, enrolled - self.emin, 0))
            start = np.where(plan.pair_mode.take(pair) == 0, enrolled, next_month)
            covered = (day >= start) | ~has
            state = state * covered
            state += 3 * has
        code = plan.errors.take(at + state * plan.esize)
        # Amounts the reference's Claim refuses (its messages are made later, for few rows).
        bad = compliant.view(np.uint64) > MAX_FEN  # negative or too large
        if self.total is not None:
            total = self.total[a:b]
            bad |= (total != -1) & ((total < compliant) | (total > MAX_FEN))
        if paid is not None:
            bad |= (paid != -1) & (paid.view(np.uint64) > compliant.view(np.uint64))
        if bad.any():
            code[bad] = BAD_AMOUNT
        self.err[a:b] = code
        ok = code == OK
        computed = ok if covered is None else ok & covered
        m = plan.round(np.maximum(compliant - plan.q_d[0].take(at), 0) * plan.q_r[0].take(at), p)
        for c in range(1, plan.cb):
            rows = np.flatnonzero(plan.q_has[c].take(pair))
            if rows.shape[0]:
                at_c, p_c = at.take(rows), p.take(rows)
                above = np.maximum(compliant.take(rows) - plan.q_d[c].take(at_c), 0)
                raw = plan.round(above * plan.q_r[c].take(at_c), p_c)
                m[rows] = np.maximum(m.take(rows), raw)
        if paid is not None and given is not None:
            m = np.where(given, paid, m)
        m *= computed
        self.m[a:b] = m
        pk = p << 3
        pk |= computed
        if given is not None:
            pk |= given.view(np.int8).astype(np.int64) << 1
        pk |= (~ok).view(np.int8).astype(np.int64) << 2
        self.pk[a:b] = pk
        if self.packed_rows is not None:
            # Rows out of order: `covered` is the computed flag, less the rows that turn out
            # to be errors (finish), so that the chain need not scatter it.
            self.covered[a:b] = computed
            self.packed_rows[a:b, 2] = compliant

    def _check_compliant(self) -> None:
        """The first computed row whose compliant cost is beyond the plan's limit: an error."""
        found = self.each(self._too_big_chunk, chunks(self.n, None, self.chunk_rows))
        rows = [row for row in found if row >= 0]
        if rows:
            self.range_error(rows[0], "compliant", int(self.compliant[rows[0]]))

    def _too_big_chunk(self, a: int, b: int) -> int:
        too_big = (self.compliant[a:b] > self.plan.limit) & ((self.pk[a:b] & 1) == 1)
        return a + int(np.argmax(too_big)) if too_big.any() else -1

    def range_error(self, row: int, what: str, value: int) -> None:
        raise EngineRangeError(
            say(
                "engine.row_range",
                number=self.number(row),
                what=what,
                amount=fmt(yuan(value)),
                scale=self.plan.scale,
                limit=fmt(yuan(self.plan.limit)),
            )
        )

    def number(self, row: int) -> int:
        numbers = self.table.row_number
        return row + 1 if numbers is None else int(numbers[row])

    # -- phase B: order by (person, year, date, input index) --

    def start_sort(self, key: I64) -> list[Future[I64]]:
        """On threads, start sorting the distinct, non-negative keys ``key`` (in place) while
        phase A's chunks, queued after it, go on: the sort needs nothing else of phase A,
        and numpy's sort releases the GIL. About half the threads sort, each one range of
        key values (cut at quantiles of a sample: about the same number of keys each; all
        of them in place when one thread sorts); :meth:`sort_keys` collects the ranges.
        Without threads, nothing starts: :meth:`sort_keys` sorts."""
        if self.pool is None:
            return []
        n = key.shape[0]
        parts = min(self.threads // 2, n // (2 * SAMPLE))
        if parts < 2:
            return [self.pool.submit(_sorted_in_place, key)]
        sample = np.sort(key[:: max(1, n // SAMPLE)])
        cuts = [0, *(int(sample[k * sample.shape[0] // parts]) for k in range(1, parts))]

        def select(k: int) -> I64:
            inside = key >= cuts[k]
            if k + 1 < parts:
                inside &= key < cuts[k + 1]
            part = key[inside]
            part.sort()
            return part

        return [self.pool.submit(select, k) for k in range(parts)]

    def sort_keys(self, key: I64) -> None:
        """The keys ``key`` sorted in place: by numpy's sort here, or collected from the
        threads :meth:`start_sort` started (their ranges in ascending order are the whole
        sorted array)."""
        if not self.sorting:
            key.sort()
            return
        found = [f.result() for f in self.sorting]
        self.sorting = []
        if len(found) == 1:
            return
        ends = np.cumsum([0, *(f.shape[0] for f in found)]).tolist()

        def put(a: int, b: int) -> None:
            key[a:b] = found[ends.index(a)]

        self.each(put, itertools.pairwise(ends))

    def order(self) -> None:
        n = self.n
        self.key_s: I64 | None = None
        self.order_: IP | None = None
        if self.key is not None and self.in_order:
            self.key = None  # the input order is the processing order
        elif self.key is not None:
            self.sort_keys(self.key)
            self.key_s, self.key = self.key, None
        else:
            self.in_order = False
            self.order_ = np.lexsort((np.arange(n), self.day, self.person))
        starts = np.empty(n, np.bool_)

        def mark(a: int, b: int) -> None:  # from the row before the chunk on
            lo = max(a - 1, 0)
            person, day = self._sorted_person_day(lo, b)
            year = self.year.take(day - self.dmin)
            new = (person[1:] != person[:-1]) | (year[1:] != year[:-1])
            starts[lo + 1 : b] = new
            if a == 0:
                starts[0] = True

        self.each(mark, chunks(n, None, self.chunk_rows))
        self.starts = np.flatnonzero(starts)
        self.is_start = starts

    def _sorted_person_day(self, a: int, b: int) -> tuple[I64, I64]:
        if self.key_s is not None:
            pd = self.key_s[a:b] >> self.ibits
            return pd >> self.dbits, (pd & ((1 << self.dbits) - 1)) + self.dmin
        if self.order_ is not None:
            o = self.order_[a:b]
            return self.person.take(o), self.day.take(o)
        return self.person[a:b], self.day[a:b]

    def input_rows(self, a: int, b: int) -> IP:
        """Input positions of the sorted rows a..b."""
        if self.key_s is not None:
            return self.key_s[a:b] & ((1 << self.ibits) - 1)
        if self.order_ is not None:
            return self.order_[a:b]
        return np.arange(a, b)

    def sorted_positions(self, rows: IP) -> IP:
        """Sorted positions of the input rows ``rows`` (few)."""
        if self.key_s is not None:
            key = ((self.person.take(rows) - self.pmin) << self.dbits) | (
                self.day.take(rows) - self.dmin
            )
            found: IP = np.searchsorted(self.key_s, (key << self.ibits) | rows)
            return found
        if self.order_ is not None:
            inverse = np.empty(self.n, np.intp)
            inverse[self.order_] = np.arange(self.n)
            return inverse.take(rows)
        return rows

    # -- year-to-date starts --

    def year_to_date(self) -> None:
        """The accumulators each person-year starts from (sparse: rows that give them)."""
        self.ytd_groups = np.zeros(0, np.intp)
        self.ytd_values = np.zeros((0, len(YTD_COLUMNS)), np.int64)
        columns = [c for c in self.ytd if c is not None]
        if not columns:
            return
        giving = np.zeros(self.n, np.bool_)
        for c in columns:
            giving |= c != -1
        rows = np.flatnonzero(giving)
        if not rows.shape[0]:
            return
        group = np.searchsorted(self.starts, self.sorted_positions(rows), side="right") - 1
        values = np.stack(
            [np.full(rows.shape[0], -1, np.int64) if c is None else c.take(rows) for c in self.ytd],
            axis=1,
        )
        names = YTD_COLUMNS
        chosen: dict[int, list[int]] = {}
        first_row: dict[tuple[int, int], int] = {}
        broken: dict[int, MedcalcError] = {}
        for row, g, vals in zip(rows.tolist(), group.tolist(), values.tolist(), strict=True):
            have = chosen.setdefault(g, [-1] * len(names))
            for f, value in enumerate(vals):
                if value == -1 or g in broken:
                    continue
                if value < -1 or value > MAX_FEN:
                    broken[g] = amount_error(value, names[f])
                elif have[f] == -1:
                    have[f], first_row[(g, f)] = value, row
                elif have[f] != value:
                    earlier = (self.number(first_row[(g, f)]), fmt(yuan(have[f])))
                    later = (self.number(row), fmt(yuan(value)))
                    broken[g] = InputError(problems.rows_disagree(names[f], earlier, later))
        for g, problem in broken.items():
            code = self.plan.problems.add(problem)
            end = self.starts[g + 1] if g + 1 < self.starts.shape[0] else self.n
            members = self.input_rows(int(self.starts[g]), int(end))
            members = members[self.err.take(members) != BAD_AMOUNT]  # those keep their own
            self.err[members] = code
            self.pk[members] = (self.pk[members] | 4) & ~1  # an error, not computed
            self.m[members] = 0
            chosen.pop(g)
        if chosen:
            self.ytd_groups = np.array(list(chosen), np.intp)
            self.ytd_values = np.maximum(np.array(list(chosen.values()), np.int64), 0)
            order = np.argsort(self.ytd_groups)
            self.ytd_groups, self.ytd_values = self.ytd_groups[order], self.ytd_values[order]


def _sorted_in_place(key: I64) -> I64:
    key.sort()
    return key


def amount_error(value: int, field: str) -> MedcalcError:
    """What :func:`medcalc.money.check_amount` says of a negative or too large amount (fen)."""
    if value < 0:
        return negative_amount(yuan(value), field)
    return too_large_amount(yuan(value), field)
