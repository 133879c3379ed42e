"""Strict reading of tariff files (format 1): YAML bytes → :class:`~medcalc.tariff.Tariff`.

A tariff is a legal table, so nothing is guessed. The file is composed into YAML nodes that
keep their line and column (:mod:`medcalc.tariff._yaml`), and read by
:class:`~medcalc.tariff._reader.TariffReader`: scalars from their text (``0.6`` becomes
``Decimal("0.6")``, never a float, and ``no`` is refused where an amount is expected instead
of becoming ``False``), then the header, the declarations and each section of
``TARIFF_SECTIONS``.

Every problem in a file is collected (one bad value does not stop the check of the rest) and
reported as a :class:`~medcalc.errors.Problem` at ``FILE:LINE:COLUMN`` (1-based), in file
order. A :class:`Tariff` is only built when there is no problem. The rules that are decisions
rather than YAML are listed in ``docs/tariff-format.md`` and in the reading modules
(``_read_values``: numbers, amounts, ratios, text, dates, caps; ``_read_declared``: names).

Limits, so that no file can make the check slow, deep or unbounded (each is a problem at
``FILE:LINE:COL``, never a traceback): a file is at most :data:`MAX_BYTES`; it holds no control
character (other than tab and line ends) and no invisible direction mark; collections nest at
most :data:`MAX_DEPTH` deep. The work is linear in the size of the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from medcalc.errors import Problem, TariffFileError
from medcalc.messages import say
from medcalc.tariff._model import Tariff
from medcalc.tariff._reader import FORMAT, TariffCheck, TariffReader
from medcalc.tariff._yaml import MAX_DEPTH, Parser

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "TariffCheck",
    "YamlParser",
    "check_tariff",
    "file_kind",
    "inspect_tariff",
    "load_tariff",
    "parse_tariff",
    "read_tariff_bytes",
]

MAX_BYTES = 256 * 1024
"""The largest tariff file read (256 KiB): some 18 times the largest real table (14 KB). The
densest file of that size (a list of 0s) takes about 1.5 s to check, at some 10 µs per YAML
event; a larger file is refused from its size, before it is read."""

YamlParser = Parser
"""The ``parser`` of :func:`inspect_tariff` and :func:`check_tariff`: ``"libyaml"`` (PyYAML's
C parser, some 15 times faster) or ``"python"`` (PyYAML's own); ``None``, the default, is
libyaml when PyYAML has it. Both give the same problems at the same places; only the wording
of a YAML syntax error differs."""


# -- public functions -------------------------------------------------------------------------


def inspect_tariff(
    data: bytes,
    path: str,
    *,
    max_bytes: int | None = MAX_BYTES,
    parser: YamlParser | None = None,
) -> TariffCheck:
    """Check the bytes of one tariff file; never raises for a problem in the file.
    ``max_bytes=None`` lifts the size limit (for benchmarks); ``parser`` chooses the YAML
    parser (:data:`YamlParser`; ``"libyaml"`` without libyaml is a ``ValueError``)."""
    if max_bytes is not None and len(data) > max_bytes:
        return TariffCheck(None, (Problem(path, 1, 1, _too_large(len(data), max_bytes)),))
    return TariffReader(path, data, parser).run()


def check_tariff(data: bytes, path: str, *, parser: YamlParser | None = None) -> list[Problem]:
    """Every problem in the file, in file order (empty when the file is a valid tariff);
    ``parser`` as for :func:`inspect_tariff`."""
    return list(inspect_tariff(data, path, parser=parser).problems)


def parse_tariff(data: bytes, path: str, *, max_bytes: int | None = MAX_BYTES) -> Tariff:
    """Build the tariff from a file's bytes; ``path`` is only used in messages and kept in
    :attr:`Tariff.path`. Raise :class:`TariffFileError` listing every problem."""
    result = inspect_tariff(data, path, max_bytes=max_bytes)
    if result.tariff is None:
        raise TariffFileError(result.problems)
    return result.tariff


def read_tariff_bytes(path: Path) -> bytes:
    """The bytes of a tariff file, refused (:class:`TariffFileError` at 1:1) when it is not a
    regular file or is larger than :data:`MAX_BYTES`; an ``OSError`` passes through.

    The file is opened without blocking, so a FIFO or a device is refused rather than read
    (a FIFO would wait for a writer forever, ``/dev/zero`` never ends)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
    except OSError:  # pragma: no cover - fstat of an open descriptor does not fail
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        problem = say("file.not_regular", kind=file_kind(info.st_mode))
        raise TariffFileError([Problem(str(path), 1, 1, problem)])
    with os.fdopen(fd, "rb") as file:
        data = file.read(MAX_BYTES + 1)  # never more, whatever the size said
    if len(data) > MAX_BYTES:
        size = max(info.st_size, len(data))
        raise TariffFileError([Problem(str(path), 1, 1, _too_large(size, MAX_BYTES))])
    return data


def load_tariff(path: Path) -> Tariff:
    """Read and build one tariff file; ``Tariff.sha256`` is the hash of its exact bytes."""
    try:
        data = read_tariff_bytes(path)
    except OSError as exc:
        raise TariffFileError([Problem(str(path), 1, 1, _os_message(exc))]) from exc
    return parse_tariff(data, str(path))


def _os_message(exc: OSError) -> str:
    return say("file.unreadable", reason=exc.strerror or exc)


def _too_large(size: int, limit: int) -> str:
    return say("file.too_large", size=size, limit=limit)


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, for messages: ``a FIFO``, ``a directory``."""
    kinds = [
        (stat.S_ISDIR, "file.kind.directory"),
        (stat.S_ISFIFO, "file.kind.fifo"),
        (stat.S_ISCHR, "file.kind.char"),
        (stat.S_ISBLK, "file.kind.block"),
        (stat.S_ISSOCK, "file.kind.socket"),
    ]
    return say(next((name for test, name in kinds if test(mode)), "file.kind.special"))
