"""JSON Lines input (spec §5) and the exact JSON reading every medcalc input shares.

One object per line; blank lines are skipped; numbers are read as exact decimals
(:func:`loads_exact`); ``categories`` may be a list. A key names a column as a header does
(its id, Chinese name or a variant: :mod:`medcalc.batch._headers`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from medcalc.batch._headers import field_of, header_problem
from medcalc.batch._table import (
    Record,
    Table,
    text_file,
    undecodable_error,
    undecodable_line,
)
from medcalc.errors import BatchFileError
from medcalc.messages import say

__all__ = ["DuplicateKeyError", "JsonlTable", "json_int", "loads_exact"]


def _no_constants(name: str) -> Any:
    raise ValueError(say("jsonl.not_number", name=name))


def json_int(text: str) -> int | Decimal:
    """A JSON integer, exactly: as ``int``, or beyond Python's int() digit limit (4300) as
    ``Decimal``, which has none. The row then says what is wrong with such a value; a carried
    cell is written back as it was."""
    return int(text) if len(text) <= 4000 else Decimal(text)


class DuplicateKeyError(ValueError):
    """A JSON object names ``key`` twice: a later value must not silently replace an earlier
    one. Each reader says it in its own words (a batch line, a claims file, a request)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return out


def loads_exact(text: str | bytes) -> Any:
    """JSON read the way every medcalc input is: a number with a point or an exponent as
    ``Decimal`` (never float), an integer exactly (:func:`json_int`), ``NaN``/``Infinity``
    refused (ValueError), a key twice in one object refused (:class:`DuplicateKeyError`).
    ``json.JSONDecodeError`` (with its line and column) and RecursionError reach the caller,
    which names the place."""
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=json_int,
        parse_constant=_no_constants,
        object_pairs_hook=_json_object,
    )


class JsonlTable(Table):
    """A JSON Lines file: one object per line, its keys the columns."""

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path)
        self.encoding = encoding
        self.size = path.stat().st_size
        self._wanted: frozenset[str] = frozenset()
        self._seen: dict[str, None] = {}
        self._names: dict[str, str | None] = {}  # key -> field id: rows repeat their keys

    def _name(self, key: str) -> str | None:
        """The field ``key`` names (None: another column)."""
        try:
            return self._names[key]
        except KeyError:
            problem = header_problem(self.path, key)
            if problem is not None:
                raise BatchFileError(problem) from None
            name = self._names[key] = field_of(key)
            return name

    def open(self, known: Sequence[str]) -> None:
        self._wanted = frozenset(known)

    def has(self, column: str) -> bool:
        return True

    def records(self) -> Iterator[tuple[int, Record]]:
        seen = self._seen
        number = 0
        with text_file(self.path, self.encoding, None) as (raw, f):
            try:
                for number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    record = self._parse(line, number)
                    for key in record:
                        if key not in seen:
                            seen[key] = None
                    if number % self.progress_every == 0:
                        self.position = raw.tell()
                    yield number, record
            except UnicodeError as exc:  # a decoding error, or utf-16/utf-32 without a BOM
                at = undecodable_line(self.path, raw, exc)
                where = say("table.line", number=number + 1 if at is None else at)
                raise undecodable_error(self.path, where, self.encoding) from None
        self.columns = list(seen)
        self.position = self.size

    def _parse(self, line: str, number: int) -> dict[str, Any]:
        """One line as a JSON object; :class:`BatchFileError` naming the line otherwise."""
        try:
            record = loads_exact(line)
        except DuplicateKeyError as exc:
            raise BatchFileError(
                say("jsonl.key_twice", path=self.path, number=number, key=repr(exc.key))
            ) from None
        except ValueError as exc:
            raise BatchFileError(
                say("jsonl.invalid", path=self.path, number=number, reason=exc)
            ) from None
        except RecursionError:
            raise BatchFileError(say("jsonl.too_deep", path=self.path, number=number)) from None
        if not isinstance(record, dict):
            raise BatchFileError(say("jsonl.not_object", path=self.path, number=number))
        seen: dict[str, str] = {}
        for key in record:  # two keys for one column, as a header may not have them either
            name = self._name(key)
            if name is not None and name in self._wanted and seen.setdefault(name, key) != key:
                raise BatchFileError(
                    say(
                        "jsonl.column_twice",
                        path=self.path,
                        number=number,
                        name=repr(name),
                        first=repr(seen[name]),
                        second=repr(key),
                    )
                )
        return cast(dict[str, Any], record)

    def fields(self, record: Record) -> dict[str, Any]:
        assert isinstance(record, dict)
        out: dict[str, Any] = {}
        for key, value in record.items():
            name = self._name(key)
            if name is not None and name in self._wanted:
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    value = ";".join(value)
                out[name] = value
        return out
