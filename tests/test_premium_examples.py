"""Hand-worked premium examples (spec §4.1, §4.2), each showing its arithmetic.

The tariff is ``support.core_yaml()``: medical contribution 220; government pays in full for
five-guarantee and severe disability, half for low income, 150 for poverty. Pension grades 120
(subsidy 30), 240 (35), 600 (60) and 100 (30) kept for poverty and low income; 代缴: full for
five-guarantee and severe disability, half for low income, 150 for poverty; ages 16-59.
"""

from __future__ import annotations

import attrs
import pytest

from medcalc import Calculator, PensionGradeError, Person, UnknownCategoryError
from medcalc.errors import MissingInputError, TariffError
from medcalc.tariff import NO_CAP, CriticalIllness, Enrollment, PensionPremium, Tariff, TariffBook

from support import D, book, core_yaml, day, tariff

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


# -- the 代缴 base per candidate (spec §4.2: M_c, the lowest grade open to c alone) ----------

# Grades 120 (open), 240 (open), 600 (open), 100 kept for poverty and low income, and 60 kept
# for the severely disabled; 代缴 as in core_yaml: full, full, half, 150.
SPLIT_BASES = core_yaml().replace(
    "    - {amount: 100, subsidy: 30, for: [poverty, low_income]}\n",
    "    - {amount: 100, subsidy: 30, for: [poverty, low_income]}\n"
    "    - {amount: 60, subsidy: 20, for: [severe_disability]}\n",
)


def test_pension_base_per_candidate_all_three_forms() -> None:
    """Each candidate's 代缴 is measured on its own base M_c; a `for` grade opened by one
    category never lowers what another category's full or share pays."""
    calc = Calculator(book(SPLIT_BASES))
    person = Person(
        categories={"five_guarantee", "low_income", "poverty"},
        disability_grade=1,
        birth_date=BORN_1970,
    )
    p = calc.premiums("core", person, 2018, pension_grade=D("240")).pension
    assert p is not None
    # Open to the person: 120, 240, 600, 100 (low income, poverty), 60 (disabled): lowest 60.
    # M_five_guarantee = 120 (no `for` grade names it) -> full: 120
    # M_low_income = 100 -> {share: 0.5}: round(100 x 0.5) = 50
    # M_poverty = 100, but {amount: 150} does not use it -> 150 (at most G = 240)
    # M_severe_disability = 60 -> full: 60
    # (One M = 60 for all, as before: 60, 30, 150, 60.)
    assert [(b.profile, b.amount) for b in p.bases] == [
        ("five_guarantee", D("120")),
        ("low_income", D("100")),
        ("poverty", D("100")),
        ("severe_disability", D("60")),
    ]
    assert [(a.profile, a.amount) for a in p.alternatives] == [
        ("base", D("0")),
        ("five_guarantee", D("120")),
        ("low_income", D("50.00")),
        ("poverty", D("150")),
        ("severe_disability", D("60")),
    ]
    # Government pays the largest, 150 (poverty); the person pays 240 - 150 = 90.
    assert (p.lowest_open_grade, p.government_pays, p.individual_pays, p.profile) == (
        D("60"),
        D("150"),
        D("90"),
        "poverty",
    )


def test_pension_full_base_not_lowered_by_another_categorys_grade() -> None:
    """Five-guarantee 代缴 stays on grade 120 when a disability opens grade 60: at grade 240
    the person pays 120, not 180."""
    calc = Calculator(book(SPLIT_BASES))
    person = Person(categories={"five_guarantee"}, disability_grade=1, birth_date=BORN_1970)
    p = calc.premiums("core", person, 2018, pension_grade=D("240")).pension
    assert p is not None
    # five_guarantee: full of M = 120 -> 120; severe_disability: full of M = 60 -> 60.
    # Government pays 120; the person pays 240 - 120 = 120 (with one M = 60: 240 - 60 = 180).
    assert (p.government_pays, p.individual_pays, p.profile) == (
        D("120"),
        D("120"),
        "five_guarantee",
    )
    # Share: low income alone opens 100; with the disability grade 60 open as well, the half
    # is still of 100: at grade 240, round(100 x 0.5) = 50 (one M = 60 would give 30).
    low = Person(categories={"low_income"}, disability_grade=1, birth_date=BORN_1970)
    q = calc.premiums("core", low, 2018, pension_grade=D("240")).pension
    assert q is not None
    # candidates: low_income 50, severe_disability full of 60 = 60 -> 60; pays 180
    assert [(a.profile, a.amount) for a in q.alternatives] == [
        ("base", D("0")),
        ("low_income", D("50.00")),
        ("severe_disability", D("60")),
    ]
    assert (q.government_pays, q.individual_pays) == (D("60"), D("180"))


def test_pension_issue_example_one_more_category_never_costs_more() -> None:
    """The issue's case: a grade-1 disabled person at grade 180 pays 0; adding five-guarantee
    (which opens a lower grade 120) still pays 0 (it paid 60 with one M for everyone)."""
    yaml = core_yaml().replace(
        "    - {amount: 120, subsidy: 30}\n"
        "    - {amount: 240, subsidy: 35}\n"
        "    - {amount: 600, subsidy: 60}\n"
        "    - {amount: 100, subsidy: 30, for: [poverty, low_income]}\n",
        "    - {amount: 180, subsidy: 30}\n"
        "    - {amount: 240, subsidy: 35}\n"
        "    - {amount: 120, subsidy: 30, for: [five_guarantee]}\n",
    )
    calc = Calculator(book(yaml))
    disabled = Person(disability_grade=1, birth_date=BORN_1970)
    both = Person(categories={"five_guarantee"}, disability_grade=1, birth_date=BORN_1970)
    alone = calc.premiums("core", disabled, 2018, pension_grade=D("180")).pension
    more = calc.premiums("core", both, 2018, pension_grade=D("180")).pension
    assert alone is not None and more is not None
    # alone: severe_disability full of M = 180 -> 180; pays 180 - 180 = 0
    assert (alone.government_pays, alone.individual_pays) == (D("180"), D("0"))
    # both: severe_disability still full of its own M = 180 (grade 120 is five-guarantee's);
    # five_guarantee full of M = 120 -> 120; the larger, 180; pays 0 (one M = 120: 60)
    assert (more.government_pays, more.individual_pays, more.profile) == (
        D("180"),
        D("0"),
        "severe_disability",
    )


def _all_reserved_for_poverty(t: Tariff) -> PensionPremium:
    assert t.pension_premium is not None
    grades = tuple(attrs.evolve(g, reserved_for=("poverty",)) for g in t.pension_premium.grades)
    return attrs.evolve(t.pension_premium, grades=grades)


def test_pension_section_with_every_grade_reserved_is_refused_when_built() -> None:
    """A pension section made outside the loader with every grade reserved is a TariffError at
    construction, with the loader's reason, not a ValueError of min() in a later calculation."""
    t = tariff(core_yaml())
    with pytest.raises(TariffError) as caught:
        _all_reserved_for_poverty(t)
    assert str(caught.value) == (
        "PensionPremium.grades: every grade has `for`; at least one grade must be open to everyone"
    )


def test_pension_with_no_grade_open_to_a_category_alone_names_it() -> None:
    """With the model's check off (attrs.validators.disabled), the 代缴 of a category with no
    grade open to it alone is a TariffError naming the category, not a ValueError."""
    t = tariff(core_yaml())
    with attrs.validators.disabled():
        odd = attrs.evolve(t, pension_premium=_all_reserved_for_poverty(t))
    calc = Calculator(TariffBook.of([odd]))
    both = Person(categories={"low_income", "poverty"}, birth_date=day("1980-01-01"))
    with pytest.raises(TariffError) as caught:
        calc.premiums("core", both, 2018)
    # Candidates in the file's order: low_income comes first and has no grade of its own.
    assert "no pension grade is open to category 'low_income' alone" in str(caught.value)
    assert str(caught.value).startswith(f"tariff {t.ref}: ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"rounding": "half_down"},
            "Tariff.rounding: 'half_down' is not one of half_up, half_even",
        ),
        ({"status": "draft"}, "Tariff.status: 'draft' is not one of illustrative, official"),
    ],
)
def test_tariff_refuses_an_unknown_mode_when_built(change: dict[str, str], message: str) -> None:
    """attrs.evolve with a rounding or status the format does not know is a TariffError at once
    (was a KeyError at the first rounding in the core; the numpy engine read it as half_up)."""
    t = tariff(core_yaml())
    with pytest.raises(TariffError) as caught:
        attrs.evolve(t, **change)
    assert str(caught.value) == message
    assert attrs.evolve(t, rounding="half_even").rounding == "half_even"


def test_sections_refuse_an_unknown_bounds_or_benefits_start() -> None:
    """Critical-illness bounds and enrollment benefits_start are checked the same way."""
    with pytest.raises(TariffError, match="'above' is not one of cumulative, above_threshold"):
        CriticalIllness(D("10000"), "above", (), NO_CAP, (), "s")  # type: ignore[arg-type]
    with pytest.raises(TariffError, match="'tomorrow' is not one of next_month, same_day"):
        Enrollment("tomorrow")  # type: ignore[arg-type]
