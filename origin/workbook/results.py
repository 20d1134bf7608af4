"""The results workbook an auditor can check by hand.

Sheets: ``Summary`` (one row per product: verdict, basis, records date, fingerprint),
``RVC`` (one row per product and method: inputs, threshold, margin, headroom), ``Materials``
(each BOM line: status, how it counted, tariff shift, de minimis share), ``Explanation``
(every step with its citation) and ``Problems`` (import issues and row accounting).

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
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from origin.determination import Determination, Outcome, RVCResult, Step
from origin.model import Material
from origin.trees import preorder
from origin.workbook.export import Decided, percent_text, rvc_reading
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
_HEAD = Font(bold=True, color="FFFFFF")
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
)
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


class _Sheet:
    """A write-only sheet that knows its rows: every plain string becomes a text cell, made
    safe (:meth:`_Output.text`), and a row past Excel's last is refused, not half-written."""

    def __init__(self, out: _Output, sheet: Any, title: str, headers: Sequence[str]) -> None:
        self.out, self.sheet, self.title, self.headers = out, sheet, title, tuple(headers)
        self.row = 0

    def append(self, values: Sequence[Any]) -> None:
        self.row += 1
        if self.row > EXCEL_ROWS:
            # openpyxl would stop with a ValueError half-way (measured-findings): say it.
            raise WorkbookError(
                f"{self.out.name}: the {self.title} sheet would need more than Excel's "
                f"{EXCEL_ROWS:,} rows; check fewer workbooks at a time"
            )
        self.sheet.append([self._value(v, i) for i, v in enumerate(values)])

    def _value(self, value: Any, index: int) -> Any:
        if isinstance(value, _Styled):
            inner = value.value
            text = isinstance(inner, str) and not isinstance(inner, Formula)
            cell = WriteOnlyCell(
                self.sheet, value=self.out.text(self, index, inner) if text else inner
            )
            if text:
                cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
            if value.fmt:
                cell.number_format = value.fmt
            for key, item in value.style.items():
                setattr(cell, key, item)
            return cell
        if isinstance(value, str) and not isinstance(value, Formula):
            value = self.out.text(self, index, value)
            if value[:1] == "=" or value in ERROR_CODES:  # else openpyxl keeps it text
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.data_type = "s"
                return cell
        return value


class _Output:
    """The workbook being written: its sheets, what was shown otherwise than read (visible
    escapes, cut text, by sheet and column), and the ``Full text`` sheet of cut text."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.book = Workbook(write_only=True)
        self.changed: dict[tuple[str, int, str], tuple[_Sheet, list[str]]] = {}
        self.counts: Counter[tuple[str, int, str]] = Counter()
        self.full: _Sheet | None = None

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> _Sheet:
        sheet: Any = self.book.create_sheet(title)  # write-only: typed loosely in the stubs
        sheet.freeze_panes = "C2" if title in ("Materials", "RVC") else "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        out = _Sheet(self, sheet, title, headers)
        out.append([_cell(h, font=_HEAD, fill=_HEAD_FILL) for h in headers])
        return out

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
    sheet = out.sheet(
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


def write_results(
    path: Path,
    items: Sequence[Decided],
    issues: Sequence[Issue] = (),
    ledger: Ledger | None = None,
    compared: Sequence[Compared] = (),
) -> list[str]:
    """Write the results workbook to ``path``, complete or not at all: a failed write (disk
    full, …) raises ``OSError`` and leaves whatever was at ``path`` as it was. Returns one
    line for each sheet column with cells shown otherwise than read (the same as the
    Problems sheet says): escaped control characters, cut text."""
    rows = sum(
        len(i.determination.materials) + len(_unexamined(i, i.determination))
        for i in items
        if i.determination is not None
    )
    if rows + 1 > EXCEL_ROWS:
        # openpyxl would stop with a ValueError half-way (measured-findings): say it first.
        raise WorkbookError(
            f"{path.name}: the Materials sheet would need {rows + 1:,} rows, more than Excel's "
            f"{EXCEL_ROWS:,}; check fewer workbooks at a time"
        )
    out = _Output(path.name)
    with replacing(path) as temporary:  # renamed onto ``path`` only once complete
        try:
            _write(out, temporary, items, issues, ledger, compared)
        except Exception as error:
            _abandon(out.book)
            failure = os_error(error)
            if failure is None or failure is error:
                raise
            raise failure from error
    return [f"{path.name}: {where}: {message}" for where, message in out.notes()]


def _abandon(book: Workbook) -> None:
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


def _write(  # noqa: PLR0917 - the parts of the results workbook, in its order
    out: _Output,
    path: Path,
    items: Sequence[Decided],
    issues: Sequence[Issue],
    ledger: Ledger | None,
    compared: Sequence[Compared] = (),
) -> None:
    if compared:  # first: with every agreement tried, the ranked claims are the answer
        _comparison(out, compared)
    summary = out.sheet(
        "Summary",
        (
            "workbook",
            "product",
            "HS",
            "agreement",
            "date",
            "law as at",
            "verdict",
            "basis",
            "PSR",
            "missing facts",
            "records kept until",
            "fingerprint",
            "error",
        ),
        (18, 16, 11, 10, 11, 11, 17, 50, 28, 40, 14, 30, 50),
    )
    rvc = out.sheet(
        "RVC",
        RVC_HEADERS,
        (16, 16, 12, 32, *([8, 14, 12] * INPUT_SLOTS), 13, 11, 13, 12, 26, 16, 40, 40),
    )
    materials = out.sheet(
        "Materials",
        MATERIAL_HEADERS,
        (16, 16, 6, 30, 11, 16, 16, 14, 24, 14, 14, 12, 10, 12, 30, 50),
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
    material_row = 2
    rvc_row = 2
    for item in items:
        d = item.determination
        if d is None:
            summary.append([item.workbook, item.product, *[""] * 10, item.error])
            continue
        until = [o.until for o in d.obligations if o.until is not None]
        verdict = _cell(d.verdict.value, fill=_VERDICT_FILL[d.verdict.value])
        summary.append(
            [
                item.workbook,
                item.product,
                d.hs,
                d.agreement,
                _cell(d.date, "yyyy-mm-dd"),
                _cell(d.law_version, "yyyy-mm-dd"),
                verdict,
                "; ".join(d.basis),
                d.psr,
                "; ".join(d.missing),
                _cell(max(until), "yyyy-mm-dd") if until else None,
                item.fingerprint,
                "",
            ],
        )
        first = material_row
        base_label, base_value = _de_minimis_base(d)
        for row in d.materials:
            r = material_row
            value_ref = f"H{r}"
            vom: Any = _number(row.vom_value)
            vnm: Any = _number(row.vnm_value)
            if row.value is not None and row.vom_value == row.value and row.value:
                vom = Formula(f"={value_ref}")
            if row.value is not None and row.vnm_value == row.value and row.value:
                vnm = Formula(f"={value_ref}")
            share: Any = None
            if base_value and row.tariff_shift is Outcome.FAILS and row.value is not None:
                share = Formula(f"={value_ref}/{base_value}*100")
            materials.append(
                [
                    item.product,
                    row.id,
                    row.depth,
                    row.description,
                    row.hs,
                    row.declared_status,
                    row.status,
                    _cell(_number(row.value), MONEY),
                    row.counted_as,
                    _cell(vom, MONEY),
                    _cell(vnm, MONEY),
                    "" if row.tariff_shift is None else _MARK[row.tariff_shift],
                    "yes" if row.de_minimis else "",
                    _cell(share, PERCENT),
                    "; ".join(str(c) for c in row.citations),
                    "; ".join(row.notes),
                ],
            )
            material_row += 1
        for material, depth, parent in _unexamined(item, d):
            materials.append(
                [
                    item.product,
                    material.id,
                    depth,
                    material.description,
                    "" if material.hs is None else str(material.hs),
                    "" if material.status is None else material.status.value,
                    "",
                    _cell(_number(material.value), MONEY),
                    f"within {parent}",
                    None,
                    None,
                    "",
                    "",
                    None,
                    "",
                    f"a component of {parent}, which counts as a whole: not counted "
                    "separately (listed so that every BOM line is on this sheet)",
                ],
            )
            material_row += 1
        last = material_row - 1
        rvc_row = _rvc_rows(rvc, item, d, first, last, rvc_row)
        _explain(explanation, item.product, d, base_label)
    for issue in issues:
        problems.append(
            [issue.workbook, issue.where, issue.severity.value, issue.product, issue.message]
        )
    if ledger is not None:  # one row per sheet read: never one cell too long to hold
        problems.append([])
        reported = Counter(sheet for sheet, _ in ledger.reported)
        for sheet, count in ledger.input_rows.items():
            problems.append(
                [
                    "row accounting",
                    sheet,
                    "",
                    "",
                    f"{count} rows, {ledger.imported[sheet]} imported, {reported[sheet]} reported",
                ]
            )
    notes = out.notes()  # what this workbook shows otherwise than read, and where
    if notes:
        problems.append([])
    for where, message in notes:
        problems.append(["results workbook", where, "warning", "", message])
    _save(out.book, path)


def _save(book: Workbook, path: Path) -> None:
    """``book.save(path)``, holding the zip archive so that after a failed write (disk full)
    it is closed here; left to the garbage collector, its attempt to finish the file would
    print "Exception ignored in: <function ZipFile.__del__ …>" after the one-line message."""
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    book.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # as openpyxl does
    try:
        ExcelWriter(book, archive).save()
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()
        raise


def _unexamined(item: Decided, d: Determination) -> list[tuple[Material, int, str]]:
    """BOM lines of the case the determination has no row for — components of a material
    that counts as a whole (e.g. an originating intermediate) — with depth and parent."""
    if item.case is None:
        return []
    listed = {row.id for row in d.materials}

    def children(line: tuple[Material, str]) -> list[tuple[Material, str]]:
        return [(component, line[0].id) for component in line[0].components]

    # Walked on an explicit stack (origin.trees): a BOM may be any number of levels deep.
    roots = [(material, "") for material in item.case.materials]
    return [
        (material, depth, parent)
        for depth, (material, parent) in preorder(roots, children)
        if material.id not in listed
    ]


def _de_minimis_base(d: Determination) -> tuple[str, Any]:
    for step in d.steps:
        for inner in step.walk():
            if inner.test == "de minimis" and len(inner.inputs) >= 2:
                label, value = inner.inputs[1]
                if isinstance(value, Decimal) and value > 0:
                    return label, value
    return "", None


def _rvc_rows(  # noqa: PLR0917
    sheet: _Sheet, item: Decided, d: Determination, first: int, last: int, row: int
) -> int:
    """One row per method, starting at sheet row ``row``; returns the next free row."""
    row_number = row
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
                cells.extend([name, _cell(_number(value), MONEY), None])
                continue
            sums = []
            rest = value
            if parts[0]:
                sums.append(f"SUM(Materials!J{first}:J{last})")
                rest -= sum((Fraction(r.vom_value or 0) for r in d.materials), Fraction(0))
            if parts[1]:
                sums.append(f"SUM(Materials!K{first}:K{last})")
                rest -= sum((Fraction(r.vnm_value or 0) for r in d.materials), Fraction(0))
            if rest < 0:  # the figure is not built as assumed: show it as a value
                cells.extend([name, _cell(_number(value), MONEY), None])
                continue
            formula = Formula("=" + "+".join([*sums, f"{other_col}{row_number}"]))
            cells.extend([name, _cell(formula, MONEY), _cell(_number(rest), MONEY)])
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
