"""Money: exact ``Decimal`` yuan with 2 decimals, one rounding helper, strict parsing of user input.

The decimal *context* is never taken from the environment: every operation that could round
uses :data:`EXACT`, whose precision is unlimited and which refuses to round, so products and
sums are exact whatever the length of a tariff's ratios, and the only rounding is
:func:`round_money`.

>>> round_money(Decimal("0.125"), "half_up"), round_money(Decimal("0.125"), "half_even")
(Decimal('0.13'), Decimal('0.12'))
>>> parse_amount("１２０,０００.５", field="total")
Decimal('120000.50')
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from medcalc.errors import AmountError
from medcalc.messages import say

Rounding = Literal["half_up", "half_even"]

#: Context for every money operation: sums, differences, products and quantizing that must
#: not round. The precision is unlimited (a product of an amount and a ratio of any length
#: keeps every digit; libmpdec sizes each result to its digits, so this costs nothing) and
#: Inexact is trapped, so an operation that would round raises instead of rounding silently.
#: Divisions do not belong here: a quotient like 1/3 has no exact form.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_MODES: dict[str, str] = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN}
# One context per rounding mode: Context.quantize is about twice as fast as
# Decimal.quantize(..., rounding=...) and this is the hottest call of the claims chain.
_QUANTIZE = {
    name: decimal.Context(
        prec=EXACT.prec,
        Emax=EXACT.Emax,
        Emin=EXACT.Emin,
        rounding=mode,
        traps=[decimal.InvalidOperation],
    ).quantize
    for name, mode in _MODES.items()
}

#: The most digits a whole number read from a tariff or an input file may have (a format,
#: an age, a grade, a year: none has more than a few). int() of 4,300 digits or more raises
#: ValueError, and int() of a huge Decimal takes quadratic time.
MAX_INT_DIGITS = 18

#: The largest amount accepted anywhere (1e12 yuan); far beyond any real bill, and keeps every
#: amount representable in int64 fen for the vectorised engine.
MAX_AMOUNT = Decimal("999999999999.99")


def round_money(value: Decimal, rounding: Rounding) -> Decimal:
    """Round ``value`` to 0.01 yuan with the tariff's rounding mode (the only rounding there is)."""
    return _QUANTIZE[rounding](value, CENT)


def mul(a: Decimal, b: Decimal) -> Decimal:
    """Exact product (no rounding)."""
    return EXACT.multiply(a, b)


def add(a: Decimal, b: Decimal) -> Decimal:
    """Exact sum (no rounding)."""
    return EXACT.add(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    """Exact difference (no rounding)."""
    return EXACT.subtract(a, b)


def fmt(amount: Decimal) -> str:
    """Write an amount with exactly 2 decimals (``Decimal('5')`` -> ``'5.00'``).

    Every amount medcalc computes or accepts has whole fen; a value with more (a refused input
    named in an error message) is written as it is, never rounded.
    """
    text = str(amount)
    if text[-3:-2] == "." and "E" not in text:
        # Already 2 decimals (nearly every computed amount): str() is then what the rest gives,
        # about 0.5 us sooner, and a claim's JSON writes some 57 amounts.
        return text
    if not is_whole_fen(amount):
        return f"{amount:f}"
    return f"{amount.quantize(CENT, context=EXACT):f}"


def is_whole_fen(value: Decimal) -> bool:
    """Whether ``value`` is a whole number of fen (``1.50``, ``1.500``, ``2``; not ``1.505``)."""
    return value.is_finite() and value == _QUANTIZE["half_even"](value, CENT)


#: Plain user input, e.g. "12345.67": read without folding. ASCII digits only ([0-9], not \d,
#: which matches every script's digits).
_PLAIN = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,2})?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# A grouped number starts with a non-zero digit: "01,000" and "0,123" (a decimal comma?) are
# no amount, not 1000.00 and 123.00.
_GROUPED = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# Characters that are neither ASCII nor full-width digits: only these can be foreign digits.
_UNUSUAL = re.compile(r"[^\x00-\x7f\uff10-\uff19]")
_DIGITS = frozenset("0123456789")
#: How much of a refused value a message quotes: a cell of a million characters is named by
#: its start and its length, not copied into every message.
_SHOWN = 40


def shortened(text: str, show: Callable[[str], str] = str) -> str:
    """``show(text)``; when ``text`` is long, ``show`` of its first characters, then '…' and
    its length. The one way messages cut a value short (:func:`shown`, the tariff loader).

    >>> shortened("12x"), shortened("9" * 5000)[-22:], shortened("x" * 41, repr)[-20:]
    ('12x', '99… (5,000 characters)', "xx'… (41 characters)")
    """
    if len(text) <= _SHOWN:
        return show(text)
    return say("value.shortened", start=show(text[:_SHOWN]), length=len(text))


def shown(value: object) -> str:
    """A refused value as an error message names it: its ``repr`` (a ``Decimal`` as its text),
    cut short when long (:func:`shortened`), so a huge cell or number never floods a message.

    >>> shown("12x"), shown(Decimal("1.005")), shown("9" * 5000)[-18:], shown(10**5000)
    ("'12x'", '1.005', '(5,000 characters)', 'a whole number of 5,001 digits')
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        # repr of an int over 4,300 digits raises ValueError; the count is exact from bits.
        digits = value.bit_length() * 30103 // 100000 + 1
        if abs(value) < 10 ** (digits - 1):
            digits -= 1
        return say("value.huge_int", digits=digits)
    if isinstance(value, str):
        return shortened(value, repr)
    return shortened(str(value) if isinstance(value, Decimal) else repr(value))


def foreign_digit(text: str) -> str | None:
    """A phrase naming the first character of ``text`` that reads as a number but is neither
    an ASCII nor a full-width digit (``²``, ``①``, ``٣``, ``५``, ``一``); None when there is none.

    NFKC folding (which turns full-width digits into ASCII) would read ``5000²`` as 50002 and
    ``①`` as 1, and ``Decimal``/``int`` read every script's digits; spec §1 allows only these two.

    >>> foreign_digit("5000²")
    "'²' (U+00B2 SUPERSCRIPT TWO) is not a digit; use 0-9"
    >>> foreign_digit("１２,０００") is None
    True
    """
    for match in _UNUSUAL.finditer(text):
        char = match.group()
        if char.isnumeric() or not _DIGITS.isdisjoint(unicodedata.normalize("NFKC", char)):
            return say("digit.foreign", char=character(char))
    return None


def character(char: str) -> str:
    r"""One character as messages name it: as text and by code point and Unicode name (an
    invisible one shows as its escape).

    >>> character("²"), character("\u200b")
    ("'²' (U+00B2 SUPERSCRIPT TWO)", "'\\u200b' (U+200B ZERO WIDTH SPACE)")
    """
    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"


def _named(value: Decimal) -> str:
    """A refused amount as :func:`check_amount` names it: :func:`fmt` (never rounded), or
    :func:`shown` when its size would make that text huge (``-1E+999999``)."""
    if -20 <= value.adjusted() <= 20 and value.as_tuple().exponent >= -20:  # type: ignore[operator]
        return fmt(value)
    return shown(value)


def negative_amount(value: Decimal, field: str | None) -> AmountError:
    """The error of a negative amount (the core's and the engine's)."""
    return AmountError(say("amount.negative", value=_named(value)), field=field)


def too_many_decimals(value: Decimal, field: str | None) -> AmountError:
    """The error of an amount with more than 2 decimals (the core's and the engine's)."""
    return AmountError(say("amount.decimals", value=shown(value)), field=field)


def too_large_amount(value: Decimal, field: str | None) -> AmountError:
    """The error of an amount above :data:`MAX_AMOUNT` (the core's and the engine's)."""
    return AmountError(say("amount.too_large", value=shown(value), limit=MAX_AMOUNT), field=field)


def check_amount(value: Decimal, *, field: str) -> Decimal:
    """Check an amount already held as ``Decimal``; return it with exactly 2 decimals."""
    if not value.is_finite():
        raise AmountError(say("amount.not_finite", value=value), field=field)
    if value < 0:
        raise negative_amount(value, field)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise too_many_decimals(value, field)
    if value > MAX_AMOUNT:
        raise too_large_amount(value, field)
    # copy_abs: "-0" is zero, not a negative amount to print as "-0.00".
    return value.copy_abs().quantize(CENT, context=EXACT)


def parse_amount(text: str | int | Decimal, *, field: str) -> Decimal:
    """Parse a user-entered amount exactly.

    Accepts ASCII or full-width digits, surrounding spaces, and thousands separators in
    groups of three (``120,000.00``). Rejects anything else with an :class:`AmountError`
    naming ``field`` (and naming a digit of another kind, e.g. ``²`` or ``٣``). Never goes
    through float.
    """
    if type(text) is str and _PLAIN.fullmatch(text):  # the common case: no folding needed
        return Decimal(text).quantize(CENT, context=EXACT)
    if isinstance(text, Decimal):
        return check_amount(text, field=field)
    if isinstance(text, bool):
        raise AmountError(say("amount.not_amount", value=repr(text)), field=field)
    if isinstance(text, int):
        return check_amount(Decimal(text), field=field)
    if not isinstance(text, str):
        raise AmountError(say("amount.not_amount", value=shown(text)), field=field)
    foreign = None if text.isascii() else foreign_digit(text)
    if foreign is not None:
        raise AmountError(say("amount.foreign", value=shown(text), reason=foreign), field=field)
    # NFKC folds full-width digits, comma and full stop to ASCII.
    folded = (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()
    if _GROUPED.fullmatch(folded):
        folded = folded.replace(",", "")
    if not _NUMBER.fullmatch(folded):
        raise AmountError(say("amount.expected", value=shown(text)), field=field)
    return check_amount(Decimal(folded), field=field)
