"""Every example in a docstring of medcalc runs and prints what it shows (``>>>`` lines), in
every module, private ones included: an example that drifts from the code fails here."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "medcalc"
MODULES = sorted(
    "medcalc." + ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
    for p in SRC.rglob("*.py")
    if p.name != "__main__.py"
)
NEEDS = {"medcalc.fast": "numpy", "medcalc.service": "starlette", "medcalc.audit": "hypothesis"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    for prefix, extra in NEEDS.items():
        if name.startswith(prefix):
            pytest.importorskip(extra)
    if name == "medcalc.batch._columnar" or name.startswith(
        ("medcalc.batch._scan", "medcalc.batch._columns")
    ):
        pytest.importorskip("pyarrow")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
