"""The tariff as frozen data: one :class:`Tariff` is one version of one series (one YAML file).

Names follow ``docs/tariff-format.md``. Every amount and ratio is an exact ``Decimal``. Rules
keyed by category are kept as tuples in the order the file declares them, because the order of
the ``categories:`` list breaks ties between equally favourable profiles.

Nothing here reads files; :mod:`medcalc.tariff` builds these objects from YAML.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, get_args

import attrs

from medcalc.errors import TariffError
from medcalc.messages import say
from medcalc.money import Rounding

BASE = "base"
"""Profile name of the section's top-level values (the 'ordinary' person, 普通参保人)."""

DISABILITY_TYPES = ("visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
"""Disability types (视力、听力、言语、肢体、智力、精神、多重残疾)."""

Bounds = Literal["cumulative", "above_threshold"]
BenefitsStart = Literal["next_month", "same_day"]
Status = Literal["illustrative", "official"]

ALL_GRADES_RESERVED = say("tariff.all_grades_reserved")
"""Why a pension section whose grades are all reserved (``for``) is refused: a category's base
M_c (spec §4.2) is the lowest grade open to it alone, so every category needs one."""


def _one_of(kind: Any) -> Any:
    """An attrs validator: the value is one of the ``Literal`` ``kind``'s, else a TariffError.

    The loader only builds known values; this refuses one made otherwise (``attrs.evolve``),
    which the Decimal core would meet as a KeyError and the numpy engine might read as another
    mode without a word."""
    allowed = get_args(kind)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in allowed:
            where = f"{type(instance).__name__}.{attribute.name}"
            raise TariffError(
                say("tariff.not_one_of", where=where, value=repr(value), allowed=", ".join(allowed))
            )

    return check


def name_key(text: str) -> str:
    """How a name of a category or hospital level is compared: NFKC, case folded and trimmed.

    So full-width ``ＩＣＵ`` or ``Grade-2 Hospital `` find what a table writes ``icu`` or
    ``grade-2 hospital``. The loader refuses two categories (or two levels) with one key.

    >>> name_key("  ＰＯＶＥＲＴＹ　")
    'poverty'
    """
    # NFKC again after case folding: folding can leave text that NFKC would still change.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()


@attrs.frozen
class Text:
    """A label in Chinese (required) and English (defaults to the Chinese)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


DISABILITY_TYPE_LABELS: Mapping[str, Text] = {
    "visual": Text("视力", "visual"),
    "hearing": Text("听力", "hearing"),
    "speech": Text("言语", "speech"),
    "physical": Text("肢体", "physical"),
    "intellectual": Text("智力", "intellectual"),
    "mental": Text("精神", "mental"),
    "multiple": Text("多重", "multiple"),
}
"""The name of each of :data:`DISABILITY_TYPES` (残疾类别) for people; written 肢体 or 肢体残疾."""


def disability_type_named(text: str) -> str | None:
    """The disability type ``text`` names: its id or its Chinese name, with or without 残疾
    (肢体, 肢体残疾), compared by :func:`name_key`; ``None`` for anything else.

    >>> [disability_type_named(t) for t in ("肢体残疾", "智力", " Physical ", "肢")]
    ['physical', 'intellectual', 'physical', None]
    """
    key = name_key(text).removesuffix("残疾")
    return _DISABILITY_TYPE_NAMES.get(key)


_DISABILITY_TYPE_NAMES = {
    name_key(name): kind
    for kind, label in DISABILITY_TYPE_LABELS.items()
    for name in (kind, label.zh)
}


@attrs.frozen
class Cap:
    """An annual cap (封顶线): ``amount`` yuan, or ``None`` for no cap (不设封顶)."""

    amount: Decimal | None

    @property
    def unlimited(self) -> bool:
        return self.amount is None


NO_CAP = Cap(None)


@attrs.frozen
class Source:
    """A document a tariff's numbers rest on (政策依据)."""

    id: str
    title: str
    number: str | None = None
    url: str | None = None


@attrs.frozen
class DisabilityRule:
    """A person holds the category when their disability grade is in ``grades`` and, when
    ``types`` is given, their disability type is one of ``types``."""

    grades: tuple[int, ...]
    types: tuple[str, ...] | None = None

    def matches(self, grade: int | None, disability_type: str | None) -> bool:
        if grade is None or grade not in self.grades:
            return False
        return self.types is None or disability_type in self.types


class _Named:
    """Something input may name (see :attr:`names`): a category or a hospital level."""

    __slots__ = ()
    id: str
    label: Text
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name input may give it: the id, the zh and en labels, then the aliases."""
        return (self.id, self.label.zh, self.label.en, *self.aliases)


@attrs.frozen
class Category(_Named):
    """A person category (人员类别), e.g. 建档立卡贫困人员; ``disability`` rules assign it.

    ``aliases``: other names clerks write for it in input files (e.g. 贫困户), in file order.
    """

    id: str
    label: Text
    disability: tuple[DisabilityRule, ...] = ()
    aliases: tuple[str, ...] = ()


@attrs.frozen
class Enrollment:
    """When benefits start after paying (待遇享受起始日)."""

    benefits_start: BenefitsStart = attrs.field(validator=_one_of(BenefitsStart))
    exempt: tuple[str, ...] = ()


# -- government payment rules (资助 / 代缴) -------------------------------------------------


@attrs.frozen
class FullPayment:
    """``full``: the government pays the whole contribution (全额资助 / 全额代缴)."""


@attrs.frozen
class SharePayment:
    """``{share: q}``: the government pays q x the contribution (rounded)."""

    share: Decimal


@attrs.frozen
class AmountPayment:
    """``{amount: a}``: the government pays a fixed amount, at most the contribution."""

    amount: Decimal


GovernmentPayment = FullPayment | SharePayment | AmountPayment


@attrs.frozen
class CategoryPayment:
    """The government payment rule of one category in a premium section."""

    category: str
    payment: GovernmentPayment


@attrs.frozen
class MedicalPremium:
    """城乡居民基本医疗保险 individual contribution per year and who pays it."""

    contribution: Decimal
    government_pays: tuple[CategoryPayment, ...]
    source: str


@attrs.frozen
class PensionGrade:
    """One pension contribution grade (缴费档次) and the subsidy credited for it (缴费补贴).

    ``reserved_for`` (YAML ``for``): the grade is open only to these categories, e.g. a kept
    lower grade (保留最低缴费档次) for the poor.
    """

    amount: Decimal
    subsidy: Decimal
    reserved_for: tuple[str, ...] | None = None

    def open_to(self, categories: frozenset[str]) -> bool:
        return self.reserved_for is None or any(c in categories for c in self.reserved_for)


def _one_grade_open_to_everyone(
    instance: object, attribute: attrs.Attribute[Any], grades: tuple[PensionGrade, ...]
) -> None:
    if all(g.reserved_for is not None for g in grades):
        raise TariffError(say("at", where="PensionPremium.grades", message=ALL_GRADES_RESERVED))


@attrs.frozen
class PensionPremium:
    """城乡居民基本养老保险 contribution grades, ages and government 代缴."""

    age_from: int
    age_to: int
    grades: tuple[PensionGrade, ...] = attrs.field(validator=_one_grade_open_to_everyone)
    government_pays: tuple[CategoryPayment, ...]
    source: str
    basic_pension_monthly: Decimal | None = None


# -- basic inpatient insurance --------------------------------------------------------------


@attrs.frozen
class HospitalLevel(_Named):
    """A hospital level with its per-admission deductible (起付线) and ratio (报销比例)."""

    id: str
    label: Text
    deductible: Decimal
    ratio: Decimal
    aliases: tuple[str, ...] = ()
    """Other names clerks write for the level in input files (e.g. 二级), in file order."""


@attrs.frozen
class InpatientAdjustment:
    """A category's changes to basic inpatient insurance; ``None`` keeps the base value."""

    category: str
    deductible_factor: Decimal | None = None
    ratio_bonus: Decimal | None = None
    annual_cap: Cap | None = None


@attrs.frozen
class Inpatient:
    """Basic medical insurance for inpatient stays (基本医保住院), per admission."""

    levels: tuple[HospitalLevel, ...]
    annual_cap: Cap
    adjustments: tuple[InpatientAdjustment, ...]
    source: str

    def level(self, level_id: str) -> HospitalLevel | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)


def _names(entries: tuple[Category, ...] | tuple[HospitalLevel, ...]) -> dict[str, str]:
    """:func:`name_key` of every name of every entry → the entry's id. The loader refuses a
    key shared by two entries; a table built otherwise keeps the first entry's."""
    out: dict[str, str] = {}
    for entry in entries:
        for name in entry.names:
            out.setdefault(name_key(name), entry.id)
    return out


# -- critical-illness insurance -------------------------------------------------------------


@attrs.frozen
class Segment:
    """A segment (分段) of the critical-illness scale: pays ``ratio`` up to ``upper``
    (YAML ``to``; ``None`` for the last, open segment)."""

    upper: Decimal | None
    ratio: Decimal


@attrs.frozen
class CriticalIllnessAdjustment:
    """A category's changes to critical-illness insurance; ``None`` keeps the base value.

    At most one of ``threshold_factor`` and ``threshold`` is set.
    """

    category: str
    threshold_factor: Decimal | None = None
    threshold: Decimal | None = None
    ratio_bonus: Decimal | None = None
    segments: tuple[Segment, ...] | None = None
    annual_cap: Cap | None = None


@attrs.frozen
class CriticalIllness:
    """城乡居民大病保险: pays on the year's accumulated individual-borne compliant cost."""

    threshold: Decimal
    bounds: Bounds = attrs.field(validator=_one_of(Bounds))
    segments: tuple[Segment, ...]
    annual_cap: Cap
    adjustments: tuple[CriticalIllnessAdjustment, ...]
    source: str


# -- medical assistance ---------------------------------------------------------------------


@attrs.frozen
class AssistanceRule:
    """医疗救助 for one eligible category: ``ratio`` of what is left above a yearly
    ``deductible``, up to ``annual_cap``."""

    category: str
    ratio: Decimal
    annual_cap: Cap
    deductible: Decimal = Decimal("0.00")


@attrs.frozen
class MedicalAssistance:
    """医疗救助, the third layer, for eligible categories only."""

    eligible: tuple[AssistanceRule, ...]
    source: str


# -- the whole table ------------------------------------------------------------------------


@attrs.frozen
class Tariff:
    """One version of one tariff series: one YAML file, identified by series, version, sha256."""

    format: int
    series: str
    version: str
    title: Text
    region_code: str
    region_name: Text
    effective_from: dt.date
    effective_to: dt.date | None
    status: Status = attrs.field(validator=_one_of(Status))
    rounding: Rounding = attrs.field(validator=_one_of(Rounding))
    sources: tuple[Source, ...]
    categories: tuple[Category, ...]
    path: str
    sha256: str
    enrollment: Enrollment | None = None
    medical_premium: MedicalPremium | None = None
    pension_premium: PensionPremium | None = None
    inpatient: Inpatient | None = None
    critical_illness: CriticalIllness | None = None
    medical_assistance: MedicalAssistance | None = None
    # Built once per tariff, so naming a category or level in each of a batch's rows is a
    # dict lookup, not a scan. Not compared: they follow from the fields above.
    _category_names: dict[str, str] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: _names(self.categories), takes_self=True),
    )
    _level_names: dict[str, str] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: _names(self.inpatient.levels) if self.inpatient else {}, takes_self=True
        ),
    )

    def in_force_on(self, day: dt.date) -> bool:
        """True when ``day`` falls in the effective range (both ends included)."""
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def category_named(self, text: str) -> str | None:
        """The id of the category that ``text`` names, by its id, zh or en label, or one of
        its aliases (compared by :func:`name_key`: NFKC, case folded, trimmed), or ``None``.

        The ordinary person (``base``) is no declared category: its name gives ``None``.
        """
        return self._category_names.get(name_key(text))

    def level_named(self, text: str) -> str | None:
        """The id of the hospital level that ``text`` names, by its id, zh or en label, or one
        of its aliases (compared like :meth:`category_named`), or ``None`` (also when the
        tariff has no inpatient section)."""
        return self._level_names.get(name_key(text))

    def hospital_level(self, text: str) -> HospitalLevel | None:
        """The hospital level that ``text`` names (:meth:`level_named`), or ``None``."""
        level_id = self.level_named(text)
        if level_id is None or self.inpatient is None:
            return None
        return self.inpatient.level(level_id)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    @property
    def ref(self) -> str:
        """``series@version`` as used on the command line."""
        return f"{self.series}@{self.version}"
