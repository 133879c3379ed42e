"""Make the clerk-style examples from ``claims.csv`` and ``premiums.csv`` (next to this script).

    .venv/bin/python examples/make_clerk_files.py

The same people and stays, written the way a clerk's Excel or WPS file writes them:

- ``claims_clerk.csv`` and ``premiums_clerk.csv``: Chinese headers (人员编号, 入院日期,
  政策范围内费用 …, with the variants clerks use), categories and hospital levels by their
  Chinese names and the tariff's aliases (建档立卡贫困户, 五保户, 三级医院, 二级 …), dates as
  Excel displays them (2018/9/14), saved in GB18030 as a Chinese Excel saves "CSV", and a
  合计 row at the end of the claims;
- ``claims_clerk.xlsx``: the same claims as a workbook with real date cells and number cells.

``medcalc batch`` gives every row of these files the amounts it gives the row of the English
example (tests/test_clerk_examples.py holds it to that).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
STAMP = dt.datetime(2024, 1, 1)  # fixed document dates: regenerating changes only the rows

#: The English example's columns as clerks name them (docs/cli-batch.md §3 lists every name).
CLAIM_HEADERS = {
    "person_id": "人员编号",
    "series": "待遇标准",
    "categories": "人员类别",
    "disability_grade": "残疾等级",
    "disability_type": "残疾类别",
    "enrolled_on": "缴费日期",
    "claim_id": "住院号",
    "date": "入院日期",
    "hospital_level": "医院等级",
    "total": "医疗总费用（元）",
    "compliant": "合规费用",
    "basic_paid": "统筹支付",
    "ytd_basic_paid": "年度累计统筹支付",
    "ytd_critical_illness_base": "年度累计大病费用",
    "ytd_assistance_base": "年度累计救助费用",
}
PREMIUM_HEADERS = {
    "person_id": "个人编号",
    "series": "险种标准",
    "year": "年度",
    "categories": "人员类别",
    "disability_grade": "残疾等级",
    "disability_type": "残疾类别",
    "birth_date": "出生日期",
    "pension_grade": "养老缴费档次",
}
#: Categories and levels by a label or an alias of the bundled Qingcheng tables.
NAMES = {
    "poverty": "建档立卡贫困户",
    "five_guarantee": "五保户",
    "low_income": "低保户",
    "severe_disability": "重度残疾人",
    "level_1": "一级及以下医院",
    "level_2": "二级",
    "level_3": "三级医院",
    "physical": "肢体",
    "intellectual": "智力残疾",
}
DATES = {"date", "enrolled_on", "birth_date"}
AMOUNTS = {"total", "compliant", "basic_paid", "ytd_basic_paid"}
AMOUNTS |= {"ytd_critical_illness_base", "ytd_assistance_base"}


def _read(name: str) -> list[dict[str, str]]:
    with (HERE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _excel_date(text: str) -> str:
    """2018-09-14 as Excel displays a date cell: 2018/9/14."""
    day = dt.date.fromisoformat(text)
    return f"{day.year}/{day.month}/{day.day}"


def _clerk_value(column: str, text: str) -> str:
    if not text:
        return text
    if column in DATES:
        return _excel_date(text)
    if column == "categories":
        return "、".join(NAMES[c] for c in text.split(";"))
    return NAMES.get(text, text)


def _clerk_rows(rows: list[dict[str, str]], headers: dict[str, str]) -> list[list[str]]:
    columns = list(rows[0])
    out = [[headers.get(c, c) for c in columns]]
    out += [[_clerk_value(c, row[c]) for c in columns] for row in rows]
    return out


def _amount(text: str) -> Decimal:
    """An amount cell of the English example (thousands separators, full-width digits)."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in text)
    return Decimal(folded.replace(",", ""))


def _totals_row(rows: list[dict[str, str]], columns: list[str]) -> list[str]:
    """A clerk's own 合计 at the end: the sums of the bill columns."""
    sums = {c: sum((_amount(r[c]) for r in rows if r[c]), Decimal(0)) for c in ("total",)}
    sums["compliant"] = sum((_amount(r["compliant"]) for r in rows), Decimal(0))
    return [
        "合计" if c == "person_id" else (f"{sums[c]:,.2f}" if c in sums else "") for c in columns
    ]


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)  # as Excel writes it
    path.write_bytes(text.getvalue().encode("gb18030"))


def _write_xlsx(path: Path, rows: list[dict[str, str]], headers: dict[str, str]) -> None:
    """Real date cells and number cells, as a workbook a clerk typed would hold."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "住院明细"
    columns = list(rows[0])
    sheet.append([headers.get(c, c) for c in columns])
    for row in rows:
        cells: list[object] = []
        for c in columns:
            text = row[c]
            if not text:
                cells.append(None)
            elif c in DATES:
                cells.append(dt.datetime.fromisoformat(text))
            elif c in AMOUNTS:
                value = _amount(text)
                cells.append(int(value) if value == value.to_integral_value() else float(value))
            else:
                cells.append(_clerk_value(c, text))
        sheet.append(cells)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy/m/d"
            elif isinstance(cell.value, int | float):
                cell.number_format = "#,##0.00"
    book.properties.creator = "medcalc examples/make_clerk_files.py"
    book.properties.created = book.properties.modified = STAMP
    book.save(path)


def main() -> None:
    claims = _read("claims.csv")
    clerk = _clerk_rows(claims, CLAIM_HEADERS)
    clerk.append(_totals_row(claims, list(claims[0])))
    _write_csv(HERE / "claims_clerk.csv", clerk)
    _write_xlsx(HERE / "claims_clerk.xlsx", claims, CLAIM_HEADERS)
    premiums = _read("premiums.csv")
    _write_csv(HERE / "premiums_clerk.csv", _clerk_rows(premiums, PREMIUM_HEADERS))
    print(f"wrote claims_clerk.csv, claims_clerk.xlsx, premiums_clerk.csv in {HERE}")


if __name__ == "__main__":
    main()
