"""``origin declarations check`` and ``--declarations`` on determine, qualify and check.

Exit status for schedulers: 3 when anything needs action, 0 when nothing does, 2 for bad
input. Each finding names the declarations and the materials relying on them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_declarations import ANZCERTA, IMPORTED, d17, desk

from origin import strict_json
from origin.caseio import case_to_json
from origin.cli import main
from origin.declarations import Register
from origin.declarations.check import Kind, check
from origin.declarations.reader import write_csv
from origin.workbook.template import write_template

LAPSED = "2025-05-31"


def _files(tmp_path: Path, *declarations: object) -> tuple[Path, Path]:
    register = tmp_path / "register.csv"
    write_csv(declarations, register)  # type: ignore[arg-type]
    case = tmp_path / "desk.json"
    case.write_text(strict_json.dumps(case_to_json(desk())), encoding="utf-8")
    return register, case


def test_nothing_needs_action_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register, case = _files(tmp_path, d17())
    assert main(["declarations", "check", str(register), "--as-of", "2025-06-01", str(case)]) == 0
    out = capsys.readouterr().out
    assert "0 finding(s) needing action, 1 product(s) read" in out
    assert "nothing needs action" in out


def test_expired_with_the_materials_relying_on_it_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register, case = _files(tmp_path, d17(valid_to="2025-05-31"))
    code = main(["declarations", "check", str(register), "--as-of", "2025-06-01", str(case)])
    assert code == 3
    out = capsys.readouterr().out
    assert "! expired      D-17: Bondwell Pty BW-500: declaration D-17 for anzcerta expired" in out
    assert "relied on by desk.json DESK-1 GLUE" in out


def test_expiring_within_the_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register, _ = _files(tmp_path, d17())
    args = ["declarations", "check", str(register), "--as-of", "2025-11-01", "--format", "json"]
    assert main([*args, "--within", "60d"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["within_days"] == 60 and data["needs_action"] is True
    assert [f["kind"] for f in data["findings"]] == ["expiring"]
    assert "ends on 2025-12-31 (60 days)" in data["findings"][0]["message"]
    assert main([*args, "--within", "8w"]) == 0  # 56 days: not yet


def test_a_renewal_takes_over_and_overlaps_are_reported() -> None:
    renewed = d17(reference="D-18", valid_from="2025-12-01", valid_to="2026-12-31")
    report = check(Register.of([d17(), renewed]), dt.date(2025, 11, 15), 60)
    assert [f.kind for f in report.findings] == [Kind.OVERLAPPING]
    assert not report.needs_action  # a renewal signed before the old one ends
    assert report.findings[0].references == ("D-17", "D-18")
    # Without the renewal the same day needs action.
    assert check(Register.of([d17()]), dt.date(2025, 11, 15), 60).needs_action


def test_duplicates_conflicts_and_missing() -> None:
    contrary = d17(reference="D-18", status="non-originating", valid_from="2025-06-01")
    twice = d17(reference="D-17", supplier_part="BW-900")
    case = desk(declaration="D-99")
    report = check(Register.of([d17(), contrary, twice]), IMPORTED, 60, [("desk.json", case)])
    kinds = {f.kind: f for f in report.findings}
    assert set(kinds) == {Kind.DUPLICATE, Kind.CONFLICTING, Kind.MISSING}
    assert "disagree (originating, non-originating)" in kinds[Kind.CONFLICTING].message
    assert [str(r) for r in kinds[Kind.MISSING].relied_on_by] == ["desk.json DESK-1 GLUE"]


def test_bad_register_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "reference,agreements,status,valid_from,valid_to,material\n"
        "D-1,anzcerta,originating,2025-01-01,2025-02-30,GLUE\n",
        encoding="utf-8",
    )
    assert main(["declarations", "check", str(register)]) == 2
    err = capsys.readouterr().err
    assert "register.csv row 2 valid_to: '2025-02-30' is not a date (expected YYYY-MM-DD)" in err


def test_determine_with_declarations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register, case = _files(tmp_path, d17(valid_to="2025-05-31"))
    args = ["determine", str(case), "--agreement", "anzcerta", "--format", "json"]
    assert main([*args, "--declarations", str(register)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "not originating"
    assert {u["material"]: u["use"] for u in data["declarations"]}["GLUE"] == "expired"
    assert main(args) == 0  # without a register: the typed status, as before
    assert json.loads(capsys.readouterr().out)["verdict"] == "originating"


def test_qualify_with_declarations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register, case = _files(tmp_path, d17())
    args = ["qualify", str(case), "--agreement", "anzcerta", "--format", "json"]
    assert main([*args, "--declarations", str(register)]) == 0
    assert "originating" in capsys.readouterr().out
    expired, _ = _files(tmp_path, d17(valid_to="2025-05-31"))
    assert main([*args, "--declarations", str(expired)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"] is None


def test_workbook_check_with_declarations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "desk.xlsx"
    write_template(book, ANZCERTA, [desk()], example_in_inputs=True)
    by_id = d17(reference="D-2", supplier="", supplier_part="", material="GLUE", valid_to=LAPSED)
    register, _ = _files(tmp_path, d17(valid_to="2025-05-31"), by_id)
    assert main(["check", str(book), "--agreement", "anzcerta"]) == 0
    assert "DESK-1: originating" in capsys.readouterr().out
    args = ["check", str(book), "--agreement", "anzcerta", "--declarations", str(register)]
    assert main(args) == 0
    assert "DESK-1: not originating" in capsys.readouterr().out
    # And the folder check names the workbook's material relying on the lapsed declaration.
    folder = ["declarations", "check", str(register), "--as-of", "2025-06-01", str(tmp_path)]
    assert main(folder) == 3
    assert "relied on by desk.xlsx DESK-1 GLUE" in capsys.readouterr().out


def test_bom_columns_supplier_part_and_declaration_round_trip(tmp_path: Path) -> None:
    from origin.workbook.reader import import_workbook  # noqa: PLC0415

    book = tmp_path / "desk.xlsx"
    write_template(book, ANZCERTA, [desk(declaration="D-17")], example_in_inputs=True)
    result = import_workbook(book, law=ANZCERTA.law)
    assert not result.issues
    glue = result.products[0].case.material("GLUE")  # type: ignore[union-attr]
    assert (glue.supplier, glue.supplier_part, glue.declaration) == (
        "Bondwell Pty",
        "BW-500",
        "D-17",
    )
    assert result.products[0].case.material("TIMBER").supplier is None  # type: ignore[union-attr]


def test_results_workbook_materials_show_the_declaration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl  # noqa: PLC0415

    book = tmp_path / "desk.xlsx"
    write_template(book, ANZCERTA, [desk()], example_in_inputs=True)
    register, _ = _files(tmp_path, d17(valid_to=LAPSED))
    out = tmp_path / "results.xlsx"
    args = ["check", str(book), "--agreement", "anzcerta", "--declarations", str(register)]
    assert main([*args, "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out, read_only=True)["Materials"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    glue = next(r for r in rows if r[1] == "GLUE")
    timber = next(r for r in rows if r[1] == "TIMBER")
    at = header.index("declaration")
    assert header[at + 1] == "declaration use"
    assert glue[at : at + 2] == ["D-17", "expired"]
    assert timber[at : at + 2] == [None, "not needed"]
