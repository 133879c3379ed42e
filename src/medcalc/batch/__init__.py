"""Batch files: many rows through the chain, CSV/XLSX/JSONL in and out.

Rows independent of the file format (grouping per person and year, dependent rows, result
columns), files on disk (encodings, strict quoting, atomic output) and the job that runs them,
with the columnar pyarrow path over `medcalc.fast` when it is installed.
"""

from __future__ import annotations

from medcalc.batch._files import (
    ENGINES,
    FORMATS,
    BatchFileError,
    BatchJob,
    BatchReport,
    CsvRecords,
    DuplicateKeyError,
    Progress,
    cell_holds_rows,
    check_output,
    detect_encoding,
    excel_text,
    format_of,
    is_formula_like,
    json_int,
    loads_exact,
    quoted_rows_line,
    unclosed_quote_error,
    write_atomically,
)
from medcalc.batch._rows import (
    CLAIM_COLUMNS,
    CLAIM_RESULTS,
    PREMIUM_COLUMNS,
    PREMIUM_RESULTS,
    Batch,
    ClaimsBatch,
    ParsedClaim,
    PremiumsBatch,
    ResultRow,
    Summary,
    cents_text,
)

__all__ = [
    "CLAIM_COLUMNS",
    "CLAIM_RESULTS",
    "ENGINES",
    "FORMATS",
    "PREMIUM_COLUMNS",
    "PREMIUM_RESULTS",
    "Batch",
    "BatchFileError",
    "BatchJob",
    "BatchReport",
    "ClaimsBatch",
    "CsvRecords",
    "DuplicateKeyError",
    "ParsedClaim",
    "PremiumsBatch",
    "Progress",
    "ResultRow",
    "Summary",
    "cell_holds_rows",
    "cents_text",
    "check_output",
    "detect_encoding",
    "excel_text",
    "format_of",
    "is_formula_like",
    "json_int",
    "loads_exact",
    "quoted_rows_line",
    "unclosed_quote_error",
    "write_atomically",
]
