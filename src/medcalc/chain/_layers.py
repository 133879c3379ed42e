"""The accumulated layers of the claims chain, in order (spec §4.3): :data:`LAYERS`.

After basic inpatient insurance, each layer pays on a base X accumulated over the calendar
year from what the layer before it left of the claim: the first (critical illness, 大病保险)
from the individual burden i = compliant - basic, the next (medical assistance, 医疗救助)
from j = i - critical illness. Each layer has candidate scales (:class:`~medcalc.chain.Scale`:
the base and the categories held, 就高不重复); a claim taking X from ``before`` to ``after``
is paid F*(after) - F*(before), at most ``after - before`` (:func:`claim_layer`).

A new layer (say 补充保险, commercial supplementary insurance after critical illness) is one
more :class:`Layer` here, in its place in the list, with its candidates and its detail; the
chain (``claim_year``) and the numpy engine (:mod:`medcalc.fast`) iterate the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs

from medcalc.chain._inputs import YearToDate
from medcalc.chain._profiles import assistance_profiles, best_index, critical_illness_profiles
from medcalc.chain._results import (
    Alternative,
    AssistanceDetail,
    ClaimResult,
    CriticalIllnessDetail,
    SegmentUse,
    YearTotals,
)
from medcalc.chain._scale import Scale
from medcalc.chain.problems import section_missing
from medcalc.money import EXACT, ZERO, Rounding, round_money
from medcalc.tariff import Tariff

sub = EXACT.subtract

Values = tuple[list[Decimal], list[Decimal]]
"""round(G(x)) and F(x) = min(round(G(x)), cap) per candidate, at one accumulated x."""


def values_at(candidates: Sequence[Scale], x: Decimal, rounding: Rounding) -> Values:
    rounded: list[Decimal] = []
    paid: list[Decimal] = []
    for scale in candidates:
        g = round_money(scale.raw(x), rounding)
        rounded.append(g)
        cap = scale.annual_cap.amount  # F = min(round(G), cap), inline: a call less per claim
        paid.append(g if cap is None or g <= cap else cap)
    return rounded, paid


V = TypeVar("V")


class Memo(Generic[V]):
    """The values last computed at the accumulated base of a claim year, reused as the next
    claim's 'before' (the previous claim's 'after') while the profiles and the base stay.
    ``key``: the candidates' owner (the profiles of one version and set of categories);
    ``at``: the base; read and written by :func:`claim_layer`."""

    __slots__ = ("at", "key", "values")

    def __init__(self) -> None:
        self.key: object = None
        self.at = ZERO
        self.values: V | None = None

    @classmethod
    def new(cls, _layer: object) -> Memo[V]:
        """A new memo (for one layer: ``map(Memo.new, LAYERS)``)."""
        return cls()


_NONE: Values = ([], [])


def alternatives(names: tuple[str, ...], values: list[Decimal]) -> tuple[Alternative, ...]:
    # One value per candidate by construction (map() has no strict=).
    return tuple(map(Alternative, names, values))


Step = tuple[Decimal, Decimal, Values, Values, int, int, Decimal]
"""One claim in one layer: the base before and after, the candidates' values (round(G), F)
at each, the candidate ``k`` chosen after, the one ``k_before`` that gave F*(before), and
what the burden limit held back (no candidates: k = -1). A plain tuple: one per claim and
layer."""

DetailOf = Callable[[Tariff, tuple[Scale, ...], tuple[str, ...], Step], Any]
"""A layer's detail of one claim, from its candidates, their names and the step."""


@attrs.frozen
class Layer:
    """One accumulated layer of the chain.

    ``id`` names its amounts: ``ClaimResult.<id>`` and ``<id>_detail``, ``YearTotals.<id>``,
    the engine's ``Columns.<id>``. ``section``: the tariff section that feeds it; ``base``:
    the :class:`~medcalc.chain.YearToDate` field of its accumulated base (which grows by what
    the previous layer left of each claim); ``base_text``: that base in a message;
    ``base_zh``: its short Chinese name (大病累计) in help and counterexamples.
    ``candidates(tariff, held)``: its candidate scales, or None when the tariff lacks the
    section and a claim cannot be computed without it; ``detail``: its result detail.
    The amounts are read through :meth:`paid_on`, :meth:`detail_on` and :meth:`base_in`, so
    no floor spells out ``getattr`` by a layer's names.
    """

    id: str
    section: str
    base: str
    base_text: str
    base_zh: str
    candidates: Callable[[Tariff, tuple[str, ...]], tuple[Scale, ...] | None]
    detail: DetailOf

    def paid_on(self, owner: ClaimResult | YearTotals) -> Decimal:
        """What this layer paid on a claim, or over a year."""
        value: Decimal = getattr(owner, self.id)
        return value

    def detail_on(self, result: ClaimResult) -> Any:
        """This layer's detail of a claim (None when the claim did not reach it)."""
        return getattr(result, f"{self.id}_detail")

    def base_in(self, state: YearToDate) -> Decimal:
        """This layer's accumulated base in a year-to-date state."""
        value: Decimal = getattr(state, self.base)
        return value


def claim_layer(
    layer: Layer,
    tariff: Tariff,
    candidates: tuple[Scale, ...] | None,
    names: tuple[str, ...],
    before: Decimal,
    after: Decimal,
    memo: Memo[Values],
    key: object,
) -> tuple[Decimal, Any]:
    """What ``layer`` pays on a claim that takes its base from ``before`` to ``after``, and
    the detail: F*(after) - F*(before), never more than the claim's part, after - before."""
    if candidates is None:
        raise section_missing(tariff, layer.section)
    if not candidates:
        return ZERO, layer.detail(
            tariff, candidates, names, (before, after, _NONE, _NONE, -1, -1, ZERO)
        )
    rounding = tariff.rounding
    # The memo, read and written inline: method calls cost on every claim and layer.
    at_before = memo.values if memo.key is key and memo.at == before else None
    if at_before is None:
        at_before = values_at(candidates, before, rounding)
    at_after = at_before if after == before else values_at(candidates, after, rounding)
    memo.key, memo.at, memo.values = key, after, at_after
    f_before, f_after = at_before[1], at_after[1]
    k, k_before = best_index(f_after), best_index(f_before)
    scale_paid = sub(f_after[k], f_before[k_before])
    # A layer never pays more than the claim's part of its base, after - before (spec §4.3:
    # min(i, ...), min(j, ...)): with half_even and a ratio of 1, G can round one accumulation
    # down and the next up.
    burden = sub(after, before)
    if scale_paid > burden:  # inline: the per-claim hot path
        payment, burden_cut = burden, sub(scale_paid, burden)
    else:
        payment, burden_cut = scale_paid, ZERO
    step = (before, after, at_before, at_after, k, k_before, burden_cut)
    detail = layer.detail(tariff, candidates, names, step)
    return payment, detail


# -- the layers -----------------------------------------------------------------------------
# Where the two differ, they really do: critical illness covers every insured person (a base
# scale, its threshold adjusted per category, several bands), so a tariff without it cannot
# compute a claim, and its detail shows the bands a claim crossed; medical assistance is only
# for eligible categories (no base scale, one band from a deductible), so a tariff without it
# pays none, and its detail shows that one ratio and deductible.


def _critical_illness_candidates(tariff: Tariff, held: tuple[str, ...]) -> tuple[Scale, ...] | None:
    section = tariff.critical_illness
    return None if section is None else critical_illness_profiles(section, held, tariff.rounding)


def _assistance_candidates(tariff: Tariff, held: tuple[str, ...]) -> tuple[Scale, ...]:
    return assistance_profiles(tariff.medical_assistance, held)


def _critical_illness_detail(
    tariff: Tariff, candidates: tuple[Scale, ...], names: tuple[str, ...], step: Step
) -> CriticalIllnessDetail:
    assert tariff.critical_illness is not None  # and so a base scale: k >= 0
    before, after, at_before, at_after, k, k_before, burden_cut = step
    rounding = tariff.rounding
    g_before, f_before = at_before
    g_after, f_after = at_after
    chosen = candidates[k]
    segments = []
    if after > before:
        for band in chosen.bands:
            lo = max(band.lower, before)
            hi = after if band.upper is None else min(band.upper, after)
            if hi <= lo:
                continue
            # Telescoping: each segment pays round(G(hi)) - round(G(lo)), so they add up exactly.
            g_lo = g_before[k] if lo == before else round_money(chosen.raw(lo), rounding)
            g_hi = g_after[k] if hi == after else round_money(chosen.raw(hi), rounding)
            segments.append(
                SegmentUse(band.lower, band.upper, lo, hi, sub(hi, lo), band.ratio, sub(g_hi, g_lo))
            )
    # The segments telescope to round(G_k(after)) - round(G_k(before)) of the chosen profile k;
    # the payment differs from that by k's cap and, when another profile paid more before, by
    # what that profile had already paid beyond k (就高: the year is paid under the best one),
    # and by the burden cut.
    cap_cut = sub(sub(g_after[k], f_after[k]), sub(g_before[k], f_before[k]))
    switch = sub(f_before[k_before], f_before[k])
    # Positional, in field order, here and for the other per-claim records: keyword arguments
    # cost about 40 ns each, on every claim.
    return CriticalIllnessDetail(
        chosen.name,  # profile
        chosen.threshold,
        tariff.critical_illness.bounds,
        chosen.ratios,
        chosen.annual_cap.amount,
        before,  # base_before
        after,  # base_after
        f_before[k_before],  # paid_before
        f_after[k],  # paid_after
        tuple(segments),
        cap_cut,  # cap_reduction
        switch,  # profile_switch
        burden_cut,  # burden_reduction
        candidates[k_before].name,  # profile_before
        alternatives(names, f_after),
    )


def _assistance_detail(
    tariff: Tariff, candidates: tuple[Scale, ...], names: tuple[str, ...], step: Step
) -> AssistanceDetail:
    before, after, at_before, at_after, k, k_before, burden_cut = step
    if k < 0:  # no eligible category
        return AssistanceDetail(None, None, None, None, before, after, ZERO, ZERO, ZERO, ())
    f_after = at_after[1]
    chosen = candidates[k]
    return AssistanceDetail(
        chosen.name,  # profile
        chosen.ratios[0],  # ratio: the one band's
        chosen.threshold,  # deductible
        chosen.annual_cap.amount,
        before,  # base_before
        after,  # base_after
        at_before[1][k_before],  # paid_before
        f_after[k],  # paid_after
        burden_cut,  # burden_reduction
        alternatives(names, f_after),
    )


LAYERS: tuple[Layer, ...] = (
    Layer(
        "critical_illness",
        "critical_illness",
        "critical_illness_base",
        "the critical-illness base",
        "大病累计",
        _critical_illness_candidates,
        _critical_illness_detail,
    ),
    Layer(
        "assistance",
        "medical_assistance",
        "assistance_base",
        "the assistance base",
        "救助累计",
        _assistance_candidates,
        _assistance_detail,
    ),
)
"""The accumulated layers in the order a claim passes them."""
