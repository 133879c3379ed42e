"""The words and cells of the clerk text, in Chinese (default) or English: amounts, percentages,
caps, the labels of profiles, categories and hospital levels, a tariff's status, headings.

Every text page of this floor writes its cells with these (the result tables, the tariff pages
and their diff, the HTML estimate). Pure: a value in, a string out. Amounts are written from
their ``Decimal`` with thousands separators and exactly 2 decimals, never through float.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from medcalc.chain import GIVEN, TariffRef
from medcalc.errors import TariffNotFoundError
from medcalc.money import EXACT, fmt
from medcalc.tariff import BASE, Tariff, TariffBook

__all__ = [
    "DASH",
    "GIVEN",
    "SHORT_SHA",
    "Lang",
    "Row",
    "amount",
    "cap_text",
    "categories_label",
    "heading",
    "level_label",
    "percent",
    "profile_label",
    "status_text",
    "tariff_of",
    "tr",
]

Lang = Literal["zh", "en"]

SHORT_SHA = 12
"""Hex digits of a sha256 shown in short (the full hash is in ``tariff show`` and JSON)."""
DASH = "—"
"""The cell for a value the tariff or the result does not have."""

Row = Sequence[str]


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


def heading(lang: str, zh: str, en: str) -> str:
    """A section heading: ``【基本医疗】`` / ``[Basic medical]``."""
    return tr(lang, f"【{zh}】", f"[{en}]")
