"""The strict YAML of tariff files: bytes → nodes that keep their line and column.

The file is parsed to YAML *events* and composed into nodes by hand, so that every value keeps
its line and column, and so that tags, anchors and aliases can be refused where they are
written (``yaml.compose`` would silently expand an alias and forget whether a tag was
explicit). Before YAML sees the text, it must be UTF-8 and hold no character of
:data:`_FORBIDDEN`; collections nest at most :data:`MAX_DEPTH` deep. Each refusal is reported
through ``report((line, column), message)`` (1-based); a refused node is kept with the tag
:data:`INVALID`, so the readers skip it without a second problem.

Plain scalars carry their YAML 1.1 type as tag (``int``, ``bool``, ``null``, ``str`` …: what
``safe_load`` would have made of them, to explain why ``no`` is not an amount); quoted and block
scalars are ``str``. :func:`describe` names a node in a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, Literal, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from medcalc.messages import say
from medcalc.money import shortened

__all__ = [
    "INVALID",
    "MAX_DEPTH",
    "Parser",
    "Report",
    "compose",
    "describe",
    "field",
    "line_col",
    "quote",
]

MAX_DEPTH = 20
"""The deepest nesting of mappings and lists (the format needs 6: e.g. critical_illness →
adjustments → poverty → segments → a segment); deeper is refused, before Python's recursion
limit or libyaml's own (1000) could be reached."""

Parser = Literal["libyaml", "python"]
"""Which parser reads the YAML events: ``libyaml`` (PyYAML's C parser, some 15 times faster)
or ``python`` (PyYAML's own); both give the same events."""

Report = Callable[[tuple[int, int], str], None]
"""Where a problem goes: ``report((line, column), message)``, 1-based."""

INVALID = "!medcalc-invalid"
"""The tag of a node that already has a problem (alias, explicit tag): readers skip it."""

_LIBYAML: Any = getattr(yaml, "CSafeLoader", None)

# YAML 1.1's view of a plain scalar (what ``safe_load`` would have made of it); used to
# explain why ``no`` is not an amount and why ``2018.1`` must be quoted.
_RESOLVER = yaml.resolver.Resolver()
_TAG = "tag:yaml.org,2002:"

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


def loader_class(parser: Parser | None) -> Any:
    """The PyYAML loader whose parser is used: libyaml's when ``parser`` is ``None`` and PyYAML
    has it. ``"libyaml"`` without it is a ``ValueError``."""
    if parser == "python" or (parser is None and _LIBYAML is None):
        return yaml.SafeLoader
    if parser not in ("libyaml", None):
        raise ValueError(f"parser={parser!r}: expected 'libyaml', 'python' or None")
    if _LIBYAML is None:
        raise ValueError("parser='libyaml': this PyYAML was built without libyaml")
    return _LIBYAML


# -- nodes ------------------------------------------------------------------------------------


def line_col(node: Node) -> tuple[int, int]:
    """Where ``node`` starts (1-based line and column)."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def field(node: Node, key: str) -> Node | None:
    """The value node of ``key`` in a mapping node (first occurrence), if any."""
    if not isinstance(node, MappingNode):
        return None
    for k, v in cast("list[tuple[Node, Node]]", node.value):
        if isinstance(k, ScalarNode) and k.value == key:
            return v
    return None


def describe(node: Node) -> str:
    """How a wrong value is named in a message."""
    if isinstance(node, MappingNode):
        return say("found.mapping")
    if isinstance(node, SequenceNode):
        return say("found.list")
    text = node.value
    if node.tag == "null":
        return say("found.nothing")
    if node.tag == "str":
        return say("found.text", text=quote(text))
    kinds = {"bool": "found.boolean", "int": "found.number", "float": "found.number"}
    if node.tag in kinds:
        return say(kinds[node.tag], value=shortened(text))
    if node.tag == "timestamp":
        return say("found.date", value=shortened(text))
    return quote(text)


def quote(text: str) -> str:
    """``text`` in double quotes (long text cut short by :func:`shortened`)."""
    return shortened(text, _quoted)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_tag(value: str) -> str:
    """The YAML 1.1 type of a plain scalar, e.g. ``int``, ``bool``, ``null``, ``str``."""
    tag = cast(Any, _RESOLVER).resolve(ScalarNode, value, (True, False))
    return tag.removeprefix(_TAG) if isinstance(tag, str) else "str"


# -- text -------------------------------------------------------------------------------------


def _decoded(data: bytes, report: Report) -> str | None:
    """The text of ``data``; a byte that is not UTF-8 is reported where it is."""
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte-order mark is tolerated
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        byte = data[exc.start]
        report((line, col), say("yaml.not_utf8", byte=byte))
        return None


def _character(char: str) -> str:
    """A refused character as a message names it, e.g. ``U+0000 (a control character)``."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cc":
        return say("yaml.control", code=code)
    if char in "\u2028\u2029":
        return say("yaml.line_break", code=code, name=unicodedata.name(char))
    if char in "\ufeff\ufffe\uffff":
        return say("yaml.bom", code=code)
    return say("yaml.direction", code=code, name=unicodedata.name(char))


def _plain_text(text: str, report: Report) -> bool:
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
    char = _character(found.group())
    message = (
        say("yaml.characters", char=char, more=more) if more else say("yaml.character", char=char)
    )
    report((line, col), message)
    return False


# -- events → nodes ---------------------------------------------------------------------------


class _TooDeepError(Exception):
    """Composing stops: the nesting is deeper than :data:`MAX_DEPTH` (already reported)."""


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _end(event: Any) -> Any:
    return event.end_mark


def _node(event: Any, events: Iterator[Any], depth: int, report: Report) -> Node:
    """The node that starts with ``event`` (at nesting ``depth``, the root's being 1)."""
    # Marks are taken before isinstance() narrows the event (libyaml's Mark type differs).
    mark: Any = event.start_mark
    end: Any = event.end_mark
    if isinstance(event, yaml.AliasEvent):
        report(_mark(event), say("yaml.alias", anchor=event.anchor))
        return ScalarNode(INVALID, "", mark, end)
    if event.anchor is not None:
        report(_mark(event), say("yaml.anchor", anchor=event.anchor))
    if event.tag is not None:
        report(_mark(event), say("yaml.tag", tag=event.tag))
    if isinstance(event, yaml.ScalarEvent):
        if event.tag is not None:
            return ScalarNode(INVALID, event.value, mark, end)
        # Only plain scalars are typed by YAML; quoted and block scalars are text.
        # libyaml marks a plain scalar with style "", the Python parser with None.
        style = event.style or None
        tag = _plain_tag(event.value) if style is None else "str"
        return ScalarNode(tag, event.value, mark, end, style=style)
    if depth > MAX_DEPTH:
        # Refused here, so composing recurses at most MAX_DEPTH deep. The check stops like
        # a YAML syntax error: parsing on would cost the pure-Python parser time quadratic
        # in the depth (it keeps a possible key per open bracket).
        report(_mark(event), say("yaml.too_deep", depth=MAX_DEPTH))
        raise _TooDeepError
    if isinstance(event, yaml.SequenceStartEvent):
        items: list[Node] = []
        for child in events:
            if isinstance(child, yaml.SequenceEndEvent):
                return SequenceNode("seq", items, mark, _end(child))
            items.append(_node(child, events, depth + 1, report))
    if isinstance(event, yaml.MappingStartEvent):
        pairs: list[tuple[Node, Node]] = []
        for child in events:
            if isinstance(child, yaml.MappingEndEvent):
                return MappingNode("map", pairs, mark, _end(child))
            key = _node(child, events, depth + 1, report)
            pairs.append((key, _node(next(events), events, depth + 1, report)))
    raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover


def compose(data: bytes, report: Report, parser: Parser | None = None) -> Node | None:
    """The root node of the file's one YAML document (``None`` when there is none, or when a
    problem stopped the composing: bad bytes or characters, bad YAML, too deep, a second
    document)."""
    loader = loader_class(parser)
    text = _decoded(data, report)
    if text is None or not _plain_text(text, report):
        return None
    events = iter(yaml.parse(text, Loader=loader))
    root: Node | None = None
    try:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                if root is not None:
                    report(_mark(event), say("yaml.second_document"))
                    return None
                root = _node(next(events), events, 1, report)
    except _TooDeepError:
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or say("yaml.unreadable")
        report(where, say("yaml.invalid", what=what))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - _plain_text() refuses what causes it
        report((1, 1), say("yaml.invalid", what=exc))
        return None
    return root
