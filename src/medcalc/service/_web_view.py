"""What the web page's templates show, from the library's results and the JSON documents of
:mod:`medcalc.present`: rows of text, already in the page's language. Nothing is computed here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from medcalc.batch import RESULT_NAMES_ZH
from medcalc.chain import YTD_FIELDS, ClaimsResult
from medcalc.errors import TariffNotFoundError
from medcalc.present import DASH, Lang, amount, claims_table, profile_label
from medcalc.tariff import Tariff, TariffBook

#: The result columns of the stays and year tables, in the clerk tables' order.
AMOUNTS = ("total", "compliant", "basic", "critical_illness", "assistance", "out_of_pocket")
_GIVEN = frozenset({"total", "compliant"})  # a stay's own amounts; the rest are results


def result_label(name: str, lang: Lang) -> str:
    """A result's column name: the batch files' Chinese name, or its id in words."""
    if lang == "zh" and name in RESULT_NAMES_ZH:
        return RESULT_NAMES_ZH[name]
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def amount_text(value: str | Decimal | None) -> str:
    """An amount as the clerk tables show it (``77,480.00``); a dash for none."""
    return DASH if value is None else amount(Decimal(value))


@attrs.frozen
class Choices:
    """The choices of the person's and stays' fields for one series, labelled in the page's
    language: tariff series, categories (人员类别) and hospital levels (医院等级)."""

    series: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]
    levels: tuple[tuple[str, str], ...]


def choices(book: TariffBook, series: str, lang: Lang) -> Choices:
    """Every category and level any version of ``series`` names, labelled as its newest
    version labels it."""
    names = tuple(sorted({t.series for t in book}))
    try:
        versions = book.versions(series)
    except TariffNotFoundError:  # an unknown series: its error is shown next to the field
        versions = ()
    categories: dict[str, str] = {}
    levels: dict[str, str] = {}
    for t in versions:
        for c in t.categories:
            categories[c.id] = c.label.zh if lang == "zh" else c.label.en
        for level in () if t.inpatient is None else t.inpatient.levels:
            levels[level.id] = level.label.zh if lang == "zh" else level.label.en
    return Choices(names, tuple(categories.items()), tuple(levels.items()))


def _level(tariff: Tariff | None, level: str | None, lang: Lang) -> str:
    if level is None:
        return DASH
    for found in () if tariff is None or tariff.inpatient is None else tariff.inpatient.levels:
        if found.id == level:
            return found.label.zh if lang == "zh" else found.label.en
    return level


def _yes(value: bool, lang: Lang) -> str:
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")


def stay_rows(result: ClaimsResult, book: TariffBook, lang: Lang) -> list[list[str]]:
    """One row a stay: #, date, hospital level, the amounts, covered."""
    rows = []
    for r in result.claims:
        tariff = book.get(r.tariff.series, r.tariff.version)
        amounts = [amount_text(getattr(r.claim if n in _GIVEN else r, n)) for n in AMOUNTS]
        rows.append(
            [
                str(r.index + 1),
                r.claim.date.isoformat(),
                _level(tariff, r.claim.hospital_level, lang),
                *amounts,
                _yes(r.covered, lang),
            ]
        )
    return rows


def year_rows(result: ClaimsResult) -> list[list[str]]:
    """One row a year: year, number of stays, the amounts."""
    return [
        [str(t.year), str(t.claims), *(amount_text(getattr(t, n)) for n in AMOUNTS)]
        for t in result.years
    ]


def accumulator_rows(result: ClaimsResult, lang: Lang) -> list[list[str]]:
    """The year's accumulators (年度累计) before and after the estimate: the "after" row is
    the year-to-date input of a later estimate of that year."""
    when = (("本次测算前", "before"), ("本次测算后", "after"))
    rows = []
    for t in result.years:
        for (zh, en), ytd in zip(when, (t.start, t.end), strict=True):
            amounts = [amount_text(getattr(ytd, f.removeprefix("ytd_"))) for f in YTD_FIELDS]
            rows.append([str(t.year), zh if lang == "zh" else en, *amounts])
    return rows


def explanation(result: ClaimsResult, book: TariffBook, lang: Lang) -> str:
    """Each claim's explanation as ``medcalc claim --explain`` prints it: the explained
    table less the tables the page shows as tables."""
    full = claims_table(result, book, lang=lang, explain=True)
    return full.removeprefix(claims_table(result, book, lang=lang)).strip("\n")


def tariffs_used(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """The tables a result used (series, version, full sha256, status), each once."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for item in doc["claims"]:
        ref = item["tariff"]
        seen.setdefault((ref["series"], ref["version"]), ref)
    return list(seen.values())


def premium_rows(doc: Mapping[str, Any], tariff: Tariff, lang: Lang) -> list[tuple[str, str]]:
    """The premium estimate as (what, value) rows: medical and pension, the government's part
    (资助, 代缴), the person's, the subsidy."""

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    rows: list[tuple[str, str]] = []
    medical = doc.get("medical")
    if medical is not None:
        rows += [
            (t("医保缴费标准", "Medical contribution"), amount_text(medical["contribution"])),
            (
                t("医保资助（政府）", "Medical: government pays"),
                amount_text(medical["government_pays"]),
            ),
            (
                t("医保个人缴费", "Medical: the person pays"),
                amount_text(medical["individual_pays"]),
            ),
            (
                t("医保资助适用标准", "Medical: profile"),
                profile_label(tariff, medical["profile"], lang),
            ),
        ]
    pension = doc.get("pension")
    if pension is not None:
        rows.append((t("1月1日周岁", "Age on 1 January"), str(pension["age"])))
        rows.append((t("是否应缴养老保险", "Pension due"), _yes(bool(pension["due"]), lang)))
        if pension["due"]:
            rows += [
                (t("养老缴费档次", "Pension grade"), amount_text(pension["grade"])),
                (
                    t("养老代缴（政府）", "Pension: government pays (代缴)"),
                    amount_text(pension["government_pays"]),
                ),
                (
                    t("养老个人缴费", "Pension: the person pays"),
                    amount_text(pension["individual_pays"]),
                ),
                (t("养老缴费补贴", "Pension subsidy"), amount_text(pension["subsidy"])),
                (
                    t("养老代缴适用标准", "Pension: profile"),
                    profile_label(tariff, pension["profile"], lang),
                ),
            ]
    return rows


def _value(value: Any) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def diff_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The changes of a ``medcalc/tariff-diff@1`` document as rows: where, what kind, the
    value before and after (objects as compact JSON)."""
    rows = []
    for change in doc["changes"]:
        where = change["path"] + (f"[{change['key']}]" if change.get("key") else "")
        rows.append(
            {
                "path": where,
                "change": change["change"],
                "a": _value(change.get("a")),
                "b": _value(change.get("b")),
            }
        )
    return rows
