"""The strict tariff loader: exact model values from a complete file, and its decisions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcalc.errors import Problem, TariffFileError
from medcalc.tariff import (
    MAX_BYTES,
    MAX_DEPTH,
    NO_CAP,
    SECTIONS,
    TARIFF_SECTIONS,
    AmountPayment,
    AssistanceRule,
    Cap,
    Category,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    DisabilityRule,
    Enrollment,
    FullPayment,
    HospitalLevel,
    Inpatient,
    InpatientAdjustment,
    Key,
    MedicalAssistance,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Segment,
    SharePayment,
    Source,
    Tariff,
    Text,
    bundled_dir,
    check_tariff,
    inspect_tariff,
    load_tariff,
    parse_tariff,
    section,
    tariff_files,
    tariff_tree,
    validate_paths,
)

FULL = Path(__file__).parent / "good_tariffs" / "full.yaml"
D = Decimal

MINIMAL = """\
format: 1
series: tiny
version: "1"
title: {zh: 最小}
region: {code: "441802", name: {zh: 清城区}}
effective: {from: 2018-01-01}
status: official
"""


def parse(text: str) -> Tariff:
    return parse_tariff(textwrap.dedent(text).encode(), "t.yaml")


def problems(text: str) -> list[str]:
    return [str(p) for p in check_tariff(textwrap.dedent(text).encode(), "t.yaml")]


def test_full_tariff_gives_exact_model() -> None:
    """Every key of full.yaml lands in the model object it names, with its exact value."""
    t = load_tariff(FULL)
    poverty_label = Text("建档立卡贫困人员", "建档立卡贫困人员")
    expected = Tariff(
        format=1,
        series="test-full",
        version="2018.1",
        title=Text(
            "清远市清城区城乡居民医疗保障待遇标准（2018年度）",
            "Qingcheng resident medical security tariff 2018",
        ),
        region_code="441802",
        region_name=Text("清远市清城区", "Qingcheng District, Qingyuan"),
        effective_from=dt.date(2018, 1, 1),
        effective_to=dt.date(2018, 12, 31),
        status="illustrative",
        rounding="half_even",
        sources=(
            Source(
                "yuefa-2016-13",
                "关于新时期精准扶贫精准脱贫三年攻坚的实施意见",
                "粤发〔2016〕13号",
                "https://example.org/optional",
            ),
            Source("local-notice", "本地通知"),
        ),
        categories=(
            Category(
                "five_guarantee", Text("特困供养人员（五保户）", "five-guarantee household member")
            ),
            Category(
                "severe_disability",
                Text("重度残疾人（一至三级）", "severely disabled (grade 1-3)"),
                (DisabilityRule((1, 2)), DisabilityRule((3,), ("intellectual", "mental"))),
            ),
            Category("poverty", poverty_label, aliases=("建档立卡贫困户", "贫困人员")),
            Category(
                "low_income",
                Text("低保对象", "minimum-living-allowance recipient"),
                aliases=("低保户",),
            ),
        ),
        path=str(FULL),
        sha256=hashlib.sha256(FULL.read_bytes()).hexdigest(),
        enrollment=Enrollment("next_month", ("five_guarantee", "low_income")),
        medical_premium=MedicalPremium(
            D("220.00"),
            (
                CategoryPayment("five_guarantee", FullPayment()),
                CategoryPayment("severe_disability", SharePayment(D("0.5"))),
                CategoryPayment("poverty", FullPayment()),
                CategoryPayment("low_income", AmountPayment(D("100.50"))),
            ),
            "yuefa-2016-13",
        ),
        pension_premium=PensionPremium(
            16,
            59,
            (
                PensionGrade(D("120"), D("30")),
                PensionGrade(D("240"), D("35")),
                PensionGrade(D("100"), D("30"), ("poverty", "low_income")),
            ),
            (
                CategoryPayment("five_guarantee", FullPayment()),
                CategoryPayment("severe_disability", SharePayment(D("0.5"))),
                CategoryPayment("poverty", AmountPayment(D("100"))),
            ),
            "yuefa-2016-13",
            D("148.00"),
        ),
        inpatient=Inpatient(
            (
                HospitalLevel(
                    "level_1",
                    Text("一级及以下医院", "grade-1 hospital or below"),
                    D("300"),
                    D("0.90"),
                ),
                HospitalLevel(
                    "level_2", Text("二级医院", "grade-2 hospital"), D("500"), D("0.80"), ("二级",)
                ),
                HospitalLevel("level_3", Text("三级医院", "三级医院"), D("800"), D("0.1")),
            ),
            Cap(D("200000")),
            (
                InpatientAdjustment("poverty", D("0.5"), D("0.2")),
                InpatientAdjustment("five_guarantee", D("0"), None, NO_CAP),
            ),
            "local-notice",
        ),
        critical_illness=CriticalIllness(
            D("15000"),
            "cumulative",
            (
                Segment(D("100000"), D("0.60")),
                Segment(D("200000"), D("0.70")),
                Segment(None, D("0.80")),
            ),
            Cap(D("400000")),
            (
                CriticalIllnessAdjustment("poverty", D("0.5"), None, D("0.05"), None, NO_CAP),
                CriticalIllnessAdjustment(
                    "five_guarantee",
                    None,
                    D("5000"),
                    None,
                    (Segment(D("50000"), D("0.75")), Segment(None, D("0.90"))),
                    Cap(D("500000.50")),
                ),
            ),
            "yuefa-2016-13",
        ),
        medical_assistance=MedicalAssistance(
            (
                AssistanceRule("five_guarantee", D("1.00"), NO_CAP),
                AssistanceRule("poverty", D("0.70"), Cap(D("50000")), D("1000")),
            ),
            "yuefa-2016-13",
        ),
    )
    assert t == expected


def test_sha256_and_path_identify_the_file() -> None:
    """Tariff.sha256 is the hash of the file's exact bytes (what sha256sum prints)."""
    t = load_tariff(FULL)
    assert t.sha256 == hashlib.sha256(FULL.read_bytes()).hexdigest()
    assert t.path == str(FULL)


def test_decimals_are_exact() -> None:
    """Ratios are read from their text, so 0.1 + 0.2 is exactly 0.3 (no float on the way)."""
    t = load_tariff(FULL)
    assert t.inpatient is not None
    ratio = t.inpatient.levels[2].ratio
    bonus = t.inpatient.adjustments[0].ratio_bonus
    assert bonus is not None
    assert ratio + bonus == Decimal("0.3")
    assert type(ratio) is Decimal


def test_amounts_hold_two_decimals_and_ratios_keep_their_text() -> None:
    """An amount written 220 is held as 220.00; a ratio written 0.90 stays 0.90."""
    t = load_tariff(FULL)
    assert t.medical_premium is not None and t.inpatient is not None
    assert str(t.medical_premium.contribution) == "220.00"
    assert str(t.inpatient.levels[0].ratio) == "0.90"
    assert str(t.inpatient.levels[2].ratio) == "0.1"


def test_none_means_no_cap() -> None:
    """`annual_cap: none` is Cap(None), an unlimited cap."""
    t = load_tariff(FULL)
    assert t.critical_illness is not None
    cap = t.critical_illness.adjustments[0].annual_cap
    assert cap == Cap(None)
    assert cap is not None and cap.unlimited


def test_english_label_defaults_to_chinese() -> None:
    """A label without `en` uses its Chinese text in English output too."""
    t = load_tariff(FULL)
    poverty = t.category("poverty")
    assert poverty is not None
    assert poverty.label == Text("建档立卡贫困人员", "建档立卡贫困人员")


def test_declaration_order_is_kept() -> None:
    """Lists and category-keyed maps keep the order of the file (it breaks ties)."""
    t = load_tariff(FULL)
    assert [c.id for c in t.categories] == [
        "five_guarantee",
        "severe_disability",
        "poverty",
        "low_income",
    ]
    assert t.medical_premium is not None
    assert [p.category for p in t.medical_premium.government_pays] == [
        "five_guarantee",
        "severe_disability",
        "poverty",
        "low_income",
    ]


def test_sections_may_be_left_out() -> None:
    """A header alone is a valid tariff; `to` may be left out (open-ended) and en defaults."""
    t = parse(MINIMAL)
    assert (t.effective_to, t.rounding, t.sources, t.categories) == (None, "half_up", (), ())
    assert t.critical_illness is None and t.medical_premium is None and t.enrollment is None


def test_quoted_iso_date_is_accepted() -> None:
    """A date may be written plain or as quoted ISO text."""
    t = parse(MINIMAL.replace("{from: 2018-01-01}", '{from: "2018-01-01", to: "2018-06-30"}'))
    assert (t.effective_from, t.effective_to) == (dt.date(2018, 1, 1), dt.date(2018, 6, 30))


def test_above_threshold_bounds_need_only_rise_from_zero() -> None:
    """With bounds: above_threshold a first `to` below the threshold is fine (it is added)."""
    t = parse(
        MINIMAL
        + """\
sources: [{id: s, title: 依据}]
critical_illness:
  threshold: 15000
  bounds: above_threshold
  segments: [{to: 10000, ratio: 0.5}, {ratio: 0.6}]
  annual_cap: none
  source: s
"""
    )
    assert t.critical_illness is not None
    assert t.critical_illness.bounds == "above_threshold"
    assert t.critical_illness.segments[0] == Segment(D("10000"), D("0.5"))


def test_several_errors_are_all_reported_in_file_order() -> None:
    """Every problem of a file is reported, in file order, even when a section uses
    categories declared further down."""
    text = """\
    format: 1
    series: several
    version: 2018.1
    title: {zh: 多处错误}
    region: {code: "441802", name: {zh: 清城区}}
    effective: {from: 2018-01-01, to: 2018-12-31}
    status: illustrative
    sources: [{id: s, title: 依据}]
    critical_illness:
      threshold: 15000
      segments:
        - {to: 100000, ratio: 1.2}
        - {to: 90000, ratio: 0.7}
        - {ratio: 0.8}
      annual_cap: ~
      adjustments:
        poverty: {threshold_factor: 0.5}
        orphan: {ratio_bonus: 0.05}
      source: t
    categories:
      - {id: poverty, label: {zh: 贫困人员}, colour: red}
    """
    assert problems(text) == [
        't.yaml:3:10: version: expected text, found the number 2018.1; quote it: version: "2018.1"',
        "t.yaml:12:27: critical_illness.segments[0].ratio: 1.2 is outside [0, 1]",
        "t.yaml:13:12: critical_illness.segments[1].to: 90000.00 does not rise above the "
        "previous bound 100000.00; bounds must rise strictly",
        "t.yaml:15:15: critical_illness.annual_cap: no value given; write `none` for no cap, "
        "or an amount",
        "t.yaml:18:5: critical_illness.adjustments: undeclared category 'orphan' "
        "(declared: poverty)",
        "t.yaml:19:11: critical_illness.source: undeclared source 't' (declared: s)",
        "t.yaml:21:38: unknown key 'colour' in categories[0] "
        "(expected id, label, aliases, disability)",
    ]


def test_parse_raises_with_every_problem() -> None:
    """parse_tariff raises TariffFileError whose problems are check_tariff's, each located."""
    data = MINIMAL.replace("official", "draft").replace('"1"', "1").encode()
    with pytest.raises(TariffFileError) as info:
        parse_tariff(data, "x.yaml")
    assert list(info.value.problems) == check_tariff(data, "x.yaml")
    assert [(p.line, p.column) for p in info.value.problems] == [(3, 10), (7, 9)]
    assert str(info.value).startswith("x.yaml:3:10: version:")


def test_missing_file_is_a_tariff_file_error(tmp_path: Path) -> None:
    """A file that cannot be read is reported like a problem in it, not as an OSError."""
    with pytest.raises(TariffFileError) as info:
        load_tariff(tmp_path / "nope.yaml")
    assert info.value.problems[0] == Problem(
        str(tmp_path / "nope.yaml"), 1, 1, "cannot read the file: No such file or directory"
    )


def test_good_tariff_has_no_problems() -> None:
    """check_tariff of a valid file is empty."""
    assert check_tariff(FULL.read_bytes(), str(FULL)) == []


def test_bundled_tariffs_are_valid() -> None:
    """Every tariff that ships with medcalc passes the strict check (and they do not overlap)."""
    bundled = bundled_dir()
    if bundled is None or not tariff_files([bundled]):
        pytest.skip("no bundled tariffs in this checkout")
    assert validate_paths([bundled]) == []


# -- issue 11: -0, refused characters, nesting, huge numbers, size, linear work ------------------

SOURCED = MINIMAL + "sources: [{id: s, title: 依据}]\n"


def test_negative_zero_is_read_as_zero() -> None:
    """-0 is zero, not a negative amount: -0.00 is read as 0.00 (never printed as -0.00), and a
    ratio or factor -0 / -0.0 is 0 / 0.0 with the digits written, like 0 / 0.0."""
    t = parse(
        SOURCED
        + """\
categories: [{id: p, label: {zh: 贫困}}]
medical_premium: {contribution: -0.00, government_pays: {p: {amount: -0}}, source: s}
inpatient:
  levels: [{id: l1, label: {zh: 一级}, deductible: -0, ratio: -0.0}]
  annual_cap: -0.0
  adjustments: {p: {deductible_factor: -0}}
  source: s
"""
    )
    assert t.medical_premium is not None and t.inpatient is not None
    level = t.inpatient.levels[0]
    payment = t.medical_premium.government_pays[0].payment
    assert isinstance(payment, AmountPayment)
    cap = t.inpatient.annual_cap.amount
    factor = t.inpatient.adjustments[0].deductible_factor
    assert cap is not None and factor is not None
    values = [t.medical_premium.contribution, payment.amount, level.deductible, cap]
    assert [str(v) for v in values] == ["0.00"] * 4
    assert (str(level.ratio), str(factor)) == ("0.0", "0")
    assert not any(v.is_signed() for v in [*values, level.ratio, factor])


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\x00", "U+0000 (a control character)"),
        ("\x07", "U+0007 (a control character)"),
        ("\x1b", "U+001B (a control character)"),
        ("\x7f", "U+007F (a control character)"),
        ("\x85", "U+0085 (a control character)"),
        ("\u2029", "U+2029 PARAGRAPH SEPARATOR (a line break only YAML sees)"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE (an invisible direction mark)"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE (an invisible direction mark)"),
        ("\ufffe", "U+FFFE (a byte-order mark or non-character)"),
    ],
)
def test_refused_character_is_a_located_problem(char: str, named: str) -> None:
    """A control character (YAML's reader raised an unlocated ReaderError on most), a line break
    only YAML counts, or an invisible direction mark is refused at its line and column; the
    count of the others is given (the file cannot be read further)."""
    text = MINIMAL.replace("最小", f"最{char}小") + f"# again {char} and {char}\n"
    assert problems(text) == [
        f"t.yaml:4:14: the character {named} is not allowed in a tariff file; "
        "remove it; 2 more in the file"
    ]


def test_tab_and_line_ends_are_still_text() -> None:
    """Tab inside quotes, CRLF and a leading byte-order mark are ordinary text, as before."""
    text = "\ufeff" + MINIMAL.replace("{zh: 最小}", '{zh: "最\t小"}').replace("\n", "\r\n")
    assert parse(text).title.zh == "最\t小"


def nested(depth: int, style: str) -> str:
    """MINIMAL with ``depth`` nested collections in all, the root mapping being the first."""
    if style == "flow":  # notes: [[...]]
        return MINIMAL + "notes: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    if style == "block_map":  # k0: / k1: / ... each key's value a mapping, the last's a scalar
        keys = "".join(" " * i + f"k{i}:\n" for i in range(depth))
        return MINIMAL + keys + " " * depth + "x\n"
    # notes: / - / - ...: each "-" a list whose one item is the next list
    return MINIMAL + "notes:\n" + "".join("  " * i + "-\n" for i in range(1, depth))


@pytest.mark.parametrize(
    ("style", "depth"),
    [("flow", 1000), ("flow", 100_000), ("block_map", 500), ("block_list", 400)],
)
def test_deep_nesting_is_a_problem_not_a_recursion_error(style: str, depth: int) -> None:
    """Nesting hundreds or 100,000 deep (each file within MAX_BYTES) gives one problem (ours
    at level 21, or libyaml's own 1000-level limit first), never RecursionError (a block
    mapping 500 deep raised it before issue 11)."""
    with pytest.raises(TariffFileError) as info:
        parse(nested(depth, style))
    (problem,) = info.value.problems
    assert (
        "nested more than 20 levels deep" in problem.message
        or "exceeded maximum nesting depth" in problem.message
    )


@pytest.mark.parametrize("style", ["flow", "block_map", "block_list"])
def test_nesting_limit_is_max_depth(style: str) -> None:
    """20 levels are read (then refused as an unknown key, as any key would be); 21 are not."""
    assert MAX_DEPTH == 20
    (ok,) = problems(nested(MAX_DEPTH, style))
    assert "unknown key" in ok
    (deep,) = problems(nested(MAX_DEPTH + 1, style))
    assert deep.endswith(
        ": nested more than 20 levels deep (a tariff needs at most 6); "
        "check the brackets and the indentation"
    )


HUGE = "9" * 4301  # one digit over Python's int() limit for str conversion


@pytest.mark.parametrize(
    ("old", "new", "gist"),
    [
        ("format: 1", f"format: {HUGE}", f"format: {HUGE[:40]}… (4,301 characters)"),
        ('version: "1"', f"version: {HUGE}", f"found the number {HUGE[:40]}… (4,301"),
        ("from: 2018-01-01", f"from: {HUGE}", f"found the number {HUGE[:40]}… (4,301"),
        ("status: official", f"status: {HUGE}", f"found the number {HUGE[:40]}… (4,301"),
        ("status: official", f"status: 0.{HUGE}", "found the number 0.999999999999999999"),
        ("status: official", f"status: {HUGE}e5", f'"{HUGE[:40]}"… (4,303 characters)'),
    ],
)
def test_huge_number_anywhere_is_a_short_problem(old: str, new: str, gist: str) -> None:
    """A number of 4,301 digits anywhere is a clean problem (format's raised ValueError from
    Python's 4,300-digit limit before issue 11), and the message shows its start, not all."""
    with pytest.raises(TariffFileError) as info:
        parse(MINIMAL.replace(old, new))
    (problem,) = info.value.problems
    assert gist in problem.message
    assert len(problem.message) < 250


@pytest.mark.parametrize(
    ("section", "gist"),
    [
        (f"medical_premium: {{contribution: {HUGE}, government_pays: {{}}, source: s}}",
         "is larger than the largest amount 999999999999.99"),
        (f"medical_premium: {{contribution: 1.{HUGE}, government_pays: {{}}, source: s}}",
         "has more than 2 decimal places"),
        (f"pension_premium: {{ages: {{from: {HUGE}, to: 59}}, grades: [{{amount: 1, subsidy: 1}}],"
         " government_pays: {}, source: s}", "is outside [0, 150]"),
        (f"categories: [{{id: c, label: {{zh: 残}}, disability: [{{grades: [{HUGE}]}}]}}]",
         "is outside [1, 4]"),
        (f"inpatient: {{levels: [{{id: l, label: {{zh: 级}}, deductible: 1, ratio: {HUGE}}}],"
         " annual_cap: none, source: s}", "is outside [0, 1]"),
    ],
)  # fmt: skip
def test_huge_number_in_a_section_is_a_short_problem(section: str, gist: str) -> None:
    """Amounts, ages, grades and ratios of thousands of digits are refused by range, shortly."""
    with pytest.raises(TariffFileError) as info:
        parse(SOURCED + section + "\n")
    (problem,) = info.value.problems
    assert gist in problem.message and "… (4,30" in problem.message
    assert len(problem.message) < 250


def test_ratio_with_thousands_of_decimals_is_kept_exactly() -> None:
    """A ratio from 0 to 1 is exact as written, however many decimals: 0.5 followed by 5,000
    digits is a valid ratio (the engines must take it; nothing in the format limits decimals)."""
    ratio = "0.5" + "3" * 5000
    t = parse(
        SOURCED + "inpatient: {levels: [{id: l, label: {zh: 级}, deductible: 1, ratio: "
        f"{ratio}}}], annual_cap: none, source: s}}\n"
    )
    assert t.inpatient is not None
    assert t.inpatient.levels[0].ratio == Decimal(ratio)
    assert str(t.inpatient.levels[0].ratio) == ratio


def test_bytes_above_max_bytes_are_refused_unless_lifted() -> None:
    """More than MAX_BYTES (256 KiB) is one problem at 1:1; max_bytes=None lifts the limit."""
    data = MINIMAL.encode() + b"#" * MAX_BYTES
    assert check_tariff(data, "t.yaml") == [
        Problem(
            "t.yaml",
            1,
            1,
            f"the file is {len(data):,} bytes; a tariff file may be at most {MAX_BYTES:,} bytes",
        )
    ]
    assert parse_tariff(data, "t.yaml", max_bytes=None).series == "tiny"


def test_directory_is_not_read_as_a_tariff(tmp_path: Path) -> None:
    """load_tariff of a directory says what it is, at 1:1."""
    with pytest.raises(TariffFileError) as info:
        load_tariff(tmp_path)
    assert info.value.problems == (
        Problem(str(tmp_path), 1, 1, "not a regular file (a directory); a tariff is a .yaml file"),
    )


def many_categories(n: int, bad_refs: int) -> str:
    """A tariff declaring ``n`` categories, ``bad_refs`` of whose references are undeclared."""
    decls = "".join(f"  - {{id: c{i}, label: {{zh: 类{i}}}}}\n" for i in range(n))
    refs = "".join(f"    x{i}: full\n" for i in range(bad_refs))
    return (
        SOURCED
        + "categories:\n"
        + decls
        + "medical_premium:\n  contribution: 220\n  government_pays:\n"
        + refs
        + "  source: s\n"
    )


def test_many_bad_references_give_bounded_messages() -> None:
    """Each of 2,000 undeclared references to 2,000 declared ids names at most 50 of them: the
    messages grow linearly with the file (before issue 11 each listed all 2,000: 30 MB)."""
    found = check_tariff(many_categories(2000, 2000).encode(), "t.yaml")
    assert len(found) == 2000
    assert found[0].message == (
        "medical_premium.government_pays: undeclared category 'x0' (declared: "
        + ", ".join(f"c{i}" for i in range(50))
        + ", ... (2,000 in all))"
    )
    assert sum(len(p.message) for p in found) < 2000 * 400


def test_few_declared_ids_still_get_a_suggestion() -> None:
    """With a real table's handful of ids, a misspelt reference still gets 'did you mean'."""
    text = many_categories(3, 1) + "enrollment: {benefits_start: same_day, exempt: [c11]}\n"
    assert [m.split(": ", 1)[1] for m in problems(text)] == [
        "medical_premium.government_pays: undeclared category 'x0' (declared: c0, c1, c2)",
        "enrollment.exempt[0]: undeclared category 'c11' (did you mean 'c1'?)",
    ]


def test_long_lists_still_find_the_second_of_two() -> None:
    """Ids are looked up in sets (a list made 80k sources take 114 s); a repeat is still found."""
    sources = "".join(f"  - {{id: s{i}, title: 依据}}\n" for i in range(3000))
    found = problems(MINIMAL + "sources:\n" + sources + "  - {id: s7, title: 再}\n")
    assert found == ["t.yaml:3009:10: sources[3000].id: source 's7' is declared twice"]


# -- property: no input makes the check raise -----------------------------------------------

FULL_TEXT = FULL.read_text(encoding="utf-8")
HOSTILE_PIECES = ["\x00", "\x1b", "\x85", "\u2028", "\u202e", "\ufeff", "[" * 30, "{", "]",
                  "- ", ": ", "&a ", "*a", "!!int ", "9" * 4400, "-0", "\t", "\r", '"', "'",
                  "\n  ", "#", "0." + "1" * 500, "---\n", "%YAML 1.1\n"]  # fmt: skip


@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(FULL_TEXT)),
            st.integers(0, 20),
            st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=5)),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_no_edit_of_a_good_file_makes_the_check_raise(edits: list[tuple[int, int, str]]) -> None:
    """Whatever is cut from or put into a valid file, checking it gives a tariff or located
    problems (line and column from 1, in file order), never an exception."""
    text = FULL_TEXT
    for at, cut, piece in edits:
        text = text[:at] + piece + text[at + cut :]
    data = text.encode("utf-8", "surrogatepass")
    found = check_tariff(data, "t.yaml")
    assert all(p.line >= 1 and p.column >= 1 for p in found)
    assert [(p.line, p.column) for p in found] == sorted((p.line, p.column) for p in found)


@given(data=st.binary(max_size=300))
def test_no_bytes_make_the_check_raise(data: bytes) -> None:
    """Any bytes at all are a tariff or located problems, never an exception."""
    assert all(p.line >= 1 and p.column >= 1 for p in check_tariff(data, "t.yaml"))


# -- aliases (spec §3): names of categories and hospital levels --------------------------------


def test_category_named_finds_ids_labels_and_aliases() -> None:
    """category_named gives the id for the id, the zh or en label or an alias, compared after
    NFKC, case folding and trimming; anything else, and the implicit `base`, give None."""
    t = load_tariff(FULL)
    found = {
        text: t.category_named(text)
        for text in [
            "poverty",
            "POVERTY",
            "ｐｏｖｅｒｔｙ",  # full-width, as a Chinese input method types it
            "建档立卡贫困人员",
            " 建档立卡贫困户\u3000",  # an alias, with an ideographic space after it
            "贫困人员",
            "低保户",
            "Minimum-Living-Allowance Recipient",
            "low_income",
            "base",
            "普通参保人",
            "贫困",
            "",
        ]
    }
    assert found == {
        "poverty": "poverty",
        "POVERTY": "poverty",
        "ｐｏｖｅｒｔｙ": "poverty",
        "建档立卡贫困人员": "poverty",
        " 建档立卡贫困户\u3000": "poverty",
        "贫困人员": "poverty",
        "低保户": "low_income",
        "Minimum-Living-Allowance Recipient": "low_income",
        "low_income": "low_income",
        "base": None,
        "普通参保人": None,
        "贫困": None,
        "": None,
    }


def test_level_named_finds_ids_labels_and_aliases() -> None:
    """level_named does the same for hospital levels; a tariff without inpatient has none."""
    t = load_tariff(FULL)
    texts = ["level_2", "LEVEL_2", "二级医院", "二级", " Grade-2 Hospital ", "三级医院", "二", "级"]
    assert [t.level_named(x) for x in texts] == [
        "level_2",
        "level_2",
        "level_2",
        "level_2",
        "level_2",
        "level_3",
        None,
        None,
    ]
    assert parse(MINIMAL).level_named("level_1") is None


def test_names_follow_the_fields_they_come_from() -> None:
    """The names are built from the categories and levels they belong to: a tariff made with
    other categories (attrs.evolve) finds its own names, and equality ignores the lookup."""
    t = load_tariff(FULL)
    other = attrs.evolve(t, categories=(Category("orphan", Text("孤儿", "orphan"), (), ("孤",)),))
    assert (other.category_named("孤"), other.category_named("poverty")) == ("orphan", None)
    assert load_tariff(FULL) == t and hash(load_tariff(FULL)) == hash(t)


def test_aliases_are_kept_in_file_order_and_names_list_them() -> None:
    """Aliases stay as written, in file order, after the id and labels in `names`."""
    t = load_tariff(FULL)
    poverty = t.category("poverty")
    assert poverty is not None and t.inpatient is not None
    assert poverty.aliases == ("建档立卡贫困户", "贫困人员")
    assert poverty.names == (
        "poverty",
        "建档立卡贫困人员",
        "建档立卡贫困人员",
        "建档立卡贫困户",
        "贫困人员",
    )
    assert t.inpatient.levels[1].aliases == ("二级",)
    assert t.inpatient.levels[0].aliases == ()


def test_a_level_name_may_repeat_a_category_name() -> None:
    """Categories and levels are named apart (a claim column names one or the other), so a
    level may be called what a category is; within each, names stay unique."""
    t = parse(
        SOURCED
        + """\
categories: [{id: p, label: {zh: 一级}}]
inpatient:
  levels: [{id: l1, label: {zh: 一级医院}, aliases: [一级], deductible: 1, ratio: 0.5}]
  annual_cap: none
  source: s
"""
    )
    assert (t.category_named("一级"), t.level_named("一级")) == ("p", "l1")


def test_labels_may_repeat_their_own_id_and_each_other() -> None:
    """Within one category the en label may equal the zh label (it defaults to it) or the id;
    only an alias repeating its own category's names is refused (it says nothing)."""
    t = parse(SOURCED + "categories: [{id: orphan, label: {zh: 孤儿, en: Orphan}}]\n")
    assert t.category_named("ORPHAN") == "orphan"
    assert problems(
        SOURCED + "categories: [{id: orphan, label: {zh: 孤儿, en: Orphan}, aliases: [orphan]}]\n"
    ) == [
        't.yaml:9:66: categories[0].aliases[0]: "orphan" is already this category\'s id; '
        "remove the alias"
    ]


def test_every_name_clash_is_reported_once_at_the_later_place() -> None:
    """An alias that repeats in its list and also names another category is one problem per
    place, each at the later name, naming the first one's category, kind and line."""
    text = (
        SOURCED
        + """\
categories:
  - {id: poverty, label: {zh: 建档立卡贫困人员}, aliases: [贫困户]}
  - {id: low_income, label: {zh: 低保对象}, aliases: [贫困户, 低保户, 贫困户]}
"""
    )
    assert problems(text) == [
        "t.yaml:11:51: categories[1].aliases[0]: \"贫困户\" also names category 'poverty' "
        "(its alias on line 10); each id, label and alias must name one category",
        't.yaml:11:61: categories[1].aliases[2]: "贫困户" is listed twice',
    ]


NAME_TEXTS = st.text(alphabet="贫困户低保Aaａ", min_size=1, max_size=3)


@given(
    entries=st.lists(
        st.tuples(NAME_TEXTS, st.none() | NAME_TEXTS, st.lists(NAME_TEXTS, max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_a_valid_tariff_names_each_category_one_way(
    entries: list[tuple[str, str | None, list[str]]],
) -> None:
    """Policy: when the loader accepts a table, every id, label and alias (however spaced,
    cased or full-width) leads to its own category; when it refuses one, each problem is a
    name problem at the name."""
    decls = []
    for i, (zh, en, aliases) in enumerate(entries):
        label = f"zh: {json.dumps(zh, ensure_ascii=False)}"
        if en is not None:
            label += f", en: {json.dumps(en, ensure_ascii=False)}"
        alias_list = json.dumps(aliases, ensure_ascii=False)
        decls.append(f"  - {{id: c{i}, label: {{{label}}}, aliases: {alias_list}}}\n")
    data = (SOURCED + "categories:\n" + "".join(decls)).encode()
    result = inspect_tariff(data, "t.yaml")
    if result.tariff is None:
        gists = ("also names category", "listed twice", "already this category's", "is empty")
        assert result.problems
        assert all(any(g in p.message for g in gists) for p in result.problems)
        return
    for category in result.tariff.categories:
        for name in category.names:
            assert result.tariff.category_named(name) == category.id
            assert result.tariff.category_named(f" {name.upper()}\u3000") == category.id


def test_the_registry_names_each_section_once() -> None:
    """TARIFF_SECTIONS gives each optional section its YAML key (a Key constant), its Tariff
    attribute, a label in both languages and its keys; SECTIONS are its keys in file order, and
    each of full.yaml's sections holds every required key and only keys the registry names."""
    assert tuple(s.key for s in TARIFF_SECTIONS) == SECTIONS
    fields = [f.name for f in attrs.fields(Tariff)]
    assert [s.attribute for s in TARIFF_SECTIONS] == [f for f in fields if f in SECTIONS]
    tree = tariff_tree(load_tariff(FULL))
    for s in TARIFF_SECTIONS:
        assert section(s.key) is s
        assert getattr(Key, s.key.upper()) == s.key
        assert s.label.zh and s.label.en
        assert set(s.required) <= set(tree[s.key]) <= set(s.keys)
    with pytest.raises(KeyError):
        section("supplementary")


def test_each_section_key_is_checked_against_the_registry() -> None:
    """A section's unknown key is refused with the keys its registry entry allows, and a
    missing required key is reported at the section's key."""
    bad = MINIMAL + "critical_illness:\n  threshold: 100\n  segment: []\n  annual_cap: none\n"
    problems = [p.message for p in check_tariff(bad.encode(), "t.yaml")]
    assert "unknown key 'segment' in critical_illness (did you mean 'segments'?)" in problems
    assert "critical_illness: missing required key 'source'" in problems
