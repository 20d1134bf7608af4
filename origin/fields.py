"""What each kind of input field accepts, what it becomes, and the one message it gives.

Every reader of cases (the JSON case reader, :mod:`origin.caseio`; the workbook reader,
:mod:`origin.workbook.reader`) converts its fields through these rules, so the same bad value
in the same field gives the same message whichever input it came in. Each reader only adds
its location: the JSON path (``materials[2].value: …``) or the workbook cell and column
header (``chair.xlsx BOM!I14: value …``).

A rule raises :class:`FieldError` whose text says what was wrong and what was expected; it
never names the field (the reader does). What is particular to one input stays in its
reader: JSON's types (a JSON ``true`` where a number belongs) and the workbook's cells
(blank cells, surrounding spaces, Excel error values, date cells and serial numbers, HS codes
stored as numbers).

========== ======================================================================
kind       accepts
========== ======================================================================
amount     zero or more, below 10^15, zero or at least 10^-12; text ``1234.50`` (and
           exponent form ``1E+3``, which the case writer produces); a workbook's text
           may also use its layout's declared separators; a number exactly (Decimal,
           int, or a float through its shortest repr); never negative, ``-0``, NaN or
           infinite
country    two capital letters (ISO 3166-1 alpha-2): ``AU``, ``NZ``
currency   three capital letters (ISO 4217): ``NZD``
date       text ``YYYY-MM-DD`` naming a real day, nothing after it
flag       true or false (the workbook also takes yes/no words: :data:`FLAG_WORDS`)
choice     one of the listed words
hs         an HS 2022 code that exists (:meth:`origin.hs.HSCode.parse`)
tariff     an NZ tariff item ``NNNN.NN.NN`` within the good's HS code
========== ======================================================================

>>> amount("1234.50")
Decimal('1234.50')
>>> amount("-5")
Traceback (most recent call last):
...
origin.fields.FieldError: '-5' is negative (amounts are zero or more)
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import attrs

from origin.hs import HSCode, HSCodeError

E = TypeVar("E", bound=enum.Enum)


class FieldError(ValueError):
    """A value its field does not accept; the text says what was expected."""


def shown(value: object) -> str:
    """A value as messages quote it: text in quotes, numbers as written, true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:60] + "…")
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return repr(int(value))
        return repr(value)
    if isinstance(value, Decimal | int):
        return str(value)
    return repr(value)


# --------------------------------------------------------------------------- amounts

AMOUNT_EXAMPLE = "1234.50"
_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)


@attrs.frozen
class NumberFormat:
    """How text numbers are written: the decimal mark, the thousands separator (none: ``""``)
    and currency symbols or codes to strip (e.g. "$", "NZD"). A JSON case uses
    :data:`PLAIN`; a workbook its layout's declared format."""

    decimal: str = "."
    thousands: str = ","
    symbols: tuple[str, ...] = ()

    def pattern(self) -> re.Pattern[str]:
        d, t = re.escape(self.decimal), re.escape(self.thousands)
        grouped = rf"[0-9]{{1,3}}(?:{t}[0-9]{{3}})+" if self.thousands else "(?!)"
        return re.compile(rf"(?:{grouped}|[0-9]+)(?:{d}[0-9]+)?")


PLAIN = NumberFormat(thousands="")
_PLAIN_PATTERN = PLAIN.pattern()
# The common plain amount, read at once: it is below 10^15, zero or at least 10^-12, and not
# negative, so every check of :func:`amount` would pass it as it is.
_SHORT_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,12})?")


def float_decimal(value: float) -> Decimal:
    """The number as typed: shortest repr, so 4.11 stays 4.11 (never ``Decimal(float)``)."""
    if not math.isfinite(value):
        raise FieldError(f"{value!r} is not a finite number")
    if value.is_integer() and abs(value) < 1e15:
        return Decimal(int(value))
    return Decimal(repr(value))


def amount(
    value: object, fmt: NumberFormat = PLAIN, pattern: re.Pattern[str] | None = None
) -> Decimal:
    """A non-negative exact amount. Text is read as written (no spaces around it; a reader
    strips them first if its input allows them), by ``fmt``'s separators."""
    if type(value) is str and fmt is PLAIN and _SHORT_AMOUNT.fullmatch(value):
        return Decimal(value)  # at most 15 + 12 digits, no sign: within every check below
    if isinstance(value, bool):
        raise FieldError(f"{shown(value)} is true/false, not a number")
    if isinstance(value, float):
        number = float_decimal(value)
    elif isinstance(value, Decimal):
        number = value
        if not number.is_finite():
            raise FieldError(f"{shown(value)} is not a finite number")
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        if pattern is None:
            pattern = _PLAIN_PATTERN if fmt == PLAIN else fmt.pattern()
        number = _text_amount(value, fmt, pattern)
    elif isinstance(value, dt.date | dt.time | dt.timedelta):
        raise FieldError(f"{value!s} is a date or time, not a number")
    else:
        raise FieldError(f"{shown(value)} is not a number")
    if number and number.adjusted() >= 15:
        # Beyond any customs value; also keeps huge exponents from stalling the arithmetic.
        raise FieldError(f"{shown(value)} is out of range (expected an amount below 10^15)")
    if number and number.adjusted() < -12:
        raise FieldError(
            f"{shown(value)} is too small to be an amount (expected zero or at least 10^-12)"
        )
    if number < 0 or number.is_signed():  # -0 too: it would print back as "-0"
        raise FieldError(f"{shown(value)} is negative (amounts are zero or more)")
    return number


def _text_amount(text: str, fmt: NumberFormat, pattern: re.Pattern[str]) -> Decimal:
    core = text
    for symbol in fmt.symbols:
        core = core.replace(symbol, "")
    core = core.strip().replace("\u00a0", "").replace(" ", "") if core != text else core
    negative = core.startswith("-") or (core.startswith("(") and core.endswith(")"))
    digits = core[1:-1] if core.startswith("(") and core.endswith(")") else core
    digits = digits.removeprefix("-")
    if pattern.fullmatch(digits):
        plain = digits.replace(fmt.thousands, "") if fmt.thousands else digits
        plain = plain.replace(fmt.decimal, ".")
    elif _PLAIN_AMOUNT.fullmatch(digits) and fmt.decimal == ".":
        plain = digits  # exponent form, e.g. 1.5E3 (the case writer's form for big amounts)
    else:
        raise FieldError(
            f"{shown(text)} is not a number (expected a decimal amount such as {AMOUNT_EXAMPLE})"
        )
    if negative:
        raise FieldError(f"{shown(text)} is negative (amounts are zero or more)")
    try:
        return Decimal(plain)
    except InvalidOperation:  # pragma: no cover - the patterns admit only numbers
        raise FieldError(f"{shown(text)} is not a number") from None


# --------------------------------------------------------------------------- codes

_COUNTRY = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def country(value: object) -> str:
    """An ISO 3166-1 alpha-2 code in capitals; lower case is refused, not guessed."""
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
        raise FieldError(f"{shown(value)} is not a two-letter country code (ISO 3166, e.g. AU, NZ)")
    return value


def countries(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(country(v) for v in values)


def currency(value: object) -> str:
    """An ISO 4217 code in capitals."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise FieldError(f"{shown(value)} is not a three-letter currency code (ISO 4217, e.g. NZD)")
    return value


def hs(value: object) -> HSCode:
    """An HS 2022 code that exists; the message is :class:`~origin.hs.HSCodeError`'s."""
    if not isinstance(value, str):
        raise FieldError(f"HS code {shown(value)} is not text (expected e.g. 8471.30)")
    try:
        return HSCode.parse(value)
    except HSCodeError as error:
        raise FieldError(str(error)) from None


_TARIFF_ITEM = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})", re.ASCII)


def tariff_item(value: str, good: HSCode | None) -> str:
    """An NZ tariff item ``NNNN.NN.NN`` within the good's HS code (chapter to subheading)."""
    match = _TARIFF_ITEM.fullmatch(value)
    if match is None:
        raise FieldError(f"{shown(value)} is not an NZ tariff item (NNNN.NN.NN)")
    if good is not None and not (match[1] + match[2] + match[3]).startswith(
        str(good).replace(".", "")
    ):
        raise FieldError(f"{value} is not within the good's code {good}")
    return match[0]


# --------------------------------------------------------------------------- dates, flags, words

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def date(value: str) -> dt.date:
    """A real calendar day written ``YYYY-MM-DD``, with nothing (no time) after it."""
    try:
        if _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise FieldError(f"{shown(value)} is not a date (expected YYYY-MM-DD)")


_TRUE = frozenset(("true", "yes", "y", "1", "x", "ja", "oui"))
_FALSE = frozenset(("false", "no", "n", "0", "nein", "non"))
#: The words a workbook cell may use for a flag (any case); a JSON case uses true and false.
FLAG_WORDS: dict[str, bool] = {
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
    **{w.upper(): True for w in _TRUE},
    **{w.upper(): False for w in _FALSE},
    **{w.capitalize(): True for w in _TRUE},
    **{w.capitalize(): False for w in _FALSE},
}
FLAG_WORDS_EXPECTED = "true/false, yes/no"


def flag(value: object, words: bool = False) -> bool:
    """True or false. With ``words`` (a workbook cell): also yes/no words and 1/0. JSON has
    a true/false type of its own, so the text "yes" is not a JSON flag (by design)."""
    if isinstance(value, bool):
        return value
    if words:
        if isinstance(value, float | int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            found = FLAG_WORDS.get(value.strip().lower())
            if found is not None:
                return found
        raise FieldError(f"{shown(value)} is not yes or no (expected {FLAG_WORDS_EXPECTED})")
    raise FieldError(f"{shown(value)} is not true or false (expected true or false, unquoted)")


def not_one_of(value: object, options: Iterable[str]) -> FieldError:
    """The message of a choice field given a word outside its list."""
    return FieldError(f"{shown(value)} is not one of: {', '.join(dict.fromkeys(options))}")


def choice(value: object, kind: type[E]) -> E:
    """One of an enumeration's words, exactly as written."""
    try:
        return kind(value)
    except ValueError:
        raise not_one_of(value, (str(m.value) for m in kind)) from None
