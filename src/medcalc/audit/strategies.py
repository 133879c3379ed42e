"""Hypothesis strategies for medcalc: money, persons, claims and random *valid* tariffs.

For property tests of medcalc itself and of tariff tables (see ``docs/audit.md``)::

    from hypothesis import given, strategies as st
    from medcalc.chain import Calculator
    from medcalc.audit.strategies import claim_years, persons, tariff_books

    @given(st.data())
    def test_benefit_never_above_cost(data):
        book = data.draw(tariff_books())
        person = data.draw(persons(tariff=book))
        claims = data.draw(claim_years(tariff=book))
        result = Calculator(book).claims(book.series()[0], person, claims)
        for c in result.claims:
            assert c.basic + c.critical_illness + c.assistance <= c.claim.compliant

Strategies (plural nouns of what they make; keyword-only arguments, checked when the strategy
is built, raising :class:`hypothesis.errors.InvalidArgument`):

- :func:`amounts` - yuan as ``Decimal`` with exactly 2 decimals, drawn as whole fen, never float;
- :func:`ratios` - ratios, shares, factors and bonuses in [0, 1];
- :func:`tariffs` - one :class:`~medcalc.tariff.Tariff` of format 1, valid by construction and
  exercising every feature of the contract; ``sound=True`` (the default) also keeps the
  tariff-level invariants of :mod:`medcalc.audit` (类别待遇不低于普通参保人; 费用越高报销比例越高);
- :func:`tariff_books` - a :class:`~medcalc.tariff.TariffBook` with several consecutive versions
  of one series;
- :func:`persons`, :func:`claims`, :func:`claim_years` - inputs that fit a given tariff or book
  (declared categories, hospital levels of the version in force, dates a version covers).

:func:`render_tariff` writes a tariff as the YAML text of its file; a generated tariff's
``sha256`` is the hash of that text, so ``parse_tariff(render_tariff(t).encode(), t.path) == t``
(which proves the strategies only make tariffs the strict loader accepts).

This module imports hypothesis; ``import medcalc`` never imports it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar, cast

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from medcalc.chain import Claim, Person
from medcalc.money import CENT, EXACT, MAX_AMOUNT, Rounding, is_whole_fen, round_money
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

__all__ = [
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
    "window",
    "years_covered",
]

T = TypeVar("T")
Draw = st.DrawFn


CATEGORY_POOL: tuple[tuple[str, str, str], ...] = (
    ("five_guarantee", "特困供养人员（五保户）", "five-guarantee household member"),
    ("low_income", "低保对象", "minimum-living-allowance recipient"),
    ("poverty", "建档立卡贫困人员", "registered poor resident"),
    ("severe_disability", "重度残疾人", "severely disabled person"),
    ("orphan", "孤儿", "orphan"),
    ("near_low_income", "低保边缘人员", "near-minimum-allowance household member"),
)
"""Category ids, Chinese and English labels that generated tariffs declare (a subset of)."""

LEVEL_POOL: tuple[tuple[str, str, str], ...] = (
    ("level_1", "一级及以下医院", "grade-1 hospital or below"),
    ("level_2", "二级医院", "grade-2 hospital"),
    ("level_3", "三级医院", "grade-3 hospital"),
    ("township", "乡镇卫生院", "township health centre"),
)
"""Hospital levels that generated tariffs declare (a subset of)."""

_SERIES = re.compile(r"[a-z0-9-]+")
_ONE = Decimal(1)
_ZERO = Decimal("0.00")
_FIRST_YEAR, _LAST_YEAR = 2016, 2030
_DEFAULT_MAX_AMOUNT = Decimal("1000000.00")


# -- argument checks ------------------------------------------------------------------------


def _money_arg(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidArgument(f"{name}={value!r} must be a Decimal or an int (never a float)")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise InvalidArgument(f"{name}={value!r} must be a finite amount from 0 to {MAX_AMOUNT}")
    if not is_whole_fen(amount):
        raise InvalidArgument(f"{name}={value!r} has more than 2 decimal places")
    return amount


def _unit_arg(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidArgument(f"{name}={value!r} must be a Decimal or an int (never a float)")
    unit = Decimal(value)
    if not unit.is_finite() or not 0 <= unit <= 1:
        raise InvalidArgument(f"{name}={value!r} must be from 0 to 1")
    return unit


def _size_args(min_size: int, max_size: int) -> None:
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument(f"{name}={value!r} must be a whole number, 0 or more")
    if min_size > max_size:
        raise InvalidArgument(f"min_size={min_size} is above max_size={max_size}")


def _year_arg(year: object) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidArgument(f"year={year!r} must be a calendar year (1900-2200) or None")
    return year


def _flag_arg(name: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True, False or None (sometimes)")
    return value


# -- money ----------------------------------------------------------------------------------


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2, context=EXACT))


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2, context=EXACT)


def _times(step: int) -> Callable[[int], int]:
    return lambda n: n * step


def amounts(
    *,
    min_value: Decimal | int = 0,
    max_value: Decimal | int = _DEFAULT_MAX_AMOUNT,
) -> st.SearchStrategy[Decimal]:
    """Amounts in yuan from ``min_value`` to ``max_value`` (both included), as ``Decimal`` with
    exactly 2 decimals (``Decimal('1234.50')``).

    Drawn as whole fen, so they shrink toward ``min_value`` and never pass through float; round
    yuan (and round hundreds) come up often, like real bills and tariff values.
    """
    low = _money_arg("min_value", min_value)
    high = _money_arg("max_value", max_value)
    if low > high:
        raise InvalidArgument(f"min_value={low} is above max_value={high}")
    return _amounts(_fen(low), _fen(high))


@functools.lru_cache(maxsize=1024)
def _amounts(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    """Amounts from ``lo`` to ``hi`` fen (built once: a new strategy costs a validation)."""
    choices = [st.integers(lo, hi)]
    for step in (100, 10_000):  # whole yuan, whole hundreds of yuan
        first, last = -(-lo // step), hi // step
        if first <= last:
            choices.append(st.integers(first, last).map(_times(step)))
    return st.one_of(*choices).map(_yuan)


def ratios(
    *,
    min_value: Decimal | int = 0,
    max_value: Decimal | int = 1,
    places: int = 2,
) -> st.SearchStrategy[Decimal]:
    """Ratios, shares, factors or bonuses from ``min_value`` to ``max_value`` within [0, 1],
    as exact ``Decimal`` with at most ``places`` decimals (``Decimal('0.65')``)."""
    low = _unit_arg("min_value", min_value)
    high = _unit_arg("max_value", max_value)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 6:
        raise InvalidArgument(f"places={places!r} must be a whole number from 0 to 6")
    if low > high:
        raise InvalidArgument(f"min_value={low} is above max_value={high}")
    scale = 10**places
    lo = int(EXACT.multiply(low, scale).to_integral_value(rounding="ROUND_CEILING"))
    hi = int(EXACT.multiply(high, scale).to_integral_value(rounding="ROUND_FLOOR"))
    if lo > hi:
        raise InvalidArgument(f"no ratio with {places} decimals lies in [{low}, {high}]")
    return _ratios(lo, hi, places)


@functools.lru_cache(maxsize=1024)
def _ratios(lo: int, hi: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(lo, hi).map(lambda n: Decimal(n).scaleb(-places, context=EXACT))


def _unit(draw: Draw, *, min_value: Decimal | int = 0, max_value: Decimal | int = 1) -> Decimal:
    """A ratio with 2 decimals, sometimes 3 (a half fen then shows up in products)."""
    places = draw(st.sampled_from((2, 2, 2, 3)))
    return draw(ratios(min_value=min_value, max_value=max_value, places=places))


# -- tariffs --------------------------------------------------------------------------------


def _subset(draw: Draw, items: Sequence[T], *, min_size: int = 0) -> list[T]:
    """A subset kept in the given order (shrinks toward the empty set)."""
    mask = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    chosen = [item for item, keep in zip(items, mask, strict=True) if keep]
    if len(chosen) < min_size and items:
        extra = draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=min_size))
        chosen = [item for item in items if item in chosen or item in extra]
    return chosen


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
    low = _ZERO if at_least is None or at_least.amount is None else at_least.amount
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
    chosen = _subset(draw, CATEGORY_POOL)
    out = []
    for cid, zh, en in chosen:
        rules: list[DisabilityRule] = []
        if draw(st.integers(0, 3)) == 0:
            for _ in range(draw(st.integers(1, 2))):
                grades = tuple(_subset(draw, (1, 2, 3, 4), min_size=1))
                types = None
                if draw(st.booleans()):
                    types = tuple(_subset(draw, DISABILITY_TYPES, min_size=1))
                rules.append(DisabilityRule(grades, types))
        out.append(Category(cid, Text(zh, en), tuple(rules)))
    return tuple(out)


def _enrollment(draw: Draw, ids: Sequence[str]) -> Enrollment:
    start = cast(BenefitsStart, draw(st.sampled_from(("next_month", "same_day"))))
    return Enrollment(start, tuple(_subset(draw, ids)))


def _medical_premium(draw: Draw, ids: Sequence[str], source: str) -> MedicalPremium:
    contribution = draw(amounts(max_value=Decimal("1000.00")))
    pays = tuple(
        CategoryPayment(c, _payment(draw, max_amount=Decimal("1200.00")))
        for c in _subset(draw, ids)
    )
    return MedicalPremium(contribution, pays, source)


def _pension_premium(draw: Draw, ids: Sequence[str], source: str) -> PensionPremium:
    if draw(st.booleans()):
        age_from, age_to = 16, 59
    else:
        age_from = draw(st.integers(0, 70))
        age_to = draw(st.integers(age_from, 150))
    pays = tuple(
        CategoryPayment(c, _payment(draw, max_amount=Decimal("5000.00")))
        for c in _subset(draw, ids)
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
            reserved = tuple(_subset(draw, ids, min_size=1))
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
    for cid in _subset(draw, ids):
        keys = _subset(draw, ("deductible_factor", "ratio_bonus", "annual_cap"), min_size=1)
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
    origin = threshold if bounds == "above_threshold" else _ZERO
    segments = _segments(uppers, base_ratios, origin)
    cap = _cap(draw, max_value=Decimal("1000000.00"))
    adjustments = []
    for cid in _subset(draw, ids):
        keys = _subset(draw, ("threshold", "ratio_bonus", "segments", "annual_cap"), min_size=1)
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
                        floor = _ZERO  # the base pays nothing up to its threshold
                    floor = max([floor, *own_ratios[-1:]])
                    own_ratios.append(_unit(draw, min_value=floor))
            else:
                own = extra
                own_ratios = [_unit(draw) for _ in range(len(own) + 1)]
            origin_adj = in_use if bounds == "above_threshold" else _ZERO
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
    for cid in _subset(draw, ids, min_size=1):
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
    _size_args(min_versions, max_versions)
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


# -- inputs that fit a tariff ---------------------------------------------------------------

Target = Tariff | TariffBook


def _versions(tariff: Target | None, series: str | None) -> tuple[Tariff, ...]:
    """The versions of ``series`` (or of the book's only series) that claims can use."""
    if tariff is None:
        return ()
    if isinstance(tariff, Tariff):
        return (tariff,)
    if not isinstance(tariff, TariffBook):
        raise InvalidArgument(f"tariff={tariff!r} must be a Tariff, a TariffBook or None")
    names = tariff.series()
    if series is None:
        if len(names) != 1:
            raise InvalidArgument(f"the book holds series {list(names)}; pass series=")
        series = names[0]
    if series not in names:
        raise InvalidArgument(f"series={series!r} is not in the book (series: {list(names)})")
    return tariff.versions(series)


def window(version: Tariff, year: int) -> tuple[dt.date, dt.date] | None:
    """The days of ``year`` on which ``version`` is in force, or None."""
    start = max(version.effective_from, dt.date(year, 1, 1))
    end = dt.date(year, 12, 31)
    if version.effective_to is not None:
        end = min(end, version.effective_to)
    return (start, end) if start <= end else None


def claim_versions(tariff: Target, series: str | None = None) -> tuple[Tariff, ...]:
    """The versions of a tariff or book series that can compute claims (they have a
    critical_illness section)."""
    return tuple(v for v in _versions(tariff, series) if v.critical_illness is not None)


def years_covered(versions: Sequence[Tariff]) -> list[int]:
    """Calendar years on which one of ``versions`` is in force (an open end counts 3 years)."""
    years: set[int] = set()
    for v in versions:
        last = v.effective_to.year if v.effective_to else v.effective_from.year + 2
        years.update(range(v.effective_from.year, last + 1))
    return sorted(years)


def _pick_year(draw: Draw, versions: Sequence[Tariff], year: int | None) -> int:
    if year is not None:
        return year
    covered = years_covered(versions)
    return int(draw(st.sampled_from(covered))) if covered else 2018


def _declared_everywhere(versions: Sequence[Tariff]) -> list[str]:
    if not versions:
        return [c[0] for c in CATEGORY_POOL]
    common = [c.id for c in versions[0].categories]
    for v in versions[1:]:
        ids = {c.id for c in v.categories}
        common = [c for c in common if c in ids]
    return common


@st.composite
def _person(
    draw: Draw,
    *,
    tariff: Target | None,
    series: str | None,
    year: int | None,
    enrolled: bool | None,
) -> Person:
    versions = _versions(tariff, series)
    chosen_year = _pick_year(draw, versions, year)
    ids = _declared_everywhere(versions)
    categories = _subset(draw, ids)
    grade = draw(st.none() | st.integers(1, 4))
    kind = None if grade is None else draw(st.none() | st.sampled_from(DISABILITY_TYPES))
    birth = draw(st.dates(dt.date(chosen_year - 90, 1, 1), dt.date(chosen_year, 12, 31)))
    can_enrol = all(v.enrollment is not None for v in versions)
    enrolled_on = None
    if enrolled is True and not can_enrol:
        raise InvalidArgument("enrolled=True, but a version of the tariff has no enrollment")
    if enrolled is True or (enrolled is None and can_enrol and draw(st.booleans())):
        enrolled_on = draw(st.dates(dt.date(chosen_year - 1, 11, 1), dt.date(chosen_year, 12, 31)))
    return Person(
        categories=frozenset(categories),
        disability_grade=grade,
        disability_type=kind,
        birth_date=birth,
        enrolled_on=enrolled_on,
    )


def persons(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    enrolled: bool | None = None,
) -> st.SearchStrategy[Person]:
    """People whose categories are declared by every version of ``tariff`` (a tariff or a book
    and its ``series``; default: any of :data:`CATEGORY_POOL`), sometimes with a disability
    grade and type, a birth date (for the pension) and an enrolment date in or just before
    ``year`` (``enrolled``: True always, False never, None sometimes; only when every version
    has an ``enrollment`` section)."""
    _versions(tariff, series)  # checks tariff and series now
    return _person(
        tariff=tariff,
        series=series,
        year=_year_arg(year),
        enrolled=_flag_arg("enrolled", enrolled),
    )


@st.composite
def _claim(
    draw: Draw,
    *,
    versions: tuple[Tariff, ...],
    year: int,
    max_compliant: Decimal,
    basic_paid: bool | None,
) -> Claim:
    windows = [(v, w) for v in versions if (w := window(v, year)) is not None]
    if windows:
        version, (start, end) = draw(st.sampled_from(windows))
        level_ids = (
            [lv.id for lv in version.inpatient.levels] if version.inpatient is not None else []
        )
    else:  # no tariff: any day of the year, the usual levels
        version, (start, end) = None, (dt.date(year, 1, 1), dt.date(year, 12, 31))
        level_ids = [lv[0] for lv in LEVEL_POOL[:3]]
    day = draw(st.dates(start, end))
    # Mostly everyday bills, sometimes very large ones (caps, top segments).
    ceiling = min(max_compliant, Decimal("60000.00"))
    compliant = draw(
        st.one_of(
            amounts(max_value=ceiling),
            amounts(max_value=min(max_compliant, Decimal("400000.00"))),
            amounts(max_value=max_compliant),
        )
    )
    extra = draw(st.sampled_from((None, _ZERO)) | amounts(max_value=Decimal("50000.00")))
    total = None if extra is None else EXACT.add(compliant, extra)
    must_give = version is not None and version.inpatient is None
    give = basic_paid if basic_paid is not None else (must_give or draw(st.booleans()))
    if must_give and basic_paid is False:
        give = True  # the version cannot compute basic: the settled amount is needed
    paid = None
    if give:
        paid = _yuan(draw(st.integers(0, _fen(compliant))))
    level = draw(st.sampled_from(level_ids)) if level_ids else None
    return Claim(day, compliant, level, total, paid)


def _claims_args(
    tariff: Target | None, series: str | None, year: int | None, max_compliant: object
) -> tuple[tuple[Tariff, ...], int | None, Decimal]:
    versions = claim_versions(tariff, series) if tariff is not None else ()
    if tariff is not None and not versions:
        raise InvalidArgument("no version of the tariff has a critical_illness section")
    top = _money_arg("max_compliant", max_compliant)
    chosen = _year_arg(year)
    if chosen is not None and versions and not any(window(v, chosen) for v in versions):
        raise InvalidArgument(f"no version of the tariff is in force in {chosen}")
    return versions, chosen, top


def claims(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    max_compliant: Decimal | int = _DEFAULT_MAX_AMOUNT,
    basic_paid: bool | None = None,
) -> st.SearchStrategy[Claim]:
    """One hospital stay (一次住院) dated in ``year`` (default: a year the tariff covers) on a
    day a version of ``tariff`` with a critical_illness section is in force, at one of that
    version's hospital levels; compliant cost up to ``max_compliant``, a total at or above it
    (or none), and a settled ``basic_paid`` at most the compliant cost (True always, False
    never - unless the version has no inpatient section -, None sometimes)."""
    versions, chosen, top = _claims_args(tariff, series, year, max_compliant)
    flag = _flag_arg("basic_paid", basic_paid)

    @st.composite
    def one(draw: Draw) -> Claim:
        y = _pick_year(draw, versions, chosen)
        return draw(_claim(versions=versions, year=y, max_compliant=top, basic_paid=flag))

    return one()


def claim_years(
    *,
    tariff: Target | None = None,
    series: str | None = None,
    year: int | None = None,
    min_size: int = 1,
    max_size: int = 5,
    max_compliant: Decimal | int = _DEFAULT_MAX_AMOUNT,
    basic_paid: bool | None = None,
) -> st.SearchStrategy[list[Claim]]:
    """One person's claims of one calendar year (年度内多次住院), ``min_size`` to ``max_size``
    of them, in no particular order, each as drawn by :func:`claims` for that year (a year
    whose versions change mid-year mixes versions)."""
    versions, chosen, top = _claims_args(tariff, series, year, max_compliant)
    _size_args(min_size, max_size)
    flag = _flag_arg("basic_paid", basic_paid)

    @st.composite
    def year_of_claims(draw: Draw) -> list[Claim]:
        y = _pick_year(draw, versions, chosen)
        one = _claim(versions=versions, year=y, max_compliant=top, basic_paid=flag)
        return draw(st.lists(one, min_size=min_size, max_size=max_size))

    return year_of_claims()


# -- YAML ---------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: Decimal) -> str:
    return f"{value:f}"


def _cap_text(cap: Cap) -> str:
    return Key.NONE if cap.amount is None else _n(cap.amount)


def _label(text: Text) -> str:
    return _flow([(Key.ZH, _q(text.zh)), (Key.EN, _q(text.en))])


def _ids(ids: Sequence[str]) -> str:
    return "[" + ", ".join(_q(i) for i in ids) + "]"


def _payment_text(payment: GovernmentPayment) -> str:
    if isinstance(payment, FullPayment):
        return Key.FULL
    if isinstance(payment, SharePayment):
        return f"{{{Key.SHARE}: {_n(payment.share)}}}"
    return f"{{{Key.AMOUNT}: {_n(payment.amount)}}}"


def _pays_text(lines: list[str], pays: Sequence[CategoryPayment]) -> None:
    if not pays:
        lines.append(f"  {Key.GOVERNMENT_PAYS}: {{}}")
        return
    lines.append(f"  {Key.GOVERNMENT_PAYS}:")
    lines.extend(f"    {p.category}: {_payment_text(p.payment)}" for p in pays)


def _segments_text(segments: Sequence[Segment]) -> str:
    parts = []
    for s in segments:
        to = "" if s.upper is None else f"{Key.TO}: {_n(s.upper)}, "
        parts.append(f"{{{to}{Key.RATIO}: {_n(s.ratio)}}}")
    return "[" + ", ".join(parts) + "]"


def _flow(pairs: Sequence[tuple[str, str | None]]) -> str:
    """``{key: value, ...}`` of the pairs whose value is given, in order."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs if v is not None) + "}"


def _opt(value: T | None, text: Callable[[T], str]) -> str | None:
    return None if value is None else text(value)


def _source_ref(source: str) -> str:
    return f"  {Key.SOURCE}: {_q(source)}"


A = TypeVar("A", InpatientAdjustment, CriticalIllnessAdjustment)


def _adjustments_text(
    lines: list[str], adjustments: Sequence[A], keys: Callable[[A], list[tuple[str, str | None]]]
) -> None:
    """The ``adjustments:`` mapping of a section, one flow mapping per category, if any."""
    if adjustments:
        lines.append(f"  {Key.ADJUSTMENTS}:")
        lines.extend(f"    {adj.category}: {_flow(keys(adj))}" for adj in adjustments)


def _enrollment_lines(section: Enrollment) -> list[str]:
    lines = [f"  {Key.BENEFITS_START}: {section.benefits_start}"]
    if section.exempt:
        lines.append(f"  {Key.EXEMPT}: {_ids(section.exempt)}")
    return lines


def _medical_premium_lines(section: MedicalPremium) -> list[str]:
    lines = [f"  {Key.CONTRIBUTION}: {_n(section.contribution)}"]
    _pays_text(lines, section.government_pays)
    return [*lines, _source_ref(section.source)]


def _pension_premium_lines(section: PensionPremium) -> list[str]:
    ages = _flow([(Key.FROM, str(section.age_from)), (Key.TO, str(section.age_to))])
    lines = [f"  {Key.AGES}: {ages}", f"  {Key.GRADES}:"]
    for g in section.grades:
        grade = [(Key.AMOUNT, _n(g.amount)), (Key.SUBSIDY, _n(g.subsidy))]
        lines.append(f"    - {_flow([*grade, (Key.FOR, _opt(g.reserved_for, _ids))])}")
    _pays_text(lines, section.government_pays)
    if section.basic_pension_monthly is not None:
        lines.append(f"  {Key.BASIC_PENSION_MONTHLY}: {_n(section.basic_pension_monthly)}")
    return [*lines, _source_ref(section.source)]


def _inpatient_lines(section: Inpatient) -> list[str]:
    lines = [f"  {Key.LEVELS}:"]
    for lv in section.levels:
        level = [
            (Key.ID, _q(lv.id)),
            (Key.LABEL, _label(lv.label)),
            (Key.DEDUCTIBLE, _n(lv.deductible)),
            (Key.RATIO, _n(lv.ratio)),
        ]
        lines.append(f"    - {_flow(level)}")
    lines.append(f"  {Key.ANNUAL_CAP}: {_cap_text(section.annual_cap)}")
    _adjustments_text(lines, section.adjustments, _inpatient_adjustment)
    return [*lines, _source_ref(section.source)]


def _inpatient_adjustment(adj: InpatientAdjustment) -> list[tuple[str, str | None]]:
    return [
        (Key.DEDUCTIBLE_FACTOR, _opt(adj.deductible_factor, _n)),
        (Key.RATIO_BONUS, _opt(adj.ratio_bonus, _n)),
        (Key.ANNUAL_CAP, _opt(adj.annual_cap, _cap_text)),
    ]


def _critical_illness_lines(section: CriticalIllness) -> list[str]:
    lines = [
        f"  {Key.THRESHOLD}: {_n(section.threshold)}",
        f"  {Key.BOUNDS}: {section.bounds}",
        f"  {Key.SEGMENTS}: {_segments_text(section.segments)}",
        f"  {Key.ANNUAL_CAP}: {_cap_text(section.annual_cap)}",
    ]
    _adjustments_text(lines, section.adjustments, _critical_illness_adjustment)
    return [*lines, _source_ref(section.source)]


def _critical_illness_adjustment(adj: CriticalIllnessAdjustment) -> list[tuple[str, str | None]]:
    return [
        (Key.THRESHOLD_FACTOR, _opt(adj.threshold_factor, _n)),
        (Key.THRESHOLD, _opt(adj.threshold, _n)),
        (Key.RATIO_BONUS, _opt(adj.ratio_bonus, _n)),
        (Key.SEGMENTS, _opt(adj.segments, _segments_text)),
        (Key.ANNUAL_CAP, _opt(adj.annual_cap, _cap_text)),
    ]


def _medical_assistance_lines(section: MedicalAssistance) -> list[str]:
    lines = [f"  {Key.ELIGIBLE}:"]
    for el in section.eligible:
        rule = [
            (Key.RATIO, _n(el.ratio)),
            (Key.ANNUAL_CAP, _cap_text(el.annual_cap)),
            (Key.DEDUCTIBLE, _n(el.deductible)),
        ]
        lines.append(f"    {el.category}: {_flow(rule)}")
    return [*lines, _source_ref(section.source)]


_SECTION_LINES: dict[str, Callable[[Any], list[str]]] = {
    Key.ENROLLMENT: _enrollment_lines,
    Key.MEDICAL_PREMIUM: _medical_premium_lines,
    Key.PENSION_PREMIUM: _pension_premium_lines,
    Key.INPATIENT: _inpatient_lines,
    Key.CRITICAL_ILLNESS: _critical_illness_lines,
    Key.MEDICAL_ASSISTANCE: _medical_assistance_lines,
}
"""The lines under a section's key, for each shape of section (see ``Section.shape``)."""


def _header_lines(tariff: Tariff) -> list[str]:
    region = _flow([(Key.CODE, _q(tariff.region_code)), (Key.NAME, _label(tariff.region_name))])
    effective = _flow(
        [
            (Key.FROM, tariff.effective_from.isoformat()),
            (Key.TO, _opt(tariff.effective_to, dt.date.isoformat)),
        ]
    )
    return [
        f"{Key.FORMAT}: 1",
        f"{Key.SERIES}: {_q(tariff.series)}",
        f"{Key.VERSION}: {_q(tariff.version)}",
        f"{Key.TITLE}: {_label(tariff.title)}",
        f"{Key.REGION}: {region}",
        f"{Key.EFFECTIVE}: {effective}",
        f"{Key.STATUS}: {tariff.status}",
        f"{Key.ROUNDING}: {tariff.rounding}",
    ]


def _declaration_lines(tariff: Tariff) -> list[str]:
    lines = []
    if tariff.sources:
        lines.append(f"{Key.SOURCES}:")
        for src in tariff.sources:
            keys = [
                (Key.ID, _q(src.id)),
                (Key.TITLE, _q(src.title)),
                (Key.NUMBER, _opt(src.number, _q)),
                (Key.URL, _opt(src.url, _q)),
            ]
            lines.append(f"  - {_flow(keys)}")
    if tariff.categories:
        lines.append(f"{Key.CATEGORIES}:")
        for cat in tariff.categories:
            lines.append(f"  - {Key.ID}: {_q(cat.id)}")
            lines.append(f"    {Key.LABEL}: {_label(cat.label)}")
            if cat.disability:
                lines.append(f"    {Key.DISABILITY}:")
                for rule in cat.disability:
                    grades = "[" + ", ".join(str(g) for g in rule.grades) + "]"
                    keys = [(Key.GRADES, grades), (Key.TYPES, _opt(rule.types, _ids))]
                    lines.append(f"      - {_flow(keys)}")
    return lines


def render_tariff(tariff: Tariff) -> str:
    """The YAML text of ``tariff``'s file (format 1), which the strict loader reads back to an
    equal tariff. ``path`` and ``sha256`` are not part of the text."""
    lines = [*_header_lines(tariff), *_declaration_lines(tariff)]
    for section in TARIFF_SECTIONS:
        value = section.of(tariff)
        if value is not None:
            lines.append(f"{section.key}:")
            lines.extend(_SECTION_LINES[section.shape](value))
    return "\n".join(lines) + "\n"
