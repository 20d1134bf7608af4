"""How every levy tool reads a value: one rule for the command line and every batch format.

``origin levy --value … --date …``, a CSV cell, an .xlsx cell and a JSON value go through the
same functions, so a value refused in one is refused in all (issue 12). The rules follow the
workbook reader (``origin.workbook.fields``), and are stricter where a value would otherwise be
silently changed:

* an **amount** is digits with an optional decimal point, thousands grouped by commas allowed
  (``1,000.00``) — no sign, no exponent, no currency sign, no spaces inside. ``-0`` is refused
  (a negative zero is nobody's Customs value); a spreadsheet's number cell is read as typed.
* a **date** is ``YYYY-MM-DD``. Text with a time part (``2026-04-01T00:00``) is refused, and so
  is a date-and-time cell whose time is not midnight (a spreadsheet date cell is a datetime at
  midnight, read as its date).
* **text** (ids, payers, exporters) may not hold control characters other than tab and line
  breaks, nor a lone surrogate (what a broken JSON ``\\ud800`` escape gives): it would break a
  writer or a terminal.

Each function returns the value or raises :class:`BadValue` whose text says what was wrong and
what was expected; callers add the column and the place.

>>> amount("1,000.50")
Decimal('1000.50')
>>> amount("1e5")
Traceback (most recent call last):
levies.values.BadValue: '1e5' is in exponent form; write the amount out in digits, e.g. 100000
>>> date("2026-04-01T00:00")  # doctest: +ELLIPSIS
Traceback (most recent call last):
levies.values.BadValue: '2026-04-01T00:00' has a time part; expected a date YYYY-MM-DD, ...
>>> printable("A\\x00B\\x1b[2J")
'A\\\\x00B\\\\x1b[2J'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

# Amounts and quantities are exact, and a batch's totals are added exactly (calculator.EXACT, 60
# digits, inexact results trapped). A value is refused beyond these bounds so that no row — nor
# the sum of 100,000 of them times a rate and GST — can exceed that precision (review finding 8).
MAX_WHOLE_DIGITS = 15
MAX_DECIMAL_PLACES = 10

# Digits, optionally grouped in threes by commas, and an optional fraction: as the workbook
# reader's default number format reads text (origin.workbook.fields.NumberFormat).
_PLAIN = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", re.ASCII)
_COMMAS = re.compile(r"[0-9,]*[0-9](?:\.[0-9]+)?", re.ASCII)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+", re.ASCII)
_CURRENCY = re.compile(r"[$€£¥]|\b(?:NZD|AUD|USD|EUR|GBP)\b", re.IGNORECASE)

# Dates as the columns document them, YYYY-MM-DD: the ISO basic and week forms that
# date.fromisoformat also accepts (20260401, 2026W143) are refused as likely mistakes.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATE_AND_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ].*", re.ASCII | re.DOTALL)

# C0 controls but tab and line breaks, DEL, C1 controls, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")  # json.dumps escapes C0 itself


class BadValue(ValueError):
    """A value that does not hold what its column needs; the text says what was expected."""


# --------------------------------------------------------------------------- amounts


def amount(value: object) -> Decimal | None:
    """A non-negative exact amount, or None for nothing (None or blank text)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _PLAIN.fullmatch(text):
            raise BadValue(_not_plain(value, text))
        number = Decimal(text.replace(",", ""))
    elif isinstance(value, bool):
        raise BadValue(f"{value!r} is true/false, not an amount")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue(f"{value!r} is not a finite number")
        number = Decimal(repr(value))  # a spreadsheet's double: repr gives back what was typed
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise BadValue(f"{value!r} is not a finite number")
        number = value
    elif isinstance(value, dt.date | dt.time | dt.timedelta):
        raise BadValue(f"{value} is a date or time, not an amount")
    else:
        raise BadValue(f"{_kind(value)} is not an amount (expected e.g. 1000.00)")
    if number.is_signed():
        if number == 0:
            raise BadValue(_NEGATIVE_ZERO.format(value))
        raise BadValue(f"{_shown(value)} is negative; expected 0 or more")
    if number and number.adjusted() >= MAX_WHOLE_DIGITS:
        raise BadValue(
            f"{_shown(value)} is too large (more than {MAX_WHOLE_DIGITS} digits before the point)"
        )
    if decimal_places(number) > MAX_DECIMAL_PLACES:
        raise BadValue(f"{_shown(value)} has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


_NEGATIVE_ZERO = "{!r} is a negative zero; expected 0 or more, written without a sign"


def _not_plain(value: str, text: str) -> str:
    """Why ``text`` is not a plain amount, with what to write instead."""
    if _CURRENCY.search(text):
        rest = _CURRENCY.sub("", text).strip()
        example = rest.replace(",", "") if _PLAIN.fullmatch(rest) else "1000.00"
        return (
            f"{value!r} has a currency sign; write the amount in NZD as a plain number, "
            f"e.g. {example}"
        )
    if _EXPONENT.fullmatch(text):
        spelled = format(Decimal(text.lstrip("+-")), "f")
        example = spelled if len(spelled) <= 24 else "1000.00"
        return f"{value!r} is in exponent form; write the amount out in digits, e.g. {example}"
    sign, rest = text[:1], text[1:].strip()
    if sign in ("-", "+") and _PLAIN.fullmatch(rest):
        if sign == "+":
            return f"{value!r} has a sign; expected 0 or more, written without a sign"
        if Decimal(rest.replace(",", "")) == 0:
            return _NEGATIVE_ZERO.format(value)
        return f"{value!r} is negative; expected 0 or more"
    if _COMMAS.fullmatch(text):
        return f"{value!r} has commas that do not group thousands (expected e.g. 1,000,000.00)"
    try:
        finite = Decimal(text).is_finite()
    except InvalidOperation:
        finite = True
    if not finite:
        return f"{value!r} is not a finite number (expected a plain decimal amount, e.g. 1000.00)"
    return f"{value!r} is not a plain decimal amount (expected e.g. 1000.00)"


def decimal_places(number: Decimal) -> int:
    """Decimal places that carry a digit: ``1.2500`` has 2, ``1E+3`` has 0."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller
    if exponent >= -MAX_DECIMAL_PLACES:  # the common case, without counting zeros
        return max(0, -exponent)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing)


# --------------------------------------------------------------------------- dates


def date(value: object) -> dt.date | None:
    """A date, or None for nothing (None or blank text)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time() or value.tzinfo is not None:
            raise BadValue(
                f"{value.isoformat(sep=' ')} is a date and time; expected a date (YYYY-MM-DD) "
                "without a time — format the cell as a date"
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if ISO_DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise BadValue(f"{value!r} is not a date: there is no such day") from None
        if _DATE_AND_TIME.fullmatch(text):
            raise BadValue(f"{value!r} has a time part; expected a date YYYY-MM-DD, without a time")
        raise BadValue(f"{value!r} is not a date (expected YYYY-MM-DD)")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise BadValue(
            f"{value!r} is not a date (expected YYYY-MM-DD) — a spreadsheet serial number? "
            "format the column as a date"
        )
    if isinstance(value, dt.time | dt.timedelta):
        raise BadValue(f"{value} is a time, not a date (expected YYYY-MM-DD)")
    raise BadValue(f"{_kind(value)} is not a date (expected YYYY-MM-DD)")


# --------------------------------------------------------------------------- text


def safe(value: str) -> bool:
    """No control character (but tab and line breaks) and no lone surrogate in ``value``."""
    return _UNSAFE.search(value) is None


def blank(value: str) -> bool:
    """Nothing but white space: a cell of control characters (which ``str.strip`` also strips,
    U+001C–U+001F) is not blank, it is refused."""
    return not value.strip() and _UNSAFE.search(value) is None


def text(value: str) -> str:
    """``value`` if it holds no control character (but tab and line breaks) or lone surrogate."""
    found = _UNSAFE.search(value)
    if found is None:
        return value
    code = ord(found.group())
    what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
    raise BadValue(
        f"{_shown(value)} holds {what} U+{code:04X} at position {found.start() + 1}; expected "
        "printable text (tabs and line breaks are allowed)"
    )


def printable(value: str, *, breaks: bool = False) -> str:
    """``value`` with each control character and lone surrogate written as its escape
    (``\\x00``, ``\\x1b``, ``\\ud800``), so no writer or terminal acts on it. Tab and line
    breaks are kept unless ``breaks`` (one line of text output per row)."""
    pattern = _UNSAFE_OR_BREAK if breaks else _UNSAFE
    if pattern.search(value) is None:
        return value
    return pattern.sub(_escape, value)


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls and lone
    surrogates as ``\\u`` escapes: the same JSON, now encodable as UTF-8 and safe to print."""
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shown(value: object) -> str:
    """The value as a message shows it: text quoted (and escaped), numbers as they are."""
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value)


def _kind(value: object) -> str:
    """A short name for a value that is no scalar (a JSON list or object), never its repr:
    a deeply nested one cannot be printed."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
