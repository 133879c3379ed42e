"""The vectorised engine gives exactly what the reference core gives: every amount to the fen,
the critical-illness profile, the tariff version, and the same error for the same rows.

The oracle (:func:`expected`) runs :class:`medcalc.Calculator` person-year by person-year with
the batch's rules for errors: a claim's own error is what the reference raises for it alone;
the claims after the first error of a person-year (date order, ties in input order) that have
no error of their own depend on the earlier ones; an error about the person (an unknown
category) first in a person-year is every row's error.
"""

# ruff: noqa: E402 - the imports after the skip need numpy (the optional `fast` extra)

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

np = pytest.importorskip("numpy", reason="the engine needs the `fast` extra (numpy)")

from hypothesis import given
from hypothesis import strategies as st

from medcalc import Calculator, Claim, InputError, MedcalcError, Person, YearToDate
from medcalc.audit.strategies import amounts, claim_years, persons, tariff_books
from medcalc.errors import AmountError, ClaimAmountsError
from medcalc.fast import (
    MAX_FEN,
    ClaimTable,
    Columns,
    DependentClaimError,
    EngineError,
    EngineRangeError,
    PersonKind,
    build_table,
    compute,
    compute_rows,
    fen,
    yuan,
)
from medcalc.tariff import TariffBook, load_book

from support import D, book, core_yaml, day, tariff

PERSON_FIELDS = {"categories", "disability_grade", "disability_type", "enrolled_on"}
BUNDLED = "qingyuan-qingcheng"

Item = tuple[Person, list[Claim], YearToDate | None]
Row = tuple[Any, ...]


# -- the oracle ---------------------------------------------------------------------------


def _version(book_: TariffBook, series: str, when: dt.date) -> str | None:
    try:
        return book_.in_force(series, when).version
    except MedcalcError:
        return None


def _error_row(version: str | None, error: MedcalcError) -> Row:
    zero = Decimal(0)
    return (False, zero, zero, zero, zero, None, version, type(error).__name__, str(error))


def _alone(calc: Calculator, series: str, person: Person, claim: Claim) -> MedcalcError | None:
    try:
        calc.claims(series, person, [claim])
    except MedcalcError as exc:
        return exc
    return None


def expected(book_: TariffBook, series: str, items: Sequence[Item]) -> list[Row]:
    """Per row, in :func:`compute_rows` order: covered, basic, critical illness, assistance,
    out of pocket, profile, version, error class and message, from the reference core."""
    calc = Calculator(book_)
    out: list[Row] = []
    for person, claims, ytd in items:
        base = len(out)
        rows: list[Row | None] = [None] * len(claims)
        years = sorted({c.date.year for c in claims})
        if ytd is not None and len(years) > 1:
            with pytest.raises(InputError) as raised:
                calc.claims(series, person, claims, year_to_date=ytd)
            for i, c in enumerate(claims):
                rows[i] = _error_row(_version(book_, series, c.date), raised.value)
            out.extend(r for r in rows if r is not None)
            continue
        for year in years:
            order = sorted(
                (i for i, c in enumerate(claims) if c.date.year == year),
                key=lambda i: (claims[i].date, i),
            )
            own = {i: _alone(calc, series, person, claims[i]) for i in order}
            lead = next((k for k, i in enumerate(order) if own[i] is not None), len(order))
            first = own[order[lead]] if lead < len(order) else None
            if isinstance(first, InputError) and first.field in PERSON_FIELDS:
                for i in order:
                    rows[i] = _error_row(_version(book_, series, claims[i].date), first)
                continue
            prefix = order[:lead]
            if prefix:
                done = calc.claims(series, person, [claims[i] for i in prefix], year_to_date=ytd)
                for i, r in zip(prefix, done.claims, strict=True):
                    ci = r.critical_illness_detail
                    rows[i] = (
                        r.covered,
                        r.basic,
                        r.critical_illness,
                        r.assistance,
                        r.out_of_pocket,
                        None if ci is None else ci.profile,
                        r.tariff.version,
                        None,
                        None,
                    )
            blockers: list[int] = []
            for i in order[lead:]:
                version = _version(book_, series, claims[i].date)
                problem = own[i]
                if problem is not None:
                    rows[i] = _error_row(version, problem)
                    blockers.append(base + i + 1)
                    continue
                numbers = sorted(blockers)
                verb = "has an error" if len(numbers) == 1 else "have errors"
                which = f"row {numbers[0]}" if len(numbers) == 1 else _rows(numbers)
                message = f"depends on {which} of the same person and year, which {verb}"
                rows[i] = _error_row(version, DependentClaimError(message))
        out.extend(r for r in rows if r is not None)
    return out


def _rows(numbers: list[int]) -> str:
    shown = [str(n) for n in numbers[:10]]
    if len(numbers) > 10:
        return f"rows {', '.join(shown)} and {len(numbers) - 10} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def actual(cols: Columns) -> list[Row]:
    out: list[Row] = []
    for i in range(len(cols)):
        exc = cols.exception(i)
        tariff = cols.tariff(i)
        out.append(
            (
                bool(cols.covered[i]),
                yuan(cols.basic[i]),
                yuan(cols.critical_illness[i]),
                yuan(cols.assistance[i]),
                yuan(cols.out_of_pocket[i]),
                cols.profile(i),
                None if tariff is None else tariff.version,
                None if exc is None else type(exc).__name__,
                None if exc is None else str(exc),
            )
        )
    return out


# -- layouts: the same claims in another row order, and small chunks --------------------------


def table_of(items: Sequence[Item]) -> ClaimTable:
    rows = [
        (index, person, claim, ytd)
        for index, (person, claims, ytd) in enumerate(items)
        for claim in claims
    ]
    return build_table(rows)


def permuted(table: ClaimTable, perm: np.ndarray[Any, Any]) -> ClaimTable:
    """The rows of ``table`` in the order ``perm``, keeping their row numbers for messages."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(ClaimTable):
        value = getattr(table, field.name)
        if isinstance(value, np.ndarray):
            changes[field.name] = value[perm]
    changes["row_number"] = perm + 1
    return attrs.evolve(table, **changes)


def check_layouts(
    book_: TariffBook, series: str, items: Sequence[Item], data: st.DataObject
) -> None:
    """The engine matches the oracle as given, shuffled and sorted, in small or large chunks."""
    want = expected(book_, series, items)
    assert actual(compute_rows(book_, series, items)) == want
    spread = any(y is not None and len({c.date.year for c in cl}) > 1 for _, cl, y in items)
    if spread:  # compute_rows marks those rows after the run; tables cannot express them
        return
    table = table_of(items)
    n = len(table)
    perm = keep_ties(table, data.draw(st.permutations(range(n)), label="shuffle"))
    by_date = np.lexsort((np.arange(n), table.date, table.person)).astype(np.intp)
    size = data.draw(st.sampled_from((1, 2, 3, 7, 1 << 16)), label="chunk")
    # chunks of `size` rows: group boundaries and the state carried between chunks
    for order in (perm, by_date):
        got = actual(compute(book_, series, permuted(table, order), chunk_rows=size))
        assert got == [want[i] for i in order.tolist()]
    # Person keys too far apart to pack into one sort key: the lexsort fallback.
    wide = permuted(table, perm)
    wide = attrs.evolve(wide, person=wide.person * (1 << 50))
    got = actual(compute(book_, series, wide, chunk_rows=size))
    assert got == [want[i] for i in perm.tolist()]


def keep_ties(table: ClaimTable, perm: list[int]) -> np.ndarray[Any, Any]:
    """``perm`` with the claims of one person and day back in their relative order: ties are
    taken in input order, so only that order is free."""
    slots: dict[tuple[int, int], list[int]] = {}
    for position, row in enumerate(perm):
        slots.setdefault((int(table.person[row]), int(table.date[row])), []).append(position)
    fixed = list(perm)
    for positions in slots.values():
        for position, row in zip(positions, sorted(perm[p] for p in positions), strict=True):
            fixed[position] = row
    return np.array(fixed, dtype=np.intp)


# -- scenarios ----------------------------------------------------------------------------------


def _wrong(draw: st.DrawFn, claim: Claim, span: tuple[dt.date, dt.date]) -> Claim:
    """Sometimes a claim the reference refuses or treats apart: another date (no tariff in
    force, another version), an unknown or missing hospital level, basic_paid given or not."""
    what = draw(st.sampled_from(("same",) * 6 + ("date", "level", "no_level", "basic_paid")))
    if what == "date":
        return attrs.evolve(claim, date=draw(st.dates(*span)))
    if what == "level":
        return attrs.evolve(claim, hospital_level="level_9", basic_paid=None)
    if what == "no_level":
        return attrs.evolve(claim, hospital_level=None, basic_paid=None)
    if what == "basic_paid":
        paid = (
            None
            if claim.basic_paid is not None
            else yuan(draw(st.integers(0, fen(claim.compliant))))
        )
        return attrs.evolve(claim, basic_paid=paid)
    return claim


@st.composite
def scenarios(
    draw: st.DrawFn, book_: TariffBook | None = None
) -> tuple[TariffBook, str, list[Item]]:
    """A book (random, or the one given), and a few people with claims in one or two years,
    some claims wrong, sometimes a year-to-date start."""
    if book_ is None:
        book_ = draw(
            tariff_books(
                sound=draw(st.booleans()),
                max_versions=3,
                require=draw(
                    st.sampled_from((("inpatient", "critical_illness"), ("critical_illness",)))
                ),
            )
        )
    series = book_.series()[0]
    versions = book_.versions(series)
    first = versions[0].effective_from
    last = versions[-1].effective_to or dt.date(first.year + 2, 12, 31)
    span = (first - dt.timedelta(days=40), last + dt.timedelta(days=40))
    items: list[Item] = []
    for _ in range(draw(st.integers(1, 4))):
        person = draw(persons(tariff=book_))
        extra = draw(st.sampled_from(("none",) * 8 + ("ghost", "enrolled")))
        if extra == "ghost":  # a category no version declares
            person = attrs.evolve(person, categories=person.categories | {"ghost"})
        elif extra == "enrolled":  # enrolled even where a version has no enrollment section
            person = attrs.evolve(person, enrolled_on=draw(st.dates(*span)))
        claims: list[Claim] = []
        for _ in range(draw(st.integers(1, 2))):
            claims += draw(claim_years(tariff=book_, max_size=5))
        if draw(st.booleans()):
            claims = [_wrong(draw, c, span) for c in claims]
        ytd = None
        if draw(st.integers(0, 3)) == 0:
            top = Decimal("400000")
            ytd = YearToDate(
                draw(amounts(max_value=top)),
                draw(amounts(max_value=top)),
                draw(amounts(max_value=top)),
            )
        items.append((person, claims, ytd))
    return book_, series, items


# -- equality with the reference ------------------------------------------------------------------


@given(scenarios(), st.data())
def test_engine_equals_reference_on_random_tariffs(
    scenario: tuple[TariffBook, str, list[Item]], data: st.DataObject
) -> None:
    """Random books (several versions, mid-year changes, every section feature), random people
    and claims: every amount, profile, version and error equals the reference's, in any row
    order and any chunking."""
    check_layouts(*scenario, data)


_BUNDLED = load_book()


@given(scenarios(_BUNDLED), st.data())
def test_engine_equals_reference_on_the_bundled_tariff(
    scenario: tuple[TariffBook, str, list[Item]], data: st.DataObject
) -> None:
    """The bundled qingyuan-qingcheng series (2018-2020): the engine equals the reference."""
    check_layouts(*scenario, data)


@given(st.data())
def test_caps_bind_and_year_to_date_starts(data: st.DataObject) -> None:
    """Big bills against small caps, many claims a year, year-to-date starts near the caps: the
    basic cap (claim by claim), the critical-illness and assistance caps all bind."""
    book_ = data.draw(tariff_books(sound=False, max_versions=2))
    series = book_.series()[0]
    items: list[Item] = []
    for _ in range(data.draw(st.integers(1, 3))):
        person = data.draw(persons(tariff=book_, enrolled=False))
        claims = data.draw(
            claim_years(tariff=book_, min_size=2, max_size=8, max_compliant=2_000_000)
        )
        ytd = None
        if data.draw(st.booleans()):
            top = Decimal("600000")
            ytd = YearToDate(*(data.draw(amounts(max_value=top)) for _ in range(3)))
        items.append((person, claims, ytd))
    check_layouts(book_, series, items, data)


def test_the_half_even_half_fen_case_equals_the_reference() -> None:
    """half_even and a 100 % segment (tests/test_properties.py): the scale's step is 0.02 for
    0.01 of burden, and both engines pay min(i, step) = 0.01, assistance 0 (spec §4.3)."""
    segments = "    - {to: 15000.01, ratio: 0.45}\n    - {ratio: 0.95}"
    b_ = book(core_yaml(rounding="half_even", segments=segments))
    claims = [
        Claim(day("2018-03-01"), D("15000.01"), basic_paid=D("0")),
        Claim(day("2018-03-02"), D("0.01"), basic_paid=D("0")),
    ]
    items: list[Item] = [(Person(categories={"five_guarantee"}), claims, None)]
    want = expected(b_, "core", items)
    assert actual(compute_rows(b_, "core", items)) == want
    # Claim 2: G 3750.005 -> 3750.015 rounds 3750.00 -> 3750.02; i = 0.01 caps it; j = 0.
    assert (want[1][2], want[1][3]) == (D("0.01"), D("0.00"))


# -- the ends of the calendar -------------------------------------------------------------------

# One version in year 1 and one in year 9999 (no version between: a claim there is an error).
_ENDS = (
    core_yaml(version="1.1", start="0001-01-01", end="0001-12-31"),
    core_yaml(version="9999.1", start="9999-01-01", end="9999-12-31"),
)
_EARLY = (dt.date(1, 1, 1), dt.date(1, 2, 5))
_LATE = (dt.date(9999, 11, 25), dt.date(9999, 12, 31))
_EDGES = [day(d) for d in ("0001-01-01", "0001-01-31", "0001-02-01", "9999-11-30", "9999-12-01")]
_EDGES += [day("9999-12-30"), dt.date.max]


@st.composite
def calendar_ends(draw: st.DrawFn) -> tuple[TariffBook, list[Item]]:
    """People paying and claiming in the first months of year 1 or the last of year 9999, the
    rules next_month or same_day, sometimes an exempt (five-guarantee) person. One end per
    example: the engine's day tables span the dates given (both ends: 3.65 M days a run)."""
    rule = draw(st.sampled_from(("next_month", "next_month", "same_day")))
    book_ = book(
        *(t.replace("benefits_start: next_month", f"benefits_start: {rule}") for t in _ENDS)
    )
    span = draw(st.sampled_from((_EARLY, _LATE)))
    edges = [d for d in _EDGES if span[0] <= d <= span[1]]
    dates = st.sampled_from(edges) | st.sampled_from(edges) | st.dates(*span)  # ends, often
    items: list[Item] = []
    for _ in range(draw(st.integers(1, 3))):
        person = Person(
            categories=draw(st.sampled_from([frozenset()] * 3 + [frozenset({"five_guarantee"})])),
            enrolled_on=draw(dates),
        )
        claims = [
            Claim(draw(dates), draw(amounts(max_value=300000)), "level_1")
            for _ in range(draw(st.integers(1, 4)))
        ]
        items.append((person, claims, None))
    return book_, items


@given(calendar_ends(), st.data())
def test_both_engines_agree_at_the_ends_of_the_calendar(
    case: tuple[TariffBook, list[Item]], data: st.DataObject
) -> None:
    """Enrolments and claims from 0001-01-01 and up to 9999-12-31 give the same coverage and
    amounts in both engines (a December-9999 payment under next_month never covers)."""
    book_, items = case
    check_layouts(book_, "core", items, data)


def test_a_december_9999_payment_never_covers_9999_12_31() -> None:
    """next_month after paying on 9999-12-05: benefits would start 10000-01-01, so neither
    engine covers a claim on 9999-12-31; the exempt five-guarantee person is covered."""
    book_ = book(*_ENDS)
    claim = Claim(day("9999-12-31"), D("10000"), "level_1")
    paid = day("9999-12-05")
    items: list[Item] = [
        (Person(enrolled_on=paid), [claim], None),
        (Person(categories={"five_guarantee"}, enrolled_on=paid), [claim], None),
    ]
    got = actual(compute_rows(book_, "core", items))
    assert got == expected(book_, "core", items)
    # Not covered: all layers 0, the whole 10000 out of pocket. Exempt: basic (10000 - 300) x
    # 0.90 = 8730, i = 1270 below the threshold 7500 (15000 x 0.5): no critical illness;
    # assistance 100 % of j = 1270; out of pocket 10000 - 8730 - 1270 = 0.
    assert [row[:5] for row in got] == [
        (False, D("0"), D("0"), D("0"), D("10000")),
        (True, D("8730"), D("0"), D("1270"), D("0")),
    ]


# -- ratios beyond the engine's scale ----------------------------------------------------------


def test_a_ratio_of_thousands_of_decimals_is_a_range_error_not_a_traceback(tmp_path: Path) -> None:
    """A ratio of 4,400 decimals (10**4400 has more digits than Python writes as text): the
    engine refuses it with EngineRangeError, and a batch falls back to the reference core."""
    long_ratio = "0.6" + "0" * 4398 + "1"  # 0.6 + 10^-4400
    segments = f"    - {{to: 100000, ratio: {long_ratio}}}\n    - {{ratio: 0.80}}"
    b_ = book(core_yaml(segments=segments))
    items: list[Item] = [
        (Person(), [Claim(day("2018-05-01"), D("30000"), basic_paid=D("0"))], None)
    ]
    with pytest.raises(
        EngineRangeError, match=r"has 4400 decimals; .* at most 18; use the reference"
    ):
        compute_rows(b_, "core", items)
    # In a batch: the core computes it. i = 30000, (30000 - 15000) x (0.6 + 10^-4400) =
    # 9000 + 1.5 x 10^-4396 -> 9000.00.
    from medcalc.batch import BatchJob

    source = tmp_path / "in.csv"
    source.write_text("person_id,date,compliant,basic_paid\nP1,2018-05-01,30000,0\n", "utf-8")
    outputs = []
    for engine_name in ("core", "fast"):
        out = tmp_path / f"{engine_name}.csv"
        report = BatchJob.plan("claims", source, out, engine=engine_name, series="core").run(
            Calculator(b_)
        )
        assert report.engine == "core"
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b",9000.00," in outputs[0]


def test_year_to_date_equals_listing_earlier_claims() -> None:
    """Computing [a, b] together and b alone from a's accumulators gives the same b (spec §4.4)."""
    b_ = book(core_yaml())
    poor = Person(categories={"poverty"})
    a = Claim(day("2018-03-01"), D("80000"), "level_3", total=D("90000"))
    b = Claim(day("2018-08-01"), D("120000"), "level_3")
    together = compute_rows(b_, "core", [(poor, [a, b])])
    state = YearToDate(D("59700.00"), D("20300.00"), D("11980.00"))
    alone = compute_rows(b_, "core", [(poor, [b], state)])
    assert actual(alone) == actual(together)[1:]
    assert [yuan(v) for v in together.assistance] == [D("7686.00"), D("7423.50")]


def _without(tariff: Any, category: str, version: str, start: str) -> Any:
    """``tariff`` as a later version that no longer declares ``category``."""
    inpatient = attrs.evolve(
        tariff.inpatient,
        adjustments=tuple(a for a in tariff.inpatient.adjustments if a.category != category),
    )
    ci = attrs.evolve(
        tariff.critical_illness,
        adjustments=tuple(a for a in tariff.critical_illness.adjustments if a.category != category),
    )
    assist = attrs.evolve(
        tariff.medical_assistance,
        eligible=tuple(e for e in tariff.medical_assistance.eligible if e.category != category),
    )
    return attrs.evolve(
        tariff,
        version=version,
        effective_from=day(start),
        effective_to=day(f"{start[:4]}-12-31"),
        categories=tuple(c for c in tariff.categories if c.id != category),
        medical_premium=None,
        pension_premium=None,
        inpatient=inpatient,
        critical_illness=ci,
        medical_assistance=assist,
        path="later.yaml",
    )


def _book_dropping_poverty() -> TariffBook:
    first = tariff(core_yaml(end="2018-06-30"))
    return TariffBook.of([first, _without(first, "poverty", "2018.2", "2018-07-01")])


@given(st.data())
def test_a_category_one_version_does_not_declare(data: st.DataObject) -> None:
    """A category declared until mid-year: when the first error of a person-year is that
    unknown category, every row of the person-year has it; after another error it is the
    row's own error, like any other."""
    book_ = _book_dropping_poverty()
    poor = Person(categories={"poverty"})
    early = Claim(day("2018-03-01"), D("80000"), "level_3")
    late = Claim(day("2018-08-01"), D("20000"), "level_1")
    bad_level = Claim(day("2018-05-01"), D("100"), "level_9")
    items: list[Item] = [
        (poor, [late, early], None),
        (poor, [early, bad_level, late], None),
        (Person(), [late, early], None),
    ]
    want = expected(book_, "core", items)
    first = want[0][8]
    assert first is not None and first == want[1][8] and "'poverty'" in first
    assert want[2][8] is None and want[3][7] == "UnknownHospitalLevelError"
    assert want[4][7] == "UnknownCategoryError" and want[5][8] is None
    check_layouts(book_, "core", items, data)


def test_an_amount_error_makes_the_later_claims_of_the_year_depend_on_it() -> None:
    """A row whose amounts the reference refuses is an error; the person-year's later rows
    (date order) depend on it, the earlier ones and other years are computed."""
    table = ClaimTable(
        person=np.array([7, 7, 7, 7]),
        date=np.array(
            ["2018-05-01", "2018-03-01", "2018-09-01", "2019-01-02"], dtype="datetime64[D]"
        ),
        compliant=np.array([1_000_000, 1_000_000, 1_000_000, 1_000_000]),
        total=np.array([500, -1, -1, -1]),
        level=np.array([0, 0, 0, 0]),
        level_names=("level_2",),
        row_number=np.array([11, 12, 13, 14]),
    )
    b_ = book(core_yaml(), core_yaml(version="2019.1", start="2019-01-01", end="2019-12-31"))
    cols = compute(b_, "core", table)
    assert cols.errors() == [
        "total: 5.00 is below the compliant cost 10000.00",
        None,
        "depends on row 11 of the same person and year, which has an error",
        None,
    ]
    assert isinstance(cols.exception(2), DependentClaimError)
    assert [bool(c) for c in cols.covered] == [False, True, False, True]
    assert cols.basic[1] == cols.basic[3] == 760_000  # (10000 - 500) x 0.80


def test_invalid_person_attributes_are_every_rows_error() -> None:
    """A person kind the reference's Person refuses (grade 7) is an error on each of its rows."""
    table = _one_row(
        person=np.array([0, 1]),
        date=np.array(["2018-05-01", "2018-05-01"], dtype="datetime64[D]"),
        compliant=np.array([1_000_000, 1_000_000]),
        level=np.array([0, 0]),
        kind=np.array([0, 1]),
        kinds=(PersonKind(), PersonKind(disability_grade=7)),
    )
    with pytest.raises(InputError) as raised:
        Person(disability_grade=7)
    errors = compute(book(core_yaml()), "core", table).errors()
    assert errors == [None, str(raised.value)]


# -- the column interface -------------------------------------------------------------------------


def _one_row(**columns: Any) -> ClaimTable:
    base: dict[str, Any] = {
        "person": np.array([0]),
        "date": np.array(["2018-05-01"], dtype="datetime64[D]"),
        "compliant": np.array([1_000_000]),
        "level": np.array([0]),
        "level_names": ("level_2",),
    }
    base.update(columns)
    return ClaimTable(**base)


@pytest.mark.parametrize(
    ("columns", "claim"),
    [
        ({"compliant": np.array([-5])}, {"compliant": D("-0.05")}),
        ({"compliant": np.array([10**14])}, {"compliant": D("1000000000000.00")}),
        ({"total": np.array([-7])}, {"compliant": D("10000"), "total": D("-0.07")}),
        ({"total": np.array([999_999])}, {"compliant": D("10000"), "total": D("9999.99")}),
        (
            {"basic_paid": np.array([1_000_001])},
            {"compliant": D("10000"), "basic_paid": D("10000.01")},
        ),
    ],
)
def test_bad_amounts_give_the_claims_error(columns: dict[str, Any], claim: dict[str, Any]) -> None:
    """An amount the reference's Claim refuses gives that row the same error and message."""
    with pytest.raises((AmountError, ClaimAmountsError)) as raised:
        Claim(day("2018-05-01"), hospital_level="level_2", **claim)
    cols = compute(book(core_yaml()), "core", _one_row(**columns))
    exc = cols.exception(0)
    assert exc is not None and type(exc) is type(raised.value)
    assert str(exc) == str(raised.value)
    assert not cols.covered[0] and cols.basic[0] == 0 and cols.out_of_pocket[0] == 0


def test_year_to_date_values_that_differ_are_an_error_for_the_person_year() -> None:
    """Two rows of one person-year giving different year-to-date values: every row of that
    person-year gets the error; other person-years are computed."""
    table = ClaimTable(
        person=np.array([0, 0, 0]),
        date=np.array(["2018-02-01", "2018-03-01", "2019-03-01"], dtype="datetime64[D]"),
        compliant=np.array([1_000_000, 1_000_000, 1_000_000]),
        basic_paid=np.array([0, 0, 0]),
        ytd_critical_illness_base=np.array([100, 200, -1]),
        ytd_basic_paid=np.array([-1, -1, -1]),
    )
    b_ = book(core_yaml(), core_yaml(version="2019.1", start="2019-01-01", end="2019-12-31"))
    cols = compute(b_, "core", table)
    errors = cols.errors()
    assert (
        errors[0]
        == errors[1]
        == (
            "ytd_critical_illness_base: rows of the same person and year give different values "
            "(row 1: 1.00; row 2: 2.00); give one value, or leave it empty on all but one row"
        )
    )
    assert errors[2] is None
    # As on every error row: not covered, no profile, every amount 0 (rows in order or not).
    for order in ([0, 1, 2], [2, 1, 0]):
        swapped = attrs.evolve(
            table,
            **{
                f: getattr(table, f)[order]
                for f in ("person", "date", "compliant", "ytd_critical_illness_base")
            },
            ytd_basic_paid=None,
            basic_paid=None,
            level=np.zeros(3, np.int8),
            level_names=("level_1",),
        )
        got = compute(b_, "core", swapped)
        bad = [i for i, e in enumerate(got.errors()) if e is not None]
        assert len(bad) == 2
        for i in bad:
            assert not got.covered[i] and got.critical_illness_profile[i] == -1
            amounts = (got.basic, got.critical_illness, got.assistance, got.out_of_pocket)
            assert all(int(a[i]) == 0 for a in amounts)


def test_amounts_beyond_int64_are_refused_not_wrapped() -> None:
    """With 6-decimal ratios the exact products need 10**6 x amount: a bill beyond that range
    raises EngineRangeError naming the row, and never gives a wrapped number."""
    segments = "    - {to: 100000, ratio: 0.123456}\n    - {ratio: 0.80}"
    b_ = book(core_yaml(segments=segments))
    ok = compute(b_, "core", _one_row(compliant=np.array([10**12]), basic_paid=np.array([0])))
    assert ok.error[0] == -1
    with pytest.raises(EngineRangeError, match=r"row 1: compliant 100000000000\.00 is beyond"):
        compute(b_, "core", _one_row(compliant=np.array([10**13])))
    with pytest.raises(EngineRangeError, match="row 2: the critical-illness base"):
        compute(
            b_,
            "core",
            _one_row(
                person=np.array([0, 0]),
                date=np.array(["2018-01-01", "2018-02-01"], dtype="datetime64[D]"),
                compliant=np.array([3 * 10**12, 3 * 10**12]),
                basic_paid=np.array([0, 0]),
                level=np.array([0, 0]),
            ),
        )


def test_malformed_tables_are_refused() -> None:
    """Codes out of range, wrong lengths or a missing date: EngineError, nothing computed."""
    b_ = book(core_yaml())
    with pytest.raises(EngineError, match="level: codes must be from -1 to 0"):
        compute(b_, "core", _one_row(level=np.array([3])))
    with pytest.raises(EngineError, match="expected 1 rows"):
        compute(b_, "core", _one_row(total=np.array([1, 2])))
    with pytest.raises(EngineError, match="NaT"):
        compute(b_, "core", _one_row(date=np.array(["NaT"], dtype="datetime64[D]")))


def test_an_empty_table_gives_empty_columns() -> None:
    """No rows, no work."""
    empty = {k: np.zeros(0, np.int64) for k in ("person", "date", "compliant", "level")}
    cols = compute(book(core_yaml()), "core", _one_row(**empty))
    assert len(cols) == 0 and cols.errors() == []


def test_import_medcalc_does_not_import_numpy() -> None:
    """numpy is the optional `fast` extra: `import medcalc` never loads it (nor the engine)."""
    code = (
        "import sys, medcalc; print('numpy' in sys.modules, 'medcalc.fast._engine' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_the_documented_example_prints_what_docs_engine_md_shows() -> None:
    """docs/engine.md's example runs and prints exactly the text block after it."""
    page = (Path(__file__).parents[1] / "docs" / "engine.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(.*?)```\n+```text\n(.*?)```", page, re.DOTALL)
    assert found is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(found.group(1), "docs/engine.md", "exec"), {"__name__": "__docs__"})
    assert out.getvalue() == found.group(2)


def test_fen_and_yuan_round_trip() -> None:
    """Whole fen and yuan with 2 decimals convert exactly; a third decimal is refused."""
    assert fen(D("1234.50")) == 123450 and yuan(123450) == D("1234.50")
    assert str(yuan(5)) == "0.05"
    with pytest.raises(AmountError):
        fen(D("0.001"))


def test_many_rows_in_many_chunks_match_the_reference() -> None:
    """A seeded workload of 3000 claims over the bundled series, in chunks of 64 rows."""
    rng = np.random.default_rng(7)
    kinds = [frozenset(), frozenset({"poverty"}), frozenset({"five_guarantee"}),
             frozenset({"low_income", "poverty"})]  # fmt: skip
    items: list[Item] = []
    for _ in range(600):
        person = Person(categories=kinds[int(rng.integers(len(kinds)))])
        year = int(rng.integers(2018, 2021))
        claims = []
        for _ in range(int(rng.integers(1, 9))):
            when = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(365)))
            compliant = yuan(int(rng.integers(0, 30_000_000)))
            level = ("level_1", "level_2", "level_3")[int(rng.integers(3))]
            claims.append(Claim(when, compliant, level))
        items.append((person, claims, None))
    want = expected(_BUNDLED, BUNDLED, items)
    assert actual(compute_rows(_BUNDLED, BUNDLED, items, chunk_rows=64)) == want


def _big_year_and_ytd_years(compliant: int, others: int) -> ClaimTable:
    """Person 0: one year of 92 300 claims of ``compliant`` fen each (above the ~92 229 rows
    from which the engine checks a person-year's sums); persons 1..others: one claim of 100.00
    each, every year-to-date start at the largest amount (MAX_FEN)."""
    big = 92_300
    n = big + others
    ytd = np.full(n, -1, np.int64)
    ytd[big:] = MAX_FEN
    return _one_row(
        person=np.concatenate([np.zeros(big, np.int64), np.arange(1, others + 1)]),
        date=np.full(n, np.datetime64("2018-05-01")),
        compliant=np.concatenate([np.full(big, compliant), np.full(others, 10_000)]),
        level=np.zeros(n, np.int64),
        ytd_basic_paid=ytd,
        ytd_critical_illness_base=ytd,
        ytd_assistance_base=ytd,
    )


def test_year_to_date_of_other_person_years_does_not_refuse_a_large_one() -> None:
    """The int64 guard of a person-year of 92 300 claims counts only its own year-to-date: with
    15 400 other person-years at the largest starts (3 x 15 400 x 999 999 999 999.99 yuan
    = 4.62e18 fen, above half of int64) the claims are computed, as each year alone gives."""
    table = _big_year_and_ytd_years(10_000, 15_400)
    together = compute(book(core_yaml()), "core", table)
    alone_big = compute(
        book(core_yaml()), "core", _big_year_and_ytd_years(10_000, 0)
    )  # the same 92 300 claims, no other person-year
    alone_ytd = compute(book(core_yaml()), "core", _one_row(
        compliant=np.array([10_000]), ytd_basic_paid=np.array([MAX_FEN]),
        ytd_critical_illness_base=np.array([MAX_FEN]),
        ytd_assistance_base=np.array([MAX_FEN]),
    ))  # fmt: skip
    assert together.errors() == [None] * (92_300 + 15_400)
    for name in ("basic", "critical_illness", "assistance", "out_of_pocket"):
        column = getattr(together, name)
        assert column[:92_300].tolist() == getattr(alone_big, name).tolist()
        assert set(column[92_300:].tolist()) == {int(getattr(alone_ytd, name)[0])}


def test_year_to_date_summing_past_int64_does_not_hide_a_large_person_year() -> None:
    """92 300 claims of 999 999 999 999.99 yuan sum past int64 and are refused by the guard at
    the year's first row; 35 000 other person-years' starts (3 x 35 000 x 99 999 999 999 999
    fen = 1.05e19) no longer wrap the guard's int64 sum to -7.95e18 and let the year past it
    (a later per-row check then caught row 4612's critical-illness base)."""
    table = _big_year_and_ytd_years(MAX_FEN, 35_000)
    with pytest.raises(EngineRangeError, match="the year's compliant cost"):
        compute(book(core_yaml()), "core", table)


@pytest.mark.parametrize("size", [0, -1, True, 2.0])
def test_chunk_rows_must_be_a_whole_number_of_rows(size: Any) -> None:
    """A chunk of no rows (or of a float, or a bool) is refused, not looped on forever."""
    table = build_table([(0, Person(), Claim(dt.date(2018, 6, 1), D("100"), "level_1"), None)])
    with pytest.raises(EngineError, match="chunk_rows: expected a whole number of rows >= 1"):
        compute(_BUNDLED, BUNDLED, table, chunk_rows=size)
