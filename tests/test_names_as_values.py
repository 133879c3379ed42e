"""Categories and hospital levels named as a clerk names them (spec §3, issue 14).

A person's category and a claim's hospital level may be given by id, by the zh or en label, or
by one of the tariff's ``aliases`` (compared after NFKC and trimming); the amounts are those of
the id, in the reference chain and in the engine alike, and the explanation names the id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from medcalc import Calculator, Claim, Person, load_book
from medcalc.errors import UnknownCategoryError, UnknownHospitalLevelError

ROOT = Path(__file__).parents[1]
SERIES = "qingyuan-qingcheng"


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book(env={}))


def _amounts(calc: Calculator, category: str, level: str) -> tuple[Decimal, ...]:
    person = Person(categories=frozenset({category}))
    claim = Claim(date=dt.date(2019, 3, 2), hospital_level=level, compliant=Decimal("150000.00"))
    result = calc.claims(SERIES, person, [claim])
    c = result.claims[0]
    assert c.basic_detail.hospital_level == "level_3"  # the explanation names the id
    return c.basic, c.critical_illness, c.assistance, c.out_of_pocket


@pytest.mark.parametrize(
    "category",
    [
        "poverty",
        "建档立卡贫困人员",
        "registered poor resident",
        "建档立卡贫困户",
        " 贫困户\u3000",
        "POVERTY",
    ],
)
@pytest.mark.parametrize(
    "level", ["level_3", "三级医院", "grade-3 hospital", "三级", "三甲", "ＬＥＶＥＬ_3"]
)
def test_a_name_gives_the_amounts_of_the_id(calc: Calculator, category: str, level: str) -> None:
    """Every name of 'poverty' at every name of 'level_3' pays what the ids pay: the 2019 table's
    level_3 (deductible 800, ratio 0.65) with the poverty adjustment — the same four amounts."""
    assert _amounts(calc, category, level) == _amounts(calc, "poverty", "level_3")


def test_aliases_of_the_bundled_tables_name_each_category() -> None:
    """The Qingcheng tables answer to the names clerks write (every version the same way)."""
    book = load_book(env={})
    names = {
        "低保户": "low_income",
        "低保": "low_income",
        "五保户": "five_guarantee",
        "特困人员": "five_guarantee",
        "建档立卡贫困户": "poverty",
        "重度残疾人": "severe_disability",
    }
    levels = {"一级": "level_1", "二级": "level_2", "三级": "level_3", "二级医院": "level_2"}
    for tariff in book.versions(SERIES):
        assert {n: tariff.category_named(n) for n in names} == names
        assert {n: tariff.level_named(n) for n in levels} == levels


def test_an_unknown_name_is_refused_naming_the_ids(calc: Calculator) -> None:
    person = Person(categories=frozenset({"贫困"}))
    claim = Claim(date=dt.date(2019, 3, 2), hospital_level="level_3", compliant=Decimal(1000))
    with pytest.raises(UnknownCategoryError, match="'贫困' is not a category of tariff"):
        calc.claims(SERIES, person, [claim])
    claim = Claim(date=dt.date(2019, 3, 2), hospital_level="四级", compliant=Decimal(1000))
    with pytest.raises(UnknownHospitalLevelError, match="levels: level_1, level_2, level_3"):
        calc.claims(SERIES, Person(), [claim])


def test_the_engine_reads_names_as_the_chain_does(tmp_path: Path) -> None:
    """The same rows with ids and with names: both engines write the same amounts."""
    pytest.importorskip("numpy")
    from medcalc.batch import BatchJob

    header = "person_id,categories,date,hospital_level,compliant\n"
    ids = (
        "P1,poverty,2019-03-02,level_3,150000.00\n"
        "P2,low_income;five_guarantee,2019-04-01,level_1,9000\n"
    )
    names = (
        "P1,建档立卡贫困户,2019-03-02,三级,150000.00\nP2,低保户、五保户,2019-04-01,一级医院,9000\n"
    )
    results = {}
    for tag, body in (("ids", ids), ("names", names)):
        source = tmp_path / f"{tag}.csv"
        source.write_text(header + body, encoding="utf-8")
        for engine in ("core", "fast"):
            out = tmp_path / f"{tag}-{engine}.csv"
            job = BatchJob.plan("claims", source, out, series=SERIES, engine=engine)
            job.run(Calculator(load_book(env={})))
            rows = out.read_text(encoding="utf-8").splitlines()
            results[tag, engine] = [r.split(",")[5:] for r in rows[1:]]  # the result columns
    assert len(set(map(str, results.values()))) == 1  # ids and names, core and engine
    person = Person(categories=frozenset({"poverty"}))
    claim = Claim(date=dt.date(2019, 3, 2), hospital_level="level_3", compliant=Decimal(150000))
    chain = Calculator(load_book(env={})).claims(SERIES, person, [claim]).claims[0]
    assert results["names", "fast"][0][:2] == ["yes", f"{chain.basic:.2f}"]


def test_a_claims_file_in_a_clerks_words(tmp_path: Path) -> None:
    """``claim --claims`` takes the column names batch files take (入院日期, 合规费用 …), names
    as values, and shows the level by its label; README's stay in 2019: basic (120000 − 800)
    × 65 % = 77,480.00."""
    from click.testing import CliRunner

    from medcalc.cli import cli

    path = tmp_path / "住院.csv"
    text = "住院号,入院日期,医院等级,合规费用\nA1,2019/5/10,三级,120000\n"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(cli, ["claim", "--category", "建档立卡贫困户", "--claims", str(path)])
    assert out.exit_code == 0, out.output
    lines = dict(line.split(maxsplit=1) for line in out.output.split("\n\n")[1].splitlines())
    shown = (lines["单据号"], lines["医院级别"], lines["基本医保"])
    assert shown == ("A1", "三级医院", "77,480.00")
    path.write_text("入院日期,date,合规费用\n2019/5/10,2019/5/10,100\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["claim", "--claims", str(path), "--lang", "en"])
    assert out.exit_code == 1
    assert "columns '入院日期' and 'date' both mean 'date'; keep one" in out.output


@pytest.mark.parametrize("name", ["physical", "肢体", "肢体残疾", " ＰＨＹＳＩＣＡＬ "])
def test_a_disability_type_by_its_chinese_name(calc: Calculator, name: str) -> None:
    """残疾类别 as a clerk writes it (肢体, 肢体残疾) is the type's id; grade 2 of any type
    makes a severely disabled person (重度残疾人, grades 1–3 in the bundled tables)."""
    person = Person(disability_grade=2, disability_type=name)
    assert person.disability_type == "physical"
    claim = Claim(date=dt.date(2019, 3, 2), hospital_level="level_1", compliant=Decimal(1000))
    assert calc.claims(SERIES, person, [claim]).claims[0].categories == ("severe_disability",)


def test_an_unknown_disability_type_names_the_types() -> None:
    from medcalc.errors import InputError

    with pytest.raises(InputError) as caught:
        Person(disability_type="肢")
    assert str(caught.value) == (
        "disability_type: '肢' is not a disability type "
        "(one of visual, hearing, speech, physical, intellectual, mental, multiple)"
    )
