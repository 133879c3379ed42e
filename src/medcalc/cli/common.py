"""Shared CLI plumbing: the error boundary, ``--tariffs`` / ``--lang`` options, output helpers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from medcalc.errors import MedcalcError

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

F = TypeVar("F", bound=Callable[..., Any])


#: What would break or garble a message line in a terminal or a log: C0 and C1 controls but
#: tab (VT, FF, CR, FS-RS, NEL among them), and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(char: re.Match[str]) -> str:
    return repr(char.group())[1:-1]  # as money.shown and !r show them: \x0b, \r, \u2028


def error_line(exc: MedcalcError, lang: str = "zh") -> str:
    """The error as clean lines, each prefixed (a tariff file error has one per problem).

    Only a line feed separates lines: any other control character in the message (from a
    value or name the message quotes) is shown escaped, so one problem is one line.
    """
    prefix = "Error" if lang == "en" else "错误"
    lines = str(exc).rstrip("\n").split("\n")
    return "\n".join(f"{prefix}: {_CONTROL.sub(_escaped, line)}" for line in lines)


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


def json_text(data: Any) -> str:
    """A JSON document as the CLI writes it: indented, non-ASCII text as itself (中文, not \\u)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def echo_json(data: Any) -> None:
    """Write a JSON document (:func:`json_text`) to stdout."""
    click.echo(json_text(data))
