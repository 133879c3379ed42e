"""Throughput and memory of the vectorised claims engine (medcalc.fast) against the reference
core (medcalc.Calculator), on seeded synthetic workloads over the bundled qingyuan-qingcheng
series (2018-2020).

    .venv/bin/python benchmarks/bench_engine.py --check          # 1 M and 10 M rows, both orders
    .venv/bin/python benchmarks/bench_engine.py --rows 1000000 --order shuffled
    .venv/bin/python benchmarks/bench_engine.py --json           # one JSON object per run
    .venv/bin/python benchmarks/bench_engine.py --rows 1000000 --threads 1 --threads 2

Each (rows, order) runs in a fresh process. Memory: the input columns' bytes, the RSS before
the engine runs, the peak RSS while it runs (the kernel's peak mark is restarted just before,
through /proc/self/clear_refs), and the process peak from getrusage (generating the workload
included). Times: the best of --repeat runs, wall and CPU (the machine may be shared).
``--check`` compares the engine's amounts with the reference core's on the sampled persons.

Workload: persons with 1-8 claims each in one calendar year (2018, 2019 or 2020, so all three
versions are used), 80 % ordinary residents and 20 % holding categories (poverty, low income,
five-guarantee, severe disability by grade, two categories at once); hospital levels 1-3;
compliant cost mostly 2 000-60 000 yuan with a tail up to 600 000 (basic and critical-illness
caps bind); a total on half of the claims, a settled basic_paid on 10 %, an enrolment date on
10 % of the persons (some claims before benefits start). ``grouped``: rows sorted by person and
date, as a claims system usually exports them; ``shuffled``: the same rows in random order (the
engine then sorts them).

``--threads N`` (repeatable; default 1): ``compute(..., threads=N)``, the chunks of whole
person-years and the sort of the keys on N threads.

Engine targets: >= 10 million claims/s for the full chain, grouped rows on one thread and
shuffled rows on two (issue 17); never slower on one thread; 10 M rows within 2 GB.
The reference core is timed on a subsample of whole persons and extrapolated (labelled so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np

SERIES = "qingyuan-qingcheng"
LEVELS = ("level_1", "level_2", "level_3")
KINDS: tuple[tuple[frozenset[str], int | None, float], ...] = (
    (frozenset(), None, 0.80),
    (frozenset({"poverty"}), None, 0.07),
    (frozenset({"low_income"}), None, 0.04),
    (frozenset({"five_guarantee"}), None, 0.02),
    (frozenset(), 2, 0.04),  # severe disability (grade 2): the category by its disability rule
    (frozenset({"low_income", "poverty"}), None, 0.02),
    (frozenset({"poverty"}), 1, 0.01),
)


def workload(rows: int, order: str, seed: int = 20180101) -> dict[str, Any]:
    """The columns of a seeded synthetic claims table (fen, days since 1970)."""
    rng = np.random.default_rng(seed)
    per_person = rng.integers(1, 9, size=rows // 2 + 8)  # 1-8 claims, 4.5 on average
    persons = int(np.searchsorted(np.cumsum(per_person), rows)) + 1
    person = np.repeat(np.arange(persons, dtype=np.int64), per_person[:persons])[:rows]
    year = rng.integers(2018, 2021, size=persons)
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    date = jan1.take(person) + rng.integers(0, 365, size=rows)
    shares = np.array([k[2] for k in KINDS])
    kind_of = rng.choice(len(KINDS), size=persons, p=shares / shares.sum())
    kind = kind_of.take(person).astype(np.int8)
    level = rng.integers(0, 3, size=rows).astype(np.int8)
    compliant = (rng.lognormal(9.4, 0.9, size=rows) * 100).astype(np.int64)
    big = rng.random(rows) < 0.02
    compliant[big] = rng.integers(10_000_000, 60_000_000, size=int(big.sum()))
    total = np.where(rng.random(rows) < 0.5, compliant + rng.integers(0, 500_000, rows), -1)
    paid_share = rng.integers(0, 101, size=rows)
    basic_paid = np.where(rng.random(rows) < 0.10, compliant * paid_share // 100, -1)
    enrolled_of = np.where(
        rng.random(persons) < 0.10,
        jan1 + rng.integers(-60, 300, size=persons),
        np.iinfo(np.int64).min,
    )
    enrolled = enrolled_of.take(person)
    cols = {
        "person": person,
        "date": date,
        "kind": kind,
        "level": level,
        "compliant": compliant,
        "total": total,
        "basic_paid": basic_paid,
        "enrolled_on": enrolled,
    }
    if order == "grouped":
        by = np.lexsort((date, person))
        cols = {k: v.take(by) for k, v in cols.items()}
    elif order == "shuffled":
        perm = rng.permutation(rows)
        cols = {k: v.take(perm) for k, v in cols.items()}
    else:
        raise SystemExit(f"--order: grouped or shuffled, not {order!r}")
    return cols


def table(cols: dict[str, Any]) -> Any:
    from medcalc.fast import ClaimTable, PersonKind

    kinds = tuple(PersonKind(c, g, None if g is None else "physical") for c, g, _ in KINDS)
    return ClaimTable(kinds=kinds, level_names=LEVELS, **cols)


def reference_rate(book: Any, cols: dict[str, Any], sample_rows: int) -> tuple[float, int, Any]:
    """Claims per CPU second of medcalc.Calculator over about ``sample_rows`` rows (the same
    whole persons in either row order); with what --check needs."""
    import datetime as dt
    from decimal import Decimal

    from medcalc import Calculator, Claim, Person
    from medcalc.fast import NAT

    person = cols["person"]
    rows = np.flatnonzero(person < max(1, sample_rows * 2 // 9))  # 4.5 claims a person
    rows = rows[np.lexsort((rows, person.take(rows)))]  # each person's claims in input order
    epoch = dt.date(1970, 1, 1).toordinal()

    def day(d: int) -> dt.date:
        return dt.date.fromordinal(int(d) + epoch)

    def amount(f: int) -> Decimal:
        return Decimal(int(f)).scaleb(-2)

    people: dict[int, tuple[Person, list[Claim]]] = {}
    for r in rows.tolist():
        cats, grade, _ = KINDS[int(cols["kind"][r])]
        enrolled = int(cols["enrolled_on"][r])
        p = people.setdefault(
            int(person[r]),
            (
                Person(
                    categories=cats,
                    disability_grade=grade,
                    disability_type=None if grade is None else "physical",
                    enrolled_on=None if enrolled == NAT else day(enrolled),
                ),
                [],
            ),
        )
        total, paid = int(cols["total"][r]), int(cols["basic_paid"][r])
        p[1].append(
            Claim(
                day(cols["date"][r]),
                amount(cols["compliant"][r]),
                LEVELS[int(cols["level"][r])],
                total=None if total < 0 else amount(total),
                basic_paid=None if paid < 0 else amount(paid),
            )
        )
    calc = Calculator(book)
    start = time.process_time()
    results = [calc.claims(SERIES, p, claims) for p, claims in people.values()]
    elapsed = time.process_time() - start
    return len(rows) / elapsed, len(rows), (rows, people, results)


def check(book: Any, cols: dict[str, Any], out: Any, sampled: Any) -> int:
    """Rows of the reference subsample where the engine differs (0 expected)."""
    rows, _people, results = sampled
    by_person: dict[int, list[int]] = {}
    for r in rows.tolist():
        by_person.setdefault(int(cols["person"][r]), []).append(r)
    bad = 0
    for members, result in zip(by_person.values(), results, strict=True):
        for r, c in zip(members, result.claims, strict=True):
            got = (
                int(out.basic[r]),
                int(out.critical_illness[r]),
                int(out.assistance[r]),
                int(out.out_of_pocket[r]),
                bool(out.covered[r]),
            )
            paid = (c.basic, c.critical_illness, c.assistance, c.out_of_pocket)
            want = (*(int(v.scaleb(2)) for v in paid), c.covered)
            bad += got != want
    return bad


def _status_mb(field: str) -> float:
    """VmRSS / VmHWM of this process from /proc (MB), or -1 where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1.0


def _reset_peak() -> bool:
    """Restart the kernel's peak-RSS mark (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def one(
    rows: int, order: str, repeat: int, sample: int, verify: bool, threads: int = 1
) -> dict[str, Any]:
    from medcalc.fast import compute
    from medcalc.tariff import load_book

    book = load_book()
    cols = workload(rows, order)
    tab = table(cols)
    inputs_mb = sum(v.nbytes for v in cols.values()) / 2**20
    before_mb = _status_mb("VmRSS")
    generation_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reset = _reset_peak()
    times, cpu = [], []
    out = None
    for _ in range(repeat):
        del out
        start, start_cpu = time.perf_counter(), time.process_time()
        out = compute(book, SERIES, tab, threads=threads)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = min(times)
    best_cpu = min(cpu)
    errors = int((out.error >= 0).sum())
    result: dict[str, Any] = {
        "rows": rows,
        "order": order,
        "threads": threads,
        "engine_s": best,
        "engine_claims_per_s": rows / best,
        "engine_cpu_s": best_cpu,
        "engine_claims_per_cpu_s": rows / best_cpu,
        "runs": [round(t, 4) for t in times],
        "load_average": os.getloadavg()[0],
        "row_errors": errors,
        "covered": int(out.covered.sum()),
        "input_columns_mb": inputs_mb,
        "rss_before_mb": before_mb,
        "peak_in_compute_mb": _status_mb("VmHWM") if reset else -1.0,
        "peak_before_compute_mb": generation_mb,
        # getrusage's peak; since the reset above (where it worked), that of the compute runs
        "peak_rss_mb": max(
            generation_mb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
    }
    if sample:
        rate, sampled_rows, sampled = reference_rate(book, cols, sample)
        result.update(
            reference_sample_rows=sampled_rows,
            reference_claims_per_s=rate,
            reference_extrapolated_s=rows / rate,
        )
        if verify:
            result["mismatched_rows_in_sample"] = check(book, cols, out, sampled)
    return result


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": model,
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (default 1M and 10M)")
    parser.add_argument("--order", action="append", choices=("grouped", "shuffled"),
                        help="row order (default both)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="engine runs, best kept (default 3)")
    parser.add_argument(
        "--sample", type=int, default=20_000, help="rows timed with the reference (0: skip)"
    )
    parser.add_argument(
        "--check", action="store_true", help="also compare the engine with the reference there"
    )
    parser.add_argument("--threads", type=int, action="append", help="engine threads (default 1)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print JSON lines only")
    args = parser.parse_args(argv)
    sizes = args.rows or [1_000_000, 10_000_000]
    orders = args.order or ["grouped", "shuffled"]
    counts = args.threads or [1]
    if args.child:
        run = one(sizes[0], orders[0], args.repeat, args.sample, args.check, counts[0])
        print(json.dumps(run))
        return 0
    info = machine()
    if not args.json:
        print(
            f"{info['cpu']}, nproc {info['nproc']}, Python {info['python']}, "
            f"numpy {info['numpy']}\n"
        )
    for rows, order, threads in ((r, o, t) for r in sizes for o in orders for t in counts):
        cmd = [sys.executable, __file__, "--child", "--rows", str(rows), "--order", order,
               "--repeat", str(args.repeat), "--sample", str(args.sample),
               "--threads", str(threads)]  # fmt: skip
        if args.check:
            cmd.append("--check")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        r = json.loads(done.stdout)
        if args.json:
            print(json.dumps({**r, **info}))
            continue
        line = (
            f"{rows:>11,} rows {order:<8} {threads} thread{'s' if threads > 1 else ' '}"
            f"  engine {r['engine_s']:6.3f} s wall = "
            f"{r['engine_claims_per_s'] / 1e6:5.2f} M claims/s, "
            f"{r['engine_cpu_s']:6.3f} s CPU = "
            f"{r['engine_claims_per_cpu_s'] / 1e6:5.2f} M claims/s;  load "
            f"{r['load_average']:.1f}\n{'':27}memory: input columns "
            f"{r['input_columns_mb']:.0f} MB, RSS before compute {r['rss_before_mb']:.0f} MB, "
            f"peak during compute {r['peak_in_compute_mb']:.0f} MB; process peak "
            f"(getrusage, generating the workload included) {r['peak_rss_mb']:.0f} MB"
        )
        if "reference_claims_per_s" in r:
            line += (
                f"\n{'':27}reference core, EXTRAPOLATED from {r['reference_sample_rows']:,} "
                f"rows: {r['reference_claims_per_s']:,.0f} claims/CPU s, so about "
                f"{r['reference_extrapolated_s']:,.0f} s for {rows:,} rows"
            )
        if "mismatched_rows_in_sample" in r:
            line += f"   mismatches {r['mismatched_rows_in_sample']}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
