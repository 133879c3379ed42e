"""Strict reading of tariff files (format 1): YAML bytes → :class:`~medcalc.tariff.Tariff`.

A tariff is a legal table, so nothing is guessed. The file is parsed to YAML *events* and
composed into nodes by hand, so that every value keeps its line and column, and so that
tags, anchors and aliases can be refused where they are written (``yaml.compose`` would
silently expand an alias and forget whether a tag was explicit). Scalars are then read from
their text: ``0.6`` becomes ``Decimal("0.6")``, never a float, and ``no`` is refused where an
amount is expected instead of becoming ``False``.

Every problem in a file is collected (one bad value does not stop the check of the rest) and
reported as a :class:`~medcalc.errors.Problem` at ``FILE:LINE:COLUMN`` (1-based), in file
order. A :class:`Tariff` is only built when there is no problem.

Rules that are decisions rather than YAML (see also ``docs/tariff-format.md``):

- numbers are plain decimal digits (``220``, ``220.00``, ``0.6``); quoted numbers, ``1e5``,
  ``.5``, ``1_000``, leading zeros (``010``, which YAML 1.1 reads as octal) are refused;
- amounts: 0 or more, at most 2 decimals, held with exactly 2 decimals; ratios, shares,
  factors and bonuses: from 0 to 1, kept exactly as written;
- text that YAML would read as something else (``version: 2018.1``, ``code: 441802``,
  ``yes``) must be quoted;
- ``-0`` (``-0.00``) is zero: it is read as 0 (``0.00`` for an amount), never kept as -0;
- dates are ``YYYY-MM-DD``, plain or quoted; a date with a time is refused;
- ``annual_cap: none`` means no cap; an empty value or ``~`` is refused;
- every id, label and alias of a category names that category alone (likewise for hospital
  levels), compared by :func:`~medcalc.tariff.name_key`; within one entry the labels may repeat
  the id or each other, but an alias repeating another name of its own entry is refused;
- list indexes in messages count from 0 (``segments[1]`` is the second segment).

Limits, so that no file can make the check slow, deep or unbounded (each is a problem at
``FILE:LINE:COL``, never a traceback): a file is at most :data:`MAX_BYTES`; it holds no control
character (other than tab and line ends) and no invisible direction mark; collections nest at
most :data:`MAX_DEPTH` deep. The work is linear in the size of the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from medcalc.errors import Problem, TariffFileError
from medcalc.money import (
    CENT,
    EXACT,
    MAX_AMOUNT,
    MAX_INT_DIGITS,
    Rounding,
    round_money,
    shortened,
)
from medcalc.tariff._model import (
    ALL_GRADES_RESERVED,
    BASE,
    DISABILITY_TYPES,
    AmountPayment,
    AssistanceRule,
    BenefitsStart,
    Bounds,
    Cap,
    Category,
    CategoryPayment,
    CriticalIllness,
    CriticalIllnessAdjustment,
    DisabilityRule,
    Enrollment,
    FullPayment,
    GovernmentPayment,
    HospitalLevel,
    Inpatient,
    InpatientAdjustment,
    MedicalAssistance,
    MedicalPremium,
    PensionGrade,
    PensionPremium,
    Segment,
    SharePayment,
    Source,
    Status,
    Tariff,
    Text,
    name_key,
)
from medcalc.tariff._sections import SECTIONS

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "TariffCheck",
    "check_tariff",
    "inspect_tariff",
    "load_tariff",
    "parse_tariff",
    "read_tariff_bytes",
]

FORMAT = 1
"""The one tariff format this version of medcalc reads."""

MAX_BYTES = 256 * 1024
"""The largest tariff file read (256 KiB): some 18 times the largest real table (14 KB). The
densest file of that size (a list of 0s) takes about 1.5 s to check, at some 10 µs per YAML
event; a larger file is refused from its size, before it is read."""

MAX_DEPTH = 20
"""The deepest nesting of mappings and lists (the format needs 6: e.g. critical_illness →
adjustments → poverty → segments → a segment); deeper is refused, before Python's recursion
limit or libyaml's own (1000) could be reached."""

# The C parser is ~15x faster than the pure-Python one; the results are the same.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """The safe YAML loader (libyaml when available); only its parser is used."""


# YAML 1.1's view of a plain scalar (what ``safe_load`` would have made of it); used to
# explain why ``no`` is not an amount and why ``2018.1`` must be quoted.
_RESOLVER = yaml.resolver.Resolver()
_TAG = "tag:yaml.org,2002:"
# A node that already has a problem (alias, explicit tag): readers skip it without a new one.
_INVALID = "!medcalc-invalid"

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SERIES = re.compile(r"[a-z0-9-]+")
_REGION = re.compile(r"[0-9]{6}")

_ZERO = Decimal(0)
_ONE = Decimal(1)

# Refused anywhere in a file, before YAML sees it: C0/C1 control characters but tab and line
# ends (YAML's readers raise their own unlocated errors on most of them), U+0085, U+2028 and
# U+2029 (line breaks to YAML but not to an editor, so every later line number would be off),
# invisible direction marks (text that reads differently from what it holds: "Trojan Source"),
# and a byte-order mark or non-character anywhere but at the start.
_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    r"\ufeff\ufffe\uffff]"
)
_LINE_END = re.compile(r"\r\n|\r|\n")

T = TypeVar("T")


@attrs.frozen
class TariffCheck:
    """What checking one file gave: the tariff (``None`` when there are problems), every
    problem in file order, and where the ``effective`` key is (1-based; 1:1 when unknown),
    so an overlap with another file can be reported there."""

    tariff: Tariff | None
    problems: tuple[Problem, ...]
    effective_line: int = 1
    effective_column: int = 1


# -- public functions -------------------------------------------------------------------------


def inspect_tariff(data: bytes, path: str, *, max_bytes: int | None = MAX_BYTES) -> TariffCheck:
    """Check the bytes of one tariff file; never raises for a problem in the file.
    ``max_bytes=None`` lifts the size limit (for benchmarks)."""
    if max_bytes is not None and len(data) > max_bytes:
        return TariffCheck(None, (Problem(path, 1, 1, _too_large(len(data), max_bytes)),))
    return _Reader(path, data).run()


def check_tariff(data: bytes, path: str) -> list[Problem]:
    """Every problem in the file, in file order (empty when the file is a valid tariff)."""
    return list(inspect_tariff(data, path).problems)


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
        problem = f"not a regular file ({file_kind(info.st_mode)}); a tariff is a .yaml file"
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
    return f"cannot read the file: {exc.strerror or exc}"


def _too_large(size: int, limit: int) -> str:
    return f"the file is {size:,} bytes; a tariff file may be at most {limit:,} bytes"


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, for messages: ``a FIFO``, ``a directory``."""
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


# -- composing YAML events into nodes ---------------------------------------------------------


def _line_col(node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _plain_tag(value: str) -> str:
    """The YAML 1.1 type of a plain scalar, e.g. ``int``, ``bool``, ``null``, ``str``."""
    tag = cast(Any, _RESOLVER).resolve(ScalarNode, value, (True, False))
    return tag.removeprefix(_TAG) if isinstance(tag, str) else "str"


def _describe(node: Node) -> str:
    """How a wrong value is named in a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    text = node.value
    if node.tag == "null":
        return "no value"
    if node.tag == "str":
        return f"the text {_quote(text)}"
    kinds = {"bool": "the YAML boolean", "int": "the number", "float": "the number"}
    if node.tag in kinds:
        return f"{kinds[node.tag]} {shortened(text)}"
    if node.tag == "timestamp":
        return f"the date {shortened(text)}"
    return _quote(text)


def _quote(text: str) -> str:
    """``text`` in double quotes (long text cut short by :func:`shortened`)."""
    return shortened(text, _quoted)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Above this many choices no suggestion is searched and the list is cut short, so that a file
# of n bad references to n ids stays linear (a real table declares some ten ids).
_MAX_CHOICES = 50


def _suggest(word: str, choices: Sequence[str]) -> str:
    if len(choices) > _MAX_CHOICES:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _one_of(choices: Sequence[str]) -> str:
    if len(choices) > _MAX_CHOICES:
        shown = ", ".join(choices[:_MAX_CHOICES])
        return f"{shown}, ... ({len(choices):,} in all)"
    return ", ".join(choices) if choices else "none"


def _character(char: str) -> str:
    """A refused character as a message names it, e.g. ``U+0000 (a control character)``."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cc":
        return f"{code} (a control character)"
    if char in "\u2028\u2029":
        return f"{code} {unicodedata.name(char)} (a line break only YAML sees)"
    if char in "\ufeff\ufffe\uffff":
        return f"{code} (a byte-order mark or non-character)"
    return f"{code} {unicodedata.name(char)} (an invisible direction mark)"


@attrs.frozen
class _Name:
    """A name already given (see :meth:`_Reader.unique_names`): whose it is, what it is
    (``id``, ``zh label``, ``en label``, ``alias``), its text and its line."""

    owner: str
    what: str
    text: str
    line: int


def _as_written(text: str, first: _Name) -> tuple[str, str]:
    """Where a name repeats ``first`` only after :func:`name_key`: how ``first`` is written
    (with a leading space), and a note saying how names are compared; else two empty texts."""
    if text == first.text:
        return "", ""
    return f" {_quote(first.text)}", "; names are compared after NFKC, case folding and trimming"


def _reserved_base(ctx: str, what: str) -> str:
    return (
        f"{ctx}: '{BASE}' is reserved for the ordinary person (the section's top-level "
        f"values); choose another {what}"
    )


# -- the reader -------------------------------------------------------------------------------


_Fields = dict[str, tuple[Node, Node]]


class _Reader:
    """Checks one file and builds its tariff; problems accumulate in :attr:`problems`."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.problems: list[Problem] = []
        # Declared ids in file order (for messages) and as sets: membership is tested for
        # every reference, so a list would make a file of n ids cost n² (issue 11).
        self.categories: list[str] = []
        self.category_set: set[str] = set()
        self.sources: list[str] = []
        self.source_set: set[str] = set()
        self.rounding: Rounding = "half_up"

    # ---- reporting

    def at(self, where: Node | tuple[int, int], message: str) -> None:
        line, col = _line_col(where) if isinstance(where, Node) else where
        self.problems.append(Problem(self.path, line, col, message))

    # ---- composing

    def compose(self) -> Node | None:
        try:
            text = self.data.decode("utf-8-sig")  # a UTF-8 byte-order mark is tolerated
        except UnicodeDecodeError as exc:
            before = self.data[: exc.start]
            line = before.count(b"\n") + 1
            col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
            byte = self.data[exc.start]
            self.at((line, col), f"byte 0x{byte:02x} is not UTF-8; tariff files are UTF-8 text")
            return None
        if not self.plain_text(text):
            return None
        events = iter(yaml.parse(text, Loader=_Loader))
        root: Node | None = None
        try:
            for event in events:
                if isinstance(event, yaml.DocumentStartEvent):
                    if root is not None:
                        self.at(
                            _mark(event), "a tariff file holds one YAML document; found a second"
                        )
                        return None
                    root = self.node(next(events), events, 1)
        except _TooDeepError:
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = exc.problem or exc.context or "cannot be read"
            self.at(where, f"this is not valid YAML: {what}")
            return None
        except yaml.YAMLError as exc:  # pragma: no cover - plain_text() refuses what causes it
            self.at((1, 1), f"this is not valid YAML: {exc}")
            return None
        return root

    def plain_text(self, text: str) -> bool:
        """Refuse the characters of :data:`_FORBIDDEN`: the first at its line and column (as
        YAML counts them), with how many more there are. True when there is none."""
        found = _FORBIDDEN.search(text)
        if found is None:
            return True
        before = text[: found.start()]
        line = len(_LINE_END.findall(before)) + 1
        starts = [m.end() for m in _LINE_END.finditer(before)]
        col = found.start() - (starts[-1] if starts else 0) + 1
        more = sum(1 for _ in _FORBIDDEN.finditer(text, found.end()))
        also = f"; {more:,} more in the file" if more else ""
        self.at(
            (line, col),
            f"the character {_character(found.group())} is not allowed in a tariff "
            f"file; remove it{also}",
        )
        return False

    def node(self, event: Any, events: Iterator[Any], depth: int) -> Node:
        """The node that starts with ``event`` (at nesting ``depth``, the root's being 1)."""
        # Marks are taken before isinstance() narrows the event (libyaml's Mark type differs).
        mark: Any = event.start_mark
        end: Any = event.end_mark
        if isinstance(event, yaml.AliasEvent):
            self.at(_mark(event), f"aliases (*{event.anchor}) are not allowed; write the value out")
            return ScalarNode(_INVALID, "", mark, end)
        if event.anchor is not None:
            self.at(_mark(event), f"anchors (&{event.anchor}) are not allowed; write values out")
        if event.tag is not None:
            self.at(_mark(event), f"YAML tags ({event.tag}) are not allowed; remove the tag")
        if isinstance(event, yaml.ScalarEvent):
            if event.tag is not None:
                return ScalarNode(_INVALID, event.value, mark, end)
            # Only plain scalars are typed by YAML; quoted and block scalars are text.
            # libyaml marks a plain scalar with style "", the Python parser with None.
            style = event.style or None
            tag = _plain_tag(event.value) if style is None else "str"
            return ScalarNode(tag, event.value, mark, end, style=style)
        if depth > MAX_DEPTH:
            # Refused here, so composing recurses at most MAX_DEPTH deep. The check stops like
            # a YAML syntax error: parsing on would cost the pure-Python parser time quadratic
            # in the depth (it keeps a possible key per open bracket).
            self.at(
                _mark(event),
                f"nested more than {MAX_DEPTH} levels deep (a tariff needs at most 6); "
                "check the brackets and the indentation",
            )
            raise _TooDeepError
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Node] = []
            for child in events:
                if isinstance(child, yaml.SequenceEndEvent):
                    return SequenceNode("seq", items, mark, _end(child))
                items.append(self.node(child, events, depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            pairs: list[tuple[Node, Node]] = []
            for child in events:
                if isinstance(child, yaml.MappingEndEvent):
                    return MappingNode("map", pairs, mark, _end(child))
                key = self.node(child, events, depth + 1)
                pairs.append((key, self.node(next(events), events, depth + 1)))
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    # ---- structure helpers

    def fields(
        self,
        node: Node,
        ctx: str,
        owner: Node | None,
        required: Sequence[str],
        optional: Sequence[str] = (),
        what: str = "",
    ) -> _Fields | None:
        """The keys of a fixed-key mapping, checked for type, duplicates, unknown and missing
        keys. ``owner`` (the key naming the mapping) is where a missing key is reported."""
        if not self.is_mapping(node, ctx, what):
            return None
        allowed = (*required, *optional)
        seen: dict[str, Node] = {}
        found: _Fields = {}
        suggested: set[str] = set()
        for key_node, value in cast("list[tuple[Node, Node]]", node.value):
            key = self.key(key_node, ctx)
            if key is None:
                continue
            if key in seen:
                self.duplicate(key_node, key, seen[key], ctx)
                continue
            seen[key] = key_node
            if key in allowed:
                found[key] = (key_node, value)
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            where = f"in {ctx}" if ctx else "at the top level"
            if close:
                suggested.add(close[0])
                hint = f"did you mean '{close[0]}'?"
            else:
                hint = f"expected {_one_of(allowed)}"
            self.at(key_node, f"unknown key '{key}' {where} ({hint})")
        for key in required:
            if key not in found and key not in suggested and key not in seen:
                where_ctx = ctx or "the file"
                self.at(owner or node, f"{where_ctx}: missing required key '{key}'")
        return found

    def is_mapping(self, node: Node, ctx: str, what: str = "") -> bool:
        if node.tag == _INVALID:
            return False
        if isinstance(node, MappingNode):
            return True
        self.at(node, f"{ctx or 'the file'}: expected a mapping{what}, found {_describe(node)}")
        return False

    def key(self, node: Node, ctx: str) -> str | None:
        if node.tag == _INVALID:
            return None
        if not isinstance(node, ScalarNode) or node.value == "":
            self.at(node, f"{ctx}: keys must be names, found {_describe(node)}")
            return None
        return cast(str, node.value)

    def duplicate(self, node: Node, key: str, first: Node, ctx: str) -> None:
        where = f" in {ctx}" if ctx else ""
        line = first.start_mark.line + 1
        self.at(node, f"duplicate key '{key}'{where} (first given on line {line}); give it once")

    def items(self, node: Node, ctx: str, what: str, *, non_empty: bool = True) -> list[Node]:
        """The items of a list (empty when it is not one, with a problem)."""
        if node.tag == _INVALID:
            return []
        if not isinstance(node, SequenceNode):
            self.at(node, f"{ctx}: expected a list of {what}, found {_describe(node)}")
            return []
        items = cast("list[Node]", node.value)
        if non_empty and not items:
            self.at(node, f"{ctx}: the list is empty; expected at least one {what}")
        return items

    def keyed(self, node: Node, ctx: str, what: str) -> tuple[list[tuple[str, Node, Node]], bool]:
        """A mapping keyed by declared category ids, in file order, and whether every key was
        good (bad keys are reported and dropped)."""
        if not self.is_mapping(node, ctx, f" of category ids to {what}"):
            return [], False
        before = len(self.problems)
        out: list[tuple[str, Node, Node]] = []
        seen: dict[str, Node] = {}
        for key_node, value in cast("list[tuple[Node, Node]]", node.value):
            key = self.key(key_node, ctx)
            if key is None:
                continue
            if key in seen:
                self.duplicate(key_node, key, seen[key], ctx)
                continue
            seen[key] = key_node
            if self.declared_category(key_node, key, ctx):
                out.append((key, key_node, value))
        return out, len(self.problems) == before

    def declared_category(self, node: Node, category: str, ctx: str) -> bool:
        if category in self.category_set:
            return True
        declared = _one_of(self.categories)
        hint = _suggest(category, self.categories) or f" (declared: {declared})"
        self.at(node, f"{ctx}: undeclared category '{category}'{hint}")
        return False

    def category_list(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        """A non-empty list of distinct declared category ids."""
        items = self.items(node, ctx, "category ids")
        if not items:
            return None

        def read(item: Node, ictx: str) -> str | None:
            cid = self.ident(item, ictx)
            return cid if cid is not None and self.declared_category(item, cid, ictx) else None

        return self.distinct(items, ctx, read, lambda cid: f"'{cid}'")

    def distinct(
        self,
        items: Sequence[Node],
        ctx: str,
        read: Callable[[Node, str], T | None],
        shown: Callable[[T], str],
    ) -> tuple[T, ...] | None:
        """Each item read with ``read``; a value given twice is a problem (``shown`` names it)."""
        out: list[T] = []
        seen: set[T] = set()  # a set keeps a long list linear
        ok = True
        for i, item in enumerate(items):
            value = read(item, f"{ctx}[{i}]")
            if value is None:
                ok = False
            elif value in seen:
                self.at(item, f"{ctx}[{i}]: {shown(value)} is listed twice")
                ok = False
            else:
                out.append(value)
                seen.add(value)
        return tuple(out) if ok else None

    # ---- scalar readers: each returns None after reporting a problem

    def scalar(self, node: Node, ctx: str, expected: str) -> ScalarNode | None:
        if node.tag == _INVALID:
            return None
        if not isinstance(node, ScalarNode) or node.tag == "null":
            self.at(node, f"{ctx}: expected {expected}, found {_describe(node)}")
            return None
        return node

    def text(self, node: Node, ctx: str, key: str = "") -> str | None:
        s = self.scalar(node, ctx, "text")
        if s is None:
            return None
        if s.tag != "str":
            shown = key or ctx.rsplit(".", 1)[-1]
            # A list item is quoted alone: `aliases: [二级, "2"]`, not `aliases[1]: "2"`.
            hint = _quote(s.value)
            if not shown.endswith("]"):
                hint = f"{shown}: {hint}"
            self.at(s, f"{ctx}: expected text, found {_describe(s)}; quote it: {hint}")
            return None
        value = cast(str, s.value)
        if not value.strip():
            self.at(s, f"{ctx}: the text is empty")
            return None
        return value

    def ident(self, node: Node, ctx: str) -> str | None:
        value = self.text(node, ctx)
        if value is not None and not _ID.fullmatch(value):
            self.at(
                node,
                f"{ctx}: {_quote(value)} is not a valid id; use lower-case letters, digits, "
                "'_' and '-', starting with a letter or digit",
            )
            return None
        return value

    def choice(self, node: Node, ctx: str, choices: Sequence[str]) -> str | None:
        value = self.text(node, ctx)
        if value is not None and value not in choices:
            hint = _suggest(value, choices)
            self.at(node, f"{ctx}: {_quote(value)} is not one of {_one_of(choices)}{hint}")
            return None
        return value

    def number(self, node: Node, ctx: str, expected: str) -> Decimal | None:
        s = self.scalar(node, ctx, expected)
        if s is None:
            return None
        text = cast(str, s.value)
        if s.style is not None:
            if _NUMBER.fullmatch(text.strip()):
                self.at(
                    s,
                    f"{ctx}: {_quote(text)} is quoted text; write the number without "
                    f"quotes: {shortened(text.strip())}",
                )
            else:
                self.at(s, f"{ctx}: expected {expected}, found {_describe(s)}")
            return None
        if not _NUMBER.fullmatch(text):
            if s.tag == "bool":
                self.at(s, f"{ctx}: {text} is a YAML boolean, not a number; expected {expected}")
            elif s.tag in ("int", "float"):
                self.at(
                    s,
                    f"{ctx}: write {shortened(text)} as plain decimal digits, e.g. 1200 or 0.65 "
                    "(no exponent, leading zero, '_', '+', or leading '.')",
                )
            else:
                self.at(s, f"{ctx}: expected {expected}, found {_describe(s)}")
            return None
        value = Decimal(text)
        # -0 is zero, not a negative number: read as 0 with the digits written (-0.00 → 0.00),
        # so that no -0.00 can ever be printed from a tariff.
        return value.copy_abs() if value.is_zero() else value

    def amount(self, node: Node, ctx: str) -> Decimal | None:
        """Yuan: 0 or more, at most 2 decimal places; held with exactly 2 decimals."""
        value = self.number(node, ctx, "an amount in yuan, e.g. 1200 or 180.00")
        if value is None:
            return None
        shown = shortened(node.value)
        if value < 0:
            self.at(node, f"{ctx}: {shown} is negative; amounts must be 0 or more")
        elif cast(int, value.as_tuple().exponent) < -2:
            self.at(node, f"{ctx}: {shown} has more than 2 decimal places (yuan and fen)")
        elif value > MAX_AMOUNT:
            self.at(node, f"{ctx}: {shown} is larger than the largest amount {MAX_AMOUNT}")
        else:
            return value.quantize(CENT, context=EXACT)
        return None

    def unit(self, node: Node, ctx: str, what: str = "a ratio") -> Decimal | None:
        """A ratio, share, factor or bonus: from 0 to 1, kept exactly as written."""
        value = self.number(node, ctx, f"{what} from 0 to 1, e.g. 0.65")
        if value is not None and not _ZERO <= value <= _ONE:
            self.at(node, f"{ctx}: {shortened(node.value)} is outside [0, 1]")
            return None
        return value

    def integer(self, node: Node, ctx: str, low: int, high: int | None = None) -> int | None:
        expected = f"a whole number from {low} to {high}" if high else "a whole number"
        value = self.number(node, ctx, expected)
        if value is None:
            return None
        if not _INTEGER.fullmatch(cast(str, node.value)):
            self.at(
                node, f"{ctx}: {shortened(node.value)} is not a whole number; expected {expected}"
            )
            return None
        if value < low or (high is not None and value > high):
            bounds = f"[{low}, {high}]" if high is not None else f"{low} or more"
            self.at(node, f"{ctx}: {shortened(node.value)} is outside {bounds}")
            return None
        if value.adjusted() >= MAX_INT_DIGITS:
            # Beyond any whole number a tariff holds; int() of a huge Decimal takes quadratic
            # time, and printing the int trips Python's 4,300-digit limit.
            self.at(node, f"{ctx}: {shortened(node.value)} is far too large; expected {expected}")
            return None
        return int(value)

    def date(self, node: Node, ctx: str) -> dt.date | None:
        s = self.scalar(node, ctx, "a date YYYY-MM-DD")
        if s is None:
            return None
        text = cast(str, s.value)
        if s.tag == "timestamp" and not _DATE.fullmatch(text):
            self.at(s, f"{ctx}: {text} has a time of day; expected a date YYYY-MM-DD")
            return None
        if s.tag not in ("timestamp", "str") or not _DATE.fullmatch(text):
            self.at(s, f"{ctx}: expected a date YYYY-MM-DD, found {_describe(s)}")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.at(s, f"{ctx}: {text} is not a calendar date")
            return None

    def cap(self, node: Node, ctx: str) -> Cap | None:
        """``none`` (no cap, 不设封顶) or an amount."""
        if isinstance(node, ScalarNode) and node.tag == "null":
            self.at(node, f"{ctx}: no value given; write `none` for no cap, or an amount")
            return None
        if isinstance(node, ScalarNode) and node.value == "none" and node.style is None:
            return Cap(None)
        if isinstance(node, ScalarNode) and node.tag == "str" and node.style is None:
            hint = _suggest(node.value, ["none"])
            self.at(
                node, f"{ctx}: expected an amount or `none` (no cap), found {_describe(node)}{hint}"
            )
            return None
        amount = self.amount(node, ctx)
        return None if amount is None else Cap(amount)

    def label(self, node: Node, ctx: str, owner: Node | None) -> Text | None:
        """``{zh: …, en: …}``; ``en`` defaults to ``zh``."""
        f = self.fields(node, ctx, owner, ("zh",), ("en",), " {zh: ..., en: ...}")
        if f is None:
            return None
        zh = self.text(f["zh"][1], f"{ctx}.zh", "zh") if "zh" in f else None
        en = self.text(f["en"][1], f"{ctx}.en", "en") if "en" in f else None
        if zh is None or ("en" in f and en is None):
            return None
        return Text(zh, en if en is not None else zh)

    def source_ref(self, node: Node, ctx: str) -> str | None:
        sid = self.ident(node, ctx)
        if sid is None or sid in self.source_set:
            return sid
        hint = _suggest(sid, self.sources) or f" (declared: {_one_of(self.sources)})"
        self.at(node, f"{ctx}: undeclared source '{sid}'{hint}")
        return None

    def opt(
        self, f: _Fields, key: str, read: Callable[[Node, str], T | None], ctx: str
    ) -> tuple[bool, T | None]:
        """(present, value) of an optional key; value None when present but invalid."""
        if key not in f:
            return False, None
        return True, read(f[key][1], _join(ctx, key))

    def req(
        self, f: _Fields, key: str, read: Callable[[Node, str], T | None], ctx: str
    ) -> T | None:
        """The value of a required key (its absence was reported by :meth:`fields`)."""
        if key not in f:
            return None
        return read(f[key][1], _join(ctx, key))

    # ---- the file

    def run(self) -> TariffCheck:
        root = self.compose()
        effective = (1, 1)
        tariff = None
        empty = "the file is empty; expected a tariff (format: 1, series: ...)"
        if root is None and not self.problems:
            self.at((1, 1), empty)  # no YAML document at all (nothing, or only comments)
        elif isinstance(root, ScalarNode) and root.tag == "null":
            self.at(root, empty)
        elif root is not None:
            tariff, effective = self.tariff(root)
        self.problems.sort(key=lambda p: (p.line, p.column))  # stable: same place keeps order
        ok = tariff if not self.problems else None
        return TariffCheck(ok, tuple(self.problems), *effective)

    def tariff(self, root: Node) -> tuple[Tariff | None, tuple[int, int]]:
        header = ("format", "series", "version", "title", "region", "effective", "status")
        f = self.fields(
            root,
            "",
            None,
            header,
            ("rounding", "sources", "categories", *SECTIONS),
            " of tariff keys (format: 1, series: ...)",
        )
        if f is None:
            return None, (1, 1)
        effective_at = _line_col(f["effective"][0]) if "effective" in f else (1, 1)
        if "format" in f:
            fmt = self.integer(f["format"][1], "format", 0)
            if fmt is not None and fmt != FORMAT:
                # Another format may mean other keys: checking them against format 1 misleads.
                self.at(
                    f["format"][1],
                    f"format: {shortened(str(f['format'][1].value))} is not supported; "
                    f"this medcalc reads format {FORMAT}",
                )
                return None, effective_at
        series = self.req(f, "series", self.text, "")
        if series is not None and not _SERIES.fullmatch(series):
            self.at(
                f["series"][1],
                f"series: {_quote(series)} must be lower-case letters, "
                "digits and '-' (e.g. qingyuan-qingcheng)",
            )
            series = None
        version = self.req(f, "version", self.text, "")
        title = self.label(f["title"][1], "title", f["title"][0]) if "title" in f else None
        region = self.region(f["region"]) if "region" in f else None
        effective = self.effective(f["effective"]) if "effective" in f else None
        status = self.req(
            f, "status", lambda n, c: self.choice(n, c, ("illustrative", "official")), ""
        )
        has_rounding, rounding = self.opt(
            f, "rounding", lambda n, c: self.choice(n, c, ("half_up", "half_even")), ""
        )
        if rounding is not None:
            self.rounding = cast(Rounding, rounding)
        sources = self.source_list(f["sources"][1]) if "sources" in f else ()
        categories = self.category_decls(f["categories"][1]) if "categories" in f else ()

        def section(key: str, read: Callable[[Node, Node, str], T | None]) -> tuple[bool, T | None]:
            if key not in f:
                return False, None
            return True, read(f[key][0], f[key][1], key)

        enrollment = section("enrollment", self.enrollment)
        medical = section("medical_premium", self.medical_premium)
        pension = section("pension_premium", self.pension_premium)
        inpatient = section("inpatient", self.inpatient)
        critical = section("critical_illness", self.critical_illness)
        assistance = section("medical_assistance", self.medical_assistance)

        if (
            self.problems
            or series is None
            or version is None
            or title is None
            or region is None
            or effective is None
            or status is None
            or sources is None
            or categories is None
            or (has_rounding and rounding is None)
        ):
            return None, effective_at
        return (
            Tariff(
                format=FORMAT,
                series=series,
                version=version,
                title=title,
                region_code=region[0],
                region_name=region[1],
                effective_from=effective[0],
                effective_to=effective[1],
                status=cast(Status, status),
                rounding=self.rounding,
                sources=sources,
                categories=categories,
                path=self.path,
                sha256=hashlib.sha256(self.data).hexdigest(),
                enrollment=enrollment[1],
                medical_premium=medical[1],
                pension_premium=pension[1],
                inpatient=inpatient[1],
                critical_illness=critical[1],
                medical_assistance=assistance[1],
            ),
            effective_at,
        )

    def region(self, kv: tuple[Node, Node]) -> tuple[str, Text] | None:
        f = self.fields(kv[1], "region", kv[0], ("code", "name"), (), " {code: ..., name: ...}")
        if f is None:
            return None
        code = self.req(f, "code", self.text, "region")
        if code is not None and not _REGION.fullmatch(code):
            self.at(
                f["code"][1],
                f"region.code: {_quote(code)} is not a 6-digit region code "
                '(行政区划代码), e.g. "441802"',
            )
            code = None
        name = self.label(f["name"][1], "region.name", f["name"][0]) if "name" in f else None
        return None if code is None or name is None else (code, name)

    def effective(self, kv: tuple[Node, Node]) -> tuple[dt.date, dt.date | None] | None:
        f = self.fields(kv[1], "effective", kv[0], ("from",), ("to",), " {from: ..., to: ...}")
        if f is None:
            return None
        start = self.req(f, "from", self.date, "effective")
        has_end, end = self.opt(f, "to", self.date, "effective")
        if start is None or (has_end and end is None):
            return None
        if end is not None and end < start:
            self.at(
                f["to"][1],
                f"effective: from {start} is after to {end}; expected `to` on or after `from`",
            )
            return None
        return start, end

    def source_list(self, node: Node) -> tuple[Source, ...] | None:
        out: list[Source] = []
        ok = True
        for i, item in enumerate(self.items(node, "sources", "sources", non_empty=False)):
            ctx = f"sources[{i}]"
            f = self.fields(
                item, ctx, item, ("id", "title"), ("number", "url"), " {id: ..., title: ...}"
            )
            if f is None:
                ok = False
                continue
            sid = self.req(f, "id", self.ident, ctx)
            if sid is not None:
                if sid in self.source_set:
                    self.at(f["id"][1], f"{ctx}.id: source '{sid}' is declared twice")
                    sid = None
                else:
                    self.sources.append(sid)
                    self.source_set.add(sid)
            title = self.req(f, "title", self.text, ctx)
            has_number, number = self.opt(f, "number", self.text, ctx)
            has_url, url = self.opt(f, "url", self.text, ctx)
            if url is not None and not url.startswith(("https://", "http://")):
                self.at(f["url"][1], f"{ctx}.url: expected a web address starting with https://")
                url = None
            if (
                sid is None
                or title is None
                or (has_number and number is None)
                or (has_url and url is None)
            ):
                ok = False
                continue
            out.append(Source(sid, title, number, url))
        return tuple(out) if ok else None

    def category_decls(self, node: Node) -> tuple[Category, ...] | None:
        out: list[Category] = []
        names: dict[str, _Name] = {}  # every name given so far (see unique_names)
        ok = True
        for i, item in enumerate(self.items(node, "categories", "categories", non_empty=False)):
            ctx = f"categories[{i}]"
            f = self.fields(
                item,
                ctx,
                item,
                ("id", "label"),
                ("aliases", "disability"),
                " {id: ..., label: ...}",
            )
            if f is None:
                ok = False
                continue
            cid = self.req(f, "id", self.ident, ctx)
            if cid is not None:
                if cid == BASE:
                    self.at(f["id"][1], _reserved_base(f"{ctx}.id", "id"))
                    cid = None
                elif cid in self.category_set:
                    self.at(f["id"][1], f"{ctx}.id: category '{cid}' is declared twice")
                    cid = None
                else:
                    self.categories.append(cid)
                    self.category_set.add(cid)
            label = (
                self.label(f["label"][1], f"{ctx}.label", f["label"][0]) if "label" in f else None
            )
            has_aliases, aliases = self.opt(f, "aliases", self.aliases, ctx)
            has_rules, rules = self.opt(f, "disability", self.disability_rules, ctx)
            if cid is not None and not self.unique_names(f, ctx, cid, "category", names):
                cid = None
            if (
                cid is None
                or label is None
                or (has_aliases and aliases is None)
                or (has_rules and rules is None)
            ):
                ok = False
                continue
            out.append(Category(cid, label, rules or (), aliases or ()))
        return tuple(out) if ok else None

    def aliases(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        """A non-empty list of distinct names (texts), as written."""
        items = self.items(node, ctx, "aliases (names as text)", non_empty=False)
        if isinstance(node, SequenceNode) and not items:
            self.at(node, f"{ctx}: the list is empty; give at least one alias, or remove the key")
        out: list[str] = []
        seen: dict[str, _Name] = {}  # name_key → the alias that gave it
        ok = bool(items)
        for i, item in enumerate(items):
            ictx = f"{ctx}[{i}]"
            text = self.text(item, ictx)
            if text is None:
                ok = False
                continue
            first = seen.get(name_key(text))
            if first is not None:
                shown, note = _as_written(text, first)
                more = f" (as{shown} on line {first.line}{note})" if shown else ""
                self.at(item, f"{ictx}: {_quote(text)} is listed twice{more}")
                ok = False
                continue
            seen[name_key(text)] = _Name("", "alias", text, _line_col(item)[0])
            out.append(text)
        return tuple(out) if ok else None

    def unique_names(
        self, f: _Fields, ctx: str, owner: str, noun: str, seen: dict[str, _Name]
    ) -> bool:
        """Check the id, labels and aliases of one entry (``f``) against every name of the
        earlier entries in ``seen`` (:func:`name_key` → the name), then add its own. Input
        files name a category or level by any of them, so each must name one entry only.

        An alias repeating its own entry's id or label is refused (it says nothing, and is
        likely a slip); the labels may repeat the id or each other (``en`` defaults to
        ``zh``). A repeated id is reported by the caller, not here. False on a problem."""
        names: list[tuple[str, str, Node, str]] = [(owner, "id", f["id"][1], f"{ctx}.id")]
        label = f["label"][1] if "label" in f else None
        for lang in ("zh", "en"):
            text_node = _field(label, lang) if label is not None else None
            if isinstance(text_node, ScalarNode) and text_node.tag == "str":
                names.append((text_node.value, f"{lang} label", text_node, f"{ctx}.label.{lang}"))
        aliases = f["aliases"][1] if "aliases" in f else None
        if isinstance(aliases, SequenceNode):
            for i, item in enumerate(aliases.value):
                if isinstance(item, ScalarNode) and item.tag == "str" and item.value.strip():
                    names.append((item.value, "alias", item, f"{ctx}.aliases[{i}]"))
        own: dict[str, _Name] = {}
        aliased: set[str] = set()  # a repeated alias is reported by aliases(), once
        ok = True
        for text, what, node, nctx in names:
            key = name_key(text)
            if what == "alias":
                if key in aliased:
                    continue
                aliased.add(key)
            line = _line_col(node)[0]
            mine = own.get(key)
            other = seen.get(key)
            if what != "id" and key == BASE:
                self.at(node, _reserved_base(nctx, "name"))
            elif what == "alias" and mine is not None and mine.what != "alias":
                shown, note = _as_written(text, mine)
                self.at(
                    node,
                    f"{nctx}: {_quote(text)} is already this {noun}'s {mine.what}{shown}"
                    f"{f' ({note[2:]})' if note else ''}; remove the alias",
                )
            elif other is not None and not (what == "id" == other.what):
                shown, note = _as_written(text, other)
                self.at(
                    node,
                    f"{nctx}: {_quote(text)} also names {noun} '{other.owner}' (its "
                    f"{other.what}{shown} on line {other.line}{note}); each id, label and "
                    f"alias must name one {noun}",
                )
            else:
                own.setdefault(key, _Name(owner, what, text, line))
                continue
            ok = False
        for key, name in own.items():
            seen.setdefault(key, name)
        return ok

    def disability_rules(self, node: Node, ctx: str) -> tuple[DisabilityRule, ...] | None:
        out: list[DisabilityRule] = []
        ok = True
        for i, item in enumerate(self.items(node, ctx, "disability rules")):
            ictx = f"{ctx}[{i}]"
            f = self.fields(item, ictx, item, ("grades",), ("types",), " {grades: [...]}")
            if f is None:
                ok = False
                continue
            grades = self.req(f, "grades", self.disability_grades, ictx)
            has_types, types = self.opt(f, "types", self.disability_types, ictx)
            if grades is None or (has_types and types is None):
                ok = False
                continue
            out.append(DisabilityRule(grades, types))
        return tuple(out) if ok and out else None

    def disability_grades(self, node: Node, ctx: str) -> tuple[int, ...] | None:
        items = self.items(node, ctx, "disability grades (1 to 4)")
        if not items:
            return None
        return self.distinct(
            items, ctx, lambda item, ictx: self.integer(item, ictx, 1, 4), lambda g: f"grade {g}"
        )

    def disability_types(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        items = self.items(node, ctx, "disability types")
        if not items:
            return None
        return self.distinct(
            items,
            ctx,
            lambda item, ictx: self.choice(item, ictx, DISABILITY_TYPES),
            lambda kind: f"type '{kind}'",
        )

    # ---- sections

    def enrollment(self, key: Node, node: Node, ctx: str) -> Enrollment | None:
        f = self.fields(node, ctx, key, ("benefits_start",), ("exempt",))
        if f is None:
            return None
        start = self.req(
            f, "benefits_start", lambda n, c: self.choice(n, c, ("next_month", "same_day")), ctx
        )
        has_exempt, exempt = self.opt(f, "exempt", self.category_list, ctx)
        if start is None or (has_exempt and exempt is None):
            return None
        return Enrollment(cast(BenefitsStart, start), exempt or ())

    def government_pays(self, node: Node, ctx: str) -> tuple[CategoryPayment, ...] | None:
        out: list[CategoryPayment] = []
        entries, ok = self.keyed(node, ctx, "full | {share: q} | {amount: a}")
        for cid, _key, value in entries:
            payment = self.payment(value, f"{ctx}.{cid}")
            if payment is None:
                ok = False
            else:
                out.append(CategoryPayment(cid, payment))
        return tuple(out) if ok else None

    def payment(self, node: Node, ctx: str) -> GovernmentPayment | None:
        expected = "full, {share: q} or {amount: a}"
        if isinstance(node, ScalarNode) and node.tag != _INVALID:
            if node.tag == "str" and node.value == "full":
                return FullPayment()
            hint = _suggest(node.value, ["full"]) if node.tag == "str" else ""
            self.at(node, f"{ctx}: expected {expected}, found {_describe(node)}{hint}")
            return None
        f = self.fields(node, ctx, node, (), ("share", "amount"), f" ({expected})")
        if f is None:
            return None
        if len(f) == 2 or not node.value:
            self.at(node, f"{ctx}: give exactly one of share or amount")
            return None
        if not f:
            return None  # only unknown keys, already reported
        if "share" in f:
            share = self.unit(f["share"][1], f"{ctx}.share", "a share")
            return None if share is None else SharePayment(share)
        amount = self.amount(f["amount"][1], f"{ctx}.amount")
        return None if amount is None else AmountPayment(amount)

    def medical_premium(self, key: Node, node: Node, ctx: str) -> MedicalPremium | None:
        f = self.fields(node, ctx, key, ("contribution", "government_pays", "source"))
        if f is None:
            return None
        contribution = self.req(f, "contribution", self.amount, ctx)
        pays = self.req(f, "government_pays", self.government_pays, ctx)
        source = self.req(f, "source", self.source_ref, ctx)
        if contribution is None or pays is None or source is None:
            return None
        return MedicalPremium(contribution, pays, source)

    def pension_premium(self, key: Node, node: Node, ctx: str) -> PensionPremium | None:
        f = self.fields(
            node,
            ctx,
            key,
            ("ages", "grades", "government_pays", "source"),
            ("basic_pension_monthly",),
        )
        if f is None:
            return None
        ages = self.ages(f["ages"], f"{ctx}.ages") if "ages" in f else None
        grades = self.req(f, "grades", self.pension_grades, ctx)
        pays = self.req(f, "government_pays", self.government_pays, ctx)
        has_monthly, monthly = self.opt(f, "basic_pension_monthly", self.amount, ctx)
        source = self.req(f, "source", self.source_ref, ctx)
        if (
            ages is None
            or grades is None
            or pays is None
            or source is None
            or (has_monthly and monthly is None)
        ):
            return None
        return PensionPremium(ages[0], ages[1], grades, pays, source, monthly)

    def ages(self, kv: tuple[Node, Node], ctx: str) -> tuple[int, int] | None:
        f = self.fields(kv[1], ctx, kv[0], ("from", "to"), (), " {from: 16, to: 59}")
        if f is None:
            return None
        low = self.req(f, "from", lambda n, c: self.integer(n, c, 0, 150), ctx)
        high = self.req(f, "to", lambda n, c: self.integer(n, c, 0, 150), ctx)
        if low is None or high is None:
            return None
        if low > high:
            self.at(f["to"][1], f"{ctx}: from {low} is above to {high}; expected from <= to")
            return None
        return low, high

    def pension_grades(self, node: Node, ctx: str) -> tuple[PensionGrade, ...] | None:
        out: list[PensionGrade] = []
        amounts: set[Decimal] = set()  # those of ``out``; a set keeps a long list linear
        ok = True
        for i, item in enumerate(self.items(node, ctx, "grades {amount: ..., subsidy: ...}")):
            ictx = f"{ctx}[{i}]"
            f = self.fields(
                item, ictx, item, ("amount", "subsidy"), ("for",), " {amount: ..., subsidy: ...}"
            )
            if f is None:
                ok = False
                continue
            amount = self.req(f, "amount", self.amount, ictx)
            subsidy = self.req(f, "subsidy", self.amount, ictx)
            has_for, reserved = self.opt(f, "for", self.category_list, ictx)
            if amount is not None and amount in amounts:
                # The grade is chosen by its amount, so two grades of one amount are ambiguous.
                self.at(f["amount"][1], f"{ictx}.amount: a grade of {amount} is given twice")
                amount = None
            if amount is None or subsidy is None or (has_for and reserved is None):
                ok = False
                continue
            amounts.add(amount)
            out.append(PensionGrade(amount, subsidy, reserved))
        if ok and out and all(g.reserved_for is not None for g in out):
            self.at(node, f"{ctx}: {ALL_GRADES_RESERVED}")
            ok = False
        return tuple(out) if ok and out else None

    def inpatient(self, key: Node, node: Node, ctx: str) -> Inpatient | None:
        f = self.fields(node, ctx, key, ("levels", "annual_cap", "source"), ("adjustments",))
        if f is None:
            return None
        levels = self.req(f, "levels", self.levels, ctx)
        cap = self.req(f, "annual_cap", self.cap, ctx)
        has_adj, adjustments = self.opt(f, "adjustments", self.inpatient_adjustments, ctx)
        source = self.req(f, "source", self.source_ref, ctx)
        if levels is None or cap is None or source is None or (has_adj and adjustments is None):
            return None
        return Inpatient(levels, cap, adjustments or (), source)

    def levels(self, node: Node, ctx: str) -> tuple[HospitalLevel, ...] | None:
        out: list[HospitalLevel] = []
        ids: set[str] = set()  # the good ids so far; a set keeps a long list linear
        names: dict[str, _Name] = {}  # every name given so far (see unique_names)
        ok = True
        for i, item in enumerate(self.items(node, ctx, "hospital levels")):
            ictx = f"{ctx}[{i}]"
            f = self.fields(
                item,
                ictx,
                item,
                ("id", "label", "deductible", "ratio"),
                ("aliases",),
                " {id: ..., label: ..., deductible: ..., ratio: ...}",
            )
            if f is None:
                ok = False
                continue
            lid = self.req(f, "id", self.ident, ictx)
            if lid is not None and lid in ids:
                self.at(f["id"][1], f"{ictx}.id: level '{lid}' is declared twice")
                lid = None
            if lid is not None:
                ids.add(lid)
            label = (
                self.label(f["label"][1], f"{ictx}.label", f["label"][0]) if "label" in f else None
            )
            has_aliases, aliases = self.opt(f, "aliases", self.aliases, ictx)
            deductible = self.req(f, "deductible", self.amount, ictx)
            ratio = self.req(f, "ratio", self.unit, ictx)
            if lid is not None and not self.unique_names(f, ictx, lid, "level", names):
                lid = None
            if (
                lid is None
                or label is None
                or (has_aliases and aliases is None)
                or deductible is None
                or ratio is None
            ):
                ok = False
                continue
            out.append(HospitalLevel(lid, label, deductible, ratio, aliases or ()))
        return tuple(out) if ok and out else None

    def inpatient_adjustments(self, node: Node, ctx: str) -> tuple[InpatientAdjustment, ...] | None:
        out: list[InpatientAdjustment] = []
        entries, ok = self.keyed(node, ctx, "adjustments")
        for cid, key, value in entries:
            actx = f"{ctx}.{cid}"
            f = self.fields(
                value, actx, key, (), ("deductible_factor", "ratio_bonus", "annual_cap")
            )
            if f is None or not self.not_empty(f, value, actx):
                ok = False
                continue
            has_factor, factor = self.opt(
                f, "deductible_factor", lambda n, c: self.unit(n, c, "a factor"), actx
            )
            has_bonus, bonus = self.opt(
                f, "ratio_bonus", lambda n, c: self.unit(n, c, "a bonus"), actx
            )
            has_cap, cap = self.opt(f, "annual_cap", self.cap, actx)
            if (
                (has_factor and factor is None)
                or (has_bonus and bonus is None)
                or (has_cap and cap is None)
            ):
                ok = False
                continue
            out.append(InpatientAdjustment(cid, factor, bonus, cap))
        return tuple(out) if ok else None

    def not_empty(self, f: _Fields, node: Node, ctx: str) -> bool:
        if f:
            return True
        self.at(node, f"{ctx}: no adjustment given; remove the entry or give a value")
        return False

    def critical_illness(self, key: Node, node: Node, ctx: str) -> CriticalIllness | None:
        f = self.fields(
            node,
            ctx,
            key,
            ("threshold", "segments", "annual_cap", "source"),
            ("bounds", "adjustments"),
        )
        if f is None:
            return None
        threshold = self.req(f, "threshold", self.amount, ctx)
        has_bounds, bounds = self.opt(
            f, "bounds", lambda n, c: self.choice(n, c, ("cumulative", "above_threshold")), ctx
        )
        bounds_ = cast(Bounds, bounds or "cumulative")
        segments = self.req(f, "segments", self.segments, ctx)
        if "segments" in f and threshold is not None and not (has_bounds and bounds is None):
            self.check_rise(f["segments"][1], threshold, bounds_, f"{ctx}.segments")
        cap = self.req(f, "annual_cap", self.cap, ctx)
        adjustments: tuple[CriticalIllnessAdjustment, ...] | None = ()
        if "adjustments" in f:
            adjustments = self.critical_adjustments(
                f["adjustments"][1], f"{ctx}.adjustments", threshold, segments, bounds_
            )
        source = self.req(f, "source", self.source_ref, ctx)
        if (
            threshold is None
            or segments is None
            or cap is None
            or adjustments is None
            or source is None
            or (has_bounds and bounds is None)
        ):
            return None
        return CriticalIllness(threshold, bounds_, segments, cap, adjustments, source)

    def segments(self, node: Node, ctx: str) -> tuple[Segment, ...] | None:
        """Segments (分段) with ``to`` on all but the last; rising is checked by the caller."""
        items = self.items(node, ctx, "segments {to: ..., ratio: ...}")
        out: list[Segment] = []
        ok = bool(items)
        for i, item in enumerate(items):
            ictx = f"{ctx}[{i}]"
            f = self.fields(item, ictx, item, ("ratio",), ("to",), " {to: ..., ratio: ...}")
            if f is None:
                ok = False
                continue
            last = i == len(items) - 1
            has_to, upper = self.opt(f, "to", self.amount, ictx)
            ratio = self.req(f, "ratio", self.unit, ictx)
            if last and has_to:
                self.at(
                    f["to"][0],
                    f"{ictx}.to: the last segment is open-ended and must have no "
                    "`to`; add a last segment {ratio: ...} or remove this `to`",
                )
                ok = False
            elif not last and not has_to:
                self.at(item, f"{ictx}: missing `to`; only the last segment is open-ended")
                ok = False
            if ratio is None or (has_to and upper is None):
                ok = False
                continue
            out.append(Segment(upper, ratio))
        return tuple(out) if ok else None

    def bounds_of(self, node: Node) -> list[tuple[int, Decimal, Node]]:
        """The good ``to`` values of a segments list as (index, value, node), read quietly: a
        bad item is reported by :meth:`segments`, and the others can still be checked."""
        if not isinstance(node, SequenceNode):
            return []
        saved, self.problems = self.problems, []
        try:
            found = ((i, _field(item, "to")) for i, item in enumerate(node.value))
            values = ((i, self.amount(to, ""), to) for i, to in found if to is not None)
            return [(i, value, to) for i, value, to in values if value is not None]
        finally:
            self.problems = saved

    def check_rise(self, node: Node, threshold: Decimal, bounds: str, ctx: str) -> bool:
        """Bounds must rise strictly, and above the threshold: with ``cumulative`` the first
        ``to`` is above it; with ``above_threshold`` (``to`` counted from it) above 0."""
        previous = threshold if bounds == "cumulative" else _ZERO
        for i, upper, where in self.bounds_of(node):
            if upper > previous:
                previous = upper
                continue
            if i == 0 and bounds == "cumulative":
                self.at(
                    where,
                    f"{ctx}[0].to: {upper} is not above the threshold "
                    f"{threshold}; segments must rise above it",
                )
            elif i == 0:
                self.at(
                    where,
                    f"{ctx}[0].to: {upper} must be above 0 (with bounds: "
                    "above_threshold, `to` is counted from the threshold)",
                )
            else:
                self.at(
                    where,
                    f"{ctx}[{i}].to: {upper} does not rise above the "
                    f"previous bound {previous}; bounds must rise strictly",
                )
            return False
        return True

    def critical_adjustments(
        self,
        node: Node,
        ctx: str,
        base_threshold: Decimal | None,
        base_segments: tuple[Segment, ...] | None,
        bounds: str,
    ) -> tuple[CriticalIllnessAdjustment, ...] | None:
        out: list[CriticalIllnessAdjustment] = []
        entries, ok = self.keyed(node, ctx, "adjustments")
        for cid, key, value in entries:
            actx = f"{ctx}.{cid}"
            f = self.fields(
                value,
                actx,
                key,
                (),
                ("threshold_factor", "threshold", "ratio_bonus", "segments", "annual_cap"),
            )
            if f is None or not self.not_empty(f, value, actx):
                ok = False
                continue
            has_factor, factor = self.opt(
                f, "threshold_factor", lambda n, c: self.unit(n, c, "a factor"), actx
            )
            has_threshold, threshold = self.opt(f, "threshold", self.amount, actx)
            if has_factor and has_threshold:
                self.at(f["threshold"][0], f"{actx}: give threshold_factor or threshold, not both")
                ok = False
                continue
            has_bonus, bonus = self.opt(
                f, "ratio_bonus", lambda n, c: self.unit(n, c, "a bonus"), actx
            )
            has_segments, segments = self.opt(f, "segments", self.segments, actx)
            has_cap, cap = self.opt(f, "annual_cap", self.cap, actx)
            # The threshold and segments this category uses must still rise (like the base).
            in_use = threshold
            if factor is not None and base_threshold is not None:
                in_use = round_money(EXACT.multiply(base_threshold, factor), self.rounding)
            elif in_use is None:
                in_use = base_threshold
            if has_segments and in_use is not None:
                ok = self.check_rise(f["segments"][1], in_use, bounds, f"{actx}.segments") and ok
            elif (
                threshold is not None
                and bounds == "cumulative"
                and base_segments
                and base_segments[0].upper is not None
                and threshold >= base_segments[0].upper
            ):
                self.at(
                    f["threshold"][1],
                    f"{actx}.threshold: {threshold} is not below the "
                    f"first segment bound {base_segments[0].upper}; give this category its "
                    "own segments, or a lower threshold",
                )
                ok = False
            if (
                (has_factor and factor is None)
                or (has_threshold and threshold is None)
                or (has_bonus and bonus is None)
                or (has_segments and segments is None)
                or (has_cap and cap is None)
            ):
                ok = False
                continue
            out.append(CriticalIllnessAdjustment(cid, factor, threshold, bonus, segments, cap))
        return tuple(out) if ok else None

    def medical_assistance(self, key: Node, node: Node, ctx: str) -> MedicalAssistance | None:
        f = self.fields(node, ctx, key, ("eligible", "source"))
        if f is None:
            return None
        eligible = self.req(f, "eligible", self.eligible, ctx)
        source = self.req(f, "source", self.source_ref, ctx)
        if eligible is None or source is None:
            return None
        return MedicalAssistance(eligible, source)

    def eligible(self, node: Node, ctx: str) -> tuple[AssistanceRule, ...] | None:
        entries, ok = self.keyed(node, ctx, "{ratio: ..., annual_cap: ...}")
        if ok and not entries:
            self.at(node, f"{ctx}: no eligible category; name at least one")
            return None
        out: list[AssistanceRule] = []
        for cid, key, value in entries:
            actx = f"{ctx}.{cid}"
            f = self.fields(
                value,
                actx,
                key,
                ("ratio", "annual_cap"),
                ("deductible",),
                " {ratio: ..., annual_cap: ...}",
            )
            if f is None:
                ok = False
                continue
            ratio = self.req(f, "ratio", self.unit, actx)
            cap = self.req(f, "annual_cap", self.cap, actx)
            has_deductible, deductible = self.opt(f, "deductible", self.amount, actx)
            if ratio is None or cap is None or (has_deductible and deductible is None):
                ok = False
                continue
            out.append(AssistanceRule(cid, ratio, cap, deductible or Decimal("0.00")))
        return tuple(out) if ok else None


def _end(event: Any) -> Any:
    return event.end_mark


class _TooDeepError(Exception):
    """Composing stops: the nesting is deeper than :data:`MAX_DEPTH` (already reported)."""


def _join(ctx: str, key: str) -> str:
    return f"{ctx}.{key}" if ctx else key


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _field(node: Node, key: str) -> Node | None:
    """The value node of ``key`` in a mapping node (first occurrence), if any."""
    if not isinstance(node, MappingNode):
        return None
    for k, v in cast("list[tuple[Node, Node]]", node.value):
        if isinstance(k, ScalarNode) and k.value == key:
            return v
    return None
