"""The ``medcalc`` command line: a thin shell over the library.

Expected errors (:class:`medcalc.errors.MedcalcError`) become one clean ``错误: …`` / ``Error: …``
line on stderr and the error's exit code; a traceback means a bug.

Help, click's own messages and the output are Chinese by default and English with ``--lang
en`` (before or after the subcommand) or ``MEDCALC_LANG=en``; the texts of the help pages are
in :mod:`medcalc.cli._help`.

Exit codes: 0 success; 1 tariff, file or input error; 2 usage error; 3 a batch had rows with
errors (the other rows were written).
"""

from __future__ import annotations

import gc
import os
import sys
from functools import partial
from typing import Any

import click

from medcalc.cli._process import (
    ALLOCATOR_SETTINGS,
    BLAS_THREADS,
    keep_freed_memory,
    no_huge_pages,
    one_blas_thread,
)
from medcalc.cli.common import (
    CONTEXT_SETTINGS,
    LazyCommands,
    MedcalcGroup,
    as_program,
    lang_option,
    nothing_left_open,
    version_option,
)

__all__ = [
    "ALLOCATOR_SETTINGS",
    "BLAS_THREADS",
    "COMMANDS",
    "cli",
    "keep_freed_memory",
    "main",
    "no_huge_pages",
    "run",
]


def _load(name: str) -> None:
    """Import the module of the command ``name``: it registers its commands on :data:`cli`.

    Sub-command modules are imported here only (kept in one place for the import test), each
    when its command is first looked up (:class:`~medcalc.cli.common.LazyCommands`): a run
    loads the floors of the command it runs, no other. Static imports, so lint-imports sees
    them.
    """
    match name:
        case "audit":
            from medcalc.cli import audit as _audit  # noqa: F401
        case "batch":
            from medcalc.cli import batch as _batch  # noqa: F401
        case "claim" | "premium":
            from medcalc.cli import calc as _calc  # noqa: F401
        case "compare":
            from medcalc.cli import compare as _compare  # noqa: F401
        case "serve":
            from medcalc.cli import serve as _serve  # noqa: F401
        case "tariff":
            from medcalc.cli import tariff as _tariff  # noqa: F401


#: medcalc's commands, by name; each is imported when a run first looks it up.
COMMANDS = ("audit", "batch", "claim", "compare", "premium", "serve", "tariff")


@click.group(
    cls=MedcalcGroup,
    context_settings=CONTEXT_SETTINGS,
    commands=LazyCommands({name: partial(_load, name) for name in COMMANDS}),
)
@version_option
@lang_option
def cli(lang: str) -> None:
    """medcalc: the command line (its help: ``medcalc.cli._help``).

    ``--lang`` here sets the language of the whole run; the subcommand receives it.
    """


def run() -> None:
    """The ``medcalc`` program (console script, ``python -m medcalc``): :func:`main`, then an
    ending without the interpreter's teardown, which would free, object by object and page
    range by page range, memory the ending process gives back anyway.

    The objects the run made are frozen (``gc.freeze``: the last garbage collections skip
    them; 25-30 ms, a tenth of a small batch). When the command said its files are closed
    (:func:`~medcalc.cli.common.done_with_files`: a batch or a comparison that finished, exit
    0 or 3), the process ends at once after flushing stdout and stderr (``os._exit``; 40-65 ms
    of a 1 M-claim batch), unless a profiler or tracer (coverage) is running, whose results
    are written at exit. Anything else ends as usual: an error, ``serve``, ``--version``.

    The program's process gets one BLAS thread (numpy's OpenBLAS would spin a thread per
    core for nothing), and ``batch`` and ``compare`` keep the memory they free for their next
    blocks (glibc's allocator settings) and take no transparent huge pages:
    :mod:`medcalc.cli._process`. Embedded, :func:`main` leaves the process as it is.
    """
    one_blas_thread()  # before numpy is imported (medcalc.cli._process)
    as_program()  # batch and compare then keep the memory they free (medcalc.cli._process)
    try:
        main()
    except SystemExit as exc:
        gc.freeze()
        code = exc.code
        finished = code in (0, 3) and nothing_left_open()
        watched = sys.getprofile() is not None or sys.gettrace() is not None
        if isinstance(code, int) and finished and not watched:
            try:
                for stream in (sys.stdout, sys.stderr):
                    if stream is not None:  # None: the descriptor was closed at start
                        stream.flush()
            except (OSError, ValueError):
                raise exc from None  # as the usual ending would meet it
            os._exit(code)
        raise


def main(argv: list[str] | None = None) -> Any:
    """The command line, for a program that embeds it: runs one command and raises
    ``SystemExit`` with its exit code (the ``medcalc`` program is :func:`run`)."""
    return cli.main(args=argv, prog_name="medcalc", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    run()
