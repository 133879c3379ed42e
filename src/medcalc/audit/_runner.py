"""Running the audit: one invariant on one series (:func:`run_invariant`), every invariant on
every series (:func:`run_audit`), or one invariant as a function returning a minimal
counterexample (:func:`split_invariance`, …). Each takes ``calculator=``, what to audit
(default :class:`medcalc.Calculator`; see :class:`~medcalc.audit.AuditTarget`).

Searches use ``hypothesis.find`` with no example database, so nothing is written to disk and
the same seed gives the same verdicts and counterexamples.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Protocol

import attrs

from medcalc.audit._facts import Counterexample
from medcalc.audit._invariants import INVARIANTS, Invariant
from medcalc.audit._target import AuditTarget, Calculating, Tariffs
from medcalc.chain import Calculator
from medcalc.tariff import Tariff, TariffBook, Text

DEFAULT_EXAMPLES = 100
"""Random cases tried per invariant and series unless told otherwise."""

Status = Literal["pass", "fail", "n/a"]


@attrs.frozen
class Verdict:
    """The outcome of one invariant on one tariff series.

    ``status``: ``pass`` (no counterexample in ``examples`` random cases, nor in the fixed
    probes of the tariff-level invariants), ``fail`` (``counterexample`` is set), or ``n/a``
    (the series has nothing the invariant speaks about; ``reason`` says why).
    """

    invariant: str
    series: str
    status: Status
    examples: int
    seed: int
    seconds: float
    counterexample: Counterexample | None = None
    reason: Text | None = None

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def run_invariant(
    name: str,
    book_or_tariffs: TariffBook | Tariff | Iterable[Tariff],
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    *,
    series: str | None = None,
    calculator: Calculating = Calculator,
) -> Verdict:
    """Check invariant ``name`` on one series (``series``, or the only one) with ``examples``
    random cases; the same ``seed`` gives the same verdict and counterexample."""
    invariant = INVARIANTS.get(name)
    if invariant is None:
        raise ValueError(f"no invariant {name!r} (invariants: {', '.join(INVARIANTS)})")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"examples={examples!r} must be a whole number, 1 or more")
    target = AuditTarget.of(book_or_tariffs, series, calculator=calculator)
    return _run(invariant, target, examples, seed)


def _run(invariant: Invariant[Any], target: AuditTarget, examples: int, seed: int) -> Verdict:
    started = time.perf_counter()
    reason = invariant.applies(target)
    if reason is not None:
        return Verdict(invariant.name, target.series, "n/a", 0, seed, 0.0, None, reason)
    found = invariant.search(target, examples=examples, seed=seed)
    seconds = time.perf_counter() - started
    status: Status = "pass" if found is None else "fail"
    return Verdict(invariant.name, target.series, status, examples, seed, seconds, found)


def run_audit(
    book: TariffBook,
    series: Sequence[str] = (),
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    invariants: Sequence[str] = (),
    on_verdict: Callable[[Verdict], None] | None = None,
    calculator: Calculating = Calculator,
) -> list[Verdict]:
    """Every invariant (or those named) on every series of ``book`` (or those named)."""
    for name in invariants:
        if name not in INVARIANTS:
            raise ValueError(f"no invariant {name!r} (invariants: {', '.join(INVARIANTS)})")
    names = [name for name in INVARIANTS if not invariants or name in invariants]
    out = []
    for s in series or book.series():
        target = AuditTarget(book, s, calculator=calculator)
        for name in names:
            verdict = _run(INVARIANTS[name], target, examples, seed)
            out.append(verdict)
            if on_verdict is not None:
                on_verdict(verdict)
    return out


class InvariantFunction(Protocol):
    """One invariant as a function: a minimal :class:`Counterexample` on ``series`` (or the
    only series) of a book, a tariff or tariffs, or None."""

    def __call__(
        self,
        book_or_tariffs: Tariffs,
        *,
        series: str | None = None,
        examples: int = DEFAULT_EXAMPLES,
        seed: int = 0,
        calculator: Calculating = Calculator,
    ) -> Counterexample | None: ...


def _function(name: str, public: str, doc: str) -> InvariantFunction:
    """Invariant ``name`` as the function ``public``, documented by ``doc``."""

    def search(
        book_or_tariffs: Tariffs,
        *,
        series: str | None = None,
        examples: int = DEFAULT_EXAMPLES,
        seed: int = 0,
        calculator: Calculating = Calculator,
    ) -> Counterexample | None:
        target = AuditTarget.of(book_or_tariffs, series, calculator=calculator)
        return INVARIANTS[name].search(target, examples=examples, seed=seed)

    search.__name__ = search.__qualname__ = public
    search.__doc__ = doc
    return search


split_invariance = _function(
    "split",
    "split_invariance",
    """Splitting a stay's individual burden into several claims of the same year (basic_paid
    split with it) leaves the year's totals of each layer (``medcalc.chain.LAYERS``: critical
    illness, assistance) unchanged — less, in the half_even corner of spec §4.3, the fen
    min(i, step) holds back, which a split may hold back elsewhere (it then stays in the next
    layer's base).

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

order_invariance = _function(
    "order",
    "order_invariance",
    """Giving the claims in another order (same-day claims keeping their relative order)
    leaves every claim's amounts unchanged.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

year_to_date_equivalence = _function(
    "year_to_date",
    "year_to_date_equivalence",
    """Computing claims [a, b] together, or b alone from the accumulators a leaves, gives
    the same amounts for b (spec §4.4).

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

monotonicity = _function(
    "monotonic",
    "monotonicity",
    """More compliant cost in a year (under one version) never lowers the year's total
    benefit (basic + each layer: critical illness, assistance).

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

bounds = _function(
    "bounds",
    "bounds",
    """Every payment is 0 or more; basic + each layer (critical illness, assistance) is at
    most the compliant cost; out of pocket is between total - compliant and total; caps hold.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

uncapped = _function(
    "uncapped",
    "uncapped",
    """A profile without a cap (不设封顶) keeps paying: above every capped profile's
    ceiling, one more claim still pays.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

rounding = _function(
    "rounding",
    "rounding",
    """Every amount is a whole fen; the claims add up to the year's totals exactly; under
    one version each claim pays min(i, F*(X_after) - F*(X_before)) and min(j, A*(Y_after) -
    A*(Y_before)) of the scales rounded once on the year's accumulation.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

favourability = _function(
    "favourable",
    "favourability",
    """Tariff-level: each category's own profile pays at least the base profile at every
    cost (basic, critical illness, assistance).

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

extra_category = _function(
    "extra_category",
    "extra_category",
    """Holding one more category never raises what the person pays in premiums nor
    lowers the year's total benefit.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

rising_ratios = _function(
    "rising_ratios",
    "rising_ratios",
    """Tariff-level: critical-illness segment ratios never fall as the accumulated cost
    rises (base and each category, after the bonus).

    Returns a minimal :class:`Counterexample`, or None.
    """,
)

version_locality = _function(
    "version_locality",
    "version_locality",
    """A claim's amounts depend only on the version in force on its date and the
    accumulators before it; changing a later version or adding one changes no earlier claim.

    Returns a minimal :class:`Counterexample`, or None.
    """,
)
