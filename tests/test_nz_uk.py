"""NZ–UK (regs 51ZZK–51ZZL with UK FTA Chapter 3): dates, the tolerance's two weight ranges,
the rule taken from the imported Annex 3A, and the engine's properties over this agreement.

The worked cases in ``agreements/cases/nz-uk/`` are run by ``tests/test_conformance.py``; the
tests here cover what a worked case cannot say (a refused date, a schedule, properties).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import cases, text_of

from origin import registry, strict_json
from origin.caseio import case_from_json, determination_to_json
from origin.cli import main
from origin.determination import Determination, Outcome, Verdict
from origin.law import LawNotEncoded

AGREEMENT = registry.get("nz-uk")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "nz-uk"
DATE = dt.date(2025, 6, 1)
REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)


def reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (set ORIGIN_REFERENCE)")
    return path


def _worked(name: str) -> dict[str, Any]:
    return worked.load(CASES / f"{name}.json")


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_31_may_2023_is_refused() -> None:
    case = case_from_json(_worked("03-build-down-exactly-40")["case"])
    with pytest.raises(LawNotEncoded, match="2023-05-31"):
        AGREEMENT.determine(case, dt.date(2023, 5, 30))
    assert AGREEMENT.determine(case, dt.date(2023, 5, 31)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-build-down-exactly-40.json")
    assert main(["determine", path, "--agreement", "nz-uk", "--date", "2023-05-30"]) == 2
    assert "from 2023-05-31" in capsys.readouterr().err


def test_law_parties_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ", "GB", "GG", "JE", "IM")  # r 51ZZK
    assert law.preference_codes == ("GB",)
    assert law.value("tolerance_share", DATE).value == Fraction(15, 100)
    assert str(law.value("tolerance_share", DATE).reference) == "art 3.9(a)"
    assert law.value("tolerance_share", DATE).reference.instrument == "UK FTA"
    assert "minimal_operations" not in law.vocabularies  # the chapter has no such list


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "03-build-down-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZL"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 3.4"].instrument == "UK FTA"


def test_weight_chapters_are_two_ranges_and_aanzfta_keeps_its_one() -> None:
    from agreements.aanzfta import regime_at as aanzfta_regime  # noqa: PLC0415
    from agreements.nz_uk import regime_at  # noqa: PLC0415

    chapters = regime_at(DATE).de_minimis_weight_chapters
    assert chapters == {f"{c:02d}" for c in (*range(1, 25), *range(50, 64))}
    assert "25" not in chapters and "49" not in chapters and "64" not in chapters
    assert aanzfta_regime(DATE).de_minimis_weight_chapters == {f"{c:02d}" for c in range(50, 64)}


def test_a_good_outside_the_weight_chapters_has_only_the_value_test() -> None:
    data = copy.deepcopy(_worked("09-tolerance-by-weight-food")["case"])
    data["good"]["hs"] = "3004.90"  # chapter 30: no art 3.9(b)
    data["materials"][2]["hs"] = "3004.90"
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NOT_ORIGINATING
    tests = [s for top in d.steps for s in top.walk() if s.test.startswith("de minimis")]
    assert [str(s.citation) for s in tests] == ["art 3.9(a)"]


def test_an_intermediate_is_valued_at_its_own_value() -> None:
    """art 3.5(1): a material decided in its own right takes its own value as the value of
    the good (there is no ex-works price of a material)."""
    data = copy.deepcopy(_worked("03-build-down-exactly-40")["case"])
    cylinder = data["materials"][0]
    cylinder.update(status="undetermined", psr="RVC40", operations=["machining"])
    cylinder["components"] = [
        {"id": "ROD", "hs": "7215.50", "value": "200.00", "status": "non-originating"}
    ]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    # The cylinder: (600.00 - 200.00) / 600.00 = 66.7 % ≥ 40 %: originating; the press then has
    # no VNM: build-down (1000.00 - 0) / 1000.00 = 100 %.
    assert d.verdict is Verdict.ORIGINATING
    assert next(r for r in d.rvc if r.method == "build-down").value == 100


def test_released_to_free_circulation_not_stated_is_asked_for() -> None:
    data = copy.deepcopy(_worked("15-transit-allowed")["case"])
    del data["consignment"]["transit"][0]["entered_commerce"]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("released to free circulation in SG" in m for m in d.missing)


def test_accessory_not_stated_classified_is_decided_both_ways() -> None:
    data = copy.deepcopy(_worked("17-accessory-disregarded-for-cth")["case"])
    del data["facts"]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("classified with the goods" in m for m in d.missing)


def test_a_set_meeting_art_3_13_but_not_art_3_2_needs_review() -> None:
    data = copy.deepcopy(_worked("19-set-at-20-percent")["case"])
    data["materials"][1]["hs"] = "8206.00"  # the screwdrivers no longer change heading
    data["materials"][1]["value"] = "16.00"  # yet only 16 % of the set
    data["psr"] = "CTH"
    d = AGREEMENT.determine(case_from_json(data), DATE)
    # 16.00 / 100.00 = 16 %: over the 15 % tolerance (CTH fails), within the 20 % of art 3.13.
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any(m.startswith("review: whether a set") for m in d.missing)


# --------------------------------------------------------------------------- schedule


def test_rule_found_by_hs_code_in_the_imported_annex_3a(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annex = reference("psr", "nz-uk", "nz_uk_annex3A_psr_hs2017.csv")
    correlation = reference("hs", "correlation")
    schedule = tmp_path / "nz-uk.json"
    args = ["psr", "import", "nz-uk", str(annex), "--out", str(schedule)]
    assert main([*args, "--correlation", str(correlation)]) == 0
    capsys.readouterr()
    # The press (8479.89) of worked case 18 gives no rule; the annex gives "CTSH; or RVC40".
    case = str(CASES / "18-needs-product-specific-rule.json")
    command = ["determine", case, "--agreement", "nz-uk", "--schedule", str(schedule)]
    assert main([*command, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "originating"
    assert out["psr"] == "CTSH or RVC40"
    assert any("Annex 3A" in note for note in out["notes"])
    assert main(command) == 0
    assert "Product-specific rule: CTSH or RVC40" in capsys.readouterr().out


# --------------------------------------------------------------------------- properties

_ADJUSTMENTS = {"freight", "duties", "waste"}


def _uk(document: dict[str, Any]) -> dict[str, Any]:
    """A drawn ANZCERTA-shaped case moved to the United Kingdom: made in GB, valued at its
    ex-works price (the drawn adjusted value), with only the adjustments art 3.7 knows."""
    data = copy.deepcopy(document)
    good = data["good"]
    good["ex_works"] = good.pop("adjusted_value")
    good["produced_in"], good["last_process_in"] = ["GB"], "GB"
    data["consignment"] = {"exported_from": "GB", "transit": []}
    data["costs"] = []
    data["currency"] = "GBP"

    def clean(lines: list[dict[str, Any]]) -> None:
        for line in lines:
            kept = [a for a in line.get("adjustments", ()) if a["kind"] in _ADJUSTMENTS]
            line.pop("adjustments", None)
            if kept:
                line["adjustments"] = kept
            clean(line.get("components", []))

    clean(data["materials"])
    return data


def _decide(document: dict[str, Any]) -> Determination:
    return AGREEMENT.determine(case_from_json(document), DATE)


def _figures(d: Determination) -> tuple[tuple[str, Fraction | None, Outcome], ...]:
    return tuple((r.method, r.value, r.outcome) for r in d.rvc)


def _text(d: Determination) -> str:
    return strict_json.dumps(determination_to_json(d), sort_keys=True, ensure_ascii=False)


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=True).map(_uk))
def test_deterministic_and_json_round_trip(document: dict[str, Any]) -> None:
    first, second = _decide(document), _decide(copy.deepcopy(document))
    assert _text(first) == _text(second)
    assert strict_json.loads(_text(first))["verdict"] == first.verdict.value


@settings(max_examples=60, deadline=None)
@given(data=st.data(), document=cases(nested=True, min_size=2).map(_uk))
def test_bom_order_does_not_change_the_determination(
    data: st.DataObject, document: dict[str, Any]
) -> None:
    shuffled = copy.deepcopy(document)
    shuffled["materials"] = data.draw(st.permutations(shuffled["materials"]), label="BOM")
    before, after = _decide(document), _decide(shuffled)
    assert after.verdict is before.verdict
    assert _figures(after) == _figures(before)
    assert set(after.missing) == set(before.missing)


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=False, min_size=1).map(_uk), choice=st.integers(min_value=0))
def test_an_originating_material_never_hurts(document: dict[str, Any], choice: int) -> None:
    candidates = [i for i, m in enumerate(document["materials"]) if m["status"] != "originating"]
    assume(candidates)
    flipped = copy.deepcopy(document)
    flipped["materials"][candidates[choice % len(candidates)]]["status"] = "originating"
    before, after = _decide(document), _decide(flipped)
    if before.verdict is Verdict.ORIGINATING:
        assert after.verdict is Verdict.ORIGINATING, after.missing
    for old, new in zip(before.rvc, after.rvc, strict=True):
        if old.outcome is Outcome.MEETS:
            assert new.outcome is Outcome.MEETS, old.method
        if old.value is not None and new.value is not None:
            assert new.value >= old.value, old.method


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=True, min_size=1).map(_uk), fill=st.integers(0, 10**7))
def test_a_definite_verdict_does_not_depend_on_missing_values(
    document: dict[str, Any], fill: int
) -> None:
    missing = [m for m in document["materials"] if "value" not in m]
    assume(missing)
    d = _decide(document)
    if d.verdict is Verdict.NEEDS_INFORMATION:
        return
    filled = copy.deepcopy(document)
    for m in filled["materials"]:
        m.setdefault("value", text_of(fill))
    assert _decide(filled).verdict is d.verdict
