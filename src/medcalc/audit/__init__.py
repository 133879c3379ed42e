"""The auditor's tools: policy invariants checked with hypothesis against any tariff.

`run_audit` runs the named invariants (`INVARIANTS`) on a `AuditTarget`; the reference
formulas are an independent formulation of the contract. `medcalc.audit.strategies` holds
the hypothesis strategies (persons, claims, tariffs).
"""

from __future__ import annotations

from medcalc.audit import strategies
from medcalc.audit._audit import (
    DEFAULT_EXAMPLES,
    INVARIANTS,
    AuditTarget,
    ClaimsCase,
    Counterexample,
    ExtraCategoryCase,
    Invariant,
    SplitCase,
    Verdict,
    bounds,
    critical_illness_scales,
    extra_category,
    favourability,
    monotonicity,
    order_invariance,
    reference_assistance,
    reference_critical_illness,
    reference_layers,
    reference_pension_government,
    rising_ratios,
    rounding,
    run_audit,
    run_invariant,
    split_invariance,
    uncapped,
    version_locality,
    year_to_date_equivalence,
)

__all__ = [
    "DEFAULT_EXAMPLES",
    "INVARIANTS",
    "AuditTarget",
    "ClaimsCase",
    "Counterexample",
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
    "version_locality",
    "year_to_date_equivalence",
]
