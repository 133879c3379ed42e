"""The chain over the rows in processing order, chunk by chunk (whole person-years).

Per chunk: the rows an earlier error of their person-year blocks, the basic annual cap,
then each accumulated layer of :data:`medcalc.chain.LAYERS` in turn — its base is a
segmented prefix sum of what the layer before it left, F* is evaluated per row at the
accumulated amount (``F*(before)`` is the previous row's ``F*(after)`` when the profile set
did not change) — and out of pocket. Then the errors' messages and the result columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medcalc.chain import LAYERS, problems
from medcalc.errors import (
    AmountError,
    ClaimAmountsError,
    DependentClaimError,
    MedcalcError,
)
from medcalc.fast._basic import Chunk, capped_basic
from medcalc.fast._order import Rows, amount_error, chunks, segsum
from medcalc.fast._table import (
    BAD_AMOUNT,
    EPOCH,
    I63,
    I64,
    IP,
    MAX_FEN,
    NO_VERSION,
    OK,
    Bools,
    Columns,
    yuan,
)
from medcalc.tariff import not_in_force

SAFE_ROWS = I63 // MAX_FEN - 4
"""Rows whose amounts (each at most MAX_FEN) surely sum within int64."""
OUT_OF_POCKET = 1 + len(LAYERS)
"""The result column of out of pocket in a moved row: after basic and the layers."""


class Run(Rows):
    """One call of :func:`compute`: the chain over :class:`Rows`, the messages, the columns."""

    # -- phase C: the year's accumulations, in processing order --

    def chain(self) -> None:
        n = self.n
        rows = self.packed_rows
        self.profile = np.full(n, -1, np.int16)
        if rows is None:
            self.paid = [np.zeros(n, np.int64) for _ in LAYERS]
            self.oop = np.zeros(n, np.int64)
        found = self.each(self._chain_chunk, chunks(n, self.starts, self.chunk_rows))
        self.error_groups: list[IP] = [group for groups in found for group in groups]
        if rows is not None:
            # Each row's results were written over its inputs (one row is read and written
            # only in its own chunk): the amount columns are views of that block.
            self.m, self.oop = rows[:, 0], rows[:, OUT_OF_POCKET]
            self.paid = [rows[:, 1 + i] for i in range(len(LAYERS))]
            self.pk = np.zeros(0, np.int64)
            self.packed_rows = None
            self.each(self._settle_chunk, chunks(n, None, self.chunk_rows))

    def _settle_chunk(self, a: int, b: int) -> None:
        """Rows out of order, a..b in input order: the profile the chain left in the out of
        pocket word (one scatter less), then out of pocket itself. A row with an error pays
        nothing (the rows depending on it are cleared with their messages)."""
        self.profile[a:b] = self.oop[a:b]
        compliant = self.compliant[a:b]
        bill = compliant if self.total is None else np.maximum(self.total[a:b], compliant)
        paid = [pay[a:b] for pay in self.paid]
        _out_of_pocket(bill, self.m[a:b], paid, self.err[a:b] == OK, self.oop[a:b])

    def _chain_chunk(self, a: int, b: int) -> list[IP]:
        """The rows a..b (whole person-years) in processing order; the input rows of each
        person-year whose errors reach other rows (for the messages)."""
        plan = self.plan
        o = None if self.in_order else self.input_rows(a, b)
        if o is None:
            basic, pk, compliant = self.m[a:b], self.pk[a:b], self.compliant[a:b]
        else:
            assert self.packed_rows is not None
            # (take of the int64 table releases the GIL, take of its rows as void items not)
            block = self.packed_rows.take(o, axis=0).T.copy()
            basic, pk, compliant = block[0], block[1], block[2]
        read = basic
        if b - a > SAFE_ROWS:  # a person-year of ~92 000 claims: its sums could leave int64
            self._check_sums(a, b, o, compliant)
        starts = self.is_start[a:b]
        first = np.flatnonzero(starts)
        ends = np.append(first[1:], b - a)
        group = np.repeat(np.arange(first.shape[0]), ends - first)  # (a bool cumsum is slow)
        p = pk >> 3
        computed = (pk & 1).astype(np.bool_)
        error = (pk & 4).astype(np.bool_)
        dependent = None
        error_groups: list[IP] = []
        if error.any():
            seen = segsum(error.astype(np.int64), first, group)  # errors so far, this one too
            dependent = ~error & (seen > 0)
            if dependent.any():
                computed &= ~dependent
                basic = basic * computed
            error_groups = self._error_groups(a, b, o, first, group, error, seen, dependent)
        ytd = self._ytd_chunk(a, b, first.shape[0])
        if plan.any_cap:
            running = np.cumsum(basic)
            total = running.take(ends - 1) - running.take(first) + basic.take(first)
            if ytd is not None:
                total += ytd[0]
            risk = total > plan.lowest_cap
            if risk.any():
                chunk = Chunk(plan, self.level, a, o, computed, pk, p, compliant, first)
                capped_basic(chunk, basic, risk, ytd)
        burden = compliant - basic
        burden *= computed
        paid, which = self._layers(a, b, o, starts, first, group, p, burden, computed, ytd)
        profile = plan.layers[0].chosen(which, p).astype(np.int16)
        profile[~computed] = -1
        if o is None:
            if basic is not read:
                self.m[a:b] = basic
            self.profile[a:b] = profile
            ok = ~error if dependent is None else ~(error | dependent)
            self._pays(a, b, basic, paid, computed, ok)
        else:  # the results of each row over its inputs: read and written in this chunk only
            assert self.packed_rows is not None
            results = np.empty((b - a, self.packed_rows.shape[1]), np.int64)
            results[:, 0] = basic
            for i, pay in enumerate(paid):
                results[:, 1 + i] = pay
            results[:, OUT_OF_POCKET] = profile  # until _settle_chunk
            _rows_of(self.packed_rows).put(o, _rows_of(results))  # (put: faster than [o] =)
        return error_groups

    def _layers(
        self,
        a: int,
        b: int,
        o: IP | None,
        starts: Bools,
        first: IP,
        group: IP,
        p: IP,
        burden: I64,
        computed: Bools,
        ytd: list[I64] | None,
    ) -> tuple[list[I64], IP | None]:
        """What each layer pays on the rows a..b, in the order of LAYERS, each on what the
        one before it left of the claims (the first on the individual burden); and which
        candidate the first layer chose (only critical illness's profile is a column)."""
        plan = self.plan
        # Where a row's profile set is the previous row's (same person-year), its F*(before)
        # is that row's F*(after); elsewhere it is F*(0) = 0 or evaluated.
        fresh = starts.copy()
        fresh[1:] |= p[1:] != p[:-1]
        fresh_rows = np.flatnonzero(fresh)
        left = burden
        paid: list[I64] = []
        which = None
        for i, (layer, table) in enumerate(zip(LAYERS, plan.layers, strict=True)):
            x_after = segsum(left, first, group)
            if ytd is not None:
                x_after += ytd[1 + i].take(group)
            self._check_range(x_after, computed, o, a, layer.base_text)
            f_after, found = table.at(x_after, p, i == 0)
            if i == 0:
                which = found
            pay = self.paid[i][a:b] if o is None else np.empty(b - a, np.int64)
            np.subtract(f_after, _previous(f_after, x_after, left, p, fresh_rows, table.at),
                        out=pay)  # fmt: skip
            # A layer never pays more than the claim's part of its base (spec §4.3): the step
            # of F* can exceed it by a fen with half_even and a ratio of 1. Under half_up it
            # cannot (round(a + d) - round(a) < d + 0.01 with d <= i), so those series skip
            # the pass.
            if plan.even is not False:
                np.minimum(pay, left, out=pay)
            paid.append(pay)
            if i < len(LAYERS) - 1:
                left = left - pay
        return paid, which

    def _pays(
        self, a: int, b: int, basic: I64, paid: list[I64], computed: Bools, ok: Bools
    ) -> None:
        """``covered`` and ``out_of_pocket`` of the rows a..b (input order): the bill less
        what the layers pay (never below 0); the whole bill when not covered; 0 on an
        error row. A given total is at least the compliant cost, an absent one is -1, so the
        bill is the larger of the two."""
        self.covered[a:b] = computed
        compliant = self.compliant[a:b]
        bill = compliant if self.total is None else np.maximum(self.total[a:b], compliant)
        _out_of_pocket(bill, basic, paid, ok, self.oop[a:b])

    def _check_sums(self, a: int, b: int, o: IP | None, compliant: I64) -> None:
        # float64 only as an overflow guard: a sum's magnitude, checked against half of the
        # int64 range (a margin far above float64's error); no amount is computed in float.
        # Summed in float64, not int64 first (which could wrap), and only the year-to-date
        # starts of this chunk's person-years: the others never enter its sums.
        g0, g1 = np.searchsorted(self.starts, [a, b])
        lo, hi = np.searchsorted(self.ytd_groups, [g0, g1])
        ytd = float(self.ytd_values[lo:hi].sum(dtype=np.float64))
        if float(compliant.sum(dtype=np.float64)) + ytd >= 0.5 * I63:
            row = a if o is None else int(o[0])
            self.range_error(row, "the year's compliant cost", int(compliant.max()))

    def _check_range(self, x: I64, computed: Bools, o: IP | None, a: int, what: str) -> None:
        if x.shape[0] and int(x.max()) > self.plan.limit:
            over = np.flatnonzero(computed & (x > self.plan.limit))
            if over.shape[0]:
                at = int(over[0])
                row = a + at if o is None else int(o[at])
                self.range_error(row, what, int(x[at]))

    def _ytd_chunk(self, a: int, b: int, groups: int) -> list[I64] | None:
        if not self.ytd_groups.shape[0]:
            return None
        g0 = int(np.searchsorted(self.starts, a))
        lo, hi = np.searchsorted(self.ytd_groups, [g0, g0 + groups])
        if lo == hi:
            return None
        width = self.ytd_values.shape[1]
        out = [np.zeros(groups, np.int64) for _ in range(width)]
        local = self.ytd_groups[lo:hi] - g0
        for f in range(width):
            out[f][local] = self.ytd_values[lo:hi, f]
        return out

    def _error_groups(
        self,
        a: int,
        b: int,
        o: IP | None,
        first: IP,
        group: IP,
        error: Bools,
        seen: I64,
        dependent: Bools,
    ) -> list[IP]:
        """The person-years whose errors reach other rows, for the messages."""
        wanted = np.zeros(first.shape[0], np.bool_)
        wanted[group[dependent]] = True
        leading = error & (seen == 1)  # the first error of its person-year
        if leading.any() and self.plan.person_codes:
            rows = np.flatnonzero(leading)
            codes = self.err.take(rows + a if o is None else o.take(rows))
            person = np.isin(codes, list(self.plan.person_codes))
            wanted[group.take(rows[person])] = True
        ends = np.append(first[1:], b - a)
        return [
            self.input_rows(a + int(first[g]), a + int(ends[g]))
            for g in np.flatnonzero(wanted).tolist()
        ]

    # -- errors and the last columns --

    def messages(self) -> None:
        plan, err = self.plan, self.err
        no_version = np.flatnonzero(err == NO_VERSION)
        if no_version.shape[0]:
            days, inverse = np.unique(self.day.take(no_version), return_inverse=True)
            codes = np.array(
                [plan.problems.add(_no_version(plan.series, int(d))) for d in days.tolist()],
                np.int32,
            )
            err[no_version] = codes.take(inverse)
        for row in np.flatnonzero(err == BAD_AMOUNT).tolist():
            err[row] = plan.problems.add(self._amount_problem(row))
        for members in self.error_groups:
            self._group_errors(members.tolist())

    def _amount_problem(self, row: int) -> MedcalcError:
        """The first error the reference's Claim would raise for the row's amounts."""
        compliant = int(self.compliant[row])
        total = -1 if self.total is None else int(self.total[row])
        paid = -1 if self.basic_paid is None else int(self.basic_paid[row])
        for value, name, absent in (
            (compliant, "compliant", False),
            (total, "total", True),
            (paid, "basic_paid", True),
        ):
            if not (absent and value == -1) and (value < 0 or value > MAX_FEN):
                return amount_error(value, name)
        if total != -1 and total < compliant:
            return problems.total_below_compliant(yuan(total), yuan(compliant))
        return problems.paid_above_compliant(yuan(paid), yuan(compliant))

    def _group_errors(self, members: list[int]) -> None:
        """One person-year with an error that reaches other rows (members in date order)."""
        err, found = self.err, self.plan.problems
        codes = [int(err[r]) for r in members]
        lead = next(i for i, c in enumerate(codes) if c >= 0)
        if codes[lead] in self.plan.person_codes:
            # About the person, not the claim: every row of the person-year has it, as in a
            # batch (rows whose amounts are wrong keep that error).
            for r, c in zip(members, codes, strict=True):
                if c < 0 or not isinstance(found.items[c], ClaimAmountsError | AmountError):
                    err[r] = codes[lead]
                    self._clear(r)
            return
        blockers: list[int] = []
        for r, c in zip(members[lead:], codes[lead:], strict=True):
            if c >= 0:
                blockers.append(self.number(r))
                continue
            err[r] = found.add(DependentClaimError.on(blockers))
            self._clear(r)

    def _clear(self, row: int) -> None:
        self.m[row] = self.oop[row] = 0
        for column in self.paid:
            column[row] = 0
        self.covered[row] = False
        self.profile[row] = -1

    def finish(self) -> Columns:
        if not self.in_order:  # the rows of an error are not covered
            for a, b in chunks(self.n, None, self.chunk_rows):
                covered = self.covered[a:b]
                covered &= self.err[a:b] == OK
        return Columns(
            covered=self.covered,
            basic=self.m,
            out_of_pocket=self.oop,
            critical_illness_profile=self.profile,
            profile_names=self.plan.profile_names,
            version=self.version,
            versions=self.plan.versions,
            error=self.err,
            problems=tuple(self.plan.problems.items),
            **{layer.id: column for layer, column in zip(LAYERS, self.paid, strict=True)},
        )


def _out_of_pocket(bill: I64, basic: I64, paid: list[I64], ok: Bools, out: I64) -> None:
    """The bill less basic and what each layer paid, never below 0; 0 on an error row."""
    np.subtract(bill, basic, out=out)
    for pay in paid:
        out -= pay
    np.maximum(out, 0, out=out)
    out *= ok


def _no_version(series: str, day: int) -> MedcalcError:
    return not_in_force(series, dt.date.fromordinal(day + EPOCH))


def _previous(
    after: I64,
    x_after: I64,
    added: I64,
    p: IP,
    fresh: IP,
    at: Callable[[I64, IP], tuple[I64, Any]],
) -> I64:
    """F*(x_before) per row, for F* given at x_after (x_before = x_after - added): the
    previous row's F*(x_after) except at the ``fresh`` rows (a person-year's first row, or a
    change of profile set), where it is F*(0) = 0 or evaluated."""
    before = np.empty_like(after)
    before[1:] = after[:-1]
    x_before = x_after.take(fresh) - added.take(fresh)
    before[fresh] = 0
    redo = np.flatnonzero(x_before)
    if redo.shape[0]:
        before[fresh.take(redo)] = at(x_before.take(redo), p.take(fresh.take(redo)))[0]
    return before


def _rows_of(table: I64) -> NDArray[np.void]:
    """A C-contiguous (rows, width) int64 table as one item per row (a row is moved by one
    copy, not one per word)."""
    size = 8 * table.shape[1]
    rows: NDArray[np.void] = table.view(np.dtype((np.void, size))).reshape(table.shape[0])
    return rows
