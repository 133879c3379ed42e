"""``medcalc tariff list|show|validate|diff``, and the pure tariff diff behind ``diff``.

Golden outputs live in ``tests/golden/tariff/``; rewrite them with
``MEDCALC_UPDATE_GOLDEN=1 pytest tests/test_cli_tariff.py`` and review the diff. They pin the
bundled tables, so they must be rewritten whenever a bundled table changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from medcalc.cli import cli
from medcalc.tariff import (
    ENV_VAR,
    Amount,
    Change,
    bundled_dir,
    diff_tariffs,
    load_tariff,
    node_json,
    tariff_tree,
)

from support import STANDARD_SEGMENTS, core_yaml, tariff

GOLDEN = Path(__file__).parent / "golden" / "tariff"
UPDATE_GOLDEN = os.environ.get("MEDCALC_UPDATE_GOLDEN") == "1"

BUNDLED = bundled_dir()
SERIES = "qingyuan-qingcheng"
needs_bundled = pytest.mark.skipif(BUNDLED is None, reason="no bundled tariffs")


@pytest.fixture
def runner() -> CliRunner:
    """A runner that ignores any MEDCALC_TARIFFS of the developer's shell."""
    return CliRunner(env={ENV_VAR: None})


@pytest.fixture
def in_bundled(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from the bundled tariff directory, so shown file paths do not depend on the
    checkout's location (``qingyuan-qingcheng/2018.yaml``)."""
    assert BUNDLED is not None
    monkeypatch.chdir(BUNDLED)
    return BUNDLED


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, ["tariff", *args], env=env)


def assert_golden(name: str, actual: str) -> None:
    """Compare with the golden file ``name``; rewrite it first under MEDCALC_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.is_file(), f"no golden file {path}; run with MEDCALC_UPDATE_GOLDEN=1"
    assert actual == path.read_bytes().decode("utf-8")


def assert_clean_error(result: Result, prefix: str = "错误: ") -> str:
    """Exit 1, nothing on stdout, and exactly one line on stderr, with no traceback."""
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix)
    return lines[0]


def write_tariff(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def position(text: str, needle: str) -> tuple[str, str]:
    """Line and column (1-based, as text) of the first ``needle`` in ``text``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return str(number), str(line.index(needle) + 1)
    raise AssertionError(f"{needle!r} not in the text")


def no_floats(data: Any) -> bool:
    if isinstance(data, float):
        return False
    if isinstance(data, dict):
        return all(no_floats(v) for v in data.values())
    if isinstance(data, list):
        return all(no_floats(v) for v in data)
    return True


def bundled_file(name: str) -> Path:
    assert BUNDLED is not None
    return BUNDLED / SERIES / name


# -- list -------------------------------------------------------------------------------------


@needs_bundled
@pytest.mark.usefixtures("in_bundled")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_golden(runner: CliRunner, lang: str) -> None:
    """`tariff list` prints the bundled versions as a table exactly as in the golden file."""
    result = run(runner, "list", "--lang", lang)
    assert (result.exit_code, result.stderr) == (0, "")
    assert_golden(f"list.{lang}.txt", result.stdout)


@needs_bundled
def test_list_rows_carry_short_sha_and_range(runner: CliRunner) -> None:
    """Each row shows the series, version, effective range, status and 12 hex of the sha256."""
    result = run(runner, "list", "--lang", "en")
    assert result.exit_code == 0
    sha = hashlib.sha256(bundled_file("2019.yaml").read_bytes()).hexdigest()
    row = next(line for line in result.stdout.splitlines() if "2019.1" in line)
    assert row.split()[:5] == [SERIES, "2019.1", "2019-01-01..2019-12-31", "illustrative", sha[:12]]
    assert result.stdout.splitlines()[0].split()[:3] == ["Series", "Version", "Effective"]


@needs_bundled
def test_list_json(runner: CliRunner) -> None:
    """`tariff list --format json` names its schema and gives strings, with the full sha256."""
    result = run(runner, "list", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data["schema"] == "medcalc/tariff-list@1"
    first = next(t for t in data["tariffs"] if t["version"] == "2018.1")
    assert first["effective"] == {"from": "2018-01-01", "to": "2018-12-31"}
    assert first["sha256"] == hashlib.sha256(bundled_file("2018.yaml").read_bytes()).hexdigest()
    assert Path(first["path"]).resolve() == bundled_file("2018.yaml").resolve()


# -- show -------------------------------------------------------------------------------------


@needs_bundled
@pytest.mark.usefixtures("in_bundled")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_2018_golden(runner: CliRunner, lang: str) -> None:
    """`tariff show SERIES --version 2018.1` prints every section exactly as in the golden file."""
    result = run(runner, "show", SERIES, "--version", "2018.1", "--lang", lang)
    assert (result.exit_code, result.stderr) == (0, "")
    assert_golden(f"show-2018.1.{lang}.txt", result.stdout)


@needs_bundled
@pytest.mark.parametrize(
    ("lang", "note"),
    [("zh", "2020.1（最新版本"), ("en", "2020.1 (the latest version")],
)
def test_show_defaults_to_latest_and_says_so(runner: CliRunner, lang: str, note: str) -> None:
    """Without --version or --date, the latest version is shown and the header says so."""
    result = run(runner, "show", SERIES, "--lang", lang)
    assert (result.exit_code, result.stderr) == (0, "")
    assert note in result.stdout


@needs_bundled
def test_show_date_picks_version_in_force(runner: CliRunner) -> None:
    """--date shows the version in force on that day and names the day."""
    result = run(runner, "show", SERIES, "--date", "2019-06-01")
    assert result.exit_code == 0
    assert "2019.1（2019-06-01 在用的版本）" in result.stdout
    assert "个人缴费标准：220.00 元/人/年" in result.stdout


@needs_bundled
def test_show_critical_illness_effective_values(runner: CliRunner) -> None:
    """Per category, the threshold after the factor, ratios after the bonus and the cap in use."""
    zh = run(runner, "show", SERIES, "--version", "2018.1").stdout
    assert "10,000.00–100,000.00                   50%" in zh
    assert re.search(
        r"建档立卡贫困人员 +起付标准 × 50% +5,000.00 +5,000.00–100,000.00 55% +不设封顶", zh
    )
    en = run(runner, "show", SERIES, "--version", "2018.1", "--lang", "en").stdout
    assert "above 200,000.00 70%" in en and "no cap" in en
    assert "Source: yibao-fupin-2018 医保发〔2018〕18号" in en


def test_show_rounds_threshold_like_the_core_and_caps_ratios(
    runner: CliRunner, tmp_path: Path
) -> None:
    """threshold × factor is rounded with the tariff's rounding; ratio + bonus stops at 100%."""
    segments = "    - {to: 100000, ratio: 0.98}\n    - {ratio: 0.99}"
    for rounding, expected in [("half_up", "5,000.01"), ("half_even", "5,000.00")]:
        text = core_yaml(rounding=rounding, threshold="10000.01", segments=segments)
        write_tariff(tmp_path / rounding / "core.yaml", text)
        result = run(runner, "show", "core", "--tariffs", str(tmp_path / rounding))
        assert (result.exit_code, result.stderr) == (0, "")
        assert f"{expected}–100,000.00 100%" in result.stdout
        assert "100,000.00 以上 100%" in result.stdout


@needs_bundled
def test_show_json_is_the_tariff_as_strings(runner: CliRunner) -> None:
    """`show --format json` gives the whole tariff keyed like the YAML, amounts and ratios as
    strings, never floats."""
    result = run(runner, "show", SERIES, "--version", "2018.1", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data["schema"] == "medcalc/tariff@1"
    assert data["sha256"] == hashlib.sha256(bundled_file("2018.yaml").read_bytes()).hexdigest()
    assert data["medical_premium"]["contribution"] == "180.00"
    assert data["critical_illness"]["threshold"] == "10000.00"
    assert data["critical_illness"]["segments"][0] == {"to": "100000.00", "ratio": "0.50"}
    assert data["critical_illness"]["segments"][2] == {"ratio": "0.65"}
    assert data["critical_illness"]["adjustments"]["poverty"] == {
        "threshold_factor": "0.5",
        "ratio_bonus": "0.05",
        "annual_cap": "none",
    }
    assert data["medical_premium"]["government_pays"]["poverty"] == "full"
    assert no_floats(data)


def test_show_every_kind_of_rule(runner: CliRunner, tmp_path: Path) -> None:
    """Shares, fixed amounts, reserved grades and inpatient adjustments are shown with the
    amounts they give."""
    write_tariff(tmp_path / "core.yaml", core_yaml())
    result = run(runner, "show", "core", "--tariffs", str(tmp_path), "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, "")
    out = result.stdout
    assert re.search(r"低保对象 +share 50% +110.00 +110.00", out)
    assert re.search(r"建档立卡贫困人员 +fixed 150.00 +150.00 +70.00", out)
    assert re.search(r"100.00 +30.00 +only: 建档立卡贫困人员, 低保对象", out)
    assert re.search(r"低保对象 +50% of the lowest grade +100.00 +50.00 +50.00", out)
    assert re.search(r"建档立卡贫困人员 +fixed 150.00 +100.00 +100.00 +0.00", out)  # 代缴 ≤ grade
    assert "level_1: 150.00 / 95%" in out
    assert "grade 1 or 2 (any type); or grade 3 (intellectual, mental)" in out


# -- validate ---------------------------------------------------------------------------------

PROBLEM = re.compile(r"^(?P<file>.+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


@pytest.mark.parametrize(
    ("lang", "summary"),
    [
        ("zh", "发现 1 个问题，涉及 1 个文件（共检查 2 个文件）"),
        ("en", "1 problem in 1 of 2 files"),
    ],
)
def test_validate_reports_file_line_col(
    runner: CliRunner, tmp_path: Path, lang: str, summary: str
) -> None:
    """A directory with a bad file: each problem as FILE:LINE:COL: message, a summary, exit 1."""
    write_tariff(tmp_path / "good.yaml", core_yaml())
    text = core_yaml(version="2019.1", start="2019-01-01", end="2019-12-31")
    bad = write_tariff(tmp_path / "bad.yaml", text.replace("0.90", "1.90"))
    result = run(runner, "validate", str(tmp_path), "--lang", lang)
    assert (result.exit_code, result.stderr) == (1, "")
    *problems, last = result.stdout.splitlines()
    assert len(problems) == 1
    found = PROBLEM.match(problems[0])
    assert found is not None
    assert found["file"] == str(bad)
    assert (found["line"], found["col"]) == position(text, "0.90")
    assert "inpatient.levels[0].ratio: 1.90 is outside [0, 1]" in found["message"]
    assert last == summary


@needs_bundled
@pytest.mark.parametrize(
    ("lang", "summary"), [("zh", "OK：3 个文件，没有发现问题"), ("en", "OK: 3 files, no problems")]
)
def test_validate_ok(runner: CliRunner, lang: str, summary: str) -> None:
    """Valid files: only the OK line, exit 0."""
    assert BUNDLED is not None
    result = run(runner, "validate", str(BUNDLED), "--lang", lang)
    assert (result.exit_code, result.stdout, result.stderr) == (0, summary + "\n", "")


def test_validate_reports_overlap_and_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """Overlapping versions of a series and a missing file are problems too."""
    write_tariff(tmp_path / "a.yaml", core_yaml(version="1"))
    write_tariff(tmp_path / "b.yaml", core_yaml(version="2", start="2018-07-01", end="2019-06-30"))
    missing = tmp_path / "missing.yaml"
    result = run(runner, "validate", str(tmp_path), str(missing), "--lang", "en")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{missing}:1:1: no such file or directory"
    assert lines[1].startswith(f"{tmp_path / 'b.yaml'}:6:1: versions of series core overlap")
    assert lines[2] == "2 problems in 2 of 3 files"


def test_validate_without_files_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    """A directory with no tariff file is an error, not 'OK: 0 files'."""
    assert "没有找到待遇标准文件" in assert_clean_error(run(runner, "validate", str(tmp_path)))
    english = run(runner, "validate", str(tmp_path), "--lang", "en")
    assert "no tariff files" in assert_clean_error(english, "Error: ")


@needs_bundled
def test_validate_without_path_checks_what_is_loaded(runner: CliRunner, tmp_path: Path) -> None:
    """Without PATH, the bundled tables, --tariffs and MEDCALC_TARIFFS are checked together."""
    write_tariff(tmp_path / "extra" / "core.yaml", core_yaml())
    write_tariff(
        tmp_path / "env" / "core2.yaml",
        core_yaml(version="2", start="2019-01-01", end="2019-12-31"),
    )
    env = {ENV_VAR: str(tmp_path / "env")}
    result = run(runner, "validate", "--tariffs", str(tmp_path / "extra"), "--lang", "en", env=env)
    assert (result.exit_code, result.stdout) == (0, "OK: 5 files, no problems\n")


# -- diff -------------------------------------------------------------------------------------


def _row(stdout: str, path: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(path + " "))
    return line.split()


@needs_bundled
def test_diff_2018_2019_zh(runner: CliRunner) -> None:
    """The contribution change 180.00 → 220.00 and the threshold are listed by YAML path; exit 0."""
    a = load_tariff(bundled_file("2018.yaml"))
    b = load_tariff(bundled_file("2019.yaml"))
    assert a.medical_premium is not None and b.medical_premium is not None
    assert (a.medical_premium.contribution, b.medical_premium.contribution) == (
        Decimal("180.00"),
        Decimal("220.00"),
    )
    result = run(runner, "diff", f"{SERIES}@2018.1", f"{SERIES}@2019.1")
    assert (result.exit_code, result.stderr) == (0, "")
    out = result.stdout
    assert _row(out, "medical_premium.contribution") == [
        "medical_premium.contribution",
        "修改",
        "180.00",
        "220.00",
    ]
    assert _row(out, "critical_illness.threshold")[2:] == ["10,000.00", "11,000.00"]
    assert _row(out, "critical_illness.segments[0].ratio")[2:] == ["50%", "60%"]
    assert re.search(r"^sources +新增 +— +nhsa-2019-notice$", out, re.MULTILINE)
    assert "  2018年度，示例）" in out  # long values wrap, but not inside a number
    assert out.splitlines()[0].startswith(f"A: {SERIES}@2018.1")
    assert out.rstrip().endswith("共 18 处不同。")


@needs_bundled
def test_diff_en_lists_added_grades(runner: CliRunner) -> None:
    """2019.1 → 2020.1 in English: grades added and removed, and the reserved grade's `for`."""
    result = run(runner, "diff", f"{SERIES}@2019.1", f"{SERIES}@2020.1", "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, "")
    out = result.stdout
    assert "pension_premium.grades                 added     —" in out
    assert re.search(r"pension_premium.grades +added +— +180.00 \(subsidy 30.00\)", out)
    assert re.search(r"pension_premium.grades +removed +2,400.00 \(subsidy 60.00\) +—", out)
    assert _row(out, "pension_premium.grades[120.00].for")[1] == "added"
    assert out.rstrip().endswith("24 differences.")


@needs_bundled
def test_diff_json(runner: CliRunner) -> None:
    """`diff --format json`: one entry per change, values as in `show --format json`."""
    result = run(runner, "diff", f"{SERIES}@2019.1", f"{SERIES}@2020.1", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data["schema"] == "medcalc/tariff-diff@1"
    assert (data["a"]["version"], data["b"]["version"]) == ("2019.1", "2020.1")
    changes = data["changes"]
    assert {
        "path": "medical_premium.contribution",
        "change": "changed",
        "a": "220.00",
        "b": "250.00",
    } in changes
    assert {
        "path": "pension_premium.grades",
        "change": "added",
        "key": "180.00",
        "a": None,
        "b": {"amount": "180.00", "subsidy": "30.00"},
    } in changes
    assert no_floats(data)


@needs_bundled
def test_diff_file_against_ref_without_differences(runner: CliRunner) -> None:
    """A file compared with its own SERIES@VERSION has no differences; still exit 0."""
    result = run(runner, "diff", str(bundled_file("2018.yaml")), f"{SERIES}@2018.1")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "没有不同：两表参数相同。"


def test_diff_two_files_needs_no_tariff_directory(runner: CliRunner, tmp_path: Path) -> None:
    """Two files are compared even when a tariff directory has a bad file (it is not read)."""
    a = write_tariff(tmp_path / "a" / "core.yaml", core_yaml())
    b = write_tariff(tmp_path / "b" / "core.yaml", core_yaml(threshold="8000"))
    write_tariff(tmp_path / "bad" / "bad.yaml", "format: 2\n")
    env = {ENV_VAR: str(tmp_path / "bad")}
    result = run(runner, "diff", str(a), str(b), "--lang", "en", env=env)
    assert (result.exit_code, result.stderr) == (0, "")
    assert _row(result.stdout, "critical_illness.threshold") == [
        "critical_illness.threshold",
        "changed",
        "15,000.00",
        "8,000.00",
    ]


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "nope"], "错误: 没有待遇标准 'nope'（已有：qingyuan-qingcheng）"),
        (
            ["show", SERIES, "--version", "1999.1"],
            "错误: 待遇标准 qingyuan-qingcheng 没有版本 '1999.1'"
            "（已有版本：2018.1, 2019.1, 2020.1）",
        ),
        (
            ["show", SERIES, "--date", "2017-05-01"],
            "错误: 2017-05-01 没有生效的待遇标准 qingyuan-qingcheng",
        ),
        (["diff", "nope@1", f"{SERIES}@2018.1"], "错误: 没有待遇标准 'nope'"),
        (
            ["show", SERIES, "--version", "1999.1", "--lang", "en"],
            "Error: series qingyuan-qingcheng has no version",
        ),
        (
            ["diff", "no-such-file.yaml", f"{SERIES}@2018.1"],
            "错误: 'no-such-file.yaml' 既不是待遇标准文件",
        ),
        (["show", "nope", "--lang", "en"], "Error: no tariff series 'nope'"),
    ],
)
@needs_bundled
def test_expected_errors_are_one_clean_line(
    runner: CliRunner, args: list[str], expected: str
) -> None:
    """Unknown series or version, no version in force, a bad operand: one line, exit 1."""
    line = assert_clean_error(run(runner, *args), expected[:3])
    assert line.startswith(expected)


def test_bad_file_in_tariff_dir_is_reported_not_raised(runner: CliRunner, tmp_path: Path) -> None:
    """A bad file under --tariffs: exit 1 with FILE:LINE:COL on stderr, no traceback."""
    text = core_yaml().replace("status: illustrative", "status: draft")
    bad = write_tariff(tmp_path / "bad.yaml", text)
    result = run(runner, "list", "--tariffs", str(tmp_path))
    assert result.exit_code == 1 and result.stdout == ""
    line, col = position(text, "draft")
    assert result.stderr.startswith(f"错误: {bad}:{line}:{col}：status：")
    assert "Traceback" not in result.stderr


def test_show_version_and_date_together_is_a_usage_error(runner: CliRunner) -> None:
    """--version and --date exclude each other (usage error, exit 2)."""
    result = run(runner, "show", SERIES, "--version", "2018.1", "--date", "2018-05-01")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误: 请给出 --version 或 --date，不要同时给出\n")
    result = run(
        runner, "show", SERIES, "--version", "2018.1", "--date", "2018-05-01", "--lang", "en"
    )
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: give --version or --date, not both\n")


# -- tariff directories -----------------------------------------------------------------------


def test_tariffs_option_adds_a_directory(runner: CliRunner, tmp_path: Path) -> None:
    """--tariffs DIR adds its tables to list and show."""
    write_tariff(tmp_path / "core" / "2018.yaml", core_yaml())
    listed = run(runner, "list", "--tariffs", str(tmp_path))
    assert listed.exit_code == 0
    assert re.search(r"^core +2018.1 +2018-01-01..2018-12-31 ", listed.stdout, re.MULTILINE)
    shown = run(runner, "show", "core", "--tariffs", str(tmp_path), "--lang", "en")
    assert shown.exit_code == 0 and "test tariff" in shown.stdout


def test_env_var_adds_a_directory(runner: CliRunner, tmp_path: Path) -> None:
    """MEDCALC_TARIFFS adds its directories like --tariffs does."""
    write_tariff(tmp_path / "core" / "2018.yaml", core_yaml())
    result = run(runner, "list", "--format", "json", env={ENV_VAR: str(tmp_path)})
    assert result.exit_code == 0
    found = [t for t in json.loads(result.stdout)["tariffs"] if t["series"] == "core"]
    assert [t["version"] for t in found] == ["2018.1"]


# -- the diff as a pure function --------------------------------------------------------------


def test_diff_of_a_tariff_with_itself_is_empty() -> None:
    """Equal parameters give no change, even when numbers are written differently (0.5, 0.50)."""
    a = tariff(core_yaml())
    b = tariff(core_yaml().replace("deductible_factor: 0.5", "deductible_factor: 0.50"))
    assert diff_tariffs(a, a) == ()
    assert diff_tariffs(a, b) == ()


def test_diff_names_parameters_by_yaml_path() -> None:
    """A changed amount is one change at its dotted path with both values."""
    a = tariff(core_yaml())
    b = tariff(core_yaml(threshold="8000"))
    assert diff_tariffs(a, b) == (
        Change(
            "critical_illness.threshold",
            "changed",
            Amount(Decimal("15000")),
            Amount(Decimal("8000")),
        ),
    )


def test_diff_sections_members_and_categories() -> None:
    """A removed section, an added segment and a removed category mapping each give one change."""
    a = tariff(core_yaml())
    more = STANDARD_SEGMENTS.replace(
        "{ratio: 0.80}", "{to: 300000, ratio: 0.80}\n    - {ratio: 0.9}"
    )
    b_text = core_yaml(segments=more)
    b_text = b_text[: b_text.index("medical_assistance:")]
    b_text = b_text.replace("    five_guarantee: {threshold_factor", "    # five_guarantee: {x")
    changes = diff_tariffs(a, tariff(b_text))
    summary = [(c.path, c.kind, c.key) for c in changes]
    assert summary == [
        ("critical_illness.segments[2].to", "added", None),
        ("critical_illness.segments", "added", "3"),
        ("critical_illness.adjustments.five_guarantee", "removed", None),
        ("medical_assistance", "removed", None),
    ]
    assert node_json(changes[1].b) == {"ratio": "0.9"}


def test_tree_json_has_no_floats() -> None:
    """The parameter tree as JSON holds strings for amounts and ratios, never floats."""
    data = node_json(tariff_tree(tariff(core_yaml())))
    assert no_floats(data)
    assert data["pension_premium"]["grades"][3] == {
        "amount": "100.00",
        "subsidy": "30.00",
        "for": ["poverty", "low_income"],
    }
    assert data["medical_premium"]["government_pays"]["low_income"] == {"share": "0.5"}


# -- aliases (spec §3) ------------------------------------------------------------------------

FULL = Path(__file__).parent / "good_tariffs" / "full.yaml"


def test_show_lists_aliases_in_both_languages(runner: CliRunner, tmp_path: Path) -> None:
    """A table with aliases gets an aliases column next to the names, in Chinese and English
    output alike (they are what clerks write); a table without aliases keeps its columns."""
    write_tariff(tmp_path / "full.yaml", FULL.read_text(encoding="utf-8"))
    zh = run(runner, "show", "test-full", "--tariffs", str(tmp_path))
    en = run(runner, "show", "test-full", "--tariffs", str(tmp_path), "--lang", "en")
    assert (zh.exit_code, zh.stderr, en.exit_code, en.stderr) == (0, "", 0, "")
    assert re.search(r"\nid +Label +Aliases +Held by disability", en.stdout)
    assert re.search(r"\npoverty +建档立卡贫困人员 +建档立卡贫困户, 贫困人员 +—\n", en.stdout)
    assert re.search(r"\nlow_income +minimum-living-allowance recipient +低保户 +—\n", en.stdout)
    assert re.search(r"\ngrade-2 hospital +level_2 +二级 +500.00 +80%\n", en.stdout)
    assert re.search(r"\ngrade-1 hospital or below +level_1 +— +300.00 +90%\n", en.stdout)
    assert re.search(r"\n编号 +名称 +别名 +残疾认定", zh.stdout)
    assert re.search(r"\npoverty +建档立卡贫困人员 +建档立卡贫困户、贫困人员 +—\n", zh.stdout)
    assert re.search(r"\n二级医院 +level_2 +二级 +500.00 +80%\n", zh.stdout)
    write_tariff(tmp_path / "core" / "core.yaml", core_yaml())
    plain = run(runner, "show", "core", "--tariffs", str(tmp_path / "core"), "--lang", "en")
    assert plain.exit_code == 0 and "Aliases" not in plain.stdout


def test_show_json_keys_aliases_as_in_yaml(runner: CliRunner, tmp_path: Path) -> None:
    """`show --format json` writes `aliases` where the file has them, as lists of text, and
    leaves the key out where it has none."""
    write_tariff(tmp_path / "full.yaml", FULL.read_text(encoding="utf-8"))
    result = run(runner, "show", "test-full", "--tariffs", str(tmp_path), "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert [c.get("aliases") for c in data["categories"]] == [
        None,
        None,
        ["建档立卡贫困户", "贫困人员"],
        ["低保户"],
    ]
    assert data["inpatient"]["levels"][1] == {
        "id": "level_2",
        "label": {"zh": "二级医院", "en": "grade-2 hospital"},
        "aliases": ["二级"],
        "deductible": "500.00",
        "ratio": "0.80",
    }
    assert "aliases" not in data["inpatient"]["levels"][0]


def test_diff_reports_alias_changes(runner: CliRunner, tmp_path: Path) -> None:
    """An alias added, dropped or renamed is a change of that entry's `aliases`; a level that
    loses all its aliases loses the key ("removed")."""
    text = FULL.read_text(encoding="utf-8")
    b_text = text.replace("aliases: [低保户]", "aliases: [低保户, 低保家庭]").replace(
        "aliases: [二级], ", ""
    )
    a, b = tariff(text), tariff(b_text)
    assert diff_tariffs(a, b) == (
        Change("categories[low_income].aliases", "changed", ("低保户",), ("低保户", "低保家庭")),
        Change("inpatient.levels[level_2].aliases", "removed", ("二级",), None),
    )
    fa = write_tariff(tmp_path / "a.yaml", text)
    fb = write_tariff(tmp_path / "b.yaml", b_text)
    result = run(runner, "diff", str(fa), str(fb), "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, "")
    assert _row(result.stdout, "categories[low_income].aliases") == [
        "categories[low_income].aliases",
        "changed",
        "低保户",
        "低保户,",
        "低保家庭",
    ]
    assert _row(result.stdout, "inpatient.levels[level_2].aliases") == [
        "inpatient.levels[level_2].aliases",
        "removed",
        "二级",
        "—",
    ]
