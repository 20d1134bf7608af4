"""The results workbook an auditor can check by hand, print and sign.

Sheets: ``Summary`` (one row per product: verdict, basis, headline RVC, value of the good,
preference code, records date, fingerprint; under it the title block: toolkit and law
versions, dates decided, currency, when prepared, and blank "prepared by / reviewed by"
fields), ``RVC`` (one row per product and method: inputs, threshold, margin, headroom),
``Materials`` (each BOM line in BOM tree order, indented by depth: status, how it counted,
tariff shift, de minimis, origin country, valuation basis, quantity), ``Explanation`` (every
step with its citation), ``Problems`` (import issues) and ``Row accounting`` (where each input
row went). Every sheet prints landscape, one page wide, with its header row repeated, and a
header and footer naming the products, the agreement and "page N of M"; each sheet's rows are
an Excel Table (``SummaryTable``, ``MaterialsTable``, …).

The RVC cells are live formulas over the material cells: VNM is ``SUM`` of the Materials
sheet's VNM column, whose cells point at the value cells, so editing a material's value
changes the RVC in Excel. Excel computes in binary floating point (measured-findings: float
says 39.99999999999999 for an exact 40), so the live pass/fail does not compare the divided
RVC: it tests ``numerator >= threshold × denominator`` (``100*AV - 100*VNM >= 40*AV``), with
no division to round; the exact verdict of the engine sits beside it as a value.

Every text written is a text cell (:class:`Formula` marks the formulas this module writes):
input text that looks like a formula never becomes one here. Nothing is changed silently
(issue 12): a control character (NUL, ESC, …), which no cell may hold, is shown as a visible
escape (``\\x00``); a text longer than a cell holds (32,767 characters) is cut with a mark
saying how much and where the whole of it is (sheet ``Full text``, in pieces a cell holds);
the Problems sheet says so for each sheet column concerned, naming the cells. The file is
written beside its place and renamed into it only when complete
(:func:`origin.workbook.output.replacing`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import math
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import xmlfile

import origin
from origin.determination import (
    Determination,
    MaterialRow,
    Outcome,
    RVCResult,
    Step,
    decisive_rvc,
    rvc_reading,
)
from origin.model import Case, Material
from origin.trees import preorder
from origin.workbook.export import Decided, percent_text
from origin.workbook.output import os_error, replacing, visible
from origin.workbook.problems import Issue, Ledger, WorkbookError

if TYPE_CHECKING:
    from origin.workbook.batch import Compared

EXCEL_ROWS = 1_048_576
EXCEL_CELL = 32_767  # characters a cell holds (UTF-16 code units, as Excel counts them)
_SHORT = EXCEL_CELL // 2  # a text this long or shorter fits, whatever its characters
FULL_TEXT = "Full text"
NOTE_CELLS = 20  # cells named in a Problems note; the rest are counted
MONEY = "#,##0.00##"
PERCENT = "0.000"
A4 = "9"  # paperSize code of ISO A4 in SpreadsheetML
INDENT_MAX = 15  # indent levels shown for BOM depth (Excel allows 250; the depth column has all)
_HEAD = Font(bold=True, color="FFFFFF")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_FIELD = Border(bottom=Side(style="thin"))
_TABLE_STYLE = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
_HEAD_FILL = PatternFill("solid", fgColor="305496")
_VERDICT_FILL = {
    "originating": PatternFill("solid", fgColor="C6EFCE"),
    "not originating": PatternFill("solid", fgColor="FFC7CE"),
    "needs information": PatternFill("solid", fgColor="FFEB9C"),
}
_MARK = {Outcome.MEETS: "meets", Outcome.FAILS: "fails", Outcome.NEEDS_INFO: "needs information"}
# Inputs built from the material sums: which sums they contain (VOM, VNM); the rest of the
# figure (cost-sheet lines, extended accumulation) is a constant cell beside it.
_MATERIAL_PART = {
    "VNM": (False, True),
    "VOM": (True, False),
    "AMC": (True, False),
    "QE": (True, False),
    "FC": (True, True),
    "FWC": (True, True),
}
INPUT_SLOTS = 6
MATERIAL_HEADERS = (
    "product",
    "id",
    "depth",
    "description",
    "HS",
    "declared status",
    "status counted",
    "value",
    "counted as",
    "VOM",
    "VNM",
    "tariff shift",
    "de minimis",
    "share of base %",
    "citations",
    "notes",
    "origin country",
    "valuation basis",
    "quantity",
    "unit",
    "supplier",  # as the BOM line gives them (requalification names a change of supplier)
    "supplier part",
    "declaration",  # with --declarations: the one relied on or found, and what it said
    "declaration use",
)
_MATERIAL_WIDTHS = (16, 16, 6, 30, 11, 16, 16, 14, 24, 14, 14, 12, 10, 12, 30, 50)  # … notes
SUMMARY_HEADERS = (
    "workbook",
    "product",
    "HS",
    "agreement",
    "preference code",
    "date",
    "law as at",
    "verdict",
    "basis",
    "RVC method",
    "RVC %",
    "RVC reading",
    "value of the good",
    "value as",
    "currency",
    "PSR",
    "missing facts",
    "records kept until",
    "fingerprint",
    "error",
    # Where the product's lines are ("2–14"): the Materials and RVC sheets name the product,
    # not its workbook or agreement (origin.requalify reads them back).
    "materials rows",
    "RVC rows",
)
SUMMARY_WIDTHS = (18, 16, 11, 10, 8, 11, 11, 17, 40, 12, 9, 9, 14, 15, 8, 24, 36, 11, 24, 40, 9, 9)
# The good's values, in the order the Summary's "value of the good" takes the first given.
GOOD_VALUES = (
    ("adjusted_value", "adjusted value"),
    ("fob", "FOB"),
    ("ex_works", "ex-works price"),
    ("transaction_value", "transaction value"),
)
ROW_ACCOUNTING_HEADERS = ("sheet", "rows", "count", "imported", "reported", "account")
RVC_HEADERS = (
    "product",
    "method",
    "citation",
    "formula",
    *(h for i in range(1, INPUT_SLOTS + 1) for h in (f"input {i}", f"value {i}", f"other {i}")),
    "RVC % (live)",
    "threshold %",
    "margin (live)",
    "meets (live)",
    "RVC % (exact, engine)",
    "outcome (engine)",
    "headroom",
    "note",
)


class Formula(str):
    """A formula this module wrote. Any other text (ids, descriptions, notes, messages — all
    of which may come from the input workbook) is stored as a text cell, so that a cell
    reading "=SUM(…)" or "#N/A" in a hostile file never becomes a live formula or an error
    value in the auditor's workbook."""


class _Styled:
    """A value with its number format and style, placed when its row is appended."""

    __slots__ = ("fmt", "style", "value")

    def __init__(self, value: Any, fmt: str, style: dict[str, Any]) -> None:
        self.value, self.fmt, self.style = value, fmt, style


def _cell(value: Any, fmt: str = "", **style: Any) -> _Styled:
    return _Styled(value, fmt, style)


def _header_text(text: str) -> str:
    """``text`` for a page header or footer: visible escapes, ``&`` doubled (a single one
    starts a code such as ``&P``), and short (Excel refuses headers over 255 characters)."""
    text = visible(text).replace("&", "&&")
    return text if len(text) <= 80 else text[:79].rstrip("&") + "…"


@functools.lru_cache(maxsize=32)
def money_format(currency: str) -> str:
    """The number format of an amount in ``currency``: ``#,##0.00## "AUD"`` (the code is
    shown beside every amount, and the figure keeps its exact decimals up to four)."""
    if re.fullmatch(r"[A-Z]{3}", currency):
        return f'{MONEY} "{currency}"'
    return MONEY


def _units(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units: a character past U+FFFF is two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _prefix(text: str, limit: int) -> str:
    """A start of ``text`` that fits in ``limit`` UTF-16 units, in whole characters."""
    end = min(len(text), limit)
    while True:
        units = _units(text[:end])
        if units <= limit:
            return text[:end]
        end -= units - limit  # each character dropped is one or two units


def _pieces(text: str, limit: int) -> list[str]:
    pieces, start = [], 0
    while start < len(text):
        piece = _prefix(text[start : start + limit], limit)
        pieces.append(piece)
        start += len(piece)
    return pieces


_PLAIN = frozenset((type(None), int, Decimal, float))
_NUMBERS = frozenset((int, Decimal, float))
_SPOOL_ROWS = 4096  # rows encoded before they are written to the sheet's spool file


def _xml_text(text: str) -> str:
    """Printable text as openpyxl's writer (lxml) puts it in an element: ``&``, ``<`` and
    ``>`` escaped (other characters are made ASCII character references when the sheet's
    rows are encoded)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


class _Sheet:
    """A write-only sheet that knows its rows: every plain string becomes a text cell, made
    safe (:meth:`_Output.text`), and a row past Excel's last is refused, not half-written.

    Rows are written as openpyxl's write-only writer writes them, byte for byte, but
    encoded here (:meth:`_encode`): openpyxl makes and writes a cell object per value
    (≈ 10 µs each, most of a large results workbook's time), where a number or a short
    printable text needs only its XML. The rows wait in a spool file and go into the sheet's
    part when the workbook is saved (:class:`_ExcelWriter`); anything but the common values
    (dates, text to escape or cut, …) is written through openpyxl's own cell writer, so
    nothing is written otherwise than openpyxl would (tests/test_workbook_results_xml.py
    compares the files). ``DIRECT = False`` writes through openpyxl, as before."""

    DIRECT = True

    def __init__(self, out: _Output, sheet: Any, title: str, headers: Sequence[str]) -> None:
        self.out, self.sheet, self.title, self.headers = out, sheet, title, tuple(headers)
        self.row = 0
        self.letters: list[str] = []
        self.pending: list[str] = []
        self.spool: Any = None  # a temporary file of encoded rows (ASCII XML)
        if self.DIRECT:
            out.direct[sheet.title] = self

    def append(self, values: Sequence[Any]) -> None:
        self.row += 1
        if self.row > EXCEL_ROWS:
            # openpyxl would stop with a ValueError half-way (measured-findings): say it.
            raise WorkbookError(
                f"{self.out.name}: the {self.title} sheet would need more than Excel's "
                f"{EXCEL_ROWS:,} rows; check fewer workbooks at a time"
            )
        if self.DIRECT:
            self._encode(values)
            return
        # Numbers, blanks and short printable text that openpyxl keeps as text are written
        # as they are; the rest is made safe (:meth:`_value`). No call per plain cell.
        plain, value = _PLAIN, self._value
        self.sheet.append(
            [
                v
                if type(v) in plain
                or (
                    type(v) is str
                    and len(v) <= _SHORT
                    and v.isprintable()
                    and v[:1] != "="
                    and v not in ERROR_CODES
                )
                else value(v, i)
                for i, v in enumerate(values)
            ]
        )

    def _encode(self, values: Sequence[Any]) -> None:
        """The row's XML, as openpyxl's writer would write it, onto the pending rows."""
        r = self.row
        letters = self.letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        cells = []
        for i, v in enumerate(values):
            kind = type(v)
            if v is None:
                continue
            if kind is str:
                if len(v) <= _SHORT and v.isprintable() and v[:1] != "=" and v not in ERROR_CODES:
                    cells.append(_text_cell(letters[i], r, "", v))
                    continue
            elif _finite(v, kind):
                cells.append(f'<c r="{letters[i]}{r}" t="n"><v>{_number_text(v)}</v></c>')
                continue
            elif kind is _Styled:
                cell = self._styled(v, letters[i], r, i)
                if cell is not None:
                    cells.append(cell)
                    continue
            elif kind is Formula and _plain_formula(v):
                cells.append(f'<c r="{letters[i]}{r}"><f>{_xml_text(v[1:])}</f><v></v></c>')
                continue
            cells.append(self._through_openpyxl(self._value(v, i), i))
        self.pending.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(self.pending) >= _SPOOL_ROWS:
            self._spill()

    def _styled(self, v: _Styled, letter: str, r: int, index: int) -> str | None:
        """A styled value's cell as openpyxl writes it, or None for openpyxl to write."""
        inner = v.value
        kind = type(inner)
        if kind is str:
            inner = self.out.text(self, index, inner)
            if not inner.isprintable():
                v = _Styled(inner, v.fmt, v.style)  # made safe once: openpyxl writes it
                return self._through_openpyxl(self._cell_of(v, inner, text=True), index)
            return _text_cell(letter, r, self.out.style_attribute(self.sheet, v), inner)
        style = self.out.style_attribute(self.sheet, v)
        if inner is None:
            return f'<c r="{letter}{r}"{style} t="n"></c>' if style else ""
        if _finite(inner, kind):
            return f'<c r="{letter}{r}"{style} t="n"><v>{_number_text(inner)}</v></c>'
        if kind is Formula and _plain_formula(inner):
            return f'<c r="{letter}{r}"{style}><f>{_xml_text(inner[1:])}</f><v></v></c>'
        return None

    def _through_openpyxl(self, value: Any, index: int) -> str:
        """One cell written by openpyxl's own cell writer (dates, text to escape, …)."""
        if value is None:
            return ""
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.sheet, value)
        cell.row, cell.column = self.row, index + 1
        if cell.value is None and not cell.has_style:
            return ""
        buffer = io.BytesIO()
        with xmlfile(buffer) as xf:
            write_cell(xf, self.sheet, cell, cell.has_style)
        return buffer.getvalue().decode("ascii")

    def _spill(self) -> None:
        if self.spool is None:
            self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed when spliced
        self.spool.write("".join(self.pending).encode("ascii", "xmlcharrefreplace"))
        self.pending = []

    def rows(self) -> Any:
        """The spool file of every row's XML, from its start."""
        self._spill()
        self.spool.seek(0)
        return self.spool

    def _cell_of(self, value: _Styled, inner: Any, *, text: bool) -> Any:
        cell = WriteOnlyCell(self.sheet, value=inner)
        if text:
            cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
        if value.fmt:
            cell.number_format = value.fmt
        for key, item in value.style.items():
            setattr(cell, key, item)
        return cell

    def _value(self, value: Any, index: int) -> Any:
        if isinstance(value, _Styled):
            inner = value.value
            text = isinstance(inner, str) and not isinstance(inner, Formula)
            return self._cell_of(
                value, self.out.text(self, index, inner) if text else inner, text=text
            )
        if isinstance(value, str) and not isinstance(value, Formula):
            value = self.out.text(self, index, value)
            if value[:1] == "=" or value in ERROR_CODES:  # else openpyxl keeps it text
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.data_type = "s"
                return cell
        return value


def _finite(value: Any, kind: type) -> bool:
    """A number openpyxl writes as ``"%.16g" % value`` (not NaN or infinite, not a bool)."""
    if kind is int:
        return True
    if kind is Decimal:
        return bool(value.is_finite())
    return kind is float and math.isfinite(value)


def _number_text(value: Any) -> str:
    """A number as openpyxl writes it (its ``safe_string``; a Decimal goes through float)."""
    return "%.16g" % value  # noqa: UP031 - not str.format, which formats a Decimal exactly


def _plain_formula(text: str) -> bool:
    """A formula openpyxl writes as it is (it would cut one over 32,767 characters)."""
    return 1 < len(text) <= _SHORT and text.isprintable()


def _text_cell(letter: str, row: int, style: str, text: str) -> str:
    """A printable text's inline-string cell, as openpyxl's writer writes it."""
    if not text:  # openpyxl writes an empty text as an empty cell of its type
        return f'<c r="{letter}{row}"{style} t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{letter}{row}"{style} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


class _Output:
    """The workbook being written: its sheets, what was shown otherwise than read (visible
    escapes, cut text, by sheet and column), and the ``Full text`` sheet of cut text."""

    def __init__(self, name: str, heading: str = "", prepared: str = "") -> None:
        self.name = name
        self.book = Workbook(write_only=True)
        self.changed: dict[tuple[str, int, str], tuple[_Sheet, list[str]]] = {}
        self.counts: Counter[tuple[str, int, str]] = Counter()
        self.full: _Sheet | None = None
        self.comparison: _Sheet | None = None
        self.heading = _header_text(heading)  # what the workbook is about, on every page
        self.prepared = _header_text(prepared)
        self.direct: dict[str, _Sheet] = {}  # sheets whose rows _Sheet encodes, by title
        # (number format, (attribute, id(style object))…) → ' s="N"', and the objects (kept
        # alive, so that their ids stay theirs)
        self.styles: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}

    def style_attribute(self, sheet: Any, value: _Styled) -> str:
        """The ``s`` attribute openpyxl gives a cell of ``value``'s format and style (none
        for no style), its styles registered with the workbook as openpyxl registers them."""
        items = value.style.items()
        key = (value.fmt, *((name, id(item)) for name, item in items))
        found = self.styles.get(key)
        if found is None:
            cell = WriteOnlyCell(sheet)
            if value.fmt:
                cell.number_format = value.fmt
            for name, item in items:
                setattr(cell, name, item)
            shown = f' s="{cell.style_id}"' if cell.has_style else ""
            found = self.styles[key] = (shown, tuple(value.style.values()))
        return found[0]

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> _Sheet:
        sheet: Any = self.book.create_sheet(title)  # write-only: typed loosely in the stubs
        sheet.freeze_panes = "C2" if title in ("Materials", "RVC") else "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        # Before the first row: the sheet's properties are written with it (write-only).
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self._page(sheet)
        out = _Sheet(self, sheet, title, headers)
        out.append([_cell(h, font=_HEAD, fill=_HEAD_FILL) for h in headers])
        return out

    def _page(self, sheet: Any) -> None:
        """Print setup: landscape A4, one page wide and as many tall as the rows need, the
        header row on every page, the sheet, products and agreement above, "page N of M"
        below, and gridlines (the cells are the record)."""
        setup = sheet.page_setup
        setup.orientation, setup.paperSize = "landscape", A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.print_title_rows = "1:1"
        sheet.print_options.gridLines = True
        sheet.page_margins = PageMargins(
            left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3, footer=0.3
        )
        header, footer = sheet.HeaderFooter.oddHeader, sheet.HeaderFooter.oddFooter
        header.left.text = "&A"  # the sheet's name
        header.center.text = self.heading
        header.right.text = self.prepared
        footer.left.text = _header_text(f"origin {origin.__version__}")
        footer.center.text = "page &P of &N"

    def tabulate(self, sheet: _Sheet, last: int | None = None) -> None:
        """Make the sheet's header row and rows up to ``last`` (default: all written) an
        Excel Table named after the sheet (``RVCTable``), filterable and banded. A table
        needs a row below its header, so an empty sheet's covers row 2."""
        end = max(sheet.row if last is None else last, 2)
        ref = f"A1:{get_column_letter(len(sheet.headers))}{end}"
        name = "".join(w[:1].upper() + w[1:] for w in re.split(r"\W+", sheet.title)) + "Table"
        table = Table(
            displayName=name,
            ref=ref,
            tableStyleInfo=_TABLE_STYLE,
            autoFilter=AutoFilter(ref=ref),
            # Write-only: openpyxl cannot read the header cells back, so the columns are
            # given here, named exactly as the header cells (which Excel requires).
            tableColumns=[
                TableColumn(id=number, name=header)
                for number, header in enumerate(sheet.headers, start=1)
            ],
        )
        sheet.sheet.tables.add(table)  # not add_table: it only warns about the columns

    def text(self, sheet: _Sheet, index: int, text: str) -> str:
        """``text`` as a cell may hold it: unsafe characters as visible escapes, text over
        :data:`EXCEL_CELL` cut with a mark (the whole on ``Full text``); each change noted."""
        if len(text) <= _SHORT and text.isprintable():
            return text
        shown = visible(text)
        if shown != text:
            self._note(sheet, index, "escaped")
        if len(shown) > _SHORT and _units(shown) > EXCEL_CELL:
            shown = self._cut(sheet, index, shown)
        return shown

    def _note(self, sheet: _Sheet, index: int, kind: str) -> None:
        key = (sheet.title, index, kind)
        self.counts[key] += 1
        cells = self.changed.setdefault(key, (sheet, []))[1]
        if len(cells) < NOTE_CELLS:
            cells.append(f"{get_column_letter(index + 1)}{sheet.row}")

    def _cut(self, sheet: _Sheet, index: int, text: str) -> str:
        self._note(sheet, index, "cut")
        if self.full is None:
            self.full = self.sheet(FULL_TEXT, ("sheet", "cell", "part", "text"), (12, 9, 9, 120))
        full = self.full
        where = f"{get_column_letter(index + 1)}{sheet.row}"
        pieces = _pieces(text, EXCEL_CELL)
        first = full.row + 1
        for number, piece in enumerate(pieces, start=1):
            full.append([sheet.title, where, f"{number} of {len(pieces)}", piece])
        last = full.row

        def mark(rest: int) -> str:
            return (
                f"… [cut: {rest:,} more characters; full text on sheet '{FULL_TEXT}', "
                f"rows {first}–{last}]"
            )

        kept = _prefix(text, EXCEL_CELL - _units(mark(len(text))))
        return kept + mark(len(text) - len(kept))

    def notes(self) -> list[tuple[str, str]]:
        """(where, message) for each sheet column with cells shown otherwise than read."""
        found = []
        for key, (sheet, cells) in self.changed.items():
            title, index, kind = key
            count = self.counts[key]
            header = sheet.headers[index] if index < len(sheet.headers) else ""
            where = f"{title} column {get_column_letter(index + 1)}" + (
                f" ({header})" if header else ""
            )
            named = ", ".join(cells) + (
                f" and {count - len(cells):,} more" if count > len(cells) else ""
            )
            if kind == "escaped":
                message = (
                    f"{count:,} cell(s) held control characters (NUL, ESC, …), which a cell "
                    f"cannot hold: shown as visible escapes such as \\x00, not dropped: {named}"
                )
            else:
                message = (
                    f"{count:,} cell(s) longer than the {EXCEL_CELL:,} characters a cell "
                    f"holds: cut, each ending with '… [cut: N more characters; full text on "
                    f"sheet {FULL_TEXT!r}, rows …]', the whole text on that sheet: {named}"
                )
            found.append((where, message))
        return found


COMPARISON_HEADERS = (
    "workbook",
    "product",
    "HS",
    "date",
    "date chosen because",
    "rank",
    "agreement",
    "status",
    "preference code",
    "basis",
    "RVC method",
    "RVC %",
    "margin (points)",
    "missing facts, or why not",
    "rule",
    "rule from",
    "customs value",
    "normal duty",
    "preferential duty",
    "duty saved",
    "duty: rates read / review",
)


def _comparison(out: _Output, compared: Sequence[Compared]) -> None:
    """One row per product and agreement, in rank order (docs/comparison.md)."""
    sheet = out.comparison = out.sheet(
        "Comparison",
        COMPARISON_HEADERS,
        (18, 16, 11, 11, 30, 5, 14, 17, 8, 40, 12, 9, 9, 50, 28, 28, 12, 11, 11, 11, 50),
    )
    for item in compared:
        c = item.comparison
        for rank, row in enumerate(c.rows, 1):
            d = row.determination
            decisive = row.decisive
            duty = row.duty
            fill = _VERDICT_FILL.get(row.status)
            status = _cell(row.status, fill=fill) if fill is not None else row.status
            reading = ""
            if duty is not None:
                reading = duty.review or (duty.rates.how if duty.rates is not None else "")
                reading = f"{reading}; {duty.source}" if duty.source else reading
            sheet.append(
                [
                    item.workbook,
                    item.product,
                    c.hs,
                    _cell(c.date, "yyyy-mm-dd"),
                    c.date_reason,
                    rank,
                    row.agreement,
                    status,
                    "/".join(row.preference_codes),
                    "; ".join(d.basis) if d is not None else "",
                    decisive.method if decisive is not None else "",
                    _cell(_number(decisive.value), PERCENT) if decisive is not None else None,
                    _cell(_number(decisive.margin), PERCENT) if decisive is not None else None,
                    row.reason or "; ".join(row.missing),
                    row.rule,
                    row.rule_source,
                    _cell(duty.customs_value, MONEY) if duty is not None else None,
                    _cell(duty.normal, MONEY) if duty is not None else None,
                    _cell(duty.preferential, MONEY) if duty is not None else None,
                    _cell(duty.saved, MONEY) if duty is not None else None,
                    reading,
                ]
            )


def _number(value: Decimal | Fraction | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        den = value.denominator
        while den % 2 == 0:
            den //= 2
        while den % 5 == 0:
            den //= 5
        if den == 1:  # a terminating decimal (any amount): exact as Decimal text
            return Decimal(value.numerator) / Decimal(value.denominator)
        # Excel holds doubles; the exact figure is written beside it as text.
        return float(value)
    return value


def _exact_text(value: Fraction | None) -> str:
    if value is None:
        return ""
    shown = percent_text(value, 6)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{shown}… ({value.numerator}/{value.denominator})"


def write_results(  # noqa: PLR0917 - the parts of the results workbook
    path: Path,
    items: Sequence[Decided],
    issues: Sequence[Issue] = (),
    ledger: Ledger | None = None,
    compared: Sequence[Compared] = (),
    prepared: dt.datetime | None = None,
) -> list[str]:
    """Write the results workbook to ``path``, complete or not at all: a failed write (disk
    full, …) raises ``OSError`` and leaves whatever was at ``path`` as it was. Returns one
    line for each sheet column with cells shown otherwise than read (the same as the
    Problems sheet says): escaped control characters, cut text. ``prepared`` is when the
    workbook was prepared, shown in its title block and page headers and kept as the file's
    creation time (default: now, in UTC); a test gives it to have the same file each time."""
    rows = sum(_line_count(i, i.determination) for i in items if i.determination is not None)
    if rows + 1 > EXCEL_ROWS:
        # openpyxl would stop with a ValueError half-way (measured-findings): say it first.
        raise WorkbookError(
            f"{path.name}: the Materials sheet would need {rows + 1:,} rows, more than Excel's "
            f"{EXCEL_ROWS:,}; check fewer workbooks at a time"
        )
    when = dt.datetime.now(dt.UTC) if prepared is None else prepared
    out = _Output(path.name, _heading(items, compared), _when(when))
    with replacing(path) as temporary:  # renamed onto ``path`` only once complete
        try:
            _write(out, temporary, items, issues, ledger, compared, when)
        except Exception as error:
            _abandon(out.book, out.direct.values())
            failure = os_error(error)
            if failure is None or failure is error:
                raise
            raise failure from error
    return [f"{path.name}: {where}: {message}" for where, message in out.notes()]


def _when(moment: dt.datetime) -> str:
    """``2026-12-04 13:45 UTC`` (a time without a zone is shown as given)."""
    zone = moment.tzname()
    return moment.strftime("%Y-%m-%d %H:%M") + (f" {zone}" if zone else "")


def _heading(items: Sequence[Decided], compared: Sequence[Compared]) -> str:
    """What the workbook is about, for the page header: the product and agreement when
    there is one of each, else how many."""
    products = list(dict.fromkeys((i.workbook, i.product) for i in items))
    products += [
        key
        for key in dict.fromkeys((c.workbook, c.product) for c in compared)
        if key not in products
    ]
    if compared:
        agreement = "every agreement"
    else:
        names = list(dict.fromkeys(i.agreement.name for i in items))
        agreement = names[0] if len(names) == 1 else f"{len(names)} agreements"
    if not products:
        return "origin check: no product decided"
    what = products[0][1] if len(products) == 1 else f"{len(products):,} products"
    return f"{what}: {agreement}"


def _abandon(book: Workbook, sheets: Iterable[_Sheet] = ()) -> None:
    """Close the sheet streams of a workbook whose writing failed, and remove their temporary
    files, so that nothing of it is left behind (nor reported later by the garbage collector
    as "Exception ignored in: <generator …>", which is what openpyxl's write-only streams do
    when dropped after a failed write)."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()
    for encoded in sheets:
        if encoded.spool is not None:
            encoded.spool.close()


def _write(  # noqa: PLR0917 - the parts of the results workbook, in its order
    out: _Output,
    path: Path,
    items: Sequence[Decided],
    issues: Sequence[Issue],
    ledger: Ledger | None,
    compared: Sequence[Compared] = (),
    prepared: dt.datetime | None = None,
) -> None:
    if compared:  # first: with every agreement tried, the ranked claims are the answer
        _comparison(out, compared)
    summary = out.sheet("Summary", SUMMARY_HEADERS, SUMMARY_WIDTHS)
    rvc = out.sheet(
        "RVC",
        RVC_HEADERS,
        (16, 16, 12, 32, *([8, 14, 12] * INPUT_SLOTS), 13, 11, 13, 12, 26, 16, 40, 40),
    )
    materials = out.sheet(
        "Materials",
        MATERIAL_HEADERS,
        (*_MATERIAL_WIDTHS, 8, 14, 10, 6, 18, 12, 12, 14),  # … declaration, declaration use
    )
    explanation = out.sheet(
        "Explanation",
        ("product", "level", "outcome", "test", "citation", "summary", "missing"),
        (16, 6, 17, 34, 26, 100, 40),
    )
    # Before the rows, so that a "Full text" sheet (made when a text is cut) comes after it.
    problems = out.sheet(
        "Problems",
        ("workbook", "where", "severity", "product", "message"),
        (18, 14, 9, 16, 120),
    )
    accounting = (
        out.sheet("Row accounting", ROW_ACCOUNTING_HEADERS, (40, 14, 8, 9, 9, 90))
        if ledger is not None
        else None
    )
    material_row = 2
    rvc_row = 2
    for item in items:
        d = item.determination
        if d is None:
            summary.append(
                [item.workbook, item.product, item.hs, item.agreement.name]
                + [None] * (len(SUMMARY_HEADERS) - 5)
                + [item.error]
            )
            continue
        case = item.case
        currency = case.currency if case is not None else ""
        money = money_format(currency)
        headline = _summary_row(item, d, money)
        first, rvc_first = material_row, rvc_row
        base_label, _ = _de_minimis_base(d)
        rows = list(d.materials)  # each row built once (the table builds them when read)
        material_row = _material_rows(materials, item, d, rows, money)
        last = material_row - 1
        rvc_row = _rvc_rows(rvc, item, d, rows, (first, last, rvc_row), money)
        del rows
        summary.append([*headline, _span(first, last), _span(rvc_first, rvc_row - 1)])
        _explain(explanation, item.product, d, base_label)
    out.tabulate(summary)
    out.tabulate(rvc)
    out.tabulate(materials)
    out.tabulate(explanation)
    _title_block(out, summary, items, compared, prepared)
    if accounting is not None and ledger is not None:
        _row_accounting(accounting, ledger)
        out.tabulate(accounting)
    for issue in issues:
        problems.append(
            [issue.workbook, issue.where, issue.severity.value, issue.product, issue.message]
        )
    notes = out.notes()  # what this workbook shows otherwise than read, and where
    if notes:
        problems.append([])
    for where, message in notes:
        problems.append(["results workbook", where, "warning", "", message])
    out.tabulate(problems)
    if out.full is not None:
        out.tabulate(out.full)
    if out.comparison is not None:
        out.tabulate(out.comparison)
    _save(out.book, path, prepared, out.direct)


def _material_rows(
    materials: _Sheet, item: Decided, d: Determination, rows: Sequence[MaterialRow], money: str
) -> int:
    """The product's BOM lines on the Materials sheet, in BOM tree order; returns the next
    free row. VOM and VNM are formulas on the value cell where the whole value counts."""
    material_row = materials.row + 1
    case = item.case
    _, base_value = _de_minimis_base(d)
    applied = _de_minimis_outcome(d)
    cited: dict[tuple[Any, ...], str | None] = {}  # most lines cite the same provisions
    uses = {u.material: u for u in d.declarations}  # origin.declarations; empty without one
    for row, material, depth, parent in _lines(case, rows):
        r = material_row
        description = (
            row.description if row is not None else material.description if material else ""
        )
        shown: Any = description
        if depth and description:
            shown = _cell(description, alignment=_indent(min(depth, INDENT_MAX)))
        if material is None:
            extra: list[Any] = [None, None, None, None, None, None, None, None]
        else:
            basis = material.basis
            extra = [
                material.origin_country,
                None if basis is None else basis.value,
                material.quantity,
                material.unit,
                material.supplier,
                material.supplier_part,
                *_declaration(uses.get(material.id), material.declaration),
            ]
        if row is None:
            if material is None:  # not made by _lines: a line is a row or a material
                continue
            materials.append(
                [
                    item.product,
                    material.id,
                    depth,
                    shown,
                    "" if material.hs is None else str(material.hs),
                    "" if material.status is None else material.status.value,
                    "",
                    _cell(_number(material.value), money),
                    f"within {parent}",
                    None,
                    None,
                    "",
                    "",
                    None,
                    "",
                    f"a component of {parent}, which counts as a whole: not counted "
                    "separately (listed so that every BOM line is on this sheet)",
                    *extra,
                ],
            )
            material_row += 1
            continue
        value_ref = f"H{r}"
        vom: Any = _amount(row.vom_value, money)
        vnm: Any = _amount(row.vnm_value, money)
        if row.value is not None and row.vom_value == row.value and row.value:
            vom = _cell(Formula(f"={value_ref}"), money)
        if row.value is not None and row.vnm_value == row.value and row.value:
            vnm = _cell(Formula(f"={value_ref}"), money)
        share: Any = None
        minimis: str | None = None  # blank cells are not written at all (speed)
        if row.tariff_shift is Outcome.FAILS:
            if base_value and row.value is not None:
                share = _cell(Formula(f"={value_ref}/{base_value}*100"), PERCENT)
            if row.de_minimis:
                minimis = _MARK[Outcome.MEETS]
            elif applied is not None and applied is not Outcome.MEETS:
                minimis = _MARK[applied]
        elif row.de_minimis:
            minimis = _MARK[Outcome.MEETS]
        materials.append(
            [
                item.product,
                row.id,
                depth,
                shown,
                row.hs,
                row.declared_status,
                row.status,
                _cell(_number(row.value), money),
                row.counted_as,
                vom,
                vnm,
                None if row.tariff_shift is None else _MARK[row.tariff_shift],
                minimis,
                share,
                _citations(row.citations, cited),
                "; ".join(row.notes) or None,
                *extra,
            ],
        )
        material_row += 1
    return material_row


def _declaration(use: Any, named: str | None) -> tuple[str | None, str | None]:
    """The declaration relied on (or named) and what the register said of it."""
    if use is None:
        return named, None
    return use.declaration or named, use.use.value


def _amount(value: Decimal | None, money: str) -> Any:
    """An amount in its currency's format; nothing (the line adds nothing) as a plain 0,
    which needs no style (most lines add nothing to one of VOM and VNM)."""
    if value is None:
        return None
    if not value:
        return 0
    return _cell(_number(value), money)


def _citations(citations: tuple[Any, ...], cited: dict[tuple[Any, ...], str | None]) -> Any:
    text = cited.get(citations, "")
    if text == "":
        text = cited[citations] = "; ".join(str(c) for c in citations) or None
    return text


def _summary_row(item: Decided, d: Determination, money: str) -> list[Any]:
    """The product's headline: verdict, basis, the decisive RVC, the value of the good,
    the preference code and the currency the amounts are in."""
    until = [o.until for o in d.obligations if o.until is not None]
    verdict = _cell(d.verdict.value, fill=_VERDICT_FILL[d.verdict.value])
    decisive = decisive_rvc(d)
    case = item.case
    value, value_as = _good_value(case)
    codes = item.agreement.law.preference_codes_of(case)
    return [
        item.workbook,
        item.product,
        d.hs,
        d.agreement,
        "/".join(codes),
        _cell(d.date, "yyyy-mm-dd"),
        _cell(d.law_version, "yyyy-mm-dd"),
        verdict,
        "; ".join(d.basis),
        decisive.method if decisive is not None else "",
        _cell(_number(decisive.value), PERCENT) if decisive is not None else None,
        rvc_reading(decisive) if decisive is not None else "",
        _cell(value, money) if value is not None else None,
        value_as,
        case.currency if case is not None else "",
        d.psr,
        "; ".join(d.missing),
        _cell(max(until), "yyyy-mm-dd") if until else None,
        item.fingerprint,
        "",
    ]


def _span(first: int, last: int) -> str:
    """Sheet rows ``first`` to ``last`` as text ("2–14", "7"), "" when there are none."""
    return "" if last < first else str(first) if last == first else f"{first}–{last}"


def _good_value(case: Case | None) -> tuple[Decimal | None, str]:
    """The value of the good as given, the first of :data:`GOOD_VALUES`, and its name."""
    if case is None:
        return None, ""
    for field, label in GOOD_VALUES:
        value = getattr(case.good, field)
        if value is not None:
            return value, label
    return None, ""


def _title_block(
    out: _Output,
    summary: _Sheet,
    items: Sequence[Decided],
    compared: Sequence[Compared],
    prepared: dt.datetime | None,
) -> None:
    """Below the Summary table: what was decided, under which law, by which toolkit, when;
    and the fields a preparer and a reviewer fill in and sign (named ranges ``Prepared_by``,
    ``Reviewed_by``, ``Date_reviewed``)."""
    decided = [i for i in items if i.determination is not None]
    dets = [i.determination for i in decided if i.determination is not None]
    agreements = dict.fromkeys(f"{i.agreement.name} ({i.agreement.title})" for i in items)
    laws = sorted({d.law_version for d in dets})
    dates = sorted({d.date for d in dets})
    currencies = sorted({i.case.currency for i in items if i.case is not None})
    verdicts = Counter(d.verdict.value for d in dets)
    errors = len(items) - len(decided)
    counted = [f"{n:,} {v}" for v, n in sorted(verdicts.items())]
    if errors:
        counted.append(f"{errors:,} not decided (see the error column)")
    products = len({(i.workbook, i.product) for i in items})
    workbooks = list(dict.fromkeys(i.workbook for i in items))
    if compared:
        products = max(products, len({(c.workbook, c.product) for c in compared}))
        workbooks = list(dict.fromkeys([*workbooks, *(c.workbook for c in compared)]))
    shown_books = "; ".join(workbooks[:5]) + (
        f" and {len(workbooks) - 5:,} more" if len(workbooks) > 5 else ""
    )
    lines: list[tuple[str, str]] = [
        ("toolkit", f"origin {origin.__version__}"),
        ("agreement(s)", "; ".join(agreements) or ("every agreement" if compared else "")),
        ("law version(s)", ", ".join(day.isoformat() for day in laws)),
        ("date(s) decided", ", ".join(day.isoformat() for day in dates)),
        (
            "currency",
            ", ".join(currencies)
            + ("; each amount is in its product's currency" if len(currencies) > 1 else ""),
        ),
        ("products", f"{products:,}" + (f": {', '.join(counted)}" if counted else "")),
        ("workbook(s)", shown_books),
        ("prepared", f"{_when(prepared)} by origin check" if prepared else "by origin check"),
        (
            "governs",
            "the engine's exact figures and outcomes (RVC sheet, 'RVC % (exact, engine)' and "
            "'outcome (engine)'); the live formulas are there to check them",
        ),
    ]
    summary.append([])
    summary.append([_cell("Origin determination: results", font=_TITLE)])
    for label, value in lines:
        summary.append([_cell(label, font=_BOLD), value])
    summary.append([])
    for label, name in (
        ("prepared by", "Prepared_by"),
        ("reviewed by", "Reviewed_by"),
        ("date reviewed", "Date_reviewed"),
        ("signature", "Signature"),
    ):
        blank = _cell(None, border=_FIELD)
        summary.append([_cell(label, font=_BOLD), blank, blank, blank])
        out.book.defined_names[name] = DefinedName(
            name, attr_text=f"Summary!$B${summary.row}:$D${summary.row}"
        )


def _row_accounting(sheet: _Sheet, ledger: Ledger) -> None:
    """Where each input row went: per sheet read, one line with its counts (input rows,
    imported, reported), then one line per row not imported with its reason (runs of rows
    with the same reason as one line, ``rows 12–48``). Imported rows are counted, not
    listed: the import keeps their number, not which rows they were."""
    by_sheet: dict[str, list[tuple[int, str]]] = {}
    for (name, row), reason in ledger.reported.items():
        by_sheet.setdefault(name, []).append((row, reason))
    names = list(dict.fromkeys([*ledger.input_rows, *by_sheet]))
    for name in names:
        count = ledger.input_rows[name]
        imported = ledger.imported[name]
        reported = sorted(by_sheet.get(name, ()))
        balanced = imported + len(reported) == count
        sheet.append(
            [
                name,
                "all",
                count,
                imported,
                len(reported),
                f"{count} rows, {imported} imported, {len(reported)} reported"
                + ("" if balanced else " (does not balance: see Problems)"),
            ]
        )
        start = 0
        while start < len(reported):
            end = start
            row, reason = reported[start]
            while (
                end + 1 < len(reported)
                and reported[end + 1][1] == reason
                and reported[end + 1][0] == reported[end][0] + 1
            ):
                end += 1
            last = reported[end][0]
            span = end - start + 1
            sheet.append(
                [
                    name,
                    str(row) if span == 1 else f"{row}–{last}",
                    span,
                    0,
                    span,
                    f"reported: {reason}",
                ]
            )
            start = end + 1


def _save(
    book: Workbook,
    path: Path,
    prepared: dt.datetime | None = None,
    direct: dict[str, _Sheet] | None = None,
) -> None:
    """``book.save(path)``, holding the zip archive so that after a failed write (disk full)
    it is closed here; left to the garbage collector, its attempt to finish the file would
    print "Exception ignored in: <function ZipFile.__del__ …>" after the one-line message."""
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    moment = dt.datetime.now(dt.UTC) if prepared is None else prepared
    if moment.tzinfo is not None:  # the file's times are UTC without a zone, as openpyxl's
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    book.properties.created = book.properties.modified = moment
    try:
        _ExcelWriter(book, archive, direct or {}).save()
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()
        raise


class _ExcelWriter(ExcelWriter):
    """openpyxl's writer, with the rows :class:`_Sheet` encoded put into their sheets."""

    def __init__(self, book: Workbook, archive: zipfile.ZipFile, direct: dict[str, _Sheet]):
        super().__init__(book, archive)
        self.direct = direct

    def write_worksheet(self, ws: Any) -> None:
        encoded = self.direct.get(ws.title)
        if encoded is not None:
            if not ws.closed:
                ws.close()  # the sheet's XML without rows, in openpyxl's temporary file
            _splice(ws._writer.out, encoded)
        super().write_worksheet(ws)


def _splice(part: str, sheet: _Sheet) -> None:
    """Put the rows of ``sheet`` into its part's (empty) ``<sheetData>``."""
    with open(part, "rb") as handle:
        data = handle.read()
    at = data.index(b"<sheetData>") + len(b"<sheetData>")
    rows = sheet.rows()
    try:
        with open(part, "wb") as handle:
            handle.write(data[:at])
            shutil.copyfileobj(rows, handle, 1 << 20)
            handle.write(data[at:])
    finally:
        rows.close()


Line = tuple[MaterialRow | None, Material | None, int, str]


@functools.lru_cache(maxsize=INDENT_MAX + 1)
def _indent(level: int) -> Alignment:
    return Alignment(indent=level)


def _flat(case: Case) -> bool:
    return not any(material.components for material in case.materials)


def _line_count(item: Decided, d: Determination) -> int:
    """How many Materials rows the product needs (as :func:`_lines` gives them)."""
    case = item.case
    if case is None or _flat(case):
        return len(d.materials)
    return len(_lines(case, list(d.materials)))


def _lines(case: Case | None, rows: Sequence[MaterialRow]) -> list[Line]:
    """Every BOM line in BOM tree order (as :meth:`Case.walk`: a line, then its components)
    with its depth: the determination's row for each direct material, and each component
    of a line that counts as a whole (e.g. an originating intermediate), which has no row,
    as its material with the id of its parent ("within PARENT": listed, not counted)."""
    if case is None:
        return [(row, None, row.depth, "") for row in rows]
    tops = case.materials
    if _flat(case) and len(rows) == len(tops):
        return [(row, material, 0, "") for row, material in zip(rows, tops, strict=True)]
    listed = {row.id for row in rows}
    lines: list[Line] = []
    by_place = len(rows) == len(tops)  # a row for each direct material, in their order
    pending = [] if by_place else list(rows)
    top = 0

    def children(line: tuple[Material, str]) -> list[tuple[Material, str]]:
        return [(component, line[0].id) for component in line[0].components]

    # Walked on an explicit stack (origin.trees): a BOM may be any number of levels deep.
    for depth, (material, parent) in preorder([(m, "") for m in tops], children):
        if depth == 0 and by_place:
            lines.append((rows[top], material, 0, ""))
            top += 1
        elif material.id not in listed:
            lines.append((None, material, depth, parent))
    # Rows the walk did not place (a determination whose materials are not the case's own,
    # line for line): before the listed lines, as they were before tree order.
    return [(row, None, row.depth, "") for row in pending] + lines


def _de_minimis_outcome(d: Determination) -> Outcome | None:
    """What the de minimis test said of the materials failing the tariff shift (the first
    applied, as the Materials rows' tariff shift is the first rule's), None if not applied."""
    for step in d.steps:
        for inner in step.walk():
            if inner.test == "de minimis":
                return inner.outcome
    return None


def _de_minimis_base(d: Determination) -> tuple[str, Any]:
    for step in d.steps:
        for inner in step.walk():
            if inner.test == "de minimis" and len(inner.inputs) >= 2:
                label, value = inner.inputs[1]
                if isinstance(value, Decimal) and value > 0:
                    return label, value
    return "", None


def _rvc_rows(  # noqa: PLR0917
    sheet: _Sheet,
    item: Decided,
    d: Determination,
    rows: Sequence[MaterialRow],
    place: tuple[int, int, int],
    money: str = MONEY,
) -> int:
    """One row per method: the product's material rows are Materials rows ``first`` to
    ``last``, its first method goes on RVC row ``row``; returns the next free row."""
    first, last, row_number = place
    has_rows = last >= first
    for result in d.rvc:
        refs: dict[str, str] = {}
        cells: list[Any] = [item.product, result.method, str(result.citation), result.formula]
        for slot in range(INPUT_SLOTS):
            if slot >= len(result.inputs):
                cells.extend([None, None, None])
                continue
            name, value = result.inputs[slot]
            value_col = get_column_letter(5 + slot * 3 + 1)
            other_col = get_column_letter(5 + slot * 3 + 2)
            refs[name] = f"{value_col}{row_number}"
            parts = _MATERIAL_PART.get(name)
            if parts is None or not has_rows:
                cells.extend([name, _cell(_number(value), money), None])
                continue
            sums = []
            rest = value
            if parts[0]:
                sums.append(f"SUM(Materials!J{first}:J{last})")
                rest -= sum((Fraction(r.vom_value or 0) for r in rows), Fraction(0))
            if parts[1]:
                sums.append(f"SUM(Materials!K{first}:K{last})")
                rest -= sum((Fraction(r.vnm_value or 0) for r in rows), Fraction(0))
            if rest < 0:  # the figure is not built as assumed: show it as a value
                cells.extend([name, _cell(_number(value), money), None])
                continue
            formula = Formula("=" + "+".join([*sums, f"{other_col}{row_number}"]))
            cells.extend([name, _cell(formula, money), _cell(_number(rest), money)])
        live = _excel_formula(result.formula, refs) if result.inputs else None
        rvc_col = get_column_letter(5 + INPUT_SLOTS * 3)
        threshold_col = get_column_letter(6 + INPUT_SLOTS * 3)
        rvc_ref, threshold_ref = f"{rvc_col}{row_number}", f"{threshold_col}{row_number}"
        cells.extend(
            [
                _cell(live, PERCENT),
                _cell(_number(result.threshold), PERCENT),
                _cell(Formula(f"={rvc_ref}-{threshold_ref}") if live else None, PERCENT),
                _live_test(result, refs, rvc_ref, threshold_ref) if live else None,
                _rvc_text(result),
                _MARK[result.outcome],
                "; ".join(f"{s} {direction} {_money(b)}" for s, direction, b in result.headroom),
                result.note,
            ]
        )
        sheet.append(cells)
        row_number += 1
    return row_number


def _money(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{percent_text(value, 2)} ({value.numerator}/{value.denominator})"


def _excel_formula(text: str, refs: dict[str, str]) -> str | None:
    """sympy's text of the formula (``RVC = 100*(AV - VNM)/AV``) with cells for symbols."""
    expression = text.split("=", 1)[1].strip().replace("**", "^")
    missing = [name for name in re.findall(r"[A-Za-z_]\w*", expression) if name not in refs]
    if missing:
        return None
    return Formula("=" + re.sub(r"[A-Za-z_]\w*", lambda m: refs[m.group(0)], expression))


@functools.lru_cache(maxsize=64)
def _without_division(text: str) -> tuple[str, str] | None:
    """``RVC = 100*(AV - VNM)/AV`` → (``100*AV - 100*VNM``, ``AV``): the formula as numerator
    over a denominator that is positive for positive amounts, so that ``RVC >= t`` can be
    tested as ``numerator >= t*denominator``, with no division to round in Excel's doubles.
    None when the formula does not have that shape."""
    expression = text.split("=", 1)[1].strip()
    names = set(re.findall(r"[A-Za-z_]\w*", expression))
    symbols = {name: sympy.Symbol(name, positive=True) for name in names}
    try:
        parsed = sympy.parse_expr(expression, local_dict=symbols)
    except (SyntaxError, TypeError, ValueError, sympy.SympifyError):
        return None
    numerator, denominator = sympy.fraction(sympy.together(parsed))
    if denominator.is_positive is not True:
        return None
    shown = (str(sympy.expand(numerator)), str(sympy.expand(denominator)))
    if any("/" in part or "." in part for part in shown):  # rational constants left over
        return None
    return shown


def _rvc_text(result: RVCResult) -> str:
    """The engine's figure as what it is: the RVC, a bound on it, or no RVC at all."""
    reading = rvc_reading(result)
    if reading == "exact":
        return _exact_text(result.value)
    if reading:
        return f"{reading} {_exact_text(result.value)}"
    if result.value is not None:
        return f"not decided ({_exact_text(result.value)} on the figures given; see the note)"
    return ""


def _live_test(result: RVCResult, refs: dict[str, str], rvc_ref: str, threshold_ref: str) -> Any:
    """The live pass/fail: ``numerator >= threshold × denominator`` on the cells (exact while
    the products of the amounts stay within the 15-16 significant digits of a double, which
    division and ROUND would not be); ``ROUND(…, 9)`` on the RVC only where the formula cannot
    be put in that form. Where material values are missing the figure is a bound, and the
    test says only what the bound decides: an "at least" figure that meets, "meets"; an "at
    most" figure that fails, "fails"; otherwise "needs information"."""
    text, threshold = result.formula, result.threshold
    reading = rvc_reading(result)
    if reading not in ("exact", "at least", "at most"):
        return "needs information"
    when_met = '"needs information"' if reading == "at most" else '"meets"'
    when_not = '"needs information"' if reading == "at least" else '"fails"'
    parts = _without_division(text)
    if parts is None:
        return Formula(f"=IF(ROUND({rvc_ref},9)>=ROUND({threshold_ref},9),{when_met},{when_not})")
    numerator, denominator = (
        re.sub(r"[A-Za-z_]\w*", lambda m: refs[m.group(0)], p).replace("**", "^") for p in parts
    )
    if threshold.denominator == 1:
        right = f"{threshold_ref}*({denominator})"
        left = f"({numerator})"
    else:  # a threshold Excel cannot hold exactly: its numerator and denominator instead
        right = f"{threshold.numerator}*({denominator})"
        left = f"{threshold.denominator}*({numerator})"
    return Formula(f"=IF({left}>={right},{when_met},{when_not})")


def _children(step: Step) -> tuple[Step, ...]:
    return step.children


def _explain(sheet: _Sheet, product: str, d: Determination, base: str) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([product, 0, d.verdict.value, "verdict", "", "; ".join(d.basis), ""])
    # Parents first, on an explicit stack (origin.trees): steps nest as deep as the BOM.
    for depth, step in preorder(d.steps, _children):
        sheet.append(
            [
                product,
                depth + 1,
                _MARK[step.outcome],
                step.test,
                str(step.citation),
                _cell(step.summary, alignment=wrap),
                "; ".join(step.missing) if step.outcome is Outcome.NEEDS_INFO else "",
            ]
        )
    for result in d.rvc:
        sheet.append(
            [
                product,
                1,
                _MARK[result.outcome],
                f"RVC {result.method}",
                str(result.citation),
                f"{result.formula}: {_rvc_text(result)} vs {_exact_text(result.threshold)}"
                + (f" ({result.note})" if result.note else ""),
                "",
            ],
        )
    for note in d.notes:
        sheet.append([product, 1, "note", "note", "", note, ""])
    for obligation in d.obligations:
        until = f" (until {obligation.until.isoformat()})" if obligation.until else ""
        sheet.append(
            [
                product,
                1,
                "obligation",
                "obligation",
                str(obligation.citation),
                obligation.text + until,
                "",
            ],
        )
    if base:
        sheet.append(
            [
                product,
                1,
                "note",
                "de minimis share",
                "",
                f"'share of base %' on Materials is "
                f"the value over the {base}, for materials failing the tariff shift",
                "",
            ],
        )
