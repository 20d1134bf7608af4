"""What the workbook reader's stages hand each other: located records, and the result.

:mod:`origin.workbook.sheets` finds each sheet's header and plans its columns,
:mod:`origin.workbook.rows` converts the rows into :class:`Record` s (one per data row,
each value located by its sheet, row and column letter), :mod:`origin.workbook.flags` marks
the records the reader's flags (formulas, errors, hidden rows, merged cells) speak of,
:mod:`origin.workbook.products` groups them by product, and
:mod:`origin.workbook.cases` builds each product's case through :mod:`origin.build` into
an :class:`ImportResult`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import attrs

from origin.model import Case
from origin.workbook.problems import Issue, Ledger, Severity


class Record(NamedTuple):
    """One data row: its values by field key (a tuple: 100,000 of them are made at once)."""

    sheet: str
    row: int
    values: dict[str, Any]
    cells: Mapping[str, str]  # field → column letter, for messages

    @property
    def place(self) -> str:
        """The row in words, for "first at …" (:class:`origin.build.Located`)."""
        return f"row {self.row}"

    def at(self, key: str) -> tuple[str, int, str]:
        """Where ``key``'s value came from: sheet, row and column letter ("" if none)."""
        return self.sheet, self.row, self.cells.get(key, "")


@attrs.frozen
class ProductImport:
    """One product of a workbook: its case, or None when its rows had errors."""

    workbook: str
    product: str
    case: Case | None
    rows: int  # input rows that went into it
    hs: str = ""  # as read from its Product row, even when the product is not imported


@attrs.define
class ImportResult:
    workbook: str
    products: list[ProductImport] = attrs.field(factory=list)
    issues: list[Issue] = attrs.field(factory=list)
    ledger: Ledger = attrs.field(factory=Ledger)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]
