"""Requalification (issue 21): ``origin check … --previous OLD`` and origin.requalify.

The workbook is the template's example (ANZCERTA, DESK-1: RVC50 factory-cost, TIMBER
non-originating 200, FITTINGS originating 100, adjusted value 1000). Each test checks it
once with ``--out`` (and an export), changes one thing, and checks it again against that.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openpyxl import load_workbook

from origin import registry, requalify
from origin.cli import main
from origin.requalify.read import exact_figure
from origin.workbook.template import write_template

DOCS = Path(__file__).resolve().parent.parent / "docs"
ANZCERTA = registry.get("anzcerta")
BOM_STATUS, BOM_COUNTRY, BOM_VALUE = "M", "L", "I"  # columns of the template's BOM sheet


@pytest.fixture
def cycle(tmp_path: Path) -> dict[str, Path]:
    """Last cycle: the example checked, its results workbook and both exports kept."""
    book = tmp_path / "inputs" / "desk.xlsx"
    book.parent.mkdir()
    write_template(book, ANZCERTA, example_in_inputs=True)
    old = tmp_path / "last.xlsx"
    csv_file, jsonl_file = tmp_path / "last.csv", tmp_path / "last.jsonl"
    args = ["check", str(book), "--agreement", "anzcerta", "--out", str(old)]
    assert main([*args, "--export", "csv", "--export-file", str(csv_file)]) == 0
    assert main(["check", str(book), "--agreement", "anzcerta", "--export", "jsonl",
                 "--export-file", str(jsonl_file)]) == 0  # fmt: skip
    return {"book": book, "xlsx": old, "csv": csv_file, "jsonl": jsonl_file, "dir": tmp_path}


def edit(book: Path, sheet: str, cells: dict[str, Any], append: list[Any] | None = None) -> None:
    wb = load_workbook(book)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    if append is not None:
        wb[sheet].append(append)
    wb.save(book)


def again(cycle: dict[str, Path], capsys: Any, *extra: str, old: str = "xlsx") -> tuple[int, str]:
    capsys.readouterr()
    code = main(
        ["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous",
         str(cycle[old]), *extra]
    )  # fmt: skip
    return code, capsys.readouterr().out


def test_nothing_changed_exit_0(cycle: dict[str, Path], capsys: Any) -> None:
    for old in ("xlsx", "csv", "jsonl"):
        code, out = again(cycle, capsys, old=old)
        assert code == 0, out
        assert out.strip().endswith("0 changed, 0 new, 0 gone, 1 unchanged"), out
        assert "DESK-1" not in out  # the product's own line is not printed with --previous


def test_a_material_status_change_flips_the_verdict_and_names_it(
    cycle: dict[str, Path], capsys: Any
) -> None:
    # FITTINGS (row 3) no longer originating: QE loses its 100.
    edit(cycle["book"], "BOM", {f"{BOM_STATUS}3": "non-originating"})
    code, out = again(cycle, capsys)
    assert code == 3
    assert "desk.xlsx DESK-1 under anzcerta: CHANGED" in out
    assert "verdict: originating → not originating" in out
    # The exact figures, read from the RVC sheet: QE/FC 800/13 % before, 550/13 % after.
    assert (
        "decisive RVC: factory-cost 61.538461% (800/13) → factory-cost 42.307692% (550/13)" in out
    )
    assert "material FITTINGS: declared status originating → non-originating" in out
    assert "material FITTINGS: status counted originating → non-originating" in out


def test_materials_added_removed_and_an_origin_country(cycle: dict[str, Path], capsys: Any) -> None:
    edit(
        cycle["book"],
        "BOM",
        {"C2": "OAK", f"{BOM_COUNTRY}3": "NZ"},
        append=["DESK-1", None, "GLUE", None, "Glue", "3506.10", None, None, 5, None, None,
                "CN", "non-originating"],
    )  # fmt: skip
    code, out = again(cycle, capsys)
    assert code == 3
    assert (
        "material OAK added (declared status non-originating, value 200, origin country US)" in out
    )
    assert "material TIMBER removed" in out
    assert (
        "material GLUE added (declared status non-originating, value 5, origin country CN)" in out
    )
    assert "material FITTINGS: origin country AU → NZ" in out


def test_one_cent_moves_the_exact_rvc_without_changing_the_verdict(
    cycle: dict[str, Path], capsys: Any
) -> None:
    edit(cycle["book"], "BOM", {f"{BOM_VALUE}2": 200.01})
    code, out = again(cycle, capsys)
    assert code == 3
    assert "verdict: originating (unchanged)" in out
    assert "material TIMBER: value 200 → 200.01" in out
    # Read exactly from the RVC sheet, the cent shows: 61.538461…% → 61.537278…%.
    assert "decisive RVC: factory-cost 61.538461% (800/13) → factory-cost 61.537278%" in out
    # The export keeps two places: there the RVC did not change, the inputs did.
    code, out = again(cycle, capsys, old="csv")
    assert code == 3
    assert "decisive RVC" not in out and "inputs' fingerprint" in out


def test_the_rule_and_the_date(cycle: dict[str, Path], capsys: Any) -> None:
    edit(cycle["book"], "Product", {"E2": "RVC60 (factory-cost)"})
    code, out = again(cycle, capsys, "--date", "2025-07-01")
    assert code == 3
    assert "verdict: originating (unchanged)" in out
    assert "rule (PSR): RVC50 (factory-cost) → RVC60 (factory-cost)" in out
    assert "date whose law applies: 2025-06-01 → 2025-07-01" in out


def test_a_broker_export_says_what_it_cannot_tell(cycle: dict[str, Path], capsys: Any) -> None:
    edit(cycle["book"], "BOM", {f"{BOM_STATUS}3": "non-originating"})
    for old in ("csv", "jsonl"):
        code, out = again(cycle, capsys, old=old)
        assert code == 3
        assert "verdict: originating → not originating" in out
        # Two places only in the export: compared at that precision.
        assert "decisive RVC: factory-cost 61.53% → factory-cost 42.307692% (550/13)" in out
        assert "inputs changed (fingerprint); the old file (a broker export) does not list" in out


def test_new_and_gone_products(cycle: dict[str, Path], capsys: Any) -> None:
    edit(cycle["book"], "Product", {"A2": "DESK-2"})
    for sheet in ("BOM", "Costs", "Consignment"):
        wb = load_workbook(cycle["book"])
        for row in wb[sheet].iter_rows(min_row=2):
            if row[0].value == "DESK-1":
                row[0].value = "DESK-2"
        wb.save(cycle["book"])
    code, out = again(cycle, capsys)
    assert code == 3
    assert "desk.xlsx DESK-2 under anzcerta: NEW" in out
    assert "desk.xlsx DESK-1 under anzcerta: GONE" in out
    assert "0 changed, 1 new, 1 gone, 0 unchanged" in out


def test_json_format_meets_its_schema(cycle: dict[str, Path], capsys: Any) -> None:
    edit(cycle["book"], "BOM", {f"{BOM_STATUS}3": "non-originating"})
    code, out = again(cycle, capsys, "--format", "json")
    assert code == 3
    data = json.loads(out)
    schema = json.loads((DOCS / "requalification.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["format"] == requalify.FORMAT == "origin-requalification/1"
    assert data["counts"] == {"changed": 1, "new": 0, "gone": 0, "unchanged": 0}
    (product,) = data["products"]
    assert product["changed"] == ["verdict", "rvc", "fingerprint"]
    assert product["old"]["rvc"]["exact"] == "800/13"
    assert product["new"]["rvc"]["exact"] == "550/13"
    fittings = [c for c in product["causes"] if c.get("material") == "FITTINGS"]
    assert {c["field"] for c in fittings} == {"declared status", "status counted"}


def test_an_older_results_workbook_without_the_row_columns(
    cycle: dict[str, Path], capsys: Any
) -> None:
    """Written before the Summary's 'materials rows' / 'RVC rows': placed by order."""
    wb = load_workbook(cycle["xlsx"])
    summary = wb["Summary"]
    head = [c.value for c in summary[1]]
    first = head.index("materials rows") + 1
    summary.delete_cols(first, 2)
    del summary.tables["SummaryTable"]
    wb.save(cycle["xlsx"])
    edit(cycle["book"], "BOM", {f"{BOM_STATUS}3": "non-originating"})
    code, out = again(cycle, capsys)
    assert code == 3
    assert "material FITTINGS: declared status originating → non-originating" in out
    assert "(800/13) →" in out


def test_a_file_that_is_no_earlier_run_is_refused_before_any_work(
    cycle: dict[str, Path], capsys: Any
) -> None:
    bad = cycle["dir"] / "notes.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code = main(["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "notes.csv: is neither a results workbook (.xlsx) nor a broker export" in err
    assert "product" in err  # names the missing columns
    other = cycle["dir"] / "other.xlsx"
    write_template(other, ANZCERTA)
    code = main(["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous", str(other)])
    assert code == 2
    assert "other.xlsx: is not a results workbook of origin check" in capsys.readouterr().err
    bad.write_text('{"schema": "origin-broker/1"}\n', encoding="utf-8")
    code = main(["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous", str(bad)])
    assert code == 2
    assert "notes.csv: line 1: no workbook" in capsys.readouterr().err


def test_previous_is_never_overwritten_and_export_needs_a_file(
    cycle: dict[str, Path], capsys: Any
) -> None:
    old = str(cycle["xlsx"])
    args = ["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous", old]
    assert main([*args, "--out", old]) == 2
    assert "it is an input of this check" in capsys.readouterr().err
    assert main([*args, "--export", "csv"]) == 2
    assert "give the export --export-file" in capsys.readouterr().err
    assert main(["check", str(cycle["book"]), "--agreement", "anzcerta", "--format", "json"]) == 2


def test_exact_figure_reads_what_the_rvc_sheet_writes() -> None:
    assert exact_figure("42") == 42
    assert exact_figure("-12") == -12
    assert exact_figure("61.538461… (800/13)") == Fraction(800, 13)
    assert exact_figure("at least 61.538461… (800/13)") == Fraction(800, 13)
    assert exact_figure("at most 42") == 42
    assert exact_figure(
        "not decided (49.995000… (9999/200) on the figures given; see the note)"
    ) == Fraction(9999, 200)
    assert exact_figure("") is None


# ------------------------------------------------------------------ declarations: supplier


def _desk_decided(supplier: str) -> Any:
    """The declarations worked case (tests/test_declarations.py): GLUE worth one cent,
    originating only when D-17 (Bondwell Pty, BW-500) backs it; RVC50 build-down at 50 %."""
    from origin.declarations import Register  # noqa: PLC0415
    from origin.workbook.export import Decided  # noqa: PLC0415
    from tests.test_declarations import d17, desk  # noqa: PLC0415

    case = desk(supplier=supplier)
    d = ANZCERTA.determine(case, dt.date(2025, 6, 1), declarations=Register.of([d17()]))
    return [Decided("desks.xlsx", "DESK-1", ANZCERTA, case, d)]


def test_changing_one_materials_supplier_flips_the_verdict_and_the_diff_names_it(
    tmp_path: Path,
) -> None:
    from origin.workbook.results import write_results  # noqa: PLC0415

    before, after = _desk_decided("Bondwell Pty"), _desk_decided("Gluco Ltd")
    # In memory (a notebook comparing two batches): every field is known.
    r = requalify.compare(before, after)
    (change,) = r.of("changed")
    assert change.old.verdict == "originating" and change.new.verdict == "not originating"
    assert (change.old.rvc, change.new.rvc) == (Fraction(50), Fraction(9999, 200))
    texts = [c.text for c in change.causes]
    assert "material GLUE: supplier Bondwell Pty → Gluco Ltd" in texts
    assert any(t.startswith("material GLUE: declaration D-17 → (blank)") for t in texts), texts
    assert any(t.startswith("material GLUE: declaration use backed → missing") for t in texts)
    # From last cycle's results workbook.
    old = tmp_path / "last.xlsx"
    write_results(old, before)
    r = requalify.compare(old, after)
    (change,) = r.of("changed")
    assert change.what == ("verdict", "rvc", "fingerprint")
    texts = [c.text for c in change.causes]
    assert "material GLUE: status counted originating → non-originating" in texts
    assert any("GLUE" in t and "missing" in t for t in texts if "declaration" in t), texts
    assert "verdict: originating → not originating" in str(r)


def test_every_agreement_each_row_compared(cycle: dict[str, Path], capsys: Any) -> None:
    """``--agreement all``: one product per agreement, decided, in error or not applicable
    (the last two only on the Comparison sheet of the results workbook)."""
    book, folder = str(cycle["book"]), cycle["dir"]
    old, jsonl = folder / "all.xlsx", folder / "all.jsonl"
    args = ["check", book, "--agreement", "all"]
    assert main([*args, "--out", str(old), "--export", "jsonl", "--export-file", str(jsonl)]) == 0
    for previous in (old, jsonl):
        capsys.readouterr()
        assert main([*args, "--previous", str(previous)]) == 0
        out = capsys.readouterr().out
        assert "0 changed, 0 new, 0 gone, " in out and "DESK-1" not in out, out
    edit(cycle["book"], "BOM", {f"{BOM_VALUE}2": 200.01})
    capsys.readouterr()
    assert main([*args, "--previous", str(old)]) == 3
    out = capsys.readouterr().out
    assert "desk.xlsx DESK-1 under anzcerta: CHANGED" in out
    assert out.count("material TIMBER: value 200 → 200.01") == out.count(": CHANGED") >= 1
    assert ", 0 new, 0 gone, " in out


def test_a_workbook_that_cannot_be_read_now_makes_its_products_gone_with_the_reason(
    cycle: dict[str, Path], capsys: Any
) -> None:
    cycle["book"].write_bytes(b"not a workbook at all")
    code, out = again(cycle, capsys)
    assert code == 1  # a file could not be read: that comes first
    assert "desk.xlsx DESK-1 under anzcerta: GONE" in out
    assert "workbook desk.xlsx could not be read this time:" in out


def test_a_damaged_or_hostile_workbook_is_refused_through_the_guarded_reader(
    cycle: dict[str, Path], capsys: Any
) -> None:
    import zipfile  # noqa: PLC0415

    bomb = cycle["dir"] / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 50_000_000 + b">")
    damaged = cycle["dir"] / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    for path, words in ((bomb, "zip bomb"), (damaged, "damaged")):
        args = ["check", str(cycle["book"]), "--agreement", "anzcerta", "--previous", str(path)]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert path.name in err and words in err, err


def _set_bom(book: Path, row: int, **values: str) -> None:
    wb = load_workbook(book)
    sheet = wb["BOM"]
    heads = {c.value: c.column for c in sheet[1]}
    for header, value in values.items():
        sheet.cell(row, heads[header.replace("_", " ")], value)
    wb.save(book)


def test_changing_one_materials_supplier_flips_the_verdict_in_a_cycle(
    cycle: dict[str, Path], capsys: Any
) -> None:
    """The workflow end to end: FITTINGS (originating, AU, 100 of QE) backed by D-1 from
    Fixings Pty; next cycle it comes from Hinge Co, whom no declaration covers: origin
    undetermined, counted non-originating, and the desk fails RVC50 (800/13 → 550/13 %)."""
    folder, book = cycle["dir"], cycle["book"]
    register = folder / "register.csv"
    register.write_text(
        "reference,supplier,supplier_part,hs,origin_country,agreements,status,valid_from,"
        "valid_to\nD-1,Fixings Pty,FX-1,8302.42,AU,anzcerta,originating,2025-01-01,2025-12-31\n",
        encoding="utf-8",
    )
    _set_bom(book, 3, supplier="Fixings Pty", supplier_part="FX-1")
    old, export = folder / "q1.xlsx", folder / "q1.csv"
    args = ["check", str(book), "--agreement", "anzcerta", "--declarations", str(register)]
    assert main([*args, "--out", str(old), "--export", "csv", "--export-file", str(export)]) == 0
    assert main([*args, "--previous", str(old)]) == 0  # backed both times: nothing changed
    _set_bom(book, 3, supplier="Hinge Co")
    capsys.readouterr()
    assert main([*args, "--previous", str(old)]) == 3
    out = capsys.readouterr().out
    assert "desk.xlsx DESK-1 under anzcerta: CHANGED" in out
    assert "verdict: originating → not originating" in out
    assert "(800/13) → factory-cost 42.307692% (550/13)" in out
    assert "material FITTINGS: supplier Fixings Pty → Hinge Co" in out
    assert "material FITTINGS: status counted originating → non-originating" in out
    # From the broker export (origin-broker/5): no materials, but the declarations.
    assert main([*args, "--previous", str(export)]) == 3
    out = capsys.readouterr().out
    assert "verdict: originating → not originating" in out
    assert "material FITTINGS: declaration backed D-1 → missing" in out


def test_two_batches_compared_in_python(cycle: dict[str, Path]) -> None:
    """A notebook's use: two runs of batch.check, compared without writing a file."""
    from origin.workbook import batch  # noqa: PLC0415

    first = batch.check([cycle["book"]], ANZCERTA, None)
    edit(cycle["book"], "BOM", {f"{BOM_COUNTRY}2": "CA"})
    edit(cycle["book"], "Product", {"E2": "not a rule"})
    second = batch.check([cycle["book"]], ANZCERTA, None)
    r = requalify.compare(first, second)
    (change,) = r.of("changed")
    assert change.new is not None and change.new.verdict == "error"
    assert change.what == ("verdict",)  # not decided: no RVC or fingerprint to compare
    assert [c.kind for c in change.causes] == ["unknown"]
    assert change.causes[0].text.startswith("not decided this time: ")
    assert "verdict: originating → error" in str(r)
    assert requalify.to_json(r)["counts"]["changed"] == 1
