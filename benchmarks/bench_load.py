"""Time a full load of the tariff book (find, read, check and build every file).

    .venv/bin/python benchmarks/bench_load.py            # the bundled tariffs, 50 loads
    .venv/bin/python benchmarks/bench_load.py -n 200 --dir tests/good_tariffs
    .venv/bin/python benchmarks/bench_load.py --sources 10000 80000 160000

Target: under 50 ms per full load, so every CLI call can afford to load the whole book.

``--sources N...`` checks one synthetic tariff per N, with N entries under ``sources`` and N
categories each named in ``medical_premium.government_pays`` (every id is looked up once),
and prints the time per entry: it must stay flat as N grows, i.e. checking is linear in the
file size. (Before issue 11, sources alone took 0.9 s at 10k and 114 s at 80k.) The size
limit (``MAX_BYTES``) is lifted for this, so sizes beyond a real file can be measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from medcalc.tariff import bundled_dir, load_book, parse_tariff, tariff_files

HEADER = """\
format: 1
series: bench
version: "1"
title: {zh: 基准}
region: {code: "441802", name: {zh: 清城区}}
effective: {from: 2018-01-01}
status: illustrative
"""


def synthetic(n: int) -> bytes:
    """A valid tariff with ``n`` sources and ``n`` categories, each category paid for."""
    sources = "".join(f"  - {{id: s{i}, title: 依据{i}}}\n" for i in range(n))
    categories = "".join(f"  - {{id: c{i}, label: {{zh: 类{i}}}}}\n" for i in range(n))
    pays = "".join(f"    c{i}: full\n" for i in range(n))
    return (
        f"{HEADER}sources:\n{sources}categories:\n{categories}"
        f"medical_premium:\n  contribution: 220\n  government_pays:\n{pays}  source: s0\n"
    ).encode()


def scaling(sizes: list[int]) -> None:
    for n in sizes:
        data = synthetic(n)
        start = time.perf_counter()
        parse_tariff(data, "synthetic.yaml", max_bytes=None)
        took = time.perf_counter() - start
        print(
            f"{n:>8,} sources + categories  {len(data):>12,} bytes  {took:8.2f} s  "
            f"{took / n * 1e6:6.1f} µs per entry  {took / len(data) * 1e6:5.2f} µs per byte"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=50, help="number of loads (default 50)")
    parser.add_argument(
        "--dir",
        type=Path,
        action="append",
        default=[],
        help="tariff directory to load instead of the bundled tables (repeatable)",
    )
    parser.add_argument(
        "--sources",
        type=int,
        nargs="+",
        metavar="N",
        help="time one synthetic tariff of N sources and N categories per N (linearity)",
    )
    args = parser.parse_args(argv)
    if args.sources:
        scaling(args.sources)
        return 0
    dirs: list[Path] = args.dir
    bundled = not dirs
    search = dirs or [d for d in [bundled_dir()] if d is not None]
    if not search:
        parser.error("no bundled tariffs found; give --dir")
    files = tariff_files(search)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        book = load_book(dirs, env={}, bundled=bundled)
        times.append((time.perf_counter() - start) * 1000)
    where = ", ".join(str(d) for d in search) + ("" if dirs else " (bundled)")
    print(f"{len(book.tariffs)} tariffs in {len(files)} files from {where}; {args.runs} loads")
    print(
        f"mean {statistics.mean(times):.2f} ms, median {statistics.median(times):.2f} ms, "
        f"min {min(times):.2f} ms, max {max(times):.2f} ms per full load (target < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
