"""The summary of a batch run as text lines (what ``medcalc batch`` prints on stderr).

Presentation of a :class:`~medcalc.batch.BatchReport`: the rows, how many were computed and
how many have an error, the totals of the computed rows per layer, result columns the input
had (replaced), where OUT is. Chinese by default, English with ``lang="en"``.
"""

from __future__ import annotations

from decimal import Decimal

from medcalc.batch._job import BatchReport
from medcalc.chain import LAYERS
from medcalc.present import amount
from medcalc.tariff import section

__all__ = ["summary_lines"]

#: The name of each total in Chinese (a layer's: its section's label); in English a total is
#: named by its result column.
_TOTALS_ZH = {
    "basic": "基本医保",
    **{layer.id: section(layer.section).label.zh for layer in LAYERS},
    "out_of_pocket": "个人自付",
    "medical_government": "医保资助",
    "medical_individual": "医保个人缴费",
    "pension_government": "养老代缴",
    "pension_individual": "养老个人缴费",
    "pension_subsidy": "养老缴费补贴",
}


def _amounts(totals: tuple[tuple[str, Decimal], ...], lang: str) -> str:
    labels = _TOTALS_ZH if lang == "zh" else {}
    sep = "，" if lang == "zh" else ", "
    # Thousands separators, as in every table a clerk reads (317,850.00).
    return sep.join(f"{labels.get(name, name)} {amount(value)}" for name, value in totals)


def summary_lines(report: BatchReport, lang: str = "zh") -> list[str]:
    """The summary printed on stderr after a batch: rows, ok, errors, totals per layer."""
    s = report.summary
    if lang == "zh":
        lines = [f"{s.rows} 行：成功 {s.ok}，错误 {s.errors}"]
        if s.blank:
            lines[0] += f"（另有空行 {s.blank}）"
        lines.append(f"合计（成功的行）：{_amounts(s.totals, lang)}")
        if report.replaced:
            lines.append(f"输入中的结果列已被替换：{', '.join(report.replaced)}")
        lines.append(f"已写入 {report.output}")
        if s.errors:
            lines.append(f"有 {s.errors} 行出错，原因见 {report.output} 的 error 列")
        return lines
    lines = [f"{s.rows} rows: {s.ok} ok, {s.errors} with errors"]
    if s.blank:
        lines[0] += f" (and {s.blank} blank row{'' if s.blank == 1 else 's'})"
    lines.append(f"totals of the ok rows: {_amounts(s.totals, lang)}")
    if report.replaced:
        lines.append(f"result columns in the input were replaced: {', '.join(report.replaced)}")
    lines.append(f"wrote {report.output}")
    if s.errors:
        some = "1 row has" if s.errors == 1 else f"{s.errors} rows have"
        lines.append(f"{some} errors; see the error column of {report.output}")
    return lines
