"""Engine parts: citations, dated law, formulas, registry, case reading, CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from anzcerta_cases import case, decide

from origin import registry
from origin.caseio import CaseFormatError, case_from_json, load_case
from origin.citation import Citation, CitationError
from origin.cli import main
from origin.formulas import Formula, FormulaError
from origin.law import LawBook, LawFileError, LawNotEncoded, Parameter, Window

ANZCERTA_TOML = Path(__file__).parents[1] / "agreements" / "anzcerta.toml"


# ----------------------------------------------------------------- citations


@pytest.mark.parametrize(
    "text",
    [
        "r 36(1)",
        "r 51ZS(b)(i)",
        "r 33(2)(d)(iii)",
        "art 3.10(2)",
        "r 32 factory cost",
        "r 32 allowable expenditure (labour) (b)(i)",
    ],
)
def test_citation_round_trip(text: str) -> None:
    assert str(Citation.parse(text)) == text


def test_an_article_cited_again_is_the_citation_read_before() -> None:
    """Plugins cite articles as they decide: each text (and instrument) is read once."""
    from origin.citation import cite  # noqa: PLC0415

    first = cite("art 3.10(2)", "NZ-UK FTA")
    assert cite("art 3.10(2)", "NZ-UK FTA") is first
    assert first == Citation.parse("art 3.10(2)", "NZ-UK FTA")
    assert cite("art 3.10(2)", "RCEP") != first
    assert cite("r 36(1)") == Citation.parse("r 36(1)")


@pytest.mark.parametrize("text", ["36(1)", "reg 36", "r", "r 36 (1"])
def test_citation_rejects(text: str) -> None:
    with pytest.raises(CitationError):
        Citation.parse(text)


# ----------------------------------------------------------------- dated law


def test_window_is_half_open() -> None:
    w = Window(dt.date(2022, 1, 1), dt.date(2026, 4, 1))
    assert w.contains(dt.date(2022, 1, 1))
    assert w.contains(dt.date(2026, 3, 31))
    assert not w.contains(dt.date(2026, 4, 1))
    assert not w.contains(dt.date(2021, 12, 31))


def test_parameter_refuses_unencoded_date() -> None:
    law = LawBook.load(ANZCERTA_TOML)
    assert law.value("de_minimis_share", dt.date(2025, 1, 1)).value == Fraction(1, 10)
    with pytest.raises(LawNotEncoded, match="as at 2025-11-28"):
        law.value("de_minimis_share", dt.date(2019, 1, 1))
    p = Parameter("x", "", "percent", ())
    with pytest.raises(LawNotEncoded):
        p.at(dt.date(2025, 1, 1))


def test_law_file_rejects_float(tmp_path: Path) -> None:
    text = ANZCERTA_TOML.read_text(encoding="utf-8").replace('value = "0.10"', "value = 0.10")
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(LawFileError, match="not a float"):
        LawBook.load(bad)


def test_every_dated_value_has_a_reference() -> None:
    law = LawBook.load(ANZCERTA_TOML)
    assert law.parameters
    for parameter in law.parameters.values():
        for value in parameter.values:
            assert value.reference.number, parameter.name


# ----------------------------------------------------------------- formulas


def test_formula_is_exact_at_the_float_trap() -> None:
    """FOB 6.85, VNM 4.11: float gives 39.99999999999999; exact arithmetic gives 40."""
    f = Formula.define("bd", "(FOB - VNM) / FOB * 100", {"FOB": "", "VNM": ""})
    assert f.evaluate({"FOB": Fraction("6.85"), "VNM": Fraction("4.11")}) == 40
    assert (6.85 - 4.11) / 6.85 * 100 < 40  # the trap the exact path avoids


def test_formula_constants_stay_rational() -> None:
    f = Formula.define("x", "A * 3 / 5", {"A": ""})
    assert f.evaluate({"A": Fraction(1)}) == Fraction(3, 5)
    assert isinstance(f.evaluate({"A": Fraction(1)}), Fraction)


def test_formula_zero_denominator() -> None:
    f = Formula.define("bu", "VOM / AV * 100", {"VOM": "", "AV": ""})
    with pytest.raises(FormulaError, match="zero"):
        f.evaluate({"VOM": Fraction(1), "AV": Fraction(0)})


def test_formula_rejects_unknown_symbols() -> None:
    with pytest.raises(FormulaError):
        Formula.define("x", "A + B", {"A": ""})


# ----------------------------------------------------------------- registry


def test_registry_lists_anzcerta() -> None:
    assert "anzcerta" in registry.names()
    assert registry.get("ANZCERTA").name == "anzcerta"


def test_registry_unknown_name() -> None:
    with pytest.raises(registry.RegistryError, match=r"known: .*anzcerta"):
        registry.get("atlantis")


def test_registry_duplicate_is_an_error() -> None:
    with pytest.raises(registry.RegistryError, match="registered twice"):
        registry.build(
            {"anzcerta": "agreements.anzcerta:AGREEMENT"}, [("anzcerta", "someone.else:AGREEMENT")]
        )
    assert registry.build({}, [("x", "m:A")]) == {"x": "m:A"}


# ----------------------------------------------------------------- case reading


def test_all_problems_reported_with_paths() -> None:
    data = case(
        "CTH",
        av="-5",
        materials=[
            {"id": "A", "value": "abc", "status": "maybe"},
            {"id": "A", "hs": "9999.99", "valeu": "1"},
        ],
    )
    data["good"]["last_process_in"] = "Australia"
    with pytest.raises(CaseFormatError) as caught:
        case_from_json(data)
    paths = {p.path for p in caught.value.problems}
    assert {
        "good.adjusted_value",
        "good.last_process_in",
        "materials[0].value",
        "materials[0].status",
        "materials[1].hs",
        "materials[1].valeu",
        "materials[1].id",
    } <= paths


def test_json_numbers_are_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(case("CTH")).replace('"1000.00"', "4.11"), encoding="utf-8")
    assert load_case(path).good.adjusted_value == Decimal("4.11")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b'{"schema": ', "not valid JSON"),
        (b"\xff\xfe garbage", "cannot be read"),
        (b"[]", "expected an object"),
        (
            b'{"schema": "origin-case/9", "currency": "NZD", "good": {"id": "g", "hs": "8471.30"}}',
            "origin-case/1",
        ),
        (b'{"adjusted_value": NaN}', "not valid JSON"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CaseFormatError, match=message):
        load_case(path)


# ----------------------------------------------------------------- CLI


def test_cli_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "VERDICT: ORIGINATING" in out
    assert "[r 35(a)]" in out


def test_cli_determine_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            case(
                "RVC50 (build-down)",
                materials=[
                    {"id": "T", "hs": "4407.11", "value": "500.00", "status": "non-originating"}
                ],
            )
        )
    )
    assert (
        main(
            [
                "determine",
                str(path),
                "--agreement",
                "anzcerta",
                "--date",
                "2025-06-01",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "originating"
    assert out["rvc"][0]["value"]["exact"] == "50/1"
    assert "r 36(1)" in out["citations"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agreement", "atlantis"], "unknown agreement"),
        (["--agreement", "anzcerta", "--date", "2020-01-01"], "outside"),
    ],
)
def test_cli_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(case("CTH")))
    assert main(["determine", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_cli_bad_case_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(case("CTH excpt 44.07")))
    assert main(["determine", str(path), "--agreement", "anzcerta", "--date", "2025-06-01"]) == 2
    assert "psr" in capsys.readouterr().err


def test_cli_agreements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreements"]) == 0
    assert "regs 32–39G" in capsys.readouterr().out


def test_cli_reads_worked_case_files(capsys: pytest.CaptureFixture[str]) -> None:
    """`origin determine` works on the bundled cases, using each file's own date."""
    root = Path(__file__).parents[1] / "agreements" / "cases" / "anzcerta"
    assert (
        main(
            [
                "determine",
                str(root / "07-build-down-one-cent-below.json"),
                "--agreement",
                "anzcerta",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "VERDICT: NOT ORIGINATING" in out
    assert "on 2025-06-01" in out


def test_note_when_date_is_after_the_text_version() -> None:
    later = decide(case("CTH"), dt.date(2026, 11, 23))
    assert any("text as at 2025-11-28" in n for n in later.notes)
    assert not any("text as at" in n for n in decide(case("CTH")).notes)


def test_note_when_goods_were_imported_before_the_coverage() -> None:
    data = case("CTH")
    data["consignment"]["imported_on"] = "2011-06-01"
    d = decide(data)
    assert any("imported on 2011-06-01, before 2022-01-01" in n for n in d.notes)


def test_cli_law_lists_vocabularies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "thailand"]) == 0
    out = capsys.readouterr().out
    assert "de_minimis_share = 1/10 fraction [r 51G(3)(a)]" in out
    assert "simple_assembly [r 51F minimal operations or processes (d)(viii)]" in out
    assert main(["law", "atlantis"]) == 2


# ----------------------------------------------------------------- issue 12: nothing silently lost


def test_a_repeated_key_is_refused_where_it_stands(tmp_path: Path) -> None:
    """The standard parser keeps the last of two equal keys: a case saying two values for
    one field would be decided on one of them without a word."""
    text = json.dumps(case("CTH"), indent=1).replace(
        '"adjusted_value": "1000.00"', '"adjusted_value": "1000.00",\n  "adjusted_value": "9.00"'
    )
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    twice = r'line \d+, column \d+.*"adjusted_value" appears twice'
    with pytest.raises(CaseFormatError, match=twice):
        load_case(path)


def test_a_date_past_the_horizon_of_the_encoded_text_is_refused() -> None:
    """The text as at 2025-11-28 is applied for two years after it, with a note; 9999-12-31
    was decided on it without a word."""
    law = registry.get("anzcerta").law
    assert law.horizon == dt.date(2027, 11, 28)
    assert decide(case("CTH"), dt.date(2027, 11, 28)).verdict
    with pytest.raises(LawNotEncoded, match="applies it up to 2027-11-28; 9999-12-31 is later"):
        decide(case("CTH"), dt.date(9999, 12, 31))


def test_an_importation_date_past_the_horizon_is_refused() -> None:
    """Goods imported in year 9995 raised OverflowError computing how long records are kept."""
    data = case("CTH")
    data["consignment"]["imported_on"] = "9995-06-01"
    with pytest.raises(LawNotEncoded, match="imported on 9995-06-01"):
        decide(data)


def test_records_kept_past_the_calendar_are_an_input_error() -> None:
    from origin.decision import years_after  # noqa: PLC0415
    from origin.engine import CaseError  # noqa: PLC0415

    assert years_after(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)
    with pytest.raises(CaseError, match="past the year 9999"):
        years_after(dt.date(9995, 1, 1), 5)
