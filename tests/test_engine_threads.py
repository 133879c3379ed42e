"""The engine on several threads (``compute(..., threads=N)``) gives what it gives on one, to
the byte, and so what the reference core gives: the same amounts, profiles, versions, errors
(codes and messages in the same order) and the same range error naming the same row.

Threads take the chunks of whole person-years side by side and sort the keys in ranges of
values; the chunk sizes drawn here (1 to 7 rows) make many chunks of few rows, and the
seeded workload of 20 000 rows is large enough for the sort to be cut into ranges.
"""

# ruff: noqa: E402 - the imports after the skip need numpy (the optional `fast` extra)

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

np = pytest.importorskip("numpy", reason="the engine needs the `fast` extra (numpy)")

from hypothesis import given
from hypothesis import strategies as st

from medcalc import Claim, Person
from medcalc.fast import (
    ClaimTable,
    Columns,
    EngineError,
    EngineRangeError,
    build_table,
    compute,
    compute_rows,
    yuan,
)
from medcalc.tariff import TariffBook, load_book
from test_engine import BUNDLED, Item, actual, expected, keep_ties, permuted, scenarios, table_of

from support import book, core_yaml

_BOOK = load_book()


def assert_same(one: Columns, many: Columns) -> None:
    """Every column and table of two results equal, element by element."""
    for name in ("covered", "basic", "critical_illness", "assistance", "out_of_pocket",
                 "critical_illness_profile", "version", "error"):  # fmt: skip
        a, b = getattr(one, name), getattr(many, name)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), name
    assert [(type(p), str(p)) for p in one.problems] == [(type(p), str(p)) for p in many.problems]
    assert one.profile_names == many.profile_names
    assert one.versions == many.versions


def check_threads(book_: TariffBook, series: str, items: list[Item], data: st.DataObject) -> None:
    want = expected(book_, series, items)
    threads = data.draw(st.sampled_from((2, 3)), label="threads")
    size = data.draw(st.sampled_from((1, 2, 3, 7, 1 << 16)), label="chunk")
    assert actual(compute_rows(book_, series, items, chunk_rows=size, threads=threads)) == want
    if any(y is not None and len({c.date.year for c in cl}) > 1 for _, cl, y in items):
        return  # compute_rows marks those rows after the run; tables cannot express them
    table = table_of(items)
    n = len(table)
    shuffled = keep_ties(table, data.draw(st.permutations(range(n)), label="shuffle"))
    by_date = np.lexsort((np.arange(n), table.date, table.person)).astype(np.intp)
    for order in (shuffled, by_date):
        rows = permuted(table, order)
        one = compute(book_, series, rows, chunk_rows=size)
        many = compute(book_, series, rows, chunk_rows=size, threads=threads)
        assert_same(one, many)
        assert actual(many) == [want[i] for i in order.tolist()]
    # person keys far apart: (person, day) packed into more than 32 bits
    apart = permuted(table, shuffled)
    apart = attrs.evolve(apart, person=apart.person * (1 << 25))
    got = compute(book_, series, apart, chunk_rows=size, threads=threads)
    assert actual(got) == [want[i] for i in shuffled.tolist()]
    # person keys too far apart for one packed sort key: the lexsort way
    wide = permuted(table, shuffled)
    wide = attrs.evolve(wide, person=wide.person * (1 << 50))
    assert_same(
        compute(book_, series, wide, chunk_rows=size),
        compute(book_, series, wide, chunk_rows=size, threads=threads),
    )


@given(scenarios(), st.data())
def test_threads_equal_one_thread_and_the_reference_on_random_tariffs(
    scenario: tuple[TariffBook, str, list[Item]], data: st.DataObject
) -> None:
    """Random books, people and claims (errors, year-to-date starts, several versions): two or
    three threads give one thread's columns and the reference's amounts, in any row order."""
    check_threads(*scenario, data)


@given(scenarios(_BOOK), st.data())
def test_threads_equal_one_thread_and_the_reference_on_the_bundled_tariff(
    scenario: tuple[TariffBook, str, list[Item]], data: st.DataObject
) -> None:
    check_threads(*scenario, data)


def shuffled_workload(rows: int, seed: int, *, days: int = 365) -> ClaimTable:
    """``rows`` claims of the bundled series, shuffled: people of three kinds with 1-8 claims
    in one year each, within its first ``days`` days (few days: some on the same day); a few
    with an unknown hospital level or a date no version covers (errors that later claims of
    the person-year depend on)."""
    rng = np.random.default_rng(seed)
    kinds = [frozenset(), frozenset({"poverty"}), frozenset({"low_income", "poverty"})]
    items = []
    person = 0
    while len(items) < rows:
        who = Person(categories=kinds[int(rng.integers(len(kinds)))])
        year = int(rng.integers(2018, 2021))
        for _ in range(int(rng.integers(1, 9))):
            when = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(days)))
            odd = rng.random()
            if odd < 0.003:
                when = dt.date(2030, 1, 1)
            level = "level_9" if 0.003 <= odd < 0.006 else f"level_{rng.integers(1, 4)}"
            claim = Claim(when, yuan(int(rng.integers(0, 30_000_000))), level)
            items.append((person, who, claim, None))
        person += 1
    table = build_table(items[:rows])
    return permuted(table, rng.permutation(rows))


@pytest.mark.parametrize("threads", [2, 3])
def test_a_large_shuffled_table_on_threads_equals_one_thread(threads: int) -> None:
    """20 000 shuffled claims (the sort cut into one range of keys per thread), in chunks of
    1 000 rows and of the default size: the same columns as one thread."""
    table = shuffled_workload(20_000, seed=11)
    for size in (1_000, 1 << 16):
        one = compute(_BOOK, BUNDLED, table, chunk_rows=size)
        assert_same(one, compute(_BOOK, BUNDLED, table, chunk_rows=size, threads=threads))
    assert int((one.error >= 0).sum()) > 100  # errors and their dependants are covered
    # the same persons with keys far apart (more than 32 bits of packed key)
    apart = attrs.evolve(table, person=table.person * (1 << 20))
    assert_same(one, compute(_BOOK, BUNDLED, apart, threads=threads))


def test_a_range_error_names_the_same_row_on_threads() -> None:
    """Two person-years beyond int64 in different chunks: the first in processing order is
    named, as on one thread (the later chunk's error is not the one raised)."""
    segments = "    - {to: 100000, ratio: 0.123456}\n    - {ratio: 0.80}"
    b_ = book(core_yaml(segments=segments))
    huge = 3 * 10**12
    table = ClaimTable(
        person=np.array([2, 1, 1, 0, 2]),
        date=np.array(
            ["2018-03-01", "2018-01-01", "2018-02-01", "2018-01-01", "2018-01-01"],
            dtype="datetime64[D]",
        ),
        compliant=np.array([huge, huge, huge, 100, huge]),
        basic_paid=np.array([0, 0, 0, 0, 0]),
        level=np.array([0, 0, 0, 0, 0]),
        level_names=("level_2",),
    )
    with pytest.raises(EngineRangeError) as once:
        compute(b_, "core", table, chunk_rows=1)
    assert "row 3: the critical-illness base" in str(once.value)
    for threads in (2, 5):
        with pytest.raises(EngineRangeError) as threaded:
            compute(b_, "core", table, chunk_rows=1, threads=threads)
        assert str(threaded.value) == str(once.value)


@pytest.mark.parametrize("threads", [0, -1, True, 2.0, 257])
def test_threads_must_be_a_whole_number_from_1_to_256(threads: Any) -> None:
    table = build_table([(0, Person(), Claim(dt.date(2018, 6, 1), yuan(10_000), "level_1"), None)])
    with pytest.raises(EngineError, match="threads: expected a whole number from 1 to 256"):
        compute(_BOOK, BUNDLED, table, threads=threads)
