"""The claims chain (spec §4.3-4.4) over columns: exact int64 fen arithmetic with numpy.

A second implementation of :func:`medcalc.chain.claim_year` for batches of millions of claims,
giving the same amounts to the fen, the same critical-illness profile and the same errors as
the reference core. It needs numpy (``pip install medcalc[fast]``); ``import medcalc`` never
imports this module.

>>> from medcalc.fast import compute_rows                         # doctest: +SKIP
>>> cols = compute_rows(book, "qingyuan-qingcheng", [(person, claims)])   # doctest: +SKIP
>>> cols.basic, cols.errors()                                   # doctest: +SKIP

How it computes (see docs/engine.md):

- Amounts are whole fen in int64; every ratio the chain multiplies by is an exact integer over
  one common scale ``S`` (10 ** the most decimals of any such ratio in the series, at least 10).
  A product ``fen x ratio`` is ``fen x ratio_num``, rounded once to fen by integer division
  with the tariff's half_up / half_even rule; G(x) is held per segment as an exact line
  ``a + x * s`` over ``S``, so the segments are summed before the one rounding.
- Everything that depends on the tariff version and the categories held (deductibles, ratios,
  caps, thresholds, segment lines, the error a claim would raise) is computed once per
  *profile set* (version x categories held) with the reference's own profile builders, and
  looked up per row by index (``_plan``); each accumulated layer of
  :data:`medcalc.chain.LAYERS` is one scale table, evaluated by one function (``_scales``).
- Claims are grouped by person and calendar year and taken in date order, ties in input order
  (one sort of a packed int64 key, skipped when the input is already in that order; rows out
  of order are then moved as rows of four words, one gather in and one scatter out;
  ``_order``). The year's accumulations are then segmented prefix sums, layer after layer;
  F* is evaluated per row at the accumulated amount (``F*(before)`` is the previous row's
  ``F*(after)`` when the profile set did not change). The one truly sequential step, the
  basic annual cap, is needed only for the person-years whose uncapped basic exceeds a cap:
  in closed form when their candidates share one cap, else position by position ("the k-th
  claim of every person-year at once"; ``_basic``).
- Work runs in chunks of 65 536 rows (whole person-years), one numpy call per step
  (``_chain``); the column table and the results are ``_table``.
- ``threads`` > 1: the chunks of each phase go to a thread pool (numpy releases the GIL in
  its kernels); a chunk writes only its own rows, so the results are one thread's, byte for
  byte. Rows out of order: the keys are sorted by numpy's sort (it releases the GIL) on
  one thread while the others compute the rows' versions, profile sets and basic; with four
  threads or more, on half of them, one range of key values each (``_order``).

Errors are per row, as in a batch (spec §5, :mod:`medcalc.batch`): a row gets the error the
reference core raises for it (same class, same message); the rows of the same person and year
that come after it in date order get ``depends on row N of the same person and year, which
has an error``; when the first error of a person-year is about the person (an unknown
category), every row of that person-year gets it. Amounts too large for exact int64
arithmetic raise :class:`EngineRangeError` (never a wrapped number).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import attrs

from medcalc.chain import LAYERS, Claim, Person, YearToDate, problems
from medcalc.errors import EngineError, InputError
from medcalc.fast._chain import Run
from medcalc.fast._table import (
    CHUNK_ROWS,
    ClaimRow,
    ClaimTable,
    Columns,
    build_table,
    empty_columns,
)
from medcalc.messages import say
from medcalc.tariff import TariffBook

MAX_THREADS = 256
"""More threads than any machine this runs on would use."""

# -- entry points ---------------------------------------------------------------------------------


def compute(
    book: TariffBook,
    series: str,
    table: ClaimTable,
    *,
    chunk_rows: int = CHUNK_ROWS,
    threads: int = 1,
) -> Columns:
    """The claims chain for every row of ``table`` under the versions of ``series``.

    ``chunk_rows``: about how many rows each numpy pass takes (a person-year is never split);
    ``threads``: how many threads take the chunks side by side (numpy releases the GIL in
    its kernels); rows out of order are sorted meanwhile, on half of them (at least one).
    The results do not depend on either, only speed and working memory do.

    Raises :class:`~medcalc.errors.TariffNotFoundError` for an unknown series,
    :class:`EngineError` for a malformed table and :class:`EngineRangeError` for amounts beyond
    exact int64 arithmetic; every other problem is a row's error (:meth:`Columns.errors`).
    """
    if len(table) == 0:
        return empty_columns(book.versions(series))
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise EngineError(say("engine.chunk_rows", value=repr(chunk_rows)))
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        whole = say("what.whole_between", low=1, high=MAX_THREADS)
        wrong = say("expected.value", expected=whole, found=repr(threads))
        raise EngineError(say("at", where="threads", message=wrong))
    with ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as pool:
        run = Run(book, series, table, chunk_rows, pool, threads)
        run.rows()
        run.order()
        run.year_to_date()
        run.chain()
        run.messages()
    return run.finish()


PersonClaims = tuple[Person, Sequence[Claim]] | tuple[Person, Sequence[Claim], YearToDate | None]
"""A person, their claims and optionally their year-to-date state, as for
:meth:`medcalc.Calculator.claims`."""


def compute_rows(
    book: TariffBook,
    series: str,
    people_and_claims: Iterable[PersonClaims],
    *,
    chunk_rows: int = CHUNK_ROWS,
    threads: int = 1,
) -> Columns:
    """:func:`compute` over the Person/Claim objects :meth:`medcalc.Calculator.claims` takes.

    Rows come out person by person, each person's claims in the order given. A year-to-date
    state whose claims fall in more than one year makes every claim of that person an error,
    as the reference core refuses the whole call.
    """
    rows: list[ClaimRow] = []
    spread: list[tuple[int, int, InputError]] = []
    for index, item in enumerate(people_and_claims):
        person, claims = item[0], item[1]
        ytd = item[2] if len(item) > 2 else None
        years = sorted({c.date.year for c in claims})
        if ytd is not None and len(years) > 1:
            problem = problems.year_to_date_years(years)
            spread.append((len(rows), len(rows) + len(claims), problem))
            ytd = None
        rows.extend((index, person, claim, ytd) for claim in claims)
    columns = compute(book, series, build_table(rows), chunk_rows=chunk_rows, threads=threads)
    if not spread:
        return columns
    found = list(columns.problems)
    for lo, hi, problem in spread:
        columns.error[lo:hi] = len(found)
        found.append(problem)
        columns.covered[lo:hi] = False
        columns.basic[lo:hi] = 0
        for layer in LAYERS:
            getattr(columns, layer.id)[lo:hi] = 0
        columns.out_of_pocket[lo:hi] = 0
        columns.critical_illness_profile[lo:hi] = -1
    return attrs.evolve(columns, problems=tuple(found))
