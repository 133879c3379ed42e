"""``medcalc serve --workers N``: one book for every worker, loaded and checked by the parent.

uvicorn's own supervisor answers SIGHUP by starting new workers that load the tariff files
themselves: a broken file on disk makes the new worker fail to start, and a worker that dies
then is replaced by one that cannot start either, which stops the whole service. Here the
parent is the only process that reads the tariff files. It loads them at start and on SIGHUP
and, only when they load clean, publishes the new book as a *snapshot* (a pickle in a private
directory, replaced atomically); a broken file is refused, logged with its FILE:LINE:COL, and
the snapshot keeps the old book (with the error and its time; ``/readyz`` tells the time).
Workers load the snapshot at start and whenever it changes (a ``stat`` every
:data:`POLL_SECONDS`), so every worker, a
replacement too, serves the last book the parent checked, and a file on disk never stops one.

A worker's SIGHUP or ``POST /v1/admin/reload`` asks the parent (its SIGHUP), so a reload
reaches every worker whichever process is told.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from socket import socket

import attrs
from uvicorn.config import Config
from uvicorn.supervisors.multiprocess import Multiprocess

from medcalc.errors import MedcalcError
from medcalc.service._state import Snapshot
from medcalc.tariff import TariffBook, load_book

SNAPSHOT_NAME = "book.pickle"

ERRORS = logging.getLogger("medcalc.service")


class Publisher:
    """The parent's side: loads the tariffs and publishes snapshots (one directory a run)."""

    def __init__(self, tariff_dirs: Sequence[Path], book: TariffBook) -> None:
        self.tariff_dirs = tuple(tariff_dirs)
        self.directory = Path(tempfile.mkdtemp(prefix="medcalc-serve-"))  # mode 0700
        self.path = self.directory / SNAPSHOT_NAME
        self.current = Snapshot(1, 1, book, time.time(), None, os.getpid())
        self._write(self.current)

    def _write(self, snapshot: Snapshot) -> None:
        # Written beside and renamed over: a worker opens either the old file or the new one.
        partial = self.directory / f".{SNAPSHOT_NAME}.{snapshot.generation}"
        with partial.open("wb") as f:
            pickle.dump(snapshot, f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(self.path)

    def reload(self) -> Snapshot:
        """Load the tariff files again: the new book when they load clean, else the old one
        with the error. Either way a new generation, so every worker learns the outcome."""
        old = self.current
        generation = old.generation + 1
        try:
            book = load_book(self.tariff_dirs)
        except MedcalcError as exc:
            new = attrs.evolve(old, generation=generation, error=str(exc), failed_at=time.time())
            ERRORS.error(
                "tariff reload refused; every worker keeps the tables in force",
                extra={"fields": {"error": str(exc), "generation": generation}},
            )
        else:
            new = Snapshot(generation, generation, book, time.time(), None, os.getpid())
            ERRORS.info(
                "tariffs reloaded; publishing to the workers",
                extra={"fields": {"tariff_versions": len(book.tariffs), "generation": generation}},
            )
        self._write(new)
        self.current = new
        return new

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class Supervisor(Multiprocess):
    """uvicorn's process manager, except that SIGHUP reloads the book in the parent and
    publishes it, instead of restarting every worker."""

    def __init__(self, config: Config, sockets: list[socket], publisher: Publisher) -> None:
        super().__init__(config, sockets)
        self.publisher = publisher

    def handle_hup(self) -> None:
        try:
            self.publisher.reload()
        except Exception:  # the parent must outlive any reload, whatever went wrong in it
            ERRORS.exception("tariff reload failed; every worker keeps the tables in force")


def serve_workers(config: Config, tariff_dirs: Sequence[Path], book: TariffBook) -> None:
    """Run ``config.workers`` workers on one socket, all serving the parent's snapshot."""
    publisher = Publisher(tariff_dirs, book)
    # The workers are spawned after this, so they inherit it (create_app reads it).
    os.environ["MEDCALC_SERVE_SNAPSHOT"] = str(publisher.path)
    try:
        sock = config.bind_socket()
        Supervisor(config, [sock], publisher).run()
    except KeyboardInterrupt:  # pragma: no cover - as uvicorn.run
        pass
    finally:
        publisher.close()
