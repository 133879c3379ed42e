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

from medcalc.chain import Claim, ClaimResult, Person, YearToDate, benefits_start_text
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


def amounts_text(r: ClaimResult) -> Text:
    oop = fmt(r.out_of_pocket)
    if not r.covered:
        zh, en = benefits_start_text(r.benefits_start, "zh"), benefits_start_text(r.benefits_start)
        return Text(
            f"不在待遇期（待遇享受起始日为 {zh}）；个人自付 {oop}",
            f"not covered (benefits start {en}); out of pocket {oop}",
        )
    basic, ci, aid = fmt(r.basic), fmt(r.critical_illness), fmt(r.assistance)
    return Text(
        f"基本医保 {basic}，大病保险 {ci}，医疗救助 {aid}，个人自付 {oop}",
        f"basic {basic}, critical illness {ci}, assistance {aid}, out of pocket {oop}",
    )


def ytd_text(y: YearToDate) -> Text:
    basic, ci, aid = fmt(y.basic_paid), fmt(y.critical_illness_base), fmt(y.assistance_base)
    return Text(
        f"基本医保已付 {basic}，大病累计 {ci}，救助累计 {aid}",
        f"basic_paid {basic}, critical_illness_base {ci}, assistance_base {aid}",
    )


def year_amounts(year: int, basic: Decimal, ci: Decimal, aid: Decimal) -> Text:
    return Text(
        f"{year} 年：基本医保 {fmt(basic)}，大病保险 {fmt(ci)}，医疗救助 {fmt(aid)}",
        f"year {year}: basic {fmt(basic)}, critical illness {fmt(ci)}, assistance {fmt(aid)}",
    )


def section_name(key: str) -> Text:
    """A paying section as a fact: its label in Chinese, its YAML key in English."""
    return Text(section(key).label.zh, key)


def fail(zh: str, en: str, *facts: tuple[str, Text | str]) -> Counterexample:
    """A counterexample; a fact given as plain text reads the same in both languages."""
    return Counterexample(
        Text(zh, en), tuple((k, v if isinstance(v, Text) else same(v)) for k, v in facts)
    )


def amounts_of(r: ClaimResult) -> tuple[bool, Decimal, Decimal, Decimal, Decimal]:
    """What a claim paid: covered, basic, critical illness, assistance, out of pocket."""
    return (r.covered, r.basic, r.critical_illness, r.assistance, r.out_of_pocket)


def sum_of(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of amounts (0.00 for none)."""
    out = ZERO
    for v in values:
        out = add(out, v)
    return out


def benefit(results: Iterable[ClaimResult]) -> Decimal:
    """basic + critical illness + assistance over ``results``."""
    return sum_of(add(add(r.basic, r.critical_illness), r.assistance) for r in results)
