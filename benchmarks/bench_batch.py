"""Throughput and peak memory of ``medcalc batch claims`` (CSV in, CSV out), per engine.

    .venv/bin/python benchmarks/bench_batch.py                          # 1 M rows, --engine fast
    .venv/bin/python benchmarks/bench_batch.py -n 1000000 -n 10000000 --engine fast --engine core
    .venv/bin/python benchmarks/bench_batch.py -n 200000 --engine core --profile

Generates a seeded synthetic claims CSV (people with 1-8 claims a year in 2018-2020, shuffled
unless ``--order grouped``; a Chinese name and a free-text column carried through; 10 % of the
amounts with thousands separators, so quoted), then runs ``medcalc batch claims FILE -o OUT
--engine E`` as a subprocess for each engine and size (``--repeat`` times, each writing a new
OUT): wall time, CPU time (user + system, from ``os.wait4``: one core's work whatever the
machine), rows/s of both, and the child's peak RSS (``ru_maxrss``); first the same for a
1-row batch (the start-up). The child finds medcalc's bytecode cached (a temporary
PYTHONPYCACHEPREFIX, filled by a warm-up run), as an installed medcalc does, even where
PYTHONDONTWRITEBYTECODE is set; ``--cold`` runs it in the environment as it is.
``--check`` compares the outputs of the engines byte for byte. ``--profile`` runs the first
engine in this process: the wall and CPU time of each stage, then the top functions under
cProfile.
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
from typing import Any

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


def run_child(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[int, float, float, float, str]:
    """Run ``command``: exit code, wall s, CPU s (user + system), peak RSS MB, stderr."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, err


def _command(source: Path, out: Path, engine: str) -> list[str]:
    return [sys.executable, "-m", "medcalc", "batch", "claims", str(source), "-o", str(out),
            "--engine", engine, "--lang", "en"]  # fmt: skip


def child_environment(work: Path, cold: bool) -> dict[str, str] | None:
    """The batch's environment: as an installed medcalc runs, with its modules' bytecode
    cached (in ``work``, not in the checkout), unless ``cold``: then as given (where
    PYTHONDONTWRITEBYTECODE is set, every start compiles medcalc's modules again)."""
    if cold:
        return None
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def warm_up(work: Path, env: dict[str, str] | None) -> Path:
    """A 1-row claims file; run once per engine (unless ``env`` is None: cold), so that the
    timed runs find the bytecode cached."""
    tiny = work / "one-row.csv"
    with tiny.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(_person(random.Random(0), 1)[:1])
    if env is not None:
        for engine in ("fast", "core"):
            run_child(_command(tiny, work / "one-row-out.csv", engine), env)
    return tiny


def run(
    source: Path, out: Path, engine: str, rows: int, env: dict[str, str] | None = None
) -> dict[str, object]:
    """One ``medcalc batch claims`` subprocess; its figures."""
    code, wall, cpu, peak, err = run_child(_command(source, out, engine), env)
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


# The stages of the columnar path timed by --profile: (module, attribute path, label).
STAGES = [
    ("medcalc.batch._columnar", "_Reader.read", "read: every block parsed (total)"),
    ("medcalc.batch._columnar", "scan_block", "  scanning blocks: line ends, quotes"),
    ("medcalc.batch._columnar", "_utf8", "  UTF-8 check"),
    ("pyarrow.csv", "read_csv", "  tokenising (pyarrow)"),
    ("medcalc.batch._columnar", "_Reader._amounts", "  amounts to fen"),
    ("medcalc.batch._columnar", "_Reader._distinct", "  dates, series, levels, categories"),
    ("medcalc.batch._columnar", "_Reader._assemble", "  joining blocks, coding persons"),
    ("medcalc.batch._columnar", "solve", "batch rules and engine (total)"),
    ("medcalc.batch._columns", "compute", "  the engine"),
    ("medcalc.batch._columnar", "_Writer.write", "write: the output (total)"),
    ("medcalc.batch._columnar", "_Writer._lines", "  output lines: results joined to records"),
    ("medcalc.batch._columnar", "_amount_texts", "    fen to text"),
    ("os", "fsync", "fsync"),
]


def _timed(stages: dict[str, list[float]]) -> list[tuple[Any, str, Any]]:
    """Wrap the STAGES' functions to add their wall and CPU time to ``stages``; the
    originals, to restore."""
    import importlib

    undo = []
    for module, path, label in STAGES:
        owner: Any = importlib.import_module(module)
        *parents, name = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(*a: Any, _f: Any = original, _label: str = label, **k: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return _f(*a, **k)
            finally:
                spent = stages.setdefault(_label, [0.0, 0.0])
                spent[0] += time.perf_counter() - wall
                spent[1] += time.process_time() - cpu

        setattr(owner, name, timed)
        undo.append((owner, name, original))
    return undo


def profile(source: Path, out: Path, engine: str) -> None:
    """The batch in this process: wall and CPU time of its stages (wrapped functions, no
    profiler), then a second run under cProfile for the top functions."""
    wall, cpu = time.perf_counter(), time.process_time()
    from medcalc import Calculator, load_book
    from medcalc.batch import BatchJob

    for module in {m for m, _, _ in STAGES}:
        __import__(module)
    calc = Calculator(load_book())
    print(
        f"in-process: imports and loading the tariffs {time.perf_counter() - wall:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s CPU (modules imported already are not counted)"
    )
    stages: dict[str, list[float]] = {}
    undo = _timed(stages)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        report = BatchJob.plan("claims", source, out, engine=engine).run(calc, None)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        for owner, name, original in undo:
            setattr(owner, name, original)
    print(f"in-process run ({report.engine}): {wall:.2f} s wall, {cpu:.2f} s CPU")
    for label, (w, c) in stages.items():
        print(f"  {label:<46} {w:6.2f} s wall {c:6.2f} s CPU")
    profiler = cProfile.Profile()
    profiler.enable()
    BatchJob.plan("claims", source, out, engine=engine).run(calc, None)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def _parser() -> argparse.ArgumentParser:
    """The command line."""
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
    parser.add_argument(
        "--dir", type=Path, help="keep inputs here (reused when present; made when missing)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each engine (1)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="run the batch in this environment as it is (no bytecode cache when "
        "PYTHONDONTWRITEBYTECODE is set)",
    )
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # the child's job
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
        work.mkdir(parents=True, exist_ok=True)
        env = child_environment(Path(tmp), args.cold)
        tiny = warm_up(Path(tmp), env)
        _, wall, cpu, peak, _ = run_child(
            _command(tiny, Path(tmp) / "one-row-out.csv", engines[0]), env
        )
        print(
            f"# start-up (a 1-row batch, --engine {engines[0]}): {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU, peak RSS {peak:.0f} MB"
        )
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
                code, *_, err = run_child(me)
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
                for _ in range(args.repeat):
                    out.unlink(missing_ok=True)  # each run writes a new file, as a user's does
                    f = run(source, out, engine, rows, env)
                    if args.json:
                        print(json.dumps(f))
                        continue
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
