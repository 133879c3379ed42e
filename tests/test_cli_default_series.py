"""``medcalc claim`` and ``medcalc premium`` without ``--series``: the default series as
``medcalc batch`` has it (``MEDCALC_SERIES``, else the only series installed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medcalc.cli import cli

ROOT = Path(__file__).parents[1]
SERIES = "qingyuan-qingcheng"
OTHER = "test-full"  # tests/good_tariffs/full.yaml, 2018 only
CLAIM = [
    "claim",
    "--date",
    "2018-05-10",
    "--compliant",
    "5000",
    "--basic-paid",
    "0",
    "--format",
    "json",
]
PREMIUM = ["premium", "--year", "2018", "--birth-date", "1970-01-01", "--format", "json"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def two_series(tmp_path: Path) -> Path:
    """A tariff directory that adds a second series to the bundled one."""
    shutil.copy(ROOT / "tests" / "good_tariffs" / "full.yaml", tmp_path)
    return tmp_path


def invoke(runner: CliRunner, *args: str, series: str | None = None) -> Result:
    env = {"MEDCALC_TARIFFS": None, "MEDCALC_SERIES": series, "MEDCALC_LANG": None}
    return runner.invoke(cli, list(args), env=env, prog_name="medcalc")


@pytest.mark.parametrize("command", [CLAIM, PREMIUM], ids=["claim", "premium"])
def test_the_only_series_installed(runner: CliRunner, command: list[str]) -> None:
    """With only the bundled tables, no --series is needed: the result is that series'."""
    result = invoke(runner, *command)
    assert result.exit_code == 0, result.stderr
    assert f'"series": "{SERIES}"' in result.stdout


@pytest.mark.parametrize("command", [CLAIM, PREMIUM], ids=["claim", "premium"])
def test_two_series_need_a_choice(runner: CliRunner, two_series: Path, command: list[str]) -> None:
    """Two series installed: MEDCALC_SERIES chooses, --series over it; without either a
    usage error (exit 2) naming the installed series, in the run's language."""
    with_dir = [*command, "--tariffs", str(two_series)]
    chosen = invoke(runner, *with_dir, series=OTHER)
    assert chosen.exit_code == 0, chosen.stderr
    assert f'"series": "{OTHER}"' in chosen.stdout
    given = invoke(runner, *with_dir, "--series", SERIES, series=OTHER)
    assert given.exit_code == 0, given.stderr
    assert f'"series": "{SERIES}"' in given.stdout
    neither = invoke(runner, *with_dir)
    assert neither.exit_code == 2
    assert neither.stderr.endswith(
        f"错误: 没有默认的待遇标准系列（已安装：{SERIES}, {OTHER}）：请用 --series 或环境变量 "
        "MEDCALC_SERIES 指定\n"
    )
    neither = invoke(runner, *with_dir, "--lang", "en")
    assert neither.stderr.endswith(
        f"Error: no default series (installed: {SERIES}, {OTHER}): give --series or set "
        "MEDCALC_SERIES\n"
    )


def test_an_unknown_medcalc_series(runner: CliRunner) -> None:
    """MEDCALC_SERIES naming no series is the unknown series error (exit 1)."""
    result = invoke(runner, *PREMIUM, series="nowhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: ")
    assert "nowhere" in result.stderr
