"""Workbook stage 2: rows become located records.

reader → sheets (:mod:`origin.workbook.sheets`: the plan) → **rows** (each data row a
:class:`~origin.workbook.records.Record` of converted values located by sheet, row and
column; plain BOM lines built into Materials at once through :mod:`origin.build`) →
products → cases.

A block of rows is converted column by column (each distinct cell once, a dict look-up per
cell after that) unless it holds anything unusual — a problem, a blank or missing required
cell, mixed number types, a value in a column without a header —; then row by row, where
every problem is located. Both give the same records (tests/test_workbook_pieces.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any

from origin import build
from origin.workbook import cases, fields
from origin.workbook.fields import CellError
from origin.workbook.problems import column_letter
from origin.workbook.records import Record
from origin.workbook.sheets import AMOUNT, TEXT, Plan, SheetPlan

if TYPE_CHECKING:
    from origin.workbook.mapping import SheetLayout
    from origin.workbook.reader import _Reader

_ZERO = Decimal(0)
_STR = frozenset((str,))
_NUMBERS = frozenset((bool, int, float))
_FLOAT = frozenset((float,))
_SMALLEST, _LARGEST = 1e-12, 1e15  # the amounts fields.fast_amount takes as they are
_DECIMAL_OR_NONE = frozenset((Decimal, type(None)))
HELD = ("product", "level", "parent")  # see _Reader.held


def by_column(r: _Reader, p: SheetPlan, first: int, block: list[list[Any]]) -> int:
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
        return r._by_row(p, first, block)
    columns = list(zip(*block, strict=True))
    for index in [*(i for i, _ in p.unheaded), *range(p.header_width, width)]:
        if index < width and not all(fields.empty(v) for v in set(columns[index])):
            return r._by_row(p, first, block)
    keys: list[str] = []
    converted: list[list[Any]] = []
    sparse: list[str] = []  # columns where some rows have no value (the key is left out)
    for index, key, convert, kind in p.fast:
        if index >= width:
            continue
        got = convert_column(columns[index], kind, convert)
        if got is None:
            return r._by_row(p, first, block)
        out, has_none = got
        if has_none:
            if key in p.required:
                return r._by_row(p, first, block)
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
    held = r.held[p.layout.role]
    for key in HELD:
        if key in by_key:
            held[key].update(by_key[key])
    held["__keys__"].update(keys)
    if p.bom:
        prebuild(r, by_key, sparse, rows)
    return count


def prebuild(
    r: _Reader, by_key: dict[str, list[Any]], sparse: list[str], rows: list[dict[str, Any]]
) -> None:
    """Materials for a block of plain BOM lines (no currency, adjustments or accessory:
    those wait for the rates, in :mod:`origin.workbook.cases`), built column by column by
    :func:`origin.build.materials_by_column`; the reader fills the time this process would
    otherwise wait for the spreadsheet reader."""
    if not by_key.keys().isdisjoint(build.NOT_BY_COLUMN):
        return
    value = by_key.get("value")
    if value is not None and not set(map(type, value)) <= _DECIMAL_OR_NONE:
        return
    made = build.materials_by_column(by_key, sparse, len(rows), ident="part")
    r.prebuilt.update(zip(map(id, rows), made, strict=True))


def by_row(r: _Reader, p: SheetPlan, first: int, block: list[list[Any]]) -> int:
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
                built = cases.material(record, None)
                if built is not None:
                    r.prebuilt[id(values)] = built
            continue
        records.append(
            row_problems(
                r, p.name, number, values, problems or [], p.plan, p.layout, p.offset, letters
            )
        )
    held = r.held[p.layout.role]
    for record in records[before:]:
        for key in HELD:
            if key in record.values:
                held[key].add(record.values[key])
        held["__keys__"].update(record.values)
    return seen


def row_problems(  # noqa: PLR0917
    r: _Reader,
    sheet: str,
    number: int,
    values: dict[str, Any],
    problems: list[tuple[str, str]],
    plan: Plan,
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
        r.issue(message, sheet, number, column, product=str(values.get("product", "")))
    r.result.ledger.report(sheet, number, problems[0][1])
    r.bad_rows.add((sheet, number))
    # Kept, so that its product is known to have failed.
    return Record(sheet, number, {**values, "__error__": True}, letters)


def convert_column(
    column: tuple[Any, ...], kind: int, convert: Callable[[object], object]
) -> tuple[list[Any], bool] | None:
    """A column's values converted (None: no value), and whether any is None; None when a
    cell needs the row-wise treatment (a problem, or a shape the shortcut does not take)."""
    kinds = set(map(type, column))
    if kind == TEXT and kinds == _STR:
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
        kind == AMOUNT
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
