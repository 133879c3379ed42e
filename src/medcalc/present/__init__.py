"""Presentation: clerk tables (Chinese first), JSON documents and their JSON Schemas.

Turns `medcalc.chain` results and `medcalc.tariff` tables into text and JSON; computes nothing.
Results: `claims_table`, `premiums_table`, `claims_json`, `premiums_json`. Tariffs, for
`medcalc tariff list/show/diff`: `tariff_list_table`, `tariff_table`, `tariff_diff_table` and
their JSON documents. Error messages in the user's language: `translate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcalc._lazy import first_use
from medcalc.present._html import estimate_html
from medcalc.present._json import (
    CLAIMS_SCHEMA,
    PREMIUMS_SCHEMA,
    claims_json,
    premiums_json,
    tariff_diff_json,
    tariff_json,
    tariff_list_json,
)
from medcalc.present._schemas import (
    CLAIMS_REQUEST,
    COMPONENTS,
    DIFF_SCHEMA,
    LIST_SCHEMA,
    PREMIUMS_REQUEST,
    PROBLEM,
    REQUEST_FIELDS,
    TARIFF_SCHEMA,
    YTD_REQUEST_FIELDS,
    document_schema,
    ref,
)
from medcalc.present._tariffs import (
    tariff_list_table,
    tariff_table,
)
from medcalc.present._text import (
    DASH,
    SHORT_SHA,
    Lang,
    amount,
    cap_text,
    claims_table,
    heading,
    percent,
    premiums_table,
    profile_label,
    tr,
)
from medcalc.present._translate import translate

if TYPE_CHECKING:
    # Imported on first use (``__getattr__``); here for the type checker only.
    from medcalc.present._tariff_diff import tariff_diff_table

__all__ = [
    "CLAIMS_REQUEST",
    "CLAIMS_SCHEMA",
    "COMPONENTS",
    "DASH",
    "DIFF_SCHEMA",
    "LIST_SCHEMA",
    "PREMIUMS_REQUEST",
    "PREMIUMS_SCHEMA",
    "PROBLEM",
    "REQUEST_FIELDS",
    "SHORT_SHA",
    "TARIFF_SCHEMA",
    "YTD_REQUEST_FIELDS",
    "Lang",
    "amount",
    "cap_text",
    "claims_json",
    "claims_table",
    "document_schema",
    "estimate_html",
    "heading",
    "percent",
    "premiums_json",
    "premiums_table",
    "profile_label",
    "ref",
    "tariff_diff_json",
    "tariff_diff_table",
    "tariff_json",
    "tariff_list_json",
    "tariff_list_table",
    "tariff_table",
    "tr",
    "translate",
]


# ``tariff_diff_table`` on first use: with the tariff's diff, which ``medcalc batch`` does
# not use (issue 17, start-up).
__getattr__ = first_use(__name__, {"tariff_diff_table": "_tariff_diff"})


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
