"""Issue 18: the template keeps its example out of the input rows, refuses values its
dropdowns do not list, and has an Excel Table per input sheet; the broker export
(``origin-broker/4``) carries what a broker's system keys on, and a record for every input
file, also one that could not be read."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from jsonschema import Draft202012Validator

from origin import registry
from origin.caseio import load_case_or_worked
from origin.cli import main
from origin.model import Case
from origin.workbook import export
from origin.workbook.batch import check
from origin.workbook.fields import FIELDS, ROLES, SHEET_TITLES
from origin.workbook.reader import import_workbook
from origin.workbook.template import example_cases, table_name, write_template

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "agreements" / "cases"
ANZCERTA = registry.get("anzcerta")
AANZFTA = registry.get("aanzfta")
DATE = dt.date(2025, 6, 1)
BROKER = Draft202012Validator(
    json.loads((ROOT / "docs" / "broker-export.schema.json").read_text(encoding="utf-8"))
)


def _data_rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [
        r for r in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)
    ]


# -- template -------------------------------------------------------------------------------


def test_default_template_has_empty_inputs_and_the_example_on_its_own_sheet(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA)
    book = openpyxl.load_workbook(path)
    for role in ROLES:
        assert _data_rows(book[SHEET_TITLES[role]]) == [], role  # nothing to type over
    assert book.sheetnames[-2:] == ["Example", "Lists"]
    shown = [row[0] for row in book["Example"].iter_rows(values_only=True)]
    assert "Product sheet" in shown and "BOM sheet" in shown
    case = example_cases(ANZCERTA)[0]
    assert case.good.id in shown  # the example's rows are there
    assert sum(1 for v in shown if v == case.good.id) > len(case.materials)
    text = " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "Example sheet (not read)" in text and "--example" in text


def test_example_sheet_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA)
    imported = import_workbook(path, None, ANZCERTA.law)
    assert imported.products == []
    assert not [i for i in imported.issues if "Example" in str(i)], imported.issues


def test_example_in_inputs_is_ready_to_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path), "--agreement", "anzcerta", "--example"]) == 0
    book = openpyxl.load_workbook(path)
    assert "Example" not in book.sheetnames
    assert _data_rows(book["BOM"])
    capsys.readouterr()
    assert main(["check", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"]) == 0
    assert ": originating" in capsys.readouterr().out


def test_example_rows_copied_into_the_empty_inputs_decide_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user copying the Example sheet's blocks into the input Tables (typed below their
    header rows) gets the same product as --example: the Tables are only metadata to the
    reader, and the Example sheet itself is not read."""
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA)
    book = openpyxl.load_workbook(path)
    example = list(book["Example"].iter_rows(values_only=True))
    titles = {f"{SHEET_TITLES[role]} sheet": role for role in ROLES}
    at = 0
    while at < len(example):
        role = titles.get(example[at][0])  # type: ignore[arg-type]
        at += 1
        if role is None:
            continue
        sheet = book[SHEET_TITLES[role]]
        target = 2
        at += 1  # the header row
        while at < len(example) and any(v is not None for v in example[at]):
            for column, value in enumerate(example[at][: len(FIELDS[role])], start=1):
                sheet.cell(row=target, column=column, value=value)
            target += 1
            at += 1
    book.save(path)
    reference = tmp_path / "ref.xlsx"
    write_template(reference, ANZCERTA, example_in_inputs=True)
    mine = import_workbook(path, None, ANZCERTA.law)
    theirs = import_workbook(reference, None, ANZCERTA.law)
    assert [p.case for p in mine.products] == [p.case for p in theirs.products]
    assert mine.products and mine.products[0].case is not None


def test_filled_template_with_tables_round_trips(tmp_path: Path) -> None:
    case, _ = load_case_or_worked(CASES / "anzcerta" / "06-build-down-exactly-50.json")
    case = attrs.evolve(case, reference="INV-2025-0042")
    path = tmp_path / "filled.xlsx"
    write_template(path, ANZCERTA, [case])
    book = openpyxl.load_workbook(path)
    for role in ROLES:
        sheet = book[SHEET_TITLES[role]]
        assert list(sheet.tables) == [table_name(role)]
        table = sheet.tables[table_name(role)]
        rows = len(_data_rows(sheet))
        last = openpyxl.utils.get_column_letter(len(FIELDS[role]))
        assert table.ref == f"A1:{last}{max(rows + 1, 2)}", role
        headers = [c.value for c in sheet[1]]
        assert [c.name for c in table.tableColumns] == headers
    assert {table_name(r) for r in ROLES} >= {"ProductTable", "BOMTable", "CostsTable"}
    imported = import_workbook(path, None, ANZCERTA.law)
    assert [p.case for p in imported.products] == [case]
    assert imported.ledger.balanced()
    assert not [i for i in imported.issues if i.severity.value == "error"]


def test_dropdowns_refuse_other_values_except_word_lists(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA)
    book = openpyxl.load_workbook(path)
    lists = book["Lists"]
    seen: dict[tuple[str, str], str] = {}
    for role in ROLES:
        sheet = book[SHEET_TITLES[role]]
        headers = [c.value for c in sheet[1]]
        for rule in sheet.data_validations.dataValidation:
            column = str(rule.sqref).split(":")[0].rstrip("0123456789")
            field = FIELDS[role][headers.index(sheet[f"{column}1"].value)]
            seen[(role, field.key)] = rule.errorStyle
            assert rule.type == "list" and rule.showErrorMessage
            assert rule.errorTitle and len(rule.errorTitle) <= 32
            assert rule.error and len(rule.error) <= 255
            assert f"'{field.header}'" in rule.error
            # the message names the allowed values (the first ones, when the list is long)
            list_column = rule.formula1.split("!$")[1].split("$")[0]
            first = lists[f"{list_column}2"].value
            assert first in rule.error
            expected = "warning" if field.kind == "words" else "stop"
            assert rule.errorStyle == expected, (role, field.key)
    assert seen[("bom", "status")] == "stop"
    assert seen[("costs", "category")] == "stop"
    assert seen[("facts", "fact")] == "stop"
    assert seen[("bom", "attributes")] == "warning"  # a comma-separated list of its words
    assert seen[("transit", "operations")] == "warning"


def test_long_list_message_is_cut_with_a_mark(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA)
    book = openpyxl.load_workbook(path)
    messages = [
        rule.error
        for role in ROLES
        for rule in book[SHEET_TITLES[role]].data_validations.dataValidation
    ]
    cut = [m for m in messages if "(all in the dropdown)" in m]
    assert cut, "the anzcerta facts list is longer than a message holds"
    assert all(len(m) <= 255 for m in messages)


def test_libreoffice_opens_the_template(tmp_path: Path) -> None:
    """The Tables and validations make a file an office suite opens and re-saves, and the
    re-saved file still reads."""
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "t.xlsx"
    write_template(path, ANZCERTA, example_in_inputs=True)
    out = tmp_path / "out"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    result = subprocess.run(
        [office, profile, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    saved = out / "t.xlsx"
    if not saved.exists():
        pytest.skip(f"LibreOffice could not convert here: {result.stderr.strip()[:200]}")
    again = import_workbook(saved, None, ANZCERTA.law)
    first = import_workbook(path, None, ANZCERTA.law)
    assert [p.case for p in again.products] == [p.case for p in first.products]


# -- broker export, origin-broker/4 ----------------------------------------------------------


def _worked(agreement: str, name: str) -> tuple[Case, dt.date]:
    case, day = load_case_or_worked(CASES / agreement / name)
    assert day is not None
    return case, day


def _row(case: Case, day: dt.date, agreement: Any = ANZCERTA) -> dict[str, str]:
    item = export.Decided("w.xlsx", case.good.id, agreement, case, agreement.determine(case, day))
    row = export.broker_row(item)
    assert list(row) == list(export.FIELDS)
    assert list(BROKER.iter_errors(row)) == [], row
    return row


def test_new_fields_are_appended_at_the_end() -> None:
    assert export.SCHEMA == "origin-broker/5"
    assert export.FIELDS[: export.FIELDS.index("duty_saved") + 1][-2:] == ("rank", "duty_saved")
    assert export.FIELDS[-2:] == ("declarations", "declarations_not_backed")  # /5
    assert export.FIELDS[-9:-2] == (
        "country_of_origin",
        "tariff_item",
        "statistical_key",
        "currency",
        "value",
        "value_basis",
        "reference",
    )


def test_country_of_origin_is_the_goods_country() -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    assert _row(case, day)["country_of_origin"] == "AU"  # the last process
    good = attrs.evolve(case.good, last_process_in=None, produced_in=("NZ",))
    assert _row(attrs.evolve(case, good=good), day)["country_of_origin"] == "NZ"
    good = attrs.evolve(case.good, last_process_in=None, produced_in=("AU", "NZ"))
    assert _row(attrs.evolve(case, good=good), day)["country_of_origin"] == ""


def test_tariff_item_statistical_key_currency_and_reference() -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    row = _row(case, day)
    assert (row["tariff_item"], row["statistical_key"], row["reference"]) == ("", "", "")
    assert row["currency"] == "AUD"
    hs = str(case.good.hs).replace(".", "")
    item = f"{hs[:4]}.{hs[4:6]}.{(hs + '00')[6:8]}"
    good = attrs.evolve(case.good, tariff_item=item)
    row = _row(attrs.evolve(case, good=good, reference="entry 12345/INV-9"), day)
    assert row["tariff_item"] == item and row["hs"] == item
    assert row["reference"] == "entry 12345/INV-9"
    assert row["statistical_key"] == ""  # not in a case: always empty in this version


def test_value_is_the_customs_value_else_the_value_the_agreement_measured() -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    row = _row(case, day)  # build-down: AV
    assert (row["value"], row["value_basis"]) == ("200.00", "adjusted value")
    good = attrs.evolve(case.good, customs_value=Decimal("210.50"))
    row = _row(attrs.evolve(case, good=good), day)
    assert (row["value"], row["value_basis"]) == ("210.50", "customs value")
    case, day = _worked("aanzfta", "04-indirect-exactly-40.json")
    row = _row(case, day, AANZFTA)  # the indirect formula's FOB
    assert (row["rvc_method"], row["value"], row["value_basis"]) == ("indirect", "1000.00", "FOB")
    case, day = _worked("aanzfta", "03-change-of-heading.json")
    row = _row(case, day, AANZFTA)  # no RVC: the de minimis base, FOB
    assert (row["rvc_method"], row["value"], row["value_basis"]) == ("", "1000.00", "FOB")
    good = attrs.evolve(case.good, fob=None, adjusted_value=Decimal("900"))
    row = _row(attrs.evolve(case, good=good), day, AANZFTA)  # FOB not given: no value
    assert (row["value"], row["value_basis"]) == ("", "")


def test_value_is_plain_decimal_text() -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    good = attrs.evolve(case.good, customs_value=Decimal("2E+3"))
    assert _row(attrs.evolve(case, good=good), day)["value"] == "2000"


def test_error_record_of_a_read_product_keeps_its_entry_fields() -> None:
    case, _ = _worked("anzcerta", "06-build-down-exactly-50.json")
    case = attrs.evolve(case, reference="INV-1")
    item = export.Decided("w.xlsx", case.good.id, ANZCERTA, case, None, "refused: reason")
    row = export.broker_row(item)
    assert row["verdict"] == "error" and row["missing"] == "refused: reason"
    assert (row["country_of_origin"], row["currency"], row["reference"]) == ("AU", "AUD", "INV-1")
    assert (row["value"], row["value_basis"]) == ("200.00", "adjusted value")
    assert list(BROKER.iter_errors(row)) == []


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    write_template(folder / "a.xlsx", ANZCERTA, example_in_inputs=True)
    write_template(folder / "empty.xlsx", ANZCERTA)  # no products
    (folder / "c.xlsx").write_text("id,value\n1,2\n")  # not a workbook
    (folder / "d.xlsx").write_bytes(b"PK\x03\x04 broken")
    return folder


def test_every_input_file_has_a_record(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    batch = check(sorted(folder.iterdir()), ANZCERTA, DATE)
    assert sorted(batch.failed_files) == ["c.xlsx", "d.xlsx"]
    items = export.unreadable(batch, ANZCERTA)
    assert [i.workbook for i in items] == ["c.xlsx", "d.xlsx", "empty.xlsx"]
    rows = {r["workbook"]: r for r in map(export.broker_row, items)}
    assert "CSV text file" in rows["c.xlsx"]["missing"]
    assert rows["d.xlsx"]["missing"]
    assert rows["empty.xlsx"]["missing"] == "no products found (the Product sheet is empty)"
    for row in rows.values():
        assert (row["product_id"], row["verdict"], row["claim_preference"]) == ("", "error", "no")
        assert row["agreement"] == "anzcerta"
        assert list(BROKER.iter_errors(row)) == [], row


@pytest.mark.parametrize("agreement", ["anzcerta", "all"])
def test_check_exports_a_record_for_an_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], agreement: str
) -> None:
    folder = _folder(tmp_path)
    capsys.readouterr()
    argv = ["check", str(folder), "--agreement", agreement, "--date", "2025-06-01"]
    assert main([*argv, "--export", "jsonl"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for record in records:
        assert list(BROKER.iter_errors(record)) == [], record
    assert {r["workbook"] for r in records} == {"a.xlsx", "c.xlsx", "d.xlsx", "empty.xlsx"}
    errors = [r for r in records if r["product_id"] == ""]
    assert sorted(r["workbook"] for r in errors) == ["c.xlsx", "d.xlsx", "empty.xlsx"]
    assert all(r["verdict"] == "error" and r["missing"] for r in errors)
    named = "" if agreement == "all" else agreement
    assert {r["agreement"] for r in errors} == {named}
    desk = [r for r in records if r["workbook"] == "a.xlsx"]
    assert desk[0]["country_of_origin"] == "AU" and desk[0]["currency"] == "AUD"


def test_csv_export_has_the_new_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    capsys.readouterr()
    argv = ["check", str(folder / "a.xlsx"), "--agreement", "anzcerta", "--export", "csv"]
    assert main([*argv, "--date", "2025-06-01"]) == 0
    rows = export.read_csv(capsys.readouterr().out)
    assert list(rows[0]) == list(export.FIELDS)
    assert (rows[0]["value"], rows[0]["value_basis"]) == ("1000", "adjusted value")
