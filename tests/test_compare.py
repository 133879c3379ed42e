"""``medcalc compare`` (issue 16): each side equals ``batch``, totals equal the rows, comparing
a table with itself changes nothing, and the worked example of docs/compare.md by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcalc.batch import (
    CLAIM_RESULTS,
    PREMIUM_RESULTS,
    BatchJob,
    CompareJob,
    CompareTally,
    compare_json,
    compare_lines,
    compare_names,
    compare_results,
)
from medcalc.chain import Calculator
from medcalc.errors import TariffNotFoundError
from medcalc.tariff import Tariff, TariffBook, load_book, load_tariff

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
PROPOSAL = EXAMPLES / "proposal_threshold_3000.yaml"
SERIES = "qingyuan-qingcheng"
ENGINES = ("core", "fast")


@pytest.fixture(scope="module")
def book() -> TariffBook:
    return load_book(())


@pytest.fixture(scope="module")
def proposal() -> Tariff:
    return load_tariff(PROPOSAL)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def batch_rows(
    kind: str, source: Path, out: Path, book: TariffBook, engine: str
) -> list[dict[str, str]]:
    job = BatchJob.plan(kind, source, out, engine=engine, series=SERIES, columns="en")
    job.run(Calculator(book))
    return rows_of(out)


def only_version(proposal: Tariff) -> TariffBook:
    """The proposal installed as the only version of its series, in force on every day."""
    return TariffBook.of(
        [attrs.evolve(proposal, effective_from=dt.date(1900, 1, 1), effective_to=None)]
    )


# -- the tariff floor --------------------------------------------------------------------------


def test_with_proposal_replaces_every_version_in_its_ranges(
    book: TariffBook, proposal: Tariff
) -> None:
    proposed = book.with_proposal(proposal)
    old = book.versions(SERIES)
    new = proposed.versions(SERIES)
    assert [(t.effective_from, t.effective_to) for t in new] == [
        (t.effective_from, t.effective_to) for t in old
    ]
    assert {t.version for t in new} == {"2018.1-threshold-3000"}
    assert {t.sha256 for t in new} == {proposal.sha256}
    assert (
        proposed.in_force(SERIES, dt.date(2019, 6, 1)).critical_illness == proposal.critical_illness
    )
    with pytest.raises(TariffNotFoundError):
        proposed.in_force(SERIES, dt.date(2017, 12, 31))  # no version then: an error on both sides


def test_a_proposal_of_another_series_is_a_clear_error(book: TariffBook, proposal: Tariff) -> None:
    other = attrs.evolve(proposal, series="elsewhere")
    with pytest.raises(TariffNotFoundError) as caught:
        book.with_proposal(other)
    assert "'elsewhere'" in str(caught.value)
    assert SERIES in str(caught.value)
    assert str(PROPOSAL) in str(caught.value)


# -- each side is `batch` ----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("kind", "source", "results"),
    [
        ("claims", EXAMPLES / "claims.csv", CLAIM_RESULTS),
        ("claims", EXAMPLES / "claims_clerk.xlsx", CLAIM_RESULTS),
        ("premiums", EXAMPLES / "premiums.csv", PREMIUM_RESULTS),
    ],
)
def test_each_side_is_batch(
    tmp_path: Path,
    book: TariffBook,
    proposal: Tariff,
    engine: str,
    kind: str,
    source: Path,
    results: tuple[str, ...],
) -> None:
    """base_* is `batch` under the tables in force; proposal_* is `batch` with the proposal
    installed as the only version; the change is proposal − base; the error is batch's."""
    out = tmp_path / "compare.csv"
    report = CompareJob.plan(kind, source, out, engine=engine, series=SERIES, columns="en").run(
        book, proposal
    )
    expected = "core"
    if engine == "fast" and kind == "claims":  # CSV out: the columnar reader when it can
        expected = "columnar" if source.suffix == ".csv" else "engine"
    assert report.engine == expected
    compared = rows_of(out)
    base = batch_rows(kind, source, tmp_path / "base.csv", book, engine)
    alone = batch_rows(kind, source, tmp_path / "alone.csv", only_version(proposal), engine)
    assert len(compared) == len(base) == len(alone)
    assert list(compared[0])[-len(compare_results(kind)) :] == list(compare_results(kind))
    sides = [r for r in results if r != "error"]
    for row, b, p in zip(compared, base, alone, strict=True):
        for r in sides:
            assert row[f"base_{r}"] == b[r], r
            assert row[f"proposal_{r}"] == p[r], r
        assert row["error"] == (b["error"] or p["error"])
        if kind == "claims" and not row["error"] and b["covered"]:
            change = Decimal(p["out_of_pocket"]) - Decimal(b["out_of_pocket"])
            assert Decimal(row["change_out_of_pocket"].lstrip("'")) == change


@pytest.mark.parametrize("engine", ENGINES)
def test_totals_are_the_sums_of_the_rows(
    tmp_path: Path, book: TariffBook, proposal: Tariff, engine: str
) -> None:
    out = tmp_path / "out.csv"
    report = CompareJob.plan(
        "claims", EXAMPLES / "claims.csv", out, engine=engine, series=SERIES
    ).run(book, proposal)
    rows = [r for r in rows_of(out) if not r["error"]]
    for total in report.summary.totals:
        assert total.base == sum(Decimal(r[f"base_{total.name}"]) for r in rows)
        assert total.proposal == sum(Decimal(r[f"proposal_{total.name}"]) for r in rows)
    for profile, cells in report.summary.by_profile:
        mine = [r for r in rows if r["base_critical_illness_profile"] == profile]
        for cell in cells:
            assert cell.base == sum(Decimal(r[f"base_{cell.name}"]) for r in mine)
    people: dict[str, Decimal] = {}
    for r in rows:
        people[r["person_id"]] = people.get(r["person_id"], Decimal(0)) + Decimal(
            r["change_out_of_pocket"].lstrip("'")
        )
    s = report.summary
    assert s.persons == len(people)
    assert s.better == sum(1 for c in people.values() if c < 0)
    assert s.worse == sum(1 for c in people.values() if c > 0)
    assert s.unchanged == sum(1 for c in people.values() if c == 0)
    assert [p.change for p in s.losses] == sorted(
        (c for c in people.values() if c > 0), reverse=True
    )


# -- the worked example (docs/compare.md), by hand ---------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_the_worked_example_by_hand(
    tmp_path: Path, book: TariffBook, proposal: Tariff, engine: str
) -> None:
    """P001 (建档立卡, poverty), claim C0001 of 2018-02-20 at a grade-2 hospital: total 45,000,
    compliant 38,000, the year's first stay.

    basic: (38,000 − 500) × 0.75 = 28,125.00; left of the compliant cost: 9,875.00.
    critical illness, ratio 0.50 + 0.05 = 0.55 on what is above the threshold:
      in force 10,000 × 0.5 = 5,000: (9,875 − 5,000) × 0.55 = 2,681.25
      proposal 10,000 × 0.3 = 3,000: (9,875 − 3,000) × 0.55 = 3,781.25   (+1,100.00 = 2,000 × 0.55)
    assistance 70 % of the rest: in force 7,193.75 × 0.7 = 5,035.625 → 5,035.63;
      proposal 6,093.75 × 0.7 = 4,265.625 → 4,265.63                    (−770.00)
    out of pocket, with the 7,000 not compliant: 7,000 + 7,193.75 − 5,035.63 = 9,158.12;
      proposal 7,000 + 6,093.75 − 4,265.63 = 8,828.12: change −330.00 (1,100 × 0.3).
    """
    out = tmp_path / "out.csv"
    CompareJob.plan("claims", EXAMPLES / "claims.csv", out, engine=engine, series=SERIES).run(
        book, proposal
    )
    row = next(r for r in rows_of(out) if r["claim_id"] == "C0001")
    assert (row["base_basic"], row["proposal_basic"]) == ("28125.00", "28125.00")
    assert (row["base_critical_illness"], row["proposal_critical_illness"]) == (
        "2681.25",
        "3781.25",
    )
    assert (row["base_assistance"], row["proposal_assistance"]) == ("5035.63", "4265.63")
    assert (row["base_out_of_pocket"], row["proposal_out_of_pocket"]) == ("9158.12", "8828.12")
    assert row["change_out_of_pocket"] == "'-330.00"  # a leading ' : Excel shows it as text
    assert row["proposal_tariff_version"] == "2018.1-threshold-3000"


# -- comparing a table with itself -------------------------------------------------------------

CATEGORIES = ["", "poverty", "low_income", "five_guarantee", "severe_disability"]
LEVELS = ["level_1", "level_2", "level_3"]


@st.composite
def claims_file(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for n in range(draw(st.integers(1, 12))):
        person = f"P{draw(st.integers(1, 4))}"
        rows.append(
            [
                person,
                draw(st.sampled_from(CATEGORIES)),
                f"C{n}",
                (dt.date(2018, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))).isoformat(),
                draw(st.sampled_from(LEVELS)),
                f"{draw(st.integers(0, 30_000_000)) / 100:.2f}",
            ]
        )
    return rows


def write_claims(path: Path, rows: list[list[str]]) -> Path:
    """A claims CSV of drawn rows (:func:`claims_file`) under their header."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["person_id", "categories", "claim_id", "date", "hospital_level", "compliant"]
        )
        writer.writerows(rows)
    return path


@settings(max_examples=25, deadline=None)
@given(rows=claims_file(), engine=st.sampled_from(ENGINES))
def test_comparing_a_table_with_itself_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], engine: str
) -> None:
    book = load_book(())
    itself = book.in_force(SERIES, dt.date(2018, 1, 1))
    where = tmp_path_factory.mktemp("self")
    source = write_claims(where / "claims.csv", rows)
    out = where / "out.csv"
    report = CompareJob.plan("claims", source, out, engine=engine, series=SERIES).run(book, itself)
    s = report.summary
    assert all(t.change == 0 for t in s.totals)
    assert all(c.change == 0 for _, cells in s.by_profile for c in cells)
    assert s.unchanged == s.persons and s.better == s.worse == 0
    assert not s.gains and not s.losses
    assert all(d == 0 for d in s.deciles)
    for row in rows_of(out):
        if not row["error"]:
            assert row["change_out_of_pocket"] == "0.00"


# -- names, summary rendering ------------------------------------------------------------------


def test_result_names_in_both_languages() -> None:
    en = compare_results("claims")
    zh = compare_names("claims", "zh")
    assert en[0] == "base_covered" and en[-2:] == ("change_out_of_pocket", "error")
    assert "base_critical_illness" in en and "proposal_assistance" in en
    assert zh[0] == "现行是否享受待遇"
    assert "方案大病保险" in zh and zh[-2:] == ("个人自付变化", "错误说明")
    assert compare_results("premiums")[-3:] == ("change_government", "change_individual", "error")


def test_summary_by_hand() -> None:
    """Three persons: A gains 3.00 over two rows, B loses 1.50, C unchanged."""
    tally = CompareTally("claims")
    # amounts: basic, critical illness, assistance, out of pocket (fen)
    tally.add("A", ["poverty"] * 4, [100, 200, 0, 1000], [100, 400, 0, 800], -200)
    tally.add("A", ["poverty"] * 4, [0, 0, 0, 500], [0, 100, 0, 400], -100)
    tally.add("B", ["base"] * 4, [100, 0, 0, 300], [100, 0, 0, 450], 150)
    tally.add("C", [None] * 4, [0, 0, 0, 700], [0, 0, 0, 700], 0)
    tally.error()
    s = tally.summary()
    assert (s.rows, s.compared, s.errors) == (5, 4, 1)
    oop = s.totals[-1]
    assert (oop.base, oop.proposal, oop.change) == (
        Decimal("25.00"),
        Decimal("23.50"),
        Decimal("-1.50"),
    )
    assert oop.percent == Decimal("-6.00")  # -1.50 / 25.00
    assert (s.persons, s.better, s.worse, s.unchanged) == (3, 1, 1, 1)
    assert [(p.person, p.change) for p in s.gains] == [("A", Decimal("-3.00"))]
    assert [(p.person, p.change) for p in s.losses] == [("B", Decimal("1.50"))]
    # sorted: -3.00, 0.00, 1.50; nearest rank ⌈k·3/10⌉
    assert s.deciles == tuple(Decimal(x) for x in ("-3.00",) * 4 + ("0.00",) * 3 + ("1.50",) * 4)
    document = compare_json(s, source="x.csv")
    assert document["totals"][-1] == {
        "amount": "out_of_pocket",
        "base": "25.00",
        "proposal": "23.50",
        "change": "-1.50",
        "change_percent": "-6.00",
    }
    assert json.loads(json.dumps(document)) == document
    assert "人数 3：受益 1，受损 1，不变 1" in "\n".join(compare_lines(s, "zh"))
    assert "3 persons: 1 better off, 1 worse off, 1 unchanged" in "\n".join(compare_lines(s, "en"))


def test_the_documented_summary_is_the_code_s(
    tmp_path: Path, book: TariffBook, proposal: Tariff
) -> None:
    """docs/compare.md §5 shows the summary of the worked example as the code prints it."""
    page = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    shown = page.split("## 5.", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    for engine in ENGINES:
        report = CompareJob.plan(
            "claims", EXAMPLES / "claims_2018.csv", tmp_path / "o.csv", engine=engine
        ).run(book, proposal)
        assert "\n".join(compare_lines(report.summary, "en", proposal)) + "\n" == shown
    for chart in ("totals.svg", "change.svg", "totals.png", "change.png"):
        assert (ROOT / "docs" / "compare" / chart).stat().st_size > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_an_error_on_one_side_is_named_and_counted(
    tmp_path: Path, book: TariffBook, engine: str
) -> None:
    """A proposal without grade-3 hospitals: a grade-3 stay is an error on the proposal side
    only; its base results are written, it has no change, and the summary counts it as an
    error (its amounts left out); the person's other rows are still compared."""
    text = PROPOSAL.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if "{id: level_3" not in line]
    path = tmp_path / "no_level_3.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    proposal = load_tariff(path)
    source = tmp_path / "claims.csv"
    source.write_text(
        "person_id,categories,claim_id,date,hospital_level,compliant\n"
        "P1,poverty,A,2018-02-01,level_2,20000\n"
        "P2,,B,2018-03-01,level_3,20000\n",
        encoding="utf-8",
    )
    for columns, named in (("en", "proposal: "), ("zh", "方案：")):
        out = tmp_path / f"out-{columns}.csv"
        report = CompareJob.plan(
            "claims", source, out, engine=engine, series=SERIES, columns=columns
        ).run(book, proposal)
        rows = rows_of(out)
        error = rows[1]["error" if columns == "en" else "错误说明"]
        assert error.startswith(named), error
        assert "level_3" in error
        if columns == "en":
            assert rows[1]["base_basic"] and not rows[1]["proposal_basic"]
            assert rows[1]["change_out_of_pocket"] == ""
            assert not rows[0]["error"] and rows[0]["change_out_of_pocket"]
    s = report.summary
    assert (s.rows, s.compared, s.errors) == (2, 1, 1)
    assert s.persons == 1
    assert s.totals[0].base == Decimal(rows_of(tmp_path / "out-en.csv")[0]["base_basic"])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", [".jsonl", ".xlsx"])
def test_jsonl_and_xlsx_out(
    tmp_path: Path, book: TariffBook, proposal: Tariff, engine: str, suffix: str
) -> None:
    out = tmp_path / f"out{suffix}"
    CompareJob.plan("claims", EXAMPLES / "claims.csv", out, engine=engine, series=SERIES).run(
        book, proposal
    )
    if suffix == ".jsonl":
        first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert first["base_critical_illness"] == "14146.00"
        assert first["change_out_of_pocket"] == "0.00"
        assert first["error"] is None
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
        header, first = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
        cells = dict(zip(header, first, strict=True))
        assert cells["base_critical_illness"] == 14146  # a number cell
        assert cells["change_out_of_pocket"] == 0


ODD = [
    # quoted cells, a comma in a carried cell, a formula-like one, full-width digits, a bad
    # row and a row depending on it, a blank line, a last 合计 row
    "person_id,备注,series,categories,date,hospital_level,compliant\n"
    'P1,"a, b",qingyuan-qingcheng,poverty,2018-02-01,level_2,"20,000.00"\n'
    "P1,=1+1,qingyuan-qingcheng,poverty,2018-03-01,level_3,９０００\n"
    "P2,,qingyuan-qingcheng,low_income,2018-13-01,level_1,100\n"
    "P2,,qingyuan-qingcheng,low_income,2018-05-01,level_1,8000\n"
    "\n"
    "P3,,qingyuan-qingcheng,,2016-05-01,level_1,8000\n"
    "P4,,qingyuan-qingcheng,five_guarantee,2019-05-01,level_1,58000.5\n"
    "合计,,,,,,103000\n",
    # a Chinese header, CRLF line ends, no series column
    "人员编号,人员类别,入院日期,医院等级,政策范围内费用\r\n"
    "P1,低保,2018-02-01,二级,20000\r\n"
    "P2,,2019-03-01,三级,150000\r\n",
]


@pytest.mark.parametrize("text", ODD)
@pytest.mark.parametrize("keep_formulas", [False, True])
def test_the_columnar_path_writes_the_row_path_s_bytes(
    tmp_path: Path, book: TariffBook, proposal: Tariff, text: str, keep_formulas: bool
) -> None:
    """Claims CSV to CSV: read by the columnar reader (fast) or by the reference (core), the
    same bytes and the same summary."""
    source = tmp_path / "claims.csv"
    source.write_bytes(text.encode("utf-8"))
    reports = []
    for engine in ENGINES:
        out = tmp_path / f"{engine}.csv"
        reports.append(
            CompareJob.plan(
                "claims", source, out, engine=engine, series=SERIES, keep_formulas=keep_formulas
            ).run(book, proposal)
        )
    assert [r.engine for r in reports] == ["core", "columnar"]
    assert (tmp_path / "core.csv").read_bytes() == (tmp_path / "fast.csv").read_bytes()
    assert reports[0].summary == reports[1].summary
    assert reports[0].totals_rows == reports[1].totals_rows


@settings(max_examples=25, deadline=None)
@given(rows=claims_file())
def test_the_columnar_path_on_drawn_files(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    book = load_book(())
    proposal = load_tariff(PROPOSAL)
    where = tmp_path_factory.mktemp("columnar")
    source = write_claims(where / "claims.csv", rows)
    outs = []
    for engine in ENGINES:
        out = where / f"{engine}.csv"
        outs.append(
            CompareJob.plan("claims", source, out, engine=engine, series=SERIES).run(book, proposal)
        )
    assert outs[1].engine == "columnar"
    assert (where / "core.csv").read_bytes() == (where / "fast.csv").read_bytes()
    assert outs[0].summary == outs[1].summary


@pytest.mark.parametrize(
    ("change", "base", "shown"),
    [
        ("1.00", "8.00", "12.50"),  # 1/8 = 12.5 %: exact
        ("-1.00", "3.00", "-33.33"),  # -33.333… %
        ("2.00", "3.00", "66.67"),  # 66.666… % rounds up
        ("0.01", "16.00", "0.06"),  # 0.0625 %: half up to 0.06 (0.0625 -> 0.06, not a tie)
        ("1.00", "200.00", "0.50"),
        ("-0.01", "200.00", "-0.01"),  # -0.005 %: a tie, away from zero
    ],
)
def test_a_percentage_is_rounded_half_up_whatever_the_context(
    change: str, base: str, shown: str
) -> None:
    """A change as a percentage of its base, to 0.01, half away from zero, the same under a
    3-digit decimal context (the summary never leans on the caller's context)."""
    from decimal import localcontext

    from medcalc.batch import AmountChange

    total = AmountChange("basic", Decimal(base), Decimal(base) + Decimal(change))
    with localcontext() as context:
        context.prec = 3
        assert total.percent == Decimal(shown)
    assert AmountChange("basic", Decimal(0), Decimal(change)).percent is None
