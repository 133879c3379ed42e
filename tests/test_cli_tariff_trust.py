"""``medcalc tariff validate|show|diff|list`` on hostile tariff files (issue 11): each is a
clean message and exit 1, never a traceback or a wait on a FIFO.

The files are the bad-tariff corpus entries added for issue 11; the CLI only has to pass the
loader's problems through, so these tests pin the boundary, not every message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medcalc.cli import cli
from medcalc.tariff import ENV_VAR

BAD = Path(__file__).parent / "bad_tariffs"
HOSTILE = [
    "control_nul.yaml",
    "control_c1.yaml",
    "line_separator.yaml",
    "bidi_override.yaml",
    "nesting_too_deep_flow.yaml",
    "nesting_too_deep_block.yaml",
    "format_huge_integer.yaml",
    "amount_thousands_of_digits.yaml",
    "age_huge_integer.yaml",
]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@pytest.fixture
def runner() -> CliRunner:
    """A runner that ignores any MEDCALC_TARIFFS of the developer's shell."""
    return CliRunner(env={ENV_VAR: None})


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, ["tariff", *args, "--lang", "en"], env=env)


def expected_first(path: Path) -> str:
    """The first ``# expect: LINE:COL: gist`` of a corpus file, as ``FILE:LINE:COL: gist``."""
    first = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    return f"{path}:{first}"


def assert_exit_1(result: Result) -> None:
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # not an escaped exception
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_reports_the_problem(runner: CliRunner, name: str, tmp_path: Path) -> None:
    """validate prints FILE:LINE:COL: message and a summary, and exits 1."""
    path = Path(shutil.copy(BAD / name, tmp_path / name))
    result = run(runner, "validate", str(path))
    assert_exit_1(result)
    assert result.stdout.splitlines()[0].startswith(expected_first(path))
    assert result.stdout.splitlines()[-1] == "1 problem in 1 of 1 file"


@pytest.mark.parametrize("name", HOSTILE)
def test_show_and_diff_give_one_clean_error(runner: CliRunner, name: str, tmp_path: Path) -> None:
    """show (the file in a --tariffs directory) and diff (the file as an operand) stop with
    the problem on stderr after 'Error: ', and nothing on stdout."""
    path = Path(shutil.copy(BAD / name, tmp_path / name))
    for result in (
        run(runner, "show", "test-bad", "--tariffs", str(tmp_path)),
        run(runner, "diff", str(path), str(path)),
    ):
        assert_exit_1(result)
        assert result.stdout == ""
        assert result.stderr.startswith("Error: " + expected_first(path))


@needs_fifo
def test_env_fifo_and_file_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    """MEDCALC_TARIFFS naming a FIFO or a file is one clean error, exit 1 (a FIFO made every
    command wait for ever before issue 11)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    file = Path(shutil.copy(BAD / "control_nul.yaml", tmp_path / "one.yaml"))
    for entry, kind in ((fifo, "a FIFO"), (file, "a file")):
        for args in (("list",), ("validate",)):
            result = run(runner, *args, env={ENV_VAR: str(entry)})
            assert_exit_1(result)
            assert result.stderr == (
                f"Error: {ENV_VAR}: '{entry}' is {kind}, not a directory ({ENV_VAR} lists "
                f"tariff directories, separated by '{os.pathsep}')\n"
            )


@needs_fifo
def test_validate_a_fifo_path_does_not_wait(runner: CliRunner, tmp_path: Path) -> None:
    """validate PATH on a FIFO, and a FIFO in a --tariffs directory, are problems at 1:1."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    message = f"{fifo}:1:1: not a regular file (a FIFO); a tariff is a .yaml file"
    for result in (run(runner, "validate", str(fifo)), run(runner, "validate", str(tmp_path))):
        assert_exit_1(result)
        assert result.stdout.splitlines()[0] == message
    listed = run(runner, "list", "--tariffs", str(tmp_path))
    assert_exit_1(listed)
    assert listed.stderr == f"Error: {message}\n"
