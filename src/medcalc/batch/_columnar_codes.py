"""The codes the columnar reader gives a column's distinct texts (dates, levels, categories,
series, …): each text parsed once by the reference's own parsers (:mod:`medcalc.chain.fields`),
so the columnar path refuses exactly what the row path refuses (docs/cli-batch.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from medcalc.batch._columns import NO_DAY, ParsedColumns, day_number
from medcalc.batch._rows import ClaimsBatch
from medcalc.chain import fields as rowparse
from medcalc.tariff import DISABILITY_TYPES

__all__ = ["CellCodes"]

V = TypeVar("V")


class CellCodes:
    """The codes of a column's distinct texts, each text parsed once by the reference's own
    parsers (so the columnar path refuses exactly what the row path refuses)."""

    def __init__(self, scratch: ClaimsBatch, rows: ParsedColumns) -> None:
        self.scratch = scratch
        self.rows = rows
        self._texts: dict[tuple[str, str], str | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}

    def text(self, text: str) -> str | None:
        """The reference's text of a cell; None when blank or refused (the row is then
        parsed by the reference, which says why)."""
        key = ("text", text)
        if key not in self._texts:
            self._texts[key] = _text_or_none(text)
        return self._texts[key]

    def _cached(self, name: str, text: str, parse: Callable[[], int]) -> int:
        key = (name, text)
        hit: int | None = self._parsed.get(key)
        if hit is None:
            hit = self._parsed[key] = parse()
        return hit

    def series(self, text: str) -> int:
        def parse() -> int:
            problems: list[str] = []
            found = self.scratch.series_of({"series": text}, problems)
            return -1 if found is None else self.rows.series.code(found)

        return self._cached("series", text, parse)

    def date(self, text: str) -> int:
        def parse() -> int:
            try:
                day = rowparse.date({"date": text}, "date", required=True)
            except Exception:
                return int(NO_DAY)
            return int(NO_DAY) if day is None else day_number(day)

        return self._cached("date", text, parse)

    def enrolled(self, text: str) -> int:
        """Days; NO_DAY when not given; NO_DAY + 1 when the reference would refuse it."""
        if text == "":
            return int(NO_DAY)

        def parse() -> int:
            try:
                day = rowparse.date({"enrolled_on": text}, "enrolled_on")
            except Exception:
                return int(NO_DAY) + 1
            return int(NO_DAY) + 1 if day is None else day_number(day)

        return self._cached("enrolled_on", text, parse)

    def level(self, text: str) -> int:
        """The level's code; -1 when not given; -2 when the reference would refuse it."""
        return _refusable(lambda: rowparse.text({"v": text}, "v"), self.rows.levels.code)

    def category(self, text: str) -> int:
        """The categories' code; -1 when not given; -2 when the reference would refuse
        them."""
        try:
            if rowparse.text({"v": text}, "v") is None:
                return -1
            return self.rows.categories.code(rowparse.categories({"v": text}, "v"))
        except Exception:
            return -2

    def grade(self, text: str) -> int:
        """The grade; -1 when not given; -2 when the reference would refuse it."""
        return _refusable(
            lambda: rowparse.integer({"v": text}, "v"),
            lambda grade: grade if 1 <= grade <= 4 else -2,
        )

    def kind(self, text: str) -> int:
        """The type's code; -1 when not given; -2 when the reference would refuse it."""
        return _refusable(
            lambda: rowparse.text({"v": text}, "v"),
            lambda kind: self.rows.types.code(kind) if kind in DISABILITY_TYPES else -2,
        )


def _refusable(read: Callable[[], V | None], code: Callable[[V], int]) -> int:
    """``code`` of the value ``read`` parses as the reference does; -1 when it is not given,
    -2 when the reference would refuse it."""
    try:
        value = read()
    except Exception:
        return -2
    return -1 if value is None else code(value)


def _text_or_none(text: str) -> str | None:
    """The reference's text of a cell (:func:`medcalc.chain.text`), None when it refuses it."""
    try:
        return rowparse.text({"v": text}, "v")
    except Exception:
        return None
