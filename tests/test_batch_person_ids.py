"""Person ids of every shape give the columnar path the reference core's persons.

The columnar reader codes person ids over the whole file from 64-bit keys where every id of
a block has one (1-8 printable ASCII bytes; a resident identity number, 17 digits and a check
character 0-9, X or x), and from the ids' texts where some id has none; a file may mix both
kinds of block. Whatever the mix, the claims of one person accumulate together and those of
two persons never do: the output, the summary and a comparison's lists of persons are the
reference core's.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from medcalc import Calculator, load_book, load_tariff
from medcalc.batch import BatchJob, CompareJob, write_summary

ROOT = Path(__file__).parents[1]
SERIES = "qingyuan-qingcheng"
PROPOSAL = ROOT / "examples" / "proposal_threshold_3000.yaml"
HEADER = ["person_id", "categories", "date", "hospital_level", "compliant", "total"]

#: Ids that differ in one character or in length only: each its own person. Identity numbers
#: with X and x are two people; "12345678" (bytes) and an 18-digit number are not confused;
#: a 17-digit text, an 18-character text that is not a number and a Chinese id have no key.
TRICKY = [
    "1",
    "12345678",
    "1234567",
    "A B",
    "~!@#$%^&",
    "11010119900307123X",
    "11010119900307123x",
    "110101199003071230",
    "010101199003071230",
    "00000000000000000X",
    "1101011990030712X3",
    "11010119900307123",
    "P-123456789",
    "张三",
]

_SHORT = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
_ID = st.builds(
    lambda digits, check: f"{digits:017d}{check}",
    st.integers(0, 10**17 - 1),
    st.sampled_from("0123456789Xx"),
)
_PERSON = st.one_of(
    _SHORT.filter(lambda t: len(t) <= 8),  # keyed as bytes
    _ID,  # keyed as a number
    _SHORT.filter(lambda t: 8 < len(t) <= 20),  # no key: the texts
    st.sampled_from(["张三", "李四", "Ｐ1"]),  # no key (the reference folds Ｐ1 to P1)
    st.sampled_from(["", " ", " P1"]),  # blank: no person (a row error); folded to P1
    st.sampled_from(TRICKY),
)


def claims_file(path: Path, persons: list[str], seed: int) -> Path:
    """Two to four claims a person in 2018, shuffled; every third person poor; a blank row
    for every seventh person."""
    rng = random.Random(seed)
    rows = [[""] * len(HEADER) for _ in range(len(persons) // 7)]
    for k, person in enumerate(persons):
        for _ in range(rng.randint(2, 4)):
            day = f"2018-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            compliant = rng.choice([800, 12000, 45000, 160000]) + rng.randint(0, 99) / 100
            rows.append(
                [
                    person,
                    "poverty" if k % 3 == 0 else "",
                    day,
                    rng.choice(["level_1", "level_2", "level_3"]),
                    f"{compliant:.2f}",
                    f"{compliant * 1.2:.2f}",
                ]
            )
    rng.shuffle(rows)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def batch_outputs(source: Path, tmp_path: Path, block_size: int) -> dict[str, tuple[str, bytes]]:
    calc = Calculator(load_book([], env={}))
    found = {}
    for engine in ("core", "fast"):
        out = tmp_path / f"{engine}.csv"
        job = BatchJob.plan("claims", source, out, engine=engine, threads=2, series=SERIES)
        report = job.run(calc, block_size=block_size)
        found[engine] = (report.engine, out.read_bytes() + repr(report.summary).encode())
    return found


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    persons=st.lists(_PERSON, min_size=1, max_size=40, unique=True),
    seed=st.integers(0, 99),
    block_size=st.integers(150, 2000),
)
@example(persons=TRICKY, seed=0, block_size=200)
@example(persons=TRICKY[:10], seed=1, block_size=1 << 20)  # one block, every id keyed
def test_every_id_shape_gives_the_reference_persons(
    tmp_path_factory: pytest.TempPathFactory, persons: list[str], seed: int, block_size: int
) -> None:
    """Ids of any shape, blocks of 150-2,000 bytes (keyed and not side by side): the core's
    output and summary."""
    tmp_path = tmp_path_factory.mktemp("ids")
    source = claims_file(tmp_path / "in.csv", persons, seed)
    found = batch_outputs(source, tmp_path, block_size)
    assert found["fast"][0] == "columnar"
    assert found["fast"][1] == found["core"][1]


def test_identity_numbers_differing_in_the_check_character_are_two_persons(
    tmp_path: Path,
) -> None:
    """Two level-2 stays of 20 000.00 in 2018 (bundled rules), by one person or by two.

    Basic: (20 000 - 500 deductible) x 75 % = 14 625.00 each; 5 375.00 left for the patient.
    Critical illness is on the year's accumulated burden above 10 000: one person has
    5 375 + 5 375 = 10 750 at the second stay, (10 750 - 10 000) x 50 % = 375.00, leaving
    5 000.00; two persons never reach it. ...X and ...x are two persons.
    """
    header = "person_id,date,hospital_level,compliant\r\n"
    calc = Calculator(load_book([], env={}))
    amounts = {}
    for name, (a, b) in {
        "x_and_X": ("11010119900307123X", "11010119900307123x"),
        "one_person": ("11010119900307123X", "11010119900307123X"),
    }.items():
        source = tmp_path / f"{name}.csv"
        stays = f"{a},2018-03-01,level_2,20000\r\n{b},2018-04-01,level_2,20000\r\n"
        source.write_text(header + stays, encoding="utf-8", newline="")
        out = tmp_path / f"{name}-out.csv"
        report = BatchJob.plan("claims", source, out, engine="fast", series=SERIES).run(calc)
        assert report.engine == "columnar"
        lines = out.read_text("utf-8-sig").splitlines()[1:]
        amounts[name] = [line.split(",")[5:9] for line in lines]  # basic .. out of pocket
    first = ["14625.00", "0.00", "0.00", "5375.00"]
    assert amounts["x_and_X"] == [first, first]
    assert amounts["one_person"] == [first, ["14625.00", "375.00", "0.00", "5000.00"]]


def test_comparison_names_keyed_persons_as_read(tmp_path: Path) -> None:
    """A comparison's lists of who gains and loses name the persons as the file writes them
    (identity numbers with their check character X or x, short ids), as the core names them.
    Few persons, so every one who gains is listed (the poor: the first of every three)."""
    persons = ["44010319800101003X", "P1", "P2", "44010319800101003x", "Q1", "Q2"]
    persons += [f"4401031980010100{k:02d}" for k in range(6)]
    source = claims_file(tmp_path / "in.csv", persons, seed=7)
    book = load_book([], env={})
    proposal = load_tariff(PROPOSAL)
    found = {}
    for engine in ("core", "fast"):
        out = tmp_path / f"{engine}.csv"
        job = CompareJob.plan("claims", source, out, engine=engine, series=SERIES)
        report = job.run(book, proposal)
        summary = tmp_path / f"{engine}.json"
        write_summary(summary, report.summary)
        found[engine] = (report.engine, out.read_bytes(), json.loads(summary.read_text("utf-8")))
    assert found["fast"][0] == "columnar"
    assert found["fast"][1:] == found["core"][1:]
    listed = {entry["person"] for entry in found["fast"][2]["largest_gains"]}
    assert {"44010319800101003X", "44010319800101003x"} <= listed <= set(persons)
