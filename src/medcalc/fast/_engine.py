"""The claims chain (spec §4.3-4.4) over columns: exact int64 fen arithmetic with numpy.

A second implementation of :func:`medcalc.chain.claim_year` for batches of millions of claims,
giving the same amounts to the fen, the same critical-illness profile and the same errors as
the reference core. It needs numpy (``pip install medcalc[fast]``); ``import medcalc`` never
imports this module.

>>> from medcalc.fast._engine import compute_rows                     # doctest: +SKIP
>>> cols = compute_rows(book, "qingyuan-qingcheng", [(person, claims)])   # doctest: +SKIP
>>> cols.basic, cols.errors()                                   # doctest: +SKIP

How it computes (see docs/engine.md):

- Amounts are whole fen in int64; every ratio the chain multiplies by is an exact integer over
  one common scale ``S`` (10 ** the most decimals of any such ratio in the series, at least 10).
  A product ``fen x ratio`` is ``fen x ratio_num``, rounded once to fen by integer division
  with the tariff's half_up / half_even rule; G(x) is held per segment as an exact line
  ``a + x * s`` over ``S``, so the segments are summed before the one rounding.
- Everything that depends on the tariff version and the categories held (deductibles, ratios,
  caps, thresholds, segment lines, the error a claim would raise) is computed once per
  *profile set* (version x categories held) with the reference's own profile builders, and
  looked up per row by index.
- Claims are grouped by person and calendar year and taken in date order, ties in input order
  (one sort of a packed int64 key, skipped when the input is already in that order; rows out
  of order are then moved as rows of four words, one gather in and one scatter out). The
  year's accumulations are then segmented prefix sums; F* and A* are evaluated per row at the
  accumulated amount (``F*(before)`` is the previous row's ``F*(after)`` when the profile set
  did not change). The one truly sequential step, the basic annual cap, is needed only for
  the person-years whose uncapped basic exceeds a cap: in closed form when their candidates
  share one cap, else position by position ("the k-th claim of every person-year at once").
- Work runs in chunks of 65 536 rows (whole person-years), one numpy call per step.

Errors are per row, as in a batch (spec §5, :mod:`medcalc.batch`): a row gets the error the
reference core raises for it (same class, same message); the rows of the same person and year
that come after it in date order get ``depends on row N of the same person and year, which
has an error``; when the first error of a person-year is about the person (an unknown
category), every row of that person-year gets it. Amounts too large for exact int64
arithmetic raise :class:`EngineRangeError` (never a wrapped number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from medcalc.chain import (
    Claim,
    Person,
    YearToDate,
    assistance_profiles,
    basic_profiles,
    critical_illness_profiles,
    held_categories,
)
from medcalc.errors import (
    AmountError,
    ClaimAmountsError,
    DependentClaimError,
    EngineError,
    EngineRangeError,
    InputError,
    MedcalcError,
    MissingInputError,
    SectionMissingError,
    UnknownHospitalLevelError,
)
from medcalc.money import EXACT, MAX_AMOUNT, fmt
from medcalc.tariff import Tariff, TariffBook

__all__ = [
    "CHUNK_ROWS",
    "MAX_FEN",
    "NAT",
    "ClaimTable",
    "Columns",
    "DependentClaimError",
    "EngineError",
    "EngineRangeError",
    "PersonKind",
    "build_table",
    "compute",
    "compute_rows",
    "fen",
    "yuan",
]

I64 = NDArray[np.int64]
IP = NDArray[np.intp]
Bools = NDArray[np.bool_]

NAT = int(np.iinfo(np.int64).min)
"""The 'no date' value of int64 day columns (numpy's NaT as int64)."""

MAX_FEN = int(MAX_AMOUNT.scaleb(2, context=EXACT))
"""The largest amount in fen an input may hold (:data:`medcalc.money.MAX_AMOUNT`)."""

_INF = 1 << 62  # 'no cap', 'no more breakpoints': above every amount the engine accepts
_I63 = (1 << 63) - 1
_EPOCH = dt.date(1970, 1, 1).toordinal()
CHUNK_ROWS = 1 << 16
"""Rows per chunk by default: few numpy calls per row, working arrays near the CPU cache."""
_PERSON_FIELDS = frozenset({"categories", "disability_grade", "disability_type", "enrolled_on"})

# Row error codes: none, and two still to be turned into messages once the rows are known.
_OK, _NO_VERSION, _BAD_AMOUNT = -1, -2, -3
# The most decimals a ratio may have: with 10**18 as the scale, amounts up to 3 fen still fit
# (2 x amount x scale < 2**63); beyond, no amount at all is exact in int64.
_MAX_DECIMALS = 18
# Rows whose amounts (each at most MAX_FEN) surely sum within int64.
_SAFE_ROWS = _I63 // MAX_FEN - 4


# -- errors -----------------------------------------------------------------------------------


# -- money ------------------------------------------------------------------------------------


def fen(amount: Decimal) -> int:
    """An amount in yuan (at most 2 decimals) as whole fen: ``Decimal('12.34')`` -> 1234."""
    scaled = amount.scaleb(2, context=EXACT)
    if scaled != scaled.to_integral_value(context=EXACT):
        raise AmountError(f"{amount} has more than 2 decimal places")
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

    person: NDArray[Any] = attrs.field(converter=np.asarray)
    date: NDArray[Any] = attrs.field(converter=np.asarray)
    compliant: NDArray[Any] = attrs.field(converter=np.asarray)
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


# -- the tariff as integer tables ---------------------------------------------------------------


class _Problems:
    """Error objects, each stored once, referred to by code."""

    def __init__(self) -> None:
        self.items: list[MedcalcError] = []
        self._codes: dict[tuple[type, str], int] = {}

    def add(self, error: MedcalcError) -> int:
        """The code of ``error`` (of an equal error added before: same class and message)."""
        key = (type(error), str(error))
        found = self._codes.get(key)
        if found is None:
            found = self._codes[key] = len(self.items)
            self.items.append(error)
        return found


def _digits(ratio: Decimal) -> int:
    exponent = ratio.normalize(context=EXACT).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


_Ci = tuple[tuple[tuple[Decimal, Decimal | None, Decimal], ...], Decimal | None]
"""A critical-illness candidate as exact values: (bands (lower, upper, ratio), cap)."""
_Basic = tuple[tuple[tuple[Decimal, Decimal] | None, ...], Decimal | None]
"""A basic candidate: per level code (deductible, ratio) or None, and the cap."""
_Assist = tuple[Decimal, Decimal, Decimal | None]
"""An assistance candidate: deductible, ratio, cap."""


class _Plan:
    """Integer lookup tables for one series, the person kinds and the level names of a table.

    A *pair* is (version + 1, kind) (version -1: none in force); a *profile set* P is
    (version, categories held), shared by the kinds that hold the same categories.
    """

    def __init__(
        self,
        book: TariffBook,
        series: str,
        kinds: Sequence[PersonKind],
        level_names: Sequence[str],
    ) -> None:
        self.series = series
        self.versions = book.versions(series)
        self.problems = _Problems()
        nv, nk = len(self.versions), len(kinds)
        self.nk = nk
        self.nl = nl = len(level_names) + 1  # level code + 1; 0 = not given
        npairs = (nv + 1) * nk
        self.pair_p = np.zeros(npairs, np.intp)
        self.pair_err = np.full(npairs, _OK, np.intp)
        self.pair_err[:nk] = _NO_VERSION
        self.pair_mode = np.zeros(npairs, np.intp)  # 0 same day, 1 next month, 2 no section
        self.pair_enr_err = np.full(npairs, _OK, np.intp)
        sets: dict[tuple[int, tuple[str, ...]], int] = {}
        person_errors: set[int] = set()
        for v, tariff in enumerate(self.versions):
            enr = _OK
            if tariff.enrollment is None:
                enr = self.problems.add(
                    SectionMissingError(
                        f"tariff {tariff.ref} has no enrollment section, needed when enrolled_on "
                        "is given"
                    )
                )
            for k, kind in enumerate(kinds):
                pair = (v + 1) * nk + k
                try:
                    held = held_categories(tariff, kind.person())
                except InputError as exc:
                    code = self.problems.add(exc)
                    self.pair_err[pair] = code
                    if exc.field in _PERSON_FIELDS:
                        person_errors.add(code)
                    continue
                self.pair_p[pair] = sets.setdefault((v, held), len(sets))
                rule = tariff.enrollment
                if rule is None:
                    self.pair_mode[pair] = 2
                elif rule.benefits_start == "same_day" or any(c in rule.exempt for c in held):
                    self.pair_mode[pair] = 0
                else:
                    self.pair_mode[pair] = 1
                self.pair_enr_err[pair] = enr
        if not sets:  # every pair is an error: one placeholder set keeps the tables non-empty
            sets[(0, ())] = 0
        self.person_codes = person_errors
        self.np = n_sets = len(sets)
        self.p_version = np.zeros(n_sets, np.intp)
        self.p_ci_err = np.full(n_sets, _OK, np.intp)
        self.pl_err = np.full(n_sets * nl, _OK, np.intp)
        basic: list[list[_Basic]] = []
        ci: list[list[tuple[str, _Ci]]] = []
        assist: list[list[_Assist]] = []
        ratios: set[Decimal] = set()
        missing_level = self.problems.add(
            MissingInputError(
                "the hospital level is needed to compute the basic payment (or give basic_paid)",
                field="hospital_level",
            )
        )
        for (v, held), p in sets.items():
            tariff = self.versions[v]
            self.p_version[p] = v
            basic.append(self._basic(tariff, v, held, p, level_names, missing_level, ratios))
            ci.append(self._ci(tariff, v, held, p, ratios))
            assist.append(self._assistance(tariff, held, ratios))
        self.decimals = max([1, *(_digits(r) for r in ratios)])
        if self.decimals > _MAX_DECIMALS:
            # Checked before 10 ** decimals is formed (thousands of decimals: a huge int whose
            # text Python refuses to write beyond 4300 digits).
            raise EngineRangeError(
                f"a ratio of tariff series {series} has {self.decimals} decimals; the engine's "
                f"exact int64 arithmetic takes at most {_MAX_DECIMALS}; use the reference core"
            )
        self.scale = 10**self.decimals
        # Every product is at most 2 x amount x scale; amounts up to `limit` keep it in int64.
        self.limit = _I63 // (2 * self.scale) - 1
        even = [self.versions[v].rounding == "half_even" for v in self.p_version.tolist()]
        self.p_even = np.array(even, np.bool_)
        self.even: bool | None = even[0] if len(set(even)) == 1 else None
        self._basic_tables(basic)
        self._ci_tables(ci)
        self._assistance_tables(assist)
        self._error_tables()

    # -- exact candidates, with the reference's own profile builders --

    def _basic(
        self,
        tariff: Tariff,
        v: int,
        held: tuple[str, ...],
        p: int,
        level_names: Sequence[str],
        missing_level: int,
        ratios: set[Decimal],
    ) -> list[_Basic]:
        nl = self.nl
        # The reference's order: no level given, then no inpatient section, then an unknown level.
        self.pl_err[p * nl] = missing_level
        section = tariff.inpatient
        if section is None:
            code = self.problems.add(
                SectionMissingError(
                    f"tariff {tariff.ref} has no inpatient section; give basic_paid for this claim"
                )
            )
            self.pl_err[p * nl + 1 : (p + 1) * nl] = code
            return []
        levels = []
        for code_, name in enumerate(level_names, start=1):
            level = section.level(name)
            if level is None:
                known = ", ".join(lv.id for lv in section.levels)
                problem = UnknownHospitalLevelError(
                    f"{name!r} is not a hospital level of tariff {tariff.ref} (levels: {known})",
                    field="hospital_level",
                )
                self.pl_err[p * nl + code_] = self.problems.add(problem)
            levels.append(level)
        out: list[_Basic] = []
        for prof in basic_profiles(section, held):
            per_level: list[tuple[Decimal, Decimal] | None] = [None]
            for level in levels:
                terms = None if level is None else prof.terms(level, tariff.rounding)
                if terms is not None:
                    ratios.add(terms[1])
                per_level.append(terms)
            candidate: _Basic = (tuple(per_level), prof.annual_cap.amount)
            if candidate not in out:  # only the amount counts: equal candidates are one
                out.append(candidate)
        return out

    def _ci(
        self, tariff: Tariff, v: int, held: tuple[str, ...], p: int, ratios: set[Decimal]
    ) -> list[tuple[str, _Ci]]:
        section = tariff.critical_illness
        if section is None:
            self.p_ci_err[p] = self.problems.add(
                SectionMissingError(f"tariff {tariff.ref} has no critical_illness section")
            )
            return []
        out: list[tuple[str, _Ci]] = []
        for prof in critical_illness_profiles(section, held, tariff.rounding):
            bands = tuple((b.lower, b.upper, b.ratio) for b in prof.bands)
            ratios.update(b.ratio for b in prof.bands)
            candidate: _Ci = (bands, prof.annual_cap.amount)
            # An identical later candidate always ties with the earlier one, which wins a tie.
            if all(candidate != c for _, c in out):
                out.append((prof.name, candidate))
        return out

    def _assistance(
        self, tariff: Tariff, held: tuple[str, ...], ratios: set[Decimal]
    ) -> list[_Assist]:
        out: list[_Assist] = []
        for prof in assistance_profiles(tariff.medical_assistance, held):
            ratios.add(prof.ratios[0])
            candidate: _Assist = (prof.threshold, prof.ratios[0], prof.annual_cap.amount)
            if candidate not in out:
                out.append(candidate)
        return out

    # -- integer tables --

    def _fen(self, amount: Decimal) -> int:
        value = fen(amount)
        if value > self.limit:
            raise EngineRangeError(
                f"tariff amount {fmt(amount)} is beyond the engine's exact range with ratio "
                f"scale 10**{self.decimals} (at most {fmt(yuan(self.limit))}); use the reference "
                "core"
            )
        return value

    def _num(self, ratio: Decimal) -> int:
        scaled = EXACT.multiply(ratio, Decimal(self.scale))
        assert scaled == scaled.to_integral_value(context=EXACT)
        return int(scaled)

    def _cap(self, cap: Decimal | None) -> int:
        return _INF if cap is None else self._fen(cap)

    def _basic_tables(self, basic: list[list[_Basic]]) -> None:
        """Per profile set and level code (``P * nl + level + 1``): each basic candidate's
        deductible (fen) and ratio (over the scale); per profile set its cap; and the same
        per (pair, level code) for the first pass over the rows."""
        nl, n_sets = self.nl, self.np
        self.cb = cb = max([1, *(len(b) for b in basic)])
        self.b_d = [np.zeros(n_sets * nl, np.int64) for _ in range(cb)]
        self.b_r = [np.zeros(n_sets * nl, np.int64) for _ in range(cb)]
        self.b_cap = [np.full(n_sets, _INF, np.int64) for _ in range(cb)]
        has = [np.zeros(n_sets, np.bool_) for _ in range(cb)]
        self.mincap = np.full(n_sets, _INF, np.int64)
        for p, candidates in enumerate(basic):
            for c, (per_level, cap) in enumerate(candidates):
                has[c][p] = True
                self.b_cap[c][p] = self._cap(cap)
                self.mincap[p] = min(int(self.mincap[p]), int(self.b_cap[c][p]))
                for code, values in enumerate(per_level):
                    if values is not None:
                        self.b_d[c][p * nl + code] = self._fen(values[0])
                        self.b_r[c][p * nl + code] = self._num(values[1])
        self.any_cap = bool((self.mincap < _INF).any())
        self.lowest_cap = int(self.mincap.min())
        # The cap all basic candidates of a profile set share (-1: they differ).
        self.cap_one = np.full(n_sets, -1, np.int64)
        for p, candidates in enumerate(basic):
            caps = {self._cap(cap) for _, cap in candidates} or {_INF}
            if len(caps) == 1:
                self.cap_one[p] = caps.pop()
        at = (self.pair_p[:, None] * nl + np.arange(nl)).ravel()  # pair * nl + code -> P row
        self.q_d = [t.take(at) for t in self.b_d]
        self.q_r = [t.take(at) for t in self.b_r]
        self.q_has = [h.take(self.pair_p) for h in has]

    def _ci_tables(self, ci: list[list[tuple[str, _Ci]]]) -> None:
        """Per candidate, G as pieces: the threshold ``t``, the later breakpoints ``bp``
        (rising) and lines ``a + x * s`` (numerators over the scale), piece 0 (up to the
        threshold) being 0; candidates without bands, and padding, have ``t`` = infinity."""
        n_sets = self.np
        pieces: list[list[tuple[list[int], list[tuple[int, int]], int, str]]] = []
        for candidates in ci:
            rows = []
            for name, (bands, cap) in candidates:
                bps: list[int] = []
                lines = [(0, 0)]
                reached = 0
                for lower, upper, ratio in bands:
                    lo, r = self._fen(lower), self._num(ratio)
                    bps.append(lo)
                    lines.append((reached - lo * r, r))
                    if upper is not None:
                        reached += (self._fen(upper) - lo) * r
                last = bands[-1][1] if bands else None
                if last is not None:  # a closed last band: G stays level above it
                    bps.append(self._fen(last))
                    lines.append((reached, 0))
                rows.append((bps, lines, self._cap(cap), name))
            pieces.append(rows)
        self.cc = cc = max([1, *(len(r) for r in pieces)])
        k = max([1, *(len(bps) for r in pieces for bps, _, _, _ in r)])
        self.k1 = k + 1
        names: dict[str, int] = {}
        self.ci_t = [np.full(n_sets, _INF, np.int64) for _ in range(cc)]
        self.ci_bp = [[np.full(n_sets, _INF, np.int64) for _ in range(k - 1)] for _ in range(cc)]
        self.ci_a = [np.zeros(n_sets * (k + 1), np.int64) for _ in range(cc)]
        self.ci_s = [np.zeros(n_sets * (k + 1), np.int64) for _ in range(cc)]
        self.ci_cap = [np.full(n_sets, _INF, np.int64) for _ in range(cc)]
        self.ci_name = np.zeros(n_sets * cc, np.intp)
        for p, rows in enumerate(pieces):
            for c, (bps, lines, cap_fen, name) in enumerate(rows):
                if bps:
                    self.ci_t[c][p] = bps[0]
                for j, bp in enumerate(bps[1:]):
                    self.ci_bp[c][j][p] = bp
                for j, (a, s) in enumerate(lines):
                    self.ci_a[c][p * (k + 1) + j] = a
                    self.ci_s[c][p * (k + 1) + j] = s
                self.ci_cap[c][p] = cap_fen
                self.ci_name[p * cc + c] = names.setdefault(name, len(names))
        self.profile_names = tuple(names)

    def _assistance_tables(self, assist: list[list[_Assist]]) -> None:
        n_sets = self.np
        self.ca = ca = max([1, *(len(a) for a in assist)])
        self.a_d = [np.full(n_sets, _INF, np.int64) for _ in range(ca)]  # padding: never pays
        self.a_r = [np.zeros(n_sets, np.int64) for _ in range(ca)]
        self.a_cap = [np.zeros(n_sets, np.int64) for _ in range(ca)]
        for p, candidates in enumerate(assist):
            for c, (deductible, ratio, cap) in enumerate(candidates):
                self.a_d[c][p] = self._fen(deductible)
                self.a_r[c][p] = self._num(ratio)
                self.a_cap[c][p] = self._cap(cap)

    def _error_tables(self) -> None:
        """The error code of a row by (pair, level code) and state: 0 not covered, 1 covered
        with basic_paid given, 2 covered and basic to compute; +3 when enrolled_on is given.
        In the reference's order: version, categories, enrolment, basic, critical illness."""
        nl = self.nl
        pair = np.repeat(np.arange(self.pair_p.shape[0]), nl)
        p = self.pair_p.take(pair)
        pl = p * nl + np.tile(np.arange(nl), self.pair_p.shape[0])
        own = self.pair_err.take(pair)
        ci = self.p_ci_err.take(p)
        basic = self.pl_err.take(pl)
        covered_given = ci
        covered = np.where(basic != _OK, basic, ci)
        enr = self.pair_enr_err.take(pair)
        states = []
        for enrolled in (False, True):
            for state in (np.full_like(own, _OK), covered_given, covered):
                if enrolled:
                    state = np.where(enr != _OK, enr, state)
                states.append(np.where(own != _OK, own, state))
        self.esize = own.shape[0]
        self.errors = np.concatenate(states)

    # -- vectorised evaluation --

    def round(self, num: I64, p: IP) -> I64:
        """``num / scale`` rounded to whole fen with each row's rounding (num >= 0)."""
        scale = self.scale
        t = num + scale // 2
        q: I64 = t // scale
        if self.even is False:
            return q
        adjust = (q * scale == t) & ((q & 1) == 1)  # an exact half, rounded up to an odd fen
        if self.even is None:
            adjust &= self.p_even.take(p)
        q -= adjust
        return q

    def basic_raw(self, compliant: I64, pl: IP, p: IP, c: int) -> I64:
        """round(max(0, compliant - d) x r) of basic candidate ``c`` (``pl``: P * nl + code)."""
        above = np.maximum(compliant - self.b_d[c].take(pl), 0)
        return self.round(above * self.b_r[c].take(pl), p)

    def ci_at(self, x: I64, p: IP) -> tuple[I64, IP | None]:
        """F*(x) and the first candidate giving it (None: there is only one), per row.

        A candidate pays 0 up to its threshold, so it is evaluated only on the rows above it
        (an earlier candidate wins a tie, so 0 never displaces anything)."""
        n = x.shape[0]
        best = np.zeros(n, np.int64)
        arg = np.zeros(n, np.intp) if self.cc > 1 else None
        for c in range(self.cc):
            rows = np.flatnonzero(x > self.ci_t[c].take(p))
            if not rows.shape[0]:
                continue
            every = rows.shape[0] == n
            xs = x if every else x.take(rows)
            ps = p if every else p.take(rows)
            piece = ps * self.k1
            piece += 1
            for bp in self.ci_bp[c]:
                piece += xs >= bp.take(ps)
            num = self.ci_s[c].take(piece)
            num *= xs
            num += self.ci_a[c].take(piece)
            f = np.minimum(self.round(num, ps), self.ci_cap[c].take(ps))
            if c == 0:
                if every:
                    best = f
                else:
                    best[rows] = f
                continue
            assert arg is not None
            better = f > (best if every else best.take(rows))
            won = rows[better]
            best[won] = f[better]
            arg[won] = c
        return best, arg

    def assistance_at(self, y: I64, p: IP) -> I64:
        """A*(y) per row (0 for a person without an eligible category); a candidate is
        evaluated only on the rows above its deductible."""
        n = y.shape[0]
        best = np.zeros(n, np.int64)
        for c in range(self.ca):
            d = self.a_d[c].take(p)
            rows = np.flatnonzero(y > d)
            if not rows.shape[0]:
                continue
            every = rows.shape[0] == n
            ps = p if every else p.take(rows)
            num = (y - d) if every else (y.take(rows) - d.take(rows))
            num *= self.a_r[c].take(ps)
            f = np.minimum(self.round(num, ps), self.a_cap[c].take(ps))
            if c == 0:
                if every:
                    best = f
                else:
                    best[rows] = f
            elif every:
                np.maximum(best, f, out=best)
            else:
                best[rows] = np.maximum(best.take(rows), f)
        return best


# -- the computation ------------------------------------------------------------------------------


def _days(values: NDArray[Any], name: str) -> I64:
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]").view(np.int64)
    if values.dtype.kind not in "iu":
        raise EngineError(f"{name}: expected datetime64[D] or int days, got {values.dtype}")
    return values.astype(np.int64, copy=False)


def _ints(values: NDArray[Any] | None, name: str, n: int) -> I64 | None:
    if values is None:
        return None
    if values.dtype.kind not in "iu":
        raise EngineError(f"{name}: expected integers, got {values.dtype}")
    if values.shape != (n,):
        raise EngineError(f"{name}: expected {n} rows, got shape {values.shape}")
    return values.astype(np.int64, copy=False)


def _codes(values: NDArray[Any] | None, name: str, n: int) -> NDArray[Any] | None:
    """An index column as given (any integer type: int8 codes cost a byte a row)."""
    if values is None:
        return None
    if values.dtype.kind not in "iu":
        raise EngineError(f"{name}: expected integers, got {values.dtype}")
    if values.shape != (n,):
        raise EngineError(f"{name}: expected {n} rows, got shape {values.shape}")
    return values


def _day_tables(versions: Sequence[Tariff], dmin: int, dmax: int) -> tuple[IP, IP]:
    """For each day of [dmin, dmax]: the version in force (-1: none) and the calendar year."""
    span = dmax - dmin + 1
    vday = np.full(span, -1, np.intp)
    for v, t in enumerate(versions):
        lo = max(t.effective_from.toordinal() - _EPOCH - dmin, 0)
        end = dmax if t.effective_to is None else t.effective_to.toordinal() - _EPOCH
        hi = min(end - dmin, span - 1)
        if lo <= hi:
            vday[lo : hi + 1] = v
    days = np.arange(dmin, dmax + 1, dtype=np.int64).astype("datetime64[D]")
    year = days.astype("datetime64[Y]").astype(np.intp)
    return vday, year


def _next_months(emin: int, emax: int) -> I64:
    """For each day of [emin, emax]: the first day of the next month (days since 1970)."""
    days = np.arange(emin, emax + 1, dtype=np.int64).astype("datetime64[D]")
    months = days.astype("datetime64[M]") + np.timedelta64(1, "M")
    return months.astype("datetime64[D]").view(np.int64)


def _segsum(values: I64, first: IP, group: IP) -> I64:
    """Inclusive prefix sums of ``values`` restarting at each group (``first``: the group
    starts, ``group``: each row's group)."""
    total = np.cumsum(values)
    before = total.take(first) - values.take(first)
    total -= before.take(group)
    return total


def _previous(
    after: I64,
    x_after: I64,
    added: I64,
    p: IP,
    fresh: IP,
    at: Callable[[I64, IP], tuple[I64, Any]],
) -> I64:
    """F*(x_before) per row, for F* given at x_after (x_before = x_after - added): the
    previous row's F*(x_after) except at the ``fresh`` rows (a person-year's first row, or a
    change of profile set), where it is F*(0) = 0 or evaluated."""
    before = np.empty_like(after)
    before[1:] = after[:-1]
    x_before = x_after.take(fresh) - added.take(fresh)
    before[fresh] = 0
    redo = np.flatnonzero(x_before)
    if redo.shape[0]:
        before[fresh.take(redo)] = at(x_before.take(redo), p.take(fresh.take(redo)))[0]
    return before


def _rows_of(table: I64) -> NDArray[np.void]:
    """A C-contiguous (rows, 4) int64 table as one 32-byte item per row (a row is moved by
    one copy, not four)."""
    rows: NDArray[np.void] = table.view(np.dtype((np.void, 32))).reshape(table.shape[0])
    return rows


def _chunks(n: int, starts: IP | None, size: int) -> Iterable[tuple[int, int]]:
    """Ranges of about ``size`` rows; with ``starts`` (group starts), never splitting a group."""
    a = 0
    while a < n:
        b = min(a + size, n)
        if starts is not None and b < n:
            i = int(np.searchsorted(starts, b))
            b = int(starts[i]) if i < starts.shape[0] else n
        yield a, b
        a = b


class _Run:
    """One call of :func:`compute`: the table's columns, the plan, the working arrays."""

    def __init__(self, book: TariffBook, series: str, table: ClaimTable, chunk_rows: int) -> None:
        n = self.n = len(table)
        self.table = table
        self.chunk_rows = chunk_rows
        if table.person.ndim != 1:
            raise EngineError("person: expected a 1-dimensional column")
        person = _ints(table.person, "person", n)
        assert person is not None
        self.person = person
        self.day = _days(table.date, "date")
        if self.day.shape != (n,):
            raise EngineError(f"date: expected {n} rows, got shape {self.day.shape}")
        compliant = _ints(table.compliant, "compliant", n)
        assert compliant is not None
        self.compliant = compliant
        self.total = _ints(table.total, "total", n)
        self.basic_paid = _ints(table.basic_paid, "basic_paid", n)
        self.kind = _codes(table.kind, "kind", n)
        self.level = _codes(table.level, "level", n)
        self.enrolled = None
        if table.enrolled_on is not None:
            self.enrolled = _days(table.enrolled_on, "enrolled_on")
            if self.enrolled.shape != (n,):
                raise EngineError(f"enrolled_on: expected {n} rows")
        self.ytd = [
            _ints(getattr(table, f), f, n)
            for f in ("ytd_basic_paid", "ytd_critical_illness_base", "ytd_assistance_base")
        ]
        if not table.kinds:
            raise EngineError("kinds: at least one person kind is needed")
        self._check_codes(self.kind, len(table.kinds), 0, "kind")
        self._check_codes(self.level, len(table.level_names), -1, "level")
        if n and (self.day == NAT).any():
            raise EngineError("date: every claim needs a date (found NaT)")
        self.plan = _Plan(book, series, table.kinds, table.level_names)

    @staticmethod
    def _check_codes(values: NDArray[Any] | None, count: int, low: int, name: str) -> None:
        if values is not None and values.shape[0]:
            lo, hi = int(values.min()), int(values.max())
            if lo < low or hi >= count:
                raise EngineError(f"{name}: codes must be from {low} to {count - 1}")

    # -- phase A: per row, in input order --

    def rows(self) -> None:
        n, plan = self.n, self.plan
        self.dmin, self.dmax = int(self.day.min()), int(self.day.max())
        self.vday, self.year = _day_tables(plan.versions, self.dmin, self.dmax)
        self.next_month: I64 | None = None
        if self.enrolled is not None:
            has = self.enrolled != NAT
            if has.any():
                given = self.enrolled[has]
                self.emin = int(given.min())
                self.next_month = _next_months(self.emin, int(given.max()))
        pmin, pmax = int(self.person.min()), int(self.person.max())
        # One packed key (person, day, input index) orders the rows; it needs few bits.
        self.ibits = max(1, (n - 1).bit_length())
        self.dbits = max(1, (self.dmax - self.dmin).bit_length())
        pbits = max(1, (pmax - pmin).bit_length())
        self.packed = pbits + self.dbits + self.ibits <= 63
        self.pmin = pmin
        self.key = np.empty(n, np.int64) if self.packed else None
        self.in_order = self.key is not None
        last = -1
        for a, b in _chunks(n, None, self.chunk_rows):
            last = self._key_chunk(a, b, last)
        # Rows out of order are read in processing order by one gather of a row of four
        # words (one cache line's part) per claim, not four gathers: the columns the chain
        # reads are laid out side by side.
        self.packed_rows = None if self.in_order else np.empty((n, 4), np.int64)
        if self.packed_rows is None:
            self.m = np.empty(n, np.int64)  # basic (max of the candidates, uncapped), then final
            self.pk = np.empty(n, np.int64)  # P << 3 | error << 2 | given << 1 | covered
        else:  # basic, pk, compliant, the bill (the larger of total and compliant)
            self.m, self.pk = self.packed_rows[:, 0], self.packed_rows[:, 1]
        self.err = np.empty(n, np.int32)
        self.version = np.empty(n, np.int16)
        self.covered = np.zeros(n, np.bool_)
        for a, b in _chunks(n, None, self.chunk_rows):
            self._rows_chunk(a, b)
        if plan.limit < MAX_FEN:
            self._check_compliant()

    def _key_chunk(self, a: int, b: int, last: int) -> int:
        """The packed (person, day) keys of the rows a..b; whether the rows are in order."""
        if self.key is None:
            return last
        key = self.person[a:b] - self.pmin
        key <<= self.dbits
        key += self.day[a:b]
        key -= self.dmin
        if self.in_order and (last > key[0] or (key[1:] < key[:-1]).any()):
            self.in_order = False
        self.key[a:b] = key
        return int(key[-1])

    def _rows_chunk(self, a: int, b: int) -> None:
        """Version, profile set, coverage, error, uncapped basic of the rows a..b."""
        plan = self.plan
        day = self.day[a:b]
        v = self.vday.take(day - self.dmin)
        self.version[a:b] = v
        pair = v * plan.nk
        pair += plan.nk
        if self.kind is not None:
            pair += self.kind[a:b]
        p = plan.pair_p.take(pair)
        at = pair * plan.nl  # pair and level code (level + 1; 0: not given)
        if self.level is not None:
            at += self.level[a:b]
            at += 1
        compliant = self.compliant[a:b]
        paid = None if self.basic_paid is None else self.basic_paid[a:b]
        given = None if paid is None else paid >= 0
        state: Any = 2 if given is None else np.where(given, 1, 2)  # intp: it scales an index
        covered = None
        if self.next_month is not None:
            assert self.enrolled is not None
            enrolled = self.enrolled[a:b]
            has = enrolled != NAT
            next_month = self.next_month.take(np.where(has, enrolled - self.emin, 0))
            start = np.where(plan.pair_mode.take(pair) == 0, enrolled, next_month)
            covered = (day >= start) | ~has
            state = state * covered
            state += 3 * has
        code = plan.errors.take(at + state * plan.esize)
        # Amounts the reference's Claim refuses (its messages are made later, for few rows).
        bad = compliant.view(np.uint64) > MAX_FEN  # negative or too large
        if self.total is not None:
            total = self.total[a:b]
            bad |= (total != -1) & ((total < compliant) | (total > MAX_FEN))
        if paid is not None:
            bad |= (paid != -1) & (paid.view(np.uint64) > compliant.view(np.uint64))
        if bad.any():
            code[bad] = _BAD_AMOUNT
        self.err[a:b] = code
        ok = code == _OK
        computed = ok if covered is None else ok & covered
        m = plan.round(np.maximum(compliant - plan.q_d[0].take(at), 0) * plan.q_r[0].take(at), p)
        for c in range(1, plan.cb):
            rows = np.flatnonzero(plan.q_has[c].take(pair))
            if rows.shape[0]:
                at_c, p_c = at.take(rows), p.take(rows)
                above = np.maximum(compliant.take(rows) - plan.q_d[c].take(at_c), 0)
                raw = plan.round(above * plan.q_r[c].take(at_c), p_c)
                m[rows] = np.maximum(m.take(rows), raw)
        if paid is not None and given is not None:
            m = np.where(given, paid, m)
        m *= computed
        self.m[a:b] = m
        pk = p << 3
        pk |= computed
        if given is not None:
            pk |= given.view(np.int8).astype(np.int64) << 1
        pk |= (~ok).view(np.int8).astype(np.int64) << 2
        self.pk[a:b] = pk
        if self.packed_rows is not None:
            # Rows out of order: `covered` is the computed flag, less the rows that turn out
            # to be errors (finish), so that the chain need not scatter it.
            self.covered[a:b] = computed
            self.packed_rows[a:b, 2] = compliant
            if self.total is None:
                self.packed_rows[a:b, 3] = compliant
            else:
                np.maximum(self.total[a:b], compliant, out=self.packed_rows[a:b, 3])

    def _check_compliant(self) -> None:
        plan = self.plan
        computed = (self.pk & 1) == 1
        too_big = computed & (self.compliant > plan.limit)
        if too_big.any():
            row = int(np.flatnonzero(too_big)[0])
            self._range_error(row, "compliant", int(self.compliant[row]))

    def _range_error(self, row: int, what: str, value: int) -> None:
        raise EngineRangeError(
            f"row {self._number(row)}: {what} {fmt(yuan(value))} is beyond the engine's exact "
            f"int64 range with ratio scale {self.plan.scale} (at most "
            f"{fmt(yuan(self.plan.limit))}); use the reference core (medcalc.Calculator)"
        )

    def _number(self, row: int) -> int:
        numbers = self.table.row_number
        return row + 1 if numbers is None else int(numbers[row])

    # -- phase B: order by (person, year, date, input index) --

    def order(self) -> None:
        n = self.n
        self.key_s: I64 | None = None
        self.order_: IP | None = None
        if self.key is not None and self.in_order:
            self.key = None  # the input order is the processing order
        elif self.key is not None:
            key = self.key
            # the input index breaks ties and names the row
            for a, b in _chunks(n, None, self.chunk_rows):
                part = key[a:b]
                part <<= self.ibits
                part |= np.arange(a, b)
            key.sort()
            self.key_s, self.key = key, None
        else:
            self.in_order = False
            self.order_ = np.lexsort((np.arange(n), self.day, self.person))
        starts = np.empty(n, np.bool_)
        prev_person = prev_year = None
        for a, b in _chunks(n, None, self.chunk_rows):
            person, day = self._sorted_person_day(a, b)
            year = self.year.take(day - self.dmin)
            s = starts[a:b]
            s[1:] = (person[1:] != person[:-1]) | (year[1:] != year[:-1])
            s[0] = prev_person is None or person[0] != prev_person or year[0] != prev_year
            prev_person, prev_year = int(person[-1]), int(year[-1])
        self.starts = np.flatnonzero(starts)
        self.is_start = starts

    def _sorted_person_day(self, a: int, b: int) -> tuple[I64, I64]:
        if self.key_s is not None:
            pd = self.key_s[a:b] >> self.ibits
            return pd >> self.dbits, (pd & ((1 << self.dbits) - 1)) + self.dmin
        if self.order_ is not None:
            o = self.order_[a:b]
            return self.person.take(o), self.day.take(o)
        return self.person[a:b], self.day[a:b]

    def input_rows(self, a: int, b: int) -> IP:
        """Input positions of the sorted rows a..b."""
        if self.key_s is not None:
            return self.key_s[a:b] & ((1 << self.ibits) - 1)
        if self.order_ is not None:
            return self.order_[a:b]
        return np.arange(a, b)

    def sorted_positions(self, rows: IP) -> IP:
        """Sorted positions of the input rows ``rows`` (few)."""
        if self.key_s is not None:
            key = ((self.person.take(rows) - self.pmin) << self.dbits) | (
                self.day.take(rows) - self.dmin
            )
            found: IP = np.searchsorted(self.key_s, (key << self.ibits) | rows)
            return found
        if self.order_ is not None:
            inverse = np.empty(self.n, np.intp)
            inverse[self.order_] = np.arange(self.n)
            return inverse.take(rows)
        return rows

    # -- year-to-date starts --

    def year_to_date(self) -> None:
        """The accumulators each person-year starts from (sparse: rows that give them)."""
        self.ytd_groups = np.zeros(0, np.intp)
        self.ytd_values = np.zeros((0, 3), np.int64)
        columns = [c for c in self.ytd if c is not None]
        if not columns:
            return
        giving = np.zeros(self.n, np.bool_)
        for c in columns:
            giving |= c != -1
        rows = np.flatnonzero(giving)
        if not rows.shape[0]:
            return
        group = np.searchsorted(self.starts, self.sorted_positions(rows), side="right") - 1
        values = np.stack(
            [np.full(rows.shape[0], -1, np.int64) if c is None else c.take(rows) for c in self.ytd],
            axis=1,
        )
        names = ("ytd_basic_paid", "ytd_critical_illness_base", "ytd_assistance_base")
        chosen: dict[int, list[int]] = {}
        first_row: dict[tuple[int, int], int] = {}
        broken: dict[int, MedcalcError] = {}
        for row, g, vals in zip(rows.tolist(), group.tolist(), values.tolist(), strict=True):
            have = chosen.setdefault(g, [-1, -1, -1])
            for f, value in enumerate(vals):
                if value == -1 or g in broken:
                    continue
                if value < -1 or value > MAX_FEN:
                    broken[g] = _amount_error(value, names[f])
                elif have[f] == -1:
                    have[f], first_row[(g, f)] = value, row
                elif have[f] != value:
                    other = first_row[(g, f)]
                    (na, va), (nb, vb) = sorted(
                        [(self._number(other), have[f]), (self._number(row), value)]
                    )
                    broken[g] = InputError(
                        f"{names[f]} differs between rows of the same person and year "
                        f"(row {na}: {fmt(yuan(va))}; row {nb}: {fmt(yuan(vb))}); give one "
                        "value, or leave it empty on all but one row"
                    )
        for g, problem in broken.items():
            code = self.plan.problems.add(problem)
            end = self.starts[g + 1] if g + 1 < self.starts.shape[0] else self.n
            members = self.input_rows(int(self.starts[g]), int(end))
            members = members[self.err.take(members) != _BAD_AMOUNT]  # those keep their own
            self.err[members] = code
            self.pk[members] = (self.pk[members] | 4) & ~1  # an error, not computed
            self.m[members] = 0
            chosen.pop(g)
        if chosen:
            self.ytd_groups = np.array(list(chosen), np.intp)
            self.ytd_values = np.maximum(np.array(list(chosen.values()), np.int64), 0)
            order = np.argsort(self.ytd_groups)
            self.ytd_groups, self.ytd_values = self.ytd_groups[order], self.ytd_values[order]

    # -- phase C: the year's accumulations, in processing order --

    def chain(self) -> None:
        n = self.n
        rows = self.packed_rows
        self.profile = np.full(n, -1, np.int16)
        if rows is None:
            self.ci = np.zeros(n, np.int64)
            self.assist = np.zeros(n, np.int64)
            self.oop = np.zeros(n, np.int64)
        self.error_groups: list[IP] = []
        for a, b in _chunks(n, self.starts, self.chunk_rows):
            self._chain_chunk(a, b)
        if rows is not None:
            # Each row's four results were written over its four inputs (one row is read and
            # written only in its own chunk): the amount columns are views of that block.
            self.m, self.ci, self.assist, self.oop = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
            self.pk = np.zeros(0, np.int64)
            self.packed_rows = None

    def _chain_chunk(self, a: int, b: int) -> None:
        """The rows a..b (whole person-years) in processing order."""
        plan = self.plan
        o = None if self.in_order else self.input_rows(a, b)
        bill = None
        if o is None:
            basic, pk, compliant = self.m[a:b], self.pk[a:b], self.compliant[a:b]
        else:
            assert self.packed_rows is not None
            basic, pk, compliant, bill = self.packed_rows.take(o, axis=0).T.copy()
        read = basic
        if b - a > _SAFE_ROWS:  # a person-year of ~92 000 claims: its sums could leave int64
            self._check_sums(a, b, o, compliant)
        starts = self.is_start[a:b]
        first = np.flatnonzero(starts)
        ends = np.append(first[1:], b - a)
        group = np.repeat(np.arange(first.shape[0]), ends - first)  # (a bool cumsum is slow)
        p = pk >> 3
        computed = (pk & 1).astype(np.bool_)
        error = (pk & 4).astype(np.bool_)
        dependent = None
        if error.any():
            seen = _segsum(error.astype(np.int64), first, group)  # errors so far, this one too
            dependent = ~error & (seen > 0)
            if dependent.any():
                computed &= ~dependent
                basic = basic * computed
            self._note_error_groups(a, b, o, first, group, error, seen, dependent)
        ytd = self._ytd_chunk(a, b, first.shape[0])
        if plan.any_cap:
            running = np.cumsum(basic)
            total = running.take(ends - 1) - running.take(first) + basic.take(first)
            if ytd is not None:
                total += ytd[0]
            risk = total > plan.lowest_cap
            if risk.any():
                self._capped_basic(a, o, basic, computed, pk, p, compliant, first, risk, ytd)
        burden = compliant - basic
        burden *= computed
        x_after = _segsum(burden, first, group)
        if ytd is not None:
            x_after += ytd[1].take(group)
        self._check_range(x_after, computed, o, a, "the critical-illness base")
        # Where a row's profile set is the previous row's (same person-year), its F*(before)
        # is that row's F*(after); elsewhere it is F*(0) = 0 or evaluated.
        fresh = starts.copy()
        fresh[1:] |= p[1:] != p[:-1]
        fresh_rows = np.flatnonzero(fresh)
        f_after, arg = plan.ci_at(x_after, p)
        out = slice(a, b) if o is None else o
        ci = self.ci[out] if o is None else np.empty(b - a, np.int64)
        np.subtract(f_after, _previous(f_after, x_after, burden, p, fresh_rows, plan.ci_at), out=ci)
        # A layer never pays more than the claim's part of its base (spec §4.3): the step of F*
        # can exceed i by a fen with half_even and a ratio of 1. Under half_up it cannot
        # (round(a + d) - round(a) < d + 0.01 with d <= i), so those series skip the pass.
        if plan.even is not False:
            np.minimum(ci, burden, out=ci)
        rest = burden - ci
        y_after = _segsum(rest, first, group)
        if ytd is not None:
            y_after += ytd[2].take(group)
        self._check_range(y_after, computed, o, a, "the assistance base")
        a_after = plan.assistance_at(y_after, p)

        def assistance_at(y: I64, p: IP) -> tuple[I64, None]:
            return plan.assistance_at(y, p), None

        assist = self.assist[out] if o is None else np.empty(b - a, np.int64)
        np.subtract(a_after, _previous(a_after, y_after, rest, p, fresh_rows, assistance_at),
                    out=assist)  # fmt: skip
        if plan.even is not False:  # as for critical illness (here it never bites: ratio <= 1)
            np.minimum(assist, rest, out=assist)
        if arg is None:
            name = plan.ci_name.take(p)
        else:
            arg += p * plan.cc
            name = plan.ci_name.take(arg)
        profile = np.where(computed, name, -1)
        if o is None:
            if basic is not read:
                self.m[a:b] = basic
            self.profile[a:b] = profile
            self._pays(
                a,
                b,
                basic,
                ci,
                assist,
                computed,
                ~error if dependent is None else ~(error | dependent),
            )
        else:  # the results of each row over its inputs: read and written in this chunk only
            assert bill is not None and self.packed_rows is not None
            results = np.empty((b - a, 4), np.int64)
            results[:, 0] = basic
            results[:, 1] = ci
            results[:, 2] = assist
            oop = results[:, 3]
            np.subtract(bill, basic, out=oop)
            oop -= ci
            oop -= assist
            np.maximum(oop, 0, out=oop)
            oop *= ~error if dependent is None else ~(error | dependent)
            _rows_of(self.packed_rows)[o] = _rows_of(results)
            self.profile[o] = profile

    def _pays(
        self, a: int, b: int, basic: I64, ci: I64, assist: I64, computed: Bools, ok: Bools
    ) -> None:
        """``covered`` and ``out_of_pocket`` of the rows a..b (input order): the bill less
        what the three layers pay (never below 0); the whole bill when not covered; 0 on an
        error row. A given total is at least the compliant cost, an absent one is -1, so the
        bill is the larger of the two."""
        self.covered[a:b] = computed
        compliant = self.compliant[a:b]
        bill = compliant if self.total is None else np.maximum(self.total[a:b], compliant)
        oop = self.oop[a:b]
        np.subtract(bill, basic, out=oop)
        oop -= ci
        oop -= assist
        np.maximum(oop, 0, out=oop)
        oop *= ok

    def _check_sums(self, a: int, b: int, o: IP | None, compliant: I64) -> None:
        # float64 only as an overflow guard: a sum's magnitude, checked against half of the
        # int64 range (a margin far above float64's error); no amount is computed in float.
        # Summed in float64, not int64 first (which could wrap), and only the year-to-date
        # starts of this chunk's person-years: the others never enter its sums.
        g0, g1 = np.searchsorted(self.starts, [a, b])
        lo, hi = np.searchsorted(self.ytd_groups, [g0, g1])
        ytd = float(self.ytd_values[lo:hi].sum(dtype=np.float64))
        if float(compliant.sum(dtype=np.float64)) + ytd >= 0.5 * _I63:
            row = a if o is None else int(o[0])
            self._range_error(row, "the year's compliant cost", int(compliant.max()))

    def _check_range(self, x: I64, computed: Bools, o: IP | None, a: int, what: str) -> None:
        if x.shape[0] and int(x.max()) > self.plan.limit:
            over = np.flatnonzero(computed & (x > self.plan.limit))
            if over.shape[0]:
                at = int(over[0])
                row = a + at if o is None else int(o[at])
                self._range_error(row, what, int(x[at]))

    def _ytd_chunk(self, a: int, b: int, groups: int) -> list[I64] | None:
        if not self.ytd_groups.shape[0]:
            return None
        g0 = int(np.searchsorted(self.starts, a))
        lo, hi = np.searchsorted(self.ytd_groups, [g0, g0 + groups])
        if lo == hi:
            return None
        out = [np.zeros(groups, np.int64) for _ in range(3)]
        local = self.ytd_groups[lo:hi] - g0
        for f in range(3):
            out[f][local] = self.ytd_values[lo:hi, f]
        return out

    def _capped_basic(
        self,
        a: int,
        o: IP | None,
        basic: I64,
        computed: Bools,
        pk: I64,
        p: IP,
        compliant: I64,
        first: IP,
        risk: Bools,
        ytd: list[I64] | None,
    ) -> None:
        """The basic payments of the person-years (``risk``) whose uncapped basic exceeds the
        smallest basic cap of the series (the others pay it in full).

        When all basic candidates of the person-year's claims share one cap C, the basic paid
        so far after claim t is ``x_t = A_t + min(x_0, C - M_t)``: A is the running sum of
        the uncapped payments and the given basic_paid, M the value of A at the latest
        computed claim, x_0 the year-to-date start (induction on x_t = min(x_t-1 + m_t, C)).
        That holds while no computed claim starts above C; other person-years are done claim
        by claim (:meth:`_stepwise`)."""
        plan = self.plan
        groups = np.flatnonzero(risk)
        ends = np.append(first[1:], basic.shape[0])
        starts = first.take(groups)
        lengths = ends.take(groups) - starts
        offsets = np.cumsum(lengths) - lengths  # each group's start among the subset
        count = int(lengths.sum())
        gid = np.repeat(np.arange(groups.shape[0]), lengths)
        rows = np.repeat(starts - offsets, lengths) + np.arange(count)
        calc = computed.take(rows) & ((pk.take(rows) & 2) == 0)
        cap = np.where(calc, plan.cap_one.take(p.take(rows)), _INF)
        low = np.minimum.reduceat(cap, offsets)
        high = np.maximum.reduceat(np.where(calc, cap, -1), offsets)
        x0 = np.zeros(groups.shape[0], np.int64) if ytd is None else ytd[0].take(groups)
        inc = basic.take(rows)
        added = _segsum(inc, offsets, gid)
        latest = np.maximum.accumulate(np.where(calc, np.arange(count), -1))
        seen = latest >= offsets.take(gid)  # a computed claim so far in this person-year
        c = np.where(low >= 0, low, 0).take(gid)
        x = added + np.where(seen, np.minimum(x0.take(gid), c - added.take(latest)), x0.take(gid))
        x_before = np.empty_like(x)
        x_before[1:] = x[:-1]
        x_before[offsets] = x0
        # Not one shared cap, or a computed claim that starts above it: claim by claim.
        wrong = (low < 0) | (low != np.where(high < 0, low, high))
        wrong |= np.logical_or.reduceat(calc & (x_before > c), offsets)
        keep = ~wrong.take(gid)
        basic[rows[keep]] = (x - x_before)[keep]
        if wrong.any():
            self._stepwise(a, o, basic, computed, pk, p, compliant, first, ends, groups[wrong],
                           x0[wrong])  # fmt: skip

    def _stepwise(
        self,
        a: int,
        o: IP | None,
        basic: I64,
        computed: Bools,
        pk: I64,
        p: IP,
        compliant: I64,
        first: IP,
        ends: IP,
        groups: IP,
        paid: I64,
    ) -> None:
        """The basic payments of ``groups`` claim by claim: the k-th claim of every such
        person-year at once. The groups are taken longest first, so those still running at
        step k are a prefix, and the rows are laid out step by step (position-major), so each
        step works on slices. ``paid``: the groups' year-to-date basic paid."""
        plan = self.plan
        lengths = ends.take(groups) - first.take(groups)
        by_length = np.argsort(-lengths, kind="stable")
        groups, lengths, paid = groups[by_length], lengths[by_length], paid[by_length]
        steps = int(lengths[0])
        running = np.searchsorted(-lengths, -np.arange(steps), side="left")
        offsets = np.zeros(steps + 1, np.intp)
        np.cumsum(running, out=offsets[1:])
        g_of = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], running)
        rows = first.take(groups).take(g_of) + np.repeat(np.arange(steps), running)
        pr = p.take(rows)
        pl = pr * plan.nl
        if self.level is not None:
            pl += self.level.take(rows + a if o is None else o.take(rows))
            pl += 1
        comp = compliant.take(rows)
        raws = [plan.basic_raw(comp, pl, pr, c) for c in range(plan.cb)]
        caps = [plan.b_cap[c].take(pr) for c in range(plan.cb)]
        fixed = basic.take(rows)  # basic_paid as given; 0 when not computed
        calc = computed.take(rows) & ((pk.take(rows) & 2) == 0)
        out = np.empty(rows.shape[0], np.int64)
        for k in range(steps):
            lo, hi, r = int(offsets[k]), int(offsets[k + 1]), int(running[k])
            before = paid[:r]
            best = np.minimum(raws[0][lo:hi], np.maximum(caps[0][lo:hi] - before, 0))
            for c in range(1, plan.cb):
                room = np.maximum(caps[c][lo:hi] - before, 0)
                np.maximum(best, np.minimum(raws[c][lo:hi], room), out=best)
            value = np.where(calc[lo:hi], best, fixed[lo:hi])
            out[lo:hi] = value
            before += value
        basic[rows] = out

    def _note_error_groups(
        self,
        a: int,
        b: int,
        o: IP | None,
        first: IP,
        group: IP,
        error: Bools,
        seen: I64,
        dependent: Bools,
    ) -> None:
        """Keep the person-years whose errors reach other rows, for the messages."""
        wanted = np.zeros(first.shape[0], np.bool_)
        wanted[group[dependent]] = True
        leading = error & (seen == 1)  # the first error of its person-year
        if leading.any() and self.plan.person_codes:
            rows = np.flatnonzero(leading)
            codes = self.err.take(rows + a if o is None else o.take(rows))
            person = np.isin(codes, list(self.plan.person_codes))
            wanted[group.take(rows[person])] = True
        ends = np.append(first[1:], b - a)
        for g in np.flatnonzero(wanted).tolist():
            lo, hi = a + int(first[g]), a + int(ends[g])
            self.error_groups.append(self.input_rows(lo, hi))

    # -- errors and the last columns --

    def messages(self) -> None:
        plan, err = self.plan, self.err
        no_version = np.flatnonzero(err == _NO_VERSION)
        if no_version.shape[0]:
            days, inverse = np.unique(self.day.take(no_version), return_inverse=True)
            codes = np.array(
                [plan.problems.add(_no_version(plan.series, int(d))) for d in days.tolist()],
                np.int32,
            )
            err[no_version] = codes.take(inverse)
        for row in np.flatnonzero(err == _BAD_AMOUNT).tolist():
            err[row] = plan.problems.add(self._amount_problem(row))
        for members in self.error_groups:
            self._group_errors(members.tolist())

    def _amount_problem(self, row: int) -> MedcalcError:
        """The first error the reference's Claim would raise for the row's amounts."""
        compliant = int(self.compliant[row])
        total = -1 if self.total is None else int(self.total[row])
        paid = -1 if self.basic_paid is None else int(self.basic_paid[row])
        for value, name, absent in (
            (compliant, "compliant", False),
            (total, "total", True),
            (paid, "basic_paid", True),
        ):
            if not (absent and value == -1) and (value < 0 or value > MAX_FEN):
                return _amount_error(value, name)
        if total != -1 and total < compliant:
            return ClaimAmountsError(
                f"{fmt(yuan(total))} is below the compliant cost {fmt(yuan(compliant))}",
                field="total",
            )
        return ClaimAmountsError(
            f"{fmt(yuan(paid))} is above the compliant cost {fmt(yuan(compliant))}",
            field="basic_paid",
        )

    def _group_errors(self, members: list[int]) -> None:
        """One person-year with an error that reaches other rows (members in date order)."""
        err, problems = self.err, self.plan.problems
        codes = [int(err[r]) for r in members]
        lead = next(i for i, c in enumerate(codes) if c >= 0)
        if codes[lead] in self.plan.person_codes:
            # About the person, not the claim: every row of the person-year has it, as in a
            # batch (rows whose amounts are wrong keep that error).
            for r, c in zip(members, codes, strict=True):
                if c < 0 or not isinstance(problems.items[c], ClaimAmountsError | AmountError):
                    err[r] = codes[lead]
                    self._clear(r)
            return
        blockers: list[int] = []
        for r, c in zip(members[lead:], codes[lead:], strict=True):
            if c >= 0:
                blockers.append(self._number(r))
                continue
            numbers = sorted(blockers)
            verb = "has an error" if len(numbers) == 1 else "have errors"
            err[r] = problems.add(
                DependentClaimError(
                    f"depends on {_rows_text(numbers)} of the same person and year, which {verb}"
                )
            )
            self._clear(r)

    def _clear(self, row: int) -> None:
        self.m[row] = self.ci[row] = self.assist[row] = self.oop[row] = 0
        self.covered[row] = False
        self.profile[row] = -1

    def finish(self) -> Columns:
        if not self.in_order:  # the rows of an error are not covered
            for a, b in _chunks(self.n, None, self.chunk_rows):
                covered = self.covered[a:b]
                covered &= self.err[a:b] == _OK
        return Columns(
            covered=self.covered,
            basic=self.m,
            critical_illness=self.ci,
            assistance=self.assist,
            out_of_pocket=self.oop,
            critical_illness_profile=self.profile,
            profile_names=self.plan.profile_names,
            version=self.version,
            versions=self.plan.versions,
            error=self.err,
            problems=tuple(self.plan.problems.items),
        )


def _no_version(series: str, day: int) -> MedcalcError:
    from medcalc.errors import TariffNotFoundError

    date = dt.date.fromordinal(day + _EPOCH)
    return TariffNotFoundError(f"no tariff of series {series} is in force on {date.isoformat()}")


def _amount_error(value: int, field: str) -> AmountError:
    """What :func:`medcalc.money.check_amount` says of a negative or too large amount."""
    amount = yuan(value)
    if value < 0:
        return AmountError(f"{fmt(amount)} is negative; amounts must be 0 or more", field=field)
    return AmountError(f"{amount} is larger than the largest amount {MAX_AMOUNT}", field=field)


def _rows_text(numbers: Sequence[int]) -> str:
    """``row 7``, ``rows 3 and 7``, ``rows 3, 5 and 7`` (at most ten numbers shown), as the
    batch writes them."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    shown = [str(n) for n in numbers[:10]]
    if len(numbers) > 10:
        return f"rows {', '.join(shown)} and {len(numbers) - 10} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def _empty(plan_versions: tuple[Tariff, ...]) -> Columns:
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


# -- entry points ---------------------------------------------------------------------------------


def compute(
    book: TariffBook, series: str, table: ClaimTable, *, chunk_rows: int = CHUNK_ROWS
) -> Columns:
    """The claims chain for every row of ``table`` under the versions of ``series``.

    ``chunk_rows``: about how many rows each numpy pass takes (a person-year is never split);
    the results do not depend on it, only speed and working memory do.

    Raises :class:`~medcalc.errors.TariffNotFoundError` for an unknown series,
    :class:`EngineError` for a malformed table and :class:`EngineRangeError` for amounts beyond
    exact int64 arithmetic; every other problem is a row's error (:meth:`Columns.errors`).
    """
    if len(table) == 0:
        return _empty(book.versions(series))
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise EngineError(f"chunk_rows: expected a whole number of rows >= 1, got {chunk_rows!r}")
    run = _Run(book, series, table, chunk_rows)
    run.rows()
    run.order()
    run.year_to_date()
    run.chain()
    run.messages()
    return run.finish()


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
            "ytd_basic_paid", "ytd_critical_illness_base", "ytd_assistance_base",
        )
    }  # fmt: skip
    any_ytd = any_enrolled = False
    for key, person, claim, ytd in rows:
        cols["person"].append(keys.setdefault(key, len(keys)))
        cols["date"].append(claim.date.toordinal() - _EPOCH)
        cols["compliant"].append(fen(claim.compliant))
        cols["kind"].append(kinds.setdefault(PersonKind.of(person), len(kinds)))
        level = claim.hospital_level
        cols["level"].append(-1 if level is None else levels.setdefault(level, len(levels)))
        cols["total"].append(-1 if claim.total is None else fen(claim.total))
        cols["basic_paid"].append(-1 if claim.basic_paid is None else fen(claim.basic_paid))
        if person.enrolled_on is not None:
            any_enrolled = True
            cols["enrolled"].append(person.enrolled_on.toordinal() - _EPOCH)
        else:
            cols["enrolled"].append(NAT)
        if ytd is not None:
            any_ytd = True
            cols["ytd_basic_paid"].append(fen(ytd.basic_paid))
            cols["ytd_critical_illness_base"].append(fen(ytd.critical_illness_base))
            cols["ytd_assistance_base"].append(fen(ytd.assistance_base))
        else:
            for name in ("ytd_basic_paid", "ytd_critical_illness_base", "ytd_assistance_base"):
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
        ytd_basic_paid=col("ytd_basic_paid") if any_ytd else None,
        ytd_critical_illness_base=col("ytd_critical_illness_base") if any_ytd else None,
        ytd_assistance_base=col("ytd_assistance_base") if any_ytd else None,
    )


PersonClaims = tuple[Person, Sequence[Claim]] | tuple[Person, Sequence[Claim], YearToDate | None]
"""A person, their claims and optionally their year-to-date state, as for
:meth:`medcalc.Calculator.claims`."""


def compute_rows(
    book: TariffBook,
    series: str,
    people_and_claims: Iterable[PersonClaims],
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> Columns:
    """:func:`compute` over the Person/Claim objects :meth:`medcalc.Calculator.claims` takes.

    Rows come out person by person, each person's claims in the order given. A year-to-date
    state whose claims fall in more than one year makes every claim of that person an error,
    as the reference core refuses the whole call.
    """
    rows: list[ClaimRow] = []
    spread: list[tuple[int, int, InputError]] = []
    for index, item in enumerate(people_and_claims):
        person, claims = item[0], item[1]
        ytd = item[2] if len(item) > 2 else None
        years = sorted({c.date.year for c in claims})
        if ytd is not None and len(years) > 1:
            problem = InputError(
                "year-to-date accumulators belong to one year; these claims fall in "
                + ", ".join(str(y) for y in years),
                field="year_to_date",
            )
            spread.append((len(rows), len(rows) + len(claims), problem))
            ytd = None
        rows.extend((index, person, claim, ytd) for claim in claims)
    columns = compute(book, series, build_table(rows), chunk_rows=chunk_rows)
    if not spread:
        return columns
    problems = list(columns.problems)
    for lo, hi, problem in spread:
        columns.error[lo:hi] = len(problems)
        problems.append(problem)
        columns.covered[lo:hi] = False
        for amounts in (columns.basic, columns.critical_illness, columns.assistance):
            amounts[lo:hi] = 0
        columns.out_of_pocket[lo:hi] = 0
        columns.critical_illness_profile[lo:hi] = -1
    return attrs.evolve(columns, problems=tuple(problems))
