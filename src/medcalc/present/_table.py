"""Tables of text cells that line up in a terminal, Chinese included (for ``tariff`` output).

A Chinese character takes two columns of a terminal, a combining mark none. tabulate measures
cells with the optional ``wcwidth`` module when it is installed; :func:`table` gives it
:func:`display_width` instead, so the tables align, and align the same, whether or not
``wcwidth`` is installed. Number parsing is off: no cell goes through float.

>>> display_width("二级 level_2")
12
>>> print(wrap("2018-01-01 至 2018-12-31（含首尾两日）", 14))
2018-01-01 至
2018-12-31（含
首尾两日）
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["display_width", "table", "wrap"]


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal (a wide CJK character counts two)."""
    return sum(_char_width(ch) for ch in text)


class _DisplayWidth:
    """Stands in for the optional ``wcwidth`` module that tabulate uses for wide (CJK)
    characters, so Chinese tables align, and align the same whether or not it is installed."""

    @staticmethod
    def wcswidth(text: str) -> int:
        return display_width(text)


def _in_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def wrap(text: str, width: int) -> str:
    """Wrap each line of ``text`` to ``width`` display columns: at a space near the end of the
    line when there is one, else anywhere but inside a run of ASCII letters and digits
    (Chinese has no spaces between words)."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        while display_width(line) > width:
            cut, used = 0, 0
            while used + _char_width(line[cut]) <= width:
                used += _char_width(line[cut])
                cut += 1
            cut = max(cut, 1)  # a column narrower than one character still makes progress
            word = cut
            while word > 0 and _in_word(line[word - 1]) and _in_word(line[word]):
                word -= 1  # do not split a number or a word (2018, https)
            cut = word or cut
            space = line.rfind(" ", 0, cut + 1)
            if space > 0 and display_width(line[space:cut]) <= width // 3:
                out.append(line[:space])
                line = line[space + 1 :]
            else:
                out.append(line[:cut])
                line = line[cut:]
        out.append(line)
    return "\n".join(out)


@contextlib.contextmanager
def _wide_chars(module: Any) -> Iterator[None]:
    saved = module.wcwidth, module.WIDE_CHARS_MODE
    module.wcwidth, module.WIDE_CHARS_MODE = _DisplayWidth, True
    try:
        yield
    finally:
        module.wcwidth, module.WIDE_CHARS_MODE = saved


def table(
    rows: Sequence[Sequence[str]],
    headers: Sequence[str] = (),
    *,
    right: Sequence[int] = (),
    wrap_at: Mapping[int, int] | None = None,
    plain: bool = False,
) -> str:
    """A table of text cells (never re-read as numbers); columns in ``right`` align right, and
    column ``i`` is wrapped to ``wrap_at[i]`` display columns. ``plain``: no header rule."""
    # Imported on first use: ``import medcalc`` (which exports this floor) stays light.
    import tabulate as tabulate_module

    if wrap_at:
        rows = [[wrap(c, wrap_at[i]) if i in wrap_at else c for i, c in enumerate(r)] for r in rows]
    ncols = len(headers) if headers else max((len(r) for r in rows), default=0)
    align = tuple("right" if i in right else "left" for i in range(ncols))
    with _wide_chars(tabulate_module):
        text: str = tabulate_module.tabulate(
            [list(r) for r in rows],
            headers=list(headers),
            tablefmt="plain" if plain else "simple",
            disable_numparse=True,
            colalign=align,
        )
    return text
