"""One claim explained for a clerk (spec §4.5): coverage, the amounts of the chain, each layer's
profile, deductible or threshold, ratios, caps, accumulations before and after, the
critical-illness segments touched, the profiles compared, sources and the tariff."""

from __future__ import annotations

from decimal import Decimal

from medcalc.chain import (
    LAYERS,
    AssistanceDetail,
    BasicDetail,
    ClaimResult,
    CriticalIllnessDetail,
    Layer,
    benefits_start_text,
)
from medcalc.present._cells import (
    DASH,
    GIVEN,
    Lang,
    Row,
    amount,
    cap_text,
    categories_label,
    heading,
    level_label,
    percent,
    profile_label,
    tr,
)
from medcalc.present._layers import label, shape
from medcalc.present._layout import (
    compared,
    grid,
    items_text,
    pairs_text,
    sources_text,
    tariff_rows,
)
from medcalc.tariff import Key, Tariff

__all__ = ["claim_explanation", "not_covered_text"]


def not_covered_text(r: ClaimResult, lang: Lang) -> str:
    start = benefits_start_text(r.benefits_start, "zh")
    return tr(
        lang,
        f"待遇享受起始日为 {start}，本笔日期为 {r.claim.date.isoformat()}，不享受待遇，"
        "各项支付为 0，也不计入年度累计",
        f"not covered: {r.not_covered_reason}; every layer pays 0 and nothing accumulates",
    )


def _coverage(r: ClaimResult, lang: Lang) -> str:
    if not r.covered:
        return tr(lang, "否：", "no: ") + not_covered_text(r, lang)
    if r.benefits_start is None:
        return tr(
            lang,
            "是（未给缴费日期，按全年参保计）",
            "yes (no payment date given: covered all year)",
        )
    start = r.benefits_start.isoformat()
    return tr(lang, f"是（待遇享受起始日 {start}）", f"yes (benefits start on {start})")


def _summary(r: ClaimResult, lang: Lang) -> str:
    return items_text(
        [
            (tr(lang, "总费用", "Total"), amount(r.claim.bill)),
            (tr(lang, "政策范围内费用", "Compliant"), amount(r.claim.compliant)),
            (tr(lang, "基本医保", "Basic"), amount(r.basic)),
            (
                tr(lang, "个人负担的政策范围内费用", "Individual-borne compliant cost"),
                amount(r.individual_burden),
                tr(
                    lang,
                    "= 政策范围内费用 − 基本医保，计入大病累计",
                    "= compliant - basic; adds to the critical-illness base",
                ),
            ),
            (tr(lang, "大病保险", "Critical illness"), amount(r.critical_illness)),
            (
                tr(lang, "剩余政策范围内费用", "Remaining compliant cost"),
                amount(r.remaining),
                tr(
                    lang,
                    "= 个人负担 − 大病保险，计入救助累计",
                    "= individual-borne - critical illness; adds to the assistance base",
                ),
            ),
            (tr(lang, "医疗救助", "Assistance"), amount(r.assistance)),
            (
                tr(lang, "个人自付", "Out of pocket"),
                amount(r.out_of_pocket),
                tr(
                    lang,
                    "= 总费用 − 基本医保 − 大病保险 − 医疗救助",
                    "= total - basic - critical illness - assistance",
                ),
            ),
        ]
    )


def _basic(d: BasicDetail, paid: Decimal, tariff: Tariff | None, lang: Lang) -> str:
    rows: list[Row] = [
        (
            tr(lang, "适用标准", "Profile applied"),
            "",
            profile_label(tariff, GIVEN if d.given else d.profile, lang),
        ),
        (
            tr(lang, "医院级别", "Hospital level"),
            "",
            level_label(tariff, d.hospital_level, lang, with_id=True),
        ),
    ]
    if not d.given:
        rows += [
            (
                tr(lang, "起付线", "Deductible"),
                DASH if d.deductible is None else amount(d.deductible),
            ),
            (tr(lang, "报销比例", "Ratio"), DASH if d.ratio is None else percent(d.ratio)),
            (tr(lang, "年度封顶线", "Annual cap"), cap_text(d.annual_cap, lang)),
        ]
    rows += [
        (tr(lang, "本年已付（本次前）", "Paid this year before"), amount(d.paid_before)),
        (tr(lang, "本次支付", "Paid for this claim"), amount(paid)),
        (tr(lang, "本年已付（本次后）", "Paid this year after"), amount(d.paid_after)),
    ]
    text = items_text(rows)
    if d.alternatives:
        compare = compared("basic", d, tariff, lang)
        text += f"\n\n{compare}"
    return text


def _bounds(bounds: str, lang: Lang) -> str:
    if bounds == "above_threshold":
        return tr(
            lang,
            "各段上限从起付线起算 (above_threshold)",
            "segment bounds measured from the threshold (above_threshold)",
        )
    return tr(
        lang,
        "各段上限按年度累计金额 (cumulative)",
        "segment bounds on the year's accumulated amount (cumulative)",
    )


def _after_less_before(burden_reduction: Decimal, lang: Lang) -> str:
    if burden_reduction > 0:
        return tr(lang, "= 本次后 − 本次前 − 以本次负担为限扣减", "= after - before - limit cut")
    return tr(lang, "= 本次后 − 本次前", "= after - before")


def _base_rows(d: CriticalIllnessDetail | AssistanceDetail, lang: Lang) -> list[Row]:
    """An accumulated layer's base (累计基数) before and after the claim."""
    return [
        (tr(lang, "累计基数（本次前）", "Accumulated base before"), amount(d.base_before)),
        (tr(lang, "累计基数（本次后）", "Accumulated base after"), amount(d.base_after)),
    ]


def _burden_row(burden_reduction: Decimal, lang: Lang) -> Row:
    """The part of a layer's step above what reached it (spec §4.3: a layer never pays more
    than it covers; a fen, with half_even and a ratio of 1)."""
    return (
        tr(lang, "以本次负担为限扣减", "Limit cut (never more than this claim's part)"),
        amount(burden_reduction),
        tr(
            lang,
            "本次支付不超过本次计入累计基数的金额",
            "a layer pays at most what this claim added to its base",
        ),
    )


def _segments_touched(d: CriticalIllnessDetail, lang: Lang) -> str:
    """The segments this claim's accumulated cost went through, and what each paid."""
    title = tr(lang, "本次涉及的分段", "Segments touched by this claim")
    if not d.segments:
        return title + tr(
            lang,
            "：无（累计基数未超过起付线或未增加）",
            ": none (the base did not grow above the threshold)",
        )
    headers = (
        tr(lang, "分段", "Segment"),
        tr(lang, "本次起", "From"),
        tr(lang, "本次止", "To"),
        tr(lang, "段内金额", "Amount"),
        tr(lang, "比例", "Ratio"),
        tr(lang, "支付", "Paid"),
    )
    rows = [
        (
            f"{amount(s.lower)} – {amount(s.upper)}"
            if s.upper is not None
            else tr(lang, f"{amount(s.lower)} 以上", f"above {amount(s.lower)}"),
            amount(s.start),
            amount(s.end),
            amount(s.amount),
            percent(s.ratio),
            amount(s.paid),
        )
        for s in d.segments
    ]
    return f"{title}\n{grid(headers, rows, 'lrrrrr')}"


def _critical_illness(
    d: CriticalIllnessDetail, paid: Decimal, tariff: Tariff | None, lang: Lang
) -> str:
    why = tr(
        lang,
        "就高不重复：按本次后年度累计基数，各标准中支付最多者",
        "most favourable at the year's accumulated base after this claim",
    )
    rows: list[Row] = [
        (tr(lang, "适用标准", "Profile applied"), "", profile_label(tariff, d.profile, lang)),
        (tr(lang, "选取理由", "Why"), "", why),
        (tr(lang, "起付线", "Threshold"), amount(d.threshold)),
        (tr(lang, "分段方式", "Bounds"), "", _bounds(d.bounds, lang)),
        (tr(lang, "各段比例", "Ratios"), "", " / ".join(percent(r) for r in d.ratios)),
        (tr(lang, "年度封顶线", "Annual cap"), cap_text(d.annual_cap, lang)),
        *_base_rows(d, lang),
    ]
    before_note = ""
    if d.profile_before != d.profile and d.paid_before > 0:
        before_note = tr(lang, "按 ", "under ") + profile_label(tariff, d.profile_before, lang)
    rows += [
        (
            tr(lang, "年度累计支付（本次前）", "Paid this year before"),
            amount(d.paid_before),
            before_note,
        ),
        (tr(lang, "年度累计支付（本次后）", "Paid this year after"), amount(d.paid_after)),
        (
            tr(lang, "本次支付", "Paid for this claim"),
            amount(paid),
            _after_less_before(d.burden_reduction, lang),
        ),
        (tr(lang, "封顶扣减", "Cut by the annual cap"), amount(d.cap_reduction)),
    ]
    if d.burden_reduction > 0:
        rows.append(_burden_row(d.burden_reduction, lang))
    if d.profile_switch > 0:
        # The segments are the chosen profile's; another profile had paid more before.
        rows.append(
            (
                tr(lang, "换用标准扣减", "Already paid under the earlier profile"),
                amount(d.profile_switch),
                tr(
                    lang,
                    f"本次前按 {profile_label(tariff, d.profile_before, lang)} 已多付",
                    f"paid before under {profile_label(tariff, d.profile_before, lang)} "
                    "beyond this profile",
                ),
            )
        )
    text = f"{items_text(rows)}\n\n{_segments_touched(d, lang)}"
    compare = compared("critical_illness", d, tariff, lang)
    return f"{text}\n\n{compare}"


def _assistance(d: AssistanceDetail, paid: Decimal, tariff: Tariff | None, lang: Lang) -> str:
    if d.profile is None:
        rows: list[Row] = [
            (
                tr(lang, "适用标准", "Profile applied"),
                "",
                tr(
                    lang,
                    "无：未持有可享受医疗救助的类别",
                    "none: the person holds no category eligible for assistance",
                ),
            ),
            *_base_rows(d, lang),
            (tr(lang, "本次救助", "Paid for this claim"), amount(paid)),
        ]
        return items_text(rows)
    rows = [
        (tr(lang, "适用标准", "Profile applied"), "", profile_label(tariff, d.profile, lang)),
        (
            tr(lang, "年度起付线", "Yearly deductible"),
            DASH if d.deductible is None else amount(d.deductible),
        ),
        (tr(lang, "救助比例", "Ratio"), DASH if d.ratio is None else percent(d.ratio)),
        (tr(lang, "年度封顶线", "Annual cap"), cap_text(d.annual_cap, lang)),
        *_base_rows(d, lang),
        (tr(lang, "年度累计救助（本次前）", "Paid this year before"), amount(d.paid_before)),
        (tr(lang, "年度累计救助（本次后）", "Paid this year after"), amount(d.paid_after)),
        (
            tr(lang, "本次救助", "Paid for this claim"),
            amount(paid),
            _after_less_before(d.burden_reduction, lang),
        ),
    ]
    if d.burden_reduction > 0:
        rows.append(_burden_row(d.burden_reduction, lang))
    compare = compared("assistance", d, tariff, lang)
    return f"{items_text(rows)}\n\n{compare}"


def _layer_detail(layer: Layer, d: object, paid: Decimal, tariff: Tariff | None, lang: Lang) -> str:
    """A layer's detail of a claim, drawn by its section's shape."""
    if shape(layer) == Key.CRITICAL_ILLNESS:
        assert isinstance(d, CriticalIllnessDetail)
        return _critical_illness(d, paid, tariff, lang)
    assert shape(layer) == Key.MEDICAL_ASSISTANCE and isinstance(d, AssistanceDetail)
    return _assistance(d, paid, tariff, lang)


def claim_explanation(r: ClaimResult, tariff: Tariff | None, *, lang: Lang = "zh") -> str:
    """One claim explained (spec §4.5): coverage, each layer's profile, deductible or
    threshold, ratios, caps, accumulations before and after, critical-illness segments,
    sources and the tariff (with its full sha256). ``tariff`` supplies the labels."""
    title = tr(lang, f"第 {r.index + 1} 笔", f"Claim {r.index + 1}")
    if r.claim.claim_id:
        title += tr(lang, f"（单据号 {r.claim.claim_id}）", f" (claim id {r.claim.claim_id})")
    title += (
        f"  {r.claim.date.isoformat()}  "
        f"{level_label(tariff, r.claim.hospital_level, lang, with_id=True)}"
    )
    parts = [
        title,
        items_text(
            [
                (tr(lang, "享受待遇", "Covered"), "", _coverage(r, lang)),
                (
                    tr(lang, "人员类别", "Categories"),
                    "",
                    categories_label(tariff, r.categories, lang),
                ),
            ]
        ),
        "",
        _summary(r, lang),
    ]
    if r.basic_detail is not None:
        parts += [
            "",
            heading(lang, "基本医保（住院统筹）", "Basic inpatient insurance"),
            _basic(r.basic_detail, r.basic, tariff, lang),
        ]
    for layer in LAYERS:
        d = layer.detail_on(r)
        if d is not None:
            name = label(layer)
            parts += [
                "",
                heading(lang, name.zh, name.en),
                _layer_detail(layer, d, layer.paid_on(r), tariff, lang),
            ]
    if r.sources:
        parts += [
            "",
            heading(lang, "政策依据", "Sources"),
            sources_text([("", s) for s in r.sources], lang),
        ]
    parts += [
        "",
        heading(lang, "待遇标准表", "Tariff"),
        pairs_text(tariff_rows(r.tariff, lang, full_sha=True)),
    ]
    return "\n".join(parts)
