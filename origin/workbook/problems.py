"""Located problems and row accounting for workbook import.

Every message names where it comes from (``chair.xlsx BOM!E14``) and what was expected, and
every input row ends in the :class:`Ledger` as imported or as reported with a reason, so a
test can check that nothing was dropped silently (rule 4 of the developers' guide).
"""

from __future__ import annotations

import enum
from collections import Counter
from pathlib import Path

import attrs

from origin.errors import InputError


class Severity(enum.Enum):
    ERROR = "error"  # the row (or product) is not imported
    WARNING = "warning"  # imported, but a person should look at it


@attrs.frozen
class Issue:
    """One problem found in a workbook, located to the cell when there is one."""

    workbook: str
    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as Excel shows it
    column: str = ""  # Excel letters, e.g. "E"
    severity: Severity = Severity.ERROR
    product: str = ""

    @property
    def where(self) -> str:
        """``BOM!E14``, ``BOM!14`` or ``BOM`` — the address a user types into Excel's Go To."""
        if not self.sheet:
            return ""
        cell = f"{self.column}{self.row}" if self.row is not None else self.column
        sheet = self.sheet if self.sheet.replace("_", "").isalnum() else f"'{self.sheet}'"
        return f"{sheet}!{cell}" if cell else sheet

    def __str__(self) -> str:
        where = self.where
        head = f"{self.workbook} {where}" if where else self.workbook
        tag = "" if self.severity is Severity.ERROR else "warning: "
        return f"{head}: {tag}{self.message}"


class WorkbookError(InputError):
    """A file that cannot be read at all: empty, encrypted, not a workbook, a bomb.

    The message is one line and names the file; the command prints it without a traceback.
    """


def display_name(path: Path) -> str:
    """The file name as text that can be printed and written to a workbook or JSON: bytes
    that are not UTF-8 (a name from another system's encoding) shown as ``\\xe9``."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (Excel's bijective base 26)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    value = 0
    for char in letters:
        value = value * 26 + (ord(char) - 64)
    return value - 1


@attrs.define
class Ledger:
    """Where every input row went: ``imported`` or ``reported`` (with its reason)."""

    input_rows: Counter[str] = attrs.field(factory=Counter)  # per sheet
    imported: Counter[str] = attrs.field(factory=Counter)
    reported: dict[tuple[str, int], str] = attrs.field(factory=dict)  # (sheet, row) → reason

    def seen(self, sheet: str, count: int) -> None:
        self.input_rows[sheet] += count

    def accept(self, sheet: str, count: int = 1) -> None:
        self.imported[sheet] += count

    def report(self, sheet: str, row: int, reason: str) -> None:
        """A row not imported; the first reason given for it is kept."""
        self.reported.setdefault((sheet, row), reason)

    def reported_count(self, sheet: str) -> int:
        return sum(1 for s, _ in self.reported if s == sheet)

    def balanced(self) -> bool:
        """Imported + reported = input rows, sheet by sheet."""
        return all(
            self.imported[s] + self.reported_count(s) == n for s, n in self.input_rows.items()
        )

    def summary(self) -> str:
        parts = [
            f"{s}: {n} rows, {self.imported[s]} imported, {self.reported_count(s)} reported"
            for s, n in self.input_rows.items()
        ]
        return "; ".join(parts)
