"""The vectorised engine (extra ``medcalc[fast]``): the claims chain over int64 fen columns.

The same contract as `medcalc.chain`, whole columns at a time; property tests hold the two
equal on every claim. Needs numpy; nothing below the batch floor imports it.
"""

from __future__ import annotations

from medcalc.errors import DependentClaimError, EngineError, EngineRangeError
from medcalc.fast._engine import compute, compute_rows
from medcalc.fast._table import (
    CHUNK_ROWS,
    MAX_FEN,
    NAT,
    ClaimTable,
    Columns,
    PersonKind,
    build_table,
    fen,
    yuan,
)

__all__ = [
    "CHUNK_ROWS",
    "MAX_FEN",
    "NAT",
    "ClaimTable",
    "Columns",
    "DependentClaimError",
    "EngineError",
    "EngineRangeError",
    "PersonKind",
    "build_table",
    "compute",
    "compute_rows",
    "fen",
    "yuan",
]
