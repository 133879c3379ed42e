"""Finding and loading tariff files: the file-touching shell around :mod:`medcalc.tariff`.

Tariffs are looked for, in this order, in the bundled tables (shipped inside the package, or
the source checkout's ``tariffs/``), the ``--tariffs`` directories, and the directories of the
``MEDCALC_TARIFFS`` environment variable (a path list, separated like ``PATH``).

Every entry of ``MEDCALC_TARIFFS`` must be an existing directory, as ``--tariffs`` requires
(checked with ``stat``, so a FIFO is refused without being opened). Files are read with
:func:`medcalc.tariff.read_tariff_bytes`: a ``*.yaml`` that is not a regular file (a FIFO, a
device, a broken link) or is larger than :data:`medcalc.tariff.MAX_BYTES` is a problem at 1:1.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from medcalc.errors import Problem, TariffError, TariffFileError, TariffOverlapError
from medcalc.messages import say
from medcalc.tariff._book import TariffBook
from medcalc.tariff._loader import TariffCheck, file_kind, inspect_tariff, read_tariff_bytes
from medcalc.tariff._model import Tariff

__all__ = [
    "ENV_VAR",
    "SERIES_ENV_VAR",
    "bundled_dir",
    "default_series",
    "load_book",
    "tariff_dirs",
    "tariff_files",
    "validate_paths",
]

ENV_VAR = "MEDCALC_TARIFFS"
"""Environment variable with more tariff directories (``os.pathsep``-separated)."""

SERIES_ENV_VAR = "MEDCALC_SERIES"
"""Environment variable naming the default tariff series (:func:`default_series`)."""

_SUFFIXES = (".yaml", ".yml")


def bundled_dir() -> Path | None:
    """The tariff tables that ship with medcalc, or ``None`` when there are none.

    A wheel carries them as ``medcalc/_bundled_tariffs``; an editable install or a source
    checkout has them in the repository's ``tariffs/`` (``src/medcalc/../../tariffs``).
    """
    # The package folder is this module's grand-parent (medcalc/tariff/_discovery.py): no import
    # of the package root (which would pull in every floor above this one).
    package = Path(__file__).resolve().parent.parent
    inside = package / "_bundled_tariffs"
    if inside.is_dir():
        return inside
    # Only a src-layout checkout: an installed package's grand-parent is not ours to read.
    if package.parent.name == "src":
        checkout = package.parent.parent / "tariffs"
        if checkout.is_dir():
            return checkout
    return None


def tariff_dirs(
    extra: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    *,
    bundled: bool = True,
) -> list[Path]:
    """The directories to search: bundled, then ``extra`` (``--tariffs``), then
    ``MEDCALC_TARIFFS`` from ``env`` (default: ``os.environ``); empty entries are skipped.

    ``extra`` is a list of directories: one path given alone (a ``str``, ``bytes`` or
    ``Path``) or an entry that is not a path raises :class:`TariffError` rather than being
    read as a sequence of characters. Raise :class:`TariffError` too when an entry of
    ``MEDCALC_TARIFFS`` is not an existing directory (``--tariffs`` is checked the same way
    by the command line)."""
    environ = os.environ if env is None else env
    dirs: list[Path] = []
    if bundled and (found := bundled_dir()) is not None:
        dirs.append(found)
    dirs.extend(_extra_dirs(extra))
    entries = environ.get(ENV_VAR, "").split(os.pathsep)
    dirs.extend(_env_dir(entry) for entry in entries if entry.strip())
    return dirs


def _extra_dirs(extra: object) -> list[Path]:
    """``extra`` as paths; a lone path or a non-path entry is a :class:`TariffError`."""
    # A str is a Sequence too: walking it would look for directories 't', 'a', ...
    if isinstance(extra, str | bytes | os.PathLike):
        shown = os.fsdecode(extra)
        raise TariffError(say("discovery.one_path", path=shown))
    if not isinstance(extra, Iterable):
        raise TariffError(say("discovery.not_list", type=type(extra).__name__))
    out: list[Path] = []
    for position, entry in enumerate(extra, start=1):
        try:
            # Path() also refuses a PathLike whose path is bytes.
            out.append(Path(entry))
        except TypeError:
            message = say(
                "discovery.entry", position=position, type=type(entry).__name__, entry=repr(entry)
            )
            raise TariffError(message) from None
    return out


def _env_dir(entry: str) -> Path:
    path = Path(entry)
    try:
        mode = path.stat().st_mode  # stat, not open: a FIFO must not block
    except FileNotFoundError as exc:
        raise TariffError(say("discovery.env_missing", var=ENV_VAR, entry=entry)) from exc
    except OSError as exc:
        reason = exc.strerror or exc
        raise TariffError(
            say("discovery.env_unusable", var=ENV_VAR, entry=entry, reason=reason)
        ) from exc
    if not stat.S_ISDIR(mode):
        kind = say("file.kind.file") if stat.S_ISREG(mode) else file_kind(mode)
        raise TariffError(
            say("discovery.env_not_dir", var=ENV_VAR, entry=entry, kind=kind, sep=os.pathsep)
        )
    return path


def tariff_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories searched recursively for ``*.yaml`` / ``*.yml``.

    Each directory's files are sorted; hidden files and directories (editor backups, ``.git``)
    are skipped. A path that does not exist is kept, so reading it reports the problem; so is
    a ``*.yaml`` in a directory that is not a regular file (a FIFO, a broken link), rather than
    lost quietly. A file reached twice (the same directory given twice) is listed once.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in _SUFFIXES
                and not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                out.append(file)
    return out


def _check_file(path: Path) -> TariffCheck:
    try:
        data = read_tariff_bytes(path)
    except TariffFileError as exc:
        return TariffCheck(None, exc.problems)
    except FileNotFoundError:
        return TariffCheck(None, (Problem(str(path), 1, 1, say("file.missing")),))
    except OSError as exc:
        message = say("file.unreadable", reason=exc.strerror or exc)
        return TariffCheck(None, (Problem(str(path), 1, 1, message),))
    return inspect_tariff(data, str(path))


def _check_all(files: Sequence[Path]) -> tuple[list[TariffCheck], list[Problem]]:
    checks = [_check_file(f) for f in files]
    return checks, [p for c in checks for p in c.problems]


def load_book(
    extra: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    *,
    bundled: bool = True,
) -> TariffBook:
    """Load every tariff file of :func:`tariff_dirs` into a :class:`TariffBook`.

    Raise one :class:`TariffFileError` with every problem of every file, or
    :class:`TariffOverlapError` (naming both files) when two versions of a series overlap.
    """
    files = tariff_files(tariff_dirs(extra, env, bundled=bundled))
    checks, problems = _check_all(files)
    if problems:
        raise TariffFileError(problems)
    return TariffBook.of(c.tariff for c in checks if c.tariff is not None)


def default_series(book: TariffBook, environ_value: str | None) -> str | None:
    """The series of a calculation that names none (默认待遇标准), one rule for every command:
    ``environ_value`` (the value of ``MEDCALC_SERIES``, :data:`SERIES_ENV_VAR`) when it is
    not blank; else the only series ``book`` has (the bundled tables, ``--tariffs`` and
    ``MEDCALC_TARIFFS`` together); else None (the caller asks for ``--series``). A series
    given on the command line (``--series``) overrides it; an unknown one is the caller's to
    refuse (:meth:`TariffBook.versions` names the known ones).

    >>> book = TariffBook.of([])
    >>> default_series(book, " qingyuan-qingcheng "), default_series(book, None)
    ('qingyuan-qingcheng', None)
    """
    if environ_value is not None and environ_value.strip():
        return environ_value.strip()
    found = book.series()
    return found[0] if len(found) == 1 else None


def validate_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in every file under ``paths``, then every overlap between the valid
    files found (reported at the later file's ``effective`` key). Empty when all is well."""
    checks, problems = _check_all(tariff_files(paths))
    valid = [c for c in checks if c.tariff is not None]
    problems.extend(_overlaps(valid))
    return problems


def _overlaps(checks: Sequence[TariffCheck]) -> list[Problem]:
    """Each pair of versions of one series that :meth:`TariffBook.of` refuses, as a problem."""
    where = {c.tariff.path: c for c in checks if c.tariff is not None}
    tariffs: list[Tariff] = sorted(
        (c.tariff for c in checks if c.tariff is not None),
        key=lambda t: (t.series, t.effective_from, t.path),
    )
    out: list[Problem] = []
    for i, later in enumerate(tariffs):
        for earlier in tariffs[:i]:
            if earlier.series != later.series:
                continue
            try:
                # The book owns the overlap rule; a pair at a time gives every overlap.
                TariffBook.of([earlier, later])
            except TariffOverlapError as exc:
                at = where[exc.second]
                # The error's text starts with the later file's path; the Problem adds it back.
                message = str(exc).removeprefix(f"{exc.second}: ")
                out.append(Problem(exc.second, at.effective_line, at.effective_column, message))
    return out
