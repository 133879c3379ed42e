"""Time a full load of the tariff book (find, read, check and build every file).

    .venv/bin/python benchmarks/bench_load.py            # the bundled tariffs, 50 loads
    .venv/bin/python benchmarks/bench_load.py -n 200 --dir tests/good_tariffs

Target: under 50 ms per full load, so every CLI call can afford to load the whole book.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from medcalc.discovery import bundled_dir, load_book, tariff_files


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
    args = parser.parse_args(argv)
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
