"""The tariff book: every known version of every series, and the version in force on a date.

Pure data: it is built from already-loaded :class:`~medcalc.tariff.Tariff` objects
(:func:`medcalc.tariff.load_book` does the file work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import attrs

from medcalc.errors import TariffNotFoundError, TariffOverlapError
from medcalc.messages import say
from medcalc.tariff._model import Tariff


def _overlap(a: Tariff, b: Tariff) -> bool:
    """True when two effective ranges share a day (``to`` is inclusive; None is open-ended)."""
    a_ends_before_b = a.effective_to is not None and a.effective_to < b.effective_from
    b_ends_before_a = b.effective_to is not None and b.effective_to < a.effective_from
    return not (a_ends_before_b or b_ends_before_a)


def effective_range(t: Tariff) -> str:
    """The effective range, compactly: ``2018-01-01..2018-12-31`` (open: ``2018-01-01..``)."""
    return f"{t.effective_from.isoformat()}..{t.effective_to.isoformat() if t.effective_to else ''}"


@attrs.frozen
class TariffBook:
    """All versions of all series, each series' versions sorted by start date.

    Build it with :meth:`of`, which rejects overlapping versions of a series.
    """

    tariffs: tuple[Tariff, ...]

    @classmethod
    def of(cls, tariffs: Iterable[Tariff]) -> TariffBook:
        """Check and order the tariffs; raise :class:`TariffOverlapError` naming both files
        when two versions of a series overlap, or when a series repeats a version name."""
        ordered = sorted(tariffs, key=lambda t: (t.series, t.effective_from, t.path))
        for i, later in enumerate(ordered):
            for earlier in ordered[:i]:
                if earlier.series != later.series:
                    continue
                if earlier.version == later.version:
                    raise TariffOverlapError(
                        later.series,
                        earlier.path,
                        later.path,
                        say("tariff.version_twice", version=later.version),
                    )
                if _overlap(earlier, later):
                    raise TariffOverlapError(
                        later.series,
                        earlier.path,
                        later.path,
                        say(
                            "tariff.ranges_overlap",
                            later=later.version,
                            later_range=effective_range(later),
                            earlier=earlier.version,
                            earlier_range=effective_range(earlier),
                        ),
                    )
        return cls(tuple(ordered))

    def __iter__(self) -> Iterator[Tariff]:
        return iter(self.tariffs)

    def series(self) -> tuple[str, ...]:
        """Series names, sorted."""
        return tuple(sorted({t.series for t in self.tariffs}))

    def versions(self, series: str) -> tuple[Tariff, ...]:
        """The versions of ``series`` by start date; raise when there are none."""
        found = tuple(t for t in self.tariffs if t.series == series)
        if not found:
            known = ", ".join(self.series()) or say("value.none")
            raise TariffNotFoundError(say("tariff.no_series", series=repr(series), known=known))
        return found

    def get(self, series: str, version: str) -> Tariff:
        """The version named ``version`` of ``series``."""
        for t in self.versions(series):
            if t.version == version:
                return t
        known = ", ".join(t.version for t in self.versions(series))
        raise TariffNotFoundError(
            say("tariff.no_version", series=series, version=repr(version), known=known)
        )

    def in_force(self, series: str, day: dt.date) -> Tariff:
        """The version of ``series`` in force on ``day``."""
        for t in self.versions(series):
            if t.in_force_on(day):
                return t
        raise not_in_force(series, day)

    def with_proposal(self, proposal: Tariff) -> TariffBook:
        """This book with every version of the proposal's series replaced by ``proposal``
        (方案), re-dated to that version's effective range: a date computes under the
        proposal wherever some version was in force, and is an error wherever none was
        (``medcalc compare``, docs/compare.md). The proposal's own ``effective`` is ignored;
        its series must be one of this book's (:class:`TariffNotFoundError` naming both).

        Built without :meth:`of`'s checks: the ranges are the book's own, already apart, and
        the copies share the proposal's version name on purpose.
        """
        if proposal.series not in self.series():
            known = ", ".join(self.series()) or say("value.none")
            raise TariffNotFoundError(
                say(
                    "tariff.proposal_series",
                    path=proposal.path,
                    series=repr(proposal.series),
                    known=known,
                )
            )
        replaced = tuple(
            attrs.evolve(proposal, effective_from=t.effective_from, effective_to=t.effective_to)
            if t.series == proposal.series
            else t
            for t in self.tariffs
        )
        return TariffBook(replaced)


def not_in_force(series: str, day: dt.date) -> TariffNotFoundError:
    """The error of a date no version of ``series`` covers (also the fast engine's)."""
    return TariffNotFoundError(say("tariff.not_in_force", series=series, day=day.isoformat()))
