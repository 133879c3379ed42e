"""The reference chain, medcalc's pure calculation core: no I/O, no globals, no clock.

Frozen inputs (`Person`, `Claim`, `YearToDate`), the candidate profiles (就高不重复), the claims
chain basic → critical illness (大病保险) → assistance (医疗救助) → out of pocket, premiums and
代缴, results that carry their explanation, reading one text field (`fields`), and
`Calculator`, the library's entry point. Imports only `medcalc.tariff` and below.
"""

from __future__ import annotations

from medcalc.chain import fields, problems
from medcalc.chain._calculator import (
    Calculator,
    estimate_claims,
    estimate_premiums,
)
from medcalc.chain._claims import (
    GIVEN,
    benefits_start_text,
)
from medcalc.chain._inputs import (
    Claim,
    Person,
    YearToDate,
)
from medcalc.chain._layers import LAYERS, Layer
from medcalc.chain._profiles import (
    CriticalIllnessProfile,
    assistance_profiles,
    basic_profiles,
    critical_illness_profiles,
    government_amount,
    held_categories,
)
from medcalc.chain._results import (
    Alternative,
    AssistanceDetail,
    BasicDetail,
    ClaimResult,
    ClaimsResult,
    CriticalIllnessDetail,
    MedicalPremiumResult,
    PensionPremiumResult,
    PremiumResult,
    SegmentUse,
    TariffRef,
    YearTotals,
)
from medcalc.chain._scale import Band, Scale
from medcalc.chain.fields import (
    CLAIM_FIELDS,
    CLAIM_PERSON_FIELDS,
    FIELD_LABELS,
    PERSON_FIELDS,
    YTD_FIELDS,
    Row,
    claim_from,
    person_from,
    year_to_date_from,
)

__all__ = [
    "CLAIM_FIELDS",
    "CLAIM_PERSON_FIELDS",
    "FIELD_LABELS",
    "GIVEN",
    "LAYERS",
    "PERSON_FIELDS",
    "YTD_FIELDS",
    "Alternative",
    "AssistanceDetail",
    "Band",
    "BasicDetail",
    "Calculator",
    "Claim",
    "ClaimResult",
    "ClaimsResult",
    "CriticalIllnessDetail",
    "CriticalIllnessProfile",
    "Layer",
    "MedicalPremiumResult",
    "PensionPremiumResult",
    "Person",
    "PremiumResult",
    "Row",
    "Scale",
    "SegmentUse",
    "TariffRef",
    "YearToDate",
    "YearTotals",
    "assistance_profiles",
    "basic_profiles",
    "benefits_start_text",
    "claim_from",
    "critical_illness_profiles",
    "estimate_claims",
    "estimate_premiums",
    "fields",
    "government_amount",
    "held_categories",
    "person_from",
    "problems",
    "year_to_date_from",
]
