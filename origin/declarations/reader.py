"""Read a declarations register from CSV, xlsx or JSON: located problems, nothing lost.

Every data row (CSV line, sheet row, JSON list item) ends as a declaration or as refused with
at least one :class:`Problem` naming the file, row and column and what was expected; blank
rows are counted apart. :meth:`ReadResult.accounted` is that sum, checked by the tests.
Files that are not a register, or are hostile, raise :class:`RegisterError` before any row
is read: JSON through :mod:`origin.strict_json` (repeated keys, deep nesting), xlsx through
the workbook reader's guarded child process and limits (zip bombs, entity bombs, far
cells), CSV within a size, a field and a column bound.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from origin import strict_json
from origin.declarations.register import (
    FIELDS,
    FORMAT,
    REQUIRED,
    Declaration,
    Register,
    RegisterError,
    convert_all,
    registered_agreements,
)
from origin.workbook.problems import column_letter

MAX_BYTES = 256 * 1024 * 1024  # as a workbook (origin.workbook.limits.MAX_FILE_BYTES)
MAX_FIELD = 64 * 1024  # one CSV field (a document location is a path, not a book)
MAX_COLUMNS = 64  # a register has 12; a row far wider is not one


@attrs.frozen
class Problem:
    """One problem, located: ``row`` is the CSV line or sheet row (1-based) or, for JSON,
    the item's place in ``declarations`` (1-based); ``column`` the field (with the sheet
    column's letter for xlsx)."""

    file: str
    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""

    @property
    def where(self) -> str:
        place = self.sheet
        if self.row is not None:
            place += f"{'!' if place else ''}row {self.row}"
        if self.column:
            place += f"{' ' if place else ''}{self.column}"
        return place

    def __str__(self) -> str:
        where = self.where
        return f"{self.file} {where}: {self.message}" if where else f"{self.file}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        data = {"file": self.file, "sheet": self.sheet or None, "row": self.row}
        data |= {"column": self.column or None, "message": self.message}
        return {k: v for k, v in data.items() if v is not None}


@attrs.frozen
class ReadResult:
    """What a register file held: its declarations, its problems, and the row accounting."""

    file: str
    declarations: tuple[Declaration, ...]
    problems: tuple[Problem, ...]
    rows: int  # data rows seen (blank ones included)
    blank: int
    refused: tuple[int, ...]  # the rows refused, each with a problem

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def register(self) -> Register:
        return Register(self.declarations, self.file)

    def accounted(self) -> bool:
        """Every data row read, refused (with a problem) or blank: nothing silently lost."""
        located = {p.row for p in self.problems}
        return len(self.declarations) + len(self.refused) + self.blank == self.rows and all(
            r in located for r in self.refused
        )


def read(path: Path) -> ReadResult:
    """Read the register at ``path`` by its suffix (.csv, .json, .xlsx/.xlsm)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as error:
        raise RegisterError(f"{path}: cannot be read ({error.strerror})") from None
    if size > MAX_BYTES:
        raise RegisterError(
            f"{path.name}: {size:,} bytes, over the {MAX_BYTES:,} a register may be"
        )
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".json":
        return _read_json(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise RegisterError(
        f"{path.name}: a register is .csv, .json or .xlsx (found {suffix or 'none'})"
    )


def load(path: Path) -> Register:
    """The register at ``path``; any problem raises :class:`RegisterError` listing them (a
    determination is not made from a half-read register)."""
    result = read(path)
    if result.problems:
        shown = "\n".join(f"  {p}" for p in result.problems[:20])
        more = f"\n  … and {len(result.problems) - 20} more" if len(result.problems) > 20 else ""
        raise RegisterError(f"{result.file}: {len(result.problems)} problem(s):\n{shown}{more}")
    return result.register


# --------------------------------------------------------------------------- rows (CSV, xlsx)


class _Rows:
    """The row stage shared by CSV and xlsx: format line, header, then data rows."""

    def __init__(self, file: str, sheet: str = "", letters: bool = False) -> None:
        self.file, self.sheet, self.letters = file, sheet, letters
        self.known = registered_agreements()
        self.declarations: list[Declaration] = []
        self.problems: list[Problem] = []
        self.refused: list[int] = []
        self.rows = self.blank = 0
        self.plan: list[str | None] | None = None  # field of each column, once the header is read
        self.unreadable = False  # the header is wrong: every data row is refused
        self.placed: list[int] = []  # the row of each declaration read
        self.header_row = 0

    def problem(self, message: str, row: int | None, column: str = "") -> None:
        self.problems.append(Problem(self.file, message, row, column, self.sheet))

    def column(self, name: str, index: int) -> str:
        return f"{name} ({column_letter(index)})" if self.letters else name

    def feed(self, number: int, cells: Sequence[Any]) -> None:
        values = ["" if c is None else c for c in cells]
        if all(isinstance(v, str) and not v.strip() for v in values):
            if self.plan is not None:
                self.rows += 1
                self.blank += 1
            return
        if self.plan is None:
            self._header(number, values)
            return
        self.rows += 1
        if self.unreadable:
            self.refused.append(number)
            self.problem("not read: the header row is in error", number)
            return
        self._data(number, values)

    def _header(self, number: int, values: list[Any]) -> None:
        first = str(values[0]).strip().lower()
        if first == "format":
            given = str(values[1]).strip() if len(values) > 1 else ""
            if given != FORMAT:
                raise RegisterError(
                    f"{self.file} row {number}: format {given!r} is not {FORMAT!r}, the "
                    "format this version reads"
                )
            return
        plan: list[str | None] = []
        seen: dict[str, int] = {}
        for index, cell in enumerate(values):
            name = str(cell).strip().lower().replace(" ", "_").replace("-", "_")
            if not name:
                plan.append(None)
                continue
            if name not in FIELDS:
                self.problem(
                    f"column {str(cell)!r} is not a register field (expected: {', '.join(FIELDS)})",
                    number,
                    column_letter(index) if self.letters else "",
                )
                self.unreadable = True
            elif name in seen:
                self.problem(f"column {name!r} is given twice", number, self.column(name, index))
                self.unreadable = True
            seen[name] = index
            plan.append(name)
        self.header_row = number
        missing = sorted(REQUIRED - set(seen))
        if missing:
            self.problem(f"required column(s) missing: {', '.join(missing)}", number)
            self.unreadable = True
        self.plan = plan

    def _data(self, number: int, values: list[Any]) -> None:
        assert self.plan is not None
        given: dict[str, Any] = {}
        lost = False
        for index, value in enumerate(values):
            name = self.plan[index] if index < len(self.plan) else None
            if name is None:
                if not (isinstance(value, str) and not value.strip()):
                    self.problem(
                        f"a value ({_shown(value)}) in a column without a header",
                        number,
                        column_letter(index) if self.letters else f"column {index + 1}",
                    )
                    lost = True
                continue
            text_number = self.letters and name in _TEXT and isinstance(value, float | int)
            given[name] = _number_text(value) if text_number else value
        converted, errors = convert_all(given, self.known)
        for error in errors:
            index = self.plan.index(error.field) if error.field in self.plan else -1
            column = self.column(error.field, index) if index >= 0 else error.field
            self.problem(error.message, number, column)
        if errors or lost:
            self.refused.append(number)
            return
        self.declarations.append(Declaration(**converted))
        self.placed.append(number)

    def flagged(self, number: int, message: str) -> None:
        """A row flagged outside its values (a formula without a result, an error cell):
        refused, and its declaration, if it was read from what the reader saw, taken back."""
        if self.plan is None or number <= self.header_row:
            self.problem(message, number)
            return
        if number in self.placed:
            del self.declarations[self.placed.index(number)]
            self.placed.remove(number)
        if number not in self.refused:
            self.refused.append(number)
        self.problem(message, number)

    def result(self) -> ReadResult:
        if self.plan is None:
            self.problem(
                "no header row (expected the field names: " + ", ".join(FIELDS) + ")", None
            )
        return ReadResult(
            self.file,
            tuple(self.declarations),
            tuple(self.problems),
            self.rows,
            self.blank,
            tuple(self.refused),
        )


_TEXT = frozenset(("reference", "supplier", "supplier_part", "material", "document", "kept_at"))


def _number_text(value: float | int) -> Any:
    """A number typed into a text column (a part number): its digits, if it is whole."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value  # refused by the field rule, quoted


def _shown(value: object) -> str:
    from origin.fields import shown  # noqa: PLC0415

    return shown(value)


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path) -> ReadResult:
    data = path.read_bytes()
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise RegisterError(f"{path.name} line {line}: a NUL byte (not a text file)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RegisterError(
            f"{path.name} line {line}: not UTF-8 (byte {data[error.start]:#04x}); save the "
            "register as CSV UTF-8"
        ) from None
    rows = _Rows(path.name)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(MAX_FIELD)
        for cells in _bounded(reader, path.name):
            rows.feed(reader.line_num, cells)
    finally:
        csv.field_size_limit(limit)
    return rows.result()


def _bounded(reader: Any, name: str) -> Iterator[list[str]]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RegisterError(f"{name} line {reader.line_num}: {error}") from None
        if len(cells) > MAX_COLUMNS:
            raise RegisterError(
                f"{name} line {reader.line_num}: {len(cells)} columns (a register has at most "
                f"{MAX_COLUMNS})"
            )
        yield cells


# --------------------------------------------------------------------------- JSON


def _read_json(path: Path) -> ReadResult:
    name = path.name
    try:
        data = strict_json.loads(path.read_text(encoding="utf-8-sig"), parse_float=str)
    except UnicodeDecodeError:
        raise RegisterError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RegisterError(
            f"{name} line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise RegisterError(f"{name}: format {found!r} is not {FORMAT!r}")
    rows = _Rows(name)
    rows.plan = list(FIELDS)
    for key in sorted(set(data) - {"format", "declarations"}):
        rows.problem(
            f"key {key!r} is not part of a register (expected format, declarations)", None, key
        )
    items = data.get("declarations")
    if not isinstance(items, list):
        rows.problem("expected a list of declarations", None, "declarations")
        items = []
    known = rows.known
    for number, item in enumerate(items, 1):
        rows.rows += 1
        where = f"declarations[{number - 1}]"
        if not isinstance(item, dict):
            rows.refused.append(number)
            rows.problem(f"expected an object, found {type(item).__name__}", number, where)
            continue
        unknown = sorted(set(item) - set(FIELDS))
        for key in unknown:
            rows.problem(f"key {key!r} is not a declaration field", number, f"{where}.{key}")
        values = {k: _json_value(v) for k, v in item.items() if k in FIELDS}
        converted, errors = convert_all(values, known)
        for wrong in errors:
            rows.problem(wrong.message, number, f"{where}.{wrong.field}")
        if errors or unknown:
            rows.refused.append(number)
            continue
        rows.declarations.append(Declaration(**converted))
    return rows.result()


def _json_value(value: object) -> object:
    """JSON numbers kept as written (a number is no text field's value: quoted in the message)."""
    return value


# --------------------------------------------------------------------------- xlsx


def _read_xlsx(path: Path) -> ReadResult:
    from origin.workbook import cells  # noqa: PLC0415 - loads the guarded reader only here
    from origin.workbook.problems import WorkbookError, display_name  # noqa: PLC0415

    name = display_name(path)
    flags = cells.Flags()
    read: list[_Rows] = []
    try:
        with contextlib.closing(cells.read(path, flags)) as sheets:
            for sheet in sheets:
                rows = _Rows(name, sheet.name, letters=True)
                number = 0
                for chunk in sheet.chunks:
                    for cells_of_row in chunk:
                        number += 1
                        rows.feed(number, [""] * sheet.first_column + list(cells_of_row))
                read.append(rows)
    except WorkbookError as error:
        raise RegisterError(str(error)) from None
    named = [r for r in read if r.sheet.strip().lower() == "declarations"]
    filled = [r for r in read if r.plan is not None]
    if not (named or filled):
        raise RegisterError(
            f"{name}: no sheet with a header row (a register's sheet is 'Declarations')"
        )
    chosen = (named or filled)[0]
    for ref in (
        *flags.formulas_without_value.get(chosen.sheet, ()),
        *flags.errors.get(chosen.sheet, ()),
    ):
        row = int("".join(ch for ch in ref if ch.isdigit()) or 0)
        chosen.flagged(row, f"cell {ref} holds a formula without a saved result, or an error value")
    for other in read:
        if other is not chosen and other.plan is not None:
            chosen.problem(
                f"sheet {other.sheet!r} has values and is not read (the register is on sheet "
                f"{chosen.sheet!r})",
                None,
            )
    return chosen.result()


def rows_of(declarations: Iterable[Declaration]) -> list[list[str]]:
    """A register as rows (header first), for writing CSV or a sheet."""
    out = [list(FIELDS)]
    for d in declarations:
        data = d.to_json()
        out.append(
            [";".join(data[f]) if f == "agreements" else str(data.get(f, "")) for f in FIELDS]
        )
    return out


def write_csv(declarations: Iterable[Declaration], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows_of(declarations))
