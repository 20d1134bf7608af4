"""Import a workbook (the template, or any layout through a mapping) into cases.

Nothing lost, nothing guessed: every non-blank row of every sheet ends up imported or in
the :class:`~origin.workbook.problems.Ledger` with its reason, and every problem is an
:class:`~origin.workbook.problems.Issue` located to the cell. A product with any error is not
decided (as with a JSON case, nothing is decided from a half-read case); the other products
of the workbook are.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, cast

import attrs

from origin import fields as rules
from origin.law import LawBook
from origin.model import (
    Accessory,
    AccessoryKind,
    Adjustment,
    Case,
    Consignment,
    Cost,
    Good,
    Material,
    OriginStatus,
    Packaging,
    TransitStop,
    ValueBasis,
)
from origin.trees import rebuild
from origin.workbook import cells, fields
from origin.workbook.fields import FIELDS, KEY_FIELD, CellError, Field, normal
from origin.workbook.mapping import Column, Layout, SheetLayout, template_layout
from origin.workbook.problems import (
    Issue,
    Ledger,
    Severity,
    column_index,
    column_letter,
    display_name,
)

HEADER_SEARCH_ROWS = 30
_MERGED_WARNINGS = 50  # merged ranges named one by one per sheet; the rest are counted
REQUIRED_ROLES = frozenset(("product", "bom"))  # see _Reader._check_sheets
NOTED_ROLES = frozenset(("costs",))
_GENERAL, _AMOUNT, _TEXT = range(3)  # the column-wise shortcuts (_column)
_BASES = {b.value: b for b in ValueBasis}
_STATUSES = {s.value: s for s in OriginStatus}
_PACKAGINGS = {p.value: p for p in Packaging}
_MATERIAL_ATTRIBUTES: tuple[Any, ...] = tuple(attrs.fields(Material))
_MATERIAL_FIELDS = {field.name: i for i, field in enumerate(_MATERIAL_ATTRIBUTES)}


def _default(field: Any) -> Any:
    default = field.default
    return default.factory() if hasattr(default, "factory") else default


_MATERIAL_DEFAULTS: list[Any] = [_default(f) for f in _MATERIAL_ATTRIBUTES]
(_M_ID, _M_DESCRIPTION, _M_HS, _M_QUANTITY, _M_UNIT, _M_VALUE, _M_BASIS, _M_ORIGIN) = (
    _MATERIAL_FIELDS[name]
    for name in ("id", "description", "hs", "quantity", "unit", "value", "basis", "origin_country")
)
(_M_STATUS, _M_SELF, _M_INDIRECT, _M_PACKAGING, _M_ACCESSORY, _M_WEIGHT) = (
    _MATERIAL_FIELDS[name]
    for name in ("status", "self_produced", "indirect", "packaging", "accessory", "weight")
)
(_M_ADJUSTMENTS, _M_ATTRIBUTES, _M_PSR, _M_PRODUCED, _M_OPERATIONS) = (
    _MATERIAL_FIELDS[name]
    for name in ("adjustments", "attributes", "psr", "produced_in", "operations")
)
_AMOUNT_FIELDS = ("adjusted_value", "fob", "ex_works", "transaction_value")
_ZERO = Decimal(0)
# Column-wise conversion (_Reader._by_column): the shapes it takes, and how BOM columns
# become Material arguments.
_STR = frozenset((str,))
_NUMBERS = frozenset((bool, int, float))
_FLOAT = frozenset((float,))
_SMALLEST, _LARGEST = 1e-12, 1e15  # the amounts fields.fast_amount takes as they are
_DECIMAL_OR_NONE = frozenset((Decimal, type(None)))
_HELD = ("product", "level", "parent")  # see _Reader.held
_NOT_PREBUILT = frozenset(("currency", "adjustments", "accessory"))
_PLAIN_MATERIAL_COLUMNS = {
    "part": _M_ID,
    "description": _M_DESCRIPTION,
    "hs": _M_HS,
    "quantity": _M_QUANTITY,
    "unit": _M_UNIT,
    "value": _M_VALUE,
    "origin_country": _M_ORIGIN,
    "weight": _M_WEIGHT,
    "psr": _M_PSR,
    "produced_in": _M_PRODUCED,
    "operations": _M_OPERATIONS,
}
_ENUM_COLUMNS: tuple[tuple[str, int, Mapping[Any, Any]], ...] = tuple(
    (key, at, {None: _MATERIAL_DEFAULTS[at], **table})
    for key, at, table in (
        ("basis", _M_BASIS, _BASES),
        ("status", _M_STATUS, _STATUSES),
        ("packaging", _M_PACKAGING, _PACKAGINGS),
    )
)


class _SheetPlan(NamedTuple):
    """What converting a sheet's rows needs, fixed once its header is found."""

    name: str
    plan: list[tuple[int, Field, Column, Callable[[object], object]]]
    fast: list[tuple[int, str, Callable[[object], object], int]]  # index, key, converter, kind
    letters: dict[str, str]
    unheaded: list[tuple[int, str]]
    header_width: int  # cells past it have no header either (rows may be wider than it)
    required_width: int  # a row narrower than this lacks a required cell (or is blank)
    required: list[str]
    constant: str | None
    layout: SheetLayout
    offset: int
    records: list[Record]
    bom: bool


class Record(NamedTuple):
    """One data row: its values by field key (a tuple: 100,000 of them are made at once)."""

    sheet: str
    row: int
    values: dict[str, Any]
    cells: Mapping[str, str]  # field → column letter, for messages


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
    flags = cells.Flags()
    with contextlib.closing(cells.read(path, flags, split=split)) as sheets:  # ends the child
        for sheet in sheets:
            reader.sheet(sheet)
    reader.flag(flags)
    return reader.finish()


class _Reader:
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
        self.missing_sheets = False  # a required sheet is absent: no product is decided
        self.flag_rows: dict[str, dict[int, Record]] = {}  # sheet → its records by row
        self.flag_new: list[tuple[str, Record]] = []  # (role, record) for rows read as empty
        # product → the rows that may be its own but could not be placed (see _products)
        self.orphans: dict[str, list[tuple[Record, str]]] = defaultdict(list)

    # ----------------------------------------------------------------- issues

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

    # ----------------------------------------------------------------- sheets

    def sheet(self, sheet: cells.SheetRows) -> None:
        layout = self.layout.role_of(sheet.name)
        ledger = self.result.ledger
        self.sheet_names.append(sheet.name)
        if layout is not None:
            self.roles_found.add(layout.role)
        if layout is None:
            if normal(sheet.name) in self.layout.ignore_sheets:
                count = 0  # not read, as the layout says; its rows are accounted for all the same
                for chunk in sheet.chunks:
                    for index, row in enumerate(chunk, start=count + 1):
                        if any(not fields.empty(v) for v in row):
                            ledger.seen(sheet.name, 1)
                            ledger.report(sheet.name, index, "sheet ignored (the layout says so)")
                    count += len(chunk)
                return
            count = 0
            for chunk in sheet.chunks:
                for index, row in enumerate(chunk, start=count + 1):
                    if any(not fields.empty(v) for v in row):
                        ledger.seen(sheet.name, 1)
                        ledger.report(sheet.name, index, "sheet not read (no role in the layout)")
                count += len(chunk)
            if ledger.input_rows[sheet.name]:
                self.issue(
                    f"sheet not read: its name is not one the layout knows "
                    f"({ledger.input_rows[sheet.name]} rows)",
                    sheet.name,
                    severity=Severity.WARNING,
                )
            return
        self._read_role(sheet, layout)

    def _read_role(self, sheet: cells.SheetRows, layout: SheetLayout) -> None:
        """Find the header, then convert every row: column by column for a block of rows
        whose cells are all of the common shapes, row by row (located problems) otherwise."""
        name, ledger, offset = sheet.name, self.result.ledger, sheet.first_column
        chunks = iter(sheet.chunks)
        head: list[tuple[int, list[Any]]] = []
        header_at: int | None = None
        plan: list[tuple[int, Field, Column, Callable[[object], object]]] = []
        rest: list[list[Any]] = []
        number = 0
        for chunk in chunks:
            for at, row in enumerate(chunk):
                number += 1
                head.append((number, row))
                if layout.header_row is not None:
                    found = number == layout.header_row
                else:
                    found = self._looks_like_header(layout, row)
                if found:
                    plan = self._plan(name, layout, row, number, offset)
                    header_at = number
                if found or len(head) >= HEADER_SEARCH_ROWS:
                    rest = chunk[at + 1 :]
                    break
            else:
                continue
            break
        blocks = _blocks(number + 1, rest, chunks)
        if header_at is None:
            for number, row in [*head, *_numbered(blocks)]:
                if any(not fields.empty(v) for v in row):
                    ledger.seen(name, 1)
                    ledger.report(name, number, "no header row found")
            expected = ", ".join(f.header for f in FIELDS[layout.role] if f.required)
            self.issue(
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows (expected "
                f"headers such as: {expected})",
                name,
            )
            return
        for number, row in head:
            if any(not fields.empty(v) for v in row):
                ledger.seen(name, 1)
                reason = "header row" if number == header_at else "above the header row"
                ledger.report(name, number, reason)
        if not plan:
            for number, row in _numbered(blocks):
                if any(not fields.empty(v) for v in row):
                    ledger.seen(name, 1)
                    ledger.report(name, number, "sheet lacks required columns")
            return
        records = self.records[layout.role]
        start = len(records)
        letters = {f.key: column_letter(i + offset) for i, f, _, _ in plan}
        # Columns with no header (a blank or merged header cell, or past the last header):
        # a value there would be lost, so each is a located error on its row.
        header = head[-1][1]
        unheaded = [(i, column_letter(i + offset)) for i, v in enumerate(header) if fields.empty(v)]
        sheet_plan = _SheetPlan(
            name=name,
            plan=plan,
            fast=[
                (index, field.key, convert, _shortcut(field, column, layout))
                for index, field, column, convert in plan
            ],
            letters=letters,
            unheaded=unheaded,
            header_width=len(header),
            required_width=max(
                (i + 1 for i, f, _, _ in plan if f.required and f.key != "product"), default=0
            ),
            required=[f.key for _, f, _, _ in plan if f.required and f.key != "product"],
            constant=layout.product,
            layout=layout,
            offset=offset,
            records=records,
            bom=layout.role == "bom",
        )
        seen = 0
        for first, block in blocks:
            if block:
                seen += self._by_column(sheet_plan, first, block)
        ledger.seen(name, seen)
        self.read_sheets[name] = (plan, offset, layout.role, start, len(records), header_at)

    def _by_column(self, p: _SheetPlan, first: int, block: list[list[Any]]) -> int:
        """Convert a block of rows column by column: each distinct cell value once (a dict
        look-up per cell after that), text by ``str.strip`` over the column. A block with
        anything unusual (a problem, a blank row or required cell, mixed number types, a
        value in a column without a header) is converted row by row instead, where every
        problem is located; both give the same records. Returns the rows that held data."""
        count = len(block)
        width = len(block[0])
        # Rows of a sheet read in pieces are as wide as their piece's cells: a block narrower
        # than the required columns (blank rows, or rows without them) goes row by row.
        if not p.required or width < p.required_width or len(set(map(len, block))) != 1:
            return self._by_row(p, first, block)
        columns = list(zip(*block, strict=True))
        for index in [*(i for i, _ in p.unheaded), *range(p.header_width, width)]:
            if index < width and not all(fields.empty(v) for v in set(columns[index])):
                return self._by_row(p, first, block)
        keys: list[str] = []
        converted: list[list[Any]] = []
        sparse: list[str] = []  # columns where some rows have no value (the key is left out)
        for index, key, convert, kind in p.fast:
            if index >= width:
                continue
            got = _column(columns[index], kind, convert)
            if got is None:
                return self._by_row(p, first, block)
            out, has_none = got
            if has_none:
                if key in p.required:
                    return self._by_row(p, first, block)
                if all(v is None for v in out):
                    continue
                sparse.append(key)
            keys.append(key)
            converted.append(out)
        if p.constant:
            if "product" not in keys:
                keys.append("product")
                converted.append([p.constant] * count)
            elif "product" in sparse:
                at = keys.index("product")
                converted[at] = [p.constant if v is None else v for v in converted[at]]
                sparse.remove("product")
        by_key = dict(zip(keys, converted, strict=True))
        rows: list[dict[str, Any]] = list(
            map(dict, map(zip, repeat(keys), zip(*converted, strict=True)))
        )
        for key in sparse:
            for values in rows:
                if values[key] is None:
                    del values[key]
        # Records made as namedtuple's own _make makes them (tuple.__new__), without a
        # Python call per row.
        p.records.extend(
            map(
                tuple.__new__,
                repeat(Record),
                zip(repeat(p.name), range(first, first + count), rows, repeat(p.letters)),
            )
        )
        held = self.held[p.layout.role]
        for key in _HELD:
            if key in by_key:
                held[key].update(by_key[key])
        held["__keys__"].update(keys)
        if p.bom:
            self._prebuild(by_key, sparse, rows)
        return count

    def _prebuild(
        self, by_key: dict[str, list[Any]], sparse: list[str], rows: list[dict[str, Any]]
    ) -> None:
        """Materials for a block of plain BOM lines (no currency, adjustments or accessory:
        those wait for the rates, in _materials), built column by column; the reader fills
        the time this process would otherwise wait for the spreadsheet reader."""
        if not by_key.keys().isdisjoint(_NOT_PREBUILT):
            return
        value = by_key.get("value")
        if value is not None and not set(map(type, value)) <= _DECIMAL_OR_NONE:
            return
        count = len(rows)
        args: list[Iterable[Any]] = [repeat(d, count) for d in _MATERIAL_DEFAULTS]
        for key, at in _PLAIN_MATERIAL_COLUMNS.items():
            if key in by_key:
                args[at] = by_key[key]
        if "description" in sparse:
            args[_M_DESCRIPTION] = ["" if v is None else v for v in by_key["description"]]
        for key, at, table in _ENUM_COLUMNS:
            if key in by_key:
                args[at] = map(table.__getitem__, by_key[key])
        for key, at in (("self_produced", _M_SELF), ("indirect", _M_INDIRECT)):
            if key in by_key:
                args[at] = [v is True for v in by_key[key]]
        if "attributes" in by_key:
            default = _MATERIAL_DEFAULTS[_M_ATTRIBUTES]
            args[_M_ATTRIBUTES] = [frozenset(v) if v else default for v in by_key["attributes"]]
        self.prebuilt.update(zip(map(id, rows), map(Material, *args), strict=True))

    def _by_row(self, p: _SheetPlan, first: int, block: list[list[Any]]) -> int:
        """Row by row, with every problem located (see _by_column)."""
        records, letters, required, constant = p.records, p.letters, p.required, p.constant
        empty = fields.empty
        before = len(records)
        seen = 0
        for number, row in enumerate(block, start=first):
            width = len(row)
            values: dict[str, Any] = {}
            problems: list[tuple[str, str]] | None = None
            for index, key, convert, _kind in p.fast:
                if index < width:
                    cell = row[index]
                    if cell == "" or cell is None:
                        continue
                    try:
                        value = convert(cell)
                    except CellError as error:
                        if problems is None:
                            problems = []
                        problems.append((letters[key], str(error)))
                        continue
                    if value is not None:
                        values[key] = value
            past = range(p.header_width, width)
            for index, letter in [*p.unheaded, *((i, column_letter(i + p.offset)) for i in past)]:
                if index < width and not empty(row[index]):
                    if problems is None:
                        problems = []
                    problems.append(
                        (
                            letter,
                            f"the cell holds {row[index]!r} but its column has no header, "
                            "so it would not be read (give the column a header, or clear "
                            "the cell)",
                        )
                    )
            if not values and problems is None and all(empty(v) for v in row):
                continue
            seen += 1
            if problems is None and all(k in values for k in required):
                if constant and "product" not in values:
                    values["product"] = constant
                record = Record(p.name, number, values, letters)
                records.append(record)
                if (
                    p.bom
                    and "currency" not in values
                    and "adjustments" not in values
                    and type(values.get("value", _ZERO)) is Decimal
                ):
                    built = self._material(record, None)
                    if built is not None:
                        self.prebuilt[id(values)] = built
                continue
            records.append(
                self._row(
                    p.name, number, values, problems or [], p.plan, p.layout, p.offset, letters
                )
            )
        held = self.held[p.layout.role]
        for record in records[before:]:
            for key in _HELD:
                if key in record.values:
                    held[key].add(record.values[key])
            held["__keys__"].update(record.values)
        return seen

    def _looks_like_header(self, layout: SheetLayout, row: list[Any]) -> bool:
        found = {normal(v) for v in row if isinstance(v, str) and v.strip()}
        key = layout.columns.get(KEY_FIELD[layout.role])
        if key is None or not found & set(key.headers):
            return False
        hits = sum(1 for c in layout.columns.values() if found & set(c.headers))
        return hits >= min(2, len(layout.columns))

    def _plan(
        self, sheet: str, layout: SheetLayout, header: list[Any], number: int, offset: int
    ) -> list[tuple[int, Field, Column, Callable[[object], object]]]:
        by_header: dict[str, int] = {}
        for index, value in enumerate(header):
            if isinstance(value, str | int | float) and str(value).strip():
                key = normal(value)
                if key in by_header:
                    self.issue(
                        f"header {str(value).strip()!r} appears twice (columns "
                        f"{column_letter(by_header[key] + offset)} and "
                        f"{column_letter(index + offset)}); the first is read",
                        sheet,
                        number,
                        column_letter(index + offset),
                        Severity.WARNING,
                    )
                    continue
                by_header[key] = index
        specs = {f.key: f for f in FIELDS[layout.role]}
        plan = []
        used: set[int] = set()
        for key, column in layout.columns.items():
            found = next((by_header[h] for h in column.headers if h in by_header), None)
            if found is None or found in used:  # one column feeds one field
                continue
            used.add(found)
            field = specs[key]
            plan.append((found, field, column, self._converter(field, column, layout)))
        present = {f.key for _, f, _, _ in plan}
        missing = [
            f.header
            for f in FIELDS[layout.role]
            if f.required
            and f.key not in present
            and not (f.key == "product" and (layout.product or layout.role != "bom"))
        ]
        if "product" in missing or (layout.role == "bom" and "product" not in present):
            missing = [m for m in missing if m != "product"]  # decided per row (see _product)
        if missing:
            self.issue(
                f"required column(s) missing: {', '.join(missing)} (header row {number})",
                sheet,
                number,
            )
            return []
        for index, value in enumerate(header):
            if index not in used and not fields.empty(value):
                self.issue(
                    f"column {str(value).strip()!r} is not read (not a field of this sheet)",
                    sheet=sheet,
                    row=number,
                    column=column_letter(index + offset),
                    severity=Severity.WARNING,
                )
        return plan

    def _converter(
        self, field: Field, column: Column, layout: SheetLayout
    ) -> Callable[[object], object]:
        fmt, pattern = self.fmt, self.pattern
        what = field.header
        kind = field.kind
        aliases = layout.values.get(field.key, {})
        if kind == "amount":
            scale = column.scale
            percent = column.percent_of
            if percent:
                divisor = Decimal(100) if column.percent == "points" else Decimal(1)

                def share(v: object) -> object:
                    if isinstance(v, str) and v.strip().endswith("%"):
                        number = fields.amount(v.strip()[:-1], fmt, pattern, what)
                        return None if number is None else ("%", number / 100)
                    number = fields.amount(v, fmt, pattern, what)
                    return None if number is None else ("%", number / divisor)

                return share
            if scale is not None:
                return lambda v: (
                    None
                    if (n := fields.amount(v, fmt, pattern, what)) is None
                    else fields.scaled(n, scale)
                )
            return fields.fast_amount(fmt, pattern, what)
        if kind in ("id", "text"):
            if aliases:
                return lambda v: aliases.get(normal(v), fields.text(v, what))
            return fields.fast_text(what)
        if kind == "hs":
            return fields.fast_hs
        if kind == "country":
            return fields.fast_code(fields.country, what)
        if kind == "countries":
            return lambda v: fields.countries(v, what)
        if kind == "currency":
            return fields.fast_code(fields.currency, what)
        if kind == "words":
            # Material attributes outside the law's list are refused by the engine (unlocated);
            # other word lists (operations) may hold any word: the law decides what they mean.
            vocabulary = self._choices(field) if field.vocabulary == "material_attributes" else ()
            if not vocabulary:
                return lambda v: fields.words(v, what)
            known_words = frozenset(vocabulary)

            def checked_words(v: object) -> object:
                found = fields.words(v, what)
                unknown = sorted(set(found or ()) - known_words)
                if unknown:
                    raise CellError(
                        f"{what}: {', '.join(map(repr, unknown))} not known to this agreement "
                        f"(known: {', '.join(sorted(known_words))})"
                    )
                return found

            return checked_words
        if kind in ("flag", "tristate"):
            if aliases:
                return lambda v: fields.flag(aliases.get(normal(v), v), what)
            return fields.fast_flag(what)
        if kind == "date":
            return lambda v: fields.date(v, what)
        if kind == "level":
            return fields.level
        if kind == "adjustments":
            known: frozenset[str] | None = None
            if self.law is not None:  # the engine would refuse any other word, unlocated
                vocabularies = self.law.vocabularies
                known = frozenset(
                    (
                        *vocabularies.get("adjust_originating", {}),
                        *vocabularies.get("adjust_non_originating", {}),
                    )
                )
            return lambda v: _adjustments(v, fmt, pattern, known)
        if kind == "choice":
            allowed = {normal(c): c for c in self._choices(field)}
            if not allowed:
                return fields.fast_text(what)
            folded = {k: allowed.get(normal(w), w) for k, w in aliases.items()}
            exact = {w: w for w in allowed.values()} if not folded else {}

            def choose(v: object) -> object:
                if type(v) is str:
                    found = exact.get(v)
                    if found is not None:
                        return found
                return fields.choice(v, allowed, what, folded)

            return choose
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def _choices(self, field: Field) -> tuple[str, ...]:
        if field.choices:
            return field.choices
        if field.vocabulary and self.law is not None:
            return tuple(self.law.vocabularies.get(field.vocabulary, {}))
        return ()

    # ----------------------------------------------------------------- rows

    def _row(  # noqa: PLR0917
        self,
        sheet: str,
        number: int,
        values: dict[str, Any],
        problems: list[tuple[str, str]],
        plan: list[tuple[int, Field, Column, Callable[[object], object]]],
        layout: SheetLayout,
        offset: int,
        letters: Mapping[str, str],
    ) -> Record:
        """A row with problems or a missing required value: every problem, located."""
        for index, field, _column, _convert in plan:
            if field.required and field.key not in values and field.key != "product":
                letter = column_letter(index + offset)
                if not any(c == letter for c, _ in problems):
                    problems.append((letter, f"{field.header} is required"))
        if layout.product and "product" not in values:
            values["product"] = layout.product
        if not problems:
            return Record(sheet, number, values, letters)
        for column, message in problems:
            self.issue(message, sheet, number, column, product=str(values.get("product", "")))
        self.result.ledger.report(sheet, number, problems[0][1])
        self.bad_rows.add((sheet, number))
        # Kept, so that its product is known to have failed.
        return Record(sheet, number, {**values, "__error__": True}, letters)

    # ----------------------------------------------------------------- flagged cells

    def flag(self, flags: cells.Flags) -> None:
        """Cells the XML shows and the reader cannot: formulas with no saved result (read as
        empty) and cached Excel errors. Each is a located error on its row."""
        formula = (
            "{}: the cell holds a formula with no saved result (the file was written by a "
            "program that does not calculate; open it in Excel and save it)"
        )
        error = (
            "{}: the cell holds an Excel error value (e.g. #DIV/0!, #N/A); correct the "
            "formula or its inputs"
        )
        for sheet, refs in flags.formulas_without_value.items():
            self._flag_cells(sheet, refs, formula)
        for sheet, refs in flags.errors.items():
            self._flag_cells(sheet, refs, error)
        for sheet, rows in flags.hidden_rows.items():
            self._hidden(sheet, rows)
        for sheet, state in flags.sheet_states.items():
            self._hidden_sheet(sheet, state)
        for sheet, ranges in flags.merged.items():
            self._merged(sheet, ranges)
        if self.flag_new:  # into their places (sheet order, then row): products follow order
            order = {name: i for i, name in enumerate(self.sheet_names)}
            for role, record in self.flag_new:
                self.records[role].append(record)
            for role in {role for role, _ in self.flag_new}:
                self.records[role].sort(key=lambda r: (order.get(r.sheet, 0), r.row))

    def _hidden(self, sheet: str, rows: tuple[int, ...]) -> None:
        """Hidden rows are read like the others (Excel keeps them in the data); a person who
        hid a row may have meant to leave it out, so they are named in one warning."""
        info = self.read_sheets.get(sheet)
        if info is None or not rows:
            return
        _, _, role, start, end, _ = info
        records = self.records[role]
        read = {records[i].row for i in range(start, end)}
        found = [row for row in rows if row in read]
        if not found:
            return
        shown = ", ".join(map(str, found[:10])) + (" …" if len(found) > 10 else "")
        self.issue(
            f"{len(found)} hidden row(s) read like the others (rows {shown}); unhide them to "
            "check, or delete the rows that are not part of the data",
            sheet,
            found[0],
            severity=Severity.WARNING,
        )

    def _hidden_sheet(self, sheet: str, state: str) -> None:
        """A sheet Excel does not show is read like the others when its name is one the
        layout reads; a person may not know what it holds, so it is named in a warning."""
        if self.layout.role_of(sheet) is None:
            return  # not read (reported as such), e.g. the template's own Lists sheet
        how = (
            "very hidden (Excel's menus cannot show it; only a macro can)"
            if state == "very hidden"
            else "hidden"
        )
        self.issue(
            f"the sheet is {how} and is read like the others; unhide it to check what it holds",
            sheet,
            severity=Severity.WARNING,
        )

    def _merged(self, sheet: str, ranges: Iterable[tuple[int, int, int, int]]) -> None:
        """Merged cells: only a range's first (top-left) cell holds a value, the others read
        as blank. Each range over data rows is named in a located warning; a covered cell
        whose blank replaces what the sheet shows — in a required column, or under a value
        merged down over rows — is an error on its row (its product is not decided). A
        product cell is left to the grouping when the workbook has one product: a blank
        there is that product's anyway.

        Covered cells are found column by column from the ranges' row intervals (sorted),
        once per read row, so overlapping or huge ranges cost no more than the rows."""
        info = self.read_sheets.get(sheet)
        if info is None:
            return
        plan, offset, role, start, end, header_row = info
        records = self.records[role]
        rows = [records[i] for i in range(start, end) if records[i].sheet == sheet]
        by_row = self.flag_rows.setdefault(sheet, {r.row: r for r in rows})
        fields_at = {index + offset: field for index, field, _, _ in plan}
        named = {r.values.get("product") for r in self.records.get("product", [])} - {None}
        if len(named) <= 1:
            # One product: a blank product cell is that product's (see _products) either way.
            fields_at = {i: f for i, f in fields_at.items() if f.key != "product"}
        # column → [(first row, last row, range text, value shown)] of covered data cells
        covered: dict[int, list[tuple[int, int, str, object]]] = defaultdict(list)
        warned = 0
        over = [r for r in ranges if r[2] + 1 > header_row]
        for first_row, first_col, last_row, last_col in sorted(over):
            top, bottom = first_row + 1, last_row + 1  # as Excel numbers rows
            text = f"{column_letter(first_col)}{top}:{column_letter(last_col)}{bottom}"
            if warned < _MERGED_WARNINGS:
                self.issue(
                    f"cells {text} are merged: only {column_letter(first_col)}{top} holds a "
                    "value, the others read as blank (unmerge them and fill each cell)",
                    sheet,
                    max(top, header_row + 1),
                    column_letter(first_col),
                    Severity.WARNING,
                )
            warned += 1
            anchor = fields_at.get(first_col)
            head = by_row.get(top) if top > header_row else None
            shown = head.values.get(anchor.key) if head is not None and anchor else None
            for column, field in fields_at.items():  # the read columns (a range may be wide)
                if not first_col <= column <= last_col:
                    continue
                spread = shown if bottom > top else None
                if not field.required and (spread is None or column != first_col):
                    continue
                low = top + 1 if column == first_col else top
                low = max(low, header_row + 1)
                if low <= bottom:
                    covered[column].append((low, bottom, text, spread))
        if warned > _MERGED_WARNINGS:
            self.issue(
                f"… and {warned - _MERGED_WARNINGS} more merged ranges over data rows",
                sheet,
                severity=Severity.WARNING,
            )
        if covered:
            self._merged_blanks(sheet, covered, by_row, fields_at)

    def _merged_blanks(
        self,
        sheet: str,
        covered: Mapping[int, list[tuple[int, int, str, object]]],
        by_row: Mapping[int, Record],
        fields_at: Mapping[int, Field],
    ) -> None:
        """Each read row's cell in ``covered`` (column → row intervals of merged ranges) that
        reads as blank is an error on its row: one pass over the rows per column."""
        numbers = sorted(by_row)
        ledger = self.result.ledger
        for column, spans in sorted(covered.items()):
            field = fields_at[column]
            spans.sort()
            at = 0
            for low, high, text, shown in spans:
                at = bisect.bisect_left(numbers, low, at)
                while at < len(numbers) and numbers[at] <= high:
                    record = by_row[numbers[at]]
                    at += 1
                    if field.key in record.values:
                        continue  # a value was read after all
                    seen = f", not as {shown!s}" if shown is not None else ""
                    message = (
                        f"{field.header}: the cell is part of the merged cells {text}, so it "
                        f"reads as blank{seen}; unmerge the cells and fill each one"
                    )
                    self.issue(
                        message,
                        sheet,
                        record.row,
                        column_letter(column),
                        product=str(record.values.get("product", "")),
                    )
                    record.values["__error__"] = True
                    ledger.report(sheet, record.row, message)
                    self.bad_rows.add((sheet, record.row))

    def _flag_cells(self, sheet: str, refs: Iterable[str], message: str) -> None:
        info = self.read_sheets.get(sheet)
        if info is None or not refs:
            return
        plan, offset, role, start, end, header_row = info
        records = self.records[role]
        by_row = self.flag_rows.setdefault(
            sheet, {records[i].row: records[i] for i in range(start, end)}
        )
        fields_at = {index + offset: field for index, field, _, _ in plan}
        letters = {field.key: column_letter(index) for index, field in fields_at.items()}
        ledger = self.result.ledger
        for row, column in map(_split_ref, refs):
            field = fields_at.get(column)
            if field is None or row <= header_row:
                continue
            record = by_row.get(row)
            if record is not None and field.key in record.values:
                continue  # a value was read after all (e.g. a text cell)
            text = message.format(field.header)
            product = str(record.values.get("product", "")) if record else ""
            self.issue(text, sheet, row, column_letter(column), product=product)
            if record is None:
                # The row looked empty to the reader: it is an input row all the same (counted
                # once, however many of its cells are flagged), and it belongs to a product —
                # the only one, or the one of the rows above it — which is then not decided.
                ledger.seen(sheet, 1)
                record = Record(sheet, row, {"__error__": True}, letters)
                by_row[row] = record
                self.flag_new.append((role, record))
            else:
                record.values["__error__"] = True
            ledger.report(sheet, row, text)
            self.bad_rows.add((sheet, row))

    # ----------------------------------------------------------------- products

    def _check_sheets(self) -> None:
        """A sheet the layout expects but the workbook lacks (deleted or renamed). Without the
        Product or BOM sheet a product would be decided on part of its inputs (no materials
        at all), so nothing is decided. Without Costs, cost-based methods see no cost lines:
        a warning, since many workbooks have none. Consignment, Transit, Facts and Rates
        only leave facts unknown, which the engine and the currency check already report."""
        present = ", ".join(repr(n) for n in self.sheet_names) or "none"
        for layout in self.layout.sheets:
            if layout.role in self.roles_found or layout.role not in REQUIRED_ROLES | NOTED_ROLES:
                continue
            required = layout.role in REQUIRED_ROLES
            title = fields.SHEET_TITLES[layout.role]
            names = " or ".join(repr(n) for n in layout.names)
            effect = (
                "no product is decided without it"
                if required
                else "no cost lines are read, so cost-based RVC methods count none"
            )
            self.issue(
                f"no {title} sheet: expected a sheet named {names} (sheets here: {present}); "
                f"{effect}",
                severity=Severity.ERROR if required else Severity.WARNING,
            )
            self.missing_sheets = self.missing_sheets or required

    def finish(self) -> ImportResult:
        self._check_sheets()
        law_facts = self.law.vocabularies.get("facts", {}) if self.law is not None else {}
        rates = dict(self.layout.rates)
        for record in self.records.get("rates", []):
            if "__error__" in record.values:
                continue
            pair = (record.values["from"], record.values["to"])
            rates[pair] = record.values["rate"]
            self.result.ledger.accept(record.sheet)
        products = self._products()
        for product, rows in products.items():
            self._build(product, rows, rates, law_facts)
        return self.result

    def _products(self) -> dict[str, dict[str, list[Record]]]:
        """Rows grouped by product id, in order of first appearance on the Product sheet.

        A row that cannot be placed in exactly one product (no product id in a workbook of
        several, or an id that is not on the Product sheet) may be a line of any product it
        could belong to: it stops each of them (see ``_orphan``), never only itself."""
        product_ids = [
            r.values["product"] for r in self.records.get("product", []) if "product" in r.values
        ]
        known = list(dict.fromkeys(product_ids))
        single = known[0] if len(known) == 1 else None
        by_case: dict[str, list[str]] = defaultdict(list)
        for name in known:
            by_case[name.casefold()].append(name)
        grouped: dict[str, dict[str, list[Record]]] = {p: defaultdict(list) for p in product_ids}
        for role in ("product", "bom", "costs", "consignment", "transit", "facts"):
            current: str | None = None
            records = self.records.get(role, [])
            if single is not None and self._one_product(role, single):
                # One product and every row names it (or none): no per-row decisions.
                grouped[single][role].extend(records)
                continue
            for record in records:
                product = record.values.get("product")
                if role == "bom" and record.values.get("level") == 0:
                    # ERP style: a level-0 line is the product itself and opens its BOM.
                    current = record.values.get("part")
                    self._reject(record, f"level 0: the product {current}'s own line", False)
                    continue
                if product is None:
                    product = current or single
                if product is None:
                    why = f"has no product id and the workbook has {len(known)} products"
                    self._reject(
                        record,
                        f"no product id: the workbook has {len(known)} products and the row "
                        "could be a row of any of them, so none is decided"
                        if known
                        else "no product id, and the Product sheet names no product",
                    )
                    self._orphan(record, known, why)
                    continue
                if product not in grouped and known:
                    alike = by_case.get(product.casefold())
                    named = "names" if "product" in record.values else "follows the level-0 line of"
                    if alike:
                        why = (
                            f"{named} product {product!r}, which differs from "
                            f"{' and '.join(alike)} only in case"
                        )
                    else:
                        why = f"{named} product {product!r}, which is not on the Product sheet"
                    self._orphan(record, alike or known, why)
                group = grouped.get(product)
                if group is None:
                    group = grouped[product] = defaultdict(list)
                group[role].append(record)
        return grouped

    def _orphan(self, record: Record, products: Iterable[str], why: str) -> None:
        """``record`` may be a row of each of ``products``: none of them is decided without
        it (a missing BOM line, cost or fact can turn a verdict)."""
        for product in products:
            self.orphans[product].append((record, why))

    def _one_product(self, role: str, product: str) -> bool:
        """Every row of ``role`` is of ``product`` (named or not) and none is an ERP level-0
        BOM line (from the values held, see ``held``; rows added by the XML check hold none)."""
        held = self.held[role]
        return held["product"] <= {product} and 0 not in held["level"]

    def _reject(self, record: Record, reason: str, error: bool = True) -> None:
        if error:
            self.issue(reason, record.sheet, record.row)
        self.result.ledger.report(record.sheet, record.row, reason)

    def _build(
        self,
        product: str,
        rows: Mapping[str, list[Record]],
        rates: Mapping[tuple[str, str], Decimal],
        law_facts: Mapping[str, Any],
    ) -> None:
        ledger = self.result.ledger
        all_rows = [r for role_rows in rows.values() for r in role_rows]
        errors_before = len(self.result.errors)
        heads = rows.get("product", [])
        if not heads:
            first = all_rows[0]
            self.issue(
                f"product {product!r} has rows here but no row on the Product sheet",
                sheet=first.sheet,
                row=first.row,
                column=first.cells.get("product", ""),
                product=product,
            )
        elif len(heads) > 1:
            self.issue(
                f"product {product!r} appears on {len(heads)} Product rows (first at row "
                f"{heads[0].row})",
                heads[1].sheet,
                heads[1].row,
                product=product,
            )
        failed = self.missing_sheets or (
            bool(self.bad_rows) and any("__error__" in r.values for r in all_rows)
        )
        orphans = self.orphans.get(product)
        if orphans:
            first, why = orphans[0]
            more = f" (and {len(orphans) - 1} more such rows)" if len(orphans) > 1 else ""
            self.issue(
                f"product {product} is not decided: this {first.sheet} row{more} {why}, so it "
                f"may be one of {product}'s rows; give it the product id",
                first.sheet,
                first.row,
                first.cells.get("product", ""),
                product=product,
            )
            failed = True
        case = None
        if heads and len(heads) == 1 and not failed:
            case = self._case(product, heads[0], rows, rates, law_facts)
        if case is None or len(self.result.errors) > errors_before:
            for record in all_rows:
                if (record.sheet, record.row) not in self.bad_rows:
                    ledger.report(
                        record.sheet, record.row, f"product {product} not imported (see its errors)"
                    )
            head_hs = heads[0].values.get("hs") if heads else None
            hs = str(heads[0].values.get("tariff_item") or head_hs or "") if heads else ""
            self.result.products.append(ProductImport(self.workbook, product, None, 0, hs))
            return
        counts: dict[str, int] = defaultdict(int)
        for record in all_rows:
            counts[record.sheet] += 1
        for sheet, count in counts.items():
            ledger.accept(sheet, count)
        self.result.products.append(ProductImport(self.workbook, product, case, len(all_rows)))

    def _case(
        self,
        product: str,
        head: Record,
        rows: Mapping[str, list[Record]],
        rates: Mapping[tuple[str, str], Decimal],
        law_facts: Mapping[str, Any],
    ) -> Case | None:
        v = head.values
        currency = v.get("currency")
        if currency is None or "hs" not in v:
            return None  # reported as required
        good = Good(
            id=product,
            hs=v["hs"],
            description=v.get("description", ""),
            adjusted_value=v.get("adjusted_value"),
            fob=v.get("fob"),
            ex_works=v.get("ex_works"),
            transaction_value=v.get("transaction_value"),
            produced_in=v.get("produced_in", ()),
            last_process_in=v.get("last_process_in"),
            operations=v.get("operations"),
            wholly_obtained=v.get("wholly_obtained"),
            weight=v.get("weight"),
            tariff_item=self._tariff_item(product, head),
        )
        money = _Money(self, product, currency, rates, good)
        split = self._costs(product, rows.get("costs", []), money, rows.get("bom", []))
        costs, own_costs = split if split is not None else (None, {})
        materials = self._materials(product, rows.get("bom", []), money, own_costs)
        consignment = self._consignment(
            product, rows.get("consignment", []), rows.get("transit", [])
        )
        facts = self._facts(product, rows.get("facts", []), law_facts)
        if materials is None or costs is None or isinstance(consignment, bool) or facts is None:
            return None
        return Case(
            good=good,
            currency=currency,
            materials=materials,
            costs=costs,
            consignment=consignment or None,
            facts=facts,
            psr=v.get("psr"),
            reference=v.get("reference", ""),
        )

    def _tariff_item(self, product: str, head: Record) -> str | None:
        """An NZ tariff item NNNN.NN.NN within the good's HS code (origin.fields' rule)."""
        text = head.values.get("tariff_item")
        if text is None:
            return None
        try:
            return rules.tariff_item(text, head.values["hs"])
        except rules.FieldError as error:
            self.issue(
                f"tariff item {error}",
                head.sheet,
                head.row,
                head.cells.get("tariff_item", ""),
                product=product,
            )
            return None

    def _materials(
        self,
        product: str,
        records: list[Record],
        money: _Money,
        own_costs: Mapping[str, tuple[Cost, ...]],
    ) -> tuple[Material, ...] | None:
        values = [r.values for r in records]
        parts = [v["part"] for v in values]
        if len(set(parts)) == len(parts):  # the common case, without a look-up per line
            built: list[Material | None] = list(map(self.prebuilt.get, map(id, values)))
            ok = True
            for at in [at for at, b in enumerate(built) if b is None]:
                built[at] = self._material(records[at], money)  # each reports its problems
                ok = ok and built[at] is not None
            if not ok:
                return None
            made = cast(dict[str, Material], dict(zip(parts, built, strict=True)))
        else:
            made = self._unique_materials(product, records, money)
            if not made:
                return None
        children = self._tree(product, records, parts)
        if children is None:
            return None
        for part, lines in own_costs.items():
            if part in made:
                made[part] = attrs.evolve(made[part], costs=lines)
        if len(children) == 1:  # a flat BOM: no intermediate materials
            return tuple(map(made.__getitem__, children.get("", ())))

        def make(part: str, components: list[Material]) -> Material:
            if components:
                return attrs.evolve(made[part], components=tuple(components))
            return made[part]

        # Children first, on an explicit stack: a BOM may be as deep as the sheet is long.
        return tuple(rebuild(children.get("", ()), lambda part: children.get(part, ()), make))

    def _unique_materials(
        self, product: str, records: list[Record], money: _Money
    ) -> dict[str, Material]:
        """Materials by part id, each part id used twice a located error (then: {})."""
        ok = True
        first_seen: dict[str, int] = {}
        made: dict[str, Material] = {}
        for record in records:
            part = record.values["part"]
            if part in first_seen:
                self.issue(
                    f"part id {part!r} is used twice in product {product} (first at row "
                    f"{first_seen[part]})",
                    record.sheet,
                    record.row,
                    record.cells.get("part", ""),
                    product=product,
                )
                ok = False
                continue
            first_seen[part] = record.row
            built = self.prebuilt.get(id(record.values)) or self._material(record, money)
            if built is None:
                ok = False
            else:
                made[part] = built
        return made if ok else {}

    def _tree(
        self, product: str, records: list[Record], parts: list[str]
    ) -> dict[str, list[str]] | None:
        """Children by parent part id ('' = the product), from parent ids or levels."""
        held = self.held["bom"]["__keys__"]
        has_parent = "parent" in held and any("parent" in r.values for r in records)
        has_level = "level" in held and any("level" in r.values for r in records)
        children: dict[str, list[str]] = defaultdict(list)
        if has_parent and has_level and not self._levels_agree(product, records):
            return None
        if has_parent:
            ids = {r.values["part"]: r for r in records}
            ok = True
            for record in records:
                parent = record.values.get("parent")
                if parent is not None and parent not in ids:
                    self.issue(
                        f"parent id {parent!r} is not a part of product {product}",
                        sheet=record.sheet,
                        row=record.row,
                        column=record.cells.get("parent", ""),
                        product=product,
                    )
                    ok = False
                children[parent or ""].append(record.values["part"])
            ok = self._acyclic(product, records, ids) and ok
            return children if ok else None
        if has_level:
            stack: list[tuple[int, str]] = []
            ok = True
            for record in records:
                level = record.values.get("level", 1)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                expected = stack[-1][0] + 1 if stack else 1
                if level != expected:
                    self.issue(
                        f"level {level} follows level {expected - 1} (its parent at level "
                        f"{level - 1} is missing)",
                        record.sheet,
                        record.row,
                        record.cells.get("level", ""),
                        product=product,
                    )
                    ok = False
                    continue
                children[stack[-1][1] if stack else ""].append(record.values["part"])
                stack.append((level, record.values["part"]))
            return children if ok else None
        children[""] = parts
        return children

    def _acyclic(self, product: str, records: list[Record], ids: Mapping[str, Record]) -> bool:
        """No part is its own ancestor through the parent ids. Each part is walked up to once
        (a part known to reach the product, or to reach a cycle, ends the walk): time linear
        in the BOM's size, whatever its depth. Every line on a cycle or below one is named."""
        state: dict[str, str] = {}  # part → "ok" (reaches the product) or a cycle's text
        for record in records:
            path: list[str] = []
            on_path: dict[str, int] = {}
            part: str | None = record.values["part"]
            while part is not None and part in ids and part not in state:
                if part in on_path:  # a cycle: from the part it starts at, round to it again
                    cycle = path[on_path[part] :]
                    names = [repr(p) for p in (*cycle[:5], part)] if len(cycle) > 6 else []
                    text = (
                        " → ".join([*names[:5], "…", names[-1]])
                        if names
                        else " → ".join(map(repr, [*cycle, part]))
                    )
                    for member in cycle:
                        state[member] = text
                    break
                on_path[part] = len(path)
                path.append(part)
                part = ids[part].values.get("parent")
            # Where the walk ended: the product or a missing parent (reported apart), a part
            # already known, or the cycle just found. The lines walked share its outcome.
            outcome = state.get(part, "ok") if part is not None else "ok"
            below = "ok" if outcome == "ok" else "below " + outcome.removeprefix("below ")
            for member in path:
                state.setdefault(member, below)
        ok = True
        for record in records:
            found = state.get(record.values["part"], "ok")
            if found == "ok":
                continue
            part = record.values["part"]
            text = (
                f"part {part!r} is below a cycle of parent ids ({found.removeprefix('below ')})"
                if found.startswith("below ")
                else f"part {part!r} is its own ancestor (a cycle through the parent ids: {found})"
            )
            self.issue(
                text, record.sheet, record.row, record.cells.get("parent", ""), product=product
            )
            ok = False
        return ok

    def _levels_agree(self, product: str, records: list[Record]) -> bool:
        """With both a level and a parent id column, the tree is built from the parent ids;
        a level that says otherwise is an error, not silently ignored."""
        stack: list[tuple[int, str]] = []
        ok = True
        for record in records:
            level = record.values.get("level")
            if level is None:
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            by_level = stack[-1][1] if stack and stack[-1][0] == level - 1 else None
            parent = record.values.get("parent")
            if (level == 1 and parent is not None) or (level > 1 and parent != by_level):
                self.issue(
                    f"level {level} puts part {record.values['part']!r} "
                    + (f"under {by_level!r}" if level > 1 else "directly in the product")
                    + f" but its parent id says {parent or 'none'!r}; give one of the two columns",
                    record.sheet,
                    record.row,
                    record.cells.get("level", ""),
                    product=product,
                )
                ok = False
            stack.append((level, record.values["part"]))
        return ok

    def _material(self, record: Record, money: _Money | None) -> Material | None:
        """The BOM line as a Material without components (they are attached afterwards)."""
        v = record.values
        get = v.get
        value = get("value")
        if value is not None and (type(value) is not Decimal or "currency" in v):
            if money is None:  # prebuilding: conversions wait for the rates
                return None
            converted = money.amount(record, "value")
            if not isinstance(converted, Decimal):
                return None
            value = converted
        accessory = None
        if "accessory" in v:
            accessory = Accessory(
                AccessoryKind(v["accessory"]), get("invoiced_separately"), get("customary")
            )
        adjustments = get("adjustments", ())
        if adjustments:
            if money is None:
                return None
            kept = []
            for kind, amount in adjustments:
                got = money.convert(record, "adjustments", amount)
                if got is None:
                    return None
                kept.append(Adjustment(kind, got))
            adjustments = tuple(kept)
        basis = get("basis")
        status = get("status")
        packaging = get("packaging")
        attributes = get("attributes")
        # Positional arguments into a copy of the defaults (derived from the model, so a new
        # field keeps its default): a third cheaper than keywords for 100,000 lines.
        args = _MATERIAL_DEFAULTS.copy()
        args[_M_ID] = v["part"]
        args[_M_DESCRIPTION] = get("description", "")
        args[_M_HS] = get("hs")
        args[_M_QUANTITY] = get("quantity")
        args[_M_UNIT] = get("unit")
        args[_M_VALUE] = value
        if basis is not None:
            args[_M_BASIS] = _BASES[basis]
        args[_M_ORIGIN] = get("origin_country")
        if status is not None:
            args[_M_STATUS] = _STATUSES[status]
        args[_M_SELF] = get("self_produced") is True
        args[_M_INDIRECT] = get("indirect") is True
        if packaging is not None:
            args[_M_PACKAGING] = _PACKAGINGS[packaging]
        args[_M_ACCESSORY] = accessory
        args[_M_WEIGHT] = get("weight")
        args[_M_ADJUSTMENTS] = adjustments
        if attributes:
            args[_M_ATTRIBUTES] = frozenset(attributes)
        args[_M_PSR] = get("psr")
        args[_M_PRODUCED] = get("produced_in")
        args[_M_OPERATIONS] = get("operations")
        return Material(*args)

    def _costs(
        self, product: str, records: list[Record], money: _Money, bom: list[Record]
    ) -> tuple[tuple[Cost, ...], dict[str, tuple[Cost, ...]]] | None:
        """The product's cost lines, and each material's own (by part id)."""
        parts = (
            {r.values.get("part") for r in bom}
            if any("part" in r.values for r in records)
            else set()
        )
        found: list[Cost] = []
        own: dict[str, list[Cost]] = defaultdict(list)
        ok = True
        seen: dict[tuple[str | None, str], int] = {}
        for record in records:
            v = record.values
            part = v.get("part")
            if part is not None and part not in parts:
                self.issue(
                    f"part id {part!r} is not a BOM line of product {product}",
                    sheet=record.sheet,
                    row=record.row,
                    column=record.cells.get("part", ""),
                    product=product,
                )
                ok = False
                continue
            if (part, v["cost"]) in seen:
                self.issue(
                    f"cost id {v['cost']!r} is used twice in product {product} (first at row "
                    f"{seen[(part, v['cost'])]})",
                    record.sheet,
                    record.row,
                    record.cells.get("cost", ""),
                    product=product,
                )
                ok = False
                continue
            seen[(part, v["cost"])] = record.row
            amount = money.amount(record, "amount")
            if not isinstance(amount, Decimal):
                ok = False
                continue
            (found if part is None else own[part]).append(
                Cost(
                    v["cost"],
                    v["category"],
                    amount,
                    v.get("description", ""),
                    v.get("incurred_in"),
                    v.get("originating"),
                )
            )
        if not ok:
            return None
        return tuple(found), {part: tuple(lines) for part, lines in own.items()}

    def _consignment(
        self, product: str, records: list[Record], stops: list[Record]
    ) -> Consignment | bool | None:
        if len(records) > 1:
            self.issue(
                f"product {product} has {len(records)} Consignment rows (one expected)",
                records[1].sheet,
                records[1].row,
                product=product,
            )
            return False
        transit = tuple(
            TransitStop(
                s.values["country"], s.values.get("operations"), s.values.get("entered_commerce")
            )
            for s in stops
        )
        if not records:
            return Consignment(transit=transit) if stops else None
        v = records[0].values
        route = v.get("route")
        if route == "direct" and stops:
            self.issue(
                f"route is 'direct' but the Transit sheet lists {len(stops)} stop(s) for "
                f"product {product}",
                records[0].sheet,
                records[0].row,
                records[0].cells.get("route", ""),
                product=product,
            )
            return False
        if route == "via transit" and not stops:
            self.issue(
                f"route is 'via transit' but the Transit sheet lists no stops for product "
                f"{product}",
                sheet=records[0].sheet,
                row=records[0].row,
                column=records[0].cells.get("route", ""),
                product=product,
            )
            return False
        stated = () if route == "direct" else (transit if stops else None)
        return Consignment(v.get("exported_from"), v.get("imported_on"), stated)

    def _facts(
        self, product: str, records: list[Record], law_facts: Mapping[str, Any]
    ) -> dict[str, object] | None:
        facts: dict[str, object] = {}
        ok = True
        for record in records:
            name, raw = record.values["fact"], record.values["value"]
            term = law_facts.get(name)
            if name in facts:
                self.issue(
                    f"fact {name!r} is given twice for product {product}",
                    sheet=record.sheet,
                    row=record.row,
                    column=record.cells.get("fact", ""),
                    product=product,
                )
                ok = False
                continue
            if term is not None and term.group == "bool":
                try:
                    flag = fields.flag(raw, name)
                except CellError as error:
                    self.issue(
                        str(error),
                        sheet=record.sheet,
                        row=record.row,
                        column=record.cells.get("value", ""),
                        product=product,
                    )
                    ok = False
                    continue
                if flag is None:
                    continue
                facts[name] = flag
            else:
                facts[name] = raw
        return facts if ok else None


class _Money:
    """Amounts in the product's currency: converted by a given exact rate, or refused."""

    def __init__(
        self,
        reader: _Reader,
        product: str,
        currency: str,
        rates: Mapping[tuple[str, str], Decimal],
        good: Good,
    ) -> None:
        self.reader, self.product, self.currency, self.rates, self.good = (
            reader,
            product,
            currency,
            rates,
            good,
        )

    def amount(self, record: Record, key: str) -> Decimal | bool | None:
        """The field in product currency; False after reporting a problem."""
        value = record.values.get(key)
        if value is None:
            return None
        if isinstance(value, tuple):  # a share of a product amount (mapping percent_of)
            column = self._percent_base(record, key)
            if column is None:
                return False
            base = getattr(self.good, column)
            if base is None:
                self.reader.issue(
                    f"{key} is a percentage of the product's {column.replace('_', ' ')}, "
                    "which is not given",
                    record.sheet,
                    record.row,
                    record.cells.get(key, ""),
                    product=self.product,
                )
                return False
            return fields.scaled(value[1], base)
        converted = self.convert(record, key, value)
        return False if converted is None else converted

    def _percent_base(self, record: Record, key: str) -> str | None:
        layout = self.reader.layout.role_of(record.sheet)
        if layout is None or key not in layout.columns:  # pragma: no cover - set when read
            return None
        return layout.columns[key].percent_of or None

    def convert(self, record: Record, key: str, value: Decimal) -> Decimal | None:
        line = record.values.get("currency", self.currency)
        if line == self.currency:
            return value
        rate = self.rates.get((line, self.currency))
        if rate is None:
            self.reader.issue(
                f"amount in {line} but product {self.product} is in {self.currency}, and no "
                f"{line}/{self.currency} rate is given (add it to the Rates sheet or the "
                "mapping's [rates])",
                record.sheet,
                record.row,
                record.cells.get("currency", record.cells.get(key, "")),
                product=self.product,
            )
            return None
        return fields.scaled(value, rate)


def _adjustments(
    value: object,
    fmt: fields.NumberFormat,
    pattern: re.Pattern[str],
    known: frozenset[str] | None = None,
) -> tuple[tuple[str, Decimal], ...] | None:
    raw = fields.text(value, "adjustments")
    if raw is None:
        return None
    found = []
    for part in re.split(r"[;\n]+", raw):
        if not part.strip():
            continue
        kind, sep, amount = part.partition("=")
        if not sep or not kind.strip():
            raise CellError(
                f"adjustment {part.strip()!r} is not 'kind=amount' (e.g. freight=20.00)"
            )
        if known is not None and kind.strip() not in known:
            raise CellError(
                f"adjustment {kind.strip()!r} is not one this agreement knows (known: "
                f"{', '.join(sorted(known)) or 'none: it has no value adjustments'})"
            )
        number = fields.amount(amount.strip(), fmt, pattern, f"adjustment {kind.strip()}")
        if number is None:
            raise CellError(f"adjustment {kind.strip()!r} has no amount")
        found.append((kind.strip(), number))
    return tuple(found)


def _shortcut(field: Field, column: Column, layout: SheetLayout) -> int:
    """The column-wise shortcut a column may take: amounts read as they are (no scale or
    percent), text as typed (no aliases), or the converter for each distinct cell."""
    if field.kind == "amount" and column.scale is None and not column.percent_of:
        return _AMOUNT
    if field.kind in ("id", "text") and not layout.values.get(field.key):
        return _TEXT
    return _GENERAL


def _column(
    column: tuple[Any, ...], kind: int, convert: Callable[[object], object]
) -> tuple[list[Any], bool] | None:
    """A column's values converted (None: no value), and whether any is None; None when a
    cell needs the row-wise treatment (a problem, or a shape the shortcut does not take)."""
    kinds = set(map(type, column))
    if kind == _TEXT and kinds == _STR:
        out: list[Any] = list(map(str.strip, column))
        if "\0#" in "\0".join(("", *out)):  # maybe an Excel error: checked row-wise
            return None
        if "" in out:
            return [s or None for s in out], True
        return out, False
    if len(kinds & _NUMBERS) > 1:  # 1 == 1.0 == True: one dict key for cells read apart
        return None
    distinct = set(column)
    table: dict[Any, Any] = {}
    if (
        kind == _AMOUNT
        and kinds == _FLOAT
        and all(map(math.isfinite, distinct))
        and min(distinct) >= _SMALLEST
        and max(distinct) < _LARGEST
    ):  # fields.fast_amount's shortcut, for the whole column at once
        table = dict(zip(distinct, map(Decimal, map(repr, distinct)), strict=True))
        for value in [v for v in distinct if v.is_integer()]:
            table[value] = Decimal(int(value))
        return list(map(table.__getitem__, column)), False
    has_none = False
    try:
        for value in distinct:
            got = None if value is None or value == "" else convert(value)
            table[value] = got
            has_none = has_none or got is None
        return list(map(table.__getitem__, column)), has_none
    except (CellError, KeyError):  # KeyError: a NaN is not equal to itself
        return None


def _blocks(
    first: int, rest: list[list[Any]], chunks: Iterator[list[list[Any]]]
) -> Iterator[tuple[int, list[list[Any]]]]:
    """Rows in blocks with the number of each block's first row: the rest of the chunk
    the header was found in, then the reader's chunks."""
    yield first, rest
    number = first + len(rest)
    for chunk in chunks:
        yield number, chunk
        number += len(chunk)


def _numbered(blocks: Iterable[tuple[int, list[list[Any]]]]) -> Iterator[tuple[int, list[Any]]]:
    for first, block in blocks:
        yield from enumerate(block, start=first)


def _split_ref(ref: str) -> tuple[int, int]:
    """'E14' → (14, 4)."""
    match = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    if match is None:  # pragma: no cover - the XML check yields only such references
        return 0, -1
    return int(match.group(2)), column_index(match.group(1))
