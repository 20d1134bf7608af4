"""``origin qualify``: one good under every installed agreement, ranked (issue #17).

The good is the bundled demo: an office chair made and last processed in Australia
(``good.produced_in = ["AU"]``, ``last_process_in = "AU"``), exported from Australia and
imported on 2025-06-01, with the one rule "CTH or RVC40 (build-down)" for every agreement.
Each row's expected answer is derived by hand below from the case and the law files.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from importlib import resources
from typing import Any

import attrs
import pytest

from origin import registry, strict_json
from origin.caseio import case_from_json
from origin.cli import main
from origin.comparison import Status, comparison_to_json, law_date, not_applicable, qualify
from origin.model import Case

IMPORTED = dt.date(2025, 6, 1)


def demo() -> Case:
    text = resources.files("origin").joinpath("data/demo_case.json").read_text(encoding="utf-8")
    return case_from_json(strict_json.loads(text), "demo")


# Every agreement whose parties on 2025-06-01 do not include Australia: the goods are of
# AU (the country of the last process, r 33-style "goods of" test used for the preference).
NOT_A_PARTY = (
    "canada", "china", "chinese-taipei", "hong-kong", "korea", "ldc", "lldc", "malaysia",
    "nz-eu", "nz-uk", "thailand", "tpsep",
)  # fmt: skip


def by_name(rows: Any) -> dict[str, Any]:
    return {row.agreement: row for row in rows}


def test_every_agreement_has_one_row_with_the_hand_derived_answer() -> None:
    comparison = qualify(demo())
    rows = by_name(comparison.rows)
    assert set(rows) == set(registry.names())  # one row per installed agreement
    assert comparison.date == IMPORTED  # the importation date, no --date given
    assert "consignment.imported_on" in comparison.date_reason

    # ANZCERTA, r 33(2)(c) with the case's rule RVC40 (build-down): the non-originating
    # materials are TUBE-01 40.00 + FABRIC-03 25.00 + BASE-04 20.00 + KEY-06 1.50 = 86.50;
    # (250.00 − 86.50) / 250.00 = 163.5 / 250 = 65.4 %, margin 25.4 points over 40 %.
    anzcerta = rows["anzcerta"]
    assert anzcerta.status == Status.ORIGINATING
    assert anzcerta.preference_codes == ("AU",)
    assert anzcerta.decisive is not None
    assert anzcerta.decisive.value == Fraction(327, 5)
    assert anzcerta.decisive.margin == Fraction(127, 5)
    assert comparison.best is anzcerta and comparison.rows[0] is anzcerta

    # CPTPP and RCEP apply (AU is a party of both on that date) but the case gives no
    # transaction value (CPTPP art 3.1) or FOB value (RCEP) of the good: needs information.
    assert rows["cptpp"].status == Status.NEEDS_INFORMATION
    assert any("good.transaction_value" in fact for fact in rows["cptpp"].missing)
    assert rows["rcep"].status == Status.NEEDS_INFORMATION
    assert "FOB value of the good" in rows["rcep"].missing
    # PACER Plus: AU is a declared party; its Chapter 3 is not encoded, so needs review.
    assert rows["pacer-plus"].status == Status.NEEDS_INFORMATION
    assert all(fact.startswith("review:") for fact in rows["pacer-plus"].missing)

    # Agreement-specific input errors stop only their own row: AANZFTA knows no
    # "build-down" method (direct/indirect), FIC has no cost category "wages".
    assert rows["aanzfta"].status == Status.ERROR
    assert "build-down" in rows["aanzfta"].reason
    assert rows["fic"].status == Status.ERROR
    assert "'wages'" in rows["fic"].reason

    # Not applicable, reason 1: the goods' country is not a party on the date.
    for name in NOT_A_PARTY:
        assert rows[name].status == Status.NOT_APPLICABLE, name
        assert rows[name].reason == "goods of AU, which is not a party on 2025-06-01"
        assert not rows[name].applies
    # Reason 2: the date is outside the encoded law (the UAE CEPA from 2025-08-28).
    assert rows["uae"].status == Status.NOT_APPLICABLE
    assert rows["uae"].reason.startswith("not in force on 2025-06-01")


def test_exported_from_a_non_party_is_not_applicable() -> None:
    # Reason 3: made in Australia but exported from Singapore: under ANZCERTA (parties AU,
    # NZ) the exporting country is not a party; AANZFTA and CPTPP have SG as a party.
    case = demo()
    moved = attrs.evolve(case, consignment=attrs.evolve(case.consignment, exported_from="SG"))
    rows = by_name(qualify(moved).rows)
    assert rows["anzcerta"].status == Status.NOT_APPLICABLE
    assert rows["anzcerta"].reason == "exported from SG, which is not a party on 2025-06-01"
    assert rows["cptpp"].status != Status.NOT_APPLICABLE


def test_after_the_horizon_is_not_applicable() -> None:
    agreement = registry.get("anzcerta")
    late = agreement.law.horizon + dt.timedelta(days=1)
    reason = not_applicable(agreement, demo(), late)
    assert "the last date the encoded text" in reason


def test_ranking_puts_originating_first_then_by_margin() -> None:
    comparison = qualify(demo())
    order = [row.status for row in comparison.rows]
    ranks = [
        Status.ORIGINATING, Status.NEEDS_INFORMATION, Status.NOT_ORIGINATING, Status.ERROR,
        Status.NOT_APPLICABLE,
    ]  # fmt: skip
    assert order == sorted(order, key=ranks.index)
    assert "no rate table given" in comparison.ranking


def test_a_rule_per_agreement_replaces_the_one_rule() -> None:
    # With "CC" for ANZCERTA (a change of chapter): the chair (ch 94) made from BASE-04
    # (9401.99, ch 94, non-originating) does not change chapter, so the CC test fails for
    # that material; its value 20.00 / 250.00 = 8 % is within the r 35 de minimis (10 %),
    # so the good still qualifies. Agreements with no rule of their own ask for one.
    case = attrs.evolve(demo(), psr=None, psr_by_agreement={"anzcerta": "CC"})
    rows = by_name(qualify(case).rows)
    assert rows["anzcerta"].rule == "CC"
    assert rows["anzcerta"].rule_source == "the case's rule for anzcerta"
    assert rows["anzcerta"].status == Status.ORIGINATING
    assert rows["rcep"].rule_source == "none given for this agreement"
    assert any("product-specific rule" in fact for fact in rows["rcep"].missing)


def test_law_date_prefers_the_given_date_then_importation_then_today() -> None:
    case = demo()
    assert law_date(case, dt.date(2024, 1, 1)) == (dt.date(2024, 1, 1), "the date given (--date)")
    assert law_date(case, None)[0] == IMPORTED
    undated = attrs.evolve(case, consignment=None)
    day, why = law_date(undated, None, today=dt.date(2026, 1, 2))
    assert day == dt.date(2026, 1, 2) and why.startswith("today")


def test_determine_without_date_uses_the_importation_date(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo case says imported 2025-06-01; moved to 2024-03-01, the determination must
    # be made on 2024-03-01 and say why.
    data = json.loads(
        resources.files("origin").joinpath("data/demo_case.json").read_text(encoding="utf-8")
    )
    data["consignment"]["imported_on"] = "2024-03-01"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["determine", str(path), "--agreement", "anzcerta", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["date"] == "2024-03-01"
    assert any("importation date" in note for note in out["notes"])
    assert main(["determine", str(path), "--agreement", "anzcerta", "--date", "2025-01-01",
                 "--format", "json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["date"] == "2025-01-01"


def test_qualify_command_json_is_a_comparison_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = resources.files("origin").joinpath("data/demo_case.json")
    assert main(["qualify", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "origin-comparison/1"
    assert out["best"] == "anzcerta"
    assert out["date"] == "2025-06-01"
    assert len(out["rows"]) == len(registry.names())
    first = out["rows"][0]
    assert first["decisive_rvc"]["margin"] == {"exact": "127/5", "decimal": "25.400000"}
    assert comparison_to_json(qualify(demo())) == out  # the command prints the document


def test_qualify_command_text_names_the_claim(capsys: pytest.CaptureFixture[str]) -> None:
    path = resources.files("origin").joinpath("data/demo_case.json")
    assert main(["qualify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "CLAIM: anzcerta (AU)" in out
    assert "uae: not in force on 2025-06-01" in out


def test_the_comparison_validates_against_its_schema() -> None:
    from pathlib import Path  # noqa: PLC0415

    from jsonschema import Draft202012Validator  # noqa: PLC0415

    path = Path(__file__).resolve().parent.parent / "docs" / "comparison.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    case = demo()
    moved = attrs.evolve(case, consignment=attrs.evolve(case.consignment, exported_from="SG"))
    for document in (comparison_to_json(qualify(case)), comparison_to_json(qualify(moved))):
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == []
    broken = comparison_to_json(qualify(case))
    broken["rows"][0]["status"] = "maybe"
    assert list(validator.iter_errors(broken))  # the schema can fail


def test_demo_qualify_prints_the_ranked_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--qualify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Good CHAIR-OC200 (HS 9401.71) on 2025-06-01: the goods' importation")
    assert "CLAIM: anzcerta (AU)" in out


def test_origin_qualify_is_the_function() -> None:
    import origin  # noqa: PLC0415

    comparison = origin.qualify(demo())
    assert comparison.best is not None and comparison.best.agreement == "anzcerta"
    with pytest.raises(AttributeError):
        _ = origin.no_such_thing  # type: ignore[attr-defined]
