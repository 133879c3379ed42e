"""``medcalc tariff …``: list, show, validate and diff the tariff tables.

Output is Chinese by default and English with ``--lang en``. Tables are for people (amounts
with thousands separators, ratios as percentages); ``--format json`` is for programs (amounts
as 2-decimal strings, ratios as written, never floats; each document names its schema):

- ``medcalc/tariff-list@1`` — ``tariff list``;
- ``medcalc/tariff@1`` — ``tariff show``: the whole tariff as data, keyed like the YAML file;
- ``medcalc/tariff-diff@1`` — ``tariff diff``: one entry per changed parameter.

Exit codes: 0 success (``diff`` exits 0 whether or not the tables differ); 1 a tariff error
(unknown series or version, no version in force on a date, a bad file), or ``validate`` found a
problem; 2 a usage error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import tabulate as _tabulate_module
from tabulate import tabulate

from medcalc.chain import basic_profiles, critical_illness_profiles, government_amount
from medcalc.cli import cli
from medcalc.cli.common import lang_option, tariffs_option
from medcalc.errors import TariffNotFoundError
from medcalc.money import ZERO, sub
from medcalc.present import (
    DASH,
    SHORT_SHA,
    amount,
    cap_text,
    heading,
    percent,
    tariff_diff_json,
    tariff_json,
    tariff_list_json,
    tr,
)
from medcalc.tariff import (
    BASE,
    SECTIONS,
    Amount,
    AmountPayment,
    CategoryPayment,
    Change,
    CriticalIllness,
    DisabilityRule,
    FullPayment,
    GovernmentPayment,
    Inpatient,
    Items,
    Leaf,
    MedicalAssistance,
    MedicalPremium,
    Node,
    PensionPremium,
    SharePayment,
    Tariff,
    TariffBook,
    Unit,
    Unlimited,
    diff_tariffs,
    effective_range,
    load_tariff,
)
from medcalc.tariff import _discovery as discovery

DIFF_CELL = 40
"""Display columns of the A and B cells of ``tariff diff``; longer values wrap."""

# -- words and numbers ------------------------------------------------------------------------


def _points(bonus: Decimal) -> str:
    """A ratio bonus in percentage points."""
    return percent(bonus).removesuffix("%")


def _list(items: Sequence[str], lang: str) -> str:
    return tr(lang, "、", ", ").join(items) if items else DASH


def _range_long(t: Tariff, lang: str) -> str:
    start = t.effective_from.isoformat()
    if t.effective_to is None:
        return tr(lang, f"{start} 起，未设截止日", f"from {start}, open-ended")
    end = t.effective_to.isoformat()
    return tr(lang, f"{start} 至 {end}（含首尾两日）", f"{start} to {end} (both days included)")


def _status(t: Tariff, lang: str) -> str:
    if t.status == "official":
        return tr(lang, "正式", "official")
    return tr(lang, "示例", "illustrative")


def _status_long(t: Tariff, lang: str) -> str:
    if t.status == "official":
        return tr(lang, "正式（official）：数值已与所引文件核对", "official: values checked")
    return tr(
        lang,
        "示例（illustrative）：含替代值，不得用于实际决定",
        "illustrative: contains stand-in values; not for real decisions",
    )


def _rounding(t: Tariff, lang: str) -> str:
    if t.rounding == "half_even":
        return tr(
            lang, "四舍六入五成双，到 0.01 元（half_even）", "half even to 0.01 yuan (half_even)"
        )
    return tr(lang, "四舍五入，到 0.01 元（half_up）", "half up to 0.01 yuan (half_up)")


def shown_path(path: str) -> str:
    """A tariff's file as shown in tables: relative to the working directory when it is under
    it (so ``sha256sum`` can be run on it as shown), else as it was found."""
    with contextlib.suppress(OSError, ValueError):
        resolved = Path(path).resolve()
        here = Path.cwd().resolve()
        if resolved.is_relative_to(here):
            return str(resolved.relative_to(here))
    return path


# -- tables -----------------------------------------------------------------------------------


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class _DisplayWidth:
    """Stands in for the optional ``wcwidth`` module that tabulate uses for wide (CJK)
    characters, so Chinese tables align, and align the same whether or not it is installed."""

    @staticmethod
    def wcswidth(text: str) -> int:
        return _width(text)


def _width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _in_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _wrap(text: str, width: int) -> str:
    """Wrap each line of ``text`` to ``width`` display columns: at a space near the end of the
    line when there is one, else anywhere but inside a run of ASCII letters and digits
    (Chinese has no spaces between words)."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        while _width(line) > width:
            cut, used = 0, 0
            while used + _char_width(line[cut]) <= width:
                used += _char_width(line[cut])
                cut += 1
            cut = max(cut, 1)  # a column narrower than one character still makes progress
            word = cut
            while word > 0 and _in_word(line[word - 1]) and _in_word(line[word]):
                word -= 1  # do not split a number or a word (2018, https)
            cut = word or cut
            space = line.rfind(" ", 0, cut + 1)
            if space > 0 and _width(line[space:cut]) <= width // 3:
                out.append(line[:space])
                line = line[space + 1 :]
            else:
                out.append(line[:cut])
                line = line[cut:]
        out.append(line)
    return "\n".join(out)


@contextlib.contextmanager
def _wide_chars() -> Iterator[None]:
    module: Any = _tabulate_module
    saved = module.wcwidth, module.WIDE_CHARS_MODE
    module.wcwidth, module.WIDE_CHARS_MODE = _DisplayWidth, True
    try:
        yield
    finally:
        module.wcwidth, module.WIDE_CHARS_MODE = saved


def _table(
    rows: Sequence[Sequence[str]],
    headers: Sequence[str] = (),
    *,
    right: Sequence[int] = (),
    wrap: Mapping[int, int] | None = None,
    plain: bool = False,
) -> str:
    """A table of text cells (never re-read as numbers); columns in ``right`` align right, and
    column ``i`` is wrapped to ``wrap[i]`` display columns."""
    if wrap:
        rows = [[_wrap(c, wrap[i]) if i in wrap else c for i, c in enumerate(r)] for r in rows]
    ncols = len(headers) if headers else max((len(r) for r in rows), default=0)
    align = tuple("right" if i in right else "left" for i in range(ncols))
    with _wide_chars():
        return tabulate(
            [list(r) for r in rows],
            headers=list(headers),
            tablefmt="plain" if plain else "simple",
            disable_numparse=True,
            colalign=align,
        )


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format: a table for people, or JSON for programs.",
)


# -- loading ----------------------------------------------------------------------------------


def _book(extra: Sequence[Path]) -> TariffBook:
    return discovery.load_book(tuple(extra))


def _pick(
    book: TariffBook, series: str, version: str | None, on: dt.date | None, lang: str
) -> tuple[Tariff, str]:
    """The version to show and how it was chosen (a note for the reader; empty for --version)."""
    if version is not None and on is not None:
        raise click.UsageError("give --version or --date, not both")
    if version is not None:
        return book.get(series, version), ""
    if on is not None:
        found = book.in_force(series, on)
        iso = on.isoformat()
        return found, tr(lang, f"{iso} 在用的版本", f"the version in force on {iso}")
    latest = book.versions(series)[-1]
    return latest, tr(
        lang,
        "最新版本；用 --version 或 --date 选择其他版本",
        "the latest version; choose another with --version or --date",
    )


def _operand(arg: str) -> Path | tuple[str, str]:
    """A diff operand: a tariff file, or ``(series, version)`` from ``SERIES@VERSION``."""
    if Path(arg).is_file():
        return Path(arg)
    series, at, version = arg.rpartition("@")
    if not at or not series or not version:
        raise TariffNotFoundError(
            f"{arg!r} is neither a tariff file nor SERIES@VERSION (e.g. qingyuan-qingcheng@2018.1)"
        )
    return series, version


def _load_operands(args: Sequence[str], extra: Sequence[Path]) -> list[Tariff]:
    """The tariffs named by ``args``; the tariff directories are read only when one is
    ``SERIES@VERSION`` (comparing two files needs no other table)."""
    operands = [_operand(a) for a in args]
    refs = [o for o in operands if not isinstance(o, Path)]
    book = _book(extra) if refs else None
    out = []
    for o in operands:
        if isinstance(o, Path):
            out.append(load_tariff(o))
        else:
            assert book is not None
            out.append(book.get(*o))
    return out


# -- the group --------------------------------------------------------------------------------


@cli.group("tariff")
def tariff_group() -> None:
    """Tariff tables: list, show, validate, diff. 待遇标准表。

    The bundled tables are always read; add directories with --tariffs DIR (repeatable) or the
    MEDCALC_TARIFFS environment variable (a path list).
    """


# -- list -------------------------------------------------------------------------------------


def render_list(book: TariffBook, lang: str) -> str:
    """``tariff list`` as a table: one row per version, series by series, oldest first."""
    if not book.tariffs:
        return tr(lang, "没有找到待遇标准表。", "No tariff tables found.")
    headers = [
        tr(lang, "系列", "Series"),
        tr(lang, "版本", "Version"),
        tr(lang, "执行期间", "Effective"),
        tr(lang, "状态", "Status"),
        "sha256",
        tr(lang, "文件", "File"),
    ]
    rows = [
        [
            t.series,
            t.version,
            effective_range(t),
            _status(t, lang),
            t.sha256[:SHORT_SHA],
            shown_path(t.path),
        ]
        for t in book
    ]
    return _table(rows, headers)


@tariff_group.command("list")
@format_option
@lang_option
@tariffs_option
def list_command(output_format: str, lang: str, tariff_dirs: tuple[Path, ...]) -> None:
    """List every tariff version. 列出全部待遇标准表版本。

    One row per version: series, version, effective range (2018-01-01.. is open-ended),
    status, the first 12 hex digits of the file's sha256, and the file.
    """
    book = _book(tariff_dirs)
    if output_format == "json":
        _echo_json(tariff_list_json(book))
    else:
        click.echo(render_list(book, lang))


# -- show -------------------------------------------------------------------------------------


def _cites(t: Tariff, source_id: str, lang: str) -> str:
    s = t.source(source_id)
    detail = f" {s.number}" if s is not None and s.number else ""
    return tr(lang, f"依据：{source_id}{detail}", f"Source: {source_id}{detail}")


def _who(t: Tariff, category: str, lang: str) -> str:
    if category == BASE:
        return tr(lang, "普通参保人", "ordinary resident")
    c = t.category(category)
    return c.label.get(lang) if c is not None else category


_TYPES_ZH = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}


def _disability(rules: Sequence[DisabilityRule], lang: str) -> str:
    if not rules:
        return DASH
    parts = []
    for r in rules:
        grades = [str(g) for g in r.grades]
        if r.types is None:
            kinds = tr(lang, "任何类别", "any type")
        else:
            kinds = _list([tr(lang, _TYPES_ZH.get(k, k), k) for k in r.types], lang)
        if lang == "en":
            shown = grades[0] if len(grades) == 1 else f"{', '.join(grades[:-1])} or {grades[-1]}"
            parts.append(f"grade {shown} ({kinds})")
        else:
            parts.append(f"残疾等级 {'、'.join(grades)}（{kinds}）")
    return tr(lang, "；或 ", "; or ").join(parts)


def _payment(rule: GovernmentPayment, lang: str, *, of_lowest: bool = False) -> str:
    if isinstance(rule, FullPayment):
        if of_lowest:
            return tr(lang, "全额代缴最低档次", "full (the lowest grade)")
        return tr(lang, "全额", "full")
    if isinstance(rule, SharePayment):
        if of_lowest:
            return tr(
                lang,
                f"最低档次 × {percent(rule.share)}",
                f"{percent(rule.share)} of the lowest grade",
            )
        return tr(lang, f"按比例 {percent(rule.share)}", f"share {percent(rule.share)}")
    return tr(lang, f"定额 {amount(rule.amount)}", f"fixed {amount(rule.amount)}")


def _rules(
    payments: Sequence[CategoryPayment],
) -> list[tuple[str, GovernmentPayment | None]]:
    """The base (no government payment) and then each category's rule, in file order."""
    return [(BASE, None), *((p.category, p.payment) for p in payments)]


def _header_block(t: Tariff, lang: str, note: str, versions: Sequence[Tariff]) -> str:
    region = t.region_name.get(lang)
    version = t.version + (tr(lang, f"（{note}）", f" ({note})") if note else "")
    pairs = [
        [tr(lang, "系列", "Series"), t.series],
        [tr(lang, "版本", "Version"), version],
        [tr(lang, "本系列版本", "All versions"), _list([v.version for v in versions], lang)],
        [
            tr(lang, "地区", "Region"),
            tr(lang, f"{region}（{t.region_code}）", f"{region} ({t.region_code})"),
        ],
        [tr(lang, "执行期间", "In force"), _range_long(t, lang)],
        [tr(lang, "状态", "Status"), _status_long(t, lang)],
        [tr(lang, "舍入", "Rounding"), _rounding(t, lang)],
        [tr(lang, "文件", "File"), shown_path(t.path)],
        ["sha256", t.sha256],
    ]
    return f"{t.title.get(lang)}\n{_table(pairs, plain=True)}"


def _aliases_header(lang: str) -> str:
    # Input files do not yet accept them (issue 14 wires Tariff.category_named/level_named in).
    return tr(lang, "别名", "Aliases")


def _categories_block(t: Tariff, lang: str) -> str:
    head = heading(lang, "人员类别", "Person categories")
    # The aliases column only when some category has aliases: most tables have none.
    aliased = any(c.aliases for c in t.categories)
    rows = [
        [BASE, _who(t, BASE, lang), tr(lang, "（默认，无需认定）", "(everyone; implicit)")],
        *([c.id, c.label.get(lang), _disability(c.disability, lang)] for c in t.categories),
    ]
    headers = [
        tr(lang, "编号", "id"),
        tr(lang, "名称", "Label"),
        tr(lang, "残疾认定（符合即属于此类别）", "Held by disability (any rule)"),
    ]
    if aliased:
        aliases = [DASH, *(_list(c.aliases, lang) for c in t.categories)]
        rows = [[*r[:2], a, *r[2:]] for r, a in zip(rows, aliases, strict=True)]
        headers.insert(2, _aliases_header(lang))
    note = tr(
        lang,
        "先后顺序用于同等优惠时取舍（就高不重复）。",
        "The order breaks ties between equally favourable categories (most favourable, "
        "never combined).",
    )
    return f"{head}\n{_table(rows, headers)}\n{note}"


def _enrollment_block(t: Tariff, lang: str) -> str:
    head = heading(lang, "参保与待遇起始", "Enrolment and start of benefits")
    e = t.enrollment
    if e is None:
        return _missing(head, lang)
    if e.benefits_start == "next_month":
        start = tr(
            lang,
            "缴费次月1日起（next_month）",
            "the first day of the month after payment (next_month)",
        )
    else:
        start = tr(lang, "缴费当日起（same_day）", "on the payment date (same_day)")
    exempt = _list([_who(t, c, lang) for c in e.exempt], lang)
    pairs = [
        [tr(lang, "待遇起始", "Benefits start"), start],
        [tr(lang, "缴费当日即享受待遇", "Start on the payment date"), exempt],
    ]
    return f"{head}\n{_table(pairs, plain=True)}"


def _missing(head: str, lang: str) -> str:
    return f"{head}\n{tr(lang, '本表未规定此项。', 'Not in this tariff.')}"


def _medical_block(t: Tariff, section: MedicalPremium | None, lang: str) -> str:
    head = heading(
        lang,
        "城乡居民基本医疗保险：个人缴费与财政资助",
        "Resident medical insurance: contribution and government payment",
    )
    if section is None:
        return _missing(head, lang)
    c = section.contribution
    rows = []
    for category, rule in _rules(section.government_pays):
        gov = ZERO if rule is None else min(government_amount(rule, c, t.rounding), c)
        said = DASH if rule is None else _payment(rule, lang)
        rows.append([_who(t, category, lang), said, amount(gov), amount(sub(c, gov))])
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "资助规则", "Rule"),
        tr(lang, "财政资助", "Government pays"),
        tr(lang, "个人缴纳", "Person pays"),
    ]
    lines = [
        head,
        _cites(t, section.source, lang),
        tr(
            lang,
            f"个人缴费标准：{amount(c)} 元/人/年",
            f"Contribution: {amount(c)} yuan per person per year",
        ),
        _table(rows, headers, right=(2, 3)),
    ]
    return "\n".join(lines)


def _pension_block(t: Tariff, section: PensionPremium | None, lang: str) -> str:
    head = heading(
        lang,
        "城乡居民基本养老保险：缴费档次、补贴与代缴",
        "Resident pension insurance: grades, subsidies and government payment (代缴)",
    )
    if section is None:
        return _missing(head, lang)
    ages = f"{section.age_from}–{section.age_to}"
    lines = [
        head,
        _cites(t, section.source, lang),
        tr(
            lang,
            f"缴费年龄：{ages} 周岁（按缴费年度1月1日的周岁计）",
            f"Contribution ages: {ages} (completed years on 1 January of the year)",
        ),
    ]
    if section.basic_pension_monthly is not None:
        bp = amount(section.basic_pension_monthly)
        lines.append(
            tr(
                lang,
                f"基础养老金：{bp} 元/月（超过缴费年龄者）",
                f"Basic pension: {bp} yuan a month (for people past the contribution ages)",
            )
        )
    grade_rows = [
        [
            amount(g.amount),
            amount(g.subsidy),
            tr(lang, "所有人", "everyone")
            if g.reserved_for is None
            else tr(lang, "仅限：", "only: ")
            + _list([_who(t, c, lang) for c in g.reserved_for], lang),
        ]
        for g in section.grades
    ]
    grade_headers = [
        tr(lang, "缴费档次（元/年）", "Grade (yuan a year)"),
        tr(lang, "缴费补贴", "Subsidy"),
        tr(lang, "适用人员", "Open to"),
    ]
    lines += [_table(grade_rows, grade_headers, right=(0, 1))]
    lines.append(
        tr(
            lang,
            "缴费补贴另计入个人账户，不减少个人缴纳金额。",
            "The subsidy is credited on top; it does not reduce what the person pays.",
        )
    )

    def lowest(category: str) -> Decimal:
        # The loader requires a grade without `for`, so every person has an open grade.
        held = frozenset() if category == BASE else frozenset({category})
        return min(g.amount for g in section.grades if g.open_to(held))

    rows = []
    for category, rule in _rules(section.government_pays):
        m = lowest(category)
        gov = ZERO if rule is None else min(government_amount(rule, m, t.rounding), m)
        said = DASH if rule is None else _payment(rule, lang, of_lowest=True)
        rows.append([_who(t, category, lang), said, amount(m), amount(gov), amount(sub(m, gov))])
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "代缴规则", "Rule"),
        tr(lang, "最低可选档次", "Lowest open grade"),
        tr(lang, "政府代缴", "Government pays"),
        tr(lang, "个人缴纳", "Person pays"),
    ]
    lines += [
        tr(
            lang,
            "政府代缴（按最低可选档次缴费时）：",
            "Government payment (at the lowest open grade):",
        ),
        _table(rows, headers, right=(2, 3, 4)),
    ]
    return "\n".join(lines)


def _inpatient_block(t: Tariff, section: Inpatient | None, lang: str) -> str:
    head = heading(lang, "基本医保住院（每次住院）", "Basic inpatient insurance (per admission)")
    if section is None:
        return _missing(head, lang)
    rows = [
        [lv.label.get(lang), lv.id, amount(lv.deductible), percent(lv.ratio)]
        for lv in section.levels
    ]
    headers = [
        tr(lang, "医院等级", "Hospital level"),
        tr(lang, "编号", "id"),
        tr(lang, "起付线", "Deductible"),
        tr(lang, "报销比例", "Ratio"),
    ]
    right = (2, 3)
    if any(lv.aliases for lv in section.levels):
        aliases = [_list(lv.aliases, lang) for lv in section.levels]
        rows = [[*r[:2], a, *r[2:]] for r, a in zip(rows, aliases, strict=True)]
        headers.insert(2, _aliases_header(lang))
        right = (3, 4)
    lines = [
        head,
        _cites(t, section.source, lang),
        _table(rows, headers, right=right),
        tr(
            lang,
            f"年度最高支付限额：{cap_text(section.annual_cap.amount, lang)}",
            f"Annual cap: {cap_text(section.annual_cap.amount, lang)}",
        ),
    ]
    if not section.adjustments:
        lines.append(
            tr(
                lang,
                "倾斜政策：无（所有人员按上表）。",
                "Category adjustments: none (everyone as above).",
            )
        )
        return "\n".join(lines)
    profiles = basic_profiles(section, tuple(a.category for a in section.adjustments))
    rules = {a.category: a for a in section.adjustments}
    adj_rows = []
    for p in profiles[1:]:
        a = rules[p.name]
        said = []
        if a.deductible_factor is not None:
            said.append(
                tr(
                    lang,
                    f"起付线 × {percent(a.deductible_factor)}",
                    f"deductible × {percent(a.deductible_factor)}",
                )
            )
        if a.ratio_bonus is not None:
            pts = _points(a.ratio_bonus)
            said.append(tr(lang, f"比例提高 {pts} 个百分点", f"ratio +{pts} points"))
        if a.annual_cap is not None:
            said.append(
                tr(
                    lang,
                    f"限额 {cap_text(a.annual_cap.amount, lang)}",
                    f"cap {cap_text(a.annual_cap.amount, lang)}",
                )
            )
        effective = []
        for lv in section.levels:
            d, r = p.terms(lv, t.rounding)
            effective.append(f"{lv.id}: {amount(d)} / {percent(r)}")
        adj_rows.append(
            [
                _who(t, p.name, lang),
                "\n".join(said),
                "\n".join(effective),
                cap_text(p.annual_cap.amount, lang),
            ]
        )
    adj_headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "规则", "Rule"),
        tr(lang, "实际起付线 / 报销比例", "Deductible / ratio in use"),
        tr(lang, "年度限额", "Annual cap"),
    ]
    lines += [
        tr(lang, "倾斜政策（实际适用值）：", "Category adjustments (values in use):"),
        _table(adj_rows, adj_headers, right=(3,)),
    ]
    return "\n".join(lines)


def _band(lower: Decimal, upper: Decimal | None, lang: str) -> str:
    if upper is None:
        return tr(lang, f"{amount(lower)} 以上", f"above {amount(lower)}")
    return f"{amount(lower)}–{amount(upper)}"


def _critical_block(t: Tariff, section: CriticalIllness | None, lang: str) -> str:
    head = heading(
        lang,
        "大病保险（按年度累计）",
        "Critical-illness insurance (on the year's accumulated cost)",
    )
    if section is None:
        return _missing(head, lang)
    held = tuple(a.category for a in section.adjustments)
    profiles = critical_illness_profiles(section, held, t.rounding)
    base = profiles[0]
    if section.bounds == "cumulative":
        bounds = tr(
            lang, "按年度累计金额计（cumulative）", "on the year's accumulated amount (cumulative)"
        )
    else:
        bounds = tr(
            lang,
            "自所用起付标准起算（above_threshold）；下表已换算为累计金额",
            "measured from the threshold in use (above_threshold); shown as accumulated amounts",
        )
    lines = [
        head,
        _cites(t, section.source, lang),
        tr(
            lang,
            f"起付标准：{amount(section.threshold)}（每年一次）",
            f"Threshold: {amount(section.threshold)} (once a year)",
        ),
        tr(lang, f"分段口径：{bounds}", f"Segment bounds: {bounds}"),
        _table(
            [[_band(b.lower, b.upper, lang), percent(b.ratio)] for b in base.bands],
            [
                tr(lang, "分段（累计个人负担合规费用）", "Segment (accumulated cost)"),
                tr(lang, "支付比例", "Ratio"),
            ],
            right=(1,),
        ),
        tr(
            lang,
            f"年度最高支付限额：{cap_text(section.annual_cap.amount, lang)}",
            f"Annual cap: {cap_text(section.annual_cap.amount, lang)}",
        ),
    ]
    if not section.adjustments:
        lines.append(tr(lang, "倾斜支付：无。", "Category adjustments: none."))
        return "\n".join(lines)
    rules = {a.category: a for a in section.adjustments}
    rows = []
    for p in profiles:
        said = []
        if p.name == BASE:
            said.append(DASH)
        else:
            a = rules[p.name]
            if a.threshold_factor is not None:
                f = percent(a.threshold_factor)
                said.append(tr(lang, f"起付标准 × {f}", f"threshold × {f}"))
            if a.threshold is not None:
                v = amount(a.threshold)
                said.append(tr(lang, f"起付标准 {v}", f"threshold {v}"))
            if a.segments is not None:
                said.append(tr(lang, "单独分段", "own segments"))
            if a.ratio_bonus is not None:
                pts = _points(a.ratio_bonus)
                said.append(tr(lang, f"比例提高 {pts} 个百分点", f"ratios +{pts} points"))
            if a.annual_cap is not None:
                c = cap_text(a.annual_cap.amount, lang)
                said.append(tr(lang, f"限额 {c}", f"cap {c}"))
        bands = "\n".join(f"{_band(b.lower, b.upper, lang)} {percent(b.ratio)}" for b in p.bands)
        rows.append(
            [
                _who(t, p.name, lang),
                "\n".join(said),
                amount(p.threshold),
                bands,
                cap_text(p.annual_cap.amount, lang),
            ]
        )
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "规则", "Rule"),
        tr(lang, "起付标准", "Threshold"),
        tr(lang, "分段与支付比例", "Segments and ratios"),
        tr(lang, "年度限额", "Annual cap"),
    ]
    lines += [
        tr(
            lang,
            "各类人员实际适用值（比例最高 100%，起付标准按本表舍入方式取到分）：",
            "Values in use per category (ratios at most 100%, thresholds rounded to the fen "
            "with the tariff's rounding):",
        ),
        _table(rows, headers, right=(2, 4)),
    ]
    return "\n".join(lines)


def _assistance_block(t: Tariff, section: MedicalAssistance | None, lang: str) -> str:
    head = heading(
        lang, "医疗救助（按年度累计）", "Medical assistance (on the year's accumulated cost)"
    )
    if section is None:
        return _missing(head, lang)
    rows = [
        [
            _who(t, r.category, lang),
            percent(r.ratio),
            amount(r.deductible),
            cap_text(r.annual_cap.amount, lang),
        ]
        for r in section.eligible
    ]
    headers = [
        tr(lang, "人员类别", "Category"),
        tr(lang, "救助比例", "Ratio"),
        tr(lang, "年度起付线", "Yearly deductible"),
        tr(lang, "年度救助限额", "Annual cap"),
    ]
    return "\n".join(
        [
            head,
            _cites(t, section.source, lang),
            _table(rows, headers, right=(1, 2, 3)),
            tr(
                lang,
                "仅限上列人员类别；其他人员不享受医疗救助。",
                "Only the categories listed; anyone else receives no assistance.",
            ),
        ]
    )


def _sources_block(t: Tariff, lang: str) -> str:
    head = heading(lang, "政策依据", "Sources")
    if not t.sources:
        return f"{head}\n{tr(lang, '无。', 'None.')}"
    rows = [
        [s.id, s.number or DASH, s.title if s.url is None else f"{s.title}\n{s.url}"]
        for s in t.sources
    ]
    headers = [
        tr(lang, "编号", "id"),
        tr(lang, "文号", "Number"),
        tr(lang, "标题 / 网址", "Title / URL"),
    ]
    return f"{head}\n{_table(rows, headers)}"


def render_show(t: Tariff, lang: str, *, note: str = "", versions: Sequence[Tariff] = ()) -> str:
    """``tariff show`` as text: every parameter a clerk needs, section by section."""
    blocks = [
        _header_block(t, lang, note, versions),
        _categories_block(t, lang),
        _enrollment_block(t, lang),
        _medical_block(t, t.medical_premium, lang),
        _pension_block(t, t.pension_premium, lang),
        _inpatient_block(t, t.inpatient, lang),
        _critical_block(t, t.critical_illness, lang),
        _assistance_block(t, t.medical_assistance, lang),
        _sources_block(t, lang),
    ]
    return "\n\n".join(blocks)


@tariff_group.command("show")
@click.argument("series")
@click.option("--version", "version", metavar="V", help="The version to show, e.g. 2018.1.")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Show the version in force on this day.",
)
@format_option
@lang_option
@tariffs_option
def show_command(
    series: str,
    version: str | None,
    on: dt.datetime | None,
    output_format: str,
    lang: str,
    tariff_dirs: tuple[Path, ...],
) -> None:
    """Show every parameter of one version of SERIES. 显示待遇标准表。

    Without --version or --date the latest version is shown, and the output says so.
    """
    book = _book(tariff_dirs)
    found, note = _pick(book, series, version, on.date() if on else None, lang)
    if output_format == "json":
        _echo_json(tariff_json(found))
    else:
        click.echo(render_show(found, lang, note=note, versions=book.versions(series)))


# -- validate ---------------------------------------------------------------------------------


def _count(n: int, lang: str, zh_unit: str, en_word: str) -> str:
    """``3 个文件`` / ``3 files``."""
    if lang == "en":
        return f"{n} {en_word}{'' if n == 1 else 's'}"
    return f"{n} {zh_unit}"


@tariff_group.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@lang_option
@tariffs_option
def validate_command(paths: tuple[Path, ...], lang: str, tariff_dirs: tuple[Path, ...]) -> None:
    """Check tariff files and directories. 校验待遇标准文件。

    Every problem is printed as FILE:LINE:COL: message, then a summary line. Directories are
    searched for *.yaml and *.yml; versions of one series that overlap in time are reported
    too. Without PATH, everything medcalc reads is checked together (the bundled tables,
    --tariffs and MEDCALC_TARIFFS); with PATH, the paths and any --tariffs directories.
    Exit 1 when there is any problem.
    """
    targets = [*paths, *tariff_dirs] if paths else discovery.tariff_dirs(tariff_dirs)
    files = discovery.tariff_files(targets)
    if not files:
        where = ", ".join(str(p) for p in targets) or "-"
        raise TariffNotFoundError(f"no tariff files (*.yaml, *.yml) found in: {where}")
    problems = discovery.validate_paths(targets)
    for p in problems:
        click.echo(str(p))
    n_files = _count(len(files), lang, "个文件", "file")
    if not problems:
        click.echo(tr(lang, f"OK：{n_files}，没有发现问题", f"OK: {n_files}, no problems"))
        return
    bad = len({p.path for p in problems})
    n_problems = _count(len(problems), lang, "个问题", "problem")
    click.echo(
        tr(
            lang,
            f"发现 {n_problems}，涉及 {bad} 个文件（共检查 {n_files}）",
            f"{n_problems} in {bad} of {n_files}",
        )
    )
    click.get_current_context().exit(1)


# -- diff -------------------------------------------------------------------------------------


def _leaf_text(leaf: Leaf, lang: str) -> str:
    if isinstance(leaf, Amount):
        return amount(leaf.value)
    if isinstance(leaf, Unit):
        return percent(leaf.value)
    if isinstance(leaf, Unlimited):
        return tr(lang, "不设封顶", "no cap")
    if isinstance(leaf, FullPayment | SharePayment | AmountPayment):
        return _payment(leaf, lang)
    if isinstance(leaf, dt.date):
        return leaf.isoformat()
    if isinstance(leaf, tuple):
        return ", ".join(str(x) for x in leaf) if leaf else DASH
    return str(leaf)


def _flat(node: Node, lang: str, prefix: str = "") -> list[str]:
    """``key value`` for every parameter under ``node``."""
    if isinstance(node, Mapping):
        out = []
        for k, v in node.items():
            out += _flat(v, lang, f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(node, Items):
        out = []
        for key, member in node.members:
            out += _flat(member, lang, f"{prefix}[{key}]")
        return out
    text = _leaf_text(node, lang)
    return [f"{prefix} {text}" if prefix else text]


def _member_text(change: Change, member: Node, lang: str) -> str:
    """A list member: its identity, then its other parameters (``180.00 (subsidy 30.00)``);
    one parameter a line when that is too long for a diff cell."""
    if not isinstance(member, Mapping):
        return _flat(member, lang)[0]
    field = change.key_field
    ident_node = member.get(field) if field is not None else None
    if ident_node is not None and not isinstance(ident_node, Mapping | Items):
        ident = _leaf_text(ident_node, lang)
        rest = {k: v for k, v in member.items() if k != field}
    else:
        ident, rest = f"[{change.key}]", dict(member)
    details = _flat(rest, lang)
    if not details:
        return ident
    inline = f"{ident} ({', '.join(details)})"
    return inline if _width(inline) <= DIFF_CELL else "\n".join([ident, *details])


def _value_text(change: Change, node: Node | None, lang: str) -> str:
    """One side of a change as a diff cell; a whole section is only named."""
    if node is None:
        return DASH
    if change.key is not None:
        return _member_text(change, node, lang)
    if change.path in SECTIONS:
        return tr(lang, "（整节）", "(whole section)")
    if isinstance(node, Mapping | Items):
        return "; ".join(_flat(node, lang)) or DASH
    return _leaf_text(node, lang)


def _kind(change: Change, lang: str) -> str:
    words = {
        "changed": ("修改", "changed"),
        "added": ("新增", "added"),
        "removed": ("删除", "removed"),
    }
    zh, en = words[change.kind]
    return tr(lang, zh, en)


def render_diff(a: Tariff, b: Tariff, changes: Sequence[Change], lang: str) -> str:
    """``tariff diff`` as text: the two tariffs, then one row per changed parameter."""
    head = [
        f"A: {a.ref}  {shown_path(a.path)}  sha256 {a.sha256[:SHORT_SHA]}",
        f"B: {b.ref}  {shown_path(b.path)}  sha256 {b.sha256[:SHORT_SHA]}",
    ]
    if not changes:
        head.append(
            tr(lang, "没有不同：两表参数相同。", "No differences: the parameters are the same.")
        )
        return "\n".join(head)
    rows = [
        [c.path, _kind(c, lang), _value_text(c, c.a, lang), _value_text(c, c.b, lang)]
        for c in changes
    ]
    headers = [tr(lang, "参数", "Parameter"), tr(lang, "变化", "Change"), "A", "B"]
    n = len(changes)
    total = tr(lang, f"共 {n} 处不同。", f"{n} difference{'' if n == 1 else 's'}.")
    return "\n".join(
        [*head, "", _table(rows, headers, wrap={2: DIFF_CELL, 3: DIFF_CELL}), "", total]
    )


@tariff_group.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@format_option
@lang_option
@tariffs_option
def diff_command(
    a: str, b: str, output_format: str, lang: str, tariff_dirs: tuple[Path, ...]
) -> None:
    """Compare two tariffs parameter by parameter. 比较两个待遇标准表。

    A and B are each SERIES@VERSION (e.g. qingyuan-qingcheng@2018.1) or a tariff file.
    Parameters are named by their YAML keys (medical_premium.contribution). Exit 0 whether or
    not there are differences.
    """
    ta, tb = _load_operands([a, b], tariff_dirs)
    changes = diff_tariffs(ta, tb)
    if output_format == "json":
        _echo_json(tariff_diff_json(ta, tb, changes))
    else:
        click.echo(render_diff(ta, tb, changes, lang))
