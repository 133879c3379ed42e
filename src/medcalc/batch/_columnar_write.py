"""The columnar path's second reading (docs/cli-batch.md §7): OUT written from the input's own
bytes, block by block, each record followed by its result columns formatted as columns (on
``threads``: blocks formatted side by side while the earlier ones are written, around the
page cache where the file system allows). Also what both readings share: the pyarrow modules
and the number of block buffers in flight.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from medcalc.batch._columns import I64, Outcome
from medcalc.batch._direct import direct_file
from medcalc.batch._headers import result_names, row_error, yes_no
from medcalc.batch._output import excel_text
from medcalc.batch._pipeline import in_order
from medcalc.batch._rows import CLAIM_RESULTS
from medcalc.batch._scan import Block, records
from medcalc.batch._table import Progress, source_changed

__all__ = [
    "ColumnarWriter",
    "FirstReading",
    "OutcomeColumns",
    "ResultColumns",
    "arrow",
    "fen_texts",
    "from_numpy",
    "in_flight",
]


def arrow() -> tuple[Any, Any, Any]:
    """pyarrow, its compute functions the columnar path uses (:mod:`medcalc.batch._kernels`:
    without ``import pyarrow.compute``) and pyarrow.csv (untyped: pyarrow has no stubs)."""
    return (
        importlib.import_module("pyarrow"),
        importlib.import_module("medcalc.batch._kernels"),
        importlib.import_module("pyarrow.csv"),
    )


def from_numpy(pa: Any, values: NDArray[Any], null: NDArray[np.bool_] | None = None) -> Any:
    """A pyarrow array over a numpy array's buffer (numbers or bools), null where ``null``:
    what ``pa.array(values, mask=null)`` gives, without its check for a masked array, which
    imports numpy.ma (7 ms of a batch's start)."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1 or (
        null is not None and (null.dtype != np.bool_ or null.shape != values.shape)
    ):
        raise ValueError("from_numpy: one column of values and a bool null per value")
    validity = None if null is None or not null.any() else _validity(pa, null)
    if values.dtype == np.bool_:
        bits = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, bits])
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(values)])


def _validity(pa: Any, null: NDArray[np.bool_]) -> Any:
    """pyarrow's validity bitmap: a bit a value, set where not ``null``."""
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def in_flight(threads: int) -> int:
    """Buffers for the blocks of a reading on ``threads``: :func:`in_order` works on at most
    ``threads`` blocks while the next is read, and the caller has the one before; one more
    to spare."""
    return 1 if threads == 1 else threads + 3


class FirstReading(Protocol):
    """What the writer needs of the first reading (the columnar reader): the file, how it
    was cut into blocks (``blocks``: each one's scan), its header, and the pyarrow modules."""

    pa: Any
    pc: Any
    source: Path
    encoding: str
    block_size: int
    header: list[str]
    width: int
    blocks: list[Block]
    threads: int


class ResultColumns(Protocol):
    """The result columns the columnar writer puts after each record: their ``names`` (as
    written in the header) and, for records a..a+take, their cells as CSV text in
    :meth:`parts`: pyarrow string arrays (a column, or several already joined by commas;
    null: an empty cell) that the writer joins by commas after the record, the last one
    followed by a CR where ``lf_only`` (the record ended in LF alone)."""

    @property
    def names(self) -> Sequence[str]: ...

    def parts(self, a: int, take: int, lf_only: NDArray[np.bool_] | None) -> list[Any]: ...


def _safe_cells(cells: Sequence[str | None], safe: bool) -> list[str | None]:
    """Cells as the row path's writer writes them: formula-like ones made text (``safe``)."""
    if not safe:
        return list(cells)
    return [None if c is None else excel_text(c) for c in cells]


class OutcomeColumns:
    """An :class:`Outcome`'s result columns (:data:`CLAIM_RESULTS`) as the row path writes
    them in ``lang``; ``error=False``: without the ``error`` column (a caller writes its own).
    ``safe``: formula-like cells made text (spec §5)."""

    def __init__(self, outcome: Outcome, lang: str, *, safe: bool, error: bool = True) -> None:
        self.pa, self.pc, _ = arrow()
        self.outcome = outcome
        self.safe = safe
        results = CLAIM_RESULTS if error else CLAIM_RESULTS[:-1]
        self.names = result_names(results, lang)
        self.tails = self._tails(lang, error)

    def _tails(self, lang: str, error: bool) -> tuple[Any, Any, int]:
        """The text after the amounts, per result kind: metas first, then messages, then the
        blank row; each twice (without and with a CR before the next record's LF)."""
        outcome = self.outcome
        last: tuple[None, ...] = (None,) if error else ()
        texts = [
            _csv_cells(_safe_cells([profile, version, sha256, *last], self.safe))
            for _, profile, version, sha256 in outcome.metas.values
        ]
        texts += [
            _csv_cells(
                _safe_cells(
                    [None, None, None, *((row_error(m, lang),) if error else ())], self.safe
                )
            )
            for m in outcome.messages.values
        ]
        texts.append(_csv_cells([None, None, None, *last]))
        # covered as the row path writes it in this language (yes/no, 是/否)
        heads = [yes_no(covered, lang) for covered, _, _, _ in outcome.metas.values]
        pa = self.pa
        return (
            pa.array(texts + [t + "\r" for t in texts], pa.string()),
            pa.array(heads, pa.string()),
            len(texts),
        )

    def parts(self, a: int, take: int, lf_only: NDArray[np.bool_] | None) -> list[Any]:
        pa, pc, outcome = self.pa, self.pc, self.outcome
        tail_texts, heads, count = self.tails
        b = a + take
        err = outcome.err[a:b]
        meta = outcome.meta[a:b]
        special = (meta < 0) | (err >= 0)
        tail = np.where(
            err >= 0, len(outcome.metas.values) + err, np.where(meta < 0, count - 1, meta)
        )
        if lf_only is not None:
            tail += lf_only * count
        if len(heads):
            head = pc.take(heads, from_numpy(pa, np.maximum(meta, 0), special))
        else:
            head = pa.nulls(take, pa.string())
        amounts = [
            _amount_texts(pa, pc, cents[a:b], special, safe=self.safe) for cents in outcome.cents
        ]
        return [head, *amounts, pc.take(tail_texts, from_numpy(pa, tail))]


class ColumnarWriter:
    """The second reading: OUT written from the input's own bytes, block by block, each
    record followed by its result columns (formatted as columns)."""

    def __init__(
        self, reader: FirstReading, *, output_encoding: str, keep_formulas: bool, columns: str
    ) -> None:
        self.pa, self.pc = reader.pa, reader.pc
        self.columns = columns  # the language of the result columns (names, yes/no, errors)
        self.source, self.encoding = reader.source, reader.encoding
        self.block_size = reader.block_size
        self.header, self.width = reader.header, reader.width
        self.blocks = reader.blocks  # the first reading's scan of each block
        self.output_encoding = output_encoding
        self.threads = reader.threads
        # Formula-like cells get a ' in every column (spec §5) unless --keep-formulas.
        self.safe = not keep_formulas

    def write(self, temp: Path, outcome: Outcome, keep: int, progress: Progress | None) -> None:
        """Write OUT (the second reading of the file) with the batch's result columns."""
        self.write_columns(
            temp, OutcomeColumns(outcome, self.columns, safe=self.safe), keep, progress
        )

    def write_columns(
        self, temp: Path, results: ResultColumns, keep: int, progress: Progress | None
    ) -> None:
        """Write OUT (the second reading of the file), each record followed by ``results``."""
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerow(_safe_cells([*self.header, *results.names], self.safe))
        changed = source_changed(self.source)
        written = 0

        def pieces() -> Iterator[tuple[memoryview, Block, int, int]]:
            """Each block to write with its scan, its first record's position and how many
            of its records to write; in order, checked against the first reading."""
            position = 0
            blocks = records(
                self.source, self.encoding, self.block_size, buffers=in_flight(self.threads)
            )
            next(blocks, None)
            for index, block in enumerate(blocks):
                if position >= keep:
                    return
                if index >= len(self.blocks) or len(block) != self.blocks[index].size:
                    raise changed
                scan = self.blocks[index]
                yield block, scan, position, min(scan.count, keep - position)
                position += scan.count

        def lines(piece: tuple[memoryview, Block, int, int]) -> list[Any]:
            block, scan, a, take = piece
            if self.safe:
                block, scan = scan.with_quotes(block)
            return self._lines(block, scan, results, a, take)

        with direct_file(temp) as f:
            f.write(buffer.getvalue().encode(self.output_encoding))
            # Threads format the next blocks while this one writes the earlier ones.
            for (_, _, a, take), out in in_order(lines, pieces(), self.threads):
                for part in out:
                    f.write(part)
                written = a + take
                if progress is not None:
                    progress("write", written, keep)
        if written < keep:
            raise changed

    def _lines(
        self, block: memoryview, scan: Block, results: ResultColumns, a: int, take: int
    ) -> list[Any]:
        """Records a..a+take of ``block`` with their result columns, as output bytes.

        Record i's text is the block's bytes from the previous record's line end to its own:
        the line end written before it, so the record needs no copy. The line end is written
        as CRLF: a record ending in LF alone gets a CR after its results.
        """
        pa, pc = self.pa, self.pc
        offsets = np.zeros(take + 1, np.int32)
        offsets[1:] = scan.ends[:take]
        lines = pa.Array.from_buffers(
            pa.string(), take, [None, pa.py_buffer(offsets), pa.py_buffer(block)]
        )
        redo = scan.redo[scan.redo < take]
        if redo.shape[0]:
            lines = self._requote(block, scan, lines, redo)
        lf_only = ~scan.crlf[:take]
        if scan.open_end and take == scan.count:
            lf_only[-1] = False
        # One join of the record and every result column: 82 ms for 1 M rows against 118 ms
        # for joining the result columns first (pyarrow 26; each output byte written once).
        joined = pc.binary_join_element_wise(
            lines,
            *results.parts(a, take, lf_only),
            ",",
            null_handling="replace",
            null_replacement="",
        )
        off = np.frombuffer(joined.buffers()[1], np.int32)
        body = memoryview(joined.buffers()[2])[int(off[0]) : int(off[take])]
        rest_start = int(scan.ends[take - 1]) if take else 0
        if take < scan.count:
            rest = bytes(block[rest_start : int(scan.starts()[take])])
        else:
            rest = bytes(block[rest_start:])
        return [body, rest or b"\r\n"]

    def _requote(self, block: memoryview, scan: Block, lines: Any, redo: NDArray[Any]) -> Any:
        """Rows whose text Python's csv writer writes otherwise: their text written by it."""
        starts = scan.starts()
        texts = []
        for i in redo.tolist():
            lo, hi = int(starts[i]), int(scan.ends[i])
            prefix = bytes(block[int(scan.ends[i - 1]) : lo]) if i else b""
            text = bytes(block[lo:hi]).decode("utf-8")
            record = next(csv.reader(io.StringIO(text, newline="")), [])
            record += [""] * (self.width - len(record))
            buffer = io.StringIO(newline="")
            csv.writer(buffer).writerow(record)
            texts.append(prefix.decode("ascii") + buffer.getvalue()[:-2])
        mask = np.zeros(len(lines), np.bool_)
        mask[redo] = True
        return self.pc.replace_with_mask(lines, from_numpy(self.pa, mask), self.pa.array(texts))


def _csv_cells(cells: Sequence[str | None]) -> str:
    """Cells as Python's csv writer joins them (no line end)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(["" if c is None else c for c in cells])
    return buffer.getvalue()[:-2]


def _amount_texts(
    pa: Any, pc: Any, cents: I64, special: NDArray[np.bool_], *, safe: bool = False
) -> Any:
    """Fen as yuan text with two decimals ("1234.50", "0.05", "-0.01"); null where
    ``special``. ``safe``: a negative amount written as text for Excel ("'-0.01",
    :func:`~medcalc.batch.excel_text`)."""
    texts = _decimal_texts(pa, pc, cents, special)
    negative = (cents < 0) & ~special
    if not (safe and negative.any()):
        return texts
    quoted = pc.binary_join_element_wise(pa.scalar("'"), texts, "")
    return pc.if_else(from_numpy(pa, negative), quoted, texts)


def _decimal_texts(pa: Any, pc: Any, cents: I64, special: NDArray[np.bool_]) -> Any:
    """Fen as yuan text with two decimals, by pyarrow's decimal to text cast (any sign): the
    fen are a 64-bit decimal's digits with scale 2 (its cast is a fifth faster than the
    integer cast with a point put in, 13.3 against 16.6 ms for four columns of 125,000
    amounts). Every amount fits: at most 15 digits (:data:`medcalc.money.MAX_AMOUNT`) of 18."""
    validity = _validity(pa, special) if special.any() else None
    words = pa.py_buffer(np.ascontiguousarray(cents, np.int64))
    decimals = pa.Array.from_buffers(pa.decimal64(18, 2), cents.shape[0], [validity, words])
    return pc.cast(decimals, pa.string())


def fen_texts(cents: I64, special: NDArray[np.bool_], *, safe: bool = False) -> Any:
    """Fen as yuan text with two decimals, as :func:`medcalc.batch.cents_text` writes them
    ("1234.50", "-0.01"), a pyarrow string array, null where ``special`` (a row without
    amounts); ``safe``: as the row path's CSV writer writes them
    (:func:`~medcalc.batch.excel_text`: "'-0.01")."""
    pa, pc, _ = arrow()
    return _amount_texts(pa, pc, cents, special, safe=safe)
