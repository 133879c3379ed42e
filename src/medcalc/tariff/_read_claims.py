"""Reading the claims sections: ``inpatient``, ``critical_illness`` and ``medical_assistance``.

Each section reader gets the section's keys, already checked against its entry in
``TARIFF_SECTIONS`` (unknown, duplicate and missing keys reported), and returns the section, or
``None`` after reporting its problems. Beyond each value, the scale of critical illness must
rise: its segment bounds, the base's and every category's in use, rise strictly above the
threshold (:meth:`ClaimReader.check_rise`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar, cast, get_args

from yaml.nodes import Node, SequenceNode

from medcalc.messages import say
from medcalc.money import EXACT, round_money
from medcalc.tariff._model import (
    AssistanceRule,
    Bounds,
    CriticalIllness,
    CriticalIllnessAdjustment,
    HospitalLevel,
    Inpatient,
    InpatientAdjustment,
    MedicalAssistance,
    Segment,
)
from medcalc.tariff._read_declared import DeclarationReader, Name
from medcalc.tariff._read_values import Fields
from medcalc.tariff._sections import Key
from medcalc.tariff._yaml import field

__all__ = ["ClaimReader"]

T = TypeVar("T")

_ZERO = Decimal(0)

_INPATIENT_ADJUSTMENT = (Key.DEDUCTIBLE_FACTOR, Key.RATIO_BONUS, Key.ANNUAL_CAP)
"""The keys a category's ``inpatient.adjustments`` entry may give, in file order."""
_CRITICAL_ADJUSTMENT = (
    Key.THRESHOLD_FACTOR,
    Key.THRESHOLD,
    Key.RATIO_BONUS,
    Key.SEGMENTS,
    Key.ANNUAL_CAP,
)
"""The keys a category's ``critical_illness.adjustments`` entry may give, in file order."""


class ClaimReader(DeclarationReader):
    """Reads the claims sections: basic inpatient insurance, critical illness, assistance."""

    def inpatient(self, f: Fields, ctx: str) -> Inpatient | None:
        """``inpatient``: hospital levels, the annual cap, category adjustments (基本医保住院)."""
        levels = self.req(f, Key.LEVELS, self.levels, ctx)
        cap = self.req(f, Key.ANNUAL_CAP, self.cap, ctx)
        has_adj, adjustments = self.opt(f, Key.ADJUSTMENTS, self.inpatient_adjustments, ctx)
        source = self.req(f, Key.SOURCE, self.source_ref, ctx)
        if levels is None or cap is None or source is None or (has_adj and adjustments is None):
            return None
        return Inpatient(levels, cap, adjustments or (), source)

    def levels(self, node: Node, ctx: str) -> tuple[HospitalLevel, ...] | None:
        ids: set[str] = set()  # the good ids so far; a set keeps a long list linear
        names: dict[str, Name] = {}  # every name given so far (see unique_names)

        def level(_: str, ictx: str, f: Fields, __: Node) -> HospitalLevel | None:
            lid = self.once(f, ictx, self.req(f, Key.ID, self.ident, ictx), "noun.level", ids)
            label = self.label_of(f, Key.LABEL, ictx)
            has_aliases, aliases = self.opt(f, Key.ALIASES, self.aliases, ictx)
            deductible = self.req(f, Key.DEDUCTIBLE, self.amount, ictx)
            ratio = self.req(f, Key.RATIO, self.unit, ictx)
            if lid is not None and not self.unique_names(f, ictx, lid, "noun.level", names):
                lid = None
            if (
                lid is None
                or label is None
                or (has_aliases and aliases is None)
                or deductible is None
                or ratio is None
            ):
                return None
            return HospitalLevel(lid, label, deductible, ratio, aliases or ())

        out, ok = self.each(
            self.listed(node, ctx, say("what.levels")),
            (Key.ID, Key.LABEL, Key.DEDUCTIBLE, Key.RATIO),
            (Key.ALIASES,),
            " {id: ..., label: ..., deductible: ..., ratio: ...}",
            level,
        )
        return tuple(out) if ok and out else None

    def adjustments(
        self,
        node: Node,
        ctx: str,
        keys: Sequence[str],
        read: Callable[[str, str, Fields], T | None],
    ) -> tuple[T, ...] | None:
        """A section's ``adjustments``: by category, each entry giving at least one of
        ``keys``, built by ``read`` (category, context, fields)."""

        def one(cid: str, actx: str, f: Fields, value: Node) -> T | None:
            return read(cid, actx, f) if self.not_empty(f, value, actx) else None

        entries, ok = self.by_category(node, ctx, say("what.adjustments"))
        out, all_read = self.each(entries, (), keys, "", one)
        return tuple(out) if ok and all_read else None

    def inpatient_adjustments(self, node: Node, ctx: str) -> tuple[InpatientAdjustment, ...] | None:
        def adjustment(cid: str, actx: str, f: Fields) -> InpatientAdjustment | None:
            has_factor, factor = self.opt(
                f, Key.DEDUCTIBLE_FACTOR, lambda n, c: self.unit(n, c, "what.factor"), actx
            )
            has_bonus, bonus = self.opt(
                f, Key.RATIO_BONUS, lambda n, c: self.unit(n, c, "what.bonus"), actx
            )
            has_cap, cap = self.opt(f, Key.ANNUAL_CAP, self.cap, actx)
            if (
                (has_factor and factor is None)
                or (has_bonus and bonus is None)
                or (has_cap and cap is None)
            ):
                return None
            return InpatientAdjustment(cid, factor, bonus, cap)

        return self.adjustments(node, ctx, _INPATIENT_ADJUSTMENT, adjustment)

    def not_empty(self, f: Fields, node: Node, ctx: str) -> bool:
        if f:
            return True
        self.at_key(node, ctx, "claims.no_adjustment")
        return False

    def critical_illness(self, f: Fields, ctx: str) -> CriticalIllness | None:
        """``critical_illness``: the yearly threshold, rising segments, the cap and category
        adjustments (大病保险), each category's scale in use rising too."""
        threshold = self.req(f, Key.THRESHOLD, self.amount, ctx)
        has_bounds, bounds = self.opt(
            f, Key.BOUNDS, lambda n, c: self.choice(n, c, get_args(Bounds)), ctx
        )
        bounds_ = cast(Bounds, bounds or "cumulative")
        segments = self.req(f, Key.SEGMENTS, self.segments, ctx)
        if Key.SEGMENTS in f and threshold is not None and not (has_bounds and bounds is None):
            self.check_rise(f[Key.SEGMENTS][1], threshold, bounds_, f"{ctx}.segments")
        cap = self.req(f, Key.ANNUAL_CAP, self.cap, ctx)
        adjustments: tuple[CriticalIllnessAdjustment, ...] | None = ()
        if Key.ADJUSTMENTS in f:
            adjustments = self.critical_adjustments(
                f[Key.ADJUSTMENTS][1], f"{ctx}.adjustments", threshold, segments, bounds_
            )
        source = self.req(f, Key.SOURCE, self.source_ref, ctx)
        if (
            threshold is None
            or segments is None
            or cap is None
            or adjustments is None
            or source is None
            or (has_bounds and bounds is None)
        ):
            return None
        return CriticalIllness(threshold, bounds_, segments, cap, adjustments, source)

    def segments(self, node: Node, ctx: str) -> tuple[Segment, ...] | None:
        """Segments (分段) with ``to`` on all but the last; rising is checked by the caller."""
        items = self.items(node, ctx, say("what.segments"))
        out: list[Segment] = []
        ok = bool(items)
        for i, item in enumerate(items):
            ictx = f"{ctx}[{i}]"
            f = self.fields(item, ictx, item, (Key.RATIO,), (Key.TO,), " {to: ..., ratio: ...}")
            if f is None:
                ok = False
                continue
            last = i == len(items) - 1
            has_to, upper = self.opt(f, Key.TO, self.amount, ictx)
            ratio = self.req(f, Key.RATIO, self.unit, ictx)
            if last and has_to:
                self.at_key(f[Key.TO][0], f"{ictx}.to", "claims.last_segment_to")
                ok = False
            elif not last and not has_to:
                self.at_key(item, ictx, "claims.missing_to")
                ok = False
            if ratio is None or (has_to and upper is None):
                ok = False
                continue
            out.append(Segment(upper, ratio))
        return tuple(out) if ok else None

    def bounds_of(self, node: Node) -> list[tuple[int, Decimal, Node]]:
        """The good ``to`` values of a segments list as (index, value, node), read quietly: a
        bad item is reported by :meth:`segments`, and the others can still be checked."""
        if not isinstance(node, SequenceNode):
            return []
        saved, self.problems = self.problems, []
        try:
            found = ((i, field(item, Key.TO)) for i, item in enumerate(node.value))
            values = ((i, self.amount(to, ""), to) for i, to in found if to is not None)
            return [(i, value, to) for i, value, to in values if value is not None]
        finally:
            self.problems = saved

    def check_rise(self, node: Node, threshold: Decimal, bounds: str, ctx: str) -> bool:
        """Bounds must rise strictly, and above the threshold: with ``cumulative`` the first
        ``to`` is above it; with ``above_threshold`` (``to`` counted from it) above 0."""
        previous = threshold if bounds == "cumulative" else _ZERO
        for i, upper, where in self.bounds_of(node):
            if upper > previous:
                previous = upper
                continue
            if i == 0 and bounds == "cumulative":
                self.at_key(
                    where,
                    f"{ctx}[0].to",
                    "claims.not_above_threshold",
                    upper=upper,
                    threshold=threshold,
                )
            elif i == 0:
                self.at_key(where, f"{ctx}[0].to", "claims.not_above_zero", upper=upper)
            else:
                self.at_key(
                    where, f"{ctx}[{i}].to", "claims.not_rising", upper=upper, previous=previous
                )
            return False
        return True

    def critical_adjustments(
        self,
        node: Node,
        ctx: str,
        base_threshold: Decimal | None,
        base_segments: tuple[Segment, ...] | None,
        bounds: str,
    ) -> tuple[CriticalIllnessAdjustment, ...] | None:
        def adjustment(cid: str, actx: str, f: Fields) -> CriticalIllnessAdjustment | None:
            has_factor, factor = self.opt(
                f, Key.THRESHOLD_FACTOR, lambda n, c: self.unit(n, c, "what.factor"), actx
            )
            has_threshold, threshold = self.opt(f, Key.THRESHOLD, self.amount, actx)
            if has_factor and has_threshold:
                self.at_key(f[Key.THRESHOLD][0], actx, "claims.factor_or_threshold")
                return None
            has_bonus, bonus = self.opt(
                f, Key.RATIO_BONUS, lambda n, c: self.unit(n, c, "what.bonus"), actx
            )
            has_segments, segments = self.opt(f, Key.SEGMENTS, self.segments, actx)
            has_cap, cap = self.opt(f, Key.ANNUAL_CAP, self.cap, actx)
            # The threshold and segments this category uses must still rise (like the base).
            rises = True
            in_use = threshold
            if factor is not None and base_threshold is not None:
                in_use = round_money(EXACT.multiply(base_threshold, factor), self.rounding)
            elif in_use is None:
                in_use = base_threshold
            if has_segments and in_use is not None:
                rises = self.check_rise(f[Key.SEGMENTS][1], in_use, bounds, f"{actx}.segments")
            elif (
                threshold is not None
                and bounds == "cumulative"
                and base_segments
                and base_segments[0].upper is not None
                and threshold >= base_segments[0].upper
            ):
                self.at_key(
                    f[Key.THRESHOLD][1],
                    f"{actx}.threshold",
                    "claims.threshold_not_below",
                    threshold=threshold,
                    bound=base_segments[0].upper,
                )
                rises = False
            if (
                not rises
                or (has_factor and factor is None)
                or (has_threshold and threshold is None)
                or (has_bonus and bonus is None)
                or (has_segments and segments is None)
                or (has_cap and cap is None)
            ):
                return None
            return CriticalIllnessAdjustment(cid, factor, threshold, bonus, segments, cap)

        return self.adjustments(node, ctx, _CRITICAL_ADJUSTMENT, adjustment)

    def medical_assistance(self, f: Fields, ctx: str) -> MedicalAssistance | None:
        """``medical_assistance``: each eligible category's ratio, cap and deductible (医疗救助)."""
        eligible = self.req(f, Key.ELIGIBLE, self.eligible, ctx)
        source = self.req(f, Key.SOURCE, self.source_ref, ctx)
        if eligible is None or source is None:
            return None
        return MedicalAssistance(eligible, source)

    def eligible(self, node: Node, ctx: str) -> tuple[AssistanceRule, ...] | None:
        entries, ok = self.by_category(node, ctx, "{ratio: ..., annual_cap: ...}")
        if ok and not entries:
            self.at_key(node, ctx, "claims.no_eligible")
            return None

        def rule(cid: str, actx: str, f: Fields, _: Node) -> AssistanceRule | None:
            ratio = self.req(f, Key.RATIO, self.unit, actx)
            cap = self.req(f, Key.ANNUAL_CAP, self.cap, actx)
            has_deductible, deductible = self.opt(f, Key.DEDUCTIBLE, self.amount, actx)
            if ratio is None or cap is None or (has_deductible and deductible is None):
                return None
            return AssistanceRule(cid, ratio, cap, deductible or Decimal("0.00"))

        out, all_read = self.each(
            entries,
            (Key.RATIO, Key.ANNUAL_CAP),
            (Key.DEDUCTIBLE,),
            " {ratio: ..., annual_cap: ...}",
            rule,
        )
        return tuple(out) if ok and all_read else None
