"""UN HS correlation tables: which older-edition subheadings each newer one came from.

The UN Statistics Division publishes, for each pair of editions, a correlation sheet of
(new code, old code, relationship) pairs. A code that splits or merges appears in several
pairs; UNSD marks whole groups "n:n". We keep every pair: choosing one would silently pick a
rule when the old codes carry different ones, which is the reviewer's call, not ours.

The CSV layout read here is the sheet as exported (see ``reference/hs/correlation``): a
title line (``Between,...``), a header naming the editions (``HS2022,HS2017,Relationship``
or ``HS 2017,,HS 2012,Relationship`` with an empty column), then one pair per line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from hs_data._io import open_text
from origin.errors import InputError

__all__ = ["Correlation", "CorrelationError", "correlation_file"]

_EDITION = re.compile(r"HS\s*(\d{4})", re.IGNORECASE)
_RELATIONSHIPS = frozenset({"1:1", "1:n", "n:1", "n:n"})


class CorrelationError(InputError):
    """A correlation table that cannot be read, with its file and line."""


@attrs.frozen
class Correlation:
    """New-edition subheading -> the old-edition subheadings it correlates with."""

    new_edition: int
    old_edition: int
    sources: Mapping[str, tuple[str, ...]]
    relationships: Mapping[tuple[str, str], str]
    file: str

    @classmethod
    def load(cls, path: Path) -> Correlation:
        """Read a UNSD correlation CSV; every pair is kept, every bad line reported."""
        with open_text(path, CorrelationError) as handle:
            rows = list(csv.reader(handle))
        if len(rows) < 2:
            raise CorrelationError(f"{path}: {len(rows)} line(s); expected a title and a header")
        header = rows[1]
        editions = [
            (index, int(m.group(1)))
            for index, cell in enumerate(header)
            if (m := _EDITION.fullmatch(cell.strip()))
        ]
        relation = next(
            (i for i, c in enumerate(header) if c.strip().lower() == "relationship"), None
        )
        if len(editions) != 2 or relation is None:
            raise CorrelationError(
                f"{path}: line 2: found header {header}; expected two edition columns such as "
                "'HS2022' and 'HS2017' and a 'Relationship' column"
            )
        (new_col, new), (old_col, old) = editions
        sources: dict[str, list[str]] = {}
        relationships: dict[tuple[str, str], str] = {}
        for line, row in enumerate(rows[2:], start=3):
            if not any(cell.strip() for cell in row):
                continue
            cells = [c.strip() for c in row] + [""] * 4
            new_code, old_code, kind = cells[new_col], cells[old_col], cells[relation]
            for name, code in ((f"HS{new}", new_code), (f"HS{old}", old_code)):
                if not (code.isdigit() and len(code) == 6):
                    raise CorrelationError(
                        f"{path}: line {line}: {name} {code!r}; expected a 6-digit subheading"
                    )
            if kind not in _RELATIONSHIPS:
                raise CorrelationError(
                    f"{path}: line {line}: relationship {kind!r}; expected one of "
                    f"{', '.join(sorted(_RELATIONSHIPS))}"
                )
            olds = sources.setdefault(new_code, [])
            if old_code not in olds:
                olds.append(old_code)
            relationships[new_code, old_code] = kind
        return cls(new, old, {k: tuple(v) for k, v in sources.items()}, relationships, str(path))

    def sources_of(self, subheading: str) -> tuple[str, ...]:
        """Old-edition subheadings correlated with a new-edition one (empty if unlisted)."""
        return self.sources.get(subheading, ())


def correlation_file(directory: Path, new: int, old: int) -> Path:
    """The UNSD file name for a pair of editions, e.g. ``HS2022toHS2017_correlation.csv``."""
    path = directory / f"HS{new}toHS{old}_correlation.csv"
    if not path.is_file():
        raise CorrelationError(
            f"{directory}: no HS{new}toHS{old}_correlation.csv; expected the UNSD correlation "
            f"table from HS {old} to HS {new} there"
        )
    return path
