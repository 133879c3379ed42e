"""Every help text of the command line, in Chinese and English, in one place.

The commands and options carry no help strings: :class:`medcalc.cli.common.MedcalcCommand`
looks a command up here by its path (``"claim"``, ``"batch claims"``, ``""`` for ``medcalc``
itself) and an option by its parameter name, and renders the text in the language of the run
(``--lang``, else ``MEDCALC_LANG``, else zh). Click's own words on a help page (用法, 选项,
命令, the help and version options) are here too. ``tests/test_cli_lang.py`` walks the command
tree: every command and option has an entry, and every entry a command or option.

The texts that list the chain's layers or year-to-date fields are built from
:data:`medcalc.chain.LAYERS` and :data:`~medcalc.chain.YTD_FIELDS`, so a new layer needs no edit
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from medcalc.chain import CLAIM_FIELDS, FIELD_LABELS, LAYERS, YTD_FIELDS, Layer
from medcalc.present import CLAIMS_SCHEMA, PREMIUMS_SCHEMA
from medcalc.tariff import DISABILITY_TYPES


class Text(NamedTuple):
    """One text in Chinese and in English; ``text(lang)`` is the one to show."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class CommandHelp(NamedTuple):
    """A command's help: ``short`` in its group's list of commands, ``text`` on its own page
    (paragraphs separated by a blank line), and each option's, by parameter name."""

    short: Text
    text: Text
    options: Mapping[str, Text]


# -- click's words on a help page -------------------------------------------------------------

USAGE = Text("用法:", "Usage:")
OPTIONS = Text("选项", "Options")
ARGUMENTS = Text("参数", "Positional arguments")
COMMANDS = Text("命令", "Commands")
OPTIONS_METAVAR = Text("[选项]", "[OPTIONS]")
COMMAND_METAVAR = Text("命令 [参数]...", "COMMAND [ARGS]...")
DEFAULT = Text("默认：{default}", "default: {default}")
REQUIRED = Text("必填", "required")
ENV_VAR = Text("环境变量：{var}", "env var: {var}")
HELP_OPTION = Text("显示本帮助并退出。", "Show this message and exit.")
VERSION_OPTION = Text("显示版本并退出。", "Show the version and exit.")
VERSION_LINE = Text("{prog}，版本 {version}", "{prog}, version {version}")

# -- options several commands share ------------------------------------------------------------

LANG = Text(
    "输出语言：zh（中文）或 en（英文）；放在命令前后均可。默认取环境变量 MEDCALC_LANG，"
    "没有则为 zh。",
    "Output language: zh (Chinese) or en; before or after the command. Default: the "
    "MEDCALC_LANG environment variable, else zh.",
)
TARIFFS = Text(
    "另加的待遇标准目录（可重复）；环境变量 MEDCALC_TARIFFS（路径列表）可再添加。",
    "Extra tariff directory (repeatable); MEDCALC_TARIFFS adds more (path list).",
)
TABLE_OR_JSON = Text(
    "输出格式：table 是给人看的表格，json 供程序读取。",
    "Output format: a table for people, or JSON for programs.",
)


def _zh_and_id(field: str, note: str = "") -> str:
    """``人员编号（person_id）``: an input field by its Chinese name and its id (and a note)."""
    return f"{FIELD_LABELS[field][0]}（{field}{'，' + note if note else ''}）"


def _zh_layer(layer: Layer) -> str:
    # base_zh names the layer's accumulated base (大病累计); without 累计 it names the layer.
    return layer.base_zh.removesuffix("累计")


_LAYERS_EN = ", ".join(layer.id.replace("_", " ") for layer in LAYERS)
_LAYERS_ZH = "、".join(_zh_layer(layer) for layer in LAYERS)


# -- medcalc premium, medcalc claim ------------------------------------------------------------

_PERSON = {
    "series": Text(
        "待遇标准系列。默认：环境变量 MEDCALC_SERIES，没有则用唯一已安装的系列。",
        "Tariff series. Default: MEDCALC_SERIES, else the only series installed.",
    ),
    "category": Text(
        "参保人的一个人员类别：类别 id、名称或别名，如 poverty、低保户；可重复。",
        "A category the person holds: its id, label or alias, e.g. poverty; repeatable.",
    ),
    "categories": Text(
        "多个人员类别，用 ; ； 、 或 , 分隔（同批量文件）；与 --category 合并。",
        "Categories separated by ';', '；', '、' or ',' (as in batch files); adds to --category.",
    ),
    "disability_grade": Text(
        "残疾等级；残疾人员的类别按待遇标准表确定。",
        "Disability grade; disability categories follow from the tariff.",
    ),
    "disability_type": Text(
        f"残疾类别：{'、'.join(DISABILITY_TYPES)}。",
        f"Disability type: {', '.join(DISABILITY_TYPES)}.",
    ),
    "lang": LANG,
    "tariff_dirs": TARIFFS,
}


def _output_format(schema: str, printable: bool = False) -> Text:
    if printable:
        return Text(
            f"table（给经办人看的表格）、json（{schema}）或 html（测算单：可打印的一页 A4）。",
            f"table (for a clerk), json ({schema}) or html (the printable estimate: one A4 page).",
        )
    return Text(
        f"table（给经办人看的表格）或 json（{schema}）。",
        f"table (for a clerk) or json ({schema}).",
    )


OUTPUT = Text(
    "写入文件 FILE（写完整后才替换原文件），而不是输出到终端。",
    "Write to FILE (replaced only once complete) instead of the terminal.",
)


def _ytd_help(field: str) -> Text:
    """``--ytd-<field>``: the year-to-date value the person starts the claims from."""
    zh = FIELD_LABELS[field][0].removeprefix("年度")
    layer = next((x for x in LAYERS if f"ytd_{x.base}" == field), None)
    if layer is None:
        en = "Basic paid so far this year."
    else:
        text = layer.base_text.removeprefix("the ")
        en = f"{text[:1].upper()}{text[1:]} so far this year."
    return Text(f"本年度至今的{zh}。", en)


_PREMIUM = CommandHelp(
    short=Text("一个参保人一年的参保缴费测算。", "Medical and pension premiums of one person."),
    text=Text(
        "一个参保人某一年度的医疗保险和养老保险参保缴费测算。\n\n"
        "显示政府资助、代缴的金额和个人缴纳的金额，按该年 1 月 1 日执行的待遇标准版本计算。",
        "Medical and pension premiums of one person for a year.\n\n"
        "Shows what the government pays (subsidy, contributions paid on the person's behalf) "
        "and what the person pays, under the tariff version in force on 1 January of the year.",
    ),
    options={
        **_PERSON,
        "year": Text("缴费年度。", "Contribution year."),
        "birth_date": Text(
            "出生日期；计算养老保险代缴时需要（按 1 月 1 日的年龄）。",
            "Birth date; needed for the pension contribution (age on 1 January).",
        ),
        "pension_grade": Text(
            "养老保险缴费档次；默认为参保人可选的最低档次。",
            "Pension contribution grade; default: the lowest open to the person.",
        ),
        "output_format": _output_format(PREMIUMS_SCHEMA),
        "output": OUTPUT,
    },
)

_CLAIM = CommandHelp(
    short=Text("一个参保人的住院费用测算。", f"Claims of one person: basic, {_LAYERS_EN}."),
    text=Text(
        f"一个参保人的住院费用测算：基本医保、{_LAYERS_ZH}和个人自付。\n\n"
        "一笔住院用 --date 和 --compliant（以及 --hospital-level、--total 等）给出，多笔用 "
        "--claims 文件给出。--ytd-* 选项给出参保人本年度至今的累计值，代替列出本年度此前的"
        "各笔住院。",
        f"Claims of one person: basic insurance, {_LAYERS_EN}, out of pocket.\n\n"
        "Give one claim with --date and --compliant (and --hospital-level, --total, …), or "
        "several with --claims FILE. The --ytd-* options start from the person's year-to-date "
        "accumulators instead of listing the earlier claims of the year.",
    ),
    options={
        **_PERSON,
        "enrolled_on": Text(
            "参保缴费日期；按待遇标准表的规定开始享受待遇。默认：全年享受。",
            "Payment date; benefits start per the tariff. Default: covered all year.",
        ),
        "date_": Text("入院日期。", "Claim date."),
        "hospital_level": Text(
            "医院等级：待遇标准表中的等级 id、名称或别名，如 level_1、二级、三甲。",
            "Hospital level: the tariff's id, label or alias, e.g. level_1, level_2, level_3.",
        ),
        "total": Text("医疗总费用；默认等于 --compliant。", "Whole bill; default: --compliant."),
        "compliant": Text("政策范围内费用。", "Policy-range cost."),
        "basic_paid": Text(
            "已结算的基本医保支付，代替计算值。",
            "Basic payment already settled, used instead of computing it.",
        ),
        "claim_id": Text("住院号，显示在结果中。", "Claim id shown in the output."),
        "claims_file": Text(
            "从 .csv（带表头）、.xlsx、.json 或 .yaml 文件读入多笔住院；字段："
            + "、".join(_zh_and_id(field) for field in CLAIM_FIELDS)
            + "。",
            "Several claims from a .csv (header), .xlsx, .json or .yaml file; fields: "
            + ", ".join(CLAIM_FIELDS)
            + ".",
        ),
        **{field: _ytd_help(field) for field in YTD_FIELDS},
        "explain": Text(
            "逐层说明每笔住院的计算（仅对表格；JSON 总是带说明）。",
            "Explain each claim layer by layer (tables only; JSON always does).",
        ),
        "output_format": _output_format(CLAIMS_SCHEMA, printable=True),
        "output": OUTPUT,
    },
)

# -- medcalc batch ---------------------------------------------------------------------------

_BATCH_OPTIONS = {
    "output": Text(
        "结果文件；扩展名（.csv、.xlsx、.jsonl）决定格式。写完整后才替换原文件；设备"
        "（/dev/null）或 FIFO 直接写入。",
        "Result file; its extension (.csv, .xlsx, .jsonl) gives the format. Replaced only "
        "when complete; a device (/dev/null) or FIFO is written directly.",
    ),
    "series": Text(
        "没有待遇标准列或该列为空的行所用的待遇标准系列（默认：环境变量 MEDCALC_SERIES，"
        "没有则用唯一已安装的系列）。",
        "Tariff series for rows without a series column/value (default: MEDCALC_SERIES, else "
        "the only series installed).",
    ),
    "input_format": Text(
        "FILE 的扩展名看不出格式时，FILE 的格式。",
        "Format of FILE when its extension does not say.",
    ),
    "output_format": Text(
        "OUT 的扩展名看不出格式时，OUT 的格式。",
        "Format of OUT when its extension does not say.",
    ),
    "input_encoding": Text(
        "CSV、JSON Lines 输入文件的编码（默认自动识别：UTF-8、带 BOM 的 UTF-8 或 GB18030）。",
        "Encoding of a CSV/JSON Lines FILE (default: detected: UTF-8, UTF-8 with BOM or GB18030).",
    ),
    "output_encoding": Text(
        "CSV 结果文件的编码（默认 utf-8-sig，即带 BOM 的 UTF-8，便于 Excel 打开）。",
        "Encoding of a CSV OUT (default: utf-8-sig, UTF-8 with a BOM, for Excel).",
    ),
    "engine": Text(
        "auto：安装了 medcalc[fast] 时用列式引擎（结果相同，更快），否则用参考核心；core：总是用"
        "参考核心；fast：总是用列式引擎（没有 numpy 时报错）。只对住院测算有效：保费测算总是用"
        "参考核心。",
        "auto: the column engine when medcalc[fast] is installed (same output, faster), else "
        "the reference core; core: always the reference core; fast: the engine (an error "
        "without numpy). Claims only: premiums always use the core.",
    ),
    "columns": Text(
        "结果列名的语言：zh（中文列名，是/否）或 en（英文列名，yes/no）。默认：与 FILE 表头"
        "的语言相同。",
        "Language of the result column names: zh (Chinese names) or en (covered, basic, …; "
        "yes/no). Default: that of FILE's header.",
    ),
    "keep_formulas": Text(
        "CSV 结果：以 = + - @、制表符或回车开头的单元格原样写出；默认在前面加 '，让 Excel "
        "当作文本显示。",
        "CSV OUT: write cells that begin with = + - @ tab or CR as they are; by default they "
        "get a leading ' so that Excel shows them as text.",
    ),
    "threads": Text(
        "列式路径（CSV 到 CSV 的住院测算）用的线程数：pyarrow 读 CSV 和计算引擎并行。默认：本进程"
        "可用的 CPU 核数。结果与单线程逐字节相同；其他路径总是单线程。",
        "Threads of the columnar path (claims, CSV to CSV): pyarrow's CSV reading and the "
        "engine side by side. Default: the cores available to the process. The output is the "
        "same byte for byte as on one thread; other paths use one.",
    ),
    "tariff_dirs": TARIFFS,
    "lang": LANG,
}

_OPTIONAL_CLAIM_COLUMNS = (
    "disability_grade",
    "disability_type",
    "enrolled_on",
    "claim_id",
    "hospital_level",
    "total",
    "basic_paid",
    *YTD_FIELDS,
)

#: How a batch file's columns may be named (helper text of both batch commands).
_NAMES = Text(
    "\n\n列名可用英文 id 或中文名（人员编号、入院日期、政策范围内费用等，见 docs/cli-batch.md "
    "§3）；表头是中文时，结果列名也是中文（--columns）。最后一行若是合计行（合计、总计、小计），"
    "不计算。",
    "\n\nA column may be named by its id or its Chinese name (docs/cli-batch.md §3); the "
    "result columns are then named in Chinese too (--columns). A last totals row gets no "
    "results.",
)

_BATCH_CLAIMS = CommandHelp(
    short=Text("批量住院费用测算。", f"Claims: basic, {_LAYERS_EN} and out of pocket."),
    text=Text(
        f"批量住院费用测算：每行计算基本医保、{_LAYERS_ZH}和个人自付。\n\n"
        f"FILE 的列：{_zh_and_id('person_id')}、{_zh_and_id('date')}和"
        f"{_zh_and_id('compliant')}必填；{_zh_and_id('series', '或 --series')}、"
        f"{_zh_and_id('categories', '多个类别用 ; 分隔')}、"
        + "、".join(_zh_and_id(field) for field in _OPTIONAL_CLAIM_COLUMNS)
        + "可选；其他列原样带到结果中。各行不必排序。"
        + _NAMES.zh,
        f"Claims: basic, {_LAYERS_EN} and out of pocket for every row.\n\n"
        "FILE columns: person_id, date (YYYY-MM-DD) and compliant are required; series (or "
        "--series), categories (ids separated by ;), "
        + ", ".join(_OPTIONAL_CLAIM_COLUMNS)
        + " are optional; other columns are carried through. Rows need not be sorted."
        + _NAMES.en,
    ),
    options=_BATCH_OPTIONS,
)

_BATCH_PREMIUMS = CommandHelp(
    short=Text("批量参保缴费测算。", "Premiums: medical subsidy and pension contribution."),
    text=Text(
        "批量参保缴费测算：每行计算医疗保险资助和养老保险代缴。\n\n"
        f"FILE 的列：{_zh_and_id('year')}必填；{_zh_and_id('person_id')}、"
        f"{_zh_and_id('series', '或 --series')}、{_zh_and_id('categories')}、"
        f"{_zh_and_id('disability_grade')}、{_zh_and_id('disability_type')}、"
        f"{_zh_and_id('birth_date', '计算养老保险时需要')}和{_zh_and_id('pension_grade')}"
        "可选；其他列原样带到结果中。" + _NAMES.zh,
        "Premiums: the medical subsidy and the pension contribution paid on the person's "
        "behalf, for every row.\n\n"
        "FILE columns: year is required; person_id, series (or --series), categories, "
        "disability_grade, disability_type, birth_date (needed for the pension) and "
        "pension_grade are optional; other columns are carried through." + _NAMES.en,
    ),
    options=_BATCH_OPTIONS,
)

_BATCH = CommandHelp(
    short=Text("批量计算（CSV、XLSX、JSON Lines）。", "Batch files: one result row per input row."),
    text=Text(
        "批量计算：每行输入得到一行结果（CSV、XLSX、JSON Lines）。\n\n"
        "退出码：0 全部行计算成功；3 有的行出错（OUT 照样写出）；1 待遇标准表或文件错误"
        "（不写任何文件）；2 用法错误。",
        "Batch files: one result row per input row (CSV, XLSX, JSON Lines).\n\n"
        "Exit codes: 0 all rows computed; 3 some rows have an error (OUT is still written); "
        "1 a tariff or file error (nothing is written); 2 a usage error.",
    ),
    options={"lang": LANG},
)

# -- medcalc tariff ----------------------------------------------------------------------------

_TARIFF_OPTIONS = {"output_format": TABLE_OR_JSON, "lang": LANG, "tariff_dirs": TARIFFS}

_TARIFF = CommandHelp(
    short=Text(
        "待遇标准表：列出、显示、校验、比较。", "Tariff tables: list, show, validate, diff."
    ),
    text=Text(
        "待遇标准表：列出、显示、校验、比较。\n\n"
        "总是读取随软件附带的表；用 --tariffs 目录（可重复）或环境变量 MEDCALC_TARIFFS"
        "（路径列表）添加更多目录。",
        "Tariff tables: list, show, validate, diff.\n\n"
        "The bundled tables are always read; add directories with --tariffs DIR (repeatable) "
        "or the MEDCALC_TARIFFS environment variable (a path list).",
    ),
    options={"lang": LANG},
)

_TARIFF_LIST = CommandHelp(
    short=Text("列出全部待遇标准表版本。", "List every tariff version."),
    text=Text(
        "列出全部待遇标准表版本。\n\n"
        "每个版本一行：系列、版本、执行期间（2018-01-01.. 表示没有截止日期）、状态、文件"
        " sha256 的前 12 位十六进制数字和文件。",
        "List every tariff version.\n\n"
        "One row per version: series, version, effective range (2018-01-01.. is open-ended), "
        "status, the first 12 hex digits of the file's sha256, and the file.",
    ),
    options=_TARIFF_OPTIONS,
)

_TARIFF_SHOW = CommandHelp(
    short=Text("显示一个待遇标准表版本的全部参数。", "Show every parameter of one version."),
    text=Text(
        "显示系列 SERIES 一个版本的全部参数。\n\n"
        "不给 --version 或 --date 时显示最新版本，并在输出中注明。",
        "Show every parameter of one version of SERIES.\n\n"
        "Without --version or --date the latest version is shown, and the output says so.",
    ),
    options={
        "version": Text("要显示的版本，如 2018.1。", "The version to show, e.g. 2018.1."),
        "on": Text("显示这一天执行的版本。", "Show the version in force on this day."),
        **_TARIFF_OPTIONS,
    },
)

_TARIFF_VALIDATE = CommandHelp(
    short=Text("校验待遇标准文件和目录。", "Check tariff files and directories."),
    text=Text(
        "校验待遇标准文件和目录。\n\n"
        "每个问题输出为“文件:行:列: 说明”，最后一行是汇总。在目录中查找 *.yaml 和 *.yml；"
        "同一系列执行期间重叠的版本也会报告。不给 PATH 时，一起校验 medcalc 读取的全部表"
        "（附带的表、--tariffs 和 MEDCALC_TARIFFS）；给出 PATH 时，校验这些路径和 --tariffs "
        "目录。有任何问题时退出码为 1。",
        "Check tariff files and directories.\n\n"
        "Every problem is printed as FILE:LINE:COL: message, then a summary line. Directories "
        "are searched for *.yaml and *.yml; versions of one series that overlap in time are "
        "reported too. Without PATH, everything medcalc reads is checked together (the bundled "
        "tables, --tariffs and MEDCALC_TARIFFS); with PATH, the paths and any --tariffs "
        "directories. Exit 1 when there is any problem.",
    ),
    options={"lang": LANG, "tariff_dirs": TARIFFS},
)

_TARIFF_DIFF = CommandHelp(
    short=Text("逐个参数比较两个待遇标准表。", "Compare two tariffs parameter by parameter."),
    text=Text(
        "逐个参数比较两个待遇标准表。\n\n"
        "A 和 B 各为 SERIES@VERSION（如 qingyuan-qingcheng@2018.1）或一个待遇标准文件。参数"
        "按 YAML 键命名（如 medical_premium.contribution）。无论有无差异，退出码都是 0。",
        "Compare two tariffs parameter by parameter.\n\n"
        "A and B are each SERIES@VERSION (e.g. qingyuan-qingcheng@2018.1) or a tariff file. "
        "Parameters are named by their YAML keys (medical_premium.contribution). Exit 0 "
        "whether or not there are differences.",
    ),
    options=_TARIFF_OPTIONS,
)

# -- medcalc audit, medcalc serve --------------------------------------------------------------

_AUDIT = CommandHelp(
    short=Text(
        "性质测试审计：检验计算的全部不变式。", "Check every invariant against tariff series."
    ),
    text=Text(
        "对待遇标准系列检验全部不变式（默认检验全部系列）。\n\n"
        "性质测试审计：对每个待遇标准系列，用随机参保人和住院结算检验计算的不变式（拆分不变、"
        "顺序不变、年度累计等价、费用越高待遇不减、支付界限与封顶线、不设封顶、舍入与合计、"
        "版本局部性），并检验待遇标准本身（类别待遇不低于普通参保人、多一个类别不吃亏、费用"
        "越高报销比例越高）。有不变式不成立时退出码为 1，并给出最小反例。见 docs/audit.md。",
        "Check every invariant against tariff series (all series by default).\n\n"
        "A property-based audit: for each tariff series, random persons and claims check the "
        "invariants of the calculation (splitting, order, year-to-date equivalence, more cost "
        "never less benefit, payment lines and caps, no cap, rounding and totals, version "
        "locality), and the tariff itself (a category never worse off than an ordinary "
        "resident, one more category never hurts, a higher cost never a lower reimbursement "
        "ratio). Exit 1 with a smallest counterexample when an invariant fails. See "
        "docs/audit.md.",
    ),
    options={
        "tariff_dirs": TARIFFS,
        "examples": Text(
            "每个不变式、每个系列的随机用例数（越多越慢，也越彻底）。",
            "Random cases per invariant and series (more: slower, more thorough).",
        ),
        "seed": Text(
            "随机搜索的种子；同一种子得到同样的结论。",
            "Seed of the random search; the same seed gives the same verdicts.",
        ),
        "invariants": Text(
            "只检验这个不变式（可重复）；默认检验全部。",
            "Check only this invariant (repeatable); default: all.",
        ),
        "output_format": Text(
            "输出：table 是给人看的表格，json 的模式为 medcalc/audit@1。",
            "Output: a table for people, or JSON (schema medcalc/audit@1).",
        ),
        "lang": LANG,
    },
)

_SERVE = CommandHelp(
    short=Text("通过 HTTP 提供计算服务。", "Serve the calculator over HTTP."),
    text=Text(
        "通过 HTTP 提供计算服务（OpenAPI 见 /openapi.json，文档页见 /docs）。\n\n"
        "默认只监听 127.0.0.1。SIGHUP 重新加载待遇标准表：新表加载无误之前继续用旧表（用 "
        "--workers N 时由父进程检查新表，再交给每个工作进程）。见 docs/service.md。",
        "Serve the calculator over HTTP (OpenAPI at /openapi.json, a docs page at /docs).\n\n"
        "Binds to 127.0.0.1 unless told otherwise. SIGHUP reloads the tariffs: the old tables "
        "serve until the new ones load clean (with --workers N, the parent checks them and "
        "hands the book to every worker). See docs/service.md.",
    ),
    options={
        "host": Text("监听地址。", "Address to listen on."),
        "port": Text("TCP 端口。", "TCP port."),
        "tariff_dirs": TARIFFS,
        "workers": Text(
            "工作进程数（每个进程各自加载待遇标准表并提供服务）。",
            "Worker processes (each loads the tariffs and serves on its own).",
        ),
        "tokens_file": Text(
            "Bearer 令牌文件，每行一个（'TOKEN' 或 'TOKEN admin'）；不给则不做身份验证。",
            "Bearer tokens, one a line ('TOKEN' or 'TOKEN admin'); without it, no authentication.",
        ),
        "default_series": Text(
            "请求没有指明系列时所用的系列。", "Series for requests that name none."
        ),
        "max_body_bytes": Text(
            "JSON/YAML 请求体的最大字节数 [1 MiB]。", "Largest JSON/YAML body [1 MiB]."
        ),
        "max_upload_bytes": Text(
            "批量文件的最大字节数 [256 MiB]。", "Largest batch file [256 MiB]."
        ),
        "max_claims": Text("每个请求最多的住院笔数 [1000]。", "Most claims per request [1000]."),
        "timeout": Text("每个请求的秒数上限 [30]。", "Seconds per request [30]."),
        "batch_timeout": Text("每个批量请求的秒数上限 [600]。", "Seconds per batch request [600]."),
        "log_level": Text(
            "按此级别在 stderr 输出 JSON 日志行（info：每个请求一行）。",
            "JSON log lines on stderr at this level (info: one line per request).",
        ),
    },
)

_MEDCALC = CommandHelp(
    short=Text("精准扶贫社会保险计算器。", "Social insurance calculator for poor residents."),
    text=Text(
        "medcalc — 精准扶贫社会保险计算器：保费资助与代缴、基本医保、大病保险、医疗救助。\n\n"
        "按版本化的待遇标准表，精确、可解释地测算困难群众的参保缴费和住院费用。\n\n"
        "输出语言：--lang zh|en（放在命令前后均可）或环境变量 MEDCALC_LANG；默认中文。",
        "medcalc — social insurance for poor residents: premium subsidies and contributions, "
        "basic medical insurance, critical illness insurance, medical assistance.\n\n"
        "Exact, explainable premiums and claims for poor residents, from versioned tariff "
        "tables.\n\n"
        "Output language: --lang zh|en (before or after the command) or the MEDCALC_LANG "
        "environment variable; Chinese by default.",
    ),
    options={"version": VERSION_OPTION, "lang": LANG},
)

_COMPARE_OPTIONS: Mapping[str, Text] = {
    "proposal": Text(
        "方案：一个待遇标准 YAML 文件（与现行标准同一系列）；它代替每行日期上现行的那一版，"
        "自身的生效期不用。",
        "The proposal: one tariff YAML file of a series installed; it stands in for whichever "
        "version is in force on each row's date (its own effective period is ignored).",
    ),
    "summary": Text(
        "另把汇总写入此文件：.json（金额为字符串，精确）或 .xlsx。",
        "Also write the summary to this file: .json (amounts as strings, exact) or .xlsx.",
    ),
    "charts": Text(
        "把图（各项合计对比、每人变化的分布，PNG 和 SVG）写入此目录；需要 "
        "pip install 'medcalc[charts]'。",
        "Draw the charts (totals side by side, the per-person change) into this directory, "
        "as PNG and SVG; needs pip install 'medcalc[charts]'.",
    ),
    **{name: text for name, text in _BATCH_OPTIONS.items() if name not in ("output",)},
    "output": Text(
        "结果文件：输入各列，再接现行_、方案_ 两套结果列和变化列；扩展名（.csv、.xlsx、"
        ".jsonl）决定格式。",
        "Result file: the input columns, each side's result columns (base_, proposal_) and "
        "the change; its extension (.csv, .xlsx, .jsonl) gives the format.",
    ),
}

_COMPARE_EXIT = Text(
    "\n\n退出码：0 全部行两边都算出；3 有的行出错（OUT 照样写出）；1 待遇标准表或文件错误"
    "（不写任何文件）；2 用法错误。",
    "\n\nExit codes: 0 every row computed on both sides; 3 some rows have an error (OUT is "
    "still written); 1 a tariff or file error (nothing is written); 2 a usage error.",
)

_COMPARE = CommandHelp(
    short=Text("方案与现行标准对比测算。", "A proposed tariff against the one in force."),
    text=Text(
        "方案与现行标准对比：同一批数据每行按现行标准和按方案各算一次，给出变化、汇总和图。"
        "见 docs/compare.md。" + _COMPARE_EXIT.zh,
        "Compare a proposed tariff with the one in force: every row computed under both, "
        "with the change, a summary and charts (docs/compare.md)." + _COMPARE_EXIT.en,
    ),
    options={"lang": LANG},
)

_COMPARE_CLAIMS = CommandHelp(
    short=Text("住院费用：方案与现行对比。", "Claims under both tables."),
    text=Text(
        "住院费用对比：每行按现行标准（现行_ 列）和方案（方案_ 列）各算一次，"
        "再给出个人自付变化（方案 − 现行）。汇总：各项合计及变化、按适用标准、受益/受损人数、"
        "每人变化的十分位数、受益和受损最多的人。FILE 的列与 batch claims 相同。"
        + _COMPARE_EXIT.zh,
        "Claims under the tables in force (base_ columns) and under the proposal "
        "(proposal_), and the change of out of pocket (proposal - base). The summary: "
        "totals of basic, "
        + ", ".join(layer.id.replace("_", " ") for layer in LAYERS)
        + " and out of pocket with the change, by category profile, persons better and "
        "worse off, deciles of the per-person change, the largest gains and losses. FILE "
        "as for batch claims." + _COMPARE_EXIT.en,
    ),
    options=_COMPARE_OPTIONS,
)

_COMPARE_PREMIUMS = CommandHelp(
    short=Text("参保缴费：方案与现行对比。", "Premiums under both tables."),
    text=Text(
        "参保缴费对比：每行按现行标准和方案各算一次医疗保险资助和养老保险代缴，"
        "给出政府负担变化和个人缴费变化。FILE 的列与 batch premiums 相同。" + _COMPARE_EXIT.zh,
        "Premiums under the tables in force and under the proposal: the government's "
        "subsidy and contribution and the person's, with both changes. FILE as "
        "for batch premiums." + _COMPARE_EXIT.en,
    ),
    options=_COMPARE_OPTIONS,
)


#: Every command's help, by its path below ``medcalc`` (``""`` is ``medcalc`` itself).
HELP: Mapping[str, CommandHelp] = {
    "": _MEDCALC,
    "premium": _PREMIUM,
    "claim": _CLAIM,
    "batch": _BATCH,
    "batch claims": _BATCH_CLAIMS,
    "batch premiums": _BATCH_PREMIUMS,
    "tariff": _TARIFF,
    "tariff list": _TARIFF_LIST,
    "tariff show": _TARIFF_SHOW,
    "tariff validate": _TARIFF_VALIDATE,
    "tariff diff": _TARIFF_DIFF,
    "audit": _AUDIT,
    "serve": _SERVE,
    "compare": _COMPARE,
    "compare claims": _COMPARE_CLAIMS,
    "compare premiums": _COMPARE_PREMIUMS,
}
