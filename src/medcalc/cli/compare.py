"""``medcalc compare claims|premiums FILE --proposal TARIFF.yaml -o OUT``: a proposed tariff
against the tables in force, on the same rows (docs/compare.md).

A thin shell over :class:`medcalc.batch.CompareJob`: the summary is printed on stderr
(:func:`medcalc.batch.compare_lines`), ``--summary PATH`` writes it as JSON or XLSX,
``--charts DIR`` draws it (the ``charts`` extra). Exit codes as ``batch``: 0 every row computed
on both sides; 3 some rows have an ``error`` (OUT is still written); 1 a tariff or file error
(nothing written); 2 a usage error.

The help texts (zh, en) are :data:`COMPARE_HELP`, in the shape of
:data:`medcalc.cli._help.HELP`, which the commands here consult first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from medcalc.batch import (
    COLUMN_LANGUAGES,
    ENGINES,
    FORMATS,
    CompareJob,
    check_charts,
    compare_lines,
    draw_charts,
    write_summary,
)
from medcalc.chain import LAYERS
from medcalc.cli import _help, cli
from medcalc.cli.common import MedcalcCommand, MedcalcGroup, lang_of, lang_option, tariffs_option
from medcalc.errors import UsageError
from medcalc.messages import say
from medcalc.tariff import SERIES_ENV_VAR, default_series, load_book, load_tariff

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code when some rows had errors (on either side) and the others were written.
EXIT_ROW_ERRORS = 3

Text = _help.Text

_OPTIONS: Mapping[str, Text] = {
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
    **{
        name: text
        for name, text in _help.HELP["batch claims"].options.items()
        if name not in ("output",)
    },
    "output": Text(
        "结果文件：输入各列，再接现行_、方案_ 两套结果列和变化列；扩展名（.csv、.xlsx、"
        ".jsonl）决定格式。",
        "Result file: the input columns, each side's result columns (base_, proposal_) and "
        "the change; its extension (.csv, .xlsx, .jsonl) gives the format.",
    ),
}

_EXIT = Text(
    "\n\n退出码：0 全部行两边都算出；3 有的行出错（OUT 照样写出）；1 待遇标准表或文件错误"
    "（不写任何文件）；2 用法错误。",
    "\n\nExit codes: 0 every row computed on both sides; 3 some rows have an error (OUT is "
    "still written); 1 a tariff or file error (nothing is written); 2 a usage error.",
)

COMPARE_HELP: Mapping[str, _help.CommandHelp] = {
    "compare": _help.CommandHelp(
        short=Text("方案与现行标准对比测算。", "A proposed tariff against the one in force."),
        text=Text(
            "方案与现行标准对比：同一批数据每行按现行标准和按方案各算一次，给出变化、汇总和图。"
            "见 docs/compare.md。" + _EXIT.zh,
            "Compare a proposed tariff with the one in force: every row computed under both, "
            "with the change, a summary and charts (docs/compare.md)." + _EXIT.en,
        ),
        options={"lang": _help.LANG},
    ),
    "compare claims": _help.CommandHelp(
        short=Text("住院费用：方案与现行对比。", "Claims under both tables."),
        text=Text(
            "住院费用对比：每行按现行标准（现行_ 列）和方案（方案_ 列）各算一次，"
            "再给出个人自付变化（方案 − 现行）。汇总：各项合计及变化、按适用标准、受益/受损人数、"
            "每人变化的十分位数、受益和受损最多的人。FILE 的列与 batch claims 相同。" + _EXIT.zh,
            "Claims under the tables in force (base_ columns) and under the proposal "
            "(proposal_), and the change of out of pocket (proposal - base). The summary: "
            "totals of basic, "
            + ", ".join(layer.id.replace("_", " ") for layer in LAYERS)
            + " and out of pocket with the change, by category profile, persons better and "
            "worse off, deciles of the per-person change, the largest gains and losses. FILE "
            "as for batch claims." + _EXIT.en,
        ),
        options=_OPTIONS,
    ),
    "compare premiums": _help.CommandHelp(
        short=Text("参保缴费：方案与现行对比。", "Premiums under both tables."),
        text=Text(
            "参保缴费对比：每行按现行标准和方案各算一次医疗保险资助和养老保险代缴，"
            "给出政府负担变化和个人缴费变化。FILE 的列与 batch premiums 相同。" + _EXIT.zh,
            "Premiums under the tables in force and under the proposal: the government's "
            "subsidy and contribution and the person's, with both changes. FILE as "
            "for batch premiums." + _EXIT.en,
        ),
        options=_OPTIONS,
    ),
}


def _path(ctx: click.Context) -> str:
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


class _CompareCommand(MedcalcCommand):
    """A command whose help is the catalogue's, else :data:`COMPARE_HELP`'s."""

    def help_entry(self, ctx: click.Context) -> _help.CommandHelp | None:
        return super().help_entry(ctx) or COMPARE_HELP.get(_path(ctx))

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        key = "compare" if self.name == "compare" else f"compare {self.name}"
        entry = COMPARE_HELP.get(key)
        if entry is None:
            return super().get_short_help_str(limit)
        return entry.short(lang_of(ctx))


class _CompareGroup(_CompareCommand, MedcalcGroup):
    command_class = _CompareCommand


def _options(f: F) -> F:
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option(
            "--proposal",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
        ),
        click.option(
            "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path)
        ),
        click.option("--summary", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--charts", type=click.Path(file_okay=False, path_type=Path)),
        click.option("--series"),
        click.option("--input-format", type=click.Choice(FORMATS)),
        click.option("--output-format", type=click.Choice(FORMATS)),
        click.option("--input-encoding"),
        click.option("--output-encoding"),
        click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True),
        click.option("--columns", type=click.Choice(COLUMN_LANGUAGES)),
        click.option("--keep-formulas", is_flag=True),
        tariffs_option,
        lang_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.group("compare", cls=_CompareGroup)
@lang_option
def compare_group(lang: str) -> None:
    """A proposed tariff against the one in force (the help: :data:`COMPARE_HELP`)."""


def _run(kind: str, ctx: click.Context, **kw: Any) -> None:
    lang: str = kw.pop("lang")
    tariff_dirs: tuple[Path, ...] = kw.pop("tariff_dirs")
    proposal_path: Path = kw.pop("proposal")
    summary_path: Path | None = kw.pop("summary")
    charts: Path | None = kw.pop("charts")
    if summary_path is not None and summary_path.suffix.lower() not in (".json", ".xlsx"):
        raise UsageError(say("compare.summary_extension", path=summary_path))
    if charts is not None:
        check_charts()
    job = CompareJob.plan(kind, kw.pop("file"), kw.pop("output"), **kw)
    book = load_book(tariff_dirs)
    proposal = load_tariff(proposal_path)
    if job.job.series is None:  # as batch: --series, else MEDCALC_SERIES, else the only one
        job = job.with_series(default_series(book, os.environ.get(SERIES_ENV_VAR)))
    report = job.run(book, proposal)
    for line in compare_lines(report.summary, lang, proposal):
        click.echo(line, err=True)
    if summary_path is not None:
        write_summary(
            summary_path,
            report.summary,
            proposal={
                "series": proposal.series,
                "version": proposal.version,
                "sha256": proposal.sha256,
            },
            source=str(job.job.source),
        )
    if charts is not None:
        draw_charts(report.summary, charts, lang)
    if report.summary.errors:
        ctx.exit(EXIT_ROW_ERRORS)


@compare_group.command("claims")
@_options
@click.pass_context
def claims_command(ctx: click.Context, /, **kw: Any) -> None:
    """Claims under both tables (the help: :data:`COMPARE_HELP`)."""
    _run("claims", ctx, **kw)


@compare_group.command("premiums")
@_options
@click.pass_context
def premiums_command(ctx: click.Context, /, **kw: Any) -> None:
    """Premiums under both tables (the help: :data:`COMPARE_HELP`)."""
    _run("premiums", ctx, **kw)
