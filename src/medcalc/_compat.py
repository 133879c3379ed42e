"""The module paths of medcalc 0.1 (one flat folder), kept importable for one deprecation period.

``import medcalc.engine`` still works, with a :class:`DeprecationWarning` naming the public face
to import from instead (``medcalc.fast``). The module it gives looks each name up where the code
now lives: the face first, then the private modules the 0.1 module was split into, so every
name a 0.1 program imported still resolves to the very same object. The old paths are resolved
last, only when no real module of that name exists, and are removed in medcalc 0.3.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

# old module -> (the public face to import from instead, where its names live now)
MOVED: dict[str, tuple[str, tuple[str, ...]]] = {
    "medcalc.model": ("medcalc.tariff", ("medcalc.tariff._model",)),
    "medcalc.loader": (
        "medcalc.tariff",
        ("medcalc.tariff", "medcalc.tariff._loader", "medcalc.tariff._yaml"),
    ),
    "medcalc.book": ("medcalc.tariff", ("medcalc.tariff._book",)),
    "medcalc.tariff_diff": ("medcalc.tariff", ("medcalc.tariff", "medcalc.tariff._diff")),
    "medcalc.discovery": ("medcalc.tariff", ("medcalc.tariff._discovery",)),
    "medcalc.inputs": ("medcalc.chain", ("medcalc.chain._inputs",)),
    "medcalc.profiles": ("medcalc.chain", ("medcalc.chain._profiles", "medcalc.chain._scale")),
    "medcalc.results": ("medcalc.chain", ("medcalc.chain._results",)),
    "medcalc.rows": ("medcalc.chain.fields", ("medcalc.chain.fields",)),
    "medcalc.claims": ("medcalc.chain", ("medcalc.chain._claims", "medcalc.chain._layers")),
    "medcalc.premiums": ("medcalc.chain", ("medcalc.chain._premiums",)),
    "medcalc.calculator": ("medcalc.chain", ("medcalc.chain._calculator",)),
    "medcalc.engine": (
        "medcalc.fast",
        ("medcalc.fast", "medcalc.fast._engine", "medcalc.fast._table"),
    ),
    "medcalc.render": ("medcalc.present", ("medcalc.present._text",)),
    "medcalc.export": ("medcalc.present", ("medcalc.present._json",)),
    "medcalc.schemas": ("medcalc.present", ("medcalc.present._schemas",)),
    "medcalc.strategies": ("medcalc.audit.strategies", ("medcalc.audit.strategies",)),
    "medcalc.batchio": (
        "medcalc.batch",
        (
            "medcalc.batch",
            "medcalc.batch._job",
            "medcalc.batch._files",
            "medcalc.batch._table",
            "medcalc.batch._csv",
            "medcalc.batch._output",
        ),
    ),
    "medcalc.batchfast": ("medcalc.batch", ("medcalc.batch", "medcalc.batch._columnar")),
}


class _Alias(ModuleType):
    """An old module: each attribute is looked up where it lives now."""

    def __init__(self, name: str, homes: tuple[str, ...]) -> None:
        super().__init__(name)
        self.__homes = homes

    def __getattr__(self, name: str) -> Any:
        for home in self.__homes:
            module = importlib.import_module(home)
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({n for home in self.__homes for n in dir(importlib.import_module(home))})


class _OldPaths:
    """A finder and loader of the old paths (the protocols of sys.meta_path; not the
    importlib.abc classes, whose import costs ``import medcalc`` ~10 ms)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        return ModuleSpec(fullname, cast("Loader", self)) if fullname in MOVED else None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        face, homes = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} is deprecated and will be removed in medcalc 0.3; import from {face}",
            DeprecationWarning,
            stacklevel=2,
        )
        importlib.import_module(homes[0])  # an old path of a missing extra fails here, as before
        return _Alias(spec.name, homes)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the names are looked up on use."""


def install() -> None:
    """Resolve the old paths after every real finder (so a real module always wins), once."""
    if not any(isinstance(finder, _OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(_OldPaths())
