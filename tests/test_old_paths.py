"""medcalc 0.1's module paths (one flat folder) still import, with a DeprecationWarning that
names the new home, and give the very objects of the new layout (CHANGELOG: removed in 0.3)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import medcalc
from medcalc import _compat

#: The public names of each 0.1 module (its ``__all__``, or its public top-level names), as
#: released. Two internal names are gone: ``medcalc.batchfast.utf8_checker`` (now
#: ``medcalc.batch.utf8_valid``) and ``medcalc.profiles.AssistanceProfile`` (now a
#: ``medcalc.chain.Scale``); CHANGELOG, Deprecated.
NAMES_01 = {
    "medcalc.batchfast": [
        "EngineClaimsBatch",
        "NotInEncoding",
        "Unsupported",
        "arrow_available",
        "run_columnar",
        "supported",
    ],
    "medcalc.batchio": [
        "BatchFileError",
        "BatchJob",
        "BatchReport",
        "CsvRecords",
        "ENGINES",
        "FORMATS",
        "cell_holds_rows",
        "check_output",
        "detect_encoding",
        "excel_text",
        "format_of",
        "is_formula_like",
        "json_int",
        "quoted_rows_line",
        "unclosed_quote_error",
        "write_atomically",
    ],
    "medcalc.book": ["TariffBook", "effective_range"],
    "medcalc.calculator": ["Calculator", "estimate_claims", "estimate_premiums"],
    "medcalc.claims": [
        "BasicTerms",
        "GIVEN",
        "Memo",
        "Profiles",
        "ProfilesFor",
        "Scale",
        "V",
        "add",
        "benefits_start",
        "benefits_start_text",
        "claim_year",
        "mul",
        "sub",
    ],
    "medcalc.discovery": [
        "ENV_VAR",
        "bundled_dir",
        "load_book",
        "tariff_dirs",
        "tariff_files",
        "validate_paths",
    ],
    "medcalc.engine": [
        "CHUNK_ROWS",
        "ClaimTable",
        "Columns",
        "DependentClaimError",
        "EngineError",
        "EngineRangeError",
        "MAX_FEN",
        "NAT",
        "PersonKind",
        "build_table",
        "compute",
        "compute_rows",
        "fen",
        "yuan",
    ],
    "medcalc.export": [
        "CLAIMS_SCHEMA",
        "DIFF_SCHEMA",
        "Json",
        "LIST_SCHEMA",
        "PREMIUMS_SCHEMA",
        "TARIFF_SCHEMA",
        "claim_json",
        "claims_json",
        "money",
        "premiums_json",
        "ratio",
        "tariff_diff_json",
        "tariff_json",
        "tariff_list_json",
        "tariff_ref_json",
        "ytd_json",
    ],
    "medcalc.inputs": [
        "Claim",
        "NO_YEAR_TO_DATE",
        "Person",
        "REQUIRED",
        "YearToDate",
        "check_text",
        "checked_amount",
        "kind_of",
    ],
    "medcalc.loader": [
        "FORMAT",
        "MAX_BYTES",
        "MAX_DEPTH",
        "TariffCheck",
        "check_tariff",
        "inspect_tariff",
        "load_tariff",
        "parse_tariff",
        "read_tariff_bytes",
    ],
    "medcalc.model": [
        "ALL_GRADES_RESERVED",
        "AmountPayment",
        "AssistanceRule",
        "BASE",
        "BenefitsStart",
        "Bounds",
        "Cap",
        "Category",
        "CategoryPayment",
        "CriticalIllness",
        "CriticalIllnessAdjustment",
        "DISABILITY_TYPES",
        "DisabilityRule",
        "Enrollment",
        "FullPayment",
        "GovernmentPayment",
        "HospitalLevel",
        "Inpatient",
        "InpatientAdjustment",
        "MedicalAssistance",
        "MedicalPremium",
        "NO_CAP",
        "PensionGrade",
        "PensionPremium",
        "Segment",
        "SharePayment",
        "Source",
        "Status",
        "Tariff",
        "Text",
        "name_key",
    ],
    "medcalc.premiums": ["age_on_new_year", "medical_premium", "pension_premium"],
    "medcalc.profiles": [
        "Band",
        "BasicProfile",
        "CriticalIllnessProfile",
        "ONE",
        "P",
        "assistance_profiles",
        "basic_profiles",
        "best_index",
        "capped",
        "critical_illness_profiles",
        "government_amount",
        "held_categories",
        "pick_best",
    ],
    "medcalc.render": [
        "DASH",
        "Lang",
        "SHORT_SHA",
        "amount",
        "cap_text",
        "claims_table",
        "heading",
        "percent",
        "premiums_table",
        "tr",
    ],
    "medcalc.results": [
        "Alternative",
        "AssistanceDetail",
        "BasicDetail",
        "ClaimResult",
        "ClaimsResult",
        "CriticalIllnessDetail",
        "MedicalPremiumResult",
        "PensionPremiumResult",
        "PremiumResult",
        "SegmentUse",
        "TariffRef",
        "YearTotals",
    ],
    "medcalc.rows": [
        "CLAIM_FIELDS",
        "PERSON_FIELDS",
        "Row",
        "YTD_FIELDS",
        "amount",
        "categories",
        "claim_from",
        "date",
        "integer",
        "person_from",
        "text",
        "year_to_date_from",
    ],
    "medcalc.schemas": [
        "CLAIMS_REQUEST",
        "COMPONENTS",
        "DIFF_SCHEMA",
        "LIST_SCHEMA",
        "PREMIUMS_REQUEST",
        "PROBLEM",
        "REQUEST_FIELDS",
        "TARIFF_SCHEMA",
        "YTD_REQUEST_FIELDS",
        "document_schema",
        "ref",
    ],
    "medcalc.strategies": [
        "CATEGORY_POOL",
        "LEVEL_POOL",
        "SECTIONS",
        "amounts",
        "claim_versions",
        "claim_years",
        "claims",
        "persons",
        "ratios",
        "render_tariff",
        "tariff_books",
        "tariffs",
        "years_covered",
    ],
    "medcalc.tariff_diff": [
        "Amount",
        "Change",
        "Items",
        "Leaf",
        "Node",
        "SECTIONS",
        "Tree",
        "UNLIMITED",
        "Unit",
        "Unlimited",
        "diff_tariffs",
        "leaf_json",
        "node_json",
        "tariff_tree",
    ],
}
NEEDS = {
    "medcalc.engine": "numpy",
    "medcalc.batchfast": "numpy",
    "medcalc.strategies": "hypothesis",
}


def test_every_old_path_is_listed() -> None:
    assert sorted(_compat.MOVED) == sorted(NAMES_01)


@pytest.mark.parametrize("old", sorted(NAMES_01))
def test_an_old_path_warns_and_still_has_its_names(
    old: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if old in NEEDS:
        pytest.importorskip(NEEDS[old])
    face = _compat.MOVED[old][0]
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=rf"{old} is deprecated .* import from {face}$"):
        module = importlib.import_module(old)
    missing = [name for name in NAMES_01[old] if not hasattr(module, name)]
    assert missing == []
    # The face named in the warning is importable as written.
    importlib.import_module(face)


def test_old_names_are_the_new_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a 0.1 program wrote still means the same thing."""
    for old in ("rows", "calculator"):
        monkeypatch.delitem(sys.modules, f"medcalc.{old}", raising=False)
        monkeypatch.delattr(medcalc, old, raising=False)
    with pytest.warns(DeprecationWarning, match="medcalc.rows is deprecated"):
        from medcalc import rows  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="medcalc.calculator is deprecated"):
        from medcalc.calculator import Calculator  # type: ignore[import-not-found]
    from medcalc.chain import fields

    assert rows.text is fields.text
    assert Calculator is medcalc.Calculator


def test_a_real_module_wins_over_an_old_path() -> None:
    """``medcalc.batch`` and ``medcalc.audit`` are packages now and import without a warning."""
    code = (
        "import warnings; warnings.simplefilter('error')\n"
        "import medcalc.batch, medcalc.chain, medcalc.tariff, medcalc.present\n"
        "from medcalc.batch import ClaimsBatch, BatchJob\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_an_unknown_old_looking_path_is_still_an_import_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("medcalc.no_such_module")
