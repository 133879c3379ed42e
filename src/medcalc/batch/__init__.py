"""Batch files: many rows through the chain, CSV/XLSX/JSONL in and out.

Rows independent of the file format (grouping per person and year, dependent rows, result
columns), files on disk (encodings, strict quoting, atomic output) and the job that runs them,
with the columnar pyarrow path over `medcalc.fast` when it is installed.

Inside, one module per step, each importing only those below it (the contract "batch" in
pyproject.toml): ``_job`` (:class:`BatchJob`: pick the engine, read, compute, write) >
``_columnar`` (the pyarrow CSV path and :class:`EngineClaimsBatch`; over ``_scan``, its block
reading, and ``_columns``, the batch rules over columns) > ``_output`` (writers, atomic OUT) and
``_files`` (format, which table) > ``_csv``, ``_xlsx``, ``_jsonl`` (the formats) > ``_table``,
``_encoding`` > ``_headers`` (the columns' names in Chinese and English: :func:`field_of`,
:func:`result_names`, the totals row), ``_rows`` (:class:`ClaimsBatch`,
:class:`PremiumsBatch`) > ``_rules`` (the grouping rules both paths apply). Above ``_job``,
``_summary`` (:func:`summary_lines`: a :class:`BatchReport` as the lines ``medcalc batch``
prints). Beside the formats, ``_claims_file`` (:func:`read_claims_file`, :class:`ClaimRows`):
one person's claims file for ``medcalc claim --claims``, read with the same text, CSV and JSON
readers.

Imported when first used, not by ``import medcalc.batch`` (so not by ``medcalc batch``, issue
17): the compare job (:class:`CompareJob`), its summary and charts, which ``medcalc compare``
uses, and the claims file of ``medcalc claim --claims``; in ``__all__`` all the same. Needing the
``fast`` extra (numpy, pyarrow), so also imported only when first used, and not in ``__all__``:
:class:`EngineClaimsBatch` (a :class:`ClaimsBatch` computed by the column engine), and the
columnar reader's converters ``amount_fen`` (amount texts to fen), ``fen_texts`` (fen to amount
texts) and ``utf8_valid``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medcalc._lazy import first_use
from medcalc.batch._csv import CsvRecords, cell_holds_rows, quoted_rows_line, unclosed_quote_error
from medcalc.batch._direct import DirectFile, direct_file
from medcalc.batch._encoding import detect_encoding, read_text
from medcalc.batch._files import EXTENSIONS, FORMATS, format_of
from medcalc.batch._headers import (
    COLUMN_LANGUAGES,
    HEADER_VARIANTS,
    RESULT_NAMES_ZH,
    TOTALS_LABELS,
    field_of,
    header_problem,
    result_names,
)
from medcalc.batch._job import ENGINES, BatchJob, BatchReport, Progress, available_cores
from medcalc.batch._jsonl import DuplicateKeyError, json_int, loads_exact
from medcalc.batch._output import check_output, excel_text, is_formula_like, write_atomically
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
from medcalc.batch._summary import summary_lines
from medcalc.batch._xlsx import XLSX_RATIO_LIMIT, XLSX_UNPACKED_LIMIT
from medcalc.errors import BatchFileError

if TYPE_CHECKING:
    # Imported on first use (``_LAZY`` below); here for the type checker only.
    from medcalc.batch._claims_file import (
        CLAIMS_FILE_EXTENSIONS,
        ClaimRows,
        read_claims_file,
    )
    from medcalc.batch._compare import CompareJob, CompareReport, write_summary
    from medcalc.batch._compare_charts import CHART_FILES, check_charts, draw_charts
    from medcalc.batch._compare_summary import (
        SIDES,
        AmountChange,
        CompareSummary,
        CompareTally,
        PersonChange,
        compare_json,
        compare_lines,
        compare_names,
        compare_results,
    )

__all__ = [
    "CHART_FILES",
    "CLAIMS_FILE_EXTENSIONS",
    "CLAIM_COLUMNS",
    "CLAIM_RESULTS",
    "COLUMN_LANGUAGES",
    "ENGINES",
    "EXTENSIONS",
    "FORMATS",
    "HEADER_VARIANTS",
    "PREMIUM_COLUMNS",
    "PREMIUM_RESULTS",
    "RESULT_NAMES_ZH",
    "SIDES",
    "TOTALS_LABELS",
    "XLSX_RATIO_LIMIT",
    "XLSX_UNPACKED_LIMIT",
    "AmountChange",
    "Batch",
    "BatchFileError",
    "BatchJob",
    "BatchReport",
    "ClaimRows",
    "ClaimsBatch",
    "CompareJob",
    "CompareReport",
    "CompareSummary",
    "CompareTally",
    "CsvRecords",
    "DirectFile",
    "DuplicateKeyError",
    "ParsedClaim",
    "PersonChange",
    "PremiumsBatch",
    "Progress",
    "ResultRow",
    "Summary",
    "available_cores",
    "cell_holds_rows",
    "cents_text",
    "check_charts",
    "check_output",
    "compare_json",
    "compare_lines",
    "compare_names",
    "compare_results",
    "detect_encoding",
    "direct_file",
    "draw_charts",
    "excel_text",
    "field_of",
    "format_of",
    "header_problem",
    "is_formula_like",
    "json_int",
    "loads_exact",
    "quoted_rows_line",
    "read_claims_file",
    "read_text",
    "result_names",
    "summary_lines",
    "unclosed_quote_error",
    "write_atomically",
    "write_summary",
]

#: Where each name imported on first use lives (issue 17, start-up): what ``medcalc batch`` does
#: not use (the compare job, its summary with wcwidth, which lays its text out, and its charts;
#: ``medcalc claim --claims``'s claims file), and the columnar reader's names.
_LAZY = {
    **dict.fromkeys(("CLAIMS_FILE_EXTENSIONS", "ClaimRows", "read_claims_file"), "_claims_file"),
    **dict.fromkeys(("CompareJob", "CompareReport", "write_summary"), "_compare"),
    **dict.fromkeys(("CHART_FILES", "check_charts", "draw_charts"), "_compare_charts"),
    **dict.fromkeys(
        (
            "SIDES",
            "AmountChange",
            "CompareSummary",
            "CompareTally",
            "PersonChange",
            "compare_json",
            "compare_lines",
            "compare_names",
            "compare_results",
        ),
        "_compare_summary",
    ),
    # Needing the ``fast`` extra (numpy, pyarrow), and not in ``__all__``.
    **dict.fromkeys(("EngineClaimsBatch", "amount_fen", "fen_texts", "utf8_valid"), "_columnar"),
}


_first_use = first_use(__name__, _LAZY)


def __getattr__(name: str) -> Any:
    """A name of ``_LAZY``, imported when first asked for and then kept in the package; the
    columnar path's by a plain import, the one edge to numpy the import contract names."""
    if _LAZY.get(name) == "_columnar":
        from medcalc.batch import _columnar

        found = getattr(_columnar, name)
        globals()[name] = found
        return found
    return _first_use(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
