"""Workbook stage 3: what the spreadsheet's XML shows and the rows do not.

reader → sheets → rows (records) → **flags** → products → cases. The reader's
:class:`~origin.workbook.cells.Flags` name formulas without a saved result (read as empty),
cached Excel errors, hidden rows and sheets, and merged ranges. Each is placed on the record
of its row (or a record is made for a row read as empty), as a located error that stops its
product or as a warning.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from origin.workbook import cells
from origin.workbook.fields import Field
from origin.workbook.problems import Severity, column_index, column_letter
from origin.workbook.records import Record

if TYPE_CHECKING:
    from origin.workbook.reader import _Reader

_MERGED_WARNINGS = 50  # merged ranges named one by one per sheet; the rest are counted


def place_flags(r: _Reader, flags: cells.Flags) -> None:
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
        _flag_cells(r, sheet, refs, formula)
    for sheet, refs in flags.errors.items():
        _flag_cells(r, sheet, refs, error)
    for sheet, rows in flags.hidden_rows.items():
        _hidden(r, sheet, rows)
    for sheet, state in flags.sheet_states.items():
        _hidden_sheet(r, sheet, state)
    for sheet, ranges in flags.merged.items():
        _merged(r, sheet, ranges)
    if r.flag_new:  # into their places (sheet order, then row): products follow order
        order = {name: i for i, name in enumerate(r.sheet_names)}
        for role, record in r.flag_new:
            r.records[role].append(record)
        for role in {role for role, _ in r.flag_new}:
            r.records[role].sort(key=lambda r: (order.get(r.sheet, 0), r.row))


def _hidden(r: _Reader, sheet: str, rows: tuple[int, ...]) -> None:
    """Hidden rows are read like the others (Excel keeps them in the data); a person who
    hid a row may have meant to leave it out, so they are named in one warning."""
    info = r.read_sheets.get(sheet)
    if info is None or not rows:
        return
    _, _, role, start, end, _ = info
    records = r.records[role]
    read = {records[i].row for i in range(start, end)}
    found = [row for row in rows if row in read]
    if not found:
        return
    shown = ", ".join(map(str, found[:10])) + (" …" if len(found) > 10 else "")
    r.issue(
        f"{len(found)} hidden row(s) read like the others (rows {shown}); unhide them to "
        "check, or delete the rows that are not part of the data",
        sheet,
        found[0],
        severity=Severity.WARNING,
    )


def _hidden_sheet(r: _Reader, sheet: str, state: str) -> None:
    """A sheet Excel does not show is read like the others when its name is one the
    layout reads; a person may not know what it holds, so it is named in a warning."""
    if r.layout.role_of(sheet) is None:
        return  # not read (reported as such), e.g. the template's own Lists sheet
    how = (
        "very hidden (Excel's menus cannot show it; only a macro can)"
        if state == "very hidden"
        else "hidden"
    )
    r.issue(
        f"the sheet is {how} and is read like the others; unhide it to check what it holds",
        sheet,
        severity=Severity.WARNING,
    )


def _merged(r: _Reader, sheet: str, ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Merged cells: only a range's first (top-left) cell holds a value, the others read
    as blank. Each range over data rows is named in a located warning; a covered cell
    whose blank replaces what the sheet shows — in a required column, or under a value
    merged down over rows — is an error on its row (its product is not decided). A
    product cell is left to the grouping when the workbook has one product: a blank
    there is that product's anyway.

    Covered cells are found column by column from the ranges' row intervals (sorted),
    once per read row, so overlapping or huge ranges cost no more than the rows."""
    info = r.read_sheets.get(sheet)
    if info is None:
        return
    plan, offset, role, start, end, header_row = info
    records = r.records[role]
    rows = [records[i] for i in range(start, end) if records[i].sheet == sheet]
    by_row = r.flag_rows.setdefault(sheet, {r.row: r for r in rows})
    fields_at = {index + offset: field for index, field, _, _ in plan}
    named = {r.values.get("product") for r in r.records.get("product", [])} - {None}
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
            r.issue(
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
        r.issue(
            f"… and {warned - _MERGED_WARNINGS} more merged ranges over data rows",
            sheet,
            severity=Severity.WARNING,
        )
    if covered:
        _merged_blanks(r, sheet, covered, by_row, fields_at)


def _merged_blanks(
    r: _Reader,
    sheet: str,
    covered: Mapping[int, list[tuple[int, int, str, object]]],
    by_row: Mapping[int, Record],
    fields_at: Mapping[int, Field],
) -> None:
    """Each read row's cell in ``covered`` (column → row intervals of merged ranges) that
    reads as blank is an error on its row: one pass over the rows per column."""
    numbers = sorted(by_row)
    ledger = r.result.ledger
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
                r.issue(
                    message,
                    sheet,
                    record.row,
                    column_letter(column),
                    product=str(record.values.get("product", "")),
                )
                record.values["__error__"] = True
                ledger.report(sheet, record.row, message)
                r.bad_rows.add((sheet, record.row))


def _flag_cells(r: _Reader, sheet: str, refs: Iterable[str], message: str) -> None:
    info = r.read_sheets.get(sheet)
    if info is None or not refs:
        return
    plan, offset, role, start, end, header_row = info
    records = r.records[role]
    by_row = r.flag_rows.setdefault(sheet, {records[i].row: records[i] for i in range(start, end)})
    fields_at = {index + offset: field for index, field, _, _ in plan}
    letters = {field.key: column_letter(index) for index, field in fields_at.items()}
    ledger = r.result.ledger
    for row, column in map(_split_ref, refs):
        field = fields_at.get(column)
        if field is None or row <= header_row:
            continue
        record = by_row.get(row)
        if record is not None and field.key in record.values:
            continue  # a value was read after all (e.g. a text cell)
        text = message.format(field.header)
        product = str(record.values.get("product", "")) if record else ""
        r.issue(text, sheet, row, column_letter(column), product=product)
        if record is None:
            # The row looked empty to the reader: it is an input row all the same (counted
            # once, however many of its cells are flagged), and it belongs to a product —
            # the only one, or the one of the rows above it — which is then not decided.
            ledger.seen(sheet, 1)
            record = Record(sheet, row, {"__error__": True}, letters)
            by_row[row] = record
            r.flag_new.append((role, record))
        else:
            record.values["__error__"] = True
        ledger.report(sheet, row, text)
        r.bad_rows.add((sheet, row))


def _split_ref(ref: str) -> tuple[int, int]:
    """'E14' → (14, 4)."""
    match = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    if match is None:  # pragma: no cover - the XML check yields only such references
        return 0, -1
    return int(match.group(2)), column_index(match.group(1))
