"""``medcalc.present``: clerk-readable tables of results and tariffs, exact amounts and labels.

The tariff is ``support.core_yaml()`` (see ``tests/test_claims_examples.py`` for its numbers);
its labels are Chinese only, so English tables fall back to them.
"""

from __future__ import annotations

import datetime as dt
import doctest
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import medcalc.present
from medcalc import Calculator, Claim, Person
from medcalc.audit.strategies import amounts, claim_years, persons, tariff_books
from medcalc.chain import benefits_start_text
from medcalc.money import fmt
from medcalc.present import (
    DASH,
    SHORT_SHA,
    amount,
    cap_text,
    claims_table,
    heading,
    percent,
    premiums_table,
    profile_label,
    tariff_diff_table,
    tariff_list_table,
    tariff_table,
    tr,
)
from medcalc.tariff import TariffBook, diff_tariffs, effective_range, load_book

from support import D, book, core_yaml, day

CORE = book(core_yaml())
POOR = Person(categories={"poverty"}, birth_date=day("1980-06-15"))


def test_doctests() -> None:
    """The examples in the docstrings of medcalc.present's public names hold."""
    public = {name: getattr(medcalc.present, name) for name in medcalc.present.__all__}
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for name, value in public.items():
        if callable(value):
            for test in finder.find(value, name, globs={"Decimal": Decimal, **public}):
                runner.run(test)
    assert runner.failures == 0
    assert runner.tries >= 2  # amount and percent at least


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0", "0.00"),
        ("5", "5.00"),
        ("999.5", "999.50"),
        ("1000", "1,000.00"),
        ("1234567.89", "1,234,567.89"),
        ("999999999999.99", "999,999,999,999.99"),
        ("0.10", "0.10"),
    ],
)
def test_amount_format(value: str, text: str) -> None:
    """Amounts get thousands separators and exactly 2 decimals."""
    assert amount(D(value)) == text


def test_amount_is_exact_decimal() -> None:
    """0.1 + 0.2 is written 0.30: the Decimal is formatted, never a float."""
    assert amount(D("0.1") + D("0.2")) == "0.30"


@given(amounts())
def test_amount_groups_the_exact_text(value: Decimal) -> None:
    """Without its separators, a table amount is the amount's exact 2-decimal text."""
    text = amount(value)
    assert text.replace(",", "") == fmt(value)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", text)


@pytest.mark.parametrize(
    ("ratio", "text"),
    [("0.65", "65%"), ("0.955", "95.5%"), ("1", "100%"), ("1.00", "100%"), ("0", "0%")],
)
def test_percent(ratio: str, text: str) -> None:
    """Ratios show as percentages, as exactly as the tariff wrote them."""
    assert percent(D(ratio)) == text


@given(st.decimals(min_value=0, max_value=1, places=4, allow_nan=False))
def test_percent_is_the_ratio_times_100_exactly(ratio: Decimal) -> None:
    """A percentage read back is the tariff's ratio: nothing rounded, nothing lost."""
    text = percent(ratio)
    assert text.endswith("%")
    assert Decimal(text.removesuffix("%")) / 100 == ratio


def test_words_headings_and_caps() -> None:
    """The small helpers the tables and ``tariff show`` share, by hand."""
    assert tr("zh", "封顶", "cap") == "封顶"
    assert tr("en", "封顶", "cap") == "cap"
    assert heading("zh", "基本医疗", "Basic medical") == "【基本医疗】"
    assert heading("en", "基本医疗", "Basic medical") == "[Basic medical]"
    assert cap_text(None, "zh") == "不设封顶"
    assert cap_text(None, "en") == "no cap"
    # 150000 with thousands separators and 2 decimals, the same in both languages
    assert cap_text(D("150000"), "en") == cap_text(D("150000"), "zh") == "150,000.00"
    assert DASH == "—"
    assert SHORT_SHA == 12


def test_effective_range_is_compact_and_open_ended() -> None:
    """``from..to`` with both days; an open-ended version ends in ``..``."""
    closed = CORE.versions("core")[0]
    assert effective_range(closed) == "2018-01-01..2018-12-31"
    # `to` left out: in force from 2019-01-01 with no end
    open_yaml = core_yaml(start="2019-01-01").replace(", to: 2018-12-31}", "}")
    (open_ended,) = book(open_yaml).versions("core")
    assert effective_range(open_ended) == "2019-01-01.."


def test_tariff_tables_write_with_the_same_helpers() -> None:
    """``tariff list/show/diff`` (medcalc.present's tariff tables) and the result tables write
    money, ratios, caps, headings, dashes and ranges with one set of helpers, so the two cannot
    drift apart (issue 12)."""
    tariff = CORE.versions("core")[0]
    (higher,) = book(core_yaml(threshold="16000")).versions("core")
    assert tariff.critical_illness is not None and tariff.inpatient is not None
    for lang in ("zh", "en"):
        shown = tariff_table(tariff, lang)
        assert heading(lang, "人员类别", "Person categories") in shown
        assert amount(tariff.critical_illness.threshold) == "15,000.00"
        assert amount(tariff.critical_illness.threshold) in shown
        for level in tariff.inpatient.levels:
            assert amount(level.deductible) in shown
            assert percent(level.ratio) in shown
        assert cap_text(tariff.inpatient.annual_cap.amount, lang) in shown
        assert f"  {DASH}" in shown  # a category held by no disability rule
        listed = tariff_list_table([tariff], lang)
        assert effective_range(tariff) in listed
        assert tariff.sha256[:SHORT_SHA] in listed
        diffed = tariff_diff_table(tariff, higher, diff_tariffs(tariff, higher), lang)
        assert f"{amount(D('15000'))}" in diffed
        assert amount(D("16000")) in diffed
        assert f"sha256 {higher.sha256[:SHORT_SHA]}" in diffed


def test_profile_labels() -> None:
    """Profiles read as the category's label with its id; base is the ordinary resident."""
    tariff = CORE.versions("core")[0]
    assert profile_label(tariff, "poverty", "zh") == "建档立卡贫困人员 (poverty)"
    assert profile_label(tariff, "base", "zh") == "普通参保人 (base)"
    assert profile_label(tariff, "base", "en") == "ordinary (base)"
    assert profile_label(tariff, "given", "en") == "settled amount given (given)"
    assert profile_label(None, "poverty", "zh") == "poverty"  # no tariff: the id alone


def test_premiums_table_zh() -> None:
    """The premiums table names each section, the amounts and the profile applied."""
    result = Calculator(CORE).premiums("core", POOR, 2018)
    text = premiums_table(result, CORE)
    assert "【城乡居民基本医疗保险（个人缴费）】" in text
    assert "【城乡居民基本养老保险】" in text
    # poverty: {amount: 150} of 220; pension: grade 100 reserved for the poor, 代缴 min(150, 100)
    assert re.search(r"政府资助 +150\.00 +适用标准：建档立卡贫困人员 \(poverty\)", text)
    assert re.search(r"个人应缴 +70\.00", text)
    assert re.search(r"缴费档次 +100\.00", text)
    assert "sha256  " + result.tariff.sha256[:12] + "\n" in text


def test_premiums_table_en() -> None:
    """In English the headings and items are English; labels the tariff lacks stay Chinese."""
    person = Person(categories={"low_income"}, birth_date=day("1990-01-01"))
    text = premiums_table(Calculator(CORE).premiums("core", person, 2018), CORE, lang="en")
    assert "[Resident medical insurance]" in text
    # low_income: {share: 0.5} of 220 = 110.00
    assert re.search(r"Government pays +110\.00 +profile applied: 低保对象 \(low_income\)", text)
    assert "政府" not in text


def test_pension_bases_shown_when_a_category_has_its_own() -> None:
    """A category whose 代缴 base M_c is not the person's lowest open grade is shown with it."""
    # Low income and five-guarantee: grade 100 is open (low income), so the lowest open grade is
    # 100; five-guarantee's own base is 120 (full -> 120), low income's 100 (half -> 50).
    person = Person(categories={"five_guarantee", "low_income"}, birth_date=day("1980-06-15"))
    result = Calculator(CORE).premiums("core", person, 2018, pension_grade=D("240"))
    text = premiums_table(result, CORE, lang="en")
    assert "代缴 base (the lowest grade open to that category alone" in text
    assert "特困供养人员 (five_guarantee) 120.00; 低保对象 (low_income) 100.00" in text
    # Government pays 120 (five-guarantee, full of its own 120); the person pays 240 - 120.
    assert re.search(r"Person pays +120\.00", text)
    # The poor alone: their base is the lowest open grade (100), nothing more to show.
    alone = premiums_table(Calculator(CORE).premiums("core", POOR, 2018), CORE)
    assert "代缴基数" not in alone


def test_the_fen_a_layer_holds_back_is_shown() -> None:
    """When min(i, F* step) bites, the claim's explanation shows the cut and its sum."""
    segments = "    - {to: 15000.01, ratio: 0.45}\n    - {ratio: 0.95}"
    corner = book(core_yaml(rounding="half_even", segments=segments))
    claims = [
        Claim(day("2018-03-01"), D("15000.01"), basic_paid=D("0")),
        Claim(day("2018-03-02"), D("0.01"), basic_paid=D("0")),
    ]
    result = Calculator(corner).claims("core", Person(categories={"five_guarantee"}), claims)
    text = claims_table(result, corner, explain=True, lang="en")
    # Claim 2: F* 3750.00 -> 3750.02 for i = 0.01: paid 0.01, 0.01 held back (test_properties).
    assert re.search(r"Paid for this claim +0\.01 += after - before - limit cut", text)
    assert re.search(r"Limit cut \(never more than this claim's part\) +0\.01", text)
    assert text.count("Limit cut (never") == 1  # claim 1 holds nothing back
    zh = claims_table(result, corner, explain=True)
    assert re.search(r"以本次负担为限扣减 +0\.01", zh)


def test_a_payment_in_december_9999_reads_as_never_covered() -> None:
    """next_month after a December-9999 payment: the table says benefits start after 9999-12-31."""
    late = book(core_yaml(version="9999.1", start="9999-01-01", end="9999-12-31"))
    claim = Claim(day("9999-12-31"), D("1000"), "level_1")
    result = Calculator(late).claims("core", Person(enrolled_on=day("9999-12-05")), [claim])
    zh = claims_table(result, late, explain=True)
    assert "待遇享受起始日为 9999-12-31 之后，本笔日期为 9999-12-31，不享受待遇" in zh
    en = claims_table(result, late, explain=True, lang="en")
    assert "benefits start after 9999-12-31, the first day of the month after the payment" in en


def test_benefits_start_is_written_by_one_helper() -> None:
    """The reason, the claims table and the audit write the start day with benefits_start_text:
    'on <day>' / '<day>', or 'after 9999-12-31' / '9999-12-31 之后' when there is none."""
    assert benefits_start_text(day("2019-05-01")) == "on 2019-05-01"
    assert benefits_start_text(day("2019-05-01"), "zh") == "2019-05-01"
    assert benefits_start_text(None) == "after 9999-12-31"
    assert benefits_start_text(None, "zh") == "9999-12-31 之后"
    # Paid 2018-04-15, next_month: benefits start 2018-05-01; a claim of 2018-04-20 is before.
    calc = Calculator(book(core_yaml()))
    claim = Claim(day("2018-04-20"), D("1000"), "level_1")
    result = calc.claims("core", Person(enrolled_on=day("2018-04-15")), [claim])
    (r,) = result.claims
    assert r.not_covered_reason == (
        "benefits start on 2018-05-01 (paid on 2018-04-15); the claim is dated 2018-04-20"
    )
    zh = claims_table(result, book(core_yaml()), explain=True)
    assert "待遇享受起始日为 2018-05-01，本笔日期为 2018-04-20" in zh


def two_claims() -> list[Claim]:
    return [
        Claim(day("2018-03-01"), D("50000"), "level_2"),
        Claim(day("2018-06-01"), D("200000"), "level_3", total=D("250000"), claim_id="B-2"),
    ]


def test_claims_table_rows_and_totals() -> None:
    """Each claim shows every column; wider than 100 terminal columns as a grid, the claims
    are blocks of ``column  value`` lines (one per claim); the year's totals follow."""
    result = Calculator(CORE).claims("core", POOR, two_claims())
    text = claims_table(result, CORE)
    blocks = text.split("【年度合计】")[0].strip().split("\n\n")[1:]
    assert [b.splitlines()[0].split() for b in blocks] == [["#", "1"], ["#", "2"]]
    columns = ["单据号", "日期", "医院级别", "总费用", "政策范围内费用", "基本医保"]
    columns += ["大病保险", "医疗救助", "个人自付", "是否享受待遇"]
    for block, claim in zip(blocks, result.claims, strict=True):
        lines = dict(line.split(maxsplit=1) for line in block.splitlines())
        assert list(lines)[1:] == columns
        assert lines["个人自付"].strip() == amount(claim.out_of_pocket)
        assert lines["日期"].strip() == claim.claim.date.isoformat()
    assert "【年度合计】" in text
    totals = result.years[0]
    assert amount(totals.out_of_pocket) in text
    assert "【大病保险】" not in text  # no explanation unless asked


def test_claims_table_explain() -> None:
    """With explain, each claim shows its layers, segments, sources and full sha256."""
    result = Calculator(CORE).claims("core", POOR, two_claims())
    text = claims_table(result, CORE, explain=True, lang="en")
    assert text.count("[Critical-illness insurance]") == 2
    assert "Segments touched by this claim" in text
    assert text.count(result.claims[0].tariff.sha256) == 2
    assert "· src: 测试依据" in text


def test_labels_fall_back_to_ids() -> None:
    """A result shown without its tariff book still renders, with ids for labels."""
    result = Calculator(CORE).claims("core", POOR, two_claims())
    text = claims_table(result, TariffBook.of([]), explain=True)
    assert "人员类别：poverty" in text
    assert "建档立卡贫困人员" not in text


def test_wide_characters_line_up() -> None:
    """Chinese columns line up in a terminal: in the year's totals (a grid) the out-of-pocket
    column ends at one display column in the header and the row; in a claim's block every
    amount ends at one display column."""
    try:
        import wcwidth
    except ImportError:
        pytest.fail("wcwidth is missing: tabulate cannot align Chinese; add it to the dependencies")
    result = Calculator(CORE).claims("core", POOR, two_claims())
    text = claims_table(result, CORE)
    years = text.split("【年度合计】")[1].split("\n\n")[0].strip().splitlines()
    total = amount(result.years[0].out_of_pocket)
    cells = [(years[0], "个人自付"), (years[2], total)]
    ends = {wcwidth.wcswidth(line[: line.index(cell) + len(cell)]) for line, cell in cells}
    assert len(ends) == 1, cells
    block = text.split("\n\n")[1].splitlines()
    amounts = [line for line in block if re.search(r"[0-9,]+\.[0-9]{2}$", line)]
    assert len(amounts) == 6  # total, compliant, basic, the two layers, out of pocket
    assert len({wcwidth.wcswidth(line) for line in amounts}) == 1, amounts


def test_an_estimate_fits_100_columns() -> None:
    """Every line of the README's estimate and of a premium estimate, explained, in both
    languages, fits a 100-column terminal (a Chinese character takes two columns)."""
    import wcwidth

    book = load_book(env={})
    calc = Calculator(book)
    person = Person(categories=frozenset({"poverty"}))
    claims = [
        Claim(
            date=dt.date(2018, 6, 1),
            hospital_level=level,
            total=Decimal("130000"),
            compliant=Decimal("120000"),
            claim_id="ZY-2018-000123",
        )
        for level in ("level_1", "level_3")
    ]
    claims_result = calc.claims("qingyuan-qingcheng", person, claims)
    dated = Person(categories=frozenset({"poverty"}), birth_date=dt.date(1980, 6, 15))
    premium = calc.premiums("qingyuan-qingcheng", dated, 2019)
    for lang in ("zh", "en"):
        for text in (
            claims_table(claims_result, book, lang=lang, explain=True),
            premiums_table(premium, book, lang=lang),
        ):
            widths = [wcwidth.wcswidth(line) for line in text.splitlines()]
            assert max(widths) <= 100, text


@given(st.data())
def test_any_claims_render(data: st.DataObject) -> None:
    """Any valid book, person and claims render in both languages with every amount shown."""
    generated = data.draw(tariff_books())
    person = data.draw(persons(tariff=generated))
    claims = data.draw(claim_years(tariff=generated))
    result = Calculator(generated).claims(generated.series()[0], person, claims)
    for lang in ("zh", "en"):
        text = claims_table(result, generated, lang=lang, explain=True)
        for c in result.claims:
            assert amount(c.out_of_pocket) in text
            assert amount(c.critical_illness) in text
