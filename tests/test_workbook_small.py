"""A small workbook is read in this process, not in a forked reader child (issue 20: a
reader was forked per workbook, even for small ones), from an archive of its parts read
within the size limits, and only once the full scan has shown its sheets small. A speed-up
only: every workbook gives what the child gives (rows, issues, ledger, cases, or the same
one-line refusal), and anything not plainly small goes to the child as before."""

from __future__ import annotations

import contextlib
import datetime as dt
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
