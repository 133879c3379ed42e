"""Every error medcalc raises on purpose, in one place.

::

    MedcalcError                    base; ``exit_code`` is what the CLI exits with
    ├── TariffError                 a tariff file or directory is wrong (exit 1)
    │   ├── TariffFileError         one file has one or more problems, each with FILE:LINE:COL
    │   ├── TariffOverlapError      two versions of one series overlap in time (names both files)
    │   ├── TariffNotFoundError     no such series / version, or no version in force on a date
    │   └── SectionMissingError     the calculation needs a section the tariff left out
    ├── BatchFileError              a batch file cannot be read or written as a whole (exit 1)
    ├── EngineError                 the vectorised engine cannot take a table (exit 1)
    │   └── EngineRangeError        an amount beyond exact int64 arithmetic (use the core)
    ├── InputError                  a person, claim or year-to-date value is wrong (exit 1;
    │   │                           in a batch the row gets an ``error`` instead)
    │   ├── AmountError             negative, NaN, infinite, > 2 decimals, not a number
    │   ├── ClaimAmountsError       total below compliant, basic_paid above compliant
    │   ├── UnknownCategoryError    a category id the tariff does not declare
    │   ├── UnknownHospitalLevelError
    │   ├── PensionGradeError       a pension grade that is not open to the person
    │   ├── MissingInputError       a value the calculation needs was not given
    │   └── DependentClaimError     not computed: an earlier claim of the person-year has an error
    └── UsageError                  the command line was used wrongly (exit 2)

Messages are part of the public API: they say what was wrong, where, and what was expected;
each is an entry of :mod:`medcalc.messages` (English here, Chinese by
:func:`medcalc.present.translate`).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from medcalc.messages import say


class MedcalcError(Exception):
    """Base class of every error medcalc raises on purpose."""

    exit_code: int = 1


@attrs.frozen
class Problem:
    """One problem in a tariff file, located at ``path:line:column`` (1-based)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return say(
            "problem", path=self.path, line=self.line, column=self.column, message=self.message
        )


class TariffError(MedcalcError):
    """A tariff file or tariff directory is wrong."""


class TariffFileError(TariffError):
    """Raised when a tariff file has problems; ``problems`` lists every one, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TariffOverlapError(TariffError):
    """Raised when two versions of one series are in force on a common day."""

    def __init__(self, series: str, first: str, second: str, detail: str) -> None:
        self.series = series
        self.first = first
        self.second = second
        super().__init__(
            say("tariff.overlap", second=second, series=series, detail=detail, first=first)
        )


class TariffNotFoundError(TariffError):
    """Raised when no tariff matches a series, version or date."""


class SectionMissingError(TariffError):
    """Raised when a calculation needs a tariff section that the tariff leaves out."""


class BatchFileError(MedcalcError):
    """Raised when a batch file cannot be read or written as a whole (nothing is written):
    unreadable, wrong encoding, malformed CSV/JSON/XLSX, missing required column."""


class EngineError(MedcalcError):
    """The vectorised engine cannot take this input (a malformed table); nothing was computed."""


class EngineRangeError(EngineError):
    """An amount is beyond what exact int64 arithmetic holds with this tariff's ratios.

    Raised before any product could wrap; the reference core (:class:`medcalc.Calculator`)
    computes such amounts exactly with ``Decimal``.
    """


class InputError(MedcalcError):
    """Raised when an input value (person, claim, year-to-date state) is wrong.

    ``field`` names the input field. (Batch files say which row: row numbers count the
    header as row 1, as a spreadsheet shows them.)
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        self.message = message
        super().__init__(say("field", field=field, message=message) if field else message)


class AmountError(InputError):
    """An amount is negative, NaN, infinite, has more than 2 decimals, or is not a number."""


class ClaimAmountsError(InputError):
    """A claim's amounts contradict each other (total < compliant, basic_paid > compliant)."""


class UnknownCategoryError(InputError):
    """A person category id is not declared by the tariff."""


class UnknownHospitalLevelError(InputError):
    """A hospital level id is not declared by the tariff's inpatient section."""


class PensionGradeError(InputError):
    """The chosen pension grade is not a grade of the tariff, or not open to the person."""


class MissingInputError(InputError):
    """A value that the calculation needs was not given."""


class DependentClaimError(InputError):
    """The row was not computed: an earlier claim of the same person and year has an error,
    and this claim's accumulations would include it."""

    @classmethod
    def on(cls, numbers: Sequence[int], *, known_year: bool = True) -> DependentClaimError:
        """The error of a row that depends on the rows ``numbers`` (any order):
        :func:`depends_on` is its message."""
        return cls(depends_on(numbers, known_year=known_year))


def depends_on(numbers: Sequence[int], *, known_year: bool = True) -> str:
    """``depends on row N of the same person and year, which has an error`` for the rows
    ``numbers`` (any order), as a batch and the engine write it; ``known_year`` False: a
    blocker's date could not be read (``of the same person``).

    >>> depends_on([7, 3]), depends_on([4], known_year=False)
    ('depends on rows 3 and 7 of the same person and year, which have errors', \
'depends on row 4 of the same person, which has an error')
    """
    ordered = sorted(numbers)
    scope = "year" if known_year else "person"
    many = "one" if len(ordered) == 1 else "many"
    return say(f"claim.depends_{scope}_{many}", rows=rows_text(ordered))


def rows_text(numbers: Sequence[int]) -> str:
    """``row 7``, ``rows 3 and 7``, ``rows 3, 5 and 7`` (at most ten numbers shown, in the
    order given).

    >>> rows_text([7]), rows_text(range(1, 13))
    ('row 7', 'rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more')
    """
    if len(numbers) == 1:
        return say("rows.one", number=numbers[0])
    shown = [str(n) for n in numbers[:10]]
    if len(numbers) > 10:
        return say("rows.many", numbers=", ".join(shown), more=len(numbers) - 10)
    return say("rows.some", numbers=", ".join(shown[:-1]), last=shown[-1])


class UsageError(MedcalcError):
    """The command line was used wrongly (exit 2)."""

    exit_code = 2
