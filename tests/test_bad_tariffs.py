"""One tiny malformed tariff per failure mode (tests/bad_tariffs/*.yaml).

Each file starts with its expected problems, one ``# expect: LINE:COL: gist`` comment each, in
order; the test checks the file, the exact line and column, and that the message holds the gist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medcalc.errors import TariffFileError
from medcalc.tariff import check_tariff, load_tariff

BAD = Path(__file__).parent / "bad_tariffs"
FILES = sorted(BAD.glob("*.yaml"))
EXPECT = re.compile(rb"^# expect: (\d+):(\d+): (.*)$")


def expectations(data: bytes) -> list[tuple[int, int, str]]:
    out = []
    for line in data.splitlines():
        match = EXPECT.match(line)
        if not match:
            break
        out.append((int(match[1]), int(match[2]), match[3].decode("utf-8")))
    return out


def test_corpus_is_large_enough() -> None:
    """The corpus covers at least 35 failure modes, each file stating what it expects."""
    assert len(FILES) >= 35
    assert all(expectations(f.read_bytes()) for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_bad_tariff(path: Path) -> None:
    """Every problem of the file is reported at its file, line and column, with its message."""
    data = path.read_bytes()
    expected = expectations(data)
    problems = check_tariff(data, str(path))
    assert [(p.path, p.line, p.column) for p in problems] == [
        (str(path), line, col) for line, col, _ in expected
    ]
    for problem, (_, _, gist) in zip(problems, expected, strict=True):
        assert gist in problem.message


@pytest.mark.parametrize("path", FILES[:3], ids=[f.name for f in FILES[:3]])
def test_bad_tariff_raises_on_load(path: Path) -> None:
    """Loading a bad file raises TariffFileError carrying the same problems as the check."""
    with pytest.raises(TariffFileError) as info:
        load_tariff(path)
    assert list(info.value.problems) == check_tariff(path.read_bytes(), str(path))


def test_pure_python_parser_finds_the_same_problems() -> None:
    """Without libyaml, the pure-Python parser reports the same problems at the same places."""
    for f in FILES:
        with_c = check_tariff(f.read_bytes(), str(f), parser="libyaml")
        found = check_tariff(f.read_bytes(), str(f), parser="python")
        # Only the wording of a YAML syntax error differs between the two parsers.
        assert [(p.line, p.column) for p in found] == [(p.line, p.column) for p in with_c]
        if f.name != "yaml_syntax_error.yaml":
            assert found == with_c


def test_the_default_parser_is_libyaml_when_pyyaml_has_it() -> None:
    """``parser=None`` (the default) reads with libyaml when PyYAML has it, else with PyYAML's
    own parser: the one YAML syntax error whose wording differs tells which one read."""
    import yaml

    f = BAD / "yaml_syntax_error.yaml"
    fastest = "libyaml" if yaml.__with_libyaml__ else "python"
    assert check_tariff(f.read_bytes(), str(f)) == check_tariff(
        f.read_bytes(), str(f), parser=fastest
    )


def test_an_unknown_parser_is_refused() -> None:
    """``parser`` names libyaml or python; any other value is a ValueError, not a silent pick."""
    with pytest.raises(ValueError, match="parser='yaml'"):
        check_tariff(b"format: 1\n", "x.yaml", parser="yaml")  # type: ignore[arg-type]
