"""Headers in the wrong words (issue #18): a misspelt header stops its sheet with a
suggestion, common synonyms are read, and a sheet whose rows cannot be read stops every
product — never a good decided without its BOM.

The workbook is the template's example (``origin template --agreement anzcerta``): the desk
DESK-1, originating under ANZCERTA by RVC50 (factory-cost), 61.54 %.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from origin import registry
from origin.cli import main
from origin.workbook.problems import Severity
from origin.workbook.reader import import_workbook

LAW = registry.get("anzcerta").law


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.xlsx"
    assert main(["template", str(path), "--agreement", "anzcerta", "--example"]) == 0
    return path


def _rename(path: Path, sheet: str, old: str, new: str) -> None:
    book = openpyxl.load_workbook(path)
    cells = [c for c in book[sheet][1] if c.value == old]
    assert len(cells) == 1, (sheet, old)
    cells[0].value = new
    book.save(path)


def test_the_template_example_is_decided(desk: Path) -> None:
    result = import_workbook(desk, law=LAW)
    assert [p.case is not None for p in result.products] == [True]


def test_a_misspelt_header_stops_the_sheet_with_a_suggestion(desk: Path) -> None:
    # "stauts" read as an unknown column would have left every material "undetermined"
    # (the RVC changes, exit 0): it is an error naming the field, and nothing is decided.
    _rename(desk, "BOM", "status", "stauts")
    result = import_workbook(desk, law=LAW)
    errors = [i for i in result.issues if i.severity is Severity.ERROR]
    assert any(
        "column 'stauts' is not a field of this sheet: did you mean 'status'?" in i.message
        and i.sheet == "BOM"
        and i.row == 1
        for i in errors
    )
    assert [p.case for p in result.products] == [None]


def test_an_unrelated_header_is_only_a_warning(desk: Path) -> None:
    _rename(desk, "BOM", "attributes", "buyer notes")
    result = import_workbook(desk, law=LAW)
    warned = [i for i in result.issues if "'buyer notes' is not read" in i.message]
    assert [i.severity for i in warned] == [Severity.WARNING]
    assert result.products[0].case is not None


@pytest.mark.parametrize(
    ("sheet", "header", "synonym"),
    [("Product", "adjusted value", "AV"), ("BOM", "quantity", "Qty"),
     ("BOM", "origin country", "Country of origin"), ("BOM", "unit", "UOM")],
)  # fmt: skip
def test_common_synonyms_are_read(desk: Path, sheet: str, header: str, synonym: str) -> None:
    before = import_workbook(desk, law=LAW).products[0].case
    _rename(desk, sheet, header, synonym)
    result = import_workbook(desk, law=LAW)
    assert result.products[0].case == before
    assert not [i for i in result.issues if synonym in i.message]


def test_fob_value_is_read_as_fob(desk: Path) -> None:
    book = openpyxl.load_workbook(desk)
    sheet = book["Product"]
    column = next(c.column for c in sheet[1] if c.value == "fob")
    sheet.cell(1, column).value = "FOB value"
    sheet.cell(2, column).value = 1200
    book.save(desk)
    case = import_workbook(desk, law=LAW).products[0].case
    assert case is not None and str(case.good.fob) == "1200"


def test_a_sheet_without_a_header_stops_every_product(desk: Path) -> None:
    # The BOM's key column renamed beyond recognition: its header row is not found. Before,
    # the desk was decided with no materials at all ("originating"); now nothing is.
    _rename(desk, "BOM", "part id", "qqqqqq")
    result = import_workbook(desk, law=LAW)
    assert any("no header row found" in i.message for i in result.issues)
    assert [p.case for p in result.products] == [None]
