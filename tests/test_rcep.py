"""RCEP (regs 51ZZI–51ZZJ with RCEP Chapter 3): dates, the dated declared parties, minimal
operations, direct consignment, the build-up cost terms, and the engine's properties over
this agreement.

The worked cases in ``agreements/cases/rcep/`` are run by ``tests/test_conformance.py``; the
tests here cover what a worked case cannot say (a refused date, a replaced parties list,
properties).
"""

from __future__ import annotations

import copy
import datetime as dt
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
from origin.engine import CaseError
from origin.groups import Membership
from origin.law import LawNotEncoded

AGREEMENT = registry.get("rcep")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "rcep"
DATE = dt.date(2025, 6, 1)


def _worked(name: str) -> dict[str, Any]:
    return worked.load(CASES / f"{name}.json")


def _case(name: str) -> dict[str, Any]:
    return copy.deepcopy(_worked(name)["case"])


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_january_2023_is_refused() -> None:
    """r 51ZZJ(b) was replaced on 1 January 2023 (SL 2022/286); the earlier wording is not
    encoded, so a date before is refused with the dates covered."""
    case = case_from_json(_worked("03-build-down-exactly-40")["case"])
    with pytest.raises(LawNotEncoded, match="2023-01-01"):
        AGREEMENT.determine(case, dt.date(2022, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2023, 1, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-build-down-exactly-40.json")
    assert main(["determine", path, "--agreement", "rcep", "--date", "2022-06-01"]) == 2
    assert "from 2023-01-01" in capsys.readouterr().err


def test_law_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ",)  # the declared RCEP parties are the dated list
    assert law.preference_codes == ("RCEP",)
    share = law.value("de_minimis_share", DATE)
    assert share.value == Fraction(1, 10)
    assert str(share.reference) == "art 3.7(1)(a)"
    assert share.reference.instrument == "RCEP"
    assert law.value("proof_waiver_usd", DATE).value == 200
    assert law.value("record_years", DATE).value == 3


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "03-build-down-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZJ"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["r 51ZZI"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 3.2(c)"].instrument == "RCEP"
    assert {str(r.citation) for r in d.rvc} == {"art 3.5(1)(a)", "art 3.5(1)(b)"}


def test_weight_chapters_are_50_to_63() -> None:
    from agreements.rcep import regime_at  # noqa: PLC0415

    assert regime_at(DATE).de_minimis_weight_chapters == {f"{c}" for c in range(50, 64)}


# --------------------------------------------------------------------------- parties


def test_the_declared_parties_are_dated() -> None:
    """Tariff (Specified RCEP Parties) Order 2021, Schedule, as at 2 June 2023."""
    membership = AGREEMENT.membership
    assert membership is not None and membership.as_at == dt.date(2023, 6, 2)
    first = {"AU", "BN", "KH", "CN", "JP", "LA", "SG", "TH", "VN"}
    assert membership.on(dt.date(2022, 1, 1)) == first
    assert membership.on(dt.date(2022, 2, 1)) == first | {"KR"}
    assert membership.on(dt.date(2022, 3, 18)) == first | {"KR", "MY"}
    assert "ID" not in membership.on(dt.date(2023, 1, 1))
    assert "ID" in membership.on(dt.date(2023, 1, 2))
    assert "PH" not in membership.on(dt.date(2023, 6, 1))
    assert membership.on(DATE) == first | {"KR", "MY", "ID", "PH"}
    assert "MM" not in membership.on(DATE)  # not in the Order's Schedule


def test_indonesia_is_a_party_from_2_january_2023() -> None:
    data = _case("14-party-on-its-date")
    data["good"].update(produced_in=["ID"], last_process_in="ID")
    data["consignment"]["exported_from"] = "ID"
    case = case_from_json(data)
    assert AGREEMENT.determine(case, dt.date(2023, 1, 1)).verdict is Verdict.NOT_ORIGINATING
    assert AGREEMENT.determine(case, dt.date(2023, 1, 2)).verdict is Verdict.ORIGINATING


def test_a_material_declared_originating_in_a_non_party_is_refused() -> None:
    data = _case("11-cumulation-party-material")
    data["materials"][0]["origin_country"] = "MM"
    with pytest.raises(ValueError, match="not a party"):
        AGREEMENT.determine(case_from_json(data), DATE)


def test_a_newer_list_of_parties_replaces_the_encoded_one() -> None:
    newer = Membership.from_toml(
        {
            "group": {
                "name": "rcep",
                "title": "specified RCEP parties (test list)",
                "source": "a hypothetical later Order adding Myanmar",
                "coverage": {"from": dt.date(2022, 1, 1), "reference": "test"},
            },
            "members": {"VN": {"name": "Viet Nam"}, "MM": {"name": "Myanmar"}},
        }
    )
    data = _case("14-party-on-its-date")
    data["good"].update(produced_in=["MM"], last_process_in="MM")
    data["consignment"]["exported_from"] = "MM"
    case = case_from_json(data)
    assert AGREEMENT.determine(case, DATE).verdict is Verdict.NOT_ORIGINATING
    replaced = AGREEMENT.with_membership(newer)
    d = replaced.determine(case, DATE)
    assert d.verdict is Verdict.ORIGINATING
    assert any("test list" in note for note in d.notes)


# --------------------------------------------------------------------------- the articles


def test_minimal_operations_do_not_apply_without_non_originating_materials() -> None:
    """art 3.6 speaks of operations 'undertaken on non-originating materials'."""
    data = _case("02-exclusively-originating")
    data["good"]["operations"] = ["packaging"]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.ORIGINATING
    assert not any(s.test == "minimal operations" for top in d.steps for s in top.walk())


def test_operations_stated_not_simple_go_beyond_art_3_6() -> None:
    data = _case("15-minimal-operations")
    data["facts"] = {"operations_simple": False}
    d = AGREEMENT.determine(case_from_json(data), DATE)
    # Sorting with special machines is not art 3.6(c); packaging alone would be (b).
    assert d.verdict is Verdict.ORIGINATING


def test_customs_control_not_stated_is_asked_for() -> None:
    data = _case("19-transit-allowed")
    del data["consignment"]["transit"][0]["entered_commerce"]
    d = AGREEMENT.determine(case_from_json(data), DATE)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("remained under customs control in HK" in m for m in d.missing)


def test_an_unknown_cost_category_is_refused() -> None:
    data = _case("05-build-up-exactly-40")
    data["costs"][0]["category"] = "royalties"
    with pytest.raises(CaseError, match="royalties"):
        AGREEMENT.determine(case_from_json(data), DATE)


def test_build_up_counts_every_cost_term() -> None:
    """art 3.5(1)(b): VOM + direct labour + direct overhead + profit + other cost."""
    d = worked.run(AGREEMENT, CASES / "05-build-up-exactly-40.json")
    result = next(r for r in d.rvc if r.method == "build-up")
    assert dict(result.inputs) == {
        "VOM": 300,
        "DLC": 250,
        "DOC": 150,
        "PR": 80,
        "OC": 20,
        "FOB": 2000,
    }


# --------------------------------------------------------------------------- properties

_ADJUSTMENTS = {"freight", "duties", "waste"}
_CATEGORIES = ("wages", "overhead", "profit", "other_cost")


def _rcep(document: dict[str, Any]) -> dict[str, Any]:
    """A drawn ANZCERTA-shaped case moved to Viet Nam: valued at FOB (the drawn adjusted
    value), only the deductions art 3.5(5)
    knows, and the cost lines given the categories of art 3.5(1)(b)."""
    data = copy.deepcopy(document)
    good = data["good"]
    good["fob"] = good.pop("adjusted_value", None)
    if good["fob"] is None:
        del good["fob"]
    good["produced_in"], good["last_process_in"] = ["VN"], "VN"
    data["consignment"] = {"exported_from": "VN", "transit": []}
    data["currency"] = "USD"
    for i, line in enumerate(data.get("costs", [])):
        line["category"] = _CATEGORIES[i % len(_CATEGORIES)]
        for key in ("incurred_in", "origin_country"):
            line.pop(key, None)

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
@given(document=cases(nested=True).map(_rcep))
def test_deterministic_and_json_round_trip(document: dict[str, Any]) -> None:
    first, second = _decide(document), _decide(copy.deepcopy(document))
    assert _text(first) == _text(second)
    assert strict_json.loads(_text(first))["verdict"] == first.verdict.value


@settings(max_examples=60, deadline=None)
@given(data=st.data(), document=cases(nested=True, min_size=2).map(_rcep))
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
@given(document=cases(nested=False, min_size=1).map(_rcep), choice=st.integers(min_value=0))
def test_an_originating_material_never_hurts(document: dict[str, Any], choice: int) -> None:
    candidates = [i for i, m in enumerate(document["materials"]) if m["status"] != "originating"]
    assume(candidates)
    flipped = copy.deepcopy(document)
    line = flipped["materials"][candidates[choice % len(candidates)]]
    line["status"] = "originating"
    if line.get("origin_country") not in (None, "VN", "JP", "CN"):
        line["origin_country"] = "VN"
    before, after = _decide(document), _decide(flipped)
    if before.verdict is Verdict.ORIGINATING:
        assert after.verdict is Verdict.ORIGINATING, after.missing
    for old, new in zip(before.rvc, after.rvc, strict=True):
        if old.outcome is Outcome.MEETS:
            assert new.outcome is Outcome.MEETS, old.method
        if old.value is not None and new.value is not None:
            assert new.value >= old.value, old.method


@settings(max_examples=60, deadline=None)
@given(document=cases(nested=True, min_size=1).map(_rcep), fill=st.integers(0, 10**7))
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
