"""Reading a large sheet in pieces (cells._send_pieces) and converting rows column by column
(reader._Reader._by_column) are speed-ups only: each must give exactly what the plain way
gives — the same rows, the same records, issues, ledger and cases — or step aside."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st
from test_workbook_hostile import CORPUS

from origin import registry
from origin.workbook import cells, limits, reader
from origin.workbook.mapping import Layout, layout_from_toml, template_layout
from origin.workbook.problems import WorkbookError
from origin.workbook.reader import _import, _Reader, import_workbook

LAW = registry.get("anzcerta").law


def _tiny_pieces(monkeypatch: pytest.MonkeyPatch, piece_bytes: int = 200) -> None:
    """Cut every sheet, however small, into pieces of a few rows (the child inherits this;
    a small workbook is read by the child too, not in-process)."""
    monkeypatch.setattr(cells, "SMALL_FILE_BYTES", 0)
    monkeypatch.setattr(cells, "SPLIT_BYTES", 0)
    monkeypatch.setattr(cells, "PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(cells, "OVERHEAD_PER_PIECE", 0)
    monkeypatch.setattr(cells, "MAX_PIECES", 1000)


def _outcome(path: Path, split: bool, layout: Layout | None = None) -> object:
    """Everything an import gives, comparable: or the one-line error."""
    try:
        result = (
            import_workbook(path, layout, law=LAW)
            if split
            else _import(path, layout, LAW, split=False)
        )
    except WorkbookError as error:
        return str(error)
    return (
        result.issues,
        dict(result.ledger.input_rows),
        dict(result.ledger.imported),
        result.ledger.reported,
        [(p.product, p.case, p.rows, p.hs) for p in result.products],
    )


def _pieces(path: Path, name: str) -> list[tuple[str, Any]]:
    """The messages the reader's child sends for sheet ``name`` read in pieces."""
    checked = limits.check_file(path)
    sent: list[tuple[str, Any]] = []

    class Out:
        def flush(self) -> None:
            pass

    try:
        split = cells._send_pieces(
            path, name, dict(checked.parts), lambda k, p: sent.append((k, p)), Out()
        )
    except cells._Stop:
        return sent
    assert split, "the sheet was not cut"
    return sent


def _rows_of(messages: list[tuple[str, Any]]) -> list[list[Any]]:
    """Rows from row 1 at column A, trailing blanks trimmed (pieces may be narrower)."""
    first = next(p for k, p in messages if k == "sheet")[1]
    rows = [[""] * first + row for k, p in messages if k == "rows" for row in p]
    return _trimmed(rows)


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    out = []
    for cells_ in rows:
        row = list(cells_)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _whole(path: Path, name: str) -> list[list[Any]]:
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
    first = sheet.start[1] if sheet.start else 0
    return _trimmed([[""] * first + row for row in sheet.iter_rows()])


def _workbook(path: Path, write_only: bool, start_column: int = 1) -> Path:
    """Rows with gaps, blanks, numbers, dates, booleans and shared or inline strings."""
    book = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    sheet = book.create_sheet("BOM")
    pad = [None] * (start_column - 1)
    sheet.append([*pad, "part id", "value", "when", "flag", "note"])
    for i in range(1, 400):
        if i % 97 == 0:  # runs of rows without cells
            for _ in range(i % 5):
                sheet.append([])
        note = None if i % 3 else f"note {i}"
        sheet.append([*pad, f"P{i}", i * 1.25, dt.date(2025, 1, 1 + i % 28), i % 2 == 0, note])
    book.save(path)
    return path


@pytest.mark.parametrize("write_only", [True, False], ids=["inline-strings", "shared-strings"])
@pytest.mark.parametrize("start_column", [1, 3])
@pytest.mark.parametrize("piece_bytes", [1, 150, 5000])
def test_pieces_give_the_rows_of_the_whole_sheet(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_only: bool,
    start_column: int,
    piece_bytes: int,
) -> None:
    _tiny_pieces(monkeypatch, piece_bytes)
    path = _workbook(tmp_path / "rows.xlsx", write_only, start_column)
    messages = _pieces(path, "BOM")
    assert "again" not in [k for k, _ in messages]
    assert sum(1 for k, _ in messages if k == "rows") > 1
    assert _rows_of(messages) == _whole(path, "BOM")


def _reordered(path: Path, comment: bool = False) -> Path:
    """The BOM sheet's rows written out of row order (Excel would call the file damaged;
    calamine reads it), or with rows inside a comment: the pieces must not be believed."""
    _workbook(path, write_only=True)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/"))
    xml = parts[name]
    start = xml.index(b"<sheetData>") + len(b"<sheetData>")
    end = xml.index(b"</sheetData>")
    rows = xml[start:end].split(b"</row>")[:-1]
    rows = [r + b"</row>" for r in rows]
    if comment:
        body = b"".join(rows[:200]) + b"<!--" + b"".join(rows[200:260]) + b"-->"
        body += b"".join(rows[260:])
    else:
        body = b"".join(rows[:100] + rows[300:] + rows[100:300])
    parts[name] = xml[:start] + body + xml[end:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in parts.items():
            archive.writestr(member, data)
    return path


@pytest.mark.parametrize("comment", [False, True], ids=["out-of-order", "commented-rows"])
def test_pieces_out_of_order_are_read_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, comment: bool
) -> None:
    path = _reordered(tmp_path / "odd.xlsx", comment)
    _tiny_pieces(monkeypatch, 2000)
    messages = _pieces(path, "BOM")
    if comment:  # a cut inside the comment leaves a piece unreadable; else rows agree
        assert "again" in [k for k, _ in messages] or _rows_of(messages) == _whole(path, "BOM")
    else:
        assert messages[-1][0] == "again"
        assert "out of order" in messages[-1][1]
    with pytest.raises(cells.ReadAgain):
        list(_drain(cells.read(path, split=True)))
    whole = _outcome(path, split=False)
    assert _outcome(path, split=True) == whole


def _drain(sheets: Any) -> Any:
    for sheet in sheets:
        yield from sheet.chunks


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_hostile_corpus_reads_alike_in_pieces(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hostile workbook gives the same outcome, message for message, in pieces."""
    make = CORPUS[name][0]
    path = make(tmp_path / f"{name}.xlsx")
    whole = _outcome(path, split=False)
    _tiny_pieces(monkeypatch)
    assert _outcome(path, split=True) == whole


def test_a_large_bom_reads_alike_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Template layout, many products' rows mixed with problems, read in pieces of ~40 rows."""
    book = openpyxl.Workbook()
    product = book.active
    product.title = "Product"
    product.append(["product", "hs", "currency", "psr", "adjusted value"])
    product.append(["A", "8471.30", "NZD", "CTH or RVC40 (build-down)", 1000])
    product.append(["B", "8471.30", "NZD", "CTH or RVC40 (build-down)", 1000])
    bom = book.create_sheet("BOM")
    bom.append(["product", "part id", "hs", "value", "status", "origin country", "indirect"])
    for i in range(1200):
        value: object = round(i * 0.37 + 0.01, 2)
        if i == 700:
            value = "ten"  # a problem in the second product's rows
        bom.append(
            ["A" if i < 600 else "B", f"M{i}", "8473.30", value, "non-originating", "CN", "no"]
        )
    path = tmp_path / "large.xlsx"
    book.save(path)
    whole = _outcome(path, split=False)
    _tiny_pieces(monkeypatch, 3000)
    assert _outcome(path, split=True) == whole


def _alike_in_pieces(
    path: Path, monkeypatch: pytest.MonkeyPatch, layout: Layout | None = None
) -> object:
    """The outcome read whole; the same outcome read in pieces of several sizes."""
    whole = _outcome(path, False, layout)
    for size in (1, 60, 200, 500, 2000):
        with monkeypatch.context() as patch:
            _tiny_pieces(patch, size)
            assert _outcome(path, True, layout) == whole, size
    return whole


def _book(product: list[list[object]], bom: list[list[object]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Product"
    for row in product:
        sheet.append(row)
    sheet = book.create_sheet("BOM")
    for row in bom:
        sheet.append(row)
    return book


PRODUCT: list[list[object]] = [
    ["product", "hs", "currency", "psr", "adjusted value"],
    ["A", "8471.30", "NZD", "CTH", 1000],
]
MAPPED = (
    'schema = "origin-mapping/1"\n[sheets.product]\nnames = ["Product"]\n'
    '[sheets.bom]\nnames = ["BOM"]\nproduct = "A"\n'
)


@pytest.mark.parametrize("mapped", [False, True], ids=["product-column", "mapped-product"])
def test_blank_rows_between_pieces_are_not_input_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapped: bool
) -> None:
    """Review finding 1: rows without cells between two pieces come as empty rows; they are
    not input rows (nor, with a mapped product, BOM lines without a part id)."""
    owner: list[object] = [] if mapped else ["A"]
    bom: list[list[object]] = [
        [*([] if mapped else ["product"]), "part id", "hs", "value", "status", "origin country"]
    ]
    for i in range(60):
        bom.append([*owner, f"M{i}", "8473.30", 1.5 + i, "originating", "AU"])
        if i % 10 == 9:
            bom.append([])
    path = tmp_path / "blank-rows.xlsx"
    _book(PRODUCT, bom).save(path)
    layout = layout_from_toml(tomllib.loads(MAPPED)) if mapped else None
    whole = _alike_in_pieces(path, monkeypatch, layout)
    assert isinstance(whole, tuple)
    assert whole[1]["BOM"] == 61  # header + 60 lines
    assert whole[4][0][1] is not None  # decided


def test_a_piece_narrower_than_the_required_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 2: a required column last, empty for a run of rows (BOM and Costs):
    each such row is a located error, as in the whole read."""
    bom: list[list[object]] = [["product", "hs", "value", "status", "origin country", "part id"]]
    for i in range(60):
        part = None if 20 <= i < 40 else f"M{i}"
        bom.append(["A", "8473.30", 1.5 + i, "non-originating", "CN", part])
    book = _book(PRODUCT, bom)
    costs = book.create_sheet("Costs")
    costs.append(["product", "cost", "category", "amount"])
    for i in range(40):
        costs.append(["A", f"C{i}", "wages", None if 10 <= i < 30 else 5.0])
    path = tmp_path / "narrow.xlsx"
    book.save(path)
    whole = _alike_in_pieces(path, monkeypatch)
    assert isinstance(whole, tuple)
    messages = [i.message for i in whole[0]]
    assert messages.count("part id is required") == 20
    assert messages.count("amount is required") == 20


def _rezipped(source: Path, path: Path, change: Any) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            for name, data in change(item.filename, old.read(item)):
                new.writestr(name, data)
    return path


def test_pieces_carry_parts_whatever_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 3: the styles part named xl/styles.XML (calamine finds it through the
    relationships): dates stay dates in pieces."""
    source = _workbook(tmp_path / "dates.xlsx", write_only=False)

    def rename(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "xl/styles.xml":
            return [("xl/styles.XML", data)]
        if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            return [(name, data.replace(b"styles.xml", b"styles.XML"))]
        return [(name, data)]

    path = _rezipped(source, tmp_path / "upper.xlsx", rename)
    _tiny_pieces(monkeypatch, 2000)
    messages = _pieces(path, "BOM")
    rows = [row for kind, chunk in messages if kind == "rows" for row in chunk]
    assert any(isinstance(v, dt.date) for row in rows for v in row)
    assert _rows_of(messages) == _whole(path, "BOM")


def test_a_damaged_part_the_reader_never_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 4: a bad CRC in docProps/custom.xml (which calamine never reads) does
    not make the pieces refuse a file the whole read accepts."""
    source = _workbook(tmp_path / "src.xlsx", write_only=True)
    custom = (
        b'<?xml version="1.0"?><Properties xmlns="x"><p>' + b"z" * 200_000 + b"</p></Properties>"
    )

    def add(name: str, data: bytes) -> list[tuple[str, bytes]]:
        extra = [("docProps/custom.xml", custom)] if name == "[Content_Types].xml" else []
        return [(name, data), *extra]

    path = _rezipped(source, tmp_path / "crc.xlsx", add)
    with zipfile.ZipFile(path) as archive:
        crc = archive.getinfo("docProps/custom.xml").CRC
    data = path.read_bytes()
    old, new = crc.to_bytes(4, "little"), (crc ^ 0xFFFF).to_bytes(4, "little")
    assert data.count(old) == 2  # local header and central directory
    path.write_bytes(data.replace(old, new))
    whole = _alike_in_pieces(path, monkeypatch)
    assert not isinstance(whole, str), whole


def _edit_sheet(path: Path, change: Any) -> Path:
    """The BOM sheet's XML changed by ``change`` (bytes → bytes), the rest as it was."""
    _workbook(path, write_only=True)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in parts.items():
            archive.writestr(member, data)
    return path


def _after_rows(text: bytes) -> Any:
    return lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + text, 1)


def _commented_rows_and_a_comment_after(xml: bytes) -> bytes:
    start = xml.index(b'<row r="150"')
    end = xml.index(b'<row r="220"')
    xml = xml[:start] + b"<!--" + xml[start:end] + b"-->" + xml[end:]
    return xml.replace(b"</sheetData>", b"</sheetData><!-- a note -->", 1)


@pytest.mark.parametrize(
    "change",
    [
        _after_rows(b"<<<>>>&&"),
        _after_rows(
            b'<sheetData><row r="900"><c r="A900" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>"
        ),
        _commented_rows_and_a_comment_after,
    ],
    ids=["damaged-after-the-rows", "second-sheetData", "comment-after-the-rows"],
)
def test_what_follows_the_rows_reads_alike_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    """Second review, finding 3: pieces end with the sheet's own text after its rows, and a
    sheet whose text there could close a construct a cut opens is read whole."""
    path = _edit_sheet(tmp_path / "after.xlsx", change)
    _alike_in_pieces(path, monkeypatch)


def test_a_reader_that_dies_in_pieces_leaves_it_to_the_whole_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second review, finding 1: reading in pieces holds more at once; a child that dies (or
    runs out of memory making rows) then is not reported as a hostile file."""
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)
    whole = _outcome(path, False)
    assert not isinstance(whole, str)
    _tiny_pieces(monkeypatch, 2000)
    monkeypatch.setattr(cells, "_parse_piece", lambda *_: os.kill(os.getpid(), signal.SIGKILL))
    assert _outcome(path, True) == whole
    monkeypatch.undo()
    _tiny_pieces(monkeypatch, 2000)

    def no_memory(*_: object) -> None:
        raise MemoryError

    monkeypatch.setattr(cells, "_send_rows", no_memory)
    assert _outcome(path, True) == whole


def test_a_message_cut_short_is_a_stopped_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second review, finding 2: a child killed halfway through a message gives the one-line
    "reader stopped", not an unpickling traceback."""
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)

    def half(_path: Path, fd: int, *_: object) -> None:
        os.write(fd, cells._HEADER.pack(1000, 0) + b"\0" * 10)
        os._exit(0)

    monkeypatch.setattr(cells, "_child", half)
    monkeypatch.setattr(cells, "SMALL_FILE_BYTES", 0)  # read by the child
    with pytest.raises(WorkbookError, match="reader stopped"):
        import_workbook(path, law=LAW)


def _rows_xml(rows: int, tag: bytes) -> bytes:
    body = b"".join(
        b'<row%s><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (tag % i, i)
        for i in range(1, rows + 1)
    )
    return b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>"


@pytest.mark.parametrize(
    ("tag", "cuts"),
    [
        (b' r="%d"', True),
        (b" r='%d'", True),  # single quotes: calamine reads them too
        (b' spans="1:1" customr="%d"', False),  # no r of its own: rows numbered by count
        (b' spans="1:%d"', False),
    ],
)
def test_cuts_only_at_rows_that_name_their_row(tag: bytes, cuts: bool) -> None:
    """Third review: a cut needs a row tag with its own r; where no row has one, the search
    gives up after a few tags (it walked every row for every cut: seconds per sheet). The
    sheet's XML is cut as it is decompressed (cells._Stream): pieces of about a size."""
    xml = _rows_xml(5000, tag)
    stream = cells._Stream(io.BytesIO(xml), len(xml) // 8)
    head = stream.head()
    assert head is not None and head.endswith(b"<sheetData>")
    bodies = list(stream.bodies())
    assert not stream.failed
    assert head + b"".join(bodies) + stream.tail == xml
    assert stream.tail == b"</sheetData></worksheet>"
    assert (len(bodies) == 8) if cuts else (len(bodies) == 1)
    for body in bodies:
        assert body.startswith(b"<row ")
    for at in range(0, len(xml), 997):
        found = cells._row_cut(xml, at, len(xml))
        assert found == -1 or (xml.startswith(b"<row ", found) and cuts)


def test_rows_that_never_end_are_read_whole() -> None:
    """No ``</sheetData>``: the stream says so (the whole read then decides)."""
    xml = _rows_xml(100, b' r="%d"').replace(b"</sheetData></worksheet>", b"")
    stream = cells._Stream(io.BytesIO(xml), 500)
    assert stream.head() is not None
    rows = xml[xml.index(b"<sheetData>") + len(b"<sheetData>") :]
    assert rows.startswith(b"".join(stream.bodies()))  # the rows cut so far, no more
    assert "do not end" in stream.failed


def test_single_quoted_rows_read_alike_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _edit_sheet(
        tmp_path / "quotes.xlsx", lambda xml: re.sub(rb'<row r="([0-9]+)"', rb"<row r='\1'", xml)
    )
    _tiny_pieces(monkeypatch, 500)
    assert "again" not in [k for k, _ in _pieces(path, "BOM")]
    monkeypatch.undo()
    _alike_in_pieces(path, monkeypatch)


# ----------------------------------------------------------------- column by column

GOOD = {
    "product": st.sampled_from(["P1", "P1", "P1", "P2"]),
    "hs": st.sampled_from(["8471.30", "8473.30", "8471.30 ", 847330.0]),
    "value": st.one_of(
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False).map(lambda v: round(v, 2)),
        st.integers(min_value=0, max_value=10**6).map(float),
        st.sampled_from(["12.50", "", None]),
    ),
    "status": st.sampled_from(["originating", "non-originating", "", "Originating"]),
    "indirect": st.sampled_from(["no", "yes", "No", True, False, ""]),
    "description": st.sampled_from(["bolt", " nut ", "", "#note", "washer"]),
}
ODD = st.sampled_from(["abc", "#N/A", -3.0, 1.0, True, float("nan"), "  ", 1e-13, 2e15])


@st.composite
def _bom(draw: st.DrawFn) -> list[list[object]]:
    keys = list(GOOD)
    rows: list[list[object]] = [["product", "part id", *[k for k in keys if k != "product"]]]
    for i in range(draw(st.integers(min_value=0, max_value=60))):
        cells_ = {k: draw(GOOD[k]) for k in keys}
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            cells_[draw(st.sampled_from(keys))] = draw(ODD)
        part: object = f"M{i}" if draw(st.integers(min_value=0, max_value=30)) else ""
        rows.append([cells_["product"], part, *[cells_[k] for k in keys if k != "product"]])
    return rows


def _read(bom: list[list[object]], chunk: int, row_wise: bool = False) -> object:
    with pytest.MonkeyPatch.context() as monkeypatch:
        if row_wise:
            monkeypatch.setattr(_Reader, "_by_column", _Reader._by_row)
        return _read_now(bom, chunk)


def _read_now(bom: list[list[object]], chunk: int) -> object:
    product = [
        ["product", "hs", "currency", "adjusted value"],
        ["P1", "8471.30", "NZD", 100.0],
        ["P2", "8471.30", "NZD", 100.0],
    ]
    chunks = [bom[i : i + chunk] for i in range(0, len(bom), chunk)]
    r = _Reader("generated.xlsx", template_layout(), LAW)
    r.sheet(cells.SheetRows("Product", iter([product])))
    r.sheet(cells.SheetRows("BOM", iter(chunks)))
    r.flag(cells.Flags())
    result = r.finish()
    records = [(x.sheet, x.row, x.values) for x in r.records["bom"]]
    return (
        records,
        result.issues,
        dict(result.ledger.input_rows),
        result.ledger.reported,
        [(p.product, p.case) for p in result.products],
    )


@settings(max_examples=150, deadline=None)
@given(_bom(), st.integers(min_value=1, max_value=25))
def test_column_by_column_gives_what_row_by_row_gives(bom: list[list[object]], chunk: int) -> None:
    """Records (values and their types), issues, ledger and cases agree for any cells."""
    assert _typed(_read(bom, chunk)) == _typed(_read(bom, chunk, row_wise=True))


def _typed(outcome: Any) -> Any:
    """Decimal('5') == Decimal('5.0') and 1 == True: compare the types and digits too."""
    records = [
        (s, n, {k: (type(v).__name__, str(v)) for k, v in values.items()})
        for s, n, values in outcome[0]
    ]
    return (records, *outcome[1:])


def test_the_column_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain blocks do go column by column (else the property above proves nothing)."""
    calls: list[int] = []
    original = reader._Reader._by_row

    def spy(self: Any, *args: Any) -> int:
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(reader._Reader, "_by_row", spy)
    bom = [["product", "part id", "hs", "value"]] + [
        ["P1", f"M{i}", "8471.30", float(i + 1)] for i in range(50)
    ]
    _read(bom, 10)
    assert calls == []
