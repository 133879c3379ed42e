"""The command line in Chinese (the default) and in English: help pages, click's own messages,
and how the language is chosen (``--lang`` before or after the subcommand, ``MEDCALC_LANG``)."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from medcalc.cli import cli

#: A CJK ideograph: Chinese text (not merely Chinese punctuation such as '；' or '、').
HANZI = re.compile("[\u4e00-\u9fff]")
SERIES = "qingyuan-qingcheng"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, lang: str | None = None) -> Result:
    """``medcalc ARGS…`` with ``MEDCALC_LANG`` set to ``lang`` (unset for None)."""
    return runner.invoke(cli, list(args), prog_name="medcalc", env={"MEDCALC_LANG": lang})


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command and group of the tree, the root first."""
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


PATHS = list(commands())
IDS = [" ".join(p) or "medcalc" for p in PATHS]


def page_parts(page: str, heading: str) -> tuple[str, dict[str, str]]:
    """A help page's text (between the usage and the first section) and the rows of the
    section ``heading`` (``选项``/``Options``, ``命令``/``Commands``), each row's text with the
    wrapping undone (whitespace removed: a Chinese line wraps between any two characters)."""
    blocks = page.split("\n\n")
    text = "".join(b for b in blocks[1:] if not re.match(r"\S.*:\n", b))
    rows: dict[str, str] = {}
    section = next((b for b in blocks if b.startswith(f"{heading}:\n")), "")
    term = ""
    for line in section.splitlines()[1:]:
        if re.match(r"  \S", line):
            term, _, rest = line[2:].partition("  ")
            rows[term] = rest
        else:
            rows[term] += line
    return text, {t: re.sub(r"\s+", "", r) for t, r in rows.items()}


def spec_names(term: str) -> set[str]:
    """``-o, --output FILE`` → {'-o', '--output'}."""
    return {word for part in term.split(", ") for word in part.split()[:1]}


@pytest.mark.parametrize("path", PATHS, ids=IDS)
@pytest.mark.parametrize(("lang", "heading"), [("zh", "选项"), ("en", "Options")])
def test_every_command_and_option_has_help_in_both_languages(
    runner: CliRunner, path: tuple[str, ...], lang: str, heading: str
) -> None:
    """Every command's help page has a text, and every option a row with a help text: Chinese
    (with Chinese characters) under zh, English (with none) under en."""
    result = run(runner, *path, "--help", lang=lang)
    assert result.exit_code == 0, result.output
    text, rows = page_parts(result.stdout, heading)
    command = command_at(path)
    options = [p for p in command.params if isinstance(p, click.Option)]
    for option in options:
        found = [r for t, r in rows.items() if set(option.opts) <= spec_names(t)]
        assert len(found) == 1, (option.opts, rows)
        assert found[0], option.opts
        assert bool(HANZI.search(found[0])) == (lang == "zh"), (option.opts, found[0])
    assert len(rows) == len(options) + 1  # and the help option
    assert text.strip()
    assert bool(HANZI.search(text)) == (lang == "zh"), text


@pytest.mark.parametrize("path", [p for p in PATHS if isinstance(command_at(p), click.Group)])
def test_every_group_lists_its_commands_in_chinese(
    runner: CliRunner, path: tuple[str, ...]
) -> None:
    """A group's list of commands gives each a short Chinese help (an English one with
    --lang en)."""
    group = command_at(path)
    assert isinstance(group, click.Group)
    for lang, heading in [("zh", "命令"), ("en", "Commands")]:
        _, rows = page_parts(run(runner, *path, "--help", lang=lang).stdout, heading)
        assert set(rows) == set(group.commands)
        for name, short in rows.items():
            assert short and bool(HANZI.search(short)) == (lang == "zh"), (name, short)


def test_click_words_on_the_help_page(runner: CliRunner) -> None:
    """Usage, Options, Commands and the help and version options are click's words: Chinese
    under zh, click's own English under en."""
    zh = run(runner, "--help").stdout
    assert zh.startswith("用法: medcalc [选项] 命令 [参数]...\n")
    assert "\n选项:\n" in zh and "\n命令:\n" in zh
    assert re.search(r"\n  --version +显示版本并退出。\n", zh)
    assert re.search(r"\n  -h, --help +显示本帮助并退出。\n", zh)
    en = run(runner, "--help", lang="en").stdout
    assert en.startswith("Usage: medcalc [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nOptions:\n" in en and "\nCommands:\n" in en
    assert re.search(r"\n  --version +Show the version and exit.\n", en)
    assert re.search(r"\n  -h, --help +Show this message and exit.\n", en)
    assert run(runner, "claim", "--help").stdout.startswith("用法: medcalc claim [选项]\n")
    listing = run(runner, "tariff", "list", "--help").stdout
    assert re.search(r"\n  --format \[table\|json\] +输出格式：[^[]*\[默认：table\]\n", listing)
    assert re.search(
        r"\n  --year YYYY +缴费年度。  \[必填\]\n", run(runner, "premium", "-h").stdout
    )


def test_version_in_both_languages(runner: CliRunner) -> None:
    """``--version`` says the installed version: ``medcalc，版本 X`` / ``medcalc, version X``."""
    from importlib.metadata import version

    assert run(runner, "--version").stdout == f"medcalc，版本 {version('medcalc')}\n"
    assert run(runner, "--version", lang="en").stdout == f"medcalc, version {version('medcalc')}\n"


def test_chinese_help_wraps_within_the_width(runner: CliRunner) -> None:
    """A Chinese help line fits the page (100 columns at most, a Chinese character taking
    two): Chinese text has no spaces to wrap at, so it is wrapped between characters."""
    for path in PATHS:
        for line in run(runner, *path, "--help").stdout.splitlines():
            columns = sum(2 if HANZI.match(c) or "\u3000" <= c <= "\uffef" else 1 for c in line)
            assert columns <= 100, (path, line)


# -- which language ---------------------------------------------------------------------------

LANGUAGE_CHOICES = [
    # (arguments, MEDCALC_LANG, language of the page)
    (["claim", "--help"], None, "zh"),
    (["--lang", "en", "claim", "--help"], None, "en"),
    (["claim", "--lang", "en", "--help"], None, "en"),
    (["claim", "--help", "--lang", "en"], None, "en"),
    (["claim", "--help", "--lang=en"], None, "en"),
    (["claim", "--help"], "en", "en"),
    (["claim", "--help"], "zh", "zh"),
    (["--lang", "zh", "claim", "--help"], "en", "zh"),
    (["claim", "--help", "--lang", "en"], "zh", "en"),
    (["--lang", "en", "claim", "--lang", "zh", "--help"], None, "zh"),
    (["--lang", "zh", "batch", "claims", "--help", "--lang", "en"], None, "en"),
    (["tariff", "--lang", "en", "list", "--help"], None, "en"),
    (["batch", "--lang", "en", "claims", "--help"], None, "en"),
    (["--help", "--lang", "en"], None, "en"),
    (["batch", "--help"], "en", "en"),
]


@pytest.mark.parametrize(("args", "env", "lang"), LANGUAGE_CHOICES)
def test_the_language_of_a_help_page(
    runner: CliRunner, args: list[str], env: str | None, lang: str
) -> None:
    """--lang before or after the subcommand, the subcommand's own --lang over the root's,
    an explicit --lang over MEDCALC_LANG, MEDCALC_LANG over the default zh."""
    result = run(runner, *args, lang=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith({"zh": "用法: ", "en": "Usage: "}[lang])


@pytest.mark.parametrize(
    ("args", "env", "header"),
    [
        (["tariff", "list"], None, "系列"),
        (["--lang", "en", "tariff", "list"], None, "Series"),
        (["tariff", "list"], "en", "Series"),
        (["tariff", "list", "--lang", "zh"], "en", "系列"),
        (["--lang", "en", "tariff", "list", "--lang", "zh"], None, "系列"),
    ],
)
def test_the_language_of_the_output(
    runner: CliRunner, args: list[str], env: str | None, header: str
) -> None:
    """The command's output follows the same choice as its help: the root's --lang and
    MEDCALC_LANG reach the subcommand."""
    result = run(runner, *args, lang=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(header)


def test_a_medcalc_error_in_the_language_of_the_root_option(runner: CliRunner) -> None:
    """``medcalc --lang en premium …``: the error line of a medcalc error says ``Error:``."""
    args = ["premium", "--year", "2019", "--series", "nope"]
    assert run(runner, "--lang", "en", *args).stderr.startswith("Error: no tariff series 'nope'")
    assert run(runner, *args, lang="en").stderr.startswith("Error: no tariff series 'nope'")
    assert run(runner, *args).stderr.startswith("错误: ")


def test_an_invalid_medcalc_lang_is_a_clear_error(runner: CliRunner) -> None:
    """MEDCALC_LANG=fr: a usage error (exit 2) saying so in both languages, nothing on stdout;
    an explicit --lang does not ask MEDCALC_LANG."""
    result = run(runner, "tariff", "list", lang="fr")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "错误: 环境变量 MEDCALC_LANG='fr' 无效，应为 zh 或 en "
        "(MEDCALC_LANG='fr' is not a language medcalc speaks: zh or en)\n"
    )
    result = run(runner, "--lang", "en", "tariff", "list", lang="fr")
    assert result.exit_code == 0 and result.stdout.startswith("Series")


# -- click's messages -------------------------------------------------------------------------


def usage(command: str, zh: bool) -> str:
    """The usage line and the hint before a usage error of ``medcalc COMMAND``."""
    name = f"medcalc {command}".strip()
    usage_line = {
        "": "[OPTIONS] COMMAND [ARGS]...",
        "tariff": "[OPTIONS] COMMAND [ARGS]...",
        "tariff show": "[OPTIONS] SERIES",
        "audit": "[OPTIONS] [SERIES]...",
    }.get(command, "[OPTIONS]")
    if zh:
        usage_line = usage_line.replace("[OPTIONS]", "[选项]").replace(
            "COMMAND [ARGS]", "命令 [参数]"
        )
        return f"用法: {name} {usage_line}\n运行 '{name} --help' 查看帮助。\n\n"
    return f"Usage: {name} {usage_line}\nTry '{name} --help' for help.\n\n"


CLICK_MESSAGES = [
    # (id, arguments, the usage's command, Chinese message, click's English message)
    (
        "missing option",
        ["premium"],
        "premium",
        "错误: 缺少选项 '--year'。",
        "Error: Missing option '--year'.",
    ),
    (
        "no such option",
        ["claim", "--totl", "5"],
        "claim",
        "错误: 没有选项 '--totl'。您是不是要用 '--total'？",
        "Error: No such option '--totl'. Did you mean '--total'?",
    ),
    (
        "no such option, several close",
        ["claim", "--explian"],
        "claim",
        "错误: 没有选项 '--explian'。您是不是要用其中之一：'--compliant', '--explain', '--lang'？",
        "Error: No such option '--explian'. (Did you mean one of: '--compliant', '--explain', "
        "'--lang'?)",
    ),
    (
        "no such command",
        ["clam"],
        "",
        "错误: 没有命令 'clam'。您是不是要用 'claim'？",
        "Error: No such command 'clam'. Did you mean 'claim'?",
    ),
    (
        "missing command",
        ["tariff", "--"],
        "tariff",
        "错误: 缺少命令。",
        "Error: Missing command.",
    ),
    (
        "invalid choice",
        ["premium", "--year", "2019", "--format", "xml"],
        "premium",
        "错误: '--format' 的值无效：'xml' 不是可选的值（'table', 'json'）。",
        "Error: Invalid value for '--format': 'xml' is not one of 'table', 'json'.",
    ),
    (
        "file does not exist",
        ["claim", "--claims", "nope.csv"],
        "claim",
        "错误: '--claims' 的值无效：文件 'nope.csv' 不存在。",
        "Error: Invalid value for '--claims': File 'nope.csv' does not exist.",
    ),
    (
        "directory does not exist",
        ["tariff", "list", "--tariffs", "nowhere"],
        "tariff list",
        "错误: '--tariffs' 的值无效：目录 'nowhere' 不存在。",
        "Error: Invalid value for '--tariffs': Directory 'nowhere' does not exist.",
    ),
    (
        "missing argument",
        ["tariff", "show"],
        "tariff show",
        "错误: 缺少参数 'SERIES'。",
        "Error: Missing argument 'SERIES'.",
    ),
    (
        "out of range",
        ["audit", "-n", "0"],
        "audit",
        "错误: '--examples' / '-n' 的值无效：0 不在范围 x>=1 内。",
        "Error: Invalid value for '--examples' / '-n': 0 is not in the range x>=1.",
    ),
    (
        "not a date",
        ["tariff", "show", SERIES, "--date", "2019"],
        "tariff show",
        "错误: '--date' 的值无效：'2019' 不符合格式 '%Y-%m-%d'。",
        "Error: Invalid value for '--date': '2019' does not match the format '%Y-%m-%d'.",
    ),
    (
        "not an integer",
        ["audit", "--seed", "x"],
        "audit",
        "错误: '--seed' 的值无效：'x' 不是整数。",
        "Error: Invalid value for '--seed': 'x' is not a valid integer.",
    ),
    (
        "extra argument",
        ["tariff", "list", "extra"],
        "tariff list",
        "错误: 多余的参数：extra",
        "Error: Got unexpected extra argument (extra)",
    ),
    (
        "no claim",
        ["claim"],
        "claim",
        "错误: 请给出一笔住院（--date、--compliant 等）或 --claims 文件",
        "Error: give one claim (--date, --compliant, …) or --claims FILE",
    ),
    (
        "version and date",
        ["tariff", "show", SERIES, "--version", "2018.1", "--date", "2018-05-01"],
        "tariff show",
        "错误: 请给出 --version 或 --date，不要同时给出",
        "Error: give --version or --date, not both",
    ),
]


@pytest.mark.parametrize(
    ("args", "command", "zh", "en"),
    [m[1:] for m in CLICK_MESSAGES],
    ids=[m[0] for m in CLICK_MESSAGES],
)
def test_click_messages_in_both_languages(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    command: str,
    zh: str,
    en: str,
) -> None:
    """A usage error is click's three parts, the usage line, the hint and the error: Chinese
    under zh, click's own English under en; exit 2, nothing on stdout."""
    monkeypatch.chdir(tmp_path)
    for lang, message in [("zh", zh), ("en", en)]:
        result = run(runner, *args, lang=lang)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == usage(command, lang == "zh") + message + "\n"


def test_an_option_without_its_value(runner: CliRunner) -> None:
    """``--lang`` with no value: the parser's message, with no usage (as click has it)."""
    assert run(runner, "claim", "--lang").stderr == "错误: 选项 '--lang' 需要一个值。\n"
    result = run(runner, "claim", "--lang", lang="en")
    assert result.stderr == "Error: Option '--lang' requires an argument.\n"
    assert result.exit_code == 2


def test_an_invalid_lang_value(runner: CliRunner) -> None:
    """``--lang fr`` is click's invalid choice, in the language of the environment."""
    result = run(runner, "claim", "--lang", "fr")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误: '--lang' 的值无效：'fr' 不是可选的值（'zh', 'en'）。\n")
    result = run(runner, "claim", "--lang", "fr", lang="en")
    assert result.stderr.endswith(
        "Error: Invalid value for '--lang': 'fr' is not one of 'zh', 'en'.\n"
    )


def test_no_command_shows_the_help(runner: CliRunner) -> None:
    """``medcalc`` alone shows its help page (exit 2, as click does), in the language."""
    result = run(runner)
    assert result.exit_code == 2
    assert result.stderr.startswith("用法: medcalc [选项] 命令 [参数]...\n")
    assert run(runner, "batch", lang="en").stderr.startswith("Usage: medcalc batch [OPTIONS]")


def _writing_end(fifo: Path, deadline: float) -> int:
    """The pipe opened for writing, once a reader has it open (before, the open fails with
    ENXIO)."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
@pytest.mark.parametrize(("lang", "said"), [("zh", "已中止！"), ("en", "Aborted!")])
def test_an_interrupted_command_says_aborted(tmp_path: Path, lang: str, said: str) -> None:
    """Ctrl-C while a command waits (a real process reading a claims file from a pipe that
    never delivers): click's "Aborted!", exit 1, in the language of the run."""
    fifo = tmp_path / "claims.csv"
    os.mkfifo(fifo)
    env = {**os.environ, "MEDCALC_LANG": lang}
    process = subprocess.Popen(
        [sys.executable, "-m", "medcalc", "claim", "--claims", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    writer = _writing_end(fifo, deadline=time.monotonic() + 60)
    try:
        time.sleep(0.2)  # from open() to read(): medcalc now waits for the first line
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(writer)
    assert process.returncode == 1
    assert stdout == ""
    assert stderr.strip() == said
