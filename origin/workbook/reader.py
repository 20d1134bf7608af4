"""Import a workbook (the template, or any layout through a mapping) into cases.

Nothing lost, nothing guessed: every non-blank row of every sheet ends up imported or in
the :class:`~origin.workbook.problems.Ledger` with its reason, and every problem is an
:class:`~origin.workbook.problems.Issue` located to the cell. A product with any error is not
decided (as with a JSON case, nothing is decided from a half-read case); the other products
of the workbook are.

The data flow, each stage a module named for what it does (decision 0014)::

    workbook ─ cells (rows from the file, in a child process; flags from its XML)
             ─ sheets (roles, header rows, column plans)
             ─ rows (located records; plain BOM lines built at once)
             ─ flags (formulas without results, Excel errors, hidden, merged cells)
             ─ products (records grouped by product)
             ─ cases (each product's records through origin.build) ─▶ ImportResult

This module holds the orchestration and the state the stages share (:class:`_Reader`).
"""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from pathlib import Path
from typing import Any

from origin.law import LawBook
from origin.model import Material
from origin.workbook import cells, flags, products, rows, sheets
from origin.workbook.mapping import Layout, template_layout
from origin.workbook.problems import Issue, Severity, display_name
from origin.workbook.records import ImportResult, ProductImport, Record
from origin.workbook.sheets import SheetPlan

__all__ = ["ImportResult", "ProductImport", "Record", "import_workbook"]


def import_workbook(
    path: Path, layout: Layout | None = None, law: LawBook | None = None
) -> ImportResult:
    """Read ``path`` with ``layout`` (default: the template's); ``law`` supplies the words
    (cost categories, facts …) a choice column accepts. Unreadable files raise
    :class:`~origin.workbook.problems.WorkbookError`."""
    # Hundreds of thousands of new dicts, Decimals and model objects, none in a cycle: the
    # cyclic collector's repeated passes over them cost more than the import itself.
    enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return _import(path, layout, law, split=True)
        except cells.ReadAgain:  # a large sheet's pieces were not in row order: read it whole
            pass
        return _import(path, layout, law, split=False)
    finally:
        if enabled:
            gc.enable()


def _import(path: Path, layout: Layout | None, law: LawBook | None, split: bool) -> ImportResult:
    reader = _Reader(display_name(path), layout or template_layout(), law)
    found = cells.Flags()
    with contextlib.closing(cells.read(path, found, split=split)) as read:  # ends the child
        for sheet in read:
            reader.sheet(sheet)
    reader.flag(found)
    return reader.finish()


class _Reader:
    """One workbook's import: the state its stages share, and their order."""

    def __init__(self, workbook: str, layout: Layout, law: LawBook | None) -> None:
        self.workbook = workbook
        self.layout = layout
        self.law = law
        self.result = ImportResult(workbook)
        self.records: dict[str, list[Record]] = defaultdict(list)
        # role → field → the values its records hold, for the fields that decide how rows
        # are grouped (product, level) or a BOM's shape (parent): kept as rows are read, so
        # the common one-product flat BOM is recognised without another pass over its rows.
        self.held: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
        # BOM lines built into Materials as they are read, where no currency conversion is
        # needed: the work fills the time this process would otherwise wait for the reader.
        self.prebuilt: dict[int, Material] = {}
        self.bad_rows: set[tuple[str, int]] = set()
        self.fmt = layout.number_format
        self.pattern = self.fmt.pattern()
        # sheet → (plan, first column, role, first and end index of its records, header row)
        self.read_sheets: dict[str, tuple[Any, int, str, int, int, int]] = {}
        self.sheet_names: list[str] = []
        self.roles_found: set[str] = set()
        # A required sheet is absent, or a sheet with rows could not be read (no header row,
        # a missing or misspelt column): its rows may be any product's, so none is decided.
        self.missing_sheets = False
        self.flag_rows: dict[str, dict[int, Record]] = {}  # sheet → its records by row
        self.flag_new: list[tuple[str, Record]] = []  # (role, record) for rows read as empty
        # product → the rows that may be its own but could not be placed (see products.group)
        self.orphans: dict[str, list[tuple[Record, str]]] = defaultdict(list)

    def issue(  # noqa: PLR0917 - the location's parts, in the order a message reads
        self,
        message: str,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        severity: Severity = Severity.ERROR,
        product: str = "",
    ) -> None:
        self.result.issues.append(
            Issue(self.workbook, message, sheet, row, column, severity, product)
        )

    def sheet(self, sheet: cells.SheetRows) -> None:
        """Stages 1 and 2: the sheet's role, header and plan, then its rows as records."""
        sheets.read_sheet(self, sheet)

    # The two ways of converting a block of rows, called through the reader so that a test
    # can make one stand in for the other (tests/test_workbook_pieces.py).

    def _by_column(self, p: SheetPlan, first: int, block: list[list[Any]]) -> int:
        return rows.by_column(self, p, first, block)

    def _by_row(self, p: SheetPlan, first: int, block: list[list[Any]]) -> int:
        return rows.by_row(self, p, first, block)

    def flag(self, found: cells.Flags) -> None:
        """Stage 3: what the XML shows and the rows do not, placed on the records."""
        flags.place_flags(self, found)

    def finish(self) -> ImportResult:
        """Stages 4 and 5: records grouped by product, each product's case built."""
        return products.finish(self)
