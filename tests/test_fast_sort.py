"""Rows out of order on threads: the keys are sorted while the rows' first phase runs, in one
range of key values per sorting thread from four threads on (half the threads sort). Every
way gives the columns of one thread, and the columns of the same rows given in person/date
order (no sort at all), moved back to the input order.
"""

# ruff: noqa: E402 - the imports after the skip need numpy (the optional `fast` extra)

from __future__ import annotations

import attrs
import pytest

np = pytest.importorskip("numpy", reason="the engine needs the `fast` extra (numpy)")

from medcalc.fast import ClaimTable, Columns, compute
from medcalc.tariff import load_book
from test_engine import BUNDLED, permuted
from test_engine_threads import assert_same, shuffled_workload

_BOOK = load_book()


def _shuffled(rows: int, seed: int) -> ClaimTable:
    """Shuffled claims in the first 40 days of a year: some on the same day."""
    return shuffled_workload(rows, seed, days=40)


def _in_person_date_order(table: ClaimTable) -> Columns:
    """The columns of ``table`` computed from its rows in (person, date, input) order, where
    the engine sorts nothing, moved back to the input order."""
    n = len(table)
    order = np.lexsort((np.arange(n), table.date, table.person)).astype(np.intp)
    grouped = permuted(table, order)
    cols = compute(_BOOK, BUNDLED, grouped)
    assert cols.error.shape == (n,)
    back = np.empty(n, np.intp)
    back[order] = np.arange(n)
    names = ("covered", "basic", "critical_illness", "assistance", "out_of_pocket",
             "critical_illness_profile", "version", "error")  # fmt: skip
    moved = {name: getattr(cols, name).take(back) for name in names}
    return attrs.evolve(cols, **moved)


@pytest.mark.parametrize("threads", [2, 4, 5, 8])
def test_shuffled_rows_on_threads_equal_one_thread_and_the_rows_in_order(threads: int) -> None:
    """20 000 shuffled claims (two ranges of at least 4096 keys each, on four threads and
    more), in chunks of 1 000 rows and of the default size."""
    table = _shuffled(20_000, seed=5)
    one = compute(_BOOK, BUNDLED, table)
    assert int((one.error >= 0).sum()) > 100  # errors and their dependants are covered
    assert int(one.critical_illness.astype(bool).sum()) > 1_000  # the layers pay
    in_order = _in_person_date_order(table)
    for name in ("basic", "critical_illness", "assistance", "out_of_pocket", "covered"):
        assert getattr(one, name).tolist() == getattr(in_order, name).tolist(), name
    for size in (1_000, 1 << 16):
        assert_same(one, compute(_BOOK, BUNDLED, table, chunk_rows=size, threads=threads))
    # the same persons with keys far apart (more bits of key; still one packed key)
    apart = attrs.evolve(table, person=table.person * (1 << 20))
    assert_same(one, compute(_BOOK, BUNDLED, apart, threads=threads))


def test_a_shuffled_table_too_small_to_cut_is_sorted_whole_on_eight_threads() -> None:
    """Too few keys for two ranges of 4096: one thread sorts them all."""
    table = _shuffled(9_000, seed=6)
    assert_same(compute(_BOOK, BUNDLED, table), compute(_BOOK, BUNDLED, table, threads=8))
