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
