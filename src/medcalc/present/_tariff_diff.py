"""What changed between two tariffs, as text for people: ``tariff diff``, Chinese or English.

One row per changed parameter, named by its YAML path (:func:`medcalc.tariff.diff_tariffs`),
with the values in A and B written like ``tariff show`` writes them; a list member added or
removed is shown by its identity and its other parameters, a whole section only named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from medcalc.present._table import display_width, table
from medcalc.present._tariffs import payment_text, shown_path
from medcalc.present._text import DASH, SHORT_SHA, amount, percent, tr
from medcalc.tariff import (
    SECTIONS,
    Amount,
    AmountPayment,
    Change,
    FullPayment,
    Items,
    Leaf,
    Node,
    SharePayment,
    Tariff,
    Unit,
    Unlimited,
)

__all__ = ["DIFF_CELL", "tariff_diff_table"]

DIFF_CELL = 40
"""Display columns of the A and B cells of ``tariff diff``; longer values wrap."""


def _leaf_text(leaf: Leaf, lang: str) -> str:
    if isinstance(leaf, Amount):
        return amount(leaf.value)
    if isinstance(leaf, Unit):
        return percent(leaf.value)
    if isinstance(leaf, Unlimited):
        return tr(lang, "不设封顶", "no cap")
    if isinstance(leaf, FullPayment | SharePayment | AmountPayment):
        return payment_text(leaf, lang)
    if isinstance(leaf, dt.date):
        return leaf.isoformat()
    if isinstance(leaf, tuple):
        return ", ".join(str(x) for x in leaf) if leaf else DASH
    return str(leaf)


def _flat(node: Node, lang: str, prefix: str = "") -> list[str]:
    """``key value`` for every parameter under ``node``."""
    if isinstance(node, Mapping):
        out = []
        for k, v in node.items():
            out += _flat(v, lang, f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(node, Items):
        out = []
        for key, member in node.members:
            out += _flat(member, lang, f"{prefix}[{key}]")
        return out
    text = _leaf_text(node, lang)
    return [f"{prefix} {text}" if prefix else text]


def _member_text(change: Change, member: Node, lang: str) -> str:
    """A list member: its identity, then its other parameters (``180.00 (subsidy 30.00)``);
    one parameter a line when that is too long for a diff cell."""
    if not isinstance(member, Mapping):
        return _flat(member, lang)[0]
    field = change.key_field
    ident_node = member.get(field) if field is not None else None
    if ident_node is not None and not isinstance(ident_node, Mapping | Items):
        ident = _leaf_text(ident_node, lang)
        rest = {k: v for k, v in member.items() if k != field}
    else:
        ident, rest = f"[{change.key}]", dict(member)
    details = _flat(rest, lang)
    if not details:
        return ident
    inline = f"{ident} ({', '.join(details)})"
    return inline if display_width(inline) <= DIFF_CELL else "\n".join([ident, *details])


def _value_text(change: Change, node: Node | None, lang: str) -> str:
    """One side of a change as a diff cell; a whole section is only named."""
    if node is None:
        return DASH
    if change.key is not None:
        return _member_text(change, node, lang)
    if change.path in SECTIONS:
        return tr(lang, "（整节）", "(whole section)")
    if isinstance(node, Mapping | Items):
        return "; ".join(_flat(node, lang)) or DASH
    return _leaf_text(node, lang)


def _kind(change: Change, lang: str) -> str:
    words = {
        "changed": ("修改", "changed"),
        "added": ("新增", "added"),
        "removed": ("删除", "removed"),
    }
    zh, en = words[change.kind]
    return tr(lang, zh, en)


def tariff_diff_table(a: Tariff, b: Tariff, changes: Sequence[Change], lang: str) -> str:
    """``tariff diff`` as text: the two tariffs, then one row per changed parameter."""
    head = [
        f"A: {a.ref}  {shown_path(a.path)}  sha256 {a.sha256[:SHORT_SHA]}",
        f"B: {b.ref}  {shown_path(b.path)}  sha256 {b.sha256[:SHORT_SHA]}",
    ]
    if not changes:
        head.append(
            tr(lang, "没有不同：两表参数相同。", "No differences: the parameters are the same.")
        )
        return "\n".join(head)
    rows = [
        [c.path, _kind(c, lang), _value_text(c, c.a, lang), _value_text(c, c.b, lang)]
        for c in changes
    ]
    headers = [tr(lang, "参数", "Parameter"), tr(lang, "变化", "Change"), "A", "B"]
    n = len(changes)
    total = tr(lang, f"共 {n} 处不同。", f"{n} difference{'' if n == 1 else 's'}.")
    return "\n".join(
        [*head, "", table(rows, headers, wrap_at={2: DIFF_CELL, 3: DIFF_CELL}), "", total]
    )
