"""Invariants of the year's accumulation: how claims are split, ordered, continued from the
year-to-date accumulators, and which version each is computed under (spec §4.3, §4.4).

Each compares two runs of the audited calculator on the same bills, so none needs the oracle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from medcalc.audit._cases import ClaimsCase, single_version, year_cases
from medcalc.audit._facts import (
    Counterexample,
    Fact,
    amounts_of,
    amounts_text,
    fail,
    layer_adjective,
    layers_text,
    numbered,
    same,
    sum_of,
    year_amounts,
    ytd_text,
    ytd_values,
)
from medcalc.audit._target import AuditTarget
from medcalc.audit.strategies import window
from medcalc.chain import LAYERS, Claim, ClaimsResult, Layer, YearToDate, YearTotals
from medcalc.money import EXACT, ZERO, add, fmt, mul, sub
from medcalc.tariff import Tariff, TariffBook, Text

# -- split invariance -------------------------------------------------------------------------


@attrs.frozen
class SplitCase:
    """Claim ``index`` of ``case`` (with basic_paid) split into parts (compliant, basic_paid),
    dated ``offsets`` days later (used only where order cannot matter)."""

    case: ClaimsCase
    index: int
    parts: tuple[tuple[Decimal, Decimal], ...]
    offsets: tuple[int, ...]

    def facts(self) -> list[Fact]:
        zh = "；".join(f"政策范围内 {fmt(c)} 已结算基本医保 {fmt(b)}" for c, b in self.parts)
        en = "; ".join(f"compliant {fmt(c)} basic_paid {fmt(b)}" for c, b in self.parts)
        n = self.index + 1
        return [*self.case.facts(), ("parts", Text(f"第 {n} 次结算 → {zh}", f"claim #{n} -> {en}"))]


def _cuts(draw: st.DrawFn, total: Decimal, count: int) -> list[Decimal]:
    """``count`` amounts adding up to ``total`` exactly."""
    fen = int(total.scaleb(2, context=EXACT))
    points = sorted(draw(st.lists(st.integers(0, fen), min_size=count - 1, max_size=count - 1)))
    edges = [0, *points, fen]
    return [Decimal(edges[k + 1] - edges[k]).scaleb(-2, context=EXACT) for k in range(count)]


def split_cases(target: AuditTarget) -> st.SearchStrategy[SplitCase]:
    @st.composite
    def case(draw: st.DrawFn) -> SplitCase:
        year = draw(st.sampled_from(target.years))
        person = draw(target.persons(year))
        others = draw(target.claim_years(year, min_size=0, max_size=4))
        one = draw(target.claim_years(year, max_size=1, basic_paid=True))[0]
        index = draw(st.integers(0, len(others)))
        claims = (*others[:index], one, *others[index:])
        count = draw(st.integers(2, 4))
        assert one.basic_paid is not None
        burdens = _cuts(draw, sub(one.compliant, one.basic_paid), count)
        basics = _cuts(draw, one.basic_paid, count)
        parts = tuple((add(i, b), b) for i, b in zip(burdens, basics, strict=True))
        offsets = tuple(draw(st.lists(st.integers(0, 90), min_size=count, max_size=count)))
        return SplitCase(ClaimsCase(person, claims), index, parts, offsets)

    return case()


def check_split(target: AuditTarget, case: SplitCase) -> Counterexample | None:
    person, claims = case.case.person, list(case.case.claims)
    whole = target.run(person, claims)
    original = claims[case.index]
    year = original.date.year
    version = target.version_on(original.date)
    same_year = [c for c in claims if c.date.year == year]
    # Moving parts to later days cannot change the year's totals only when no basic payment
    # depends on the order (all given), one version covers the year's claims, and the claim is
    # covered (a later day under the same version is then covered too).
    spread = (
        all(c.basic_paid is not None for c in same_year)
        and single_version(target, same_year) is version
        and whole.claims[case.index].covered
    )
    days = window(version, year)
    assert days is not None
    parts = []
    for k, (compliant, basic_paid) in enumerate(case.parts):
        day = original.date
        if spread:
            day = min(original.date + dt.timedelta(days=case.offsets[k]), days[1])
        last = k == len(case.parts) - 1
        total = None
        if original.total is not None:
            total = (
                compliant if not last else add(compliant, sub(original.total, original.compliant))
            )
        parts.append(Claim(day, compliant, original.hospital_level, total, basic_paid))
    split = target.run(person, [*claims[: case.index], *parts, *claims[case.index + 1 :]])
    before = next(t for t in whole.years if t.year == year)
    after = next(t for t in split.years if t.year == year)
    got = (after.basic, _by_layer(after))
    want = (before.basic, _by_layer(before))
    if got == want or _split_moves_only_held_fen(whole, split, year):
        return None
    names = layers_text(LAYERS, "或", " or ").zh
    adjectives = " or ".join(map(layer_adjective, LAYERS))
    return fail(
        f"拆分一次住院的个人负担后，年度{names}合计改变",
        "splitting one stay's individual burden into several claims changed the year's "
        f"{adjectives} total",
        *case.facts(),
        ("expected", year_amounts(year, *want)),
        ("found", year_amounts(year, *got)),
    )


def _by_layer(totals: YearTotals) -> tuple[Decimal, ...]:
    """A year's total of each layer, in :data:`~medcalc.chain.LAYERS` order."""
    return tuple(layer.paid_on(totals) for layer in LAYERS)


def _held_back(result: ClaimsResult, year: int, layer: Layer) -> Decimal:
    """What ``layer`` did not pay of the year's claims because a layer never pays more than
    the claim's burden (spec §4.3; a fen at a time, with half_even and a ratio of 1)."""
    details = (layer.detail_on(r) for r in result.claims if r.claim.date.year == year)
    return sum_of(d.burden_reduction for d in details if d is not None)


def _within(moved: Decimal, more: Decimal) -> bool:
    """``moved`` is between 0 and ``more``, in its direction."""
    return ZERO <= moved <= more if more > 0 else more <= moved <= ZERO


def _split_moves_only_held_fen(whole: ClaimsResult, split: ClaimsResult, year: int) -> bool:
    """Splitting changes the year only by fen that min(i, F* step) held back (spec §4.3): each
    layer but the last, with them added back, moves at most by how much larger its base is
    (0 for the first: the same), in its direction; what it held back and did not pay stays
    in the next layer's base; the last layer moves at most by how much larger its base is.
    Some layer must have held back a different amount."""
    a = next(t for t in whole.years if t.year == year)
    b = next(t for t in split.years if t.year == year)
    if a.basic != b.basic:
        return False
    more = ZERO  # how much larger the split's base of the layer is
    changed = False
    for layer in LAYERS[:-1]:
        held_a, held_b = _held_back(whole, year, layer), _held_back(split, year, layer)
        changed = changed or held_a != held_b
        moved = sub(add(layer.paid_on(b), held_b), add(layer.paid_on(a), held_a))
        if not _within(moved, more):
            return False
        more = add(sub(more, moved), sub(held_b, held_a))
    last = LAYERS[-1].id
    return changed and _within(sub(getattr(b, last), getattr(a, last)), more)


@attrs.frozen
class OrderCase:
    """Claims given again in the order ``order`` (same-day claims keep their relative order)."""

    case: ClaimsCase
    order: tuple[int, ...]

    def facts(self) -> list[Fact]:
        order = ", ".join(f"#{i + 1}" for i in self.order)
        return [*self.case.facts(), ("order", same(order))]


def order_cases(target: AuditTarget) -> st.SearchStrategy[OrderCase]:
    @st.composite
    def case(draw: st.DrawFn) -> OrderCase:
        base = draw(year_cases(target, min_size=2, max_size=6, years=2))
        shuffled = list(draw(st.permutations(range(len(base.claims)))))
        # Same-day claims are taken in input order: give them back their relative order.
        by_day: dict[dt.date, list[int]] = {}
        for i, claim in enumerate(base.claims):
            by_day.setdefault(claim.date, []).append(i)
        seen: dict[dt.date, int] = {}
        order = []
        for i in shuffled:
            day = base.claims[i].date
            order.append(by_day[day][seen.get(day, 0)])
            seen[day] = seen.get(day, 0) + 1
        return OrderCase(base, tuple(order))

    return case()


def check_order(target: AuditTarget, case: OrderCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    first = target.run(person, claims)
    again = target.run(person, [claims[i] for i in case.order])
    changed = _first_changed(claims, first, again, case.order)
    if changed is None:
        return None
    return fail(
        "改变住院结算的输入顺序后，某次结算的金额改变",
        "giving the claims in another input order changed a claim's amounts",
        *case.facts(),
        *changed,
    )


def _first_changed(
    claims: Sequence[Claim], expected: ClaimsResult, found: ClaimsResult, indices: Sequence[int]
) -> list[Fact] | None:
    """The facts of the first claim whose amounts differ: ``found.claims[k]`` is the result of
    ``claims[indices[k]]``, computed in ``expected`` as ``expected.claims[indices[k]]``."""
    for position, i in enumerate(indices):
        a, b = expected.claims[i], found.claims[position]
        if amounts_of(a) != amounts_of(b):
            return [
                ("claim", numbered(i, claims[i])),
                ("expected", amounts_text(a)),
                ("found", amounts_text(b)),
            ]
    return None


@attrs.frozen
class YearToDateCase:
    """The first ``first`` claims (in date order) computed alone, the rest from their
    accumulators."""

    case: ClaimsCase
    first: int

    def facts(self) -> list[Fact]:
        return [
            *self.case.facts(),
            (
                "year_to_date",
                Text(
                    f"按日期顺序的前 {self.first} 次结算之后",
                    f"after the first {self.first} claim(s) in date order",
                ),
            ),
        ]


def ytd_cases(target: AuditTarget) -> st.SearchStrategy[YearToDateCase]:
    @st.composite
    def case(draw: st.DrawFn) -> YearToDateCase:
        base = draw(year_cases(target, min_size=2, max_size=6))
        return YearToDateCase(base, draw(st.integers(1, len(base.claims) - 1)))

    return case()


def check_ytd(target: AuditTarget, case: YearToDateCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    whole = target.run(person, claims)
    order = sorted(range(len(claims)), key=lambda i: (claims[i].date, i))
    first, rest = sorted(order[: case.first]), sorted(order[case.first :])
    end = target.run(person, [claims[i] for i in first]).years[0].end
    # As a user would give them (validated: 2 decimals, not negative).
    ytd = YearToDate(**ytd_values(end))
    alone = target.run(person, [claims[i] for i in rest], ytd)
    changed = _first_changed(claims, whole, alone, rest)
    if changed is None:
        return None
    return fail(
        "从年度累计值计算的结算金额与连同此前结算一起计算的不同",
        "a claim computed from the year-to-date accumulators differs from computing it "
        "together with the earlier claims",
        *case.facts(),
        ("year_to_date", ytd_text(ytd)),
        *changed,
    )


@attrs.frozen
class LocalityCase:
    """Claims across versions; versions starting on or after ``cut`` are changed."""

    case: ClaimsCase
    cut: dt.date | None

    def facts(self) -> list[Fact]:
        if self.cut is None:
            change = Text("无", "none")
        else:
            day = self.cut.isoformat()
            change = Text(
                f"自 {day} 起的版本改动，并在最后一个版本之后增加一个版本",
                f"versions from {day} changed, one added after the last",
            )
        return [*self.case.facts(), ("change", change)]


def locality_cases(target: AuditTarget) -> st.SearchStrategy[LocalityCase]:
    cuts = [v.effective_from for v in target.versions[1:]]

    @st.composite
    def case(draw: st.DrawFn) -> LocalityCase:
        base = draw(year_cases(target, min_size=1, max_size=6, years=2))
        cut = draw(st.sampled_from(cuts)) if cuts else None
        return LocalityCase(base, cut)

    return case()


def _changed(t: Tariff, name: str) -> Tariff:
    """Another version for the same period: every ratio halved, thresholds raised."""

    def half(r: Decimal) -> Decimal:
        return mul(r, Decimal("0.5"))

    out = attrs.evolve(t, version=name, sha256="changed-" + t.sha256[:8])
    if t.inpatient is not None:
        levels = tuple(
            attrs.evolve(lv, ratio=half(lv.ratio), deductible=add(lv.deductible, Decimal("100.00")))
            for lv in t.inpatient.levels
        )
        out = attrs.evolve(out, inpatient=attrs.evolve(t.inpatient, levels=levels))
    if t.critical_illness is not None:
        ci = t.critical_illness
        segments = tuple(attrs.evolve(s, ratio=half(s.ratio)) for s in ci.segments)
        out = attrs.evolve(
            out, critical_illness=attrs.evolve(ci, segments=segments, adjustments=())
        )
    if t.medical_assistance is not None:
        eligible = tuple(
            attrs.evolve(r, ratio=half(r.ratio)) for r in t.medical_assistance.eligible
        )
        out = attrs.evolve(
            out, medical_assistance=attrs.evolve(t.medical_assistance, eligible=eligible)
        )
    return out


def check_locality(target: AuditTarget, case: LocalityCase) -> Counterexample | None:
    person, claims = case.case.person, case.case.claims
    whole = target.run(person, claims)
    # A claim depends only on the version in force on its date and the accumulators before it.
    for r in whole.claims:
        alone = (
            target.alone(r.tariff.version)
            .claims(target.series, person, [r.claim], year_to_date=r.before)
            .claims[0]
        )
        if amounts_of(alone) != amounts_of(r):
            return fail(
                "某次结算的金额不只取决于其日期适用的版本和此前的累计",
                "a claim's amounts depend on more than the version in force on its date and the "
                "accumulators before it",
                *case.facts(),
                ("claim", numbered(r.index, r.claim)),
                ("tariff", same(r.tariff.version)),
                ("year_to_date", ytd_text(r.before)),
                ("expected", amounts_text(r)),
                (
                    "found",
                    Text(
                        f"{amounts_text(alone).zh}（只载入版本 {r.tariff.version}）",
                        f"{amounts_text(alone).en} (with only version {r.tariff.version} loaded)",
                    ),
                ),
            )
    # Changing later versions, or adding one for a later period, leaves earlier claims alone.
    cut = case.cut
    if cut is None:
        return None
    versions = [
        v if v.effective_from < cut else _changed(v, v.version + "-changed")
        for v in target.versions
    ]
    last = target.versions[-1]
    if last.effective_to is not None and last.effective_to < dt.date(9999, 1, 1):
        start = last.effective_to + dt.timedelta(days=1)
        versions.append(
            attrs.evolve(_changed(last, "added-later"), effective_from=start, effective_to=None)
        )
    others = [t for t in target.book if t.series != target.series]
    calc = target.calculator(TariffBook.of([*others, *versions]))
    early = [c for c in claims if c.date < cut]
    changed = calc.claims(target.series, person, early)
    early_results = [r for r in whole.claims if r.claim.date < cut]
    for a, b in zip(early_results, changed.claims, strict=True):
        if amounts_of(a) != amounts_of(b):
            return fail(
                "改变后续版本后，较早结算的金额改变",
                "changing a later version changed an earlier claim's amounts",
                *case.facts(),
                ("claim", numbered(a.index, a.claim)),
                ("expected", amounts_text(a)),
                ("found", amounts_text(b)),
            )
    return None
