"""Read tables (entries, exporter profiles, SES answers, seal registers) from CSV, Excel or JSON.

Every row keeps its location (file, sheet, row number) so that a problem is reported where
the user can find it; blank rows are counted, not silently lost. Column names are matched
case-insensitively with spaces and hyphens read as underscores, and a column the caller does
not know is refused (a typo such as ``vaule`` would otherwise be ignored).

Workbooks (.xlsx, and .xls/.xlsb/.ods) are read with the project's workbook plumbing
(``origin.workbook.cells``: python-calamine in a memory-limited child process, so a hostile
file cannot abort this process — shared/notes/measured-findings.md). Where python-calamine is
not installed, .xlsx is read with openpyxl in read-only mode: slower, but safe in-process.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl  # type: ignore[import-untyped, unused-ignore]  # stubs (types-openpyxl) may be absent
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from levies import headers
from levies import values as value_rules
from origin import strict_json
from origin.errors import InputError
from origin.workbook import cells as workbook_cells

# The project's workbook reader (origin.workbook) runs python-calamine in a memory-limited child
# process: ~10x faster than openpyxl and safe against files that make calamine abort. Without
# python-calamine installed, .xlsx files are read with openpyxl instead.
FAST_WORKBOOKS = importlib.util.find_spec("python_calamine") is not None

# A workbook whose parts would unpack beyond this is refused before it is parsed (zip bombs).
MAX_UNPACKED_BYTES = 1_000_000_000


@attrs.frozen
class Row:
    """One data row: its 1-based number in the file (the header is row 1 in CSV and Excel)."""

    number: int
    location: str
    cells: Mapping[str, object]
    # column name -> how the user sees it (an Excel letter, a CSV column number)
    columns: Mapping[str, str] = attrs.field(factory=dict)

    def where(self, column: str | None = None) -> str:
        """``entries.csv row 4, column 'value' (C)``."""
        if column is None:
            return self.location
        label = self.columns.get(column)
        return f"{self.location}, column {column!r}" + (f" ({label})" if label else "")


@attrs.frozen
class BadRow:
    """A row that could not be split into cells (too many cells, a broken quote, a JSON value
    nested in a cell): reported as that row's error, with whatever cells were read (so the
    row's own id is kept, issue 12)."""

    number: int
    location: str
    problem: str  # with the column, when one cell is to blame
    cells: Mapping[str, object] = attrs.field(factory=dict)
    column: str = ""


@attrs.frozen
class Table:
    source: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    blank_rows: tuple[int, ...] = ()
    # Only with ``read_table(row_errors=True)``; otherwise such rows refuse the file.
    bad_rows: tuple[BadRow, ...] = ()


@attrs.frozen
class _Unreadable:
    """A record the parser could not read: reported as that row's error."""

    message: str
    cells: Mapping[str, object] = attrs.field(factory=dict)
    column: str = ""


def normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def read_table(
    path: Path,
    known: Sequence[str],
    required: Sequence[str] = (),
    sheet: str | None = None,
    aliases: Mapping[str, str] | None = None,
    *,
    row_errors: bool = False,
    synonyms: Mapping[str, str] | None = None,
    hint: str = "",
) -> Table:
    """Read ``path`` by its suffix; raise ``InputError`` for a file-level problem.

    A header is the column ``aliases`` maps it to (the user's mapping, keyed by
    :func:`levies.headers.loose` or :func:`normalise` form), else the column of its own name,
    else the column ``synonyms`` maps it to; an unknown header is refused with the file, its
    column and "did you mean …?" for a close misspelling, and ``hint`` (how to map it).

    A row that cannot be split into cells is refused with the file, unless ``row_errors``: then
    it is returned in ``Table.bad_rows`` and the other rows are read (review finding 9).
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        header, rows, labels = _csv(path)
    elif suffix in (".xlsx", ".xlsm") and not FAST_WORKBOOKS:
        header, rows, labels = _xlsx(path, sheet)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        header, rows, labels = _workbook(path, sheet)
    elif suffix == ".json":
        header, rows, labels = _json(path)
    else:
        raise InputError(
            f"{path}: unsupported file type {suffix!r} (expected .csv, .xlsx or .json)"
        )
    aliases = aliases or {}
    synonyms = synonyms or {}
    names = [_column(h, known, aliases, synonyms) for h in header]
    _check_header(path.name, header, labels, names, known, required, synonyms, hint)
    column_labels = {n: labels[i] for i, n in enumerate(names) if n}
    out: list[Row] = []
    blank: list[int] = []
    bad: list[BadRow] = []
    for number, location, values in rows:
        problem, column = "", ""
        if isinstance(values, _Unreadable):
            problem, column = values.message, values.column
            cells = {_column(k, known, aliases, synonyms): v for k, v in values.cells.items()}
        elif isinstance(values, dict):
            cells = {_column(k, known, aliases, synonyms): v for k, v in values.items()}
        else:
            cells = {n: v for n, v in zip(names, values, strict=False) if n}
            if len(values) > len(names) and any(_present(v) for v in values[len(names) :]):
                problem = (
                    f"{len(values)} cells but the header has {len(names)} columns "
                    "(an unquoted comma in a value?)"
                )
        if problem:
            if not row_errors:
                raise InputError(f"{location}: {problem}")
            bad.append(BadRow(number, location, problem, cells, column))
            continue
        if not any(_present(v) for v in cells.values()):
            blank.append(number)
            continue
        out.append(Row(number, location, cells, column_labels))
    return Table(str(path), tuple(n for n in names if n), tuple(out), tuple(blank), tuple(bad))


def _check_header(  # noqa: PLR0917 - the header and what it is checked against
    name: str,
    header: Sequence[str],
    labels: Sequence[str],
    names: Sequence[str],
    known: Sequence[str],
    required: Sequence[str],
    synonyms: Mapping[str, str],
    hint: str,
) -> None:
    """Refuse an unknown, repeated or missing column, naming the header and its column."""
    unknown = [
        (h, labels[i])
        for i, (h, n) in enumerate(zip(header, names, strict=True))
        if n and n not in known
    ]
    if unknown:
        described = ", ".join(
            f"{h!r} ({label}: {headers.did_you_mean(h, known, synonyms)})" for h, label in unknown
        )
        raise InputError(
            f"{name} header row: unknown column(s) {described}; expected columns from: "
            f"{', '.join(known)}" + (f"; {hint}" if hint else "")
        )
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        given = "; ".join(
            f"{n} as "
            + " and ".join(f"{h!r} ({labels[i]})" for i, h in enumerate(header) if names[i] == n)
            for n in duplicated
        )
        raise InputError(f"{name} header row: column(s) given more than once: {given}")
    missing = [c for c in required if c not in names]
    if missing:
        found = ", ".join(repr(h) for h in header if h.strip()) or "none"
        raise InputError(
            f"{name} header row: missing required column(s) {', '.join(missing)} "
            f"(headers found: {found})" + (f"; {hint}" if hint else "")
        )


def _column(
    header: str, known: Sequence[str], aliases: Mapping[str, str], synonyms: Mapping[str, str]
) -> str:
    """The column a header names (see :func:`read_table`); "" for a blank header."""
    name = normalise(header)
    if name in aliases:
        return aliases[name]
    key = headers.loose(header)
    if key in aliases:
        return aliases[key]
    if name in known or not key:
        return name
    if key in known:
        return key
    return synonyms.get(key, name)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and value_rules.blank(value))


_Raw = tuple[list[str], Iterator[tuple[int, str, Any]], list[str]]


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _csv(path: Path) -> _Raw:
    data = _bytes(path)
    # Excel's "Unicode text" and some exports are UTF-16 with a byte-order mark.
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path.name}: not UTF-8 text (byte {error.start}); save the file as CSV UTF-8"
        ) from None
    lines = io.StringIO(text, newline="").readlines()
    records = _csv_records(lines)
    first = next(records, None)
    if first is None:
        raise InputError(f"{path.name}: empty file (expected a header row)")
    if isinstance(first[1], _Unreadable):
        raise InputError(f"{path.name} row 1: {first[1].message}")
    header = first[1]
    labels = [f"column {i + 1}" for i in range(len(header))]

    def rows() -> Iterator[tuple[int, str, Any]]:
        for number, values in records:
            yield number, f"{path.name} row {number}", values

    return header, rows(), labels


def _csv_records(lines: list[str]) -> Iterator[tuple[int, list[str] | _Unreadable]]:
    """CSV records numbered by the line they start on (a quoted cell may span lines).

    The parser is strict, so a quote that is never closed is an error rather than swallowing
    the rest of the file into one cell; after an unreadable record, reading starts again on the
    next line, so one bad line costs one row (review finding 9).
    """
    position = 0  # lines consumed before the current reader started
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), strict=True)
        consumed = 0
        try:
            for values in reader:
                yield position + consumed + 1, values
                consumed = reader.line_num
            return
        except csv.Error as error:
            start = position + consumed + 1
            detail = str(error)
            if "unexpected end of data" in detail:
                detail = "a quote opened on this line is never closed"
            yield start, _Unreadable(f"not readable as CSV ({detail}); the next line is read on")
            position = start


def _workbook(path: Path, sheet: str | None) -> _Raw:
    """Read with the project's workbook plumbing: python-calamine in a memory-limited child."""
    sheets = workbook_cells.read(path)
    names: list[str] = []
    chosen = None
    for candidate in sheets:
        names.append(candidate.name)
        if sheet is None or candidate.name == sheet:
            chosen = candidate
            break
    if chosen is None:
        _close(sheets)
        raise InputError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(names)})")
    values = (row for chunk in chosen.chunks for row in chunk)
    place = f"{path.name}, sheet {chosen.name!r}"
    try:
        first = next(values)
    except StopIteration:
        _close(sheets)
        raise InputError(f"{path.name}: sheet {chosen.name!r} is empty") from None
    header = ["" if v is None else str(v) for v in first]
    labels = [get_column_letter(chosen.first_column + i + 1) for i in range(len(header))]

    def rows() -> Iterator[tuple[int, str, Any]]:
        try:
            for index, row in enumerate(values, start=2):
                yield index, f"{place} row {index}", [_cell(v) for v in row]
        finally:
            _close(sheets)

    return header, rows(), labels


def _close(sheets: Iterator[Any]) -> None:
    """Stop the reader (and its child process) when we leave before the end."""
    close = getattr(sheets, "close", None)
    if close is not None:
        close()


def _xlsx(path: Path, sheet: str | None) -> _Raw:
    """openpyxl (read-only), used when python-calamine is not installed."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError(
            f"{path.name}: not an Excel workbook (an .xls, a CSV renamed, or an encrypted file?)"
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{path.name}: workbook unpacks to {unpacked} bytes; refused as unsafe")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise InputError(f"{path.name}: cannot read workbook ({error})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    worksheet = book[sheet] if sheet else book.worksheets[0]
    values = worksheet.iter_rows(values_only=True)
    try:
        header = [str(v) if v is not None else "" for v in next(values)]
    except StopIteration:
        raise InputError(f"{path.name}: sheet {worksheet.title!r} is empty") from None
    labels = [f"{get_column_letter(i + 1)}" for i in range(len(header))]
    place = f"{path.name}, sheet {worksheet.title!r}"

    def rows() -> Iterator[tuple[int, str, Any]]:
        for index, row in enumerate(values, start=2):
            yield index, f"{place} row {index}", [_cell(v) for v in row]
        book.close()

    return header, rows(), labels


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def _json(path: Path) -> _Raw:
    """A list of objects, or an object holding one, read strictly (``origin.strict_json``): a
    repeated key or nesting past 4,096 levels refuses the file at its line and column. Numbers
    are kept as written (``1e5`` stays the text "1e5"), so they meet the same rules as text."""
    raw = _bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path.name}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None
    try:
        data = strict_json.loads(text, parse_float=_Number)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path.name} line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
        ) from None
    _refuse_negative_zero(path, text)
    if isinstance(data, dict):
        items = next((v for v in data.values() if isinstance(v, list)), None)
        if items is None:
            raise InputError(f"{path.name}: expected a list of objects, or an object holding one")
    elif isinstance(data, list):
        items = data
    else:
        raise InputError(f"{path.name}: expected a list of objects")
    header: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(
                f"{path.name} item {index + 1}: expected an object, got {_json_kind(item)}"
            )
        header.extend(k for k in item if k not in header)

    def rows() -> Iterator[tuple[int, str, Any]]:
        for index, item in enumerate(items, start=1):
            location = f"{path.name} item {index}"
            cells: dict[str, object] = {}
            nested = column = ""
            for key, value in item.items():
                problem = _nested(value)
                if problem and not nested:
                    nested = f"column {normalise(key)!r}: {problem}"
                    column = normalise(key)
                elif not problem:
                    cells[key] = _json_cell(value)
            if nested:
                yield index, location, _Unreadable(nested, cells, column)
            else:
                yield index, location, cells

    return header, rows(), ["" for _ in header]


class _Number(str):
    """A JSON number with a fraction or exponent, as written: read by the rules for text."""

    __slots__ = ()


# The JSON integer -0: json reads it as 0, losing the sign (``-0.0`` and ``"-0"`` keep it and
# are refused as amounts). A cheap search finds candidates; strings are skipped only then.
_MINUS_ZERO = re.compile(r"[\[:,]\s*-0(?![0-9.eE])")
_STRING_OR_MINUS_ZERO = re.compile(r'"(?:[^"\\]|\\.)*"|-0(?![0-9.eE])')


def _refuse_negative_zero(path: Path, text: str) -> None:
    if _MINUS_ZERO.search(text) is None:
        return
    for token in _STRING_OR_MINUS_ZERO.finditer(text):
        if token.group() == "-0":
            where = token.start()
            line = text.count("\n", 0, where) + 1
            column = where - (text.rfind("\n", 0, where) + 1) + 1
            raise InputError(
                f"{path.name} line {line}, column {column}: the number -0 (a negative zero), "
                "which JSON reads as 0; write 0 (amounts are 0 or more, without a sign)"
            )


def _nested(value: object) -> str:
    """Why a JSON value cannot be a cell ("" if it can): an object, or a list holding more than
    text and numbers (a cell's list is a list of names, e.g. ``excluded``)."""
    if isinstance(value, dict):
        return "an object; expected text, a number or a list of names"
    if isinstance(value, list):
        inner = next((v for v in value if isinstance(v, list | dict)), None)
        if inner is not None:
            return (
                f"{_json_kind(inner)} nested in a list; expected text, a number or a list of names"
            )
    return ""


def _json_kind(value: object) -> str:
    """What a JSON value is, never its repr (a deeply nested value cannot be printed)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _Number):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return f"the number {value}"


def _json_cell(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value
