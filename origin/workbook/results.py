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
input text that looks like a formula never becomes one here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from origin.determination import Determination, Outcome, Step
from origin.model import Material
from origin.workbook.export import Decided, percent_text
from origin.workbook.problems import Issue, Ledger, WorkbookError

EXCEL_ROWS = 1_048_576
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


def _cell(sheet: WriteOnlyWorksheet, value: Any, fmt: str = "", **style: Any) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and not isinstance(value, Formula):
        cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
    if fmt:
        cell.number_format = fmt
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


def _append(sheet: WriteOnlyWorksheet, values: Sequence[Any]) -> None:
    """Append a row, every plain string as a text cell (see :class:`Formula`)."""
    sheet.append(
        [
            _cell(sheet, v)
            if type(v) is str and (v[:1] == "=" or v in ERROR_CODES)  # else text already
            else v
            for v in values
        ]
    )


def _sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
    sheet: Any = book.create_sheet(title)  # write-only sheets are typed loosely in the stubs
    sheet.freeze_panes = "C2" if title in ("Materials", "RVC") else "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _append(sheet, [_cell(sheet, h, font=_HEAD, fill=_HEAD_FILL) for h in headers])
    return sheet


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
    path: Path, items: Sequence[Decided], issues: Sequence[Issue] = (), ledger: Ledger | None = None
) -> None:
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
    # Open (and so check) the destination before building anything: a write-only workbook
    # that cannot be saved leaves openpyxl's half-written sheet streams behind.
    with path.open("wb") as handle:
        _write(handle, items, issues, ledger)


def _write(
    handle: Any, items: Sequence[Decided], issues: Sequence[Issue], ledger: Ledger | None
) -> None:
    book = Workbook(write_only=True)
    summary = _sheet(
        book,
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
    rvc = _sheet(
        book,
        "RVC",
        RVC_HEADERS,
        (16, 16, 12, 32, *([8, 14, 12] * INPUT_SLOTS), 13, 11, 13, 12, 26, 16, 40, 40),
    )
    materials = _sheet(
        book,
        "Materials",
        MATERIAL_HEADERS,
        (16, 16, 6, 30, 11, 16, 16, 14, 24, 14, 14, 12, 10, 12, 30, 50),
    )
    explanation = _sheet(
        book,
        "Explanation",
        ("product", "level", "outcome", "test", "citation", "summary", "missing"),
        (16, 6, 17, 34, 26, 100, 40),
    )
    material_row = 2
    rvc_row = 2
    for item in items:
        d = item.determination
        if d is None:
            _append(summary, [item.workbook, item.product, *[""] * 10, item.error])
            continue
        until = [o.until for o in d.obligations if o.until is not None]
        verdict = _cell(summary, d.verdict.value, fill=_VERDICT_FILL[d.verdict.value])
        _append(
            summary,
            [
                item.workbook,
                item.product,
                d.hs,
                d.agreement,
                _cell(summary, d.date, "yyyy-mm-dd"),
                _cell(summary, d.law_version, "yyyy-mm-dd"),
                verdict,
                "; ".join(d.basis),
                d.psr,
                "; ".join(d.missing),
                _cell(summary, max(until), "yyyy-mm-dd") if until else None,
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
            _append(
                materials,
                [
                    item.product,
                    row.id,
                    row.depth,
                    row.description,
                    row.hs,
                    row.declared_status,
                    row.status,
                    _cell(materials, _number(row.value), MONEY),
                    row.counted_as,
                    _cell(materials, vom, MONEY),
                    _cell(materials, vnm, MONEY),
                    "" if row.tariff_shift is None else _MARK[row.tariff_shift],
                    "yes" if row.de_minimis else "",
                    _cell(materials, share, PERCENT),
                    "; ".join(str(c) for c in row.citations),
                    "; ".join(row.notes),
                ],
            )
            material_row += 1
        for material, depth, parent in _unexamined(item, d):
            _append(
                materials,
                [
                    item.product,
                    material.id,
                    depth,
                    material.description,
                    "" if material.hs is None else str(material.hs),
                    "" if material.status is None else material.status.value,
                    "",
                    _cell(materials, _number(material.value), MONEY),
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
    problems = _sheet(
        book,
        "Problems",
        ("workbook", "where", "severity", "product", "message"),
        (18, 14, 9, 16, 120),
    )
    for issue in issues:
        _append(
            problems,
            [issue.workbook, issue.where, issue.severity.value, issue.product, issue.message],
        )
    if ledger is not None:
        _append(problems, [])
        _append(problems, ["row accounting", "", "", "", ledger.summary()])
    book.save(handle)


def _unexamined(item: Decided, d: Determination) -> list[tuple[Material, int, str]]:
    """BOM lines of the case the determination has no row for — components of a material
    that counts as a whole (e.g. an originating intermediate) — with depth and parent."""
    if item.case is None:
        return []
    listed = {row.id for row in d.materials}
    found: list[tuple[Material, int, str]] = []

    def walk(lines: Sequence[Material], depth: int, parent: str) -> None:
        for material in lines:
            if material.id not in listed:
                found.append((material, depth, parent))
            walk(material.components, depth + 1, material.id)

    walk(item.case.materials, 0, "")
    return found


def _de_minimis_base(d: Determination) -> tuple[str, Any]:
    for step in d.steps:
        for inner in step.walk():
            if inner.test == "de minimis" and len(inner.inputs) >= 2:
                label, value = inner.inputs[1]
                if isinstance(value, Decimal) and value > 0:
                    return label, value
    return "", None


def _rvc_rows(  # noqa: PLR0917
    sheet: WriteOnlyWorksheet, item: Decided, d: Determination, first: int, last: int, row: int
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
                cells.extend([name, _cell(sheet, _number(value), MONEY), None])
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
                cells.extend([name, _cell(sheet, _number(value), MONEY), None])
                continue
            formula = Formula("=" + "+".join([*sums, f"{other_col}{row_number}"]))
            cells.extend([name, _cell(sheet, formula, MONEY), _cell(sheet, _number(rest), MONEY)])
        live = _excel_formula(result.formula, refs) if result.inputs else None
        rvc_col = get_column_letter(5 + INPUT_SLOTS * 3)
        threshold_col = get_column_letter(6 + INPUT_SLOTS * 3)
        rvc_ref, threshold_ref = f"{rvc_col}{row_number}", f"{threshold_col}{row_number}"
        cells.extend(
            [
                _cell(sheet, live, PERCENT),
                _cell(sheet, _number(result.threshold), PERCENT),
                _cell(sheet, Formula(f"={rvc_ref}-{threshold_ref}") if live else None, PERCENT),
                _live_test(result.formula, refs, result.threshold, rvc_ref, threshold_ref)
                if live
                else None,
                _exact_text(result.value),
                _MARK[result.outcome],
                "; ".join(f"{s} {direction} {_money(b)}" for s, direction, b in result.headroom),
                result.note,
            ]
        )
        _append(sheet, cells)
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


def _live_test(
    text: str, refs: dict[str, str], threshold: Fraction, rvc_ref: str, threshold_ref: str
) -> Any:
    """The live pass/fail: ``numerator >= threshold × denominator`` on the cells (exact while
    the products of the amounts stay within the 15-16 significant digits of a double, which
    division and ROUND would not be); ``ROUND(…, 9)`` on the RVC only where the formula cannot
    be put in that form."""
    parts = _without_division(text)
    if parts is None:
        return Formula(f'=IF(ROUND({rvc_ref},9)>=ROUND({threshold_ref},9),"meets","fails")')
    numerator, denominator = (
        re.sub(r"[A-Za-z_]\w*", lambda m: refs[m.group(0)], p).replace("**", "^") for p in parts
    )
    if threshold.denominator == 1:
        right = f"{threshold_ref}*({denominator})"
        left = f"({numerator})"
    else:  # a threshold Excel cannot hold exactly: its numerator and denominator instead
        right = f"{threshold.numerator}*({denominator})"
        left = f"{threshold.denominator}*({numerator})"
    return Formula(f'=IF({left}>={right},"meets","fails")')


def _explain(sheet: WriteOnlyWorksheet, product: str, d: Determination, base: str) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")

    def add(step: Step, depth: int) -> None:
        _append(
            sheet,
            [
                product,
                depth,
                _MARK[step.outcome],
                step.test,
                str(step.citation),
                _cell(sheet, step.summary, alignment=wrap),
                "; ".join(step.missing) if step.outcome is Outcome.NEEDS_INFO else "",
            ],
        )
        for child in step.children:
            add(child, depth + 1)

    _append(sheet, [product, 0, d.verdict.value, "verdict", "", "; ".join(d.basis), ""])
    for step in d.steps:
        add(step, 1)
    for result in d.rvc:
        _append(
            sheet,
            [
                product,
                1,
                _MARK[result.outcome],
                f"RVC {result.method}",
                str(result.citation),
                f"{result.formula}: {_exact_text(result.value)} vs {_exact_text(result.threshold)}"
                + (f" ({result.note})" if result.note else ""),
                "",
            ],
        )
    for note in d.notes:
        _append(sheet, [product, 1, "note", "note", "", note, ""])
    for obligation in d.obligations:
        until = f" (until {obligation.until.isoformat()})" if obligation.until else ""
        _append(
            sheet,
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
        _append(
            sheet,
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
