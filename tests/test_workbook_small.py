"""A small workbook is read in this process, not in a forked reader child (issue 20: a
reader was forked per workbook, even for small ones), from an archive of its parts read
within the size limits, and only once the full scan has shown its sheets small. A speed-up
only: every workbook gives what the child gives (rows, issues, ledger, cases, or the same
one-line refusal), and anything not plainly small goes to the child as before."""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook_hostile import CORPUS
from test_workbook_pieces import _outcome, _workbook

from origin import registry
from origin.caseio import load_case_or_worked
from origin.workbook import cells, limits
from origin.workbook.template import write_template

CASES = Path(__file__).resolve().parents[1] / "agreements" / "cases"


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """The outcome read in-process (where small) and by the child; asserted equal."""
    here = _outcome(path, split=True)
    with monkeypatch.context() as patch:
        patch.setattr(cells, "SMALL_FILE_BYTES", 0)
        assert _outcome(path, split=True) == here
    return here


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_hostile_corpus_reads_alike_without_the_child(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = CORPUS[name][0]
    _both(make(tmp_path / f"{name}.xlsx"), monkeypatch)


def test_a_template_is_read_without_a_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case, _ = load_case_or_worked(CASES / "anzcerta" / "09-factory-cost.json")
    path = tmp_path / "template.xlsx"
    write_template(path, registry.get("anzcerta"), [case])
    book = openpyxl.load_workbook(path)
    book["BOM"].cell(row=3, column=3, value=dt.date(2025, 1, 2))  # a date, for the rows
    book.save(path)
    child = _both(path, monkeypatch)

    def no_child(*_: object) -> None:
        raise AssertionError("a small workbook was read by a child")

    monkeypatch.setattr(cells, "_read_in_child", no_child)
    assert _outcome(path, split=True) == child


def test_what_is_not_plainly_small_goes_to_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Larger than the limits, or a sheet spanning more cells than SMALL_CELLS."""
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)
    checked = cells._checked(path)
    assert cells._small(path, checked) is not None
    assert cells._small(path, limits.check_file(path)) is None  # parts not kept
    monkeypatch.setattr(cells, "SMALL_CELLS", 10)
    assert cells._small(path, checked) is None
    monkeypatch.undo()
    monkeypatch.setattr(cells, "SMALL_XML_BYTES", 1000)
    assert cells._small(path, cells._checked(path)) is None
    monkeypatch.undo()
    monkeypatch.setattr(cells, "SMALL_FILE_BYTES", 1000)
    assert cells._small(path, cells._checked(path)) is None
    monkeypatch.undo()
    _both(path, monkeypatch)


@pytest.mark.parametrize("write_only", [True, False])
@pytest.mark.parametrize("start_column", [1, 3])
def test_rows_with_gaps_dates_and_offsets_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_only: bool, start_column: int
) -> None:
    """Rows from the first used column, blank runs, dates, booleans: as the child reads."""
    path = _workbook(tmp_path / "rows.xlsx", write_only, start_column)
    assert cells._small(path, cells._checked(path)) is not None
    _both(path, monkeypatch)
    with contextlib.closing(cells.read(path)) as sheets:
        assert next(sheets).first_column == start_column - 1


def _rezipped(
    source: Path, target: Path, change: dict[str, tuple[int, bytes]], add: bool = False
) -> Path:
    """``source``'s parts written again (some compressed another way or with more bytes),
    and with ``add`` an image compressed with bzip2."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            method, more = change.get(item.filename, (zipfile.ZIP_DEFLATED, b""))
            new.writestr(item.filename, old.read(item) + more, method)
        if add:
            new.writestr("xl/media/image1.png", b"\x89PNG" + bytes(5000), zipfile.ZIP_BZIP2)
    return target


def test_a_part_read_here_must_be_stored_or_deflated(tmp_path: Path) -> None:
    """zipfile decompresses bzip2 and LZMA parts without a bound (a few hundred bytes can
    claim to be small and hold a gigabyte): an XML part so compressed is refused in one
    line; an image so compressed (never read here) leaves the file to the reader child."""
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)
    bzip2 = {"xl/styles.xml": (zipfile.ZIP_BZIP2, b"")}
    styles = _rezipped(path, tmp_path / "styles.xlsx", bzip2)
    with pytest.raises(limits.WorkbookError, match=r"xl/styles.xml is compressed with a method"):
        cells._checked(styles)
    (tmp_path / "image").mkdir()
    image = _rezipped(path, tmp_path / "image" / "rows.xlsx", {}, add=True)
    checked = cells._checked(image)
    assert checked.contents == () and cells._small(image, checked) is None
    assert _outcome(image, split=True) == _outcome(path, split=True)


@pytest.mark.parametrize("empty", [False, True])
def test_a_part_larger_than_it_says_is_cut_at_its_size_then_refused(
    tmp_path: Path, empty: bool
) -> None:
    """A small workbook's parts are read up to their declared size, no further (memory):
    one holding more than it declares (even one declared empty) fails its CRC and is
    refused as damaged, as before."""
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)
    more = {"xl/styles.xml": (zipfile.ZIP_DEFLATED, b" " * 100_000)}
    lying = _rezipped(path, tmp_path / "lying.xlsx", more)
    with zipfile.ZipFile(path) as honest, zipfile.ZipFile(lying) as archive:
        declared = 0 if empty else honest.getinfo("xl/styles.xml").file_size
        real = archive.getinfo("xl/styles.xml").file_size
    data = lying.read_bytes()
    assert data.count(real.to_bytes(4, "little")) == 2  # local header, central directory
    lying.write_bytes(data.replace(real.to_bytes(4, "little"), declared.to_bytes(4, "little")))
    with pytest.raises(limits.WorkbookError, match=r"Bad CRC-32 for file 'xl/styles\.xml'"):
        cells._checked(lying)


def test_a_missing_relationships_part_is_named_alike_kept_or_not(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "rows.xlsx", write_only=True)
    gone = tmp_path / "gone.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(gone, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != "xl/_rels/workbook.xml.rels":
                new.writestr(item.filename, old.read(item))
    for check in (cells._checked, limits.check_file):
        with pytest.raises(limits.WorkbookError) as raised:
            check(gone)
        assert str(raised.value) == "gone.xlsx: is damaged: missing part xl/_rels/workbook.xml.rels"
