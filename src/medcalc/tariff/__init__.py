"""The law as data: tariff tables (资助标准/待遇标准) as frozen values, read strictly from YAML.

The model (`Tariff` and its sections), the loader (FILE:LINE:COL problems), the versions in
force on a date (`TariffBook`), the tariff as a tree of YAML-keyed parameters and the diff of two
versions, and finding tariff files on disk. One registry (`Key`, `TARIFF_SECTIONS`) names every
YAML key and section once. Imports only `medcalc.money` and `medcalc.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcalc._lazy import first_use
from medcalc.tariff._book import (
    TariffBook,
    effective_range,
    not_in_force,
)
from medcalc.tariff._discovery import (
    ENV_VAR,
    SERIES_ENV_VAR,
    bundled_dir,
    default_series,
    load_book,
    tariff_dirs,
    tariff_files,
    validate_paths,
)
from medcalc.tariff._loader import (
    FORMAT,
    MAX_BYTES,
    MAX_DEPTH,
    TariffCheck,
    YamlParser,
    check_tariff,
    inspect_tariff,
    load_tariff,
    parse_tariff,
    read_tariff_bytes,
)
from medcalc.tariff._model import (
    ALL_GRADES_RESERVED,
    BASE,
    DISABILITY_TYPE_LABELS,
    DISABILITY_TYPES,
    NO_CAP,
    AmountPayment,
    AssistanceRule,
    BenefitsStart,
    Bounds,
    Cap,
    Category,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    DisabilityRule,
    Enrollment,
    FullPayment,
    GovernmentPayment,
    HospitalLevel,
    Inpatient,
    InpatientAdjustment,
    MedicalAssistance,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Segment,
    SharePayment,
    Source,
    Status,
    Tariff,
    Text,
    disability_type_named,
)
from medcalc.tariff._sections import (
    SECTIONS,
    TARIFF_SECTIONS,
    Key,
    Section,
    section,
)

if TYPE_CHECKING:
    # Imported on first use (``_LAZY`` below); here for the type checker only.
    from medcalc.tariff._diff import (
        UNLIMITED,
        Amount,
        Change,
        Items,
        Leaf,
        Node,
        Tree,
        Unit,
        Unlimited,
        diff_tariffs,
        leaf_json,
        node_json,
        tariff_tree,
    )

__all__ = [
    "ALL_GRADES_RESERVED",
    "BASE",
    "DISABILITY_TYPES",
    "DISABILITY_TYPE_LABELS",
    "ENV_VAR",
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "NO_CAP",
    "SECTIONS",
    "SERIES_ENV_VAR",
    "TARIFF_SECTIONS",
    "UNLIMITED",
    "Amount",
    "AmountPayment",
    "AssistanceRule",
    "BenefitsStart",
    "Bounds",
    "Cap",
    "Category",
    "CategoryPayment",
    "Change",
    "CriticalIllness",
    "CriticalIllnessAdjustment",
    "DisabilityRule",
    "Enrollment",
    "FullPayment",
    "GovernmentPayment",
    "HospitalLevel",
    "Inpatient",
    "InpatientAdjustment",
    "Items",
    "Key",
    "Leaf",
    "MedicalAssistance",
    "MedicalPremium",
    "Node",
    "PensionGrade",
    "PensionPremium",
    "Section",
    "Segment",
    "SharePayment",
    "Source",
    "Status",
    "Tariff",
    "TariffBook",
    "TariffCheck",
    "Text",
    "Tree",
    "Unit",
    "Unlimited",
    "YamlParser",
    "bundled_dir",
    "check_tariff",
    "default_series",
    "diff_tariffs",
    "disability_type_named",
    "effective_range",
    "inspect_tariff",
    "leaf_json",
    "load_book",
    "load_tariff",
    "node_json",
    "not_in_force",
    "parse_tariff",
    "read_tariff_bytes",
    "section",
    "tariff_dirs",
    "tariff_files",
    "tariff_tree",
    "validate_paths",
]

#: Where each name imported on first use lives: the tariff as a tree and the diff of two
#: (``medcalc tariff show|diff``, the tariff JSON documents), not needed to load tariffs or to
#: compute (issue 17, start-up: ``medcalc batch`` does not import them).
_LAZY = dict.fromkeys(
    (
        "UNLIMITED",
        "Amount",
        "Change",
        "Items",
        "Leaf",
        "Node",
        "Tree",
        "Unit",
        "Unlimited",
        "diff_tariffs",
        "leaf_json",
        "node_json",
        "tariff_tree",
    ),
    "_diff",
)

__getattr__ = first_use(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
