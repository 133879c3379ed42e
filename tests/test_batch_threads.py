"""``medcalc batch --threads N`` (issue 17): the output does not depend on the thread count.

The same input through ``--threads 1``, ``--threads 2`` and ``--engine core`` (the reference)
gives the same bytes: the examples and a generated file of shuffled rows (seeded). A thread
count outside 1..256 is a usage error (exit 2), worded in the run's language. No timings.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("numpy")
pytest.importorskip("pyarrow")

from medcalc import Calculator, load_book
from medcalc.batch import BatchJob, available_cores
from medcalc.cli import cli
from medcalc.errors import UsageError

ROOT = Path(__file__).parents[1]
EXAMPLES = ["claims.csv", "claims_2018.csv", "claims_clerk.csv"]
SERIES = "qingyuan-qingcheng"


def outputs(runner: CliRunner, source: Path, tmp_path: Path) -> dict[str, bytes]:
    """OUT of ``source`` at one and two threads and on the reference core."""
    runs = {
        "threads 1": ["--threads", "1"],
        "threads 2": ["--threads", "2"],
        "core": ["--engine", "core"],
    }
    found = {}
    for name, options in runs.items():
        out = tmp_path / f"{source.stem}-{name.replace(' ', '')}.csv"
        result = runner.invoke(cli, ["batch", "claims", str(source), "-o", str(out), *options])
        assert result.exit_code in (0, 3), result.output  # 3: some rows have an error
        found[name] = out.read_bytes()
    return found


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_same_bytes_at_any_thread_count(name: str, tmp_path: Path) -> None:
    found = outputs(CliRunner(), ROOT / "examples" / name, tmp_path)
    assert found["threads 1"] == found["threads 2"] == found["core"]


def shuffled_claims(path: Path, people: int, seed: int) -> int:
    """A claims CSV of ``people`` persons with 1-8 claims each over 2018-2020, some rows bad
    (a negative amount, an unknown level) and some blank, in shuffled order; the row count."""
    rng = random.Random(seed)
    rows = []
    for p in range(people):
        cats = rng.choice(["", "", "poverty", "low_income", "five_guarantee"])
        for _ in range(rng.randint(1, 8)):
            year = rng.choice([2018, 2019, 2020])
            compliant = f"{rng.randint(0, 250_000)}.{rng.randint(0, 99):02d}"
            level = rng.choice(["level_1", "level_2", "level_3"])
            odd = rng.random()
            if odd < 0.01:
                compliant = "-" + compliant
            elif odd < 0.02:
                level = "level_9"
            date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            rows.append([f"P{p:05d}", SERIES, cats, date, level, compliant, f"备注{p}"])
    rng.shuffle(rows)
    for at in rng.sample(range(len(rows)), 5):
        rows[at] = [""] * 7
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    header = ["person_id", "series", "categories", "date", "hospital_level", "compliant", "备注"]
    writer.writerows([header, *rows])
    path.write_text(text.getvalue(), encoding="utf-8", newline="")
    return len(rows)


def test_shuffled_file_same_bytes_at_any_thread_count(tmp_path: Path) -> None:
    source = tmp_path / "shuffled.csv"
    n = shuffled_claims(source, people=1500, seed=17)
    assert n > 4000
    found = outputs(CliRunner(), source, tmp_path)
    assert found["threads 1"] == found["threads 2"] == found["core"]


def test_small_blocks_read_side_by_side(tmp_path: Path) -> None:
    """Blocks of 256 KiB (pyarrow tokenises each in 128 KiB pieces on two threads) give the
    same bytes as one thread: the rows come back in their order."""
    source = tmp_path / "shuffled.csv"
    shuffled_claims(source, people=3000, seed=4)
    assert source.stat().st_size > 2 * (1 << 18)  # several blocks
    calc = Calculator(load_book([], env={}))
    found = []
    for threads in (1, 2, 3):
        out = tmp_path / f"out{threads}.csv"
        job = BatchJob.plan("claims", source, out, threads=threads)
        report = job.run(calc, block_size=1 << 18)
        assert report.engine == "columnar"
        assert job.threads == threads
        found.append(out.read_bytes())
    assert found[0] == found[1] == found[2]


@pytest.mark.parametrize(
    ("lang", "value", "message"),
    [
        ("en", "0", "Error: --threads 0: expected a whole number from 1 to 256"),
        ("en", "257", "Error: --threads 257: expected a whole number from 1 to 256"),
        ("zh", "0", "错误: --threads 0：线程数应为 1 至 256 之间的整数"),
        ("zh", "-1", "错误: --threads -1：线程数应为 1 至 256 之间的整数"),
    ],
)
def test_bad_thread_count_is_a_usage_error(
    lang: str, value: str, message: str, tmp_path: Path
) -> None:
    source = ROOT / "examples" / "claims.csv"
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["--lang", lang, "batch", "claims", str(source), "-o", str(out), "--threads", value]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_plan_refuses_a_thread_count_that_is_not_a_whole_number(tmp_path: Path) -> None:
    source = ROOT / "examples" / "claims.csv"
    for wrong in (True, 1.0, "2"):
        with pytest.raises(UsageError, match="expected a whole number from 1 to 256"):
            BatchJob.plan("claims", source, tmp_path / "o.csv", threads=wrong)  # type: ignore[arg-type]
    assert BatchJob.plan("claims", source, tmp_path / "o.csv").threads == 1  # the library's


def test_default_is_the_cores_available(tmp_path: Path) -> None:
    """The CLI's default: the cores this process may run on (at least one)."""
    cores = available_cores()
    assert cores >= 1
    help_text = CliRunner().invoke(cli, ["--lang", "en", "batch", "claims", "--help"]).output
    assert "--threads INTEGER" in help_text and "the cores available" in help_text
