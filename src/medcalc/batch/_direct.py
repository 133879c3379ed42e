"""A large output written around the page cache (``O_DIRECT``), for the columnar path.

An output is written to a temporary file, fsync-ed, then moved onto OUT
(:func:`~medcalc.batch.write_atomically`): its bytes go to the disk before the batch ends
either way. Written through the page cache, each byte is first copied into a new cache page
(on the 2-core virtual machine of docs/performance.md, 0.5-0.6 s of system time for the
189 MB of 1 M claims, against 0.11 s written directly). With ``O_DIRECT`` the bytes go from
one reused, aligned buffer to the disk. Where the file system or the platform has no
``O_DIRECT`` (tmpfs, macOS, Windows), or a device refuses a direct write, the same bytes are
written the ordinary way.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["DirectFile", "direct_file"]

CHUNK = 8 << 20
"""Bytes per direct write (a multiple of any block size)."""
ALIGN = 4096
"""What a direct write's address, offset and length are a multiple of (the largest logical
block size in use; 512 divides it)."""


class DirectFile:
    """An open file written by :meth:`write` as a binary file is. ``direct``: around the page
    cache, the bytes staged in chunks of :data:`CHUNK`; :meth:`close` pads the last chunk to
    :data:`ALIGN`, writes it and cuts the file to the bytes given. Else each write goes to
    the file at once."""

    def __init__(self, fd: int, *, direct: bool) -> None:
        self.fd = fd
        self.direct = direct
        self._stage = mmap.mmap(-1, CHUNK)  # anonymous: page-aligned, reused for every chunk
        self._view = memoryview(self._stage)
        self._used = 0
        self._padded = False  # a padded direct write happened: the file is cut to size
        self.size = 0

    def write(self, data: Any) -> int:
        """Stage ``data`` (any bytes-like object); write each chunk filled. The ordinary way,
        written at once (a FIFO's reader gets the bytes as they come)."""
        given = memoryview(data).cast("B")
        at, n = 0, len(given)
        if not self.direct:
            while at < n:
                at += os.write(self.fd, given[at:])
            self.size += n
            return n
        while at < n:
            take = min(n - at, CHUNK - self._used)
            self._view[self._used : self._used + take] = given[at : at + take]
            self._used += take
            at += take
            if self._used == CHUNK:
                self._flush()
        self.size += n
        return n

    def _flush(self) -> None:
        length = self._used
        padded = -(-length // ALIGN) * ALIGN if self.direct else length
        self._view[length:padded] = bytes(padded - length)
        self._padded |= padded > length
        done = 0
        while done < padded:
            try:
                done += os.write(self.fd, self._view[done:padded])
            except OSError as exc:
                if not self.direct or exc.errno != errno.EINVAL:  # a direct write refused
                    raise
                self._buffered()
                padded = length
        self._used = 0

    def _buffered(self) -> None:
        """From here on, the ordinary way (the bytes written so far are whole chunks)."""
        _set_direct(self.fd, on=False)
        self.direct = False

    def close(self) -> None:
        """Write what is staged and cut the file to its size (the last chunk's padding)."""
        try:
            if self._used:
                self._flush()
            if self._padded:  # also when a refused direct write turned the rest ordinary
                os.ftruncate(self.fd, self.size)
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Close without writing what is staged (the file is being given up)."""
        self._view.release()
        self._stage.close()
        os.close(self.fd)


def _set_direct(fd: int, *, on: bool) -> None:
    """Turn ``O_DIRECT`` on or off for an open file (Linux and the BSDs allow it; OSError
    where the file system does not)."""
    import fcntl  # POSIX only, as O_DIRECT

    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    direct = getattr(os, "O_DIRECT", 0)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | direct if on else flags & ~direct)


@contextlib.contextmanager
def direct_file(path: Path, *, direct: bool = True) -> Iterator[DirectFile]:
    """``path`` opened for writing (created or emptied) as a binary file is, then written
    around the page cache where it is a regular file on a file system that allows it
    (``direct=False``: never); else the ordinary way (a FIFO or a device is opened and
    written as before). The file is closed on leaving; on an error, what was staged is not
    written (the caller gives the file up)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    around = False
    if direct and hasattr(os, "O_DIRECT") and stat.S_ISREG(os.fstat(fd).st_mode):
        try:
            _set_direct(fd, on=True)
            around = True
        except OSError:  # a file system without it: EINVAL
            pass
    try:
        opened = DirectFile(fd, direct=around)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield opened
    except BaseException:
        opened.abandon()
        raise
    opened.close()
