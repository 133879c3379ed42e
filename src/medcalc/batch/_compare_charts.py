"""The charts of a comparison (``medcalc compare --charts DIR``, docs/compare.md).

Two charts, each as PNG and SVG: the totals of each amount under the tables in force and under
the proposal, side by side (``totals.png``/``.svg``), and the distribution of the per-person
change (``change.png``/``.svg``). Drawn with matplotlib (the ``charts`` extra), imported only
here and only when a chart is drawn, on the Agg backend (no display). The files are
reproducible: SVG ids from a fixed ``svg.hashsalt``, text as paths, no date in the metadata.

Chinese labels need a CJK font: "Noto Sans CJK SC" (or another of :data:`CJK_FONTS`) when
matplotlib finds one, else the labels are English whatever the language asked. The bars and
the histogram are drawn from the exact totals converted to float: a picture, not an amount.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medcalc.batch._compare_summary import CompareSummary, amount_label
from medcalc.errors import UsageError

__all__ = ["CHART_FILES", "CJK_FONTS", "check_charts", "draw_charts"]

CHART_FILES = ("totals.png", "totals.svg", "change.png", "change.svg")
"""The files ``--charts DIR`` writes."""

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
"""The fonts tried for Chinese labels, in order."""

_WORDS = {
    "zh": {
        "totals": "各项合计：现行与方案",
        "base": "现行",
        "proposal": "方案",
        "yuan": "元",
        "change": "每人{change}变化的分布（{persons} 人）",
        "persons": "人数",
        "axis": "{change}变化（元；负数为受益）",
        "out_of_pocket": "个人自付",
        "individual": "个人缴费",
    },
    "en": {
        "totals": "Totals: in force and proposed",
        "base": "in force",
        "proposal": "proposal",
        "yuan": "yuan",
        "change": "Per-person {change} change ({persons} persons)",
        "persons": "persons",
        "axis": "{change} change (yuan; negative: better off)",
        "out_of_pocket": "out of pocket",
        "individual": "individual contribution",
    },
}


_MISSING = "--charts needs matplotlib: pip install 'medcalc[charts]'"


def check_charts() -> None:
    """:class:`UsageError` when the ``charts`` extra is missing (before anything is read)."""
    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError(_MISSING)


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend; :class:`UsageError` without the extra."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError(_MISSING) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _cjk_font() -> str | None:
    """The first of :data:`CJK_FONTS` matplotlib finds, None when none is installed."""
    from matplotlib import font_manager

    for name in CJK_FONTS:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=name), fallback_to_default=False
            )
        except ValueError:
            continue
        return name
    return None


def _style(plt: Any, lang: str) -> str:
    """Reproducible output; the labels' language (``zh`` only with a CJK font)."""
    plt.rcParams.update(
        {"svg.hashsalt": "medcalc-compare", "svg.fonttype": "path", "font.size": 10}
    )
    if lang != "zh":
        return "en"
    font = _cjk_font()
    if font is None:
        return "en"
    plt.rcParams["font.family"] = ["sans-serif"]
    plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return "zh"


def _save(plt: Any, figure: Any, directory: Path, stem: str) -> None:
    figure.savefig(directory / f"{stem}.png", dpi=120, metadata={"Software": None})
    figure.savefig(directory / f"{stem}.svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)


def _totals(plt: Any, summary: CompareSummary, lang: str, directory: Path) -> None:
    words = _WORDS[lang]
    names = [amount_label(c.name, lang) for c in summary.totals]
    base = [float(c.base) for c in summary.totals]
    proposal = [float(c.proposal) for c in summary.totals]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    x = list(range(len(names)))
    width = 0.38
    axes.bar([i - width / 2 for i in x], base, width, label=words["base"], color="#4c72b0")
    axes.bar([i + width / 2 for i in x], proposal, width, label=words["proposal"], color="#dd8452")
    axes.set_xticks(x, names)
    axes.set_ylabel(words["yuan"])
    axes.set_title(words["totals"])
    axes.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    axes.legend()
    figure.tight_layout()
    _save(plt, figure, directory, "totals")


def _change(plt: Any, summary: CompareSummary, lang: str, directory: Path) -> None:
    words = _WORDS[lang]
    change = words[summary.change_name]
    values: Sequence[float] = [fen / 100 for fen in summary.spread]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if values:
        axes.hist(values, bins=min(40, max(1, len(set(values)))), color="#4c72b0")
    axes.axvline(0, color="#555555", linewidth=0.8)
    axes.set_xlabel(words["axis"].format(change=change))
    axes.set_ylabel(words["persons"])
    axes.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
    axes.set_title(words["change"].format(change=change, persons=summary.persons))
    axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    figure.tight_layout()
    _save(plt, figure, directory, "change")


def draw_charts(summary: CompareSummary, directory: Path, lang: str = "zh") -> tuple[Path, ...]:
    """Draw the charts into ``directory`` (made when missing); the files written
    (:data:`CHART_FILES`). Labels in ``lang`` when a font can show it (else English)."""
    plt = _pyplot()
    directory.mkdir(parents=True, exist_ok=True)
    with plt.rc_context():
        shown = _style(plt, lang)
        _totals(plt, summary, shown, directory)
        _change(plt, summary, shown, directory)
    return tuple(directory / name for name in CHART_FILES)
