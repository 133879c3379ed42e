"""``medcalc compare claims`` CSV to CSV as columns: read once by the columnar reader, solved
twice by the engine, written once from the input's own bytes (the ``fast`` extra).

The same bytes and summary as the row path of :mod:`medcalc.batch._compare` (tests): the
file is read by :func:`~medcalc.batch._columnar.read_columnar` (pyarrow; the rows it cannot
read as the row path does are parsed by the reference), the parsed columns are solved under
the book and under the proposal's book (:func:`~medcalc.batch._columns.solve`), each side's
result columns are formatted by :class:`~medcalc.batch._columnar.OutcomeColumns` without
their ``error``, and the change, the one error text and the summary's sums are computed over
the columns (exact int64 fen; per-person sums by sorting, never by float).
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medcalc.batch._columnar import ColumnarRead, OutcomeColumns, fen_texts
from medcalc.batch._columnar_write import from_numpy
from medcalc.batch._columns import BLANK, Outcome, solve
from medcalc.batch._compare_summary import (
    CLAIM_COMPARED,
    TOP,
    CompareSummary,
    compare_names,
    side_error,
    summarise,
)
from medcalc.batch._output import excel_text
from medcalc.batch._rows import AMOUNTS
from medcalc.tariff import TariffBook

__all__ = ["CompareColumns", "solve_both"]

_OUT_OF_POCKET = AMOUNTS.index("out_of_pocket")
_AMOUNT_INDEX = [AMOUNTS.index(name) for name in CLAIM_COMPARED]


def solve_both(
    read: ColumnarRead, book: TariffBook, proposed: TariffBook, *, threads: int = 1
) -> tuple[Outcome, Outcome]:
    """The rows solved under each book, the engine on ``threads`` threads (the outcomes do
    not depend on it); :class:`EngineRangeError` beyond the engine's range.

    ``solve`` rebinds the person columns it frees: the base side solves a shallow copy."""
    base = solve(copy.copy(read.rows), book, threads=threads)
    proposal = solve(read.rows, proposed, threads=threads)
    return base, proposal


def _csv_cell(text: str, safe: bool) -> str:
    """One cell as Python's csv writer writes it (quoted when it must be)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow([excel_text(text) if safe else text])
    return buffer.getvalue()[:-2]


def _computed(outcome: Outcome) -> NDArray[np.bool_]:
    result: NDArray[np.bool_] = (outcome.meta >= 0) & (outcome.err < 0)
    return result


class CompareColumns:
    """The result columns of a comparison (:func:`medcalc.batch.compare_names`) as the
    columnar writer's :class:`~medcalc.batch._columnar.ResultColumns`."""

    def __init__(self, base: Outcome, proposal: Outcome, lang: str, *, safe: bool) -> None:
        self.safe = safe
        self.names = compare_names("claims", lang)
        self.base = OutcomeColumns(base, lang, safe=safe, error=False)
        self.proposal = OutcomeColumns(proposal, lang, safe=safe, error=False)
        pa = self.pa = self.base.pa
        self.pc = self.base.pc
        self.both = _computed(base) & _computed(proposal)
        self.change = proposal.cents[_OUT_OF_POCKET] - base.cents[_OUT_OF_POCKET]
        # One error text per pair of the two sides' messages (few distinct pairs).
        failed = (base.err >= 0) | (proposal.err >= 0)
        width = len(proposal.messages.values) + 1
        key = (base.err.astype(np.int64) + 1) * width + (proposal.err.astype(np.int64) + 1)
        pairs, codes = np.unique(key[failed], return_inverse=True)
        texts = []
        for pair in pairs.tolist():
            b, p = divmod(pair, width)
            said = side_error(
                None if b == 0 else base.messages.values[b - 1],
                None if p == 0 else proposal.messages.values[p - 1],
                lang,
            )
            assert said is not None
            texts.append(_csv_cell(said, safe))
        texts.append("")  # no error
        self.count = len(texts)
        self.errors = pa.array(texts + [t + "\r" for t in texts], pa.string())
        self.code = np.full(base.n, self.count - 1, np.int64)
        self.code[failed] = codes

    def parts(self, a: int, take: int, lf_only: NDArray[np.bool_] | None) -> list[Any]:
        b = a + take
        code = self.code[a:b]
        if lf_only is not None:
            code = code + lf_only * self.count
        return [
            *self.base.parts(a, take, None),
            *self.proposal.parts(a, take, None),
            fen_texts(self.change[a:b], ~self.both[a:b], safe=self.safe),
            self.pc.take(self.errors, from_numpy(self.pa, code)),
        ]


def _exact_sum(values: NDArray[np.int64]) -> int:
    return sum(values.tolist())


def compare_summary(
    read: ColumnarRead, base: Outcome, proposal: Outcome, keep: int
) -> CompareSummary:
    """The summary of a columnar comparison: what the row path's tally gives."""
    rows = read.rows
    state = rows.state[:keep]
    blank_rows = int((state == BLANK).sum()) - len(read.totals)
    counted = int((state != BLANK).sum())
    both = (_computed(base) & _computed(proposal))[:keep]
    where = np.flatnonzero(both)
    base_cents = [base.cents[k][where] for k in _AMOUNT_INDEX]
    proposal_cents = [proposal.cents[k][where] for k in _AMOUNT_INDEX]
    # by the base side's critical-illness profile ("" where none applied)
    profile_of_meta = np.array(
        [profile or "" for _, profile, _, _ in base.metas.values] or [""], dtype=object
    )
    names, codes = np.unique(profile_of_meta, return_inverse=True)
    row_profile = codes.take(base.meta[where]) if where.shape[0] else np.zeros(0, np.int64)
    profiles: dict[tuple[int, str], tuple[int, int]] = {}
    for p, name in enumerate(names.tolist()):
        mine = row_profile == p
        if not mine.any():
            continue
        for i in range(len(_AMOUNT_INDEX)):
            profiles[(i, name)] = (
                _exact_sum(base_cents[i][mine]),
                _exact_sum(proposal_cents[i][mine]),
            )
    spread, gains, losses = _persons(read, where, proposal_cents[-1] - base_cents[-1])
    return summarise(
        "claims",
        rows=counted,
        errors=counted - int(where.shape[0]),
        blank=blank_rows,
        base=[_exact_sum(c) for c in base_cents],
        proposal=[_exact_sum(c) for c in proposal_cents],
        profiles=profiles,
        spread=spread,
        gains=gains,
        losses=losses,
    )


def _persons(
    read: ColumnarRead, where: NDArray[Any], change: NDArray[np.int64]
) -> tuple[list[int], list[tuple[str, int]], list[tuple[str, int]]]:
    """Every person's change (their rows' changes summed, exactly: sorted by person and
    added up in int64), sorted; the :data:`TOP` gains and losses, ties by person id."""
    pid = read.rows.pid[where]
    known = pid >= 0
    pid, change = pid[known], change[known]
    if not pid.shape[0]:
        return [], [], []
    order = np.argsort(pid, kind="stable")
    pid, change = pid[order], change[order]
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    sums = np.add.reduceat(change, starts)
    persons = pid[starts]
    ids: Sequence[str] = read.person_texts(persons)
    spread = np.sort(sums).tolist()
    gains = _top(ids, sums, spread[min(TOP, len(spread)) - 1], lambda c, t: c <= t)
    losses = _top(ids, -sums, -spread[-min(TOP, len(spread))], lambda c, t: c <= t)
    return (
        spread,
        sorted(gains, key=lambda kv: (kv[1], kv[0]))[:TOP],
        sorted(((p, -c) for p, c in losses), key=lambda kv: (-kv[1], kv[0]))[:TOP],
    )


def _top(
    ids: Sequence[str], values: NDArray[np.int64], threshold: int, keep: Any
) -> list[tuple[str, int]]:
    """The persons whose value is at most ``threshold`` (the candidates of a top list)."""
    chosen = np.flatnonzero(keep(values, threshold))
    return [(ids[i], int(values[i])) for i in chosen.tolist()]


def write_compare(
    read: ColumnarRead,
    temp: Path,
    base: Outcome,
    proposal: Outcome,
    *,
    lang: str,
    output_encoding: str,
    keep_formulas: bool,
) -> None:
    """OUT from the input's own bytes, each record followed by both sides' results (the
    blocks formatted on the reading's threads)."""
    writer = read.writer(output_encoding=output_encoding, keep_formulas=keep_formulas, columns=lang)
    columns = CompareColumns(base, proposal, lang, safe=not keep_formulas)
    writer.write_columns(temp, columns, read.keep, None)
