"""The named invariants: each with its title, its level, its case strategy and its check, and
:data:`INVARIANTS`, the registry by name in the order the audit runs them.

The checks live by concern: the year's accumulation (:mod:`._accumulation`), the amounts
(:mod:`._amounts`), the tariff table and 就高不重复 (:mod:`._tables`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any, Generic, Literal, TypeVar

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from medcalc.audit._accumulation import (
    check_locality,
    check_order,
    check_split,
    check_ytd,
    locality_cases,
    order_cases,
    split_cases,
    ytd_cases,
)
from medcalc.audit._amounts import (
    check_bounds,
    check_more_cost,
    check_rounding,
    check_uncapped,
    more_cost_cases,
    uncapped_applies,
    uncapped_cases,
)
from medcalc.audit._cases import year_cases
from medcalc.audit._facts import Counterexample, Fact, fail, same
from medcalc.audit._tables import (
    check_extra,
    check_favourable,
    check_ratios,
    extra_applies,
    extra_cases,
    favourable_applies,
    favourable_cases,
    favourable_probes,
    ratio_applies,
    ratio_probes,
)
from medcalc.audit._target import AuditTarget
from medcalc.tariff import Text

C = TypeVar("C")


def _guarded(
    check: Callable[[AuditTarget, C], Counterexample | None], target: AuditTarget, case: C
) -> Counterexample | None:
    """Run a check; an exception on a valid case is a counterexample too."""
    try:
        return check(target, case)
    except Exception as exc:
        facts: list[Fact] = list(case.facts()) if hasattr(case, "facts") else []
        facts.append(("error", same(f"{type(exc).__name__}: {exc}")))
        return fail(
            "计算在有效输入上出错",
            "the calculation raised an error on valid input",
            *facts,
        )


def _needs_claims(target: AuditTarget) -> Text | None:
    if target.claim_versions:
        return None
    return Text(
        "没有可计算住院结算的版本（缺大病保险部分）",
        "no version can compute claims (no critical_illness section)",
    )


def _no_probes(_target: AuditTarget) -> Iterable[Any]:
    return ()


@attrs.frozen
class Invariant(Generic[C]):
    """A named invariant: its case strategy for a target and its check.

    ``level``: ``claims`` (random persons and claims against the tariff: checks the
    calculation) or ``tariff`` (a property of the tariff table itself). ``probes``: fixed cases
    tried before the random search (the tariff-level invariants try every bound and cap).
    """

    name: str
    title: Text
    level: Literal["claims", "tariff"]
    cases: Callable[[AuditTarget], st.SearchStrategy[C]]
    check: Callable[[AuditTarget, C], Counterexample | None]
    applies: Callable[[AuditTarget], Text | None] = _needs_claims
    probes: Callable[[AuditTarget], Iterable[C]] = _no_probes

    def falsify(self, target: AuditTarget, case: C) -> Counterexample | None:
        """Check one case; a counterexample when it breaks the invariant (an exception raised
        by the calculation on this valid case counts as breaking it)."""
        return _guarded(self.check, target, case)

    def search(self, target: AuditTarget, *, examples: int, seed: int) -> Counterexample | None:
        """A minimal counterexample on ``target``, or None (also when the invariant does not
        apply)."""
        if self.applies(target) is not None:
            return None
        for case in self.probes(target):
            found = _guarded(self.check, target, case)
            if found is not None:
                return found
        rnd = random.Random(f"{seed}:{self.name}:{target.series}")
        try:
            case = find(
                self.cases(target),
                lambda c: _guarded(self.check, target, c) is not None,
                settings=_settings(examples),
                random=rnd,
            )
        except NoSuchExample:
            return None
        return _guarded(self.check, target, case)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )


_ALL: list[Invariant[Any]] = [
    Invariant(
        "split",
        Text("拆分不变（年度累计）", "split invariance"),
        "claims",
        split_cases,
        check_split,
    ),
    Invariant("order", Text("顺序不变", "order invariance"), "claims", order_cases, check_order),
    Invariant(
        "year_to_date",
        Text("年度累计等价", "year-to-date equivalence"),
        "claims",
        ytd_cases,
        check_ytd,
    ),
    Invariant(
        "monotonic",
        Text("费用越高待遇不减", "monotonicity"),
        "claims",
        more_cost_cases,
        check_more_cost,
    ),
    Invariant(
        "bounds",
        Text("支付界限与封顶线", "bounds and caps"),
        "claims",
        lambda t: year_cases(t, max_size=6, years=2),
        check_bounds,
    ),
    Invariant(
        "uncapped",
        Text("不设封顶", "uncapped keeps paying"),
        "claims",
        uncapped_cases,
        check_uncapped,
        uncapped_applies,
    ),
    Invariant(
        "rounding",
        Text("舍入与合计", "rounding and totals"),
        "claims",
        lambda t: year_cases(t, max_size=6, years=2),
        check_rounding,
    ),
    Invariant(
        "favourable",
        Text("类别待遇不低于普通参保人", "favourable profiles"),
        "tariff",
        favourable_cases,
        check_favourable,
        favourable_applies,
        favourable_probes,
    ),
    Invariant(
        "extra_category",
        Text("多一个类别不吃亏（就高不重复）", "extra category never hurts"),
        "claims",
        extra_cases,
        check_extra,
        extra_applies,
    ),
    Invariant(
        "rising_ratios",
        Text("费用越高报销比例越高", "higher cost, higher ratio"),
        "tariff",
        lambda t: st.sampled_from(ratio_probes(t)),
        check_ratios,
        ratio_applies,
        ratio_probes,
    ),
    Invariant(
        "version_locality",
        Text("版本局部性", "version locality"),
        "claims",
        locality_cases,
        check_locality,
    ),
]

INVARIANTS: dict[str, Invariant[Any]] = {inv.name: inv for inv in _ALL}
"""Every invariant by name, in the order the audit runs them."""
