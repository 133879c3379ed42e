"""The building blocks of the hypothesis strategies (:mod:`medcalc.audit.strategies`): the
eager checks of their arguments, money and ratios drawn exactly (:func:`amounts`,
:func:`ratios`), ordered subsets, and the pools of categories and hospital levels that
generated tariffs declare and drawn persons and claims use."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from medcalc.money import EXACT, MAX_AMOUNT, is_whole_fen

__all__ = [
    "CATEGORY_POOL",
    "DEFAULT_MAX_AMOUNT",
    "LEVEL_POOL",
    "ZERO",
    "Draw",
    "amounts",
    "fen_of",
    "flag_arg",
    "money_arg",
    "ratios",
    "size_args",
    "subset",
    "year_arg",
    "yuan_of",
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

ZERO = Decimal("0.00")
DEFAULT_MAX_AMOUNT = Decimal("1000000.00")
"""The default top of drawn amounts and of claims' compliant costs."""


# -- argument checks ------------------------------------------------------------------------


def money_arg(name: str, value: object) -> Decimal:
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


def size_args(min_size: int, max_size: int) -> None:
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument(f"{name}={value!r} must be a whole number, 0 or more")
    if min_size > max_size:
        raise InvalidArgument(f"min_size={min_size} is above max_size={max_size}")


def year_arg(year: object) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidArgument(f"year={year!r} must be a calendar year (1900-2200) or None")
    return year


def flag_arg(name: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True, False or None (sometimes)")
    return value


# -- money ----------------------------------------------------------------------------------


def fen_of(amount: Decimal) -> int:
    return int(amount.scaleb(2, context=EXACT))


def yuan_of(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2, context=EXACT)


def _times(step: int) -> Callable[[int], int]:
    return lambda n: n * step


def amounts(
    *,
    min_value: Decimal | int = 0,
    max_value: Decimal | int = DEFAULT_MAX_AMOUNT,
) -> st.SearchStrategy[Decimal]:
    """Amounts in yuan from ``min_value`` to ``max_value`` (both included), as ``Decimal`` with
    exactly 2 decimals (``Decimal('1234.50')``).

    Drawn as whole fen, so they shrink toward ``min_value`` and never pass through float; round
    yuan (and round hundreds) come up often, like real bills and tariff values.
    """
    low = money_arg("min_value", min_value)
    high = money_arg("max_value", max_value)
    if low > high:
        raise InvalidArgument(f"min_value={low} is above max_value={high}")
    return _amounts(fen_of(low), fen_of(high))


@functools.lru_cache(maxsize=1024)
def _amounts(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    """Amounts from ``lo`` to ``hi`` fen (built once: a new strategy costs a validation)."""
    choices = [st.integers(lo, hi)]
    for step in (100, 10_000):  # whole yuan, whole hundreds of yuan
        first, last = -(-lo // step), hi // step
        if first <= last:
            choices.append(st.integers(first, last).map(_times(step)))
    return st.one_of(*choices).map(yuan_of)


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


# -- subsets --------------------------------------------------------------------------------


def subset(draw: Draw, items: Sequence[T], *, min_size: int = 0) -> list[T]:
    """A subset kept in the given order (shrinks toward the empty set)."""
    mask = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    chosen = [item for item, keep in zip(items, mask, strict=True) if keep]
    if len(chosen) < min_size and items:
        extra = draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=min_size))
        chosen = [item for item in items if item in chosen or item in extra]
    return chosen
