"""Invariants of workbook import, checked on generated inputs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from origin import registry
from origin.workbook import cells
from origin.workbook.fields import float_decimal
from origin.workbook.mapping import template_layout
from origin.workbook.reader import _Reader

LAW = registry.get("anzcerta").law


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
