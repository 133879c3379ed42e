"""The tariff as integer tables: per version and person kind, what a row needs, by index.

Everything that depends on the tariff version and the categories held (deductibles, ratios,
caps, thresholds, segment lines, the error a claim would raise) is computed once per
*profile set* (version x categories held) with the reference's own profile builders, and
looked up per row by index.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from medcalc.chain import (
    CLAIM_PERSON_FIELDS,
    LAYERS,
    basic_profiles,
    held_categories,
    problems,
)
from medcalc.errors import EngineRangeError, InputError, MedcalcError
from medcalc.fast._scales import Candidate, ScaleTable, exact_candidates
from medcalc.fast._table import I63, I64, INF, IP, NO_VERSION, OK, PersonKind, fen, yuan
from medcalc.messages import say
from medcalc.money import EXACT, fmt
from medcalc.tariff import Tariff, TariffBook

MAX_DECIMALS = 18
"""The most decimals a ratio may have: with 10**18 as the scale, amounts up to 3 fen still
fit (2 x amount x scale < 2**63); beyond, no amount at all is exact in int64."""


class Problems:
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


_Basic = tuple[tuple[tuple[Decimal, Decimal] | None, ...], Decimal | None]
"""A basic candidate: per level code (deductible, ratio) or None, and the cap."""


class Plan:
    """Integer lookup tables for one series, the person kinds and the level names of a table.

    A *pair* is (version + 1, kind) (version -1: none in force); a *profile set* P is
    (version, categories held), shared by the kinds that hold the same categories.
    ``layers``: one :class:`ScaleTable` per accumulated layer (:data:`medcalc.chain.LAYERS`).
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
        self.problems = Problems()
        self.nk = len(kinds)
        self.nl = len(level_names) + 1  # level code + 1; 0 = not given
        sets = self._pairs(kinds)
        self.np = n_sets = len(sets)
        self.p_version = np.zeros(n_sets, np.intp)
        self.p_layer_err = np.full(n_sets, OK, np.intp)
        self.pl_err = np.full(n_sets * self.nl, OK, np.intp)
        basic: list[list[_Basic]] = []
        layers: list[list[list[tuple[str, Candidate]]]] = [[] for _ in LAYERS]
        ratios: set[Decimal] = set()
        missing_level = self.problems.add(problems.no_hospital_level())
        for (v, held), p in sets.items():
            tariff = self.versions[v]
            self.p_version[p] = v
            basic.append(self._basic(tariff, v, held, p, level_names, missing_level, ratios))
            for i, layer in enumerate(LAYERS):
                scales = layer.candidates(tariff, held)
                if scales is None:  # a claim cannot be computed: the layer's first error
                    if self.p_layer_err[p] == OK:
                        missing = problems.section_missing(tariff, layer.section)
                        self.p_layer_err[p] = self.problems.add(missing)
                    scales = ()
                for scale in scales:
                    ratios.update(scale.ratios)
                layers[i].append(exact_candidates(scales))
        self._scale(ratios)
        even = [self.versions[v].rounding == "half_even" for v in self.p_version.tolist()]
        self.p_even = np.array(even, np.bool_)
        self.even: bool | None = even[0] if len(set(even)) == 1 else None
        self._basic_tables(basic)
        self.layers = [ScaleTable(c, self._fen, self._num, self.round) for c in layers]
        self.profile_names = self.layers[0].names
        self._error_tables()

    def _pairs(self, kinds: Sequence[PersonKind]) -> dict[tuple[int, tuple[str, ...]], int]:
        """Per pair: its profile set, its own error (no version, the person's categories),
        when benefits start; the profile sets found, each (version, categories held)."""
        nv, nk = len(self.versions), self.nk
        npairs = (nv + 1) * nk
        self.pair_p = np.zeros(npairs, np.intp)
        self.pair_err = np.full(npairs, OK, np.intp)
        self.pair_err[:nk] = NO_VERSION
        self.pair_mode = np.zeros(npairs, np.intp)  # 0 same day, 1 next month, 2 no section
        self.pair_enr_err = np.full(npairs, OK, np.intp)
        sets: dict[tuple[int, tuple[str, ...]], int] = {}
        person_errors: set[int] = set()
        for v, tariff in enumerate(self.versions):
            enr = OK
            if tariff.enrollment is None:
                enr = self.problems.add(problems.no_enrollment(tariff))
            for k, kind in enumerate(kinds):
                pair = (v + 1) * nk + k
                try:
                    held = held_categories(tariff, kind.person())
                except InputError as exc:
                    code = self.problems.add(exc)
                    self.pair_err[pair] = code
                    if exc.field in CLAIM_PERSON_FIELDS:
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
        return sets

    def _scale(self, ratios: set[Decimal]) -> None:
        """The common scale of every ratio's numerator, and the amounts it keeps exact."""
        self.decimals = max([1, *(_digits(r) for r in ratios)])
        if self.decimals > MAX_DECIMALS:
            # Checked before 10 ** decimals is formed (thousands of decimals: a huge int whose
            # text Python refuses to write beyond 4300 digits).
            raise EngineRangeError(
                say(
                    "engine.ratio_decimals",
                    series=self.series,
                    decimals=self.decimals,
                    most=MAX_DECIMALS,
                )
            )
        self.scale = 10**self.decimals
        # Every product is at most 2 x amount x scale; amounts up to `limit` keep it in int64.
        self.limit = I63 // (2 * self.scale) - 1

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
            code = self.problems.add(problems.no_inpatient(tariff))
            self.pl_err[p * nl + 1 : (p + 1) * nl] = code
            return []
        levels = []
        for code_, name in enumerate(level_names, start=1):
            level = tariff.hospital_level(name)
            if level is None:
                problem = problems.unknown_hospital_level(tariff, name)
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

    # -- integer tables --

    def _fen(self, amount: Decimal) -> int:
        value = fen(amount)
        if value > self.limit:
            raise EngineRangeError(
                say(
                    "engine.tariff_amount",
                    amount=fmt(amount),
                    decimals=self.decimals,
                    limit=fmt(yuan(self.limit)),
                )
            )
        return value

    def _num(self, ratio: Decimal) -> int:
        scaled = EXACT.multiply(ratio, Decimal(self.scale))
        assert scaled == scaled.to_integral_value(context=EXACT)
        return int(scaled)

    def _cap(self, cap: Decimal | None) -> int:
        return INF if cap is None else self._fen(cap)

    def _basic_tables(self, basic: list[list[_Basic]]) -> None:
        """Per profile set and level code (``P * nl + level + 1``): each basic candidate's
        deductible (fen) and ratio (over the scale); per profile set its cap; and the same
        per (pair, level code) for the first pass over the rows."""
        nl, n_sets = self.nl, self.np
        self.cb = cb = max([1, *(len(b) for b in basic)])
        self.b_d = [np.zeros(n_sets * nl, np.int64) for _ in range(cb)]
        self.b_r = [np.zeros(n_sets * nl, np.int64) for _ in range(cb)]
        self.b_cap = [np.full(n_sets, INF, np.int64) for _ in range(cb)]
        has = [np.zeros(n_sets, np.bool_) for _ in range(cb)]
        self.mincap = np.full(n_sets, INF, np.int64)
        for p, candidates in enumerate(basic):
            for c, (per_level, cap) in enumerate(candidates):
                has[c][p] = True
                self.b_cap[c][p] = self._cap(cap)
                self.mincap[p] = min(int(self.mincap[p]), int(self.b_cap[c][p]))
                for code, values in enumerate(per_level):
                    if values is not None:
                        self.b_d[c][p * nl + code] = self._fen(values[0])
                        self.b_r[c][p * nl + code] = self._num(values[1])
        self.any_cap = bool((self.mincap < INF).any())
        self.lowest_cap = int(self.mincap.min())
        # The cap all basic candidates of a profile set share (-1: they differ).
        self.cap_one = np.full(n_sets, -1, np.int64)
        for p, candidates in enumerate(basic):
            caps = {self._cap(cap) for _, cap in candidates} or {INF}
            if len(caps) == 1:
                self.cap_one[p] = caps.pop()
        at = (self.pair_p[:, None] * nl + np.arange(nl)).ravel()  # pair * nl + code -> P row
        self.q_d = [t.take(at) for t in self.b_d]
        self.q_r = [t.take(at) for t in self.b_r]
        self.q_has = [h.take(self.pair_p) for h in has]

    def _error_tables(self) -> None:
        """The error code of a row by (pair, level code) and state: 0 not covered, 1 covered
        with basic_paid given, 2 covered and basic to compute; +3 when enrolled_on is given.
        In the reference's order: version, categories, enrolment, basic, the layers."""
        nl = self.nl
        pair = np.repeat(np.arange(self.pair_p.shape[0]), nl)
        p = self.pair_p.take(pair)
        pl = p * nl + np.tile(np.arange(nl), self.pair_p.shape[0])
        own = self.pair_err.take(pair)
        layers = self.p_layer_err.take(p)
        basic = self.pl_err.take(pl)
        covered_given = layers
        covered = np.where(basic != OK, basic, layers)
        enr = self.pair_enr_err.take(pair)
        states = []
        for enrolled in (False, True):
            for state in (np.full_like(own, OK), covered_given, covered):
                if enrolled:
                    state = np.where(enr != OK, enr, state)
                states.append(np.where(own != OK, own, state))
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
