"""A corpus of malformed and hostile workbooks, generated here: each gives its specific,
located message, one line for unreadable files, and never a traceback. Plus row accounting."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import attrs
import openpyxl
import pytest

import origin.cli
from origin import registry
from origin.caseio import load_case_or_worked
from origin.workbook import export, limits
from origin.workbook.fields import FIELDS, SHEET_TITLES, CellError, date
from origin.workbook.problems import column_letter
from origin.workbook.reader import import_workbook
from origin.workbook.template import write_template

CASES = Path(__file__).resolve().parent.parent / "agreements" / "cases"
PLUGIN = registry.get("anzcerta")


def _good(path: Path) -> Path:
    """ANZCERTA worked case 09 (BOM, costs, consignment) in the template."""
    case, _ = load_case_or_worked(CASES / "anzcerta" / "09-factory-cost.json")
    write_template(path, PLUGIN, [case])
    return path


def _edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    _good(path)
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def _column(book: openpyxl.Workbook, sheet: str, header: str) -> int:
    return [c.value for c in book[sheet][1]].index(header) + 1


def _set(sheet: str, header: str, row: int, value: object) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        cell = book[sheet].cell(row=row, column=_column(book, sheet, header))
        cell.value = value
        if isinstance(value, int | float):
            cell.number_format = "General"

    return change


def _rezip(path: Path, replace: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> Path:
    source = _good(path.with_suffix(".src.xlsx"))
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", compress) as new:
        for item in old.infolist():
            new.writestr(item.filename, replace.get(item.filename, old.read(item.filename)))
        for name, data in replace.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return path


def _bomb(path: Path) -> Path:
    big = b"<sst>" + b"<si><t>" + b"A" * (40 * 1024 * 1024) + b"</t></si></sst>"
    return _rezip(path, {"xl/sharedStrings.xml": big})


def _entities(path: Path) -> Path:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol2;</t></si></sst>"
    )
    return _rezip(path, {"xl/sharedStrings.xml": lol})


def _entities_after_a_comment(path: Path) -> Path:
    """Review finding 9: the DTD follows a 6,000-byte comment (legal in the prolog)."""
    lol = (
        b'<?xml version="1.0"?><!--' + b"x" * 6000 + b'--><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol;</t></si></sst>"
    )
    return _rezip(path, {"xl/sharedStrings.xml": lol})


def _prefixed_formula(path: Path) -> Path:
    """Review finding 5: the BOM sheet binds the main namespace to a prefix (valid OOXML, as
    some generators write it) and holds a formula with no saved result in a value cell."""
    source = _good(path.with_suffix(".src.xlsx"))
    part = "xl/worksheets/sheet3.xml"  # Instructions, Product, BOM
    with zipfile.ZipFile(source) as old:
        xml = old.read(part).decode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    assert f'xmlns="{main}"' in xml
    xml = xml.replace(f'xmlns="{main}"', f'xmlns:x="{main}"')
    xml = re.sub(r"<(/?)([A-Za-z]+)(?=[ >/])", r"<\1x:\2", xml)
    ref = _at("bom", "value", 2).split("!")[1]
    xml = re.sub(
        rf'<x:c r="{ref}"[^>]*?(/>|>.*?</x:c>)', f'<x:c r="{ref}"><x:f>100+100</x:f></x:c>', xml
    )
    assert "<x:f>100+100" in xml
    return _rezip(path, {part: xml.encode()})


def _error_cell(path: Path) -> Path:
    """A cached Excel error (#DIV/0!) in a Costs amount, as Excel saves it (openpyxl cannot)."""
    source = _good(path.with_suffix(".src.xlsx"))
    with zipfile.ZipFile(source) as old:
        part = "xl/worksheets/sheet4.xml"
        xml = old.read(part).decode()
    ref = _at("costs", "amount", 2).split("!")[1]
    xml = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>', xml)
    return _rezip(path, {part: xml.encode()})


def _given_twice(path: Path, how: str) -> Path:
    """The BOM sheet's XML gives the first line's value twice, as a hand-made or damaged file
    may: a second <row r="2"> (or a second value cell in row 2) with another value. The reader
    keeps the later one: 999 instead of the value shown first."""
    source = _good(path.with_suffix(".src.xlsx"))
    part = "xl/worksheets/sheet3.xml"  # Instructions, Product, BOM
    with zipfile.ZipFile(source) as old:
        xml = old.read(part).decode()
    ref = _at("bom", "value", 2).split("!")[1]
    row = re.search(r'<row r="2".*?</row>', xml)
    cell = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml)
    assert row is not None and cell is not None
    changed = re.sub(r"<v>[^<]*</v>", "<v>999</v>", cell.group(0))
    if how == "row":
        twice = row.group(0) + row.group(0).replace(cell.group(0), changed)
    else:
        twice = row.group(0).replace(cell.group(0), cell.group(0) + changed)
    return _rezip(path, {part: xml.replace(row.group(0), twice).encode()})


def _far_cell(path: Path) -> Path:
    def change(book: openpyxl.Workbook) -> None:
        book["BOM"]["XFD1048576"] = "stray"

    return _edit(path, change)


def _ole(path: Path, encrypted: bool) -> Path:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    body += ("EncryptionInfo" if encrypted else "Workbook").encode("utf-16-le") + b"\0" * 2000
    path.write_bytes(body)
    return path


def _truncated(path: Path) -> Path:
    data = _good(path.with_suffix(".src.xlsx")).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_workbook_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return path


def _write(content: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def _formula_without_value(book: openpyxl.Workbook) -> None:
    _set("BOM", "value", 2, "=SUM(1,2)")(book)


def _duplicate_part(book: openpyxl.Workbook) -> None:
    sheet = book["BOM"]
    sheet.cell(
        row=3,
        column=_column(book, "BOM", "part id"),
        value=sheet.cell(row=2, column=_column(book, "BOM", "part id")).value,
    )


def _parents(book: openpyxl.Workbook, values: dict[int, str]) -> None:
    for row, parent in values.items():
        book["BOM"].cell(row=row, column=_column(book, "BOM", "parent id"), value=parent)


def _cycle(book: openpyxl.Workbook) -> None:
    sheet = book["BOM"]
    part = _column(book, "BOM", "part id")
    first, second = sheet.cell(row=2, column=part).value, sheet.cell(row=3, column=part).value
    _parents(book, {2: str(second), 3: str(first)})


def _mixed_currency(book: openpyxl.Workbook) -> None:
    _set("BOM", "currency", 2, "USD")(book)


def _missing_required_column(book: openpyxl.Workbook) -> None:
    book["Costs"].cell(row=1, column=_column(book, "Costs", "amount")).value = "colour"


def _no_header(book: openpyxl.Workbook) -> None:
    sheet = book["Costs"]
    for cell in sheet[1]:
        cell.value = None
    sheet.cell(row=1, column=1, value="x")


def _merged_header(book: openpyxl.Workbook) -> None:
    """Review finding 3: a merged header cell leaves the currency column without a header."""
    _set("BOM", "currency", 2, "USD")(book)
    currency = _column(book, "BOM", "currency")
    book["BOM"].merge_cells(start_row=1, start_column=currency - 1, end_row=1, end_column=currency)


def _past_the_headers(book: openpyxl.Workbook) -> None:
    sheet = book["BOM"]
    sheet.cell(row=2, column=sheet.max_column + 2, value="important note")


def _formulas_on_an_empty_row(book: openpyxl.Workbook) -> None:
    """Review finding 4: two formulas without saved results on an otherwise empty BOM row."""
    row = book["BOM"].max_row + 2
    _set("BOM", "value", row, "=1+1")(book)
    _set("BOM", "quantity", row, "=2+2")(book)


def _level_and_parent(book: openpyxl.Workbook) -> None:
    """Review finding 11: level 1 (in the product) but a parent id (under the first part)."""
    _set("BOM", "level", 2, 1)(book)
    _set("BOM", "level", 3, 1)(book)
    first = book["BOM"].cell(row=2, column=_column(book, "BOM", "part id")).value
    _parents(book, {3: str(first)})


def _date_cell(
    sheet: str, header: str, row: int, serial: float
) -> Callable[[openpyxl.Workbook], None]:
    """A number in a date-formatted cell, as Excel stores a date (the reader sees a date)."""

    def change(book: openpyxl.Workbook) -> None:
        cell = book[sheet].cell(row=row, column=_column(book, sheet, header))
        cell.value = serial
        cell.number_format = "yyyy-mm-dd"

    return change


def _merge(sheet: str, header: str, first: int, last: int) -> Callable[[openpyxl.Workbook], None]:
    """The column's cells from row ``first`` to ``last`` merged (Excel keeps the first value)."""

    def change(book: openpyxl.Workbook) -> None:
        column = _column(book, sheet, header)
        book[sheet].merge_cells(
            start_row=first, start_column=column, end_row=last, end_column=column
        )

    return change


def _at(role: str, key: str, row: int) -> str:
    """Where a template field sits, e.g. BOM!I2."""
    index = [f.key for f in FIELDS[role]].index(key)
    return f"{SHEET_TITLES[role]}!{column_letter(index)}{row}"


# name → (how to make it, expected message part, expected location or None for whole-file)
CORPUS: dict[str, tuple[Callable[[Path], Path], str, str | None]] = {
    "empty": (_write(b""), "is empty (0 bytes)", None),
    "csv-renamed": (_write(b"part,value\nA,1\n"), "is a CSV text file", None),
    "text-renamed": (_write(b"just some notes\n"), "plain-text text file", None),
    "xls-renamed": (lambda p: _ole(p, False), "old-format Excel (.xls) file", None),
    "encrypted": (lambda p: _ole(p, True), "password-protected", None),
    "truncated-zip": (_truncated, "is damaged", None),
    "random-bytes": (_write(bytes(range(256)) * 8), "not an Excel workbook", None),
    "pdf": (_write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "PDF document", None),
    "html": (_write(b"<html><body><table></table></body></html>"), "web page (HTML)", None),
    "zip-not-workbook": (_not_workbook_zip, "no xl/workbook.xml", None),
    "zip-bomb": (_bomb, "refused as a zip bomb", None),
    "xml-entities": (_entities, "declares a DTD or entities", None),
    "far-cell": (_far_cell, "spans 1,048,576 rows × 16,384 columns", None),
    "text-in-number": (
        lambda p: _edit(p, _set("BOM", "value", 2, "abc")),
        "value 'abc' is not a number",
        _at("bom", "value", 2),
    ),
    "negative": (
        lambda p: _edit(p, _set("BOM", "value", 3, -5)),
        "is negative",
        _at("bom", "value", 3),
    ),
    "thousands-wrong": (
        lambda p: _edit(p, _set("BOM", "value", 2, "1,23,4")),
        "is not a number",
        _at("bom", "value", 2),
    ),
    "excel-error": (
        _error_cell,
        "holds an Excel error value",
        _at("costs", "amount", 2),
    ),
    "formula-no-value": (
        lambda p: _edit(p, _formula_without_value),
        "formula with no saved result",
        _at("bom", "value", 2),
    ),
    "duplicate-part": (lambda p: _edit(p, _duplicate_part), "is used twice", _at("bom", "part", 3)),
    "cycle": (lambda p: _edit(p, _cycle), "is its own ancestor", _at("bom", "parent", 2)),
    "missing-parent": (
        lambda p: _edit(p, lambda b: _parents(b, {2: "NOPE"})),
        "parent id 'NOPE' is not a part",
        _at("bom", "parent", 2),
    ),
    "level-jump": (
        lambda p: _edit(
            p, lambda b: (_set("BOM", "level", 2, 1)(b), _set("BOM", "level", 3, 3)(b))
        ),
        "level 3 follows level 1",
        _at("bom", "level", 3),
    ),
    "unknown-hs": (
        lambda p: _edit(p, _set("BOM", "hs", 2, "8471.99")),
        "does not exist in HS 2022",
        _at("bom", "hs", 2),
    ),
    "hs-as-number": (
        lambda p: _edit(p, _set("BOM", "hs", 2, 101.21)),
        "stored as a number",
        _at("bom", "hs", 2),
    ),
    "mixed-currency": (
        lambda p: _edit(p, _mixed_currency),
        "no USD/AUD rate is given",
        _at("bom", "currency", 2),
    ),
    "bad-country": (
        lambda p: _edit(p, _set("BOM", "origin country", 2, "China")),
        "not a two-letter country code",
        _at("bom", "origin_country", 2),
    ),
    "bad-status": (
        lambda p: _edit(p, _set("BOM", "status", 2, "maybe")),
        "'maybe' is not one of",
        _at("bom", "status", 2),
    ),
    "unknown-cost-category": (
        lambda p: _edit(p, _set("Costs", "category", 2, "bribes")),
        "'bribes' is not one of",
        _at("costs", "category", 2),
    ),
    "text-date": (
        lambda p: _edit(p, _set("Consignment", "imported on", 2, "01/06/2025")),
        "is not a date",
        _at("consignment", "imported_on", 2),
    ),
    "serial-date": (
        lambda p: _edit(p, _set("Consignment", "imported on", 2, 45809)),
        "Excel serial for",
        _at("consignment", "imported_on", 2),
    ),
    # Issue 12: Excel's serial 60 is 29 February 1900, a day that never was (readers give
    # 28 February: Excel and other programs disagree on every date before March 1900) …
    "date-serial-60": (
        lambda p: _edit(p, _date_cell("Consignment", "imported on", 2, 60)),
        "before 1 March 1900",
        _at("consignment", "imported_on", 2),
    ),
    # … and a date-formatted serial past 9999-12-31 overflowed while its message was built.
    "date-serial-past-9999": (
        lambda p: _edit(p, _date_cell("Consignment", "imported on", 2, 2958466)),
        "is a number, not a date",
        _at("consignment", "imported_on", 2),
    ),
    # Issue 12: merged data cells read as blank: where that blank replaces the value shown
    # (a required field, or a value merged down over rows), the row has an error.
    "merged-status": (
        lambda p: _edit(p, _merge("BOM", "status", 2, 3)),
        "is part of the merged cells",
        _at("bom", "status", 3),
    ),
    "merged-part-id": (
        lambda p: _edit(p, _merge("BOM", "part id", 2, 3)),
        "is part of the merged cells",
        _at("bom", "part", 3),
    ),
    # Issue 12: a cell given twice in the XML was read as its later value, without a word.
    "row-given-twice": (
        lambda p: _given_twice(p, "row"),
        "refused: BOM!A2 is given twice in the sheet's XML (two rows numbered 2)",
        None,
    ),
    "cell-given-twice": (
        lambda p: _given_twice(p, "cell"),
        f"refused: {_at('bom', 'value', 2)} is given twice in the sheet's XML (twice in one row)",
        None,
    ),
    "bad-flag": (
        lambda p: _edit(p, _set("BOM", "indirect", 2, "perhaps")),
        "is not yes or no",
        _at("bom", "indirect", 2),
    ),
    "missing-required-column": (
        lambda p: _edit(p, _missing_required_column),
        "required column(s) missing: amount",
        "Costs!1",
    ),
    "no-header": (lambda p: _edit(p, _no_header), "no header row found", "Costs"),
    "bom-sheet-deleted": (
        lambda p: _edit(p, lambda b: b.remove(b["BOM"])),
        "no BOM sheet: expected a sheet named 'bom'",
        None,
    ),
    "bom-sheet-renamed": (
        lambda p: _edit(p, lambda b: setattr(b["BOM"], "title", "My BOM")),
        "no BOM sheet: expected a sheet named 'bom' (sheets here: 'Instructions', "
        "'Product', 'My BOM'",
        None,
    ),
    "merged-header": (
        lambda p: _edit(p, _merged_header),
        "holds 'USD' but its column has no header",
        _at("bom", "currency", 2),
    ),
    "value-past-the-headers": (
        lambda p: _edit(p, _past_the_headers),
        "holds 'important note' but its column has no header",
        f"BOM!{column_letter(len(FIELDS['bom']) + 1)}2",
    ),
    "unknown-adjustment": (
        lambda p: _edit(p, _set("BOM", "adjustments", 2, "bribe=5")),
        "adjustment 'bribe' is not one this agreement knows (known: duties, freight",
        _at("bom", "adjustments", 2),
    ),
    "unknown-attribute": (
        lambda p: _edit(p, _set("BOM", "attributes", 2, "shiny")),
        "attributes: 'shiny' not known to this agreement",
        _at("bom", "attributes", 2),
    ),
    "xml-entities-after-comment": (
        _entities_after_a_comment,
        "part xl/sharedStrings.xml declares a DTD or entities",
        None,
    ),
    "prefixed-namespace-formula": (
        _prefixed_formula,
        "formula with no saved result",
        _at("bom", "value", 2),
    ),
    "level-and-parent-disagree": (
        lambda p: _edit(p, _level_and_parent),
        "directly in the product but its parent id says",
        _at("bom", "level", 3),
    ),
    "missing-required-value": (
        lambda p: _edit(p, _set("Costs", "amount", 2, None)),
        "amount is required",
        _at("costs", "amount", 2),
    ),
}


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_workbook_gives_its_located_message(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, expected, where = CORPUS[name]
    path = make(tmp_path / f"{name}.xlsx")
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("origin.workbook.cli",))
    code = origin.cli.main(["check", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert expected in err, err
    lines = [line for line in err.splitlines() if expected in line]
    if where is None:
        assert lines[0].startswith(f"origin: {path.name}: "), lines  # one line, names the file
    else:
        assert any(f"{path.name} {where}" in line for line in lines), (where, err)


def test_a_reader_abort_is_caught_in_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the XML check, the far cell reaches calamine, which aborts: only the child dies."""
    path = _far_cell(tmp_path / "far.xlsx")
    monkeypatch.setattr(limits, "scan", lambda path, checked, **_: ())
    with pytest.raises(limits.WorkbookError, match="reader stopped"):
        import_workbook(path, law=PLUGIN.law)


def test_every_row_is_imported_or_reported(tmp_path: Path) -> None:
    """Row accounting: good rows, a bad row, a blank row, a product with errors, a stray sheet."""
    path = tmp_path / "mixed.xlsx"
    case, _ = load_case_or_worked(CASES / "anzcerta" / "09-factory-cost.json")
    second, _ = load_case_or_worked(CASES / "anzcerta" / "06-build-down-exactly-50.json")
    second = attrs.evolve(second, good=attrs.evolve(second.good, id="OTHER"))
    write_template(path, PLUGIN, [case, second])
    book = openpyxl.load_workbook(path)
    bom = book["BOM"]
    value = _column(book, "BOM", "value")
    product = _column(book, "BOM", "product")
    bad_row = next(r for r in range(2, bom.max_row + 1) if bom.cell(r, product).value == "OTHER")
    bom.cell(row=bad_row, column=value, value="ten")
    bom.insert_rows(3)  # a blank row inside the data is not an input row
    notes = book.create_sheet("Notes")
    notes.append(["remember to ask the supplier"])
    notes.append(["and the freight invoice"])
    book.save(path)
    result = import_workbook(path, law=PLUGIN.law)
    ledger = result.ledger
    assert ledger.balanced(), ledger.summary()
    total = sum(ledger.input_rows.values())
    assert sum(ledger.imported.values()) + len(ledger.reported) == total
    assert ledger.input_rows["Notes"] == 2
    # Review finding 11: the sheets the layout ignores are accounted for too.
    assert ledger.input_rows["Instructions"] > 0
    assert ledger.reported[("Instructions", 1)] == "sheet ignored (the layout says so)"
    assert ledger.reported[("Notes", 1)].startswith("sheet not read")
    reasons = set(ledger.reported.values())
    assert "product OTHER not imported (see its errors)" in reasons
    assert [p.product for p in result.products if p.case is not None] == [case.good.id]
    # Every row of the decided product is imported; the failed product's rows are reported.
    imported_bom = ledger.imported["BOM"]
    assert imported_bom == len(case.materials)
    assert any("'ten' is not a number" in i.message for i in result.issues)


def test_dates_from_cells() -> None:
    assert date(dt.datetime(2025, 6, 1, 0, 0)) == dt.date(2025, 6, 1)
    assert date("2025-06-01") == dt.date(2025, 6, 1)


def test_flagged_cells_on_an_empty_row_count_once_and_stop_the_product(tmp_path: Path) -> None:
    """Review finding 4: the row is one input row, reported once; the product is not decided."""
    path = _edit(tmp_path / "flagged.xlsx", _formulas_on_an_empty_row)
    result = import_workbook(path, law=PLUGIN.law)
    ledger = result.ledger
    assert ledger.balanced(), ledger.summary()
    row = openpyxl.load_workbook(path)["BOM"].max_row
    assert ledger.reported[("BOM", row)].endswith(
        "formula with no saved result (the file was "
        "written by a program that does not calculate; open it in Excel and save it)"
    )
    flagged = [i for i in result.issues if i.row == row and i.sheet == "BOM"]
    assert len(flagged) == 2
    assert [p.case for p in result.products] == [None]


def test_hidden_rows_are_read_with_a_warning(tmp_path: Path) -> None:
    """Review finding 11: a hidden BOM row is imported, and named in a located warning."""

    def hide(book: openpyxl.Workbook) -> None:
        book["BOM"].row_dimensions[3].hidden = True

    result = import_workbook(_edit(tmp_path / "hidden.xlsx", hide), law=PLUGIN.law)
    assert not result.errors
    [warning] = [i for i in result.issues if "hidden row" in i.message]
    assert (warning.sheet, warning.row, warning.severity.value) == ("BOM", 3, "warning")
    assert warning.message.startswith("1 hidden row(s) read like the others (rows 3)")


@pytest.mark.parametrize(
    ("prolog", "declares"),
    [
        (b'<?xml version="1.0"?><worksheet/>', False),
        (b"<!--" + b"x" * 200_000 + b"-->\n<!DOCTYPE a [<!ENTITY b 'c'>]><a/>", True),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<?pi data?>  <!DOCTYPE a><a/>", True),
        ("<?xml?><!--" + "é" * 40_000 + "--><!DOCTYPE a><a/>", True),
        (b"<!--" + b"never closed" * 10_000, False),
        (b"", False),
    ],
)
def test_the_dtd_check_reads_the_whole_prolog(prolog: bytes | str, declares: bool) -> None:
    """Review finding 9: comments of any length, BOMs and UTF-16 parts do not hide a DTD."""
    data = prolog.encode("utf-16") if isinstance(prolog, str) else prolog
    assert limits._prolog_declares_dtd(io.BytesIO(data)) is declares


# --------------------------------------------------------------------------- issue 12
# Nothing wrong ever leaves the toolkit: a row the reader cannot place stops every product it
# could belong to; a value the file gives twice, a merged cell, a hidden sheet or an impossible
# date never reads silently as something else; a deep BOM imports without a traceback.


def _two_products(path: Path) -> Path:
    """ANZCERTA worked case 07 (build-down one cent below 50 %: not originating) twice, as
    DESK-A and DESK-B. Without any one of its BOM lines, either would be originating."""
    case, _ = load_case_or_worked(CASES / "anzcerta" / "07-build-down-one-cent-below.json")
    cases = [
        attrs.evolve(case, good=attrs.evolve(case.good, id=name)) for name in ("DESK-A", "DESK-B")
    ]
    write_template(path, PLUGIN, cases)
    return path


def _bom_rows(book: openpyxl.Workbook, product: str) -> list[int]:
    sheet = book["BOM"]
    column = _column(book, "BOM", "product")
    return [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == product]


def _export(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, dict[str, str]], str]:
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("origin.workbook.cli",))
    code = origin.cli.main(
        ["check", str(path), "--agreement", "anzcerta", "--date", "2025-06-01", "--export", "csv"]
    )
    out, err = capsys.readouterr()
    rows = {r["product_id"]: dict(r) for r in export.read_csv(out)}
    return code, rows, err


def _orphan_blank(book: openpyxl.Workbook) -> None:
    row = _bom_rows(book, "DESK-A")[-1]
    book["BOM"].cell(row, _column(book, "BOM", "product")).value = None


def _orphan_merged(book: openpyxl.Workbook) -> None:
    """DESK-A's product cells merged, as a person tidying the sheet would: the merged range
    shows DESK-A on every row, the file holds it on the first only."""
    rows = _bom_rows(book, "DESK-A")
    column = _column(book, "BOM", "product")
    book["BOM"].merge_cells(
        start_row=rows[0], start_column=column, end_row=rows[-1], end_column=column
    )


def _orphan_case(book: openpyxl.Workbook) -> None:
    row = _bom_rows(book, "DESK-A")[-1]
    book["BOM"].cell(row, _column(book, "BOM", "product")).value = "desk-a"


@pytest.mark.parametrize(
    ("change", "stopped"),
    [
        (_orphan_blank, {"DESK-A", "DESK-B"}),
        (_orphan_merged, {"DESK-A", "DESK-B"}),
        (_orphan_case, {"DESK-A"}),
    ],
    ids=["blank", "merged", "case"],
)
def test_an_orphan_bom_row_stops_every_product_it_could_belong_to(
    change: Callable[[openpyxl.Workbook], None],
    stopped: set[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 12, finding 1: a BOM row whose product is blank, merged away or differs only in
    case was reported, yet DESK-A was decided without it and exported originating with
    claim_preference=yes (with the row, it is one cent below the threshold)."""
    path = _two_products(tmp_path / "orphan.xlsx")
    code, rows, _ = _export(path, monkeypatch, capsys)
    assert code == 0 and {p: r["claim_preference"] for p, r in rows.items()} == {
        "DESK-A": "no",
        "DESK-B": "no",
    }  # both decided: not originating
    book = openpyxl.load_workbook(path)
    row = _bom_rows(book, "DESK-A")[-1]
    change(book)
    book.save(path)
    code, rows, err = _export(path, monkeypatch, capsys)
    assert code == 1
    assert "Traceback" not in err
    for product, record in rows.items():
        assert record["claim_preference"] == "no", (product, record)
        if product in stopped:
            assert record["verdict"] == "error", (product, record)
            # named with the row that stops it
            assert any(
                f"{path.name} BOM!" in line and f"{row}" in line and product in line
                for line in err.splitlines()
            ), err
        elif product in ("DESK-A", "DESK-B"):
            assert record["verdict"] == "not originating"
    result = import_workbook(path, law=PLUGIN.law)
    assert {p.product for p in result.products if p.case is None} >= stopped
    assert result.ledger.balanced(), result.ledger.summary()


def _deep_bom(path: Path, depth: int, by: str) -> Path:
    """One product whose BOM is a chain ``depth`` levels deep, by level or by parent id."""
    book = openpyxl.Workbook()
    product = book.active
    assert product is not None
    product.title = "Product"
    product.append(["product", "hs", "currency", "adjusted value", "psr"])
    product.append(["DEEP-1", "9403.30", "AUD", 1000.0, "RVC50 (build-down)"])
    bom = book.create_sheet("BOM")
    bom.append(["product", "level" if by == "level" else "parent id", "part id", "hs", "value"])
    for at in range(1, depth + 1):
        link: object = at if by == "level" else (f"M{at - 1}" if at > 1 else None)
        bom.append(["DEEP-1", link, f"M{at}", "4407.11", 1.0])
    book.save(path)
    return path


@pytest.mark.parametrize("by", ["level", "parent"])
def test_a_bom_a_thousand_levels_deep_imports(tmp_path: Path, by: str) -> None:
    """Issue 12, finding 3: past about 142 levels the BOM tree was built recursively and the
    import raised RecursionError; now a chain of 1,000 levels imports, in time linear in its
    depth (by the level column and by parent ids alike)."""
    path = _deep_bom(tmp_path / f"deep-{by}.xlsx", 1000, by)
    result = import_workbook(path, law=PLUGIN.law)
    assert [str(i) for i in result.errors] == []
    [product] = result.products
    assert product.case is not None
    depths = [depth for depth, _ in product.case.walk()]
    assert len(depths) == 1000 and max(depths) == 999
    material, level = product.case.materials[0], 1
    while material.components:
        [material] = material.components
        level += 1
    assert (level, material.id) == (1000, "M1000")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(1900, 2, 28), "before 1 March 1900"),  # Excel's serials 59 and 60 both
        (dt.datetime(1899, 12, 31, 0, 0), "before 1 March 1900"),
        (60, "an Excel serial for 29 February 1900, a day that never was"),
        (61.0, "an Excel serial for 1900-03-01"),
        (2958465, "an Excel serial for 9999-12-31"),
        (2958466, "no Excel date has that serial"),
        (1e300, "no Excel date has that serial"),
        (float("inf"), "no Excel date has that serial"),
        (float("nan"), "no Excel date has that serial"),
        (-3, "no Excel date has that serial"),
    ],
)
def test_impossible_dates_give_a_message_not_a_traceback(value: object, expected: str) -> None:
    """Issue 12: no date cell before March 1900 is taken as it reads, and building the message
    for a number that is no Excel date does not overflow."""
    with pytest.raises(CellError, match=re.escape(expected)):
        date(value, "imported on")
    assert date(dt.date(1900, 3, 1)) == dt.date(1900, 3, 1)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_read_with_a_warning(tmp_path: Path, state: str) -> None:
    """Issue 12: a BOM sheet hidden (or very hidden: Excel's menus cannot show it, only VBA)
    was read without a word; it is read, and named in a located warning."""

    def hide(book: openpyxl.Workbook) -> None:
        book["BOM"].sheet_state = state

    result = import_workbook(_edit(tmp_path / f"{state}.xlsx", hide), law=PLUGIN.law)
    assert not result.errors
    assert all(p.case is not None for p in result.products)
    [warning] = [i for i in result.issues if i.sheet == "BOM" and "hidden" in i.message]
    assert warning.severity.value == "warning" and warning.row is None
    assert ("very hidden" in warning.message) is (state == "veryHidden")


def test_merged_cells_that_change_no_value_are_a_warning(tmp_path: Path) -> None:
    """Issue 12: merged cells covering data read as blank; where the blank is what the sheet
    shows (a description merged across the next, optional, column of its own row), the range
    is named in a located warning and the product is decided."""

    def merge(book: openpyxl.Workbook) -> None:
        column = _column(book, "BOM", "description")
        book["BOM"].cell(2, column + 1).value = None
        book["BOM"].merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + 1)

    result = import_workbook(_edit(tmp_path / "merged.xlsx", merge), law=PLUGIN.law)
    assert not result.errors, result.errors
    assert all(p.case is not None for p in result.products)
    [warning] = [i for i in result.issues if "merged" in i.message]
    column = column_letter([f.key for f in FIELDS["bom"]].index("description"))
    assert (warning.sheet, warning.row, warning.column) == ("BOM", 2, column)
    assert warning.severity.value == "warning"


def test_merged_product_cells_of_the_only_product_are_a_warning(tmp_path: Path) -> None:
    """With one product, a blank product cell is that product's: its cells merged down the
    BOM are named in a warning, and the product is decided from every line."""
    path = _edit(tmp_path / "one.xlsx", _merge("BOM", "product", 2, 3))
    result = import_workbook(path, law=PLUGIN.law)
    assert not result.errors, result.errors
    [product] = result.products
    assert product.case is not None and len(product.case.materials) == 2
    [warning] = [i for i in result.issues if "merged" in i.message]
    assert (warning.sheet, warning.row, warning.column) == ("BOM", 2, "A")


def test_many_huge_merged_ranges_cost_no_more_than_the_rows(tmp_path: Path) -> None:
    """2,000 overlapping ranges each over the whole sheet (A2:XFD1048576): 50 warnings and
    a count, an error for the one blank required cell they cover (once), in a moment."""
    source = _edit(tmp_path / "src.xlsx", _set("BOM", "part id", 3, None))
    part = "xl/worksheets/sheet3.xml"  # Instructions, Product, BOM
    with zipfile.ZipFile(source) as old:
        xml = old.read(part)
    ranges = b'<mergeCell ref="A2:XFD1048576"/>' * 2000
    xml = xml.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="2000">' + ranges + b"</mergeCells>"
    )
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(tmp_path / "merges.xlsx", "w") as new:
        for item in old.infolist():
            new.writestr(item, xml if item.filename == part else old.read(item))
    path = tmp_path / "merges.xlsx"
    started = time.perf_counter()
    result = import_workbook(path, law=PLUGIN.law)
    assert time.perf_counter() - started < 10
    warnings = [i for i in result.issues if i.severity.value == "warning" and "merged" in i.message]
    assert len(warnings) == 51 and warnings[-1].message.startswith("… and 1950 more merged ranges")
    part_id = column_letter([f.key for f in FIELDS["bom"]].index("part"))
    covered = [i for i in result.errors if i.column == part_id and "merged cells" in i.message]
    assert [i.row for i in covered] == [3]  # once per row (row 2 holds the range's value)
    assert [p.case for p in result.products] == [None]
