"""The results workbook is printable and reviewable (issue 18): page setup on every sheet,
a title block, headline figures on Summary, Materials in BOM tree order with the columns a
reviewer needs, the de minimis cell wherever the test was applied, Excel Tables and named
ranges, currency formats, and the row accounting on its own sheet. The acceptance test
prints the results of a 30-line kettle with LibreOffice and counts the pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import origin
import origin.cli
from origin import registry
from origin.caseio import case_from_json, load_case_or_worked
from origin.model import Case
from origin.workbook import results
from origin.workbook.export import Decided
from origin.workbook.problems import Issue, Ledger, Severity
from origin.workbook.template import write_template

CASES = Path(__file__).resolve().parents[1] / "agreements" / "cases"
DAY = dt.date(2025, 6, 1)
PREPARED = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)

# The kettle's direct materials besides the body assembly and the element: id, HS, value.
_PARTS = [
    ("CORD", "8544.42", "6.10"),
    ("PLUG", "8536.69", "1.20"),
    ("SWITCH", "8536.50", "2.35"),
    ("THERMOSTAT", "9032.10", "3.80"),
    ("LAMP", "8539.52", "0.40"),
    ("BASE", "3926.90", "2.15"),
    ("BASE-CONTACT", "8536.90", "1.75"),
    ("LID", "3926.90", "1.05"),
    ("LID-HINGE", "8302.10", "0.30"),
    ("FILTER", "8421.21", "0.55"),
    ("GAUGE", "3926.90", "0.45"),
    ("GASKET", "4016.93", "0.20"),
    ("FEET", "4016.99", "0.12"),
    ("LABEL", "4821.10", "0.05"),
    ("MANUAL", "4911.99", "0.35"),
    ("CARTON", "4819.10", "0.90"),
    ("INSERT", "4823.70", "0.40"),
    ("BAG", "3923.21", "0.08"),
    ("TIE", "3926.90", "0.02"),
    ("SCREWS", "7318.15", "0.16"),
]
_BODY = [
    ("SHELL", "7323.93", "4.20"),
    ("HANDLE", "3926.90", "0.90"),
    ("SPOUT", "7323.93", "0.60"),
    ("WINDOW", "3926.90", "0.35"),
    ("RIVETS", "7318.23", "0.10"),
    ("SEAL", "4016.93", "0.15"),
    ("INSULATION", "6806.10", "0.25"),
    ("BADGE", "8310.00", "0.10"),
]


def _kettle(element: str = "5.00") -> Case:
    """A 30-line kettle: a body assembly made in Australia (originating, so its 8 components
    are listed, not counted), a heating element of the kettle's own heading (it fails CTH;
    de minimis decides) and 20 further parts."""
    body = {
        "id": "BODY-ASSY",
        "description": "Body assembly, welded in Melbourne",
        "hs": "8516.90",
        "value": "12.00",
        "status": "originating",
        "origin_country": "AU",
        "basis": "production-cost",
        "quantity": "1",
        "unit": "pc",
        "components": [
            {
                "id": f"BODY-{part}",
                "description": f"{part.lower()} of the body",
                "hs": hs,
                "value": value,
                "status": "non-originating",
                "origin_country": "CN",
            }
            for part, hs, value in _BODY
        ],
    }
    parts = [
        {
            "id": part,
            "description": f"{part.lower().replace('-', ' ')}",
            "hs": hs,
            "value": value,
            "status": "non-originating",
            "origin_country": "CN",
            "basis": "customs-value",
            "quantity": "2" if part == "FEET" else "1",
            "unit": "pc",
        }
        for part, hs, value in _PARTS
    ]
    element_line = {
        "id": "ELEMENT",
        "description": "Concealed heating element (parts of heading 85.16)",
        "hs": "8516.80",
        "value": element,
        "status": "non-originating",
        "origin_country": "DE",
        "basis": "customs-value",
        "quantity": "1",
        "unit": "pc",
    }
    return case_from_json(
        {
            "schema": "origin-case/1",
            "currency": "AUD",
            "psr": "CTH",
            "good": {
                "id": "KET-1700",
                "description": "Electric kettle, 1.7 l",
                "hs": "8516.79",
                "adjusted_value": "100.00",
                "produced_in": ["AU"],
                "last_process_in": "AU",
                "operations": ["assembly", "testing", "packing"],
            },
            "materials": [body, element_line, *parts],
            "consignment": {"exported_from": "AU", "imported_on": "2025-06-01", "transit": []},
        }
    )


def _decided(case: Case, workbook: str = "kettle.xlsx") -> Decided:
    plugin = registry.get("anzcerta")
    return Decided(workbook, case.good.id, plugin, case, plugin.determine(case, DAY))


def _sheet(path: Path, title: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[title].iter_rows(values_only=True))


def _by_header(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if any(row)]


def test_the_kettle_has_30_lines() -> None:
    assert sum(1 for _ in _kettle().walk()) == 30


def test_materials_are_in_bom_tree_order_indented_with_origin_basis_and_quantity(
    tmp_path: Path,
) -> None:
    """Parents then their components (Case.walk), not components appended at the bottom;
    the description indented by depth; origin country, valuation basis, quantity, unit."""
    case = _kettle()
    out = tmp_path / "r.xlsx"
    results.write_results(out, [_decided(case)], prepared=PREPARED)
    rows = _by_header(_sheet(out, "Materials"))
    assert [r["id"] for r in rows] == [m.id for _, m in case.walk()]
    assert [r["depth"] for r in rows] == [depth for depth, _ in case.walk()]
    assert rows[1]["id"] == "BODY-SHELL" and rows[1]["counted as"] == "within BODY-ASSY"
    assert rows[9]["id"] == "ELEMENT"
    body, element, feet = rows[0], rows[9], next(r for r in rows if r["id"] == "FEET")
    assert (body["origin country"], body["valuation basis"]) == ("AU", "production-cost")
    assert (element["origin country"], element["valuation basis"]) == ("DE", "customs-value")
    assert (feet["quantity"], feet["unit"]) == (2, "pc")
    assert rows[1]["origin country"] == "CN" and rows[1]["valuation basis"] is None
    sheet = openpyxl.load_workbook(out)["Materials"]
    assert sheet["D3"].value == "shell of the body" and sheet["D3"].alignment.indent == 1
    assert not sheet["D2"].alignment.indent
    # The live formulas still point at the value cells of the same rows.
    assert sheet["K11"].value == "=H11"  # ELEMENT's VNM
    assert '"AUD"' in sheet["H11"].number_format


@pytest.mark.parametrize(
    ("element", "expected"),
    [("5.00", "meets"), ("25.00", "fails")],
)
def test_the_de_minimis_cell_is_filled_wherever_the_test_was_applied(
    tmp_path: Path, element: str, expected: str
) -> None:
    """ELEMENT fails CTH; de minimis rescues it at 5 % of the adjusted value and not at
    25 %: either way the cell says what the test said (it was blank when it failed)."""
    out = tmp_path / "r.xlsx"
    results.write_results(out, [_decided(_kettle(element))], prepared=PREPARED)
    rows = {r["id"]: r for r in _by_header(_sheet(out, "Materials"))}
    assert rows["ELEMENT"]["tariff shift"] == "fails"
    assert rows["ELEMENT"]["de minimis"] == expected
    assert rows["ELEMENT"]["share of base %"] == "=H11/100.00*100"
    assert rows["CORD"]["de minimis"] in ("", None)


def test_summary_has_the_headline_figures(tmp_path: Path) -> None:
    """The decisive RVC, the value of the good, the preference code and the currency."""
    case, day = load_case_or_worked(CASES / "anzcerta" / "06-build-down-exactly-50.json")
    assert day is not None
    plugin = registry.get("anzcerta")
    item = Decided("w.xlsx", case.good.id, plugin, case, plugin.determine(case, day))
    out = tmp_path / "r.xlsx"
    results.write_results(out, [item], prepared=PREPARED)
    row = _by_header(_sheet(out, "Summary")[:2])[0]
    assert row["verdict"] == "originating"
    assert (row["RVC method"], row["RVC %"], row["RVC reading"]) == ("build-down", 50, "exact")
    assert row["value of the good"] == case.good.adjusted_value
    assert row["value as"] == "adjusted value"
    assert row["currency"] == "AUD"
    assert row["preference code"] == "/".join(plugin.law.preference_codes_of(case))
    summary = openpyxl.load_workbook(out)["Summary"]
    value = summary.cell(2, results.SUMMARY_HEADERS.index("value of the good") + 1)
    assert value.number_format == '#,##0.00## "AUD"'


def test_title_block_and_its_fields(tmp_path: Path) -> None:
    """Toolkit and law versions, dates decided, currency, when prepared (injected here),
    and blank prepared-by / reviewed-by fields reachable by name."""
    out = tmp_path / "r.xlsx"
    results.write_results(out, [_decided(_kettle())], prepared=PREPARED)
    rows = _sheet(out, "Summary")
    block = {row[0]: row[1] for row in rows[2:] if row[0]}
    d = _decided(_kettle()).determination
    assert d is not None
    assert block["toolkit"] == f"origin {origin.__version__}"
    assert block["law version(s)"] == d.law_version.isoformat()
    assert block["date(s) decided"] == "2025-06-01"
    assert block["currency"] == "AUD"
    assert block["prepared"] == "2026-01-02 03:04 UTC by origin check"
    assert block["products"] == "1: 1 originating"
    for label in ("prepared by", "reviewed by", "date reviewed"):
        assert label in block and block[label] is None
    book = openpyxl.load_workbook(out)
    where = book.defined_names["Prepared_by"].attr_text
    row = next(i for i, r in enumerate(rows, 1) if r[0] == "prepared by")
    assert where == f"Summary!$B${row}:$D${row}"
    assert book.properties.created == dt.datetime(2026, 1, 2, 3, 4)


def test_the_same_run_gives_the_same_workbook(tmp_path: Path) -> None:
    """With the preparation time given, two writes hold the same parts, byte for byte."""
    item = _decided(_kettle())
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    results.write_results(first, [item], prepared=PREPARED)
    results.write_results(second, [item], prepared=PREPARED)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def test_every_sheet_prints_landscape_one_page_wide_with_titles_and_a_table(
    tmp_path: Path,
) -> None:
    ledger = Ledger()
    ledger.seen("kettle.xlsx:BOM", 3)
    ledger.accept("kettle.xlsx:BOM", 2)
    ledger.report("kettle.xlsx:BOM", 1, "header row")
    out = tmp_path / "r.xlsx"
    long_text = "x" * 40_000  # cut: makes the Full text sheet
    item = _decided(_kettle())
    issues = [Issue("kettle.xlsx", long_text, severity=Severity.WARNING)]
    results.write_results(out, [item], issues, ledger, prepared=PREPARED)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Summary",
        "RVC",
        "Materials",
        "Explanation",
        "Problems",
        "Row accounting",
        "Full text",
    ]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        header, footer = sheet.HeaderFooter.oddHeader, sheet.HeaderFooter.oddFooter
        assert header is not None and footer is not None
        assert header.center.text == "KET-1700: anzcerta", sheet.title
        assert footer.center.text == "page &P of &N", sheet.title
        (table,) = sheet.tables.values()
        names = [c.name for c in table.tableColumns]
        assert names == [c.value for c in sheet[1]], sheet.title
        assert table.ref.startswith("A1:"), sheet.title
    assert book["Materials"].tables["MaterialsTable"].ref == "A1:X31"
    assert book["Summary"].tables["SummaryTable"].ref == "A1:V2"  # not the title block


def test_row_accounting_has_its_own_sheet_one_row_per_sheet_and_reported_run(
    tmp_path: Path,
) -> None:
    ledger = Ledger()
    ledger.seen("kettle.xlsx:BOM", 8)
    ledger.accept("kettle.xlsx:BOM", 3)
    for row in (1, 5, 6, 7):
        ledger.report("kettle.xlsx:BOM", row, "header row" if row == 1 else "blank product")
    ledger.report("kettle.xlsx:BOM", 9, "blank product")
    ledger.seen("kettle.xlsx:Lists", 2)
    ledger.report("kettle.xlsx:Lists", 1, "sheet ignored (the layout says so)")
    ledger.report("kettle.xlsx:Lists", 2, "sheet ignored (the layout says so)")
    out = tmp_path / "r.xlsx"
    results.write_results(out, [], [], ledger, prepared=PREPARED)
    rows = _sheet(out, "Row accounting")
    assert rows[0] == results.ROW_ACCOUNTING_HEADERS
    assert rows[1:] == [
        ("kettle.xlsx:BOM", "all", 8, 3, 5, "8 rows, 3 imported, 5 reported"),
        ("kettle.xlsx:BOM", "1", 1, 0, 1, "reported: header row"),
        ("kettle.xlsx:BOM", "5–7", 3, 0, 3, "reported: blank product"),
        ("kettle.xlsx:BOM", "9", 1, 0, 1, "reported: blank product"),
        ("kettle.xlsx:Lists", "all", 2, 0, 2, "2 rows, 0 imported, 2 reported"),
        ("kettle.xlsx:Lists", "1–2", 2, 0, 2, "reported: sheet ignored (the layout says so)"),
    ]
    problems = _sheet(out, "Problems")
    assert not any("row accounting" in str(cell) for row in problems for cell in row)


def test_a_ledger_that_does_not_balance_says_so(tmp_path: Path) -> None:
    ledger = Ledger()
    ledger.seen("k.xlsx:BOM", 4)
    ledger.accept("k.xlsx:BOM", 2)
    out = tmp_path / "r.xlsx"
    results.write_results(out, [], [], ledger, prepared=PREPARED)
    assert "does not balance" in _sheet(out, "Row accounting")[1][5]


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of each page of a PDF LibreOffice wrote (no object streams)."""
    pages = []
    for match in re.finditer(rb"/Type\s*/Page(?![s\w])", pdf):
        start = pdf.rfind(b" obj", 0, match.start())
        end = pdf.find(b"endobj", match.end())
        box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", pdf[start:end])
        assert box is not None, "a page without its own MediaBox"
        x0, y0, x1, y1 = (float(v) for v in box.group(1).split())
        pages.append((x1 - x0, y1 - y0))
    return pages


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed, so the workbook cannot be printed to PDF "
    "here: apt-get install -y --no-install-recommends libreoffice-calc",
)
def test_the_results_of_a_30_line_product_print_on_at_most_6_landscape_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18's acceptance: the kettle (30 BOM lines, filled into the template) checked
    with ``origin check --out``, printed by LibreOffice: at most 6 pages, all landscape,
    and no sheet wider than a page (each is set to fit one page wide, read back)."""
    book = tmp_path / "kettle.xlsx"
    write_template(book, registry.get("anzcerta"), [_kettle()])
    out = tmp_path / "results.xlsx"
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("origin.workbook.cli",))
    argv = ["check", str(book), "--agreement", "anzcerta", "--date", "2025-06-01"]
    assert origin.cli.main([*argv, "--out", str(out)]) == 0
    written = openpyxl.load_workbook(out)
    assert "Row accounting" in written.sheetnames
    assert len(_by_header(list(written["Materials"].iter_rows(values_only=True)))) == 30
    for sheet in written.worksheets:
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage, sheet.title
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pages = _pages((tmp_path / "results.pdf").read_bytes())
    assert len(written.sheetnames) <= len(pages) <= 6, (len(pages), written.sheetnames)
    assert all(width > height for width, height in pages), pages


def test_page_headers_escape_ampersands_and_control_characters(tmp_path: Path) -> None:
    """A product id is the input's text: '&' would start a header code, ESC is no text."""
    case = _kettle()
    odd = Decided("k.xlsx", "A&B\x1b", registry.get("anzcerta"), case, _decided(case).determination)
    out = tmp_path / "r.xlsx"
    results.write_results(out, [odd], prepared=PREPARED)
    header = openpyxl.load_workbook(out)["RVC"].HeaderFooter.oddHeader
    assert header.center.text == "A&&B\\x1b: anzcerta"
    assert header.right.text == "2026-01-02 03:04 UTC"
    two = tmp_path / "two.xlsx"
    results.write_results(two, [_decided(case), odd], prepared=PREPARED)
    header = openpyxl.load_workbook(two)["Summary"].HeaderFooter.oddHeader
    assert header.center.text == "2 products: anzcerta"
