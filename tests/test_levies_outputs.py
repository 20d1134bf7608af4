"""Issue 18, levies: money shown to the cent (exact in JSON), ``--format json`` on every levies
command that prints, the header mapping of levy batch files, and the SES checklist citing its
documents by their titles."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import origin.cli
from levies import headers, output
from levies.batch import compute_file
from levies.model import COLUMNS
from levies.ses import STANDARDS, checklist_text
from origin.errors import InputError


@pytest.fixture(autouse=True)
def _levies_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = origin.cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, *lines: str, name: str = "entries.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- money to the cent, for display only -----------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "shown"),
    [
        ("84.9505", "84.95"),
        ("0.5640", "0.56"),
        ("0.565", "0.57"),  # half away from zero
        ("0.005", "0.01"),
        ("0.0049999", "0.00"),
        ("11.0805", "11.08"),
        ("5.0255", "5.03"),
        ("1000", "1000.00"),
        ("53.44", "53.44"),
        ("-3.855", "-3.86"),
        ("999999999999999.9999999999", "1000000000000000.00"),
    ],
)
def test_cents(exact: str, shown: str) -> None:
    assert str(output.cents(D(exact))) == shown


@given(
    st.decimals(
        min_value=D("-1e15"), max_value=D("1e15"), places=10, allow_nan=False, allow_infinity=False
    )
)
def test_cents_is_the_nearest_cent(amount: D) -> None:
    shown = output.cents(amount)
    assert shown.as_tuple().exponent == -2
    assert abs(shown - amount) <= D("0.005")


def test_batch_text_and_csv_show_cents_json_keeps_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "id,document,date,mode,value", "I1,import,2026-04-01,sea,1500")
    code, text, _ = run(capsys, "levy", str(path))
    assert code == 0
    assert "high-value goods import levy $84.95 (standard GST)" in text
    assert "84.9505" in text  # the exact figure stays visible, once, in the summary
    assert "$84.9505 (" not in text.split("\n")[1]  # the row line itself: cents only
    assert output.ROUNDING_NOTE in text
    code, out, _ = run(capsys, "levy", str(path), "--format", "csv")
    line = next(csv.DictReader(io.StringIO(out)))
    assert (line["amount"], line["gst"], line["total"]) == ("73.87", "11.08", "84.95")
    assert (line["amount_exact"], line["gst_exact"], line["total_exact"]) == (
        "73.87",
        "11.0805",
        "84.9505",
    )
    code, out, _ = run(capsys, "levy", str(path), "--format", "json")
    charge = json.loads(out)["rows"][0]["result"]["charge"]
    assert (charge["gst"]["amount"], charge["total"]) == ("11.0805", "84.9505")


def test_totals_round_the_exact_sum_not_the_rounded_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three sea high-value exports under SES: $4.3240 each, $12.9720 in all: the total shows
    $12.97, not 3 × $4.32 = $12.96."""
    rows = [f"E{n},export,2026-04-01,sea,1000.01,yes" for n in range(3)]
    path = write(tmp_path, "id,document,date,mode,value,ses", *rows)
    code, text, _ = run(capsys, "levy", str(path))
    assert code == 0
    assert text.count("$4.32 (standard GST)") == 3
    assert "Total: $11.28 + GST $1.69 = $12.97" in text
    assert "exact: $11.28 + GST $1.6920 = $12.9720" in text


def test_explained_entry_without_rounding_has_no_note(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["levy", "--document", "import", "--date", "2026-03-31", "--mode", "air"]
    code, out, _ = run(capsys, *argv, "--value", "1000.01")
    assert code == 0
    assert "Total: $53.44\n" in out and "exact" not in out and output.ROUNDING_NOTE not in out


def test_explained_refund_shows_cents_and_exact(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["levy", "--document", "import", "--date", "2026-04-01", "--mode", "sea"]
    code, out, _ = run(capsys, *argv, "--value", "1500", "--duty-due-date", "2026-05-20")
    assert code == 0
    assert "GST: $73.87 × 0.15 = $11.08 (exact $11.0805)" in out
    assert output.ROUNDING_NOTE in out


# -- --format json wherever a levies command prints ------------------------------------------


def test_levy_rates_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "levy-rates", "--date", "2026-04-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "origin-levy-rates/1" and data["date"] == "2026-04-01"
    sea = [r for r in data["levies"] if r["key"] == "high_value_import" and r["basis"] == "sea"]
    assert [r["amount"] for r in sea] == ["73.87"]
    assert sea[0]["reference"]["text"] == "sch 2 high-value goods import levy"
    assert sea[0]["window"] == {"from": "2026-04-01", "until": None}
    assert data["fees"] == []  # revoked from 1 April 2026
    assert data["gst"]["rate"] == "0.15"
    code, out, _ = run(capsys, "levy-rates", "--format", "json")
    everything = json.loads(out)
    assert everything["date"] is None and everything["fees"] and everything["levies"]
    code, out, _ = run(capsys, "levy-rates")
    assert code == 0 and out.startswith("Levies (the order)")


@pytest.mark.parametrize(("value", "collected"), [("1000.00", False), ("1000.01", True)])
def test_duty_threshold_json(
    capsys: pytest.CaptureFixture[str], value: str, collected: bool
) -> None:
    code, out, _ = run(capsys, "duty-threshold", value, "--date", "2026-04-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "origin-duty-threshold/1"
    assert (data["value"], data["need_not_collect"], data["preference_matters"]) == (
        value,
        not collected,
        collected,
    )
    assert data["steps"][0]["citation"]["text"] == "r 70(1)"


def test_ses_effect_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ses", "effect", "--date", "2026-04-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (effect,) = data["effects"]
    assert (effect["without_ses"], effect["with_ses"], effect["saving"]) == (
        "8.13",
        "3.76",
        "5.0255",
    )


# -- header mapping of a levy batch ----------------------------------------------------------

BROKER_HEADER = "Reference,Entry Type,Entry Date,Transport Mode,Customs Value (NZD),SES status"
BROKER_ROW = "A1,export,2026-04-01,sea,1000.01,yes"


def test_common_synonyms_are_read(tmp_path: Path) -> None:
    ours = compute_file(write(tmp_path, BROKER_HEADER, BROKER_ROW, name="theirs.csv"))
    plain = compute_file(
        write(tmp_path, "id,document,date,mode,value,ses", BROKER_ROW, name="ours.csv")
    )
    assert ours.rows[0].result == plain.rows[0].result
    assert ours.rows[0].id == "A1"


def test_synonyms_map_only_to_known_columns() -> None:
    assert set(headers.SYNONYMS.values()) <= set(COLUMNS)
    assert not set(headers.SYNONYMS) & set(COLUMNS)  # a column's own name is never a synonym


def test_misspelt_header_is_refused_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "id,docment,date,mode,vaule,colour", "A1,export,2026-04-01,air,5,red")
    code, out, err = run(capsys, "levy", str(path))
    assert (code, out) == (2, "")
    assert "entries.csv header row: unknown column(s)" in err
    assert "'docment' (column 2: did you mean 'document'?)" in err
    assert "'vaule' (column 5: did you mean 'value'?)" in err
    assert "'colour' (column 6: no column of a close name)" in err
    assert "--column 'YOUR HEADER=COLUMN'" in err


def test_misspelt_synonym_suggests_its_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Entry Tpye,date", "export,2026-04-01")
    with pytest.raises(InputError, match=r"'Entry Tpye' \(column 1: did you mean 'document'\?\)"):
        compute_file(path)


def test_workbook_header_is_located_by_its_letter(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["document", "date", "Statsu"])
    ws.append(["export", "2026-04-01", "lodged"])
    path = tmp_path / "entries.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=r"'Statsu' \(C: did you mean 'status'\?\)"):
        compute_file(path)


def test_missing_required_column_names_the_headers_found(tmp_path: Path) -> None:
    path = write(tmp_path, "Ref,When,mode", "A1,2026-04-01,sea")
    with pytest.raises(InputError) as error:
        compute_file(path, columns={"when": "date"})
    message = str(error.value)
    assert "entries.csv header row: missing required column(s) document" in message
    assert "(headers found: 'Ref', 'When', 'mode')" in message


def test_mapping_file_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "Our Ref,Doc,Lodged On,How,NZD", "A1,export,2026-04-01,sea,1000.01")
    mapping = tmp_path / "columns.toml"
    mapping.write_text(
        '[columns]\n"Our Ref" = "id"\n"Doc" = "document"\n"Lodged On" = "date"\n'
        '"How" = "mode"\n"NZD" = "value"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "levy", str(path), "--columns", str(mapping), "--ses", "yes")
    assert code == 2 and "not both" in err  # entry options and a file: refused
    code, out, err = run(capsys, "levy", str(path), "--columns", str(mapping), "--format", "json")
    assert code == 2  # the ses column is needed for a sea high-value export
    row = json.loads(out)["rows"][0]
    assert row["id"] == "A1" and "'ses'" in row["error"]
    code, out, err = run(
        capsys, "levy", str(path), "--columns", str(mapping), "--column", "NZD=weight_kg"
    )
    assert code == 2 and "column 'value': missing" in out  # the option wins over the file
    code, out, err = run(capsys, *_only_options(path))
    assert code == 2 and "'ses'" in out


def _only_options(path: Path) -> list[str]:
    pairs = ("Our Ref=id", "Doc=document", "Lodged On=date", "How=mode", "NZD=value")
    return ["levy", str(path), *(arg for p in pairs for arg in ("--column", p))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\n"Doc" = "documnet"\n', r"columns.toml, \[columns\] 'Doc': 'documnet' is not "
         r"a column; did you mean 'document'\?"),
        ("[columns\n", r"columns.toml: not valid TOML"),
        ('"Doc" = "document"\n', r"columns.toml: expected a \[columns\] table"),
        ('[columns]\n"Doc" = 3\n', r"expected a column name"),
        ('[columns]\n"Doc" = "document"\n[extra]\n', r"unknown table or key\(s\) 'extra'"),
        ('[columns]\n"Doc" = "document"\n"doc" = "date"\n', r"'doc' is mapped twice"),
    ],
)  # fmt: skip
def test_bad_mapping_file_is_refused_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = write(tmp_path, "Doc,date", "export,2026-04-01")
    mapping = tmp_path / "columns.toml"
    mapping.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "levy", str(path), "--columns", str(mapping))
    assert (code, out) == (2, "")
    assert err.startswith("origin: ") and re.search(message, err), err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("Doc", r"expected 'THEIR HEADER=COLUMN'"),
        ("=document", r"expected 'THEIR HEADER=COLUMN'"),
        ("Doc=dokument", r"'dokument' is not a column; did you mean 'document'\?"),
    ],
)
def test_bad_column_option_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, message: str
) -> None:
    path = write(tmp_path, "Doc,date", "export,2026-04-01")
    code, _, err = run(capsys, "levy", str(path), "--column", option)
    assert code == 2 and re.search(message, err), err


def test_two_headers_for_one_column_are_both_named(tmp_path: Path) -> None:
    path = write(tmp_path, "document,Entry Type,date", "export,export,2026-04-01")
    with pytest.raises(
        InputError,
        match=r"given more than once: document as 'document' \(column 1\) and 'Entry Type' "
        r"\(column 2\)",
    ):
        compute_file(path)


def test_json_entries_read_synonyms_too(tmp_path: Path) -> None:
    path = tmp_path / "entries.json"
    path.write_text(
        json.dumps([{"Entry Type": "export", "Entry Date": "2026-04-01", "Transport Mode": "air",
                     "Customs Value": "5"}]),
        encoding="utf-8",
    )  # fmt: skip
    (row,) = compute_file(path).rows
    assert row.result is not None and row.result.charge is not None


def test_mapping_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "levy", "--document", "export", "--date", "2026-04-01", "--column", "A=id"
    )
    assert code == 2 and "map the headers of an entries file" in err


# -- the SES checklist cites its documents by their titles -----------------------------------


def test_checklist_cites_the_standards_by_title(capsys: pytest.CaptureFixture[str]) -> None:
    text = checklist_text()
    assert "Source: New Zealand Customs Service, “SES Exporter Minimum Standards”" in text
    assert "“What is the Secure Exports Scheme?”" in text
    code, out, _ = run(capsys, "ses", "checklist", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["source"] == STANDARDS.source and "“SES Exporter Minimum Standards”" in out
    assert data["background"] == "New Zealand Customs Service, “What is the Secure Exports Scheme?”"
    for shown in (text, out):
        assert "seeds" not in shown and ".txt" not in shown  # no file path
