"""The clerk text of a person's premiums for a year (spec §4.5): medical insurance and its
government payment, pension insurance with its grades, 代缴 and subsidy, the tariff and the
sources cited."""

from __future__ import annotations

from medcalc.chain import MedicalPremiumResult, PensionPremiumResult, PremiumResult
from medcalc.present._cells import (
    Lang,
    Row,
    amount,
    categories_label,
    heading,
    profile_label,
    tariff_of,
    tr,
)
from medcalc.present._layout import compared, items_text, pairs_text, sources_text, tariff_rows
from medcalc.tariff import Source, Tariff, TariffBook

__all__ = ["premiums_table"]


def _medical(m: MedicalPremiumResult, tariff: Tariff | None, lang: Lang) -> str:
    items = items_text(
        [
            (tr(lang, "个人缴费标准", "Contribution"), amount(m.contribution)),
            (
                tr(lang, "政府资助", "Government pays"),
                amount(m.government_pays),
                tr(lang, "适用标准：", "profile applied: ")
                + profile_label(tariff, m.profile, lang),
            ),
            (tr(lang, "个人应缴", "Person pays"), amount(m.individual_pays)),
        ]
    )
    compare = compared("medical", m, tariff, lang)
    return f"{items}\n\n{compare}"


def _ages(tariff: Tariff | None, lang: Lang) -> str:
    if tariff is None or tariff.pension_premium is None:
        return tr(lang, "缴费年龄", "contribution ages")
    p = tariff.pension_premium
    return tr(
        lang, f"缴费年龄 {p.age_from}–{p.age_to} 周岁", f"contribution ages {p.age_from}-{p.age_to}"
    )


def _pension(p: PensionPremiumResult, tariff: Tariff | None, lang: Lang) -> str:
    ages = _ages(tariff, lang)
    age_row: list[str] = [tr(lang, "1月1日周岁", "Age on 1 January"), str(p.age)]
    if not p.due:
        side = tr(lang, "超过", "above the ") if p.past_age else tr(lang, "未到", "below the ")
        age_row.append(side + ages + tr(lang, "，本年度不缴费", ": nothing due"))
        rows: list[Row] = [age_row]
        if p.basic_pension_monthly is not None:
            rows.append(
                (
                    tr(lang, "基础养老金（每月）", "Basic pension (monthly)"),
                    amount(p.basic_pension_monthly),
                    tr(lang, "已过缴费年龄，可按规定领取", "past the contribution ages"),
                )
            )
        return items_text(rows)
    age_row.append(tr(lang, f"{ages}：应缴费", f"within the {ages}: due"))
    grades = tr(lang, "、", " / ").join(amount(g) for g in p.open_grades)
    items = items_text(
        [
            age_row,
            (
                tr(lang, "缴费档次", "Grade"),
                amount(p.grade),
                tr(lang, "可选档次：", "open grades: ") + grades,
            ),
            (
                tr(lang, "政府代缴", "Government pays (代缴)"),
                amount(p.government_pays),
                tr(lang, "适用标准：", "profile applied: ")
                + profile_label(tariff, p.profile, lang),
            ),
            (tr(lang, "个人应缴", "Person pays"), amount(p.individual_pays)),
            (
                tr(lang, "政府缴费补贴", "Subsidy credited"),
                amount(p.subsidy),
                tr(
                    lang,
                    "记入个人账户，不减少个人应缴",
                    "credited to the personal account; does not reduce what the person pays",
                ),
            ),
        ]
    )
    compare = compared("pension", p, tariff, lang)
    # Shown when a category's own base differs from the person's lowest open grade (a `for`
    # grade opened by another category): otherwise every base is that grade, shown above.
    if any(b.amount != p.lowest_open_grade for b in p.bases):
        sep = tr(lang, "；", "; ")
        bases = sep.join(
            f"{profile_label(tariff, b.profile, lang)} {amount(b.amount)}" for b in p.bases
        )
        compare += tr(
            lang,
            f"\n代缴基数（仅持该类别时可选的最低档次，全额或按比例代缴以此计）：{bases}",
            f"\n代缴 base (the lowest grade open to that category alone; full and share are of "
            f"it): {bases}",
        )
    return f"{items}\n\n{compare}"


def premiums_table(result: PremiumResult, book: TariffBook, *, lang: Lang = "zh") -> str:
    """A person's premiums for a year: medical insurance, pension insurance, the tariff and
    the sources, as text tables."""
    tariff = tariff_of(book, result.tariff)
    missing = tr(lang, "本标准表未设此项。", "This tariff has no such section.")
    parts = [
        tr(lang, f"参保缴费测算（{result.year}年度）", f"Premiums for {result.year}"),
        tr(lang, "人员类别：", "Categories: ") + categories_label(tariff, result.categories, lang),
        "",
        heading(lang, "城乡居民基本医疗保险（个人缴费）", "Resident medical insurance"),
        missing if result.medical is None else _medical(result.medical, tariff, lang),
        "",
        heading(lang, "城乡居民基本养老保险", "Resident pension insurance"),
        missing if result.pension is None else _pension(result.pension, tariff, lang),
        "",
        heading(lang, "待遇标准表", "Tariff"),
        pairs_text(tariff_rows(result.tariff, lang, full_sha=False)),
    ]
    cited: list[tuple[str, Source]] = []
    if result.medical is not None and result.medical.source is not None:
        cited.append((tr(lang, "医疗保险", "medical"), result.medical.source))
    if result.pension is not None and result.pension.source is not None:
        cited.append((tr(lang, "养老保险", "pension"), result.pension.source))
    if cited:
        parts += ["", heading(lang, "政策依据", "Sources"), sources_text(cited, lang)]
    return "\n".join(parts)
