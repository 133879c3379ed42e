"""The clerk text of a person's claims (spec §4.5): one row per claim, the year totals, the
year-to-date accumulators and the tariffs used, then with ``explain`` each claim explained
(:mod:`medcalc.present._explanation`). The rows and headers are also the HTML estimate's."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from medcalc.chain import LAYERS, ClaimResult, ClaimsResult, Layer, TariffRef, YearTotals
from medcalc.present._cells import (
    DASH,
    SHORT_SHA,
    Lang,
    amount,
    categories_label,
    heading,
    level_label,
    status_text,
    tariff_of,
    tr,
)
from medcalc.present._explanation import claim_explanation, not_covered_text
from medcalc.present._layers import label
from medcalc.present._layout import fit
from medcalc.tariff import Key, Tariff, TariffBook, Text

__all__ = [
    "claim_headers",
    "claim_row",
    "claims_table",
    "tariffs_used",
    "year_headers",
    "year_row",
    "years_table",
]


def _yes(lang: Lang, value: bool) -> str:
    return tr(lang, "是", "yes") if value else tr(lang, "否", "no")


@attrs.frozen
class _Words:
    """How the claims table names a layer: its column (``short``) and its base's column."""

    short: Text
    base: Text


_WORDS = {
    Key.CRITICAL_ILLNESS: _Words(
        Text("大病保险", "Critical illness"), Text("大病累计基数", "Critical-illness base")
    ),
    Key.MEDICAL_ASSISTANCE: _Words(
        Text("医疗救助", "Assistance"), Text("救助累计基数", "Assistance base")
    ),
}
"""The clerk's shorter words for the layers of format 1 (the headings of the explanation
use the sections' own labels)."""


def _words(layer: Layer) -> _Words:
    """A layer's column words: the clerk's for a known section; otherwise its section's label
    (``补充保险`` / ``补充保险累计基数``)."""
    words = _WORDS.get(layer.section)
    if words is not None:
        return words
    name = label(layer)
    return _Words(name, Text(f"{name.zh}累计基数", f"{name.en} base"))


def _amount_headers(lang: Lang) -> list[str]:
    """The amount columns of a claim and of a year's totals, in the chain's order."""
    return [
        tr(lang, "总费用", "Total"),
        tr(lang, "政策范围内费用", "Compliant"),
        tr(lang, "基本医保", "Basic"),
        *(_words(layer).short.get(lang) for layer in LAYERS),
        tr(lang, "个人自付", "Out of pocket"),
    ]


def _layer_amounts(owner: ClaimResult | YearTotals) -> list[str]:
    """What each layer paid, in the order of ``LAYERS``."""
    return [amount(layer.paid_on(owner)) for layer in LAYERS]


def claim_headers(lang: Lang, with_id: bool) -> list[str]:
    headers = ["#"]
    if with_id:
        headers.append(tr(lang, "单据号", "Claim id"))
    return [
        *headers,
        tr(lang, "日期", "Date"),
        tr(lang, "医院级别", "Hospital level"),
        *_amount_headers(lang),
        tr(lang, "是否享受待遇", "Covered"),
    ]


def claim_row(r: ClaimResult, tariff: Tariff | None, lang: Lang, with_id: bool) -> list[str]:
    row = [str(r.index + 1)]
    if with_id:
        row.append(r.claim.claim_id or DASH)
    return [
        *row,
        r.claim.date.isoformat(),
        level_label(tariff, r.claim.hospital_level, lang, with_id=False),
        amount(r.claim.bill),
        amount(r.claim.compliant),
        amount(r.basic),
        *_layer_amounts(r),
        amount(r.out_of_pocket),
        _yes(lang, r.covered),
    ]


def year_headers(lang: Lang) -> list[str]:
    """The columns of a year's totals: year, number of claims, the amounts."""
    return [tr(lang, "年度", "Year"), tr(lang, "笔数", "Claims"), *_amount_headers(lang)]


def year_row(t: YearTotals) -> list[str]:
    return [
        str(t.year),
        str(t.claims),
        amount(t.total),
        amount(t.compliant),
        amount(t.basic),
        *_layer_amounts(t),
        amount(t.out_of_pocket),
    ]


def years_table(years: Sequence[YearTotals], lang: Lang) -> str:
    headers = year_headers(lang)
    rows = [year_row(t) for t in years]
    return fit(headers, rows, "l" + "r" * (len(headers) - 1))


def _accumulators(years: Sequence[YearTotals], lang: Lang) -> str:
    headers = [
        tr(lang, "年度", "Year"),
        tr(lang, "时点", "When"),
        tr(lang, "基本医保已付", "Basic paid"),
        *(_words(layer).base.get(lang) for layer in LAYERS),
    ]
    rows = []
    for t in years:
        for when, state in (
            (tr(lang, "本次测算前", "before these claims"), t.start),
            (tr(lang, "本次测算后", "after these claims"), t.end),
        ):
            rows.append(
                (
                    str(t.year),
                    when,
                    amount(state.basic_paid),
                    *(amount(layer.base_in(state)) for layer in LAYERS),
                )
            )
    return fit(headers, rows, "ll" + "r" * (len(headers) - 2))


def tariffs_used(result: ClaimsResult) -> list[TariffRef]:
    return list(dict.fromkeys(r.tariff for r in result.claims))


def claims_table(
    result: ClaimsResult, book: TariffBook, *, lang: Lang = "zh", explain: bool = False
) -> str:
    """A person's claims, one row each, the year totals and accumulators, and the tariffs
    used; with ``explain``, then each claim's explanation (:func:`claim_explanation`)."""
    first = result.claims[0] if result.claims else None
    first_tariff = None if first is None else tariff_of(book, first.tariff)
    with_id = any(r.claim.claim_id for r in result.claims)
    rows = [claim_row(r, tariff_of(book, r.tariff), lang, with_id) for r in result.claims]
    align = "r" + ("l" if with_id else "") + "ll" + "r" * len(_amount_headers(lang)) + "l"
    parts = [
        tr(lang, f"住院费用测算（系列 {result.series}）", f"Claims (series {result.series})"),
        tr(lang, "人员类别：", "Categories: ")
        + categories_label(first_tariff, () if first is None else first.categories, lang),
        "",
        fit(claim_headers(lang, with_id), rows, align),
    ]
    notes = [
        tr(lang, f"第 {r.index + 1} 笔：", f"Claim {r.index + 1}: ") + not_covered_text(r, lang)
        for r in result.claims
        if not r.covered
    ]
    if notes:
        parts += ["", *notes]
    parts += [
        "",
        heading(lang, "年度合计", "Year totals"),
        years_table(result.years, lang),
        "",
        heading(
            lang,
            "年度累计（可作下次测算的 --ytd-* 输入）",
            "Year-to-date accumulators (the --ytd-* inputs of a later estimate)",
        ),
        _accumulators(result.years, lang),
        "",
        heading(lang, "待遇标准表", "Tariff"),
    ]
    tariff_rows = [
        (
            ref.series,
            ref.version,
            ref.sha256[:SHORT_SHA],
            status_text(ref.status, lang),
        )
        for ref in tariffs_used(result)
    ]
    parts.append(
        fit(
            (
                tr(lang, "系列", "Series"),
                tr(lang, "版本", "Version"),
                "sha256",
                tr(lang, "状态", "Status"),
            ),
            tariff_rows,
            "llll",
        )
    )
    if explain:
        for r in result.claims:
            parts += ["", "=" * 72, claim_explanation(r, tariff_of(book, r.tariff), lang=lang)]
    return "\n".join(parts)
