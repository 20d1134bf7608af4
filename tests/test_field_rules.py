"""The same bad value in the same field gives the same message from a JSON case and from a
workbook (issue 14): both readers convert through origin.fields, and each adds only its
location (the JSON path; the workbook's cell and column header)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from origin import fields, registry
from origin.caseio import CaseFormatError, case_from_json
from origin.workbook.problems import Severity
from origin.workbook.reader import import_workbook

_CASE: dict[str, Any] = {
    "schema": "origin-case/1",
    "currency": "NZD",
    "good": {"id": "P1", "hs": "9403.30", "adjusted_value": "100"},
    "materials": [{"id": "M1", "value": "10"}],
    "consignment": {},
}
# (JSON path, workbook sheet, workbook header): the same field in each input.
_PLACES = {
    "adjusted_value": (("good", "adjusted_value"), "Product", "adjusted value"),
    "last_process_in": (("good", "last_process_in"), "Product", "last process in"),
    "hs": (("good", "hs"), "Product", "hs"),
    "tariff_item": (("good", "tariff_item"), "Product", "tariff item"),
    "value": (("materials", 0, "value"), "BOM", "value"),
    "material_hs": (("materials", 0, "hs"), "BOM", "hs"),
    "origin_country": (("materials", 0, "origin_country"), "BOM", "origin country"),
    "status": (("materials", 0, "status"), "BOM", "status"),
    "basis": (("materials", 0, "basis"), "BOM", "basis"),
    "packaging": (("materials", 0, "packaging"), "BOM", "packaging"),
    "self_produced": (("materials", 0, "self_produced"), "BOM", "self produced"),
    "imported_on": (("consignment", "imported_on"), "Consignment", "imported on"),
}
_ROWS: dict[str, dict[str, object]] = {
    "Product": {"product": "P1", "hs": "9403.30", "currency": "NZD", "adjusted value": "100"},
    "BOM": {"product": "P1", "part id": "M1", "value": 10},
    # Two headers, so that the sheet's header row is found (a sheet whose rows cannot be
    # read stops every product: see tests/test_workbook_headers.py).
    "Consignment": {"product": "P1", "exported from": "AU"},
}
_LAW = registry.get("anzcerta").law


def _json_message(field: str, value: object) -> str:
    keys, _, _ = _PLACES[field]
    case = copy.deepcopy(_CASE)
    target: Any = case
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    with pytest.raises(CaseFormatError) as caught:
        case_from_json(case)
    path = ".".join(str(k) for k in keys).replace(".0.", "[0].")
    found = [p.message for p in caught.value.problems if p.path == path]
    assert len(found) == 1, caught.value.problems
    return found[0]


def _workbook_issues(tmp_path: Path, field: str, value: object) -> list[tuple[str, str]]:
    """(header, message) of each error the workbook gives, with the value in the field."""
    _, sheet_name, header = _PLACES[field]
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    letters: dict[str, dict[str, str]] = {}
    for name, cells in _ROWS.items():
        row = dict(cells)
        if name == sheet_name:
            row[header] = value
        sheet = book.create_sheet(name)
        sheet.append(list(row))
        sheet.append(list(row.values()))
        letters[name] = {get_column_letter(i + 1): h for i, h in enumerate(row)}
    path = tmp_path / "case.xlsx"
    book.save(path)
    result = import_workbook(path, law=_LAW)
    return [
        (letters.get(i.sheet, {}).get(i.column, ""), i.message)
        for i in result.issues
        if i.severity is Severity.ERROR and i.row == 2
    ]


def _workbook_message(tmp_path: Path, field: str, value: object) -> str:
    _, _, header = _PLACES[field]
    found = [m for h, m in _workbook_issues(tmp_path, field, value) if h == header]
    assert len(found) == 1, _workbook_issues(tmp_path, field, value)
    return found[0]


_BAD = [
    # amounts
    ("value", "-5"),
    ("value", Decimal("-5")),
    ("value", "-0"),
    ("value", "(5)"),
    ("value", "abc"),
    ("value", "1O0"),
    ("value", "12.5.1"),
    ("value", "1e20"),
    ("value", "1e-20"),
    ("value", "12345678901234567890"),
    ("value", "NaN"),
    ("value", "Infinity"),
    ("value", "-Infinity"),
    ("adjusted_value", "-100.50"),
    ("adjusted_value", "100 NZD"),
    # country codes
    ("origin_country", "nz"),
    ("origin_country", "NZL"),
    ("origin_country", "China"),
    ("origin_country", "N"),
    ("last_process_in", "au"),
    # dates
    ("imported_on", "01/06/2025"),
    ("imported_on", "2025-6-1"),
    ("imported_on", "2025-02-30"),
    ("imported_on", "2025-13-01"),
    ("imported_on", "2025-06-01T10:00"),
    ("imported_on", "2025-06-01 10:00"),
    # enum words
    ("status", "yes"),
    ("status", "originated"),
    ("basis", "invoice"),
    ("packaging", "box"),
    # HS codes
    ("hs", "9"),
    ("hs", "940"),
    ("hs", "94AB"),
    ("hs", "9999"),
    ("hs", "8471.99"),
    ("material_hs", "77"),
    ("material_hs", "8471.30.00.00K"),
    # tariff items
    ("tariff_item", "9403.30"),
    ("tariff_item", "9403.3000"),
    ("tariff_item", "8471.30.00"),
]


@pytest.mark.parametrize(("field", "value"), _BAD, ids=[f"{f}={v!s}" for f, v in _BAD])
def test_json_and_workbook_give_the_same_message(tmp_path: Path, field: str, value: object) -> None:
    json_message = _json_message(field, value)
    cell = float(value) if isinstance(value, Decimal) else value  # a number cell
    workbook_message = _workbook_message(tmp_path, field, cell)
    _, _, header = _PLACES[field]
    # The workbook puts the column header before the rule's message (the JSON path names the
    # field); HS messages name the HS code themselves.
    prefix = "" if field in ("hs", "material_hs") else f"{header} "
    assert workbook_message == prefix + json_message


def test_messages_say_what_was_expected() -> None:
    expected = {
        "-5": "'-5' is negative (amounts are zero or more)",
        "abc": "'abc' is not a number (expected a decimal amount such as 1234.50)",
        "1e20": "'1e20' is out of range (expected an amount below 10^15)",
        "1e-20": "'1e-20' is too small to be an amount (expected zero or at least 10^-12)",
    }
    for value, message in expected.items():
        assert _json_message("value", value) == message
    assert _json_message("status", "yes") == (
        "'yes' is not one of: originating, non-originating, undetermined"
    )
    assert _json_message("origin_country", "nz") == (
        "'nz' is not a two-letter country code (ISO 3166, e.g. AU, NZ)"
    )
    assert _json_message("imported_on", "2025-02-30") == (
        "'2025-02-30' is not a date (expected YYYY-MM-DD)"
    )


# ----------------------------------------------------------------- differences by design


def test_flags_json_takes_true_false_a_workbook_also_yes_no(tmp_path: Path) -> None:
    """JSON has a true/false type; a text "yes" is not it. A workbook cell has no such type,
    so it takes yes/no words (origin.fields.FLAG_WORDS). A word neither takes is refused by
    each with its own list of what it takes."""
    assert _json_message("self_produced", "yes") == (
        "'yes' is not true or false (expected true or false, unquoted)"
    )
    assert _json_message("self_produced", "maybe") == (
        "'maybe' is not true or false (expected true or false, unquoted)"
    )
    assert not _workbook_issues(tmp_path, "self_produced", "yes")
    assert _workbook_message(tmp_path, "self_produced", "maybe") == (
        "self produced 'maybe' is not yes or no (expected true/false, yes/no)"
    )


def test_blank_and_separators_follow_each_inputs_form(tmp_path: Path) -> None:
    """An empty JSON string is a value, and refused; a blank cell is a value not given. A
    workbook's text numbers follow its layout's declared separators (the template's:
    1,234.50); a JSON amount has none."""
    assert _json_message("origin_country", "") == (
        "'' is not a two-letter country code (ISO 3166, e.g. AU, NZ)"
    )
    assert not _workbook_issues(tmp_path, "origin_country", "")
    assert _json_message("value", "1,000") == (
        "'1,000' is not a number (expected a decimal amount such as 1234.50)"
    )
    assert not _workbook_issues(tmp_path, "value", "1,000")
    assert fields.amount("1,000", fields.NumberFormat()) == Decimal(1000)


def test_exponent_form_is_read_by_both(tmp_path: Path) -> None:
    """The case writer writes very large or small amounts in exponent form ("1E+3"), and
    both readers have always read it; it stays accepted, within the range."""
    case = copy.deepcopy(_CASE)
    case["materials"][0]["value"] = "1E+3"
    assert case_from_json(case).materials[0].value == Decimal("1E+3")
    assert not _workbook_issues(tmp_path, "value", "1E+3")
