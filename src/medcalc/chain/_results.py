"""Frozen results that carry their own explanation (spec §4.5).

The CLI tables, the JSON (:mod:`medcalc.present`) and an auditor all read these same facts.

The records built for every claim (the claim result, its details, segments and alternatives)
are frozen but not slotted: attrs sets each field of a frozen slotted class with a call of
``object.__setattr__`` (about 60 ns; a claim's records have some 70 fields), while a frozen
dict-backed class stores them directly. That makes the whole claims chain about 9 % faster
(``benchmarks/bench_core.py``); assignment still raises ``attrs.exceptions.FrozenInstanceError``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from medcalc.chain._inputs import Claim, YearToDate
from medcalc.tariff import Bounds, Source, Status, Tariff


@attrs.frozen
class TariffRef:
    """Which table produced a number: series, version, sha256 of the file bytes, status."""

    series: str
    version: str
    sha256: str
    status: Status
    path: str

    @classmethod
    def of(cls, tariff: Tariff) -> TariffRef:
        return cls(tariff.series, tariff.version, tariff.sha256, tariff.status, tariff.path)


@attrs.frozen(slots=False)
class Alternative:
    """A candidate profile (``base`` or a category id) and what it would have given."""

    profile: str
    amount: Decimal


# -- premiums -------------------------------------------------------------------------------


@attrs.frozen
class MedicalPremiumResult:
    """城乡居民医保 individual contribution: what the government pays (资助) and the person pays."""

    contribution: Decimal
    government_pays: Decimal
    individual_pays: Decimal
    profile: str
    alternatives: tuple[Alternative, ...]
    source: Source | None


@attrs.frozen
class PensionPremiumResult:
    """城乡居民养老保险 contribution for the year: grade, government 代缴, subsidy credited.

    ``due`` is False when the person's age on 1 January is outside the contribution ages;
    ``past_age`` then says whether they are above it, with ``basic_pension_monthly`` when the
    tariff gives it (基础养老金). ``bases`` gives, per category candidate with a 代缴 rule, the
    base M_c its ``full`` or ``share`` is measured on: the lowest grade open to a person holding
    that category alone (spec §4.2); empty when nothing is due.
    """

    age: int
    due: bool
    past_age: bool
    grade: Decimal
    lowest_open_grade: Decimal
    government_pays: Decimal
    individual_pays: Decimal
    subsidy: Decimal
    profile: str
    alternatives: tuple[Alternative, ...]
    open_grades: tuple[Decimal, ...]
    basic_pension_monthly: Decimal | None
    source: Source | None
    bases: tuple[Alternative, ...] = ()


@attrs.frozen
class PremiumResult:
    """Premiums of one person for one year under the version in force on 1 January."""

    year: int
    tariff: TariffRef
    categories: tuple[str, ...]
    medical: MedicalPremiumResult | None
    pension: PensionPremiumResult | None


# -- claims ---------------------------------------------------------------------------------


@attrs.frozen(slots=False)
class BasicDetail:
    """How basic inpatient insurance paid (基本医保统筹): per-admission deductible and ratio."""

    given: bool
    profile: str
    hospital_level: str | None
    deductible: Decimal | None
    ratio: Decimal | None
    annual_cap: Decimal | None
    paid_before: Decimal
    paid_after: Decimal
    alternatives: tuple[Alternative, ...]


@attrs.frozen(slots=False)
class SegmentUse:
    """A critical-illness segment touched by a claim: the part of the accumulated cost that fell
    in it (``amount``, between ``start`` and ``end``), its ratio and what it paid.

    ``paid`` telescopes: round(G(end)) - round(G(start)), so the segments add up exactly to the
    rounded scale; ``upper`` is the segment's bound (None for the last, open segment).
    """

    lower: Decimal
    upper: Decimal | None
    start: Decimal
    end: Decimal
    amount: Decimal
    ratio: Decimal
    paid: Decimal


@attrs.frozen(slots=False)
class CriticalIllnessDetail:
    """How critical-illness insurance paid (大病保险): min(i, F*(base_after) - F*(base_before)).

    The ``segments`` are those of the chosen ``profile``; the payment is their sum less
    ``cap_reduction`` (the part of them the profile's annual cap cut off), less
    ``profile_switch`` (when ``profile_before`` paid more than ``profile`` up to
    ``base_before``: what the year had already received beyond ``profile``'s scale) and less
    ``burden_reduction`` (what F*(base_after) - F*(base_before) exceeds the claim's burden
    i = base_after - base_before by: a layer never pays more than it covers; only with
    half_even and a ratio of 1, by a fen).
    """

    profile: str
    threshold: Decimal
    bounds: Bounds
    ratios: tuple[Decimal, ...]
    annual_cap: Decimal | None
    base_before: Decimal
    base_after: Decimal
    paid_before: Decimal
    paid_after: Decimal
    segments: tuple[SegmentUse, ...]
    cap_reduction: Decimal
    profile_switch: Decimal
    burden_reduction: Decimal
    profile_before: str
    alternatives: tuple[Alternative, ...]


@attrs.frozen(slots=False)
class AssistanceDetail:
    """How medical assistance paid (医疗救助): min(j, A*(base_after) - A*(base_before)).

    ``profile`` is None when the person holds no eligible category. The payment is
    ``paid_after - paid_before - burden_reduction``, the last being what the scale's step
    exceeds j = base_after - base_before by (a layer never pays more than it covers; 0 for
    every tariff the loader accepts, kept so the explanation states the rule).
    """

    profile: str | None
    ratio: Decimal | None
    deductible: Decimal | None
    annual_cap: Decimal | None
    base_before: Decimal
    base_after: Decimal
    paid_before: Decimal
    paid_after: Decimal
    burden_reduction: Decimal
    alternatives: tuple[Alternative, ...]


@attrs.frozen(slots=False)
class ClaimResult:
    """One claim's payments by layer and its explanation.

    ``index`` is the claim's position in the input (results keep input order);
    ``individual_burden`` is i = compliant - basic (the claim's part of the 大病 base) and
    ``remaining`` is j = compliant - basic - critical illness (its part of the 救助 base).
    ``benefits_start`` is None when no payment date was given (covered all year), and also,
    with ``covered`` False, when benefits would start after 9999-12-31 (``next_month`` after
    a payment in December 9999): a day that never comes.
    """

    index: int
    claim: Claim
    tariff: TariffRef
    categories: tuple[str, ...]
    covered: bool
    benefits_start: dt.date | None
    not_covered_reason: str | None
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    out_of_pocket: Decimal
    individual_burden: Decimal
    remaining: Decimal
    before: YearToDate
    after: YearToDate
    basic_detail: BasicDetail | None
    critical_illness_detail: CriticalIllnessDetail | None
    assistance_detail: AssistanceDetail | None
    sources: tuple[Source, ...]


@attrs.frozen
class YearTotals:
    """A person's totals for one calendar year, and the accumulators after the last claim."""

    year: int
    claims: int
    total: Decimal
    compliant: Decimal
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    out_of_pocket: Decimal
    start: YearToDate
    end: YearToDate


@attrs.frozen
class ClaimsResult:
    """A person's claims, in input order, and the totals of each year they fall in."""

    series: str
    claims: tuple[ClaimResult, ...]
    years: tuple[YearTotals, ...]
