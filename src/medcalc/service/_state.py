"""The tariff book in force, replaced atomically on reload.

A reload reads every file into a new book off the event loop; only when it loads clean does
it replace the old one (one reference assignment), so a request sees the old book or the new
one, never a mix, and a broken file leaves the old book serving.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from medcalc.chain import Calculator
from medcalc.errors import MedcalcError
from medcalc.messages import say
from medcalc.tariff import TariffBook, load_book


@attrs.frozen
class Loaded:
    """One loaded book and the calculator over it (its caches belong to this book)."""

    book: TariffBook
    calculator: Calculator
    loaded_at: float
    generation: int = 0
    """The supervisor's book generation (``--workers N``); 0 when loaded from the files."""


@attrs.frozen
class ReloadOutcome:
    ok: bool
    versions: int
    error: str | None


#: How often a worker looks for a new snapshot (a stat; the file is read only when it changed).
POLL_SECONDS = 0.2


@attrs.frozen
class Snapshot:
    """What the parent hands its workers: the book in force and the last reload's outcome."""

    generation: int
    """Counts every publication (a refused reload too)."""
    book_generation: int
    """The generation that brought ``book``: a worker swaps its book only when this changes."""
    book: TariffBook
    loaded_at: float
    error: str | None
    """The last refused reload's error (FILE:LINE:COL: …); None after a clean load."""
    supervisor: int
    """The parent's pid: where a worker sends SIGHUP to ask for a reload."""
    failed_at: float | None = None
    """When the reload in ``error`` was refused (a Unix time); None after a clean load."""


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot at ``path``; the file is the parent's (a private directory), never input."""
    with path.open("rb") as f:
        # Safe to unpickle: our parent wrote it into its own 0700 directory.
        snapshot = pickle.load(f)
    if not isinstance(snapshot, Snapshot):
        raise TypeError(say("service.not_snapshot", path=path))
    return snapshot


class TariffState:
    """The book the service computes with."""

    def __init__(self, tariff_dirs: Sequence[Path], snapshot: Path | None = None) -> None:
        self.tariff_dirs = tuple(tariff_dirs)
        self.snapshot = snapshot
        """The supervisor's snapshot (``--workers N``): the only source of the book then."""
        self._current: Loaded | None = None
        self._lock = threading.Lock()  # one reload at a time
        self.last_error: str | None = None
        """The last refused reload's error (FILE:LINE:COL: …, for the log and the admin)."""
        self.last_error_at: float | None = None
        """When that reload was refused (a Unix time): all ``/readyz`` tells anyone."""
        self.generation = 0
        """The snapshot generation applied last (it counts refused reloads too)."""
        self.supervisor: int | None = None
        self._seen: tuple[int, int] | None = None

    @property
    def current(self) -> Loaded | None:
        return self._current

    def require(self) -> Loaded:
        """The book in force; only a service that has not started has none."""
        found = self._current
        if found is None:
            raise RuntimeError(say("service.not_loaded"))
        return found

    def load(self) -> Loaded:
        """Load the tariffs (the first time); raise the loader's error as it is."""
        with self._lock:
            if self.snapshot is not None:
                self._apply(self._stamp())
                assert self._current is not None
                return self._current
            book = load_book(self.tariff_dirs)
            self._current = Loaded(book, Calculator(book), time.time())
            self.last_error = self.last_error_at = None
            return self._current

    def _stamp(self) -> tuple[int, int]:
        assert self.snapshot is not None
        stat = os.stat(self.snapshot)
        return stat.st_ino, stat.st_mtime_ns

    def snapshot_changed(self) -> bool:
        """Whether the supervisor has published since the last :meth:`refresh` (a stat: the
        snapshot is replaced by a rename, so a new one is a new inode)."""
        return self.snapshot is not None and self._stamp() != self._seen

    def refresh(self) -> ReloadOutcome | None:
        """Apply the supervisor's latest snapshot; None when there is none newer."""
        with self._lock:
            stamp = self._stamp()
            if stamp == self._seen:
                return None
            return self._apply(stamp)

    def _apply(self, stamp: tuple[int, int]) -> ReloadOutcome | None:
        assert self.snapshot is not None
        snap = read_snapshot(self.snapshot)
        self._seen = stamp
        if snap.generation <= self.generation:
            return None
        old = self._current
        if old is None or old.generation != snap.book_generation:
            book = snap.book
            self._current = Loaded(book, Calculator(book), snap.loaded_at, snap.book_generation)
        self.generation = snap.generation
        self.supervisor = snap.supervisor
        self.last_error = snap.error
        self.last_error_at = snap.failed_at
        return ReloadOutcome(snap.error is None, len(snap.book.tariffs), snap.error)

    def reload(self) -> ReloadOutcome:
        """Load the tariffs again; keep the old book when the new files do not load clean."""
        with self._lock:
            try:
                book = load_book(self.tariff_dirs)
            except MedcalcError as exc:
                self.last_error = str(exc)
                self.last_error_at = time.time()
                old = self._current
                return ReloadOutcome(False, 0 if old is None else len(old.book.tariffs), str(exc))
            self._current = Loaded(book, Calculator(book), time.time())
            self.last_error = self.last_error_at = None
            return ReloadOutcome(True, len(book.tariffs), None)
