"""The tariff documents, built by the same functions as ``medcalc tariff … --format json``.

Those builders live in :mod:`medcalc.cli.tariff` for now (``_list_json`` is private there);
they are used as they are, so the service and the CLI cannot disagree. The restructure of
issue 12 should move them to a library module (with :mod:`medcalc.tariff_diff`).
"""

from __future__ import annotations

from typing import Any

from medcalc.book import TariffBook
from medcalc.cli.tariff import _list_json, diff_json, tariff_json
from medcalc.errors import TariffNotFoundError
from medcalc.model import Tariff
from medcalc.tariff_diff import diff_tariffs


def list_document(book: TariffBook, series: str | None = None) -> dict[str, Any]:
    """``medcalc/tariff-list@1`` of the whole book, or of one series."""
    if series is not None:
        book = TariffBook(book.versions(series))
    return _list_json(book)


def tariff_document(tariff: Tariff) -> dict[str, Any]:
    """``medcalc/tariff@1``."""
    return tariff_json(tariff)


def _operand(book: TariffBook, text: str) -> Tariff:
    series, at, version = text.rpartition("@")
    if not at or not series or not version:
        raise TariffNotFoundError(
            f"{text!r} is not SERIES@VERSION (e.g. qingyuan-qingcheng@2018.1)"
        )
    return book.get(series, version)


def diff_document(book: TariffBook, a: str, b: str) -> dict[str, Any]:
    """``medcalc/tariff-diff@1`` of two versions named ``SERIES@VERSION``."""
    ta, tb = _operand(book, a), _operand(book, b)
    return diff_json(ta, tb, diff_tariffs(ta, tb))
