"""The printable estimate (测算单): one self-contained A4 page of a person's claims.

What the counter hands to the resident: the person (name and id left blank to be written in
when the estimate does not carry them), each stay with what each layer paid, the year's
totals, the tables used (series, version, full sha256, status, with the illustrative-table
warning), each claim's explanation, and lines to sign. The page has no external asset (no
font, script or stylesheet from elsewhere: intranets) and prints on A4 (``@page``).

Drawn with Jinja2 (imported on first use) with autoescape on: a label, claim id or carried
text holding ``<script>`` shows as text. Amounts are the text tables' (:func:`amount`).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from medcalc.chain import ClaimsResult
from medcalc.present._text import (
    Lang,
    categories_label,
    claim_explanation,
    claim_headers,
    claim_row,
    not_covered_text,
    status_text,
    tariff_of,
    tariffs_used,
    tr,
    year_headers,
    year_row,
)
from medcalc.tariff import TariffBook

__all__ = ["estimate_html"]


@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("medcalc.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not an empty cell
        keep_trailing_newline=True,
    )
    return env.get_template("estimate.html")


def _cells(row: list[str], text_columns: int) -> list[tuple[str, bool]]:
    """The cells of a row, each with whether it is a number (right-aligned): all but the
    first ``text_columns`` and the last (a yes/no) are amounts."""
    return [(c, text_columns <= i < len(row) - 1) for i, c in enumerate(row)]


def estimate_html(
    result: ClaimsResult,
    book: TariffBook,
    *,
    lang: Lang = "zh",
    person_id: str | None = None,
    printed_on: dt.date | None = None,
) -> str:
    """The 测算单 of ``result`` as one HTML page (UTF-8 text). ``person_id`` and
    ``printed_on`` are shown when given, else left as blanks to fill in by hand (the core has
    no clock: the shell passes today's date)."""
    first = result.claims[0] if result.claims else None
    first_tariff = None if first is None else tariff_of(book, first.tariff)
    with_id = any(r.claim.claim_id for r in result.claims)
    text_columns = 4 if with_id else 3  # #, (claim id,) date, hospital level
    stay_rows = [
        _cells(claim_row(r, tariff_of(book, r.tariff), lang, with_id), text_columns)
        for r in result.claims
    ]
    year_rows = [[(c, i > 0) for i, c in enumerate(year_row(t))] for t in result.years]
    refs = tariffs_used(result)
    page = {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": tr(lang, "住院费用测算单", "Hospital claim estimate"),
        "colon": tr(lang, "：", ": "),
        "meta": [
            (tr(lang, "姓名", "Name"), None),
            (tr(lang, "人员编号", "Person id"), person_id),
            (
                tr(lang, "人员类别", "Categories"),
                categories_label(first_tariff, () if first is None else first.categories, lang),
            ),
            (tr(lang, "待遇标准", "Tariff series"), result.series),
            (tr(lang, "打印日期", "Printed on"), printed_on and printed_on.isoformat()),
        ],
        "warnings": [
            tr(
                lang,
                f"注意：{ref.series} {ref.version} 为示例表，部分数值为替代值，本测算单仅供参考，"
                "不作为实际核定依据。",
                f"Note: {ref.series} {ref.version} is an illustrative table (some values are "
                "stand-ins); this estimate is for information only, not a decision.",
            )
            for ref in refs
            if ref.status == "illustrative"
        ],
        "stays_heading": tr(lang, "各次住院", "Stays"),
        "stay_headers": claim_headers(lang, with_id),
        "stay_rows": stay_rows,
        "notes": [
            tr(lang, f"第 {r.index + 1} 笔：", f"Claim {r.index + 1}: ") + not_covered_text(r, lang)
            for r in result.claims
            if not r.covered
        ],
        "years_heading": tr(lang, "年度合计", "Year totals"),
        "year_headers": year_headers(lang),
        "year_rows": year_rows,
        "tariffs_heading": tr(lang, "待遇标准表", "Tariff tables used"),
        "tariff_headers": [
            tr(lang, "系列", "Series"),
            tr(lang, "版本", "Version"),
            "sha256",
            tr(lang, "状态", "Status"),
        ],
        "tariffs": [
            {
                "series": ref.series,
                "version": ref.version,
                "sha256": ref.sha256,
                "status": status_text(ref.status, lang),
            }
            for ref in refs
        ],
        "explanation_heading": tr(lang, "计算说明", "How each claim was computed"),
        "explanations": [
            claim_explanation(r, tariff_of(book, r.tariff), lang=lang) for r in result.claims
        ],
        "signatures": [
            tr(lang, "经办人签字", "Clerk"),
            tr(lang, "参保人（家属）签字", "Resident (or family)"),
        ],
        "footer": tr(
            lang,
            "本测算单由 medcalc 按上列待遇标准表计算；sha256 可用 sha256sum 核对表文件。",
            "Computed by medcalc from the tables listed; check a table file's sha256 with "
            "sha256sum.",
        ),
    }
    text: str = _template().render(page=page)
    return text
