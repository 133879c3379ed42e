"""One accumulated layer's candidate scales as integer tables, evaluated over columns.

The engine's form of :class:`medcalc.chain.Scale`, used for every layer of
:data:`medcalc.chain.LAYERS`: per candidate c and profile set P, G is held as pieces — the
threshold ``t``, the later breakpoints ``bp`` (rising) and lines ``a + x * s`` (numerators
over the plan's ratio scale), piece 0 (up to the threshold) being 0 — and its cap.
F*(x) = max over c of min(round(G_c(x)), cap_c), the first c winning a tie.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np

from medcalc.chain import Scale
from medcalc.fast._table import I64, INF, IP

Candidate = tuple[tuple[tuple[Decimal, Decimal | None, Decimal], ...], Decimal | None]
"""A candidate scale as exact values: (bands (lower, upper, ratio), cap)."""


def exact_candidates(scales: Sequence[Scale]) -> list[tuple[str, Candidate]]:
    """(name, exact values) of each scale, without repeats: an identical later candidate
    always ties with the earlier one, which wins a tie."""
    out: list[tuple[str, Candidate]] = []
    for scale in scales:
        bands = tuple((b.lower, b.upper, b.ratio) for b in scale.bands)
        candidate: Candidate = (bands, scale.annual_cap.amount)
        if all(candidate != c for _, c in out):
            out.append((scale.name, candidate))
    return out


class ScaleTable:
    """The candidates of one layer for every profile set, as int64 tables.

    ``fen(amount)`` and ``num(ratio)`` convert exact values (checking the engine's range);
    ``round(num, p)`` rounds numerators over the scale to fen with each row's rounding.
    Candidates without bands, and padding, have ``t`` = infinity: they never pay.
    """

    def __init__(
        self,
        per_set: Sequence[Sequence[tuple[str, Candidate]]],
        fen: Callable[[Decimal], int],
        num: Callable[[Decimal], int],
        round_: Callable[[I64, IP], I64],
    ) -> None:
        self.round = round_
        n_sets = len(per_set)
        pieces: list[list[tuple[list[int], list[tuple[int, int]], int, str]]] = []
        for candidates_ in per_set:
            rows = []
            for name, (bands, cap) in candidates_:
                bps: list[int] = []
                lines = [(0, 0)]
                reached = 0
                for lower, upper, ratio in bands:
                    lo, r = fen(lower), num(ratio)
                    bps.append(lo)
                    lines.append((reached - lo * r, r))
                    if upper is not None:
                        reached += (fen(upper) - lo) * r
                last = bands[-1][1] if bands else None
                if last is not None:  # a closed last band: G stays level above it
                    bps.append(fen(last))
                    lines.append((reached, 0))
                rows.append((bps, lines, INF if cap is None else fen(cap), name))
            pieces.append(rows)
        self.cc = cc = max([1, *(len(r) for r in pieces)])
        k = max([1, *(len(bps) for r in pieces for bps, _, _, _ in r)])
        self.k1 = k + 1
        names: dict[str, int] = {}
        self.t = [np.full(n_sets, INF, np.int64) for _ in range(cc)]
        self.bp = [[np.full(n_sets, INF, np.int64) for _ in range(k - 1)] for _ in range(cc)]
        self.a = [np.zeros(n_sets * (k + 1), np.int64) for _ in range(cc)]
        self.s = [np.zeros(n_sets * (k + 1), np.int64) for _ in range(cc)]
        self.cap = [np.full(n_sets, INF, np.int64) for _ in range(cc)]
        self.name = np.zeros(n_sets * cc, np.intp)
        for p, rows in enumerate(pieces):
            for c, (bps, lines, cap_fen, name) in enumerate(rows):
                if bps:
                    self.t[c][p] = bps[0]
                for j, bp in enumerate(bps[1:]):
                    self.bp[c][j][p] = bp
                for j, (a, s) in enumerate(lines):
                    self.a[c][p * (k + 1) + j] = a
                    self.s[c][p * (k + 1) + j] = s
                self.cap[c][p] = cap_fen
                self.name[p * cc + c] = names.setdefault(name, len(names))
        self.names = tuple(names)
        # One line above the threshold (every band open from it, as medical assistance's):
        # the line per profile set, so that a row's line is one lookup by P.
        self.one_line = k == 1
        if self.one_line:
            self.a1 = [a[1::2].copy() for a in self.a]
            self.s1 = [s[1::2].copy() for s in self.s]

    def at(self, x: I64, p: IP, arg: bool = False) -> tuple[I64, IP | None]:
        """F*(x) per row and, with ``arg``, the first candidate giving it (None: not asked,
        or there is only one).

        A candidate pays 0 up to its threshold, so it is evaluated only on the rows above it
        (an earlier candidate wins a tie, so 0 never displaces anything)."""
        n = x.shape[0]
        best = np.zeros(n, np.int64)
        which = np.zeros(n, np.intp) if arg and self.cc > 1 else None
        for c in range(self.cc):
            rows = np.flatnonzero(x > self.t[c].take(p))
            if not rows.shape[0]:
                continue
            every = rows.shape[0] == n
            xs = x if every else x.take(rows)
            ps = p if every else p.take(rows)
            if self.one_line:
                num = self.s1[c].take(ps)
                num *= xs
                num += self.a1[c].take(ps)
            else:
                piece = ps * self.k1
                piece += 1
                for bp in self.bp[c]:
                    piece += xs >= bp.take(ps)
                num = self.s[c].take(piece)
                num *= xs
                num += self.a[c].take(piece)
            f = np.minimum(self.round(num, ps), self.cap[c].take(ps))
            if c == 0:
                if every:
                    best = f
                else:
                    best[rows] = f
            elif which is not None:
                better = f > (best if every else best.take(rows))
                won = rows[better]
                best[won] = f[better]
                which[won] = c
            elif every:
                np.maximum(best, f, out=best)
            else:
                best[rows] = np.maximum(best.take(rows), f)
        return best, which

    def chosen(self, which: IP | None, p: IP) -> IP:
        """The name code (into :attr:`names`) of the candidate ``which`` gave, per row."""
        if which is None:  # the first candidate (the only one, or its name asked alone)
            return self.name.take(p if self.cc == 1 else p * self.cc)
        which += p * self.cc
        return self.name.take(which)
