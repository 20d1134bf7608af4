"""Invariants of workbook import, checked on generated inputs (hypothesis)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from origin import registry
from origin.caseio import load_case_or_worked
from origin.model import Case
from origin.workbook import batch, cells, export, limits
from origin.workbook.fields import float_decimal
from origin.workbook.mapping import template_layout
from origin.workbook.reader import _Reader
from origin.workbook.template import write_template

LAW = registry.get("anzcerta").law
CASES = Path(__file__).resolve().parent.parent / "agreements" / "cases" / "anzcerta"


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_a_typed_amount_comes_back_exactly(amount: Decimal) -> None:
    """Excel stores the typed amount as a double; its shortest repr gives the amount back."""
    assert float_decimal(float(amount)) == amount


CELL = st.one_of(
    st.just(""),
    st.floats(min_value=-5, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from(["abc", "12.50", "1,234.5", "-3", "#N/A", "  ", "8471.30", "9999.99"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", ""]), CELL, CELL, CELL), max_size=40))
def test_every_row_is_imported_or_reported(rows: list[tuple[str, object, object, object]]) -> None:
    """Whatever the cells hold, imported + reported = non-blank input rows, per sheet."""
    product = [
        ["product", "hs", "currency", "adjusted value"],
        ["P1", "8471.30", "NZD", 100.0],
        ["P2", "8471.30", "NZD", 100.0],
    ]
    bom = [["product", "part id", "hs", "value", "status"]]
    for i, (owner, hs, value, status) in enumerate(rows):
        bom.append([owner, f"M{i}" if i % 7 else "", hs, value, status])
    reader = _Reader("generated.xlsx", template_layout(), LAW)
    reader.sheet(cells.SheetRows("Product", iter([product])))
    reader.sheet(cells.SheetRows("BOM", iter([bom])))
    reader.flag(cells.Flags())
    result = reader.finish()
    ledger = result.ledger
    assert ledger.balanced(), ledger.summary()
    non_blank = sum(1 for row in bom if any(str(c).strip() for c in row))
    assert ledger.input_rows["BOM"] == non_blank
    # A product is decided only when none of its rows was reported with a problem.
    for item in result.products:
        if item.case is not None:
            assert all(i.product != item.product for i in result.errors)


# --------------------------------------------------------------------------- issue 12
# A cell given twice in a sheet's XML: the XML check must place cells exactly as the reader
# does, and the cheap count that decides whether to look (limits._values against the
# reader's non-empty cells) must never miss a value given twice.

_CELL_XML = st.tuples(
    st.sampled_from(["ref", "ref-lower", "ref-zero", "none"]),  # how the cell names its place
    st.integers(0, 3),  # column
    st.integers(1, 4),  # row its reference names
    st.sampled_from(["v", "is", "empty", "closed", "v-empty"]),  # what it holds
)
_ROW_XML = st.tuples(
    st.one_of(st.none(), st.integers(1, 4)),  # r, or none
    st.booleans(),  # self-closing (then no cells)
    st.lists(_CELL_XML, max_size=4),
)


def _sheet_xml(
    rows: list[tuple[int | None, bool, list[tuple[str, int, int, str]]]],
) -> tuple[bytes, list[object]]:
    """The sheet's XML, and the value of each cell with a <v> or <is> element, in order
    (None for an empty <v></v>, which the reader reads as an empty cell)."""
    out = []
    number = 0
    expected: list[object] = []
    for r, closed, cells_ in rows:
        attribute = f' r="{r}"' if r is not None else ""
        if closed:
            out.append(f"<row{attribute}/>")
            continue
        out.append(f"<row{attribute}>")
        for how, column, row, holds in cells_:
            number += 1
            letters = "ABCD"[column]
            ref = {
                "ref": f' r="{letters}{row}"',
                "ref-lower": f' r="{letters.lower()}{row}"',
                "ref-zero": f' r="{letters}0{row}"',
                "none": "",
            }[how]
            body = {
                "v": f"<v>{number}</v>",
                "is": f"<is><t>t{number}</t></is>",
                "empty": "",
                "closed": None,
                "v-empty": "<v></v>",
            }[holds]
            kind = ' t="inlineStr"' if holds == "is" else ""
            if holds in ("v", "is", "v-empty"):
                expected.append({"v": float(number), "is": f"t{number}"}.get(holds))
            out.append(f"<c{ref}{kind}/>" if body is None else f"<c{ref}{kind}>{body}</c>")
        out.append("</row>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = f'<worksheet xmlns="{main}"><sheetData>{"".join(out)}</sheetData></worksheet>'
    return xml.encode(), expected


def _calamine_cells(path: Path) -> dict[tuple[int, int], object]:
    import python_calamine  # noqa: PLC0415

    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S")
    rows = sheet.to_python(skip_empty_area=False)
    return {(i, j): v for i, row in enumerate(rows) for j, v in enumerate(row) if v != ""}


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW_XML, min_size=1, max_size=5))
def test_cells_are_placed_as_the_reader_places_them(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[int | None, bool, list[tuple[str, int, int, str]]]],
) -> None:
    folder = tmp_path_factory.mktemp("xml")
    base = folder / "base.xlsx"
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "S"
    book.save(base)
    data, expected = _sheet_xml(rows)
    path = folder / "sheet.xlsx"
    with zipfile.ZipFile(base) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            new.writestr(
                item, data if item.filename == "xl/worksheets/sheet1.xml" else old.read(item)
            )
    placed = list(limits._placements(data))
    read = _calamine_cells(path)
    values = limits._values(data)
    assert values == len(placed) == len(expected)
    twice = limits._given_twice(data)
    places = [p for p, _, _ in placed]
    if len(set(places)) == len(places):
        assert twice is None
        # the reader gives each value where the check placed it, and nothing else
        model = {p: v for p, v in zip(places, expected, strict=True) if v is not None}
        assert read == model, (read, model)
    else:
        assert twice is not None and twice[0] in places
        assert len(read) < values  # the cheap count sends the sheet to the exact check


# Issue 12, finding 1: whatever rows cannot be placed, or hold a problem, no product that such
# a row could belong to is exported with claim_preference=yes; the other products are decided.

_IDS = ("A", "B", "a", "C", "D")
_MODES = ("exact", "exact", "exact", "blank", "merged", "case", "unknown", "bad value")
_TIGHT = {1: ["100.01"], 2: ["60.01", "40.00"], 3: ["50.01", "30.00", "20.00"]}
_SLACK = {1: ["80.00"], 2: ["50.00", "30.00"], 3: ["40.00", "20.00", "20.00"]}


@st.composite
def _workbooks(draw: st.DrawFn) -> tuple[list[tuple[str, int, bool]], list[str]]:
    """Up to 5 products (id, BOM lines, tight: one cent below 50 % RVC with every line, so
    originating if any line is lost) and a mode for each BOM line, in workbook order."""
    ids = draw(st.lists(st.sampled_from(_IDS), min_size=1, max_size=5, unique=True))
    products = [(i, draw(st.integers(1, 3)), draw(st.booleans())) for i in ids]
    modes: list[str] = []
    for product, lines, _ in products:
        for _ in range(lines):
            mode = draw(st.sampled_from(_MODES))
            if mode in ("blank", "merged") and len(ids) == 1:
                mode = "exact"  # one product: a blank product cell is that product's
            if mode == "merged" and (not modes or modes[-1] == "merged"):
                mode = "blank"
            if mode == "case" and product.swapcase() in ids:
                mode = "exact"  # it would name the other product exactly
            modes.append(mode)
    return products, modes


def _cases(products: list[tuple[str, int, bool]]) -> list[Case]:
    """ANZCERTA worked case 07 once per product, with its lines' values."""
    case, _ = load_case_or_worked(CASES / "07-build-down-one-cent-below.json")
    model = case.materials[0]
    return [
        attrs.evolve(
            case,
            good=attrs.evolve(case.good, id=product),
            materials=tuple(
                attrs.evolve(model, id=f"{product}-M{j}", value=Decimal(v), description="")
                for j, v in enumerate((_TIGHT if tight else _SLACK)[lines])
            ),
        )
        for product, lines, tight in products
    ]


def _spoil(sheet: Any, modes: list[str], ids: list[str]) -> set[str]:
    """Each BOM line's mode applied to its row; the products a problem row could belong to."""
    headers = [c.value for c in sheet[1]]
    product, value, part = (headers.index(h) + 1 for h in ("product", "value", "part id"))
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, part).value]
    assert len(rows) == len(modes)
    could: set[str] = set()
    for row, mode in zip(rows, modes, strict=True):
        cell = sheet.cell(row, product)
        owner = str(cell.value)
        if mode == "blank":
            cell.value = None
            could |= set(ids)
        elif mode == "merged":  # shows the row above's product; holds none
            sheet.merge_cells(
                start_row=row - 1, start_column=product, end_row=row, end_column=product
            )
            could |= set(ids)
        elif mode == "case":
            cell.value = owner.swapcase()
            could |= {i for i in ids if i.casefold() == owner.casefold()}
        elif mode == "unknown":
            cell.value = "Z9"
            could |= set(ids)
        elif mode == "bad value":
            sheet.cell(row, value).value = "abc"
            could.add(owner)
    return could


@settings(max_examples=12, deadline=None)
@given(_workbooks())
def test_no_product_a_problem_row_could_belong_to_claims_preference(
    tmp_path_factory: pytest.TempPathFactory,
    generated: tuple[list[tuple[str, int, bool]], list[str]],
) -> None:
    """The real path (import, decide, broker export) on generated workbooks of up to five
    products whose BOM rows may have a blank, merged, case-changed or unknown product cell
    or a bad value: a product such a row could belong to is never claim_preference=yes, and
    every other product is decided from all of its lines."""
    products, modes = generated
    path = tmp_path_factory.mktemp("products") / "products.xlsx"
    agreement = registry.get("anzcerta")
    write_template(path, agreement, _cases(products))
    book = openpyxl.load_workbook(path)
    could = _spoil(book["BOM"], modes, [p for p, _, _ in products])
    book.save(path)
    result = batch.check([path], agreement, dt.date(2025, 6, 1))
    out = io.StringIO()
    export.write(result.decided, "csv", out)
    exported = {r["product_id"]: r for r in export.read_csv(out.getvalue())}
    for product, _, tight in products:
        record = exported[product]
        if product in could:
            assert record["claim_preference"] == "no", (product, modes, record)
        else:
            expected = "not originating" if tight else "originating"
            assert record["verdict"] == expected, (product, modes, record)


_COLUMN = st.text("ABCDXYZ", min_size=1, max_size=4)
_ROW = st.integers(1, 999_999_999).map(str) | st.sampled_from(["1", "099", "1048576"])


@given(st.lists(st.tuples(_COLUMN, _ROW), max_size=40), st.integers(0, 2_000))
def test_a_sheets_extent_is_its_furthest_row_and_column(cells: list[Any], at_least: int) -> None:
    """The scan's extent (each distinct row number and column read once) is the largest
    row and column any cell names, computed cell by cell."""
    from origin.workbook.problems import column_index  # noqa: PLC0415

    data = b"".join(f'<c r="{column}{row}"><v>1</v></c>'.encode() for column, row in cells)
    rows = max([at_least, *(int(row) for _, row in cells)])
    columns = max([0, *(column_index(column) + 1 for column, _ in cells)])
    assert limits._exact(data, at_least) == (rows, columns)
