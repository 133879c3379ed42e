"""The basic annual cap (封顶线) over a chunk: the one truly sequential step of the chain.

It is needed only for the person-years whose uncapped basic exceeds a cap: in closed form
when their candidates share one cap, else position by position ("the k-th claim of every
person-year at once").
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from medcalc.fast._order import segsum
from medcalc.fast._plan import Plan
from medcalc.fast._table import I64, INF, IP, Bools


class Chunk(NamedTuple):
    """A chunk's rows (processing order) as the basic cap reads them: ``a``, its first row;
    ``o``, the input positions of its rows (None: in input order); ``computed``, the rows
    whose basic is computed or given; ``pk``, the packed flags and profile sets ``p``;
    ``first``, where each person-year starts."""

    plan: Plan
    level: NDArray[Any] | None
    a: int
    o: IP | None
    computed: Bools
    pk: I64
    p: IP
    compliant: I64
    first: IP


def capped_basic(chunk: Chunk, basic: I64, risk: Bools, ytd: list[I64] | None) -> None:
    """The basic payments of the person-years (``risk``) whose uncapped basic exceeds the
    smallest basic cap of the series (the others pay it in full).

    When all basic candidates of the person-year's claims share one cap C, the basic paid
    so far after claim t is ``x_t = A_t + min(x_0, C - M_t)``: A is the running sum of
    the uncapped payments and the given basic_paid, M the value of A at the latest
    computed claim, x_0 the year-to-date start (induction on x_t = min(x_t-1 + m_t, C)).
    That holds while no computed claim starts above C; other person-years are done claim
    by claim (:func:`_stepwise`)."""
    plan, first, computed, pk, p = chunk.plan, chunk.first, chunk.computed, chunk.pk, chunk.p
    groups = np.flatnonzero(risk)
    ends = np.append(first[1:], basic.shape[0])
    starts = first.take(groups)
    lengths = ends.take(groups) - starts
    offsets = np.cumsum(lengths) - lengths  # each group's start among the subset
    count = int(lengths.sum())
    gid = np.repeat(np.arange(groups.shape[0]), lengths)
    rows = np.repeat(starts - offsets, lengths) + np.arange(count)
    calc = computed.take(rows) & ((pk.take(rows) & 2) == 0)
    cap = np.where(calc, plan.cap_one.take(p.take(rows)), INF)
    low = np.minimum.reduceat(cap, offsets)
    high = np.maximum.reduceat(np.where(calc, cap, -1), offsets)
    x0 = np.zeros(groups.shape[0], np.int64) if ytd is None else ytd[0].take(groups)
    inc = basic.take(rows)
    added = segsum(inc, offsets, gid)
    latest = np.maximum.accumulate(np.where(calc, np.arange(count), -1))
    seen = latest >= offsets.take(gid)  # a computed claim so far in this person-year
    c = np.where(low >= 0, low, 0).take(gid)
    x = added + np.where(seen, np.minimum(x0.take(gid), c - added.take(latest)), x0.take(gid))
    x_before = np.empty_like(x)
    x_before[1:] = x[:-1]
    x_before[offsets] = x0
    # Not one shared cap, or a computed claim that starts above it: claim by claim.
    wrong = (low < 0) | (low != np.where(high < 0, low, high))
    wrong |= np.logical_or.reduceat(calc & (x_before > c), offsets)
    keep = ~wrong.take(gid)
    basic[rows[keep]] = (x - x_before)[keep]
    if wrong.any():
        _stepwise(chunk, basic, ends, groups[wrong], x0[wrong])


def _stepwise(chunk: Chunk, basic: I64, ends: IP, groups: IP, paid: I64) -> None:
    """The basic payments of ``groups`` claim by claim: the k-th claim of every such
    person-year at once. The groups are taken longest first, so those still running at
    step k are a prefix, and the rows are laid out step by step (position-major), so each
    step works on slices. ``paid``: the groups' year-to-date basic paid."""
    plan, level, a, o, computed, pk, p, compliant, first = chunk
    lengths = ends.take(groups) - first.take(groups)
    by_length = np.argsort(-lengths, kind="stable")
    groups, lengths, paid = groups[by_length], lengths[by_length], paid[by_length]
    steps = int(lengths[0])
    running = np.searchsorted(-lengths, -np.arange(steps), side="left")
    offsets = np.zeros(steps + 1, np.intp)
    np.cumsum(running, out=offsets[1:])
    g_of = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], running)
    rows = first.take(groups).take(g_of) + np.repeat(np.arange(steps), running)
    pr = p.take(rows)
    pl = pr * plan.nl
    if level is not None:
        pl += level.take(rows + a if o is None else o.take(rows))
        pl += 1
    comp = compliant.take(rows)
    raws = [plan.basic_raw(comp, pl, pr, c) for c in range(plan.cb)]
    caps = [plan.b_cap[c].take(pr) for c in range(plan.cb)]
    fixed = basic.take(rows)  # basic_paid as given; 0 when not computed
    calc = computed.take(rows) & ((pk.take(rows) & 2) == 0)
    out = np.empty(rows.shape[0], np.int64)
    for k in range(steps):
        lo, hi, r = int(offsets[k]), int(offsets[k + 1]), int(running[k])
        before = paid[:r]
        best = np.minimum(raws[0][lo:hi], np.maximum(caps[0][lo:hi] - before, 0))
        for c in range(1, plan.cb):
            room = np.maximum(caps[c][lo:hi] - before, 0)
            np.maximum(best, np.minimum(raws[c][lo:hi], room), out=best)
        value = np.where(calc[lo:hi], best, fixed[lo:hi])
        out[lo:hi] = value
        before += value
    basic[rows] = out
