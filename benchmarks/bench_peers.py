"""``medcalc batch claims`` against a hand-written peer: the same claims chain in DuckDB SQL, on
the same generated file, in one run, on this machine (issue 17).

    .venv/bin/pip install duckdb                  # the peer only: not a medcalc dependency
    .venv/bin/python benchmarks/bench_peers.py                # 1 M shuffled claims, best of 3
    .venv/bin/python benchmarks/bench_peers.py --rows 200000 --repeat 5 --json

The peer (``shared/peers/duckdb_chain.py``, reproduced here: its generator, macros and query)
is what an analyst would write instead of using medcalc: the bundled qingyuan-qingcheng 2018
rules (basic by hospital level with the annual cap; critical illness on the year's accumulated
burden, for the poor the threshold halved, +5 points and no cap; medical assistance for the
poor, 70 % up to 50 000) as exact DECIMAL window functions. Persons are ordinary or poor
(``poverty``), 1-8 claims each in 2018, the rows shuffled.

Both read the CSV and write a CSV of every claim's amounts (wall time, CSV in -> CSV out):
medcalc as a subprocess (``medcalc batch claims FILE -o OUT``; its start-up included, with
its bytecode cached as an installed medcalc has it, unless ``--cold``), DuckDB in this
process (a new connection each run, ``SET threads``: 1 and 2). medcalc runs at each
``--threads`` count when its batch has that option, else once (one thread). Every claim's
four amounts are compared (medcalc vs DuckDB on one thread): 0 differences expected.
Printed: the best of ``--repeat`` runs of each, and the ratios DuckDB time / medcalc time
at the same thread count (issue 17's target: >= 1.5).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from bench_batch import child_environment
from bench_engine import machine

INSTALL = (
    "bench_peers needs DuckDB for the peer (not a medcalc dependency): .venv/bin/pip install duckdb"
)
AMOUNTS = ("basic", "critical_illness", "assistance", "out_of_pocket")

SQL = """
CREATE OR REPLACE TABLE out AS
WITH c AS (
  SELECT *, row_number() OVER () AS rid, categories = 'poverty' AS poor,
         CAST(compliant AS DECIMAL(18,2)) AS comp, CAST(total AS DECIMAL(18,2)) AS tot
  FROM read_csv('{src}', header = true, all_varchar = true)
), lv AS (
  SELECT *, CASE hospital_level WHEN 'level_1' THEN 200 WHEN 'level_2' THEN 500 ELSE 800 END::DECIMAL(18,2) AS ded,
            CASE hospital_level WHEN 'level_1' THEN 0.90 WHEN 'level_2' THEN 0.75 ELSE 0.65 END::DECIMAL(4,2) AS ratio
  FROM c
), b AS (
  SELECT *, round(greatest(comp - ded, 0) * ratio, 2) AS raw FROM lv
), b2 AS (
  SELECT *, sum(raw) OVER w AS cum FROM b
  WINDOW w AS (PARTITION BY person_id ORDER BY date, rid ROWS UNBOUNDED PRECEDING)
), b3 AS (
  SELECT *, least(cum, 250000) - least(cum - raw, 250000) AS basic FROM b2
), x AS (
  SELECT *, comp - basic AS i, sum(comp - basic) OVER w AS x_after FROM b3
  WINDOW w AS (PARTITION BY person_id ORDER BY date, rid ROWS UNBOUNDED PRECEDING)
), ci AS (
  SELECT *, fstar(x_after, poor) - fstar(x_after - i, poor) AS critical_illness FROM x
), y AS (
  SELECT *, i - critical_illness AS j,
         sum(i - critical_illness) OVER w AS y_after FROM ci
  WINDOW w AS (PARTITION BY person_id ORDER BY date, rid ROWS UNBOUNDED PRECEDING)
)
SELECT rid, person_id, claim_id, basic, critical_illness,
       astar(y_after, poor) - astar(y_after - j, poor) AS assistance,
       tot - basic - critical_illness - (astar(y_after, poor) - astar(y_after - j, poor)) AS out_of_pocket
FROM y ORDER BY rid;
COPY out TO '{dst}' (HEADER, DELIMITER ',');
"""  # noqa: E501 - the peer's query as written
MACROS = """
CREATE OR REPLACE MACRO seg(x, lo, hi, r) AS greatest(least(x, hi::DECIMAL(18,2)) - lo::DECIMAL(18,2), 0) * r;
CREATE OR REPLACE MACRO fbase(x) AS least(round(seg(x, 10000, 100000, 0.50) + seg(x, 100000, 200000, 0.60)
                                     + seg(x, 200000, 9999999999999999.99, 0.65), 2), 300000);
CREATE OR REPLACE MACRO fpoor(x) AS round(seg(x, 5000, 100000, 0.55) + seg(x, 100000, 200000, 0.65)
                                     + seg(x, 200000, 9999999999999999.99, 0.70), 2);
CREATE OR REPLACE MACRO fstar(x, poor) AS CASE WHEN poor THEN greatest(fbase(x), fpoor(x)) ELSE fbase(x) END;
CREATE OR REPLACE MACRO astar(y, poor) AS CASE WHEN poor THEN least(round(y * 0.70, 2), 50000) ELSE 0 END;
"""  # noqa: E501


def generate(path: Path, rows: int, seed: int = 20261207) -> None:
    """The peer's claims file: ``rows`` shuffled claims of 2018 (the peer's generator, seed)."""
    rng = np.random.default_rng(seed)
    per = rng.integers(1, 9, size=rows)
    persons = int(np.searchsorted(np.cumsum(per), rows)) + 1
    person = np.repeat(np.arange(persons), per[:persons])[:rows]
    poor = (rng.random(persons) < 0.2)[person]
    day = np.datetime64("2018-01-01") + rng.integers(0, 365, size=rows)
    comp = (rng.lognormal(9.4, 0.9, size=rows) * 100).astype(np.int64)
    big = rng.random(rows) < 0.02
    comp[big] = rng.integers(10_000_000, 60_000_000, size=int(big.sum()))
    tot = comp + rng.integers(0, 500_000, size=rows)
    level = rng.integers(1, 4, size=rows)
    order = rng.permutation(rows)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "series", "categories", "claim_id", "date", "hospital_level",
                    "total", "compliant"])  # fmt: skip
        for k in order:
            w.writerow([f"P{person[k]:07d}", "qingyuan-qingcheng", "poverty" if poor[k] else "",
                        f"C{k:08d}", str(day[k]), f"level_{level[k]}",
                        f"{tot[k] // 100}.{tot[k] % 100:02d}",
                        f"{comp[k] // 100}.{comp[k] % 100:02d}"])  # fmt: skip


def medcalc_threads() -> bool:
    """Whether this medcalc's batch takes ``--threads``."""
    shown = subprocess.run(
        [sys.executable, "-m", "medcalc", "batch", "claims", "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return "--threads" in shown.stdout


def time_medcalc(src: Path, dst: Path, threads: int | None, env: dict[str, str] | None) -> float:
    command = [sys.executable, "-m", "medcalc", "batch", "claims", str(src), "-o", str(dst),
               "--lang", "en"]  # fmt: skip
    if threads is not None:
        command += ["--threads", str(threads)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def time_duckdb(duckdb: Any, src: Path, dst: Path, threads: int) -> float:
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(MACROS)
    con.execute(SQL.format(src=src, dst=dst))
    con.close()
    return time.perf_counter() - start


def differences(medcalc_out: Path, duckdb_out: Path) -> int:
    """Claims whose four amounts differ between the two outputs (compared as decimals)."""
    with medcalc_out.open(newline="", encoding="utf-8-sig") as fh:
        ours = {r["claim_id"]: r for r in csv.DictReader(fh)}
    diff = 0
    with duckdb_out.open(newline="") as fh:
        for r in csv.DictReader(fh):
            mine = ours.pop(r["claim_id"], None)
            if mine is None or any(Decimal(r[k]) != Decimal(mine[k]) for k in AMOUNTS):
                diff += 1
    return diff + len(ours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="claims (default 1 M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept")
    parser.add_argument("--threads", type=int, action="append", help="thread counts (1, 2)")
    parser.add_argument("--dir", type=Path, help="where the files go (default: a temporary one)")
    parser.add_argument("--cold", action="store_true", help="medcalc without cached bytecode")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        import duckdb
    except ImportError:
        print(INSTALL, file=sys.stderr)
        return 2
    counts = args.threads or [1, 2]
    with tempfile.TemporaryDirectory(prefix="medcalc-peers-") as scratch:
        work = args.dir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        src = work / f"peer_claims_{args.rows}.csv"
        if not src.exists():
            generate(src, args.rows)
        env = child_environment(work, args.cold)
        threaded = medcalc_threads()
        ours: list[int | None] = list(counts) if threaded else [None]
        time_medcalc(src, work / "warm-up.csv", ours[0], env)  # bytecode cached, file in cache
        times: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for t in ours:
                name = "medcalc" if t is None else f"medcalc_{t}"
                times.setdefault(name, []).append(time_medcalc(src, work / f"{name}.csv", t, env))
            for t in counts:
                name = f"duckdb_{t}"
                times.setdefault(name, []).append(time_duckdb(duckdb, src, work / f"{name}.csv", t))
        first = "medcalc" if ours[0] is None else f"medcalc_{ours[0]}"
        diff = differences(work / f"{first}.csv", work / f"duckdb_{counts[0]}.csv")
    best = {k: min(v) for k, v in times.items()}
    ratios = {
        f"duckdb_{t}/medcalc{'' if t2 is None else '_' + str(t2)}": best[f"duckdb_{t}"]
        / best["medcalc" if t2 is None else f"medcalc_{t2}"]
        for t in counts
        for t2 in ours
        if t2 is None or t2 == t
    }
    if args.json:
        print(json.dumps({"rows": args.rows, "best_s": best, "runs_s": times, "ratios": ratios,
                          "claims_differing": diff, "duckdb": duckdb.__version__,
                          "cold": args.cold, "load_average": os.getloadavg()[0],
                          **machine()}))  # fmt: skip
        return 0
    info = machine()
    print(f"{info['cpu']}, nproc {info['nproc']}, Python {info['python']}, DuckDB "
          f"{duckdb.__version__}; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{args.rows:,} shuffled claims, CSV in -> CSV out, best of {args.repeat} (wall)")
    for name, value in best.items():
        label = "medcalc (one thread)" if name == "medcalc" else name.replace("_", ", threads ")
        print(f"  {label:24s} {value:6.2f} s  {args.rows / value:12,.0f} claims/s")
    print(f"  claims whose amounts differ (medcalc vs DuckDB): {diff}")
    for name, value in ratios.items():
        print(f"  {name:24s} {value:5.2f}x  (target >= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
