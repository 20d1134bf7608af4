"""Batches: files in (CSV, Excel, JSON), one result per row out, located errors, cross-row rules."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from levies import output, reader
from levies.batch import compute_file
from levies.profiles import load_profiles, ses_effect
from origin.errors import InputError

D = Decimal
HEADER = "id,document,date,mode,value,ses,status,document_id,original_date,paid_date,payer,exporter"


def write(tmp_path: Path, *lines: str, name: str = "entries.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_row_is_accounted_for(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        "a,import_entry,2026-04-01,sea,1500,,,,,,,",
        "b,imprt,2026-04-01,sea,1500,,,,,,,",
        ",,,,,,,,,,,",
        "c,import_entry,2026-04-01,,15,,,,,,,",
        "d,import_entry,2026-04-01,sea,-1,,,,,,,",
        "e,export_entry,2026-04-01,air,15,,,,,,,",
    )
    batch = compute_file(path)
    assert [r.number for r in batch.rows] == [2, 3, 5, 6, 7]
    assert batch.blank_rows == (4,)
    errors = {r.number: r.error for r in batch.rows if r.result is None}
    assert errors == {
        3: "entries.csv row 3, column 'document' (column 2): unknown document type 'imprt'; "
        "expected one of import_entry, postal_article_import_entry_exemption_document, "
        "deemed_entry_document, international_transhipment_request, carrier_inward_cargo_report, "
        "export_entry, export_entry_exemption_document, upu_mail_arrival, "
        "commercial_vessel_arrival, outward_cargo_report, temporary_import_security",
        5: "entries.csv row 5, column 'mode' (column 4): missing; expected air or sea (the rate in "
        "Schedule 2, low-value goods import levy depends on it)",
        6: "entries.csv row 6, column 'value' (column 5): '-1' is negative; expected 0 or more",
    }
    summary = batch.summary()
    assert (summary.rows, summary.charged, summary.errors, summary.blank_rows) == (5, 2, 3, (4,))
    # 73.87 + 2.48, each plus 15% GST
    assert summary.total == D("73.87") * D("1.15") + D("2.48") * D("1.15")
    assert len(output.to_csv(batch).splitlines()) == 1 + 5


def test_unknown_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "document,date,vaule", "import_entry,2026-04-01,5")
    with pytest.raises(InputError, match=r"unknown column\(s\) 'vaule'"):
        compute_file(path)


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "document,value", "import_entry,5")
    with pytest.raises(InputError, match=r"missing required column\(s\) date"):
        compute_file(path)


def test_dates_outside_the_encoding_are_row_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path, "document,date,ses", "export_entry,2025-06-30,no", "export_entry,2025-07-01,no"
    )
    batch = compute_file(path)
    assert batch.rows[0].result is None and "2025-06-30 is outside" in batch.rows[0].error
    assert batch.rows[1].result is not None


def test_amendment_linked_to_its_original(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        "o,import_entry,2026-04-02,air,900,,,E1,,2026-04-20,,",
        "a,import_entry,2026-05-06,sea,1500,,amended,E1,,,,",
    )
    rows = compute_file(path).rows
    amended = rows[1].result
    assert amended is not None and amended.adjustment is not None
    # 1.46 air low-value -> 73.87 sea high-value, GST 15% on both
    assert amended.adjustment.kind == "payable"
    assert amended.adjustment.amount == (D("73.87") - D("1.46")) * D("1.15")
    assert str(amended.adjustment.reference) == "cl 5(3)"
    assert amended.entry.original_date == dt.date(2026, 4, 2)


def test_amendment_reducing_the_levy_is_refunded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        "o,export_entry,2026-04-02,sea,5000,no,,X9,,2026-05-20,,",
        "a,export_entry,2026-04-09,sea,5000,yes,amended,X9,,,,",
    )
    result = compute_file(path).rows[1].result
    assert result is not None and result.adjustment is not None
    assert (result.adjustment.kind, result.adjustment.amount) == ("refund", D("4.37") * D("1.15"))
    assert str(result.adjustment.reference) == "cl 20(2)"
    assert result.adjustment.refund_by == dt.date(2030, 5, 20)


def test_cancellation_linked_to_its_original(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        "o,export_entry,2026-04-02,air,5000,,,X1,,2026-05-20,,",
        "c,export_entry,2026-04-30,air,5000,,cancelled,X1,,,,",
    )
    result = compute_file(path).rows[1].result
    assert result is not None and result.charge is None and result.adjustment is not None
    assert result.adjustment.amount == D("3.35") * D("1.15")


def test_transitional_amendment_in_a_batch(tmp_path: Path) -> None:
    """Lodged 2026-03-31 with the $53.44 fee, amended 2026-04-01: still the fee (Sch 1 cl 2)."""
    path = write(
        tmp_path,
        HEADER,
        "o,import_entry,2026-03-31,sea,5000,,,E7,,,,",
        "a,import_entry,2026-04-01,sea,7000,,amended,E7,,,,",
    )
    rows = compute_file(path).rows
    amended = rows[1].result
    assert amended is not None and amended.charge is not None
    assert (amended.charge.name, amended.charge.amount) == (
        "import entry transaction fee",
        D("53.44"),
    )
    assert amended.adjustment is None  # same fee either way
    assert "sch 1 cl 2(2)" in [str(s.citation) for s in amended.steps]


def test_monthly_total_dates_small_fees(tmp_path: Path) -> None:
    """rr 28A(3), 29A(5): $50 reached in month A -> 20th of next month; else the earlier of ..."""
    lines = [HEADER]
    # payer P: 9 × $6.26 = $56.34 in January 2026 -> due 2026-02-20
    lines += [f"p{i},export_entry,2026-01-{i + 1:02d},air,5,no,,,,,P," for i in range(9)]
    # payer Q: $6.26 in January, $45.53 (outward cargo report) in February -> total $51.79
    lines += [
        "q1,export_entry,2026-01-05,air,5,no,,,,,Q,",
        "q2,outward_cargo_report,2026-02-10,air,,,,,,,Q,",
    ]
    # payer R: $4.19 in January and nothing more -> 20th of the third month after: 2026-04-20
    lines += ["r1,export_entry,2026-01-05,air,5,yes,,,,,R,"]
    # no payer: not computed
    lines += ["n1,export_entry,2026-01-05,air,5,yes,,,,,,"]
    rows = compute_file(write(tmp_path, *lines)).rows
    due = {
        r.result.entry.id: r.result.charge.due_date for r in rows if r.result and r.result.charge
    }
    assert all(due[f"p{i}"] == dt.date(2026, 2, 20) for i in range(9))
    # Q's fees not yet due reach $51.79 at the end of February: both fall due 20 March.
    assert due["q1"] == dt.date(2026, 3, 20)
    assert due["q2"] == dt.date(2026, 3, 20)
    assert due["r1"] == dt.date(2026, 4, 20)
    assert due["n1"] is None
    summary = compute_file(write(tmp_path, *lines)).summary()
    assert summary.by_payer == {"P": 9 * D("6.26"), "Q": D("51.79"), "R": D("4.19")}
    q1 = next(r.result for r in rows if r.result and r.result.entry.id == "q1")
    assert str(q1.steps[-1].citation) == "r 28A(3)(b)(i)"


def test_profiles_supply_ses_status(tmp_path: Path) -> None:
    profiles = write(
        tmp_path,
        "exporter,name,ses,from,until",
        "EX1,Kiwi Fruit Ltd,yes,2026-01-01,2027-01-01",
        "EX2,Other Ltd,no,,",
        name="profiles.csv",
    )
    path = write(
        tmp_path,
        HEADER,
        "a,export_entry,2026-05-01,sea,5000,,,,,,,EX1",
        "b,export_entry,2027-05-01,sea,5000,,,,,,,EX1",
        "c,export_entry,2026-05-01,sea,5000,,,,,,,EX2",
        "d,export_entry,2026-05-01,sea,5000,no,,,,,,EX1",
        "e,export_entry,2026-05-01,sea,5000,,,,,,,EX3",
    )
    rows = compute_file(path, profiles=load_profiles(profiles)).rows
    amounts = [r.result.charge.amount if r.result and r.result.charge else r.error for r in rows]
    assert amounts[:4] == [D("3.76"), D("8.13"), D("8.13"), D("8.13")]
    assert "column 'ses'" in str(amounts[4])
    summary = compute_file(path, profiles=load_profiles(profiles)).summary()
    assert summary.ses_saving_entries == 3
    assert summary.ses_saving_missed == 3 * (D("8.13") - D("3.76")) * D("1.15")


def test_bad_profile_is_located(tmp_path: Path) -> None:
    profiles = write(tmp_path, "exporter,ses", "EX1,maybe", name="profiles.csv")
    with pytest.raises(InputError, match=r"profiles.csv row 2, column 'ses' \(column 2\): 'maybe'"):
        load_profiles(profiles)


def test_ses_effect() -> None:
    before = ses_effect(dt.date(2026, 3, 31))[0]
    assert (before.without_ses, before.with_ses, before.saving) == (D("6.26"), D("4.19"), D("2.07"))
    after = ses_effect(dt.date(2026, 4, 1))[0]
    assert (after.without_ses, after.with_ses) == (D("8.13"), D("3.76"))
    assert after.saving == D("5.0255")  # 4.37 plus 15% GST


@pytest.fixture(params=["calamine in a child", "openpyxl"])
def excel_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workbooks are read by origin.workbook (python-calamine) or, without it, by openpyxl."""
    if request.param == "openpyxl":
        monkeypatch.setattr(reader, "FAST_WORKBOOKS", False)
    elif not reader.FAST_WORKBOOKS:
        pytest.skip("python-calamine is not installed")
    return str(request.param)


@pytest.mark.usefixtures("excel_reader")
def test_excel_input_with_locations(tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "March"
    sheet.append(["Document", "Date", "Mode", "Value", "SES"])
    sheet.append(["export_entry", dt.datetime(2026, 4, 1), "sea", 1000.01, "no"])
    sheet.append(["export_entry", dt.datetime(2026, 4, 1), "sea", 1000.0, "no"])
    sheet.append(["export_entry", "2026-04-01", "boat", 5, "no"])
    book.save(path)
    rows = compute_file(path).rows
    first, second = (r.result.charge for r in rows[:2] if r.result)
    assert first is not None and first.amount == D("8.13")  # 1000.01 read exactly, not as a float
    assert second is not None and second.amount == D("3.22")
    assert rows[2].error == (
        "entries.xlsx, sheet 'March' row 4, column 'mode' (C): 'boat' is not one of air, sea"
    )


@pytest.mark.usefixtures("excel_reader")
def test_excel_missing_sheet(tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError, match="no sheet 'Nope'"):
        compute_file(path, sheet="Nope")


@pytest.mark.usefixtures("excel_reader")
def test_not_a_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "document,date", name="entries.xlsx")
    with pytest.raises(InputError, match="not an Excel workbook"):
        compute_file(path)


def test_json_input(tmp_path: Path) -> None:
    path = tmp_path / "entries.json"
    path.write_text(
        json.dumps(
            {
                "entries": [
                    {"document": "upu_mail_arrival", "date": "2026-04-03", "weight_kg": 12.5},
                    {"document": "vessel", "date": "2026-04-03", "vessel_exemption": ["g"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    rows = compute_file(path).rows
    first = rows[0].result
    assert first is not None and first.charge is not None and first.charge.amount == D("5.000")
    second = rows[1].result
    assert second is not None and second.charge is None
    assert str(second.steps[-1].citation) == "cl 15(g)"


def test_json_output_round_trips_amounts_as_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "document,date,mode,value", "import_entry,2026-04-01,sea,1500")
    data = json.loads(json.dumps(output.to_json(compute_file(path))))
    charge = data["rows"][0]["result"]["charge"]
    assert (charge["amount"], charge["gst"]["amount"], charge["total"]) == (
        "73.87",
        "11.0805",
        "84.9505",
    )
    assert (
        charge["rate_reference"]["instrument"]
        == "Customs and Excise (Goods Management Levies) Order 2025"
    )
    assert data["summary"]["total"] == "84.9505"


def test_non_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    path.write_bytes(b"document,date,id\n" + "import_entry,2026-04-01,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        compute_file(path)


def test_field_too_large_for_csv_is_located(tmp_path: Path) -> None:
    """One unreadable record is that row's error; the rows after it are still read."""
    path = write(
        tmp_path,
        "document,date,id",
        "import_entry,2026-04-01," + "x" * 200_000,
        "commercial_vessel_arrival,2026-04-01,next",
    )
    rows = compute_file(path).rows
    assert rows[0].result is None
    assert rows[0].error.startswith("entries.csv row 2: not readable as CSV")
    assert rows[1].number == 3 and rows[1].result is not None


def test_quoted_newline_and_utf16(tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    text = 'id,document,date,mode,value\n"two\nlines",export_entry,2026-04-01,air,5\n'
    path.write_bytes(text.encode("utf-16"))
    rows = compute_file(path).rows
    assert len(rows) == 1
    assert rows[0].result is not None and rows[0].result.entry.id == "two\nlines"


@pytest.mark.usefixtures("excel_reader")
def test_excel_serial_date_hint(tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["document", "date", "mode", "value"])
    sheet.append(["export_entry", 46113, "air", 5])
    book.save(path)
    error = compute_file(path).rows[0].error
    assert error.startswith("entries.xlsx, sheet 'Sheet' row 2, column 'date' (B): 46113")
    assert error.endswith(
        "is not a date (expected YYYY-MM-DD) — a spreadsheet serial number? "
        "format the column as a date"
    )


@pytest.mark.usefixtures("excel_reader")
def test_excel_values_by_the_same_rules_as_csv(tmp_path: Path) -> None:
    """Issue 12: a workbook's cells meet the rules a CSV's text does. A date cell (a datetime at
    midnight) is its date; a date-and-time cell at 10:30 was silently cut to its date; text
    amounts '1e5' and '$10' were taken as 100000 and 10. Error rows keep the id given."""
    path = tmp_path / "entries.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "document", "date", "mode", "value", "ses"])
    sheet.append(["W1", "export_entry", dt.datetime(2026, 4, 1), "air", 5, "no"])
    sheet.append(["W2", "export_entry", dt.datetime(2026, 4, 1, 10, 30), "air", 5, "no"])
    sheet.append(["W3", "export_entry", "2026-04-01T00:00", "air", 5, "no"])
    sheet.append(["W4", "export_entry", dt.date(2026, 4, 1), "air", "1e5", "no"])
    sheet.append(["W5", "export_entry", dt.date(2026, 4, 1), "air", "$10", "no"])
    sheet.append(["W6", "export_entry", dt.date(2026, 4, 1), "air", "1,000.50", "no"])
    book.save(path)
    rows = compute_file(path).rows
    assert [r.id for r in rows] == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert [r.result is not None for r in rows] == [True, False, False, False, False, True]
    place = "entries.xlsx, sheet 'Sheet' row"
    assert rows[1].error == (
        f"{place} 3, column 'date' (C): 2026-04-01 10:30:00 is a date and time; expected a date "
        "(YYYY-MM-DD) without a time — format the cell as a date"
    )
    assert rows[2].error.startswith(f"{place} 4, column 'date' (C): '2026-04-01T00:00' has a time")
    assert rows[3].error.startswith(f"{place} 5, column 'value' (E): '1e5' is in exponent form")
    assert rows[4].error.startswith(f"{place} 6, column 'value' (E): '$10' has a currency sign")
    last = rows[5].result
    assert last is not None and last.entry.value == D("1000.50")
