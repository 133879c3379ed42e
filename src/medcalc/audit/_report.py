"""The audit's verdicts for people and programs: a table (Chinese first) and the JSON document
``medcalc/audit@1`` that ``medcalc audit`` prints."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from medcalc.audit._invariants import INVARIANTS
from medcalc.audit._runner import Verdict

AUDIT_SCHEMA = "medcalc/audit@1"
"""Name and version of the JSON output's schema."""

WORDS = {
    "zh": {
        "invariant": "不变式",
        "tariff": "待遇标准",
        "verdict": "结论",
        "counterexample": "最小反例",
        "pass": "通过",
        "fail": "未通过",
        "n/a": "不适用",
        "summary": "共 {n} 项：通过 {passed}，未通过 {failed}，不适用 {na}；"
        "每项 {examples} 例，种子 {seed}，用时 {seconds:.1f} 秒。",
    },
    "en": {
        "invariant": "invariant",
        "tariff": "tariff",
        "verdict": "verdict",
        "counterexample": "minimal counterexample",
        "pass": "pass",
        "fail": "FAIL",
        "n/a": "n/a",
        "summary": "{n} checks: {passed} passed, {failed} failed, {na} not applicable; "
        "{examples} examples each, seed {seed}, {seconds:.1f} s.",
    },
}


def _wrap(text: str, width: int = 72) -> str:
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent="  ") if line else line
        for line in text.splitlines()
    )


def verdicts_table(verdicts: Sequence[Verdict], lang: str) -> str:
    """One row per verdict: the invariant and its title, the series, the verdict, and the
    minimal counterexample or the reason it does not apply."""
    w = WORDS[lang]
    rows = []
    for v in verdicts:
        title = INVARIANTS[v.invariant].title.get(lang)
        detail = ""
        if v.counterexample is not None:
            detail = _wrap(v.counterexample.text(lang))
        elif v.reason is not None:
            detail = v.reason.get(lang)
        rows.append([f"{v.invariant}\n{title}", v.series, w[v.status], detail])
    headers = [w["invariant"], w["tariff"], w["verdict"], w["counterexample"]]
    return tabulate(rows, headers=headers, tablefmt="simple_grid")


def verdicts_json(
    verdicts: Sequence[Verdict], lang: str, examples: int, seed: int, seconds: float
) -> dict[str, Any]:
    """The JSON document of an audit run (schema ``medcalc/audit@1``)."""
    return {
        "schema": AUDIT_SCHEMA,
        "examples": examples,
        "seed": seed,
        "passed": not any(v.failed for v in verdicts),
        "seconds": round(seconds, 3),
        "verdicts": [
            {
                "invariant": v.invariant,
                "title": INVARIANTS[v.invariant].title.get(lang),
                "level": INVARIANTS[v.invariant].level,
                "series": v.series,
                "verdict": v.status,
                "examples": v.examples,
                "seconds": round(v.seconds, 3),
                "counterexample": None
                if v.counterexample is None
                else v.counterexample.to_json(lang),
                "reason": None if v.reason is None else v.reason.get(lang),
            }
            for v in verdicts
        ],
    }


def verdicts_summary(
    verdicts: Sequence[Verdict], lang: str, examples: int, seed: int, seconds: float
) -> str:
    """The line under the table: how many checks passed, failed, did not apply."""
    counts = {s: sum(v.status == s for v in verdicts) for s in ("pass", "fail", "n/a")}
    return WORDS[lang]["summary"].format(
        n=len(verdicts),
        passed=counts["pass"],
        failed=counts["fail"],
        na=counts["n/a"],
        examples=examples,
        seed=seed,
        seconds=seconds,
    )
