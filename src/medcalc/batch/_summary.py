"""The summary of a batch run as text lines (what ``medcalc batch`` prints on stderr).

Presentation of a :class:`~medcalc.batch.BatchReport`: the rows, how many were computed and
how many have an error, the totals of the computed rows per layer, result columns the input
had (replaced), where OUT is. Chinese by default, English with ``lang="en"``.
"""

from __future__ import annotations

from decimal import Decimal

from medcalc.batch._headers import RESULT_NAMES_ZH
from medcalc.batch._job import BatchReport
from medcalc.errors import rows_text
from medcalc.present import amount

__all__ = ["summary_lines"]


def _amounts(totals: tuple[tuple[str, Decimal], ...], lang: str) -> str:
    labels = RESULT_NAMES_ZH if lang == "zh" else {}  # in English: the result column's id
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
        if report.totals_rows:
            rows = "、".join(str(n) for n in report.totals_rows)
            lines.append(f"末尾的合计行（第 {rows} 行）未计算，结果列留空")
        lines.append(f"已写入 {report.output}")
        if s.errors:
            column = RESULT_NAMES_ZH["error"] if report.columns == "zh" else "error"
            lines.append(f"有 {s.errors} 行出错，原因见 {report.output} 的 {column} 列")
        return lines
    lines = [f"{s.rows} rows: {s.ok} ok, {s.errors} with errors"]
    if s.blank:
        lines[0] += f" (and {s.blank} blank row{'' if s.blank == 1 else 's'})"
    lines.append(f"totals of the ok rows: {_amounts(s.totals, lang)}")
    if report.replaced:
        lines.append(f"result columns in the input were replaced: {', '.join(report.replaced)}")
    if report.totals_rows:
        lines.append(
            f"the totals at the end ({rows_text(report.totals_rows)}): not computed, "
            "results left empty"
        )
    lines.append(f"wrote {report.output}")
    if s.errors:
        some = "1 row has" if s.errors == 1 else f"{s.errors} rows have"
        column = RESULT_NAMES_ZH["error"] if report.columns == "zh" else "error"
        lines.append(f"{some} errors; see the {column} column of {report.output}")
    return lines
