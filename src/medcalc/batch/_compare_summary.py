"""What a proposal changes, summed up (``medcalc compare``, docs/compare.md): pure and exact.

Built row by row from whole fen (:class:`CompareTally`), read as a frozen
:class:`CompareSummary` of :class:`~decimal.Decimal` yuan: the totals of each amount under
the tables in force (现行) and under the proposal (方案), and the change (amount and %);
the same by category profile; the persons better off, worse off and unchanged (each person's
change summed over their rows); the deciles of the per-person change; the largest gains and
losses. Rendered as text lines (:func:`compare_lines`, zh or en) and as a JSON document
(:func:`compare_json`, amounts as strings). No I/O, no numpy: the file work is the job's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs

from medcalc.batch._headers import RESULT_NAMES_ZH, result_names, row_error
from medcalc.batch._rows import AMOUNTS, CLAIM_RESULTS, PREMIUM_RESULTS
from medcalc.money import EXACT
from medcalc.present import profile_label
from medcalc.tariff import Tariff

__all__ = [
    "CHANGES",
    "CLAIM_COMPARED",
    "PREMIUM_COMPARED",
    "SIDES",
    "TOP",
    "AmountChange",
    "CompareSummary",
    "CompareTally",
    "PersonChange",
    "amount_label",
    "compare_json",
    "compare_lines",
    "compare_names",
    "compare_results",
    "percent",
    "side_error",
    "side_results",
    "summarise",
]

CLAIM_COMPARED = AMOUNTS
"""The amounts a claims comparison totals: basic, each layer's (``chain.LAYERS``), out of
pocket; all grouped by the row's ``critical_illness_profile``."""

PREMIUM_COMPARED = (
    "medical_government",
    "medical_individual",
    "pension_government",
    "pension_individual",
    "pension_subsidy",
)
"""The amounts a premiums comparison totals: the government's 资助 and 代缴 (and the pension
subsidy) and what the person pays; medical ones grouped by ``medical_profile``, pension ones
by ``pension_profile``."""

SIDES = ("base", "proposal")
"""The two sides of a comparison: the tables in force (现行) and the proposal (方案)."""

_SIDE_ZH = {"base": "现行", "proposal": "方案"}
CHANGES = {
    "claims": ("change_out_of_pocket",),
    "premiums": ("change_government", "change_individual"),
}
"""The change columns of each kind (proposal − base), after both sides' results."""
_CHANGES_ZH = {
    "change_out_of_pocket": "个人自付变化",
    "change_government": "政府负担变化",
    "change_individual": "个人缴费变化",
}


def side_results(kind: str) -> tuple[str, ...]:
    """A side's result ids: the batch's, ``error`` apart (one ``error`` for both sides)."""
    results = CLAIM_RESULTS if kind == "claims" else PREMIUM_RESULTS
    return tuple(r for r in results if r != "error")


def compare_results(kind: str) -> tuple[str, ...]:
    """The result columns' ids of a comparison: ``base_`` and ``proposal_`` + each of the
    batch's results (``error`` apart), then the change(s) (proposal − base), then ``error``."""
    side = side_results(kind)
    return (*(f"{s}_{r}" for s in SIDES for r in side), *CHANGES[kind], "error")


def compare_names(kind: str, lang: str) -> tuple[str, ...]:
    """The result columns' names in ``lang``: the ids (``en``), or 现行/方案 + the batch's
    Chinese name (现行基本医保, 方案大病保险 …), 个人自付变化 …, 错误说明 (``zh``)."""
    if lang != "zh":
        return compare_results(kind)
    side = result_names(side_results(kind), "zh")
    return (
        *(f"{_SIDE_ZH[s]}{name}" for s in SIDES for name in side),
        *(_CHANGES_ZH[c] for c in CHANGES[kind]),
        RESULT_NAMES_ZH["error"],
    )


def side_error(base: str | None, proposal: str | None, lang: str) -> str | None:
    """A row's one error text from each side's message (None: none): the message when both
    say the same, else each side's, named (``proposal: …``; 现行：…；方案：…)."""
    if base is None and proposal is None:
        return None
    if base == proposal or proposal is None:
        assert base is not None
        return row_error(base, lang)
    words = _SIDE_ZH if lang == "zh" else {s: s for s in SIDES}
    colon = "：" if lang == "zh" else ": "
    said = [
        f"{words[s]}{colon}{row_error(e, lang)}"
        for s, e in (("base", base), ("proposal", proposal))
        if e is not None
    ]
    return ("；" if lang == "zh" else "; ").join(said)


TOP = 10
"""How many persons the largest gains and the largest losses list."""

_NO_PROFILE = ""  # the profile key of rows no category profile applied to


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2, context=EXACT)


def percent(change: Decimal, base: Decimal) -> Decimal | None:
    """``change`` as a percentage of ``base``, to 0.01 (half up, away from zero on a tie);
    None when ``base`` is 0. In integers (hundredths of a percent), so no decimal context's
    precision or rounding can touch it.

    >>> percent(Decimal("1"), Decimal("8")), percent(Decimal("-1"), Decimal("3"))
    (Decimal('12.50'), Decimal('-33.33'))
    """
    if not base:
        return None
    # change / base x 10000 hundredths, both scaled to whole fen.
    num, den = int(change.scaleb(2, context=EXACT)) * 10000, int(base.scaleb(2, context=EXACT))
    negative = (num < 0) != (den < 0)
    q, r = divmod(abs(num), abs(den))
    if 2 * r >= abs(den):
        q += 1
    return Decimal(-q if negative else q).scaleb(-2, context=EXACT)


@attrs.frozen
class AmountChange:
    """One amount's total under both tables: ``change`` = ``proposal`` − ``base``."""

    name: str
    base: Decimal
    proposal: Decimal

    @property
    def change(self) -> Decimal:
        return self.proposal - self.base

    @property
    def percent(self) -> Decimal | None:
        """The change in % of the base total (None when the base total is 0)."""
        return percent(self.change, self.base)


@attrs.frozen
class PersonChange:
    """A person's change (their rows' changes summed); ``person`` as the file writes it."""

    person: str
    change: Decimal


@attrs.frozen
class CompareSummary:
    """What a comparison found. ``change`` is the per-person quantity: out of pocket
    (claims) or what the person pays (premiums); negative: the person is better off."""

    kind: str
    rows: int
    compared: int
    errors: int
    blank: int
    totals: tuple[AmountChange, ...]
    by_profile: tuple[tuple[str, tuple[AmountChange, ...]], ...]
    """Per category profile (``""``: none applied), the amounts grouped by that profile."""
    persons: int
    better: int
    worse: int
    unchanged: int
    deciles: tuple[Decimal, ...]
    """The per-person change at 0 %, 10 %, …, 100 % (nearest rank: exact values, no
    interpolation); empty when no person was compared."""
    gains: tuple[PersonChange, ...]
    """The :data:`TOP` persons whose change is most negative (gain most), most first."""
    losses: tuple[PersonChange, ...]
    """The :data:`TOP` persons whose change is most positive (lose most), most first."""
    change_name: str
    spread: tuple[int, ...] = attrs.field(default=(), repr=False)
    """Every person's change in fen, sorted: the distribution the chart draws."""


class CompareTally:
    """The running sums of a comparison: :meth:`add` each row computed on both sides, count
    the others, then :meth:`summary`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names: tuple[str, ...] = CLAIM_COMPARED if kind == "claims" else PREMIUM_COMPARED
        self.change_name = "out_of_pocket" if kind == "claims" else "individual"
        self.rows = 0
        self.errors = 0
        self.blank = 0
        width = len(self.names)
        self._base = [0] * width
        self._proposal = [0] * width
        self._profiles: dict[tuple[int, str], list[int]] = {}  # (amount, profile) -> [b, p]
        self._persons: dict[str, int] = {}

    def add(
        self,
        person: str | None,
        profiles: Sequence[str | None],
        base: Sequence[int],
        proposal: Sequence[int],
        change: int,
    ) -> None:
        """A row computed on both sides: each amount of :attr:`names` in fen on each side,
        the profile each amount is grouped by, and the row's change in fen."""
        self.rows += 1
        for i, (b, p) in enumerate(zip(base, proposal, strict=True)):
            self._base[i] += b
            self._proposal[i] += p
            cell = self._profiles.setdefault((i, profiles[i] or _NO_PROFILE), [0, 0])
            cell[0] += b
            cell[1] += p
        if person is not None:
            self._persons[person] = self._persons.get(person, 0) + change

    def error(self) -> None:
        """A row with an error on either side."""
        self.rows += 1
        self.errors += 1

    def blank_row(self) -> None:
        self.blank += 1

    def summary(self) -> CompareSummary:
        changes = sorted(self._persons.items(), key=lambda kv: (kv[1], kv[0]))
        return summarise(
            self.kind,
            rows=self.rows,
            errors=self.errors,
            blank=self.blank,
            base=self._base,
            proposal=self._proposal,
            profiles={key: (b, p) for key, (b, p) in self._profiles.items()},
            spread=[c for _, c in changes],
            gains=changes[:TOP],
            losses=sorted(changes, key=lambda kv: (-kv[1], kv[0]))[:TOP],
        )


def summarise(
    kind: str,
    *,
    rows: int,
    errors: int,
    blank: int,
    base: Sequence[int],
    proposal: Sequence[int],
    profiles: Mapping[tuple[int, str], tuple[int, int]],
    spread: Sequence[int],
    gains: Sequence[tuple[str, int]],
    losses: Sequence[tuple[str, int]],
) -> CompareSummary:
    """The summary from sums in fen: each amount's total on each side (in the order of the
    kind's amounts), per (amount index, profile) the two totals, every person's change
    sorted (``spread``), and the persons who gain most and lose most, most first (ties by
    person id; only those with a negative, resp. positive, change are kept)."""
    names: tuple[str, ...] = CLAIM_COMPARED if kind == "claims" else PREMIUM_COMPARED
    totals = tuple(
        AmountChange(n, _yuan(b), _yuan(p)) for n, b, p in zip(names, base, proposal, strict=True)
    )
    grouped: dict[str, list[AmountChange]] = {}
    for (i, profile), (b, p) in sorted(profiles.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        grouped.setdefault(profile, []).append(AmountChange(names[i], _yuan(b), _yuan(p)))
    return CompareSummary(
        kind=kind,
        rows=rows,
        compared=rows - errors,
        errors=errors,
        blank=blank,
        totals=totals,
        by_profile=tuple((profile, tuple(cells)) for profile, cells in grouped.items()),
        persons=len(spread),
        better=sum(1 for c in spread if c < 0),
        worse=sum(1 for c in spread if c > 0),
        unchanged=sum(1 for c in spread if c == 0),
        deciles=_deciles(spread),
        gains=tuple(PersonChange(p, _yuan(c)) for p, c in gains[:TOP] if c < 0),
        losses=tuple(PersonChange(p, _yuan(c)) for p, c in losses[:TOP] if c > 0),
        change_name="out_of_pocket" if kind == "claims" else "individual",
        spread=tuple(spread),
    )


def _deciles(ordered: Sequence[int]) -> tuple[Decimal, ...]:
    """The values at 0 %, 10 %, …, 100 % of ``ordered`` (fen, sorted) by nearest rank: the
    k-th decile is the value of rank ⌈k·n/10⌉ (the smallest for k = 0)."""
    n = len(ordered)
    if not n:
        return ()
    return tuple(_yuan(ordered[max(0, -(-k * n // 10) - 1)]) for k in range(11))


# -- words ------------------------------------------------------------------------------------

_WORDS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "rows": "{rows} 行：两边都算出 {compared}，错误 {errors}",
        "blank": "（另有空行 {blank}）",
        "head": "{name} {base:>16} {proposal:>16} {change:>16} {percent:>9}",
        "columns": "项目|现行|方案|变化|变化率",
        "profile": "适用标准：{profile}",
        "none": "（无）",
        "persons": "人数 {persons}：受益 {better}，受损 {worse}，不变 {unchanged}"
        "（按每人{change}变化之和）",
        "deciles": "每人{change}变化的十分位数（0%、10%……100%）：",
        "gains": "受益最多的 {n} 人（{change}减少最多）：",
        "losses": "受损最多的 {n} 人（{change}增加最多）：",
        "out_of_pocket": "个人自付",
        "individual": "个人缴费",
        "totals": "合计",
    },
    "en": {
        "rows": "{rows} rows: {compared} computed under both, {errors} with errors",
        "blank": " (and {blank} blank)",
        "head": "{name} {base:>16} {proposal:>16} {change:>16} {percent:>9}",
        "columns": "amount|base|proposal|change|change %",
        "profile": "profile: {profile}",
        "none": "(none)",
        "persons": "{persons} persons: {better} better off, {worse} worse off, "
        "{unchanged} unchanged (each person's {change} change summed)",
        "deciles": "deciles of the per-person {change} change (0%, 10%, … 100%):",
        "gains": "the {n} largest gains ({change} down most):",
        "losses": "the {n} largest losses ({change} up most):",
        "out_of_pocket": "out of pocket",
        "individual": "individual contribution",
        "totals": "totals",
    },
}


def amount_label(name: str, lang: str) -> str:
    """An amount's name in ``lang``: its id (en) or its Chinese result column name (zh)."""
    return RESULT_NAMES_ZH.get(name, name) if lang == "zh" else name


def _grouped(n: Decimal) -> str:
    return f"{n:,.2f}"


def _signed(n: Decimal) -> str:
    return f"{n:+,.2f}"


def _padded(text: str, width: int = 22) -> str:
    """``text`` padded to ``width`` columns as a terminal shows it (a Chinese character takes
    two)."""
    from wcwidth import wcswidth  # here, where text is laid out: ~20 ms to import

    return text + " " * max(0, width - wcswidth(text))


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns."""
    from wcwidth import wcswidth

    return " " * max(0, width - wcswidth(text)) + text


def _table(cells: Sequence[AmountChange], lang: str) -> list[str]:
    words = _WORDS[lang]
    head = words["head"]
    name, base, proposal, change, pct = words["columns"].split("|")
    lines = [
        head.format(
            name=_padded(name),
            base=_right(base, 16),
            proposal=_right(proposal, 16),
            change=_right(change, 16),
            percent=_right(pct, 9),
        )
    ]
    for c in cells:
        p = c.percent
        lines.append(
            head.format(
                name=_padded(amount_label(c.name, lang)),
                base=_grouped(c.base),
                proposal=_grouped(c.proposal),
                change=_signed(c.change),
                percent="" if p is None else f"{p:+}%",
            )
        )
    return lines


def compare_lines(s: CompareSummary, lang: str = "zh", tariff: Tariff | None = None) -> list[str]:
    """The summary as text lines in ``lang`` (``zh`` or ``en``): what ``medcalc compare``
    prints on stderr. A profile is named by its category's label in ``tariff`` when given
    (``建档立卡贫困人员 (poverty)``), else by its id."""
    lang_: Literal["zh", "en"] = "zh" if lang == "zh" else "en"
    lang = lang_
    words = _WORDS[lang]
    change = words[s.change_name]
    first = words["rows"].format(rows=s.rows, compared=s.compared, errors=s.errors)
    if s.blank:
        first += words["blank"].format(blank=s.blank)
    lines = [first, "", words["totals"], *_table(s.totals, lang)]
    for profile, cells in s.by_profile:
        named = profile_label(tariff, profile, lang_) if profile else words["none"]
        lines += ["", words["profile"].format(profile=named)]
        lines += _table(cells, lang)
    lines += [
        "",
        words["persons"].format(
            persons=s.persons,
            better=s.better,
            worse=s.worse,
            unchanged=s.unchanged,
            change=change,
        ),
    ]
    if s.deciles:
        lines.append(words["deciles"].format(change=change))
        lines.append("  " + "  ".join(_signed(d) for d in s.deciles))
    for key, people in (("gains", s.gains), ("losses", s.losses)):
        if people:
            lines.append(words[key].format(n=len(people), change=change))
            lines += [f"  {p.person}  {_signed(p.change)}" for p in people]
    return lines


def _amounts_json(cells: Sequence[AmountChange]) -> list[dict[str, Any]]:
    return [
        {
            "amount": c.name,
            "base": str(c.base),
            "proposal": str(c.proposal),
            "change": str(c.change),
            "change_percent": None if c.percent is None else str(c.percent),
        }
        for c in cells
    ]


def compare_json(s: CompareSummary, **meta: Any) -> dict[str, Any]:
    """The summary as a JSON document: amounts and percentages as strings (exact), ``meta``
    (the tables compared, the file) first."""
    return {
        **meta,
        "kind": s.kind,
        "rows": s.rows,
        "compared": s.compared,
        "errors": s.errors,
        "blank": s.blank,
        "totals": _amounts_json(s.totals),
        "by_profile": [
            {"profile": profile or None, "totals": _amounts_json(cells)}
            for profile, cells in s.by_profile
        ],
        "change": s.change_name,
        "persons": {
            "count": s.persons,
            "better_off": s.better,
            "worse_off": s.worse,
            "unchanged": s.unchanged,
        },
        "deciles": [str(d) for d in s.deciles],
        "largest_gains": [{"person": p.person, "change": str(p.change)} for p in s.gains],
        "largest_losses": [{"person": p.person, "change": str(p.change)} for p in s.losses],
    }
