"""The columnar reader's cells read from their bytes (docs/cli-batch.md §7): amounts as fen,
exactly the value :func:`medcalc.money.parse_amount` gives, for the cells the vectorised
parser takes; person ids the reference reads as they are. numpy over a pyarrow string
array's buffers, a regular expression only for the rarer forms.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from medcalc.batch._columnar_write import arrow, from_numpy
from medcalc.batch._columns import I64

__all__ = [
    "AmountColumn",
    "amount_fen",
    "np_bool",
    "np_int",
    "person_keys",
    "person_texts",
    "simple_texts",
    "single",
]

# Regular expression for pyarrow (RE2 syntax, matched against the whole cell).
_AMOUNT = r"^(?:[0-9]{1,12}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,3})(?:\.[0-9]{0,2})?$"


@attrs.frozen
class AmountColumn:
    """What :func:`amount_fen` reads of a column of amount texts, per cell."""

    fen: I64
    """The amount in fen where ``taken`` (-1 elsewhere)."""
    plain: NDArray[np.bool_]
    """A plain amount: 1-12 ASCII digits, perhaps a point and at most two decimals (as
    :func:`medcalc.money.parse_amount` reads without folding), recognised from the bytes."""
    taken: NDArray[np.bool_]
    """Read here: plain, or digits with thousands separators in groups of three and at most
    two decimals (``_AMOUNT``); every other cell (empty, full-width digits, odd spacing,
    errors…) is left to the row parser."""
    empty: NDArray[np.bool_]


def amount_fen(column: Any) -> AmountColumn:
    """The amounts of a pyarrow string array as fen, each exactly the value
    :func:`medcalc.money.parse_amount` gives, for the cells the vectorised parser takes.

    Plain cells are recognised from the bytes with numpy; only the others go through the
    regular expression; then an exact decimal cast.
    """
    pa, pc, _ = arrow()
    n = len(column)
    plain, empty = _plain_amounts(column)
    values = np.full(n, -1, np.int64)
    if plain.all():
        values = _fen_of(pa, pc, column, commas=False)
    elif plain.any():
        values[plain] = _fen_of(pa, pc, pc.filter(column, from_numpy(pa, plain)), commas=False)
    taken = plain
    rest = ~plain & ~empty
    if rest.any():
        others = pc.filter(column, from_numpy(pa, rest))
        match = np_bool(pc.match_substring_regex(others, _AMOUNT))
        if match.any():
            where = np.flatnonzero(rest)[match]
            values[where] = _fen_of(pa, pc, pc.filter(others, from_numpy(pa, match)), commas=True)
            taken = taken.copy()
            taken[where] = True
    return AmountColumn(values, plain, taken, empty)


def _cells(column: Any) -> tuple[NDArray[np.uint8], NDArray[np.int32], NDArray[np.int32]]:
    """The bytes of a string array's cells (no nulls): its data from the first cell's start,
    and where each cell starts and ends in it."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32)[column.offset : column.offset + n + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    buffer = column.buffers()[2]
    data = np.zeros(0, np.uint8) if buffer is None else np.frombuffer(buffer, np.uint8)
    return data[first:last], offsets[:-1] - first, offsets[1:] - first


def _odd_bytes(
    data: NDArray[np.uint8], start: NDArray[np.int32], end: NDArray[np.int32], odd: Any
) -> NDArray[np.int32]:
    """How many bytes of each cell are ``odd`` (a bool per byte of ``data``), by a running
    sum."""
    total = np.zeros(data.shape[0] + 1, np.int32)
    np.cumsum(odd, out=total[1:])
    counted: NDArray[np.int32] = total.take(end) - total.take(start)
    return counted


def simple_texts(column: Any) -> NDArray[np.bool_]:
    """Which cells of a string array the reference reads as they are: printable ASCII, no
    space at either end, not empty (the pattern ``^[!-~](?:[ -~]*[!-~])?$``), from its
    bytes (twice as fast as pyarrow's regular expression)."""
    data, start, end = _cells(column)
    simple: NDArray[np.bool_] = end > start
    if not data.shape[0]:
        return simple
    simple &= _odd_bytes(data, start, end, (data - np.uint8(0x20)) > 0x5E) == 0  # (wraps)
    last = data.shape[0] - 1
    simple &= data.take(np.minimum(start, last)) != 0x20
    simple &= data.take(np.maximum(end - 1, 0)) != 0x20
    return simple


_ID_TAG = np.uint64(1 << 63)
"""The top bit of a resident identity number's key; a key of bytes has it clear (ASCII)."""
_POWERS = 10 ** np.arange(16, -1, -1, dtype=np.int64)
"""The place values of an identity number's 17 digits."""
_ID_CHECK = {ord(c): v for v, c in enumerate("0123456789Xx")}
"""The values of an identity number's last character, the check character (X: ten; x is
another text, so another person)."""


def person_keys(column: Any) -> NDArray[np.uint64] | None:
    """Each person id of a pyarrow string array as a 64-bit key, two keys equal exactly when
    the ids are (0: null); None when some id has neither form below (the caller codes the
    texts instead). Coding 1 M keys over the whole file takes about a third of the time of
    coding each block's texts and joining the blocks' dictionaries.

    - 1-8 bytes of printable ASCII: the bytes, the first lowest, zeros above (no id holds a
      NUL byte: :func:`medcalc.batch._scan.scan_block` refuses them), so the top bit is clear;
    - 18 characters, 17 digits and a check character (0-9, X, x), as a resident identity
      number (身份证号) is written: ``digits * 12 + check`` with the top bit set.
    """
    n = len(column)
    data, start, end = _cells(column)
    length = end - start
    empty = length == 0
    if column.null_count:
        valid = np_bool(column.is_valid())
        length = np.where(valid, length, 0)
        empty &= valid
    short = length <= 8
    number = length == 18
    if empty.any() or not (short | number).all():
        return None  # an empty id is not a null one: no key (0 is null's)
    keys = np.zeros(n, np.uint64)
    if not data.shape[0]:
        return keys
    last = data.shape[0] - 1
    if ((data - np.uint8(0x20)) > 0x5E).any():
        return None  # a byte beyond printable ASCII (wraps below the space): no id has it here
    if short.any():
        width = int(length[0])
        if short.all() and (length == width).all() and width:
            # every id of one length (the usual case): the bytes in rows, no gathering
            padded = np.zeros((n, 8), np.uint8)
            padded[:, :width] = data.reshape(n, width)
        else:
            columns = np.arange(8, dtype=np.int32)
            padded = data.take(np.minimum(start[:, None] + columns, last))
            padded[columns >= np.where(short, length, 0)[:, None]] = 0
        keys = padded.view("<u8").ravel().astype(np.uint64, copy=False)
    if number.any():
        at = np.flatnonzero(number)
        first = start.take(at)
        places = (first[:, None] + np.arange(17, dtype=np.int32)).astype(np.intp)
        digits = data.take(places) - np.uint8(48)
        if (digits > 9).any():
            return None
        value = (digits.astype(np.int64) @ _POWERS).astype(np.uint64)  # < 10**17: exact
        check = np.full(256, 255, np.uint8)
        check[list(_ID_CHECK)] = list(_ID_CHECK.values())
        last_char = check.take(data.take(first + 17))
        if (last_char == 255).any():
            return None
        keys[at] = (value * np.uint64(12) + last_char) | _ID_TAG
    return keys


def person_texts(keys: NDArray[np.uint64]) -> list[str]:
    """The person ids of :func:`person_keys`' keys (not 0), in order."""
    texts = np.empty(keys.shape[0], object)
    number = (keys >> np.uint64(63)).astype(np.bool_)
    # bytes: the key's eight bytes, the zeros after the id dropped (numpy's S8 drops them)
    texts[~number] = keys[~number].astype("<u8").view("S8").astype("U8")
    value, check = np.divmod(keys[number] & ~_ID_TAG, np.uint64(12))
    places = np.uint64(10) ** np.arange(16, -1, -1, dtype=np.uint64)
    digits = (value[:, None] // places % np.uint64(10)).astype(np.uint8) + np.uint8(48)
    checks = np.frombuffer(b"0123456789Xx", np.uint8).take(check.astype(np.intp))
    written = np.ascontiguousarray(np.concatenate([digits, checks[:, None]], axis=1))
    texts[number] = written.view("S18").ravel().astype("U18")
    out: list[str] = texts.tolist()
    return out


def _plain_amounts(column: Any) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which cells of a string array are plain amounts (1-12 ASCII digits, perhaps a point
    followed by at most two digits: what ``_PLAIN`` of :mod:`medcalc.money` matches), and
    which are empty; from the array's bytes."""
    data, start, end = _cells(column)
    length = end - start
    empty = length == 0
    plain = ~empty
    if not data.shape[0]:
        return plain, empty
    # Bytes that are not digits, counted per cell.
    count = _odd_bytes(data, start, end, (data - np.uint8(48)) > 9)  # (wraps below '0')
    plain &= count <= 1
    plain &= (count == 1) | (length <= 12)
    # One odd byte: a point with 1-12 digits before it and at most two after.
    one = np.flatnonzero(plain & (count == 1))
    if one.shape[0]:
        e = end.take(one)
        s = start.take(one)
        where = np.full(one.shape[0], -1, np.int64)
        for back in (1, 2, 3):
            at = e - back
            hit = (at >= s) & (data.take(np.maximum(at, 0)) == 46)
            where[hit & (where < 0)] = at[hit & (where < 0)]
        whole = where - s
        plain[one] = (where >= 0) & (whole >= 1) & (whole <= 12)
    return plain, empty


def _fen_of(pa: Any, pc: Any, strings: Any, *, commas: bool) -> I64:
    """Fen of amount texts the regex accepted (digits, thousands separators, <= 2 decimals)."""
    plain = pc.replace_substring(strings, ",", "") if commas else strings
    # a 64-bit decimal: a tenth faster than 128 bits, its words the fen (14 digits fit)
    decimals = pc.cast(plain, pa.decimal64(14, 2))
    words = np.frombuffer(decimals.buffers()[1], np.int64)
    values: I64 = words[decimals.offset : decimals.offset + len(decimals)].copy()
    return values


def single(column: Any) -> Any:
    """A chunked column as one array (without copying when it has one chunk)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def np_bool(array: Any) -> NDArray[np.bool_]:
    out: NDArray[np.bool_] = np.asarray(array.to_numpy(zero_copy_only=False), np.bool_)
    return out


def np_int(array: Any) -> NDArray[Any]:
    out: NDArray[Any] = np.asarray(array.to_numpy(zero_copy_only=False))
    return out
