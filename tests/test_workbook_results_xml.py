"""The results workbook's rows are encoded by origin.workbook.results._Sheet (issue 20: the
per-cell work of openpyxl was most of a large results workbook's time). A speed-up only: the
file must be the one openpyxl writes, part for part and byte for byte, for every worked case
of every agreement, for hostile text (control characters, text longer than a cell, text that
looks like a formula or an error value, characters outside ASCII, spaces at the ends) and
for every sheet (comparison, problems, row accounting, full text)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import attrs
import pytest

from origin import registry
from origin.caseio import load_case_or_worked
from origin.workbook import results
from origin.workbook.export import Decided
from origin.workbook.problems import Issue, Ledger, Severity

CASES = Path(__file__).resolve().parents[1] / "agreements" / "cases"
PREPARED = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
WORKED = sorted(CASES.glob("*/*.json"))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    items: list[Decided],
    issues: list[Issue],
    ledger: Ledger,
) -> dict[str, bytes]:
    """Write the workbook both ways; assert the parts are equal; return them."""
    direct, through = tmp_path / "direct" / "r.xlsx", tmp_path / "openpyxl" / "r.xlsx"
    direct.parent.mkdir()
    through.parent.mkdir()
    notes = results.write_results(direct, items, issues, ledger, prepared=PREPARED)
    with monkeypatch.context() as patch:
        patch.setattr(results._Sheet, "DIRECT", False)
        again = results.write_results(through, items, issues, ledger, prepared=PREPARED)
        assert again == notes
    mine, theirs = _parts(direct), _parts(through)
    assert list(mine) == list(theirs)
    for name in theirs:
        assert mine[name] == theirs[name], name
    return mine


def _decided(path: Path) -> Decided:
    case, day = load_case_or_worked(path)
    assert day is not None
    plugin = registry.get(path.parent.name)
    return Decided(path.name, case.good.id, plugin, case, plugin.determine(case, day))


def test_every_worked_case_is_written_as_openpyxl_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = []
    for path in WORKED:
        try:
            items.append(_decided(path))
        except KeyError:  # a folder that is not an agreement's
            continue
    assert len(items) > 50
    ledger = Ledger()
    ledger.seen("BOM", 5)
    ledger.report("BOM", 2, "blank product")
    ledger.report("BOM", 3, "blank product")
    issues = [Issue("w.xlsx", "a problem", "BOM", 2, "C", Severity.ERROR, "P-1")]
    parts = _both(tmp_path, monkeypatch, items, issues, ledger)
    assert len(parts["xl/worksheets/sheet3.xml"]) > 10_000  # the materials were written


# Text a cell may not hold raw, text longer than a cell holds, text that would become a
# formula or an error value, characters outside ASCII, spaces at the ends, an empty text.
TEXTS = [
    "A\x00B\x1b[2J\x07",
    "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x9b\ud800\ufffe",
    "tab\tline\nreturn\r",
    "x" * 40_000,
    "é€😀" * 12_000,
    "=SUM(A1:A9)",
    "#N/A",
    "@SUM(1)",
    "<a & b > c>",
    " both ends ",
    "   ",
    "Ünïcödé ✓ 中文",
    "",
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_hostile_text_is_written_as_openpyxl_writes_it(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = CASES / "anzcerta" / "06-build-down-exactly-50.json"
    item = _decided(path)
    case = item.case
    assert case is not None and item.determination is not None
    first, *rest = case.materials
    odd = attrs.evolve(
        case,
        good=attrs.evolve(case.good, id=text or "P", description=text),
        materials=(attrs.evolve(first, description=text, id=text or "M"), *rest),
    )
    plugin = registry.get("anzcerta")
    day = item.determination.date
    decided = Decided(text, odd.good.id, plugin, odd, plugin.determine(odd, day))
    issues = [Issue(text, text, text, 3, "B", Severity.WARNING, text)]
    ledger = Ledger()
    ledger.seen(text or "S", 2)
    ledger.report(text or "S", 2, text)
    parts = _both(tmp_path, monkeypatch, [decided], issues, ledger)
    if len(text) > results.EXCEL_CELL // 2:
        assert any(b"Full text" in data for data in parts.values())
