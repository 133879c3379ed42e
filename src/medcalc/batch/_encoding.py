"""The encoding of a CSV or JSON Lines input (docs/cli-batch.md §2), decided by evidence over
the whole file: a UTF-8 BOM means UTF-8; else UTF-8 or GB18030 (what Excel on Chinese Windows
saves as "CSV"), a mixed file refused (:func:`detect_encoding`). Also the check of an encoding
a user names (:func:`check_encoding`).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from medcalc.errors import BatchFileError, InputError, UsageError
from medcalc.messages import say

__all__ = ["OUTPUT_SAMPLE", "ascii_head", "check_encoding", "detect_encoding", "read_text"]


#: Characters a UTF-8 reading of a clerk's file may plausibly hold besides ASCII: Latin-1,
#: punctuation and symbols, CJK (ideographs of every plane, punctuation, kana, full-width
#: forms), and digits of any script (``\d``: category Nd; a run of them is a number someone
#: typed, which the row parser refuses naming the digit). GB18030 text misread as UTF-8 gives
#: Hebrew, Armenian, Cyrillic, Greek, Latin Extended, C1 controls… (住院 -> סԺ, 袁野 -> ԬҰ,
#: 魏巍 -> κΡ): none of these.
_IMPLAUSIBLE_CLASS = (
    "[^\\d\x00-\x7f\u00a0-\u00ff\u2000-\u27bf\u2e80-\u2fdf\u3000-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\ufeff\uff00-\uffef\U00020000-\U0003134f]"
)


@functools.cache
def _implausible() -> re.Pattern[str]:
    """The pattern of an implausible character, compiled when first needed (1.8 ms: an
    ASCII file never needs it)."""
    return re.compile(_IMPLAUSIBLE_CLASS)


#: A GB18030 character (2 or 4 bytes) or a single byte; group 1: a GB2312 character (both
#: bytes A1-FE), the common repertoire that real GB18030 text is made of.
_GB_CHARACTER = re.compile(
    b"([\xa1-\xf7][\xa1-\xfe])|[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]"
    b"|[\x81-\xfe][\x40-\xfe]|[\x00-\xff]"
)
_ENCODING_BLOCK = 1 << 22
#: Bytes that never start a character outside :func:`_implausible`'s plausible set in UTF-8:
#: ASCII, continuation bytes, C3 (U+00C0-00FF) and E3-E9 (U+3000-9FFF, CJK). A valid UTF-8
#: block made of these alone is plausible without the regular expression (a typical Chinese
#: file: 0.4 s less per 100 MB).
_PLAIN_UTF8_BYTES = bytes([*range(0xC2), 0xC3, *range(0xE3, 0xEA)])


def _script(char: str) -> str:
    """The script of a letter (first word of its Unicode name), "" for anything else."""
    return unicodedata.name(char, "").split(" ", 1)[0] if char.isalpha() else ""


def _utf8_score(text: str) -> int:
    """Bytes of non-ASCII characters that are plausible in a UTF-8 reading: those outside
    :func:`_implausible`, digits of any script (category Nd: a number someone typed, which
    the row parser then refuses naming the digit; ``٣٤٥`` must not become GB18030 ``伲伽佶``),
    and letters of any script in a run of 3 or more of that script (a word: real Cyrillic or
    Arabic names are words; misread GB18030 gives mixed scripts)."""
    score = 0
    for script, group in itertools.groupby(text, _script):
        chars = list(group)
        word = bool(script) and len(chars) >= 3
        for char in chars:
            if char >= "\x80" and (word or not _implausible().match(char)):
                score += len(char.encode("utf-8"))
    return score


def _gb_score(line: bytes) -> int:
    """Bytes of GB2312 characters in a GB18030 reading of ``line``."""
    return 2 * sum(1 for found in _GB_CHARACTER.findall(line) if found)


def _line_encoding(line: bytes) -> str | None:
    """How one non-ASCII line reads: ``utf-8``, ``gb18030``, None when both read it equally
    well; ValueError when neither can."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        line.decode("gb18030")  # ValueError when it is neither
        return "gb18030"
    try:
        line.decode("gb18030")
    except UnicodeDecodeError:
        return "utf-8"
    utf8, gb = _utf8_score(text), _gb_score(line)
    return "utf-8" if utf8 > gb else "gb18030" if gb > utf8 else None


def _blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file in blocks that end at a line end, each with the number of its first line;
    a block of ASCII only is counted, not yielded (nothing in it votes)."""
    number, held = 1, b""
    with path.open("rb") as f:
        while chunk := f.read(_ENCODING_BLOCK):
            if chunk.isascii() and held.isascii():
                # ``held`` has no line feed: the lines end in ``chunk``, which is not copied
                number += chunk.count(b"\n")
                cut = chunk.rfind(b"\n") + 1
                held = chunk[cut:] if cut else held + chunk
                continue
            data = held + chunk
            cut = data.rfind(b"\n") + 1
            block, held = data[:cut], data[cut:]
            if block:
                yield number, block
                number += block.count(b"\n")
    if held:
        yield number, held


def _votes(path: Path, *, every_line: bool) -> dict[str, int]:
    """The first line that reads better in each encoding (``utf-8``, ``gb18030``).

    Without ``every_line`` a block that is valid UTF-8 with only plausible characters is not
    looked at line by line (no line of it can read better as GB18030): the cheap common case.
    """
    first: dict[str, int] = {}
    for number, block in _blocks(path):
        if block.isascii():
            continue
        lines: list[bytes | str] | None = None
        if not every_line:
            try:
                text = block.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and (
                not block.translate(None, _PLAIN_UTF8_BYTES) or not _implausible().search(text)
            ):
                first.setdefault("utf-8", number)  # at or before its first UTF-8 line
                continue
            with contextlib.suppress(UnicodeDecodeError):
                block.decode("gb18030")  # valid: the lines that are not UTF-8 are GB18030
                # as text with the bytes that are not UTF-8 as lone surrogates (C speed)
                lines = list(block.decode("utf-8", "surrogateescape").split("\n"))
        if lines is None:
            lines = list(block.split(b"\n"))
        for offset, line in enumerate(lines):
            if line.isascii():
                continue
            if isinstance(line, str):
                if _NOT_UTF8.search(line):
                    first.setdefault("gb18030", number + offset)
                    continue
                line = line.encode("utf-8")
            try:
                encoding = _line_encoding(line)
            except ValueError:
                message = say("batch.neither_encoding", path=path, line=number + offset)
                raise BatchFileError(message) from None
            if encoding is not None and encoding not in first:
                first[encoding] = number + offset
                if len(first) == 2 and every_line:
                    return first
    return first


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, surrogate-escaped


def detect_encoding(path: Path, *, utf8: Callable[[Path], bool] | None = None) -> str:
    """The encoding of a CSV or JSON Lines file, decided by evidence over the whole file.

    ``utf-8-sig`` for a UTF-8 BOM. Else every line with non-ASCII bytes is read both as
    UTF-8 and as GB18030 (what Excel on Chinese Windows saves as "CSV"): a line that only
    one of them can read votes for it; a line both can read votes for the reading with more
    bytes in plausible characters (UTF-8: CJK, Latin-1, punctuation, digits of any script,
    words of one script; GB18030: GB2312 characters), none on a tie. ``gb18030`` when lines
    vote only for it, else ``utf-8``. :class:`BatchFileError` when lines vote for both (a
    mixed file: the message names the first line of each), when a line is neither, or for
    UTF-16.

    Valid UTF-8 whose every character is plausible is decided without the line-by-line
    reading. ``utf8`` is accepted for compatibility and not needed.
    """
    del utf8  # the decision reads the text itself
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        # The BOM says UTF-8 for line 1 only: a later line saved in GB18030 (Excel appending
        # to a file) is still a mixed file, and its bytes may be valid UTF-8 by accident.
        first = _votes(path, every_line=False)
        if "gb18030" in first:
            raise _mixed_error(path, ("utf-8", 1), ("gb18030", first["gb18030"]))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BatchFileError(say("batch.utf16", path=path))
    first = _votes(path, every_line=False)
    if "gb18030" in first and "utf-8" in first:
        first = _votes(path, every_line=True)  # which UTF-8 line exactly, if any
    if "gb18030" not in first:
        return "utf-8"
    if "utf-8" not in first:
        return "gb18030"
    earlier, later = sorted(first.items(), key=lambda item: item[1])
    raise _mixed_error(path, earlier, later)


def ascii_head(path: Path, size: int = 1 << 20) -> bool:
    """True when the first ``size`` bytes of the file are ASCII (no BOM, no byte beyond).

    A reader that then finds only ASCII in the whole file needs no :func:`detect_encoding`
    (an ASCII file is UTF-8 to it, and it has no line that votes); one that finds a byte
    beyond must ask it, and read the file again in the encoding it decides. False when the
    file cannot be read (its reader says why)."""
    try:
        with path.open("rb") as f:
            return f.read(size).isascii()
    except OSError:
        return False


def read_text(path: Path) -> str:
    """A whole file as text, in the encoding ``medcalc batch`` decides for it
    (:func:`detect_encoding`): how a reader that takes the file at once reads it
    (``medcalc claim --claims``). :class:`BatchFileError` from the decision (a mixed file,
    UTF-16); :class:`~medcalc.errors.InputError` naming the first byte that cannot be read
    (possible only after a UTF-8 BOM)."""
    encoding = detect_encoding(path)
    try:
        return path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        message = say("batch.byte", path=path, byte=exc.start + 1, encoding=encoding)
        raise InputError(message) from None


def _mixed_error(path: Path, earlier: tuple[str, int], later: tuple[str, int]) -> BatchFileError:
    """The error for a file whose line ``later`` reads in another encoding than ``earlier``."""
    (one, at), (other, line) = earlier, later
    return BatchFileError(
        say("batch.mixed", path=path, line=line, encoding=_LABEL[other], at=at, other=_LABEL[one])
    )


_LABEL = {"utf-8": "UTF-8", "gb18030": "GB18030"}


def check_encoding(name: str, option: str, sample: str | None = None) -> str:
    """The codec's name for a text encoding; :class:`UsageError` for an unknown one, a
    codec that is not a text encoding (``rot13``, ``base64``), or, given ``sample``, one that
    cannot write that ASCII text (``idna``)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a name with a NUL
        raise UsageError(say("batch.unknown_encoding", option=option, name=repr(name))) from None
    # io.TextIOWrapper refuses these too, with a traceback: say so here, as a usage error
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(say("batch.not_text_encoding", option=option, name=repr(name)))
    if sample is not None:
        try:
            info.incrementalencoder().encode(sample, True)
        except UnicodeError as exc:  # idna: a codec for host names, not for a file's text
            message = say("batch.cannot_write", option=option, name=repr(name), reason=exc)
            raise UsageError(message) from None
    return info.name


#: What :func:`check_encoding` asks an output encoding to write: a result header (over 63
#: characters between dots, which idna refuses) and its line end.
OUTPUT_SAMPLE = "person_id,date,hospital_level,compliant,covered,basic,critical_illness,error\r\n"
