"""The one registry of a tariff file's keys: every YAML key named once, and the sections.

:class:`Key` names every key a format-1 file may hold (``docs/tariff-format.md`` §4), so the
reader (YAML → :class:`~medcalc.tariff.Tariff`), the tree and diff (tariff → YAML-keyed
parameters), the YAML writer of ``medcalc.audit.strategies`` (tariff → YAML) and the
``tariff show`` / ``tariff diff`` tables spell a key in one place.

:data:`TARIFF_SECTIONS` lists the sections a file may leave out, in file order: each with its
YAML key, the :class:`~medcalc.tariff.Tariff` attribute that holds it, its label (zh / en),
and the keys it requires and allows. The reader, the tree, the writer and ``tariff show`` each
keep one function per *shape* of section; a new section shaped like an existing one (for
example a fourth payment layer paid like critical illness) is one entry here, with its
``shape``, and its attribute on ``Tariff``.

>>> [s.key for s in TARIFF_SECTIONS][-2:]
['critical_illness', 'medical_assistance']
>>> section(Key.INPATIENT).label.zh
'基本医保住院'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from medcalc.tariff._model import Tariff, Text

__all__ = ["SECTIONS", "TARIFF_SECTIONS", "Key", "Section", "section"]


class Key:
    """The YAML keys of a tariff file (format 1), each named once.

    A key used in several places (``source``, ``annual_cap``, ``ratio``) is one constant; the
    sections' own keys come first, then the header's, then the keys inside sections.
    """

    # -- the sections (see TARIFF_SECTIONS)
    ENROLLMENT: Final = "enrollment"
    MEDICAL_PREMIUM: Final = "medical_premium"
    PENSION_PREMIUM: Final = "pension_premium"
    INPATIENT: Final = "inpatient"
    CRITICAL_ILLNESS: Final = "critical_illness"
    MEDICAL_ASSISTANCE: Final = "medical_assistance"

    # -- the header, sources and categories
    FORMAT: Final = "format"
    SERIES: Final = "series"
    VERSION: Final = "version"
    TITLE: Final = "title"
    REGION: Final = "region"
    CODE: Final = "code"
    NAME: Final = "name"
    EFFECTIVE: Final = "effective"
    FROM: Final = "from"
    TO: Final = "to"
    STATUS: Final = "status"
    ROUNDING: Final = "rounding"
    SOURCES: Final = "sources"
    CATEGORIES: Final = "categories"
    ID: Final = "id"
    LABEL: Final = "label"
    ZH: Final = "zh"
    EN: Final = "en"
    ALIASES: Final = "aliases"
    NUMBER: Final = "number"
    URL: Final = "url"
    DISABILITY: Final = "disability"
    GRADES: Final = "grades"
    TYPES: Final = "types"

    # -- inside sections
    BENEFITS_START: Final = "benefits_start"
    EXEMPT: Final = "exempt"
    CONTRIBUTION: Final = "contribution"
    GOVERNMENT_PAYS: Final = "government_pays"
    SHARE: Final = "share"
    AMOUNT: Final = "amount"
    FULL: Final = "full"
    """Not a key but the value ``full`` of a government payment (全额)."""
    AGES: Final = "ages"
    SUBSIDY: Final = "subsidy"
    FOR: Final = "for"
    BASIC_PENSION_MONTHLY: Final = "basic_pension_monthly"
    LEVELS: Final = "levels"
    DEDUCTIBLE: Final = "deductible"
    RATIO: Final = "ratio"
    ANNUAL_CAP: Final = "annual_cap"
    ADJUSTMENTS: Final = "adjustments"
    DEDUCTIBLE_FACTOR: Final = "deductible_factor"
    RATIO_BONUS: Final = "ratio_bonus"
    THRESHOLD: Final = "threshold"
    THRESHOLD_FACTOR: Final = "threshold_factor"
    BOUNDS: Final = "bounds"
    SEGMENTS: Final = "segments"
    ELIGIBLE: Final = "eligible"
    SOURCE: Final = "source"
    NONE: Final = "none"
    """Not a key but the value ``none`` of ``annual_cap`` (不设封顶)."""


@attrs.frozen
class Section:
    """One optional section of a tariff file.

    ``key`` is its YAML key (and the first part of its parameters' paths in a diff),
    ``attribute`` the :class:`~medcalc.tariff.Tariff` attribute that holds it (``None`` when
    the file leaves it out), ``label`` its name for people (``tariff show`` headings begin
    with it); ``required`` and ``optional`` are the keys inside it (the required first).

    ``shape`` names the section whose reader, tree, YAML writer and ``tariff show`` table it
    shares: each section of format 1 is its own shape (the default), and a later section of
    the same make, such as a supplementary insurance paid like critical illness on the year's
    accumulated cost, is ``shape=Key.CRITICAL_ILLNESS``: it needs this entry and its
    attribute on :class:`~medcalc.tariff.Tariff`, and nothing else of this floor.
    """

    key: str
    attribute: str
    label: Text
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    shape: str = attrs.field(
        default=attrs.Factory(lambda self: self.key, takes_self=True), kw_only=True
    )

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key the section may hold: the required ones, then the optional ones."""
        return (*self.required, *self.optional)

    def of(self, tariff: Tariff) -> object | None:
        """The section's value in ``tariff`` (``None`` when the file leaves it out)."""
        value: object | None = getattr(tariff, self.attribute)
        return value


TARIFF_SECTIONS: tuple[Section, ...] = (
    Section(
        Key.ENROLLMENT,
        "enrollment",
        Text("参保与待遇起始", "Enrolment and start of benefits"),
        (Key.BENEFITS_START,),
        (Key.EXEMPT,),
    ),
    Section(
        Key.MEDICAL_PREMIUM,
        "medical_premium",
        Text("城乡居民基本医疗保险", "Resident medical insurance"),
        (Key.CONTRIBUTION, Key.GOVERNMENT_PAYS, Key.SOURCE),
    ),
    Section(
        Key.PENSION_PREMIUM,
        "pension_premium",
        Text("城乡居民基本养老保险", "Resident pension insurance"),
        (Key.AGES, Key.GRADES, Key.GOVERNMENT_PAYS, Key.SOURCE),
        (Key.BASIC_PENSION_MONTHLY,),
    ),
    Section(
        Key.INPATIENT,
        "inpatient",
        Text("基本医保住院", "Basic inpatient insurance"),
        (Key.LEVELS, Key.ANNUAL_CAP, Key.SOURCE),
        (Key.ADJUSTMENTS,),
    ),
    Section(
        Key.CRITICAL_ILLNESS,
        "critical_illness",
        Text("大病保险", "Critical-illness insurance"),
        (Key.THRESHOLD, Key.SEGMENTS, Key.ANNUAL_CAP, Key.SOURCE),
        (Key.BOUNDS, Key.ADJUSTMENTS),
    ),
    Section(
        Key.MEDICAL_ASSISTANCE,
        "medical_assistance",
        Text("医疗救助", "Medical assistance"),
        (Key.ELIGIBLE, Key.SOURCE),
    ),
)
"""The sections a file may leave out, in file order."""

SECTIONS: tuple[str, ...] = tuple(s.key for s in TARIFF_SECTIONS)
"""The YAML keys of :data:`TARIFF_SECTIONS`, in file order."""

_BY_KEY: Mapping[str, Section] = {s.key: s for s in TARIFF_SECTIONS}


def section(key: str) -> Section:
    """The section whose YAML key is ``key``; a ``KeyError`` for any other key."""
    return _BY_KEY[key]
