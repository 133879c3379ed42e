"""A message in the clerk's language: English error text back to its catalogue entry, in Chinese.

The library says its errors in English (:func:`medcalc.messages.say`); a shell shows them in
the user's language by :func:`translate`, which matches the text against every English template
of :data:`medcalc.messages.CATALOGUE` and fills the Chinese one. A parameter that is a message
itself (``total: …``, ``file.yaml:3:5: …``) is translated in turn; a field id is shown by its
Chinese name (:data:`medcalc.chain.FIELD_LABELS`).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping

import attrs

from medcalc.chain import FIELD_LABELS
from medcalc.messages import CATALOGUE, MONTHS, WHOLE_NUMBERS, Message

__all__ = ["translate"]

#: Names that messages give arguments of the library's API rather than input fields.
_OTHER_NAMES: Mapping[str, str] = {"year_to_date": "年度累计", "person": "参保人"}
_MONTHS = {name: f"{number}月" for number, name in enumerate(MONTHS, start=1)}


def translate(text: str, lang: str) -> str:
    """``text``, an error message medcalc wrote, in ``lang``: as it is for ``"en"``; for
    ``"zh"`` the Chinese of the catalogue entry it matches (every line of a text of several
    lines, e.g. one per problem of a tariff file; each message of a batch row's problems
    joined by ``; ``); a text no entry matches stays as it is.

    >>> translate("total: -5.00 is negative; amounts must be 0 or more", "zh")
    '医疗总费用：-5.00 是负数；金额不能为负数'
    """
    if lang != "zh" or not text:
        return text
    if "\n" in text:
        return "\n".join(translate(line, lang) for line in text.split("\n"))
    found = _chinese(text)
    if found is not None:
        return found[1]
    joined = _joined(text.split("; ")) if "; " in text else None
    return text if joined is None else "；".join(joined)


def _joined(parts: list[str]) -> list[str] | None:
    """Messages joined by ``; `` (a batch row's problems; a message may hold ``; `` itself):
    the Chinese of each, the longest first, or None when some part is none."""
    # found[j]: the Chinese of the messages in parts[:j], or None when they are not messages
    found: list[list[str] | None] = [[]] + [None] * len(parts)
    for end in range(1, len(parts) + 1):
        for start in range(end):
            before = found[start]
            one = None if before is None else _chinese("; ".join(parts[start:end]))
            if before is not None and one is not None:
                found[end] = [*before, one[1]]
                break
    return found[-1]


@attrs.frozen
class _Pattern:
    """One entry's English template as a regular expression, and how to fill its Chinese."""

    message: Message
    regex: re.Pattern[str]
    probe: str  # the template's longest literal part: a quick test before the regex
    literal: int  # how much of the template is literal text: the most wins

    def fill(self, params: Mapping[str, str]) -> str:
        parts = string.Formatter().parse(self.message.zh)
        return "".join(text + (params[name] if name else "") for text, name, _, _ in parts)


@functools.cache
def _patterns() -> tuple[_Pattern, ...]:
    return tuple(_pattern(m) for m in CATALOGUE.values())


def _pattern(message: Message) -> _Pattern:
    regex, literals, seen = [], [], set()
    for text, name, _, _ in string.Formatter().parse(message.en):
        regex.append(re.escape(text))
        literals.append(text)
        if name is None:
            continue
        if name in seen:
            regex.append(f"(?P={name})")
        else:
            regex.append(f"(?P<{name}>{_param_regex(message, name)})")
        seen.add(name)
    return _Pattern(
        message,
        re.compile("".join(regex), re.DOTALL),
        max(literals, key=len),
        sum(map(len, literals)),
    )


def _param_regex(message: Message, name: str) -> str:
    """What a parameter's text may be."""
    kind = message.kind(name)
    if name in WHOLE_NUMBERS:
        return "[0-9][0-9,]*"
    if name == "where":  # a key's path in a tariff file
        return r"\S+"
    if name == "quoted":  # a text in double quotes
        return '".*?'
    return _KIND_REGEX[kind or "value"]


#: What a parameter of each kind may be: a ``text`` may be empty (a hint not always given); a
#: value holds no ``;`` outside quotes, where a batch row's next problem begins (``total:
#: -5.00 is negative; …; date: …``).
_KIND_REGEX = {
    "field": r"[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?",
    "list": "[0-9][0-9, ]*",
    "text": ".*?",
    "message": ".+?",
    "month": "[A-Z][a-z]+",
    "type": "an? [A-Za-z_.]+",
    "value": r"""(?:'[^']*'|"[^"]*"|[^;'"])+?""",
}


def _candidates(text: str) -> list[_Pattern]:
    """The entries ``text`` may be: those with a word of ``text`` (see :func:`_by_word`),
    and those with no word of their own (``{field}: {message}``)."""
    by_word, wordless = _by_word()
    found = {id(p): p for word in set(_WORD.findall(text)) for p in by_word.get(word, ())}
    return [*wordless, *found.values()]


_WORD = re.compile("[A-Za-z]+")


@functools.cache
def _by_word() -> tuple[dict[str, list[_Pattern]], list[_Pattern]]:
    """Each entry under one whole word of its literal text (not touching a parameter, so a
    text it matches holds that word whole), and the entries that have none: a text is tried
    against the entries of its words only, not the whole catalogue."""
    by_word: dict[str, list[_Pattern]] = {}
    wordless = []
    for pattern in _patterns():
        words = [
            word.group()
            for i, (text, name, _, _) in enumerate(string.Formatter().parse(pattern.message.en))
            for word in _WORD.finditer(text)
            if (word.start() > 0 or i == 0) and (word.end() < len(text) or name is None)
        ]
        if words:
            by_word.setdefault(max(words, key=len), []).append(pattern)
        else:
            wordless.append(pattern)
    return by_word, wordless


@functools.cache
def _values() -> tuple[_Pattern, ...]:
    """The entries that describe a value (``… (5,000 characters)``)."""
    return tuple(p for p in _patterns() if p.message.id.startswith("value.") and p.message.params())


@functools.lru_cache(maxsize=4096)
def _chinese(text: str, values: bool = False) -> tuple[int, str] | None:
    """The Chinese of ``text`` and how much literal text its entries explain (nested ones
    included): of several entries that match, the one that explains the most. ``values``:
    match only the entries that name a value."""
    best: tuple[int, str] | None = None
    for pattern in _values() if values else _candidates(text):
        if pattern.probe not in text:
            continue
        match = pattern.regex.fullmatch(text)
        if match is None:
            continue
        score = pattern.literal
        params: dict[str, str] = {}
        for name, value in match.groupdict().items():
            shown = _param(pattern.message, name, value)
            if shown is None:
                break
            params[name], explained = shown
            score += explained
        else:
            if best is None or score > best[0]:
                best = (score, pattern.fill(params))
    return best


def _param(message: Message, name: str, value: str) -> tuple[str, int] | None:
    """A parameter in Chinese, and how much literal text a nested message explains; None
    when it is a message that no entry matches (then the entry around it does not match
    either: a line is Chinese or English, not half of each)."""
    kind = message.kind(name)
    if kind in ("message", "text"):
        found = _chinese(value) if value else None
        if found is None:
            return None if kind == "message" else (value, 0)
        return found[1], found[0]
    if kind is None:  # a value: as it is, unless it is cut short or says none
        found = _chinese(value, values=True)
        return (value, 0) if found is None else (found[1], found[0])
    return _SHOW[kind](value), 0


def _field(value: str) -> str:
    if value in FIELD_LABELS:
        return FIELD_LABELS[value][0]
    return _OTHER_NAMES.get(value, value)


def _type(value: str) -> str:
    """``a float`` -> ``float``: the type's name without its English article."""
    return value.removeprefix("an ").removeprefix("a ")


_SHOW: Mapping[str, Callable[[str], str]] = {
    "field": _field,
    "month": lambda value: _MONTHS.get(value, value),
    "type": _type,
    "list": lambda value: value.replace(", ", "、"),
}
