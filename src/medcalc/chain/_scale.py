"""One accumulated, capped, piecewise scale (spec §4.3): the shape every accumulated layer has.

Critical illness (大病保险) and medical assistance (医疗救助) both pay on a base X accumulated
over the calendar year: nothing up to a threshold (起付线), then each segment's ratio of the
part of X inside it, G(x) = sum over bands of max(0, min(x, upper) - lower) x ratio, and
F(x) = min(round(G(x)), annual cap). A claim that takes X from ``before`` to ``after`` is paid
F*(after) - F*(before) (F*: the most favourable candidate's F, 就高不重复), at most the claim's
part of the base, after - before. Assistance is the one-band case: its deductible is the
threshold and its ratio the one band's, open above.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

import attrs

from medcalc.money import EXACT, ZERO, Rounding, round_money
from medcalc.tariff import Cap


def capped(value: Decimal, cap: Cap) -> Decimal:
    return value if cap.amount is None else min(value, cap.amount)


@attrs.frozen
class Band:
    """One segment as used: from ``lower`` to ``upper`` (None: open) at ``ratio``."""

    lower: Decimal
    upper: Decimal | None
    ratio: Decimal


@attrs.frozen
class Scale:
    """A candidate of an accumulated layer: threshold, bands (from the threshold up), cap.

    ``reached`` holds G at each band's lower bound, so G(x) needs one product; ``uppers``
    holds the closed bands' upper bounds, so the band of x is one bisection. Both are derived
    from ``bands`` (as are ``ratios`` and ``top``), never given.
    """

    name: str
    threshold: Decimal
    bands: tuple[Band, ...]
    annual_cap: Cap
    reached: tuple[Decimal, ...] = attrs.field(init=False)
    ratios: tuple[Decimal, ...] = attrs.field(init=False)
    uppers: tuple[Decimal, ...] = attrs.field(init=False)
    top: Decimal = attrs.field(init=False)
    """G at the upper bound of a closed last band (every band closed), else unused (0)."""

    @classmethod
    def flat(cls, name: str, deductible: Decimal, ratio: Decimal, annual_cap: Cap) -> Scale:
        """The one-band scale ``max(0, x - deductible) x ratio`` (medical assistance)."""
        return cls(name, deductible, (Band(deductible, None, ratio),), annual_cap)

    @reached.default
    def _reached(self) -> tuple[Decimal, ...]:
        out, total = [], ZERO
        for band in self.bands:
            out.append(total)
            if band.upper is not None:
                width = EXACT.subtract(band.upper, band.lower)
                total = EXACT.add(total, EXACT.multiply(width, band.ratio))
        return tuple(out)

    @ratios.default
    def _ratios(self) -> tuple[Decimal, ...]:
        return tuple(b.ratio for b in self.bands)

    @uppers.default
    def _uppers(self) -> tuple[Decimal, ...]:
        out = []
        for band in self.bands:
            if band.upper is None:
                break
            out.append(band.upper)
        return tuple(out)

    @top.default
    def _top_value(self) -> Decimal:
        if not self.bands or self.bands[-1].upper is None:
            return ZERO
        return _top(self.bands[-1], self.reached[-1])

    def raw(self, x: Decimal) -> Decimal:
        """G(x) = sum over bands of max(0, min(x, upper) - lower) x ratio, exact, unrounded."""
        # The first band whose upper bound is at least x, or the open band, holds x (with no
        # closed band, as medical assistance's one band, the first).
        uppers = self.uppers
        i = bisect_left(uppers, x) if uppers else 0
        bands = self.bands
        if i == len(bands):  # beyond a closed last band (or no bands)
            return self.top
        band = bands[i]
        if x <= band.lower:
            return self.reached[i]
        # (x - lower) x ratio, not x x ratio + a precomputed intercept: one product either
        # way, and this one is the shorter when a ratio has very many decimals.
        return EXACT.add(self.reached[i], EXACT.multiply(EXACT.subtract(x, band.lower), band.ratio))

    def pays(self, x: Decimal, rounding: Rounding) -> Decimal:
        """F(x) = min(round(G(x)), cap)."""
        return capped(round_money(self.raw(x), rounding), self.annual_cap)


def _top(band: Band, reached: Decimal) -> Decimal:
    """G at the upper bound of a closed last band (a scale whose bands all close)."""
    assert band.upper is not None
    return EXACT.add(reached, EXACT.multiply(EXACT.subtract(band.upper, band.lower), band.ratio))
