"""Worked examples published by Chinese insurance offices and their Q&A pages, encoded as
tariffs in tests/published/ (sources, parameters and discrepancies: docs/published-examples.md).

Where a page's own arithmetic is wrong, the test asserts the correct amount and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medcalc import Calculator, Claim, Person, TariffBook, YearToDate, load_tariff

from support import D, day

PUBLISHED = Path(__file__).parent / "published"


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(TariffBook.of(load_tariff(p) for p in sorted(PUBLISHED.glob("*.yaml"))))


def burden_claim(date: str, burden: str) -> Claim:
    """A claim whose cost left after basic insurance is `burden` (the page starts there)."""
    return Claim(day(date), D(burden), basic_paid=D("0"))


def test_hubei_2024_faq(calc: Calculator) -> None:
    """Hubei FAQ (idiamond.net copy of a city 医保 page, 2024-03-04): 150000 after basic -> 93800.

    18000 x 0.6 + 70000 x 0.65 + 50000 x 0.75 = 10800 + 45500 + 37500 = 93800 (page: 93800).
    """
    r = calc.claims("published-hubei-2024", Person(), [burden_claim("2024-05-01", "150000")])
    c = r.claims[0]
    assert (c.critical_illness, c.out_of_pocket) == (D("93800.00"), D("56200.00"))


def test_hubei_2024_poor_resident_derived(calc: Calculator) -> None:
    """Derived from the Hubei scale: threshold 6000, ratios +5 points for five-guarantee.

    24000 x 0.65 + 70000 x 0.70 + 50000 x 0.80 = 15600 + 49000 + 40000 = 104600.
    """
    person = Person(categories={"five_guarantee"})
    r = calc.claims("published-hubei-2024", person, [burden_claim("2024-05-01", "150000")])
    assert r.claims[0].critical_illness == D("104600.00")


def test_hubei_2024_two_admissions_and_year_to_date(calc: Calculator) -> None:
    """Derived: 20000 then 130000 in one year pays 4800 then 89000 (93800 in all).

    F(20000) = 8000 x 0.6 = 4800; F(150000) - F(20000) = 93800 - 4800 = 89000.
    """
    claims = [burden_claim("2024-02-01", "20000"), burden_claim("2024-09-01", "130000")]
    r = calc.claims("published-hubei-2024", Person(), claims)
    assert [c.critical_illness for c in r.claims] == [D("4800.00"), D("89000.00")]
    alone = calc.claims(
        "published-hubei-2024",
        Person(),
        claims[1:],
        year_to_date=YearToDate(critical_illness_base=D("20000")),
    )
    assert alone.claims[0].critical_illness == D("89000.00")


def test_hubei_2024_cap_derived(calc: Calculator) -> None:
    """Derived: 700000 gives 506300 before the 500000 cap; five-guarantee has no cap.

    ordinary: 10800 + 45500 + 600000 x 0.75 = 506300 -> 500000;
    five-guarantee: 15600 + 49000 + 600000 x 0.80 = 544600.
    """
    claim = [burden_claim("2024-05-01", "700000")]
    ordinary = calc.claims("published-hubei-2024", Person(), claim).claims[0]
    poor = calc.claims("published-hubei-2024", Person(categories={"five_guarantee"}), claim)
    assert ordinary.critical_illness == D("500000.00")
    assert poor.claims[0].critical_illness == D("544600.00")


def test_chongqing_yubei_2023_qa(calc: Calculator) -> None:
    """渝北区 government Q&A (ybq.gov.cn, 2023-10-30): basic 34790, assistance 10647.

    basic (50000 - 300) x 0.70 = 34790; i = 15210 below the 大病 threshold; assistance
    15210 x 0.70 = 10647; out of pocket 52000 - 34790 - 10647 = 6563. The page also pays a
    second assistance tier ((4563 - 3000) x 0.6 = 937.80) that format 1 cannot express, so
    medcalc's out of pocket is 937.80 above the page's implied 5625.20.
    """
    person = Person(categories={"low_income_edge"})
    claim = Claim(day("2023-06-01"), D("50000"), "level_2", total=D("52000"))
    c = calc.claims("published-chongqing-yubei-2023", person, [claim]).claims[0]
    assert (c.basic, c.critical_illness, c.assistance, c.out_of_pocket) == (
        D("34790.00"),
        D("0.00"),
        D("10647.00"),
        D("6563.00"),
    )


def test_guangzhou_2022(calc: Calculator) -> None:
    """广州本地宝 2022: total 100000, compliant 99800 -> basic 69510, 大病 7374, own 23116.

    basic (99800 - 500) x 0.70 = 69510; i = 30290; 大病 (30290 - 18000) x 0.60 = 7374;
    out of pocket 100000 - 69510 - 7374 = 23116 (the page shows 0.737万 / 2.312万, rounded).
    """
    claim = Claim(day("2022-04-01"), D("99800"), "level_3", total=D("100000"))
    c = calc.claims("published-guangzhou-2022", Person(), [claim]).claims[0]
    assert (c.basic, c.critical_illness, c.out_of_pocket) == (
        D("69510.00"),
        D("7374.00"),
        D("23116.00"),
    )


@pytest.mark.parametrize(
    ("burden", "expected"),
    [
        # 42000 x 0.5 = 21000 (page: 21000, correct)
        ("50000", "21000.00"),
        # 21000 + 30000 x 0.6 = 39000 (page: 39000, correct)
        ("80000", "39000.00"),
        # 21000 + 50000 x 0.6 + 20000 x 0.7 = 21000 + 30000 + 14000 = 65000.
        # The page says 53000: its middle term reuses (80000 - 50000) x 60% instead of the
        # whole segment (100000 - 50000) x 60%. The page's arithmetic is wrong.
        ("120000", "65000.00"),
    ],
)
def test_ziyang_examples(calc: Calculator, burden: str, expected: str) -> None:
    """资阳 rural 大病 (huize.com quoting the rule): threshold 8000, 50/60/70 %."""
    r = calc.claims("published-ziyang-2016", Person(), [burden_claim("2016-05-01", burden)])
    assert r.claims[0].critical_illness == D(expected)


def test_ziyang_three_admissions_derived(calc: Calculator) -> None:
    """Derived: 50000, 30000, 40000 in one year pay 21000, 18000, 26000 (65000 in all)."""
    claims = [
        burden_claim("2016-02-01", "50000"),
        burden_claim("2016-05-01", "30000"),
        burden_claim("2016-09-01", "40000"),
    ]
    r = calc.claims("published-ziyang-2016", Person(), claims)
    assert [c.critical_illness for c in r.claims] == [D("21000.00"), D("18000.00"), D("26000.00")]


def test_beihai_above_threshold(calc: Calculator) -> None:
    """北海 (huize.com quoting the rule): bounds measured above the 6000 threshold.

    7000: (7000 - 6000) x 0.5 = 500 (the page's step says 55, a slip; its answer 500 is right).
    70000: 20000 x 0.5 + 20000 x 0.6 + 20000 x 0.7 + 4000 x 0.8 = 10000 + 12000 + 14000 + 3200
    = 39200 (reading the bounds as cumulative would give 41000).
    """
    claims = [burden_claim("2017-03-01", "7000")]
    small = calc.claims("published-beihai-2017", Person(), claims).claims[0]
    assert (small.critical_illness, small.out_of_pocket) == (D("500.00"), D("6500.00"))
    large = calc.claims("published-beihai-2017", Person(), [burden_claim("2017-03-01", "70000")])
    assert large.claims[0].critical_illness == D("39200.00")
