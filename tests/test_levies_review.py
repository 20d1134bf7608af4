"""Regressions from the independent review of levies/ (2026-11-23), one test per finding.

Each worked figure shows its arithmetic from the instrument: Schedule 3 high-value export levy
by sea $8.13 (non-SES) / $3.76 (SES), plus GST 15%; Schedule 2 high-value import by sea $73.87,
low-value import by sea $1.34; r 28A(1)(b) export entry fee $6.26; r 24A(1) import entry fee
$53.44 (GST inclusive).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

import origin.cli
from levies import output
from levies.batch import BatchResult, BatchRow, compute_file
from levies.calculator import compute
from levies.model import DocumentType, Entry, Mode, RowError, Status
from levies.profiles import load_profiles
from levies.threshold import duty_threshold
from origin.errors import InputError

D = Decimal
GST = D("1.15")
APRIL_1 = dt.date(2026, 4, 1)


def write(tmp_path: Path, *lines: str, name: str = "entries.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


AMENDED_AND_CANCELLED = (
    "id,document,document_id,date,mode,value,ses,status,paid_date,payer",
    "1,export_entry,E1,2026-04-10,sea,5000,no,,,P",
    "2,export_entry,E1,2026-06-05,sea,5000,yes,amended,,P",
    "3,import_entry,I1,2026-04-10,sea,900,,,,P",
    "4,import_entry,I1,2026-06-05,sea,1500,,amended,,P",
    "5,export_entry,E2,2026-04-10,sea,5000,no,,2026-05-01,P",
    "6,export_entry,E2,2026-04-20,sea,5000,no,cancelled,,P",
)


def test_summary_counts_each_document_as_it_now_stands(tmp_path: Path) -> None:
    """Finding 1: replaced and cancelled rows are not added to the totals (cl 5(1)(b), 5(2))."""
    batch = compute_file(write(tmp_path, *AMENDED_AND_CANCELLED))
    summary = batch.summary()
    e1 = D("3.76") * GST  # E1 as amended: sea, SES
    i1 = D("73.87") * GST  # I1 as amended: $1,500 by sea
    assert summary.total == e1 + i1 == D("89.2745")  # E2 cancelled: 0
    assert summary.charged == 2
    assert summary.superseded == 3
    assert [r.superseded_by for r in batch.rows] == [3, 0, 5, 0, 7, 0]
    assert summary.by_payer == {"P": D("89.2745")}
    assert sum(summary.by_due_date.values()) == D("89.2745")
    # E1 is now SES and E2 is cancelled: nothing that SES would have saved.
    assert (summary.ses_saving_entries, summary.ses_saving_missed) == (0, 0)
    # The increase on I1 is part of the total, not added to it.
    assert summary.differences_payable == i1 - D("1.34") * GST


def test_fifty_dollar_rule_ignores_cancelled_fees(tmp_path: Path) -> None:
    """Finding 2: 7 live fees of $6.26 = $43.82 < $50 in January 2026, no further fees:
    r 28A(3)(b)(ii) -> the 20th day of the third month after January, 2026-04-20."""
    lines = ["id,document,document_id,date,mode,value,ses,status,payer"]
    lines += [f"{i},export_entry,X{i},2026-01-0{i},sea,100,no,,P" for i in range(1, 9)]
    lines += ["9,export_entry,X8,2026-01-20,sea,100,no,cancelled,P"]
    batch = compute_file(write(tmp_path, *lines))
    live = [r.result.charge for r in batch.rows[:7] if r.result and r.result.charge]
    assert len(live) == 7
    assert {c.due_date for c in live} == {dt.date(2026, 4, 20)}
    assert batch.summary().total == 7 * D("6.26") == D("43.82")
    assert batch.rows[7].superseded_by == 10


def test_fifty_dollar_rule_counts_an_amended_fee_once(tmp_path: Path) -> None:
    """Finding 2: an amended export entry is one fee, not two (8 × $6.26 would reach $50)."""
    lines = ["id,document,document_id,date,mode,value,ses,status,payer"]
    lines += [f"{i},export_entry,X{i},2026-01-0{i},sea,100,no,,P" for i in range(1, 8)]
    lines += ["8,export_entry,X7,2026-01-09,sea,200,no,amended,P"]
    batch = compute_file(write(tmp_path, *lines))
    assert batch.summary().total == D("43.82")
    live = [r for r in batch.rows if not r.superseded_by]
    dates = {r.result.charge.due_date for r in live if r.result and r.result.charge}
    assert dates == {dt.date(2026, 4, 20)}
    assert batch.rows[6].superseded_by == 9


def test_amended_levy_is_due_by_the_original_document() -> None:
    """Finding 3: cl 5(2) — an amendment of a 10 April export entry is due 20 May, not 20 July."""
    entry = Entry(
        "e",
        DocumentType.EXPORT_ENTRY,
        dt.date(2026, 6, 5),
        Mode.SEA,
        D("5000"),
        ses=False,
        status=Status.AMENDED,
        original_date=dt.date(2026, 4, 10),
    )
    charge = compute(entry).charge
    assert charge is not None and charge.due_date == dt.date(2026, 5, 20)


def test_amended_fee_kept_by_schedule_1_is_due_by_its_month() -> None:
    """Finding 3: a March 2026 inward cargo report (sea fee $238.66, over $50 alone) amended in
    June: r 13A(4)(a) with March as month A -> 2026-04-20."""
    entry = Entry(
        "c",
        DocumentType.CARRIER_INWARD_CARGO_REPORT,
        dt.date(2026, 6, 5),
        Mode.SEA,
        status=Status.AMENDED,
        original_date=dt.date(2026, 3, 10),
    )
    charge = compute(entry).charge
    assert charge is not None and charge.regime == "fee"
    assert (charge.amount, charge.due_date) == (D("238.66"), dt.date(2026, 4, 20))


def test_increase_by_amendment_is_still_dated_from_the_amendment(tmp_path: Path) -> None:
    """cl 5(3) is untouched by finding 3: the difference is due by the amendment's date."""
    batch = compute_file(write(tmp_path, *AMENDED_AND_CANCELLED))
    amended = batch.rows[3].result
    assert amended is not None and amended.adjustment is not None
    assert amended.adjustment.kind == "payable"
    assert amended.adjustment.due_date is None  # import levy: needs duty_due_date of its own
    e1 = batch.rows[1].result
    assert e1 is not None and e1.charge is not None
    assert e1.charge.due_date == dt.date(2026, 5, 20)


TRANSITIONAL = (
    "id,document,document_id,date,mode,value,status",
    "1,import_entry,D1,2026-03-20,sea,1500,",
    "2,import_entry,D1,2026-04-10,sea,900,amended",
    "3,import_entry,D2,2026-03-20,sea,900,",
    "4,import_entry,D2,2026-04-10,sea,1500,amended",
)


def test_schedule_1_asks_whether_the_original_established_a_fee(tmp_path: Path) -> None:
    """Finding 4: Schedule 1 cl 2(1)(b) is about the document as made.

    D2: $900 on 20 March (no fee, r 24A(1) needs more than $1,000) amended to $1,500 after
    1 April: outside Schedule 1, nothing payable, flagged doubtful (decision 0009 §10).
    D1: $1,500 (fee $53.44) amended to $900: Schedule 1 applies, the regulations apply to the
    document as amended — no fee, so the $53.44 is refundable."""
    rows = compute_file(write(tmp_path, *TRANSITIONAL)).rows
    d2 = rows[3].result
    assert d2 is not None and d2.charge is None and d2.adjustment is None
    assert "sch 1 cl 2(1)(b)" in [str(s.citation) for s in d2.steps]
    assert any(n.startswith("doubtful") for n in d2.notes)
    assert not any(n.startswith("due date not computed") for n in d2.notes)
    d1 = rows[1].result
    assert d1 is not None and d1.charge is None
    assert d1.adjustment is not None
    assert (d1.adjustment.kind, d1.adjustment.amount) == ("refund", D("53.44"))
    texts = " ".join(s.text for s in d1.steps)
    assert "does not apply" not in texts
    assert not any(n.startswith("doubtful") for n in d1.notes)


def test_duty_threshold_refuses_values_that_are_not_finite(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 7: NaN gave a decimal.InvalidOperation traceback; infinity was 'collected'."""
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    for text in ("nan", "sNaN", "inf", "Infinity", "-Infinity"):
        with pytest.raises(SystemExit) as exit_:
            origin.cli.main(["duty-threshold", "--date", "2026-04-01", "--", text])
        assert exit_.value.code == 2
        assert "not a finite number" in capsys.readouterr().err
    with pytest.raises(InputError, match="finite"):
        duty_threshold(D("NaN"), dt.date(2026, 4, 1))
    with pytest.raises(InputError, match="finite"):
        duty_threshold(D("Infinity"), dt.date(2026, 4, 1))


@pytest.mark.parametrize("weight", ["1e70", "1e-70", "1." + "0" * 60 + "1", "1" * 59])
def test_extreme_quantities_are_row_errors_not_tracebacks(tmp_path: Path, weight: str) -> None:
    """Finding 8: such a weight raised decimal.Inexact (60-digit exact context) in the levy or
    in summary() and aborted the whole file; now that row is refused and the rest computed."""
    path = write(
        tmp_path,
        "document,date,weight_kg,mode,value",
        f"upu,2026-04-01,{weight},,",
        "import_entry,2026-04-01,,sea,5",
        "upu,2026-04-01,123456789012345.1234567891,,",
    )
    batch = compute_file(path)
    assert batch.rows[0].result is None
    assert batch.rows[0].column == "weight_kg"
    # The largest quantity accepted (15 digits, 10 places) still computes and adds exactly.
    biggest = batch.rows[2].result
    assert biggest is not None and biggest.charge is not None
    assert biggest.charge.amount == D("0.40") * D("123456789012345.1234567891")
    assert batch.summary().total == D("1.34") * GST + biggest.charge.total


def test_csv_row_with_too_many_cells_is_a_row_error(tmp_path: Path) -> None:
    """Finding 9: one over-long row refused the whole file (a short one was a row error)."""
    path = write(
        tmp_path,
        "document,date,mode,value",
        "import_entry,2026-04-01,sea,5,extra",
        "import_entry,2026-04-01,sea,6",
    )
    rows = compute_file(path).rows
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].result is None
    assert rows[0].error == "entries.csv row 2: 5 cells but the header has 4 columns " + (
        "(an unquoted comma in a value?)"
    )
    assert rows[1].result is not None


def test_unterminated_quote_costs_one_row(tmp_path: Path) -> None:
    """Finding 9: an unclosed quote swallowed the lines after it (3 lines came back as 2
    rows, the error labelled row 4). Now the row is the line the record starts on."""
    path = write(
        tmp_path,
        "document,date,mode,value",
        "import_entry,2026-04-01,sea,5",
        '"import_entry,2026-04-01,sea,6',
        "import_entry,2026-04-01,sea,7",
    )
    rows = compute_file(path).rows
    assert [r.number for r in rows] == [2, 3, 4]
    assert rows[1].result is None and rows[1].error.startswith("entries.csv row 3: not readable")
    assert "never closed" in rows[1].error
    assert rows[2].result is not None and rows[2].result.entry.value == D("7")


def test_multi_line_record_is_numbered_by_its_first_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,document,date,mode,value",
        '"two',
        'lines",export_entry,2026-04-01,air,5',
        "x,export_entry,2026-04-01,air,6",
    )
    assert [r.number for r in compute_file(path).rows] == [2, 4]


def test_fifty_dollar_rule_falls_back_to_the_exporter_like_the_summary(tmp_path: Path) -> None:
    """Finding 11: the summary groups by payer, else exporter; the $50 rule grouped only by
    payer, so a pre-April export entry with an exporter and no payer got no due date.
    One $6.26 fee (r 28A(1)(b)) in March 2026 and no more: 20th of the third month, 20 June."""
    path = write(
        tmp_path,
        "id,document,date,mode,value,exporter,ses",
        "1,export_entry,2026-03-31,air,20,EX1,no",
    )
    result = compute_file(path).rows[0].result
    assert result is not None and result.charge is not None
    assert result.charge.due_date == dt.date(2026, 6, 20)
    assert not any(n.startswith("due date not computed") for n in result.notes)


def test_single_fee_under_fifty_dollars_says_why_it_has_no_due_date() -> None:
    """Finding 11: one entry (no file) cannot be dated by the $50 rule; the result says so."""
    entry = Entry("x", DocumentType.EXPORT_ENTRY, dt.date(2026, 3, 2), Mode.SEA, D(5), ses=False)
    result = compute(entry)
    assert result.charge is not None and result.charge.due_date is None
    assert any("the $50 rule" in n for n in result.notes)


def test_citations_and_notes_from_review_finding_12(tmp_path: Path) -> None:
    """Finding 12: no stray space in schedule clause citations; a pre-April transhipment
    request is not cited to r 24A(4)(a); facts a fee ignores are noted, not dropped."""
    amended = compute_file(write(tmp_path, *TRANSITIONAL)).rows[1].result
    assert amended is not None and amended.adjustment is not None
    assert str(amended.adjustment.reference) == "sch 1 cl 2(2)(a)"
    tranship = compute(Entry("t", DocumentType.TRANSHIPMENT_REQUEST, dt.date(2026, 3, 2), Mode.SEA))
    assert [str(s.citation) for s in tranship.steps][-1] == "r 24A(1)"
    fee = compute(
        Entry(
            "x",
            DocumentType.EXPORT_ENTRY,
            dt.date(2026, 3, 2),
            Mode.AIR,
            D(5),
            ses=False,
            excluded=frozenset({"carnet"}),
            gst="zero",
        )
    )
    assert any(n.startswith("gst 'zero' ignored") for n in fee.notes)
    assert any(n.startswith("excluded carnet ignored") for n in fee.notes)


def test_fee_amended_before_april_cites_its_regulation(tmp_path: Path) -> None:
    """Schedule 1 cl 2 is only for amendments on or after 1 April 2026: an export entry of
    January amended in February (non-SES $6.26 -> SES $4.19) is reduced under r 28A."""
    path = write(
        tmp_path,
        "id,document,document_id,date,mode,value,ses,status",
        "1,export_entry,X,2026-01-10,air,5,no,",
        "2,export_entry,X,2026-02-10,air,5,yes,amended",
    )
    result = compute_file(path).rows[1].result
    assert result is not None and result.adjustment is not None
    assert result.adjustment.amount == D("6.26") - D("4.19")
    assert str(result.adjustment.reference) == "r 28A(1)"


def test_missing_ses_names_the_exporter_not_in_the_profiles(tmp_path: Path) -> None:
    """Finding 12: 'ses missing' alone did not say that the exporter has no profile."""
    profiles = write(tmp_path, "exporter,ses", "EX1,yes", name="profiles.csv")
    path = write(tmp_path, "document,date,mode,value,exporter", "export,2026-04-02,sea,5000,EX9")
    batch = compute_file(path, profiles=load_profiles(profiles))
    assert batch.rows[0].error.endswith("(exporter 'EX9' is not in the profiles file)")


@pytest.mark.parametrize("text", ["20260401", "2026W143", "2026-W14-3"])
def test_dates_only_in_the_documented_form(tmp_path: Path, text: str) -> None:
    """Finding 13: ISO basic and week forms were accepted as dates."""
    path = write(tmp_path, "document,date,mode,value", f"export,{text},air,5")
    row = compute_file(path).rows[0]
    assert row.result is None and row.column == "date"


def test_json_integer_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entries.json"
    path.write_text('[{"document": "export", "date": 20260401, "mode": "air", "value": 5}]')
    row = compute_file(path).rows[0]
    assert row.result is None and row.column == "date"


def test_csv_output_does_not_carry_formulas(tmp_path: Path) -> None:
    """Finding 13: an id like =HYPERLINK(...) was copied into the CSV results unescaped."""
    path = write(
        tmp_path,
        "id,document,date,mode,value",
        '"=HYPERLINK(""http://x"",""y"")",export,2026-04-01,air,5',
        "@SUM(1),export,2026-04-01,air,5",
    )
    lines = list(csv.DictReader(io.StringIO(output.to_csv(compute_file(path)))))
    assert [line["id"] for line in lines] == ['\'=HYPERLINK("http://x","y")', "'@SUM(1)"]
    # Schedule 3: low-value goods export levy by air, $2.48 plus GST
    assert lines[0]["total_exact"] == str(D("2.48") * GST)
    assert lines[0]["total"] == "2.85"  # to the cent, for display


def test_empty_containers_not_stated_is_charged_with_a_note(tmp_path: Path) -> None:
    """Finding 13: a carrier inward cargo report from April is charged the empty container
    levy ($1.34 plus GST, Schedule 2) unless said otherwise; the assumption is now visible."""
    path = write(
        tmp_path,
        "document,date,empty_containers",
        "carrier_report,2026-04-01,",
        "carrier_report,2026-04-01,yes",
        "carrier_report,2026-04-01,no",
    )
    unstated, yes, no = (r.result for r in compute_file(path).rows)
    assert unstated is not None and unstated.charge is not None
    assert unstated.charge.total == D("1.34") * GST
    assert any(n.startswith("empty_containers not given") for n in unstated.notes)
    assert yes is not None and yes.charge is not None
    assert not any(n.startswith("empty_containers") for n in yes.notes)
    assert no is not None and no.charge is None


def test_a_document_lodged_twice_is_a_row_error(tmp_path: Path) -> None:
    """Found while checking finding 1 by property: a second 'lodged' row with the same
    document_id was counted as a second document. It is now refused, naming the first row."""
    path = write(
        tmp_path,
        "document,document_id,date,mode,value",
        "export,A,2026-04-01,air,5",
        "export,A,2026-04-02,air,5",
    )
    batch = compute_file(path)
    assert batch.rows[1].result is None
    assert batch.rows[1].error == (
        "entries.csv row 3, column 'document_id' (column 2): 'A' is already lodged at row 2: "
        "a document is lodged once; give a change as status amended (cl 5(2))"
    )
    assert batch.summary().total == D("2.48") * GST


def test_seal_and_gap_csv_do_not_carry_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 13, for the other CSV outputs: a seal number typed as a formula."""
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    register = write(
        tmp_path, "seal_number,received_date,status", "=1+1,2026-05-01,lost", name="reg.csv"
    )
    code = origin.cli.main(
        ["ses", "seals", str(register), "--format", "csv", "--as-of", "2026-06-01"]
    )
    out = capsys.readouterr().out
    assert code == 0
    seals = [line["seal"] for line in csv.DictReader(io.StringIO(out))]
    assert seals == ["'=1+1"]


def test_extreme_weight_in_code_is_a_row_error() -> None:
    """Finding 8 for callers that build an Entry in code (no from_row bounds)."""
    entry = Entry("u", DocumentType.UPU_MAIL_ARRIVAL, APRIL_1, weight_kg=D("1." + "0" * 60 + "1"))
    with pytest.raises(RowError, match="weight_kg"):
        compute(entry)


# --------------------------------------------------------------------------- issue 12
# An independent hostile-input corpus: every value is read by one rule (levies.values) in the
# CLI and in every batch format, every output row keeps the user's id, JSON is read strictly,
# and no text breaks a writer.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-0", "'-0' is a negative zero; expected 0 or more, written without a sign"),
        ("-0.00", "'-0.00' is a negative zero; expected 0 or more, written without a sign"),
        ("1e5", "'1e5' is in exponent form; write the amount out in digits, e.g. 100000"),
        ("$10", "'$10' has a currency sign; write the amount in NZD as a plain number, e.g. 10"),
        ("NZD 10", "'NZD 10' has a currency sign; write the amount in NZD as a plain number"),
        ("1,0,0", "'1,0,0' has commas that do not group thousands (expected e.g. 1,000,000.00)"),
        ("+5", "'+5' has a sign; expected 0 or more, written without a sign"),
        (".5", "'.5' is not a plain decimal amount (expected e.g. 1000.00)"),
        ("5.", "'5.' is not a plain decimal amount (expected e.g. 1000.00)"),
        ("1 000", "'1 000' is not a plain decimal amount (expected e.g. 1000.00)"),
        ("0x10", "'0x10' is not a plain decimal amount (expected e.g. 1000.00)"),
        ("١٠", "'١٠' is not a plain decimal amount (expected e.g. 1000.00)"),
        ("nan", "'nan' is not a finite number (expected a plain decimal amount, e.g. 1000.00)"),
    ],
)
def test_amounts_are_plain_decimals_in_files_and_on_the_command_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    message: str,
) -> None:
    """Issue 12: '-0', '1e5' and '$10' were taken as 0, 100000 and 10 without comment."""
    path = write(tmp_path, "id,document,date,mode,value", f'A1,export,2026-04-01,air,"{text}"')
    row = compute_file(path).rows[0]
    assert row.result is None and row.column == "value"
    assert row.error.startswith("entries.csv row 2, column 'value' (column 5): " + message)
    as_json = tmp_path / "entries.json"
    as_json.write_text(json.dumps([{"document": "export", "date": "2026-04-01", "value": text}]))
    error = compute_file(as_json).rows[0].error
    assert error.startswith("entries.json item 1, column 'value': " + message)
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    argv = ["levy", "--document", "export", "--date", "2026-04-01", "--mode", "air"]
    assert origin.cli.main([*argv, f"--value={text}", "--ses", "no"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("origin: option --value: " + message)


def test_duty_threshold_reads_amounts_by_the_same_rule(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: duty-threshold took '-0', '1e3' and '$10' like the levy did."""
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    for text in ("-0", "1e3", "$10"):
        with pytest.raises(SystemExit) as exit_:
            origin.cli.main(["duty-threshold", "--date", "2026-04-01", "--", text])
        assert exit_.value.code == 2
        assert f"'{text}'" in capsys.readouterr().err
    assert origin.cli.main(["duty-threshold", "--date", "2026-04-01", "1,000.00"]) == 0
    assert "Customs value 1000.00 is equal to or less than $1,000" in capsys.readouterr().out


def test_number_cells_by_the_same_rule() -> None:
    """Issue 12: a spreadsheet's number cell -0.0 (calamine keeps the sign) is refused like the
    text '-0'; a number cell is otherwise read as typed (1000.01, not its binary double)."""
    with pytest.raises(RowError, match=r"'value': -0\.0 is a negative zero"):
        Entry.from_row({"document": "export", "date": "2026-04-01", "value": -0.0})
    entry = Entry.from_row({"document": "export", "date": "2026-04-01", "value": 1000.01})
    assert entry.value == D("1000.01")
    with pytest.raises(RowError, match="'date': 2026-04-01 00:00:01 is a date and time"):
        Entry.from_row({"document": "export", "date": dt.datetime(2026, 4, 1, 0, 0, 1)})


def test_amounts_still_read(tmp_path: Path) -> None:
    """What stays accepted: digits with a decimal point, thousands grouped by commas (as the
    workbook reader accepts them), and surrounding spaces."""
    path = write(
        tmp_path,
        "document,date,weight_kg",
        'upu,2026-04-01,"1,000.5"',
        "upu,2026-04-01, 12.50 ",
        "upu,2026-04-01,0",
        'upu,2026-04-01,"12,345,678"',
    )
    weights = [r.result.entry.weight_kg for r in compute_file(path).rows if r.result]
    assert weights == [D("1000.5"), D("12.50"), D("0"), D("12345678")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-04-01T00:00", "'2026-04-01T00:00' has a time part; expected a date YYYY-MM-DD"),
        ("2026-04-01 10:30", "'2026-04-01 10:30' has a time part; expected a date YYYY-MM-DD"),
        ("2026-04-01T00:00Z", "'2026-04-01T00:00Z' has a time part; expected a date YYYY-MM-DD"),
        ("2026-02-30", "'2026-02-30' is not a date: there is no such day"),
        ("1/4/2026", "'1/4/2026' is not a date (expected YYYY-MM-DD)"),
    ],
)
def test_dates_have_no_time_part(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    message: str,
) -> None:
    """Issue 12: '2026-04-01T00:00' (and '2026-04-01T10:30') were read as 2026-04-01."""
    path = write(tmp_path, "id,document,date,mode,value", f"A1,export,{text},air,5")
    row = compute_file(path).rows[0]
    assert row.result is None and row.column == "date"
    assert row.error.startswith("entries.csv row 2, column 'date' (column 3): " + message)
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    argv = ["levy", "--document", "export", "--mode", "air", "--value", "5", "--ses", "no"]
    assert origin.cli.main([*argv, "--date", text]) == 2
    assert capsys.readouterr().err.startswith("origin: option --date: " + message)
    with pytest.raises(SystemExit) as exit_:
        origin.cli.main(["levy-rates", "--date", text])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_json_numbers_are_read_as_written(tmp_path: Path) -> None:
    """Issue 12: a JSON number 1e5 or -0.0 is held to the same rule as text; -0 (an integer,
    whose sign the JSON reader cannot keep) refuses the file where it stands."""
    path = tmp_path / "entries.json"
    path.write_text(
        '[{"id": "A", "document": "export", "date": "2026-04-01", "mode": "air", "value": 1e5},\n'
        ' {"id": "B", "document": "export", "date": "2026-04-01", "mode": "air", "value": -0.0},\n'
        ' {"id": "C", "document": "export", "date": "2026-04-01", "mode": "air", "value": 12.50}]'
    )
    a, b, c = compute_file(path).rows
    assert a.error == (
        "entries.json item 1, column 'value': '1e5' is in exponent form; write the amount out in "
        "digits, e.g. 100000"
    )
    assert b.error.startswith("entries.json item 2, column 'value': '-0.0' is a negative zero")
    assert c.result is not None and c.result.entry.value == D("12.50")
    path.write_text('[{"id": "A", "document": "export", "date": "2026-04-01",\n "value": -0}]')
    with pytest.raises(InputError) as error:
        compute_file(path)
    assert str(error.value).startswith("entries.json line 2, column 11: the number -0")


def test_error_rows_keep_the_users_id(tmp_path: Path) -> None:
    """Issue 12: an error row's id was blank in every output, losing the user's reference."""
    path = write(
        tmp_path,
        "id,document,date,mode,value",
        "INV-1,export,2026-04-01,air,5",
        "INV-2,exprt,2026-04-01,air,5",
        "INV-3,export,2026-04-01T00:00,air,5",
        ",export,2026-04-01,air,-0",
    )
    batch = compute_file(path)
    assert [r.id for r in batch.rows] == ["INV-1", "INV-2", "INV-3", "5"]
    lines = list(csv.DictReader(io.StringIO(output.to_csv(batch))))
    assert [(line["id"], line["outcome"]) for line in lines] == [
        ("INV-1", "charged"),
        ("INV-2", "error"),
        ("INV-3", "error"),
        ("5", "error"),
    ]
    rows = output.to_json(batch)["rows"]
    assert [r["id"] for r in rows] == ["INV-1", "INV-2", "INV-3", "5"]
    text = output.to_text(batch)
    assert "row 3 INV-2: ERROR entries.csv row 3, column 'document'" in text


def test_json_repeated_key_is_refused_where_it_stands(tmp_path: Path) -> None:
    """Issue 12: {"document": "export", "document": "import"} was read as an import entry."""
    path = tmp_path / "entries.json"
    path.write_text(
        '[\n {"id": "A", "document": "export",\n  "document": "import", "date": "2026-04-01"}\n]'
    )
    with pytest.raises(InputError) as error:
        compute_file(path)
    assert str(error.value) == (
        'entries.json line 3, column 3: not valid JSON: key "document" appears twice in one object'
    )


def test_deeply_nested_json_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: 100,000 nested '[' raised RecursionError out of the CLI (a traceback)."""
    path = tmp_path / "entries.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"^entries.json line 1, column 4097: not valid JSON: "):
        compute_file(path)
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    assert origin.cli.main(["levy", str(path)]) == 2
    assert "nested more than 4096 levels deep" in capsys.readouterr().err
    # Nesting the parser allows, but deeper than Python's repr can print, inside one item or one
    # cell: an error naming the item, not a RecursionError from formatting the message.
    path.write_text("[" + "[" * 3000 + "]" * 3000 + "]")
    with pytest.raises(InputError, match=r"^entries.json item 1: expected an object, got a list"):
        compute_file(path)
    deep = "[" * 3000 + "]" * 3000
    path.write_text(f'[{{"id": {deep}, "document": "export", "date": "2026-04-01"}}]')
    row = compute_file(path).rows[0]
    assert row.result is None
    assert row.error == (
        "entries.json item 1, column 'id': a list nested in a list; expected text, a number "
        "or a list of names"
    )


@pytest.mark.parametrize("bad", ["A\x00B", "E\x1b[2J", "C\x9b1m", "S\ud800", " \x1f"])
def test_control_characters_and_lone_surrogates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """Issue 12: an id holding NUL or an escape sequence went into every output as it was (a
    terminal ran '\\x1b[2J'); a lone surrogate (JSON '\\ud800') crashed the writer after it had
    opened --output, leaving a 0-byte file. Such text is refused as the row's error, and every
    writer shows it escaped, so the user can still find the row."""
    path = tmp_path / "entries.json"
    items = [
        {"id": bad, "document": "export", "date": "2026-04-01", "mode": "air", "value": "5"},
        {"id": "ok", "document": "export", "date": "2026-04-01", "mode": "air", "value": "5"},
    ]
    path.write_text(json.dumps(items), encoding="utf-8")  # ensure_ascii: \\u escapes
    batch = compute_file(path)
    first = batch.rows[0]
    assert first.result is None and first.column == "id"
    code = f"U+{ord(bad[1]):04X}"
    assert first.error.startswith(f"entries.json item 1, column 'id': {bad!r} holds ")
    assert code in first.error
    escaped = bad[0] + bad[1:].encode("unicode_escape").decode("ascii")
    lines = list(csv.DictReader(io.StringIO(output.to_csv(batch))))
    assert [line["id"] for line in lines] == [escaped, "ok"]
    assert all(ch.isprintable() for ch in output.to_text(batch).replace("\n", ""))
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))
    for fmt in ("csv", "json", "text"):
        target = tmp_path / f"out.{fmt}"
        code_ = origin.cli.main(["levy", str(path), "--format", fmt, "--output", str(target)])
        assert code_ == 2
        written = target.read_bytes().decode("utf-8")  # strict: no lone surrogate written
        assert "ok" in written and "\x00" not in written and "\x1b" not in written
        assert capsys.readouterr().err.startswith("origin: 1 of 2 rows have errors")
    assert origin.cli.main(["levy", str(path)]) == 2
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x00" not in out and "\ud800" not in out


def test_csv_writer_escapes_control_characters_from_code() -> None:
    """Issue 12: an Entry built in code bypasses the row rules; the CSV writer still escapes
    control characters (a NUL makes the CSV unreadable to Python's own csv reader)."""
    entry = Entry("X\x00\x1b", DocumentType.EXPORT_ENTRY, APRIL_1, Mode.AIR, D(5), ses=False)
    result = compute(entry)
    text = output.to_csv(BatchResult("code", (BatchRow(1, "code", result),)))
    assert "\x00" not in text and "\x1b" not in text
    assert next(csv.DictReader(io.StringIO(text)))["id"] == "X\\x00\\x1b"
