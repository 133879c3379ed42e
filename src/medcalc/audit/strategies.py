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

This module imports hypothesis; ``import medcalc`` never imports it. It is the public face of
the strategies; they live behind it, one concept a module: ``_draw`` (argument checks, amounts
and ratios, subsets, the pools), ``_draw_tariffs`` (tariffs and books), ``_draw_inputs``
(persons and claims that fit them) and ``_tariff_yaml`` (the YAML writer).
"""

from __future__ import annotations

from medcalc.audit._draw import CATEGORY_POOL, LEVEL_POOL, amounts, ratios
from medcalc.audit._draw_inputs import (
    claim_versions,
    claim_years,
    claims,
    persons,
    window,
    years_covered,
)
from medcalc.audit._draw_tariffs import tariff_books, tariffs
from medcalc.audit._tariff_yaml import render_tariff
from medcalc.tariff import SECTIONS

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
