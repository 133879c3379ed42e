"""Clerk-readable text tables of results (spec §4.5), in Chinese (default) or English.

Pure functions: a result and the :class:`~medcalc.tariff.TariffBook` it was computed from (for
the labels of categories and hospital levels) in, a string out. They read the facts the result
carries; they compute no amount. Amounts are written from their ``Decimal`` with thousands
separators and exactly 2 decimals, never through float (see :func:`amount`, :func:`percent`).

Tables are drawn with ``tabulate``; number parsing is off, so no cell goes through float.
Chinese columns line up in a terminal when ``wcwidth`` is installed (tabulate's wide-character
mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal, Protocol

import attrs

from medcalc.chain import (
    LAYERS,
    Alternative,
    AssistanceDetail,
    BasicDetail,
    ClaimResult,
    ClaimsResult,
    CriticalIllnessDetail,
    Layer,
    MedicalPremiumResult,
    PensionPremiumResult,
    PremiumResult,
    TariffRef,
    YearTotals,
    benefits_start_text,
)
from medcalc.errors import TariffNotFoundError
from medcalc.money import EXACT, fmt
from medcalc.present._layers import label, shape
from medcalc.tariff import BASE, Key, Source, Tariff, TariffBook, Text

__all__ = [
    "DASH",
    "SHORT_SHA",
    "Lang",
    "amount",
    "cap_text",
    "categories_label",
    "claim_explanation",
    "claim_headers",
    "claim_row",
    "claims_table",
    "heading",
    "not_covered_text",
    "percent",
    "premiums_table",
    "status_text",
    "tariff_of",
    "tariffs_used",
    "tr",
    "year_headers",
    "year_row",
]

Lang = Literal["zh", "en"]

GIVEN = "given"  # the basic profile name when the settled basic payment was given
SHORT_SHA = 12
"""Hex digits of a sha256 shown in short (the full hash is in ``tariff show`` and JSON)."""
DASH = "—"
"""The cell for a value the tariff or the result does not have."""

Row = Sequence[str]


# -- cells ----------------------------------------------------------------------------------


def amount(value: Decimal) -> str:
    """An amount with thousands separators and exactly 2 decimals (exact, from the Decimal).

    >>> amount(Decimal("1234567.5"))
    '1,234,567.50'
    """
    return format(Decimal(fmt(value)), ",f")


def percent(ratio: Decimal) -> str:
    """A ratio as a percentage, exactly as the tariff gives it (``0.655`` -> ``65.5%``).

    >>> percent(Decimal("0.65")), percent(Decimal("0.955")), percent(Decimal("1.00"))
    ('65%', '95.5%', '100%')
    """
    scaled = EXACT.multiply(ratio, Decimal(100))
    text = f"{scaled:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def tr(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English text (anything but ``en`` is Chinese)."""
    return en if lang == "en" else zh


def _yes(lang: Lang, value: bool) -> str:
    return tr(lang, "是", "yes") if value else tr(lang, "否", "no")


def cap_text(value: Decimal | None, lang: str) -> str:
    """An annual cap: the amount, or that there is none."""
    return tr(lang, "不设封顶", "no cap") if value is None else amount(value)


def tariff_of(book: TariffBook, ref: TariffRef) -> Tariff | None:
    """The tariff a result names, for its labels (None when the book does not hold it)."""
    try:
        found = book.get(ref.series, ref.version)
    except TariffNotFoundError:
        return None
    return found if found.sha256 == ref.sha256 else None


def profile_label(tariff: Tariff | None, profile: str | None, lang: Lang) -> str:
    """A profile as a clerk reads it: the category's label and its id, e.g.
    ``建档立卡贫困人员 (poverty)``; ``base`` is the ordinary resident (普通参保人)."""
    if profile is None:
        return tr(lang, "无（未持有可享受的类别）", "none (no eligible category held)")
    if profile == BASE:
        return tr(lang, "普通参保人 (base)", "ordinary (base)")
    if profile == GIVEN:
        return tr(lang, "已结算金额（给定）(given)", "settled amount given (given)")
    category = None if tariff is None else tariff.category(profile)
    if category is None:
        return profile
    return f"{category.label.get(lang)} ({profile})"


def categories_label(tariff: Tariff | None, held: Sequence[str], lang: Lang) -> str:
    """The categories a person holds, or the ordinary resident when none."""
    if not held:
        return tr(lang, "普通参保人（无特殊类别）", "ordinary resident (no category)")
    sep = tr(lang, "；", "; ")
    return sep.join(profile_label(tariff, c, lang) for c in held)


def level_label(tariff: Tariff | None, level: str | None, lang: Lang, *, with_id: bool) -> str:
    """A hospital level's label from the tariff (``三级医院``), with its id when asked;
    ``level`` as given (an id, a label or an alias: 三级 shows as 三级医院)."""
    if level is None:
        return DASH
    found = None if tariff is None else tariff.hospital_level(level)
    if found is None:
        return level
    label = found.label.get(lang)
    return f"{label} ({found.id})" if with_id else label


def status_text(status: str, lang: Lang) -> str:
    if status == "illustrative":
        return tr(
            lang,
            "示例 (illustrative)：部分数值为替代值，不可用于实际核定",
            "illustrative: some values are stand-ins; not for real decisions",
        )
    return tr(lang, "正式 (official)", "official")


# -- tables ---------------------------------------------------------------------------------


def _tabulate(rows: Sequence[Sequence[str]], **options: object) -> str:
    """tabulate, imported on first use: ``import medcalc`` (which exports the JSON documents of
    this floor) stays light."""
    from tabulate import tabulate

    text: str = tabulate(rows, disable_numparse=True, **options)  # type: ignore[arg-type]
    return text


def _grid(headers: Row, rows: Sequence[Row], align: str) -> str:
    """A table with a header; ``align`` has one letter per column: l(eft) or r(ight)."""
    colalign = tuple("right" if a == "r" else "left" for a in align)
    return _tabulate(
        [list(r) for r in rows], headers=list(headers), tablefmt="simple", colalign=colalign
    )


WIDTH = 100
"""The widest a table may be, in terminal columns (a Chinese character takes two): a wider one
is drawn vertically by :func:`_fit`, so an estimate reads in an 100-column window."""


def _display_width(text: str) -> int:
    """Terminal columns of the widest line (wcwidth: what tabulate aligns with)."""
    from wcwidth import wcswidth

    return max((wcswidth(line) for line in text.splitlines()), default=0)


def _fit(headers: Row, rows: Sequence[Row], align: str) -> str:
    """:func:`_grid`, or when that is wider than :data:`WIDTH`, each row as a block of
    ``header  value`` lines, blocks separated by a blank line: the values a grid would
    right-align (amounts) end in one column, the others start where the values start."""
    grid = _grid(headers, rows, align)
    if _display_width(grid) <= WIDTH:
        return grid
    from wcwidth import wcswidth

    label_width = max(wcswidth(h) for h in headers)
    right = [v for row in rows for v, a in zip(row, align, strict=True) if a == "r"]
    value_width = max((wcswidth(v) for v in right), default=0)
    blocks = []
    for row in rows:
        lines = []
        for header, value, a in zip(headers, row, align, strict=True):
            pad = " " * (value_width - wcswidth(value)) if a == "r" else ""
            label = header + " " * (label_width - wcswidth(header))
            lines.append(f"{label}  {pad}{value}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _items(rows: Sequence[Row]) -> str:
    """Item / amount / note rows without a header: amounts right-aligned, notes left, a note
    wrapped so the lines stay within :data:`WIDTH`."""
    from wcwidth import wcswidth

    width = max(len(r) for r in rows)
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    colalign = ("left", "right", "left")[:width]
    wrap: list[int | None] | None = None
    if width == 3:
        used = sum(max(wcswidth(r[i]) for r in padded) for i in (0, 1)) + 4  # two gaps of 2
        wrap = [None, None, max(WIDTH - used, 20)]
    text = _tabulate(padded, tablefmt="plain", colalign=colalign, maxcolwidths=wrap)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _wrapped(text: str, indent: str) -> str:
    """``text`` in lines within :data:`WIDTH`, the lines after the first indented."""
    lines = _tabulate([[text]], tablefmt="plain", maxcolwidths=[WIDTH - len(indent)]).splitlines()
    return "\n".join([lines[0].rstrip(), *(indent + line.rstrip() for line in lines[1:])])


def heading(lang: str, zh: str, en: str) -> str:
    """A section heading: ``【基本医疗】`` / ``[Basic medical]``."""
    return tr(lang, f"【{zh}】", f"[{en}]")


class _Chosen(Protocol):
    """A result or a layer that chose its profile among candidates (就高不重复)."""

    @property
    def profile(self) -> str | None: ...

    @property
    def alternatives(self) -> Sequence[Alternative]: ...


_MOST_FAVOURABLE = "Profiles compared (most favourable, never combined)"
_COMPARED: dict[str, tuple[str, str, str, str]] = {
    # what chose: the title (zh, en), then the amount column (zh, en)
    "medical": (
        "各标准比较（就高不重复：取政府资助最多者）",
        _MOST_FAVOURABLE,
        "政府资助",
        "Government pays",
    ),
    "pension": (
        "各标准比较（就高不重复：取政府代缴最多者）",
        _MOST_FAVOURABLE,
        "政府代缴",
        "Government pays",
    ),
    "basic": (
        "各标准比较（就高不重复：取本次支付最多者）",
        _MOST_FAVOURABLE,
        "本次支付",
        "Paid for this claim",
    ),
    "critical_illness": (
        "各标准比较（本次后年度累计应付）",
        "Profiles compared (the year's payment at the base after this claim)",
        "年度累计应付",
        "Year's payment",
    ),
    "assistance": (
        "各标准比较（本次后年度累计救助）",
        "Profiles compared (the year's assistance at the base after this claim)",
        "年度累计救助",
        "Year's assistance",
    ),
}
"""The heading and amount column of each comparison of profiles."""


def _compare(what: str, chosen: _Chosen, tariff: Tariff | None, lang: Lang) -> str:
    """The candidate profiles and what each gives, the chosen one marked (就高不重复), under
    the heading of ``what`` (see ``_COMPARED``)."""
    title_zh, title_en, column_zh, column_en = _COMPARED[what]
    title, column = tr(lang, title_zh, title_en), tr(lang, column_zh, column_en)
    mark = tr(lang, "是", "yes")
    rows = [
        (
            profile_label(tariff, a.profile, lang),
            amount(a.amount),
            mark if a.profile == chosen.profile else "",
        )
        for a in chosen.alternatives
    ]
    grid = _grid((tr(lang, "标准", "Profile"), column, tr(lang, "采用", "Applied")), rows, "lrl")
    return f"{title}\n{grid}"


def _sources(sources: Sequence[tuple[str, Source]], lang: Lang) -> str:
    """The sources cited, one entry each: id (and what it is cited for), title, number, URL."""
    lines = []
    for what, s in sources:
        head = s.id if not what else tr(lang, f"{s.id}（{what}）", f"{s.id} ({what})")
        number = "" if s.number is None else tr(lang, f"，{s.number}", f", {s.number}")
        lines.append(_wrapped(f"· {head}{tr(lang, '：', ': ')}{s.title}{number}", "  "))
        if s.url is not None:
            lines.append(f"  {s.url}")
    return "\n".join(lines)


def _tariff_rows(ref: TariffRef, lang: Lang, *, full_sha: bool) -> list[Row]:
    return [
        (tr(lang, "系列", "Series"), ref.series),
        (tr(lang, "版本", "Version"), ref.version),
        ("sha256", ref.sha256 if full_sha else ref.sha256[:SHORT_SHA]),
        (tr(lang, "状态", "Status"), status_text(ref.status, lang)),
    ]


def _pairs(rows: Sequence[Row]) -> str:
    text = _tabulate([list(r) for r in rows], tablefmt="plain")
    return "\n".join(line.rstrip() for line in text.splitlines())


# -- premiums -------------------------------------------------------------------------------


def _medical(m: MedicalPremiumResult, tariff: Tariff | None, lang: Lang) -> str:
    items = _items(
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
    compare = _compare("medical", m, tariff, lang)
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
        return _items(rows)
    age_row.append(tr(lang, f"{ages}：应缴费", f"within the {ages}: due"))
    grades = tr(lang, "、", " / ").join(amount(g) for g in p.open_grades)
    items = _items(
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
    compare = _compare("pension", p, tariff, lang)
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
        _pairs(_tariff_rows(result.tariff, lang, full_sha=False)),
    ]
    cited: list[tuple[str, Source]] = []
    if result.medical is not None and result.medical.source is not None:
        cited.append((tr(lang, "医疗保险", "medical"), result.medical.source))
    if result.pension is not None and result.pension.source is not None:
        cited.append((tr(lang, "养老保险", "pension"), result.pension.source))
    if cited:
        parts += ["", heading(lang, "政策依据", "Sources"), _sources(cited, lang)]
    return "\n".join(parts)


# -- claims ---------------------------------------------------------------------------------


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


def not_covered_text(r: ClaimResult, lang: Lang) -> str:
    start = benefits_start_text(r.benefits_start, "zh")
    return tr(
        lang,
        f"待遇享受起始日为 {start}，本笔日期为 {r.claim.date.isoformat()}，不享受待遇，"
        "各项支付为 0，也不计入年度累计",
        f"not covered: {r.not_covered_reason}; every layer pays 0 and nothing accumulates",
    )


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
    return _fit(headers, rows, "l" + "r" * (len(headers) - 1))


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
    return _fit(headers, rows, "ll" + "r" * (len(headers) - 2))


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
        _fit(claim_headers(lang, with_id), rows, align),
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
        _fit(
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


# -- one claim's explanation ------------------------------------------------------------------


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
    return _items(
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
    text = _items(rows)
    if d.alternatives:
        compare = _compare("basic", d, tariff, lang)
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
    return f"{title}\n{_grid(headers, rows, 'lrrrrr')}"


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
    text = f"{_items(rows)}\n\n{_segments_touched(d, lang)}"
    compare = _compare("critical_illness", d, tariff, lang)
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
        return _items(rows)
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
    compare = _compare("assistance", d, tariff, lang)
    return f"{_items(rows)}\n\n{compare}"


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
        _items(
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
            _sources([("", s) for s in r.sources], lang),
        ]
    parts += [
        "",
        heading(lang, "待遇标准表", "Tariff"),
        _pairs(_tariff_rows(r.tariff, lang, full_sha=True)),
    ]
    return "\n".join(parts)
