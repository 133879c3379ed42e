"""Helpers shared by the tests: tariffs from YAML text, amounts, dates; malformed files
(:func:`mutated`)."""

from __future__ import annotations

import codecs
import datetime as dt
import textwrap
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from medcalc.tariff import Tariff, TariffBook, parse_tariff


def D(text: str) -> Decimal:  # noqa: N802 - reads like a literal in hand-worked examples
    """An exact amount or ratio from its text."""
    return Decimal(text)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def tariff(text: str, path: str = "test.yaml") -> Tariff:
    """A tariff from YAML text (dedented), through the strict loader."""
    return parse_tariff(textwrap.dedent(text).encode("utf-8"), path)


def book(*texts: str) -> TariffBook:
    return TariffBook.of(tariff(t, f"t{i}.yaml") for i, t in enumerate(texts))


HEADER = """\
format: 1
series: core
version: "{version}"
title: {{zh: 测试待遇标准, en: test tariff}}
region: {{code: "000000", name: {{zh: 测试区, en: test district}}}}
effective: {{from: {start}, to: {end}}}
status: illustrative
rounding: {rounding}
sources:
  - {{id: src, title: 测试依据}}
"""

CATEGORIES = """\
categories:
  - id: five_guarantee
    label: {zh: 特困供养人员}
  - id: low_income
    label: {zh: 低保对象}
  - id: poverty
    label: {zh: 建档立卡贫困人员}
  - id: severe_disability
    label: {zh: 重度残疾人}
    disability:
      - {grades: [1, 2]}
      - {grades: [3], types: [intellectual, mental]}
"""

ENROLLMENT = """\
enrollment:
  benefits_start: {benefits_start}
  exempt: [five_guarantee]
"""

PREMIUMS = """\
medical_premium:
  contribution: 220
  government_pays:
    five_guarantee: full
    low_income: {share: 0.5}
    poverty: {amount: 150}
    severe_disability: full
  source: src
pension_premium:
  ages: {from: 16, to: 59}
  grades:
    - {amount: 120, subsidy: 30}
    - {amount: 240, subsidy: 35}
    - {amount: 600, subsidy: 60}
    - {amount: 100, subsidy: 30, for: [poverty, low_income]}
  government_pays:
    five_guarantee: full
    severe_disability: full
    low_income: {share: 0.5}
    poverty: {amount: 150}
  basic_pension_monthly: 148
  source: src
"""

INPATIENT = """\
inpatient:
  levels:
    - {id: level_1, label: {zh: 一级医院}, deductible: 300, ratio: 0.90}
    - {id: level_2, label: {zh: 二级医院}, deductible: 500, ratio: 0.80}
    - {id: level_3, label: {zh: 三级医院}, deductible: 800, ratio: 0.70}
  annual_cap: 200000
  adjustments:
    poverty: {deductible_factor: 0.5, ratio_bonus: 0.05}
  source: src
"""

CRITICAL_ILLNESS = """\
critical_illness:
  threshold: {threshold}
  bounds: {bounds}
  segments:
{segments}
  annual_cap: 400000
  adjustments:
    five_guarantee: {{threshold_factor: 0.5, ratio_bonus: 0.05, annual_cap: none}}
    poverty: {{threshold_factor: 0.5, ratio_bonus: 0.05, annual_cap: none}}
  source: src
"""

STANDARD_SEGMENTS = """\
    - {to: 100000, ratio: 0.60}
    - {to: 200000, ratio: 0.70}
    - {ratio: 0.80}"""

ASSISTANCE = """\
medical_assistance:
  eligible:
    five_guarantee: {ratio: 1.00, annual_cap: none}
    poverty: {ratio: 0.70, annual_cap: 50000, deductible: 1000}
  source: src
"""


def core_yaml(
    *,
    version: str = "2018.1",
    start: str = "2018-01-01",
    end: str = "2018-12-31",
    rounding: str = "half_up",
    benefits_start: str = "next_month",
    threshold: str = "15000",
    bounds: str = "cumulative",
    segments: str = STANDARD_SEGMENTS,
) -> str:
    """The test tariff used by the hand-worked examples (every section, see the constants)."""
    return (
        HEADER.format(version=version, start=start, end=end, rounding=rounding)
        + CATEGORIES
        + ENROLLMENT.format(benefits_start=benefits_start)
        + PREMIUMS
        + INPATIENT
        + CRITICAL_ILLNESS.format(threshold=threshold, bounds=bounds, segments=segments)
        + ASSISTANCE
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem answer of the service with this status, as a dict."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


#: Pieces a mutation inserts or puts in place of a byte.
PIECES = [
    b'"',
    b'""',
    b"\x00",
    b"\r",
    b"\n",
    b"\r\n",
    b",",
    b",,",
    codecs.BOM_UTF8,
    b"\xff",
    b"\xc3",  # a UTF-8 lead byte alone
    b"\xe5\x8c",  # a truncated 3-byte character
    "住院".encode("gb18030"),
    "医院".encode("gb18030"),
    "５".encode(),
    "²".encode(),
    "①".encode(),
    "٣٤٥".encode(),
    "५०००".encode(),
    b"9" * 4400,
    b"0" * 4400 + b"1",  # 4,401 characters, one significant digit
    b"1" * 5000 + b".5",
    b"-",
    b"=",
    b"+",
    b"@",
    b"\t",
    b" ",
    b"\x0b",
    b"\x1c",
    "\x85".encode(),
    "\u2028".encode(),
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes, pieces: list[bytes]) -> bytes:
    """``base`` after one to four random mutations."""
    data = base
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "replace", "delete", "truncate", "lines", "stray"]))
        # Mostly in the rows: a mutated header mostly gives the same "no such column" error.
        body = data.find(b"\n") + 1 if draw(st.integers(0, 9)) else 0
        at = draw(st.integers(body, len(data)))
        if kind == "insert":
            data = data[:at] + draw(st.sampled_from(pieces)) + data[at:]
        elif kind == "replace":
            data = data[:at] + draw(st.sampled_from(pieces)) + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 12)) :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "stray":
            # A stray quote at a field start, closed at a later field end: mid-row, at a
            # row's end, on a later line or the same one (what a typed 24" becomes).
            starts = [body] + [i + 1 for i in range(body, len(data)) if data[i] in b",\n"]
            a = draw(st.sampled_from(starts))
            ends = [i for i in range(a + 1, len(data) + 1) if data[i : i + 1] in b",\r\n"]
            b = draw(st.sampled_from(ends)) if ends else len(data)
            data = data[:a] + b'"' + data[a:b] + b'"' + data[b:]
        else:  # a line repeated, dropped or moved
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            line = lines[i]
            how = draw(st.sampled_from(["repeat", "drop", "move"]))
            if how != "repeat":
                del lines[i]
            if how != "drop":
                lines.insert(min(j, len(lines)), line)
            data = b"\n".join(lines)
    return data
