"""Reading one tariff file: the nodes of its YAML → the header, declarations and sections.

:class:`TariffReader` composes the file (:mod:`medcalc.tariff._yaml`), reads the header
(``format`` first: another format may mean other keys, so the check stops there), the
declarations (``sources``, ``categories``), then each section the file gives, in the order of
``TARIFF_SECTIONS`` (each section's keys checked against its entry there, then read by its
reader). Every problem is collected, and the problems are sorted into file order; a
:class:`~medcalc.tariff.Tariff` is only built when there is none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, cast, get_args

import attrs
from yaml.nodes import Node, ScalarNode

from medcalc.errors import Problem
from medcalc.messages import say
from medcalc.money import Rounding, shortened
from medcalc.tariff._model import Status, Tariff, Text
from medcalc.tariff._read_claims import ClaimReader
from medcalc.tariff._read_premiums import PremiumReader
from medcalc.tariff._read_values import Fields
from medcalc.tariff._sections import SECTIONS, TARIFF_SECTIONS, Key, Section
from medcalc.tariff._yaml import Parser, compose, line_col, quote

__all__ = ["FORMAT", "TariffCheck", "TariffReader"]

FORMAT = 1
"""The one tariff format this version of medcalc reads."""

_HEADER = (
    Key.FORMAT,
    Key.SERIES,
    Key.VERSION,
    Key.TITLE,
    Key.REGION,
    Key.EFFECTIVE,
    Key.STATUS,
)
"""The keys every file gives, in file order."""
_OPTIONAL = (Key.ROUNDING, Key.SOURCES, Key.CATEGORIES, *SECTIONS)
"""The top-level keys a file may leave out, in file order."""

_SERIES = re.compile(r"[a-z0-9-]+")
_REGION = re.compile(r"[0-9]{6}")

_EMPTY = say("header.empty")


@attrs.frozen
class TariffCheck:
    """What checking one file gave: the tariff (``None`` when there are problems), every
    problem in file order, and where the ``effective`` key is (1-based; 1:1 when unknown),
    so an overlap with another file can be reported there."""

    tariff: Tariff | None
    problems: tuple[Problem, ...]
    effective_line: int = 1
    effective_column: int = 1


class TariffReader(PremiumReader, ClaimReader):
    """Checks one file and builds its tariff; problems accumulate in :attr:`problems`."""

    def __init__(self, path: str, data: bytes, parser: Parser | None = None) -> None:
        super().__init__(path, data)
        self.parser = parser

    def run(self) -> TariffCheck:
        """Check the whole file: every problem in file order, and the tariff if none."""
        root = compose(self.data, self.at, self.parser)
        effective = (1, 1)
        tariff = None
        if root is None and not self.problems:
            self.at((1, 1), _EMPTY)  # no YAML document at all (nothing, or only comments)
        elif isinstance(root, ScalarNode) and root.tag == "null":
            self.at(root, _EMPTY)
        elif root is not None:
            tariff, effective = self.tariff(root)
        self.problems.sort(key=lambda p: (p.line, p.column))  # stable: same place keeps order
        ok = tariff if not self.problems else None
        return TariffCheck(ok, tuple(self.problems), *effective)

    def tariff(self, root: Node) -> tuple[Tariff | None, tuple[int, int]]:
        """The tariff of the root mapping (``None`` on a problem), and where ``effective`` is."""
        what = say("what.header")
        f = self.fields(root, "", None, _HEADER, _OPTIONAL, what)
        if f is None:
            return None, (1, 1)
        effective_at = line_col(f[Key.EFFECTIVE][0]) if Key.EFFECTIVE in f else (1, 1)
        if not self.format_read(f):
            return None, effective_at
        header = self.header(f)
        sources = self.source_list(f[Key.SOURCES][1]) if Key.SOURCES in f else ()
        categories = self.category_decls(f[Key.CATEGORIES][1]) if Key.CATEGORIES in f else ()
        sections = self.sections(f)
        if self.problems or header is None or sources is None or categories is None:
            return None, effective_at
        tariff = Tariff(
            format=FORMAT,
            **header,
            sources=sources,
            categories=categories,
            path=self.path,
            sha256=hashlib.sha256(self.data).hexdigest(),
            **sections,
        )
        return tariff, effective_at

    # ---- the header

    def format_read(self, f: Fields) -> bool:
        """False when the file is of another format (its keys are not checked: another format
        may mean other keys, and checking them against format 1 misleads)."""
        if Key.FORMAT not in f:
            return True
        node = f[Key.FORMAT][1]
        found = self.integer(node, Key.FORMAT, 0)
        if found is None or found == FORMAT:
            return True
        self.at(node, say("header.format", value=shortened(str(node.value)), format=FORMAT))
        return False

    def header(self, f: Fields) -> dict[str, Any] | None:
        """The header's values as :class:`Tariff` fields (``None`` when one is wrong); the
        file's rounding is kept for the sections read after it."""
        series = self.matching(
            f,
            Key.SERIES,
            "",
            _SERIES,
            "header.series",
        )
        version = self.req(f, Key.VERSION, self.text, "")
        title = self.label_of(f, Key.TITLE, "")
        region = self.region(f[Key.REGION]) if Key.REGION in f else None
        effective = self.effective(f[Key.EFFECTIVE]) if Key.EFFECTIVE in f else None
        status = self.req(f, Key.STATUS, lambda n, c: self.choice(n, c, get_args(Status)), "")
        has_rounding, rounding = self.opt(
            f, Key.ROUNDING, lambda n, c: self.choice(n, c, get_args(Rounding)), ""
        )
        if rounding is not None:
            self.rounding = cast(Rounding, rounding)
        if (
            series is None
            or version is None
            or title is None
            or region is None
            or effective is None
            or status is None
            or (has_rounding and rounding is None)
        ):
            return None
        return {
            "series": series,
            "version": version,
            "title": title,
            "region_code": region[0],
            "region_name": region[1],
            "effective_from": effective[0],
            "effective_to": effective[1],
            "status": cast(Status, status),
            "rounding": self.rounding,
        }

    def matching(
        self, f: Fields, key: str, ctx: str, pattern: re.Pattern[str], wrong: str
    ) -> str | None:
        """A text that must match ``pattern`` in full; else reported: its name, then message
        ``wrong`` of the text quoted."""
        value = self.req(f, key, self.text, ctx)
        if value is not None and not pattern.fullmatch(value):
            name = f"{ctx}.{key}" if ctx else key
            self.at_key(f[key][1], name, wrong, value=quote(value))
            return None
        return value

    def region(self, kv: tuple[Node, Node]) -> tuple[str, Text] | None:
        what = " {code: ..., name: ...}"
        f = self.fields(kv[1], Key.REGION, kv[0], (Key.CODE, Key.NAME), (), what)
        if f is None:
            return None
        code = self.matching(
            f,
            Key.CODE,
            Key.REGION,
            _REGION,
            "header.region",
        )
        name = self.label_of(f, Key.NAME, Key.REGION)
        return None if code is None or name is None else (code, name)

    def effective(self, kv: tuple[Node, Node]) -> tuple[dt.date, dt.date | None] | None:
        what = " {from: ..., to: ...}"
        f = self.fields(kv[1], Key.EFFECTIVE, kv[0], (Key.FROM,), (Key.TO,), what)
        if f is None:
            return None
        start = self.req(f, Key.FROM, self.date, Key.EFFECTIVE)
        has_end, end = self.opt(f, Key.TO, self.date, Key.EFFECTIVE)
        if start is None or (has_end and end is None):
            return None
        if end is not None and end < start:
            self.at_key(f[Key.TO][1], Key.EFFECTIVE, "header.effective", start=start, end=end)
            return None
        return start, end

    # ---- the sections

    def section_readers(self) -> Mapping[str, Callable[[Fields, str], object | None]]:
        """The reader of each shape of section (see ``Section.shape``)."""
        return {
            Key.ENROLLMENT: self.enrollment,
            Key.MEDICAL_PREMIUM: self.medical_premium,
            Key.PENSION_PREMIUM: self.pension_premium,
            Key.INPATIENT: self.inpatient,
            Key.CRITICAL_ILLNESS: self.critical_illness,
            Key.MEDICAL_ASSISTANCE: self.medical_assistance,
        }

    def sections(self, f: Fields) -> dict[str, Any]:
        """Each section the file gives, by its :class:`Tariff` attribute (``None`` when it has
        a problem), read in the order of ``TARIFF_SECTIONS``."""
        readers = self.section_readers()
        return {
            s.attribute: self.section(f, s, readers[s.shape]) for s in TARIFF_SECTIONS if s.key in f
        }

    def section(
        self, f: Fields, section: Section, read: Callable[[Fields, str], object | None]
    ) -> object | None:
        """One section: its keys checked against ``section`` (unknown, duplicate, missing),
        then its values read by ``read``."""
        key, node = f[section.key]
        keys = self.fields(node, section.key, key, section.required, section.optional)
        return None if keys is None else read(keys, section.key)
