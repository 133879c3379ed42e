"""Reading the values of a tariff file's nodes, each problem reported at its place.

:class:`ValueReader` is the base of the tariff reader: it holds the file's path and the
problems found so far, and reads the shapes every section is made of: a mapping of fixed keys
(:meth:`~ValueReader.fields`: unknown, duplicate and missing keys), lists, and scalars read
from their text (``0.6`` becomes ``Decimal("0.6")``, never a float; ``no`` is refused where an
amount is expected instead of becoming ``False``). Each reader returns ``None`` after reporting
a problem, so one bad value does not stop the check of the rest.

- numbers are plain decimal digits (``220``, ``220.00``, ``0.6``); quoted numbers, ``1e5``,
  ``.5``, ``1_000``, leading zeros (``010``, which YAML 1.1 reads as octal) are refused;
- amounts: 0 or more, at most 2 decimals, held with exactly 2 decimals; ratios, shares,
  factors and bonuses: from 0 to 1, kept exactly as written;
- text that YAML would read as something else (``version: 2018.1``, ``code: 441802``,
  ``yes``) must be quoted;
- ``-0`` (``-0.00``) is zero: it is read as 0 (``0.00`` for an amount), never kept as -0;
- dates are ``YYYY-MM-DD``, plain or quoted; a date with a time is refused;
- ``annual_cap: none`` means no cap; an empty value or ``~`` is refused;
- list indexes in messages count from 0 (``segments[1]`` is the second segment).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TypeVar, cast

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from medcalc.errors import Problem
from medcalc.messages import say
from medcalc.money import CENT, EXACT, MAX_AMOUNT, MAX_INT_DIGITS, shortened
from medcalc.tariff._model import Cap, Text
from medcalc.tariff._sections import Key
from medcalc.tariff._yaml import INVALID, describe, line_col, quote

__all__ = ["Fields", "ValueReader", "one_of", "suggest"]

T = TypeVar("T")

Fields = dict[str, tuple[Node, Node]]
"""The keys found in a fixed-key mapping → (key node, value node)."""

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")

_ZERO = Decimal(0)
_ONE = Decimal(1)

# Above this many choices no suggestion is searched and the list is cut short, so that a file
# of n bad references to n ids stays linear (a real table declares some ten ids).
_MAX_CHOICES = 50


def suggest(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean '…'?)`` with the choice closest to ``word``, or nothing."""
    if len(choices) > _MAX_CHOICES:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return say("hint.did_you_mean", choice=close[0]) if close else ""


def one_of(choices: Sequence[str]) -> str:
    """The choices for a message (``a, b, c``; a long list cut short; ``none``)."""
    if len(choices) > _MAX_CHOICES:
        shown = ", ".join(choices[:_MAX_CHOICES])
        return say("choices.more", shown=shown, count=len(choices))
    return ", ".join(choices) if choices else say("value.none")


def _join(ctx: str, key: str) -> str:
    return f"{ctx}.{key}" if ctx else key


class ValueReader:
    """Reads values of one file's nodes; problems accumulate in :attr:`problems`."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.problems: list[Problem] = []

    def at(self, where: Node | tuple[int, int], message: str) -> None:
        line, col = line_col(where) if isinstance(where, Node) else where
        self.problems.append(Problem(self.path, line, col, message))

    def at_key(self, where: Node | tuple[int, int], ctx: str, id: str, **params: object) -> None:
        """A problem of the key ``ctx`` (its path): ``ctx: `` and message ``id``."""
        self.at(where, say("at", where=ctx, message=say(id, **params)))

    # ---- structure helpers

    def fields(
        self,
        node: Node,
        ctx: str,
        owner: Node | None,
        required: Sequence[str],
        optional: Sequence[str] = (),
        what: str = "",
    ) -> Fields | None:
        """The keys of a fixed-key mapping, checked for type, duplicates, unknown and missing
        keys. ``owner`` (the key naming the mapping) is where a missing key is reported."""
        if not self.is_mapping(node, ctx, what):
            return None
        allowed = (*required, *optional)
        given: set[str] = set()  # every key given once (unknown ones too)
        found: Fields = {}
        suggested: set[str] = set()
        for key, key_node, value in self.unique_keys(node, ctx):
            given.add(key)
            if key in allowed:
                found[key] = (key_node, value)
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            where = "in" if ctx else "top"
            if close:
                suggested.add(close[0])
                message = say(f"key.unknown_{where}", key=key, where=ctx, choice=close[0])
            else:
                choices = one_of(allowed)
                message = say(f"key.unknown_{where}_expected", key=key, where=ctx, choices=choices)
            self.at(key_node, message)
        for key in required:
            if key not in found and key not in suggested and key not in given:
                self.at_key(owner or node, ctx or say("where.file"), "key.missing", key=key)
        return found

    def is_mapping(self, node: Node, ctx: str, what: str = "") -> bool:
        if node.tag == INVALID:
            return False
        if isinstance(node, MappingNode):
            return True
        where = ctx or say("where.file")
        self.at_key(node, where, "expected.mapping", what=what, found=describe(node))
        return False

    def key(self, node: Node, ctx: str) -> str | None:
        if node.tag == INVALID:
            return None
        if not isinstance(node, ScalarNode) or node.value == "":
            self.at_key(node, ctx, "key.not_name", found=describe(node))
            return None
        return cast(str, node.value)

    def unique_keys(self, node: Node, ctx: str) -> Iterator[tuple[str, Node, Node]]:
        """A mapping's (key, key node, value) in file order; a key that is not text, or that
        was given before, is reported and left out."""
        seen: dict[str, Node] = {}
        for key_node, value in cast("list[tuple[Node, Node]]", node.value):
            key = self.key(key_node, ctx)
            if key is None:
                continue
            if key in seen:
                self.duplicate(key_node, key, seen[key], ctx)
                continue
            seen[key] = key_node
            yield key, key_node, value

    def duplicate(self, node: Node, key: str, first: Node, ctx: str) -> None:
        line = first.start_mark.line + 1
        which = "key.duplicate_in" if ctx else "key.duplicate"
        self.at(node, say(which, key=key, where=ctx, line=line))

    def each(
        self,
        entries: Iterable[tuple[str, str, Node, Node]],
        required: Sequence[str],
        optional: Sequence[str],
        what: str,
        read: Callable[[str, str, Fields, Node], T | None],
    ) -> tuple[list[T], bool]:
        """Entries that are fixed-key mappings (of a list, or of a mapping by category), each
        given as (name, context, node, the node naming it), read in order: their keys checked
        (see :meth:`fields`), then built by ``read`` (``None`` after reporting a problem).
        The entries built, and whether every one was."""
        out: list[T] = []
        ok = True
        for name, ctx, node, owner in entries:
            f = self.fields(node, ctx, owner, required, optional, what)
            one = None if f is None else read(name, ctx, f, node)
            if one is None:
                ok = False
                continue
            out.append(one)
        return out, ok

    def listed(
        self, node: Node, ctx: str, what: str, *, non_empty: bool = True
    ) -> list[tuple[str, str, Node, Node]]:
        """A list's items as entries for :meth:`each`: ``ctx[i]``, each item its own owner."""
        items = self.items(node, ctx, what, non_empty=non_empty)
        return [(str(i), f"{ctx}[{i}]", item, item) for i, item in enumerate(items)]

    def items(self, node: Node, ctx: str, what: str, *, non_empty: bool = True) -> list[Node]:
        """The items of a list (empty when it is not one, with a problem)."""
        if node.tag == INVALID:
            return []
        if not isinstance(node, SequenceNode):
            self.at_key(node, ctx, "expected.list", what=what, found=describe(node))
            return []
        items = cast("list[Node]", node.value)
        if non_empty and not items:
            self.at_key(node, ctx, "list.empty", what=what)
        return items

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
                self.at_key(item, f"{ctx}[{i}]", "list.twice", value=shown(value))
                ok = False
            else:
                out.append(value)
                seen.add(value)
        return tuple(out) if ok else None

    # ---- scalar readers: each returns None after reporting a problem

    def scalar(self, node: Node, ctx: str, expected: str) -> ScalarNode | None:
        if node.tag == INVALID:
            return None
        if not isinstance(node, ScalarNode) or node.tag == "null":
            self.at_key(node, ctx, "expected.value", expected=expected, found=describe(node))
            return None
        return node

    def text(self, node: Node, ctx: str, key: str = "") -> str | None:
        s = self.scalar(node, ctx, say("what.text"))
        if s is None:
            return None
        if s.tag != "str":
            shown = key or ctx.rsplit(".", 1)[-1]
            # A list item is quoted alone: `aliases: [二级, "2"]`, not `aliases[1]: "2"`.
            hint = quote(s.value)
            if not shown.endswith("]"):
                hint = f"{shown}: {hint}"
            self.at_key(s, ctx, "text.quote_it", found=describe(s), hint=hint)
            return None
        value = cast(str, s.value)
        if not value.strip():
            self.at_key(s, ctx, "text.empty")
            return None
        return value

    def ident(self, node: Node, ctx: str) -> str | None:
        value = self.text(node, ctx)
        if value is not None and not _ID.fullmatch(value):
            self.at_key(node, ctx, "id.invalid", value=quote(value))
            return None
        return value

    def choice(self, node: Node, ctx: str, choices: Sequence[str]) -> str | None:
        value = self.text(node, ctx)
        if value is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
            shown = quote(value)
            if close and len(choices) <= _MAX_CHOICES:
                which, choice = "choice.not_one_of_hint", close[0]
            else:
                which, choice = "choice.not_one_of", ""
            self.at_key(node, ctx, which, value=shown, choices=one_of(choices), choice=choice)
            return None
        return value

    def number(self, node: Node, ctx: str, expected: str) -> Decimal | None:
        s = self.scalar(node, ctx, expected)
        if s is None:
            return None
        text = cast(str, s.value)
        if s.style is not None:
            if _NUMBER.fullmatch(text.strip()):
                written = shortened(text.strip())
                self.at_key(s, ctx, "number.quoted", value=quote(text), written=written)
            else:
                self.at_key(s, ctx, "expected.value", expected=expected, found=describe(s))
            return None
        if not _NUMBER.fullmatch(text):
            if s.tag == "bool":
                self.at_key(s, ctx, "number.boolean", value=text, expected=expected)
            elif s.tag in ("int", "float"):
                self.at_key(s, ctx, "number.plain", value=shortened(text))
            else:
                self.at_key(s, ctx, "expected.value", expected=expected, found=describe(s))
            return None
        value = Decimal(text)
        # -0 is zero, not a negative number: read as 0 with the digits written (-0.00 → 0.00),
        # so that no -0.00 can ever be printed from a tariff.
        return value.copy_abs() if value.is_zero() else value

    def amount(self, node: Node, ctx: str) -> Decimal | None:
        """Yuan: 0 or more, at most 2 decimal places; held with exactly 2 decimals."""
        value = self.number(node, ctx, say("what.amount"))
        if value is None:
            return None
        shown = shortened(node.value)
        if value < 0:
            self.at_key(node, ctx, "amount.negative", value=shown)
        elif cast(int, value.as_tuple().exponent) < -2:
            self.at_key(node, ctx, "tariff.amount_decimals", value=shown)
        elif value > MAX_AMOUNT:
            self.at_key(node, ctx, "amount.too_large", value=shown, limit=MAX_AMOUNT)
        else:
            return value.quantize(CENT, context=EXACT)
        return None

    def unit(self, node: Node, ctx: str, what: str = "what.ratio") -> Decimal | None:
        """A ratio, share, factor or bonus (``what``: its message id): from 0 to 1, kept
        exactly as written."""
        value = self.number(node, ctx, say("what.unit", what=say(what)))
        if value is not None and not _ZERO <= value <= _ONE:
            self.at_key(node, ctx, "number.outside", value=shortened(node.value), bounds="[0, 1]")
            return None
        return value

    def integer(self, node: Node, ctx: str, low: int, high: int | None = None) -> int | None:
        expected = say("what.whole_between", low=low, high=high) if high else say("what.whole")
        value = self.number(node, ctx, expected)
        if value is None:
            return None
        if not _INTEGER.fullmatch(cast(str, node.value)):
            shown = shortened(node.value)
            self.at_key(node, ctx, "number.not_whole_expected", value=shown, expected=expected)
            return None
        if value < low or (high is not None and value > high):
            bounds = f"[{low}, {high}]" if high is not None else say("bounds.or_more", low=low)
            self.at_key(node, ctx, "number.outside", value=shortened(node.value), bounds=bounds)
            return None
        if value.adjusted() >= MAX_INT_DIGITS:
            # Beyond any whole number a tariff holds; int() of a huge Decimal takes quadratic
            # time, and printing the int trips Python's 4,300-digit limit.
            shown = shortened(node.value)
            self.at_key(node, ctx, "number.far_too_large", value=shown, expected=expected)
            return None
        return int(value)

    def date(self, node: Node, ctx: str) -> dt.date | None:
        s = self.scalar(node, ctx, say("what.date"))
        if s is None:
            return None
        text = cast(str, s.value)
        if s.tag == "timestamp" and not _DATE.fullmatch(text):
            self.at_key(s, ctx, "date.time_given", value=text)
            return None
        if s.tag not in ("timestamp", "str") or not _DATE.fullmatch(text):
            self.at_key(s, ctx, "expected.value", expected=say("what.date"), found=describe(s))
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.at_key(s, ctx, "date.not_calendar", value=text)
            return None

    def cap(self, node: Node, ctx: str) -> Cap | None:
        """``none`` (no cap, 不设封顶) or an amount."""
        if isinstance(node, ScalarNode) and node.tag == "null":
            self.at_key(node, ctx, "cap.no_value")
            return None
        if isinstance(node, ScalarNode) and node.value == Key.NONE and node.style is None:
            return Cap(None)
        if isinstance(node, ScalarNode) and node.tag == "str" and node.style is None:
            close = difflib.get_close_matches(node.value, [Key.NONE], n=1, cutoff=0.6)
            found = describe(node)
            if close:
                self.at_key(node, ctx, "cap.expected_hint", found=found, choice=close[0])
            else:
                self.at_key(node, ctx, "cap.expected", found=found)
            return None
        amount = self.amount(node, ctx)
        return None if amount is None else Cap(amount)

    def label(self, node: Node, ctx: str, owner: Node | None) -> Text | None:
        """``{zh: …, en: …}``; ``en`` defaults to ``zh``."""
        f = self.fields(node, ctx, owner, (Key.ZH,), (Key.EN,), " {zh: ..., en: ...}")
        if f is None:
            return None
        zh = self.req(f, Key.ZH, lambda n, c: self.text(n, c, Key.ZH), ctx)
        has_en, en = self.opt(f, Key.EN, lambda n, c: self.text(n, c, Key.EN), ctx)
        if zh is None or (has_en and en is None):
            return None
        return Text(zh, en if en is not None else zh)

    def label_of(self, f: Fields, key: str, ctx: str) -> Text | None:
        """The label under ``key`` (a missing ``zh`` is reported at the key)."""
        if key not in f:
            return None
        owner, node = f[key]
        return self.label(node, _join(ctx, key), owner)

    def opt(
        self, f: Fields, key: str, read: Callable[[Node, str], T | None], ctx: str
    ) -> tuple[bool, T | None]:
        """(present, value) of an optional key; value None when present but invalid."""
        if key not in f:
            return False, None
        return True, read(f[key][1], _join(ctx, key))

    def req(self, f: Fields, key: str, read: Callable[[Node, str], T | None], ctx: str) -> T | None:
        """The value of a required key (its absence was reported by :meth:`fields`)."""
        if key not in f:
            return None
        return read(f[key][1], _join(ctx, key))
