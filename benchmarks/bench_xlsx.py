"""XLSX writing and reading: openpyxl against XlsxWriter (write) and python-calamine (read).

    .venv/bin/python benchmarks/bench_xlsx.py                 # 200,000 rows, best of 3
    .venv/bin/python benchmarks/bench_xlsx.py -n 10000 -n 200000 --repeat 5

The same seeded rows for every library: a batch output row of 17 cells (the carried claims
columns as text, a Chinese name and a free-text note, then the results: ``covered`` as text,
the four amounts as numbers with the ``0.00`` format, the profile, tariff version and sha256
as text), as ``medcalc batch claims … -o OUT.xlsx`` writes it. Each library writes the rows the
way medcalc would use it (openpyxl: a write-only workbook, amounts as cells with a number
format; XlsxWriter: ``constant_memory``, ``write_string``/``write_number``), then each reader
reads one written file back, every cell's value (openpyxl: read-only, values only; calamine:
the first sheet as Python values). Wall and CPU time (this process's; the steadier figure on
a shared machine), each the best of ``--repeat`` runs, and rows per CPU second; the
written files are checked to read back the same under both readers (amounts compared as
``Decimal`` of the float's shortest repr).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
HEADER = [
    "person_id",
    "姓名",
    "series",
    "categories",
    "claim_id",
    "date",
    "hospital_level",
    "total",
    "compliant",
    "备注",
    "covered",
    "basic",
    "critical_illness",
    "assistance",
    "out_of_pocket",
    "critical_illness_profile",
    "tariff_version",
]
AMOUNT_COLUMNS = frozenset(range(11, 15))
SHA = "9f2c" * 16


def _fen(rng: random.Random, low: int, high: int) -> float:
    """A 2-decimal amount as the float an XLSX number cell holds (its shortest repr)."""
    return float(Decimal(rng.randrange(low, high)).scaleb(-2))


def rows(count: int, seed: int = 14) -> list[list[Any]]:
    """``count`` output rows (text and amounts), the same for every library."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        person = f"P{rng.randrange(count // 3 + 1):07d}"
        total = rng.randrange(100_00, 500_000_00)
        out.append(
            [
                person,
                rng.choice(SURNAMES) + "某",
                "qingyuan-qingcheng",
                rng.choice(["", "poverty", "low_income;poverty"]),
                f"C{i:08d}",
                f"20{rng.randrange(18, 21)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                rng.choice(["level_1", "level_2", "level_3"]),
                f"{total // 100}.{total % 100:02d}",
                f"{total * 8 // 1000}.{total * 8 // 10 % 100:02d}",
                "住院" if rng.random() < 0.5 else "",
                "yes",
                _fen(rng, 0, total),
                _fen(rng, 0, total),
                _fen(rng, 0, total // 4 + 1),
                _fen(rng, 0, total),
                "general",
                "2020-01",
            ]
        )
    return out


def write_openpyxl(path: Path, data: list[list[Any]]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("medcalc")
    sheet.append(HEADER)
    for row in data:
        cells: list[Any] = []
        for i, v in enumerate(row):
            if i in AMOUNT_COLUMNS:
                cell = WriteOnlyCell(sheet, v)
                cell.number_format = "0.00"
                cells.append(cell)
            else:
                cells.append(v)
        sheet.append(cells)
    book.save(path)


def write_xlsxwriter(path: Path, data: list[list[Any]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("medcalc")
    money = book.add_format({"num_format": "0.00"})
    for c, name in enumerate(HEADER):
        sheet.write_string(0, c, name)
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(data, start=1):
        for c, v in enumerate(row):
            if c in AMOUNT_COLUMNS:
                write_number(r, c, v, money)
            elif v != "":
                write_string(r, c, v)
    book.close()


def read_openpyxl(path: Path) -> list[tuple[Any, ...]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def read_calamine(path: Path) -> list[list[Any]]:
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _best(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (this process's) of ``repeat`` runs: on a
    shared machine the CPU time is the steadier figure."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def _amounts(table: list[Any]) -> list[list[Decimal]]:
    return [[Decimal(repr(float(row[i]))) for i in sorted(AMOUNT_COLUMNS)] for row in table[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rows", type=int, action="append", help="rows (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows or [200_000]:
            data = rows(n)
            print(f"{n:,} rows x {len(HEADER)} cells (best of {args.repeat})")
            files = {}
            for name, write in (("openpyxl", write_openpyxl), ("XlsxWriter", write_xlsxwriter)):
                path = Path(tmp) / f"{name}-{n}.xlsx"
                files[name] = path
                wall, cpu = _best(lambda w=write, p=path, d=data: w(p, d), args.repeat)
                print(
                    f"  write {name:<10} {wall:7.2f} s wall {cpu:7.2f} s CPU {n / cpu:9,.0f} rows/s"
                )
            for name, read in (("openpyxl", read_openpyxl), ("calamine", read_calamine)):
                path = files["XlsxWriter"]
                wall, cpu = _best(lambda r=read, p=path: r(p), args.repeat)
                print(
                    f"  read  {name:<10} {wall:7.2f} s wall {cpu:7.2f} s CPU {n / cpu:9,.0f} rows/s"
                )
            expected = _amounts([HEADER, *data])
            for writer, path in files.items():
                for reader in (read_openpyxl, read_calamine):
                    if _amounts(reader(path)) != expected:
                        raise SystemExit(
                            f"{writer}'s file read by {reader.__name__}: amounts differ"
                        )


if __name__ == "__main__":
    main()
