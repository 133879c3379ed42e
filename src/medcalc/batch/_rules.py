"""The batch grouping rules (spec §5, docs/cli-batch.md §4), one definition for both paths.

Claims rows are grouped by person, series and calendar year; the row path
(:class:`medcalc.batch.ClaimsBatch`) applies these rules one group at a time, the columnar
path to whole columns, and both build their messages here, so a rule change is one edit:

- that the rows of one person and year agree on each person attribute a claims row may give
  (the chain's ``CLAIM_PERSON_FIELDS``) and on the ``ytd_*`` values (:func:`agreed`,
  :func:`disagreement`);
- where a row with an error belongs (:class:`BadRow`: :meth:`~BadRow.group`) and how it bears
  on a group (:func:`bearing`): every row of it depends on it (``whole``), or the rows after it
  in date order do (``placed``);
- the text of a dependent row (:func:`blocked_by`, in the words of
  :func:`medcalc.errors.depends_on`, which the engine writes too).

Pure: no file, environment or clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs

from medcalc.chain.problems import rows_disagree
from medcalc.errors import depends_on
from medcalc.messages import say
from medcalc.money import fmt

__all__ = [
    "BadRow",
    "Disagreement",
    "agreed",
    "bearing",
    "blocked_by",
    "disagreement",
]


@attrs.frozen
class BadRow:
    """A row with an error, and what is known of where it belongs.

    ``series`` None: missing or unknown (counts as any series); ``day`` None: unreadable
    (counts as any year, before every row); ``whole_year``: its person attributes or
    year-to-date values could not be read, so every row of its year depends on it.
    """

    message: str
    person_id: str | None
    series: str | None
    day: dt.date | None
    whole_year: bool

    def group(self) -> tuple[str, str, int] | None:
        """The group (person, series, year) it is filed under; None when its series or date
        is not known (it then bears on every group of its person that :func:`bearing` says),
        or it has no person (it belongs to nobody and has no dependants)."""
        if self.person_id is None or self.series is None or self.day is None:
            return None
        return (self.person_id, self.series, self.day.year)


Bearing = Literal["whole", "placed"]


def bearing(bad: BadRow, series: str, year: int) -> Bearing | None:
    """How a bad row of a person bears on that person's group of ``series`` and ``year``:
    ``whole`` (every row of the group depends on it: its date is unreadable, or its person
    attributes or year-to-date values are), ``placed`` (it takes its place in the date order;
    the rows after it depend on it), or None (another series or year)."""
    if bad.series is not None and bad.series != series:
        return None
    if bad.day is None:
        return "whole"
    if bad.day.year != year:
        return None
    return "whole" if bad.whole_year else "placed"


def blocked_by(blockers: Sequence[tuple[int, BadRow | None]]) -> str:
    """The message of a row that depends on ``blockers``, each its row number and its
    :class:`BadRow` (None: a row that failed when computed, whose date is known): the words
    of :func:`medcalc.errors.depends_on`, ``of the same person`` when a blocker's date could
    not be read."""
    known_year = all(bad is None or bad.day is not None for _, bad in blockers)
    return depends_on([number for number, _ in blockers], known_year=known_year)


def disagreement(name: str, numbers: Sequence[int], values: Sequence[Any]) -> str | None:
    """The message for rows of one person and year that give different values of ``name``
    (``values`` by row, in input order, None = not given), or None when they agree."""
    first: tuple[int, Any] | None = None
    for number, v in zip(numbers, values, strict=True):
        if v is None:
            continue
        if first is None:
            first = (number, v)
        elif v != first[1]:
            return rows_disagree(name, (first[0], _show(first[1])), (number, _show(v)))
    return None


@attrs.frozen
class Disagreement:
    """Rows of one person and year that give different values of a field: the message."""

    message: str


def agreed(
    names: Sequence[str], numbers: Sequence[int], given: Sequence[Sequence[Any] | None]
) -> tuple[Any, ...] | Disagreement:
    """Per field of ``names``, the one value the rows give (None when none does), or the
    first field's (in ``names`` order) :class:`Disagreement`. ``given``: per row (row
    ``numbers``, in input order) its values of ``names``, or None when it gives none."""
    first = given[0]
    if all(g is first for g in given):  # the usual case: equal tuples are shared
        return (None,) * len(names) if first is None else tuple(first)
    values: list[Any] = []
    for i, name in enumerate(names):
        column = [g[i] if g is not None else None for g in given]
        found = disagreement(name, numbers, column)
        if found is not None:
            return Disagreement(found)
        values.append(next((v for v in column if v is not None), None))
    return tuple(values)


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) or say("value.none")
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
