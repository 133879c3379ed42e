"""Counterexamples and the readable facts they carry, in Chinese and English.

A :class:`Counterexample` is what an invariant returns when a case breaks it: a message and the
facts needed to re-enter the case by hand (the person, the claims, the change, what was expected
and what was found), each keyed by a name of :data:`FACT_LABELS`. The helpers here write a
person, a claim, a claim's amounts or the year-to-date accumulators as such facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from medcalc.chain import (
    LAYERS,
    YTD_FIELDS,
    Claim,
    ClaimResult,
    Layer,
    Person,
    YearToDate,
    benefits_start_text,
)
from medcalc.money import ZERO, add, fmt
from medcalc.tariff import Text, section

FACT_LABELS: dict[str, Text] = {
    "tariff": Text("待遇标准", "tariff"),
    "person": Text("参保人", "person"),
    "claims": Text("住院结算", "claims"),
    "claim": Text("住院结算", "claim"),
    "parts": Text("拆分为", "split into"),
    "order": Text("输入顺序", "input order"),
    "year_to_date": Text("年度累计", "year to date"),
    "change": Text("变动", "change"),
    "expected": Text("应为", "expected"),
    "found": Text("实际", "found"),
    "category": Text("类别", "category"),
    "section": Text("险种", "section"),
    "cost": Text("费用", "cost"),
    "profile": Text("待遇档", "profile"),
    "segments": Text("分段", "segments"),
    "error": Text("异常", "error"),
}


@attrs.frozen
class Counterexample:
    """A minimal case that breaks an invariant: what went wrong (``message``) and the facts
    needed to reproduce it (``facts``: (key, readable value in Chinese and English) pairs,
    keys of :data:`FACT_LABELS`)."""

    message: Text
    facts: tuple[tuple[str, Text], ...] = ()

    def text(self, lang: str = "zh") -> str:
        """The counterexample as lines a clerk can read."""
        lines = [self.message.get(lang)]
        for key, value in self.facts:
            label = FACT_LABELS[key].get(lang) if key in FACT_LABELS else key
            lines.append(f"{label}: {value.get(lang)}")
        return "\n".join(lines)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "message": self.message.get(lang),
            "facts": [{"key": k, "value": v.get(lang)} for k, v in self.facts],
        }


Fact = tuple[str, Text]
"""A fact of a counterexample: a key of :data:`FACT_LABELS` and its text."""


def same(text: str) -> Text:
    """A fact that reads the same in both languages (amounts, dates, ids)."""
    return Text(text, text)


def join(parts: Sequence[Text], zh: str = "；", en: str = "; ") -> Text:
    return Text(zh.join(p.zh for p in parts), en.join(p.en for p in parts))


def person_text(person: Person) -> Text:
    cats = ", ".join(sorted(person.categories))
    parts = [
        Text(
            f"类别 {cats or '无（普通参保人）'}", f"categories {cats or 'none (ordinary resident)'}"
        )
    ]
    if person.disability_grade is not None:
        kind = f" ({person.disability_type})" if person.disability_type else ""
        parts.append(
            Text(
                f"残疾等级 {person.disability_grade}{kind}",
                f"disability grade {person.disability_grade}{kind}",
            )
        )
    if person.enrolled_on is not None:
        day = person.enrolled_on.isoformat()
        parts.append(Text(f"缴费（参保）日期 {day}", f"enrolled (paid) on {day}"))
    if person.birth_date is not None:
        day = person.birth_date.isoformat()
        parts.append(Text(f"出生 {day}", f"born {day}"))
    return join(parts)


def claim_text(claim: Claim) -> Text:
    zh, en = [claim.date.isoformat()], [claim.date.isoformat()]
    if claim.hospital_level is not None:
        zh.append(claim.hospital_level)
        en.append(claim.hospital_level)
    zh.append(f"政策范围内 {fmt(claim.compliant)}")
    en.append(f"compliant {fmt(claim.compliant)}")
    if claim.total is not None:
        zh.append(f"总费用 {fmt(claim.total)}")
        en.append(f"total {fmt(claim.total)}")
    if claim.basic_paid is not None:
        zh.append(f"已结算基本医保 {fmt(claim.basic_paid)}")
        en.append(f"basic_paid {fmt(claim.basic_paid)}")
    return Text(" ".join(zh), " ".join(en))


def numbered(index: int, claim: Claim) -> Text:
    text = claim_text(claim)
    return Text(f"#{index + 1} {text.zh}", f"#{index + 1} {text.en}")


def claims_text(claims: Sequence[Claim]) -> Text:
    if not claims:
        return Text("无", "none")
    return join([numbered(i, c) for i, c in enumerate(claims)])


def layer_name(layer: Layer) -> Text:
    """A layer in a sentence: its section's label in Chinese, its id in English
    (``critical illness``)."""
    return Text(section(layer.section).label.zh, layer.id.replace("_", " "))


def layer_adjective(layer: Layer) -> str:
    """A layer before a noun, in English (``critical-illness``)."""
    return layer.id.replace("_", "-")


def base_name(layer: Layer) -> Text:
    """A layer's year-to-date base: its short Chinese name, its YearToDate field."""
    return Text(layer.base_zh, layer.base)


def chain_sum_text(zh: str = "+", en: str = " + ") -> Text:
    """basic + each layer, as the sum of what a claim is paid."""
    return join([Text("基本医保", "basic"), *map(layer_name, LAYERS)], zh, en)


def layers_text(layers: Sequence[Layer], zh: str, en: str) -> Text:
    """The layers' names joined (zh, en)."""
    return join([layer_name(layer) for layer in layers], zh, en)


def _amount(name: Text, value: Decimal) -> Text:
    return Text(f"{name.zh} {fmt(value)}", f"{name.en} {fmt(value)}")


def layer_amounts(values: Sequence[Decimal]) -> list[Text]:
    """Each layer's name and amount, ``values`` in :data:`~medcalc.chain.LAYERS` order."""
    return [_amount(layer_name(layer), v) for layer, v in zip(LAYERS, values, strict=True)]


def paid_by_layer(r: ClaimResult) -> tuple[Decimal, ...]:
    """What each layer paid on a claim, in :data:`~medcalc.chain.LAYERS` order."""
    return tuple(layer.paid_on(r) for layer in LAYERS)


def amounts_text(r: ClaimResult) -> Text:
    oop = fmt(r.out_of_pocket)
    if not r.covered:
        zh, en = benefits_start_text(r.benefits_start, "zh"), benefits_start_text(r.benefits_start)
        return Text(
            f"不在待遇期（待遇享受起始日为 {zh}）；个人自付 {oop}",
            f"not covered (benefits start {en}); out of pocket {oop}",
        )
    return join(
        [
            _amount(Text("基本医保", "basic"), r.basic),
            *layer_amounts(paid_by_layer(r)),
            _amount(Text("个人自付", "out of pocket"), r.out_of_pocket),
        ],
        "，",
        ", ",
    )


YTD_NAMES = tuple(f.removeprefix("ytd_") for f in YTD_FIELDS)
"""The :class:`~medcalc.chain.YearToDate` fields: basic_paid, then each layer's base."""


def ytd_values(y: YearToDate) -> dict[str, Decimal]:
    """The year-to-date values by field, as a user would give them."""
    return {name: getattr(y, name) for name in YTD_NAMES}


def ytd_text(y: YearToDate) -> Text:
    return join(
        [
            _amount(Text("基本医保已付", "basic_paid"), y.basic_paid),
            *(_amount(base_name(layer), layer.base_in(y)) for layer in LAYERS),
        ],
        "，",
        ", ",
    )


def year_amounts(year: int, basic: Decimal, layers: Sequence[Decimal]) -> Text:
    """A year's amounts: basic, then each layer's (``layers`` in LAYERS order)."""
    text = join([_amount(Text("基本医保", "basic"), basic), *layer_amounts(layers)], "，", ", ")
    return Text(f"{year} 年：{text.zh}", f"year {year}: {text.en}")


def section_name(key: str) -> Text:
    """A paying section as a fact: its label in Chinese, its YAML key in English."""
    return Text(section(key).label.zh, key)


def fail(zh: str, en: str, *facts: tuple[str, Text | str]) -> Counterexample:
    """A counterexample; a fact given as plain text reads the same in both languages."""
    return Counterexample(
        Text(zh, en), tuple((k, v if isinstance(v, Text) else same(v)) for k, v in facts)
    )


def amounts_of(r: ClaimResult) -> tuple[bool, Decimal, tuple[Decimal, ...], Decimal]:
    """What a claim paid: covered, basic, each layer's payment, out of pocket."""
    return (r.covered, r.basic, paid_by_layer(r), r.out_of_pocket)


def sum_of(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of amounts (0.00 for none)."""
    out = ZERO
    for v in values:
        out = add(out, v)
    return out


def paid(r: ClaimResult) -> Decimal:
    """What a claim was paid: basic + each layer."""
    return sum_of((r.basic, *paid_by_layer(r)))


def benefit(results: Iterable[ClaimResult]) -> Decimal:
    """basic + each layer over ``results``."""
    return sum_of(map(paid, results))
