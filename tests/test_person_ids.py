"""Ids and other text fields (issue 11, item 2 follow-up): which characters fold, which are
refused, and that a batch groups people by exactly that rule in both engines.

``rows.text`` used to NFKC-fold every text field, so ``P²`` and ``P2``, ``P①`` and ``P1``,
``ﬁ`` and ``fi`` were one person in a batch and their claims accumulated together. Now only
full-width ASCII and wide spaces fold (``Ｐ１`` is ``P1``, as a Chinese IME types it) and
canonically equivalent forms are made one (NFC); a compatibility character (one NFKC would
fold further) or an invisible one is refused naming it, because either reading of it may be
wrong and nothing in the file says which.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from medcalc import InputError
from medcalc.chain import fields as rows
from medcalc.cli import cli

SERIES = "qingyuan-qingcheng"

# -- the rule, field by field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("Ｐ１", "P1"),  # full-width, as a Chinese IME types it
        ("\u3000P1\u3000", "P1"),  # ideographic spaces around
        ("Ｐ\u3000１", "P 1"),
        ("P\u00a01", "P 1"),  # a no-break space is a space
        ("ｌｅｖｅｌ＿１", "level_1"),
        ("poverty；low_income", "poverty;low_income"),  # full-width semicolon
        ("张三", "张三"),
        ("e\u0301", "\u00e9"),  # é as e + combining accent: the same text (NFC)
        ("\uf900", "\u8c48"),  # a CJK compatibility ideograph is canonically its unified twin
    ],
)
def test_full_width_and_equivalent_forms_fold(cell: str, read: str) -> None:
    assert rows.text({"person_id": cell}, "person_id") == read


@pytest.mark.parametrize(
    ("cell", "named", "plain"),
    [
        ("P²", "'²' (U+00B2 SUPERSCRIPT TWO)", "2"),  # NFKC: P2
        ("P①", "'①' (U+2460 CIRCLED DIGIT ONE)", "1"),  # NFKC: P1
        ("ﬁ", "'ﬁ' (U+FB01 LATIN SMALL LIGATURE FI)", "fi"),
        ("⼆级", "'⼆' (U+2F06 KANGXI RADICAL TWO)", "二"),  # looks like 二 (PDF copies)
        ("Ⅱ", "'Ⅱ' (U+2161 ROMAN NUMERAL TWO)", "II"),
        ("𝐏1", "'𝐏' (U+1D40F MATHEMATICAL BOLD CAPITAL P)", "P"),
        ("ｶ", "'ｶ' (U+FF76 HALFWIDTH KATAKANA LETTER KA)", "カ"),
        ("level_²", "'²' (U+00B2 SUPERSCRIPT TWO)", "2"),  # NFKC: level_2, another deductible
    ],
)
def test_compatibility_characters_are_refused_naming_them(
    cell: str, named: str, plain: str
) -> None:
    with pytest.raises(InputError) as info:
        rows.text({"person_id": cell}, "person_id")
    assert info.value.field == "person_id"
    assert str(info.value) == (
        f"person_id: {cell!r} is not plain text: {named} is a form of {plain!r}; "
        f"write {plain!r} if that is meant"
    )


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        ("P1\u200b", "'\\u200b' (U+200B ZERO WIDTH SPACE)"),
        ("\ufeffP1", "'\\ufeff' (U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
        ("P\t1", "'\\t' (U+0009)"),
        ("P1\u2028x", "'\\u2028' (U+2028 LINE SEPARATOR)"),
        ("poverty\u2060", "'\\u2060' (U+2060 WORD JOINER)"),
    ],
)
def test_invisible_characters_are_refused_naming_them(cell: str, named: str) -> None:
    """``P1`` with a zero-width space looks like ``P1`` and would be another person."""
    with pytest.raises(InputError) as info:
        rows.text({"categories": cell}, "categories")
    assert str(info.value) == (
        f"categories: {cell!r} is not plain text: {named} is invisible; delete it"
    )


def test_every_text_field_follows_the_rule() -> None:
    """Ids, levels, categories, types and the series all go through rows.text."""
    row = {"person_id": "P①", "hospital_level": "level_¹", "categories": "povertyⅠ"}
    for field in row:
        with pytest.raises(InputError, match=f"^{field}: .* is not plain text"):
            rows.text(row, field)
    with pytest.raises(InputError, match=r"^categories: "):
        rows.categories(row)


cells = st.text(
    st.one_of(
        st.sampled_from("Pp12 _-;,"),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width
        st.sampled_from("\u3000\u00a0²①ﬁ⼆Ⅱ\u0301\uf900\u200b\ufeff\t张三"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=8,
)


@given(cells, cells)
def test_no_two_cells_nfkc_reads_as_one_are_silently_two(a: str, b: str) -> None:
    """Policy: an id that is accepted is exactly what NFKC read before (nothing that worked
    changes meaning); so two cells NFKC read as one id are one id here too, or one of them is
    refused - never silently two people. And two cells are one id only if NFKC agrees."""

    def read(cell: str) -> str | None:
        try:
            return rows.text({"person_id": cell}, "person_id")
        except InputError:
            return "<refused>"

    for cell, got in ((a, read(a)), (b, read(b))):
        if got != "<refused>":
            assert got == (unicodedata.normalize("NFKC", cell).strip() or None)
    if read(a) == read(b) != "<refused>":
        assert unicodedata.normalize("NFKC", a).strip() == unicodedata.normalize("NFKC", b).strip()


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12))
def test_full_width_of_any_ascii_id_is_that_id(ascii_id: str) -> None:
    """Policy: an ASCII id typed in full width (U+FF01-FF5E) is the same id."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in ascii_id)
    assert rows.text({"person_id": ascii_id}, "person_id") == ascii_id
    assert rows.text({"person_id": wide}, "person_id") == ascii_id


# -- a batch groups people by the same rule, in both engines ------------------------------------

# Every claim: compliant 20000.00 with basic_paid 8000.00, so 12000.00 is individual-borne.
# Critical illness (2018 base profile): threshold 10000, 50 % of the year's cumulative burden
# above it (the first band runs to 100000).
#   one person, one claim:   (12000 - 10000) x 0.50 = 1000.00
#   one person, 2nd claim:   (24000 - 10000) x 0.50 = 7000.00 for the year, 7000 - 1000 = 6000.00
# out_of_pocket = 20000 - 8000 - critical illness (no category, so no assistance).
CLAIMS = [
    # person_id, date -> critical_illness, out_of_pocket, error
    ("Ｐ１", "2018-03-01", "1000.00", "11000.00", ""),  # full-width: P1's first claim
    ("P1", "2018-04-01", "6000.00", "6000.00", ""),  # P1's second claim
    ("P²", "2018-03-01", "", "", "'²' (U+00B2 SUPERSCRIPT TWO) is a form of '2'"),
    ("P2", "2018-04-01", "1000.00", "11000.00", ""),  # alone; NFKC made it P²'s 2nd: 6000.00
    ("ﬁ", "2018-03-01", "", "", "'ﬁ' (U+FB01 LATIN SMALL LIGATURE FI) is a form of 'fi'"),
    ("fi", "2018-04-01", "1000.00", "11000.00", ""),  # alone
    ("P3\u200b", "2018-03-01", "", "", "'\\u200b' (U+200B ZERO WIDTH SPACE) is invisible"),
    ("P3", "2018-04-01", "1000.00", "11000.00", ""),  # alone
]


def _source(tmp_path: Path) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["person_id", "date", "compliant", "basic_paid"])
    writer.writerows([(pid, day, "20000", "8000") for pid, day, *_ in CLAIMS])
    source = tmp_path / "ids.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8")
    return source


def _batch(tmp_path: Path, engine: str) -> bytes:
    out = tmp_path / f"{engine}.csv"
    result = CliRunner().invoke(
        cli,
        ["batch", "claims", str(_source(tmp_path)), "-o", str(out), "--series", SERIES,
         "--engine", engine, "--input-encoding", "utf-8"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output  # 3: some rows have errors
    assert "Traceback" not in result.output
    return out.read_bytes()


@pytest.mark.parametrize("engine", ["core", "fast"])
def test_batch_groups_people_by_the_rule(tmp_path: Path, engine: str) -> None:
    if engine == "fast":
        pytest.importorskip("pyarrow")
    written = _batch(tmp_path, engine)
    got = list(csv.DictReader(io.StringIO(written.decode("utf-8-sig"), newline="")))
    assert [r["person_id"] for r in got] == [c[0] for c in CLAIMS]
    for row, (pid, _, critical, pocket, error) in zip(got, CLAIMS, strict=True):
        assert (row["critical_illness"], row["out_of_pocket"]) == (critical, pocket), pid
        if error:
            assert row["error"].startswith(f"person_id: {pid!r} is not plain text: {error}")
        else:
            assert row["error"] == "", pid


def test_both_engines_write_the_same_bytes(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    assert _batch(tmp_path, "core") == _batch(tmp_path, "fast")
