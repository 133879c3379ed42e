"""Every error message medcalc writes, in English and Chinese, in one place (消息目录).

Each :class:`Message` has an id, an English template and a Chinese one (``str.format`` style,
named parameters). The library raises its errors in English, built by :func:`say` from the
English template (messages are public API: ``str(exc)``, a batch's ``error`` column, the
service's problems); :func:`medcalc.present.translate` turns such a text into Chinese by
matching it against the English templates and filling the Chinese one.

A parameter is shown as it is, except by its kind (:attr:`Message.kinds`): ``message``, a
message itself, translated in turn (a field's prefix before its message, a file's line before
its problem); ``text``, a phrase that may be one (translated when it is, else shown as it is;
it may be empty: a hint not always given); ``field``, an input field's id, shown by its Chinese
name; ``month``, an English month name; ``type``, a Python type as ``a float``; ``list``,
numbers separated by commas (in Chinese by ``、``). A parameter named ``field`` is a field and
one named ``message`` a message without saying so.

>>> say("amount.negative", value="-5.00")
'-5.00 is negative; amounts must be 0 or more'
>>> CATALOGUE["amount.negative"].zh
'{value} 是负数；金额不能为负数'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["message", "text", "field", "month", "type", "list"]


@dataclass(frozen=True)
class Message:
    """One message: ``en`` is what the library says, ``zh`` the same in Chinese; ``kinds``
    names the parameters shown other than as they are (see the module's docstring)."""

    id: str
    en: str
    zh: str
    kinds: Mapping[str, Kind] = field(default_factory=dict)

    def params(self) -> tuple[str, ...]:
        """The parameters of the English template, in order, each once."""
        names = (name for _, name, _, _ in string.Formatter().parse(self.en) if name)
        return tuple(dict.fromkeys(names))

    def kind(self, param: str) -> Kind | None:
        """How ``param`` is shown in Chinese (None: as it is)."""
        if param in self.kinds:
            return self.kinds[param]
        if param in ("field", "message"):
            return param  # type: ignore[return-value]
        return None


def _m(id: str, en: str, zh: str, **kinds: Kind) -> Message:
    return Message(id, en, zh, kinds)


_MESSAGES = (
    # --- general shapes: a field's message, rows, values ---
    _m("field", "{field}: {message}", "{field}：{message}"),
    _m("rows.one", "row {number}", "第 {number} 行"),
    _m("rows.some", "rows {numbers} and {last}", "第 {numbers} 和 {last} 行", numbers="list"),
    _m("rows.many", "rows {numbers} and {more} more", "第 {numbers} 行及另外 {more} 行",
       numbers="list"),
    _m("value.none", "none", "无"),
    _m("value.no_category", "no category", "无人员类别"),
    _m("value.shortened", "{start}… ({length:,} characters)", "{start}…（共 {length:,} 个字符）"),
    _m("value.huge_int", "a whole number of {digits:,} digits", "一个 {digits:,} 位的整数"),
    _m("value.required", "no value given; this field is required", "未填写；此项必填"),
    # --- amounts (money) ---
    _m("amount.not_finite", "{value} is not a finite amount", "{value} 不是有效金额"),
    _m("amount.negative", "{value} is negative; amounts must be 0 or more",
       "{value} 是负数；金额不能为负数"),
    _m("amount.decimals", "{value} has more than 2 decimal places",
       "{value} 的小数超过 2 位（金额只到分）"),
    _m("amount.too_large", "{value} is larger than the largest amount {limit}",
       "{value} 超过金额上限 {limit}"),
    _m("amount.not_amount", "{value} is not an amount", "{value} 不是金额"),
    _m("amount.foreign", "{value} is not an amount: {reason}", "{value} 不是金额：{reason}",
       reason="message"),
    _m("amount.expected", "{value} is not an amount (expected e.g. 1234.50)",
       "{value} 不是金额（应写成如 1234.50 的数字）"),
    _m("amount.not_decimal", "{value} is {type}; amounts must be decimal.Decimal",
       "{value} 的类型是 {type}；金额必须是 decimal.Decimal", type="type"),
    _m("digit.foreign", "{char} is not a digit; use 0-9", "{char} 不是数字；请用 0-9"),
    # --- fields read from text (chain.fields) ---
    _m("number.not_number", "{value} is not a number", "{value} 不是数字"),
    _m("number.lost_digits", "{value} has lost digits as a spreadsheet number; store it as text",
       "{value} 作为表格数字已丢失位数；请把该单元格设为文本格式"),
    _m("number.too_long", "{value} is too long a number; give it as text",
       "{value} 数字太长；请以文本形式填写"),
    _m("number.too_large", "{value} is too large (at most {digits} digits)",
       "{value} 太大（最多 {digits} 位数字）"),
    _m("number.foreign", "{value} is not a whole number: {reason}", "{value} 不是整数：{reason}",
       reason="message"),
    _m("number.not_whole", "{value} is not a whole number", "{value} 不是整数"),
    _m("text.compatibility",
       "{value} is not plain text: {char} is a form of {plain}; write {plain} if that is meant",
       "{value} 不是普通文字：{char} 是 {plain} 的变体字符；如指 {plain}，请直接写 {plain}"),
    _m("text.invisible", "{value} is not plain text: {char} is invisible; delete it",
       "{value} 不是普通文字：{char} 是看不见的字符；请删除"),
    _m("text.not_text", "{value} is {type}; expected text (str)",
       "{value} 的类型是 {type}；应为文本（str）", type="type"),
    _m("date.foreign", "{value} is not a date: {reason}", "{value} 不是日期：{reason}",
       reason="message"),
    _m("date.year_first",
       "{value} is not a date: write the year first, with four digits (2019-04-01)",
       "{value} 不是日期：请把年份写在最前，用四位数字（如 2019-04-01）"),
    _m("date.expected", "{value} is not a date (expected YYYY-MM-DD)",
       "{value} 不是日期（应写成 年-月-日，如 2019-04-01）"),
    _m("date.time_of_day",
       "{value} is not a date: {time} is not a time of day (00:00 to 23:59:59)",
       "{value} 不是日期：{time} 不是有效的时刻（00:00 至 23:59:59）"),
    _m("date.year_zero", "{value} is not a date: there is no year 0",
       "{value} 不是日期：没有公元 0 年"),
    _m("date.no_month", "{value} is not a date: there is no month {month}",
       "{value} 不是日期：没有 {month} 月"),
    _m("date.no_day", "{value} is not a date: {month} {year} has {days} days",
       "{value} 不是日期：{year}年{month}只有{days}天", month="month"),
    _m("date.not_date", "{value} is not a date", "{value} 不是日期"),
    # --- inputs of the chain (chain._inputs, chain._calculator) ---
    _m("input.category_set", "{value} is not a set of category ids",
       "{value} 不是一组人员类别代码"),
    _m("input.category_text", "{value} is not a category id (text)",
       "{value} 不是人员类别代码（应为文本）"),
    _m("input.disability_grade", "{value} is not a disability grade 1-4",
       "{value} 不是残疾等级（应为 1 至 4 级）"),
    _m("input.disability_type", "{value} is not a disability type (one of {types})",
       "{value} 不是残疾类别（可选：{types}）"),
    _m("input.year", "{value} is not a year", "{value} 不是年度"),
    _m("input.wrong_type", "{value} is {type}, not {expected}",
       "{value} 的类型是 {type}，应为 {expected}", type="type"),
    _m("input.no_premium_section",
       "tariff {tariff} has neither a medical_premium nor a pension_premium section",
       "待遇标准 {tariff} 既没有医保缴费（medical_premium）部分，"
       "也没有养老缴费（pension_premium）部分"),
    # --- claims (chain.problems) ---
    _m("claim.section_missing", "tariff {tariff} has no {section} section",
       "待遇标准 {tariff} 没有 {section} 部分"),
    _m("claim.no_enrollment",
       "tariff {tariff} has no enrollment section, needed when enrolled_on is given",
       "待遇标准 {tariff} 没有待遇享受起始（enrollment）部分，填写参保缴费日期时需要它"),
    _m("claim.no_inpatient",
       "tariff {tariff} has no inpatient section; give basic_paid for this claim",
       "待遇标准 {tariff} 没有住院（inpatient）部分；请填写这次住院的基本医保已支付"),
    _m("claim.no_hospital_level",
       "the hospital level is needed to compute the basic payment (or give basic_paid)",
       "计算基本医保支付需要医院等级（或直接填写基本医保已支付）"),
    _m("claim.unknown_category",
       "{category} is not a category of tariff {tariff} (categories: {known})",
       "{category} 不是待遇标准 {tariff} 的人员类别（可选：{known}）", known="text"),
    _m("claim.other_year", "claim dated {date} is not in {year}",
       "住院日期 {date} 不在 {year} 年度内"),
    _m("claim.unknown_level",
       "{level} is not a hospital level of tariff {tariff} (levels: {known})",
       "{level} 不是待遇标准 {tariff} 的医院等级（可选：{known}）"),
    _m("claim.total_below", "{total} is below the compliant cost {compliant}",
       "{total} 低于政策范围内费用 {compliant}"),
    _m("claim.paid_above", "{paid} is above the compliant cost {compliant}",
       "{paid} 高于政策范围内费用 {compliant}"),
    _m("claim.ytd_years",
       "year-to-date accumulators belong to one year; these claims fall in {years}",
       "年度累计只属于一个年度；这些住院分属 {years} 年"),
    _m("claim.rows_disagree",
       "{field}: rows of the same person and year give different values (row {a}: {value_a}; "
       "row {b}: {value_b}); give one value, or leave it empty on all but one row",
       "{field}：同一人同一年度的各行填写不一致（第 {a} 行：{value_a}；第 {b} 行：{value_b}）；"
       "请只填一个值，或只在其中一行填写",
        value_a="text", value_b="text"),
    _m("claim.depends_year_one",
       "depends on {rows} of the same person and year, which has an error",
       "未计算：本行依赖同一人同一年度的{rows}，该行有错误", rows="message"),
    _m("claim.depends_year_many",
       "depends on {rows} of the same person and year, which have errors",
       "未计算：本行依赖同一人同一年度的{rows}，这些行有错误", rows="message"),
    _m("claim.depends_person_one", "depends on {rows} of the same person, which has an error",
       "未计算：本行依赖同一人的{rows}，该行有错误", rows="message"),
    _m("claim.depends_person_many", "depends on {rows} of the same person, which have errors",
       "未计算：本行依赖同一人的{rows}，这些行有错误", rows="message"),
    # --- premiums (chain._premiums) ---
    _m("premium.no_base",
       "tariff {tariff}: no pension grade is open to category '{category}' alone, so its 代缴 "
       "has no base (spec §4.2): {reason}",
       "待遇标准 {tariff}：没有任何养老缴费档次向只属于人员类别 '{category}' 的人开放，"
       "因此其代缴没有基数（规范 §4.2）：{reason}",
        reason="message"),
    _m("premium.no_birth_date",
       "the birth date is needed for the pension contribution (age on 1 January)",
       "计算养老保险缴费需要出生日期（按缴费年度1月1日的周岁计）"),
    _m("premium.born_after", "{birth} is after the contribution year {year}",
       "{birth} 晚于缴费年度 {year}"),
    _m("premium.no_open_grade", "no pension grade of tariff {tariff} is open to the person",
       "待遇标准 {tariff} 没有向此人开放的养老缴费档次"),
    _m("premium.unknown_grade",
       "{grade} is not a pension grade of tariff {tariff} (grades: {known})",
       "{grade} 不是待遇标准 {tariff} 的养老缴费档次（可选：{known}）"),
    _m("premium.reserved_grade",
       "grade {grade} is reserved for {reserved}; the person holds {held}",
       "{grade} 档只向 {reserved} 开放；此人的人员类别：{held}", held="message"),
    # --- tariff files and books (tariff) ---
    _m("tariff.all_grades_reserved",
       "every grade has `for`; at least one grade must be open to everyone",
       "每个档次都有 `for`；至少要有一个档次向所有人开放"),
    _m("tariff.overlap",
       "{second}: versions of series {series} overlap: {detail} (other file: {first})",
       "{second}：待遇标准 {series} 的版本有效期重叠：{detail}（另一文件：{first}）",
       detail="message"),
    _m("tariff.version_twice", "version {version} is defined twice", "版本 {version} 定义了两次"),
    _m("tariff.ranges_overlap", "{later} ({later_range}) overlaps {earlier} ({earlier_range})",
       "{later}（{later_range}）与 {earlier}（{earlier_range}）的有效期重叠"),
    _m("tariff.no_series", "no tariff series {series} (known series: {known})",
       "没有待遇标准 {series}（已有：{known}）", known="text"),
    _m("tariff.no_version", "series {series} has no version {version} (versions: {known})",
       "待遇标准 {series} 没有版本 {version}（已有版本：{known}）"),
    _m("tariff.not_in_force", "no tariff of series {series} is in force on {day}",
       "{day} 没有生效的待遇标准 {series}"),
    _m("tariff.not_one_of", "{where}: {value} is not one of {allowed}",
       "{where}：{value} 不是以下之一：{allowed}"),
    # --- tariff files: where a problem is, and the YAML (tariff._yaml) ---
    _m("at", "{where}: {message}", "{where}：{message}"),
    _m("at.file", "the file: {message}", "文件：{message}"),
    _m("where.file", "the file", "文件"),
    _m("yaml.not_utf8", "byte 0x{byte:02x} is not UTF-8; tariff files are UTF-8 text",
       "字节 0x{byte:02x} 不是 UTF-8 编码；待遇标准文件须为 UTF-8 文本"),
    _m("yaml.control", "{code} (a control character)", "{code}（控制字符）"),
    _m("yaml.line_break", "{code} {name} (a line break only YAML sees)",
       "{code} {name}（只有 YAML 当作换行的字符）"),
    _m("yaml.bom", "{code} (a byte-order mark or non-character)",
       "{code}（字节顺序标记或非字符）"),
    _m("yaml.direction", "{code} {name} (an invisible direction mark)",
       "{code} {name}（看不见的文字方向标记）"),
    _m("yaml.character", "the character {char} is not allowed in a tariff file; remove it",
       "待遇标准文件中不允许出现字符 {char}；请删除", char="text"),
    _m("yaml.characters",
       "the character {char} is not allowed in a tariff file; remove it; {more:,} more in the "
       "file",
        "待遇标准文件中不允许出现字符 {char}；请删除；文件中另有 {more:,} 处", char="text"),
    _m("yaml.alias", "aliases (*{anchor}) are not allowed; write the value out",
       "不允许使用 YAML 别名（*{anchor}）；请直接写出值"),
    _m("yaml.anchor", "anchors (&{anchor}) are not allowed; write values out",
       "不允许使用 YAML 锚点（&{anchor}）；请直接写出值"),
    _m("yaml.tag", "YAML tags ({tag}) are not allowed; remove the tag",
       "不允许使用 YAML 标签（{tag}）；请删除该标签"),
    _m("yaml.too_deep",
       "nested more than {depth} levels deep (a tariff needs at most 6); check the brackets "
       "and the indentation",
        "嵌套超过 {depth} 层（待遇标准最多只需 6 层）；请检查括号和缩进"),
    _m("yaml.second_document", "a tariff file holds one YAML document; found a second",
       "一个待遇标准文件只能有一个 YAML 文档；发现了第二个"),
    _m("yaml.invalid", "this is not valid YAML: {what}", "这不是有效的 YAML：{what}", what="text"),
    _m("yaml.unreadable", "cannot be read", "无法读取"),
    _m("found.mapping", "a mapping", "映射（键: 值）"),
    _m("found.list", "a list", "列表"),
    _m("found.nothing", "no value", "空值"),
    _m("found.text", "the text {text}", "文本 {text}"),
    _m("found.boolean", "the YAML boolean {value}", "YAML 布尔值 {value}"),
    _m("found.number", "the number {value}", "数字 {value}"),
    _m("found.date", "the date {value}", "日期 {value}"),
    # --- tariff files: keys and values (tariff._read_values) ---
    _m("hint.did_you_mean", " (did you mean '{choice}'?)", "（是否想写 '{choice}'？）"),
    _m("hint.declared", " (declared: {declared})", "（已声明：{declared}）", declared="text"),
    _m("choices.more", "{shown}, ... ({count:,} in all)", "{shown}, …（共 {count:,} 个）"),
    _m("key.unknown_in", "unknown key '{key}' in {where} (did you mean '{choice}'?)",
       "{where} 中有未知的键 '{key}'（是否想写 '{choice}'？）"),
    _m("key.unknown_in_expected", "unknown key '{key}' in {where} (expected {choices})",
       "{where} 中有未知的键 '{key}'（可用的键：{choices}）", choices="text"),
    _m("key.unknown_top", "unknown key '{key}' at the top level (did you mean '{choice}'?)",
       "顶层有未知的键 '{key}'（是否想写 '{choice}'？）"),
    _m("key.unknown_top_expected", "unknown key '{key}' at the top level (expected {choices})",
       "顶层有未知的键 '{key}'（可用的键：{choices}）", choices="text"),
    _m("key.missing", "missing required key '{key}'", "缺少必填的键 '{key}'"),
    _m("key.not_name", "keys must be names, found {found}", "键必须是名称，实际是{found}",
       found="text"),
    _m("key.duplicate_in",
       "duplicate key '{key}' in {where} (first given on line {line}); give it once",
       "{where} 中的键 '{key}' 重复（第 {line} 行已给出）；只能给一次"),
    _m("key.duplicate", "duplicate key '{key}' (first given on line {line}); give it once",
       "键 '{key}' 重复（第 {line} 行已给出）；只能给一次"),
    _m("expected.mapping", "expected a mapping{what}, found {found}",
       "应为映射{what}，实际是{found}", what="text", found="text"),
    _m("expected.list", "expected a list of {what}, found {found}",
       "应为{what}列表，实际是{found}", what="text", found="text"),
    _m("list.empty", "the list is empty; expected at least one {what}",
       "列表为空；至少要有一项{what}", what="text"),
    _m("list.twice", "{value} is listed twice", "{value} 列出了两次", value="text"),
    _m("expected.value", "expected {expected}, found {found}", "应为{expected}，实际是{found}",
       expected="text", found="text"),
    _m("expected.value_hint", "expected {expected}, found {found} (did you mean '{choice}'?)",
       "应为{expected}，实际是{found}（是否想写 '{choice}'？）", expected="text", found="text"),
    _m("text.quote_it", "expected text, found {found}; quote it: {hint}",
       "应为文本，实际是{found}；请加引号：{hint}", found="text"),
    _m("text.empty", "the text is empty", "文本为空"),
    _m("id.invalid",
       "{value} is not a valid id; use lower-case letters, digits, '_' and '-', starting with "
       "a letter or digit",
        "{value} 不是有效的代码；只能用小写字母、数字、'_' 和 '-'，并以字母或数字开头"),
    _m("choice.not_one_of", "{value} is not one of {choices}", "{value} 不是以下之一：{choices}"),
    _m("choice.not_one_of_hint", "{value} is not one of {choices} (did you mean '{choice}'?)",
       "{value} 不是以下之一：{choices}（是否想写 '{choice}'？）"),
    _m("number.quoted", "{value} is quoted text; write the number without quotes: {written}",
       "{value} 是加了引号的文本；数字请不加引号写：{written}"),
    _m("number.boolean", "{value} is a YAML boolean, not a number; expected {expected}",
       "{value} 是 YAML 布尔值，不是数字；应为{expected}", expected="text"),
    _m("number.plain",
       "write {value} as plain decimal digits, e.g. 1200 or 0.65 (no exponent, leading zero, "
       "'_', '+', or leading '.')",
       "请把 {value} 写成普通的十进制数字，如 1200 或 0.65（不用指数、前导零、'_'、'+' "
       "或开头的 '.'）"),
    _m("tariff.amount_decimals", "{value} has more than 2 decimal places (yuan and fen)",
       "{value} 的小数超过 2 位（金额只到元和分）"),
    _m("number.outside", "{value} is outside {bounds}", "{value} 超出范围 {bounds}",
       bounds="text"),
    _m("bounds.or_more", "{low} or more", "{low} 或以上"),
    _m("number.not_whole_expected", "{value} is not a whole number; expected {expected}",
       "{value} 不是整数；应为{expected}", expected="text"),
    _m("number.far_too_large", "{value} is far too large; expected {expected}",
       "{value} 太大了；应为{expected}", expected="text"),
    _m("date.time_given", "{value} has a time of day; expected a date YYYY-MM-DD",
       "{value} 带有时刻；应为日期 YYYY-MM-DD"),
    _m("date.not_calendar", "{value} is not a calendar date", "{value} 不是日历上的日期"),
    _m("cap.no_value", "no value given; write `none` for no cap, or an amount",
       "未填写；不设封顶请写 `none`，否则写金额"),
    _m("cap.expected", "expected an amount or `none` (no cap), found {found}",
       "应为金额或 `none`（不设封顶），实际是{found}", found="text"),
    _m("cap.expected_hint",
       "expected an amount or `none` (no cap), found {found} (did you mean '{choice}'?)",
       "应为金额或 `none`（不设封顶），实际是{found}（是否想写 '{choice}'？）", found="text"),
    _m("what.text", "text", "文本"),
    _m("what.amount", "an amount in yuan, e.g. 1200 or 180.00",
       "以元为单位的金额，如 1200 或 180.00"),
    _m("what.unit", "{what} from 0 to 1, e.g. 0.65", "0 至 1 之间的{what}，如 0.65", what="text"),
    _m("what.ratio", "a ratio", "比例"),
    _m("what.factor", "a factor", "系数"),
    _m("what.bonus", "a bonus", "加成比例"),
    _m("what.share", "a share", "份额"),
    _m("what.whole_between", "a whole number from {low} to {high}", "{low} 至 {high} 的整数"),
    _m("what.whole", "a whole number", "整数"),
    _m("what.date", "a date YYYY-MM-DD", "日期 YYYY-MM-DD"),
    _m("what.levels", "hospital levels", "医院等级"),
    _m("what.segments", "segments {{to: ..., ratio: ...}}", "分段 {{to: ..., ratio: ...}}"),
    _m("what.category_ids", "category ids", "人员类别代码"),
    _m("what.sources", "sources", "依据"),
    _m("what.categories", "categories", "人员类别"),
    _m("what.aliases", "aliases (names as text)", "别名（文本）"),
    _m("what.disability_rules", "disability rules", "残疾规则"),
    _m("what.disability_grades", "disability grades (1 to 4)", "残疾等级（1 至 4）"),
    _m("what.disability_types", "disability types", "残疾类别"),
    _m("what.grades", "grades {{amount: ..., subsidy: ...}}",
       "档次 {{amount: ..., subsidy: ...}}"),
    _m("what.payment", "full, {{share: q}} or {{amount: a}}",
       "full、{{share: q}} 或 {{amount: a}}"),
    _m("what.payment_mapping", " ({{share: q}} or {{amount: a}})",
       "（{{share: q}} 或 {{amount: a}}）"),
    _m("what.header", " of tariff keys (format: 1, series: ...)",
       "（待遇标准的键：format: 1, series: ...）"),
    _m("what.by_category", " of category ids to {what}", "（人员类别代码 → {what}）", what="text"),
    _m("what.adjustments", "adjustments", "调整"),
    # --- tariff files: declarations and references (tariff._read_declared) ---
    _m("declared.reserved_base",
       "'{base}' is reserved for the ordinary person (the section's top-level values); choose "
       "another {what}",
        "'{base}' 保留给普通参保人（本部分顶层的值）；请另选{what}", what="text"),
    _m("declared.twice", "{what} '{ident}' is declared twice", "{what} '{ident}' 声明了两次",
       what="text"),
    _m("declared.undeclared_category", "undeclared category '{category}'{hint}",
       "未声明的人员类别 '{category}'{hint}", hint="text"),
    _m("declared.undeclared_source", "undeclared source '{source}'{hint}",
       "未声明的依据 '{source}'{hint}", hint="text"),
    _m("declared.url", "expected a web address starting with https://",
       "应为以 https:// 开头的网址"),
    _m("declared.no_alias", "the list is empty; give at least one alias, or remove the key",
       "列表为空；请至少给一个别名，或删除该键"),
    _m("declared.alias_twice", "{value} is listed twice (as {quoted} on line {line}; {note})",
       "{value} 列出了两次（第 {line} 行已写作 {quoted}；{note}）", note="text"),
    _m("declared.compared", "names are compared after NFKC, case folding and trimming",
       "比较名称时先做 NFKC 规范化、不分大小写并去掉首尾空白"),
    _m("declared.own_name", "{value} is already this {noun}'s {what}; remove the alias",
       "{value} 已是本{noun}的{what}；请删除该别名", noun="text", what="text"),
    _m("declared.own_name_as",
       "{value} is already this {noun}'s {what} {quoted} ({note}); remove the alias",
       "{value} 已是本{noun}的{what} {quoted}（{note}）；请删除该别名", noun="text", what="text",
       note="text"),
    _m("declared.names_other",
       "{value} also names {noun} '{owner}' (its {what} on line {line}); each id, label and "
       "alias must name one {noun}",
       "{value} 也是{noun} '{owner}' 的名称（第 {line} 行的{what}）；每个代码、"
       "名称和别名只能指一个{noun}",
        noun="text", what="text"),
    _m("declared.names_other_as",
       "{value} also names {noun} '{owner}' (its {what} {quoted} on line {line}; {note}); each "
       "id, label and alias must name one {noun}",
       "{value} 也是{noun} '{owner}' 的名称（第 {line} 行的{what} {quoted}；{note}）；"
       "每个代码、名称和别名只能指一个{noun}",
        noun="text", what="text", note="text"),
    _m("noun.id", "id", "代码"),
    _m("noun.zh_label", "zh label", "中文名称"),
    _m("noun.en_label", "en label", "英文名称"),
    _m("noun.alias", "alias", "别名"),
    _m("noun.name", "name", "名称"),
    _m("noun.category", "category", "人员类别"),
    _m("noun.level", "level", "医院等级"),
    _m("noun.source", "source", "依据"),
    _m("noun.grade", "grade {grade}", "{grade} 级"),
    _m("noun.type", "type '{kind}'", "类别 '{kind}'"),
    # --- tariff files: sections (tariff._reader, _read_claims, _read_premiums) ---
    _m("header.format", "format: {value} is not supported; this medcalc reads format {format}",
       "format：不支持格式 {value}；此版本 medcalc 读取格式 {format}"),
    _m("header.series",
       "{value} must be lower-case letters, digits and '-' (e.g. qingyuan-qingcheng)",
       "{value} 只能用小写字母、数字和 '-'（如 qingyuan-qingcheng）"),
    _m("header.region", "{value} is not a 6-digit region code (行政区划代码), e.g. \"441802\"",
       "{value} 不是 6 位行政区划代码，如 \"441802\""),
    _m("header.effective", "from {start} is after to {end}; expected `to` on or after `from`",
       "开始日期 {start} 晚于结束日期 {end}；`to` 不能早于 `from`"),
    _m("header.empty", "the file is empty; expected a tariff (format: 1, series: ...)",
       "文件为空；应为待遇标准（format: 1, series: ...）"),
    _m("claims.no_adjustment", "no adjustment given; remove the entry or give a value",
       "没有给出调整；请删除该项或填写值"),
    _m("claims.last_segment_to",
       "the last segment is open-ended and must have no `to`; add a last segment "
       "{{ratio: ...}} or remove this `to`",
        "最后一段不设上限，不能有 `to`；请再加一段 {{ratio: ...}}，或删除此 `to`"),
    _m("claims.missing_to", "missing `to`; only the last segment is open-ended",
       "缺少 `to`；只有最后一段可以不设上限"),
    _m("claims.not_above_threshold",
       "{upper} is not above the threshold {threshold}; segments must rise above it",
       "{upper} 不高于起付线 {threshold}；分段必须高于起付线"),
    _m("claims.not_above_zero",
       "{upper} must be above 0 (with bounds: above_threshold, `to` is counted from the "
       "threshold)",
        "{upper} 必须大于 0（bounds: above_threshold 时，`to` 从起付线起算）"),
    _m("claims.not_rising",
       "{upper} does not rise above the previous bound {previous}; bounds must rise strictly",
       "{upper} 不高于上一段的上限 {previous}；各段上限必须逐段升高"),
    _m("claims.factor_or_threshold", "give threshold_factor or threshold, not both",
       "threshold_factor 与 threshold 只能给一个"),
    _m("claims.threshold_not_below",
       "{threshold} is not below the first segment bound {bound}; give this category its own "
       "segments, or a lower threshold",
        "{threshold} 不低于第一段的上限 {bound}；请为此人员类别单独给出分段，或降低起付线"),
    _m("claims.no_eligible", "no eligible category; name at least one",
       "没有可享受的人员类别；请至少列出一个"),
    _m("premiums.one_of", "give exactly one of share or amount",
       "share 与 amount 必须且只能给一个"),
    _m("premiums.ages", "from {low} is above to {high}; expected from <= to",
       "from {low} 大于 to {high}；应满足 from <= to"),
    _m("premiums.grade_twice", "a grade of {amount} is given twice", "{amount} 的档次给了两次"),
    # --- tariff files on disk (tariff._loader, tariff._discovery) ---
    _m("file.missing", "no such file or directory", "没有这个文件或目录"),
    _m("file.unreadable", "cannot read the file: {reason}", "无法读取文件：{reason}",
       reason="text"),
    _m("file.too_large",
       "the file is {size:,} bytes; a tariff file may be at most {limit:,} bytes",
       "文件有 {size:,} 字节；待遇标准文件最多 {limit:,} 字节"),
    _m("file.not_regular", "not a regular file ({kind}); a tariff is a .yaml file",
       "不是普通文件（{kind}）；待遇标准应为 .yaml 文件", kind="text"),
    _m("discovery.one_path",
       "tariff directories: expected a list of directories, got the one path '{path}'; give it "
       "as a list: ['{path}']",
        "待遇标准目录：应为目录列表，却只给了一个路径 '{path}'；请写成列表：['{path}']"),
    _m("discovery.not_list", "tariff directories: expected a list of directories, got {type}",
       "待遇标准目录：应为目录列表，实际是 {type}"),
    _m("discovery.entry", "tariff directories: entry {position} is {type} {entry}, not a path",
       "待遇标准目录：第 {position} 项是 {type} {entry}，不是路径"),
    _m("discovery.env_missing", "{var}: directory '{entry}' does not exist",
       "{var}：目录 '{entry}' 不存在"),
    _m("discovery.env_unusable", "{var}: cannot use '{entry}': {reason}",
       "{var}：无法使用 '{entry}'：{reason}", reason="text"),
    _m("discovery.env_not_dir",
       "{var}: '{entry}' is {kind}, not a directory ({var} lists tariff directories, separated "
       "by '{sep}')",
        "{var}：'{entry}' 是{kind}，不是目录（{var} 列出待遇标准目录，以 '{sep}' 分隔）",
       kind="text"),
    _m("file.kind.directory", "a directory", "目录"),
    _m("file.kind.fifo", "a FIFO", "命名管道（FIFO）"),
    _m("file.kind.char", "a character device", "字符设备"),
    _m("file.kind.block", "a block device", "块设备"),
    _m("file.kind.socket", "a socket", "套接字"),
    _m("file.kind.special", "a special file", "特殊文件"),
    _m("file.kind.file", "a file", "文件"),
    # --- the vectorised engine (fast) ---
    _m("engine.chunk_rows", "chunk_rows: expected a whole number of rows >= 1, got {value}",
       "chunk_rows：应为不小于 1 的整数行数，实际是 {value}"),
    _m("engine.one_dimensional", "expected a 1-dimensional column", "应为一维的列"),
    _m("engine.rows_shape", "expected {count} rows, got shape {shape}",
       "应有 {count} 行，实际形状为 {shape}"),
    _m("engine.rows", "expected {count} rows", "应有 {count} 行"),
    _m("engine.kinds", "at least one person kind is needed", "至少需要一种人员类型"),
    _m("engine.no_date", "every claim needs a date (found NaT)", "每次住院都需要日期（发现 NaT）"),
    _m("engine.codes", "codes must be from {low} to {high}", "代码必须在 {low} 至 {high} 之间"),
    _m("engine.days_dtype", "expected datetime64[D] or int days, got {dtype}",
       "应为 datetime64[D] 或整数天数，实际是 {dtype}"),
    _m("engine.int_dtype", "expected integers, got {dtype}", "应为整数，实际是 {dtype}"),
    _m("engine.row_range",
       "row {number}: {what} {amount} is beyond the engine's exact int64 range with ratio "
       "scale {scale} (at most {limit}); use the reference core (medcalc.Calculator)",
       "第 {number} 行：{what} {amount} 超出向量引擎精确 int64 运算的范围（比例刻度 {scale}，"
       "最多 {limit}）；请改用参考核心（medcalc.Calculator）",
        what="field"),
    _m("engine.ratio_decimals",
       "a ratio of tariff series {series} has {decimals} decimals; the engine's exact int64 "
       "arithmetic takes at most {most}; use the reference core",
       "待遇标准 {series} 中有比例带 {decimals} 位小数；向量引擎的精确 int64 运算最多支持 "
       "{most} 位；请改用参考核心"),
    _m("engine.tariff_amount",
       "tariff amount {amount} is beyond the engine's exact range with ratio scale "
       "10**{decimals} (at most {limit}); use the reference core",
       "待遇标准中的金额 {amount} 超出向量引擎精确运算的范围（比例刻度 10**{decimals}，最多 "
       "{limit}）；请改用参考核心"),
    # --- batch files (batch._encoding, batch._files) ---
    _m("batch.neither_encoding",
       "{path}: line {line} is neither UTF-8 nor GB18030 text; give its encoding with "
       "--input-encoding",
        "{path}：第 {line} 行既不是 UTF-8 也不是 GB18030 文本；请用 --input-encoding 指定其编码"),
    _m("batch.utf16",
       "{path} is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' or give "
       "--input-encoding utf-16",
       "{path} 是 UTF-16 文本（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”，或指定 "
       "--input-encoding utf-16"),
    _m("batch.byte", "{path}: byte {byte} cannot be read as {encoding}",
       "{path}：第 {byte} 个字节无法按 {encoding} 读取"),
    _m("batch.mixed",
       "{path}: line {line} reads as {encoding} but line {at} as {other}; the file mixes "
       "encodings: save it again in one, or give --input-encoding",
       "{path}：第 {line} 行按 {encoding} 读取，而第 {at} 行按 {other} 读取；文件混用了编码："
       "请统一用一种编码重新保存，或指定 --input-encoding"),
    _m("batch.unknown_encoding", "{option}: unknown encoding {name}",
       "{option}：未知的编码 {name}"),
    _m("batch.not_text_encoding", "{option}: {name} is not a text encoding",
       "{option}：{name} 不是文本编码"),
    _m("batch.cannot_write", "{option}: {name} cannot write a CSV file ({reason})",
       "{option}：{name} 无法写 CSV 文件（{reason}）"),
    _m("batch.xls", "{path}: .xls workbooks are not supported; save it as .xlsx or CSV",
       "{path}：不支持 .xls 工作簿；请另存为 .xlsx 或 CSV"),
    _m("batch.unknown_format",
       "cannot tell the format of {path} from its extension; give {option} {formats} or {final}",
       "无法从扩展名判断 {path} 的格式；请用 {option} 指定 {formats} 或 {final}"),
    _m("batch.no_file", "{path}: no such file", "{path}：没有这个文件"),
    _m("batch.directory", "{path} is a directory, not a file", "{path} 是目录，不是文件"),
    _m("batch.pipe",
       "{path} is a pipe, FIFO or device, which cannot be read as input (a batch reads its "
       "input more than once); save it to a file first",
        "{path} 是管道、FIFO 或设备，不能作为输入（批量计算要多次读取输入）；请先保存为文件"),
    # --- batch rows and files not yet said through this catalogue (their owners' files build
    # the same English: batch._rows, _csv, _jsonl, _xlsx, _output, _table, _job, _claims_file)
    _m("row.required", "is required", "必填"),
    _m("row.no_birth_date",
       "is required for the pension part (age on 1 January); the medical part is computed",
       "计算养老保险部分时必填（按1月1日的周岁计）；医保部分已照常计算"),
    _m("csv.unclosed_quote",
       "{path}: line {line}: a quoted field starts here and never closes, or runs over lines "
       "that are whole rows; a \" is missing or stray on this line",
       "{path}：第 {line} 行：有一个带引号的字段从这里开始却没有结束，或跨过了若干整行；"
       "这一行少了或多了一个 \""),
    _m("csv.empty", "{path} is empty: expected a header row", "{path} 是空文件：应有表头行"),
    _m("csv.row_error", "{path}: row {number}: {reason}", "{path}：第 {number} 行：{reason}",
       reason="text"),
    _m("csv.too_many_fields", "{path}: row {number} has {count} fields but the header has {width}",
       "{path}：第 {number} 行有 {count} 个字段，而表头只有 {width} 列"),
    _m("table.undecodable",
       "{path}: {place} cannot be read as {encoding}; give the right --input-encoding",
       "{path}：{place}无法按 {encoding} 读取；请用 --input-encoding 指定正确的编码",
       place="message"),
    _m("table.line", "line {number}", "第 {number} 行"),
    _m("table.column_twice",
       "{path}: the header has column {field} twice: {first} (column {a}) and {second} (column "
       "{b}); keep one",
       "{path}：表头中 {field} 列出现了两次：{first}（第 {a} 列）和 {second}（第 {b} 列）；"
       "请只保留一列",
        field="text"),
    _m("table.no_column", "{path}: no {missing} column (columns: {columns})",
       "{path}：缺少 {missing} 列（现有列：{columns}）", columns="text"),
    _m("table.no_series", "{path} has no series column; give --series",
       "{path} 没有待遇标准（series）列；请用 --series 指定"),
    _m("table.changed", "{path} changed while it was being read", "{path} 在读取过程中被修改了"),
    _m("jsonl.key_twice", "{path}: line {number} has key {key} twice",
       "{path}：第 {number} 行的键 {key} 出现了两次"),
    _m("jsonl.invalid", "{path}: line {number} is not valid JSON: {reason}",
       "{path}：第 {number} 行不是有效的 JSON：{reason}", reason="text"),
    _m("jsonl.too_deep", "{path}: line {number} is nested too deeply to be a row",
       "{path}：第 {number} 行嵌套太深，不能作为一行数据"),
    _m("jsonl.not_object", "{path}: line {number} is not a JSON object",
       "{path}：第 {number} 行不是 JSON 对象"),
    _m("jsonl.column_twice",
       "{path}: line {number} has column {name} twice (keys {first} and {second})",
       "{path}：第 {number} 行的 {name} 列出现了两次（键 {first} 和 {second}）"),
    _m("xlsx.missing_library",
       "XLSX files need {library}, installed with medcalc; reinstall it: pip install medcalc",
       "XLSX 文件需要 {library}（随 medcalc 安装）；请重新安装：pip install medcalc"),
    _m("xlsx.unpacked",
       "{path} unpacks to {total} bytes, more than the limit of {limit} ({mib} MiB) for an "
       "XLSX input; save it as CSV",
        "{path} 解压后有 {total} 字节，超过 XLSX 输入的上限 {limit}（{mib} MiB）；请另存为 CSV"),
    _m("xlsx.ratio",
       "{path}: part {part} unpacks {ratio} times its size, more than the limit of {limit} for "
       "an XLSX input (a zip bomb?)",
       "{path}：部件 {part} 解压后是原大小的 {ratio} 倍，超过 XLSX 输入的上限 "
       "{limit}（可能是压缩炸弹）"),
    _m("xlsx.dtd",
       "{path}: part {part} has a DTD (or another prolog) that XLSX files never have; save the "
       "workbook again from Excel",
       "{path}：部件 {part} 含有 XLSX 文件不会有的 DTD（或其他序言）；请用 Excel "
       "重新保存该工作簿"),
    _m("xlsx.sheet_unreadable", "{path}: the first sheet cannot be read: {reason}",
       "{path}：无法读取第一个工作表：{reason}", reason="text"),
    _m("xlsx.unreadable", "{path} is not a readable XLSX workbook: {reason}",
       "{path} 不是可读取的 XLSX 工作簿：{reason}", reason="text"),
    _m("xlsx.no_sheet", "{path} has no worksheet", "{path} 没有工作表"),
    _m("xlsx.no_header", "{path}: the first sheet has no header in row 1",
       "{path}：第一个工作表的第 1 行没有表头"),
    _m("xlsx.beyond_header",
       "{path}: row {number} has a value beyond the last header column ({width} columns)",
       "{path}：第 {number} 行在表头最后一列之后还有值（表头共 {width} 列）"),
    _m("output.control",
       "row {number} holds a control character that XLSX cannot store; remove it, or write CSV "
       "or JSON Lines",
        "第 {number} 行含有 XLSX 无法保存的控制字符；请删除，或输出为 CSV 或 JSON Lines"),
    _m("output.long_cell",
       "row {number} holds a cell of more than 32,767 characters, which XLSX cannot store; "
       "write CSV or JSON Lines",
        "第 {number} 行有超过 32,767 个字符的单元格，XLSX 无法保存；请输出为 CSV 或 JSON Lines"),
    _m("output.cannot_write", "cannot write {path}: {reason}", "无法写入 {path}：{reason}",
       reason="text"),
    _m("output.directory", "it is a directory", "它是一个目录"),
    _m("output.special", "it is not a regular file, a character device or a FIFO",
       "它不是普通文件、字符设备或 FIFO"),
    _m("output.no_directory", "no directory {directory}", "目录 {directory} 不存在"),
    _m("output.not_writable", "the directory {directory} is not writable",
       "目录 {directory} 不可写"),
    _m("output.encoding_char",
       "cannot write {text} in encoding {encoding}; choose another --output-encoding",
       "无法用编码 {encoding} 写出 {text}；请另选 --output-encoding"),
    _m("output.same_file", "the output {path} is the input file; choose another -o",
       "输出文件 {path} 就是输入文件；请用 -o 另选输出文件"),
    _m("usage.engine_numpy", "--engine fast needs numpy: pip install 'medcalc[fast]'",
       "--engine fast 需要 numpy：pip install 'medcalc[fast]'"),
    _m("usage.input_encoding_xlsx", "--input-encoding applies to CSV and JSON Lines, not XLSX",
       "--input-encoding 只适用于 CSV 和 JSON Lines，不适用于 XLSX"),
    _m("usage.output_encoding_csv", "--output-encoding applies to CSV output only",
       "--output-encoding 只适用于 CSV 输出"),
    _m("claims_file.no_claims", "{name}: the file holds no claims", "{name}：文件中没有住院记录"),
    _m("claims_file.empty", "{name}: the file is empty; expected a header line and claims",
       "{name}：文件为空；应有表头行和住院记录"),
    _m("claims_file.cells", "{place}: {count} cells but the header has {width}",
       "{place}：有 {count} 个单元格，而表头只有 {width} 列", place="message"),
    _m("claims_file.row", "{name} row {number}", "{name} 第 {number} 行"),
    _m("claims_file.row_line", "{name} row {number} (line {line})",
       "{name} 第 {number} 行（文本第 {line} 行）"),
    _m("claims_file.row_sheet", "{name} row {number} (sheet row {line})",
       "{name} 第 {number} 行（工作表第 {line} 行）"),
    _m("claims_file.at", "{place}: {message}", "{place}：{message}", place="message"),
    _m("problem", "{path}:{line}:{column}: {message}", "{path}:{line}:{column}：{message}"),
)  # fmt: skip

#: The months as messages name them ("February 2019 has 28 days"); in Chinese by number.
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

#: Parameters that are always whole numbers, whatever the message (a file's line and column, a
#: row's number, a count): a translation reads them as digits only.
WHOLE_NUMBERS = frozenset(
    {"line", "column", "number", "last", "a", "b", "more", "digits", "days", "year"}
)

CATALOGUE: Mapping[str, Message] = {m.id: m for m in _MESSAGES}
"""Every message by its id."""


def say(id: str, /, **params: object) -> str:
    """The English text of message ``id`` with ``params`` filled in.

    >>> say("rows.one", number=7)
    'row 7'
    """
    return CATALOGUE[id].en.format(**params)
