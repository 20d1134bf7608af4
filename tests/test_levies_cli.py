"""End to end through ``origin`` with ``levies.cli`` in COMMAND_MODULES."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import origin.cli


@pytest.fixture(autouse=True)
def _levies_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origin.cli, "COMMAND_MODULES", ("levies.cli",))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = origin.cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def entries(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "entries.csv"
    path.write_text("\n".join(["id,document,date,mode,value,ses", *lines]) + "\n", encoding="utf-8")
    return path


def test_batch_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = entries(
        tmp_path, "a,export_entry,2026-04-01,sea,1000.01,yes", "b,import,2026-03-31,air,1000.01,"
    )
    code, out, err = run(capsys, "levy", str(path))
    assert (code, err) == (0, "")
    assert (
        "high-value goods export levy $4.32 (standard GST) [sch 3 high-value goods export levy]"
        in out
    )
    assert "import entry transaction fee $53.44 (inclusive GST) [r 24A(1)]" in out
    assert "Total: $57.20 + GST $0.56 = $57.76\n    exact: $57.20 + GST $0.5640 = $57.7640" in out


def test_batch_csv_has_one_line_per_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = entries(tmp_path, "a,export_entry,2026-04-01,air,5,", "b,nonsense,2026-04-01,air,5,")
    code, out, err = run(capsys, "levy", str(path), "--format", "csv")
    assert code == 2
    assert err.startswith(
        "origin: 1 of 2 rows have errors; first: entries.csv row 3, column 'document'"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["row"], r["outcome"], r["total"]) for r in rows] == [
        ("2", "charged", "2.85"),
        ("3", "error", ""),
    ]


def test_batch_json_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = entries(tmp_path, "a,export_entry,2026-04-01,air,5,")
    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "levy", str(path), "--format", "json", "--output", str(target))
    assert (code, out) == (0, "")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["schema"] == "origin-levies/1"
    assert data["rows"][0]["result"]["charge"]["rate"] == "2.48"


def test_single_entry_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "levy", "--document", "import_entry", "--date", "2026-04-01", "--mode", "sea",
        "--value", "1000.01", "--duty-due-date", "2026-05-20",
    )  # fmt: skip
    assert code == 0
    assert "[cl 7(2)(b)] combined Customs value 1000.01 is more than $1,000" in out
    assert (
        "high-value goods import levy (cl 7(1)): $73.87 [sch 2 high-value goods import levy]" in out
    )
    assert "GST: $73.87 × 0.15 = $11.08 (exact $11.0805) [s 8(1)]" in out
    assert "Total: $84.95 (exact $84.9505)" in out
    assert "Responsible: the importer by or for whom the import entry is made [cl 7(3)]" in out
    assert "Due: 2026-05-20" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--document", "imprt", "--date", "2026-04-01"],
            "origin: option --document: unknown document type 'imprt'",
        ),
        (
            ["--document", "import", "--date", "2026-04-01", "--value", "-3"],
            "origin: option --value: '-3' is negative; expected 0 or more",
        ),
        (
            ["--document", "import", "--date", "2026-04-01", "--value", "3"],
            "origin: option --mode: missing; expected air or sea",
        ),
        (
            ["--document", "import", "--date", "2025-01-01", "--value", "3", "--mode", "air"],
            "origin: levies and fees are encoded from 2025-07-01 onwards; 2025-01-01 is outside",
        ),
    ],
)
def test_single_entry_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "levy", *argv)
    assert (code, out) == (2, "")
    assert err.startswith(message)
    assert "Traceback" not in err


def test_file_and_options_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "levy", str(entries(tmp_path)), "--mode", "sea")
    assert code == 2 and "not both" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "levy", str(tmp_path / "nope.csv"))
    assert code == 2 and err.startswith("origin: ") and "no such file" in err


def test_rates_on_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "levy-rates", "--date", "2026-03-31")
    assert code == 0
    assert "export entry transaction fee (r 28A(1)) ses: $4.19" in out
    assert "levy" not in out.split("Transaction fees")[0].split("\n", 1)[1]
    code, out, _ = run(capsys, "levy-rates", "--date", "2026-04-01")
    assert "high-value goods export levy (cl 12(1)) sea_ses: $3.76" in out
    assert "$6.26" not in out
    code, _, err = run(capsys, "levy-rates", "--date", "2025-06-30")
    assert code == 2 and "outside" in err


@pytest.mark.parametrize(
    ("argv", "verdict"),
    [
        (["1000.00"], "Duty need not be collected; a preference claim cannot change the duty."),
        (["1000.01"], "Duty is collected; a preference claim can change the duty."),
        (["20", "--heading", "2204.21"], "Duty is collected"),
        (["20", "--heading", "24.02"], "Duty is collected"),
        (["20", "--circumstance", "crew"], "Duty need not be collected"),
        (["20", "--anti-dumping"], "Duty is collected"),
        (["20", "--anti-dumping", "--minister-permission"], "Duty need not be collected"),
        (["20", "--forfeiture"], "Duty is collected"),
    ],
)
def test_duty_threshold(capsys: pytest.CaptureFixture[str], argv: list[str], verdict: str) -> None:
    code, out, _ = run(capsys, "duty-threshold", *argv, "--date", "2026-04-01")
    assert code == 0 and verdict in out
    assert "[cl 26] levies under s 414A(3) of the Act are collected whatever the value" in out


def test_checklist_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "answers.csv"
    code, _, _ = run(capsys, "ses", "checklist", "--format", "csv", "--output", str(template))
    assert code == 0
    rows = list(csv.DictReader(template.open(encoding="utf-8")))
    assert rows[0]["id"] == "scope.sea" and rows[-1]["id"] == "7.1"
    for row in rows:
        row["answer"] = "no" if row["id"] == "2.12" else "yes"
    with template.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = run(capsys, "ses", "gaps", str(template))
    assert code == 0
    assert "GAPS (1)" in out and "[cl 2.12]" in out
    code, _, _ = run(capsys, "ses", "gaps", str(template), "--strict")
    assert code == 3


def test_checklist_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ses", "checklist")
    assert code == 0 and "2.6 (must) [only if sea]" in out


def test_seals_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "seal_number,received_date,applied_date,container_number,applied_by,status\n"
        "S1,2026-05-01,,,,\nS2,2026-05-01,,,,lost\n",
        encoding="utf-8",
    )
    count = tmp_path / "count.txt"
    count.write_text("S1\n", encoding="utf-8")
    argv = ["ses", "seals", str(register), "--count", str(count), "--as-of", "2026-06-01"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "REPORT [cl 2.12]" in out
    code, _, _ = run(capsys, *argv, "--strict")
    assert code == 3


def test_ses_effect(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ses", "effect", "--date", "2026-04-01")
    assert code == 0 and "saving $5.03 (exact $5.0255) per entry" in out
    code, out, _ = run(capsys, "ses", "effect", "--date", "2026-03-31")
    assert "saving $2.07 per entry" in out


def test_profiles_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profiles = tmp_path / "exporters.csv"
    profiles.write_text("exporter,ses,from\nEX1,yes,2026-01-01\n", encoding="utf-8")
    argv = ["levy", "--document", "export", "--date", "2026-04-01", "--mode", "sea"]
    code, out, _ = run(
        capsys, *argv, "--value", "5000", "--exporter", "EX1", "--profiles", str(profiles)
    )
    assert code == 0 and "$3.76 [sch 3 high-value goods export levy]" in out
    code, _, err = run(
        capsys, *argv, "--value", "5000", "--exporter", "EX2", "--profiles", str(profiles)
    )
    assert code == 2 and err.startswith("origin: option --ses: missing")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_machine_formats_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    register = tmp_path / "register.csv"
    register.write_text("seal_number,received_date\nS1,2026-05-01\n", encoding="utf-8")
    outputs = []
    for argv in (
        ["ses", "checklist", "--format", fmt],
        ["ses", "seals", str(register), "--format", fmt, "--as-of", "2026-06-01"],
        ["levy", "--document", "upu", "--date", "2026-04-02", "--weight-kg", "10", "--format", fmt],
    ):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        outputs.append(out)
    if fmt == "json":
        parsed = [json.loads(out) for out in outputs]
        assert (
            len(parsed[0]["questions"]) == 4 + 37 + 3
        )  # scope, clauses 1.1–7.1, should parts of 1.1, 4.2, 5.2
        assert parsed[1]["in_stock"] == ["S1"] and parsed[1]["findings"] == []
        assert parsed[2]["charge"]["amount"] == "4.00"
    else:
        parsed_csv = [list(csv.DictReader(io.StringIO(out))) for out in outputs]
        assert (
            len(parsed_csv[0]) == 4 + 37 + 3
        )  # scope, clauses 1.1–7.1, should parts of 1.1, 4.2, 5.2
        assert parsed_csv[1] == []
        assert (parsed_csv[2][0]["total"], parsed_csv[2][0]["total_exact"]) == ("4.60", "4.6000")
    answers = tmp_path / "answers.csv"
    answers.write_text("id,answer\n1.1,yes\n", encoding="utf-8")
    code, out, _ = run(capsys, "ses", "gaps", str(answers), "--format", fmt)
    assert code == 0
    if fmt == "json":
        assert json.loads(out)["items"][0]["status"] == "met"
    else:
        assert next(csv.DictReader(io.StringIO(out)))["status"] == "met"


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "out.csv"
    code, _, err = run(capsys, "ses", "checklist", "--output", str(target))
    assert code == 2 and err.startswith(f"origin: {target}: cannot write")
