"""A tariff written as the YAML text of its file (format 1), which the strict loader reads back
to an equal tariff: :func:`render_tariff`, the hash of generated tariffs and what the
strategies' round-trip test proves. Imports no hypothesis."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from medcalc.tariff import (
    TARIFF_SECTIONS,
    Cap,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    Enrollment,
    FullPayment,
    GovernmentPayment,
    Inpatient,
    InpatientAdjustment,
    Key,
    MedicalAssistance,
    MedicalPremium,
    PensionPremium,
    Segment,
    SharePayment,
    Tariff,
    Text,
)

__all__ = ["render_tariff"]

T = TypeVar("T")


def _q(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: Decimal) -> str:
    return f"{value:f}"


def _cap_text(cap: Cap) -> str:
    return Key.NONE if cap.amount is None else _n(cap.amount)


def _label(text: Text) -> str:
    return _flow([(Key.ZH, _q(text.zh)), (Key.EN, _q(text.en))])


def _ids(ids: Sequence[str]) -> str:
    return "[" + ", ".join(_q(i) for i in ids) + "]"


def _payment_text(payment: GovernmentPayment) -> str:
    if isinstance(payment, FullPayment):
        return Key.FULL
    if isinstance(payment, SharePayment):
        return f"{{{Key.SHARE}: {_n(payment.share)}}}"
    return f"{{{Key.AMOUNT}: {_n(payment.amount)}}}"


def _pays_text(lines: list[str], pays: Sequence[CategoryPayment]) -> None:
    if not pays:
        lines.append(f"  {Key.GOVERNMENT_PAYS}: {{}}")
        return
    lines.append(f"  {Key.GOVERNMENT_PAYS}:")
    lines.extend(f"    {p.category}: {_payment_text(p.payment)}" for p in pays)


def _segments_text(segments: Sequence[Segment]) -> str:
    parts = []
    for s in segments:
        to = "" if s.upper is None else f"{Key.TO}: {_n(s.upper)}, "
        parts.append(f"{{{to}{Key.RATIO}: {_n(s.ratio)}}}")
    return "[" + ", ".join(parts) + "]"


def _flow(pairs: Sequence[tuple[str, str | None]]) -> str:
    """``{key: value, ...}`` of the pairs whose value is given, in order."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs if v is not None) + "}"


def _opt(value: T | None, text: Callable[[T], str]) -> str | None:
    return None if value is None else text(value)


def _source_ref(source: str) -> str:
    return f"  {Key.SOURCE}: {_q(source)}"


A = TypeVar("A", InpatientAdjustment, CriticalIllnessAdjustment)


def _adjustments_text(
    lines: list[str], adjustments: Sequence[A], keys: Callable[[A], list[tuple[str, str | None]]]
) -> None:
    """The ``adjustments:`` mapping of a section, one flow mapping per category, if any."""
    if adjustments:
        lines.append(f"  {Key.ADJUSTMENTS}:")
        lines.extend(f"    {adj.category}: {_flow(keys(adj))}" for adj in adjustments)


def _enrollment_lines(section: Enrollment) -> list[str]:
    lines = [f"  {Key.BENEFITS_START}: {section.benefits_start}"]
    if section.exempt:
        lines.append(f"  {Key.EXEMPT}: {_ids(section.exempt)}")
    return lines


def _medical_premium_lines(section: MedicalPremium) -> list[str]:
    lines = [f"  {Key.CONTRIBUTION}: {_n(section.contribution)}"]
    _pays_text(lines, section.government_pays)
    return [*lines, _source_ref(section.source)]


def _pension_premium_lines(section: PensionPremium) -> list[str]:
    ages = _flow([(Key.FROM, str(section.age_from)), (Key.TO, str(section.age_to))])
    lines = [f"  {Key.AGES}: {ages}", f"  {Key.GRADES}:"]
    for g in section.grades:
        grade = [(Key.AMOUNT, _n(g.amount)), (Key.SUBSIDY, _n(g.subsidy))]
        lines.append(f"    - {_flow([*grade, (Key.FOR, _opt(g.reserved_for, _ids))])}")
    _pays_text(lines, section.government_pays)
    if section.basic_pension_monthly is not None:
        lines.append(f"  {Key.BASIC_PENSION_MONTHLY}: {_n(section.basic_pension_monthly)}")
    return [*lines, _source_ref(section.source)]


def _inpatient_lines(section: Inpatient) -> list[str]:
    lines = [f"  {Key.LEVELS}:"]
    for lv in section.levels:
        level = [
            (Key.ID, _q(lv.id)),
            (Key.LABEL, _label(lv.label)),
            (Key.DEDUCTIBLE, _n(lv.deductible)),
            (Key.RATIO, _n(lv.ratio)),
        ]
        lines.append(f"    - {_flow(level)}")
    lines.append(f"  {Key.ANNUAL_CAP}: {_cap_text(section.annual_cap)}")
    _adjustments_text(lines, section.adjustments, _inpatient_adjustment)
    return [*lines, _source_ref(section.source)]


def _inpatient_adjustment(adj: InpatientAdjustment) -> list[tuple[str, str | None]]:
    return [
        (Key.DEDUCTIBLE_FACTOR, _opt(adj.deductible_factor, _n)),
        (Key.RATIO_BONUS, _opt(adj.ratio_bonus, _n)),
        (Key.ANNUAL_CAP, _opt(adj.annual_cap, _cap_text)),
    ]


def _critical_illness_lines(section: CriticalIllness) -> list[str]:
    lines = [
        f"  {Key.THRESHOLD}: {_n(section.threshold)}",
        f"  {Key.BOUNDS}: {section.bounds}",
        f"  {Key.SEGMENTS}: {_segments_text(section.segments)}",
        f"  {Key.ANNUAL_CAP}: {_cap_text(section.annual_cap)}",
    ]
    _adjustments_text(lines, section.adjustments, _critical_illness_adjustment)
    return [*lines, _source_ref(section.source)]


def _critical_illness_adjustment(adj: CriticalIllnessAdjustment) -> list[tuple[str, str | None]]:
    return [
        (Key.THRESHOLD_FACTOR, _opt(adj.threshold_factor, _n)),
        (Key.THRESHOLD, _opt(adj.threshold, _n)),
        (Key.RATIO_BONUS, _opt(adj.ratio_bonus, _n)),
        (Key.SEGMENTS, _opt(adj.segments, _segments_text)),
        (Key.ANNUAL_CAP, _opt(adj.annual_cap, _cap_text)),
    ]


def _medical_assistance_lines(section: MedicalAssistance) -> list[str]:
    lines = [f"  {Key.ELIGIBLE}:"]
    for el in section.eligible:
        rule = [
            (Key.RATIO, _n(el.ratio)),
            (Key.ANNUAL_CAP, _cap_text(el.annual_cap)),
            (Key.DEDUCTIBLE, _n(el.deductible)),
        ]
        lines.append(f"    {el.category}: {_flow(rule)}")
    return [*lines, _source_ref(section.source)]


_SECTION_LINES: dict[str, Callable[[Any], list[str]]] = {
    Key.ENROLLMENT: _enrollment_lines,
    Key.MEDICAL_PREMIUM: _medical_premium_lines,
    Key.PENSION_PREMIUM: _pension_premium_lines,
    Key.INPATIENT: _inpatient_lines,
    Key.CRITICAL_ILLNESS: _critical_illness_lines,
    Key.MEDICAL_ASSISTANCE: _medical_assistance_lines,
}
"""The lines under a section's key, for each shape of section (see ``Section.shape``)."""


def _header_lines(tariff: Tariff) -> list[str]:
    region = _flow([(Key.CODE, _q(tariff.region_code)), (Key.NAME, _label(tariff.region_name))])
    effective = _flow(
        [
            (Key.FROM, tariff.effective_from.isoformat()),
            (Key.TO, _opt(tariff.effective_to, dt.date.isoformat)),
        ]
    )
    return [
        f"{Key.FORMAT}: 1",
        f"{Key.SERIES}: {_q(tariff.series)}",
        f"{Key.VERSION}: {_q(tariff.version)}",
        f"{Key.TITLE}: {_label(tariff.title)}",
        f"{Key.REGION}: {region}",
        f"{Key.EFFECTIVE}: {effective}",
        f"{Key.STATUS}: {tariff.status}",
        f"{Key.ROUNDING}: {tariff.rounding}",
    ]


def _declaration_lines(tariff: Tariff) -> list[str]:
    lines = []
    if tariff.sources:
        lines.append(f"{Key.SOURCES}:")
        for src in tariff.sources:
            keys = [
                (Key.ID, _q(src.id)),
                (Key.TITLE, _q(src.title)),
                (Key.NUMBER, _opt(src.number, _q)),
                (Key.URL, _opt(src.url, _q)),
            ]
            lines.append(f"  - {_flow(keys)}")
    if tariff.categories:
        lines.append(f"{Key.CATEGORIES}:")
        for cat in tariff.categories:
            lines.append(f"  - {Key.ID}: {_q(cat.id)}")
            lines.append(f"    {Key.LABEL}: {_label(cat.label)}")
            if cat.disability:
                lines.append(f"    {Key.DISABILITY}:")
                for rule in cat.disability:
                    grades = "[" + ", ".join(str(g) for g in rule.grades) + "]"
                    keys = [(Key.GRADES, grades), (Key.TYPES, _opt(rule.types, _ids))]
                    lines.append(f"      - {_flow(keys)}")
    return lines


def render_tariff(tariff: Tariff) -> str:
    """The YAML text of ``tariff``'s file (format 1), which the strict loader reads back to an
    equal tariff. ``path`` and ``sha256`` are not part of the text."""
    lines = [*_header_lines(tariff), *_declaration_lines(tariff)]
    for section in TARIFF_SECTIONS:
        value = section.of(tariff)
        if value is not None:
            lines.append(f"{section.key}:")
            lines.extend(_SECTION_LINES[section.shape](value))
    return "\n".join(lines) + "\n"
