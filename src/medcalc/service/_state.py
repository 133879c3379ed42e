"""The tariff book in force, replaced atomically on reload.

A reload reads every file into a new book off the event loop; only when it loads clean does
it replace the old one (one reference assignment), so a request sees the old book or the new
one, never a mix, and a broken file leaves the old book serving.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from medcalc.book import TariffBook
from medcalc.calculator import Calculator
from medcalc.discovery import load_book
from medcalc.errors import MedcalcError


@attrs.frozen
class Loaded:
    """One loaded book and the calculator over it (its caches belong to this book)."""

    book: TariffBook
    calculator: Calculator
    loaded_at: float


@attrs.frozen
class ReloadOutcome:
    ok: bool
    versions: int
    error: str | None


class TariffState:
    """The book the service computes with."""

    def __init__(self, tariff_dirs: Sequence[Path]) -> None:
        self.tariff_dirs = tuple(tariff_dirs)
        self._current: Loaded | None = None
        self._lock = threading.Lock()  # one reload at a time
        self.last_error: str | None = None

    @property
    def current(self) -> Loaded | None:
        return self._current

    def require(self) -> Loaded:
        """The book in force; only a service that has not started has none."""
        found = self._current
        if found is None:
            raise RuntimeError("the tariffs are not loaded yet")
        return found

    def load(self) -> Loaded:
        """Load the tariffs (the first time); raise the loader's error as it is."""
        with self._lock:
            book = load_book(self.tariff_dirs)
            self._current = Loaded(book, Calculator(book), time.time())
            self.last_error = None
            return self._current

    def reload(self) -> ReloadOutcome:
        """Load the tariffs again; keep the old book when the new files do not load clean."""
        with self._lock:
            try:
                book = load_book(self.tariff_dirs)
            except MedcalcError as exc:
                self.last_error = str(exc)
                old = self._current
                return ReloadOutcome(False, 0 if old is None else len(old.book.tariffs), str(exc))
            self._current = Loaded(book, Calculator(book), time.time())
            self.last_error = None
            return ReloadOutcome(True, len(book.tariffs), None)
