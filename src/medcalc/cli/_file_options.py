"""The options ``medcalc batch`` and ``medcalc compare`` share: how FILE is read and OUT
written, the engine and its threads, the result columns' language, the tariffs and the
language (their help: ``medcalc.cli._help.HELP``, per command). Only these two commands
import it: the formats, engines and cores come from ``medcalc.batch``, which the other
commands do not need."""

from __future__ import annotations

from typing import Any

import click

from medcalc.batch import COLUMN_LANGUAGES, ENGINES, FORMATS, available_cores
from medcalc.cli.common import lang_option, tariffs_option

__all__ = ["COMMON_OPTIONS", "FILE_OPTIONS"]

#: After the command's own options, in the order ``--help`` lists them.
FILE_OPTIONS: tuple[Any, ...] = (
    click.option("--series"),
    click.option("--input-format", type=click.Choice(FORMATS)),
    click.option("--output-format", type=click.Choice(FORMATS)),
    click.option("--input-encoding"),
    click.option("--output-encoding"),
    click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True),
    click.option("--columns", type=click.Choice(COLUMN_LANGUAGES)),
    click.option("--keep-formulas", is_flag=True),
    # checked by BatchJob.plan (its message in the catalogue); default: the cores here
    click.option("--threads", type=int, default=available_cores),
)
#: Last, on every command.
COMMON_OPTIONS: tuple[Any, ...] = (tariffs_option, lang_option)
