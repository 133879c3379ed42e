"""The pyarrow compute functions the columnar path uses, called by name (issue 17, start-up).

``import pyarrow.compute`` builds a Python wrapper, with a docstring scraped from its options
class, for each of pyarrow's ~290 compute functions: 65-78 ms of every ``medcalc batch`` on
the 2-core machine of docs/performance.md, for the 11 used here. They are called here as
those wrappers call them, through ``call_function`` of pyarrow's compute extension module
(``pyarrow._compute``: the module ``pyarrow.compute`` itself is built on), with the same
options. Where a pyarrow release has no such module, ``pyarrow.compute`` serves. Array
methods that go through ``pyarrow.compute`` (``Array.take``, ``filter``, ``is_valid``,
``cast``) are not used on the columnar path: their functions are here.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "binary_join_element_wise",
    "cast",
    "dictionary_encode",
    "fill_null",
    "filter",
    "if_else",
    "is_valid",
    "match_substring_regex",
    "replace_substring",
    "replace_with_mask",
    "take",
]

_pa: Any = importlib.import_module("pyarrow")
try:
    _compute: Any = importlib.import_module("pyarrow._compute")
    _compute.call_function  # noqa: B018 - present in every release with the module
except (ImportError, AttributeError):  # pragma: no cover - a pyarrow without the module
    _compute = importlib.import_module("pyarrow.compute")
_call = _compute.call_function


def binary_join_element_wise(
    *strings_and_separator: Any, null_handling: str = "emit_null", null_replacement: str = ""
) -> Any:
    """Each row's strings joined by the separator (the last argument, a str)."""
    *strings, separator = strings_and_separator
    options = _compute.JoinOptions(null_handling, null_replacement)
    return _call("binary_join_element_wise", [*strings, _pa.scalar(separator)], options)


def cast(values: Any, target_type: Any) -> Any:
    """A safe cast (an error, never a silent change, when a value does not fit)."""
    return _call("cast", [values], _compute.CastOptions.safe(target_type))


def dictionary_encode(values: Any) -> Any:
    return _call("dictionary_encode", [values])


def fill_null(values: Any, fill_value: Any) -> Any:
    """Nulls replaced by ``fill_value`` (of the values' type), as ``pyarrow.compute`` does."""
    return _call("coalesce", [values, _pa.scalar(fill_value, values.type)])


def filter(values: Any, mask: Any) -> Any:  # (shadows the builtin here only: pyarrow's name)
    return _call("filter", [values, mask])


def if_else(condition: Any, left: Any, right: Any) -> Any:
    return _call("if_else", [condition, left, right])


def is_valid(values: Any) -> Any:
    return _call("is_valid", [values])


def match_substring_regex(strings: Any, pattern: str) -> Any:
    return _call("match_substring_regex", [strings], _compute.MatchSubstringOptions(pattern))


def replace_substring(strings: Any, pattern: str, replacement: str) -> Any:
    options = _compute.ReplaceSubstringOptions(pattern, replacement)
    return _call("replace_substring", [strings], options)


def replace_with_mask(values: Any, mask: Any, replacements: Any) -> Any:
    return _call("replace_with_mask", [values, mask, replacements])


def take(values: Any, indices: Any) -> Any:
    return _call("take", [values, indices])
