"""The auditor's tools: policy invariants checked with hypothesis against any tariff.

`run_audit` runs the named invariants (`INVARIANTS`) on an `AuditTarget`: a tariff series and
the calculator under audit (`medcalc.Calculator`, or any `Estimator` made from a book). The
reference formulas (`reference_critical_illness`, …) are an independent formulation of the
contract, over fractions. `medcalc.audit.strategies` holds the hypothesis strategies (persons,
claims, tariffs).

Behind this face: `_oracle` (the contract's formulas), `_target` (what is audited), `_cases`
and `_facts` (drawn cases, readable counterexamples), the invariants by concern
(`_accumulation`, `_amounts`, `_tables`), their registry (`_invariants`) and `_runner`.
"""

from __future__ import annotations

from medcalc.audit import strategies
from medcalc.audit._accumulation import SplitCase
from medcalc.audit._cases import ClaimsCase
from medcalc.audit._facts import Counterexample
from medcalc.audit._invariants import INVARIANTS, Invariant
from medcalc.audit._oracle import (
    critical_illness_scales,
    reference_assistance,
    reference_critical_illness,
    reference_layers,
    reference_pension_government,
)
from medcalc.audit._report import (
    AUDIT_SCHEMA,
    verdicts_json,
    verdicts_summary,
    verdicts_table,
)
from medcalc.audit._runner import (
    DEFAULT_EXAMPLES,
    Verdict,
    bounds,
    extra_category,
    favourability,
    monotonicity,
    order_invariance,
    rising_ratios,
    rounding,
    run_audit,
    run_invariant,
    split_invariance,
    uncapped,
    version_locality,
    year_to_date_equivalence,
)
from medcalc.audit._tables import ExtraCategoryCase
from medcalc.audit._target import AuditTarget, Estimator

__all__ = [
    "AUDIT_SCHEMA",
    "DEFAULT_EXAMPLES",
    "INVARIANTS",
    "AuditTarget",
    "ClaimsCase",
    "Counterexample",
    "Estimator",
    "ExtraCategoryCase",
    "Invariant",
    "SplitCase",
    "Verdict",
    "bounds",
    "critical_illness_scales",
    "extra_category",
    "favourability",
    "monotonicity",
    "order_invariance",
    "reference_assistance",
    "reference_critical_illness",
    "reference_layers",
    "reference_pension_government",
    "rising_ratios",
    "rounding",
    "run_audit",
    "run_invariant",
    "split_invariance",
    "strategies",
    "uncapped",
    "verdicts_json",
    "verdicts_summary",
    "verdicts_table",
    "version_locality",
    "year_to_date_equivalence",
]
