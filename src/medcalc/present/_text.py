"""Clerk-readable text tables of results (spec §4.5), in Chinese (default) or English: the names
this floor's face and its other text pages (tariff pages, HTML estimate) use, from where they
live, one concept a module:

- ``_cells``: the words and cells (amounts, percentages, caps, labels, headings); pure;
- ``_layout``: how the text is drawn (``tabulate``, fitted to 100 columns) and the blocks the
  premiums and claims texts share (profiles compared, sources, the tariff used);
- ``_premiums_text``: a person's premiums for a year (:func:`premiums_table`);
- ``_claims_text``: a person's claims, year totals and accumulators (:func:`claims_table`);
- ``_explanation``: one claim explained (:func:`claim_explanation`).

Pure functions: a result and the :class:`~medcalc.tariff.TariffBook` it was computed from (for
the labels of categories and hospital levels) in, a string out. They read the facts the result
carries; they compute no amount. Amounts are written from their ``Decimal``, never through float.
medcalc 0.1's ``medcalc.render`` resolves its names here (``medcalc._compat``).
"""

from __future__ import annotations

from medcalc.present._cells import (
    DASH,
    SHORT_SHA,
    Lang,
    amount,
    cap_text,
    categories_label,
    heading,
    percent,
    profile_label,
    status_text,
    tariff_of,
    tr,
)
from medcalc.present._claims_text import (
    claim_headers,
    claim_row,
    claims_table,
    tariffs_used,
    year_headers,
    year_row,
)
from medcalc.present._explanation import claim_explanation, not_covered_text
from medcalc.present._premiums_text import premiums_table

__all__ = [
    "DASH",
    "SHORT_SHA",
    "Lang",
    "amount",
    "cap_text",
    "categories_label",
    "claim_explanation",
    "claim_headers",
    "claim_row",
    "claims_table",
    "heading",
    "not_covered_text",
    "percent",
    "premiums_table",
    "profile_label",
    "status_text",
    "tariff_of",
    "tariffs_used",
    "tr",
    "year_headers",
    "year_row",
]
