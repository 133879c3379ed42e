"""The accumulated layers as the tables and documents name them, from :data:`medcalc.chain.LAYERS`.

A layer's amounts live on the results under its ``id`` (``ClaimResult.<id>``,
``<id>_detail``, ``YearTotals.<id>``) and its base on :class:`~medcalc.chain.YearToDate`
under ``base``; its labels and its shape come from the tariff section that feeds it
(:func:`medcalc.tariff.section`). A new layer in ``LAYERS`` is drawn by these loops.
"""

from __future__ import annotations

from decimal import Decimal

from medcalc.chain import ClaimResult, Layer, YearToDate, YearTotals
from medcalc.tariff import Text, section

__all__ = ["base_of", "detail_of", "label", "paid", "shape"]


def paid(owner: ClaimResult | YearTotals, layer: Layer) -> Decimal:
    """What ``layer`` paid on a claim, or over a year."""
    value: Decimal = getattr(owner, layer.id)
    return value


def detail_of(r: ClaimResult, layer: Layer) -> object | None:
    """The layer's detail of a claim (None when the claim did not reach it)."""
    value: object | None = getattr(r, f"{layer.id}_detail")
    return value


def base_of(state: YearToDate, layer: Layer) -> Decimal:
    """The layer's accumulated base in a year-to-date state."""
    value: Decimal = getattr(state, layer.base)
    return value


def label(layer: Layer) -> Text:
    """The layer's name for people: its tariff section's label."""
    return section(layer.section).label


def shape(layer: Layer) -> str:
    """The shape of the layer's section (the key of the section it is drawn like)."""
    return section(layer.section).shape
