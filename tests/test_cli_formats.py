"""CLI basics of issue #18: ``--version``, a subcommand's own usage on its errors, and
``--format json`` for ``agreements`` and ``law``."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import pytest

import origin
from origin import registry
from origin.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"origin {origin.__version__}"


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (
            ["determine", "case.json", "--agreement", "anzcerta", "--bogus"],
            "usage: origin determine",
        ),
        (["check", "folder", "--agreement", "all", "--bogus"], "usage: origin check"),
        (["qualify", "case.json", "--bogus"], "usage: origin qualify"),
    ],
)
def test_unknown_option_shows_the_subcommand_usage(
    argv: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert "unrecognized arguments: --bogus" in err


def test_agreements_json_lists_every_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreements", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["agreements"]
    assert [a["name"] for a in listed] == list(registry.names())
    anzcerta = next(a for a in listed if a["name"] == "anzcerta")
    assert anzcerta["preference_codes"] == ["AU"]
    assert anzcerta["coverage"]["from"] == registry.get("anzcerta").law.coverage.start.isoformat()


def test_law_json_gives_exact_dated_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "anzcerta", "--format", "json"]) == 0
    law = json.loads(capsys.readouterr().out)
    book = registry.get("anzcerta").law
    for parameter in law["parameters"]:
        encoded = book.parameters[parameter["name"]]
        for value, dated in zip(parameter["values"], encoded.values, strict=True):
            assert Fraction(value["value"]) == dated.value
            assert value["reference"] == str(dated.reference)
    assert set(law["vocabularies"]) == set(book.vocabularies)


def test_law_json_lists_a_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "ldc", "--format", "json"]) == 0
    group = json.loads(capsys.readouterr().out)["group"]
    assert group["name"] == "ldc" and group["members"]


def test_a_workbook_given_to_determine_points_to_check(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path  # noqa: PLC0415

    book = Path(str(tmp_path)) / "kettle.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["determine", str(book), "--agreement", "anzcerta"]) == 2
    err = capsys.readouterr().err
    assert "this is a workbook (.xlsx), not a JSON case file" in err
    assert f"origin check {book} --agreement NAME" in err


def test_results_workbook_must_be_xlsx(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path  # noqa: PLC0415

    folder = Path(str(tmp_path))
    book = folder / "desk.xlsx"
    assert main(["template", str(book), "--agreement", "anzcerta", "--example"]) == 0
    out = folder / "results.csv"
    assert main(["check", str(book), "--agreement", "anzcerta", "--out", str(out)]) == 2
    assert "give --out a name ending in .xlsx" in capsys.readouterr().err
    assert not out.exists()


def test_check_lines_carry_their_reason_and_a_summary_closes(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    # The template's desk: RVC50 (factory-cost) met at 61.54 % under ANZCERTA; asked for
    # RVC70 it fails, short by 8.46 points (61.538… − 70 = −8.461…).
    from pathlib import Path  # noqa: PLC0415

    import openpyxl  # noqa: PLC0415

    book = Path(str(tmp_path)) / "desk.xlsx"
    assert main(["template", str(book), "--agreement", "anzcerta", "--example"]) == 0
    capsys.readouterr()
    assert main(["check", str(book), "--agreement", "anzcerta"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "desk.xlsx DESK-1: originating — r 33(2)(c) (RVC50 (factory-cost))\n"
    assert captured.err.endswith("origin: 1 product in 1 workbook: 1 originating; no problems\n")
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Product"]
    assert sheet["E1"].value == "psr"
    sheet["E2"].value = "RVC70 (factory-cost)"
    workbook.save(book)
    assert main(["check", str(book), "--agreement", "anzcerta"]) == 0
    line = capsys.readouterr().out
    assert line.startswith("desk.xlsx DESK-1: not originating — RVC 61.5")
    assert "against 70% (factory-cost, r 36(3)): short by 8.46" in line


def test_the_command_table_matches_the_commands_registered() -> None:
    # origin --help lists the other modules' commands from origin.cli.COMMANDS without
    # importing them; registered for real, each must have that name, module and help.
    import argparse  # noqa: PLC0415
    import importlib  # noqa: PLC0415

    from origin.cli import COMMAND_MODULES, COMMANDS  # noqa: PLC0415

    found: dict[str, tuple[str, str]] = {}
    for module in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).register(sub)
        for action in sub._choices_actions:
            found[action.dest] = (module, str(action.help))
    assert found == COMMANDS


def test_help_lists_every_command_without_loading_the_engine() -> None:
    import subprocess  # noqa: PLC0415

    code = (
        "import sys\n"
        "from origin.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'openpyxl', 'lark', 'origin.engine') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    for name in ("psr", "levy", "check", "report", "qualify"):
        assert f"    {name}" in out.stdout
