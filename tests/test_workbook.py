"""Workbooks: template round trip, mapped foreign layouts, results formulas, export, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import openpyxl
import pytest

import origin.cli
from origin import registry
from origin.caseio import load_case_or_worked
from origin.model import Case
from origin.workbook import export, results
from origin.workbook.fields import CellError, NumberFormat, amount, float_decimal, level
from origin.workbook.mapping import MappingError, layout_from_toml, load_layout
from origin.workbook.problems import Issue, WorkbookError
from origin.workbook.reader import import_workbook
from origin.workbook.template import write_template

CASES = Path(__file__).resolve().parent.parent / "agreements" / "cases"


def _worked(agreement: str, name: str) -> tuple[Case, dt.date]:
    case, day = load_case_or_worked(CASES / agreement / name)
    assert day is not None
    return case, day


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("origin.workbook.cli",))
    return origin.cli.main(argv)


@pytest.mark.parametrize("agreement", registry.names())
def test_every_worked_case_round_trips_through_the_template(tmp_path: Path, agreement: str) -> None:
    """Template → fill with the worked case → import gives the same case, every row imported."""
    plugin = registry.get(agreement)
    if plugin.cases is None:
        pytest.skip(f"{agreement} has no worked cases")
    for path in sorted(plugin.cases.glob("*.json")):
        case, _ = load_case_or_worked(path)
        book = tmp_path / f"{path.stem}.xlsx"
        write_template(book, plugin, [case])
        result = import_workbook(book, law=plugin.law)
        assert [str(i) for i in result.errors] == [], path.name
        assert [p.case for p in result.products] == [case], path.name
        assert result.ledger.balanced(), result.ledger.summary()


def test_template_has_notes_dropdowns_and_an_example(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(out, registry.get("anzcerta"), example_in_inputs=True)
    book = openpyxl.load_workbook(out)
    assert {"Instructions", "Product", "BOM", "Costs", "Consignment", "Facts"} <= set(
        book.sheetnames
    )
    bom = book["BOM"]
    headers = [c.value for c in bom[1]]
    status = bom.cell(row=1, column=headers.index("status") + 1)
    assert status.comment is not None and "r 36" in status.comment.text
    formulas = [v.formula1 for v in bom.data_validations.dataValidation]
    assert any("Lists!" in f for f in formulas)
    lists = book["Lists"]
    categories = [c.value for c in lists[1]]
    column = categories.index("costs.category") + 1
    words = {lists.cell(row=r, column=column).value for r in range(2, 60)}
    assert "wages" in words  # the agreement's own cost categories feed the dropdown
    assert book["BOM"].max_row > 2  # the filled example


def test_filled_template_is_checked_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsx"
    assert run_cli(["template", str(out), "--agreement", "anzcerta", "--example"], monkeypatch) == 0
    code = run_cli(
        ["check", str(out), "--agreement", "anzcerta", "--date", "2025-06-01"], monkeypatch
    )
    assert code == 0
    assert ": originating" in capsys.readouterr().out


FOREIGN = {
    "schema": "origin-mapping/1",
    "name": "ERP export (German headers)",
    "format": {"decimal": ",", "thousands": ".", "symbols": ["€"]},
    "sheets": {
        "product": {
            "name": "Artikel",
            "columns": {
                "product": "Artikelnummer",
                "description": "Bezeichnung",
                "hs": "Zolltarifnummer",
                "currency": "Währung",
                "psr": "Ursprungsregel",
                "adjusted_value": "Zollwert",
                "produced_in": "Hergestellt in",
                "last_process_in": "Letzte Verarbeitung",
                "operations": "Arbeitsgänge",
            },
        },
        "bom": {
            "name": "Stückliste",
            "header_row": 3,
            "product": "DESK-1",
            "columns": {
                "level": "Stufe",
                "part": "Komponente",
                "description": "Bezeichnung",
                "hs": "Zolltarifnummer",
                "value": {"header": "Wert (Cent)", "scale": "0.01"},
                "status": "Ursprung",
                "origin_country": "Land",
                "self_produced": "Eigenfertigung",
                "basis": "Wertbasis",
                "psr": "Regel",
                "produced_in": "Hergestellt in",
                "operations": "Arbeitsgänge",
            },
            "values": {
                "status": {"J": "originating", "N": "non-originating", "?": "undetermined"},
                "self_produced": {"E": "yes"},
                "basis": {"HK": "production-cost"},
            },
        },
        "consignment": {
            "name": "Versand",
            "columns": {
                "product": "Artikelnummer",
                "exported_from": "Ausfuhrland",
                "imported_on": "Einfuhrdatum",
                "route": "Weg",
            },
            "values": {"route": {"direkt": "direct"}},
        },
    },
}


def _foreign_workbook(path: Path) -> None:
    """ANZCERTA worked case 24 (a multi-level BOM) as an ERP would export it."""
    book = openpyxl.Workbook()
    items = book.active
    assert items is not None
    items.title = "Artikel"
    items.append(
        [
            "Artikelnummer",
            "Bezeichnung",
            "Zolltarifnummer",
            "Währung",
            "Ursprungsregel",
            "Zollwert",
            "Hergestellt in",
            "Letzte Verarbeitung",
            "Arbeitsgänge",
        ]
    )
    items.append(
        [
            "DESK-1",
            "Wooden office desk",
            "9403.30",
            "AUD",
            "CTH",
            "1.000,00 €",
            "AU",
            "AU",
            "sawing; joinery; assembly; finishing",
        ]
    )
    bom = book.create_sheet("Stückliste")
    bom.append(["Stückliste DESK-1 (Export 2025-05-30)"])
    bom.append([])
    bom.append(
        [
            "Stufe",
            "Komponente",
            "Bezeichnung",
            "Zolltarifnummer",
            "WERT  (cent)",
            "Ursprung",
            "Land",
            "Eigenfertigung",
            "Wertbasis",
            "Regel",
            "Hergestellt in",
            "Arbeitsgänge",
            "Lagerort",
        ]
    )
    bom.append(
        [
            "1",
            "TIMBER",
            "Sawn pine",
            "4407.11",
            30000,
            "N",
            "US",
            None,
            None,
            None,
            None,
            None,
            "A-01",
        ]
    )
    bom.append(
        [
            "1",
            "DRAWERS",
            None,
            "9403.91",
            20000,
            "?",
            None,
            "E",
            "HK",
            "CTH",
            "AU",
            "joinery, assembly",
            "B-02",
        ]
    )
    bom.append(
        [".2", "D-TIMBER", None, "4407.11", 8000, "N", None, None, None, None, None, None, None]
    )
    bom.append(
        [".2", "D-HANDLES", None, "8302.42", "2.000", "N", None, None, None, None, None, None, None]
    )
    ship = book.create_sheet("Versand")
    ship.append(["Artikelnummer", "Ausfuhrland", "Einfuhrdatum", "Weg"])
    ship.append(["DESK-1", "AU", dt.date(2025, 6, 1), "direkt"])
    book.save(path)


def test_mapped_foreign_layout_imports_to_the_same_model_as_the_template(tmp_path: Path) -> None:
    case, _ = _worked("anzcerta", "24-multi-level-bom.json")
    plugin = registry.get("anzcerta")
    template = tmp_path / "template.xlsx"
    write_template(template, plugin, [case])
    from_template = import_workbook(template, law=plugin.law)
    foreign = tmp_path / "erp.xlsx"
    _foreign_workbook(foreign)
    from_erp = import_workbook(foreign, layout_from_toml(FOREIGN), plugin.law)
    assert [str(i) for i in from_erp.errors] == []
    assert [p.case for p in from_erp.products] == [p.case for p in from_template.products]
    assert from_erp.products[0].case == case
    # The unmapped 'Lagerort' column is reported, not silently dropped.
    assert any("Lagerort" in i.message for i in from_erp.issues)
    assert from_erp.ledger.balanced(), from_erp.ledger.summary()


def test_mapping_file_mistakes_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text('schema = "origin-mapping/1"\n[sheets.bom.columns]\ncolour = "Farbe"\n')
    with pytest.raises(MappingError, match=r"sheets\.bom\.columns\.colour: unknown field"):
        load_layout(bad)
    bad.write_text('schema = "origin-mapping/1"\n[rates]\n"USD/NZD" = 1.65\n')
    with pytest.raises(MappingError, match="TOML floats"):
        load_layout(bad)


def test_numbers_are_exact() -> None:
    assert float_decimal(4.11) == Decimal("4.11")
    assert str(float_decimal(600.01)) == "600.01"
    assert float_decimal(1.0) == Decimal(1)
    fmt = NumberFormat(decimal=",", thousands=".", symbols=("€",))
    assert amount("1.234,50 €", fmt, fmt.pattern()) == Decimal("1234.50")
    with pytest.raises(CellError, match="not a number"):
        amount("1,2,3", NumberFormat(), NumberFormat().pattern())
    assert [level(v) for v in ("1", ".2", "..3", 2.0)] == [1, 2, 3, 2]
    with pytest.raises(CellError, match=r"value 1e-13 is too small to be an amount"):
        amount(1e-13, NumberFormat(), NumberFormat().pattern(), "value")
    with pytest.raises(CellError, match=r"out of range \(expected an amount below 10\^15\)"):
        amount(1e16, NumberFormat(), NumberFormat().pattern(), "value")


def _rvc_cases() -> list[tuple[str, Case, dt.date]]:
    picked = []
    for agreement, name in [
        ("anzcerta", "06-build-down-exactly-50.json"),
        ("anzcerta", "07-build-down-one-cent-below.json"),
        ("anzcerta", "09-factory-cost.json"),
        ("anzcerta", "26-originating-value-additions.json"),
        ("anzcerta", "10-tolerance-48-with-statement.json"),
    ]:
        case, day = _worked(agreement, name)
        picked.append((agreement, case, day))
    # Review finding 7: 7's figures × 10^8 keeping the cent: (2×10^10 − (10^10 + 0.01)) /
    # 2×10^10 × 100 = 50 − 5×10^-11 % < 50 %, which ROUND(RVC, 9) showed as 50 ("meets").
    case, day = _worked("anzcerta", "07-build-down-one-cent-below.json")
    big = attrs.evolve(
        case,
        good=attrs.evolve(case.good, adjusted_value=Decimal("20000000000")),
        materials=(
            attrs.evolve(case.materials[0], value=Decimal("6000000000.01")),
            attrs.evolve(case.materials[1], value=Decimal("4000000000")),
        ),
    )
    picked.append(("anzcerta", big, day))
    return picked


def _results_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Case]]:
    cases = [
        attrs.evolve(case, good=attrs.evolve(case.good, id=f"P{i}"))
        for i, (_, case, _) in enumerate(_rvc_cases())
    ]
    book = tmp_path / "in.xlsx"
    write_template(book, registry.get("anzcerta"), cases)
    out = tmp_path / "results.xlsx"
    code = run_cli(
        ["check", str(book), "--agreement", "anzcerta", "--date", "2025-06-01", "--out", str(out)],
        monkeypatch,
    )
    assert code == 0
    return out, cases


def _engine(cases: list[Case]) -> dict[tuple[str, str], Fraction]:
    plugin = registry.get("anzcerta")
    found = {}
    for case in cases:
        d = plugin.determine(case, dt.date(2025, 6, 1))
        for r in d.rvc:
            if r.value is not None:
                found[(case.good.id, r.method)] = r.value
    return found


def test_results_workbook_has_live_rvc_formulas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cases = _results_workbook(tmp_path, monkeypatch)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Summary", "RVC", "Materials", "Explanation", "Problems", "Row accounting",
    ]  # fmt: skip
    rvc = book["RVC"]
    headers = [c.value for c in rvc[1]]
    live = headers.index("RVC % (live)")
    rows = [r for r in rvc.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(rows) == len(_engine(cases))
    for row in rows:
        assert str(row[live]).startswith("="), row
        test = str(row[headers.index("meets (live)")])
        assert test.startswith("=IF(") and "/" not in test and "ROUND" not in test, test
    vnm = [r[headers.index("value 2")] for r in rows if r[1] == "build-down"]
    assert all(str(v).startswith("=SUM(Materials!K") for v in vnm)
    materials = book["Materials"]
    assert materials.freeze_panes == "C2"
    vnm_cells = [r[10] for r in materials.iter_rows(min_row=2, values_only=True) if r[0]]
    assert any(str(v).startswith("=H") for v in vnm_cells)  # VNM points at the value cell
    explanation = list(book["Explanation"].iter_rows(min_row=2, values_only=True))
    assert any(r[4] and r[4].startswith("r 36") for r in explanation)


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends "
    "libreoffice-calc",
)
def test_libreoffice_recalculation_gives_the_engines_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cases = _results_workbook(tmp_path, monkeypatch)
    converted = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(converted),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    book = openpyxl.load_workbook(converted / out.name, data_only=True)
    rvc = book["RVC"]
    headers = [c.value for c in rvc[1]]
    engine = _engine(cases)
    seen = 0
    for row in rvc.iter_rows(min_row=2, values_only=True):
        if not row[0]:
            continue
        value = row[headers.index("RVC % (live)")]
        exact = engine[(row[0], row[1])]
        # Excel/LibreOffice compute in doubles: equal to the exact figure to 9 places.
        assert Decimal(repr(value)).quantize(Decimal("1e-9")) == (
            Decimal(exact.numerator) / Decimal(exact.denominator)
        ).quantize(Decimal("1e-9")), (row[0], row[1], value, exact)
        expected = "meets" if exact >= row[headers.index("threshold %")] else "fails"
        assert row[headers.index("meets (live)")] == expected
        seen += 1
    assert seen == len(engine)


def test_broker_export_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    book = tmp_path / "in.xlsx"
    write_template(book, registry.get("anzcerta"), [case])
    code = run_cli(
        [
            "check",
            str(book),
            "--agreement",
            "anzcerta",
            "--date",
            day.isoformat(),
            "--export",
            "csv",
        ],
        monkeypatch,
    )
    assert code == 0
    rows = export.read_csv(capsys.readouterr().out)
    assert list(rows[0]) == list(export.FIELDS)
    row = rows[0]
    assert row["preference_code"] == "AU"
    assert row["verdict"] == "originating"
    assert row["rvc_percent"] == "50.00" and row["rvc_method"] == "build-down"
    assert row["records_kept_until"] == "2030-06-01"
    assert row["fingerprint"] == export.fingerprint(case, "anzcerta", day)
    code = run_cli(
        [
            "check",
            str(book),
            "--agreement",
            "anzcerta",
            "--date",
            day.isoformat(),
            "--export",
            "jsonl",
        ],
        monkeypatch,
    )
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line == row


def test_fingerprint_changes_with_any_input() -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    first = export.fingerprint(case, "anzcerta", day)
    changed = attrs.evolve(case, good=attrs.evolve(case.good, adjusted_value=Decimal("200.01")))
    assert export.fingerprint(changed, "anzcerta", day) != first
    assert export.fingerprint(case, "anzcerta", day + dt.timedelta(days=1)) != first
    assert export.fingerprint(case, "anzcerta", day) == first


def test_folder_batch_exits_non_zero_when_a_file_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_template(folder / "a.xlsx", registry.get("anzcerta"), example_in_inputs=True)
    write_template(folder / "b.xlsx", registry.get("anzcerta"), example_in_inputs=True)
    args = ["check", str(folder), "--agreement", "anzcerta", "--date", "2025-06-01"]
    assert run_cli(args, monkeypatch) == 0
    (folder / "c.xlsx").write_text("id,value\n1,2\n")
    assert run_cli(args, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "c.xlsx: is a CSV text file" in err and "Traceback" not in err


def _bom_workbook(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Product row of worked case 24's desk plus a BOM sheet in the given layout."""
    book = openpyxl.Workbook()
    product = book.active
    assert product is not None
    product.title = "Product"
    product.append(
        [
            "product",
            "hs",
            "currency",
            "psr",
            "adjusted value",
            "produced in",
            "last process in",
            "operations",
        ]
    )
    product.append(
        [
            "DESK-1",
            "9403.30",
            "AUD",
            "CTH",
            1000,
            "AU",
            "AU",
            "sawing, joinery, assembly, finishing",
        ]
    )
    bom = book.create_sheet("BOM")
    bom.append(header)
    for row in rows:
        bom.append(row)
    rates = book.create_sheet("Rates")
    rates.append(["from currency", "to currency", "rate", "reference"])
    rates.append(["USD", "AUD", "1.5", "example rate"])
    book.save(path)


def test_parent_ids_build_the_same_tree_as_levels(tmp_path: Path) -> None:
    plugin = registry.get("anzcerta")
    header = [
        "part id",
        "parent id",
        "hs",
        "value",
        "status",
        "self produced",
        "psr",
        "produced in",
        "operations",
    ]
    rows: list[list[object]] = [
        ["TIMBER", None, "4407.11", 300, "non-originating", None, None, None, None],
        ["D-TIMBER", "DRAWERS", "4407.11", 80, "non-originating", None, None, None, None],
        ["DRAWERS", None, "9403.91", 200, None, "yes", "CTH", "AU", "joinery, assembly"],
        ["D-HANDLES", "DRAWERS", "8302.42", 20, "non-originating", None, None, None, None],
    ]
    path = tmp_path / "parents.xlsx"
    _bom_workbook(path, header, rows)
    result = import_workbook(path, law=plugin.law)
    assert [str(i) for i in result.errors] == []
    case = result.products[0].case
    assert case is not None
    drawers = next(m for m in case.materials if m.id == "DRAWERS")
    assert [c.id for c in drawers.components] == ["D-TIMBER", "D-HANDLES"]
    assert [m.id for m in case.materials] == ["TIMBER", "DRAWERS"]
    d = plugin.determine(case, dt.date(2025, 6, 1))
    # The intermediate is decided bottom-up from its own BOM (r 33(2)).
    assert any("DRAWERS" in inner.test for step in d.steps for inner in step.walk())


def test_level_zero_lines_and_converted_currencies(tmp_path: Path) -> None:
    """ERP style: a level-0 line names the product; a USD line is converted at the given rate."""
    plugin = registry.get("anzcerta")
    header = ["level", "part id", "hs", "value", "currency", "status"]
    rows: list[list[object]] = [
        [0, "DESK-1", "9403.30", None, None, None],
        [1, "TIMBER", "4407.11", 200, "USD", "non-originating"],
        [1, "SCREWS", "7318.15", "12.50", None, "non-originating"],
    ]
    path = tmp_path / "erp.xlsx"
    _bom_workbook(path, header, rows)
    result = import_workbook(path, law=plugin.law)
    assert [str(i) for i in result.errors] == []
    case = result.products[0].case
    assert case is not None
    assert [(m.id, m.value) for m in case.materials] == [
        ("TIMBER", Decimal("300")),
        ("SCREWS", Decimal("12.50")),
    ]
    assert result.ledger.reported[("BOM", 2)].startswith("level 0")
    assert result.ledger.balanced()


def test_percent_columns_are_shares_of_a_product_value(tmp_path: Path) -> None:
    plugin = registry.get("anzcerta")
    mapping = layout_from_toml(
        {
            "schema": "origin-mapping/1",
            "sheets": {
                "product": {},
                "bom": {
                    "columns": {
                        "part": "part id",
                        "hs": "hs",
                        "status": "status",
                        "value": {"header": "share", "percent_of": "adjusted_value"},
                    }
                },
            },
        }
    )
    path = tmp_path / "share.xlsx"
    _bom_workbook(
        path,
        ["part id", "hs", "status", "share"],
        [
            ["TIMBER", "4407.11", "non-originating", "12.5%"],
            ["SCREWS", "7318.15", "non-originating", 3],
        ],
    )
    result = import_workbook(path, mapping, plugin.law)
    assert [str(i) for i in result.errors] == []
    case = result.products[0].case
    assert case is not None
    assert [m.value for m in case.materials] == [Decimal("125"), Decimal("30")]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_ods_and_xls_copies_import_to_the_same_case(tmp_path: Path) -> None:
    """python-calamine also reads .ods and .xls (in the memory-limited child)."""
    case, _ = _worked("anzcerta", "24-multi-level-bom.json")
    plugin = registry.get("anzcerta")
    source = tmp_path / "desk.xlsx"
    write_template(source, plugin, [case])
    for fmt in ("ods", "xls"):
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--calc",
                "--convert-to",
                fmt,
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
        result = import_workbook(tmp_path / f"desk.{fmt}", law=plugin.law)
        assert [str(i) for i in result.errors] == [], fmt
        assert [p.case for p in result.products] == [case], fmt


def test_results_beyond_excels_rows_are_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    plugin = registry.get("anzcerta")
    item = export.Decided("w.xlsx", case.good.id, plugin, case, plugin.determine(case, day))
    monkeypatch.setattr(results, "EXCEL_ROWS", 1)
    with pytest.raises(WorkbookError, match="more than Excel's"):
        results.write_results(tmp_path / "r.xlsx", [item])
    assert not (tmp_path / "r.xlsx").exists()


def test_unwritable_outputs_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "t.xlsx"
    argv = ["template", str(book), "--agreement", "anzcerta", "--example"]
    assert run_cli(argv, monkeypatch) == 0
    missing = tmp_path / "no" / "such" / "folder"
    assert run_cli(["template", str(missing / "t.xlsx")], monkeypatch) == 2
    code = run_cli(
        [
            "check",
            str(book),
            "--agreement",
            "anzcerta",
            "--date",
            "2025-06-01",
            "--out",
            str(missing / "r.xlsx"),
        ],
        monkeypatch,
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("origin: cannot write") == 2 and "Traceback" not in err


def test_text_that_looks_like_a_formula_stays_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding 1: a hostile text cell ("=2+3", "=1+1") is text in the results workbook
    and made inert (leading apostrophe) in the broker export, in CSV and jsonl alike."""
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    case = attrs.evolve(case, good=attrs.evolve(case.good, id="=2+3"))
    book = tmp_path / "in.xlsx"
    write_template(book, registry.get("anzcerta"), [case])
    wb = openpyxl.load_workbook(book)
    ids = [c for s in wb.worksheets for r in s.iter_rows() for c in r if c.value == "=2+3"]
    assert ids and all(c.data_type == "s" for c in ids)  # the template writes text as text
    bom = wb["BOM"]
    description = [c.value for c in bom[1]].index("description") + 1
    bom.cell(row=2, column=description).value = "=1+1"
    bom.cell(row=2, column=description).data_type = "s"
    bom.cell(row=3, column=description).value = "@SUM(1)"
    wb.save(book)
    out = tmp_path / "out.xlsx"
    export_file = tmp_path / "broker.csv"
    args = ["check", str(book), "--agreement", "anzcerta", "--date", day.isoformat()]
    assert (
        run_cli(
            [*args, "--out", str(out), "--export", "csv", "--export-file", str(export_file)],
            monkeypatch,
        )
        == 0
    )
    written = openpyxl.load_workbook(out)
    looked_at = 0
    for sheet in written.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in ("=2+3", "=1+1", "@SUM(1)"):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.data_type)
                    looked_at += 1
    assert looked_at >= 4  # Summary, RVC, Materials, Explanation product ids; descriptions
    lone = tmp_path / "lone.xlsx"
    results.write_results(lone, [], [Issue("w.xlsx", "#DIV/0!"), Issue("w.xlsx", "=1+2")])
    problems = openpyxl.load_workbook(lone)["Problems"]
    assert [(c.value, c.data_type) for c in problems["E"][1:3]] == [
        ("#DIV/0!", "s"),
        ("=1+2", "s"),
    ]
    row = export.read_csv(export_file.read_text(encoding="utf-8"))[0]
    assert row["product_id"] == "'=2+3"
    assert row["rvc_percent"] == "50.00"
    assert run_cli([*args, "--export", "jsonl"], monkeypatch) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["product_id"] == "'=2+3"


def test_negative_rvc_is_rounded_down_not_toward_zero() -> None:
    """Review finding 11: -1/3 % is shown as -0.34, never as more content than there is."""
    assert export.percent_text(Fraction(-1, 3)) == "-0.34"
    assert export.percent_text(Fraction(9999, 200)) == "49.99"
    assert export.percent_text(Fraction(-5)) == "-5.00"


def test_a_file_name_that_is_not_utf8_is_read_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding 10: 'caf\\xe9.xlsx' (Latin-1 bytes) is read, and named printably in the
    messages, the results workbook and the export."""
    case, day = _worked("anzcerta", "06-build-down-exactly-50.json")
    good = tmp_path / "good.xlsx"
    write_template(good, registry.get("anzcerta"), [case])
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.xlsx"))
    odd.write_bytes(good.read_bytes())
    out = tmp_path / "out.xlsx"
    export_file = tmp_path / "broker.jsonl"
    args = ["check", str(odd), "--agreement", "anzcerta", "--date", day.isoformat()]
    extra = ["--out", str(out), "--export", "jsonl", "--export-file", str(export_file)]
    assert run_cli([*args, *extra], monkeypatch) == 0, capsys.readouterr().err
    assert "caf\\xe9.xlsx DESK-1: originating" in capsys.readouterr().out
    assert openpyxl.load_workbook(out)["Summary"]["A2"].value == "caf\\xe9.xlsx"
    assert json.loads(export_file.read_text(encoding="utf-8"))["workbook"] == "caf\\xe9.xlsx"


def test_components_of_an_originating_material_are_on_the_materials_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 8: SCREW under the originating HOUSING is listed (not counted)."""
    header = ["part id", "parent id", "hs", "value", "status"]
    rows: list[list[object]] = [
        ["TIMBER", None, "4407.11", 300, "non-originating"],
        ["HOUSING", None, "9403.91", 200, "originating"],
        ["SCREW", "HOUSING", "7318.15", 5, "non-originating"],
    ]
    path = tmp_path / "parents.xlsx"
    _bom_workbook(path, header, rows)
    out = tmp_path / "out.xlsx"
    args = ["check", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"]
    assert run_cli([*args, "--out", str(out)], monkeypatch) == 0
    materials = list(openpyxl.load_workbook(out)["Materials"].iter_rows(values_only=True))
    by_id = {r[1]: r for r in materials[1:]}
    assert set(by_id) == {"TIMBER", "HOUSING", "SCREW"}
    screw = by_id["SCREW"]
    assert screw[2] == 1 and screw[8] == "within HOUSING" and screw[9] is None and screw[10] is None


def test_an_adjustment_the_agreement_lacks_is_located_and_the_record_keeps_its_hs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding 6: aanzfta has no 'freight' adjustment: the message names the cell and
    the broker record of the undecided product still carries the good's HS."""
    book = tmp_path / "in.xlsx"
    write_template(book, registry.get("aanzfta"), example_in_inputs=True)
    wb = openpyxl.load_workbook(book)
    bom = wb["BOM"]
    column = [c.value for c in bom[1]].index("adjustments") + 1
    bom.cell(row=2, column=column).value = "freight=0.05"
    hs = wb["Product"].cell(row=2, column=[c.value for c in wb["Product"][1]].index("hs") + 1)
    wb.save(book)
    args = ["check", str(book), "--agreement", "aanzfta", "--date", "2025-06-01"]
    assert run_cli([*args, "--export", "csv"], monkeypatch) == 1
    captured = capsys.readouterr()
    letter = openpyxl.utils.get_column_letter(column)
    assert (
        f"in.xlsx BOM!{letter}2: adjustment 'freight' is not one this agreement knows "
        "(known: value_added_in_participating_parties)"
    ) in captured.err
    row = export.read_csv(captured.out)[0]
    assert row["verdict"] == "error" and row["hs"] == hs.value
