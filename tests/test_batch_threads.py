"""``medcalc batch --threads N`` (issue 17) and ``medcalc compare --threads N``: the output
does not depend on the thread count.

The same input through ``--threads 1``, ``--threads 2`` and ``--engine core`` (the reference)
gives the same bytes: the examples and a generated file of shuffled rows (seeded); and, as a
property, any malformed file read in many small blocks (worked on side by side, taken back in
order) gives one thread's bytes, or its error, and the reference's. A comparison of a file of
many blocks gives the same OUT and summary at any thread count. A thread count outside
1..256 is a usage error (exit 2), worded in the run's language, for both commands. No timings.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")
pytest.importorskip("pyarrow")

from medcalc import Calculator, load_book, load_tariff
from medcalc.batch import BatchJob, CompareJob, available_cores, write_summary
from medcalc.cli import cli
from medcalc.errors import MedcalcError, UsageError

from support import PIECES, mutated

ROOT = Path(__file__).parents[1]
EXAMPLES = ["claims.csv", "claims_2018.csv", "claims_clerk.csv"]
SERIES = "qingyuan-qingcheng"
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"
#: The options each command needs beside FILE and -o OUT.
COMMANDS = {"batch": [], "compare": ["--proposal", str(PROPOSAL)]}


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


def test_threads_get_blocks_enough_to_share(tmp_path: Path) -> None:
    """On two threads a file of under eight 16 MiB blocks is cut into blocks of 1 MiB or
    more, about four per thread, so that both finish together; one thread reads it whole.
    The progress hook is told once per block read."""
    source = tmp_path / "shuffled.csv"
    shuffled_claims(source, people=15_000, seed=5)
    size = source.stat().st_size
    assert 4 << 20 < size < 8 << 20
    calc = Calculator(load_book([], env={}))
    blocks = {}
    for threads in (1, 2):
        reads: list[int] = []

        def progress(stage: str, done: int, total: int | None, seen: list[int] = reads) -> None:
            if stage == "read":
                seen.append(done)

        job = BatchJob.plan("claims", source, tmp_path / f"o{threads}.csv", threads=threads)
        job.run(calc, progress)
        assert reads[-1] == size
        blocks[threads] = len(reads)
    assert blocks[1] == 1
    assert blocks[2] == -(-size // (1 << 20))  # 1 MiB blocks: size / (4 x 2) is below 1 MiB


def test_compare_of_small_blocks_same_at_any_thread_count(tmp_path: Path) -> None:
    """A comparison read in blocks of 256 KiB on one, two and three threads (and solved and
    written on them) gives the same OUT and the same summary, those of the reference core."""
    source = tmp_path / "shuffled.csv"
    shuffled_claims(source, people=3000, seed=4)
    assert source.stat().st_size > 2 * (1 << 18)  # several blocks
    book = load_book([], env={})
    proposal = load_tariff(PROPOSAL)
    found = {}
    for engine, threads in (("fast", 1), ("fast", 2), ("fast", 3), ("core", 1)):
        out = tmp_path / f"{engine}{threads}.csv"
        job = CompareJob.plan("claims", source, out, engine=engine, threads=threads)
        assert job.job.threads == threads
        report = job.run(book, proposal, block_size=1 << 18)
        assert report.engine == ("columnar" if engine == "fast" else "core")
        summary = tmp_path / f"{engine}{threads}.json"
        write_summary(summary, report.summary)
        found[engine, threads] = (out.read_bytes(), summary.read_bytes())
    one = found["fast", 1]
    assert b"proposal_out_of_pocket" in one[0]
    assert json.loads(one[1])["persons"]["better_off"] > 0  # the proposal changes something
    assert found["fast", 2] == found["fast", 3] == found["core", 1] == one


# Forty copies of five rows (quoted amounts with separators, full-width digits, a doubled
# quote, Chinese text), each copy its own persons: some kilobytes, many blocks of 200-4,096
# bytes.
_ROWS = (
    'P{k}1,张三,2018-02-20,level_2,"38,000.00","45,000.00",,,首次住院\r\n'
    "P{k}1,张三,2018-09-14,level_3,72000,86000,,,\r\n"
    "P{k}2,李四,2019-03-02,level_1,９８００,,2,physical,全角\r\n"
    'P{k}3,王五,2020-06-11,level_2,1200.5,,,,"a ""q"", b"\r\n'
    "P{k}2,李四,2019-05-02,level_1,300,,2,physical,=x\r\n"
)
_MANY = (
    "person_id,姓名,date,hospital_level,compliant,total,disability_grade,disability_type,note\r\n"
    + "".join(_ROWS.format(k=k) for k in range(40))
).encode()


def _outcome(
    source: Path, out: Path, engine: str, threads: int, block: int
) -> tuple[str, str, bytes]:
    """What one run gives: the path that ran, its summary and bytes; or ``error``, its
    message (nothing written)."""
    if out.exists():
        out.unlink()
    calc = Calculator(load_book([], env={}))
    job = BatchJob.plan("claims", source, out, series=SERIES, engine=engine, threads=threads)
    try:
        report = job.run(calc, block_size=block)
    except MedcalcError as exc:
        assert not out.exists()
        return "error", f"{type(exc).__name__}: {exc}", b""
    return report.engine, repr(report.summary), out.read_bytes()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=mutated(_MANY, PIECES),
    block=st.integers(200, 4096),
    threads=st.integers(2, 4),
)
@example(data=_MANY, block=200, threads=2)
@example(data=_MANY.replace(b"P301,", b'"P301,'), block=512, threads=3)  # never closes
@example(data=_MANY.replace(b"P351,", b"P3\x0051,"), block=300, threads=2)  # NUL, late
@example(data=_MANY.replace(b"P201,", b"P2\xff01,"), block=300, threads=2)  # not UTF-8, late
@example(  # a stray quote swallowing rows in a late block, a NUL in a later one
    data=_MANY.replace(b"P311,", b'P311,"', 1)
    .replace(b"P320,", b'P320",', 1)
    .replace(b"P391,", b"P39\x001,"),
    block=256,
    threads=2,
)
def test_any_file_in_small_blocks_same_at_any_thread_count(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int, threads: int
) -> None:
    """A malformed file of many blocks: ``threads`` gives one thread's summary and bytes, or
    its error (the first in the file), and the reference's."""
    tmp_path = tmp_path_factory.mktemp("blocks")
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = tmp_path / "out.csv"
    one = _outcome(source, out, "fast", 1, block)
    assert _outcome(source, out, "fast", threads, block) == one  # the same path too
    assert _outcome(source, out, "core", 1, block)[1:] == one[1:]


@pytest.mark.parametrize("command", COMMANDS)
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
    command: str, lang: str, value: str, message: str, tmp_path: Path
) -> None:
    source = ROOT / "examples" / "claims.csv"
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli,
        [
            *("--lang", lang, command, "claims", str(source), "-o", str(out)),
            *COMMANDS[command],
            *("--threads", value),
        ],
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


@pytest.mark.parametrize("command", COMMANDS)
def test_default_is_the_cores_available(command: str) -> None:
    """The CLI's default, for batch and compare: the cores this process may run on (at
    least one)."""
    cores = available_cores()
    assert cores >= 1
    help_text = CliRunner().invoke(cli, ["--lang", "en", command, "claims", "--help"]).output
    assert "--threads INTEGER" in help_text and "the cores available" in help_text
