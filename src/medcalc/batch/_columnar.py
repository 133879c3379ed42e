"""``medcalc batch claims`` on the column engine (:mod:`medcalc.fast`): same output, faster.

Needs the ``fast`` extra (numpy; pyarrow for the columnar CSV reader); ``import medcalc``
never imports this module. Two levels, both giving byte for byte what the reference path
(:class:`medcalc.batch.ClaimsBatch` with :class:`~medcalc.chain.Calculator`) writes:

- :class:`EngineClaimsBatch`: rows are read and parsed as by the reference (any format), then
  grouped and computed as columns by the engine instead of one person-year at a time.
- :func:`run_columnar` (CSV in, CSV out, with pyarrow): the file is read in blocks of whole
  records; pyarrow tokenises each block (every column as text, never inferred), amounts are
  parsed to int64 fen (plain ones recognised from the bytes, the others by a regex; then an
  exact decimal cast), low-cardinality columns (dates,
  levels, categories, series) are parsed once per distinct text by the reference parsers;
  every row the vectorised parser does not accept (errors, full-width digits, odd spacing, …)
  is parsed by :meth:`ClaimsBatch.parse` itself, so its message is the reference's. The output
  is written from the input's own bytes (carried columns untouched: only fields whose quotes
  the reference would drop are rewritten, by Python's csv module; a ``'`` put before each
  formula-like cell, spec §5) plus the result columns, formatted as columns. A quoted field
  that holds whole rows (a stray quote: the rule of :func:`medcalc.batch.quoted_rows_line`,
  vectorised in :mod:`medcalc.batch._scan`) is refused with the row path's error and line
  (:func:`medcalc.batch.unclosed_quote_error`); a quote that never closes, or a record past
  the csv module's field size limit, goes to the row path, which says so.

The batch rules (spec §5, docs/cli-batch.md §4, defined once in :mod:`medcalc.batch._rules`)
are applied to the parsed columns by :func:`medcalc.batch._columns.solve`, the engine
computing the amounts. An amount beyond the engine's exact range
(:class:`~medcalc.fast.EngineRangeError`) sends the whole batch back to the reference path;
so does any file the columnar reader cannot read exactly as Python's csv module does
(:class:`Unsupported`).
"""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from medcalc.batch._columnar_cells import (
    amount_fen,
    np_bool,
    np_int,
    person_keys,
    person_texts,
    simple_texts,
    single,
)
from medcalc.batch._columnar_codes import CellCodes
from medcalc.batch._columnar_write import (
    ColumnarWriter,
    OutcomeColumns,
    ResultColumns,
    arrow,
    fen_texts,
    from_numpy,
    in_flight,
)
from medcalc.batch._columns import (
    BAD,
    BLANK,
    GOOD,
    I64,
    NO_DAY,
    Outcome,
    ParsedColumns,
    from_batch,
    solve,
)
from medcalc.batch._csv import CsvTable, unclosed_quote_error
from medcalc.batch._encoding import detect_encoding
from medcalc.batch._headers import is_totals_row
from medcalc.batch._pipeline import in_order
from medcalc.batch._rows import ClaimsBatch, ParsedClaim, ResultRow, Summary
from medcalc.batch._scan import (
    BLOCK,
    LF,
    Block,
    NotAscii,
    NotInEncoding,
    Unsupported,
    records,
    scan_block,
)
from medcalc.batch._table import Progress
from medcalc.chain import YTD_FIELDS, Calculator
from medcalc.fast import EngineRangeError

__all__ = [
    "ColumnarRead",
    "EngineClaimsBatch",
    "NotAscii",
    "NotInEncoding",
    "OutcomeColumns",
    "ResultColumns",
    "Unsupported",
    "amount_fen",
    "arrow_available",
    "fen_texts",
    "read_columnar",
    "run_columnar",
    "supported",
    "utf8_valid",
]


def arrow_available() -> bool:
    """True when pyarrow can be imported and is recent enough for the columnar CSV reader
    (19 and later: its 64-bit decimals read and write the amounts); else the row path."""
    try:
        pa = importlib.import_module("pyarrow")
    except ImportError:
        return False
    return hasattr(pa, "decimal64")


def _utf8(pa: Any, data: Any) -> bool:
    """True when ``data`` (bytes-like) is valid UTF-8: pyarrow's check, which follows the
    same rules as Python's strict decoder (no overlongs, surrogates or code points beyond
    U+10FFFF), several times faster."""
    bounds = np.array([0, len(data)], np.int32)
    text = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _ascii(data: memoryview) -> bool:
    """True when every byte of ``data`` is ASCII (numpy: no copy, the GIL released)."""
    return not len(data) or int(np.frombuffer(data, np.uint8).max()) <= 0x7F


def utf8_valid(data: bytes | memoryview) -> bool:
    """True when ``data`` is valid UTF-8, as Python's strict decoder says (no overlongs,
    surrogates or code points beyond U+10FFFF), checked by pyarrow: what the columnar reader
    asks of each block of a file it reads as UTF-8."""
    return _utf8(arrow()[0], data)


# -- level 1: the reference's reading and parsing, the engine's computing -----------------------


class EngineClaimsBatch(ClaimsBatch):
    """:class:`ClaimsBatch` whose :meth:`run` computes with the engine (same results)."""

    def __init__(
        self, calculator: Calculator, *, default_series: str | None = None, threads: int = 1
    ) -> None:
        super().__init__(calculator, default_series=default_series)
        self.threads = threads  # the engine's (the results do not depend on it)
        self._outcome: Outcome | None = None
        self.engine = "engine"
        """``engine``, or ``core`` when an amount beyond the engine's range sent the batch to
        the reference calculator."""

    def run(self, progress: Callable[[int], None] | None = None) -> Summary:
        """Compute every row with the engine; the reference when an amount is beyond its
        range (:attr:`engine` then says ``core``)."""
        rows = from_batch(self)
        try:
            outcome = solve(rows, self.calculator.book, threads=self.threads)
        except EngineRangeError:
            self.engine = "core"
            return super().run(progress)
        self._outcome = outcome
        self.forget_parsed()
        if progress is not None:
            progress(len(self))
        return outcome.summary(rows)

    def result(self, position: int) -> ResultRow | None:
        if self._outcome is None:
            return super().result(position)
        return self._outcome.result(position)


# -- level 2: CSV to CSV as columns (pyarrow) ---------------------------------------------------

_FAST_INPUT = frozenset({"utf-8", "utf-8-sig", "gb18030"})
_FAST_OUTPUT = frozenset({"utf-8", "utf-8-sig"})

_CODED = (
    "series",
    "date",
    "hospital_level",
    "categories",
    "disability_grade",
    "disability_type",
    "enrolled_on",
)
"""The columns coded once per distinct text (:class:`~medcalc.batch._columnar_codes.CellCodes`)."""


@attrs.define
class _Vectors:
    """What :meth:`_Reader._vectors` finds of a block on any thread, for :meth:`_Reader._block`
    to finish in the file's order."""

    part: dict[str, Any]
    """The block's parsed columns so far: ``n`` and the amounts."""
    person: Any
    """The person ids as pyarrow read them."""
    simple: NDArray[np.bool_]
    """The person ids the reference reads as they are (printable ASCII, no edge spaces)."""
    encoded: dict[str, tuple[list[str], NDArray[Any]]]
    """Per coded column (:data:`_CODED`): its distinct texts and each row's index among them."""
    fast: NDArray[np.bool_]
    """The rows whose amounts the vectorised parser took."""
    persons: Any
    """``person`` as keys (:func:`person_keys`) or, when some id has no key, dictionary-encoded."""


class _Reader:
    """The first reading of a claims CSV file, as columns: every block scanned, tokenised by
    pyarrow and parsed (vectorised where it can, by the reference row by row where not)."""

    def __init__(
        self,
        table: CsvTable,
        calculator: Calculator,
        *,
        series: str | None,
        check_encoding: bool,
        block_size: int,
        threads: int = 1,
        ascii_only: bool = False,
    ) -> None:
        self.pa, self.pc, self.pcsv = arrow()
        self.source = table.path
        self.block_size = block_size
        self.encoding = encoding = table.encoding
        self.header: list[str] = table.columns
        self.width = len(self.header)
        # field id -> column index; the claim id is carried, never read (a text claim id is
        # not read by the reference either: ClaimsBatch.parse), so pyarrow skips converting it
        self.known = {name: i for name, i in table.known if name != "claim_id"}
        self.scratch = ClaimsBatch(calculator, default_series=series)
        self.check_utf8 = check_encoding and encoding.startswith("utf-8")
        self.ascii_only = ascii_only  # read as ASCII: NotAscii at the first byte beyond
        self.rows = ParsedColumns()
        self.codes = CellCodes(self.scratch, self.rows)
        # per block: the person ids as read (None: blank) as keys, or dictionary-encoded
        self.persons: list[Any] = []
        self.totals: list[int] = []  # the trailing totals rows (合计), found by _assemble
        # the distinct person ids by code (set by _assemble): their keys, or else their texts
        self.person_keys: NDArray[np.uint64] | None = None
        self.person_ids: Any = None
        self.blocks: list[Block] = []
        self.threads = threads
        self._scratch = threading.local()  # each thread's scratch for scanning a block
        pa, pcsv = self.pa, self.pcsv
        names = [f"c{i}" for i in range(self.width)]
        # Blocks are worked on side by side (:func:`in_order`), each tokenised whole by one
        # thread: pyarrow's own pool would only split the same cores finer.
        self.read_options = pcsv.ReadOptions(
            column_names=names, use_threads=False, block_size=1 << 26
        )

        def refuse(_row: Any) -> str:
            return "error"  # another number of fields: the reference pads or refuses it

        self.parse_options = pcsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=refuse
        )
        # A block's bytes are checked before pyarrow reads it (ASCII, or UTF-8: _vectors) or
        # were transcoded to UTF-8 here (records): pyarrow then reads the cells as bytes,
        # without checking them again (a sixth of its reading), and they are viewed as text.
        self.checked = ascii_only or self.check_utf8 or not encoding.startswith("utf-8")
        cell = pa.binary() if self.checked else pa.string()
        self.convert_options = pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, cell),
            include_columns=[f"c{i}" for i in sorted(self.known.values())],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def _scan(self, block: memoryview, width: int) -> Block:
        if width and bytes(block[:3]) == codecs.BOM_UTF8:
            # pyarrow skips a BOM at the start of what it reads: here a record's first cell
            raise Unsupported("a record starting with a byte order mark")
        scratch: NDArray[np.bool_] | None = getattr(self._scratch, "array", None)
        if scratch is None or len(block) > scratch.shape[0]:
            scratch = self._scratch.array = np.empty(len(block) + (1 << 17), np.bool_)
        return scan_block(block, scratch, width)

    def read(self, progress: Progress | None) -> None:
        """Parse every record (the first reading)."""
        parts: list[dict[str, Any]] = []
        size = self.source.stat().st_size
        position = 0
        blocks = records(
            self.source, self.encoding, self.block_size, buffers=in_flight(self.threads)
        )
        header = next(blocks, None)
        done = 0
        line = 1  # the line where the next block starts
        if header is not None:
            # read by Python's csv already; checked to end where it ended
            line += self._scan(header, 0).lines
            if self.ascii_only and not _ascii(header):
                raise NotAscii("a byte beyond ASCII in the header")
            done = len(header)
        for block, (scan, utf8, vectors) in in_order(self._vectors, blocks, self.threads):
            if not utf8 and self.ascii_only:
                raise NotAscii("a byte beyond ASCII")  # the caller decides and reads again
            if not utf8:
                raise NotInEncoding("not UTF-8")  # the reference names the row
            if scan.swallow >= 0:
                # The row path's error, once pyarrow has read the records before it as the
                # row path does (else the row path finds what comes first). A record among
                # them narrower than the header hands the file back there (pyarrow's
                # invalid-row handler), so the row path's narrowest-so-far width never has
                # to be carried across blocks here: it is the header's or the record's own.
                record = int(np.searchsorted(scan.ends, scan.swallow))
                start = int(scan.starts()[record])
                if start:
                    self._table(block[:start], record)
                before = np.frombuffer(block, np.uint8)[: scan.swallow]
                if self.ascii_only:
                    detect_encoding(self.source)  # its error comes first, as without a guess
                raise unclosed_quote_error(self.source, line + int(np.count_nonzero(before == LF)))
            line += scan.lines
            assert vectors is not None  # found for every block that reads
            parts.append(self._block(block, scan, vectors, position))
            self.blocks.append(scan)
            position += scan.count
            done += len(block)
            if progress is not None:
                progress("read", min(done, size), size)
        self._assemble(parts, position)

    def _table(self, block: memoryview, count: int) -> Any:
        """pyarrow's reading of ``count`` whole records (:class:`Unsupported` when Python's
        csv module may read them otherwise)."""
        try:
            table = self.pcsv.read_csv(
                self.pa.py_buffer(block),
                read_options=self.read_options,
                parse_options=self.parse_options,
                convert_options=self.convert_options,
            )
        except Exception as exc:  # pyarrow reads it otherwise than Python's csv: let that say
            raise Unsupported(str(exc)) from None
        if table.num_rows != count:
            raise Unsupported("records counted differently")
        return table

    def _text(self, column: Any) -> Any:
        """A column of pyarrow's reading as one string array (read as bytes when the block
        was checked: a view of the same buffers)."""
        array = single(column)
        return array.view(self.pa.string()) if self.checked else array

    def _vectors(self, block: memoryview) -> tuple[Block, bool, _Vectors | None]:
        """What a block's records give without looking at other blocks (any thread): its
        scan, whether it is UTF-8 (when checked), and its :class:`_Vectors`: None when it is
        not or when a quoted field in it holds whole rows (the caller, in order, says so)."""
        scan = self._scan(block, self.width)
        if self.ascii_only:
            if not _ascii(block):
                return scan, False, None
        elif self.check_utf8 and not _utf8(self.pa, block):
            return scan, False, None
        if scan.swallow >= 0:
            return scan, True, None
        pc = self.pc
        table = self._table(block, scan.count)
        n = table.num_rows
        cols = {name: self._text(table.column(f"c{i}")) for name, i in self.known.items()}
        del table
        fast = np.ones(n, np.bool_)
        part: dict[str, Any] = {"n": n}
        comp, ok = self._amounts(cols["compliant"], required=True)
        fast &= ok
        part["comp"] = comp
        for name in ("total", "basic_paid"):
            if name in cols:
                values_, ok = self._amounts(cols[name], required=False)
                fast &= ok
                part[name] = values_
        if "total" in part:
            fast &= ~((part["total"] >= 0) & (part["total"] < comp))
        if "basic_paid" in part:
            fast &= ~(part["basic_paid"] > comp)
        if any(name in cols for name in YTD_FIELDS):
            ytd = []
            for name in YTD_FIELDS:
                if name in cols:
                    values_, ok = self._amounts(cols[name], required=False)
                    fast &= ok
                    ytd.append(values_)
                else:
                    ytd.append(np.full(n, -1, np.int64))
            part["ytd"] = ytd
        person = cols["person_id"]
        simple = simple_texts(person)
        encoded = {name: self._encode(cols[name]) for name in _CODED if name in cols}
        # coded here, side by side; again in order if the reference changes an id
        persons = _person_codes(pc, person) if simple.all() else None
        return scan, True, _Vectors(part, person, simple, encoded, fast, persons)

    def _block(
        self, block: memoryview, scan: Block, vectors: _Vectors, base: int
    ) -> dict[str, Any]:
        """A block's parsed columns, from its :class:`_Vectors`, in the file's order: the
        distinct texts coded, the rows the vectorised parser left parsed by the reference."""
        pa, pc = self.pa, self.pc
        part, person, fast, encoded = vectors.part, vectors.person, vectors.fast, vectors.encoded
        n = part["n"]
        # person_id as the reference reads it (None: blank); coded over the whole file later
        simple = vectors.simple
        persons = vectors.persons
        if not simple.all():
            odd_rows = from_numpy(pa, ~simple)
            texts = [self.codes.text(t) for t in pc.filter(person, odd_rows).to_pylist()]
            person = pc.replace_with_mask(person, odd_rows, pa.array(texts, pa.string()))
            persons = None
            fast &= np_bool(pc.is_valid(person))
        if "series" in encoded:
            ser = self._decode(encoded["series"], self.codes.series, np.int16)
        else:
            ser = np.full(n, self.codes.series(""), np.int16)
        fast &= ser >= 0
        part["ser"] = ser
        day = self._decode(encoded["date"], self.codes.date, np.int32)
        fast &= day != NO_DAY
        part["day"] = day
        coded: tuple[tuple[str, str, Callable[[str], int], type[np.integer[Any]], int], ...] = (
            ("hospital_level", "level", self.codes.level, np.int16, -2),
            ("categories", "cat", self.codes.category, np.int32, -2),
            ("disability_grade", "grade", self.codes.grade, np.int16, -2),
            ("disability_type", "dtype", self.codes.kind, np.int16, -2),
            ("enrolled_on", "enr", self.codes.enrolled, np.int32, NO_DAY + 1),
        )
        for name, key, convert, dtype, refused in coded:
            if name in encoded:
                values_ = self._decode(encoded[name], convert, dtype)
                fast &= values_ != refused
                part[key] = values_
        state = np.full(n, GOOD, np.int8)
        slow = np.flatnonzero(~fast)
        if slow.shape[0]:
            like: set[int] = set()
            part["slow"] = self._slow(block, scan, slow, state, like)
            part["totals_like"] = like
            ids = [None if parsed is None else parsed.person_id for _, parsed, _ in part["slow"]]
            person = pc.replace_with_mask(person, from_numpy(pa, ~fast), pa.array(ids, pa.string()))
            persons = None
        part["state"] = state
        self.persons.append(_person_codes(pc, person) if persons is None else persons)
        part["person"] = person  # the texts, for the trailing totals rows (合计)
        return part

    def _slow(
        self,
        block: memoryview,
        scan: Block,
        slow: NDArray[Any],
        state: NDArray[np.int8],
        like: set[int],
    ) -> list[tuple[int, ParsedClaim | None, int]]:
        """The rows the vectorised parser left: read by Python's csv module from their own
        text and parsed by the reference, as the reference path would; those that look like
        a totals row (合计) noted in ``like``, in case they end the file."""
        out: list[tuple[int, ParsedClaim | None, int]] = []
        starts = scan.starts()
        width = self.width
        person = self.known["person_id"]
        for i in slow.tolist():
            text = bytes(block[int(starts[i]) : int(scan.ends[i])]).decode("utf-8")
            record = next(csv.reader(io.StringIO(text, newline="")), [])
            if len(record) < width:
                record += [""] * (width - len(record))
            if len(record) != width:
                raise Unsupported("a record with another number of fields")
            if not "".join(record).strip():
                state[i] = BLANK
                out.append((i, None, -1))
                continue
            if is_totals_row(record[person], record[0]):
                like.add(i)
            parsed = self.scratch.parse({name: record[j] for name, j in self.known.items()})
            state[i] = BAD if parsed.bad is not None else GOOD
            series = -1 if parsed.series is None else self.rows.series.code(parsed.series)
            out.append((i, parsed, series))
        return out

    def _encode(self, column: Any) -> tuple[list[str], NDArray[Any]]:
        """A column's distinct texts and, per row, the index of its own among them."""
        enc = self.pc.dictionary_encode(column)
        return enc.dictionary.to_pylist(), np_int(enc.indices)

    @staticmethod
    def _decode(
        encoded: tuple[list[str], NDArray[Any]],
        convert: Callable[[str], int],
        dtype: type[np.integer[Any]],
    ) -> NDArray[Any]:
        """``convert`` applied once per distinct text of an encoded column, spread over its
        rows (in the file's order: ``convert`` gives codes as it first meets texts)."""
        texts, indices = encoded
        codes = np.array([convert(v) for v in texts] or [0], dtype)
        return codes.take(indices)

    def _amounts(self, column: Any, *, required: bool) -> tuple[I64, NDArray[np.bool_]]:
        """Fen per row (-1: empty) and whether the vectorised parser took the row."""
        found = amount_fen(column)
        return found.fen, found.taken if required else found.taken | found.empty

    def _assemble(self, parts: list[dict[str, Any]], n: int) -> None:
        """The blocks' columns as one :class:`ParsedColumns`, persons coded over the whole file."""
        pa, pc = self.pa, self.pc
        rows = self.rows
        rows.n = n
        rows.pid = np.zeros(0, np.int32)
        if self.persons:
            # Each code as encoding the whole file gives (the ids in the order they first
            # come): the blocks' keys coded at once (a third of the time of joining the
            # blocks' dictionaries, 1 M claims), else the blocks' dictionaries joined.
            self.totals = _trailing_totals(parts)
            blocks, self.persons = self.persons, []
            if all(isinstance(block, np.ndarray) for block in blocks):
                keys = np.concatenate(blocks)
                del blocks
                # key 0: no person (a blank id)
                encoded = pc.dictionary_encode(from_numpy(pa, keys, keys == 0))
                del keys
                self.person_keys = np_int(encoded.dictionary).astype(np.uint64)
                codes = pc.fill_null(encoded.indices, -1)
            else:
                persons = pa.chunked_array(
                    [
                        pc.dictionary_encode(part["person"])
                        if isinstance(block, np.ndarray)
                        else block
                        for part, block in zip(parts, blocks, strict=True)
                    ]
                ).unify_dictionaries()
                del blocks
                self.person_ids = persons.chunk(0).dictionary
                codes = pc.fill_null(pa.chunked_array([c.indices for c in persons.chunks]), -1)
                del persons
            for part in parts:
                del part["person"]
            rows.pid = np_int(codes).astype(np.int32)  # a writable copy
            del codes
        pa.default_memory_pool().release_unused()

        def joined(key: str, dtype: Any, none: int, default: bool = True) -> Any:
            """One column of every block (each block's part freed as it is joined)."""
            if not any(key in part for part in parts):
                return np.full(n, none, dtype) if default else None
            columns = [part.pop(key, None) for part in parts]
            return np.concatenate(
                [
                    np.full(part["n"], none, dtype) if c is None else c.astype(dtype, copy=False)
                    for part, c in zip(parts, columns, strict=True)
                ]
                or [np.zeros(0, dtype)]
            )

        rows.state = joined("state", np.int8, BLANK)
        rows.ser = joined("ser", np.int16, -1)
        rows.day = joined("day", np.int32, NO_DAY)
        rows.comp = joined("comp", np.int64, -1)
        rows.total = joined("total", np.int64, -1, default=False)
        rows.paid = joined("basic_paid", np.int64, -1, default=False)
        rows.level = joined("level", np.int16, -1)
        rows.cat = joined("cat", np.int32, -1)
        rows.grade = joined("grade", np.int16, -1)
        rows.dtype = joined("dtype", np.int16, -1)
        rows.enr = joined("enr", np.int32, NO_DAY, default=False)
        rows.ytd = None
        if any("ytd" in part for part in parts):
            rows.ytd = [
                np.concatenate(
                    [
                        part["ytd"][f] if "ytd" in part else np.full(part["n"], -1, np.int64)
                        for part in parts
                    ]
                )
                for f in range(len(YTD_FIELDS))
            ]
            for part in parts:
                part.pop("ytd", None)
        base = 0
        for part in parts:
            for i, parsed, series in part.get("slow", ()):
                self._put_slow(base + i, parsed, series)
            base += part["n"]
        if rows.total is not None and not (rows.total >= 0).any():
            rows.total = None
        if rows.paid is not None and not (rows.paid >= 0).any():
            rows.paid = None
        for p in self.totals:  # a clerk's sum, not a person's claim: no result (blank)
            rows.state[p] = BLANK
            rows.bad.pop(p, None)

    def _put_slow(self, p: int, parsed: ParsedClaim | None, series: int) -> None:
        """Row ``p`` as the reference parsed it (what the vectorised parser read cleared)."""
        rows = self.rows
        for col in (rows.comp, rows.total, rows.paid):
            if col is not None:
                col[p] = -1
        rows.level[p] = rows.cat[p] = rows.grade[p] = rows.dtype[p] = -1
        rows.day[p] = NO_DAY
        rows.ser[p] = -1
        if rows.enr is not None:
            rows.enr[p] = NO_DAY
        if rows.ytd is not None:
            for col in rows.ytd:
                col[p] = -1
        if parsed is None:
            rows.state[p] = BLANK
            rows.pid[p] = -1
            return
        rows.put(p, parsed, int(rows.pid[p]), series)


def _person_codes(pc: Any, person: Any) -> Any:
    """A block's person ids coded to be joined over the file: as keys (:func:`person_keys`),
    or, when some id has none, dictionary-encoded."""
    keys = person_keys(person)
    return pc.dictionary_encode(person) if keys is None else keys


def _trailing_totals(parts: list[dict[str, Any]]) -> list[int]:
    """The positions of the totals rows (:func:`~medcalc.batch._headers.is_totals_row`) among
    the last rows that are not blank, as the row path finds them: a row the vectorised parser
    took has its person id (a totals label or not); the others were looked at whole by
    :meth:`_Reader._slow` (``totals_like``)."""
    found: list[int] = []
    end = sum(part["n"] for part in parts)
    for part in reversed(parts):
        start = end - part["n"]
        state = part["state"]
        slow = {i for i, _, _ in part.get("slow", ())}
        like = part.get("totals_like", set())
        for i in range(part["n"] - 1, -1, -1):
            if state[i] == BLANK:
                continue
            person = part["person"][i].as_py()
            if i in like or (i not in slow and is_totals_row(person, None)):
                found.append(start + i)
                continue
            return found
        end = start
    return found


def supported(input_encoding: str, output_encoding: str) -> bool:
    """True when :func:`run_columnar` may read a CSV file in ``input_encoding`` and write one
    in ``output_encoding`` (it may still find the file odd: :class:`Unsupported`)."""
    return input_encoding in _FAST_INPUT and output_encoding in _FAST_OUTPUT and arrow_available()


class ColumnarRead:
    """A claims CSV file read once as columns (:func:`read_columnar`): ``rows`` to solve
    (:func:`~medcalc.batch._columns.solve`, as often as wanted: it rebinds the person columns
    it frees, so solve a shallow copy each time but the last), the rows to ``keep``, the row
    numbers of the trailing ``totals`` rows, :meth:`person_texts` (the ids of person codes,
    ``rows.pid``), and :meth:`writer` for OUT."""

    def __init__(self, reader: _Reader, keep: int, totals: tuple[int, ...]) -> None:
        self.rows = reader.rows
        self.keep = keep
        self.totals = totals
        self._keys, self._ids = reader.person_keys, reader.person_ids
        self.encoding = reader.encoding
        self._reader = reader

    def person_texts(self, codes: NDArray[Any]) -> list[str]:
        """The person ids of person codes (of ``rows.pid``), as read."""
        if self._keys is not None:
            return person_texts(self._keys.take(codes))
        texts: list[str] = self._ids.take(from_numpy(self._reader.pa, codes)).to_pylist()
        return texts

    def writer(self, *, output_encoding: str, keep_formulas: bool, columns: str) -> ColumnarWriter:
        """The second reading's writer: :meth:`ColumnarWriter.write_columns` writes OUT from the
        input's own bytes, each record followed by any :class:`ResultColumns`."""
        return ColumnarWriter(
            self._reader,
            output_encoding=output_encoding,
            keep_formulas=keep_formulas,
            columns=columns,
        )


IN_FLIGHT = 64 << 20
"""Bytes of input held in blocks at once on several threads (:func:`in_flight` buffers of a
block each): the memory of a reading does not grow with the thread count."""


def _block_size(path: Path, threads: int) -> int:
    """The bytes per block: :data:`BLOCK`; on several threads at most :data:`IN_FLIGHT` over
    the buffers in flight, and less for a file of fewer than four blocks per thread, so that
    the threads finish together: equal blocks (to 64 KiB; a 78 MB file on two threads is 8
    blocks of 9.7 MB, where whole MiB gave 7 of 10 MiB and a last one of 4 MB read alone;
    at least 1 MiB)."""
    if threads == 1:
        return BLOCK
    try:
        size = path.stat().st_size
    except OSError:
        size = BLOCK * 4 * threads
    share = min(-(-size // (4 * threads)), IN_FLIGHT // in_flight(threads))
    return max(1 << 20, min(BLOCK, -(-share // (1 << 16)) << 16))


def read_columnar(
    table: CsvTable,
    calculator: Calculator,
    *,
    series: str | None,
    progress: Progress | None,
    check_encoding: bool = True,
    block_size: int | None = None,
    threads: int = 1,
    ascii_only: bool = False,
) -> ColumnarRead:
    """Read and parse a claims CSV file as columns (the first reading of
    :func:`run_columnar`); :class:`Unsupported` when the reference path must read it.
    ``threads``: blocks read side by side; ``ascii_only``: the table's encoding was not
    decided but guessed from the file's start (:func:`~medcalc.batch._encoding.ascii_head`):
    :class:`NotAscii` at the first byte beyond ASCII."""
    reader = _Reader(
        table,
        calculator,
        series=series,
        check_encoding=check_encoding,
        block_size=block_size or _block_size(table.path, threads),
        threads=threads,
        ascii_only=ascii_only,
    )
    reader.read(progress)
    reader.pa.default_memory_pool().release_unused()  # what pyarrow's allocator kept in reserve
    rows = reader.rows
    nonblank = np.flatnonzero(rows.state != BLANK)
    keep = int(nonblank[-1]) + 1 if nonblank.shape[0] else 0
    del nonblank
    if reader.totals:
        keep = max(keep, max(reader.totals) + 1)
    totals = tuple(sorted(rows.row_number(p) for p in reader.totals))
    return ColumnarRead(reader, keep, totals)


def run_columnar(
    table: CsvTable,
    calculator: Calculator,
    *,
    series: str | None,
    output_encoding: str,
    keep_formulas: bool,
    progress: Progress | None,
    check_encoding: bool = True,
    block_size: int | None = None,
    columns: str = "en",
    threads: int = 1,
    ascii_only: bool = False,
) -> tuple[Summary, Callable[[Path], None], int, tuple[int, ...]]:
    """Read and compute a claims CSV file as columns, for CSV output.

    ``table`` is the file, opened (header read and checked); ``series``: the default series;
    ``keep_formulas``: formula-like cells written as they are. ``check_encoding``: check that
    every byte is valid in the table's encoding (:class:`NotInEncoding` otherwise; GB18030 is
    always checked, by decoding it); ``block_size``: bytes per block (default 16 MiB).
    ``columns``: the language of the result columns (``zh``, ``en``); ``threads``: for
    reading, computing and formatting (the output does not depend on it); ``ascii_only``: as
    :func:`read_columnar`.
    Returns the summary, a function writing OUT to a temporary path, the number of rows
    kept (trailing blank rows dropped), and the row numbers of the trailing totals rows
    (合计: counted as blank rows in the summary, written with empty results). Raises
    :class:`Unsupported` when the file must be read by the reference path instead (nothing
    has been written then).
    """
    read = read_columnar(
        table,
        calculator,
        series=series,
        progress=progress,
        check_encoding=check_encoding,
        block_size=block_size,
        threads=threads,
        ascii_only=ascii_only,
    )
    rows = read.rows
    try:
        outcome = solve(rows, calculator.book, threads=threads)
    except EngineRangeError:
        raise Unsupported("amounts beyond the engine's range") from None
    if progress is not None:
        progress("compute", rows.n, rows.n)
    summary = outcome.summary(rows)
    keep, totals = read.keep, read.totals
    writer = read.writer(
        output_encoding=output_encoding, keep_formulas=keep_formulas, columns=columns
    )
    del read, rows  # the parsed columns are not needed to write

    def write(temp: Path) -> None:
        writer.write(temp, outcome, keep, progress)

    return summary, write, keep, totals
