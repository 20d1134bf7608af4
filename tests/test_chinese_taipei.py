"""Chinese Taipei (regs 51ZZA–51ZZB with ANZTEC's Chapter 3): dates, the law file's values, the
build-down-only RVC, minimal operations with art 7(1)'s Annex 2 exception, direct consignment
with its six months of storage, accessories and packaging, and the art 5(2)(b) deductions.

The worked cases in ``agreements/cases/chinese-taipei/`` are run by
``tests/test_conformance.py``; the tests here cover what a worked case cannot say (a refused
date, a fact changed both ways).
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
from origin.agreement import FactError
from origin.caseio import case_from_json
from origin.cli import main
from origin.determination import Verdict
from origin.engine import CaseError
from origin.law import LawNotEncoded

AGREEMENT = registry.get("chinese-taipei")
CASES = Path(__file__).parents[1] / "agreements" / "cases" / "chinese-taipei"
DATE = dt.date(2025, 6, 1)


def _case(name: str) -> dict[str, Any]:
    return copy.deepcopy(worked.load(CASES / f"{name}.json")["case"])


def _decide(raw: dict[str, Any], date: dt.date = DATE) -> Any:
    return AGREEMENT.determine(case_from_json(raw), date)


# --------------------------------------------------------------------------- dates and law


def test_a_date_before_1_january_2022_is_refused() -> None:
    """r 51ZZB(b) was replaced on 1 January 2022 (SL 2021/422); the earlier wording (from
    1 December 2013) is not encoded, so a date before it is refused with the dates covered."""
    case = case_from_json(_case("03-build-down-exactly-40"))
    with pytest.raises(LawNotEncoded, match="2022-01-01"):
        AGREEMENT.determine(case, dt.date(2021, 12, 31))
    assert AGREEMENT.determine(case, dt.date(2022, 1, 1)).verdict is Verdict.ORIGINATING


def test_the_cli_refuses_the_date_with_the_dates_covered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CASES / "03-build-down-exactly-40.json")
    assert main(["determine", path, "--agreement", "chinese-taipei", "--date", "2013-12-01"]) == 2
    assert "from 2022-01-01" in capsys.readouterr().err


def test_law_preference_and_articles() -> None:
    law = AGREEMENT.law
    assert law.parties == ("NZ", "TW")
    assert law.preference_codes == ("TW",)
    share = law.value("de_minimis_share", DATE)
    assert share.value == Fraction(1, 10)
    assert str(share.reference) == "art 8(a)"
    assert share.reference.instrument == "ANZTEC Chapter 3"
    assert law.value("proof_waiver_usd", DATE).value == 1000
    assert law.value("transit_storage_months", DATE).value == 6


def test_the_regulation_and_the_articles_are_cited_apart() -> None:
    d = worked.run(AGREEMENT, CASES / "03-build-down-exactly-40.json")
    by_text = {str(c): c for c in d.citations()}
    assert by_text["r 51ZZB"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["r 51ZZB(b)"].instrument == "Customs and Excise Regulations 1996"
    assert by_text["art 2(c)"].instrument == "ANZTEC Chapter 3"


# --------------------------------------------------------------------------- art 5


def test_the_rvc_is_build_down_only() -> None:
    d = worked.run(AGREEMENT, CASES / "04-build-down-one-cent-below.json")
    assert [r.method for r in d.rvc] == ["build-down"]
    assert d.rvc[0].value == Fraction(39999, 1000)


def test_local_transport_costs_are_left_out_of_a_locally_acquired_material() -> None:
    """art 5(2)(b): a material acquired within the Party is valued without the costs of
    transporting it from the supplier to the producer."""
    raw = _case("04-build-down-one-cent-below")
    raw["materials"][0]["basis"] = "earliest-ascertained-price"
    raw["materials"][0]["adjustments"] = [{"kind": "freight", "amount": "0.01"}]
    d = _decide(raw)
    assert {r.method: r.value for r in d.rvc} == {"build-down": 40}
    assert d.verdict is Verdict.ORIGINATING


def test_no_transport_deduction_on_a_material_valued_at_cif() -> None:
    raw = _case("04-build-down-one-cent-below")
    raw["materials"][0]["adjustments"] = [{"kind": "freight", "amount": "0.01"}]
    with pytest.raises(CaseError, match="art 5"):
        _decide(raw)


def test_a_customs_value_is_no_value_for_art_5() -> None:
    raw = _case("03-build-down-exactly-40")
    raw["materials"][0]["basis"] = "customs-value"
    assert _decide(raw).verdict is Verdict.NEEDS_INFORMATION


def test_a_non_party_material_cannot_be_declared_originating() -> None:
    """art 6 accumulates only materials originating in a Party: an Australian material stated
    originating is refused rather than counted."""
    raw = _case("11-cumulation-third-country")
    raw["materials"][0]["status"] = "originating"
    with pytest.raises(FactError, match="AU"):
        _decide(raw)


# --------------------------------------------------------------------------- art 7


def test_annex_2_providing_otherwise_lifts_art_7() -> None:
    raw = _case("08-minimal-operations")
    raw["facts"] = {"annex2_provides_otherwise": True}
    d = _decide(raw)
    assert d.verdict is Verdict.ORIGINATING
    assert any("art 2(c)" in b for b in d.basis)


def test_simple_processes_need_the_fact_only_when_they_decide() -> None:
    raw = _case("08-minimal-operations")
    raw["good"]["operations"] = ["cutting", "packaging"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("facts.operations_simple" in m for m in d.missing)
    raw["facts"] = {"operations_simple": False}
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_an_operation_not_listed_goes_beyond_art_7() -> None:
    raw = _case("09-needs-whether-annex2-provides-otherwise")
    raw["good"]["operations"] = ["blending", "packaging"]
    assert _decide(raw).verdict is Verdict.ORIGINATING


# --------------------------------------------------------------------------- art 9


def test_storage_over_six_months_loses_the_status() -> None:
    raw = _case("14-transit-storage-needs-six-months")
    raw["facts"] = {"transit_storage_within_six_months": False}
    d = _decide(raw)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert any("exceed 6 months" in s.summary for top in d.steps for s in top.walk())


def test_transit_without_storage_needs_no_storage_fact() -> None:
    raw = _case("14-transit-storage-needs-six-months")
    raw["consignment"]["transit"][0]["operations"] = ["unloading", "transhipment", "reloading"]
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_transit_in_the_other_party_is_not_transit_through_a_non_party() -> None:
    raw = _case("12-transit-entered-commerce")
    raw["consignment"]["transit"][0]["country"] = "NZ"
    assert _decide(raw).verdict is Verdict.ORIGINATING


def test_trade_or_commerce_not_stated_is_asked_for() -> None:
    raw = _case("12-transit-entered-commerce")
    del raw["consignment"]["transit"][0]["entered_commerce"]
    d = _decide(raw)
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("trade or commerce in SG" in m for m in d.missing)


# --------------------------------------------------------------------------- arts 10-11


def _with_accessory(classified: bool | None) -> dict[str, Any]:
    """The cabinet of case 06 (door panels exactly 10 % of FOB), with a non-originating
    spanner of heading 94.03 given as a customary tool not invoiced separately: without
    the art 11(1) relief the materials failing the CTH are 105.00 of 1000.00, over 10 %."""
    raw = _case("06-de-minimis-exactly-10")
    raw["materials"].append(
        {
            "id": "SPANNER",
            "hs": "9403.99",
            "value": "5.00",
            "status": "non-originating",
            "basis": "cif",
            "origin_country": "CN",
            "accessory": {"kind": "tool", "invoiced_separately": False, "customary": True},
        }
    )
    if classified is not None:
        raw["facts"] = {"accessories_classified_with_goods": classified}
    return raw


def test_an_accessory_classified_with_the_good_is_disregarded_for_the_cth() -> None:
    assert _decide(_with_accessory(True)).verdict is Verdict.ORIGINATING
    assert _decide(_with_accessory(False)).verdict is Verdict.NOT_ORIGINATING
    d = _decide(_with_accessory(None))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("classified with the goods" in m for m in d.missing)


def test_retail_packaging_is_disregarded_for_the_cth_but_not_for_criterion_b() -> None:
    raw = _case("02-exclusively-originating")
    raw["materials"].append(
        {
            "id": "CARTON",
            "hs": "4819.10",
            "value": "20.00",
            "status": "non-originating",
            "basis": "cif",
            "origin_country": "CN",
            "packaging": "retail",
        }
    )
    d = _decide(raw)
    assert d.verdict is Verdict.ORIGINATING
    assert "art 2(b)" not in d.basis
    assert any(b.startswith("art 2(c)") for b in d.basis)
