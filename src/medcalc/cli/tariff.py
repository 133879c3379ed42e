"""``medcalc tariff …`` commands (placeholder; filled in by the tariff-commands work)."""

from __future__ import annotations

from medcalc.cli import cli


@cli.group("tariff")
def tariff_group() -> None:
    """Tariff tables: list, show, validate, diff. 待遇标准表。"""
