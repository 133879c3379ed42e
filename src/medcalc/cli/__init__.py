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

import sys
from typing import Any

import click

from medcalc.cli.common import CONTEXT_SETTINGS, MedcalcGroup, lang_option, version_option


@click.group(cls=MedcalcGroup, context_settings=CONTEXT_SETTINGS)
@version_option
@lang_option
def cli(lang: str) -> None:
    """medcalc: the command line (its help: ``medcalc.cli._help``).

    ``--lang`` here sets the language of the whole run; the subcommand receives it.
    """


def _register() -> None:
    # Sub-command modules register themselves on import; kept in one place for the import test.
    from medcalc.cli import audit as _audit  # noqa: F401
    from medcalc.cli import batch as _batch  # noqa: F401
    from medcalc.cli import calc as _calc  # noqa: F401
    from medcalc.cli import compare as _compare  # noqa: F401
    from medcalc.cli import serve as _serve  # noqa: F401
    from medcalc.cli import tariff as _tariff  # noqa: F401


_register()


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="medcalc", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
