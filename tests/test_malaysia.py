"""Malaysia (reg 41 with the Malaysia–New Zealand FTA's Chapter 3): dates, the law file's
values, minimal operations, direct consignment with its justified transit, the art 3.4(1)(b)
deduction, accessories.

The worked cases in ``agreements/cases/malaysia/`` are run by ``tests/test_conformance.py``;
the tests here cover what a worked case cannot say (a refused date, a refused case) and points
of the articles beside the worked cases.
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import worked

from origin import registry
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

AGREEMENT = registry.get("malaysia")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "malaysia"
DATE = dt.date(2025, 6, 1)


def _case(name: str) -> dict[str, Any]:
    return copy.deepcopy(worked.load(CASES / f"{name}.json")["case"])


def _decide(data: dict[str, Any], date: dt.date = DATE) -> Any:
    return AGREEMENT.determine(case_from_json(data), date)


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_january_2022_is_refused() -> None:
    """r 41(1)(b) was replaced on 1 January 2022 (SL 2021/422); the earlier wording is not
    encoded, so a date before is refused with the dates covered."""
    case = case_from_json(_case("03-qvc-exactly-40"))
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        AGREEMENT.determine(case, dt.date(2021, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-qvc-exactly-40.json")
    assert main(["determine", path, "--agreement", "malaysia", "--date", "2021-06-01"]) == 2
    assert "from 2022-01-01" in capsys.readouterr().err


def test_law_parties_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ", "MY")
    assert law.preference_codes == ("MY",)
    share = law.value("de_minimis_share", DATE)
    assert share.value == Fraction(1, 10)
    assert str(share.reference) == "art 3.7(1)"
    assert share.reference.instrument == "MNZFTA"
    assert law.value("de_minimis_share_weight", DATE).value == Fraction(1, 10)


def test_weight_chapters_are_50_to_63() -> None:
    from agreements.malaysia import regime_at  # noqa: PLC0415

    regime = regime_at(DATE)
    assert regime.de_minimis_weight_chapters == {f"{c}" for c in range(50, 64)}
    assert regime.default_rvc_methods == ("qvc",)


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "03-qvc-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 41(1)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["r 41(1)(b)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 3.2(c)"].instrument == "MNZFTA"
    assert {str(r.citation) for r in d.rvc} == {"art 3.4(1)"}
    assert {str(o.citation) for o in d.obligations} >= {"art 3.14", "r 41(1)(e)"}


def test_a_named_build_down_method_is_not_a_method_of_this_agreement() -> None:
    """Annex 2's QVC is written RVC40; art 3.4(1) has one formula, so a named method is refused."""
    data = _case("03-qvc-exactly-40")
    data["psr"] = "RVC40 (build-down)"
    with pytest.raises(CaseError, match="qvc"):
        _decide(data)


# --------------------------------------------------------------------------- art 3.4(1)(b)


def test_the_transport_deduction_is_refused_on_a_material_valued_at_cif() -> None:
    """art 3.4(1)(b) leaves transport costs out only for materials acquired within the Party."""
    data = _case("18-local-material-transport-excluded")
    data["materials"][1]["basis"] = "cif"
    with pytest.raises(CaseError, match=r"art 3\.4\(1\)\(b\)"):
        _decide(data)


def test_without_the_deduction_the_kettle_fails() -> None:
    data = _case("18-local-material-transport-excluded")
    del data["materials"][1]["adjustments"]
    d = _decide(data)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert d.rvc[0].value == 35


# --------------------------------------------------------------------------- art 3.6


def test_minimal_operations_do_not_apply_without_non_originating_materials() -> None:
    d = worked.run(AGREEMENT, CASES / "02-exclusively-originating.json")
    assert not any(s.test == "minimal operations" for top in d.steps for s in top.walk())


def test_processes_stated_not_simple_go_beyond_art_3_6() -> None:
    data = _case("12-needs-whether-processes-simple")
    data["facts"] = {"operations_simple": False}
    assert _decide(data).verdict is Verdict.ORIGINATING
    data["facts"] = {"operations_simple": True}
    assert _decide(data).verdict is Verdict.NOT_ORIGINATING


# --------------------------------------------------------------------------- art 3.8


def test_commerce_not_stated_is_asked_for() -> None:
    data = _case("13-transit-justified")
    del data["consignment"]["transit"][0]["entered_commerce"]
    d = _decide(data)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("commerce of SG" in m for m in d.missing)


def test_a_stop_in_new_zealand_or_malaysia_needs_no_justification() -> None:
    data = _case("14-transit-justification-not-stated")
    data["consignment"]["transit"] = [{"country": "MY", "operations": ["storing"]}]
    assert _decide(data).verdict is Verdict.ORIGINATING


def test_another_operation_in_transit_loses_the_status() -> None:
    data = _case("13-transit-justified")
    data["consignment"]["transit"][0]["operations"] = ["unloading", "relabelling"]
    assert _decide(data).verdict is Verdict.NOT_ORIGINATING


def test_transit_justified_must_be_a_flag() -> None:
    data = _case("13-transit-justified")
    data["facts"]["transit_justified"] = "yes"
    with pytest.raises((CaseError, ValueError)):
        _decide(data)


# --------------------------------------------------------------------------- art 3.11


def _with_accessory(facts: dict[str, Any]) -> dict[str, Any]:
    data = _case("05-de-minimis-exactly-10")
    data["materials"].append(
        {
            "id": "MANUAL",
            "hs": "4911.99",
            "value": "5.00",
            "status": "non-originating",
            "basis": "cif",
            "origin_country": "CN",
            "accessory": {
                "kind": "instructional-material",
                "invoiced_separately": False,
                "customary": True,
            },
        }
    )
    data["psr"] = "CTSH"
    data["materials"][0]["hs"] = "8516.80"
    data["facts"] = facts
    return data


def test_an_accessory_classified_with_the_goods_is_disregarded_for_the_shift() -> None:
    d = _decide(_with_accessory({"accessories_classified_with_goods": True}))
    assert d.verdict is Verdict.ORIGINATING
    assert "art 3.11(1)" in {str(c) for row in d.materials for c in row.citations}


def test_an_accessory_added_to_raise_the_qvc_is_an_ordinary_material() -> None:
    facts = {"accessories_classified_with_goods": True, "accessories_raise_qvc": True}
    d = _decide(_with_accessory(facts))
    assert "art 3.11(1)" not in {str(c) for row in d.materials for c in row.citations}
