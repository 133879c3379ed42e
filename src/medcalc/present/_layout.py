"""How the clerk text is drawn: grids that fit a 100-column terminal, lists of items with their
amounts and notes, and the blocks the premiums and claims texts share (the profiles compared,
the sources cited, the tariff used).

Tables are drawn with ``tabulate``, imported on first use; number parsing is off, so no cell
goes through float. Chinese columns line up in a terminal when ``wcwidth`` is installed
(tabulate's wide-character mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from medcalc.chain import Alternative, TariffRef
from medcalc.present._cells import (
    SHORT_SHA,
    Lang,
    Row,
    amount,
    profile_label,
    status_text,
    tr,
)
from medcalc.tariff import Source, Tariff

__all__ = [
    "WIDTH",
    "compared",
    "fit",
    "grid",
    "items_text",
    "pairs_text",
    "sources_text",
    "tariff_rows",
]

# -- drawing --------------------------------------------------------------------------------


def _tabulate(rows: Sequence[Sequence[str]], **options: object) -> str:
    """tabulate, imported on first use: ``import medcalc`` (which exports the JSON documents of
    this floor) stays light."""
    from tabulate import tabulate

    text: str = tabulate(rows, disable_numparse=True, **options)  # type: ignore[arg-type]
    return text


def grid(headers: Row, rows: Sequence[Row], align: str) -> str:
    """A table with a header; ``align`` has one letter per column: l(eft) or r(ight)."""
    colalign = tuple("right" if a == "r" else "left" for a in align)
    return _tabulate(
        [list(r) for r in rows], headers=list(headers), tablefmt="simple", colalign=colalign
    )


WIDTH = 100
"""The widest a table may be, in terminal columns (a Chinese character takes two): a wider one
is drawn vertically by :func:`fit`, so an estimate reads in an 100-column window."""


def _display_width(text: str) -> int:
    """Terminal columns of the widest line (wcwidth: what tabulate aligns with)."""
    from wcwidth import wcswidth

    return max((wcswidth(line) for line in text.splitlines()), default=0)


def fit(headers: Row, rows: Sequence[Row], align: str) -> str:
    """:func:`grid`, or when that is wider than :data:`WIDTH`, each row as a block of
    ``header  value`` lines, blocks separated by a blank line: the values a grid would
    right-align (amounts) end in one column, the others start where the values start."""
    drawn = grid(headers, rows, align)
    if _display_width(drawn) <= WIDTH:
        return drawn
    from wcwidth import wcswidth

    label_width = max(wcswidth(h) for h in headers)
    right = [v for row in rows for v, a in zip(row, align, strict=True) if a == "r"]
    value_width = max((wcswidth(v) for v in right), default=0)
    blocks = []
    for row in rows:
        lines = []
        for header, value, a in zip(headers, row, align, strict=True):
            pad = " " * (value_width - wcswidth(value)) if a == "r" else ""
            label = header + " " * (label_width - wcswidth(header))
            lines.append(f"{label}  {pad}{value}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def items_text(rows: Sequence[Row]) -> str:
    """Item / amount / note rows without a header: amounts right-aligned, notes left, a note
    wrapped so the lines stay within :data:`WIDTH`."""
    from wcwidth import wcswidth

    width = max(len(r) for r in rows)
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    colalign = ("left", "right", "left")[:width]
    wrap: list[int | None] | None = None
    if width == 3:
        used = sum(max(wcswidth(r[i]) for r in padded) for i in (0, 1)) + 4  # two gaps of 2
        wrap = [None, None, max(WIDTH - used, 20)]
    text = _tabulate(padded, tablefmt="plain", colalign=colalign, maxcolwidths=wrap)
    return "\n".join(line.rstrip() for line in text.splitlines())


def pairs_text(rows: Sequence[Row]) -> str:
    """Label / value rows without a header, left-aligned."""
    text = _tabulate([list(r) for r in rows], tablefmt="plain")
    return "\n".join(line.rstrip() for line in text.splitlines())


def _wrapped(text: str, indent: str) -> str:
    """``text`` in lines within :data:`WIDTH`, the lines after the first indented."""
    lines = _tabulate([[text]], tablefmt="plain", maxcolwidths=[WIDTH - len(indent)]).splitlines()
    return "\n".join([lines[0].rstrip(), *(indent + line.rstrip() for line in lines[1:])])


# -- blocks the premiums and claims texts share ---------------------------------------------


class _Chosen(Protocol):
    """A result or a layer that chose its profile among candidates (就高不重复)."""

    @property
    def profile(self) -> str | None: ...

    @property
    def alternatives(self) -> Sequence[Alternative]: ...


_MOST_FAVOURABLE = "Profiles compared (most favourable, never combined)"
_COMPARED: dict[str, tuple[str, str, str, str]] = {
    # what chose: the title (zh, en), then the amount column (zh, en)
    "medical": (
        "各标准比较（就高不重复：取政府资助最多者）",
        _MOST_FAVOURABLE,
        "政府资助",
        "Government pays",
    ),
    "pension": (
        "各标准比较（就高不重复：取政府代缴最多者）",
        _MOST_FAVOURABLE,
        "政府代缴",
        "Government pays",
    ),
    "basic": (
        "各标准比较（就高不重复：取本次支付最多者）",
        _MOST_FAVOURABLE,
        "本次支付",
        "Paid for this claim",
    ),
    "critical_illness": (
        "各标准比较（本次后年度累计应付）",
        "Profiles compared (the year's payment at the base after this claim)",
        "年度累计应付",
        "Year's payment",
    ),
    "assistance": (
        "各标准比较（本次后年度累计救助）",
        "Profiles compared (the year's assistance at the base after this claim)",
        "年度累计救助",
        "Year's assistance",
    ),
}
"""The heading and amount column of each comparison of profiles."""


def compared(what: str, chosen: _Chosen, tariff: Tariff | None, lang: Lang) -> str:
    """The candidate profiles and what each gives, the chosen one marked (就高不重复), under
    the heading of ``what`` (see ``_COMPARED``)."""
    title_zh, title_en, column_zh, column_en = _COMPARED[what]
    title, column = tr(lang, title_zh, title_en), tr(lang, column_zh, column_en)
    mark = tr(lang, "是", "yes")
    rows = [
        (
            profile_label(tariff, a.profile, lang),
            amount(a.amount),
            mark if a.profile == chosen.profile else "",
        )
        for a in chosen.alternatives
    ]
    table = grid((tr(lang, "标准", "Profile"), column, tr(lang, "采用", "Applied")), rows, "lrl")
    return f"{title}\n{table}"


def sources_text(sources: Sequence[tuple[str, Source]], lang: Lang) -> str:
    """The sources cited, one entry each: id (and what it is cited for), title, number, URL."""
    lines = []
    for what, s in sources:
        head = s.id if not what else tr(lang, f"{s.id}（{what}）", f"{s.id} ({what})")
        number = "" if s.number is None else tr(lang, f"，{s.number}", f", {s.number}")
        lines.append(_wrapped(f"· {head}{tr(lang, '：', ': ')}{s.title}{number}", "  "))
        if s.url is not None:
            lines.append(f"  {s.url}")
    return "\n".join(lines)


def tariff_rows(ref: TariffRef, lang: Lang, *, full_sha: bool) -> list[Row]:
    """The tariff a result was computed with, as label / value rows (:func:`pairs_text`)."""
    return [
        (tr(lang, "系列", "Series"), ref.series),
        (tr(lang, "版本", "Version"), ref.version),
        ("sha256", ref.sha256 if full_sha else ref.sha256[:SHORT_SHA]),
        (tr(lang, "状态", "Status"), status_text(ref.status, lang)),
    ]
