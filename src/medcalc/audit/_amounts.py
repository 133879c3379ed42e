"""Invariants of the amounts: more cost never less benefit, bounds and caps, 不设封顶 keeps
paying, and whole fen with one rounding a year — the last checked against the oracle's
min(i, F*(X_after) − F*(X_before)) and min(j, A*(Y_after) − A*(Y_before)) (spec §4.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from medcalc.audit import _oracle as oracle
from medcalc.audit._cases import HUGE, ClaimsCase, single_version, window_cases
from medcalc.audit._facts import (
    Counterexample,
    Fact,
    amounts_text,
    base_name,
    benefit,
    chain_sum_text,
    claim_text,
    fail,
    join,
    layer_adjective,
    layer_amounts,
    layer_name,
    layers_text,
    numbered,
    paid,
    paid_by_layer,
    person_text,
    same,
    sum_of,
)
from medcalc.audit._target import AuditTarget
from medcalc.audit.strategies import amounts
from medcalc.chain import LAYERS, Claim, ClaimResult, Layer, Person, YearToDate, YearTotals
from medcalc.money import MAX_AMOUNT, ZERO, add, fmt, is_whole_fen, mul, sub
from medcalc.tariff import Key, Tariff, Text, section

# -- monotonicity -----------------------------------------------------------------------------


@attrs.frozen
class MoreCostCase:
    """More compliant cost in one year under one version: claim ``index`` raised by ``delta``,
    or (``index`` None) the claim ``added`` added."""

    case: ClaimsCase
    index: int | None
    delta: Decimal
    added: Claim | None

    def facts(self) -> list[Fact]:
        if self.index is None:
            assert self.added is not None
            added = claim_text(self.added)
            change = Text(f"多一次结算：{added.zh}", f"one more claim: {added.en}")
        else:
            n, d = self.index + 1, fmt(self.delta)
            change = Text(f"第 {n} 次结算政策范围内费用 + {d}", f"claim #{n}: compliant cost + {d}")
        return [*self.case.facts(), ("change", change)]


def more_cost_cases(target: AuditTarget) -> st.SearchStrategy[MoreCostCase]:
    @st.composite
    def case(draw: st.DrawFn) -> MoreCostCase:
        year, version, base = draw(window_cases(target, max_size=4))
        if draw(st.booleans()):
            index = draw(st.integers(0, len(base.claims) - 1))
            delta = draw(amounts(min_value=Decimal("0.01"), max_value=Decimal("300000.00")))
            return MoreCostCase(base, index, delta, None)
        added = draw(target.claim_years(year, version=version, max_size=1))[0]
        return MoreCostCase(base, None, ZERO, added)

    return case()


def _raised(claim: Claim, delta: Decimal) -> Claim:
    total = None if claim.total is None else add(claim.total, delta)
    return attrs.evolve(claim, compliant=add(claim.compliant, delta), total=total)


def check_more_cost(target: AuditTarget, case: MoreCostCase) -> Counterexample | None:
    person, claims = case.case.person, list(case.case.claims)
    if case.index is None:
        assert case.added is not None
        more = [*claims, case.added]
    else:
        more = [
            *claims[: case.index],
            _raised(claims[case.index], case.delta),
            *claims[case.index + 1 :],
        ]
    before = benefit(target.run(person, claims).claims)
    after = benefit(target.run(person, more).claims)
    if after >= before:
        return None
    total = chain_sum_text()
    return fail(
        f"政策范围内费用增加后，年度待遇合计（{total.zh}）反而减少",
        f"more compliant cost lowered the year's total benefit ({total.en})",
        *case.facts(),
        ("expected", Text(f"不少于 {fmt(before)}", f"at least {fmt(before)}")),
        ("found", fmt(after)),
    )


# -- bounds -------------------------------------------------------------------------------------


def check_bounds(target: AuditTarget, case: ClaimsCase) -> Counterexample | None:
    result = target.run(case.person, case.claims)
    for r in result.claims:
        problem = _claim_out_of_bounds(target, case.person, r)
        if problem is not None:
            return fail(
                *problem,
                *case.facts(),
                ("claim", numbered(r.index, r.claim)),
                ("found", amounts_text(r)),
            )
    for totals in result.years:
        found = _year_above_cap(target, case, totals)
        if found is not None:
            return found
    return None


def _claim_out_of_bounds(
    target: AuditTarget, person: Person, r: ClaimResult
) -> tuple[str, str] | None:
    """What is wrong with one claim's payments (zh, en): a negative payment, more than the
    compliant cost, out of pocket outside its range, or a layer above the largest cap of the
    candidates (basic: less what was paid before; assistance: 0 without an eligible category)."""
    claim = r.claim
    if min(r.basic, *paid_by_layer(r), r.out_of_pocket) < 0:
        return ("有一项支付为负数", "a payment is negative")
    if paid(r) > claim.compliant:
        total = chain_sum_text()
        return (f"{total.zh}超过政策范围内费用", f"{total.en} is above the compliant cost")
    if r.out_of_pocket < sub(claim.bill, claim.compliant) or r.out_of_pocket > claim.bill:
        return (
            "个人自付不在[总费用−政策范围内费用, 总费用]之内",
            "out of pocket is not between total - compliant and total",
        )
    if not r.covered:
        return None
    version = target.version_on(claim.date)
    caps = oracle.ceilings(version, oracle.held(version, person))
    if (
        claim.basic_paid is None
        and caps.basic is not None
        and r.basic > max(ZERO, sub(caps.basic, r.before.basic_paid))
    ):
        return ("基本医保超过年度封顶线", "basic insurance went above its annual cap")
    for layer in LAYERS:
        cap: Decimal | None = getattr(caps, layer.id)
        if cap is not None and layer.paid_on(r) > cap:
            name = layer_name(layer)
            return (f"{name.zh}超过年度封顶线", f"{name.en} went above its annual cap")
    return None


def _year_above_cap(
    target: AuditTarget, case: ClaimsCase, totals: YearTotals
) -> Counterexample | None:
    """Within one version, from the start of the year, each layer's year total stays within
    the largest cap of the candidates."""
    only = single_version(target, [c for c in case.claims if c.date.year == totals.year])
    if only is None or totals.start != YearToDate():
        return None
    caps = oracle.ceilings(only, oracle.held(only, case.person))
    for layer in LAYERS:
        cap: Decimal | None = getattr(caps, layer.id)
        total: Decimal = layer.paid_on(totals)
        if cap is not None and total > cap:
            year = totals.year
            return fail(
                "年度合计超过封顶线",
                f"the year's {layer_name(layer).en} total is above the largest annual cap",
                *case.facts(),
                (
                    "expected",
                    Text(f"{year} 年：不超过 {fmt(cap)}", f"year {year}: at most {fmt(cap)}"),
                ),
                ("found", Text(f"{year} 年：{fmt(total)}", f"year {year}: {fmt(total)}")),
            )
    return None


# -- uncapped profiles keep paying (不设封顶) ------------------------------------------------


@attrs.frozen
class UncappedCase:
    """A person, a version, and an extra cost ``delta`` far above every capped profile."""

    person: Person
    version: str
    delta: Decimal

    def facts(self) -> list[Fact]:
        return [
            ("person", person_text(self.person)),
            ("tariff", same(self.version)),
            ("cost", same(fmt(self.delta))),
        ]


def uncapped_cases(target: AuditTarget) -> st.SearchStrategy[UncappedCase]:
    @st.composite
    def case(draw: st.DrawFn) -> UncappedCase:
        version = draw(st.sampled_from(target.claim_versions))
        person = draw(target.persons(enrolled=False))
        delta = draw(amounts(min_value=Decimal("2.00"), max_value=Decimal("100000.00")))
        return UncappedCase(person, version.version, delta)

    return case()


def _far(base: Decimal, above: Fraction, ratio: Decimal) -> Decimal:
    """A cost at which a scale starting at ``base`` with ``ratio`` has paid more than ``above``."""
    return min(sub(MAX_AMOUNT, HUGE), add(base, oracle.fen_up((above + 1) / Fraction(ratio))))


def check_uncapped(target: AuditTarget, case: UncappedCase) -> Counterexample | None:
    version = target.book.get(target.series, case.version)
    cats = oracle.held(version, case.person)
    person = attrs.evolve(case.person, enrolled_on=None)
    for position, layer in enumerate(LAYERS):
        found = _far_above(position, case, version, cats)
        if found is None:
            continue
        ytd, claim = found
        r = target.calc.claims(target.series, person, [claim], year_to_date=ytd).claims[0]
        if layer.paid_on(r) > 0:
            continue
        base, value = base_name(layer), fmt(layer.base_in(ytd))
        return fail(
            *_stopped(layer),
            *case.facts(),
            ("year_to_date", Text(f"{base.zh} {value}", f"{base.en} {value}")),
            ("claim", claim_text(claim)),
            ("found", amounts_text(r)),
        )
    return None


def _is_banded(layer: Layer) -> bool:
    """A layer shaped like critical illness (a base scale, profiles, bands), not like
    assistance (eligible rules of one band from a deductible)."""
    return section(layer.section).shape == Key.CRITICAL_ILLNESS


def _stopped(layer: Layer) -> tuple[str, str]:
    """The message (zh, en) when an uncapped layer stops paying: a banded layer's profile, an
    assistance-shaped layer's rule."""
    label, adjective = section(layer.section).label.zh, layer_adjective(layer)
    if _is_banded(layer):
        return (
            f"不设封顶的{label}待遇在高额累计费用之上不再支付",
            f"an uncapped {adjective} profile stopped paying above a high accumulated cost",
        )
    return (
        f"不设封顶的{label}在高额累计费用之上不再支付",
        f"an uncapped {adjective} rule stopped paying above a high accumulated cost",
    )


OneMore = tuple[YearToDate, Claim] | None
"""Accumulators far above a layer's capped candidates, and a claim on top that the layer
must still pay something; None when the layer has no uncapped candidate."""


def _uncapped_claim(version: Tariff, compliant: Decimal) -> Claim:
    """A claim of ``compliant`` on the version's first day, its basic payment given as 0."""
    level = version.inpatient.levels[0].id if version.inpatient is not None else None
    return Claim(version.effective_from, compliant, level, None, ZERO)


def _scales(layer: Layer, version: Tariff, cats: Sequence[str]) -> list[oracle.Scale]:
    """The oracle's candidate scales of a banded layer (the oracle reads one section each)."""
    assert layer.section == Key.CRITICAL_ILLNESS, layer.section
    return oracle.critical_illness_scales(version, cats)


def _rules(layer: Layer, version: Tariff, cats: Sequence[str]) -> list[oracle.AidRule]:
    """The oracle's eligible rules of an assistance-shaped layer."""
    assert layer.section == Key.MEDICAL_ASSISTANCE, layer.section
    return oracle.assistance_rules(version, cats)


def _far_above(
    position: int, case: UncappedCase, version: Tariff, cats: tuple[str, ...]
) -> OneMore:
    layer = LAYERS[position]
    if _is_banded(layer):
        return _far_above_scales(layer, case, version, cats)
    return _far_above_rules(position, case, version, cats)


def _far_above_scales(
    layer: Layer, case: UncappedCase, version: Tariff, cats: tuple[str, ...]
) -> OneMore:
    """A base past every capped scale's ceiling, and a claim big enough for an uncapped scale
    to pay a fen or two on top."""
    scales = _scales(layer, version, cats)
    open_ = [s for s in scales if s.cap is None and s.top_ratio > 0]
    if not open_:
        return None
    ceiling = max(
        (
            Fraction(s.cap) if s.cap is not None else s.g(s.top_from)
            for s in scales
            if s not in open_
        ),
        default=Fraction(0),
    )
    first = open_[0]
    x = max([s.top_from for s in open_] + [_far(first.top_from, ceiling, first.top_ratio)])
    lowest = min(Fraction(s.top_ratio) for s in open_)
    step = max(case.delta, oracle.fen_up(Fraction(2, 100) / lowest))
    return YearToDate(**{layer.base: x}), _uncapped_claim(version, step)


def _far_above_rules(
    position: int, case: UncappedCase, version: Tariff, cats: tuple[str, ...]
) -> OneMore:
    """A base past every capped rule's ceiling, and the case's claim on top (when what the
    layers before leave of it is enough for a fen or two)."""
    layer = LAYERS[position]
    aid = _rules(layer, version, cats)
    open_aid = [a for a in aid if a.cap is None and a.ratio > 0]
    if not open_aid:
        return None
    before = oracle.reference_layers(version, cats, [case.delta])[0][:position]
    j = sub(case.delta, sum_of(before))  # what the layers before leave of the claim
    if mul(j, min(a.ratio for a in open_aid)) < Decimal("0.02"):
        return None
    ceiling = max((a.cap for a in aid if a.cap is not None), default=ZERO)
    top = max(open_aid, key=lambda a: a.ratio)
    y = max([a.deductible for a in open_aid] + [_far(top.deductible, Fraction(ceiling), top.ratio)])
    return YearToDate(**{layer.base: y}), _uncapped_claim(version, case.delta)


def _is_open(layer: Layer, version: Tariff, cats: Sequence[str]) -> bool:
    """The layer has a candidate without a cap that keeps paying."""
    if _is_banded(layer):
        return any(s.cap is None and s.top_ratio > 0 for s in _scales(layer, version, cats))
    return any(a.cap is None and a.ratio > 0 for a in _rules(layer, version, cats))


def uncapped_applies(target: AuditTarget) -> Text | None:
    cats = target.common_categories()
    for v in target.claim_versions:
        if any(_is_open(layer, v, cats) for layer in LAYERS):
            return None
    return Text("没有不设封顶的待遇", "no profile without a cap")


def check_rounding(target: AuditTarget, case: ClaimsCase) -> Counterexample | None:
    result = target.run(case.person, case.claims)
    found: Found = None
    for r in result.claims:
        found = found or _not_whole_fen(r) or _burdens_not_derived(r)
    for totals in result.years:
        in_year = [r for r in result.claims if r.claim.date.year == totals.year]
        found = found or _not_summed(totals, in_year)
        found = found or _not_the_reference_step(target, case.person, totals, in_year)
    return None if found is None else fail(found[0], found[1], *case.facts(), *found[2])


Found = tuple[str, str, list[tuple[str, Text | str]]] | None
"""What broke (zh, en) and the facts that show it, or None."""


def _not_whole_fen(r: ClaimResult) -> Found:
    """Every amount of a claim is a whole fen."""
    values = {
        "basic": r.basic,
        **{layer.id: layer.paid_on(r) for layer in LAYERS},
        "out_of_pocket": r.out_of_pocket,
        "individual_burden": r.individual_burden,
        "remaining": r.remaining,
    }
    for name, value in values.items():
        if not is_whole_fen(value):
            return (
                "金额不是整分",
                f"{name} is not a whole fen",
                [("found", same(f"#{r.index + 1}: {name} = {value}"))],
            )
    return None


def _burdens_not_derived(r: ClaimResult) -> Found:
    """i = compliant − basic and j = i − the layers before the last (what they leave it),
    exactly, for a covered claim."""
    before_last = LAYERS[:-1]
    if not r.covered or (
        r.individual_burden == sub(r.claim.compliant, r.basic)
        and r.remaining
        == sub(r.individual_burden, sum_of(layer.paid_on(r) for layer in before_last))
    ):
        return None
    taken = layers_text(before_last, " - ", " - ").en
    return (
        "个人负担或剩余费用的算式不符",
        f"i = compliant - basic or j = i - {taken} does not hold",
        [("found", same(f"#{r.index + 1}: i = {r.individual_burden}, j = {r.remaining}"))],
    )


def _not_summed(totals: YearTotals, rs: list[ClaimResult]) -> Found:
    """The year's claims add up to its totals exactly."""
    sums = {
        "total": sum_of(r.claim.bill for r in rs),
        "compliant": sum_of(r.claim.compliant for r in rs),
        "basic": sum_of(r.basic for r in rs),
        **{layer.id: sum_of(layer.paid_on(r) for r in rs) for layer in LAYERS},
        "out_of_pocket": sum_of(r.out_of_pocket for r in rs),
    }
    year = totals.year
    for name, value in sums.items():
        shown = getattr(totals, name)
        if shown != value:
            return (
                "各次结算之和与年度合计不符",
                f"the claims' {name} do not add up to the year's total",
                [
                    (
                        "expected",
                        Text(
                            f"{year} 年：{name} {fmt(value)}", f"year {year}: {name} {fmt(value)}"
                        ),
                    ),
                    (
                        "found",
                        Text(
                            f"{year} 年：{name} {fmt(shown)}", f"year {year}: {name} {fmt(shown)}"
                        ),
                    ),
                ],
            )
    return None


def _not_the_reference_step(
    target: AuditTarget, person: Person, totals: YearTotals, rs: list[ClaimResult]
) -> Found:
    """Under one version, from the start of the year, each covered claim pays in each layer
    what the oracle says: min(i, F*(X_after) − F*(X_before)), ..., min(j, A*(Y_after) −
    A*(Y_before))."""
    version = single_version(target, [r.claim for r in rs])
    if version is None or totals.start != YearToDate():
        return None
    covered = sorted((r for r in rs if r.covered), key=lambda r: (r.claim.date, r.index))
    cats = oracle.held(version, person)
    want = oracle.reference_layers(version, cats, [r.individual_burden for r in covered])
    for r, wanted in zip(covered, want, strict=True):
        if paid_by_layer(r) == tuple(wanted):
            continue
        x = sum_of(c.individual_burden for c in covered)
        f_x = fmt(oracle.reference_critical_illness(version, cats, x))
        year = totals.year
        names = layers_text(LAYERS, "/", " / ")
        expected = join(layer_amounts(wanted), "，", ", ")
        found = join(layer_amounts(paid_by_layer(r)), "，", ", ")
        return (
            f"{names.zh}不等于按年度累计额计算的本次增量（以本次负担为限）："
            "min(i, F*(X后) − F*(X前))、min(j, A*(Y后) − A*(Y前))",
            f"{names.en} is not the step of the year's accumulated "
            "scale, at most what the claim adds: min(i, F*(X_after) - F*(X_before)), "
            "min(j, A*(Y_after) - A*(Y_before))",
            [
                ("claim", numbered(r.index, r.claim)),
                (
                    "expected",
                    Text(
                        f"{expected.zh}（{year} 年累计 F*({fmt(x)}) = {f_x}）",
                        f"{expected.en} (year {year}: F*({fmt(x)}) = {f_x})",
                    ),
                ),
                ("found", found),
            ],
        )
    return None
