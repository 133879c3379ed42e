"""An auditor's own property test, written with ``medcalc.audit.strategies`` (see docs/audit.md).

Run it as a script, or collect it with pytest::

    python examples/auditor_property_test.py
    pytest examples/auditor_property_test.py

The policy checked, on the bundled table ``qingyuan-qingcheng`` (any person's bills of one
year, drawn at random by hypothesis, shrunk to the smallest case if a check fails):

1. 特困供养人员 (five-guarantee members) pay nothing of the policy-range cost: basic insurance,
   critical illness and medical assistance (100 %, 不设封顶) together cover all of it, so what
   they pay is only the part of each bill outside the policy range;
2. a registered poor resident, low-income or five-guarantee member never pays more out of
   pocket in a year than an ordinary resident with the same bills (就高不重复: the category's
   profile is a candidate besides the base, never instead of it).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from medcalc import Calculator, Claim, Person
from medcalc.audit.strategies import claim_years
from medcalc.tariff import load_book

SERIES = "qingyuan-qingcheng"
BOOK = load_book()
CALC = Calculator(BOOK)

#: 200 random cases per check; no example database, so nothing is written next to the script.
AUDIT = settings(max_examples=200, database=None, deadline=None)


@AUDIT
@given(claim_years(tariff=BOOK, series=SERIES, max_size=6))
def test_five_guarantee_members_pay_nothing_of_the_compliant_cost(claims: list[Claim]) -> None:
    """A five-guarantee member's out of pocket is only the bill outside the policy range."""
    person = Person(categories={"five_guarantee"})
    for result in CALC.claims(SERIES, person, claims).claims:
        assert result.out_of_pocket == result.claim.bill - result.claim.compliant, result


@AUDIT
@given(
    claim_years(tariff=BOOK, series=SERIES, max_size=6),
    st.sampled_from(["poverty", "low_income", "five_guarantee"]),
)
def test_the_poor_never_pay_more_than_an_ordinary_resident(
    claims: list[Claim], category: str
) -> None:
    """For the same bills, a poor person's yearly out of pocket is at most an ordinary one's."""

    def out_of_pocket(person: Person) -> Decimal:
        totals = CALC.claims(SERIES, person, claims).years
        return sum((t.out_of_pocket for t in totals), Decimal("0.00"))

    assert out_of_pocket(Person(categories={category})) <= out_of_pocket(Person())


if __name__ == "__main__":
    # A @given test is a plain function: calling it runs all its examples.
    test_five_guarantee_members_pay_nothing_of_the_compliant_cost()
    test_the_poor_never_pay_more_than_an_ordinary_resident()
    print(f"ok: both policy checks held on {SERIES} for 200 random years of claims each")
