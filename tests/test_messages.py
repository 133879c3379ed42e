"""The message catalogue (medcalc.messages) and its translation (medcalc.present.translate).

Every entry, filled with sample values, comes back from English as its Chinese; and so does
every error a corpus of bad inputs makes through the public API: amounts, dates, categories,
levels, missing fields, claim amounts, tariff files, batch files, year-to-date disagreements
and rows that depend on a bad row.
"""

from __future__ import annotations

import ast
import re
import string
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medcalc import Calculator, Claim, Person, load_book
from medcalc.batch import (
    CLAIM_RESULTS,
    ClaimsBatch,
    detect_encoding,
    format_of,
    read_claims_file,
)
from medcalc.chain import FIELD_LABELS, fields
from medcalc.errors import DependentClaimError, InputError, MedcalcError, TariffFileError
from medcalc.messages import CATALOGUE, MONTHS, WHOLE_NUMBERS, Message, say
from medcalc.present import translate
from medcalc.tariff import check_tariff

from support import day

SERIES = "qingyuan-qingcheng"
SRC = Path(__file__).parent.parent / "src" / "medcalc"
BAD_TARIFFS = sorted((Path(__file__).parent / "bad_tariffs").glob("*.yaml"))
#: Words a Chinese template keeps on purpose: the tariff format's keys and values, code names,
#: encodings and file formats, as the file or the command line writes them.
TECHNICAL = {
    "YAML", "UTF", "GB", "GB18030", "CSV", "xlsx", "xls", "Excel", "Unicode", "FIFO", "NFKC",
    "decimal", "Decimal", "str", "input", "encoding", "utf", "none", "full", "share", "amount",
    "ratio", "subsidy", "from", "to", "for", "bounds", "above_threshold", "threshold",
    "threshold_factor", "format", "series", "qingyuan", "qingcheng", "https", "medcalc", "yaml",
    "enrollment", "inpatient", "medical_premium", "pension_premium", "YYYY", "MM", "DD",
    "chunk_rows", "NaT", "datetime", "int", "Calculator", "JSON", "Lines", "XLSX", "MiB", "DTD",
    "pip", "install", "zip", "engine", "fast", "numpy", "output", "csv", "json", "yml",
    "serve", "service", "SERIES", "VERSION", "true", "false", "Content", "Type",
    "input_format", "multipart", "form", "data", "file", "sha", "HTTP", "tokens", "FILE",
    "SIGHUP", "TOKEN", "admin", "Authorization", "Bearer", "batch", "claims",
    "premiums", "summary", "proposal",
}  # fmt: skip
#: A sample message for a parameter that is a message, and its Chinese.
NESTED = say("amount.negative", value="-5.00")
NESTED_ZH = "-5.00 是负数；金额不能为负数"


def _spec(message: Message, name: str) -> str:
    return next(spec for _, n, spec, _ in string.Formatter().parse(message.en) if n == name)


def samples(message: Message) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sample values for each parameter of ``message``, and the values its Chinese shows."""
    given: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for i, name in enumerate(message.params()):
        kind = message.kind(name)
        spec = _spec(message, name)
        if kind == "field":
            given[name], shown[name] = "total", FIELD_LABELS["total"][0]
        elif kind == "message":
            given[name], shown[name] = NESTED, NESTED_ZH
        elif kind == "month":
            given[name], shown[name] = MONTHS[1], "2月"
        elif kind == "type":
            given[name], shown[name] = "a float", "float"
        elif kind == "list":
            given[name], shown[name] = "3, 5", "3、5"
        elif name == "quoted":
            given[name] = shown[name] = f'"Q{i}"'
        elif spec or name in WHOLE_NUMBERS:
            given[name] = shown[name] = 17 + i
        else:
            given[name] = shown[name] = f"Q{i}"
    return given, shown


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]{2,}", text))


def literal(template: str) -> str:
    return " ".join(text for text, _, _, _ in string.Formatter().parse(template))


@pytest.mark.parametrize("message", CATALOGUE.values(), ids=list(CATALOGUE))
def test_each_entry_comes_back_in_chinese(message: Message) -> None:
    """An entry said in English with sample values translates to its Chinese template filled
    with the same values (a field by its Chinese name, a nested message in Chinese), whose
    only words in Latin letters are technical terms written as a file or command has them."""
    given, shown = samples(message)
    english = say(message.id, **given)
    chinese = translate(english, "zh")
    assert chinese == message.zh.format(**shown)
    assert translate(english, "en") == english
    assert english_words(literal(message.zh)) <= TECHNICAL


@pytest.mark.parametrize("message", CATALOGUE.values(), ids=list(CATALOGUE))
def test_both_templates_have_the_same_parameters(message: Message) -> None:
    """The Chinese template names exactly the English template's parameters, and the kinds
    name only parameters there are."""
    zh = {name for _, name, _, _ in string.Formatter().parse(message.zh) if name}
    assert zh == set(message.params())
    assert set(message.kinds) <= zh


def test_every_message_said_is_in_the_catalogue() -> None:
    """Each id the source says a message by (``say("id", …)``, a tariff reader's
    ``at_key(node, ctx, "id", …)``) is an entry of the catalogue."""
    said = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            at = {"say": 0, "at_key": 2}.get(str(name))
            if at is not None and len(node.args) > at:
                arg = node.args[at]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    said.add(arg.value)
    assert len(said) > 150
    assert said - set(CATALOGUE) == set()


def test_the_date_of_a_day_that_does_not_exist() -> None:
    """The issue's example: an impossible day says which month has how many days."""
    with pytest.raises(InputError) as info:
        fields.date({"date": "2019-02-30"}, "date")
    assert str(info.value) == "date: '2019-02-30' is not a date: February 2019 has 28 days"
    assert translate(str(info.value), "zh") == "入院日期：'2019-02-30' 不是日期：2019年2月只有28天"


def test_nested_messages_and_rows() -> None:
    """A field's prefix, a row list and a file's place are translated around their message."""
    depends = DependentClaimError.on([7, 3, 5])
    assert (
        translate(str(depends), "zh")
        == "未计算：本行依赖同一人同一年度的第 3、5 和 7 行，这些行有错误"
    )
    line = "t.yaml:3:5: inpatient.levels: expected a list of hospital levels, found a mapping"
    assert (
        translate(line, "zh")
        == "t.yaml:3:5：inpatient.levels：应为医院等级列表，实际是映射（键: 值）"
    )
    assert translate(f"{line}\n{line}", "zh") == "\n".join([translate(line, "zh")] * 2)


def test_a_rows_problems_are_translated_each() -> None:
    """A batch row's problems, joined by ``; `` (a message may hold one itself), come back
    each in Chinese, joined by ``；``."""
    first = str(InputError(say("amount.negative", value="-5.00"), field="total"))
    second = str(InputError(say("date.expected", value="'soon'"), field="date"))
    assert translate(f"{first}; {second}", "zh") == (
        "医疗总费用：-5.00 是负数；金额不能为负数；"
        "入院日期：'soon' 不是日期（应写成 年-月-日，如 2019-04-01）"
    )
    assert translate(f"{first}; odd", "zh") == f"{first}; odd"


def test_text_that_is_no_message_stays_as_it_is() -> None:
    """A text no entry matches, or whose nested message none matches, is returned unchanged."""
    for text in ("something else entirely", "total: something else", "", "t.yaml:1:1: odd"):
        assert translate(text, "zh") == text


# ---- the corpus: real errors from bad inputs through the public API -----------------------


def _error(call: Any) -> str:
    try:
        call()
    except MedcalcError as exc:
        return str(exc)
    raise AssertionError("no error")  # pragma: no cover


@pytest.fixture(scope="module")
def calc() -> Calculator:
    return Calculator(load_book(env={}))


def _input_errors(calc: Calculator) -> list[str]:
    person = Person(categories=frozenset({"poverty"}))
    claim = Claim(date=day("2019-05-01"), compliant=Decimal("100.00"), hospital_level="level_2")
    cells = [
        ("amount", "total", "-5"), ("amount", "total", "12x"), ("amount", "total", "1.234"),
        ("amount", "total", "5000²"), ("amount", "total", "1e999999999999"),
        ("date", "date", "2019-02-30"), ("date", "date", "01/04/2019"), ("date", "date", "soon"),
        ("date", "date", "2019-04-01 25:00"), ("date", "date", "2019-13-01"),
        ("date", "date", "0000-01-01"), ("integer", "disability_grade", "x"),
        ("integer", "year", "9" * 30), ("text", "person_id", "P\u200b1"),
        ("text", "person_id", "P²"), ("amount", "compliant", float("nan")),
        ("amount", "compliant", 1e16),
    ]  # fmt: skip
    out = [_error(lambda f=f, n=n, v=v: getattr(fields, f)({n: v}, n)) for f, n, v in cells]
    out.append(_error(lambda: fields.claim_from({"date": "2019-01-01"})))
    out += [
        _error(lambda: calc.claims(SERIES, Person(categories=frozenset({"nobody"})), [claim])),
        _error(lambda: calc.claims(SERIES, person, [Claim(date=day("2019-05-01"),
               compliant=Decimal("100.00"), hospital_level="level_9")])),
        _error(lambda: calc.claims(SERIES, person, [Claim(date=day("2019-05-01"),
               compliant=Decimal("100.00"))])),
        _error(lambda: calc.claims(SERIES, person, [Claim(date=day("2019-05-01"),
               compliant=Decimal("100.00"), total=Decimal("50.00"), hospital_level="level_2")])),
        _error(lambda: calc.claims(SERIES, person, [Claim(date=day("2019-05-01"),
               compliant=Decimal("100.00"), basic_paid=Decimal("150.00"))])),
        _error(lambda: calc.claims(SERIES, person, [claim, Claim(date=day("2020-05-01"),
               compliant=Decimal("1.00"), basic_paid=Decimal("0"))], year_to_date=__import__(
               "medcalc").YearToDate())),
        _error(lambda: calc.premiums(SERIES, person, 2019)),
        _error(lambda: calc.premiums(SERIES, person, 2019, pension_grade=Decimal("7"))),
        _error(lambda: calc.claims("no-such-series", person, [claim])),
        _error(lambda: calc.claims(SERIES, person, [Claim(date=day("1990-05-01"),
               compliant=Decimal("1.00"), basic_paid=Decimal("0"))])),
        _error(lambda: Person(disability_grade=7)),  # type: ignore[arg-type]
        _error(lambda: Person(disability_type="tall")),
        _error(lambda: Claim(date=day("2019-05-01"), compliant=100)),  # type: ignore[arg-type]
    ]  # fmt: skip
    return out


def _batch_errors(calc: Calculator) -> list[str]:
    def claim(person: str, date: str, **more: str) -> dict[str, str]:
        return {"person_id": person, "date": date, "compliant": "20000",
                "hospital_level": "level_2", **more}  # fmt: skip

    rows = [
        claim("A", "2018-02-01", categories="poverty"),
        claim("A", "2018-06-01", categories="low_income"),
        claim("B", "2018-06-01", ytd_basic_paid="100"),
        claim("B", "2018-02-01", ytd_basic_paid="200.00"),
        claim("C", "2018-02-01", total="1"),
        claim("C", "2018-03-01"),
        claim("C", "2018-04-01"),
        claim("D", "2018-02-31"),
        claim("D", "2018-04-01"),
        claim("E", "2018-02-01", categories="nobody"),
        claim("F", "soon", total="-5"),
    ]
    batch = ClaimsBatch(calc, default_series=SERIES)
    for number, row in enumerate(rows, start=2):
        batch.add(row, number)
    batch.run()
    found = [batch.result(i) for i in range(len(batch))]
    return [dict(zip(CLAIM_RESULTS, r, strict=True))["error"] for r in found if r]


def _file_errors(tmp: Path) -> list[str]:
    mixed = tmp / "mixed.csv"
    mixed.write_bytes("人员编号\n".encode() + "张三\n".encode("gb18030"))
    utf16 = tmp / "utf16.csv"
    utf16.write_bytes("a,b\n".encode("utf-16"))
    (tmp / "empty.csv").write_text("")
    (tmp / "none.csv").write_text("date,compliant\n")
    (tmp / "short.csv").write_text("date,compliant\n2019-01-01,1,2\n")
    return [
        _error(lambda: read_claims_file(tmp / "empty.csv")),
        _error(lambda: read_claims_file(tmp / "none.csv")),
        _error(lambda: read_claims_file(tmp / "short.csv")),
        _error(lambda: detect_encoding(mixed)),
        _error(lambda: detect_encoding(utf16)),
        _error(lambda: format_of(tmp / "old.xls", None, option="--input-format")),
        _error(lambda: format_of(tmp / "rows.txt", None, option="--input-format")),
    ]


def _tariff_errors() -> list[str]:
    out = []
    for path in BAD_TARIFFS:
        out += [str(p) for p in check_tariff(path.read_bytes(), path.name)]
    return out


#: An English phrase: two words of letters in a row (a Chinese text keeps only single tokens:
#: values, ids, keys).
_PHRASE = re.compile(r"\b[A-Za-z]{2,} [a-z]{2,}\b")
#: What a value, an option or the YAML parser brings in English, not medcalc: removed first.
_NOT_OURS = re.compile(
    r"'[^']*'|\"[^\"]*\"|这不是有效的 YAML：.*|U\+[0-9A-F]{4}( [A-Z -]+)?|--[a-z-]+ [a-z0-9-]+"
)


def test_every_error_of_the_corpus_translates(calc: Calculator, tmp_path: Path) -> None:
    """Each error of the corpus comes back in Chinese: it changes, and no English phrase of
    medcalc's own is left in it."""
    corpus = _input_errors(calc) + _batch_errors(calc) + _file_errors(tmp_path)
    corpus += _tariff_errors()
    assert len(corpus) > 120
    left = []
    for english in corpus:
        chinese = translate(english, "zh")
        rest = _NOT_OURS.sub("", chinese)
        if chinese == english or _PHRASE.search(rest):
            left.append((english, chinese))
    assert left == []


def test_tariff_file_error_translates_each_problem() -> None:
    """A tariff file's error holds one problem a line; each is translated."""
    path = next(p for p in BAD_TARIFFS if len(check_tariff(p.read_bytes(), p.name)) > 1)
    problems = check_tariff(path.read_bytes(), path.name)
    text = str(TariffFileError(problems))
    assert translate(text, "zh").split("\n") == [translate(str(p), "zh") for p in problems]
