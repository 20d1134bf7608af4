"""Seal register checks against SES Exporter Minimum Standards clauses 2.6–2.12."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from levies.seals import SealCheck, check_register, read_stock_count
from origin.errors import InputError

AS_OF = dt.date(2026, 6, 30)
HEADER = (
    "seal_number,received_date,recorded_date,applied_date,container_number,applied_by,status,"
    "replaced_by,reported_date"
)
GOOD = [
    "S001,2026-05-01,2026-05-01,2026-05-10,MSKU1234565,A. Ngata,applied,,",
    "S002,2026-05-01,2026-05-01,2026-05-11,MSKU7654321,A. Ngata,damaged,S003,",
    "S003,2026-05-01,2026-05-01,2026-05-11,MSKU7654321,A. Ngata,applied,,",
    "S004,2026-05-01,2026-05-01,,,,,,",
    "S005,2026-05-01,2026-05-01,,,,lost,,2026-05-20",
]


def check(tmp_path: Path, *rows: str, count: list[str] | None = None) -> SealCheck:
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return check_register(path, stock_count=count, as_of=AS_OF)


def clauses(result: SealCheck) -> list[tuple[str, str]]:
    return [(str(f.clause), f.location) for f in result.errors()]


def test_a_good_register_has_nothing_to_act_on(tmp_path: Path) -> None:
    result = check(tmp_path, *GOOD, count=["S004"])
    assert result.errors() == ()
    assert result.in_stock == ("S004",)
    assert [f.message for f in result.findings] == ["lost seal reported on 2026-05-20"]


def test_required_fields_of_2_6(tmp_path: Path) -> None:
    result = check(tmp_path, ",2026-05-01,,,,,,,", "S010,,,2026-05-02,,,applied,,")
    assert clauses(result) == [
        ("cl 2.6", "register.csv row 2, column 'seal_number' (column 1)"),
        ("cl 2.6", "register.csv row 3, column 'received_date' (column 2)"),
        ("cl 2.6", "register.csv row 3, column 'container_number' (column 5)"),
        ("cl 2.6", "register.csv row 3, column 'applied_by' (column 6)"),
    ]


def test_duplicate_seal_numbers(tmp_path: Path) -> None:
    result = check(tmp_path, GOOD[3], GOOD[3].replace("2026-05-01", "2026-05-02"))
    assert [c for c, _ in clauses(result)] == ["cl 2.6", "cl 2.6"]


def test_received_before_applied_and_recorded_on_receipt(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "S020,2026-05-10,2026-05-10,2026-05-09,MSKU1,B. Lee,applied,,",
        "S021,2026-05-10,2026-05-14,,,,,,",
    )
    assert clauses(result) == [
        ("cl 2.7", "register.csv row 2, column 'applied_date' (column 4)"),
        ("cl 2.7", "register.csv row 3, column 'recorded_date' (column 3)"),
    ]


def test_future_dates(tmp_path: Path) -> None:
    result = check(tmp_path, "S030,2026-07-01,,,,,,,")
    assert "after the check date" in result.errors()[0].message


def test_damaged_seal_needs_a_recorded_replacement(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "S040,2026-05-01,,2026-05-11,MSKU1,B. Lee,broken,,",
        "S041,2026-05-01,,2026-05-11,MSKU2,B. Lee,damaged,S999,",
        "S042,2026-05-01,,2026-05-11,MSKU3,B. Lee,damaged,S043,",
        "S043,2026-05-01,,2026-05-11,MSKU4,B. Lee,applied,,",
    )
    messages = [(str(f.clause), f.message) for f in result.errors()]
    assert messages == [
        ("cl 2.10", "seal S040 is broken: the new seal used must be recorded (replaced_by)"),
        ("cl 2.10", "replacement seal S999 is not in the register"),
        ("cl 2.10", "replaces S042 on container MSKU3 but is recorded on MSKU4"),
    ]


def test_two_seals_on_one_container_without_a_replacement(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "S050,2026-05-01,,2026-05-11,MSKU9,B. Lee,applied,,",
        "S051,2026-05-01,,2026-05-11,MSKU9,B. Lee,applied,,",
    )
    assert [str(f.clause) for f in result.errors()] == ["cl 2.10"]


@pytest.mark.parametrize("state", ["lost", "tampered"])
def test_lost_or_tampered_seals_must_be_reported(tmp_path: Path, state: str) -> None:
    result = check(tmp_path, f"S060,2026-05-01,,,,,{state},,")
    finding = result.errors()[0]
    assert (finding.severity, str(finding.clause)) == ("report", "cl 2.12")


def test_stock_reconciliation(tmp_path: Path) -> None:
    """cl 2.11: seals held v the register."""
    result = check(tmp_path, *GOOD, count=["S001", "S099"])
    assert [(str(f.clause), f.seal or f.location) for f in result.errors()] == [
        ("cl 2.11", "S004"),  # in stock by the register, not counted
        ("cl 2.11", "S001"),  # counted, but applied
        ("cl 2.7", "stock count"),  # counted, not in the register
    ]


def test_unknown_status_is_located(tmp_path: Path) -> None:
    result = check(tmp_path, "S070,2026-05-01,,,,,misplaced,,")
    assert result.errors()[0].location == "register.csv row 2, column 'status' (column 7)"


def test_excel_register_with_aliases(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Seal No", "Date received", "Date applied", "Container", "Applied by"])
    sheet.append([123456, dt.datetime(2026, 5, 1), dt.datetime(2026, 4, 30), "MSKU1", "C. Wu"])
    book.save(path)
    result = check_register(path, as_of=AS_OF)
    assert [(str(f.clause), f.seal, f.location) for f in result.errors()] == [
        ("cl 2.7", "123456", "register.xlsx, sheet 'Sheet' row 2, column 'applied_date' (C)")
    ]


def test_register_needs_seal_numbers(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("container_number\nMSKU1\n", encoding="utf-8")
    with pytest.raises(InputError, match="seal_number"):
        check_register(path)


def test_missing_stock_count_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_stock_count(tmp_path / "held.txt")


def test_recorded_before_received_is_flagged(tmp_path: Path) -> None:
    """Review finding 10 (cl 2.7): a seal recorded before it was received has a wrong date."""
    result = check(tmp_path, *GOOD[:4], "S009,2026-05-10,2026-05-05,,,,,,", count=["S004", "S009"])
    assert clauses(result) == [("cl 2.7", "register.csv row 6, column 'recorded_date' (column 3)")]
    assert "before it was received" in result.errors()[0].message


def test_one_replacement_named_by_two_damaged_seals(tmp_path: Path) -> None:
    """Review finding 10 (cl 2.10): a new seal replaces one damaged seal, not two."""
    result = check(
        tmp_path,
        *GOOD,
        "S006,2026-05-01,2026-05-01,2026-05-11,MSKU7654321,A. Ngata,broken,S003,",
        count=["S004"],
    )
    assert clauses(result) == [("cl 2.10", "register.csv row 7, column 'replaced_by' (column 8)")]
    assert "also named for S002" in result.errors()[0].message


def test_a_seal_counted_twice_is_flagged(tmp_path: Path) -> None:
    """Review finding 10 (cl 2.11): the stock count was silently de-duplicated."""
    result = check(tmp_path, *GOOD, count=["S004", "S004"])
    assert clauses(result) == [("cl 2.11", "stock count")]
    assert "counted 2 times" in result.errors()[0].message
