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
    assert main(["template", str(path), "--agreement", "anzcerta", "--example"]) == 0
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


def _rules(path: Path, rows: list[tuple[str, str, str]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Rules"]
    assert [c.value for c in sheet[1]] == ["product", "agreement", "rule"]
    for number, row in enumerate(rows, 2):  # the template formats blank rows below: no append
        for column, value in enumerate(row, 1):
            sheet.cell(number, column).value = value
    book.save(path)


def test_rules_sheet_gives_each_agreement_its_rule(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # AANZFTA has no factory-cost method (the one rule's error above); with its own rule
    # "CTH" on the Rules sheet it decides the desk (9403.30) by the tariff shift instead.
    _rules(workbook, [("DESK-1", "aanzfta", "CTH")])
    assert main(["check", str(workbook), "--agreement", "all", "--export", "csv"]) == 0
    by_name = {r["agreement"]: r for r in _records(capsys.readouterr().out)}
    assert by_name["aanzfta"]["psr"] == "CTH"
    assert by_name["aanzfta"]["verdict"] != "error"
    assert by_name["anzcerta"]["psr"] == "RVC50 (factory-cost)"  # the Product sheet's


def test_rules_sheet_refuses_an_unknown_agreement(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rules(workbook, [("DESK-1", "anzerta", "CTH")])
    assert main(["check", str(workbook), "--agreement", "anzcerta"]) == 1
    err = capsys.readouterr().err
    assert "Rules!B2" in err and "unknown agreement 'anzerta' — did you mean 'anzcerta'?" in err


def test_customs_value_and_tariff_item_give_duty_saved(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = (
        Path(__file__).resolve().parents[2]
        / "shared/reference/nz_tariff/wtd_2022-01-01_tariff_items.csv"
    )
    if not table.exists():
        pytest.skip(f"reference data not here: {table}")
    book = openpyxl.load_workbook(workbook)
    sheet = book["Product"]
    columns = {c.value: c.column for c in sheet[1]}
    sheet.cell(2, columns["tariff item"]).value = "9403.30.00"
    sheet.cell(2, columns["customs value"]).value = 1100
    book.save(workbook)
    args = ["check", str(workbook), "--agreement", "all", "--rates", str(table)]
    assert main([*args, "--export", "csv"]) == 0
    by_name = {r["agreement"]: r for r in _records(capsys.readouterr().out)}
    # 9403.30.00 (wooden furniture of a kind used in offices): Normal 5, Preferential the
    # general Free for AU: 1100 × 5 % = 55 saved.
    assert by_name["anzcerta"]["duty_saved"] == "55"
    assert main(args) == 0
    assert "claim anzcerta (AU), duty saved 55 AUD" in capsys.readouterr().out
