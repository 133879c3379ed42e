"""Reading what a tariff declares and what refers to it: sources, categories and their names.

:class:`DeclarationReader` reads ``sources`` and ``categories`` and remembers the declared ids,
so that a section's reference to one (``source: …``, a category key of ``government_pays`` or
``adjustments``, ``exempt``, ``for``) is checked where it is written, with a suggestion when
it is close to a declared id.

Every id, label and alias of a category names that category alone (likewise for hospital
levels), compared by :func:`~medcalc.tariff.name_key`; within one entry the labels may repeat
the id or each other, but an alias repeating another name of its own entry is refused
(:meth:`DeclarationReader.unique_names`).
"""

from __future__ import annotations

from typing import TypeVar

import attrs
from yaml.nodes import Node, ScalarNode, SequenceNode

from medcalc.messages import say
from medcalc.money import Rounding
from medcalc.tariff._model import (
    BASE,
    DISABILITY_TYPES,
    Category,
    DisabilityRule,
    Source,
    name_key,
)
from medcalc.tariff._read_values import Fields, ValueReader, one_of, suggest
from medcalc.tariff._sections import Key
from medcalc.tariff._yaml import field, line_col, quote

__all__ = ["DeclarationReader", "Name"]

T = TypeVar("T")


@attrs.frozen
class Name:
    """A name already given (see :meth:`DeclarationReader.unique_names`): whose it is, what it
    is (``id``, ``zh label``, ``en label``, ``alias``), its text and its line."""

    owner: str
    what: str  # the message id of what it is: noun.id, noun.zh_label, noun.en_label, noun.alias
    text: str
    line: int


def _as_written(text: str, first: Name) -> tuple[str, str]:
    """Where a name repeats ``first`` only after :func:`name_key`: how ``first`` is written,
    and a note saying how names are compared; else two empty texts."""
    if text == first.text:
        return "", ""
    return quote(first.text), say("declared.compared")


def _reserved_base(ctx: str, what: str) -> str:
    """``what``: the message id of the kind of name chosen."""
    message = say("declared.reserved_base", base=BASE, what=say(what))
    return say("at", where=ctx, message=message)


class DeclarationReader(ValueReader):
    """A :class:`ValueReader` that also reads the declarations and checks references to them."""

    def __init__(self, path: str, data: bytes) -> None:
        super().__init__(path, data)
        # Declared ids in file order (for messages) and as sets: membership is tested for
        # every reference, so a list would make a file of n ids cost n² (issue 11).
        self.categories: list[str] = []
        self.category_set: set[str] = set()
        self.sources: list[str] = []
        self.source_set: set[str] = set()
        # The file's rounding (read with the header, before the sections that round with it).
        self.rounding: Rounding = "half_up"

    # ---- references to declared ids

    def keyed(self, node: Node, ctx: str, what: str) -> tuple[list[tuple[str, Node, Node]], bool]:
        """A mapping keyed by declared category ids, in file order, and whether every key was
        good (bad keys are reported and dropped)."""
        if not self.is_mapping(node, ctx, say("what.by_category", what=what)):
            return [], False
        before = len(self.problems)
        out: list[tuple[str, Node, Node]] = []
        for key, key_node, value in self.unique_keys(node, ctx):
            if self.declared_category(key_node, key, ctx):
                out.append((key, key_node, value))
        return out, len(self.problems) == before

    def by_category(
        self, node: Node, ctx: str, what: str
    ) -> tuple[list[tuple[str, str, Node, Node]], bool]:
        """:meth:`keyed`'s entries for :meth:`each`: each category's ``ctx.id``, its value and
        its key."""
        entries, ok = self.keyed(node, ctx, what)
        return [(cid, f"{ctx}.{cid}", value, key) for cid, key, value in entries], ok

    def once(self, f: Fields, ctx: str, ident: str | None, what: str, ids: set[str]) -> str | None:
        """An entry's id, added to ``ids``; ``None`` when it was there already (reported).
        ``what``: the message id of the kind of entry."""
        if ident is None:
            return None
        if ident in ids:
            self.at_key(f[Key.ID][1], f"{ctx}.id", "declared.twice", what=say(what), ident=ident)
            return None
        ids.add(ident)
        return ident

    def declared_category(self, node: Node, category: str, ctx: str) -> bool:
        if category in self.category_set:
            return True
        declared = one_of(self.categories)
        hint = suggest(category, self.categories) or say("hint.declared", declared=declared)
        self.at_key(node, ctx, "declared.undeclared_category", category=category, hint=hint)
        return False

    def category_list(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        """A non-empty list of distinct declared category ids."""
        items = self.items(node, ctx, say("what.category_ids"))
        if not items:
            return None

        def read(item: Node, ictx: str) -> str | None:
            cid = self.ident(item, ictx)
            return cid if cid is not None and self.declared_category(item, cid, ictx) else None

        return self.distinct(items, ctx, read, lambda cid: f"'{cid}'")

    def source_ref(self, node: Node, ctx: str) -> str | None:
        sid = self.ident(node, ctx)
        if sid is None or sid in self.source_set:
            return sid
        hint = suggest(sid, self.sources) or say("hint.declared", declared=one_of(self.sources))
        self.at_key(node, ctx, "declared.undeclared_source", source=sid, hint=hint)
        return None

    # ---- the declarations

    def source_list(self, node: Node) -> tuple[Source, ...] | None:
        def source(_: str, ctx: str, f: Fields, __: Node) -> Source | None:
            sid = self.req(f, Key.ID, self.ident, ctx)
            sid = self.once(f, ctx, sid, "noun.source", self.source_set)
            if sid is not None:
                self.sources.append(sid)
            title = self.req(f, Key.TITLE, self.text, ctx)
            has_number, number = self.opt(f, Key.NUMBER, self.text, ctx)
            has_url, url = self.opt(f, Key.URL, self.text, ctx)
            if url is not None and not url.startswith(("https://", "http://")):
                self.at_key(f[Key.URL][1], f"{ctx}.url", "declared.url")
                url = None
            if (
                sid is None
                or title is None
                or (has_number and number is None)
                or (has_url and url is None)
            ):
                return None
            return Source(sid, title, number, url)

        out, ok = self.each(
            self.listed(node, Key.SOURCES, say("what.sources"), non_empty=False),
            (Key.ID, Key.TITLE),
            (Key.NUMBER, Key.URL),
            " {id: ..., title: ...}",
            source,
        )
        return tuple(out) if ok else None

    def category_decls(self, node: Node) -> tuple[Category, ...] | None:
        names: dict[str, Name] = {}  # every name given so far (see unique_names)

        def category(_: str, ctx: str, f: Fields, __: Node) -> Category | None:
            cid = self.req(f, Key.ID, self.ident, ctx)
            if cid == BASE:
                self.at(f[Key.ID][1], _reserved_base(f"{ctx}.id", "noun.id"))
                cid = None
            cid = self.once(f, ctx, cid, "noun.category", self.category_set)
            if cid is not None:
                self.categories.append(cid)
            label = self.label_of(f, Key.LABEL, ctx)
            has_aliases, aliases = self.opt(f, Key.ALIASES, self.aliases, ctx)
            has_rules, rules = self.opt(f, Key.DISABILITY, self.disability_rules, ctx)
            if cid is not None and not self.unique_names(f, ctx, cid, "noun.category", names):
                cid = None
            if (
                cid is None
                or label is None
                or (has_aliases and aliases is None)
                or (has_rules and rules is None)
            ):
                return None
            return Category(cid, label, rules or (), aliases or ())

        out, ok = self.each(
            self.listed(node, Key.CATEGORIES, say("what.categories"), non_empty=False),
            (Key.ID, Key.LABEL),
            (Key.ALIASES, Key.DISABILITY),
            " {id: ..., label: ...}",
            category,
        )
        return tuple(out) if ok else None

    def aliases(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        """A non-empty list of distinct names (texts), as written."""
        items = self.items(node, ctx, say("what.aliases"), non_empty=False)
        if isinstance(node, SequenceNode) and not items:
            self.at_key(node, ctx, "declared.no_alias")
        out: list[str] = []
        seen: dict[str, Name] = {}  # name_key → the alias that gave it
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
                if shown:
                    message = say(
                        "declared.alias_twice",
                        value=quote(text),
                        quoted=shown,
                        line=first.line,
                        note=note,
                    )
                else:
                    message = say("list.twice", value=quote(text))
                self.at(item, say("at", where=ictx, message=message))
                ok = False
                continue
            seen[name_key(text)] = Name("", "noun.alias", text, line_col(item)[0])
            out.append(text)
        return tuple(out) if ok else None

    def unique_names(
        self, f: Fields, ctx: str, owner: str, noun: str, seen: dict[str, Name]
    ) -> bool:
        """Check the id, labels and aliases of one entry (``f``) against every name of the
        earlier entries in ``seen`` (:func:`name_key` → the name), then add its own. Input
        files name a category or level by any of them, so each must name one entry only.

        An alias repeating its own entry's id or label is refused (it says nothing, and is
        likely a slip); the labels may repeat the id or each other (``en`` defaults to
        ``zh``). A repeated id is reported by the caller, not here. False on a problem.
        ``noun``: the message id of what the entry is (``noun.category``, ``noun.level``)."""
        names: list[tuple[str, str, Node, str]] = [(owner, "noun.id", f[Key.ID][1], f"{ctx}.id")]
        label = f[Key.LABEL][1] if Key.LABEL in f else None
        for lang in (Key.ZH, Key.EN):
            text_node = field(label, lang) if label is not None else None
            if isinstance(text_node, ScalarNode) and text_node.tag == "str":
                names.append(
                    (text_node.value, f"noun.{lang}_label", text_node, f"{ctx}.label.{lang}")
                )
        aliases = f[Key.ALIASES][1] if Key.ALIASES in f else None
        if isinstance(aliases, SequenceNode):
            for i, item in enumerate(aliases.value):
                if isinstance(item, ScalarNode) and item.tag == "str" and item.value.strip():
                    names.append((item.value, "noun.alias", item, f"{ctx}.aliases[{i}]"))
        own: dict[str, Name] = {}
        aliased: set[str] = set()  # a repeated alias is reported by aliases(), once
        ok = True
        for text, what, node, nctx in names:
            key = name_key(text)
            if what == "noun.alias":
                if key in aliased:
                    continue
                aliased.add(key)
            line = line_col(node)[0]
            mine = own.get(key)
            other = seen.get(key)
            if what != "noun.id" and key == BASE:
                self.at(node, _reserved_base(nctx, "noun.name"))
            elif what == "noun.alias" and mine is not None and mine.what != "noun.alias":
                shown, note = _as_written(text, mine)
                self.at_key(
                    node,
                    nctx,
                    "declared.own_name_as" if shown else "declared.own_name",
                    value=quote(text),
                    noun=say(noun),
                    what=say(mine.what),
                    quoted=shown,
                    note=note,
                )
            elif other is not None and not (what == "noun.id" == other.what):
                shown, note = _as_written(text, other)
                self.at_key(
                    node,
                    nctx,
                    "declared.names_other_as" if shown else "declared.names_other",
                    value=quote(text),
                    noun=say(noun),
                    owner=other.owner,
                    what=say(other.what),
                    quoted=shown,
                    line=other.line,
                    note=note,
                )
            else:
                own.setdefault(key, Name(owner, what, text, line))
                continue
            ok = False
        for key, name in own.items():
            seen.setdefault(key, name)
        return ok

    def disability_rules(self, node: Node, ctx: str) -> tuple[DisabilityRule, ...] | None:
        def rule(_: str, ictx: str, f: Fields, __: Node) -> DisabilityRule | None:
            grades = self.req(f, Key.GRADES, self.disability_grades, ictx)
            has_types, types = self.opt(f, Key.TYPES, self.disability_types, ictx)
            if grades is None or (has_types and types is None):
                return None
            return DisabilityRule(grades, types)

        out, ok = self.each(
            self.listed(node, ctx, say("what.disability_rules")),
            (Key.GRADES,),
            (Key.TYPES,),
            " {grades: [...]}",
            rule,
        )
        return tuple(out) if ok and out else None

    def disability_grades(self, node: Node, ctx: str) -> tuple[int, ...] | None:
        items = self.items(node, ctx, say("what.disability_grades"))
        if not items:
            return None
        return self.distinct(
            items,
            ctx,
            lambda item, ictx: self.integer(item, ictx, 1, 4),
            lambda g: say("noun.grade", grade=g),
        )

    def disability_types(self, node: Node, ctx: str) -> tuple[str, ...] | None:
        items = self.items(node, ctx, say("what.disability_types"))
        if not items:
            return None
        return self.distinct(
            items,
            ctx,
            lambda item, ictx: self.choice(item, ictx, DISABILITY_TYPES),
            lambda kind: say("noun.type", kind=kind),
        )
