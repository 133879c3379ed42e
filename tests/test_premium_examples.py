"""Hand-worked premium examples (spec §4.1, §4.2), each showing its arithmetic.

The tariff is ``support.core_yaml()``: medical contribution 220; government pays in full for
five-guarantee and severe disability, half for low income, 150 for poverty. Pension grades 120
(subsidy 30), 240 (35), 600 (60) and 100 (30) kept for poverty and low income; 代缴: full for
five-guarantee and severe disability, half for low income, 150 for poverty; ages 16-59.
"""

from __future__ import annotations

import pytest

from medcalc import Calculator, PensionGradeError, Person, UnknownCategoryError
from medcalc.errors import MissingInputError

from support import D, book, core_yaml, day

BORN_1970 = day("1970-05-05")


@pytest.fixture
def calc() -> Calculator:
    return Calculator(book(core_yaml()))


def test_medical_full_for_five_guarantee(calc: Calculator) -> None:
    """Five-guarantee: the government pays the whole 220; the person pays 0."""
    m = calc.premiums(
        "core", Person(categories={"five_guarantee"}, birth_date=BORN_1970), 2018
    ).medical
    assert m is not None
    assert (m.contribution, m.government_pays, m.individual_pays, m.profile) == (
        D("220"),
        D("220"),
        D("0"),
        "five_guarantee",
    )


def test_medical_share_and_amount(calc: Calculator) -> None:
    """Low income: round(220 x 0.5) = 110; poverty: min(150, 220) = 150."""
    low = calc.premiums("core", Person(categories={"low_income"}, birth_date=BORN_1970), 2018)
    assert low.medical is not None
    assert (low.medical.government_pays, low.medical.individual_pays) == (D("110.00"), D("110.00"))
    poor = calc.premiums("core", Person(categories={"poverty"}, birth_date=BORN_1970), 2018)
    assert poor.medical is not None
    assert (poor.medical.government_pays, poor.medical.individual_pays) == (D("150"), D("70"))


def test_medical_most_favourable_never_summed(calc: Calculator) -> None:
    """Holding low income and poverty gives the larger share (150), not 110 + 150."""
    both = Person(categories={"low_income", "poverty"}, birth_date=BORN_1970)
    m = calc.premiums("core", both, 2018).medical
    assert m is not None
    # candidates: base 0, low_income 110, poverty 150 -> poverty; the person pays 220 - 150 = 70
    assert (m.government_pays, m.individual_pays, m.profile) == (D("150"), D("70"), "poverty")
    assert [(a.profile, a.amount) for a in m.alternatives] == [
        ("base", D("0")),
        ("low_income", D("110.00")),
        ("poverty", D("150")),
    ]


def test_disability_grade_3_needs_a_qualifying_type(calc: Calculator) -> None:
    """Grade 3 counts as severe disability only for intellectual or mental disability."""
    mental = Person(disability_grade=3, disability_type="mental", birth_date=BORN_1970)
    physical = Person(disability_grade=3, disability_type="physical", birth_date=BORN_1970)
    r_mental = calc.premiums("core", mental, 2018)
    r_physical = calc.premiums("core", physical, 2018)
    assert r_mental.categories == ("severe_disability",)
    assert r_mental.medical is not None and r_mental.medical.government_pays == D("220")
    assert r_physical.categories == ()
    assert r_physical.medical is not None and r_physical.medical.individual_pays == D("220")
    # pension 代缴 for severe disability: full = the lowest open grade 120; person pays 0
    assert r_mental.pension is not None
    assert (r_mental.pension.grade, r_mental.pension.government_pays) == (D("120"), D("120"))


def test_disability_grade_2_any_type(calc: Calculator) -> None:
    """Grades 1-2 are severe whatever the type."""
    r = calc.premiums(
        "core", Person(disability_grade=2, disability_type="physical", birth_date=BORN_1970), 2018
    )
    assert r.categories == ("severe_disability",)


def test_pension_ordinary_default_lowest_open_grade(calc: Calculator) -> None:
    """An ordinary person pays the lowest grade open to everyone (120) and gets its subsidy."""
    p = calc.premiums("core", Person(birth_date=BORN_1970), 2018).pension
    assert p is not None
    # the grade 100 is reserved for poverty/low income, so 120 is the lowest open grade
    assert (p.due, p.grade, p.government_pays, p.individual_pays, p.subsidy) == (
        True,
        D("120"),
        D("0"),
        D("120"),
        D("30"),
    )


def test_pension_reserved_grade_for_the_poor(calc: Calculator) -> None:
    """The poor may keep the reserved grade 100; the government pays min(150, 100) = 100."""
    p = calc.premiums("core", Person(categories={"poverty"}, birth_date=BORN_1970), 2018).pension
    assert p is not None
    assert p.open_grades == (D("120"), D("240"), D("600"), D("100"))
    # M = lowest open grade = 100 = default G; poverty {amount: 150} limited to G = 100
    assert (p.grade, p.government_pays, p.individual_pays, p.subsidy) == (
        D("100"),
        D("100"),
        D("0"),
        D("30"),
    )


def test_pension_reserved_grade_refused_to_others(calc: Calculator) -> None:
    """Choosing the reserved grade without the category is an error naming the field."""
    with pytest.raises(PensionGradeError, match="reserved") as info:
        calc.premiums("core", Person(birth_date=BORN_1970), 2018, pension_grade=D("100"))
    assert info.value.field == "pension_grade"


def test_pension_unknown_grade(calc: Calculator) -> None:
    """A grade the tariff does not have is an error."""
    with pytest.raises(PensionGradeError, match="not a pension grade"):
        calc.premiums("core", Person(birth_date=BORN_1970), 2018, pension_grade=D("130"))


def test_pension_government_limited_to_chosen_grade(calc: Calculator) -> None:
    """代缴 is limited to the chosen grade; a higher grade is paid by the person above it."""
    poor = Person(categories={"poverty"}, birth_date=BORN_1970)
    at_240 = calc.premiums("core", poor, 2018, pension_grade=D("240")).pension
    assert at_240 is not None
    # poverty {amount: 150}, limited to G = 240 -> 150; person pays 240 - 150 = 90; subsidy 35
    assert (at_240.government_pays, at_240.individual_pays, at_240.subsidy) == (
        D("150"),
        D("90"),
        D("35"),
    )
    five = Person(categories={"five_guarantee"}, birth_date=BORN_1970)
    at_600 = calc.premiums("core", five, 2018, pension_grade=D("600")).pension
    assert at_600 is not None
    # five-guarantee full = M = 120 (100 is not open to them); person pays 600 - 120 = 480
    assert (at_600.government_pays, at_600.individual_pays, at_600.subsidy) == (
        D("120"),
        D("480"),
        D("60"),
    )


def test_pension_share_of_minimum(calc: Calculator) -> None:
    """Low income: {share: 0.5} of the lowest open grade 100 = 50."""
    p = calc.premiums("core", Person(categories={"low_income"}, birth_date=BORN_1970), 2018).pension
    assert p is not None
    assert (p.grade, p.government_pays, p.individual_pays) == (D("100"), D("50.00"), D("50.00"))


def test_pension_age_on_first_january(calc: Calculator) -> None:
    """Age counts on 1 January: born 1958-01-01 is 60 (past the range), born 1958-01-02 is 59."""
    sixty = calc.premiums("core", Person(birth_date=day("1958-01-01")), 2018).pension
    fifty_nine = calc.premiums("core", Person(birth_date=day("1958-01-02")), 2018).pension
    assert sixty is not None and fifty_nine is not None
    assert (sixty.age, sixty.due, sixty.past_age, sixty.basic_pension_monthly) == (
        60,
        False,
        True,
        D("148"),
    )
    assert (fifty_nine.age, fifty_nine.due) == (59, True)


def test_pension_too_young(calc: Calculator) -> None:
    """Age 15 on 1 January: no contribution due, not past the range, no pension shown."""
    p = calc.premiums("core", Person(birth_date=day("2002-01-02")), 2018).pension
    assert p is not None
    assert (p.age, p.due, p.past_age, p.basic_pension_monthly) == (15, False, False, None)


def test_pension_needs_birth_date(calc: Calculator) -> None:
    """Without a birth date the pension cannot be assessed: an error naming birth_date."""
    with pytest.raises(MissingInputError) as info:
        calc.premiums("core", Person(), 2018)
    assert info.value.field == "birth_date"


def test_unknown_category(calc: Calculator) -> None:
    """A category the tariff does not declare is an error naming the field."""
    with pytest.raises(UnknownCategoryError, match="'orphan'") as info:
        calc.premiums("core", Person(categories={"orphan"}, birth_date=BORN_1970), 2018)
    assert info.value.field == "categories"


def test_pension_age_checked_before_the_grade(calc: Calculator) -> None:
    """Past the contribution ages nothing is due, whatever grade was asked for."""
    p = calc.premiums("core", Person(birth_date=day("1940-03-01")), 2018, pension_grade=D("100"))
    assert p.pension is not None
    # age 77 on 2018-01-01: past 16-59, so not due; the basic pension 148 is shown
    assert (p.pension.due, p.pension.past_age, p.pension.basic_pension_monthly) == (
        False,
        True,
        D("148"),
    )
