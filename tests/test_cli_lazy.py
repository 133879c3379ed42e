"""The command line imports the command it runs and no other: each command's module (and the
floors it stands on) is loaded when the command is first looked up (issue 17, start-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medcalc.cli import COMMANDS, cli

EXAMPLES = Path(__file__).parents[1] / "examples"
CLAIMS = EXAMPLES / "claims.csv"

#: Each command's module (claim and premium share one).
MODULES = {
    "audit": "medcalc.cli.audit",
    "batch": "medcalc.cli.batch",
    "claim": "medcalc.cli.calc",
    "premium": "medcalc.cli.calc",
    "compare": "medcalc.cli.compare",
    "serve": "medcalc.cli.serve",
    "tariff": "medcalc.cli.tariff",
}
COMMAND_MODULES = tuple(sorted(set(MODULES.values())))
#: What `medcalc batch` does not use: the auditor's floor and hypothesis, the web service and
#: its stack, the HTML template engine.
NOT_FOR_BATCH = (
    "hypothesis",
    "starlette",
    "uvicorn",
    "jinja2",
    "medcalc.audit",
    "medcalc.service",
)
#: What a batch run of a CSV file does not use of the batch floor and its libraries either: the
#: compare job, its summary and charts (wcwidth lays the summary out, matplotlib draws), the
#: claims file of `medcalc claim --claims`, the XLSX writer and readers, the tariff as a tree
#: and the diff of two (`medcalc tariff show|diff`), pyarrow's Python wrappers of its compute
#: functions (the columnar path calls the few it uses by name), numpy's masked arrays
#: (pa.array(numpy) and np.unique look for them: medcalc.batch._columnar_write.from_numpy)
#: (issue 17, start-up).
NOT_FOR_A_CSV_BATCH = (
    "pyarrow.compute",
    "numpy.ma",
    "medcalc.batch._compare",
    "medcalc.batch._compare_charts",
    "medcalc.batch._compare_columnar",
    "medcalc.batch._compare_summary",
    "medcalc.batch._claims_file",
    "wcwidth",
    "matplotlib",
    "xlsxwriter",
    "python_calamine",
    "openpyxl",
    "medcalc.tariff._diff",
    "medcalc.present._tariff_diff",
)


def loaded_by(*args: str, watch: tuple[str, ...]) -> tuple[int, list[str]]:
    """Run ``medcalc ARGS…`` in a fresh interpreter: its exit code and which of the packages
    or modules ``watch`` (each with its submodules) it imported."""
    code = (
        "import sys\n"
        "from medcalc.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        f"watch = {watch!r}\n"
        "found = {w for w in watch for m in sys.modules if m == w or m.startswith(w + '.')}\n"
        "print(code, *sorted(found), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MEDCALC_LANG"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    code_text, *found = out.stderr.splitlines()[-1].split()
    return int(code_text), found


def test_the_commands_are_named_without_importing_them() -> None:
    """The root group knows every command by name; listing them imports none."""
    assert sorted(cli.commands) == sorted(COMMANDS) == sorted(MODULES)
    assert len(cli.commands) == 7


@pytest.mark.parametrize("args", [["batch", "claims", "--help"], ["batch", "claims", "-h"]])
def test_batch_does_not_import_what_it_does_not_use(args: list[str]) -> None:
    code, found = loaded_by(*args, watch=(*NOT_FOR_BATCH, *NOT_FOR_A_CSV_BATCH, *COMMAND_MODULES))
    assert code == 0
    assert found == ["medcalc.cli.batch"]


@pytest.mark.parametrize(
    ("args", "used"),
    [
        (["claims", "claims.csv", "-o", "out.csv"], []),
        (["claims", "claims.csv", "-o", "out.jsonl", "--engine", "core"], []),
        (["premiums", "premiums.csv", "-o", "out.csv"], []),
        # XLSX: python-calamine reads it (openpyxl only what calamine cannot), XlsxWriter writes
        (["claims", "claims.xlsx", "-o", "out.csv"], ["python_calamine"]),
        (["claims", "claims.csv", "-o", "out.xlsx"], ["xlsxwriter"]),
    ],
)
def test_a_batch_run_imports_only_what_it_uses(
    tmp_path: Path, args: list[str], used: list[str]
) -> None:
    """A real run, not only its help page: no other command, nor what only they use."""
    kind, name, option, out, *rest = args
    paths = [str(EXAMPLES / name), option, str(tmp_path / out)]
    watch = (*NOT_FOR_BATCH, *NOT_FOR_A_CSV_BATCH)
    code, found = loaded_by("batch", kind, *paths, *rest, watch=watch)
    assert code == 0
    assert found == used
    assert (tmp_path / out).stat().st_size > 0


def test_compare_imports_what_batch_leaves_out(tmp_path: Path) -> None:
    """The other side: ``medcalc compare`` does import the compare job and its summary (the
    names ``medcalc.batch`` imports on first use), and still no XLSX library for a CSV."""
    proposal = str(EXAMPLES / "proposal_threshold_3000.yaml")
    out = str(tmp_path / "out.csv")
    args = ("compare", "claims", str(CLAIMS), "--proposal", proposal, "-o", out)
    code, found = loaded_by(*args, watch=NOT_FOR_A_CSV_BATCH)
    assert code == 0
    assert "medcalc.batch._compare" in found
    assert "medcalc.batch._compare_summary" in found
    assert not {"xlsxwriter", "python_calamine", "openpyxl"} & set(found)


def test_claim_help_does_not_import_the_columnar_floor() -> None:
    code, found = loaded_by("claim", "--help", watch=("numpy", "pyarrow", *NOT_FOR_BATCH))
    assert code == 0
    assert found == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_list_of_commands_imports_no_command(lang: str) -> None:
    """`medcalc --help` lists every command with the catalogue's short help
    (tests/test_cli_lang.py checks the texts) without importing their modules."""
    code, found = loaded_by("--lang", lang, "--help", watch=COMMAND_MODULES)
    assert code == 0
    assert found == []  # every short help comes from the catalogue


@pytest.mark.parametrize("args", [["--version"], ["nope"], ["--lang", "en", "nope"]])
def test_version_and_an_unknown_command_import_no_command(args: list[str]) -> None:
    code, found = loaded_by(*args, watch=COMMAND_MODULES)
    assert code == (0 if args == ["--version"] else 2)
    assert found == []


@pytest.mark.parametrize(("name", "module"), sorted(MODULES.items()))
def test_each_command_imports_its_own_module(name: str, module: str) -> None:
    """``medcalc NAME --help`` loads NAME's module, and no other command's."""
    others = tuple(sorted({m for m in MODULES.values() if m != module}))
    code, found = loaded_by(name, "--help", watch=(module, *others))
    assert code == 0
    assert found == [module]


def test_the_console_entry_leaves_the_last_collections_out() -> None:
    """``medcalc`` (the console script, ``python -m medcalc``) freezes what the run made
    before the process ends: the interpreter's final garbage collections skip it (25-30 ms,
    a tenth of a small batch: docs/performance.md, start-up). ``main``, for a program that
    embeds the command line, freezes nothing."""
    code = (
        "import atexit, gc, sys\n"
        "from medcalc.cli import run\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
        "sys.argv = ['medcalc', '--version']\n"
        "run()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0
    word, count = out.stderr.split()[-2:]
    assert word == "frozen" and int(count) > 10_000  # every object of the imports, at least
    embedded = code.replace("import run", "import main").replace("run()", "main()")
    out = subprocess.run(
        [sys.executable, "-c", embedded.replace("sys.argv = ['medcalc', '--version']\n", "")
         .replace("main()", "main(['--version'])")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.stderr.split()[-2:] == ["frozen", "0"]


def _program(tmp_path: Path, *args: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """The ``medcalc`` program (``medcalc.cli.run``) in a fresh interpreter that has an atexit
    handler of its own, saying ``teardown`` when the interpreter's teardown runs (on stderr,
    else in the file ``teardown``); ``before``: code run first."""
    code = (
        "import atexit, pathlib, sys\n"
        "def said():\n"
        "    if sys.stderr is None:\n"
        "        pathlib.Path('teardown').write_text('teardown')\n"
        "    else:\n"
        "        print('teardown', file=sys.stderr)\n"
        "atexit.register(said)\n"
        f"{before}"
        "from medcalc.cli import run\n"
        f"sys.argv = ['medcalc', *{list(args)!r}]\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MEDCALC_LANG"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env,
        cwd=tmp_path,
    )  # fmt: skip


def test_the_program_ends_at_once_after_a_batch_it_finished(tmp_path: Path) -> None:
    """A finished batch (exit 0; exit 3 with row errors) ends without the interpreter's
    teardown, its output and summary complete; anything else ends as usual."""
    ok = _program(tmp_path, "batch", "claims", str(EXAMPLES / "claims.csv"), "-o", "out.csv",
                  "--lang", "en")  # fmt: skip
    assert ok.returncode == 0
    assert ok.stderr.endswith("wrote out.csv\n")  # flushed; no teardown after it
    expected = subprocess.run(
        [sys.executable, "-m", "medcalc", "batch", "claims", str(EXAMPLES / "claims.csv"),
         "-o", str(tmp_path / "again.csv"), "--lang", "en"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert expected.returncode == 0
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    source = tmp_path / "bad.csv"
    source.write_text(
        "person_id,date,hospital_level,compliant\nP1,2018-03-01,level_2,-5\n", encoding="utf-8"
    )
    some_errors = _program(tmp_path, "batch", "claims", str(source), "-o", "bad-out.csv",
                           "--series", "qingyuan-qingcheng", "--lang", "en")  # fmt: skip
    assert some_errors.returncode == 3
    assert "teardown" not in some_errors.stderr
    assert (tmp_path / "bad-out.csv").read_text("utf-8-sig").count("\n") == 2
    failed = _program(tmp_path, "batch", "claims", "missing.csv", "-o", "x.csv", "--lang", "en")
    assert failed.returncode != 0
    assert failed.stderr.endswith("teardown\n")
    version = _program(tmp_path, "--version")
    assert version.returncode == 0
    assert version.stderr == "teardown\n"


def test_the_program_ends_at_once_after_a_comparison_and_with_closed_streams(
    tmp_path: Path,
) -> None:
    """A finished comparison with its summary file ends at once too, the summary complete; so
    does a batch whose stdout and stderr were closed at start (``>&- 2>&-``: Python has None
    for them); a profiler running (its results are written at exit) keeps the usual ending."""
    proposal = EXAMPLES / "proposal_threshold_3000.yaml"
    compared = _program(tmp_path, "compare", "claims", str(EXAMPLES / "claims.csv"),
                        "--proposal", str(proposal), "-o", "c.csv", "--summary", "s.json",
                        "--lang", "en")  # fmt: skip
    assert compared.returncode == 0
    assert "teardown" not in compared.stderr
    assert json.loads((tmp_path / "s.json").read_text("utf-8"))["kind"] == "claims"
    closed = _program(tmp_path, "batch", "claims", str(EXAMPLES / "claims.csv"), "-o", "o.csv",
                      before="import os; os.close(1); os.close(2)\n"
                      "sys.stdout = sys.stderr = None\n")  # fmt: skip
    assert closed.returncode == 0
    assert (tmp_path / "o.csv").read_bytes().count(b"\n") == 1 + len(
        (EXAMPLES / "claims.csv").read_bytes().splitlines()[1:]
    )
    assert not (tmp_path / "teardown").exists()
    profiled = _program(tmp_path, "batch", "claims", str(EXAMPLES / "claims.csv"), "-o", "p.csv",
                        before="sys.setprofile(lambda *a: None)\n")  # fmt: skip
    assert profiled.returncode == 0
    assert profiled.stderr.endswith("teardown\n")
