"""Shared CLI plumbing: the error boundary, ``--tariffs`` / ``--lang`` options, output helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from medcalc.errors import MedcalcError

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

F = TypeVar("F", bound=Callable[..., Any])


def error_line(exc: MedcalcError, lang: str = "zh") -> str:
    """The error as clean lines, each prefixed (a tariff file error has one per problem)."""
    prefix = "Error" if lang == "en" else "错误"
    return "\n".join(f"{prefix}: {line}" for line in str(exc).splitlines() or [""])


class MedcalcGroup(click.Group):
    """A click group that turns :class:`MedcalcError` into a clean message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedcalcError as exc:
            click.echo(error_line(exc, ctx.meta.get(LANG_KEY, "zh")), err=True)
            ctx.exit(exc.exit_code)


LANG_KEY = "medcalc.lang"


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[LANG_KEY] = value  # meta is shared by the whole context tree
    return value


def tariffs_option(f: F) -> F:
    """``--tariffs DIR`` (repeatable): more tariff directories besides the bundled ones."""
    return click.option(
        "--tariffs",
        "tariff_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Extra tariff directory (repeatable); MEDCALC_TARIFFS adds more (path list).",
    )(f)


def lang_option(f: F) -> F:
    """``--lang zh|en``: output language (Chinese by default)."""
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        callback=_remember_lang,
        is_eager=True,
        help="Output language: zh (中文) or en.",
    )(f)
