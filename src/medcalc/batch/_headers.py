"""Column names of batch files in Chinese and English (spec §5, docs/cli-batch.md §3).

One place for what a header may call each column, and for what the result columns are called:

- **Input columns** are known by their id (``person_id``), their Chinese name in
  :data:`medcalc.chain.FIELD_LABELS` (人员编号), its English label (``person id``), or one of
  the variants clerks write (:data:`HEADER_VARIANTS`: 个人编号, 合规费用, 统筹支付 …).
  A header is matched by :func:`header_key`: NFKC (full-width letters and brackets folded),
  every space removed (``人员 编号``), case and ``_`` ignored (``Person ID``), and a trailing
  unit ``(元)``/``（元）``/``(yuan)`` dropped (``总费用（元）``). A unit of 万元 is not dropped:
  the column would then hold ten-thousands, so it is not taken for the amount.
- **Result columns** are named in the language of the input header (:func:`header_language`):
  Chinese when at least half of the recognised input columns are named in Chinese, else by
  their ids; ``--columns zh|en`` overrides. Each layer's result is named by its tariff
  section's label (:data:`medcalc.chain.LAYERS`, 大病保险, 医疗救助), so a new layer is named
  here by the loop. Under Chinese names ``yes``/``no`` are written 是/否. Result columns in an
  input (an output run again) are recognised under either name (:func:`result_of`).
- **A totals row** (合计, 总计, 小计; ``total``, ``sum``) at the end of a file
  (:func:`is_totals_row`) is a clerk's own sum, not a person: written back with empty results.
- :func:`row_error` is where a row's error text is written to a result (both engines): the
  one place where a translation of the message goes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from medcalc.chain import FIELD_LABELS, LAYERS, YTD_FIELDS
from medcalc.messages import say
from medcalc.money import shown
from medcalc.present import translate
from medcalc.tariff import section

__all__ = [
    "AMBIGUOUS_HEADERS",
    "COLUMN_LANGUAGES",
    "HEADER_VARIANTS",
    "RESULT_NAMES_ZH",
    "TOTALS_LABELS",
    "field_of",
    "header_key",
    "header_language",
    "header_problem",
    "is_totals_row",
    "localiser",
    "result_names",
    "result_of",
    "row_error",
    "yes_no",
]

COLUMN_LANGUAGES = ("zh", "en")
"""The languages of result column names (``--columns``)."""


def _ytd_variants() -> dict[str, tuple[str, ...]]:
    """The year-to-date columns' variants: 年度/本年 and 累计 in the orders clerks write them;
    a layer's base only with 基数 or 费用 (大病累计基数, 年度累计大病费用), since 年度累计大病 alone
    may mean what was paid (:data:`AMBIGUOUS_HEADERS`)."""
    out: dict[str, tuple[str, ...]] = {
        "ytd_basic_paid": (
            "年度累计统筹支付",
            "本年累计统筹支付",
            "累计统筹支付",
            "年度累计基本医保已支付",
            "本年累计基本医保支付",
            "累计基本医保支付",
        )
    }
    for layer in LAYERS:
        short = layer.base_zh.removesuffix("累计")  # 大病累计 -> 大病
        out[f"ytd_{layer.base}"] = (
            f"{layer.base_zh}基数",
            f"本年{layer.base_zh}基数",
            f"年度累计{short}基数",
            f"年度累计{short}费用",
            f"本年累计{short}费用",
        )
    return out


def _ambiguous() -> dict[str, str]:
    """Names a clerk may write for a layer's base as well as for what the layer paid: refused,
    with the field they could mean (a base read as a payment would pay again what was paid)."""
    out: dict[str, str] = {}
    for layer in LAYERS:
        short = layer.base_zh.removesuffix("累计")
        for name in (
            layer.base_zh,
            f"本年{layer.base_zh}",
            f"年度{layer.base_zh}",
            f"累计{short}",
            f"年度累计{short}",
            f"本年累计{short}",
        ):
            out[header_key(name)] = f"ytd_{layer.base}"
    return out


HEADER_VARIANTS: Mapping[str, tuple[str, ...]] = {
    "person_id": ("个人编号", "人员编码", "个人编码", "参保人编号"),
    "series": ("险种标准", "待遇标准系列"),
    "categories": ("人员类型", "特殊人员类别"),
    "disability_grade": ("残疾级别",),
    "disability_type": ("残疾类型",),
    "enrolled_on": ("缴费日期", "参保日期"),
    "birth_date": ("出生年月日",),
    "claim_id": ("就诊编号", "住院编号", "结算编号", "单据号"),
    "date": ("就诊日期", "结算日期", "住院日期"),
    "hospital_level": ("医院级别", "医疗机构等级"),
    "total": ("总费用", "医疗费用总额", "费用总额"),
    "compliant": ("合规费用", "政策内费用", "政策范围内医疗费用"),
    "basic_paid": ("统筹支付", "基本医保支付", "基本医疗保险已支付", "统筹基金支付"),
    **_ytd_variants(),
    "year": ("缴费年度", "参保年度"),
    "pension_grade": ("缴费档次", "养老保险缴费档次"),
}  # fmt: skip
"""The names clerks write for each input column besides its id, its Chinese name and its
English label in :data:`medcalc.chain.FIELD_LABELS` (which are always accepted)."""

#: A unit after a header's name that does not change what the column holds: yuan, as
#: ``(元)``, ``/元`` or a bare 元 (not 万元, 千元, 百元).
_UNIT = re.compile(r"(?:\((?:元|人民币元|人民币|yuan|rmb|cny|¥)\)|/(?:元|yuan)|(?<![万千百])元)$")
#: Any other unit after a header's name: ``(万元)``, ``/千元``, a bare 万元.
_OTHER_UNIT = re.compile(r"(?:\(([^()]+)\)|/([^/]+)|([万千百]元))$")
#: The fields whose cells are amounts of yuan: a column of them in another unit is refused.
_AMOUNT_FIELDS = frozenset({"total", "compliant", "basic_paid", "pension_grade", *YTD_FIELDS})


def _has_cjk(name: str) -> bool:
    """Whether ``name`` holds a CJK ideograph (U+3400–U+9FFF, U+F900–U+FAFF); a comparison,
    not a regular expression: compiling that class of 27,000 characters costs ~3 ms at import."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in name)


def header_key(name: str) -> str:
    """How a header name is compared: NFKC, without any space or ``_``, lower case, and
    without a trailing unit of yuan.

    >>> header_key(" Person_ID "), header_key("人员 编号"), header_key("总费用（元）")
    ('personid', '人员编号', '总费用')
    """
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    text = "".join(text.split()).replace("_", "").casefold()
    return _UNIT.sub("", text)


def _names_of_fields() -> dict[str, str]:
    """Every accepted name's key -> its field id; a key meaning two fields is a bug here."""
    out: dict[str, str] = {}
    for field, (zh, en) in FIELD_LABELS.items():
        for name in (field, zh, en, *HEADER_VARIANTS.get(field, ())):
            key = header_key(name)
            assert out.setdefault(key, field) == field, (name, field, out[key])
    return out


_FIELDS = _names_of_fields()
AMBIGUOUS_HEADERS: Mapping[str, str] = _ambiguous()
"""Header keys refused as ambiguous (年度累计大病: the base, or what was paid?) -> the field
they might mean."""
assert not set(AMBIGUOUS_HEADERS) & set(_FIELDS), "an accepted name is also ambiguous"


def header_problem(path: object, name: str) -> str | None:
    """Why a header name is refused, or None: an amount column in a unit other than yuan
    (总费用（万元）: its cells would be read as yuan), or a name that may mean a layer's base
    or what the layer paid (年度累计大病). Such a column would otherwise be carried through
    untouched while the amount it holds is silently left out."""
    key = header_key(name)
    if key in AMBIGUOUS_HEADERS:
        field = AMBIGUOUS_HEADERS[key]
        return say("header.ambiguous", path=path, header=shown(name), name=FIELD_LABELS[field][0])
    unit = _OTHER_UNIT.search(key)
    if unit is not None and _FIELDS.get(key[: unit.start()]) in _AMOUNT_FIELDS:
        shown_unit = next(u for u in unit.groups() if u)
        return say("header.unit", path=path, header=shown(name), unit=shown_unit)
    return None


_FIXED_ZH = {
    "covered": "是否享受待遇",
    "basic": "基本医保",
    "out_of_pocket": "个人自付",
    "tariff_version": "待遇标准版本",
    "tariff_sha256": "待遇标准SHA256",
    "error": "错误说明",
    "medical_contribution": "医保缴费标准",
    "medical_government": "医保资助",
    "medical_individual": "医保个人缴费",
    "medical_profile": "医保资助适用标准",
    "pension_due": "是否应缴养老保险",
    "pension_contribution": "养老缴费额",
    "pension_government": "养老代缴",
    "pension_individual": "养老个人缴费",
    "pension_subsidy": "养老缴费补贴",
    "pension_profile": "养老代缴适用标准",
}

RESULT_NAMES_ZH: Mapping[str, str] = {
    **_FIXED_ZH,
    **{layer.id: section(layer.section).label.zh for layer in LAYERS},
    **{f"{layer.id}_profile": f"{section(layer.section).label.zh}适用标准" for layer in LAYERS},
}
"""The Chinese name of each result column (claims and premiums); a layer's amount is named
by its tariff section's label (大病保险), its profile column by the label and 适用标准."""

_RESULTS = {header_key(name): result for result, name in RESULT_NAMES_ZH.items()} | {
    header_key(result): result for result in RESULT_NAMES_ZH
}
assert not set(_RESULTS) & set(_FIELDS), "a result column named like an input column"

#: Result columns whose values are yes/no, and those values in Chinese.
_YES_NO_COLUMNS = frozenset({"covered", "pension_due"})
_YES_NO_ZH = {"yes": "是", "no": "否"}


def field_of(name: str) -> str | None:
    """The input field a header name means (any of its names, :func:`header_key`); None for
    any other column."""
    return _FIELDS.get(header_key(name))


def result_of(name: str) -> str | None:
    """The result column a header name is, by its id or its Chinese name; None otherwise."""
    return _RESULTS.get(header_key(name))


def header_language(columns: Iterable[str], fields: Iterable[str]) -> str:
    """``zh`` when at least half of the columns naming one of ``fields`` (the recognised input
    columns) are named in Chinese (hold a Chinese character), else ``en``. Other columns (姓名,
    备注) do not count: an English header with Chinese notes stays English."""
    wanted = frozenset(fields)
    chinese = other = 0
    for name in columns:
        if field_of(name) in wanted:
            if _has_cjk(name):
                chinese += 1
            else:
                other += 1
    return "zh" if chinese and chinese >= other else "en"


def result_names(results: Sequence[str], lang: str) -> tuple[str, ...]:
    """The result columns' names in ``lang``: their ids (``en``) or Chinese names (``zh``)."""
    if lang == "zh":
        return tuple(RESULT_NAMES_ZH[name] for name in results)
    return tuple(results)


def yes_no(value: str, lang: str) -> str:
    """A yes/no result value (``covered``, ``pension_due``) as written in ``lang``: 是/否
    under ``zh``."""
    return _YES_NO_ZH.get(value, value) if lang == "zh" else value


def _yes_no_columns(results: Sequence[str], lang: str) -> tuple[int, ...]:
    """The positions of the yes/no columns among ``results`` whose values ``lang`` writes
    otherwise (none under ``en``)."""
    if lang == "en":
        return ()
    return tuple(i for i, name in enumerate(results) if name in _YES_NO_COLUMNS)


def row_error(message: str, lang: str) -> str:
    """A row's error text as written to its ``error`` column in ``lang`` (the result columns'
    language): the message as raised, in English, or said in Chinese by
    :func:`medcalc.present.translate` — the one place both engines write an error through."""
    return translate(message, lang)


ResultCells = tuple[str | None, ...]


def localiser(results: Sequence[str], lang: str) -> Callable[[ResultCells], ResultCells]:
    """How a row's result cells are written in ``lang``: the error text through
    :func:`row_error`, yes/no as 是/否 under ``zh``; a row without either is returned as it is."""
    values = _yes_no_columns(results, lang)
    error = results.index("error")

    def localise(row: ResultCells) -> ResultCells:
        message = row[error]
        if message is None and not values:
            return row
        cells = list(row)
        if message is not None:
            cells[error] = row_error(message, lang)
        for i in values:
            value = cells[i]
            if value is not None:
                cells[i] = yes_no(value, lang)
        return tuple(cells)

    return localise


TOTALS_LABELS = ("合计", "总计", "小计", "total", "totals", "subtotal", "sum", "grandtotal")
"""What a clerk writes in a totals row's first cell (spaces and case aside: 合 计, Total:)."""

_TOTALS = frozenset(TOTALS_LABELS)
#: How a totals label may begin: a person id that does not (P001) is passed over quickly.
_TOTALS_FIRST = frozenset("合总小tsgTSG")


def _is_totals_label(value: Any) -> bool:
    if type(value) is not str or len(value) > 40:
        return False
    start = value.lstrip()[:1]
    if start not in _TOTALS_FIRST and start.isascii():
        return False
    return header_key(value).rstrip(":") in _TOTALS


def is_totals_row(person: Any, first: Any) -> bool:
    """True when a row is a totals row by its person cell (合计, 总计, 小计, total, sum), or,
    its person cell being empty, by its first cell (a sheet whose first column is 序号 or 姓名).
    The caller decides that only trailing rows count."""
    if _is_totals_label(person):
        return True
    empty = person is None or (isinstance(person, str) and not person.strip())
    return empty and _is_totals_label(first)
