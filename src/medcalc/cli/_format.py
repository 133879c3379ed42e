"""Help pages wrapped by display width, so Chinese text wraps too.

click wraps help at spaces and counts characters; a Chinese paragraph has no spaces and each
character takes two columns, so click would print it as one line twice the terminal's width.
:class:`HelpFormatter` wraps between any two Chinese characters and counts East Asian wide
characters as two columns; Chinese punctuation never starts a line. English text wraps at
spaces as before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

import click

#: Punctuation that stays with the character before it (never starts a line) ...
_CLOSING = frozenset("，。、；：！？）》」』】,.;:!?)")
#: ... and with the character after it (never ends a line).
_OPENING = frozenset("（《「『【(")


def _wide(chars: str) -> bool:
    """Whether any of ``chars`` is East Asian wide (two columns)."""
    return any(unicodedata.east_asian_width(c) in "WF" for c in chars)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for each East Asian wide character."""
    return sum(2 if _wide(c) else 1 for c in text)


def _tokens(text: str) -> Iterator[str]:
    """The pieces a line may break between: words, single wide characters (with their
    punctuation), a bracketed note such as click's ``[default: 100; x>=1]`` (whole), and runs
    of spaces (two spaces before the note stay two)."""
    token, bracket = "", False
    for char in text:
        if bracket:
            token += char
            bracket = char != "]"
        elif char == "[" and (not token or token.isspace()):
            if token:
                yield token
            token, bracket = char, True
        elif char.isspace():
            if token and not token.isspace():
                yield token
                token = ""
            token += " "
        elif token.isspace():
            yield token
            token = char
        elif char in _CLOSING or (token and (token[-1] in _OPENING or not _wide(char + token[-1]))):
            token += char  # punctuation, a word's next letter, or what follows an opening
        else:
            if token:
                yield token
            token = char
    if token:
        yield token


def _fill(text: str, columns: int, first: str, rest: str) -> list[str]:
    lines: list[str] = []
    line, used, gap = first, width(first), ""
    empty = True
    for token in _tokens(text):
        if token.isspace():
            gap = "" if empty else token
            continue
        if not empty and used + len(gap) + width(token) > columns:
            lines.append(line)
            line, used, gap = rest, width(rest), ""
        line += gap + token
        used += len(gap) + width(token)
        empty, gap = False, ""
    lines.append(line)
    return lines


def _joined(lines: Iterable[str]) -> str:
    """A paragraph's lines as one: a line break between two Chinese characters is no space."""
    out = ""
    for line in lines:
        line = line.strip()
        if out and line:
            out += "" if _wide(out[-1]) and _wide(line[0]) else " "
        out += line
    return out


def wrap(text: str, columns: int, first: str = "", rest: str = "") -> str:
    """``text`` wrapped to ``columns``; paragraphs are separated by a blank line, and one
    that starts with a ``\\b`` line is kept as written (click's convention)."""
    paragraphs = [p for p in text.expandtabs().split("\n\n") if p.strip()]
    out = []
    for paragraph in paragraphs:
        lines = paragraph.strip("\n").split("\n")
        if lines[0].strip() == "\b":
            out.append("\n".join(rest + line for line in lines[1:]))
        else:
            out.append("\n".join(_fill(_joined(lines), columns, first, rest)))
    return "\n\n".join(out)


class HelpFormatter(click.HelpFormatter):
    """click's help formatter, wrapping text and the option table by display width."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap(text, self.width, indent, indent))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        # click's layout (a first column at most col_max wide, a longer term on a line of
        # its own), with the second column wrapped by display width.
        rows = list(rows)
        first_col = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        columns = max(self.width - first_col - 2, 10)
        margin = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width(term)))
            else:
                self.write("\n" + margin)
            lines = wrap(text, columns).split("\n")
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{margin}{line}\n" if line else "\n")


class Context(click.Context):
    """A click context whose help pages use :class:`HelpFormatter`."""

    formatter_class = HelpFormatter
