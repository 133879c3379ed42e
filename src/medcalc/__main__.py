"""``python -m medcalc``: the same as the ``medcalc`` command."""

from medcalc.cli import run

run()
