"""The accumulated layers as the tables and documents name them, from :data:`medcalc.chain.LAYERS`.

A layer's amounts live on the results under its ``id`` (``ClaimResult.<id>``,
``<id>_detail``, ``YearTotals.<id>``) and its base on :class:`~medcalc.chain.YearToDate`
under ``base``; its labels and its shape come from the tariff section that feeds it
(:func:`medcalc.tariff.section`). A new layer in ``LAYERS`` is drawn by the loops over it;
its amounts are read with :meth:`~medcalc.chain.Layer.paid_on` and friends.
"""

from __future__ import annotations

from medcalc.chain import Layer
from medcalc.tariff import Text, section

__all__ = ["label", "shape"]


def label(layer: Layer) -> Text:
    """The layer's name for people: its tariff section's label."""
    return section(layer.section).label


def shape(layer: Layer) -> str:
    """The shape of the layer's section (the key of the section it is drawn like)."""
    return section(layer.section).shape
