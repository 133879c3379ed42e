"""Throughput and peak memory of ``medcalc batch claims`` on a large unsorted CSV.

    .venv/bin/python benchmarks/bench_batch.py                    # 1,000,000 rows
    .venv/bin/python benchmarks/bench_batch.py -n 200000 --profile

Generates a seeded synthetic claims CSV (people with 1-8 claims a year in 2018-2020, shuffled,
a Chinese name and a free-text column carried through, some thousands separators), then runs
the batch in this process (rows/s of each stage, peak RSS) and as a subprocess
(``medcalc batch claims``: rows/s, the child's peak RSS). ``--profile`` prints
where the in-process time goes. Target: 50,000 rows/s on one core, under 1 GB peak.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from medcalc import Calculator, load_book
from medcalc.batchio import BatchJob

SERIES = "qingyuan-qingcheng"
CATEGORIES = ["", "", "", "poverty", "five_guarantee", "low_income", "poverty;low_income"]
LEVELS = ["level_1", "level_2", "level_3"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
HEADER = [
    "person_id",
    "姓名",
    "series",
    "categories",
    "disability_grade",
    "disability_type",
    "claim_id",
    "date",
    "hospital_level",
    "total",
    "compliant",
    "备注",
]


def _amount(rng: random.Random, low: int, high: int) -> str:
    fen = rng.randrange(low * 100, high * 100)
    text = f"{fen // 100}.{fen % 100:02d}"
    return f"{fen // 100:,}.{fen % 100:02d}" if rng.random() < 0.1 else text


def generate(path: Path, rows: int, seed: int) -> None:
    """Write ``rows`` shuffled claims rows (seeded) to ``path`` as UTF-8 CSV."""
    rng = random.Random(seed)
    out: list[list[str]] = []
    person = 0
    while len(out) < rows:
        person += 1
        pid = f"P{person:07d}"
        name = rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞")
        categories = rng.choice(CATEGORIES)
        grade = rng.choice(["", "", "", "", "1", "3", "4"])
        kind = rng.choice(["physical", "intellectual", "visual"]) if grade else ""
        year = rng.choice([2018, 2019, 2020])
        for k in range(rng.randint(1, 8)):
            compliant = _amount(rng, 500, 120_000)
            total = f"{float(compliant.replace(',', '')) * 1.15:.2f}"
            out.append(
                [
                    pid,
                    name,
                    SERIES,
                    categories,
                    grade,
                    kind,
                    f"{pid}-{k}",
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(LEVELS),
                    total,
                    compliant,
                    "住院结算" if rng.random() < 0.5 else "",
                ]
            )
    del out[rows:]
    rng.shuffle(out)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(out)


def _mb(maxrss: int) -> float:
    return maxrss / 1024  # Linux: kilobytes


def in_process(source: Path, out: Path, profile: bool) -> None:
    calc = Calculator(load_book())
    job = BatchJob.plan("claims", source, out)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(stage: str, _done: int, _total: int | None) -> None:
        now = time.perf_counter()
        if stage != last[1]:
            if last[1]:
                stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
            last[:] = [now, stage]

    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    report = job.run(calc, progress)
    if profiler is not None:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    stages[str(last[1])] = stages.get(str(last[1]), 0.0) + time.perf_counter() - float(last[0])
    rows = report.summary.rows
    print(
        f"in-process: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s "
        f"(CPU {cpu:.1f} s = {rows / cpu:,.0f} rows/s); "
        f"peak RSS {_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MB; "
        f"errors {report.summary.errors}"
    )
    print("  stages (wall): " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def _child(command: list[str]) -> tuple[int, float, float, str]:
    """Run ``command``; its exit code, peak RSS in MB and CPU seconds (os.wait4), stderr."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, _mb(usage.ru_maxrss), usage.ru_utime + usage.ru_stime, err


def as_subprocess(source: Path, out: Path, rows: int) -> None:
    run = "import sys; from medcalc.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", run, "batch", "claims", str(source), "-o", str(out)]
    start = time.perf_counter()
    code, peak, cpu, err = _child(command)
    elapsed = time.perf_counter() - start
    print(
        f"subprocess: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s "
        f"(CPU {cpu:.1f} s = {rows / cpu:,.0f} rows/s); peak RSS {peak:.0f} MB; exit {code}"
    )
    if code not in (0, 3):
        print(err, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=1_000_000, help="rows (1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--profile", action="store_true", help="profile the in-process run")
    parser.add_argument("--no-subprocess", action="store_true", help="skip the subprocess run")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args(argv)
    if args.generate is not None:
        generate(args.generate, args.rows, args.seed)
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        source = Path(tmp) / "claims.csv"
        start = time.perf_counter()
        # In a child process, so this process's peak RSS is the batch's alone.
        me = [sys.executable, __file__, "-n", str(args.rows), "--seed", str(args.seed)]
        code, _, _, err = _child([*me, "--generate", str(source)])
        if code:
            print(err, file=sys.stderr)
            return code
        size = source.stat().st_size / 1e6
        print(f"generated {args.rows} rows ({size:.0f} MB) in {time.perf_counter() - start:.1f} s")
        if not args.no_subprocess:
            as_subprocess(source, Path(tmp) / "out-sub.csv", args.rows)
        in_process(source, Path(tmp) / "out.csv", args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
