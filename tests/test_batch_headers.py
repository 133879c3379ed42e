"""Batch headers as clerks write them (issue 14): Chinese column names and their variants, result
columns in the header's language, a trailing totals row, and the default series."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from medcalc import Calculator, load_book
from medcalc.batch import (
    CLAIM_COLUMNS,
    CLAIM_RESULTS,
    HEADER_VARIANTS,
    PREMIUM_RESULTS,
    RESULT_NAMES_ZH,
    BatchJob,
    BatchReport,
    field_of,
    header_problem,
    result_names,
)
from medcalc.chain import FIELD_LABELS, LAYERS
from medcalc.cli import cli
from medcalc.errors import MedcalcError
from medcalc.tariff import TariffBook, default_series, section

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
SERIES = "qingyuan-qingcheng"
OTHER = "test-full"  # tests/good_tariffs/full.yaml, 2018 only


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book([ROOT / "tests" / "good_tariffs"], env={}))


def run(calc: Calculator, kind: str, source: Path, out: Path, **plan: Any) -> Any:
    """One batch run: its report, or the error's class and text."""
    try:
        return BatchJob.plan(kind, source, out, **plan).run(calc)
    except MedcalcError as exc:
        return (type(exc).__name__, str(exc).replace(str(source), "FILE"))


def both(calc: Calculator, tmp_path: Path, source: Path, **plan: Any) -> tuple[bytes, Any]:
    """The claims output of ``source`` by the reference and by ``--engine fast`` (the columnar
    path for CSV): asserted byte for byte the same, with the same report or error."""
    seen = {}
    for engine in ("core", "fast"):
        out = tmp_path / f"out-{engine}{plan.pop('suffix', '.csv')}"
        got = run(calc, "claims", source, out, engine=engine, **plan)
        if isinstance(got, BatchReport):
            seen[engine] = (
                out.read_bytes(),
                got.summary,
                got.replaced,
                got.columns,
                got.totals_rows,
            )
        else:
            seen[engine] = (b"", got)
    assert seen["fast"] == seen["core"]
    return seen["core"][0], seen["core"][1:]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def read_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def example(name: str) -> tuple[list[str], list[list[str]]]:
    rows = read_rows((EXAMPLES / name).read_bytes())
    return rows[0], rows[1:]


def names_of(field: str) -> list[str]:
    """Every name a header may give ``field``: its id, Chinese name, English label, variants."""
    zh, en = FIELD_LABELS[field]
    return [field, zh, en, *HEADER_VARIANTS.get(field, ())]


# -- one column at a time, each of its names ---------------------------------------------------


@pytest.mark.parametrize("field", CLAIM_COLUMNS)
def test_each_claims_column_by_each_of_its_names(
    calc: Calculator, tmp_path: Path, field: str
) -> None:
    """A claims column named by its id, Chinese name, English label or any variant gives the
    example's very results, by both engines (the other columns' ids keep the names English)."""
    header, rows = example("claims.csv")
    base, _ = both(calc, tmp_path, EXAMPLES / "claims.csv")
    at = header.index(field)
    for name in names_of(field):
        renamed = [name if i == at else h for i, h in enumerate(header)]
        source = write_csv(tmp_path / "in.csv", renamed, rows)
        got, (summary, _, columns, _) = both(calc, tmp_path, source)
        assert (columns, summary.errors) == ("en", 0), name
        assert read_rows(got)[0] == [*renamed, *CLAIM_RESULTS]
        assert read_rows(got)[1:] == read_rows(base)[1:], name


@pytest.mark.parametrize("field", ["year", "birth_date", "pension_grade", "categories"])
def test_each_premiums_column_by_each_of_its_names(
    calc: Calculator, tmp_path: Path, field: str
) -> None:
    """A premiums column by any of its names gives the example's results."""
    header, rows = example("premiums.csv")
    run(calc, "premiums", EXAMPLES / "premiums.csv", tmp_path / "base.csv")
    base = read_rows((tmp_path / "base.csv").read_bytes())
    at = header.index(field)
    for name in names_of(field):
        renamed = [name if i == at else h for i, h in enumerate(header)]
        source = write_csv(tmp_path / "in.csv", renamed, rows)
        report = run(calc, "premiums", source, tmp_path / "out.csv")
        assert isinstance(report, BatchReport), report
        assert read_rows((tmp_path / "out.csv").read_bytes())[1:] == base[1:], name


@pytest.mark.parametrize(
    ("written", "field"),
    [
        (" 人员 编号 ", "person_id"),
        ("Person ID", "person_id"),
        ("PERSON_ID", "person_id"),
        ("总费用（元）", "total"),
        ("合规费用(元)", "compliant"),
        ("政策范围内费用 (yuan)", "compliant"),
        ("ＴＯＴＡＬ", "total"),
        ("\ufeff个人编号", "person_id"),
        ("年度累计大病费用", "ytd_critical_illness_base"),
        ("本年救助累计基数", "ytd_assistance_base"),
        ("年度累计大病", None),  # the base, or what was paid? refused: header_problem
        ("年度累计统筹支付", "ytd_basic_paid"),
        ("总费用（万元）", None),  # ten-thousands: not the yuan amount
        ("姓名", None),
    ],
)
def test_how_header_names_are_matched(written: str, field: str | None) -> None:
    """NFKC, spaces, case and ``_`` aside, and a unit of yuan dropped; 万元 is not yuan."""
    assert field_of(written) == field


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("总费用（万元）", "holds amounts in 万元, not yuan"),
        ("合规费用/千元", "holds amounts in 千元, not yuan"),
        ("统筹支付万元", "holds amounts in 万元, not yuan"),
        ("年度累计大病", "may mean the accumulated base or what was paid"),
        ("救助累计", "may mean the accumulated base or what was paid"),
        ("出生日期（年月日）", None),  # not an amount: its unit changes nothing here
        ("总费用/元", None),
        ("总费用 元", None),
        ("备注（万元）", None),  # no field: carried through
    ],
)
def test_a_header_in_another_unit_or_ambiguous_is_refused(
    written: str, problem: str | None
) -> None:
    """An amount column in 万元 would be read as yuan, and 年度累计大病 may be what was paid:
    a silent wrong amount either way, so the file is refused naming the column."""
    found = header_problem("in.csv", written)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_a_file_with_a_column_in_wan_yuan_is_refused(tmp_path: Path, engine: str) -> None:
    """Before: 总费用（万元） was carried through and the total defaulted to the compliant cost
    (out of pocket 4,875.00 instead of 6,875.00). Now nothing is written."""
    source = tmp_path / "in.csv"
    source.write_text(
        "人员编号,入院日期,医院等级,总费用（万元）,政策范围内费用\nP1,2019-04-01,二级医院,2.00,18000.00\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["batch", "claims", str(source), "-o", str(out), "--engine", engine]
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"错误: {source}：列 '总费用（万元）' 的金额单位是 万元，不是元：请换算成元\n"
    )
    assert not out.exists()


def test_every_field_has_its_chinese_name() -> None:
    """The Chinese names are the chain's FIELD_LABELS; each variant names one field only."""
    for field, (zh, _) in FIELD_LABELS.items():
        assert field_of(zh) == field
    for field, variants in HEADER_VARIANTS.items():
        assert all(field_of(v) == field for v in variants), field


# -- two columns for one field -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("人员编号", "person_id"), ("个人编号", "人员编号"), ("总费用", "total cost")],
)
def test_two_columns_for_one_field_name_both(
    calc: Calculator, tmp_path: Path, first: str, second: str
) -> None:
    """Two columns meaning one field are an error naming both as written, with their places."""
    field = field_of(first)
    header = [first, "date", "compliant", second]
    source = write_csv(tmp_path / "in.csv", header, [["P1", "2018-01-02", "100", "P1"]])
    _, (error,) = both(calc, tmp_path, source, series=SERIES)
    assert error == (
        "BatchFileError",
        f"FILE: the header has column {field!r} twice: {first!r} (column 1) and {second!r} "
        "(column 4); keep one",
    )


def test_two_json_keys_for_one_field(calc: Calculator, tmp_path: Path) -> None:
    """JSON Lines keys are names as a header's are: 人员编号 and person_id on one line clash."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"人员编号": "P1", "入院日期": "2018-01-02", "合规费用": "100", "person_id": "P1"}\n',
        encoding="utf-8",
    )
    got = run(calc, "claims", source, tmp_path / "out.jsonl", series=SERIES)
    assert got == (
        "BatchFileError",
        "FILE: line 1 has column 'person_id' twice (keys '人员编号' and 'person_id')",
    )


# -- result columns in the header's language ----------------------------------------------------


def chinese(header: Sequence[str]) -> list[str]:
    """The example's header with every known column by its Chinese name."""
    return [FIELD_LABELS[h][0] if h in FIELD_LABELS else h for h in header]


def test_result_names_come_from_the_layers() -> None:
    """Each layer's result column is its tariff section's label; the others as documented."""
    names = dict(zip(CLAIM_RESULTS, result_names(CLAIM_RESULTS, "zh"), strict=True))
    for layer in LAYERS:
        label = section(layer.section).label.zh
        assert names[layer.id] == label  # 大病保险, 医疗救助
        if f"{layer.id}_profile" in names:
            assert names[f"{layer.id}_profile"] == f"{label}适用标准"
    assert (names["covered"], names["basic"], names["out_of_pocket"], names["error"]) == (
        "是否享受待遇",
        "基本医保",
        "个人自付",
        "错误说明",
    )
    assert result_names(CLAIM_RESULTS, "en") == CLAIM_RESULTS
    assert set(RESULT_NAMES_ZH) == set(CLAIM_RESULTS) | set(PREMIUM_RESULTS) | {
        f"{layer.id}_profile" for layer in LAYERS
    }


def test_a_chinese_header_gives_chinese_results(calc: Calculator, tmp_path: Path) -> None:
    """Known columns named in Chinese: the result columns are named in Chinese and covered is
    是/否; the amounts are the English example's; both engines write the same bytes."""
    header, rows = example("claims.csv")
    base = read_rows(both(calc, tmp_path, EXAMPLES / "claims.csv")[0])
    source = write_csv(tmp_path / "in.csv", chinese(header), rows)
    got, (summary, _, columns, _) = both(calc, tmp_path, source)
    out = read_rows(got)
    assert columns == "zh" and summary.errors == 0
    assert out[0] == [*chinese(header), *result_names(CLAIM_RESULTS, "zh")]
    covered = len(header)
    assert {r[covered] for r in base[1:]} == {"yes", "no"}
    assert [r[covered] for r in out[1:]] == [
        {"yes": "是", "no": "否"}[r[covered]] for r in base[1:]
    ]
    assert [r[:covered] + r[covered + 1 :] for r in out[1:]] == [
        r[:covered] + r[covered + 1 :] for r in base[1:]
    ]


def test_errors_under_a_chinese_header(calc: Calculator, tmp_path: Path) -> None:
    """A row's error goes to 错误说明, said in Chinese like the result names (the message
    catalogue's translation), the same by both engines."""
    header = ["人员编号", "入院日期", "医院等级", "合规费用"]
    rows = [["P1", "2018-01-02", "level_1", "12x"], ["P2", "2018-01-02", "level_1", "100"]]
    got, _ = both(calc, tmp_path, write_csv(tmp_path / "in.csv", header, rows), series=SERIES)
    out = [dict(zip(read_rows(got)[0], r, strict=True)) for r in read_rows(got)[1:]]
    assert out[0]["错误说明"] == "政策范围内费用：'12x' 不是金额（应写成如 1234.50 的数字）"
    assert (out[1]["错误说明"], out[1]["是否享受待遇"]) == ("", "是")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (["人员编号", "入院日期", "compliant"], "zh"),  # two of three
        (["人员编号", "date", "compliant", "姓名", "备注"], "en"),  # other columns do not count
        (["人员编号", "date", "医院等级", "compliant"], "zh"),  # a tie is Chinese
    ],
)
def test_the_header_language_is_that_of_most_known_columns(
    calc: Calculator, tmp_path: Path, header: list[str], lang: str
) -> None:
    """Chinese when at least half of the recognised columns are named in Chinese."""
    full = header
    row = {"人员编号": "P1", "入院日期": "2018-01-02", "date": "2018-01-02", "compliant": "100"}
    rows = [[row.get(h, "") for h in full]]
    _, (_, _, columns, _) = both(
        calc, tmp_path, write_csv(tmp_path / "in.csv", full, rows), series=SERIES
    )
    assert columns == lang


@pytest.mark.parametrize(("given", "header_of"), [("en", chinese), ("zh", list)])
def test_columns_option_overrides(
    runner: CliRunner, tmp_path: Path, given: str, header_of: Any
) -> None:
    """``--columns`` names the result columns whatever the header's language."""
    header, rows = example("claims.csv")
    source = write_csv(tmp_path / "in.csv", header_of(header), rows)
    for engine in ("core", "fast"):
        out = tmp_path / f"out-{engine}.csv"
        result = invoke(runner, "claims", source, "-o", out, "--columns", given, "--engine", engine)
        assert result.exit_code == 0, result.stderr
        got = read_rows(out.read_bytes())
        assert got[0][len(header) :] == list(result_names(CLAIM_RESULTS, given))
        assert got[1][len(header)] == {"en": "yes", "zh": "是"}[given]
    assert (tmp_path / "out-core.csv").read_bytes() == (tmp_path / "out-fast.csv").read_bytes()


def test_a_chinese_output_run_again(calc: Calculator, tmp_path: Path) -> None:
    """An output with Chinese result columns, run again, replaces them (the same file again);
    with ``--columns en`` they are replaced by the English ones, not carried."""
    header, rows = example("claims.csv")
    source = write_csv(tmp_path / "in.csv", chinese(header), rows)
    first = tmp_path / "first.csv"
    run(calc, "claims", source, first)
    again = run(calc, "claims", first, tmp_path / "again.csv", engine="fast")
    assert isinstance(again, BatchReport)
    assert again.replaced == result_names(CLAIM_RESULTS, "zh")
    assert (tmp_path / "again.csv").read_bytes() == first.read_bytes()
    english = run(calc, "claims", first, tmp_path / "en.csv", columns="en")
    assert isinstance(english, BatchReport)
    out = read_rows((tmp_path / "en.csv").read_bytes())
    assert out[0] == [*chinese(header), *CLAIM_RESULTS]
    assert out[1][len(header)] == "yes"


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl"])
def test_chinese_names_in_xlsx_and_json_lines(
    calc: Calculator, tmp_path: Path, suffix: str
) -> None:
    """An XLSX header and JSON Lines keys in Chinese are read and answered in Chinese."""
    header, rows = example("claims.csv")
    names = chinese(header)
    source = tmp_path / f"in{suffix}"
    if suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(names)
        for row in rows:
            sheet.append(row)
        book.save(source)
    else:
        lines = [json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in rows]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run(calc, "claims", source, tmp_path / "out.jsonl")
    assert isinstance(report, BatchReport) and report.columns == "zh"
    assert report.summary.errors == 0
    run(calc, "claims", EXAMPLES / "claims.csv", tmp_path / "base.jsonl")
    first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    base = json.loads((tmp_path / "base.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (first["人员编号"], first["是否享受待遇"]) == ("P001", "是")
    assert [first[name] for name in result_names(CLAIM_RESULTS, "zh")[1:]] == [
        base[name] for name in CLAIM_RESULTS[1:]
    ]
    assert "covered" not in first


def test_premiums_in_chinese(calc: Calculator, tmp_path: Path) -> None:
    """Premiums: Chinese names in, Chinese result names and 是/否 for pension_due out."""
    header, rows = example("premiums.csv")
    source = write_csv(tmp_path / "in.csv", chinese(header), rows)
    report = run(calc, "premiums", source, tmp_path / "out.csv")
    assert isinstance(report, BatchReport) and report.columns == "zh"
    out = read_rows((tmp_path / "out.csv").read_bytes())
    assert out[0][len(header) :] == list(result_names(PREMIUM_RESULTS, "zh"))
    due = [dict(zip(out[0], r, strict=True))["是否应缴养老保险"] for r in out[1:]]
    assert set(due) <= {"是", "否", ""} and "是" in due


@pytest.mark.parametrize(("columns", "covered"), [(None, "是否享受待遇"), ("en", "covered")])
def test_the_service_columns_option(tmp_path: Path, columns: str | None, covered: str) -> None:
    """The batch endpoint answers a Chinese header in Chinese, or as ``columns`` says; another
    value of ``columns`` is a 400 naming it."""
    from starlette.testclient import TestClient

    from medcalc.service import ServiceConfig, create_app

    header, rows = example("claims.csv")
    source = write_csv(tmp_path / "in.csv", chinese(header), rows)
    query = "" if columns is None else f"?columns={columns}"
    with TestClient(create_app(ServiceConfig())) as client:
        got = client.post(
            f"/v1/batch/claims{query}",
            content=source.read_bytes(),
            headers={"content-type": "text/csv"},
        )
        bad = client.post(
            "/v1/batch/claims?columns=fr",
            content=source.read_bytes(),
            headers={"content-type": "text/csv"},
        )
    assert got.status_code == 200
    assert read_rows(got.content)[0][len(header)] == covered
    assert bad.status_code == 400 and "columns: 'fr' is not one of zh, en" in bad.text


# -- a trailing totals row -----------------------------------------------------------------------

TOTALS_HEADER = ["person_id", "姓名", "date", "hospital_level", "compliant"]
TOTALS_ROWS = [
    ["P1", "张三", "2018-09-14", "level_3", "72000.00"],
    ["P2", "李四", "2018-03-02", "level_2", "18500"],
]


@pytest.mark.parametrize(
    "tail",
    [
        [["合计", "", "", "", "90500.00"]],
        [["合 计", "", "", "", "90500.00"], [""] * 5],
        [["小计", "", "", "", "90500.00"], [""] * 5, ["总计", "", "", "", "90500.00"]],
        [["Total:", "", "", "", "90500.00"]],
        [["", "合计", "", "", "90500.00"]],  # the first cell when the person cell is empty
    ],
)
def test_trailing_totals_rows(calc: Calculator, tmp_path: Path, tail: list[list[str]]) -> None:
    """Trailing 合计/总计/小计 rows are written back with empty results and reported as totals
    rows: neither rows nor errors nor blank rows; both engines alike."""
    header = TOTALS_HEADER
    if tail[0][0] == "":  # 合计 under 序号, a first column before person_id
        header = ["序号", "person_id", "date", "hospital_level", "compliant"]
    source = write_csv(tmp_path / "in.csv", header, TOTALS_ROWS + tail)
    got, (summary, _, _, totals) = both(calc, tmp_path, source, series=SERIES)
    numbers = tuple(4 + i for i, row in enumerate(tail) if any(row))
    between = sum(1 for row in tail[: max(numbers) - 4] if not any(row))  # blank, kept
    assert totals == numbers
    assert (summary.rows, summary.ok, summary.errors, summary.blank) == (2, 2, 0, between)
    out = read_rows(got)
    last = len(TOTALS_ROWS) + max(numbers) - 3
    assert len(out) == last + 1  # the totals rows are kept; nothing after them
    for number in numbers:
        assert out[number - 1] == [*tail[number - 4], *[""] * len(CLAIM_RESULTS)]


def test_a_totals_row_in_the_middle_is_an_ordinary_row(calc: Calculator, tmp_path: Path) -> None:
    """合计 before the last row is a row like any other (here an error: it has no date)."""
    rows = [TOTALS_ROWS[0], ["合计", "", "", "", "72000.00"], TOTALS_ROWS[1]]
    _, (summary, _, _, totals) = both(
        calc, tmp_path, write_csv(tmp_path / "in.csv", TOTALS_HEADER, rows), series=SERIES
    )
    assert totals == ()
    assert (summary.rows, summary.errors) == (3, 1)


def test_totals_row_across_blocks(calc: Calculator, tmp_path: Path) -> None:
    """The columnar reader finds trailing totals rows over its block boundaries as well."""
    rows = [[f"P{i}", "", f"2018-01-{i % 28 + 1:02d}", "level_1", "100"] for i in range(40)]
    tail = [["合计", "", "", "", "4000"], [""] * 5, ["总计", "", "", "", "4000"], [""] * 5]
    source = write_csv(tmp_path / "in.csv", TOTALS_HEADER, rows + tail)
    for block_size in (64, 200, None):
        seen = []
        for engine in ("core", "fast"):
            out = tmp_path / f"out-{engine}.csv"
            report = BatchJob.plan("claims", source, out, engine=engine, series=SERIES).run(
                calc, block_size=block_size
            )
            seen.append((out.read_bytes(), report.summary, report.totals_rows))
        assert seen[0] == seen[1]
        assert seen[0][2] == (42, 44)
        assert seen[0][1].blank == 1  # the blank row between the two totals rows


def test_totals_row_in_xlsx_and_premiums(calc: Calculator, tmp_path: Path) -> None:
    """An XLSX sheet's trailing 合计 row, and a premiums file's, are totals rows too."""
    source = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [TOTALS_HEADER, *TOTALS_ROWS, ["合计", None, None, None, 90500]]:
        sheet.append(row)
    book.save(source)
    report = run(calc, "claims", source, tmp_path / "out.csv", series=SERIES)
    assert isinstance(report, BatchReport)
    assert (report.totals_rows, report.summary.rows, report.summary.errors) == ((4,), 2, 0)
    header, rows = example("premiums.csv")
    premiums = write_csv(tmp_path / "p.csv", header, [*rows, ["合计", *[""] * (len(header) - 1)]])
    report = run(calc, "premiums", premiums, tmp_path / "p-out.csv")
    assert isinstance(report, BatchReport)
    assert (report.totals_rows, report.summary.errors) == ((len(rows) + 2,), 0)


# -- the default series --------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(
    runner: CliRunner, *args: str | Path, env: dict[str, str | None] | None = None
) -> Result:
    environ: dict[str, str | None] = {"MEDCALC_TARIFFS": None, "MEDCALC_SERIES": None}
    return runner.invoke(
        cli,
        ["batch", *[str(a) for a in args]],
        env={**environ, **(env or {})},
        catch_exceptions=False,
    )


NO_SERIES = [["P1", "2018-01-02", "level_1", "1000"]]


def test_default_series_rule() -> None:
    """MEDCALC_SERIES when not blank, else the only series, else none."""
    one = load_book([], env={})
    two = load_book([ROOT / "tests" / "good_tariffs"], env={})
    assert default_series(one, None) == SERIES
    assert default_series(one, "  ") == SERIES
    assert default_series(two, None) is None
    assert default_series(two, f" {OTHER} ") == OTHER
    assert default_series(TariffBook.of([]), None) is None


def test_the_only_series_installed(runner: CliRunner, tmp_path: Path) -> None:
    """With only the bundled series, a file without a series column needs no --series."""
    source = write_csv(
        tmp_path / "in.csv", ["person_id", "date", "hospital_level", "compliant"], NO_SERIES
    )
    result = invoke(runner, "claims", source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    out = read_rows((tmp_path / "out.csv").read_bytes())
    assert dict(zip(out[0], out[1], strict=True))["tariff_version"].startswith("2018")


def test_two_series_need_a_choice(runner: CliRunner, tmp_path: Path) -> None:
    """Two series installed: --series or MEDCALC_SERIES chooses, --series first; without
    either the usage error as before; an unknown MEDCALC_SERIES fails the run."""
    source = write_csv(
        tmp_path / "in.csv", ["person_id", "date", "hospital_level", "compliant"], NO_SERIES
    )
    tariffs = tmp_path / "tariffs"
    tariffs.mkdir()
    shutil.copy(ROOT / "tests" / "good_tariffs" / "full.yaml", tariffs)
    out = tmp_path / "out.csv"
    common = ("claims", source, "-o", out, "--tariffs", tariffs, "--lang", "en")
    result = invoke(runner, *common)
    assert result.exit_code == 2
    assert "has no series column; give --series" in result.stderr

    def tariff(*args: str, env: dict[str, str | None]) -> str:
        done = invoke(runner, *common, *args, env=env)
        assert done.exit_code == 0, done.stderr
        rows = read_rows(out.read_bytes())
        return dict(zip(rows[0], rows[1], strict=True))["tariff_sha256"]

    book = load_book([tariffs], env={})
    other, ours = (book.versions(s)[0].sha256 for s in (OTHER, SERIES))
    assert tariff(env={"MEDCALC_SERIES": OTHER}) == other
    assert tariff("--series", SERIES, env={"MEDCALC_SERIES": OTHER}) == ours
    unknown = invoke(runner, *common, env={"MEDCALC_SERIES": "nowhere"})
    assert unknown.exit_code == 1
    assert "no tariff series 'nowhere'" in unknown.stderr


def test_chinese_results_in_xlsx_are_numbers_with_a_summary(
    calc: Calculator, tmp_path: Path
) -> None:
    """Under Chinese names, XLSX amounts are still number cells (0.00) and the 汇总 sheet
    finds the person and the date by their Chinese columns."""
    header, rows = example("claims.csv")
    source = write_csv(tmp_path / "in.csv", chinese(header), rows)
    report = run(calc, "claims", source, tmp_path / "out.xlsx")
    assert isinstance(report, BatchReport) and report.columns == "zh"
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    sheet = book.worksheets[0]
    names = [c.value for c in sheet[1]]
    basic = sheet.cell(2, names.index("基本医保") + 1)
    assert (basic.data_type, basic.number_format) == ("n", "0.00")
    assert sheet.cell(2, names.index("是否享受待遇") + 1).value == "是"
    assert len(book.worksheets) == 2 and book.sheetnames[1] == "汇总"


def test_the_documented_names_are_the_tables() -> None:
    """docs/cli-batch.md §3 lists exactly the names the header tables accept and write."""
    text = (ROOT / "docs" / "cli-batch.md").read_text(encoding="utf-8")
    inputs: dict[str, list[str]] = {}
    results: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].strip("`") in FIELD_LABELS:
            inputs[cells[0].strip("`")] = [cells[1], *cells[2].split(", "), cells[3]]
        if len(cells) == 5 and "中文列名" not in cells:
            for ident, name in ((cells[0], cells[1]), (cells[3], cells[4])):
                if ident.strip("`") in RESULT_NAMES_ZH:
                    results[ident.strip("`")] = name
    assert inputs == {
        field: [zh, *HEADER_VARIANTS.get(field, ()), en] for field, (zh, en) in FIELD_LABELS.items()
    }
    claims_and_premiums = set(CLAIM_RESULTS) | set(PREMIUM_RESULTS)
    assert results == {k: v for k, v in RESULT_NAMES_ZH.items() if k in claims_and_premiums}
