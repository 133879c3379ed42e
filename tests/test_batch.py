"""Batch rows without files (spec §5): grouping, dependent-row errors, result columns."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

import pytest

from medcalc import Calculator, Claim, Person, YearToDate, load_book
from medcalc.batch import CLAIM_RESULTS, PREMIUM_RESULTS, ClaimsBatch, PremiumsBatch, Summary
from medcalc.money import fmt

from support import day

SERIES = "qingyuan-qingcheng"
Row = dict[str, Any]


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book(env={}))


def run_claims(
    calc: Calculator, rows: list[Row], *, series: str | None = SERIES
) -> tuple[list[Row | None], Summary]:
    """Feed ``rows`` (numbered from 2, as under a header row) and return results by row."""
    batch = ClaimsBatch(calc, default_series=series)
    for number, row in enumerate(rows, start=2):
        if row:
            batch.add(row, number)
        else:
            batch.add_blank(number)
    summary = batch.run()
    out: list[Row | None] = []
    for i in range(len(batch)):
        result = batch.result(i)
        out.append(None if result is None else dict(zip(CLAIM_RESULTS, result, strict=True)))
    return out, summary


def run_premiums(calc: Calculator, rows: list[Row]) -> tuple[list[Row], Summary]:
    batch = PremiumsBatch(calc, default_series=SERIES)
    for number, row in enumerate(rows, start=2):
        batch.add(row, number)
    summary = batch.run()
    results = [batch.result(i) for i in range(len(batch))]
    return [dict(zip(PREMIUM_RESULTS, r or (), strict=True)) for r in results], summary


def claim(person: str, date: str, compliant: str = "20000", **more: str) -> Row:
    return {"person_id": person, "date": date, "compliant": compliant,
            "hospital_level": "level_2", **more}  # fmt: skip


def amounts(result: Row | None) -> tuple[Any, ...]:
    assert result is not None
    return tuple(result[k] for k in ("basic", "critical_illness", "assistance", "out_of_pocket"))


def test_results_equal_the_calculator_per_person_and_year(calc: Calculator) -> None:
    """Shuffled rows of many people and years give what the calculator gives per person-year."""
    rng = random.Random(7)
    rows = []
    for p in range(12):
        cats = rng.choice(["", "poverty", "five_guarantee", "low_income"])
        for _ in range(rng.randint(1, 6)):
            year = rng.choice([2018, 2019, 2020])
            rows.append(
                claim(
                    f"P{p}",
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"{rng.randint(500, 90000)}.{rng.randint(0, 99):02d}",
                    categories=cats,
                    hospital_level=rng.choice(["level_1", "level_2", "level_3"]),
                )
            )
    rng.shuffle(rows)
    results, summary = run_claims(calc, rows)
    assert summary.errors == 0 and summary.ok == len(rows)
    for p in range(12):
        mine = [(i, r) for i, r in enumerate(rows) if r["person_id"] == f"P{p}"]
        for year in (2018, 2019, 2020):
            group = [(i, r) for i, r in mine if r["date"].startswith(str(year))]
            if not group:
                continue
            cats = group[0][1]["categories"]
            person = Person(categories=frozenset([cats]) if cats else frozenset())
            expected = calc.claims(
                SERIES,
                person,
                [
                    Claim(day(r["date"]), Decimal(r["compliant"]), r["hospital_level"])
                    for _, r in group
                ],
            )
            for (i, _), want in zip(group, expected.claims, strict=True):
                got = results[i]
                assert got is not None
                assert amounts(got) == (
                    fmt(want.basic),
                    fmt(want.critical_illness),
                    fmt(want.assistance),
                    fmt(want.out_of_pocket),
                )
                assert got["tariff_version"] == want.tariff.version
                assert got["tariff_sha256"] == want.tariff.sha256


def test_amounts_are_written_with_exactly_two_decimals(calc: Calculator) -> None:
    """Every amount column holds digits, a point and exactly two decimals."""
    results, _ = run_claims(calc, [claim("A", "2018-03-01", "123456"), claim("A", "2018-04-01")])
    for r in results:
        assert r is not None
        for value in amounts(r):
            assert re.fullmatch(r"\d+\.\d\d", value)


def test_full_width_digits_and_thousands_separators_are_read(calc: Calculator) -> None:
    """``１２０,０００.００`` and ``120,000.00`` are the same amount as ``120000``."""
    results, _ = run_claims(
        calc,
        [
            claim("A", "2018-03-01", "１２０,０００.００"),
            claim("B", "2018-03-01", "120,000.00"),
            claim("C", "２０１８-０３-０１", "120000"),
        ],
    )
    assert amounts(results[0]) == amounts(results[1]) == amounts(results[2])


def test_bad_row_gets_an_error_naming_the_field_and_no_amounts(calc: Calculator) -> None:
    """A row whose compliant cost is not an amount says so, and has no amounts."""
    results, summary = run_claims(calc, [claim("A", "2018-03-01", "12x")])
    r = results[0]
    assert r is not None
    assert r["error"].startswith("compliant: '12x' is not an amount")
    assert amounts(r) == (None, None, None, None)
    assert r["covered"] is None and r["tariff_sha256"] is None
    assert (summary.rows, summary.ok, summary.errors) == (1, 0, 1)


def test_every_problem_of_a_row_is_reported(calc: Calculator) -> None:
    """All the field problems of one row are listed, each naming its field."""
    results, _ = run_claims(calc, [claim("A", "2018-13-01", "-5", total="abc")])
    r = results[0]
    assert r is not None
    assert r["error"].startswith("date: '2018-13-01' is not a date")
    assert "compliant: -5.00 is negative" in r["error"]
    assert "total: 'abc' is not an amount" in r["error"]


def test_later_rows_of_the_person_and_year_depend_on_a_bad_row(calc: Calculator) -> None:
    """Rows dated after a bad row get a dependency error; earlier rows are computed."""
    rows = [
        claim("A", "2018-08-01"),  # row 2: after the bad row
        claim("A", "2018-05-01", "12x"),  # row 3: bad
        claim("A", "2018-02-01"),  # row 4: before it
    ]
    results, summary = run_claims(calc, rows)
    assert results[0] is not None and results[2] is not None
    assert results[0]["error"] == (
        "depends on row 3 of the same person and year, which has an error"
    )
    assert amounts(results[0]) == (None, None, None, None)
    assert results[2]["error"] is None
    alone, _ = run_claims(calc, [rows[2]])
    assert amounts(results[2]) == amounts(alone[0])
    assert (summary.ok, summary.errors) == (1, 2)


def test_same_day_ties_follow_input_order(calc: Calculator) -> None:
    """On the bad row's own date, rows above it are computed and rows below depend on it."""
    rows = [
        claim("A", "2018-05-01"),
        claim("A", "2018-05-01", "12x"),
        claim("A", "2018-05-01"),
    ]
    results, _ = run_claims(calc, rows)
    assert results[0] is not None and results[0]["error"] is None
    assert results[2] is not None and results[2]["error"].startswith("depends on row 3 ")


def test_other_people_and_years_are_not_affected(calc: Calculator) -> None:
    """A bad row touches only its own person's rows of its own year."""
    rows = [
        claim("A", "2018-05-01", "12x"),
        claim("A", "2019-08-01"),
        claim("B", "2018-08-01"),
    ]
    results, _ = run_claims(calc, rows)
    assert results[1] is not None and results[1]["error"] is None
    assert results[2] is not None and results[2]["error"] is None


def test_unreadable_date_makes_every_row_of_the_person_depend(calc: Calculator) -> None:
    """A row whose date cannot be read could belong anywhere: all the person's rows depend."""
    rows = [
        claim("A", "2018-02-01"),
        claim("A", "not a date"),
        claim("A", "2020-08-01"),
        claim("B", "2018-02-01"),
    ]
    results, _ = run_claims(calc, rows)
    for i in (0, 2):
        r = results[i]
        assert r is not None
        assert r["error"] == "depends on row 3 of the same person, which has an error"
    assert results[3] is not None and results[3]["error"] is None


def test_unreadable_person_attribute_makes_the_whole_year_depend(calc: Calculator) -> None:
    """A bad disability grade on one row leaves the person's year unknown, earlier rows too."""
    rows = [
        claim("A", "2018-02-01"),
        claim("A", "2018-06-01", disability_grade="x"),
        claim("A", "2019-02-01"),
    ]
    results, _ = run_claims(calc, rows)
    assert results[1] is not None and results[1]["error"].startswith("disability_grade:")
    assert results[0] is not None
    assert results[0]["error"] == "depends on row 3 of the same person and year, which has an error"
    assert results[2] is not None and results[2]["error"] is None


def test_calculation_error_is_found_and_later_rows_depend(calc: Calculator) -> None:
    """An unknown hospital level is the row's own error; rows after it depend, earlier ones
    are computed; a second bad row after it still reports its own error."""
    rows = [
        claim("A", "2018-02-01"),
        claim("A", "2018-04-01", hospital_level="level_9"),
        claim("A", "2018-06-01"),
        claim("A", "2018-08-01", hospital_level="level_8"),
        claim("A", "2018-10-01"),
    ]
    results, _ = run_claims(calc, rows)
    errors = [r["error"] if r else None for r in results]
    assert errors[0] is None
    assert errors[1] is not None and errors[1].startswith("hospital_level: 'level_9'")
    assert errors[2] == "depends on row 3 of the same person and year, which has an error"
    assert errors[3] is not None and errors[3].startswith("hospital_level: 'level_8'")
    assert errors[4] == "depends on rows 3 and 5 of the same person and year, which have errors"


def test_no_tariff_in_force_is_a_row_error(calc: Calculator) -> None:
    """A claim dated when no version is in force is an error of that row only."""
    results, _ = run_claims(calc, [claim("A", "2017-06-01"), claim("A", "2018-06-01")])
    assert results[0] is not None
    assert results[0]["error"] == (
        "no tariff of series qingyuan-qingcheng is in force on 2017-06-01"
    )
    assert results[1] is not None and results[1]["error"] is None


def test_unknown_category_is_an_error_on_every_row_of_the_year(calc: Calculator) -> None:
    """A category the tariff does not declare concerns the person, so every row says so."""
    rows = [claim("A", "2018-02-01", categories="povrty"), claim("A", "2018-06-01")]
    results, _ = run_claims(calc, rows)
    for r in results:
        assert r is not None and r["error"].startswith("categories: 'povrty' is not a category")


def test_person_attributes_given_on_one_row_hold_for_the_year(calc: Calculator) -> None:
    """Categories on one row of a person's year apply to the year's other rows too."""
    spread, _ = run_claims(
        calc, [claim("A", "2018-02-01", "60000", categories="poverty"), claim("A", "2018-06-01")]
    )
    every, _ = run_claims(
        calc,
        [
            claim("A", "2018-02-01", "60000", categories="poverty"),
            claim("A", "2018-06-01", categories="poverty"),
        ],
    )
    assert [amounts(r) for r in spread] == [amounts(r) for r in every]
    assert spread[1] is not None and spread[1]["critical_illness_profile"] == "poverty"


def test_rows_that_disagree_on_an_attribute_are_all_errors(calc: Calculator) -> None:
    """Two rows of a person's year with different categories make every row of it an error."""
    rows = [
        claim("A", "2018-02-01", categories="poverty"),
        claim("A", "2018-06-01", categories="low_income"),
        claim("A", "2018-07-01"),
        claim("A", "2019-07-01", categories="low_income"),
    ]
    results, _ = run_claims(calc, rows)
    message = (
        "categories: rows of the same person and year give different values "
        "(row 2: poverty; row 3: low_income); give one value, or leave it empty on all but one row"
    )
    assert [r["error"] if r else None for r in results] == [message, message, message, None]


def test_equal_attributes_written_differently_agree(calc: Calculator) -> None:
    """``poverty;low_income`` and ``low_income; poverty`` are the same categories."""
    rows = [
        claim("A", "2018-02-01", categories="poverty;low_income"),
        claim("A", "2018-06-01", categories="low_income; poverty"),
    ]
    _, summary = run_claims(calc, rows)
    assert summary.errors == 0


def test_year_to_date_given_on_one_row_starts_the_year(calc: Calculator) -> None:
    """``ytd_*`` on any one row of the year: the year starts from those accumulators."""
    rows = [
        claim("A", "2018-06-01", "30000"),
        claim("A", "2018-02-01", "40000", ytd_basic_paid="5000", ytd_critical_illness_base="8000"),
    ]
    results, _ = run_claims(calc, rows)
    expected = calc.claims(
        SERIES,
        Person(),
        [
            Claim(day("2018-06-01"), Decimal("30000"), "level_2"),
            Claim(day("2018-02-01"), Decimal("40000"), "level_2"),
        ],
        year_to_date=YearToDate(Decimal("5000"), Decimal("8000"), Decimal("0")),
    )
    assert [amounts(r) for r in results] == [
        (fmt(c.basic), fmt(c.critical_illness), fmt(c.assistance), fmt(c.out_of_pocket))
        for c in expected.claims
    ]


def test_different_year_to_date_values_are_an_error(calc: Calculator) -> None:
    """Two rows of one person's year with different ``ytd_basic_paid`` are both errors."""
    rows = [
        claim("A", "2018-06-01", ytd_basic_paid="100"),
        claim("A", "2018-02-01", ytd_basic_paid="200.00"),
    ]
    results, _ = run_claims(calc, rows)
    for r in results:
        assert r is not None and r["error"].startswith(
            "ytd_basic_paid: rows of the same person and year give different values "
            "(row 2: 100.00; row 3: 200.00)"
        )


def test_bad_year_to_date_value_makes_the_year_depend(calc: Calculator) -> None:
    """An unreadable ``ytd_*`` value leaves every row of the person's year without amounts."""
    rows = [claim("A", "2018-02-01"), claim("A", "2018-06-01", ytd_assistance_base="1.234")]
    results, _ = run_claims(calc, rows)
    assert results[1] is not None
    assert results[1]["error"] == "ytd_assistance_base: 1.234 has more than 2 decimal places"
    assert results[0] is not None and results[0]["error"].startswith("depends on row 3 ")


def test_a_row_without_person_has_no_dependants(calc: Calculator) -> None:
    """A row without ``person_id`` is an error of its own and touches nobody else."""
    rows = [{"date": "2018-02-01", "compliant": "100"}, claim("A", "2018-06-01")]
    results, _ = run_claims(calc, rows)
    assert results[0] is not None and results[0]["error"] == "person_id: is required"
    assert results[1] is not None and results[1]["error"] is None


def test_series_is_required_without_a_default(calc: Calculator) -> None:
    """Without a series value or default the row is an error; a given series is used."""
    results, _ = run_claims(
        calc,
        [claim("A", "2018-02-01"), claim("B", "2018-02-01", series=SERIES)],
        series=None,
    )
    assert results[0] is not None
    assert results[0]["error"] == "series: is required (give a series column or --series)"
    assert results[1] is not None and results[1]["error"] is None


def test_unknown_series_is_a_row_error_and_counts_as_any_series(calc: Calculator) -> None:
    """A misspelt series is an error; the person's later rows of that year depend on it."""
    rows = [claim("A", "2018-02-01", series="qingyuan"), claim("A", "2018-06-01")]
    results, _ = run_claims(calc, rows)
    assert results[0] is not None and results[0]["error"].startswith(
        "series: no tariff series 'qingyuan'"
    )
    assert results[1] is not None and results[1]["error"].startswith("depends on row 2 ")


def test_claim_before_benefits_start_is_not_covered(calc: Calculator) -> None:
    """A claim before benefits start: covered ``no``, nothing paid, out of pocket the bill."""
    rows = [claim("A", "2019-05-28", "10000", total="12000", enrolled_on="2019-05-20")]
    results, summary = run_claims(calc, rows)
    r = results[0]
    assert r is not None
    assert r["covered"] == "no" and r["error"] is None
    assert amounts(r) == ("0.00", "0.00", "0.00", "12000.00")
    assert r["critical_illness_profile"] is None
    assert summary.errors == 0


def test_blank_rows_are_kept_empty_and_counted_apart(calc: Calculator) -> None:
    """A blank row has no result and is not counted as a row."""
    results, summary = run_claims(calc, [claim("A", "2018-02-01"), {}, claim("A", "2018-06-01")])
    assert results[1] is None
    assert (summary.rows, summary.ok, summary.blank) == (2, 2, 1)


def test_summary_totals_are_the_sums_of_the_ok_rows(calc: Calculator) -> None:
    """The summary's totals per layer add up the computed rows' amounts exactly."""
    rows = [
        claim("A", "2018-02-01", "90000", categories="poverty"),
        claim("A", "2018-06-01", "12x"),
        claim("B", "2018-03-01", "50000"),
    ]
    results, summary = run_claims(calc, rows)
    ok = [r for r in results if r is not None and r["error"] is None]
    for name, total in summary.totals:
        assert total == sum((Decimal(r[name]) for r in ok), Decimal(0))


# -- premiums -------------------------------------------------------------------------------


def test_premium_rows_are_computed_on_their_own(calc: Calculator) -> None:
    """Each premiums row gives the calculator's premiums for that person and year."""
    rows = [
        {"person_id": "A", "year": "2018", "categories": "poverty", "birth_date": "1975-04-12"},
        {"person_id": "B", "year": "2019", "birth_date": "1990-11-30", "pension_grade": "240"},
        {"person_id": "C", "year": "2020", "birth_date": "1950-06-01"},
    ]
    results, summary = run_premiums(calc, rows)
    assert summary.errors == 0
    want = calc.premiums(SERIES, Person(categories={"poverty"}, birth_date=day("1975-04-12")), 2018)
    assert want.medical is not None and want.pension is not None
    assert results[0]["medical_government"] == fmt(want.medical.government_pays)
    assert results[0]["pension_government"] == fmt(want.pension.government_pays)
    assert results[0]["pension_due"] == "yes"
    assert results[1]["pension_contribution"] == "240.00"
    assert results[2]["pension_due"] == "no"
    assert results[2]["pension_contribution"] == "0.00"
    assert results[2]["pension_profile"] is None


def test_premium_row_errors_name_the_field(calc: Calculator) -> None:
    """A bad year or a pension grade that does not exist is that row's error only."""
    rows = [
        {"person_id": "A", "year": "20x8"},
        {"person_id": "B", "year": "2019", "birth_date": "1990-01-01", "pension_grade": "250"},
        {"person_id": "C", "birth_date": "1990-01-01"},
        {"person_id": "D", "year": "2019", "birth_date": "1990-01-01"},
    ]
    results, summary = run_premiums(calc, rows)
    assert results[0]["error"] == "year: '20x8' is not a whole number"
    assert results[1]["error"].startswith("pension_grade: 250.00 is not a pension grade")
    assert results[2]["error"] == "year: is required"
    assert results[3]["error"] is None
    assert results[0]["medical_contribution"] is None
    assert (summary.ok, summary.errors) == (1, 3)


def test_a_missing_birth_date_blocks_only_the_pension_part(calc: Calculator) -> None:
    """Without a birth date the age on 1 January is unknown, so no pension is computed; the
    medical part does not need it. 2019.1: contribution 220.00, the poor's paid in full
    (government 220.00, person 0.00). The row is an error row, left out of the totals."""
    rows = [
        {"person_id": "A", "year": "2019", "categories": "poverty", "birth_date": "1980-06-15"},
        {"person_id": "B", "year": "2019", "categories": "poverty"},
    ]
    results, summary = run_premiums(calc, rows)
    medical = ("medical_contribution", "medical_government", "medical_individual")
    assert [results[1][k] for k in (*medical, "medical_profile")] == [
        "220.00",
        "220.00",
        "0.00",
        "poverty",
    ]
    pension = [k for k in PREMIUM_RESULTS if k.startswith("pension_")]
    assert [results[1][k] for k in pension] == [None] * 6
    assert results[1]["error"] == (
        "birth_date: is required for the pension part (age on 1 January); "
        "the medical part is computed"
    )
    assert (summary.ok, summary.errors) == (1, 1)
    assert dict(summary.totals)["medical_government"] == Decimal("220.00")  # row A only


def test_cents_text_writes_negative_fen() -> None:
    """Fen are written as yuan with 2 decimals, negatives included (-1 fen is -0.01)."""
    from medcalc.batch import cents_text

    assert [cents_text(c) for c in (-1, -199, 0, 5, 123456)] == [
        "-0.01",
        "-1.99",
        "0.00",
        "0.05",
        "1234.56",
    ]
