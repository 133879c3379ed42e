"""A tariff as a tree of parameters named by their YAML keys, and what changed between two.

:func:`tariff_tree` turns a :class:`~medcalc.tariff.Tariff` into nested mappings that mirror the
file (``medical_premium.contribution``, ``critical_illness.adjustments.poverty.ratio_bonus``);
keys the file leaves out are left out (``aliases`` too when a category or level has none).
Lists whose members have an identity are :class:`Items`, so a member is followed by its
identity, not its place: ``sources`` and ``categories`` by ``id``, ``inpatient.levels`` by
``id``, ``pension_premium.grades`` by ``amount``; segments and disability rules by their
position. A list of plain values (``aliases``, ``exempt``, ``for``) is one parameter, compared
as written, order included.

:func:`diff_tariffs` compares two trees and returns one :class:`Change` per parameter, in file
order. A member added to or removed from a list is one change at the list's path, with the
member's identity in :attr:`Change.key`; any other parameter is named by its dotted path, e.g.
``inpatient.levels[level_1].ratio`` or ``critical_illness.segments[0].ratio``.

:func:`node_json` writes a tree as JSON-ready data: amounts as 2-decimal strings, ratios as
written (``"0.60"``), never floats. Pure: no files, no clock, no environment.

>>> leaf_json(Amount(Decimal("180"))), leaf_json(Unit(Decimal("0.60"))), leaf_json(UNLIMITED)
('180.00', '0.60', 'none')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, TypeAlias

import attrs

from medcalc.money import fmt
from medcalc.tariff._model import (
    AmountPayment,
    Cap,
    Category,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    DisabilityRule,
    Enrollment,
    FullPayment,
    HospitalLevel,
    Inpatient,
    InpatientAdjustment,
    MedicalAssistance,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Segment,
    SharePayment,
    Source,
    Tariff,
    Text,
)
from medcalc.tariff._sections import TARIFF_SECTIONS, Key

__all__ = [
    "UNLIMITED",
    "Amount",
    "Change",
    "Items",
    "Leaf",
    "Node",
    "Tree",
    "Unit",
    "Unlimited",
    "diff_tariffs",
    "leaf_json",
    "node_json",
    "tariff_tree",
]


@attrs.frozen
class Amount:
    """An amount in yuan (compared by value: ``180`` equals ``180.00``)."""

    value: Decimal


@attrs.frozen
class Unit:
    """A ratio, share, factor or bonus from 0 to 1, kept as written."""

    value: Decimal


@attrs.frozen
class Unlimited:
    """``annual_cap: none``: no cap (不设封顶)."""


UNLIMITED = Unlimited()

Leaf: TypeAlias = (
    Amount
    | Unit
    | Unlimited
    | FullPayment
    | SharePayment
    | AmountPayment
    | str
    | int
    | dt.date
    | tuple[str, ...]
    | tuple[int, ...]
)
"""One parameter's value."""

Node: TypeAlias = "Leaf | Tree | Items"
Tree: TypeAlias = "Mapping[str, Node]"


@attrs.frozen
class Items:
    """A list whose members are told apart by the value of ``key_field`` (``None``: by position).

    ``members`` pairs each member's key as written in a path (``level_1``, ``120.00``, ``0``)
    with the member.
    """

    key_field: str | None
    members: tuple[tuple[str, Tree], ...]
    # Built once: a diff looks up every member, and a scan per lookup made 8,000 sources cost
    # 64 million comparisons. Reversed, so a repeated key finds its first member, as a scan did.
    _by_key: dict[str, Tree] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: dict(reversed(self.members)), takes_self=True),
    )

    def get(self, key: str) -> Tree | None:
        """The member whose key is ``key`` (the first, if the key repeats), or ``None``."""
        return self._by_key.get(key)


ChangeKind = Literal["changed", "added", "removed"]


@attrs.frozen
class Change:
    """One difference between tariff A and tariff B.

    ``a`` / ``b`` are the values in A and B (``None`` where the parameter is absent). For a list
    member added or removed, ``path`` is the list's path, ``key`` the member's identity as
    written in paths, and ``key_field`` the member's field that holds it (``None``: the
    member's position).
    """

    path: str
    kind: ChangeKind
    a: Node | None
    b: Node | None
    key: str | None = None
    key_field: str | None = None


# -- tariff -> tree ---------------------------------------------------------------------------


def _present(pairs: Iterable[tuple[str, Node | None]]) -> dict[str, Node]:
    """The pairs whose value is given (``None`` means the file leaves the key out)."""
    return {k: v for k, v in pairs if v is not None}


def _text(t: Text) -> Tree:
    return {Key.ZH: t.zh, Key.EN: t.en}


def _cap(cap: Cap) -> Leaf:
    return UNLIMITED if cap.amount is None else Amount(cap.amount)


def _opt_cap(cap: Cap | None) -> Leaf | None:
    return None if cap is None else _cap(cap)


def _opt_amount(value: Decimal | None) -> Amount | None:
    return None if value is None else Amount(value)


def _opt_unit(value: Decimal | None) -> Unit | None:
    return None if value is None else Unit(value)


def _payments(rules: Sequence[CategoryPayment]) -> Tree:
    return {r.category: r.payment for r in rules}


def _segments(segments: Sequence[Segment]) -> Items:
    return Items(
        None,
        tuple(
            (str(i), _present([(Key.TO, _opt_amount(s.upper)), (Key.RATIO, Unit(s.ratio))]))
            for i, s in enumerate(segments)
        ),
    )


# -- the header, sources and categories


def _header(t: Tariff) -> dict[str, Node]:
    return {
        Key.FORMAT: t.format,
        Key.SERIES: t.series,
        Key.VERSION: t.version,
        Key.TITLE: _text(t.title),
        Key.REGION: {Key.CODE: t.region_code, Key.NAME: _text(t.region_name)},
        Key.EFFECTIVE: _present([(Key.FROM, t.effective_from), (Key.TO, t.effective_to)]),
        Key.STATUS: t.status,
        Key.ROUNDING: t.rounding,
    }


def _source(s: Source) -> Tree:
    return _present(
        [(Key.ID, s.id), (Key.TITLE, s.title), (Key.NUMBER, s.number), (Key.URL, s.url)]
    )


def _disability(rules: Sequence[DisabilityRule]) -> Items | None:
    if not rules:
        return None
    return Items(
        None,
        tuple(
            (str(i), _present([(Key.GRADES, r.grades), (Key.TYPES, r.types)]))
            for i, r in enumerate(rules)
        ),
    )


def _category(c: Category) -> Tree:
    return _present(
        [
            (Key.ID, c.id),
            (Key.LABEL, _text(c.label)),
            (Key.ALIASES, c.aliases or None),
            (Key.DISABILITY, _disability(c.disability)),
        ]
    )


# -- the sections, one function each (see TARIFF_SECTIONS)


def _enrollment(e: Enrollment) -> Tree:
    return {Key.BENEFITS_START: e.benefits_start, Key.EXEMPT: e.exempt}


def _medical_premium(mp: MedicalPremium) -> Tree:
    return {
        Key.CONTRIBUTION: Amount(mp.contribution),
        Key.GOVERNMENT_PAYS: _payments(mp.government_pays),
        Key.SOURCE: mp.source,
    }


def _grade(g: PensionGrade) -> Tree:
    return _present(
        [
            (Key.AMOUNT, Amount(g.amount)),
            (Key.SUBSIDY, Amount(g.subsidy)),
            (Key.FOR, g.reserved_for),
        ]
    )


def _pension_premium(pp: PensionPremium) -> Tree:
    return _present(
        [
            (Key.AGES, {Key.FROM: pp.age_from, Key.TO: pp.age_to}),
            (Key.GRADES, Items(Key.AMOUNT, tuple((fmt(g.amount), _grade(g)) for g in pp.grades))),
            (Key.GOVERNMENT_PAYS, _payments(pp.government_pays)),
            (Key.BASIC_PENSION_MONTHLY, _opt_amount(pp.basic_pension_monthly)),
            (Key.SOURCE, pp.source),
        ]
    )


def _level(lv: HospitalLevel) -> Tree:
    return _present(
        [
            (Key.ID, lv.id),
            (Key.LABEL, _text(lv.label)),
            (Key.ALIASES, lv.aliases or None),
            (Key.DEDUCTIBLE, Amount(lv.deductible)),
            (Key.RATIO, Unit(lv.ratio)),
        ]
    )


def _inpatient_adjustment(a: InpatientAdjustment) -> Tree:
    return _present(
        [
            (Key.DEDUCTIBLE_FACTOR, _opt_unit(a.deductible_factor)),
            (Key.RATIO_BONUS, _opt_unit(a.ratio_bonus)),
            (Key.ANNUAL_CAP, _opt_cap(a.annual_cap)),
        ]
    )


def _inpatient(ip: Inpatient) -> Tree:
    return {
        Key.LEVELS: Items(Key.ID, tuple((lv.id, _level(lv)) for lv in ip.levels)),
        Key.ANNUAL_CAP: _cap(ip.annual_cap),
        Key.ADJUSTMENTS: {a.category: _inpatient_adjustment(a) for a in ip.adjustments},
        Key.SOURCE: ip.source,
    }


def _critical_adjustment(a: CriticalIllnessAdjustment) -> Tree:
    return _present(
        [
            (Key.THRESHOLD_FACTOR, _opt_unit(a.threshold_factor)),
            (Key.THRESHOLD, _opt_amount(a.threshold)),
            (Key.RATIO_BONUS, _opt_unit(a.ratio_bonus)),
            (Key.SEGMENTS, None if a.segments is None else _segments(a.segments)),
            (Key.ANNUAL_CAP, _opt_cap(a.annual_cap)),
        ]
    )


def _critical_illness(ci: CriticalIllness) -> Tree:
    return {
        Key.THRESHOLD: Amount(ci.threshold),
        Key.BOUNDS: ci.bounds,
        Key.SEGMENTS: _segments(ci.segments),
        Key.ANNUAL_CAP: _cap(ci.annual_cap),
        Key.ADJUSTMENTS: {a.category: _critical_adjustment(a) for a in ci.adjustments},
        Key.SOURCE: ci.source,
    }


def _medical_assistance(ma: MedicalAssistance) -> Tree:
    return {
        Key.ELIGIBLE: {
            r.category: {
                Key.RATIO: Unit(r.ratio),
                Key.ANNUAL_CAP: _cap(r.annual_cap),
                Key.DEDUCTIBLE: Amount(r.deductible),
            }
            for r in ma.eligible
        },
        Key.SOURCE: ma.source,
    }


_SECTION_TREES: Mapping[str, Callable[[Any], Tree]] = {
    Key.ENROLLMENT: _enrollment,
    Key.MEDICAL_PREMIUM: _medical_premium,
    Key.PENSION_PREMIUM: _pension_premium,
    Key.INPATIENT: _inpatient,
    Key.CRITICAL_ILLNESS: _critical_illness,
    Key.MEDICAL_ASSISTANCE: _medical_assistance,
}
"""The tree of each shape of section (see ``Section.shape``)."""


def tariff_tree(t: Tariff) -> Tree:
    """Every parameter of ``t``, keyed like the YAML file, in file order."""
    tree = _header(t)
    tree[Key.SOURCES] = Items(Key.ID, tuple((s.id, _source(s)) for s in t.sources))
    tree[Key.CATEGORIES] = Items(Key.ID, tuple((c.id, _category(c)) for c in t.categories))
    for section in TARIFF_SECTIONS:
        value = section.of(t)
        if value is not None:
            tree[section.key] = _SECTION_TREES[section.shape](value)
    return tree


# -- diff -------------------------------------------------------------------------------------


def _merged(a_keys: Sequence[str], b_keys: Sequence[str]) -> list[str]:
    """B's keys in B's order, with each key only A has placed after its predecessor in A.

    Keys are distinct on each side (mapping keys, list members' identities). Each run of keys
    only A has follows, in A's order, the nearest earlier key of A that B also has (a run
    before any such key comes first). Linear: A is walked once, and B once.
    """
    in_b = set(b_keys)
    runs: dict[str | None, list[str]] = {}  # the key of A and B a run follows → the run
    after: str | None = None
    for key in a_keys:
        if key in in_b:
            after = key
        else:
            runs.setdefault(after, []).append(key)
    out = runs.pop(None, [])
    for key in b_keys:
        out.append(key)
        out += runs.pop(key, ())
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(a: Node, b: Node, path: str) -> Iterator[Change]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in _merged(list(a), list(b)):
            sub = _join(path, key)
            if key not in b:
                yield Change(sub, "removed", a[key], None)
            elif key not in a:
                yield Change(sub, "added", None, b[key])
            else:
                yield from _diff(a[key], b[key], sub)
    elif isinstance(a, Items) and isinstance(b, Items):
        a_keys = [k for k, _ in a.members]
        b_keys = [k for k, _ in b.members]
        for key in _merged(a_keys, b_keys):
            in_a, in_b = a.get(key), b.get(key)
            if in_b is None:
                yield Change(path, "removed", in_a, None, key=key, key_field=a.key_field)
            elif in_a is None:
                yield Change(path, "added", None, in_b, key=key, key_field=b.key_field)
            else:
                yield from _diff(in_a, in_b, f"{path}[{key}]")
    elif a != b:
        yield Change(path, "changed", a, b)


def diff_tariffs(a: Tariff, b: Tariff) -> tuple[Change, ...]:
    """Every parameter that differs between ``a`` and ``b``, in file order (empty: the same).

    Only the parameters are compared: two files that differ in comments, layout or path only
    have no changes (their sha256 still differ).
    """
    return tuple(_diff(tariff_tree(a), tariff_tree(b), ""))


# -- JSON -------------------------------------------------------------------------------------


def leaf_json(leaf: Leaf) -> Any:
    """A value as JSON-ready data: amounts ``"180.00"``, ratios as written, no cap ``"none"``,
    government payments ``"full"`` / ``{"share": "0.5"}`` / ``{"amount": "100.00"}``."""
    if isinstance(leaf, Amount):
        return fmt(leaf.value)
    if isinstance(leaf, Unit):
        return f"{leaf.value:f}"
    if isinstance(leaf, Unlimited):
        return "none"
    if isinstance(leaf, FullPayment):
        return "full"
    if isinstance(leaf, SharePayment):
        return {"share": f"{leaf.share:f}"}
    if isinstance(leaf, AmountPayment):
        return {"amount": fmt(leaf.amount)}
    if isinstance(leaf, dt.date):
        return leaf.isoformat()
    if isinstance(leaf, tuple):
        return list(leaf)
    return leaf


def node_json(node: Node) -> Any:
    """A tree (or any part of it) as JSON-ready data; :class:`Items` become lists."""
    if isinstance(node, Mapping):
        return {k: node_json(v) for k, v in node.items()}
    if isinstance(node, Items):
        return [node_json(m) for _, m in node.members]
    return leaf_json(node)
