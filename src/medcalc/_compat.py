"""The module paths of medcalc 0.1 (one flat folder), kept importable for one deprecation period.

``import medcalc.engine`` still works and gives the module that now lives in ``medcalc.fast``,
with a :class:`DeprecationWarning` naming the new home. The old paths are resolved last, only
when no real module of that name exists, and are removed in medcalc 0.3.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

# old module -> (the module that holds its code now, the public face to import from instead)
MOVED = {
    "medcalc.model": ("medcalc.tariff._model", "medcalc.tariff"),
    "medcalc.loader": ("medcalc.tariff._loader", "medcalc.tariff"),
    "medcalc.book": ("medcalc.tariff._book", "medcalc.tariff"),
    "medcalc.tariff_diff": ("medcalc.tariff._diff", "medcalc.tariff"),
    "medcalc.discovery": ("medcalc.tariff._discovery", "medcalc.tariff"),
    "medcalc.inputs": ("medcalc.chain._inputs", "medcalc.chain"),
    "medcalc.profiles": ("medcalc.chain._profiles", "medcalc.chain"),
    "medcalc.results": ("medcalc.chain._results", "medcalc.chain"),
    "medcalc.rows": ("medcalc.chain._fields", "medcalc.chain.fields"),
    "medcalc.claims": ("medcalc.chain._claims", "medcalc.chain"),
    "medcalc.premiums": ("medcalc.chain._premiums", "medcalc.chain"),
    "medcalc.calculator": ("medcalc.chain._calculator", "medcalc.chain"),
    "medcalc.engine": ("medcalc.fast._engine", "medcalc.fast"),
    "medcalc.render": ("medcalc.present._text", "medcalc.present"),
    "medcalc.export": ("medcalc.present._json", "medcalc.present"),
    "medcalc.schemas": ("medcalc.present._schemas", "medcalc.present"),
    "medcalc.strategies": ("medcalc.audit.strategies", "medcalc.audit.strategies"),
    "medcalc.batchio": ("medcalc.batch._files", "medcalc.batch"),
    "medcalc.batchfast": ("medcalc.batch._columnar", "medcalc.batch"),
}


class _OldPaths(MetaPathFinder, Loader):
    """A finder and loader of the old paths: each is an alias of the module that moved."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        return ModuleSpec(fullname, self) if fullname in MOVED else None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        code, face = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} is deprecated and will be removed in medcalc 0.3; import from {face}",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(code)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its new name."""


def install() -> None:
    """Resolve the old paths after every real finder (so a real module always wins), once."""
    if not any(isinstance(finder, _OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(_OldPaths())
