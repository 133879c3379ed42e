"""Every file in ``examples/`` runs: each script with this Python, each CSV/XLSX through
``medcalc batch``. Scripts run in a scratch copy of ``examples/``, so nothing in the
repository changes (``make_xlsx.py`` rewrites ``claims.xlsx`` next to itself)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
BATCH_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".csv", ".xlsx"})
#: ``medcalc`` as a command, with the Python running the tests (the project's venv).
MEDCALC = [sys.executable, "-c", "import sys; from medcalc.cli import main; sys.exit(main())"]


def test_there_are_examples() -> None:
    """The examples directory holds scripts and batch files (a guard against a bad glob)."""
    assert {p.name for p in SCRIPTS} >= {"embed.py", "make_xlsx.py"}
    assert {p.name for p in BATCH_FILES} >= {"claims.csv", "claims.xlsx", "premiums.csv"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs(script: Path, tmp_path: Path) -> None:
    """The script exits 0, run from a copy of examples/."""
    scratch = tmp_path / "examples"
    shutil.copytree(EXAMPLES, scratch)
    done = subprocess.run(
        [sys.executable, str(scratch / script.name)],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("source", BATCH_FILES, ids=lambda p: p.name)
def test_example_batch_file_runs(source: Path, tmp_path: Path) -> None:
    """``medcalc batch claims|premiums`` (by the file name) computes every row, exit 0."""
    kind = source.stem.split("_")[0]
    assert kind in {"claims", "premiums"}, f"{source.name}: name it claims*.csv or premiums*.csv"
    out = tmp_path / f"out{source.suffix}"
    done = subprocess.run(
        [*MEDCALC, "batch", kind, str(source), "-o", str(out), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "0 with errors" in done.stderr.splitlines()[0]
    assert out.stat().st_size > 0
