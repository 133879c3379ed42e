"""The row path's two readings of an input table, for ``medcalc batch``
(:mod:`medcalc.batch._job`) and ``medcalc compare`` (:mod:`medcalc.batch._compare`).

The first reading gives every row, with its known fields, to whoever computes it, and finds
the rows to keep: the rows after the last non-blank one are trailing blanks (dropped), and a
clerk's totals rows at the end (合计, 总计, 小计: :func:`~medcalc.batch._headers.is_totals_row`)
are given as blank rows and named. The second reading writes each kept row again, its
carried cells (the input's result columns left out: they are replaced) followed by its result
cells; a totals row is written with empty results. The columnar path has its own readings
(:mod:`medcalc.batch._columnar`), to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from medcalc.batch._headers import is_totals_row
from medcalc.batch._output import Writer
from medcalc.batch._rows import Batch, Fields, ResultRow
from medcalc.batch._table import PROGRESS_EVERY, Progress, Table, source_changed

__all__ = ["Add", "add_to", "read_rows", "write_rows"]

#: ``add(number, fields)``: a row's number and its known fields (None: a blank row).
Add = Callable[[int, Fields | None], None]


def read_rows(
    table: Table, add: Add, progress: Progress | None = None, every: int = PROGRESS_EVERY
) -> tuple[int, tuple[int, ...]]:
    """The first reading: every record to ``add``, in order. Returns the number of rows to
    keep (trailing blank rows are dropped) and the row numbers of the trailing totals rows
    (given to ``add`` as blank rows: written back with empty results). ``progress`` is told
    of the bytes read every ``every`` rows."""
    count = last = 0
    # A totals row and the blank rows after it, held until a later row shows that it is not
    # at the end: then it is an ordinary row (most likely an error), in its place.
    held: list[tuple[int, Fields | None]] = []
    for number, record in table.records():
        if table.is_blank(record):
            if held:
                held.append((number, None))
            else:
                add(number, None)
                count += 1
        else:
            fields = table.fields(record)
            if is_totals_row(fields.get("person_id"), table.first_cell(record)):
                held.append((number, fields))
            else:
                for held_number, held_fields in held:
                    add(held_number, held_fields)
                count += len(held)
                held.clear()
                add(number, fields)
                count += 1
                last = count
        if progress is not None and number % every == 0:
            progress("read", table.position, table.size or None)
    totals = []
    for held_number, held_fields in held:
        add(held_number, None)
        count += 1
        if held_fields is not None:
            totals.append(held_number)
            last = count
    return last, tuple(totals)


def add_to(batch: Batch, number: int, fields: Fields | None) -> None:
    """Row ``number`` added to ``batch``: its known ``fields``, or a blank row (None)."""
    if fields is None:
        batch.add_blank(number)
    else:
        batch.add(fields, number)


def write_rows(
    table: Table,
    open_writer: Callable[[list[str]], Writer],
    keep: int,
    results: Callable[[int], ResultRow | None],
    *,
    replaced: Callable[[str], bool],
    totals: Collection[int] = (),
    progress: Progress | None = None,
    every: int = PROGRESS_EVERY,
) -> None:
    """The second reading: the first ``keep`` rows, each with ``results(position)`` (None:
    empty results), to the writer ``open_writer`` gives for the carried columns: the input's
    columns but the ``replaced`` ones (result columns of an output run again). A row of
    ``totals`` (row numbers) is written with empty results, ``results`` not asked.
    ``progress`` is told of the rows written every ``every`` rows."""
    columns: Sequence[str] = table.columns
    writer = open_writer([c for c in columns if not replaced(c)])
    drop = {i for i, c in enumerate(columns) if replaced(c)}
    position = 0
    try:
        for number, record in table.records():
            if position >= keep:
                break
            carried = record
            if isinstance(record, dict):
                if any(replaced(k) for k in record):
                    carried = {k: v for k, v in record.items() if not replaced(k)}
            elif drop:
                carried = [v for i, v in enumerate(record) if i not in drop]
            result = None if number in totals else results(position)
            writer.row(number, carried, result)
            position += 1
            if progress is not None and position % every == 0:
                progress("write", position, keep)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    if position != keep:
        raise source_changed(table.path)
