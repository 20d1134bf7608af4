"""Regressions from the independent review of the Thailand, China and AANZFTA plugins."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import origin.cli
from origin import registry
from origin.caseio import case_from_json, load_case_or_worked
from origin.determination import Determination, Verdict
from origin.model import Case
from origin.workbook import batch as batch_module
from origin.workbook import export, results
from origin.workbook.problems import Ledger
from origin.workbook.template import write_template

DATE = dt.date(2025, 6, 1)


def _decide(name: str, data: dict[str, Any]) -> Determination:
    return registry.get(name).determine(case_from_json(data), DATE)


def _case(psr: str, materials: list[dict[str, Any]], country: str, **good: Any) -> dict[str, Any]:
    return {
        "schema": "origin-case/1",
        "currency": "USD",
        "psr": psr,
        "good": {
            "id": "G",
            "hs": "8414.51",
            "fob": "1000.00",
            "produced_in": [country],
            "last_process_in": country,
            "operations": ["winding", "assembly"],
            **good,
        },
        "materials": materials,
        "consignment": {"exported_from": country, "transit": []},
    }


def test_aanzfta_direct_formula_takes_stated_values_of_originating_materials() -> None:
    """r 51ZP(a) sets no valuation basis for AANZFTA material cost (CIF is r 51ZP(b)'s):
    (200 + wages 100 + overhead 50 + profit 50) / 1000 = 40%."""
    data = _case(
        "RVC40 (direct)",
        [
            {
                "id": "O",
                "hs": "3926.90",
                "value": "200.00",
                "basis": "acquisition-cost",
                "status": "originating",
                "origin_country": "TH",
            }
        ],
        "TH",
    )
    data["facts"] = {"psr_document": "2022"}
    categories = registry.get("aanzfta").law.vocabulary("cost_categories")
    by_group = {term.group: key for key, term in categories.items()}
    data["costs"] = [
        {"id": f"C{i}", "category": by_group[group], "amount": amount, "incurred_in": "TH"}
        for i, (group, amount) in enumerate(
            [("labour", "100.00"), ("overhead", "50.00"), ("profit", "50.00")]
        )
    ]
    d = _decide("aanzfta", data)
    assert d.verdict is Verdict.ORIGINATING
    assert {r.method: r.value for r in d.rvc}["direct"] == 40


def test_zero_fob_needs_information_not_a_verdict() -> None:
    """A zero denominator cannot decide an RVC, nor a de minimis share of nothing."""
    motor = {"id": "M", "hs": "8501.10", "value": "0", "basis": "cif", "status": "non-originating"}
    assert _decide("china", _case("RVC40", [motor], "CN", fob="0")).verdict is (
        Verdict.NEEDS_INFORMATION
    )
    housing = {
        "id": "H",
        "hs": "8414.90",
        "value": "0",
        "basis": "cif",
        "status": "non-originating",
    }
    assert _decide("thailand", _case("CTH", [housing], "TH", fob="0")).verdict is (
        Verdict.NEEDS_INFORMATION
    )


def test_accumulation_is_cited_only_in_its_own_direction() -> None:
    """r 51G(2) deems New Zealand materials Thai in goods produced in Thailand; a Thai
    material in goods produced in New Zealand gets no r 51G(2) citation."""
    thai = {
        "id": "T",
        "hs": "3926.90",
        "value": "10.00",
        "basis": "cif",
        "status": "originating",
        "origin_country": "TH",
    }
    data = _case("CTH", [thai], "NZ")
    data["good"]["produced_in"] = ["TH", "NZ"]
    row = _decide("thailand", data).materials[0]
    assert "r 51G(2)" not in {str(c) for c in row.citations}
    kiwi = {**thai, "origin_country": "NZ"}
    row = _decide("thailand", _case("CTH", [kiwi], "TH")).materials[0]
    assert "r 51G(2)" in {str(c) for c in row.citations}


def test_exclusively_originating_needs_the_materials() -> None:
    """'Exclusively from originating materials' with no materials listed states nothing:
    it needs the BOM rather than passing (TPSEP r 51O(1)(b), ANZCERTA r 33(2)(b), ...)."""
    data = _case("CTH", [], "SG", transaction_value="1000.00")
    del data["psr"]
    d = _decide("tpsep", data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("the materials used" in m for m in d.missing)


def test_wholly_obtained_goods_cannot_list_non_originating_materials() -> None:
    data = _case(
        "CTH",
        [
            {
                "id": "X",
                "hs": "2601.11",
                "value": "900.00",
                "basis": "cif",
                "status": "non-originating",
            }
        ],
        "SG",
        hs="2601.11",
        transaction_value="1000.00",
        wholly_obtained="minerals",
    )
    del data["psr"]
    assert _decide("tpsep", data).verdict is not Verdict.ORIGINATING


def test_tpsep_transaction_value() -> None:
    """r 51P(1): TV on an FOB basis (a stated FOB stands for it); r 51P(4): without the
    adjustment, de minimis (r 51O(3)) cannot use the unadjusted TV either."""
    housing = {
        "id": "H",
        "hs": "8413.91",
        "value": "100.00",
        "basis": "cif",
        "status": "non-originating",
    }
    by_fob = _case("CTH", [housing], "SG", hs="8413.70")
    assert _decide("tpsep", by_fob).verdict is Verdict.ORIGINATING  # FOB 1000.00: 10%
    indirect = _case("CTH", [housing], "SG", hs="8413.70", transaction_value="1000.00")
    indirect["facts"] = {"producer_exports_directly": False}
    assert _decide("tpsep", indirect).verdict is Verdict.NEEDS_INFORMATION


# --------------------------------------------------------------------------------------
# issue 12: output files
#
# The results workbook, the broker export and `origin check`'s output paths. Found by an
# independent hostile corpus: control characters crashed the writer and left a 0-byte file,
# long text was cut with no word, a deep BOM raised RecursionError, a bound was exported as
# the RVC, and --out could overwrite the input workbook or a symlink's target.

CASES = Path(__file__).resolve().parent.parent / "agreements" / "cases" / "anzcerta"
ANZCERTA = registry.get("anzcerta")
UNSAFE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
HOSTILE = "A\x00B\x1b[2J\x07"  # NUL, an ANSI escape, BEL
# A character of every kind no cell, CSV or terminal should get raw: C0, DEL, C1 (CSI), a
# lone surrogate, a non-character.
UNSAFE = "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x9b\ud800\ufffe"


def _worked(name: str) -> tuple[Case, dt.date]:
    case, day = load_case_or_worked(CASES / name)
    assert day is not None
    return case, day


def _decided(case: Case, day: dt.date = DATE, workbook: str = "w.xlsx") -> export.Decided:
    return export.Decided(workbook, case.good.id, ANZCERTA, case, ANZCERTA.determine(case, day))


def _hostile_case() -> tuple[Case, dt.date]:
    case, day = _worked("06-build-down-exactly-50.json")
    timber, fittings = case.materials
    return (
        attrs.evolve(
            case,
            good=attrs.evolve(case.good, id=HOSTILE, description="desk" + UNSAFE),
            materials=(attrs.evolve(timber, description="pine\x1b]0;owned\x07"), fittings),
        ),
        day,
    )


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def _all_text(sheets: dict[str, list[list[Any]]]) -> list[str]:
    return [v for rows in sheets.values() for row in rows for v in row if isinstance(v, str)]


def _cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("origin.workbook.cli",))
    return origin.cli.main(argv)


def _input_book(tmp_path: Path, case: Case | None = None) -> Path:
    if case is None:
        case, _ = _worked("06-build-down-exactly-50.json")
    book = tmp_path / "in.xlsx"
    write_template(book, ANZCERTA, [case])
    return book


def _no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deciding the batch fails the test: the output must be refused before any work."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the batch was decided before the output was checked")

    monkeypatch.setattr(batch_module, "check", refuse)


def test_results_workbook_shows_control_characters_as_visible_escapes(tmp_path: Path) -> None:
    """Item 1: NUL, ESC, BEL… in an id or description raised openpyxl's IllegalCharacterError
    and left a 0-byte results file. Each is shown as a visible escape, never dropped, and
    the Problems sheet says which cells."""
    case, day = _hostile_case()
    out = tmp_path / "r.xlsx"
    notes = results.write_results(out, [_decided(case, day)])
    sheets = _cells(out)
    summary = sheets["Summary"]
    assert summary[1][1] == "A\\x00B\\x1b[2J\\x07"
    materials = sheets["Materials"]
    assert "pine\\x1b]0;owned\\x07" in [row[3] for row in materials]
    assert not any(UNSAFE_RE.search(text) for text in _all_text(sheets))
    problems = [" ".join(str(v) for v in row if v) for row in sheets["Problems"]]
    assert any("Summary" in p and "B2" in p and "\\x" in p for p in problems), problems
    assert any("Materials" in p and "D2" in p for p in problems), problems
    assert notes and any("escape" in n for n in notes)


def test_results_file_is_never_left_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1: the results file is written beside its place and renamed into it only when
    complete. A write that fails (here: the disk fills while the Explanation sheet is
    written) leaves the previous file as it was, or no file, and no temporary file."""
    case, day = _worked("06-build-down-exactly-50.json")
    out = tmp_path / "r.xlsx"

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results, "_explain", full)
    with pytest.raises(OSError, match="No space"):
        results.write_results(out, [_decided(case, day)])
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"the results of last week")
    with pytest.raises(OSError, match="No space"):
        results.write_results(out, [_decided(case, day)])
    assert list(tmp_path.iterdir()) == [out]
    assert out.read_bytes() == b"the results of last week"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_broker_export_shows_control_characters_safely(fmt: str) -> None:
    """Item 1: the export wrote NUL and ESC raw into CSV (a terminal runs the escape, many
    CSV readers stop at the NUL), and a lone surrogate made JSONL unencodable. The same
    visible escapes as the results workbook, in both formats, and each one is reported."""
    case, day = _hostile_case()
    item = _decided(attrs.evolve(case, good=attrs.evolve(case.good, id=HOSTILE + UNSAFE)), day)
    handle = io.StringIO()
    notes = export.write([item], fmt, handle)
    text = handle.getvalue()
    text.encode("utf-8")  # no lone surrogate left
    assert not UNSAFE_RE.search(text)
    row = export.read_csv(text)[0] if fmt == "csv" else json.loads(text.splitlines()[0])
    assert row["product_id"].startswith("A\\x00B\\x1b[2J\\x07\\x00\\x01")
    assert "\\ud800\\ufffe" in row["product_id"]
    assert notes and "product_id" in notes[0] and "escape" in notes[0]


def test_check_with_control_characters_writes_every_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 1, end to end: a workbook whose product id holds NUL and ESC (stored as
    ``_x0000_`` escapes, as Excel does) is checked; the results workbook and the export are
    written, and the terminal report shows the escapes, never the raw ESC."""
    case, day = _worked("06-build-down-exactly-50.json")
    book = _input_book(
        tmp_path, attrs.evolve(case, good=attrs.evolve(case.good, id="A_x0000_B_x001B_[2J"))
    )
    out, broker = tmp_path / "r.xlsx", tmp_path / "b.csv"
    code = _cli(
        [
            "check",
            str(book),
            "--agreement",
            "anzcerta",
            "--date",
            day.isoformat(),
            "--out",
            str(out),
            "--export",
            "csv",
            "--export-file",
            str(broker),
        ],
        monkeypatch,
    )
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert _cells(out)["Summary"][1][1] == "A\\x00B\\x1b[2J"
    assert export.read_csv(broker.read_text(encoding="utf-8"))[0]["product_id"] == "A\\x00B\\x1b[2J"
    assert "A\\x00B\\x1b[2J: originating" in stdout
    assert not UNSAFE_RE.search(stdout + stderr.replace("\n", ""))


def test_long_text_is_cut_with_a_mark_and_kept_whole(tmp_path: Path) -> None:
    """Item 2: text over Excel's 32,767 characters per cell was cut by openpyxl with no
    word. The cell now ends with a mark saying how much is cut and where the whole text is
    (sheet 'Full text', in pieces a cell can hold), and the Problems sheet names the cell."""
    case, day = _worked("06-build-down-exactly-50.json")
    long = "".join(f"{i:07d} " for i in range(12_000)) + "\U0001f600END"  # 96,004 characters
    timber, fittings = case.materials
    case = attrs.evolve(case, materials=(attrs.evolve(timber, description=long), fittings))
    out = tmp_path / "r.xlsx"
    notes = results.write_results(out, [_decided(case, day)])
    sheets = _cells(out)
    cell = sheets["Materials"][1][3]
    assert len(cell.encode("utf-16-le")) // 2 <= 32_767
    mark = re.search(
        r"… \[cut: ([\d,]+) more characters; full text on sheet 'Full text', rows (\d+)–(\d+)\]$",
        cell,
    )
    assert mark, cell[-200:]
    shown = cell[: mark.start()]
    assert long.startswith(shown)
    assert int(mark.group(1).replace(",", "")) == len(long) - len(shown)
    first, last = int(mark.group(2)), int(mark.group(3))
    full = sheets["Full text"]
    assert "".join(row[3] for row in full[first - 1 : last]) == long
    assert all(row[0] == "Materials" and row[1] == "D2" for row in full[first - 1 : last])
    problems = [" ".join(str(v) for v in row if v) for row in sheets["Problems"]]
    assert any("Materials" in p and "D2" in p and "cut" in p for p in problems), problems
    assert any("cut" in n for n in notes)


def test_row_accounting_of_a_large_batch_is_spread_not_cut(tmp_path: Path) -> None:
    """Item 2: the row accounting of a large batch was one cell, cut at 32,767 characters
    with no word. One row per sheet now: every sheet's count is there, none cut."""
    ledger = Ledger()
    for i in range(3_000):
        ledger.seen(f"supplier-{i:05d}.xlsx:BOM", 10)
        ledger.accept(f"supplier-{i:05d}.xlsx:BOM", 9)
        ledger.report(f"supplier-{i:05d}.xlsx:BOM", 4, "above the header")
    assert len(ledger.summary()) > 32_767
    out = tmp_path / "r.xlsx"
    results.write_results(out, [], [], ledger)
    text = "\n".join(_all_text(_cells(out)))
    assert "[cut:" not in text
    for i in range(3_000):
        assert f"supplier-{i:05d}.xlsx:BOM" in text
    assert text.count("10 rows, 9 imported, 1 reported") == 3_000


def _chain(depth: int) -> Case:
    """One material holding a BOM ``depth`` levels deep (a component and a part per level)."""
    node: dict[str, Any] = {
        "id": "leaf",
        "hs": "7208.10",
        "value": "10.00",
        "status": "non-originating",
    }
    for i in range(depth):
        node = {
            "id": f"m{i}",
            "hs": ("9401.71", "9403.20")[i % 2],
            "value": f"{20 + i}.00",
            "status": "undetermined",
            "components": [
                node,
                {"id": f"x{i}", "hs": "3926.90", "value": "1.00", "status": "originating"},
            ],
        }
    top = f"{100 + depth}.00"
    return case_from_json(
        {
            "schema": "origin-case/1",
            "currency": "AUD",
            "psr": "CTH",
            "good": {
                "id": "TOP",
                "hs": "9401.71",
                "adjusted_value": top,
                "produced_in": ["AU"],
                "last_process_in": "AU",
            },
            "materials": [node],
            "consignment": {"exported_from": "AU"},
        }
    )


def test_results_workbook_for_a_bom_1000_levels_deep(tmp_path: Path) -> None:
    """Item 3: the results writer walked the BOM (and the step tree) recursively and raised
    RecursionError for a BOM 1,000 levels deep. Every line is on the Materials sheet; the
    export's fingerprint of the deep case is computed too."""
    case = _chain(1_000)
    item = _decided(case)
    out = tmp_path / "r.xlsx"
    results.write_results(out, [item])
    sheets = _cells(out)
    ids = {row[1] for row in sheets["Materials"][1:]}
    assert ids == {"leaf"} | {f"m{i}" for i in range(1_000)} | {f"x{i}" for i in range(1_000)}
    assert max(row[2] for row in sheets["Materials"][1:]) == 1_000
    assert item.fingerprint.startswith("sha256:")
    assert export.broker_row(item)["fingerprint"] == item.fingerprint


def _without_values(case: Case, *ids: str, av: str | None = None) -> Case:
    materials = tuple(attrs.evolve(m, value=None) if m.id in ids else m for m in case.materials)
    good = case.good if av is None else attrs.evolve(case.good, adjusted_value=Decimal(av))
    return attrs.evolve(case, materials=materials, good=good)


def test_broker_export_never_presents_a_bound_as_the_rvc() -> None:
    """Item 4: with a material value missing, the RVC computed from the known figures is a
    bound (``RVCResult.bound``), and the export printed it as ``rvc_percent``: "100.00" for a
    desk whose real build-down RVC is at most 100 %, i.e. anything. Now rvc_percent is empty
    and the bound has its own columns, rounded so that it stays true: an "at least" down,
    an "at most" up."""
    assert export.SCHEMA == "origin-broker/5"
    assert export.FIELDS[
        export.FIELDS.index("rvc_percent") + 1 : export.FIELDS.index("rvc_method")
    ] == (
        "rvc_bound",
        "rvc_bound_percent",
    )
    case, day = _worked("06-build-down-exactly-50.json")
    # VNM unknown: (300 - 40 - ?) / 300 is at most 86.666…%: stated as at most 86.67, not 86.66.
    row = export.broker_row(_decided(_without_values(case, "TIMBER", av="300.00"), day))
    assert row["verdict"] == "needs information" and row["claim_preference"] == "no"
    assert (row["rvc_percent"], row["rvc_bound"], row["rvc_bound_percent"]) == (
        "",
        "at most",
        "86.67",
    )
    assert row["rvc_method"] == "build-down"
    # Factory cost with the originating value unknown: QE/FC is at least 52.38…%, which
    # meets 50 %: originating, with the figure given as the bound it is.
    case, day = _worked("09-factory-cost.json")
    row = export.broker_row(_decided(_without_values(case, "FITTINGS"), day))
    assert row["verdict"] == "originating" and row["claim_preference"] == "yes"
    assert (row["rvc_percent"], row["rvc_bound"], row["rvc_bound_percent"]) == (
        "",
        "at least",
        "52.38",
    )
    # Both unknown: the known figures bound nothing; no figure at all.
    row = export.broker_row(_decided(_without_values(case, "FITTINGS", "TIMBER"), day))
    assert (row["rvc_percent"], row["rvc_bound"], row["rvc_bound_percent"]) == ("", "", "")
    # The same with the known figures in r 37's 48–50 % band, where ANZCERTA replaces the
    # engine's note with its own: still no figure (was "48.99" as the RVC).
    board = attrs.evolve(case.materials[0], id="BOARD", value=Decimal("229.00"))
    banded = _without_values(
        attrs.evolve(case, materials=(*case.materials, board)), "FITTINGS", "TIMBER"
    )
    row = export.broker_row(_decided(banded, day))
    assert row["verdict"] == "needs information"
    assert (row["rvc_percent"], row["rvc_bound"], row["rvc_bound_percent"]) == ("", "", "")
    # Complete figures: the RVC itself, no bound.
    case, day = _worked("06-build-down-exactly-50.json")
    row = export.broker_row(_decided(case, day))
    assert (row["rvc_percent"], row["rvc_bound"], row["rvc_bound_percent"]) == ("50.00", "", "")


def test_claim_preference_only_when_originating_and_complete() -> None:
    """Item 4: claim_preference=yes followed the verdict word alone. A determination that
    lists facts still needed is not complete, whatever its verdict says."""
    case, day = _worked("06-build-down-exactly-50.json")
    item = _decided(case, day)
    assert export.broker_row(item)["claim_preference"] == "yes"
    assert item.determination is not None
    incomplete = attrs.evolve(item.determination, missing=("consignment route",))
    assert (
        export.broker_row(attrs.evolve(item, determination=incomplete))["claim_preference"] == "no"
    )
    failed = attrs.evolve(item, determination=None, error="not imported")
    assert export.broker_row(failed)["claim_preference"] == "no"


def test_results_workbook_marks_an_rvc_bound(tmp_path: Path) -> None:
    """Item 4 in the results workbook: the engine's figure of a bound is written as the bound
    ("at most 86.666…"), and the live test never says "meets" when only an upper bound
    meets the threshold (the engine says "needs information")."""
    case, day = _worked("06-build-down-exactly-50.json")
    out = tmp_path / "r.xlsx"
    results.write_results(out, [_decided(_without_values(case, "TIMBER", av="300.00"), day)])
    rvc = _cells(out)["RVC"]
    headers = rvc[0]
    row = rvc[1]
    assert str(row[headers.index("RVC % (exact, engine)")]).startswith("at most 86.666666")
    assert row[headers.index("outcome (engine)")] == "needs information"
    live = str(row[headers.index("meets (live)")])
    assert '"meets"' not in live and "needs information" in live, live


def test_check_refuses_an_output_that_is_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 5: ``--out`` naming the input workbook overwrote it with the results. Refused
    before any work, however the path is spelled (another spelling, a hard link), for
    ``--export-file`` too; the input is unchanged."""
    book = _input_book(tmp_path)
    before = book.read_bytes()
    (tmp_path / "sub").mkdir()
    linked = tmp_path / "linked.xlsx"
    os.link(book, linked)
    _no_work(monkeypatch)
    base = ["check", str(book), "--agreement", "anzcerta", "--date", "2025-06-01"]
    for extra in (
        ["--out", str(book)],
        ["--out", str(tmp_path / "sub" / ".." / "in.xlsx")],
        ["--out", str(linked)],
        ["--export", "csv", "--export-file", str(book)],
        [
            "--out",
            str(tmp_path / "r.xlsx"),
            "--export",
            "csv",
            "--export-file",
            str(tmp_path / "r.xlsx"),
        ],
    ):
        assert _cli(base + extra, monkeypatch) == 2, extra
        err = capsys.readouterr().err
        assert err.startswith("origin: cannot write") and "Traceback" not in err, err
        assert err.count("\n") == 1, err
    assert book.read_bytes() == before
    assert not (tmp_path / "r.xlsx").exists()
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(book, folder / "a.xlsx")
    code = _cli(
        ["check", str(folder), "--agreement", "anzcerta", "--out", str(folder / "a.xlsx")],
        monkeypatch,
    )
    assert code == 2 and "input" in capsys.readouterr().err


def test_check_refuses_writing_through_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 5: ``--out`` through a symbolic link overwrote the link's target (here: a file
    outside the folder). Refused with the link named, before any work."""
    book = _input_book(tmp_path)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "r.xlsx"
    link.symlink_to(precious)
    _no_work(monkeypatch)
    for option in (["--out", str(link)], ["--export", "jsonl", "--export-file", str(link)]):
        code = _cli(["check", str(book), "--agreement", "anzcerta", *option], monkeypatch)
        err = capsys.readouterr().err
        assert code == 2 and "symbolic link" in err and "Traceback" not in err, err
    assert precious.read_text() == "keep me" and link.is_symlink()


def test_check_refuses_a_missing_folder_or_a_device_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 5: a missing ``--out`` folder was found only after the whole batch was decided;
    ``--out /dev/full`` printed tracebacks. Both are refused first, in one line."""
    book = _input_book(tmp_path)
    _no_work(monkeypatch)
    outputs = [tmp_path / "no" / "such" / "r.xlsx", tmp_path]
    if Path("/dev/full").exists():
        outputs.append(Path("/dev/full"))
    for out in outputs:
        for option in (["--out", str(out)], ["--export", "csv", "--export-file", str(out)]):
            code = _cli(["check", str(book), "--agreement", "anzcerta", *option], monkeypatch)
            err = capsys.readouterr().err
            assert code == 2 and err.startswith(f"origin: cannot write {out}"), err
            assert err.count("\n") == 1, err


def _origin(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-c", "import sys, origin.cli; sys.exit(origin.cli.main())", *args],
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def _file_size_limit(limit: int) -> Any:
    resource = pytest.importorskip("resource")  # POSIX

    def apply() -> None:  # the disk is "full" past ``limit`` bytes (EFBIG, as ENOSPC would)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_check_turns_a_failed_write_into_one_message(tmp_path: Path) -> None:
    """Item 5: a write that fails part-way (disk full, file too large) printed a traceback and
    left a partial file. Now one line, exit 2, and the previous file is as it was."""
    book = _input_book(tmp_path)
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"last week's results")
    args = [
        "check",
        str(book),
        "--agreement",
        "anzcerta",
        "--date",
        "2025-06-01",
        "--out",
        str(out),
    ]
    done = _origin(args, preexec_fn=_file_size_limit(4096))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"origin: cannot write {out}: ")
    assert out.read_bytes() == b"last week's results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "r.xlsx"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_check_export_to_a_full_standard_output_is_one_message(tmp_path: Path) -> None:
    """Item 5: standard output that cannot be written (``> /dev/full``) ended in Python's
    "Exception ignored" trace. One line, exit 2."""
    book = _input_book(tmp_path)
    args = ["check", str(book), "--agreement", "anzcerta", "--date", "2025-06-01"]
    for extra in ([], ["--export", "csv"]):
        with open("/dev/full", "w") as full:
            done = _origin(args + extra, stdout=full)
        assert done.returncode == 2, (extra, done.stderr)
        assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
        assert done.stderr.splitlines()[-1] == (
            "origin: cannot write standard output: No space left on device"
        ), done.stderr


def test_check_export_file_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 5: the export file, too, is complete or absent."""
    book = _input_book(tmp_path)
    broker = tmp_path / "b.csv"

    def half(items: Any, fmt: str, out: Any) -> list[str]:
        out.write("schema,workbook\r\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write", half)
    code = _cli(
        [
            "check",
            str(book),
            "--agreement",
            "anzcerta",
            "--date",
            "2025-06-01",
            "--export",
            "csv",
            "--export-file",
            str(broker),
        ],
        monkeypatch,
    )
    err = capsys.readouterr().err
    assert (
        code == 2
        and err.splitlines()[-1] == f"origin: cannot write {broker}: No space left on device"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_broker_export_gives_tpsep_goods_their_country_code() -> None:
    """Issue 13: every TPSEP verdict was exported under TPA, Singapore's goods included; the
    WTD enters Singapore goods at the SG rate and Brunei's and Chile's at TPA. Where the
    goods' country is not known, both codes are given and no preference is claimed."""
    from origin.workbook.export import Decided, broker_row  # noqa: PLC0415

    tpsep = registry.get("tpsep")

    def row(country: str | None) -> dict[str, str]:
        data = _case("CTH", [], country or "SG", transaction_value="1000.00")
        if country is None:
            data["good"].pop("produced_in")
            data["good"].pop("last_process_in")
        case = case_from_json(data)
        # The verdict is not what is tested here: the code for the goods' country is.
        d = tpsep.determine(case_from_json(_case("CTH", [], "SG")), DATE)
        d = attrs.evolve(d, verdict=Verdict.ORIGINATING, missing=())
        return broker_row(Decided("w.xlsx", "P", tpsep, case, d))

    assert row("SG")["preference_code"] == "SG"
    assert row("CL")["preference_code"] == "TPA"
    assert row("BN")["preference_code"] == "TPA"
    assert row("SG")["claim_preference"] == "yes"
    unknown = row(None)
    assert unknown["preference_code"] == "TPA;SG"
    assert unknown["claim_preference"] == "no"
