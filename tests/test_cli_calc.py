"""``medcalc premium`` and ``medcalc claim`` through click's runner, on the bundled tables.

Golden outputs live in ``tests/golden/calc/``; they are rewritten only when the environment
has ``MEDCALC_UPDATE_GOLDEN=1``, so every change to what a clerk sees is a reviewable diff.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from medcalc.cli import cli

from support import core_yaml

GOLDEN = Path(__file__).parent / "golden" / "calc"
UPDATE = os.environ.get("MEDCALC_UPDATE_GOLDEN") == "1"

POOR_STAY = (
    "--category poverty --date 2019-05-10 --hospital-level level_3"
    " --total 130,000.00 --compliant 120000"
)

CLAIMS_CSV = """\
claim_id,date,hospital_level,total,compliant,basic_paid
A001,2019-05-10,level_3,"130,000.00",120000,
A002,2019-08-01,level_3,210000,200000,
A003,2019-09-01,level_1,"１,５００",1200,
"""

CLAIMS_JSON = """\
[
  {"claim_id": "A001", "date": "2019-05-10", "hospital_level": "level_3",
   "total": "130,000.00", "compliant": 120000},
  {"claim_id": "A002", "date": "2019-08-01", "hospital_level": "level_3",
   "total": 210000, "compliant": "200000.00", "basic_paid": null},
  {"claim_id": "A003", "date": "2019-09-01", "hospital_level": "level_1",
   "total": "１,５００", "compliant": 1200.00}
]
"""

CLAIMS_YAML = """\
- claim_id: A001
  date: 2019-05-10
  hospital_level: level_3
  total: 130,000.00
  compliant: 120000
- {claim_id: A002, date: 2019-08-01, hospital_level: level_3, total: 210000, compliant: 200000.00}
- claim_id: A003
  date: 2019-09-01
  hospital_level: level_1
  total: "１,５００"
  compliant: 1200
  basic_paid: ~
"""

# The three claims above for a registered poor resident (2019.1: level_3 800/65%, level_1
# 200/90%, basic cap 250000; 大病 for the poor: threshold 11000 x 0.5 = 5500, ratios
# 0.60/0.70/0.75 + 0.05, no cap; assistance for the poor 70%, cap 50000).
EXPECTED_THREE = [
    # basic, critical illness, assistance, out of pocket
    ("77480.00", "24063.00", "12919.90", "15537.10"),
    ("129480.00", "47142.00", "16364.60", "17013.40"),
    ("900.00", "225.00", "52.50", "322.50"),
]


@pytest.fixture
def runner() -> CliRunner:
    """A runner that keeps stderr apart and ignores the caller's MEDCALC_TARIFFS."""
    return CliRunner(env={"MEDCALC_TARIFFS": None})


def run(runner: CliRunner, command: str, *more: str) -> Result:
    """``medcalc COMMAND MORE…``: the command is split like a shell line, ``more`` is not."""
    args = [*shlex.split(command), *more]
    return runner.invoke(cli, args, prog_name="medcalc", catch_exceptions=False)


def ok(runner: CliRunner, command: str, *more: str) -> str:
    result = run(runner, command, *more)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with MEDCALC_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True), str(path), "now"
            )
        )
        pytest.fail(f"output differs from {path} (MEDCALC_UPDATE_GOLDEN=1 rewrites it):\n{diff}")


def amounts(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (c["basic"], c["critical_illness"], c["assistance"], c["out_of_pocket"])
        for c in data["claims"]
    ]


def spaced(*cells: str) -> re.Pattern[str]:
    """A pattern of table cells in a row, whatever the padding between them."""
    return re.compile(r"[ \t]+".join(re.escape(c) for c in cells))


def claim_rows(out: str) -> str:
    """The claims of an estimate as one line of cells each, whichever layout the table took: a
    grid, or, wider than 100 columns, one block of ``column  value`` lines per claim."""
    head = re.split(r"【年度合计】|\[Year totals\]", out)[0].strip()
    blocks = [b for b in head.split("\n\n")[1:] if b.startswith("#")]  # not the notes
    if len(blocks) == 1 and blocks[0].splitlines()[1].lstrip().startswith("-"):
        return blocks[0]  # a grid
    return "\n".join(
        "  ".join(re.split(r" {2,}", line.strip(), maxsplit=1)[1] for line in block.splitlines())
        for block in blocks
    )


def claims_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- medcalc premium ------------------------------------------------------------------------


def test_premium_zh_golden(runner: CliRunner) -> None:
    """A poor resident's 2019 premiums print as Chinese tables (golden)."""
    out = ok(runner, "premium --year 2019 --category poverty --birth-date 1980-06-15")
    golden("premium_poverty_2019_zh.txt", out)
    assert spaced("政府资助", "220.00", "适用标准：建档立卡贫困人员 (poverty)").search(out)


def test_premium_en_golden_past_pension_age(runner: CliRunner) -> None:
    """In English, a person past the pension ages owes nothing and sees the basic pension."""
    out = ok(runner, "premium --year 2020 --categories poverty --birth-date 1958-03-02 --lang en")
    golden("premium_past_age_2020_en.txt", out)
    # Born 1958-03-02: 61 completed years on 2020-01-01, above 16-59; 2020.1 pays 180 a month.
    assert "above the contribution ages 16-59: nothing due" in out
    assert spaced("Basic pension (monthly)", "180.00").search(out)


def test_premium_below_pension_age(runner: CliRunner) -> None:
    """A person not yet 16 on 1 January owes no pension contribution, and is told why."""
    out = ok(runner, "premium --year 2019 --birth-date 2003-01-02")
    assert "未到缴费年龄 16–59 周岁，本年度不缴费" in out
    assert spaced("1月1日周岁", "15", "未到缴费年龄").search(out)


def test_premium_json_is_the_export(runner: CliRunner) -> None:
    """--format json prints medcalc/premiums@1 with amounts as strings and Chinese unescaped."""
    out = ok(
        runner,
        "premium --year 2019 --category poverty --birth-date 1980-06-15 --pension-grade ２４０"
        " --format json",
    )
    data = json.loads(out)
    assert data["schema"] == "medcalc/premiums@1"
    assert data["medical"]["government_pays"] == "220.00"
    # Grade 240 chosen; 代缴 is the lowest grade 120 in full; the person pays 240 - 120.
    pension = data["pension"]
    assert (pension["grade"], pension["government_pays"], pension["individual_pays"]) == (
        "240.00",
        "120.00",
        "120.00",
    )
    assert "关于切实做好社会保险扶贫工作的意见" in out  # ensure_ascii=False
    assert out.startswith('{\n  "schema"')  # indent 2


def test_premium_disability_grade_gives_the_category(runner: CliRunner) -> None:
    """A grade-2 disability makes the person severely disabled, whose 代缴 is in full."""
    out = ok(
        runner,
        "premium --year 2018 --disability-grade 2 --disability-type physical"
        " --birth-date 1970-01-01 --lang en",
    )
    assert "Categories: severely disabled (grade 1-3) (severe_disability)" in out
    assert spaced("Government pays (代缴)", "120.00", "profile applied: severely").search(out)


# -- medcalc claim: one claim ------------------------------------------------------------------


def test_claim_single_hand_checked(runner: CliRunner) -> None:
    """One claim's amounts agree with a hand calculation from tariffs/…/2019.yaml."""
    data = json.loads(ok(runner, f"claim {POOR_STAY} --format json"))
    # 2019.1, level_3: deductible 800, ratio 0.65, basic cap 250000 (no poverty adjustment):
    #   basic = (120000 - 800) x 0.65 = 119200 x 0.65 = 77480.00
    #   i = 120000 - 77480 = 42520
    # critical illness, base: threshold 11000, 0.60 to 100000 -> (42520 - 11000) x 0.60 = 18912
    #   poverty: threshold 11000 x 0.5 = 5500, ratio 0.60 + 0.05 = 0.65, no cap
    #   -> (42520 - 5500) x 0.65 = 37020 x 0.65 = 24063.00, the larger: poverty applies
    #   j = 42520 - 24063 = 18457
    # assistance, poverty: 70%, no deductible, cap 50000 -> 18457 x 0.70 = 12919.90
    # out of pocket = 130000 - 77480 - 24063 - 12919.90 = 15537.10
    assert amounts(data) == [("77480.00", "24063.00", "12919.90", "15537.10")]
    explained = data["claims"][0]["explanation"]["critical_illness"]
    assert explained["profile"] == "poverty"
    assert explained["alternatives"] == [
        {"profile": "base", "amount": "18912.00"},
        {"profile": "poverty", "amount": "24063.00"},
    ]


def test_claim_single_zh_golden(runner: CliRunner) -> None:
    """The single claim above prints as a Chinese table with thousands separators (golden)."""
    out = ok(runner, f"claim {POOR_STAY}")
    golden("claim_single_zh.txt", out)
    row = ("130,000.00", "120,000.00", "77,480.00", "24,063.00", "12,919.90", "15,537.10", "是")
    assert spaced("2019-05-10", "三级医院", *row).search(claim_rows(out))
    for column in ("日期", "医院级别", "总费用", "政策范围内费用", "基本医保", "大病保险"):
        assert column in out
    for column in ("医疗救助", "个人自付", "是否享受待遇"):
        assert column in out


def test_claim_single_en_explain_golden(runner: CliRunner) -> None:
    """--explain --lang en explains every layer in English (golden)."""
    out = ok(runner, f"claim {POOR_STAY} --claim-id Z9 --explain --lang en")
    golden("claim_single_explain_en.txt", out)
    assert spaced("Profile applied", "registered poor resident (poverty)").search(out)
    assert spaced("Annual cap", "no cap").search(out)


def test_claim_amount_spellings(runner: CliRunner) -> None:
    """Thousands separators and full-width digits in amount options give the same result."""
    plain = ok(runner, "claim --date 2019-05-10 --hospital-level level_2 --compliant 120000.00")
    spelt = ok(
        runner, "claim --date ２０１９-０５-１０ --hospital-level level_2 --compliant １２０,０００"
    )
    assert spaced("120,000.00", "120,000.00", "89,625.00").search(
        claim_rows(plain)
    )  # (120000 - 500) x 0.75
    assert plain == spelt


def test_claim_json_amounts_are_strings(runner: CliRunner) -> None:
    """Every amount in the claims JSON is a 2-decimal string; no number is a float."""
    data = json.loads(ok(runner, f"claim {POOR_STAY} --format json"))
    money = re.compile(r"^\d+\.\d{2}$")
    amount_keys = {
        "basic",
        "critical_illness",
        "assistance",
        "out_of_pocket",
        "total",
        "compliant",
        "threshold",
        "deductible",
        "paid",
        "amount",
        "base_before",
        "base_after",
        "paid_before",
        "paid_after",
        "cap_reduction",
    }
    seen = 0

    def walk(node: Any) -> None:
        nonlocal seen
        if isinstance(node, dict):
            for key, value in node.items():
                assert not isinstance(value, float), key
                if key in amount_keys and isinstance(value, str):
                    assert money.match(value), (key, value)
                    seen += 1
                elif key in amount_keys:
                    assert isinstance(value, (dict, str)) or value is None, (key, value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    assert seen > 20
    assert data["claims"][0]["basic"] == "77480.00"


def test_claim_basic_paid_given(runner: CliRunner) -> None:
    """A settled basic payment is used as given, and the explanation says so."""
    out = ok(runner, "claim --date 2019-05-10 --compliant 20000 --basic-paid 15,000.00 --explain")
    assert "已结算金额（给定）(given)" in out
    # i = 20000 - 15000 = 5000, below the ordinary threshold 11000: no critical illness.
    assert spaced("20,000.00", "20,000.00", "15,000.00", "0.00", "0.00", "5,000.00").search(
        claim_rows(out)
    )


def test_claim_not_covered_before_benefits_start(runner: CliRunner) -> None:
    """A claim before benefits start (month after payment) pays nothing and says why."""
    out = ok(
        runner,
        "claim --enrolled-on 2019-04-15 --date 2019-04-20 --hospital-level level_2"
        " --compliant 8000 --explain",
    )
    assert spaced("8,000.00", "8,000.00", "0.00", "0.00", "0.00", "8,000.00", "否").search(
        claim_rows(out)
    )
    assert "待遇享受起始日为 2019-05-01，本笔日期为 2019-04-20，不享受待遇" in out


def test_claim_extra_tariff_directory(runner: CliRunner, tmp_path: Path) -> None:
    """--tariffs DIR adds a series; its basic adjustment for the poor shows as the profile."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "2018.yaml").write_text(core_yaml(), encoding="utf-8")
    out = ok(
        runner,
        "claim --series core --category poverty --date 2018-03-01 --hospital-level level_2"
        " --compliant 50000 --explain --lang en --tariffs",
        str(tmp_path),
    )
    # basic: base (50000 - 500) x 0.80 = 39600; poverty (50000 - 250) x 0.85 = 42287.50
    assert spaced("ordinary (base)", "39,600.00").search(out)
    # The test tariff has Chinese labels only: English output falls back to them.
    assert spaced("建档立卡贫困人员 (poverty)", "42,287.50", "yes").search(out)
    assert spaced("Deductible", "250.00").search(out)


# -- medcalc claim: several claims and year-to-date -------------------------------------------


def test_claims_csv_explain_golden(runner: CliRunner, tmp_path: Path) -> None:
    """Three claims from a CSV file, explained in Chinese (golden), with the expected amounts."""
    path = claims_file(tmp_path, "claims.csv", CLAIMS_CSV)
    out = ok(runner, "claim --category poverty --explain --claims", path)
    golden("claims_csv_explain_zh.txt", out)
    data = json.loads(ok(runner, "claim --category poverty --format json --claims", path))
    assert amounts(data) == EXPECTED_THREE
    assert data["years"][0]["end"] == {
        "basic_paid": "207860.00",
        "critical_illness_base": "113340.00",
        "assistance_base": "41910.00",
    }


@pytest.mark.parametrize(
    ("name", "text"), [("claims.json", CLAIMS_JSON), ("claims.yaml", CLAIMS_YAML)]
)
def test_claims_json_and_yaml_files(
    runner: CliRunner, tmp_path: Path, name: str, text: str
) -> None:
    """JSON and YAML claim lists give the same amounts as the CSV file."""
    path = claims_file(tmp_path, name, text)
    data = json.loads(ok(runner, "claim --category poverty --format json --claims", path))
    assert amounts(data) == EXPECTED_THREE
    assert [c["claim"]["claim_id"] for c in data["claims"]] == ["A001", "A002", "A003"]


def test_claims_csv_in_gb18030(runner: CliRunner, tmp_path: Path) -> None:
    """A CSV saved by a Chinese spreadsheet (GB18030) is read, its claim ids kept."""
    path = tmp_path / "claims.csv"
    path.write_bytes(
        "claim_id,date,hospital_level,compliant\n第一次住院,2019-05-10,level_1,100\n".encode(
            "gb18030"
        )
    )
    out = ok(runner, "claim --claims", str(path))
    assert spaced("1", "第一次住院", "2019-05-10").search(claim_rows(out))


def test_claim_on_year_to_date(runner: CliRunner) -> None:
    """A claim on top of the accumulators left by an earlier one pays as if listed after it."""
    data = json.loads(
        ok(
            runner,
            "claim --category poverty --date 2019-08-01 --hospital-level level_3 --total 210000"
            " --compliant 200000 --ytd-basic-paid 77,480.00 --ytd-critical-illness-base 42520"
            " --ytd-assistance-base 18457 --format json",
        )
    )
    # The second claim of EXPECTED_THREE, computed from what the first left (spec §4.4).
    assert amounts(data) == [EXPECTED_THREE[1]]
    assert data["years"][0]["start"]["critical_illness_base"] == "42520.00"


def test_explain_names_segments_and_profiles(runner: CliRunner, tmp_path: Path) -> None:
    """--explain lists each critical-illness segment touched and the profile applied."""
    path = claims_file(tmp_path, "claims.csv", CLAIMS_CSV)
    out = ok(runner, "claim --category poverty --explain --lang en --claims", path)
    # Claim 2 takes the base from 42520 to 113040: 57480 at 65% in the first poverty segment
    # (5500-100000) = 37362, and 13040 at 75% in the second (100000-200000) = 9780.
    assert re.search(
        r"5,500\.00 – 100,000\.00\s+42,520\.00\s+100,000\.00\s+57,480\.00\s+65%\s+37,362\.00", out
    )
    assert re.search(
        r"100,000\.00 – 200,000\.00\s+100,000\.00\s+113,040\.00\s+13,040\.00\s+75%\s+9,780\.00",
        out,
    )
    # Critical illness and assistance name the poverty profile for each of the 3 claims.
    assert len(spaced("Profile applied", "registered poor resident (poverty)").findall(out)) == 6
    assert spaced("Accumulated base before", "42,520.00").search(out)
    assert spaced("ordinary (base)", "62,528.00").search(out)  # the alternative's amount
    # The summary shows a short hash; each explanation the full one (``sha256sum FILE``).
    assert len(re.findall(r"sha256 +[0-9a-f]{64}\n", out)) == 3
    assert re.search(r"\nsha256 +[0-9a-f]{12}\n", out)  # the summary's table, one column here


# -- errors ---------------------------------------------------------------------------------

ERRORS = [
    ("negative", "--compliant -5", "--compliant: -5.00 is negative"),
    ("three_decimals", "--compliant 1.234", "--compliant: 1.234 has more than 2 decimal places"),
    ("total_below", "--compliant 100 --total 50", "--total: 50.00 is below the compliant cost"),
    ("unknown_category", "--compliant 100 --category rich", "'rich' is not a category of"),
    ("unknown_level", "--compliant 100 --hospital-level level_9", "'level_9' is not a hospital"),
    ("not_a_date", "--compliant 100 --date 10/05/2019", "--date: '10/05/2019' is not a date"),
    ("no_compliant", "--total 100", "--compliant: no value given; this field is required"),
    ("bad_ytd", "--compliant 100 --ytd-basic-paid x", "--ytd-basic-paid: 'x' is not an amount"),
    ("bad_grade", "--compliant 100 --disability-grade 7", "--disability-grade: 7 is not a"),
]


@pytest.mark.parametrize(("args", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_claim_input_errors(runner: CliRunner, args: str, message: str) -> None:
    """Bad input exits 1 with one clean line on stderr naming the option, and no traceback."""
    # Later options win in click, so --date and --hospital-level in ``args`` override these.
    result = run(runner, f"claim --lang en --date 2019-05-10 --hospital-level level_3 {args}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_claim_date_no_version_covers(runner: CliRunner) -> None:
    """A date before every version (2017-05-01) is one clean English error line, exit 1."""
    result = run(
        runner, "claim --date 2017-05-01 --hospital-level level_3 --compliant 100 --lang en"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no tariff of series qingyuan-qingcheng is in force on 2017-05-01\n"
    )


def test_unknown_series(runner: CliRunner) -> None:
    """An unknown series is named, with the known ones."""
    result = run(runner, "premium --lang en --series nope --year 2019")
    assert result.exit_code == 1
    assert result.stderr == "Error: no tariff series 'nope' (known series: qingyuan-qingcheng)\n"


def test_premium_input_errors(runner: CliRunner) -> None:
    """A pension grade the tariff lacks, and a missing birth date, name their options."""
    result = run(
        runner, "premium --lang en --year 2019 --birth-date 1980-01-01 --pension-grade 130"
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: --pension-grade: 130.00 is not a pension grade")
    result = run(runner, "premium --lang en --year 2019")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: --birth-date: the birth date is needed")


@pytest.mark.parametrize(
    ("year", "message"),
    [
        # click's int() read these digits as 2019 and went on with the wrong clerk's input
        ("٢٠١٩", "--year: '٢٠١٩' is not a whole number: '٢' (U+0662 ARABIC-INDIC DIGIT TWO)"),
        ("2019²", "--year: '2019²' is not a whole number: '²' (U+00B2 SUPERSCRIPT TWO)"),
        ("10000", "--year: 10000 is not a year"),
        ("0", "--year: 0 is not a year"),
        ("", "--year: is required"),
        ("9" * 5000, "--year: '" + "9" * 40 + "'… (5,000 characters) is too large"),
    ],
    ids=["arabic", "superscript", "10000", "0", "empty", "5000_digits"],
)
def test_premium_year_is_read_like_a_batch_cell(runner: CliRunner, year: str, message: str) -> None:
    """--year takes ASCII or full-width digits only, within 1-9999; anything else names it."""
    result = runner.invoke(
        cli, ["premium", "--lang", "en", "--year", year, "--birth-date", "1980-01-01"]
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: " + message), result.stderr
    assert "Traceback" not in result.stderr


def test_premium_year_in_full_width_digits(runner: CliRunner) -> None:
    """A year typed with a Chinese IME's full-width digits is the same year."""
    assert ok(runner, "premium --year ２０１９ --category poverty --birth-date 1980-06-15") == ok(
        runner, "premium --year 2019 --category poverty --birth-date 1980-06-15"
    )


FILE_ERRORS = [
    (
        "csv_level",
        "c.csv",
        "date,hospital_level,compliant\n2019-05-10,level_3,100\n2019-06-10,level_9,100\n",
        "c.csv row 2 (line 3): hospital_level: 'level_9' is not a hospital level",
    ),
    (
        "csv_negative",
        "c.csv",
        "date,hospital_level,compliant\n2019-05-10,level_3,100\n\n2019-06-10,level_3,-1\n",
        "c.csv row 2 (line 4): compliant: -1.00 is negative",
    ),
    (
        "csv_old_date",
        "c.csv",
        "date,hospital_level,compliant\n2019-05-10,level_3,100\n2017-05-01,level_3,100\n",
        "c.csv row 2 (line 3): no tariff of series qingyuan-qingcheng is in force on 2017-05-01",
    ),
    (
        "csv_unknown_column",
        "c.csv",
        "date,hospital_level,compliant,basic_payd\n2019-05-10,level_3,100,\n",
        "c.csv line 1: unknown field 'basic_payd' (did you mean 'basic_paid'?)",
    ),
    (
        "json_three_decimals",
        "c.json",
        '[{"date": "2019-05-10", "hospital_level": "level_3", "compliant": 120000.123}]',
        "c.json row 1: compliant: 120000.123 has more than 2 decimal places",
    ),
    (
        "json_total_below",
        "c.json",
        '[{"date": "2019-05-10", "compliant": "5"}, {"date": "2019-05-11", "compliant": "9",'
        ' "total": "8"}]',
        "c.json row 2: total: 8.00 is below the compliant cost 9.00",
    ),
    (
        "json_field_twice",
        "c.json",
        '[{"date": "2019-05-10", "compliant": "5", "compliant": "6"}]',
        "c.json: field 'compliant' is given twice in one claim",
    ),
    (
        "json_syntax",
        "c.json",
        '[{"date": "2019-05-10",}]',
        "c.json:1:24: not valid JSON",
    ),
    (
        # Python's json reads NaN as a float; medcalc refuses it (no float reaches an amount)
        "json_nan",
        "c.json",
        '[{"date": "2019-05-10", "compliant": NaN}]',
        "c.json: not valid JSON: NaN is not a JSON number",
    ),
    (
        "csv_header_only",
        "c.csv",
        "date,hospital_level,compliant\n",
        "c.csv: the file holds no claims",
    ),
    (
        "json_not_a_list",
        "c.json",
        '{"date": "2019-05-10"}',
        "c.json: expected a JSON list of claims",
    ),
    (
        "yaml_float_text",
        "c.yaml",
        "- {date: 2019-05-10, hospital_level: level_3, compliant: 0.1e3}\n",
        "c.yaml row 1: compliant: '0.1e3' is not an amount",
    ),
    (
        "yaml_missing_date",
        "c.yaml",
        "- {hospital_level: level_3, compliant: 100}\n",
        "c.yaml row 1: date: no value given; this field is required",
    ),
    (
        "yaml_syntax",
        "c.yaml",
        "- {date: 2019-05-10\n",
        "c.yaml:2:1: not valid YAML",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "message"), [e[1:] for e in FILE_ERRORS], ids=[e[0] for e in FILE_ERRORS]
)
def test_claims_file_errors(
    runner: CliRunner, tmp_path: Path, name: str, text: str, message: str
) -> None:
    """A bad claims file exits 1 with one line naming the file, the row and the field."""
    result = run(runner, "claim --lang en --claims", claims_file(tmp_path, name, text))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr


def test_person_error_in_claims_file_mode_names_the_option(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An unknown category is the person's error, not a row's: it names the option."""
    path = claims_file(tmp_path, "c.csv", "date,compliant\n2019-05-10,5\n")
    result = run(runner, "claim --lang en --category rich --claims", path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --category/--categories: 'rich' is not a category")


def test_year_to_date_needs_one_year(runner: CliRunner, tmp_path: Path) -> None:
    """Year-to-date accumulators with claims in two years is an error naming --ytd-*."""
    path = claims_file(tmp_path, "c.csv", "date,compliant\n2019-05-10,5\n2020-05-10,5\n")
    result = run(runner, "claim --lang en --ytd-basic-paid 5 --claims", path)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --ytd-*: year-to-date accumulators belong to one year; these claims fall in "
        "2019, 2020\n"
    )


USAGE = [
    ("no_claim", "claim", "错误: 请给出一笔住院（--date、--compliant 等）或 --claims 文件\n"),
    (
        "file_and_options",
        "claim --date 2019-01-01 --claims {csv}",
        "错误: --claims 文件不能与 --date 同时给出\n",
    ),
    ("no_year", "premium", "错误: 缺少选项 '--year'。\n"),
    (
        "bad_format",
        "premium --year 2019 --format xml",
        "错误: '--format' 的值无效：'xml' 不是可选的值（'table', 'json'）。\n",
    ),
    ("bad_extension", "claim --claims {txt}", "c.txt：应为 .csv、.xlsx、.json、.yaml 或 .yml 文件"),
    ("no_such_file", "claim --claims {tmp}/nope.csv", "不存在。\n"),
]


@pytest.mark.parametrize(("args", "message"), [u[1:] for u in USAGE], ids=[u[0] for u in USAGE])
def test_usage_errors(runner: CliRunner, tmp_path: Path, args: str, message: str) -> None:
    """Usage errors are click's: exit 2, the usage on stderr, nothing on stdout."""
    files = {
        "csv": claims_file(tmp_path, "c.csv", "date,compliant\n2019-05-10,5\n"),
        "txt": claims_file(tmp_path, "c.txt", "date,compliant\n2019-05-10,5\n"),
        "tmp": str(tmp_path),
    }
    result = run(runner, args.format(**files))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- docs/cli-calc.md -------------------------------------------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "cli-calc.md"
DOC_FILE = re.compile(r"`([\w.-]+)`:\n\n```\w+\n(.*?)\n```", re.S)
DOC_RUN = re.compile(r"(```console\n\$ medcalc (.*?)\n)(.*?)(```)", re.S)
EXIT = re.compile(r"\$ echo \$\?\n(\d+)\n\Z")
TARIFF_PATH = re.compile(r'"path": ".*"')


def test_doc_examples(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in docs/cli-calc.md prints what the page shows, with its exit code."""
    doc = DOC.read_text(encoding="utf-8")
    files = dict(DOC_FILE.findall(doc))
    assert {"claims.csv", "claims.json", "claims.yaml", "bad.csv"} <= set(files)
    for name, text in files.items():
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the examples name their files relative to where they run

    def rerun(match: re.Match[str]) -> str:
        opening, command, shown, closing = match.groups()
        expected_code = int(m.group(1)) if (m := EXIT.search(shown)) else 0
        result = run(runner, command)
        assert result.exit_code == expected_code, (command, result.output)
        now = result.output + (f"$ echo $?\n{result.exit_code}\n" if result.exit_code else "")
        if not UPDATE:
            # The tariff's path is where this machine keeps it; everything else must match.
            assert TARIFF_PATH.sub("PATH", now) == TARIFF_PATH.sub("PATH", shown), command
        return opening + now + closing

    updated = DOC_RUN.sub(rerun, doc)
    assert DOC_RUN.search(doc)
    if UPDATE:
        DOC.write_text(updated, encoding="utf-8")
