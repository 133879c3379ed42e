"""click's own messages (a missing option, no such option, an invalid value, …) in Chinese.

Under ``--lang en`` click shows its exceptions itself (:meth:`click.ClickException.show`).
Under zh, :func:`show` writes the same three parts in Chinese: the usage line, the hint to ask
for help, and ``错误: …``. The message is built from the exception's type and attributes
(:class:`click.NoSuchOption`'s ``option_name`` and ``possibilities``,
:class:`click.MissingParameter`'s ``param``, :class:`click.BadParameter`'s ``param_hint``);
what a parameter type says of a value (``'x' is not one of 'zh', 'en'.``) is matched against
:data:`CLICK_MESSAGES`, click's English templates; a message no template matches (one the
command wrote itself) is shown as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import click
from click.exceptions import NoArgsIsHelpError, NoSuchCommand

from medcalc.cli._help import Text

ERROR = Text("错误: {message}", "Error: {message}")
TRY_HELP = Text("运行 '{command} {option}' 查看帮助。", "Try '{command} {option}' for help.")
ABORTED = Text("已中止！", "Aborted!")

_KINDS = {"File": "文件", "Directory": "目录", "Path": "路径"}

#: click's English messages (a parameter type's complaint, a parser's) and their Chinese.
#: ``{value}`` and the like are the parts the English names; ``kind`` is File/Directory/Path.
CLICK_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", "{value} 不是可选的值（{choices}）。"),
    (r"(?P<value>.+) is not a valid integer\.", "{value} 不是整数。"),
    (r"(?P<value>.+) is not a valid float\.", "{value} 不是数值。"),
    (r"(?P<value>.+) is not in the range (?P<range>.+)\.", "{value} 不在范围 {range} 内。"),
    (
        r"(?P<value>.+) does not match the formats? (?P<formats>.+)\.",
        "{value} 不符合格式 {formats}。",
    ),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+) does not exist\.", "{kind} {name} 不存在。"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+) is a file\.", "{kind} {name} 是文件，不是目录。"),
    (
        r"(?P<kind>File|Directory|Path) (?P<name>.+) is a directory\.",
        "{kind} {name} 是目录，不是文件。",
    ),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+) is not readable\.", "{kind} {name} 不可读。"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+) is not writable\.", "{kind} {name} 不可写。"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+) is not executable\.", "{kind} {name} 不可执行。"),
    (r"(?P<value>.+) is not (?P<choice>'.*')\.", "{value} 不是可选的值（{choice}）。"),
    (r"Option (?P<name>'.+') requires an argument\.", "选项 {name} 需要一个值。"),
    (r"Option (?P<name>'.+') requires (?P<n>\d+) arguments\.", "选项 {name} 需要 {n} 个值。"),
    (r"Option (?P<name>'.+') does not take a value\.", "选项 {name} 不带值。"),
    (r"Argument (?P<name>'.+') takes (?P<n>\d+) values\.", "参数 {name} 需要 {n} 个值。"),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", "多余的参数：{args}"),
    (r"Missing command\.", "缺少命令。"),
)


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """:data:`CLICK_MESSAGES` compiled, the first time a message is translated (not at start-up:
    18 patterns, ~3 ms)."""
    return tuple((re.compile(english, re.S), zh) for english, zh in CLICK_MESSAGES)


def chinese(message: str) -> str:
    """A message of click's in Chinese; one that is not click's stays as it is."""
    for english, zh in _compiled():
        found = english.fullmatch(message)
        if found:
            parts = found.groupdict()
            if "kind" in parts:
                parts["kind"] = _KINDS[parts["kind"]]
            return zh.format(**parts)
    return message


def _hint(exc: click.BadParameter) -> str | None:
    """The parameter an exception is about, as click names it: ``'--year'``, ``'FILE'``."""
    hint = exc.param_hint
    if hint is not None:
        return hint if isinstance(hint, str) else " / ".join(repr(x) for x in hint)
    if exc.param is not None:
        return exc.param.get_error_hint(exc.ctx)
    return None


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    names = ", ".join(repr(p) for p in sorted(possibilities))
    if len(possibilities) == 1:
        return f"您是不是要用 {names}？"
    return f"您是不是要用其中之一：{names}？"


def _missing(exc: click.MissingParameter) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
    hint = _hint(exc)
    text = f"缺少{'选项' if kind == 'option' else '参数'}{f' {hint}' if hint else ''}。"
    if exc.message:
        text += chinese(exc.message)
    if exc.param is not None and isinstance(exc.param.type, click.Choice):
        text += f"可选的值：{', '.join(str(c) for c in exc.param.type.choices)}。"
    return text


def message(exc: click.ClickException) -> str:
    """The message of a click exception, in Chinese."""
    if isinstance(exc, click.NoSuchOption):
        return f"没有选项 {exc.option_name!r}。{_did_you_mean(exc.possibilities)}"
    if isinstance(exc, NoSuchCommand):
        return f"没有命令 {exc.command_name!r}。{_did_you_mean(exc.possibilities)}"
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        value = chinese(exc.message)
        return f"{hint} 的值无效：{value}" if hint else f"值无效：{value}"
    if isinstance(exc, click.FileError):
        return f"无法打开文件 {exc.ui_filename!r}：{exc.message}"
    return chinese(exc.format_message())


def show(exc: click.ClickException, lang: str) -> None:
    """Write a click exception on stderr in ``lang``, as click would in English."""
    if lang == "en" or isinstance(exc, NoArgsIsHelpError):
        exc.show()  # click's own words; a help page is in the language already
        return
    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            names = ctx.command.get_help_option_names(ctx)
            hint = TRY_HELP(lang).format(command=ctx.command_path, option=max(names, key=len))
            hint += "\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    click.echo(ERROR(lang).format(message=message(exc)), err=True)
