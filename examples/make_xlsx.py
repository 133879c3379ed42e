"""Make ``claims.xlsx`` from ``claims.csv`` (next to this script): the same rows as text cells.

    .venv/bin/python examples/make_xlsx.py

Every cell is a text cell with the Text number format (``@``), as recommended for batch
workbooks: an amount typed into a Text cell stays exactly what was typed, while a number cell
holds a binary float, which ``medcalc batch`` refuses for amounts with decimals.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
#: Fixed document dates, so regenerating changes only what the rows change.
STAMP = dt.datetime(2024, 1, 1)


def main() -> None:
    with (HERE / "claims.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "claims"
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.number_format = "@"
    book.properties.creator = "medcalc examples/make_xlsx.py"
    book.properties.created = book.properties.modified = STAMP
    book.save(HERE / "claims.xlsx")

    # Read it back the way `medcalc batch` does, to prove every cell stayed text.
    check = openpyxl.load_workbook(HERE / "claims.xlsx", read_only=True)
    got = [[c or "" for c in r] for r in check.worksheets[0].iter_rows(values_only=True)]
    check.close()
    assert got == rows, "claims.xlsx does not hold exactly the rows of claims.csv"
    print(f"wrote {HERE / 'claims.xlsx'}: {len(rows) - 1} rows, all text cells")


if __name__ == "__main__":
    main()
