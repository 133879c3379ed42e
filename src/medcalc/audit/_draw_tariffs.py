"""Hypothesis strategies of random *valid* tariffs of format 1 (:func:`tariffs`) and books of
consecutive versions (:func:`tariff_books`), each section drawn by its shape; ``sound`` tariffs
also keep the tariff-level invariants of :mod:`medcalc.audit`. A drawn tariff's ``sha256`` is
that of its YAML text (:func:`~medcalc.audit._tariff_yaml.render_tariff`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, cast

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from medcalc.audit._draw import (
    CATEGORY_POOL,
    LEVEL_POOL,
    ZERO,
    Draw,
    amounts,
    ratios,
    size_args,
    subset,
)
from medcalc.audit._tariff_yaml import render_tariff
from medcalc.money import CENT, EXACT, Rounding, round_money
from medcalc.tariff import (
    DISABILITY_TYPES,
    NO_CAP,
    SECTIONS,
    TARIFF_SECTIONS,
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
    Key,
    MedicalAssistance,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Segment,
    SharePayment,
    Source,
    Status,
    Tariff,
    TariffBook,
    Text,
)

__all__ = ["tariff_books", "tariffs"]

_SERIES = re.compile(r"[a-z0-9-]+")
_FIRST_YEAR = 2016


def _unit(draw: Draw, *, min_value: Decimal | int = 0, max_value: Decimal | int = 1) -> Decimal:
    """A ratio with 2 decimals, sometimes 3 (a half fen then shows up in products)."""
    places = draw(st.sampled_from((2, 2, 2, 3)))
    return draw(ratios(min_value=min_value, max_value=max_value, places=places))


def _rising(draw: Draw, start: Decimal, count: int, *, max_width: Decimal) -> list[Decimal]:
    """``count`` amounts rising strictly above ``start``."""
    out, at = [], start
    for _ in range(count):
        at = EXACT.add(at, draw(amounts(min_value=Decimal("0.01"), max_value=max_width)))
        out.append(at)
    return out


def _cap(draw: Draw, *, at_least: Cap | None = None, max_value: Decimal) -> Cap:
    """A cap (封顶线) or none (不设封顶); with ``at_least``, never below that cap."""
    if at_least is not None and at_least.amount is None:
        return NO_CAP
    low = ZERO if at_least is None or at_least.amount is None else at_least.amount
    if draw(st.booleans()) or low > max_value:
        return NO_CAP
    return Cap(draw(amounts(min_value=low, max_value=max_value)))


def _payment(draw: Draw, *, max_amount: Decimal) -> GovernmentPayment:
    kind = draw(st.sampled_from(("full", "share", "amount")))
    if kind == "full":
        return FullPayment()
    if kind == "share":
        return SharePayment(_unit(draw))
    return AmountPayment(draw(amounts(max_value=max_amount)))


def _categories(draw: Draw) -> tuple[Category, ...]:
    chosen = subset(draw, CATEGORY_POOL)
    out = []
    for cid, zh, en in chosen:
        rules: list[DisabilityRule] = []
        if draw(st.integers(0, 3)) == 0:
            for _ in range(draw(st.integers(1, 2))):
                grades = tuple(subset(draw, (1, 2, 3, 4), min_size=1))
                types = None
                if draw(st.booleans()):
                    types = tuple(subset(draw, DISABILITY_TYPES, min_size=1))
                rules.append(DisabilityRule(grades, types))
        out.append(Category(cid, Text(zh, en), tuple(rules)))
    return tuple(out)


def _enrollment(draw: Draw, ids: Sequence[str]) -> Enrollment:
    start = cast(BenefitsStart, draw(st.sampled_from(("next_month", "same_day"))))
    return Enrollment(start, tuple(subset(draw, ids)))


def _medical_premium(draw: Draw, ids: Sequence[str], source: str) -> MedicalPremium:
    contribution = draw(amounts(max_value=Decimal("1000.00")))
    pays = tuple(
        CategoryPayment(c, _payment(draw, max_amount=Decimal("1200.00"))) for c in subset(draw, ids)
    )
    return MedicalPremium(contribution, pays, source)


def _pension_premium(draw: Draw, ids: Sequence[str], source: str) -> PensionPremium:
    if draw(st.booleans()):
        age_from, age_to = 16, 59
    else:
        age_from = draw(st.integers(0, 70))
        age_to = draw(st.integers(age_from, 150))
    pays = tuple(
        CategoryPayment(c, _payment(draw, max_amount=Decimal("5000.00"))) for c in subset(draw, ids)
    )
    # Reserved grades need no care for soundness: each category's 代缴 is measured on its own
    # base M_c (spec §4.2), so a grade another category opens never lowers it. Categories with
    # different reserved grades, and so different M_c, come up often.
    grade_amounts = draw(
        st.lists(amounts(min_value=1, max_value=6000), min_size=1, max_size=6, unique=True)
    )
    grades = []
    for i, amount in enumerate(grade_amounts):
        reserved: tuple[str, ...] | None = None
        if i > 0 and ids and draw(st.integers(0, 3)) == 0:
            reserved = tuple(subset(draw, ids, min_size=1))
        subsidy = draw(amounts(max_value=Decimal("200.00")))
        grades.append(PensionGrade(amount, subsidy, reserved))
    monthly = draw(st.none() | amounts(min_value=50, max_value=500))
    return PensionPremium(age_from, age_to, tuple(grades), pays, source, monthly)


def _inpatient(draw: Draw, ids: Sequence[str], source: str, *, sound: bool) -> Inpatient:
    pool = draw(st.lists(st.sampled_from(LEVEL_POOL), min_size=1, max_size=3, unique=True))
    levels = tuple(
        HospitalLevel(
            lid,
            Text(zh, en),
            draw(amounts(max_value=Decimal("3000.00"))),
            _unit(draw),
        )
        for lid, zh, en in sorted(pool)
    )
    cap = _cap(draw, max_value=Decimal("500000.00"))
    adjustments = []
    for cid in subset(draw, ids):
        keys = subset(draw, ("deductible_factor", "ratio_bonus", "annual_cap"), min_size=1)
        adjustments.append(
            InpatientAdjustment(
                cid,
                _unit(draw) if "deductible_factor" in keys else None,
                _unit(draw, max_value=Decimal("0.3")) if "ratio_bonus" in keys else None,
                _cap(draw, at_least=cap if sound else None, max_value=Decimal("800000.00"))
                if "annual_cap" in keys
                else None,
            )
        )
    return Inpatient(levels, cap, tuple(adjustments), source)


def _ratio_at(bounds: Sequence[Decimal], ratios_: Sequence[Decimal], x: Decimal) -> Decimal:
    """The ratio of the segment holding the point just below ``x`` (absolute bounds)."""
    for upper, ratio in zip(bounds, ratios_, strict=False):
        if x <= upper:
            return ratio
    return ratios_[-1]


def _segments(
    uppers: Sequence[Decimal], ratios_: Sequence[Decimal], base: Decimal
) -> tuple[Segment, ...]:
    """Segments from absolute upper bounds, written relative to ``base`` (0 for cumulative)."""
    out = [Segment(EXACT.subtract(u, base), r) for u, r in zip(uppers, ratios_, strict=False)]
    out.append(Segment(None, ratios_[-1]))
    return tuple(out)


def _critical_illness(
    draw: Draw, ids: Sequence[str], source: str, rounding: Rounding, *, sound: bool
) -> CriticalIllness:
    threshold = draw(amounts(max_value=Decimal("40000.00")))
    bounds = cast(Bounds, draw(st.sampled_from(("cumulative", "above_threshold"))))
    count = draw(st.integers(1, 4))
    # Absolute upper bounds (the accumulated amount where each closed segment ends).
    uppers = _rising(draw, threshold, count - 1, max_width=Decimal("300000.00"))
    base_ratios = [_unit(draw) for _ in range(count)]
    if sound:
        base_ratios.sort()  # 越高越多: ratios never fall as the accumulated cost rises
    origin = threshold if bounds == "above_threshold" else ZERO
    segments = _segments(uppers, base_ratios, origin)
    cap = _cap(draw, max_value=Decimal("1000000.00"))
    adjustments = []
    for cid in subset(draw, ids):
        keys = subset(draw, ("threshold", "ratio_bonus", "segments", "annual_cap"), min_size=1)
        factor = absolute = None
        in_use = threshold
        own_segments = None
        if "threshold" in keys:
            if draw(st.booleans()):
                factor = _unit(draw)
                in_use = round_money(EXACT.multiply(threshold, factor), rounding)
            else:
                ceiling = threshold
                if not sound:
                    ceiling = Decimal("60000.00")
                    if bounds == "cumulative" and uppers and "segments" not in keys:
                        # The loader: an absolute threshold below the first base bound.
                        ceiling = EXACT.subtract(uppers[0], CENT)
                absolute = draw(amounts(max_value=ceiling))
                in_use = absolute
        if "segments" in keys:
            extra = _rising(draw, in_use, draw(st.integers(0, 2)), max_width=Decimal("200000.00"))
            if sound:
                own = sorted({*uppers, *extra})
                own_ratios: list[Decimal] = []
                for x in [*own, None]:
                    floor = base_ratios[-1] if x is None else _ratio_at(uppers, base_ratios, x)
                    if x is not None and x <= threshold:
                        floor = ZERO  # the base pays nothing up to its threshold
                    floor = max([floor, *own_ratios[-1:]])
                    own_ratios.append(_unit(draw, min_value=floor))
            else:
                own = extra
                own_ratios = [_unit(draw) for _ in range(len(own) + 1)]
            origin_adj = in_use if bounds == "above_threshold" else ZERO
            own_segments = _segments(own, own_ratios, origin_adj)
        adjustments.append(
            CriticalIllnessAdjustment(
                cid,
                threshold_factor=factor,
                threshold=absolute,
                ratio_bonus=_unit(draw, max_value=Decimal("0.2"))
                if "ratio_bonus" in keys
                else None,
                segments=own_segments,
                annual_cap=_cap(
                    draw, at_least=cap if sound else None, max_value=Decimal("2000000.00")
                )
                if "annual_cap" in keys
                else None,
            )
        )
    return CriticalIllness(threshold, bounds, segments, cap, tuple(adjustments), source)


def _medical_assistance(draw: Draw, ids: Sequence[str], source: str) -> MedicalAssistance:
    rules = []
    for cid in subset(draw, ids, min_size=1):
        deductible = draw(amounts(max_value=Decimal("5000.00")))
        rules.append(
            AssistanceRule(cid, _unit(draw), _cap(draw, max_value=Decimal("200000.00")), deductible)
        )
    return MedicalAssistance(tuple(rules), source)


def _sources(draw: Draw) -> tuple[Source, ...]:
    out = []
    for k in range(1, draw(st.integers(1, 3)) + 1):
        number = draw(st.sampled_from((None, f"测发〔2018〕{k}号")))
        url = draw(st.sampled_from((None, f"https://example.org/policy/{k}")))
        out.append(Source(f"src-{k}", f"测试政策依据 {k}", number, url))
    return tuple(out)


def _check_require(require: Sequence[str]) -> tuple[str, ...]:
    if isinstance(require, str):
        raise InvalidArgument(f"require={require!r} must be a list of section names, not a string")
    unknown = [s for s in require if s not in SECTIONS]
    if unknown:
        raise InvalidArgument(f"require: unknown sections {unknown} (sections: {list(SECTIONS)})")
    return tuple(require)


def _check_series(series: object) -> str:
    if not isinstance(series, str) or not _SERIES.fullmatch(series):
        raise InvalidArgument(f"series={series!r} must be lower-case letters, digits and '-'")
    return series


@st.composite
def _tariff(
    draw: Draw,
    *,
    series: str,
    version: str | None,
    effective: tuple[dt.date, dt.date | None] | None,
    sound: bool,
    require: tuple[str, ...],
    categories: tuple[Category, ...] | None,
) -> Tariff:
    if effective is None:
        year = draw(st.integers(_FIRST_YEAR, 2022))
        end = draw(st.sampled_from((dt.date(year, 12, 31), None)))
        effective = (dt.date(year, 1, 1), end)
    if version is None:
        version = f"{effective[0].year}.{effective[0].month}"
    rounding = cast(Rounding, draw(st.sampled_from(("half_up", "half_even"))))
    sources = _sources(draw)
    cats = _categories(draw) if categories is None else categories
    ids = [c.id for c in cats]

    def has(section: str) -> bool:
        return section in require or bool(draw(st.booleans()))

    def source() -> str:
        return str(draw(st.sampled_from([s.id for s in sources])))

    status = cast(Status, draw(st.sampled_from(("illustrative", "official"))))
    makers: dict[str, Callable[[], object]] = {
        Key.ENROLLMENT: lambda: _enrollment(draw, ids),
        Key.MEDICAL_PREMIUM: lambda: _medical_premium(draw, ids, source()),
        Key.PENSION_PREMIUM: lambda: _pension_premium(draw, ids, source()),
        Key.INPATIENT: lambda: _inpatient(draw, ids, source(), sound=sound),
        Key.CRITICAL_ILLNESS: lambda: _critical_illness(draw, ids, source(), rounding, sound=sound),
        Key.MEDICAL_ASSISTANCE: lambda: _medical_assistance(draw, ids, source()),
    }
    # Each section in file order (made by its shape); assistance names eligible categories.
    sections: dict[str, Any] = {
        s.attribute: makers[s.shape]()
        for s in TARIFF_SECTIONS
        if (ids or s.shape != Key.MEDICAL_ASSISTANCE) and has(s.key)
    }
    tariff = Tariff(
        format=1,
        series=series,
        version=version,
        title=Text(f"生成的待遇标准（{version}）", f"generated tariff {version}"),
        region_code="000000",
        region_name=Text("测试区", "test district"),
        effective_from=effective[0],
        effective_to=effective[1],
        status=status,
        rounding=rounding,
        sources=sources,
        categories=cats,
        path=f"generated/{series}/{version}.yaml",
        sha256="",
        **sections,
    )
    digest = hashlib.sha256(render_tariff(tariff).encode("utf-8")).hexdigest()
    return attrs.evolve(tariff, sha256=digest)


def tariffs(
    *,
    series: str = "generated",
    version: str | None = None,
    effective: tuple[dt.date, dt.date | None] | None = None,
    sound: bool = True,
    require: Sequence[str] = (Key.INPATIENT, Key.CRITICAL_ILLNESS),
    categories: Sequence[Category] | None = None,
) -> st.SearchStrategy[Tariff]:
    """Random valid tariffs of format 1 (one version of ``series``).

    Every feature of the contract comes up: categories with disability rules, enrolment rules
    (``next_month``/``same_day``, exempt categories), medical and pension premiums with
    government payments ``full``/``{share}``/``{amount}`` and reserved pension grades (``for``),
    hospital levels with basic adjustments, critical illness with ``bounds`` cumulative or
    above_threshold, ``threshold_factor`` or an absolute ``threshold``, ``ratio_bonus``,
    replacement segments and caps or none (不设封顶), medical assistance with deductibles and
    caps, rounding ``half_up``/``half_even``. Ratios sometimes have 3 decimals, so half fen occur.

    - ``sound=True``: the tariff also keeps the tariff-level invariants of
      :mod:`medcalc.audit`: every category's adjusted profile pays at least the base at every
      cost (threshold not higher, ratios not lower, cap not lower), segment ratios never fall
      as the cost rises. ``sound=False``: any tariff the loader accepts.
    - ``require``: sections always present (others come and go; medical assistance needs a
      declared category).
    - ``effective``: (from, to or None); default: 1 January of a year from 2016, to 31 December
      or open-ended. ``version``: default ``"<year>.<month>"`` of the start.
    - ``categories``: declare exactly these (default: a random subset of :data:`CATEGORY_POOL`).
    """
    series = _check_series(series)
    required = _check_require(require)
    if not isinstance(sound, bool):
        raise InvalidArgument(f"sound={sound!r} must be True or False")
    if version is not None and (not isinstance(version, str) or not version.strip()):
        raise InvalidArgument(f"version={version!r} must be non-empty text or None")
    if effective is not None:
        start, end = effective
        if not isinstance(start, dt.date) or (end is not None and not isinstance(end, dt.date)):
            raise InvalidArgument(f"effective={effective!r} must be (date, date or None)")
        if end is not None and end < start:
            raise InvalidArgument(f"effective: from {start} is after to {end}")
    cats = None if categories is None else tuple(categories)
    if cats is not None:
        ids = [c.id for c in cats]
        if len(set(ids)) != len(ids) or "base" in ids:
            raise InvalidArgument(f"categories: ids must be distinct and not 'base': {ids}")
    return _tariff(
        series=series,
        version=version,
        effective=effective,
        sound=sound,
        require=required,
        categories=cats,
    )


@st.composite
def _book(
    draw: Draw,
    *,
    series: str,
    min_versions: int,
    max_versions: int,
    sound: bool,
    require: tuple[str, ...],
) -> TariffBook:
    count = draw(st.integers(min_versions, max_versions))
    categories = _categories(draw)
    start = dt.date(draw(st.integers(_FIRST_YEAR, 2022)), 1, 1)
    versions = []
    for k in range(count):
        if draw(st.booleans()):
            end = dt.date(start.year, 12, 31)  # a calendar-year table, the usual case
        else:
            months = draw(st.integers(1, 18))  # a mid-year change
            first = start.month - 1 + months
            end = dt.date(start.year + first // 12, first % 12 + 1, 1) - dt.timedelta(days=1)
        last = k == count - 1
        if last and draw(st.booleans()):
            end_or_none: dt.date | None = None
        else:
            end_or_none = end
        versions.append(
            draw(
                tariffs(
                    series=series,
                    version=f"{start.isoformat()}.{k + 1}",
                    effective=(start, end_or_none),
                    sound=sound,
                    require=require,
                    categories=categories,
                )
            )
        )
        start = end + dt.timedelta(days=1)
    return TariffBook.of(versions)


def tariff_books(
    *,
    series: str = "generated",
    min_versions: int = 1,
    max_versions: int = 3,
    sound: bool = True,
    require: Sequence[str] = (Key.INPATIENT, Key.CRITICAL_ILLNESS),
) -> st.SearchStrategy[TariffBook]:
    """A book with ``min_versions`` to ``max_versions`` consecutive versions of one series.

    Versions follow each other without gap; each lasts a calendar year or changes mid-year
    (1 to 18 months), the last is sometimes open-ended. They declare the same categories (a
    person keeps theirs across versions) and draw everything else independently. ``sound``
    and ``require`` are as for :func:`tariffs`.
    """
    series = _check_series(series)
    size_args(min_versions, max_versions)
    if min_versions < 1:
        raise InvalidArgument("min_versions must be at least 1")
    if not isinstance(sound, bool):
        raise InvalidArgument(f"sound={sound!r} must be True or False")
    return _book(
        series=series,
        min_versions=min_versions,
        max_versions=max_versions,
        sound=sound,
        require=_check_require(require),
    )
