"""Every Python block in docs/library.md and README.md runs and prints what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BLOCK = re.compile(r"```python\n(.*?)```\n+```text\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for page in ("docs/library.md", "README.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        for i, match in enumerate(BLOCK.finditer(text)):
            found.append((f"{page}#{i + 1}", match.group(1), match.group(2)))
    return found


@pytest.mark.parametrize(("where", "code", "expected"), examples(), ids=[e[0] for e in examples()])
def test_documented_example(where: str, code: str, expected: str) -> None:
    """The block's printed output is exactly the text block that follows it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})
    assert out.getvalue() == expected


def test_readme_quick_start_matches_ci() -> None:
    """The README's quick start has exactly two commands, and CI runs its test command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.DOTALL)
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    test_command = commands[1].split("&&", 1)[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
