"""The ready-to-fill workbook, and writing cases into its layout.

Each column has a note saying what it means and which provision uses it; columns whose
values are a fixed list (statuses, bases) or the agreement's own words (cost categories,
facts) get a dropdown fed from a hidden ``Lists`` sheet. HS codes and ids are text-formatted
so Excel keeps leading zeros. A dropdown refuses any other value (a ``words`` column, which
holds a comma-separated list, only warns). Each input sheet is an Excel Table
(``ProductTable``, ``BOMTable``, …). The input sheets are empty; the example, a worked case of
the chosen agreement, is on the ``Example`` sheet, which the reader ignores, or in the input
rows when asked (``example_in_inputs``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from origin import strict_json
from origin.agreement import Agreement
from origin.caseio import case_from_json, load_case_or_worked
from origin.model import Case, Cost, Material, OriginStatus, Packaging
from origin.workbook.fields import FIELDS, ROLES, SHEET_TITLES, Field

_HEAD = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="305496")
_REQUIRED = PatternFill("solid", fgColor="C00000")
_EXAMPLE_HEAD = PatternFill("solid", fgColor="808080")
_TEXT_KINDS = ("id", "text", "hs", "words", "adjustments", "countries", "country", "currency")
_EXAMPLE_ROWS = 500  # dropdowns and text formats reach this far


def example_cases(agreement: Agreement | None) -> list[Case]:
    """A worked case of the agreement with the richest BOM, or the bundled demo."""
    if agreement is not None and agreement.cases is not None:
        best: tuple[int, Case] | None = None
        for path in sorted(agreement.cases.glob("*.json")):
            case, _ = load_case_or_worked(path)
            score = sum(1 for _ in case.walk()) + len(case.costs)
            if best is None or score > best[0]:
                best = (score, case)
        if best is not None:
            return [best[1]]
    text = resources.files("origin").joinpath("data", "demo_case.json").read_text("utf-8")
    return [case_from_json(strict_json.loads(text), "demo")]


def write_template(
    path: Path,
    agreement: Agreement | None = None,
    cases: Sequence[Case] | None = None,
    *,
    example_in_inputs: bool = False,
) -> None:
    """The template. ``cases`` are written into the input rows. Without them the input
    sheets are empty and a worked example of the agreement is shown on the ``Example``
    sheet, which the reader ignores (typing over example rows would leave stale cells);
    ``example_in_inputs`` writes the example into the input rows instead, ready to check."""
    if cases is not None:
        inputs, shown = list(cases), None
    elif example_in_inputs:
        inputs, shown = example_cases(agreement), None
    else:
        inputs, shown = [], example_cases(agreement)
    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "Instructions"
    _instructions(intro, agreement, "sheet" if shown is not None else "inputs" if inputs else "")
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    list_columns: dict[str, str] = {}
    for role in ROLES:
        _input_sheet(book, role, agreement, list(_rows(role, inputs)), (lists, list_columns))
    if shown is not None:
        _example_sheet(book, shown)
    book.move_sheet("Lists", offset=len(book.sheetnames))
    book.save(path)


def _input_sheet(
    book: Any,
    role: str,
    agreement: Agreement | None,
    rows: Sequence[dict[str, Any]],
    lists: tuple[Any, dict[str, str]],
) -> None:
    """One input sheet: notes on its headers, dropdowns, text formats, its rows, its Table."""
    sheet = book.create_sheet(SHEET_TITLES[role])
    specs = FIELDS[role]
    list_sheet, list_columns = lists
    for index, field in enumerate(specs, start=1):
        cell = sheet.cell(row=1, column=index, value=field.header)
        cell.font = _HEAD
        cell.fill = _REQUIRED if field.required else _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        note = field.meaning + (f" Provision: {field.provision}." if field.provision else "")
        if field.required:
            note += " Required."
        cell.comment = Comment(note, "origin", width=300, height=120)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(field.header) + 6))
        options = _options(field, agreement)
        if options:
            key = f"{role}.{field.key}"
            if key not in list_columns:
                list_columns[key] = get_column_letter(len(list_columns) + 1)
                list_sheet.cell(row=1, column=len(list_columns), value=key)
                for row, option in enumerate(options, start=2):
                    list_sheet.cell(row=row, column=len(list_columns), value=option)
            rule = _dropdown(field, list_columns[key], options)
            rule.add(f"{letter}2:{letter}{_EXAMPLE_ROWS}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    _write_rows(sheet, specs, rows, 2)
    for index in (i for i, f in enumerate(specs, start=1) if f.kind in _TEXT_KINDS):
        for row_index in range(2, max(len(rows) + 2, 50)):
            sheet.cell(row=row_index, column=index).number_format = "@"
    # The input range as an Excel Table (header and at least one row): filterable, and
    # Excel extends it, with its formats, as rows are typed just below it.
    last = f"{get_column_letter(len(specs))}{max(len(rows) + 1, 2)}"
    table = Table(displayName=table_name(role), ref=f"A1:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)


def table_name(role: str) -> str:
    """The Excel Table of a role's input sheet: ``ProductTable``, ``BOMTable``, …"""
    return f"{SHEET_TITLES[role]}Table"


def _write_rows(
    sheet: Any, specs: Sequence[Field], rows: Sequence[dict[str, Any]], at: int
) -> None:
    for row_index, values in enumerate(rows, start=at):
        for index, field in enumerate(specs, start=1):
            value = values.get(field.key)
            if value is not None:
                cell = sheet.cell(row=row_index, column=index, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text ("=…" is no formula here)


# Excel's limits: an error title of 32 characters, an error message of 255.
_TITLE_MAX, _MESSAGE_MAX = 32, 255


def _dropdown(field: Field, column: str, options: Sequence[str]) -> DataValidation:
    """A list dropdown fed from the Lists sheet that refuses any other value (Excel's "stop"
    alert), naming the allowed values. A ``words`` column (attributes, transit operations)
    holds a comma-separated list of its words, or 'none', so there a value not in the list
    is only warned about (Excel's "warning" alert: Yes keeps it); the import checks each
    word."""
    several = field.kind == "words"
    head = f"'{field.header}' takes " + ("words from: " if several else "one of: ")
    tail = (
        ". Several words are written comma-separated ('none' for none): choose Yes to keep a list."
        if several
        else "."
    )
    allowed = ", ".join(options)
    room = _MESSAGE_MAX - len(head) - len(tail)
    if len(allowed) > room:
        cut = " … (all in the dropdown)"
        allowed = allowed[: room - len(cut)].rsplit(", ", 1)[0] + cut
    return DataValidation(
        type="list",
        formula1=f"=Lists!${column}$2:${column}${len(options) + 1}",
        allow_blank=True,
        showDropDown=False,  # (sic: False shows the in-cell arrow)
        showErrorMessage=True,
        errorStyle="warning" if several else "stop",
        errorTitle=("Not a listed word" if several else "Not an allowed value")[:_TITLE_MAX],
        error=head + allowed + tail,
    )


def _example_sheet(book: Any, cases: Sequence[Case]) -> None:
    """The example's rows, role by role, on a sheet the reader does not read."""
    sheet = book.create_sheet("Example")
    sheet.sheet_properties.tabColor = "808080"
    sheet.cell(
        row=1, column=1, value="EXAMPLE: this sheet is not read. It shows a worked case"
    ).font = Font(bold=True, size=14)
    sheet.cell(
        row=2,
        column=1,
        value="Each block below has the columns of the input sheet it names: type your own rows "
        "there (or copy these rows there to check the example).",
    )
    row = 4
    widths: dict[int, int] = {}
    for role in ROLES:
        specs = FIELDS[role]
        rows = list(_rows(role, cases))
        title = f"{SHEET_TITLES[role]} sheet" + ("" if rows else ": no rows in this example")
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True)
        row += 1
        if rows:
            for index, field in enumerate(specs, start=1):
                cell = sheet.cell(row=row, column=index, value=field.header)
                cell.font = _HEAD
                cell.fill = _EXAMPLE_HEAD
                widths[index] = max(widths.get(index, 12), min(40, len(field.header) + 6))
            _write_rows(sheet, specs, rows, row + 1)
            row += len(rows) + 1
        row += 1
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width


def _options(field: Field, agreement: Agreement | None) -> tuple[str, ...]:
    if field.choices:
        return field.choices
    if field.vocabulary and agreement is not None:
        return tuple(agreement.law.vocabularies.get(field.vocabulary, {}))
    if field.kind in ("flag", "tristate"):
        return ("yes", "no")
    return ()


def _instructions(sheet: Any, agreement: Agreement | None, example: str) -> None:
    """``example``: "sheet" (on the Example sheet), "inputs" (in the input rows) or ""."""
    lines = [
        "origin workbook template",
        "",
        "Fill one row per product on Product, one row per material on BOM, and so on; the "
        "'product' column links the rows of every sheet to their product.",
        "Red headers are required. Hover over a header for what it means and which provision "
        "uses it. Amounts are exact decimals in the product's currency (or give a line "
        "currency and a rate on Rates).",
        "HS codes and ids are text: type 0101.21, not 101.21.",
        "Multi-level BOMs: give each line a level (1 = direct material, 2 = its component, …, "
        "also written 1, .2, ..3), or a parent id.",
        "Lists: blank = not stated; 'none' = stated as none (operations, transit).",
        "Consignment route: 'direct' = shipped directly; 'via transit' = the stops are on "
        "Transit; blank = not stated.",
        {
            "sheet": "The input sheets are empty. The Example sheet (not read) shows a worked "
            "case, sheet by sheet; 'origin template OUT.xlsx --example' writes it into the "
            "input rows instead, ready to check.",
            "inputs": "The rows already filled in are the product(s) to check (or the example): "
            "delete a whole row to remove it, do not only type over it.",
            "": "The input sheets are empty: one row per product, material, cost line, ….",
        }[example],
        "Each input sheet is an Excel Table (ProductTable, BOMTable, …): rows typed just "
        "below it join it. Dropdowns refuse other values, except attributes and transit "
        "operations, which take a comma-separated list of their words.",
        "Check the workbook with: origin check WORKBOOK.xlsx --agreement NAME --out results.xlsx",
    ]
    if agreement is not None:
        lines.insert(
            1, f"Agreement: {agreement.title} ({agreement.law.instrument}, {agreement.regulations})"
        )
    for row, line in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 120


# --------------------------------------------------------------------------- cases → rows


def _words(items: Sequence[str] | None) -> str | None:
    if items is None:
        return None
    return ", ".join(items) if items else "none"


def _cell(value: Decimal | None) -> Any:
    """Amounts go in as numbers; Decimal keeps its exact text in the file."""
    return value


def _rows(role: str, cases: Sequence[Case]) -> Iterator[dict[str, Any]]:
    for case in cases:
        yield from _case_rows(role, case)


def _case_rows(role: str, case: Case) -> Iterator[dict[str, Any]]:
    g = case.good
    if role == "product":
        yield {
            "product": g.id,
            "description": g.description or None,
            "hs": str(g.hs),
            "currency": case.currency,
            "psr": case.psr,
            "adjusted_value": _cell(g.adjusted_value),
            "fob": _cell(g.fob),
            "ex_works": _cell(g.ex_works),
            "transaction_value": _cell(g.transaction_value),
            "produced_in": ", ".join(g.produced_in) or None,
            "last_process_in": g.last_process_in,
            "operations": _words(g.operations),
            "wholly_obtained": g.wholly_obtained,
            "weight": _cell(g.weight),
            "tariff_item": g.tariff_item,
            "customs_value": _cell(g.customs_value),
            "reference": case.reference or None,
        }
    elif role == "bom":
        nested = any(m.components for m in case.materials)
        for depth, material in case.walk():
            yield _material_row(g.id, material, depth + 1 if nested else None)
    elif role == "costs":
        owned: list[tuple[str | None, Cost]] = [(None, c) for c in case.costs]
        owned += [(m.id, c) for _, m in case.walk() for c in m.costs]
        for part, cost in owned:
            yield {
                "product": g.id,
                "part": part,
                "cost": cost.id,
                "category": cost.category,
                "amount": _cell(cost.amount),
                "description": cost.description or None,
                "incurred_in": cost.incurred_in,
                "originating": _flag(cost.originating),
            }
    elif role == "consignment" and case.consignment is not None:
        c = case.consignment
        route = None if c.transit is None else ("via transit" if c.transit else "direct")
        yield {
            "product": g.id,
            "exported_from": c.exported_from,
            "imported_on": c.imported_on,
            "route": route,
        }
    elif role == "transit" and case.consignment is not None:
        for stop in case.consignment.transit or ():
            yield {
                "product": g.id,
                "country": stop.country,
                "operations": _words(stop.operations),
                "entered_commerce": _flag(stop.entered_commerce),
            }
    elif role == "facts":
        for name, value in case.facts.items():
            shown = _flag(value) if isinstance(value, bool) else str(value)
            yield {"product": g.id, "fact": name, "value": shown}
    elif role == "rules":
        for name, rule in case.psr_by_agreement.items():
            yield {"product": g.id, "agreement": name, "rule": rule}


def _flag(value: object) -> str | None:
    if value is None:
        return None
    return "yes" if value else "no"


def _material_row(product: str, m: Material, level: int | None) -> dict[str, Any]:
    accessory = m.accessory
    return {
        "product": product,
        "level": level,
        "part": m.id,
        "description": m.description or None,
        "hs": str(m.hs) if m.hs else None,
        "quantity": _cell(m.quantity),
        "unit": m.unit,
        "value": _cell(m.value),
        "basis": m.basis.value if m.basis else None,
        "origin_country": m.origin_country,
        "status": None if m.status is OriginStatus.UNDETERMINED else m.status.value,
        "self_produced": "yes" if m.self_produced else None,
        "indirect": "yes" if m.indirect else None,
        "packaging": None if m.packaging is Packaging.NONE else m.packaging.value,
        "accessory": accessory.kind.value if accessory else None,
        "invoiced_separately": _flag(accessory.invoiced_separately) if accessory else None,
        "customary": _flag(accessory.customary) if accessory else None,
        "weight": _cell(m.weight),
        "attributes": ", ".join(sorted(m.attributes)) or None,
        "adjustments": "; ".join(f"{a.kind}={a.amount}" for a in m.adjustments) or None,
        "psr": m.psr,
        "produced_in": m.produced_in,
        "operations": _words(m.operations),
        "supplier": m.supplier,
        "supplier_part": m.supplier_part,
        "declaration": m.declaration,
    }
