"""``medcalc compare claims`` against one ``medcalc batch claims`` run on the same file (issue 16).

    .venv/bin/python benchmarks/bench_compare.py                 # 1 M rows, --engine auto
    .venv/bin/python benchmarks/bench_compare.py -n 200000 --engine core

The claims file is bench_batch.py's (seeded, shuffled; people with 1-8 claims a year in
2018-2020); the proposal is examples/proposal_threshold_3000.yaml. Each command runs as a
subprocess with its bytecode cached (as bench_batch.py does): wall time, CPU time and peak
RSS of each, and the ratio compare / batch. Target (issue 16): within 2.5x one batch run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_batch import child_environment, generate, run_child

ROOT = Path(__file__).parent.parent
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"


def _batch(source: Path, out: Path, engine: str) -> list[str]:
    return [sys.executable, "-m", "medcalc", "batch", "claims", str(source), "-o", str(out),
            "--engine", engine, "--lang", "en"]  # fmt: skip


def _compare(source: Path, out: Path, engine: str) -> list[str]:
    return [sys.executable, "-m", "medcalc", "compare", "claims", str(source), "--proposal",
            str(PROPOSAL), "-o", str(out), "--engine", engine, "--lang", "en"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=1_000_000, help="rows (1,000,000)")
    parser.add_argument("--engine", default="auto", choices=["auto", "core", "fast"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="medcalc-bench-compare-") as tmp:
        work = Path(tmp)
        env = child_environment(work, cold=False)
        source = work / "claims.csv"
        generate(source, args.rows, args.seed)
        tiny = work / "tiny.csv"
        generate(tiny, 1, args.seed)
        for make in (_batch, _compare):  # warm-up: bytecode cached
            run_child(make(tiny, work / "warm.csv", args.engine), env)
        figures: dict[str, object] = {"rows": args.rows, "engine": args.engine}
        wall, cpu = {}, {}
        for name, make in (("batch", _batch), ("compare", _compare)):
            out = work / f"{name}.csv"
            code, wall[name], cpu[name], peak, err = run_child(make(source, out, args.engine), env)
            if code not in (0, 3):
                print(err, file=sys.stderr)
                return 1
            figures[name] = {
                "wall_s": round(wall[name], 2),
                "cpu_s": round(cpu[name], 2),
                "peak_rss_mb": round(peak),
            }
        figures["ratio_wall"] = round(wall["compare"] / wall["batch"], 2)
        figures["ratio_cpu"] = round(cpu["compare"] / cpu["batch"], 2)
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
