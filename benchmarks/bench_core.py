"""Throughput of the reference core: the full claims chain with explanations, one core.

    python benchmarks/bench_core.py [--people 20000] [--claims-per-person 5] [--seed 1]

Seeded synthetic people (a mix of ordinary, poor, five-guarantee, low-income and severely
disabled residents) with several claims each in 2018-2020 on the bundled Qingcheng tariff;
every claim gets its full explanation (profiles, segments, accumulations). Prints claims/s by
wall time and by CPU time (the process's own; the machine may be shared with other jobs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from medcalc import Calculator, Claim, Person, load_book

SERIES = "qingyuan-qingcheng"
CATEGORY_MIX = [
    (),
    (),
    ("poverty",),
    ("five_guarantee",),
    ("low_income",),
    ("poverty", "low_income"),
]
LEVELS = ["level_1", "level_2", "level_3"]


def workload(people: int, per_person: int, seed: int) -> list[tuple[Person, list[Claim]]]:
    rng = random.Random(seed)
    out = []
    for i in range(people):
        grade = rng.choice([None, None, None, 1, 3, 4])
        person = Person(
            categories=frozenset(rng.choice(CATEGORY_MIX)),
            disability_grade=grade,
            disability_type="physical" if grade else None,
            person_id=f"p{i}",
        )
        year = rng.choice([2018, 2019, 2020])
        claims = []
        for _ in range(per_person):
            compliant = Decimal(rng.randint(50_000, 30_000_000)) / 100
            total = compliant + Decimal(rng.randint(0, 500_000)) / 100
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            claims.append(Claim(day, compliant, rng.choice(LEVELS), total=total))
        out.append((person, claims))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--claims-per-person", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep every result of a round alive (as a program holding all results would)",
    )
    args = parser.parse_args()
    book = load_book()
    work = workload(args.people, args.claims_per_person, args.seed)
    n = sum(len(c) for _, c in work)
    wall, cpu = [], []
    for _ in range(args.repeat):
        calc = Calculator(book)  # a fresh calculator each round: profile derivation included
        start, start_cpu = time.perf_counter(), time.process_time()
        kept = []
        for person, claims in work:
            result = calc.claims(SERIES, person, claims)
            if args.keep:
                kept.append(result)
        cpu.append(n / (time.process_time() - start_cpu))
        wall.append(n / (time.perf_counter() - start))
        del kept
    held = "every result kept" if args.keep else "each result dropped"
    print(f"claims: {n}  full chain with explanations, one core, {held}")
    print(f"wall: median {statistics.median(wall):,.0f} claims/s  (best {max(wall):,.0f})")
    print(f"cpu:  median {statistics.median(cpu):,.0f} claims/s  (best {max(cpu):,.0f})")


if __name__ == "__main__":
    main()
