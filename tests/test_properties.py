"""medcalc's own property tests: every invariant of :mod:`medcalc.audit`, checked on random
valid tariffs from `medcalc.audit.strategies` (the whole contract, not only the bundled tables).

The claims-level invariants are properties of the calculation, so they must hold for *any*
tariff the loader accepts (``sound=False``); the tariff-level ones (favourable profiles, rising
ratios, one more category never hurts) hold for the tariffs that ``sound=True`` makes.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from medcalc import Calculator, Claim, Person
from medcalc.audit import INVARIANTS, AuditTarget
from medcalc.audit.strategies import tariff_books
from medcalc.tariff import TariffBook

from support import D, book, core_yaml, day

CALCULATION = [
    name for name, inv in INVARIANTS.items() if name != "extra_category" and inv.level == "claims"
]
TARIFF_LEVEL = ["favourable", "rising_ratios", "extra_category"]


def check(name: str, data: st.DataObject, tariffs: TariffBook) -> None:
    """Draw a case for invariant ``name`` against ``tariffs`` and assert it holds."""
    invariant = INVARIANTS[name]
    target = AuditTarget(tariffs, tariffs.series()[0])
    assume(invariant.applies(target) is None)
    case = data.draw(invariant.cases(target), label="case")
    found = invariant.falsify(target, case)
    assert found is None, found.text("en")


@pytest.mark.parametrize("name", CALCULATION)
@given(data=st.data())
def test_calculation_invariant_holds_on_any_valid_tariff(name: str, data: st.DataObject) -> None:
    """Each calculation invariant holds for random persons and claims on any valid tariff."""
    check(name, data, data.draw(tariff_books(sound=False), label="tariffs"))


@pytest.mark.parametrize("name", TARIFF_LEVEL)
@given(data=st.data())
def test_tariff_invariant_holds_on_sound_tariffs(name: str, data: st.DataObject) -> None:
    """Each tariff-level invariant holds on every tariff that ``tariffs(sound=True)`` makes."""
    check(name, data, data.draw(tariff_books(sound=True), label="tariffs"))


def test_half_even_full_ratio_never_pays_more_than_the_burden() -> None:
    """With half_even and a 100 % segment, a claim's critical illness is min(i, F*(X_after) -
    F*(X_before)) (spec §4.3): the fen the rounding would add beyond i is not paid."""
    # Five-guarantee: T = 15000 x 0.5 = 7500; segments 0.45 + 0.05 = 0.50 up to 15000.01, then
    # 0.95 + 0.05 = 1.00. Claim 1: i = 15000.01, G = (15000.01 - 7500) x 0.50 = 3750.005, half
    # even -> 3750.00. Claim 2: i = 0.01, G(15000.02) = 3750.005 + 0.01 x 1.00 = 3750.015 ->
    # 3750.02; the step is 0.02, but i = 0.01: critical illness min(0.01, 0.02) = 0.01 (the cut
    # 0.01 is shown as burden_reduction), j = 0.01 - 0.01 = 0, assistance min(0, ...) = 0.
    segments = "    - {to: 15000.01, ratio: 0.45}\n    - {ratio: 0.95}"
    calc = Calculator(book(core_yaml(rounding="half_even", segments=segments)))
    claims = [
        Claim(day("2018-03-01"), D("15000.01"), basic_paid=D("0")),
        Claim(day("2018-03-02"), D("0.01"), basic_paid=D("0")),
    ]
    first, second = calc.claims("core", Person(categories={"five_guarantee"}), claims).claims
    assert (first.critical_illness, first.remaining) == (D("3750.00"), D("11250.01"))
    # Assistance of claim 1: five-guarantee 100 % of j = 11250.01, no deductible.
    assert first.assistance == D("11250.01")
    assert (second.critical_illness, second.remaining, second.assistance) == (
        D("0.01"),
        D("0.00"),
        D("0.00"),
    )
    detail = second.critical_illness_detail
    assert detail is not None
    assert (detail.paid_before, detail.paid_after, detail.burden_reduction) == (
        D("3750.00"),
        D("3750.02"),
        D("0.01"),
    )
    # The explanation adds up: segments - cap cut - switch - burden cut = the payment.
    paid = sum(s.paid for s in detail.segments) - detail.cap_reduction - detail.profile_switch
    assert paid - detail.burden_reduction == second.critical_illness
