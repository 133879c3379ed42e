"""medcalc 0.1's module paths (one flat folder) still import, with a DeprecationWarning that
names the new home, and give the very objects of the new layout (CHANGELOG: removed in 0.3)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import medcalc
from medcalc import _compat


@pytest.mark.parametrize("old", sorted(_compat.MOVED))
def test_an_old_path_warns_and_gives_the_moved_module(old: str) -> None:
    code, face = _compat.MOVED[old]
    if old in {"medcalc.engine", "medcalc.batchfast"}:
        pytest.importorskip("numpy")
    if old in {"medcalc.strategies"}:
        pytest.importorskip("hypothesis")
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=rf"{old} is deprecated .* import from {face}$"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(code)


def test_old_names_are_the_new_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a 0.1 program wrote still means the same thing."""
    for old in ("rows", "calculator"):
        monkeypatch.delitem(sys.modules, f"medcalc.{old}", raising=False)
        monkeypatch.delattr(medcalc, old, raising=False)
    with pytest.warns(DeprecationWarning, match="medcalc.rows is deprecated"):
        from medcalc import rows  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="medcalc.calculator is deprecated"):
        from medcalc.calculator import Calculator  # type: ignore[import-not-found]
    from medcalc.chain import fields

    assert rows.text is fields.text
    assert Calculator is medcalc.Calculator


def test_a_real_module_wins_over_an_old_path() -> None:
    """``medcalc.batch`` and ``medcalc.audit`` are packages now and import without a warning."""
    code = (
        "import warnings; warnings.simplefilter('error')\n"
        "import medcalc.batch, medcalc.chain, medcalc.tariff, medcalc.present\n"
        "from medcalc.batch import ClaimsBatch, BatchJob\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_an_unknown_old_looking_path_is_still_an_import_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("medcalc.no_such_module")
