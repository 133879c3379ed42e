"""medcalc: exact, explainable social-insurance calculations for targeted poverty alleviation.

Premium subsidies and government full payment (资助 / 代缴) for resident medical and pension
insurance, and the claims chain basic inpatient insurance → critical-illness insurance (大病保险)
→ medical assistance (医疗救助) → out of pocket, all from versioned YAML tariff tables.

``import medcalc`` stays light: it loads neither hypothesis nor numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medcalc import _compat
from medcalc.chain import (
    Calculator,
    Claim,
    ClaimResult,
    ClaimsResult,
    MedicalPremiumResult,
    PensionPremiumResult,
    Person,
    PremiumResult,
    TariffRef,
    YearToDate,
    YearTotals,
    estimate_claims,
    estimate_premiums,
)
from medcalc.errors import (
    AmountError,
    ClaimAmountsError,
    InputError,
    MedcalcError,
    MissingInputError,
    PensionGradeError,
    Problem,
    SectionMissingError,
    TariffError,
    TariffFileError,
    TariffNotFoundError,
    TariffOverlapError,
    UnknownCategoryError,
    UnknownHospitalLevelError,
)
from medcalc.money import parse_amount
from medcalc.tariff import Tariff, TariffBook, load_book, load_tariff, parse_tariff

if TYPE_CHECKING:
    from medcalc.present import claims_json, premiums_json

# medcalc 0.1's module paths (medcalc.engine, medcalc.rows, ...) keep working, with a warning.
_compat.install()


def __getattr__(name: str) -> Any:
    # The JSON documents are built by the presentation floor, loaded on first use (its tables
    # and schemas cost ``import medcalc`` ~15 ms).
    if name in ("claims_json", "premiums_json"):
        from medcalc import present

        return getattr(present, name)
    # The version is looked up on first use: importlib.metadata costs ~30 ms at import.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("medcalc")
        except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
            return "0+unknown"
    raise AttributeError(f"module 'medcalc' has no attribute {name!r}")


__all__ = [
    "AmountError",
    "Calculator",
    "Claim",
    "ClaimAmountsError",
    "ClaimResult",
    "ClaimsResult",
    "InputError",
    "MedcalcError",
    "MedicalPremiumResult",
    "MissingInputError",
    "PensionGradeError",
    "PensionPremiumResult",
    "Person",
    "PremiumResult",
    "Problem",
    "SectionMissingError",
    "Tariff",
    "TariffBook",
    "TariffError",
    "TariffFileError",
    "TariffNotFoundError",
    "TariffOverlapError",
    "TariffRef",
    "UnknownCategoryError",
    "UnknownHospitalLevelError",
    "YearToDate",
    "YearTotals",
    "__version__",
    "claims_json",
    "estimate_claims",
    "estimate_premiums",
    "load_book",
    "load_tariff",
    "parse_amount",
    "parse_tariff",
    "premiums_json",
]
