"""Time ``diff_tariffs`` on two synthetic tariffs of N sources and N categories each.

    .venv/bin/python benchmarks/bench_tariff_diff.py 1000 2000 4000 8000

B is A with every third source and category left out and as many new ones added, so both
sides of the merge have runs of their own keys. The time per entry must stay flat as N grows:
the comparison is linear in the size of the tables (before, 8,000 sources took 26 s).
"""

from __future__ import annotations

import argparse
import sys
import time

from medcalc.tariff import diff_tariffs, parse_tariff

HEADER = """\
format: 1
series: bench
version: "{version}"
title: {{zh: 基准}}
region: {{code: "441802", name: {{zh: 清城区}}}}
effective: {{from: 2018-01-01}}
status: illustrative
"""


def synthetic(ids: list[int], version: str) -> bytes:
    """A valid tariff with one source and one category per number in ``ids``."""
    sources = "".join(f"  - {{id: s{i}, title: 依据{i}}}\n" for i in ids)
    categories = "".join(f"  - {{id: c{i}, label: {{zh: 类{i}}}}}\n" for i in ids)
    head = HEADER.format(version=version)
    return f"{head}sources:\n{sources}categories:\n{categories}".encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", metavar="N", help="sources per tariff")
    args = parser.parse_args(argv)
    for n in args.sizes:
        a = parse_tariff(synthetic(list(range(n)), "a"), "a.yaml", max_bytes=None)
        kept = [i for i in range(n) if i % 3]
        added = list(range(n, n + n // 3))
        b = parse_tariff(synthetic(kept + added, "b"), "b.yaml", max_bytes=None)
        start = time.perf_counter()
        changes = diff_tariffs(a, b)
        took = time.perf_counter() - start
        print(
            f"{n:>8,} sources + categories  {len(changes):>7,} changes  {took:8.3f} s  "
            f"{took / n * 1e6:7.1f} µs per entry"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
