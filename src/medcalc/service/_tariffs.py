"""The tariff documents, built by the same functions as ``medcalc tariff … --format json``
(:mod:`medcalc.present`), so the service and the CLI cannot disagree."""

from __future__ import annotations

from typing import Any

from medcalc.errors import TariffNotFoundError
from medcalc.messages import say
from medcalc.present import tariff_diff_json, tariff_json, tariff_list_json
from medcalc.tariff import Tariff, TariffBook, diff_tariffs


def list_document(book: TariffBook, series: str | None = None) -> dict[str, Any]:
    """``medcalc/tariff-list@1`` of the whole book, or of one series."""
    if series is not None:
        book = TariffBook(book.versions(series))
    return tariff_list_json(book)


def tariff_document(tariff: Tariff) -> dict[str, Any]:
    """``medcalc/tariff@1``."""
    return tariff_json(tariff)


def _operand(book: TariffBook, text: str) -> Tariff:
    series, at, version = text.rpartition("@")
    if not at or not series or not version:
        raise TariffNotFoundError(say("service.not_operand", text=repr(text)))
    return book.get(series, version)


def diff_document(book: TariffBook, a: str, b: str) -> dict[str, Any]:
    """``medcalc/tariff-diff@1`` of two versions named ``SERIES@VERSION``."""
    ta, tb = _operand(book, a), _operand(book, b)
    return tariff_diff_json(ta, tb, diff_tariffs(ta, tb))
