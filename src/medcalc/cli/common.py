"""Shared CLI plumbing: the language of a run, the error boundary, help pages in that language,
the ``--tariffs`` / ``--lang`` options, output helpers.

The language (zh or en) is settled before click parses anything, so that ``--help`` and
click's own errors speak it too: the last ``--lang`` on the command line, before or after the
subcommand (a subcommand's own ``--lang`` comes later, so it wins), else the ``MEDCALC_LANG``
environment variable, else zh. It lives in ``ctx.meta`` (shared by the whole context tree) and
every command's ``lang`` parameter receives it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from medcalc.cli import _help, _usage
from medcalc.cli._format import Context
from medcalc.errors import MedcalcError

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

F = TypeVar("F", bound=Callable[..., Any])

LANGS = ("zh", "en")
#: The environment variable that sets the language when no ``--lang`` is given.
LANG_ENV = "MEDCALC_LANG"
LANG_KEY = "medcalc.lang"


#: Set by a command whose work is done and whose files are closed (``batch``, ``compare``):
#: the program may then end without the interpreter's teardown (:func:`medcalc.cli.run`).
_DONE = threading.Event()


def done_with_files() -> None:
    """Say that this run's work is done and every file it wrote is closed (flushed, fsync-ed,
    moved onto OUT): what is left is the interpreter's teardown, which the ``medcalc`` program
    then skips (:func:`medcalc.cli.run`)."""
    _DONE.set()


def nothing_left_open() -> bool:
    """Whether a command said :func:`done_with_files` in this process."""
    return _DONE.is_set()


#: Set by :func:`medcalc.cli.run`: this process is the ``medcalc`` program, not a program that
#: embeds :func:`medcalc.cli.main`.
_PROGRAM = threading.Event()


def as_program() -> None:
    """Say that this process is the ``medcalc`` program (:func:`medcalc.cli.run`)."""
    _PROGRAM.set()


def large_run() -> None:
    """Before a batch or a comparison: in the ``medcalc`` program, the C allocator keeps the
    memory each block frees for the next and the process takes no transparent huge pages
    (:mod:`medcalc.cli._process`); in a program embedding :func:`medcalc.cli.main`, nothing
    (the settings would outlive the command)."""
    if _PROGRAM.is_set():
        from medcalc.cli._process import keep_freed_memory, no_huge_pages

        keep_freed_memory()
        no_huge_pages()


class LanguageError(click.UsageError):
    """``MEDCALC_LANG`` names no language medcalc speaks (exit 2). Said in both languages:
    which one the user wanted is what is unknown."""

    def __init__(self, value: str) -> None:
        super().__init__(
            f"环境变量 {LANG_ENV}={value!r} 无效，应为 zh 或 en "
            f"({LANG_ENV}={value!r} is not a language medcalc speaks: zh or en)"
        )


def lang_given(args: Sequence[str]) -> str | None:
    """The language of the last ``--lang zh|en`` (or ``--lang=en``) in ``args``, before a
    ``--``; an invalid value is left to click's own check of the option."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        else:
            continue
        if value in LANGS:
            found = value
    return found


def env_lang() -> str | None:
    """The language ``MEDCALC_LANG`` sets (None when unset or empty)."""
    value = os.environ.get(LANG_ENV, "")
    if not value:
        return None
    if value not in LANGS:
        raise LanguageError(value)
    return value


def lang_of(ctx: click.Context | None) -> str:
    """The language of the run ``ctx`` belongs to."""
    return str(ctx.meta.get(LANG_KEY, "zh")) if ctx is not None else "zh"


def _settle_lang(ctx: click.Context, args: Sequence[str]) -> None:
    given = lang_given(args)
    if given is not None:
        ctx.meta[LANG_KEY] = given
    elif LANG_KEY not in ctx.meta:
        ctx.meta[LANG_KEY] = env_lang() or "zh"


def _quiet_lang(args: Sequence[str]) -> str:
    """The language for a message when no context is left to ask (an abort, a bad
    ``MEDCALC_LANG``)."""
    try:
        return lang_given(args) or env_lang() or "zh"
    except LanguageError:
        return "zh"


def message_text(exc: MedcalcError, lang: str) -> str:
    """The message of a medcalc error in ``lang``: the one place where the CLI translates the
    library's messages (English as raised; Chinese by the message catalogue's translator)."""
    from medcalc.present import translate  # not at import: `medcalc --help` stays light

    return translate(str(exc), lang)


@functools.cache
def _control() -> re.Pattern[str]:
    """What would break or garble a message line in a terminal or a log: C0 and C1 controls but
    tab (VT, FF, CR, FS-RS, NEL among them), and the Unicode line and paragraph separators.
    Compiled on the first error, not at start-up."""
    return re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(char: re.Match[str]) -> str:
    return repr(char.group())[1:-1]  # as money.shown and !r show them: \x0b, \r, \u2028


def error_line(exc: MedcalcError, lang: str = "zh") -> str:
    """The error as clean lines, each prefixed (a tariff file error has one per problem).

    Only a line feed separates lines: any other control character in the message (from a
    value or name the message quotes) is shown escaped, so one problem is one line.
    """
    prefix = "Error" if lang == "en" else "错误"
    lines = message_text(exc, lang).rstrip("\n").split("\n")
    return "\n".join(f"{prefix}: {_control().sub(_escaped, line)}" for line in lines)


# -- commands whose help speaks the run's language ----------------------------------------------


def _path(ctx: click.Context) -> str:
    """A command's key in :data:`medcalc.cli._help.HELP`: ``"batch claims"``; ``""`` is the
    root."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def _extras(option: click.Option, ctx: click.Context, lang: str) -> str:
    """``[默认：table]``, ``[必填]``, a range: click's notes after an option's help."""
    extra = option.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(_help.ENV_VAR(lang).format(var=", ".join(extra["envvars"])))
    if "default" in extra:
        items.append(_help.DEFAULT(lang).format(default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(_help.REQUIRED(lang))
    return f"[{'; '.join(items)}]" if items else ""


class MedcalcCommand(click.Command):
    """A click command whose help page (and usage line) is in the run's language, its texts
    from :data:`medcalc.cli._help.HELP`."""

    context_class = Context

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _settle_lang(ctx, args)  # first: --help and click's errors are in it
        return super().parse_args(ctx, args)

    def help_entry(self, ctx: click.Context) -> _help.CommandHelp | None:
        return _help.HELP.get(_path(ctx))

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if self.options_metavar and pieces[:1] == [self.options_metavar]:
            pieces[0] = _help.OPTIONS_METAVAR(lang_of(ctx))
        return pieces

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = f"{_help.USAGE(lang_of(ctx))} "
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        entry = self.help_entry(ctx)
        text = entry.text(lang_of(ctx)) if entry else (self.help or "")
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def option_help(self, ctx: click.Context, param: click.Parameter) -> str:
        """An option's help in the run's language (the catalogue's; click's for the help
        option)."""
        lang = lang_of(ctx)
        if param is self.get_help_option(ctx):
            return _help.HELP_OPTION(lang)
        entry = self.help_entry(ctx)
        text = entry.options.get(param.name or "") if entry else None
        return text(lang) if text else (getattr(param, "help", None) or "")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = lang_of(ctx)
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or not isinstance(param, click.Option):
                continue
            text, extras = self.option_help(ctx, param), _extras(param, ctx, lang)
            rows.append((record[0], f"{text}  {extras}" if text and extras else text or extras))
        if rows:
            with formatter.section(_help.OPTIONS(lang)):
                formatter.write_dl(rows)


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands (``Group.commands``), each command's module imported the first time
    the command is looked up: a run imports the command it runs, not every command's floor
    (``medcalc batch`` needs neither hypothesis nor the web stack).

    ``loaders`` maps each command's name to the function that imports its module; the module
    registers its commands on the group as it is imported (``@cli.command``). Names are known
    without importing anything, so listing the commands (``medcalc --help``, with the short
    help from :data:`medcalc.cli._help.HELP`) stays light.
    """

    def __init__(self, loaders: Mapping[str, Callable[[], None]]) -> None:
        self._loaders = dict(loaders)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._loaders:
            self._loaders[name]()  # registers the command: __setitem__
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._loaders.pop(name, None)
        del self._loaded[name]

    def _names(self) -> dict[str, None]:
        # In a fixed order (a set's would change with the hash seed): the lazy ones, then any
        # added later.
        return dict.fromkeys([*self._loaders, *self._loaded])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


class MedcalcGroup(MedcalcCommand, click.Group):
    """A click group whose help is in the run's language, that turns :class:`MedcalcError`
    into a clean message and exit code, and, as the root, shows click's own errors in the
    run's language."""

    group_class = type  # subgroups are MedcalcGroups, their commands MedcalcCommands
    command_class = MedcalcCommand

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if pieces[-1:] == [self.subcommand_metavar]:
            pieces[-1] = _help.COMMAND_METAVAR(lang_of(ctx))
        return pieces

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang, path = lang_of(ctx), _path(ctx)
        rows = []
        for name in self.list_commands(ctx):
            # The catalogue's short help needs no import of the command's module (lazy
            # commands: LazyCommands); a command it lacks is looked up for click's own.
            entry = _help.HELP.get(f"{path} {name}".strip())
            if entry is not None:
                rows.append((name, entry.short(lang)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str()))
        if rows:
            with formatter.section(_help.COMMANDS(lang)):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedcalcError as exc:
            click.echo(error_line(exc, lang_of(ctx)), err=True)
            ctx.exit(exc.exit_code)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``; in standalone mode click's errors and "Aborted!" are written
        here, in the run's language (click itself would write them in English)."""

        def run() -> Any:
            return super(MedcalcGroup, self).main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )

        if not standalone_mode:
            return run()
        argv = sys.argv[1:] if args is None else args
        try:
            code = run()
        except click.ClickException as exc:
            ctx = exc.ctx if isinstance(exc, click.UsageError) else None
            _usage.show(exc, lang_of(ctx) if ctx else _quiet_lang(argv))
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(_usage.ABORTED(_quiet_lang(argv)), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


# -- options ----------------------------------------------------------------------------------


def _lang_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The ``lang`` a command receives: its own ``--lang`` when given, else the run's."""
    if value is not None and ctx.get_parameter_source(param.name or "") is (
        ParameterSource.COMMANDLINE
    ):
        ctx.meta[LANG_KEY] = value  # meta is shared by the whole context tree
        return value
    return lang_of(ctx)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version  # only when asked: start-up stays light

    line = _help.VERSION_LINE(lang_of(ctx))
    click.echo(line.format(prog=ctx.find_root().info_name, version=version("medcalc")))
    ctx.exit()


def version_option(f: F) -> F:
    """``--version``: the installed version, said in the run's language."""
    return click.option(
        "--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version
    )(f)


def tariffs_option(f: F) -> F:
    """``--tariffs DIR`` (repeatable): more tariff directories besides the bundled ones."""
    return click.option(
        "--tariffs",
        "tariff_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
    )(f)


def lang_option(f: F) -> F:
    """``--lang zh|en``: output language (the run's language when not given)."""
    return click.option("--lang", type=click.Choice(LANGS), callback=_lang_value, is_eager=True)(f)


def json_text(data: Any) -> str:
    """A JSON document as the CLI writes it: indented, non-ASCII text as itself (中文, not \\u)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def echo_json(data: Any) -> None:
    """Write a JSON document (:func:`json_text`) to stdout."""
    click.echo(json_text(data))
