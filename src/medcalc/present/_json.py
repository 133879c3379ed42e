"""Results as JSON-ready data with a versioned schema name; every amount a 2-decimal string.

Schemas: ``medcalc/claims@1`` (:func:`claims_json`), ``medcalc/premiums@1``
(:func:`premiums_json`), and the tariff documents ``medcalc/tariff-list@1``
(:func:`tariff_list_json`), ``medcalc/tariff@1`` (:func:`tariff_json`) and
``medcalc/tariff-diff@1`` (:func:`tariff_diff_json`), which ``medcalc tariff … --format json``
and the service both write. Field names are stable within a schema version; a new field may be
added, a renamed or removed one needs ``@2``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from medcalc.chain import (
    LAYERS,
    Alternative,
    AssistanceDetail,
    BasicDetail,
    Claim,
    ClaimResult,
    ClaimsResult,
    CriticalIllnessDetail,
    Layer,
    MedicalPremiumResult,
    PensionPremiumResult,
    PremiumResult,
    TariffRef,
    YearToDate,
    YearTotals,
)
from medcalc.money import fmt
from medcalc.present._layers import shape
from medcalc.tariff import Key, Source, Tariff

if TYPE_CHECKING:
    from medcalc.tariff import Change

CLAIMS_SCHEMA = "medcalc/claims@1"
PREMIUMS_SCHEMA = "medcalc/premiums@1"
LIST_SCHEMA = "medcalc/tariff-list@1"
TARIFF_SCHEMA = "medcalc/tariff@1"
DIFF_SCHEMA = "medcalc/tariff-diff@1"

Json = dict[str, Any]


def money(value: Decimal | None) -> str | None:
    """An amount as a 2-decimal string (None stays None)."""
    return None if value is None else fmt(value)


def ratio(value: Decimal | None) -> str | None:
    """A ratio or factor as written, without float (``0.65`` -> ``"0.65"``)."""
    return None if value is None else f"{value:f}"


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def tariff_ref_json(ref: TariffRef) -> Json:
    return {
        "series": ref.series,
        "version": ref.version,
        "sha256": ref.sha256,
        "status": ref.status,
        "path": ref.path,
    }


def _alternatives(alts: tuple[Alternative, ...]) -> list[Json]:
    return [{"profile": a.profile, "amount": money(a.amount)} for a in alts]


def _source(s: Source) -> Json:
    return {"id": s.id, "title": s.title, "number": s.number, "url": s.url}


def ytd_json(state: YearToDate) -> Json:
    return {
        "basic_paid": money(state.basic_paid),
        **{layer.base: money(layer.base_in(state)) for layer in LAYERS},
    }


def _claim_input(c: Claim) -> Json:
    return {
        "claim_id": c.claim_id,
        "date": c.date.isoformat(),
        "hospital_level": c.hospital_level,
        "total": money(c.bill),
        "compliant": money(c.compliant),
        "basic_paid": money(c.basic_paid),
    }


def _basic(d: BasicDetail | None) -> Json | None:
    if d is None:
        return None
    return {
        "given": d.given,
        "profile": d.profile,
        "hospital_level": d.hospital_level,
        "deductible": money(d.deductible),
        "ratio": ratio(d.ratio),
        "annual_cap": money(d.annual_cap),
        "paid_before": money(d.paid_before),
        "paid_after": money(d.paid_after),
        "alternatives": _alternatives(d.alternatives),
    }


def _critical_illness(d: CriticalIllnessDetail) -> Json:
    return {
        "profile": d.profile,
        "profile_before": d.profile_before,
        "threshold": money(d.threshold),
        "bounds": d.bounds,
        "ratios": [ratio(r) for r in d.ratios],
        "annual_cap": money(d.annual_cap),
        "base_before": money(d.base_before),
        "base_after": money(d.base_after),
        "paid_before": money(d.paid_before),
        "paid_after": money(d.paid_after),
        "segments": [
            {
                "lower": money(s.lower),
                "upper": money(s.upper),
                "from": money(s.start),
                "to": money(s.end),
                "amount": money(s.amount),
                "ratio": ratio(s.ratio),
                "paid": money(s.paid),
            }
            for s in d.segments
        ],
        "cap_reduction": money(d.cap_reduction),
        "profile_switch": money(d.profile_switch),
        "burden_reduction": money(d.burden_reduction),
        "alternatives": _alternatives(d.alternatives),
    }


def _assistance(d: AssistanceDetail) -> Json:
    return {
        "profile": d.profile,
        "ratio": ratio(d.ratio),
        "deductible": money(d.deductible),
        "annual_cap": money(d.annual_cap),
        "base_before": money(d.base_before),
        "base_after": money(d.base_after),
        "paid_before": money(d.paid_before),
        "paid_after": money(d.paid_after),
        "burden_reduction": money(d.burden_reduction),
        "alternatives": _alternatives(d.alternatives),
    }


def _layer_detail(layer: Layer, d: object | None) -> Json | None:
    """A layer's detail of a claim, drawn by its section's shape."""
    if d is None:
        return None
    if shape(layer) == Key.CRITICAL_ILLNESS:
        assert isinstance(d, CriticalIllnessDetail)
        return _critical_illness(d)
    assert shape(layer) == Key.MEDICAL_ASSISTANCE and isinstance(d, AssistanceDetail)
    return _assistance(d)


def _layer_amounts(owner: ClaimResult | YearTotals) -> Json:
    return {layer.id: money(layer.paid_on(owner)) for layer in LAYERS}


def claim_json(r: ClaimResult) -> Json:
    """One claim result (without the schema wrapper)."""
    return {
        "index": r.index,
        "claim": _claim_input(r.claim),
        "tariff": tariff_ref_json(r.tariff),
        "categories": list(r.categories),
        "covered": r.covered,
        "benefits_start": _day(r.benefits_start),
        "not_covered_reason": r.not_covered_reason,
        "basic": money(r.basic),
        **_layer_amounts(r),
        "out_of_pocket": money(r.out_of_pocket),
        "individual_burden": money(r.individual_burden),
        "remaining": money(r.remaining),
        "before": ytd_json(r.before),
        "after": ytd_json(r.after),
        "explanation": {
            "basic": _basic(r.basic_detail),
            **{layer.id: _layer_detail(layer, layer.detail_on(r)) for layer in LAYERS},
        },
        "sources": [_source(s) for s in r.sources],
    }


def _year(t: YearTotals) -> Json:
    return {
        "year": t.year,
        "claims": t.claims,
        "total": money(t.total),
        "compliant": money(t.compliant),
        "basic": money(t.basic),
        **_layer_amounts(t),
        "out_of_pocket": money(t.out_of_pocket),
        "start": ytd_json(t.start),
        "end": ytd_json(t.end),
    }


def claims_json(result: ClaimsResult) -> Json:
    """A person's claims as ``medcalc/claims@1``."""
    return {
        "schema": CLAIMS_SCHEMA,
        "series": result.series,
        "claims": [claim_json(r) for r in result.claims],
        "years": [_year(t) for t in result.years],
    }


def _medical(m: MedicalPremiumResult | None) -> Json | None:
    if m is None:
        return None
    return {
        "contribution": money(m.contribution),
        "government_pays": money(m.government_pays),
        "individual_pays": money(m.individual_pays),
        "profile": m.profile,
        "alternatives": _alternatives(m.alternatives),
        "source": None if m.source is None else _source(m.source),
    }


def _pension(p: PensionPremiumResult | None) -> Json | None:
    if p is None:
        return None
    return {
        "age": p.age,
        "due": p.due,
        "past_age": p.past_age,
        "grade": money(p.grade),
        "lowest_open_grade": money(p.lowest_open_grade),
        "open_grades": [money(g) for g in p.open_grades],
        "government_pays": money(p.government_pays),
        "individual_pays": money(p.individual_pays),
        "subsidy": money(p.subsidy),
        "profile": p.profile,
        "alternatives": _alternatives(p.alternatives),
        "bases": _alternatives(p.bases),
        "basic_pension_monthly": money(p.basic_pension_monthly),
        "source": None if p.source is None else _source(p.source),
    }


def premiums_json(result: PremiumResult) -> Json:
    """A person's premiums for a year as ``medcalc/premiums@1``."""
    return {
        "schema": PREMIUMS_SCHEMA,
        "year": result.year,
        "tariff": tariff_ref_json(result.tariff),
        "categories": list(result.categories),
        "medical": _medical(result.medical),
        "pension": _pension(result.pension),
    }


# -- tariff documents ---------------------------------------------------------------------------


def tariff_list_json(tariffs: Iterable[Tariff]) -> Json:
    """The versions as data (schema ``medcalc/tariff-list@1``), in the order given."""
    return {
        "schema": LIST_SCHEMA,
        "tariffs": [
            {
                "series": t.series,
                "version": t.version,
                "title": {"zh": t.title.zh, "en": t.title.en},
                "effective": {
                    "from": t.effective_from.isoformat(),
                    "to": t.effective_to.isoformat() if t.effective_to else None,
                },
                "status": t.status,
                "sha256": t.sha256,
                "path": t.path,
            }
            for t in tariffs
        ],
    }


def tariff_json(t: Tariff) -> Json:
    """The whole tariff as data (schema ``medcalc/tariff@1``), keyed like the YAML file."""
    from medcalc.tariff import node_json, tariff_tree  # the tree: not imported by a batch run

    return {
        "schema": TARIFF_SCHEMA,
        "sha256": t.sha256,
        "path": t.path,
        **node_json(tariff_tree(t)),
    }


def _identity_json(t: Tariff) -> Json:
    return {"series": t.series, "version": t.version, "sha256": t.sha256, "path": t.path}


def tariff_diff_json(a: Tariff, b: Tariff, changes: Sequence[Change]) -> Json:
    """The changes between two versions as data (schema ``medcalc/tariff-diff@1``)."""
    from medcalc.tariff import node_json

    out = []
    for c in changes:
        entry: Json = {"path": c.path, "change": c.kind}
        if c.key is not None:
            entry["key"] = c.key
        entry["a"] = None if c.a is None else node_json(c.a)
        entry["b"] = None if c.b is None else node_json(c.b)
        out.append(entry)
    return {"schema": DIFF_SCHEMA, "a": _identity_json(a), "b": _identity_json(b), "changes": out}
