"""New Zealand tariff items and statistical keys, normalised to their HS subheading.

NZ's Working Tariff Document classifies goods to 8-digit tariff items (``8471.30.00``) and,
for statistics, to a 3-character key after the item (``00K``: two digits and a check
letter), written together as ``8471.30.00.00K``. Product-specific rules are keyed at most to
the 6-digit HS subheading, so a rule is found from the item's first six digits.

>>> str(to_subheading("8471.30.00.00K")), str(to_subheading("0101.21.00"))
('8471.30', '0101.21')
>>> NZCode.parse("8471300000K")
NZCode(tariff_item='84713000', stat_key='00K')
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import attrs

from hs_data._io import open_text
from origin.errors import InputError
from origin.hs import HSCode, HSCodeError

__all__ = ["NZCode", "NZCodeError", "NZTariff", "to_subheading"]

# 8471.30.00, 84713000, 8471.30.00.00K, 8471.30.00 00K, 8471.30.00-00K, 8471300000K
_NZ = re.compile(
    r"(?P<item>\d{4}\.?\d{2}\.?\d{2})(?:[\s.\-]?(?P<key>\d{2}[A-Za-z]))?",
)


class NZCodeError(InputError):
    """A tariff item or statistical key that is malformed or not in the tariff."""


@attrs.frozen
class NZCode:
    """A tariff item, with its statistical key when one was given."""

    tariff_item: str  # 8 digits
    stat_key: str | None = None  # 2 digits and a check letter, upper case

    @classmethod
    def parse(cls, text: str) -> NZCode:
        """Read a tariff item, optionally followed by its 3-character statistical key."""
        match = _NZ.fullmatch(text.strip())
        if match is None:
            raise NZCodeError(
                f"NZ code {text!r}: expected a tariff item such as 8471.30.00, optionally with "
                "its statistical key, such as 8471.30.00.00K"
            )
        item = match["item"].replace(".", "")
        key = match["key"].upper() if match["key"] else None
        return cls(item, key)

    @property
    def subheading(self) -> HSCode:
        """The HS subheading: the item's first six digits (validated against HS 2022)."""
        return HSCode.parse(self.tariff_item[:6])

    def __str__(self) -> str:
        item = f"{self.tariff_item[:4]}.{self.tariff_item[4:6]}.{self.tariff_item[6:]}"
        return f"{item}.{self.stat_key}" if self.stat_key else item


def to_subheading(text: str, *, validate: bool = True) -> HSCode:
    """Any code a user may hold: an HS chapter/heading/subheading, an NZ tariff item or a
    statistical key; items and keys become their subheading, HS codes stay as they are."""
    stripped = text.strip()
    match = _NZ.fullmatch(stripped)
    if match is not None:
        digits = match["item"].replace(".", "")[:6]
        try:
            return HSCode.parse(digits, validate=validate)
        except HSCodeError as error:
            raise NZCodeError(f"NZ code {text!r}: {error}") from None
    try:
        code = HSCode.parse(stripped, validate=validate)
    except HSCodeError as error:
        raise NZCodeError(str(error)) from None
    return HSCode(code.digits[:6]) if len(code.digits) > 6 else code


@attrs.frozen
class NZTariff:
    """The tariff items and statistical keys of one Working Tariff Document."""

    items: frozenset[str]
    stat_keys: frozenset[tuple[str, str]]
    source: str

    @classmethod
    def load(cls, items_csv: Path, stat_keys_csv: Path | None = None) -> NZTariff:
        """Read item and key CSVs (``tariff_item`` and ``stat_key`` columns); an item row
        may carry its single key itself, as the WTD prints items without sub-keys."""
        items: set[str] = set()
        keys: set[tuple[str, str]] = set()
        for path in (items_csv, stat_keys_csv):
            if path is None:
                continue
            with open_text(path, NZCodeError) as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames is None or "tariff_item" not in reader.fieldnames:
                    raise NZCodeError(
                        f"{path}: line 1: found columns {reader.fieldnames}; "
                        "expected a 'tariff_item' column"
                    )
                for row in reader:
                    try:
                        code = NZCode.parse(row["tariff_item"])
                    except NZCodeError as error:
                        raise NZCodeError(f"{path}: line {reader.line_num}: {error}") from None
                    items.add(code.tariff_item)
                    key = (row.get("stat_key") or "").strip().upper()
                    if key:
                        keys.add((code.tariff_item, key))
        return cls(frozenset(items), frozenset(keys), str(items_csv))

    def check(self, text: str) -> NZCode:
        """A code that must be in this tariff: its item, and its key when given."""
        code = NZCode.parse(text)
        if code.tariff_item not in self.items:
            raise NZCodeError(f"NZ code {text!r}: tariff item {code} is not in {self.source}")
        if code.stat_key and (code.tariff_item, code.stat_key) not in self.stat_keys:
            raise NZCodeError(
                f"NZ code {text!r}: statistical key {code.stat_key} is not listed for "
                f"{NZCode(code.tariff_item)} in {self.source}"
            )
        return code
