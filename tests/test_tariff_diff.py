"""The order and the cost of ``diff_tariffs``: where members only one side has are placed, and
that comparing long lists is linear (benchmarks/bench_tariff_diff.py: 8,000 sources and 8,000
categories took 32 s before, 0.1-0.4 s after)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from hypothesis import given
from hypothesis import strategies as st

from medcalc.tariff import Change, Items, Source, Tariff, diff_tariffs

from support import core_yaml, tariff

BASE = tariff(core_yaml())


def merged_by_definition(a_keys: Sequence[str], b_keys: Sequence[str]) -> list[str]:
    """THE SPECIFICATION (the quadratic merge that diff used before): B's keys in B's order;
    each key only A has is inserted, in A's order, right after the nearest earlier key of A
    already placed (at the front when there is none)."""
    out = list(b_keys)
    for i, key in enumerate(a_keys):
        if key in out:
            continue
        before = next((k for k in reversed(a_keys[:i]) if k in out), None)
        out.insert(0 if before is None else out.index(before) + 1, key)
    return out


def with_sources(keys: Sequence[str], title: str) -> Tariff:
    """The core tariff with one source per key, each titled ``title`` (sources are not checked
    against references here: only their order matters)."""
    return attrs.evolve(BASE, sources=tuple(Source(k, title) for k in keys))


def source_order(changes: Sequence[Change]) -> list[str]:
    """The source ids the changes name, in order: an added or removed source by its key, a
    source both have by its changed title (``sources[s3].title``)."""
    out = []
    for c in changes:
        if c.path == "sources":
            assert c.key is not None
            out.append(c.key)
        elif c.path.startswith("sources["):
            out.append(c.path.removeprefix("sources[").removesuffix("].title"))
    return out


def test_members_only_a_has_follow_their_predecessor_in_a() -> None:
    """A = x s1 y z s2 w, B = s2 n s1: x leads (nothing of B before it in A), w follows s2,
    y z follow s1, and B's own order stays: x s2 w n s1 y z."""
    a = with_sources(["x", "s1", "y", "z", "s2", "w"], "A")
    b = with_sources(["s2", "n", "s1"], "B")
    changes = diff_tariffs(a, b)
    assert source_order(changes) == ["x", "s2", "w", "n", "s1", "y", "z"]
    assert [c.kind for c in changes] == [
        "removed",  # x
        "changed",  # s2's title
        "removed",  # w
        "added",  # n
        "changed",  # s1's title
        "removed",  # y
        "removed",  # z
    ]


KEYS = st.lists(st.sampled_from([f"s{i}" for i in range(12)]), unique=True, max_size=12)


@given(a_keys=KEYS, b_keys=KEYS)
def test_merge_order_is_the_specified_one(a_keys: list[str], b_keys: list[str]) -> None:
    """For any two lists of distinct ids (as sources, categories and levels are), the diff
    names the members in the order of the specification above, each exactly once."""
    changes = diff_tariffs(with_sources(a_keys, "A"), with_sources(b_keys, "B"))
    expected = merged_by_definition(a_keys, b_keys)
    assert source_order(changes) == expected
    assert sorted(expected) == sorted(set(a_keys) | set(b_keys))


def test_items_get_finds_the_first_member_of_a_key() -> None:
    """Items.get is the member of that key (the first, should a key repeat), or None."""
    items = Items("id", (("a", {"n": 1}), ("b", {"n": 2}), ("a", {"n": 3})))
    assert (items.get("a"), items.get("b"), items.get("c")) == ({"n": 1}, {"n": 2}, None)
    assert items == Items("id", (("a", {"n": 1}), ("b", {"n": 2}), ("a", {"n": 3})))


def test_long_lists_give_every_change() -> None:
    """16,000 sources against 16,000, a third of each only on one side: every one is reported.
    (Speed is measured by ``benchmarks/bench_tariff_diff.py``, not asserted here: the
    quadratic merge took 35 s on this input, the linear one 0.3-0.7 s on a busy 2-core box.)"""
    n = 16000
    a = with_sources([f"s{i}" for i in range(n)], "A")
    b = with_sources([f"s{i}" for i in range(n) if i % 3] + [f"n{i}" for i in range(n // 3)], "B")
    changes = diff_tariffs(a, b)
    # both have s{i} for i % 3 != 0: 10,666 titles changed (A -> B); only A has s{i} for
    # i % 3 == 0: 5,334 removed; only B has n0..n5332: 5,333 added. 10,666 + 5,334 + 5,333 =
    # 21,333 = n + n // 3.
    assert len(changes) == n + n // 3
