"""Throughput and peak memory of ``medcalc batch claims`` (CSV in, CSV out), per engine.

    .venv/bin/python benchmarks/bench_batch.py                          # 1 M rows, --engine fast
    .venv/bin/python benchmarks/bench_batch.py -n 1000000 -n 10000000 --engine fast --engine core
    .venv/bin/python benchmarks/bench_batch.py -n 200000 --engine core --profile

Generates a seeded synthetic claims CSV (people with 1-8 claims a year in 2018-2020, shuffled
unless ``--order grouped``; a Chinese name and a free-text column carried through; 10 % of the
amounts with thousands separators, so quoted), then runs ``medcalc batch claims FILE -o OUT
--engine E`` as a subprocess for each engine and size: wall time, CPU time (user + system,
from ``os.wait4``: one core's work whatever the machine), rows/s of both, and the child's peak
RSS (``ru_maxrss``). ``--check`` compares the outputs of the engines byte for byte.
``--profile`` runs the first engine in this process under cProfile and prints the stages.
Targets (issue 6): end-to-end CSV >= 1 M rows/s on one core, 10 M rows within 2 GB; issue 4:
1 M unsorted rows within 1 GB at >= 50,000 rows/s.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import platform
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def generate(path: Path, rows: int, seed: int, order: str = "shuffled") -> None:
    """Write ``rows`` claims rows (seeded) to ``path`` as UTF-8 CSV."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        done = 0
        person = 0
        while done < rows:
            # Generated and shuffled a million rows at a time: 10 M rows fit in memory.
            out: list[list[str]] = []
            while len(out) < min(1_000_000, rows - done):
                person += 1
                out.extend(_person(rng, person))
            del out[rows - done :]
            if order == "shuffled":
                rng.shuffle(out)
            else:
                out.sort(key=lambda r: (r[0], r[7]))
            writer.writerows(out)
            done += len(out)


def _person(rng: random.Random, person: int) -> list[list[str]]:
    pid = f"P{person:08d}"
    name = rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞")
    categories = rng.choice(CATEGORIES)
    grade = rng.choice(["", "", "", "", "1", "3", "4"])
    kind = rng.choice(["physical", "intellectual", "visual"]) if grade else ""
    year = rng.choice([2018, 2019, 2020])
    out = []
    for k in range(rng.randint(1, 8)):
        compliant = _amount(rng, 500, 120_000)
        total = f"{float(compliant.replace(',', '')) * 1.15:.2f}"  # test data, not the batch
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
    return out


def _child(command: list[str]) -> tuple[int, float, float, float, str]:
    """Run ``command``: exit code, wall s, CPU s (user + system), peak RSS MB, stderr."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, err


def run(source: Path, out: Path, engine: str, rows: int) -> dict[str, object]:
    """One ``medcalc batch claims`` subprocess; its figures."""
    command = [
        sys.executable,
        "-m",
        "medcalc",
        "batch",
        "claims",
        str(source),
        "-o",
        str(out),
        "--engine",
        engine,
        "--lang",
        "en",
    ]
    code, wall, cpu, peak, err = _child(command)
    if code not in (0, 3):
        print(err, file=sys.stderr)
    return {
        "rows": rows,
        "engine": engine,
        "exit": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rows_per_s_wall": round(rows / wall),
        "rows_per_s_cpu": round(rows / cpu),
        "peak_rss_mb": round(peak),
        "input_mb": round(source.stat().st_size / 1e6),
    }


def profile(source: Path, out: Path, engine: str) -> None:
    """The batch in this process under cProfile: stages (wall) and the top functions."""
    from medcalc import Calculator, load_book
    from medcalc.batchio import BatchJob

    calc = Calculator(load_book())
    job = BatchJob.plan("claims", source, out, engine=engine)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(stage: str, _done: int, _total: int | None) -> None:
        now = time.perf_counter()
        if stage != last[1]:
            stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
            last[:] = [now, stage]

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    report = job.run(calc, progress)
    profiler.disable()
    stages[str(last[1])] = stages.get(str(last[1]), 0.0) + time.perf_counter() - float(last[0])
    print(f"in-process ({report.engine}): {time.perf_counter() - start:.2f} s under cProfile")
    print(
        "  stages (wall, until the stage's first report): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
    )
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, action="append", help="rows (1,000,000)")
    parser.add_argument(
        "--engine",
        action="append",
        choices=["auto", "core", "fast"],
        help="engine to run (fast); repeat for several",
    )
    parser.add_argument("--order", choices=["shuffled", "grouped"], default="shuffled")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--check", action="store_true", help="compare the engines' outputs")
    parser.add_argument("--profile", action="store_true", help="profile the first engine")
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    parser.add_argument("--dir", type=Path, help="keep inputs here (reused when present)")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args(argv)
    sizes = args.rows or [1_000_000]
    engines = args.engine or ["fast"]
    if args.generate is not None:
        generate(args.generate, sizes[0], args.seed, args.order)
        return 0
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.dir or Path(tmp)
        for rows in sizes:
            source = work / f"claims-{rows}-{args.order}-{args.seed}.csv"
            if not source.exists():
                start = time.perf_counter()
                me = [
                    sys.executable,
                    __file__,
                    "-n",
                    str(rows),
                    "--seed",
                    str(args.seed),
                    "--order",
                    args.order,
                    "--generate",
                    str(source),
                ]
                code, *_, err = _child(me)
                if code:
                    print(err, file=sys.stderr)
                    return code
                print(
                    f"# generated {rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) "
                    f"in {time.perf_counter() - start:.0f} s"
                )
            outputs = []
            for engine in engines:
                out = Path(tmp) / f"out-{engine}.csv"
                figures = run(source, out, engine, rows)
                if args.json:
                    print(json.dumps(figures))
                else:
                    f = figures
                    print(
                        f"{rows:>11,} rows {args.order} --engine {engine:<4}: "
                        f"wall {f['wall_s']:7.2f} s = {f['rows_per_s_wall']:>9,} rows/s; "
                        f"CPU {f['cpu_s']:7.2f} s = {f['rows_per_s_cpu']:>9,} rows/s; "
                        f"peak RSS {f['peak_rss_mb']:>5,} MB; exit {f['exit']}"
                    )
                outputs.append(out)
            if args.check and len(outputs) > 1:
                first = outputs[0].read_bytes()
                same = all(o.read_bytes() == first for o in outputs[1:])
                print(f"# outputs {'identical' if same else 'DIFFERENT'} byte for byte")
                if not same:
                    return 1
            for out in outputs:
                out.unlink(missing_ok=True)
            if args.profile:
                profile(source, Path(tmp) / "out-profile.csv", engines[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
