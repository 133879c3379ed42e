"""The engine's column table and results: :class:`ClaimTable` in, :class:`Columns` out.

Amounts are whole fen in int64 (:func:`fen`, :func:`yuan`); dates are days since 1970-01-01;
person attributes, hospital levels and errors are small integer codes into tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from medcalc.chain import LAYERS, Claim, Person, YearToDate
from medcalc.errors import EngineError, MedcalcError
from medcalc.messages import say
from medcalc.money import EXACT, MAX_AMOUNT, too_many_decimals
from medcalc.tariff import Tariff

I64 = NDArray[np.int64]
IP = NDArray[np.intp]
Bools = NDArray[np.bool_]

NAT = int(np.iinfo(np.int64).min)
"""The 'no date' value of int64 day columns (numpy's NaT as int64)."""

MAX_FEN = int(MAX_AMOUNT.scaleb(2, context=EXACT))
"""The largest amount in fen an input may hold (:data:`medcalc.money.MAX_AMOUNT`)."""

INF = 1 << 62
"""'No cap', 'no more breakpoints': above every amount the engine accepts."""
I63 = (1 << 63) - 1
EPOCH = dt.date(1970, 1, 1).toordinal()
CHUNK_ROWS = 1 << 16
"""Rows per chunk by default: few numpy calls per row, working arrays near the CPU cache."""

OK, NO_VERSION, BAD_AMOUNT = -1, -2, -3
"""Row error codes: none, and two still to be turned into messages once the rows are known."""

WIDTH = max(4, 2 + len(LAYERS))
"""Words per row of the block that moves rows out of order (32 bytes: half a cache line): the
inputs the chain reads (basic, the packed P and flags, compliant), then its results (basic,
each layer, the critical-illness profile) written over them; out of pocket then replaces
the profile, row by row in input order."""

YTD_COLUMNS = ("ytd_basic_paid", *(f"ytd_{layer.base}" for layer in LAYERS))
"""The year-to-date columns of a :class:`ClaimTable`: basic paid, then each layer's base."""


def fen(amount: Decimal) -> int:
    """An amount in yuan (at most 2 decimals) as whole fen: ``Decimal('12.34')`` -> 1234."""
    scaled = amount.scaleb(2, context=EXACT)
    if scaled != scaled.to_integral_value(context=EXACT):
        raise too_many_decimals(amount, None)
    return int(scaled)


def yuan(value: int | np.integer[Any]) -> Decimal:
    """Whole fen as yuan with exactly 2 decimals: 1234 -> ``Decimal('12.34')``."""
    return Decimal(int(value)).scaleb(-2, context=EXACT)


# -- inputs and outputs -----------------------------------------------------------------------


@attrs.frozen
class PersonKind:
    """The person attributes that decide the categories held under a tariff version."""

    categories: frozenset[str] = frozenset()
    disability_grade: int | None = None
    disability_type: str | None = None

    @classmethod
    def of(cls, person: Person) -> PersonKind:
        return cls(person.categories, person.disability_grade, person.disability_type)

    def person(self) -> Person:
        """A :class:`Person` with these attributes (raises InputError when they are invalid)."""
        return Person(
            categories=self.categories,
            disability_grade=self.disability_grade,
            disability_type=self.disability_type,
        )


def _array(value: Any) -> NDArray[Any]:
    # A Python function, not np.asarray itself: attrs reads a converter's signature, and a
    # builtin's is parsed from its text by tokenize (7 ms of every batch's start-up).
    return np.asarray(value)


def _column(value: Any) -> NDArray[Any] | None:
    return None if value is None else np.asarray(value)


@attrs.frozen(eq=False)
class ClaimTable:
    """Claims of one tariff series as columns, one row per claim, any order.

    - ``person``: int group key (rows with equal keys are one person; small non-negative
      integers, e.g. 0..persons-1, sort fastest);
    - ``date``: ``datetime64[D]`` or int days since 1970-01-01;
    - ``compliant``: fen; ``total``, ``basic_paid``: fen or -1 (not given);
    - ``kind``: index into ``kinds`` (categories, disability grade and type); None: all 0;
    - ``level``: index into ``level_names`` or -1 (not given); None: all -1;
    - ``enrolled_on``: the payment date (``datetime64[D]``, NaT for none, or int days with
      :data:`NAT`); None: nobody has one;
    - ``ytd_basic_paid``, ``ytd_critical_illness_base``, ``ytd_assistance_base``: fen or -1;
      the person's accumulators for the year before any row, given on any one row of the
      person-year (two rows giving different values make the whole person-year an error);
    - ``row_number``: the numbers error messages use for rows (default: position + 1).
    """

    person: NDArray[Any] = attrs.field(converter=_array)
    date: NDArray[Any] = attrs.field(converter=_array)
    compliant: NDArray[Any] = attrs.field(converter=_array)
    kind: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    kinds: tuple[PersonKind, ...] = (PersonKind(),)
    level: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    level_names: tuple[str, ...] = ()
    total: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    basic_paid: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    enrolled_on: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    ytd_basic_paid: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    ytd_critical_illness_base: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    ytd_assistance_base: NDArray[Any] | None = attrs.field(default=None, converter=_column)
    row_number: NDArray[Any] | None = attrs.field(default=None, converter=_column)

    def __len__(self) -> int:
        return int(self.person.shape[0])


@attrs.frozen(eq=False)
class Columns:
    """Results in input order, one row per claim.

    Amounts are int64 fen (0 on error rows). ``critical_illness_profile`` indexes
    ``profile_names`` (-1: not covered or error); ``version`` indexes ``versions`` (-1: no
    version in force); ``error`` indexes ``problems`` (-1: no error). When the rows were not
    given in processing order, the four amount columns are views of one (rows, 4) block
    (a stride of 32 bytes); ``np.ascontiguousarray`` gives a contiguous copy where one is
    needed.
    """

    covered: Bools
    basic: I64
    critical_illness: I64
    assistance: I64
    out_of_pocket: I64
    critical_illness_profile: NDArray[np.int16]
    profile_names: tuple[str, ...]
    version: NDArray[np.int16]
    versions: tuple[Tariff, ...]
    error: NDArray[np.int32]
    problems: tuple[MedcalcError, ...]

    def __len__(self) -> int:
        return int(self.basic.shape[0])

    def errors(self) -> list[str | None]:
        """Each row's error message (None when the row was computed)."""
        texts = [str(p) for p in self.problems]
        return [None if c < 0 else texts[c] for c in self.error.tolist()]

    def exception(self, row: int) -> MedcalcError | None:
        """The error of ``row`` as the exception the reference core raises (None: no error)."""
        code = int(self.error[row])
        return None if code < 0 else self.problems[code]

    def profile(self, row: int) -> str | None:
        """The critical-illness profile chosen for ``row`` (None: not covered, or an error)."""
        k = int(self.critical_illness_profile[row])
        return None if k < 0 else self.profile_names[k]

    def tariff(self, row: int) -> Tariff | None:
        """The tariff version in force on the row's date (None when there is none)."""
        k = int(self.version[row])
        return None if k < 0 else self.versions[k]


def empty_columns(plan_versions: tuple[Tariff, ...]) -> Columns:
    none = np.zeros(0, np.int64)
    return Columns(
        covered=np.zeros(0, np.bool_),
        basic=none,
        critical_illness=none.copy(),
        assistance=none.copy(),
        out_of_pocket=none.copy(),
        critical_illness_profile=np.zeros(0, np.int16),
        profile_names=(),
        version=np.zeros(0, np.int16),
        versions=plan_versions,
        error=np.zeros(0, np.int32),
        problems=(),
    )


ClaimRow = tuple[Hashable, Person, Claim, YearToDate | None]
"""One claim for :func:`build_table`: (person key, person, claim, year-to-date or None)."""


def build_table(rows: Iterable[ClaimRow]) -> ClaimTable:
    """A :class:`ClaimTable` from the objects the reference core takes, one claim per row.

    Rows with equal person keys are one person; their ``Person`` should agree (each row's own
    categories and enrolment date are used). A year-to-date value applies to its row's
    person-year.
    """
    keys: dict[Hashable, int] = {}
    kinds: dict[PersonKind, int] = {}
    levels: dict[str, int] = {}
    cols: dict[str, list[int]] = {
        name: []
        for name in (
            "person", "date", "compliant", "kind", "level", "total", "basic_paid", "enrolled",
            *YTD_COLUMNS,
        )
    }  # fmt: skip
    any_ytd = any_enrolled = False
    for key, person, claim, ytd in rows:
        cols["person"].append(keys.setdefault(key, len(keys)))
        cols["date"].append(claim.date.toordinal() - EPOCH)
        cols["compliant"].append(fen(claim.compliant))
        cols["kind"].append(kinds.setdefault(PersonKind.of(person), len(kinds)))
        level = claim.hospital_level
        cols["level"].append(-1 if level is None else levels.setdefault(level, len(levels)))
        cols["total"].append(-1 if claim.total is None else fen(claim.total))
        cols["basic_paid"].append(-1 if claim.basic_paid is None else fen(claim.basic_paid))
        if person.enrolled_on is not None:
            any_enrolled = True
            cols["enrolled"].append(person.enrolled_on.toordinal() - EPOCH)
        else:
            cols["enrolled"].append(NAT)
        if ytd is not None:
            any_ytd = True
            values = (ytd.basic_paid, *(layer.base_in(ytd) for layer in LAYERS))
            for name, value in zip(YTD_COLUMNS, values, strict=True):
                cols[name].append(fen(value))
        else:
            for name in YTD_COLUMNS:
                cols[name].append(-1)

    def col(name: str) -> I64:
        return np.array(cols[name], np.int64)

    return ClaimTable(
        person=col("person"),
        date=col("date"),
        compliant=col("compliant"),
        kind=col("kind"),
        kinds=tuple(kinds) or (PersonKind(),),
        level=col("level"),
        level_names=tuple(levels),
        total=col("total"),
        basic_paid=col("basic_paid"),
        enrolled_on=col("enrolled") if any_enrolled else None,
        **{name: col(name) if any_ytd else None for name in YTD_COLUMNS},
    )


def days(values: NDArray[Any], name: str) -> I64:
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]").view(np.int64)
    if values.dtype.kind not in "iu":
        message = say("engine.days_dtype", dtype=values.dtype)
        raise EngineError(say("at", where=name, message=message))
    return values.astype(np.int64, copy=False)


def ints(values: NDArray[Any] | None, name: str, n: int) -> I64 | None:
    """An integer column of ``n`` rows as int64."""
    checked = codes(values, name, n)
    return None if checked is None else checked.astype(np.int64, copy=False)


def codes(values: NDArray[Any] | None, name: str, n: int) -> NDArray[Any] | None:
    """An index column as given (any integer type: int8 codes cost a byte a row)."""
    if values is None:
        return None
    if values.dtype.kind not in "iu":
        raise EngineError(
            say("at", where=name, message=say("engine.int_dtype", dtype=values.dtype))
        )
    if values.shape != (n,):
        message = say("engine.rows_shape", count=n, shape=values.shape)
        raise EngineError(say("at", where=name, message=message))
    return values
