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

from medcalc.cli.common import (
    CONTEXT_SETTINGS,
    LazyCommands,
    MedcalcGroup,
    lang_option,
    nothing_left_open,
    version_option,
)


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
    """The ``medcalc`` program (console script, ``python -m medcalc``): :func:`main`; then,
    when the command said its files are closed (:func:`~medcalc.cli.common.done_with_files`:
    a batch or a comparison that finished, exit 0 or 3), the process ends at once: stdout and
    stderr flushed, the interpreter's teardown (freeing every object and the allocators'
    memory, which the ending process gives back anyway) skipped: 40-60 ms of a 1 M-claim batch.
    Everything else ends as :func:`main` does."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int) and code in (0, 3) and nothing_left_open():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: one command, then the process ends (``SystemExit``)."""
    try:
        return cli.main(args=argv, prog_name="medcalc", standalone_mode=True)
    finally:
        # The interpreter's last garbage collections would walk every object the run imported
        # or made, to free memory the ending process gives back anyway: 25-30 ms, a tenth of
        # a small batch. Frozen, they are skipped (files are closed by then: nothing is lost).
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
