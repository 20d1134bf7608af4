"""Pieces of a sheet whose text is in a shared-string table (as Excel, XlsxWriter and
LibreOffice save it) each carry only the first part of the table they take (cells._Strings),
not the whole table (issue 20). A speed-up only: the rows must be the whole sheet's, string
for string, for rich text, phonetic runs, escapes, spaces and empty strings; a piece taking
a string past its part, or any piece of a table with markup, is read with the whole table;
and the import's outcome is the same either way."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_workbook_pieces import _outcome, _pieces, _rows_of, _tiny_pieces, _whole, _workbook

from origin.workbook import cells

_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is>(.*?)</is></c>')
_SST_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SST_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# Strings of every shape the table holds: rich text runs, a phonetic run (not part of the
# text), an escaped carriage return, entities, spaces kept, an empty string.
_ODD = [
    b'<r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r><rPh sb="0" eb="1"><t>X</t></rPh>',
    b"<t>q_x000D_r &amp; &lt;s&gt;</t>",
    b'<t xml:space="preserve">  spaced  </t>',
    b"<t></t>",
    b"<t>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</t>",
]


def _shared(source: Path, path: Path, change: Any = None) -> Path:
    """``source`` with its inline text in a shared-string table, in order of first use, and
    the odd strings above at its start; ``change`` edits the sheet's XML afterwards."""
    index: dict[bytes, int] = {text: at for at, text in enumerate(_ODD)}

    def shared(match: re.Match[bytes]) -> bytes:
        at = index.setdefault(match.group(3), len(index))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2) or b"", at)

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(shared, data)
                if change is not None:
                    data = change(data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rIdS"/>'
                    b"</Relationships>" % _SST_TYPE,
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
                    % _SST_CONTENT,
                )
            new.writestr(item, data)
        strings = b"".join(b"<si>%s</si>" % text for text in index)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="%d" uniqueCount="%d">%s</sst>' % (len(index), len(index), strings),
        )
    return path


def _with_odd_strings(xml: bytes) -> bytes:
    """Cells in column F taking each odd string, on rows spread over the sheet."""
    for at in range(len(_ODD)):
        row = 40 + at * 60
        xml = xml.replace(
            b'<row r="%d">' % row,
            b'<row r="%d"><c r="F%d" t="s"><v>%d</v></c>' % (row, row, at),
            1,
        )
    return xml


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each piece was read with a part of the table (True) or the whole table, in
    order (one parser at a time)."""
    monkeypatch.setattr(cells, "PARSERS", 1)
    cut: list[bool] = []
    parse = cells._Strings.parse

    def counted(self: cells._Strings, body: bytes) -> Any:
        found = parse(self, body)
        cut.append(self.cut[-1])
        return found

    monkeypatch.setattr(cells._Strings, "parse", counted)
    return cut


@pytest.mark.parametrize("piece_bytes", [150, 2000, 20000])
def test_pieces_resolve_shared_strings_as_the_whole_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece_bytes: int
) -> None:
    source = _workbook(tmp_path / "inline.xlsx", write_only=True)
    path = _shared(source, tmp_path / "shared.xlsx", _with_odd_strings)
    whole = _whole(path, "BOM")
    assert any(v == "ri" + "ch" for row in whole for v in row)  # the odd strings are there
    assert any(v == "  spaced  " for row in whole for v in row)
    _tiny_pieces(monkeypatch, piece_bytes)
    resolved = _counting(monkeypatch)
    messages = _pieces(path, "BOM")
    assert "again" not in [k for k, _ in messages]
    assert _rows_of(messages) == whole
    # The first pieces take a part of the table; the last ones may take all of it.
    assert len(resolved) > 2 and all(resolved[: len(resolved) // 2]), resolved
    assert _outcome(path, split=True) == _outcome(path, split=False)


def _spaced_index(xml: bytes) -> bytes:
    """An index calamine does not parse (it reads string 0 for it)."""
    return xml.replace(b'<row r="100">', b'<row r="100"><c r="F100" t="s"><v> 7</v></c>', 1)


def _empty_index(xml: bytes) -> bytes:
    return xml.replace(b'<row r="100">', b'<row r="100"><c r="F100" t="s"><v></v></c>', 1)


def _unknown_index(xml: bytes) -> bytes:
    return xml.replace(b'<row r="100">', b'<row r="100"><c r="F100" t="s"><v>99999</v></c>', 1)


def _late_string_early(xml: bytes) -> bytes:
    """A row near the start taking the table's last string: past its piece's part (LAST
    is replaced by that string's index once the table is made)."""
    return xml.replace(b'<row r="3">', b'<row r="3"><c r="F3" t="s"><v>LAST</v></c>', 1)


def _commented_table(xml: bytes) -> bytes:
    return xml  # the table itself is changed (see _TABLE_CHANGES)


_TABLE_CHANGES = {_commented_table: (b"<si>", b"<!-- a note --><si>")}


@pytest.mark.parametrize(
    "change",
    [_spaced_index, _empty_index, _unknown_index, _late_string_early, _commented_table],
)
def test_pieces_read_odd_cells_as_the_whole_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    """An index calamine reads otherwise, one it refuses, a string taken long before its
    turn, or a table with a comment: the same rows (or the same refusal) as the whole
    read, and the same import outcome."""
    source = _workbook(tmp_path / "inline.xlsx", write_only=True)
    path = _shared(source, tmp_path / "shared.xlsx", change)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    table = parts["xl/sharedStrings.xml"]
    if change in _TABLE_CHANGES:
        table = table.replace(*_TABLE_CHANGES[change], 1)
    last = b"%d" % (table.count(b"<si>") - 1)
    parts = {k: v.replace(b"<v>LAST</v>", b"<v>%s</v>" % last) for k, v in parts.items()}
    parts["xl/sharedStrings.xml"] = table
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in parts.items():
            archive.writestr(member, data)
    whole = _outcome(path, split=False)
    _tiny_pieces(monkeypatch, 2000)
    monkeypatch.setattr(cells, "_LOOK_BACK", 100)  # (a row's end: not the row-3 cell)
    cut = _counting(monkeypatch)
    try:
        expected: Any = _whole(path, "BOM")
    except Exception as error:
        expected = type(error).__name__
    messages = _pieces(path, "BOM")
    if isinstance(expected, str):
        assert messages[-1][0] == "again"
    else:
        assert "again" not in [k for k, _ in messages]
        assert _rows_of(messages) == expected
    if change is _commented_table:
        assert not any(cut), cut
    elif change is _late_string_early:
        assert cut[0] is False and any(cut), cut  # only the piece that took it
    assert _outcome(path, split=True) == whole
