"""Tariff tables as text for people: ``tariff list`` and ``tariff show``, Chinese or English.

:func:`tariff_list_table` is one row per version; :func:`tariff_table` is every parameter a
clerk needs, section by section in the file's order (``medcalc.tariff.TARIFF_SECTIONS``, whose
labels begin the headings), with the values each category actually gets (the category
adjustments applied). Amounts with thousands separators, ratios as percentages, through the
same helpers as the result tables (:mod:`medcalc.present`); nothing goes through float.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from medcalc.chain import (
    basic_profiles,
    critical_illness_profiles,
    government_amount,
)
from medcalc.money import ZERO, sub
from medcalc.present._table import table
from medcalc.present._text import DASH, SHORT_SHA, amount, cap_text, heading, percent, tr
from medcalc.tariff import (
    BASE,
    DISABILITY_TYPE_LABELS,
    TARIFF_SECTIONS,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    DisabilityRule,
    Enrollment,
    FullPayment,
    GovernmentPayment,
    Inpatient,
    InpatientAdjustment,
    Key,
    MedicalAssistance,
    MedicalPremium,
    PensionPremium,
    Section,
    SharePayment,
    Tariff,
    effective_range,
)

__all__ = ["list_text", "payment_text", "shown_path", "tariff_list_table", "tariff_table"]


# -- words and numbers ------------------------------------------------------------------------


def _points(bonus: Decimal) -> str:
    """A ratio bonus in percentage points."""
    return percent(bonus).removesuffix("%")


def list_text(items: Sequence[str], lang: str) -> str:
    """Names one after the other (``甲、乙`` / ``a, b``), or a dash for none."""
    return tr(lang, "、", ", ").join(items) if items else DASH


def _range_long(t: Tariff, lang: str) -> str:
    start = t.effective_from.isoformat()
    if t.effective_to is None:
        return tr(lang, f"{start} 起，未设截止日", f"from {start}, open-ended")
    end = t.effective_to.isoformat()
    return tr(lang, f"{start} 至 {end}（含首尾两日）", f"{start} to {end} (both days included)")


def _status(t: Tariff, lang: str) -> str:
    if t.status == "official":
        return tr(lang, "正式", "official")
    return tr(lang, "示例", "illustrative")


def _status_long(t: Tariff, lang: str) -> str:
    if t.status == "official":
        return tr(lang, "正式（official）：数值已与所引文件核对", "official: values checked")
    return tr(
        lang,
        "示例（illustrative）：含替代值，不得用于实际决定",
        "illustrative: contains stand-in values; not for real decisions",
    )


def _rounding(t: Tariff, lang: str) -> str:
    if t.rounding == "half_even":
        return tr(
            lang, "四舍六入五成双，到 0.01 元（half_even）", "half even to 0.01 yuan (half_even)"
        )
    return tr(lang, "四舍五入，到 0.01 元（half_up）", "half up to 0.01 yuan (half_up)")


def shown_path(path: str) -> str:
    """A tariff's file as shown in tables: relative to the working directory when it is under
    it (so ``sha256sum`` can be run on it as shown), else as it was found."""
    with contextlib.suppress(OSError, ValueError):
        resolved = Path(path).resolve()
        here = Path.cwd().resolve()
        if resolved.is_relative_to(here):
            return str(resolved.relative_to(here))
    return path


def _cites(t: Tariff, source_id: str, lang: str) -> str:
    s = t.source(source_id)
    detail = f" {s.number}" if s is not None and s.number else ""
    return tr(lang, f"依据：{source_id}{detail}", f"Source: {source_id}{detail}")


def _who(t: Tariff, category: str, lang: str) -> str:
    if category == BASE:
        return tr(lang, "普通参保人", "ordinary resident")
    c = t.category(category)
    return c.label.get(lang) if c is not None else category


def _disability(rules: Sequence[DisabilityRule], lang: str) -> str:
    if not rules:
        return DASH
    parts = []
    for r in rules:
        grades = [str(g) for g in r.grades]
        if r.types is None:
            kinds = tr(lang, "任何类别", "any type")
        else:
            kinds = list_text([DISABILITY_TYPE_LABELS[k].get(lang) for k in r.types], lang)
        if lang == "en":
            shown = grades[0] if len(grades) == 1 else f"{', '.join(grades[:-1])} or {grades[-1]}"
            parts.append(f"grade {shown} ({kinds})")
        else:
            parts.append(f"残疾等级 {'、'.join(grades)}（{kinds}）")
    return tr(lang, "；或 ", "; or ").join(parts)


def payment_text(rule: GovernmentPayment, lang: str, *, of_lowest: bool = False) -> str:
    """A government payment rule in words (``全额``, ``按比例 50%``, ``定额 100.00``);
    ``of_lowest``: of the lowest pension grade (代缴)."""
    if isinstance(rule, FullPayment):
        if of_lowest:
            return tr(lang, "全额代缴最低档次", "full (the lowest grade)")
        return tr(lang, "全额", "full")
    if isinstance(rule, SharePayment):
        if of_lowest:
            return tr(
                lang,
                f"最低档次 × {percent(rule.share)}",
                f"{percent(rule.share)} of the lowest grade",
            )
        return tr(lang, f"按比例 {percent(rule.share)}", f"share {percent(rule.share)}")
    return tr(lang, f"定额 {amount(rule.amount)}", f"fixed {amount(rule.amount)}")


def _payment_row(
    t: Tariff,
    category: str,
    rule: GovernmentPayment | None,
    base: Decimal,
    lang: str,
    *,
    of_lowest: bool = False,
) -> list[str]:
    """A category, its payment rule (see :func:`payment_text`), and what the
    government and the person pay of ``base``."""
    gov = ZERO if rule is None else min(government_amount(rule, base, t.rounding), base)
    said = DASH if rule is None else payment_text(rule, lang, of_lowest=of_lowest)
    return [_who(t, category, lang), said, amount(gov), amount(sub(base, gov))]


def _annual_cap(cap: Decimal | None, lang: str) -> str:
    """A section's annual cap, as a line."""
    return tr(
        lang,
        f"年度最高支付限额：{cap_text(cap, lang)}",
        f"Annual cap: {cap_text(cap, lang)}",
    )


def _rules(
    payments: Sequence[CategoryPayment],
) -> list[tuple[str, GovernmentPayment | None]]:
    """The base (no government payment) and then each category's rule, in file order."""
    return [(BASE, None), *((p.category, p.payment) for p in payments)]


def _aliases_header(lang: str) -> str:
    return tr(lang, "别名", "Aliases")


# -- list -------------------------------------------------------------------------------------


def tariff_list_table(tariffs: Iterable[Tariff], lang: str) -> str:
    """``tariff list`` as a table: one row per version, in the order given (a
    :class:`~medcalc.tariff.TariffBook` gives series by series, oldest first)."""
    found = list(tariffs)
    if not found:
        return tr(lang, "没有找到待遇标准表。", "No tariff tables found.")
    headers = [
        tr(lang, "系列", "Series"),
        tr(lang, "版本", "Version"),
        tr(lang, "执行期间", "Effective"),
        tr(lang, "状态", "Status"),
        "sha256",
        tr(lang, "文件", "File"),
    ]
    rows = [
        [
            t.series,
            t.version,
            effective_range(t),
            _status(t, lang),
            t.sha256[:SHORT_SHA],
            shown_path(t.path),
        ]
        for t in found
    ]
    return table(rows, headers)


# -- show: the header, categories and sources -------------------------------------------------


def _header_block(t: Tariff, lang: str, note: str, versions: Sequence[Tariff]) -> str:
    region = t.region_name.get(lang)
    version = t.version + (tr(lang, f"（{note}）", f" ({note})") if note else "")
    pairs = [
        [tr(lang, "系列", "Series"), t.series],
        [tr(lang, "版本", "Version"), version],
        [tr(lang, "本系列版本", "All versions"), list_text([v.version for v in versions], lang)],
        [
            tr(lang, "地区", "Region"),
            tr(lang, f"{region}（{t.region_code}）", f"{region} ({t.region_code})"),
        ],
        [tr(lang, "执行期间", "In force"), _range_long(t, lang)],
        [tr(lang, "状态", "Status"), _status_long(t, lang)],
        [tr(lang, "舍入", "Rounding"), _rounding(t, lang)],
        [tr(lang, "文件", "File"), shown_path(t.path)],
        ["sha256", t.sha256],
    ]
    return f"{t.title.get(lang)}\n{table(pairs, plain=True)}"


def _categories_block(t: Tariff, lang: str) -> str:
    head = heading(lang, "人员类别", "Person categories")
    # The aliases column only when some category has aliases: most tables have none.
    aliased = any(c.aliases for c in t.categories)
    rows = [
        [BASE, _who(t, BASE, lang), tr(lang, "（默认，无需认定）", "(everyone; implicit)")],
        *([c.id, c.label.get(lang), _disability(c.disability, lang)] for c in t.categories),
    ]
    headers = [
        tr(lang, "编号", "id"),
        tr(lang, "名称", "Label"),
        tr(lang, "残疾认定（符合即属于此类别）", "Held by disability (any rule)"),
    ]
    if aliased:
        aliases = [DASH, *(list_text(c.aliases, lang) for c in t.categories)]
        rows = [[*r[:2], a, *r[2:]] for r, a in zip(rows, aliases, strict=True)]
        headers.insert(2, _aliases_header(lang))
    note = tr(
        lang,
        "先后顺序用于同等优惠时取舍（就高不重复）。",
        "The order breaks ties between equally favourable categories (most favourable, "
        "never combined).",
    )
    return f"{head}\n{table(rows, headers)}\n{note}"


def _sources_block(t: Tariff, lang: str) -> str:
    head = heading(lang, "政策依据", "Sources")
    if not t.sources:
        return f"{head}\n{tr(lang, '无。', 'None.')}"
    rows = [
        [s.id, s.number or DASH, s.title if s.url is None else f"{s.title}\n{s.url}"]
        for s in t.sources
    ]
    headers = [
        tr(lang, "编号", "id"),
        tr(lang, "文号", "Number"),
        tr(lang, "标题 / 网址", "Title / URL"),
    ]
    return f"{head}\n{table(rows, headers)}"


# -- show: the sections, each the lines under its heading --------------------------------------


def _enrollment(t: Tariff, e: Enrollment, lang: str) -> list[str]:
    if e.benefits_start == "next_month":
        start = tr(
            lang,
            "缴费次月1日起（next_month）",
            "the first day of the month after payment (next_month)",
        )
    else:
        start = tr(lang, "缴费当日起（same_day）", "on the payment date (same_day)")
    exempt = list_text([_who(t, c, lang) for c in e.exempt], lang)
    pairs = [
        [tr(lang, "待遇起始", "Benefits start"), start],
        [tr(lang, "缴费当日即享受待遇", "Start on the payment date"), exempt],
    ]
    return [table(pairs, plain=True)]


def _medical_premium(t: Tariff, section: MedicalPremium, lang: str) -> list[str]:
    c = section.contribution
    rows = []
    for category, rule in _rules(section.government_pays):
        rows.append(_payment_row(t, category, rule, c, lang))
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "资助规则", "Rule"),
        tr(lang, "财政资助", "Government pays"),
        tr(lang, "个人缴纳", "Person pays"),
    ]
    return [
        _cites(t, section.source, lang),
        tr(
            lang,
            f"个人缴费标准：{amount(c)} 元/人/年",
            f"Contribution: {amount(c)} yuan per person per year",
        ),
        table(rows, headers, right=(2, 3)),
    ]


def _pension_grades(t: Tariff, section: PensionPremium, lang: str) -> str:
    """The grades, their subsidies and who may choose them."""
    rows = [
        [
            amount(g.amount),
            amount(g.subsidy),
            tr(lang, "所有人", "everyone")
            if g.reserved_for is None
            else tr(lang, "仅限：", "only: ")
            + list_text([_who(t, c, lang) for c in g.reserved_for], lang),
        ]
        for g in section.grades
    ]
    headers = [
        tr(lang, "缴费档次（元/年）", "Grade (yuan a year)"),
        tr(lang, "缴费补贴", "Subsidy"),
        tr(lang, "适用人员", "Open to"),
    ]
    return table(rows, headers, right=(0, 1))


def _pension_payments(t: Tariff, section: PensionPremium, lang: str) -> str:
    """What the government pays (代缴) for each category, at its lowest open grade."""

    def lowest(category: str) -> Decimal:
        # The loader requires a grade without `for`, so every person has an open grade.
        held = frozenset() if category == BASE else frozenset({category})
        return min(g.amount for g in section.grades if g.open_to(held))

    rows = []
    for category, rule in _rules(section.government_pays):
        m = lowest(category)
        who, said, gov, person = _payment_row(t, category, rule, m, lang, of_lowest=True)
        rows.append([who, said, amount(m), gov, person])
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "代缴规则", "Rule"),
        tr(lang, "最低可选档次", "Lowest open grade"),
        tr(lang, "政府代缴", "Government pays"),
        tr(lang, "个人缴纳", "Person pays"),
    ]
    return table(rows, headers, right=(2, 3, 4))


def _pension_premium(t: Tariff, section: PensionPremium, lang: str) -> list[str]:
    ages = f"{section.age_from}–{section.age_to}"
    lines = [
        _cites(t, section.source, lang),
        tr(
            lang,
            f"缴费年龄：{ages} 周岁（按缴费年度1月1日的周岁计）",
            f"Contribution ages: {ages} (completed years on 1 January of the year)",
        ),
    ]
    if section.basic_pension_monthly is not None:
        bp = amount(section.basic_pension_monthly)
        lines.append(
            tr(
                lang,
                f"基础养老金：{bp} 元/月（超过缴费年龄者）",
                f"Basic pension: {bp} yuan a month (for people past the contribution ages)",
            )
        )
    return [
        *lines,
        _pension_grades(t, section, lang),
        tr(
            lang,
            "缴费补贴另计入个人账户，不减少个人缴纳金额。",
            "The subsidy is credited on top; it does not reduce what the person pays.",
        ),
        tr(
            lang,
            "政府代缴（按最低可选档次缴费时）：",
            "Government payment (at the lowest open grade):",
        ),
        _pension_payments(t, section, lang),
    ]


def _inpatient_rule(a: InpatientAdjustment, lang: str) -> list[str]:
    """What a category's inpatient adjustment says, one change a line."""
    said = []
    if a.deductible_factor is not None:
        said.append(
            tr(
                lang,
                f"起付线 × {percent(a.deductible_factor)}",
                f"deductible × {percent(a.deductible_factor)}",
            )
        )
    if a.ratio_bonus is not None:
        pts = _points(a.ratio_bonus)
        said.append(tr(lang, f"比例提高 {pts} 个百分点", f"ratio +{pts} points"))
    if a.annual_cap is not None:
        said.append(
            tr(
                lang,
                f"限额 {cap_text(a.annual_cap.amount, lang)}",
                f"cap {cap_text(a.annual_cap.amount, lang)}",
            )
        )
    return said


def _inpatient_adjustments(t: Tariff, section: Inpatient, lang: str) -> list[str]:
    """Each category's rule and the deductibles, ratios and cap it gets in use."""
    if not section.adjustments:
        return [
            tr(
                lang,
                "倾斜政策：无（所有人员按上表）。",
                "Category adjustments: none (everyone as above).",
            )
        ]
    profiles = basic_profiles(section, tuple(a.category for a in section.adjustments))
    rules = {a.category: a for a in section.adjustments}
    rows = []
    for p in profiles[1:]:
        effective = []
        for lv in section.levels:
            d, r = p.terms(lv, t.rounding)
            effective.append(f"{lv.id}: {amount(d)} / {percent(r)}")
        rows.append(
            [
                _who(t, p.name, lang),
                "\n".join(_inpatient_rule(rules[p.name], lang)),
                "\n".join(effective),
                cap_text(p.annual_cap.amount, lang),
            ]
        )
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "规则", "Rule"),
        tr(lang, "实际起付线 / 报销比例", "Deductible / ratio in use"),
        tr(lang, "年度限额", "Annual cap"),
    ]
    return [
        tr(lang, "倾斜政策（实际适用值）：", "Category adjustments (values in use):"),
        table(rows, headers, right=(3,)),
    ]


def _inpatient(t: Tariff, section: Inpatient, lang: str) -> list[str]:
    rows = [
        [lv.label.get(lang), lv.id, amount(lv.deductible), percent(lv.ratio)]
        for lv in section.levels
    ]
    headers = [
        tr(lang, "医院等级", "Hospital level"),
        tr(lang, "编号", "id"),
        tr(lang, "起付线", "Deductible"),
        tr(lang, "报销比例", "Ratio"),
    ]
    right = (2, 3)
    if any(lv.aliases for lv in section.levels):
        aliases = [list_text(lv.aliases, lang) for lv in section.levels]
        rows = [[*r[:2], a, *r[2:]] for r, a in zip(rows, aliases, strict=True)]
        headers.insert(2, _aliases_header(lang))
        right = (3, 4)
    return [
        _cites(t, section.source, lang),
        table(rows, headers, right=right),
        _annual_cap(section.annual_cap.amount, lang),
        *_inpatient_adjustments(t, section, lang),
    ]


def _band(lower: Decimal, upper: Decimal | None, lang: str) -> str:
    if upper is None:
        return tr(lang, f"{amount(lower)} 以上", f"above {amount(lower)}")
    return f"{amount(lower)}–{amount(upper)}"


def _critical_rule(a: CriticalIllnessAdjustment, lang: str) -> list[str]:
    """What a category's critical-illness adjustment says, one change a line."""
    said = []
    if a.threshold_factor is not None:
        f = percent(a.threshold_factor)
        said.append(tr(lang, f"起付标准 × {f}", f"threshold × {f}"))
    if a.threshold is not None:
        v = amount(a.threshold)
        said.append(tr(lang, f"起付标准 {v}", f"threshold {v}"))
    if a.segments is not None:
        said.append(tr(lang, "单独分段", "own segments"))
    if a.ratio_bonus is not None:
        pts = _points(a.ratio_bonus)
        said.append(tr(lang, f"比例提高 {pts} 个百分点", f"ratios +{pts} points"))
    if a.annual_cap is not None:
        c = cap_text(a.annual_cap.amount, lang)
        said.append(tr(lang, f"限额 {c}", f"cap {c}"))
    return said


def _critical_profiles(t: Tariff, section: CriticalIllness) -> Sequence[Any]:
    """The base profile, then one per category with an adjustment (chain's profiles)."""
    held = tuple(a.category for a in section.adjustments)
    return critical_illness_profiles(section, held, t.rounding)


def _critical_adjustments(t: Tariff, section: CriticalIllness, lang: str) -> list[str]:
    """Each profile's rule and the threshold, segments and cap it gets in use."""
    if not section.adjustments:
        return [tr(lang, "倾斜支付：无。", "Category adjustments: none.")]
    rules = {a.category: a for a in section.adjustments}
    rows = []
    for p in _critical_profiles(t, section):
        said = [DASH] if p.name == BASE else _critical_rule(rules[p.name], lang)
        bands = "\n".join(f"{_band(b.lower, b.upper, lang)} {percent(b.ratio)}" for b in p.bands)
        rows.append(
            [
                _who(t, p.name, lang),
                "\n".join(said),
                amount(p.threshold),
                bands,
                cap_text(p.annual_cap.amount, lang),
            ]
        )
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "规则", "Rule"),
        tr(lang, "起付标准", "Threshold"),
        tr(lang, "分段与支付比例", "Segments and ratios"),
        tr(lang, "年度限额", "Annual cap"),
    ]
    return [
        tr(
            lang,
            "各类人员实际适用值（比例最高 100%，起付标准按本表舍入方式取到分）：",
            "Values in use per category (ratios at most 100%, thresholds rounded to the fen "
            "with the tariff's rounding):",
        ),
        table(rows, headers, right=(2, 4)),
    ]


def _critical_illness(t: Tariff, section: CriticalIllness, lang: str) -> list[str]:
    base = _critical_profiles(t, section)[0]
    if section.bounds == "cumulative":
        bounds = tr(
            lang, "按年度累计金额计（cumulative）", "on the year's accumulated amount (cumulative)"
        )
    else:
        bounds = tr(
            lang,
            "自所用起付标准起算（above_threshold）；下表已换算为累计金额",
            "measured from the threshold in use (above_threshold); shown as accumulated amounts",
        )
    return [
        _cites(t, section.source, lang),
        tr(
            lang,
            f"起付标准：{amount(section.threshold)}（每年一次）",
            f"Threshold: {amount(section.threshold)} (once a year)",
        ),
        tr(lang, f"分段口径：{bounds}", f"Segment bounds: {bounds}"),
        table(
            [[_band(b.lower, b.upper, lang), percent(b.ratio)] for b in base.bands],
            [
                tr(lang, "分段（累计个人负担合规费用）", "Segment (accumulated cost)"),
                tr(lang, "支付比例", "Ratio"),
            ],
            right=(1,),
        ),
        _annual_cap(section.annual_cap.amount, lang),
        *_critical_adjustments(t, section, lang),
    ]


def _medical_assistance(t: Tariff, section: MedicalAssistance, lang: str) -> list[str]:
    rows = [
        [
            _who(t, r.category, lang),
            percent(r.ratio),
            amount(r.deductible),
            cap_text(r.annual_cap.amount, lang),
        ]
        for r in section.eligible
    ]
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "救助比例", "Ratio"),
        tr(lang, "年度起付线", "Yearly deductible"),
        tr(lang, "年度救助限额", "Annual cap"),
    ]
    return [
        _cites(t, section.source, lang),
        table(rows, headers, right=(1, 2, 3)),
        tr(
            lang,
            "仅限上列人员类别；其他人员不享受医疗救助。",
            "Only the categories listed; anyone else receives no assistance.",
        ),
    ]


_Lines = Callable[[Tariff, Any, str], list[str]]

_SHOWN: Mapping[str, tuple[str, str, _Lines]] = {
    Key.ENROLLMENT: ("", "", _enrollment),
    Key.MEDICAL_PREMIUM: (
        "：个人缴费与财政资助",
        ": contribution and government payment",
        _medical_premium,
    ),
    Key.PENSION_PREMIUM: (
        "：缴费档次、补贴与代缴",
        ": grades, subsidies and government payment (代缴)",
        _pension_premium,
    ),
    Key.INPATIENT: ("（每次住院）", " (per admission)", _inpatient),
    Key.CRITICAL_ILLNESS: (
        "（按年度累计）",
        " (on the year's accumulated cost)",
        _critical_illness,
    ),
    Key.MEDICAL_ASSISTANCE: (
        "（按年度累计）",
        " (on the year's accumulated cost)",
        _medical_assistance,
    ),
}
"""Each shape of section (see ``Section.shape``): what follows its label in the heading (zh,
en), and its lines."""


def _section_block(t: Tariff, section: Section, lang: str) -> str:
    zh, en, lines = _SHOWN[section.shape]
    head = heading(lang, section.label.zh + zh, section.label.en + en)
    value = section.of(t)
    if value is None:
        return f"{head}\n{tr(lang, '本表未规定此项。', 'Not in this tariff.')}"
    return "\n".join([head, *lines(t, value, lang)])


def tariff_table(t: Tariff, lang: str, *, note: str = "", versions: Sequence[Tariff] = ()) -> str:
    """``tariff show`` as text: every parameter a clerk needs, section by section. ``note``
    says how the version was chosen; ``versions`` are all the versions of its series."""
    blocks = [
        _header_block(t, lang, note, versions),
        _categories_block(t, lang),
        *(_section_block(t, s, lang) for s in TARIFF_SECTIONS),
        _sources_block(t, lang),
    ]
    return "\n\n".join(blocks)
