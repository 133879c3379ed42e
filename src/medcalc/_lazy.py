"""Names a floor's public face imports on first use (issue 17, start-up): what a run does not
need stays unimported until asked for (``medcalc batch`` does not import the tariff diff, the
compare job or its charts). One way for every face; the face lists the names, and for the type
checker imports them under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["first_use"]


def first_use(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name of ``where`` (name -> the package's
    module that defines it) is imported when first asked for, then kept in the package."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        found = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, found)
        return found

    return __getattr__
