"""The columnar reader's blocks (docs/cli-batch.md §7): a CSV file read in blocks of whole
records, each checked to read alike by Python's csv module and pyarrow, its records found.

Vectorised with numpy over a block's bytes: the line ends outside quotes, the quoting
(RFC 4180), the stray-quote rule (:func:`medcalc.batch.quoted_rows_line`, here
:func:`_swallowing`), the formula-like cells, and the records whose text Python's csv writer
writes otherwise. What cannot be read exactly as the reference reads it is
:class:`Unsupported`: the file then goes to the row path, which says what is wrong.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medcalc.batch._csv import cell_holds_rows

__all__ = [
    "BLOCK",
    "LF",
    "Block",
    "NotAscii",
    "NotInEncoding",
    "Unsupported",
    "records",
    "scan_block",
]

I64 = NDArray[np.int64]


class Unsupported(Exception):  # noqa: N818 - a signal, not an error shown to anyone
    """The columnar reader cannot read this file exactly as the reference does: use that."""


class NotInEncoding(Unsupported):
    """A byte of the file is not valid in the encoding it was read in."""


class NotAscii(NotInEncoding):
    """A byte beyond ASCII in a file read as ASCII on the evidence of its start
    (:func:`~medcalc.batch._encoding.ascii_head`): its encoding must be decided over the
    whole file, and the file read again."""


BLOCK = 16 << 20  # bytes of input per block

_QUOTE, LF, _CR, _COMMA = 34, 10, 13, 44
# What a formula-like cell starts with (:func:`medcalc.batch.is_formula_like`); a CR only
# inside quotes.
_EQUALS, _PLUS, _DASH, _AT, _TAB = 61, 43, 45, 64, 9
_FORMULA_BYTES = frozenset({_EQUALS, _PLUS, _DASH, _AT, _TAB})


def records(path: Path, encoding: str, block: int, *, buffers: int = 1) -> Iterator[memoryview]:
    """The file as UTF-8 bytes: first the header record, then blocks of whole records.

    A block ends after a line end outside quotes (an even number of quotes before it; the
    quoting is checked when the block is scanned). GB18030 is transcoded; a UTF-8 BOM
    dropped. Each block is a view of a buffer reused for the next one: use it before asking
    for the next. ``buffers``: the blocks take turns in that many buffers, so a block stays
    as it is while the next ``buffers - 1`` are read (blocks worked on by threads while the
    next ones are read); reused rather than new, their pages are not faulted in again. The
    buffers turn once a block of one is given out (a record longer than a block takes
    several reads into the same buffer).
    """
    decoder = None if encoding.startswith("utf-8") else codecs.getincrementaldecoder(encoding)()
    buf = bytearray(block + (1 << 16))
    ring, turn = [buf], 0
    held = 0  # bytes of an unfinished record at the start of buf
    header = True
    with path.open("rb") as f:
        if encoding == "utf-8-sig" and f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        final = False
        while not final:
            if decoder is None:
                buf = _room(buf, held, held + block)
                got = f.readinto(memoryview(buf)[held : held + block])
                final = not got
                size = held + got
            else:
                raw = f.read(block)
                final = not raw
                try:
                    data = decoder.decode(raw, final).encode("utf-8")
                except UnicodeError:  # also a codec's own refusal, not only a bad byte
                    raise NotInEncoding("undecodable") from None
                size = held + len(data)
                buf = _room(buf, held, size)
                buf[held:size] = data
            at = 0
            handed = False  # a block of this buffer given out: another buffer for the next
            while at < size:
                cut = _line_end(buf, at, size, first=header)
                if cut <= at:
                    break
                with memoryview(buf) as view:
                    yield view[at:cut]
                at = cut
                if not header:
                    handed = True
                    break
                header = False
            if final:
                if at < size:
                    with memoryview(buf) as view:
                        yield view[at:size]
                return
            rest = bytes(buf[at:size])
            if not header and len(rest) > csv.field_size_limit():
                # Part of one record, already too long for the reference reader: let it say
                # so (an unclosed quote is found so), instead of holding the rest of the file.
                raise Unsupported("a record beyond the csv module's field size limit")
            if buffers > 1 and handed:
                ring[turn] = buf  # it may have grown
                turn = (turn + 1) % buffers
                if turn == len(ring):
                    ring.append(bytearray(len(buf)))
                buf = ring[turn]
                if len(buf) < len(rest) + block:  # never resized in place: it may be viewed
                    buf = bytearray(len(rest) + block + (1 << 16))
            buf[: len(rest)] = rest
            held = len(rest)


def _room(buf: bytearray, held: int, size: int) -> bytearray:
    """``buf`` when it holds ``size`` bytes, else a larger copy of its first ``held`` bytes
    (never resized in place: the previous block may still be viewed)."""
    if len(buf) >= size:
        return buf
    larger = bytearray(size + (1 << 16))
    larger[:held] = buf[:held]
    return larger


def _line_end(buf: bytearray, start: int, end: int, *, first: bool) -> int:
    """The index after the first (``first``) or last LF of ``buf[start:end]`` that is outside
    quotes (an even number of quotes from ``start``); ``start`` when there is none."""
    if first:
        at = start - 1
        while True:
            at = buf.find(b"\n", at + 1, end)
            if at < 0:
                return start
            if buf.count(b'"', start, at) % 2 == 0:
                return at + 1
    if buf.find(b'"', start, end) < 0:  # no quote (found by memchr): the last line feed
        at = buf.rfind(b"\n", start, end)
        return start if at < 0 else at + 1
    quotes = buf.count(b'"', start, end)
    while True:
        at = buf.rfind(b"\n", start, end)
        if at < 0:
            return start
        quotes -= buf.count(b'"', at, end)
        if quotes % 2 == 0:
            return at + 1
        end = at


class Block:
    """What the first reading learns of a block for the second: its size, where each
    record's line end starts, and the records whose text the writer must rewrite."""

    def __init__(self, size: int, ends: I64, crlf: NDArray[np.bool_], open_end: bool) -> None:
        self.size = size
        self.ends = ends.astype(np.int32)
        self.crlf = crlf
        self.open_end = open_end
        self.count = int(ends.shape[0])
        self.redo: I64 = np.zeros(0, np.int64)
        self.lines = 0  # line feeds in the block (quoted ones too): for line numbers
        self.swallow = -1  # where a quoted field that holds whole rows opens (-1: none)
        self.formulas: I64 = np.zeros(0, np.int64)  # first bytes of formula-like cells

    def with_quotes(self, block: memoryview) -> tuple[memoryview, Block]:
        """The block with a ``'`` before each formula-like cell (what :func:`excel_text`
        writes), and this scan moved to match; the same when there is none."""
        at = self.formulas
        if not at.shape[0]:
            return block, self
        data = np.insert(np.frombuffer(block, np.uint8), at, np.uint8(ord("'")))
        moved = Block(
            self.size + int(at.shape[0]), self.ends.astype(np.int64), self.crlf, self.open_end
        )
        # A cell starts before its record's line end: each end moves by the quotes before it.
        moved.ends = (self.ends + np.searchsorted(at, self.ends)).astype(np.int32)
        moved.redo = self.redo
        return data.data, moved

    def starts(self) -> I64:
        """Where each record's text starts."""
        starts = np.zeros(self.count, np.int64)
        if self.count > 1:
            starts[1:] = self.ends[:-1].astype(np.int64) + 1 + self.crlf[:-1]
        return starts


def scan_block(block: memoryview, scratch: NDArray[np.bool_], width: int = 0) -> Block:
    """Check that Python's csv module and pyarrow read ``block`` alike, and find its records.

    Refused (:class:`Unsupported`): NUL characters, a CR not followed by LF, quotes that do not
    open, close or double inside a field (RFC 4180), a record longer than the csv module's
    field size limit (it refuses a longer field); those are left to the reference reader.
    ``width`` (the header's fields; 0 for the header itself): also find the first quoted field
    holding whole rows, and the formula-like cells.
    """
    arr = np.frombuffer(block, np.uint8)
    size = arr.shape[0]
    # One pass finds every byte below '-' (NUL, tab, LF, CR, quote, '+', comma; also spaces
    # and a few others): what the quoting, the line ends and the cell starts are made of.
    low = scratch[:size]
    np.less(arr, _DASH, out=low)
    at = np.flatnonzero(low)
    found = arr.take(at)
    if (found == 0).any():
        raise Unsupported("a NUL character")
    lf = at[found == LF]
    crs = int(np.count_nonzero(found == _CR))
    q = at[found == _QUOTE]
    crlf = np.zeros(lf.shape[0], np.bool_)
    if crs:
        crlf = (arr.take(np.maximum(lf - 1, 0)) == _CR) & (lf > 0)
        if int(np.count_nonzero(crlf)) != crs:
            raise Unsupported("a CR without LF")  # a line end for both readers, not for ours
    lines = int(lf.shape[0])
    swallow = -1
    if q.shape[0]:
        _check_quotes(arr, q)
        between = np.searchsorted(q, lf)
        inside = (between & 1).astype(np.bool_)
        if inside.any():
            if width:
                swallow = _swallowing(block, at, found, q, between[inside], width)
            lf, crlf = lf[~inside], crlf[~inside]
    formulas = _formula_cells(arr, at, found, q) if width else np.zeros(0, np.int64)
    del at, found
    ends = lf - crlf
    open_end = not lf.shape[0] or int(lf[-1]) != size - 1
    if open_end:
        ends = np.append(ends, size)
        crlf = np.append(crlf, False)
    out = Block(size, ends, crlf, open_end)
    if out.count and int((out.ends - out.starts()).max()) > csv.field_size_limit():
        raise Unsupported("a field perhaps beyond the csv module's field size limit")
    out.redo = _requoted(arr, q, out)
    out.lines, out.swallow, out.formulas = lines, swallow, formulas
    return out


def _swallowing(
    block: memoryview,
    at: NDArray[Any],
    found: NDArray[np.uint8],
    q: NDArray[Any],
    between: NDArray[Any],
    width: int,
) -> int:
    """Where the first quoted field that holds whole rows opens (-1: none): the rule of
    :func:`medcalc.batch.quoted_rows_line` (its one definition), over a block's bytes. A
    block has no CR but before LF (:func:`scan_block`), so its lines end where the rule's do.

    Such a field runs over line breaks, and either

    - every line it touches (each whole, from line feed to line feed, the text before its
      opening and after its closing quote included) has at least ``n - 1`` commas, quoted
      or not: each would be a complete row by itself (``n``: ``width``, the header's fields,
      or the record's own when fewer: a short row is a row). Excel writes every row with
      ``width - 1`` separators, so a stray quote that swallows rows always gives such lines,
      wherever it stands in its row and wherever it closes; a cell Excel quotes because it
      holds a line break does not: its first line has only the commas before it (and its
      own), its last only those after it (and its own), ``width - 1`` together when it holds
      none; or
    - :func:`medcalc.batch.cell_holds_rows`: a line of its text after
      the first is a row of ``n`` fields or more. Asked only of the fields holding at
      least ``n - 1`` commas (such a line has that many).

    ``at``, ``found``: the positions and values of the block's bytes below '-' (its commas,
    line feeds and quotes among them); ``q``: its quotes; ``between``: for each line feed
    inside quotes, the quotes before it.
    """
    # Counts of commas and line feeds before each of those bytes, by running sums over them
    # (in position order), instead of binary searches.
    is_lf = found == LF
    commas_before = np.cumsum(found == _COMMA)
    lines_before = np.cumsum(is_lf) - is_lf
    where_q = np.flatnonzero(found == _QUOTE)
    pairs = (between - 1) // 2  # sorted: line feeds in order
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])]
    open_at, close_at = where_q.take(2 * pairs), where_q.take(2 * pairs + 1)
    # Commas per line (line i ends at the i-th line feed; the last at the block's end).
    ends = np.append(commas_before[is_lf], commas_before[-1])
    per_line = np.diff(ends, prepend=0)
    first, last = lines_before.take(open_at), lines_before.take(close_at)
    # The fewest commas over lines first..last of each field: reduceat over [first, last + 1),
    # every other result (the ranges between fields are not used).
    bounds = np.stack([first, last + 1], axis=1).ravel()
    fewest = np.minimum.reduceat(np.append(per_line, 0), bounds)[0::2]
    opening, closing = q.take(2 * pairs), q.take(2 * pairs + 1)
    # A complete row has n fields: the header's, or fewer for a short record (its commas
    # outside quotes, plus one). A block starts a record and its quotes pair up (checked), so
    # a byte is outside quotes when an even number of quotes come before it.
    is_q = found == _QUOTE
    # parity only: a uint8 running count wraps but keeps it (a quarter of int64's memory)
    outside = ((np.cumsum(is_q, dtype=np.uint8) & 1) ^ is_q) == 0
    ends_record = is_lf & outside
    record = np.cumsum(ends_record, dtype=np.int32) - ends_record
    outer = (found == _COMMA) & outside
    fields = np.bincount(record[outer], minlength=int(record[-1]) + 1) + 1
    n = np.minimum(fields.take(record.take(open_at)), width)
    whole_lines = np.flatnonzero(fewest >= n - 1)
    found_at = int(opening[whole_lines[0]]) if whole_lines.shape[0] else -1
    held = commas_before.take(close_at) - commas_before.take(open_at)
    asked = held >= n - 1
    for lo, hi, need in zip(
        opening[asked].tolist(), closing[asked].tolist(), n[asked].tolist(), strict=True
    ):
        if found_at >= 0 and lo >= found_at:
            break
        text = bytes(block[lo + 1 : hi]).decode("utf-8", "replace").replace('""', '"')
        if cell_holds_rows(text, need):
            return int(lo)
    return found_at


def _formula_cells(
    arr: NDArray[np.uint8], at: NDArray[Any], found: NDArray[np.uint8], q: NDArray[Any]
) -> I64:
    """Where each formula-like cell (:func:`medcalc.batch.is_formula_like`) of a block of
    whole records starts: its first byte, after the opening quote when quoted.

    ``at``, ``found``: the positions and values of the bytes below '-' (each cell starts after
    one of them, a comma, a line feed or an opening quote, or at the block's start). A CR only
    counts inside quotes: elsewhere it is a line end.
    """
    size = arr.shape[0]
    if not size:
        return np.zeros(0, np.int64)
    nxt = arr.take(at + 1, mode="clip")
    hit = (nxt == _EQUALS) | (nxt == _PLUS) | (nxt == _DASH) | (nxt == _AT) | (nxt == _TAB)
    hit |= nxt == _CR
    some = np.flatnonzero(hit)  # few: the rest only for these
    by, after = found.take(some), nxt.take(some)
    starts = (by == _COMMA) | (by == LF) | (by == _QUOTE)
    starts &= (after != _CR) | (by == _QUOTE)
    cells: I64 = at.take(some[starts]) + 1
    cells = cells[cells < size]
    if int(arr[0]) in _FORMULA_BYTES:  # the block starts a record
        cells = np.concatenate([np.zeros(1, np.int64), cells])
    if q.shape[0] and cells.shape[0]:
        inside = (np.searchsorted(q, cells) & 1).astype(np.bool_)
        after_quote = arr.take(np.maximum(cells - 1, 0)) == _QUOTE
        before = arr.take(np.maximum(cells - 2, 0))
        # Inside quotes only the first byte after an opening quote starts a cell (a quote at
        # a field start, not the second of a doubled one); outside, a quote cannot come just
        # before a byte (the quoting is checked), so comma and line feed are the starts.
        opens = after_quote & ((cells == 1) | (before == _COMMA) | (before == LF))
        cells = cells[np.where(inside, opens, ~after_quote)]
    return cells


def _check_quotes(arr: NDArray[np.uint8], q: NDArray[Any]) -> None:
    """Every quote opens a field, closes it, or is doubled inside it (RFC 4180): there
    Python's csv module and pyarrow read the same fields."""
    if q.shape[0] % 2:
        raise Unsupported("an unclosed quote")
    opening, closing = q[0::2], q[1::2]
    size = arr.shape[0]
    prev = arr.take(np.maximum(opening - 1, 0))
    after_close = np.append(-2, closing[:-1])
    ok = (opening == 0) | (prev == _COMMA) | (prev == LF) | (opening - 1 == after_close)
    nxt = arr.take(np.minimum(closing + 1, size - 1))
    before_open = np.append(opening[1:], -2)
    ok_close = (closing == size - 1) | (nxt == _COMMA) | (nxt == LF) | (nxt == _CR)
    ok_close |= closing + 1 == before_open
    if not (ok.all() and ok_close.all()):
        raise Unsupported("a quote inside an unquoted field")


def _requoted(arr: NDArray[np.uint8], q: NDArray[Any], block: Block) -> I64:
    """Records whose text Python's csv writer writes otherwise: empty ones (a blank record:
    written as empty fields) and those with a quoted field it would not quote (no comma,
    quote or line end in it)."""
    starts = block.starts()
    empty = np.flatnonzero(starts == block.ends)
    if not q.shape[0]:
        return empty
    opening, closing = q[0::2], q[1::2]
    # A field with a doubled quote is quoted again: only single pairs can be plain.
    linked = opening[1:] == closing[:-1] + 1
    single = ~(np.append(linked, False) | np.append(False, linked))
    lo, hi = opening[single] + 1, closing[single]
    lengths = hi - lo
    plain = lengths == 0
    nonempty = np.flatnonzero(lengths > 0)
    if nonempty.shape[0]:
        lens = lengths[nonempty]
        offsets = np.cumsum(lens) - lens
        index = np.repeat(lo[nonempty] - offsets, lens) + np.arange(int(lens.sum()))
        b = arr.take(index)
        special = (b == _COMMA) | (b == LF) | (b == _CR)
        plain[nonempty] = ~np.logical_or.reduceat(special, offsets)
    fields = opening[single][plain]
    if not fields.shape[0]:
        return empty
    rows = np.searchsorted(starts, fields, side="right") - 1
    redo: I64 = np.unique(np.concatenate([empty, rows]))
    return redo
