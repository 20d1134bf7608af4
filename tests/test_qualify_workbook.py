"""``origin check --agreement all``: every product of a workbook under every agreement, and
the law date taken from the Consignment sheet when no ``--date`` is given (issue #17).

The workbook is the template's own example (``origin template --agreement anzcerta``): a
wooden desk (HS 9403.30) made and last processed in Australia, exported from Australia,
imported on 2025-06-01, with the one rule "RVC50 (factory-cost)".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from origin import registry
from origin.cli import main


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "desk.xlsx"
    assert main(["template", str(path), "--agreement", "anzcerta"]) == 0
    return path


def _imported_on(path: Path, day: dt.date) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Consignment"]
    assert sheet["C1"].value == "imported on"
    sheet["C2"].value = day
    book.save(path)


def _records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_check_all_ranks_every_agreement(
    workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.xlsx"
    code = main(
        ["check", str(workbook), "--agreement", "all", "--out", str(out), "--export", "csv"]
    )
    assert code == 0  # errors under one agreement are warnings: the product was compared
    captured = capsys.readouterr()
    records = _records(captured.out)
    assert records[0]["agreement"] == "anzcerta"
    assert len(records) == len(registry.names())  # one record per agreement
    assert [r["rank"] for r in records] == [str(i) for i in range(1, len(records) + 1)]
    by_name = {r["agreement"]: r for r in records}
    assert by_name["anzcerta"]["verdict"] == "originating"
    assert by_name["anzcerta"]["claim_preference"] == "yes"
    assert by_name["thailand"]["verdict"] == "not applicable"
    assert by_name["thailand"]["missing"] == "goods of AU, which is not a party on 2025-06-01"
    # AANZFTA has no factory-cost method: its row alone is an error, named.
    assert by_name["aanzfta"]["verdict"] == "error"
    assert "factory-cost" in by_name["aanzfta"]["missing"]
    assert "warning: product DESK-1: aanzfta:" in captured.err
    assert "1 product in 1 workbook: 1 a claim" in captured.err  # the closing summary
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "Comparison"
    rows = list(book["Comparison"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(registry.names())
    assert rows[1][5:8] == (1, "anzcerta", "originating")


def test_check_all_console_line_names_the_claim(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(workbook), "--agreement", "all"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "desk.xlsx DESK-1: claim anzcerta (AU) (6 of 19 apply)\n"


def test_check_all_export_best_gives_one_record_per_product(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["check", str(workbook), "--agreement", "all", "--export", "jsonl", "--export-best"]
    )
    assert code == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1
    assert '"agreement": "anzcerta"' in lines[0] and '"rank": "1"' in lines[0]


def test_check_without_date_uses_the_importation_date(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _imported_on(workbook, dt.date(2024, 3, 1))
    assert main(["check", str(workbook), "--agreement", "anzcerta", "--export", "csv"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert record["determination_date"] == "2024-03-01"
    assert record["date_reason"] == "the goods' importation date (consignment.imported_on)"
    given = ["--date", "2025-01-01"]
    assert main(["check", str(workbook), "--agreement", "anzcerta", "--export", "csv", *given]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert record["determination_date"] == "2025-01-01"


def test_export_best_needs_all(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", str(workbook), "--agreement", "anzcerta", "--export-best"]
    assert main(args) == 2
    assert "--export-best" in capsys.readouterr().err
