"""Workbook stage 1: sheet roles, header rows and column plans.

reader (:mod:`origin.workbook.cells` rows) → **sheets** (each sheet's role from the layout,
its header row found, a plan of which column feeds which field and how its cells convert)
→ rows (:mod:`origin.workbook.rows`: records) → products → cases (:mod:`origin.build`).
A sheet without a role, or without its header or required columns, is accounted for here,
row by row, in the ledger.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from origin.workbook import cells, fields
from origin.workbook.fields import FIELDS, KEY_FIELD, CellError, Field, normal
from origin.workbook.mapping import Column, SheetLayout
from origin.workbook.problems import Severity, column_letter
from origin.workbook.records import Record

if TYPE_CHECKING:
    from origin.workbook.reader import _Reader

HEADER_SEARCH_ROWS = 30
GENERAL, AMOUNT, TEXT = range(3)  # the column-wise shortcuts (rows.column)
Plan = list[tuple[int, Field, Column, Callable[[object], object]]]


class SheetPlan(NamedTuple):
    """What converting a sheet's rows needs, fixed once its header is found."""

    name: str
    plan: Plan
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


def read_sheet(r: _Reader, sheet: cells.SheetRows) -> None:
    layout = r.layout.role_of(sheet.name)
    ledger = r.result.ledger
    r.sheet_names.append(sheet.name)
    if layout is not None:
        r.roles_found.add(layout.role)
    if layout is None:
        if normal(sheet.name) in r.layout.ignore_sheets:
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
            r.issue(
                f"sheet not read: its name is not one the layout knows "
                f"({ledger.input_rows[sheet.name]} rows)",
                sheet.name,
                severity=Severity.WARNING,
            )
        return
    read_role(r, sheet, layout)


def read_role(r: _Reader, sheet: cells.SheetRows, layout: SheetLayout) -> None:
    """Find the header, then convert every row: column by column for a block of rows
    whose cells are all of the common shapes, row by row (located problems) otherwise."""
    name, ledger, offset = sheet.name, r.result.ledger, sheet.first_column
    chunks = iter(sheet.chunks)
    head: list[tuple[int, list[Any]]] = []
    header_at: int | None = None
    plan: Plan = []
    rest: list[list[Any]] = []
    number = 0
    for chunk in chunks:
        for at, row in enumerate(chunk):
            number += 1
            head.append((number, row))
            if layout.header_row is not None:
                found = number == layout.header_row
            else:
                found = looks_like_header(layout, row)
            if found:
                plan = plan_columns(r, name, layout, row, number, offset)
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
                # Rows that cannot be read may belong to any product: none is decided
                # (a BOM left unread would leave a good with no materials "originating").
                r.missing_sheets = True
        expected = ", ".join(f.header for f in FIELDS[layout.role] if f.required)
        r.issue(
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
                ledger.report(name, number, "sheet not read: see the problem on its header row")
                r.missing_sheets = True  # as above: its rows may be any product's
        return
    records = r.records[layout.role]
    start = len(records)
    letters = {f.key: column_letter(i + offset) for i, f, _, _ in plan}
    # Columns with no header (a blank or merged header cell, or past the last header):
    # a value there would be lost, so each is a located error on its row.
    header = head[-1][1]
    unheaded = [(i, column_letter(i + offset)) for i, v in enumerate(header) if fields.empty(v)]
    sheet_plan = SheetPlan(
        name=name,
        plan=plan,
        fast=[
            (index, field.key, convert, shortcut(field, column, layout))
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
            seen += r._by_column(sheet_plan, first, block)
    ledger.seen(name, seen)
    r.read_sheets[name] = (plan, offset, layout.role, start, len(records), header_at)


def looks_like_header(layout: SheetLayout, row: list[Any]) -> bool:
    found = {normal(v) for v in row if isinstance(v, str) and v.strip()}
    key = layout.columns.get(KEY_FIELD[layout.role])
    if key is None or not found & set(key.headers):
        return False
    hits = sum(1 for c in layout.columns.values() if found & set(c.headers))
    return hits >= min(2, len(layout.columns))


def plan_columns(  # noqa: PLR0917 - the header's place, in the order a message reads
    r: _Reader, sheet: str, layout: SheetLayout, header: list[Any], number: int, offset: int
) -> Plan:
    """Which column feeds which field, and its converter; [] (reported) when a required
    column is missing. Headers given twice and columns no field reads are warnings."""
    by_header: dict[str, int] = {}
    for index, value in enumerate(header):
        if isinstance(value, str | int | float) and str(value).strip():
            key = normal(value)
            if key in by_header:
                r.issue(
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
        plan.append((found, field, column, converter(r, field, column, layout)))
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
        r.issue(
            f"required column(s) missing: {', '.join(missing)} (header row {number})",
            sheet,
            number,
        )
        return []
    # A header close to a field this sheet has not found (``stauts``) is a misspelling:
    # read as "not a field", every material would silently lose its status. It stops the
    # sheet (its products are not decided) and suggests the field's header.
    unfound = {
        spelling: specs[key].header
        for key, column in layout.columns.items()
        if key not in present
        for spelling in column.headers
    }
    misspelt = False
    for index, value in enumerate(header):
        if index not in used and not fields.empty(value):
            letter = column_letter(index + offset)
            text = str(value).strip()
            close = difflib.get_close_matches(normal(value), list(unfound), n=1, cutoff=0.8)
            if close:
                misspelt = True
                r.issue(
                    f"column {text!r} is not a field of this sheet: did you mean "
                    f"{unfound[close[0]]!r}? Rename the header; until then this sheet is not "
                    "read and its products are not decided",
                    sheet,
                    number,
                    letter,
                )
                continue
            r.issue(
                f"column {text!r} is not read (not a field of this sheet)",
                sheet,
                number,
                letter,
                Severity.WARNING,
            )
    return [] if misspelt else plan


def converter(
    r: _Reader, field: Field, column: Column, layout: SheetLayout
) -> Callable[[object], object]:
    fmt, pattern = r.fmt, r.pattern
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
        vocabulary = choices(r, field) if field.vocabulary == "material_attributes" else ()
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
        if r.law is not None:  # the engine would refuse any other word, unlocated
            vocabularies = r.law.vocabularies
            known = frozenset(
                (
                    *vocabularies.get("adjust_originating", {}),
                    *vocabularies.get("adjust_non_originating", {}),
                )
            )
        return lambda v: _adjustments(v, fmt, pattern, known)
    if kind == "choice":
        allowed = {normal(c): c for c in choices(r, field)}
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


def choices(r: _Reader, field: Field) -> tuple[str, ...]:
    if field.choices:
        return field.choices
    if field.vocabulary and r.law is not None:
        return tuple(r.law.vocabularies.get(field.vocabulary, {}))
    return ()


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


def shortcut(field: Field, column: Column, layout: SheetLayout) -> int:
    """The column-wise shortcut a column may take: amounts read as they are (no scale or
    percent), text as typed (no aliases), or the converter for each distinct cell."""
    if field.kind == "amount" and column.scale is None and not column.percent_of:
        return AMOUNT
    if field.kind in ("id", "text") and not layout.values.get(field.key):
        return TEXT
    return GENERAL


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
